"""The address index, outline and positions a Version keeps per section, and how it keeps them
current: an index patched in place (after each change a handler says it made) equals the index
made again from the tree, in document order; copies and derived versions share or copy it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from redline.apply import apply_modification
from redline.errors import ApplyError
from redline.model import ADDRESSABLE, Address, Version
from redline.mods import Modification, load_modification, modification_paths
from redline.ops import Insert


def rebuilt(version: Version, letter: str) -> list:
    """The index of section ``letter`` made from scratch, in document order."""
    return list(Version("r", {letter: version.sections[letter]}).section_index(letter).items())


def assert_current(version: Version, owned_only: bool = False) -> None:
    for letter in version.sections:
        if owned_only and version.is_shared(letter):
            continue  # the base's tree and index, untouched (test_derive_shares_what_is_made_once)
        expected = rebuilt(version, letter)
        assert list(version.section_index(letter).items()) == expected, letter
        outline = version.outline(letter)
        assert [(c.address, c.element) for c in outline.clauses] == [(a, el) for a, el in expected if el.tag == "clause"]
        assert list(outline.parts.items()) == [(a, el) for a, el in expected if el.tag == "part"]


def test_a_patched_index_is_the_rebuilt_one_after_every_modification(generated, corpus):
    applied = 0
    for c in (generated, corpus):
        for path in modification_paths(c):
            mod = load_modification(c, path)
            try:
                res = apply_modification(c.load(mod.base), mod)
            except ApplyError:
                continue
            applied += 1
            assert_current(res.version, owned_only=True)
    assert applied >= 45


_EDITS = st.lists(st.tuples(st.sampled_from(["remove", "renumber", "move", "not-used"]), st.integers(0, 10**6),
                            st.integers(0, 10**6)), min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_a_patched_index_is_the_rebuilt_one_after_every_change(generated, edits):
    """Changes made straight on a tree, each said with ``changing``: the index after each is the
    rebuilt one (lookups see it at once; iteration puts it back in document order)."""
    base = generated.load("1.0")
    letter = sorted(base.sections)[-1]
    v = base.derive("x")
    root = v.own(letter)
    for kind, i, j in edits:
        els = [el for el in root.iter("part", "clause", "item")]
        el, other = els[i % len(els)], els[j % len(els)]
        if el is root or other in el.iter() or el in other.iter():
            continue
        with v.changing(el):
            if kind == "remove":
                el.getparent().remove(el)
            elif kind == "renumber":
                el.set("num", el.get("num")[:-1] + ("Z)" if el.tag == "item" else "Z"))
            elif kind == "move":
                other.addnext(el)
            else:
                for child in list(el):
                    el.remove(child)
        expected = dict(rebuilt(v, letter))
        for a, e in expected.items():  # lookups are exact straight away
            assert v.element(a) is e
        assert list(v.section_index(letter).items()) == list(expected.items())


def test_a_repeated_address_in_the_result_is_reported(corpus):
    base = corpus.load("6.17")
    twice = ('<clause num="G1.99"><text>lead</text><item num="(a)"><text>one</text></item>'
             '<item num="(a)"><text>two</text></item></clause>')
    mod = Modification("DUP", "t", "6.17", (Insert(Address.parse("G1"), "end", (twice,)),))
    with pytest.raises(ApplyError) as exc:
        apply_modification(base, mod)
    (failure,) = exc.value.failures
    assert failure.kind == "invalid-result" and "G1.99(a) appears twice" in failure.message


def test_an_item_without_a_number_is_refused_when_drafted():
    with pytest.raises(ValueError, match="needs a number"):
        Insert(Address.parse("G3.20(b)"), "after", ("<item><text>x</text></item>",))


def test_positions_follow_the_document_order(generated):
    base = generated.load("1.0")
    for v in [base] + [apply_modification(base, load_modification(generated, p)).version
                       for p in modification_paths(generated)[:5]]:
        order = list(v.index)
        got = [v.position(a) for a in order]
        assert None not in got and got == sorted(got) and len(set(got)) == len(got)
    assert base.position(Address("B", "B1", "B1.999")) is None and base.position(Address("Q")) is None


def test_derive_shares_what_is_made_once(tmp_corpus):
    from redline.corpus import Corpus

    base = Corpus.open(tmp_corpus).load("6.17")
    d1, d2 = base.derive("a"), base.derive("b")
    dd = d1.derive("c")
    assert d1.find(Address.parse("G3.20(b)")) is not None
    assert base.section_index("G") == d2.section_index("G") == dd.section_index("G")
    assert base.outline("G") is d1.outline("G") is dd.outline("G")
    assert base.section_memo("G") is dd.section_memo("G")
    assert base.is_shared("G") and d1.is_shared("G")  # read-only on both sides


def test_an_owned_section_gets_its_own_copy(tmp_corpus):
    from redline.corpus import Corpus

    base = Corpus.open(tmp_corpus).load("6.17")
    d = base.derive("x")
    g = d.own("G")
    assert g is not base.sections["G"] and not d.is_shared("G")
    assert list(d.section_index("G")) == list(base.section_index("G"))
    assert d.find(Address.parse("G3.20")).element is not base.find(Address.parse("G3.20")).element
    assert all(el.getroottree().getroot() is g for el in d.section_index("G").values())
    with pytest.raises(ValueError, match="shared"):
        with base.changing(base.sections["G"].find("part")):
            pass


def test_changes_not_said_are_forgotten_by_reindex(tmp_corpus):
    from redline.corpus import Corpus

    v = Corpus.open(tmp_corpus).load("6.17").copy("x")
    clause = v.find("G3.20").element
    clause.set("num", "G3.20A")
    v.reindex("G")
    assert v.find("G3.20") is None and v.find("G3.20A").element is clause
    assert sum(1 for _ in v.sections["G"].iter(*ADDRESSABLE)) == len(v.section_index("G"))


def test_removing_one_of_a_repeated_address_keeps_the_other():
    """A move can leave an address twice in a tree (the index keeps the last); removing that one
    must leave the first findable, not drop the address (hypothesis found it)."""
    from lxml import etree

    root = etree.fromstring(
        '<section num="G"><part num="G1"><clause num="G1.1"><text>x</text><item num="(a)"><text>a</text></item>'
        '</clause><clause num="G1.2"><text>y</text><item num="(a)"><text>b</text></item></clause></part></section>')
    v = Version("x", {"G": root})
    first, second = root.findall(".//item")
    a = Address.parse("G1.1(a)")
    assert v.element(a) is first
    with v.changing(second):
        first.addnext(second)  # G1.2(a) becomes a second G1.1(a)
    assert v.element(a) is second
    with v.changing(second):
        second.getparent().remove(second)
    assert v.element(a) is first
    assert list(v.section_index("G").items()) == rebuilt(v, "G")


def test_a_lookup_before_the_index_is_made_finds_what_the_index_would(generated, corpus):
    """A loaded version finds a node by its section's outline and its clause's own index until
    the whole section index is made: every address, and addresses not held, give the same
    element both ways."""
    from redline.corpus import Corpus

    for c in (generated, corpus):
        lazy = Corpus.open(c.root).load("1.0" if c is generated else "6.17")
        whole = c.load(lazy.id)
        wanted = list(whole.index.items())
        absent = [Address("G", "G99"), Address("G", "G3", "G3.999"), Address("A", "A1", "A1.1", "No Such Term"),
                  Address("G", "G3", "G3.20", None, ("zz",)), Address("Q")]
        for a, el in wanted:
            got = lazy.element(a)
            assert got is not None and got.tag == el.tag and got.sourceline == el.sourceline, a
        for a in absent:
            assert lazy.element(a) is None and whole.element(a) is None, a


def test_a_repeated_item_found_by_a_lookup_is_reported(tmp_path):
    """A tree read from a file whose clause repeats an item number (possible only past the schema,
    e.g. with a planted validation marker) is refused when a lookup reaches that clause or an item
    of it, naming the file and line, as the whole index refuses it."""
    from redline.errors import CorpusError

    root = etree_section('<section num="G"><part num="G1"><clause num="G1.1"><text>x</text>'
                         '<item num="(a)"><text>a</text></item><item num="(a)"><text>b</text></item>'
                         '</clause></part></section>')
    for address in ("G1.1(a)", "G1.1"):  # the clause itself too: its words would be shown
        with pytest.raises(CorpusError) as exc:
            Version("1", {"G": root}, files={"G": "G.xml"}).element(Address.parse(address))
        assert "G1.1(a) appears twice" in str(exc.value) and "G.xml" in str(exc.value)
    assert Version("1", {"G": root}, files={"G": "G.xml"}).element(Address.parse("G1")) is not None
    with pytest.raises(CorpusError):
        Version("1", {"G": root}, files={"G": "G.xml"}).section_index("G")


def etree_section(xml: str):
    from lxml import etree

    return etree.fromstring(xml)
