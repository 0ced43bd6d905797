"""Strict apply: the seed modifications give the published text; every failure is reported;
the input version is never changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from redline.apply import (
    ApplyResult,
    apply_modification,
    closest_match,
    occurrences,
    phrase_pattern,
    term_key,
)
from redline.corpus import Corpus
from redline.validate import check_section, schema
from redline.errors import ApplyError
from redline.model import Address, Node
from redline.mods import Modification, load_modification
from redline.ops import (
    AddDefinition,
    Amend,
    AmendDefinition,
    Delete,
    DeleteDefinition,
    Insert,
    Move,
    Renumber,
    Substitute,
)
from redline.render.text import node_to_text
from redline.xmlsafe import canonical

from conftest import SEEDS

A = Address.parse
FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "mods" / "corpus"

#: G3.20 as MP087's Annex A (legal text version 0.1) prints it, with MP087 applied
ANNEX_A_G3_20 = (
    "G3.20 Each User shall, wherever it is practicable to do so, establish with: (a) the manufacturers "
    "of the hardware and developers of the software and firmware which form part of its User Systems; "
    "and (b) (where applicable) any Smart Metering System (excluding a Communications Hub Function or "
    "Gas Proxy Function which forms part of a SMETS2+ Device) for which it is the Responsible Supplier, "
    "arrangements designed to ensure that the User will be notified where any such manufacturer or "
    "developer (as the case may be) becomes aware of any material security vulnerability in, or likely "
    "cause of a material adverse effect on the security of, such hardware, software, firmware or Device."
)

#: G1.10 as SECMP0065's legal text prints it (the seed's "(a)(c)" is a flattened redline mark)
SEED_G1_10 = (
    "G1.10 Any reference in Sections G2 to G9 to: (a) a SMETS1 SMS shall be treated as being a reference "
    "to an Enrolled SMETS1 SMS only; (b) a Smart Metering System shall be treated as including a SMETS1 "
    "SMS only if it is an Enrolled SMETS1 SMS; (c) a Device shall be treated as including a SMETS1 Device "
    "only if it forms part of or is ancillary to an Enrolled SMETS1 SMS."
)


@pytest.fixture(scope="module")
def fixture_corpus():
    return Corpus.open(FIXTURE_CORPUS)


def mod(base: str, *operations, id: str = "TEST", meta=None) -> Modification:
    return Modification(id, "A test modification", base, tuple(operations), meta or {})


def failures_of(version, m, **kw):
    with pytest.raises(ApplyError) as info:
        apply_modification(version, m, **kw)
    return info.value.failures


def strip_provenance(el):
    el = etree.fromstring(etree.tostring(el))
    for node in el.iter():
        for k in ("source", "evidence", "note"):
            node.attrib.pop(k, None)
    return el


def valid(version) -> bool:
    for letter, root in version.sections.items():
        if not schema("corpus").validate(etree.ElementTree(root)):
            return False
        check_section(root, letter)
    return True


def seed_text(name: str, start: str, stop: str | None) -> str:
    path = next(SEEDS.glob(name))
    text = " ".join(path.read_text(encoding="utf-8").split())
    i = text.index(start)
    j = text.index(stop, i) if stop else len(text)
    return text[i:j].strip()


# ---------------------------------------------------------------------------------------------
# the seed modifications


def test_mp087_gives_g3_20_as_annex_a_prints_it(corpus):
    m = load_modification(corpus, "MP087")
    result = apply_modification(corpus.load("6.17"), m)
    g320 = result.version.get("G3.20")
    assert "G3.20 " + g320.full_text() == ANNEX_A_G3_20
    assert result.changed == (A("G3.20"),)
    assert result.address_map == {}
    assert valid(result.version)
    # nothing else in the version moved
    before = corpus.load("6.17")
    for node in before.clauses():
        if node.address != A("G3.20"):
            assert canonical(result.version.get(node.address).element) == canonical(node.element)


def test_annex_a_constant_is_the_seed(corpus):
    annex = seed_text("002_*.txt", "Amend Section G3.20 as follows:", None)
    assert seed_text("002_*.txt", "Annex A Legal text", None)  # the annex is there
    printed = annex[annex.index("G3.20 Each User"):annex.index("G3.21 Any arrangements")].strip()
    assert printed == ANNEX_A_G3_20
    g110 = seed_text("003_*.txt", "G1.10 Any reference", None).replace("(a)(c)", "(c)")
    assert g110 == SEED_G1_10


def test_secmp0065_gives_the_g1_of_6_17(corpus):
    m = load_modification(corpus, "SECMP0065")
    result = apply_modification(corpus.load("5.23"), m)
    got = strip_provenance(result.version.get("G1").element)
    want = strip_provenance(corpus.load("6.17").get("G1").element)
    # 6.17's G1 is inferred (no seed prints it), so it is held in part; 5.23's is printed in full
    assert (got.get("coverage"), want.get("coverage")) == ("complete", "partial")
    want.set("coverage", "complete")
    assert canonical(got) == canonical(want)
    assert node_to_text(result.version.get("G1")) == node_to_text(corpus.load("6.17").get("G1"))
    g110 = result.version.get("G1.10")
    assert "G1.10 " + g110.full_text() == SEED_G1_10
    assert g110.crossheading == "SMETS1 Smart Metering Systems"
    assert result.changed == (A("G1.10"),)
    assert valid(result.version)


def test_result_gets_the_new_id_and_is_a_new_version(corpus):
    m = load_modification(corpus, "MP087")
    base = corpus.load("6.17")
    r = apply_modification(base, m, "6.17-mp087")
    assert isinstance(r, ApplyResult)
    assert r.version.id == "6.17-mp087" and r.version is not base
    assert apply_modification(base, m).version.id == "6.17+MP087"
    assert r.version.sections["G"] is not base.sections["G"]


def test_mp087_stale_note_dropped_source_kept(corpus):
    m = load_modification(corpus, "MP087")
    r = apply_modification(corpus.load("6.17"), m)
    b = r.version.get("G3.20(b)")
    assert "note" not in b.element.attrib  # the 6.17 note described the words before MP087
    assert "note" not in r.version.get("G3.20").element.attrib
    assert b.source == "seed-002" and b.evidence == "printed"


# ---------------------------------------------------------------------------------------------
# failures: every one, each with its reasons


def test_unknown_target_suggests_nearest(corpus):
    [f] = failures_of(corpus.load("6.17"), mod("6.17", Amend(A("G3.22"), "x", "y")))
    assert f.kind == "unknown-target" and f.address == A("G3.22")
    assert f.suggestions[:2] == ("G3.21", "G3.20")
    assert "nearest" in str(f)


def test_unknown_section(corpus):
    [f] = failures_of(corpus.load("6.17"), mod("6.17", Delete(A("M8.2"))))
    assert f.kind == "unknown-target" and "does not hold" in f.message


def test_expected_text_not_found_shows_word_diff_and_closest_match(corpus):
    op = Substitute(A("G3.20(b)"), "Gas Proxy Functions", "Gas Proxy Functions of a SMETS2+ Device")
    [f] = failures_of(corpus.load("6.17"), mod("6.17", op))
    assert f.kind == "text-mismatch"
    text = str(f)
    assert "closest match: “Gas Proxy Function”" in text
    assert "Gas Proxy [-Functions-]{+Function+}" in text
    amend = Amend(A("G3.20(a)"), "the manufacturers of the hardware", "x")
    [f2] = failures_of(corpus.load("6.17"), mod("6.17", amend))
    assert f2.kind == "text-mismatch"
    assert any("difference" in d and "{+" in d for d in f2.details)
    assert any(d.startswith("closest match in G3.20(a)") for d in f2.details)


def test_expected_words_found_elsewhere_are_pointed_at(corpus):
    # the words of G3.17(b) (already amended in 5.20) aimed at G3.20(b)
    words = corpus.load("6.17").get("G3.17(b)").text
    [f] = failures_of(corpus.load("6.17"), mod("6.17", Amend(A("G3.20(b)"), words, "x")))
    assert "G3.17(b)" in str(f)


def test_ambiguous_phrase_lists_occurrences_and_occurrence_resolves(fixture_corpus):
    v = fixture_corpus.load("1.0")
    [f] = failures_of(v, mod("1.0", Substitute(A("G8.3"), "the fixture assessment", "the report")))
    assert f.kind == "ambiguous"
    assert len(f.details) == 2
    assert "[the fixture assessment], and" in f.details[0]
    r = apply_modification(v, mod("1.0", Substitute(A("G8.3"), "the fixture assessment", "the report", occurrence=2)))
    assert r.version.get("G8.3").text == "The Panel shall publish the fixture assessment, and the report shall be final."
    [f3] = failures_of(v, mod("1.0", Substitute(A("G8.3"), "the fixture assessment", "x", occurrence=3)))
    assert f3.kind == "ambiguous" and "occurs 2 time" in f3.message


def test_insert_position_taken(corpus):
    op = Insert(A("G1.8"), "after", ('<clause num="G1.9"><text>again</text></clause>',))
    [f] = failures_of(corpus.load("5.23"), mod("5.23", op))
    assert f.kind == "position-taken" and f.address == A("G1.9")


def test_base_mismatch_and_onto(corpus):
    m = load_modification(corpus, "SECMP0065")
    fs = failures_of(corpus.load("6.17"), m)
    kinds = [f.kind for f in fs]
    assert kinds[0] == "base-mismatch" and "position-taken" in kinds  # G1.10 is already in 6.17
    fs2 = failures_of(corpus.load("6.17"), m, onto=True)
    assert fs2[0].kind == "base-mismatch" and "applied onto 6.17" in fs2[0].message
    # MP087's words are the same in 5.23: it applies there with --onto, and without it does not
    mp087 = load_modification(corpus, "MP087")
    assert apply_modification(corpus.load("5.23"), mp087, onto=True).changed == (A("G3.20"),)
    [f] = failures_of(corpus.load("5.23"), mp087)
    assert f.kind == "base-mismatch" and "--onto 5.23" in f.message


def test_every_failure_is_reported_not_only_the_first(fixture_corpus):
    v = fixture_corpus.load("1.0")
    m = mod("1.0",
            Amend(A("G8.7"), "x", "y"),                                     # unknown target
            Substitute(A("G8.3"), "the fixture assessment", "z"),           # ambiguous
            Insert(A("G8.2"), "after", ('<clause num="G8.3"><text>d</text></clause>',)),  # taken
            Amend(A("G8.1"), "Each User shall undergo an assessment.", "q"),  # mismatch
            Insert(A("G8.2"), "after", ('<crossheading heading="H"><clause num="G8.2A"><text>t</text>'
                                        '</clause></crossheading>',)),      # splits a group
            Insert(A("G9"), "after", ('<part num="G10" coverage="complete"><clause num="G10.1"><text>'
                                      'x</text></clause></part>',)),
            Insert(A("G10.1"), "after", ('<clause num="G10.2"><text>y</text></clause>',)),  # fine
            )
    fs = failures_of(v, m)
    assert [f.kind for f in fs] == ["unknown-target", "ambiguous", "position-taken", "text-mismatch",
                                    "invalid-position"]
    assert [f.index for f in fs] == [0, 1, 2, 3, 4]


def test_operation_depending_on_a_failed_one_says_so(fixture_corpus):
    v = fixture_corpus.load("1.0")
    m = mod("1.0",
            Insert(A("G8.2"), "after", ('<clause num="G8.3"><text>d</text></clause>',)),
            Amend(A("G8.3"), "d", "e"))
    fs = failures_of(v, m)
    assert fs[0].kind == "position-taken"
    assert fs[1].kind == "text-mismatch"  # G8.3 exists (the old one): its words differ
    m2 = mod("1.0",
             Insert(A("G8.20"), "after", ('<clause num="G8.21"><text>d</text></clause>',)),
             Amend(A("G8.21"), "d", "e"))
    fs2 = failures_of(v, m2)
    assert [f.kind for f in fs2] == ["unknown-target", "depends"]
    assert "operation 1" in fs2[1].message


def test_invalid_result_is_a_failure(fixture_corpus):
    v = fixture_corpus.load("1.0")
    op = Insert(A("G8.1"), "after", ('<clause num="G9.7"><text>wrong part</text></clause>',))
    [f] = failures_of(v, mod("1.0", op))
    assert f.kind == "invalid-position" and "G9.7" in f.message


# ---------------------------------------------------------------------------------------------
# what the operations do


def test_fixture_in_secmp0044_shape(fixture_corpus):
    """A new part, Section A definitions and several sections in one modification (fixture text)."""
    m = load_modification(fixture_corpus, "FIX0044")
    assert m.sections == ["A", "G"]
    v = fixture_corpus.load("1.0")
    r = apply_modification(v, m)
    terms = [d.num for d in r.version.get("A1.1").children]
    assert terms == ["Agent", "Panel", "Security Sub-Committee", "Shared Resource Provider", "User"]
    assert terms == sorted(terms, key=term_key)
    assert r.version.get('A1.1["Panel"]').text == "means the fixture panel established under Section G10."
    assert r.version.get("G10").heading == "Fixture Shared Resource Providers"
    assert [c.num for c in r.version.get("G").children] == ["G8", "G9", "G10"]
    assert r.version.get("G8.5").text == "[Not used]"
    assert r.version.get("G8.2(b)").text == "the User's fixture systems in use by any Shared Resource Provider,"
    assert r.address_map == {A('A1.1["Assessment"]'): None, A("G8.4"): A("G8.4A")}
    assert r.changed == tuple(A(a) for a in ["A1.1", "G8.2", "G8.3", "G8.4A", "G8.5", "G10.1", "G10.2"])
    assert valid(r.version)
    # each op's clause_addresses lie in the result's changed clauses (after renumbering)
    for op in m.operations:
        for a in op.clause_addresses():
            assert a in r.changed


def test_definition_rename_resorts(fixture_corpus):
    v = fixture_corpus.load("1.0")
    r = apply_modification(v, mod("1.0", AmendDefinition(A('A1.1["Panel"]'), new_term="Code Panel")))
    assert [d.num for d in r.version.get("A1.1").children] == ["Assessment", "Code Panel",
                                                                "Security Sub-Committee", "User"]
    assert r.address_map == {A('A1.1["Panel"]'): A('A1.1["Code Panel"]')}
    fs = failures_of(v, mod("1.0", AddDefinition(A('A1.1["User"]'),
                                                 '<definition term="User"><text>means again</text></definition>')))
    assert fs[0].kind == "position-taken"
    fs = failures_of(v, mod("1.0", DeleteDefinition(A('A1.1["User"]'), old="means someone else")))
    assert fs[0].kind == "text-mismatch"


def test_renumber_maps_descendants(fixture_corpus):
    v = fixture_corpus.load("1.0")
    r = apply_modification(v, mod("1.0", Renumber(A("G8.2"), A("G8.2A"))))
    assert r.address_map == {A("G8.2"): A("G8.2A"), A("G8.2(a)"): A("G8.2A(a)"), A("G8.2(b)"): A("G8.2A(b)")}
    r2 = apply_modification(v, mod("1.0", Renumber(A("G9"), A("G11"))))
    assert r2.address_map == {A("G9"): A("G11"), A("G9.1"): A("G11.1")}
    assert r2.changed == (A("G11.1"),)
    fs = failures_of(v, mod("1.0", Renumber(A("G8.2"), A("G8.3"))))
    assert fs[0].kind == "position-taken"


def test_move_with_renumber_and_empty_group_removed(fixture_corpus):
    v = fixture_corpus.load("1.0")
    m = mod("1.0", Move(A("G9.1"), "after", A("G8.5"), A("G8.6")))
    r = apply_modification(v, m)
    assert r.address_map == {A("G9.1"): A("G8.6")}
    assert r.version.get("G8.6").crossheading == "Fixture Follow-up"
    assert r.version.get("G9").children == []
    # moving an item to the end of another clause
    r2 = apply_modification(v, mod("1.0", Move(A("G8.2(b)"), "end", A("G8.1"), A("G8.1(a)"))))
    assert r2.address_map == {A("G8.2(b)"): A("G8.1(a)")}
    assert r2.changed == (A("G8.1"), A("G8.2"))
    fs = failures_of(v, mod("1.0", Move(A("G9.1"), "after", A("G8.5"))))
    assert fs[0].kind == "invalid-position" and 'as="' in fs[0].message


def test_delete_remove_takes_empty_group_and_maps_to_none(fixture_corpus):
    v = fixture_corpus.load("1.0")
    m = mod("1.0", Delete(A("G8.4")), Delete(A("G8.5"), old="This Section G8.5 is a fixture clause that will be deleted."))
    r = apply_modification(v, m)
    assert r.address_map == {A("G8.4"): None, A("G8.5"): None}
    assert not any(el.get("heading") == "Fixture Follow-up" for el in r.version.sections["G"].iter("crossheading"))
    r2 = apply_modification(v, mod("1.0", Delete(A("G8.2"), "not-used")))
    assert r2.version.get("G8.2").full_text() == "[Not used]"
    assert r2.address_map == {A("G8.2(a)"): None, A("G8.2(b)"): None}
    fs = failures_of(v, mod("1.0", Delete(A("G8.4"), old="Something else entirely.")))
    assert fs[0].kind == "text-mismatch"


def test_insert_at_start_and_end(fixture_corpus):
    v = fixture_corpus.load("1.0")
    m = mod("1.0",
            Insert(A("G8.2"), "start", ('<item num="(0)"><text>first;</text></item>',)),
            Insert(A("G8.2"), "end", ('<item num="(c)"><text>last,</text></item>',)),
            Insert(A("G9"), "end", ('<clause num="G9.2"><text>end of G9</text></clause>',)),
            Insert(A("G8"), "end", ('<clause num="G8.6"><text>end of G8</text></clause>',)))
    r = apply_modification(v, m)
    g82 = r.version.get("G8.2")
    assert [c.num for c in g82.children] == ["(0)", "(a)", "(b)", "(c)"]
    assert g82.closing == "as the Panel may direct."
    assert r.version.get("G8.6").crossheading == "Fixture Follow-up"
    assert [c.num for c in r.version.get("G9").children] == ["G9.1", "G9.2"]
    assert valid(r.version)


def test_cross_heading_before_first_clause_of_group(fixture_corpus):
    v = fixture_corpus.load("1.0")
    op = Insert(A("G8.4"), "before", ('<crossheading heading="New Group"><clause num="G8.3A"><text>x'
                                      '</text></clause></crossheading>',))
    r = apply_modification(v, mod("1.0", op))
    heads = [el.get("heading") for el in r.version.get("G8").element.iter("crossheading")]
    assert heads == ["Fixture Assessment Process", "New Group", "Fixture Follow-up"]


def test_amend_closing_and_heading(fixture_corpus):
    v = fixture_corpus.load("1.0")
    m = mod("1.0",
            Amend(A("G8.2"), "as the Panel may direct.", "as the Panel may from time to time direct.", "closing"),
            Amend(A("G9"), "Fixture Miscellany", "Fixture General", "heading"),
            Amend(A("G8.1"), "", "A closing added.", "closing"))
    r = apply_modification(v, m)
    assert r.version.get("G8.2").closing == "as the Panel may from time to time direct."
    assert r.version.get("G9").heading == "Fixture General"
    assert r.version.get("G8.1").closing == "A closing added."


# ---------------------------------------------------------------------------------------------
# words


def test_occurrences_are_whole_words():
    assert occurrences("Device and Devices", "Device") == [(0, 6)]
    assert occurrences("a (b) c", "(b)") == [(2, 5)]
    assert occurrences("Gas  Proxy Function", "Gas Proxy Function") == [(0, 19)]


_WORDISH = st.lists(st.sampled_from(list("ab _.,()éß1") + ["\xa0", "\n", "  ", "\t"]), max_size=14).map("".join)


@settings(max_examples=400)
@given(text=_WORDISH, phrase=_WORDISH.filter(lambda p: p.split()))
def test_occurrences_without_a_pattern_are_the_patterns(text, phrase):
    """The search without a compiled pattern (text spaced as the corpus spaces it) finds exactly
    what phrase_pattern finds, and the pattern stays the answer for any other spacing."""
    assert occurrences(text, phrase) == [m.span() for m in phrase_pattern(phrase).finditer(text)]


def test_closest_match():
    text = "(excluding a Communications Hub Function or Gas Proxy Function) for which"
    assert closest_match(text, "Gas Proxy Functions") == "Gas Proxy Function"
    assert closest_match("shall undergo a fixture assessment.", "a fixture assesment") == "a fixture assessment"
    assert closest_match(text, "entirely unrelated words here") is None


# ---------------------------------------------------------------------------------------------
# invariants


def _snapshot(version) -> dict:
    return {k: canonical(v) for k, v in version.sections.items()}


_targets = st.sampled_from(["G8.1", "G8.2", "G8.2(a)", "G8.2(b)", "G8.3", "G8.4", "G8.5", "G9.1", "G8.9",
                            'A1.1["Panel"]', 'A1.1["User"]', "G3.20(b)"]).map(A)
_phrases = st.sampled_from(["fixture", "the fixture assessment", "User", "Panel", "nothing like this", "systems"])


@st.composite
def _random_ops(draw):
    kind = draw(st.sampled_from(["amend", "substitute", "delete", "renumber", "move", "insert", "defs"]))
    t = draw(_targets)
    if kind == "amend":
        return Amend(t, draw(_phrases), "changed words")
    if kind == "substitute":
        return Substitute(t, draw(_phrases), "replaced", occurrence=draw(st.none() | st.integers(1, 3)))
    if kind == "delete":
        return Delete(t, draw(st.sampled_from(["remove", "not-used"])) if t.kind in ("clause", "item") else "remove")
    if kind == "renumber" and t.kind in ("clause", "item"):
        new = Address(t.section, t.part, t.clause + "A") if t.kind == "clause" else t.parent.child("(z)")
        return Renumber(t, new)
    if kind == "move" and t.kind == "clause":
        return Move(t, draw(st.sampled_from(["before", "after"])), draw(_targets.filter(
            lambda a: a.kind == "clause" and a != t)))
    if kind == "defs":
        term = draw(st.sampled_from(["Panel", "Zebra", "Aardvark"]))
        return AddDefinition(A(f'A1.1["{term}"]'), f'<definition term="{term}"><text>means x</text></definition>')
    anchor = draw(st.sampled_from(["G8.1", "G8.5", "G9.1", "G8.9"]).map(A))
    num = draw(st.sampled_from(["G8.6", "G8.1A", "G9.2", "G8.2"]))
    return Insert(anchor, draw(st.sampled_from(["before", "after"])), (f'<clause num="{num}"><text>new</text></clause>',))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_random_ops(), min_size=1, max_size=5))
def test_apply_never_mutates_its_input(fixture_corpus, operations):
    version = fixture_corpus.load("1.0")
    before = _snapshot(version)
    index_before = list(version.index)
    m = mod("1.0", *operations)
    try:
        result = apply_modification(version, m)
    except ApplyError as exc:
        assert exc.failures  # a failure always says why
        result = None
    assert _snapshot(version) == before
    assert list(version.index) == index_before
    if result is not None:
        assert valid(result.version)
        # copy-on-write: a section the result shares with the input is one no operation looked
        # into (word for word the input's), and the result knows it shares it
        looked = {op.target.section for op in operations} | {
            op.anchor.section for op in operations if isinstance(op, Move)}
        for letter, root in result.version.sections.items():
            if root is version.sections[letter]:
                assert result.version.is_shared(letter) and letter not in looked
            else:
                assert not result.version.is_shared(letter)
        # every address whose node changed place is in the map, and maps to where it now is
        for old, new in result.address_map.items():
            assert old in version.index
            assert new is None or new in result.version.index


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["MP087", "SECMP0065"]), st.text(min_size=1, max_size=20))
def test_seed_apply_never_mutates_the_corpus_version(corpus, name, junk):
    m = load_modification(corpus, name)
    version = corpus.load(m.base)
    before = _snapshot(version)
    apply_modification(version, m)
    old = " ".join(junk.split()) or "x"
    junk_op = Substitute(A("G3.20(b)"), old, "y" if old != "y" else "z")
    try:
        apply_modification(version, mod(m.base, *m.operations, junk_op))
    except ApplyError:
        pass
    assert _snapshot(version) == before


def test_strip_provenance_helper_is_real(corpus):
    # guard: the G1 comparison above would be vacuous if strip_provenance dropped words
    g1 = corpus.load("6.17").get("G1").element
    assert "SMETS1 Smart Metering Systems" in etree.tostring(strip_provenance(g1), encoding="unicode")
    assert re.search(r"G1\.10", etree.tostring(strip_provenance(g1), encoding="unicode"))
    assert isinstance(Node(g1).children, list)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_random_ops(), min_size=1, max_size=3), st.lists(_random_ops(), min_size=1, max_size=3))
def test_applies_on_a_result_never_mutate_it_or_its_base(fixture_corpus, first, second):
    # the result of an apply shares its untouched sections with the input: applying more
    # modifications on top of the result (and on the input again) changes neither
    version = fixture_corpus.load("1.0")
    before = _snapshot(version)
    try:
        r1 = apply_modification(version, mod("1.0", *first)).version
    except ApplyError:
        return
    r1_before, r1_index = _snapshot(r1), list(r1.index)
    shared = [k for k in r1.sections if r1.is_shared(k)]
    for ops in (second, first + second):
        for onto in (r1, version):
            try:
                r2 = apply_modification(onto, mod("1.0", *ops), onto=True).version
            except ApplyError:
                continue
            assert valid(r2)
            # the second result's own sections are not trees of r1 or of the input
            for letter, root in r2.sections.items():
                if not r2.is_shared(letter):
                    assert root is not r1.sections[letter] and root is not version.sections[letter]
    assert _snapshot(r1) == r1_before and list(r1.index) == r1_index
    assert _snapshot(version) == before
    assert all(r1.sections[k] is version.sections[k] for k in shared)


def test_shared_sections_are_really_shared_and_copied_on_own(fixture_corpus):
    version = fixture_corpus.load("1.0")
    assert len(version.sections) > 1  # the fixture holds more than one section
    derived = version.derive("x")
    letters = list(version.sections)
    assert all(derived.sections[k] is version.sections[k] and derived.is_shared(k) for k in letters)
    g = derived.own("G")
    assert g is not version.sections["G"] and not derived.is_shared("G")
    g.find(".//clause").set("num", "G1.99")
    derived.reindex()
    assert version.find("G1.99") is None and derived.find("G1.99") is not None
    assert all(derived.sections[k] is version.sections[k] for k in letters if k != "G")
    assert list(derived.index) != list(version.index)


def test_words_from_an_unsourced_modification_are_not_passed_off_as_printed(corpus):
    """New words keep no 'printed' provenance that belonged to the words they replace."""
    base = corpus.load("6.17")
    assert base.get("G3.21").evidence == "printed"
    result = apply_modification(base, mod("6.17", Substitute(A("G3.21"), "Any arrangements", "All arrangements"),
                                          id="NOSRC")).version
    g = result.get("G3.21")
    assert g.evidence == "inferred" and "NOSRC" in g.note
    assert result.get("G3.20").evidence == "printed"  # untouched clauses keep theirs
    # a modification that names its source stamps it as printed there
    sourced = apply_modification(base, mod("6.17", Substitute(A("G3.21"), "Any arrangements", "All arrangements"),
                                           meta={"source": "seed-002"})).version
    assert sourced.get("G3.21").evidence == "printed" and sourced.get("G3.21").source == "seed-002"


@pytest.mark.parametrize("num,culprit", [("G3.99", "G3.99"), ("G3.5", "G3.5")])
def test_insert_out_of_sequence_is_refused(corpus, num, culprit):
    """G3.99 or G3.5 straight after G3.21 would put the part's numbers out of order."""
    op = Insert(A("G3.21"), "after", (f'<clause num="{num}"><text>A new clause.</text></clause>',))
    [f] = failures_of(corpus.load("6.17"), mod("6.17", op))
    assert f.kind == "invalid-position" and f.address == A(culprit)
    assert "out of sequence in part G3" in f.message


def test_insert_in_sequence_and_lettered_numbers_apply(fixture_corpus, corpus):
    ok = Insert(A("G3.21"), "after", ('<clause num="G3.22"><text>Next.</text></clause>',))
    assert apply_modification(corpus.load("6.17"), mod("6.17", ok)).version.get("G3.22")
    lettered = Insert(A("G3.20"), "after", ('<clause num="G3.20A"><text>Between.</text></clause>',))
    assert apply_modification(corpus.load("6.17"), mod("6.17", lettered)).version.get("G3.20A")


def test_renumbering_out_of_sequence_is_refused(corpus):
    from redline.ops import Renumber

    [f] = failures_of(corpus.load("6.17"), mod("6.17", Renumber(A("G3.19"), A("G3.30"))))
    assert f.kind == "invalid-position" and "out of sequence" in f.message


def test_base_already_out_of_sequence_is_not_blamed(fixture_corpus):
    from lxml import etree

    from redline.validate import order_problems

    before = etree.fromstring('<section num="G"><part num="G1"><clause num="G1.2"/><clause num="G1.1"/>'
                              '</part></section>')
    after = etree.fromstring('<section num="G"><part num="G1"><clause num="G1.2"/><clause num="G1.1"/>'
                             '<clause num="G1.3"/></part></section>')
    assert order_problems(after, before) == []
    assert [f.address for f in order_problems(after, None)] == [A("G1.1")]


def test_a_cross_heading_that_differs_is_named_in_the_singular(corpus):
    from redline.mods import parse_modification

    mod = parse_modification(b'<modification id="X" base="6.17"><title>x</title><operations><amend target="G3.20" '
                             b'field="crossheading"><old>Nope</old><new>Other</new></amend></operations></modification>',
                             "X.xml")
    with pytest.raises(ApplyError) as exc:
        apply_modification(corpus.load("6.17"), mod)
    assert "the cross-heading of G3.20 differs from what the modification expects" in str(exc.value)
