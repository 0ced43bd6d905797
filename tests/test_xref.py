"""Cross-references: the finder against every reference in the seeds' legal text, resolution
statuses on the bundled versions and on tiny inline versions, re-mapping under renumbering."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st
from lxml import etree

from redline import xref
from redline.consequential import consequential_amendments, with_consequential_amendments
from redline.model import Address, Version
from redline.render.links import link_annotator, redline_annotator
from redline.xref import BROKEN, HEADING_MISMATCH, OUTSIDE, RESOLVED, Range

VERSIONS = ["5.20", "5.23", "6.17"]

# Every reference in the legal text the corpus holds (6.17 holds them all; 5.23 lacks G1.10; 5.20
# holds only G3). Columns: holder, field, text as written, targets, heading, quoted, form, status.
R, O = RESOLVED, OUTSIDE
UAD = "Unauthorised Activities: Duties to Detect and Respond"
EXPECTED = [
    ("G1.1", "text", "Sections G2 to G9", ["G2 to G9"], None, False, "section", O),
    ("G1.1", "text", "this Section G1", ["G1"], None, False, "this", R),
    ("G1.2", "text", "Section G1.3", ["G1.3"], None, False, "section", R),
    ("G1.2(a)", "text", "Sections G2 to G9", ["G2 to G9"], None, False, "section", O),
    ("G1.3", "text", "this Section G1.3", ["G1.3"], None, False, "this", R),
    ("G1.4", "text", "Section G1.3", ["G1.3"], None, False, "section", R),
    ("G1.6", "text", "Section G1.5", ["G1.5"], None, False, "section", R),
    ("G1.7(a)", "text", f"Sections G3.2 to G3.3 ({UAD})", ["G3.2 to G3.3"], UAD, False, "section", O),
    ("G1.7(b)", "text", "Sections G3.8 to G3.9 (Management of Vulnerabilities)", ["G3.8 to G3.9"],
     "Management of Vulnerabilities", False, "section", O),
    ("G1.7(c)", "text", "Sections G5.14 to G5.18 (Information Security: Obligations on Users)",
     ["G5.14 to G5.18"], "Information Security: Obligations on Users", False, "section", O),
    ("G1.7(c)(i)", "text", "Section G5.18(b)(i)", ["G5.18(b)(i)"], None, False, "section", O),
    ("G1.7(c)(i)", "text", "Sections G3 and G4", ["G3", "G4"], None, True, "section", O),
    ("G1.7(c)(i)", "text", "Sections G3.2 to G3.3 and G3.8 to G3.9", ["G3.2 to G3.3", "G3.8 to G3.9"],
     None, True, "section", O),
    ("G1.7(c)(ii)", "text", "Section G5.18(b)(iii)", ["G5.18(b)(iii)"], None, False, "section", O),
    ("G1.7(c)(ii)", "text", "Sections G5.19 to G5.24", ["G5.19 to G5.24"], None, True, "section", O),
    ("G1.7(c)(ii)", "text", "Section G5.19(d)", ["G5.19(d)"], None, True, "section", O),
    ("G1.7(d)", "text", "G6 (Anomaly Detection Thresholds: Obligations on the DCC and Users)", ["G6"],
     "Anomaly Detection Thresholds: Obligations on the DCC and Users", False, "bare", O),
    ("G1.8", "text", "Sections G3 to G6", ["G3 to G6"], None, False, "section", O),
    ("G1.8(b)", "text", "Section M7 (Dispute Resolution)", ["M7"], "Dispute Resolution", False, "section", O),
    ("G1.9", "text", "Section G1.8", ["G1.8"], None, False, "section", R),
    ("G1.9(a)", "text", "Section M8.2 (Notification of an Event of Default)", ["M8.2"],
     "Notification of an Event of Default", False, "section", O),
    ("G1.9(b)", "text", "Sections G3 to G6", ["G3 to G6"], None, False, "section", O),
    ("G1.10", "text", "Sections G2 to G9", ["G2 to G9"], None, False, "section", O),
    ("G3.17", "closing", "Section G3.18", ["G3.18"], None, False, "section", R),
    ("G3.18", "text", "this Section", ["G3.18"], None, False, "self", R),
    ("G3.19", "text", "Section G3.18(a)", ["G3.18(a)"], None, False, "section", R),
    ("G3.21", "text", "Section G3.20", ["G3.20"], None, False, "section", R),
    ("G3.27", "text", "Section G3.26", ["G3.26"], None, False, "section", R),
    ("G3.28", "text", "Section G3.26", ["G3.26"], None, False, "section", R),
]


def _row(res: xref.Resolution):
    ref = res.reference
    return (str(res.citation.holder), res.citation.field, ref.text, [str(t) for t in ref.targets],
            ref.heading, ref.quoted, ref.form, res.status)


@pytest.mark.parametrize("vid", VERSIONS)
def test_every_reference_in_the_corpus_is_found_with_its_target(corpus, vid):
    v = corpus.load(vid)
    expected = [e for e in EXPECTED if Address.parse(e[0]) in v]
    got = [_row(r) for r in xref.check_version(v)]
    assert got == expected
    assert len(expected) == {"5.20": 6, "5.23": 28, "6.17": 29}[vid]


@pytest.mark.parametrize("vid", VERSIONS)
def test_spans_index_the_holders_text(corpus, vid):
    v = corpus.load(vid)
    for c in xref.citations(v):
        node = v.get(c.holder)
        text = node.text if c.field == "text" else node.closing
        ref = c.reference
        assert text[ref.start:ref.end] == ref.text
        for tok in ref.tokens:
            assert tok.start >= ref.start and tok.end <= ref.end


@pytest.mark.parametrize("vid", VERSIONS)
def test_no_section_word_or_address_is_missed(corpus, vid):
    """Every 'Section' and every address-shaped token in the corpus text lies inside a reference."""
    v = corpus.load(vid)
    for node in v.nodes():
        for fld, text in xref.text_fields(node):
            spans = [(r.start, r.end) for r in xref.find_references(text, node.address)]
            for m in re.finditer(r"\bSections?\b|\b[A-Z]\d+(?:\.\d+)?\b", text):
                assert any(s <= m.start() < e for s, e in spans), f"{node.address}: missed {m.group()!r} in {text!r}"


@pytest.mark.parametrize("vid", VERSIONS)
def test_bundled_versions_have_no_broken_reference(corpus, vid):
    res = xref.check_version(corpus.load(vid))
    assert res and all(r.status in (RESOLVED, OUTSIDE) for r in res)


def test_outside_reasons_say_how_the_corpus_holds_the_target(corpus):
    res = {r.reference.text + "@" + str(r.citation.holder): r for r in xref.check_version(corpus.load("6.17"))}
    assert "part G3 is held only in part" in res[f"Sections G3.2 to G3.3 ({UAD})@G1.7(a)"].reasons[0]
    assert "section M is not in the corpus" in res["Section M7 (Dispute Resolution)@G1.8(b)"].reasons[0]
    assert "part G5 is not in the corpus" in res["Section G5.18(b)(i)@G1.7(c)(i)"].reasons[0]
    # "Sections G3 and G4": G3 is held, G4 is not
    g3g4 = res["Sections G3 and G4@G1.7(c)(i)"]
    assert [t.status for t in g3g4.targets] == [RESOLVED, OUTSIDE]


# --- prose references in the seeds (the papers around the legal text) --------------------------

PROSE = [
    # seed 000
    ("requirements in SEC Section D2.6 for needing", "SEC Section D2.6", ["D2.6"], None, "sec"),
    ("and particularly those in SEC Sections G3.26 to\nG3.28, to apply", "SEC Sections G3.26 to\nG3.28",
     ["G3.26 to G3.28"], None, "sec"),
    ("good practice as referenced in SEC G3.28(b).", "SEC G3.28(b)", ["G3.28(b)"], None, "sec"),
    ("obligation at Section G3.26.", "Section G3.26", ["G3.26"], None, "section"),
    # seed 002
    ("specified in both Sections G3.17 and G3.20 that a", "Sections G3.17 and G3.20", ["G3.17", "G3.20"],
     None, "section"),
    ("An error has been identified in SEC Section G ‘Security’ which", "SEC Section G ‘Security’", ["G"],
     "Security", "sec"),
    ("Amend Section G3.20 as follows:", "Section G3.20", ["G3.20"], None, "section"),
    ("Add Section G1.10 after Section G1.9", "Section G1.10", ["G1.10"], None, "section"),
    # seed 004
    ("in the same way as a DCC User under SEC Section G8.51;", "SEC Section G8.51", ["G8.51"], None, "sec"),
    ("arrangements in SEC Section G 8.54 to G8.60. However", "SEC Section G 8.54 to G8.60",
     ["G8.54 to G8.60"], None, "sec"),
    ("against SEC Sections G3 to G6. A methodology", "SEC Sections G3 to G6", ["G3 to G6"], None, "sec"),
    ("falling within SEC Section G5.14 (Information Security: Obligations on Users) since",
     "SEC Section G5.14 (Information Security: Obligations on Users)", ["G5.14"],
     "Information Security: Obligations on Users", "sec"),
    ("set out in in SEC Section M8.4 which", "SEC Section M8.4", ["M8.4"], None, "sec"),
    ("clarification on Section G10.7 (d) of the draft", "Section G10.7 (d)", ["G10.7(d)"], None, "section"),
    ("SEC Sections A 'Definitions and Interpretations' and", "SEC Sections A 'Definitions and Interpretations'",
     ["A"], "Definitions and Interpretations", "sec"),
    ("existing SEC obligation (SEC G5.27(a)) for", "SEC G5.27(a)", ["G5.27(a)"], None, "sec"),
    ("clarified that, as G10.7 states, the", "G10.7", ["G10.7"], None, "bare"),
    ("SEC Section G7 states that", "SEC Section G7", ["G7"], None, "sec"),
]


@pytest.mark.parametrize("text, matched, targets, heading, form", PROSE, ids=[p[1] for p in PROSE])
def test_prose_references(text, matched, targets, heading, form):
    refs = xref.find_references(text)
    assert refs, text
    r = refs[0]
    assert (r.text, [str(t) for t in r.targets], r.heading, r.form) == (matched, targets, heading, form)
    assert text[r.start:r.end] == matched


@pytest.mark.parametrize("text", [
    "procedure under Section 89 of the Energy Act 2008",
    "“Section 3.7. Aside from those contained within the technical specification",
    "SMETS1 SMS and SMETS2+ Device; MP087 and DP087",
    "The following section sets out the impacts",
    "Section Gas Proxy Function",
    "(where applicable) any Smart Metering System (excluding a Communications Hub Function)",
])
def test_not_references(text):
    assert xref.find_references(text) == []


def test_this_section_means_the_containing_clause():
    (r,) = xref.find_references("The requirements of this Section are that", Address.parse("G3.18(b)"))
    assert r.form == "self" and r.targets == (Address.parse("G3.18"),)
    (r,) = xref.find_references("The requirements of this Section are that")
    assert r.targets == ()


def test_lists_ranges_and_relative_items():
    (r,) = xref.find_references("Section G3.18(a) to (c) and (e) apply")
    assert r.targets == (Range(Address.parse("G3.18(a)"), Address.parse("G3.18(c)")), Address.parse("G3.18(e)"))
    assert [t.relative for t in r.tokens] == [False, True, True]
    (r,) = xref.find_references("Sections G3.17–G3.21, G3.26 or G3.28.")
    assert [str(t) for t in r.targets] == ["G3.17 to G3.21", "G3.26", "G3.28"]
    # a bare section letter does not continue a list of parts, and "A User" is a word
    assert [r.text for r in xref.find_references("Sections G3 and A User")] == ["Sections G3"]
    assert [r.text for r in xref.find_references("Section G and A User")] == ["Section G"]
    assert [str(t) for t in xref.find_references("Sections A and G.")[0].targets] == ["A", "G"]


def test_quoted_flag():
    refs = xref.find_references('in Section G5.18(b)(i) to "Sections G3 and G4" shall be read as “G3.2”')
    assert [(r.text, r.quoted) for r in refs] == [("Section G5.18(b)(i)", False),
                                                  ("Sections G3 and G4", True), ("G3.2", True)]


addresses = st.builds(
    lambda s, p, c, its: Address(s, f"{s}{p}", f"{s}{p}.{c}" if c else None, None, tuple(its) if c else ()),
    st.sampled_from("ABDGHM"), st.integers(1, 60), st.one_of(st.none(), st.integers(1, 99)),
    st.lists(st.sampled_from(["(a)", "(b)", "(iv)", "(A)", "(12)"]), max_size=3))


@given(addresses, st.sampled_from(["", "SEC ", "this "]), st.sampled_from(["", ".", ";", " of the Code", ":"]))
def test_any_address_is_found_exactly(a, prefix, suffix):
    text = f"as set out in {prefix}Section {a}{suffix}"
    (r,) = xref.find_references(text)
    assert r.targets == (a,)
    assert r.text == f"{prefix}Section {a}"


@given(addresses, addresses)
def test_any_range_is_found(a, b):
    (r,) = xref.find_references(f"Sections {a} to {b} apply")
    assert r.targets == (Range(a, b),)


# --- resolution on a tiny inline version --------------------------------------------------------

TINY = """<section num="G" heading="Security" coverage="partial">
  <part num="G1" heading="General" coverage="complete">
    <crossheading heading="Interpretation">
      <clause num="G1.1"><text>Interpretation.</text>
        <item num="(a)"><text>first;</text></item></clause>
      <clause num="G1.2"><text>{g12}</text></clause>
    </crossheading>
  </part>
  <part num="G3" coverage="partial">
    <clause num="G3.5"><text>{g35}</text></clause>
  </part>
</section>"""


def _tiny(g12: str, g35: str = "Nothing.") -> Version:
    return Version("t", {"G": etree.fromstring(TINY.format(g12=g12, g35=g35))})


@pytest.mark.parametrize("text, status, reason", [
    ("See Section G1.1.", RESOLVED, None),
    ("See Section G1.1(a).", RESOLVED, None),
    ("See Section G1.9.", BROKEN, "G1.9 is not in t (part G1 is held in full)"),
    ("See Section G1.1(z).", BROKEN, "G1.1 has no item (z)"),
    ("See Sections G1.1 to G1.9.", BROKEN, "G1.9 is not in t"),
    ("See Sections G1.2 to G1.1.", BROKEN, "runs backwards"),
    ("See Section G3.6.", OUTSIDE, "part G3 is held only in part"),
    ("See Section G2.", OUTSIDE, "part G2 is not in the corpus"),
    ("See Section M8.2 (Notification of an Event of Default).", OUTSIDE, "section M is not in the corpus"),
    ("See Sections G1 and G4.", OUTSIDE, "G4"),
    ("See Section G1.1 (Interpretation).", RESOLVED, None),
    ("See Section G1.1 (interpretation).", RESOLVED, None),
    ("See Section G1 (General).", RESOLVED, None),
    ("See Section G (Security).", RESOLVED, None),
    ("See Section G1.1 (Definitions).", HEADING_MISMATCH, "'Interpretation'"),
    ("See Section G1 (Particular).", HEADING_MISMATCH, "'General'"),
    ("See Section G3 (Anything).", RESOLVED, None),  # the corpus does not know G3's heading
    ("Where this Section G1.2 applies", RESOLVED, None),
    ("Where this Section G1.1 applies", BROKEN, "is written in G1.2"),
    ("The requirements of this Section", RESOLVED, None),
])
def test_resolution_statuses(text, status, reason):
    v = _tiny(text)
    (res,) = xref.check_version(v, Address.parse("G1.2"))
    assert res.status == status, res.reasons
    if reason:
        assert any(reason in r for r in res.reasons), res.reasons
    else:
        assert res.reasons == ()


def test_check_version_filters():
    v = _tiny("See Section G3.5 and Section G1.1.", "See Section G1.2.")
    assert len(xref.check_version(v)) == 3
    assert [str(r.citation.holder) for r in xref.check_version(v, to=Address.parse("G1.2"))] == ["G3.5"]
    assert [str(r.citation.holder) for r in xref.check_version(v, within=Address.parse("G3"))] == ["G3.5"]


def test_to_includes_ranges_that_hold_the_address(corpus):
    v = corpus.load("6.17")
    hits = {r.reference.text for r in xref.check_version(v, to=Address.parse("G1.5"))}
    assert hits == {"Section G1.5", "this Section G1"}  # a whole part holds its clauses
    v = _tiny("See Sections G1.1 to G1.2.")
    assert len(xref.check_version(v, to=Address.parse("G1.1(a)"))) == 1


# --- re-mapping under renumbering ---------------------------------------------------------------

A = Address.parse
RENUMBER = {A("G3.9"): A("G3.10"), A("G3.10"): A("G3.11"), A("G3.8"): None, A("G1"): A("G2")}


@pytest.mark.parametrize("text, expected", [
    ("Sections G3.8 to G3.9 (Management of Vulnerabilities)", "Sections G3.8 to G3.10 (Management of Vulnerabilities)"),
    ("Section G3.9(a) and Section G3.10", "Section G3.10(a) and Section G3.11"),
    ("Sections G3.9 and G3.10", "Sections G3.10 and G3.11"),
    ("Section G3.9(a) to (c)", "Section G3.10(a) to (c)"),
    ("this Section G1.3 and Section G1", "this Section G2.3 and Section G2"),
    ("Section G3.26", "Section G3.26"),
    ("G3.9 (Heading) applies", "G3.10 (Heading) applies"),
])
def test_remap_text(text, expected):
    assert xref.remap_text(text, RENUMBER) == expected


@given(st.lists(addresses, min_size=1, max_size=4))
def test_remap_identity_and_roundtrip(addrs):
    text = "See " + "; ".join(f"Section {a}" for a in addrs) + "."
    assert xref.remap_text(text, {}) == text
    bump = {a: Address(a.section, a.part + "A", None) if a.clause is None else
            Address(a.section, a.part, a.clause + "A", None, a.items) for a in addrs}
    out = xref.remap_text(text, bump)
    found = [r.targets[0] for r in xref.find_references(out)]
    assert found == [xref.map_address(a, bump) for a in addrs]


def test_map_address_follows_ancestors():
    m = {A("G3.9"): A("G3.10"), A("G4"): A("G5"), A("G3.7"): None}
    assert xref.map_address(A("G3.9(b)(ii)"), m) == A("G3.10(b)(ii)")
    assert xref.map_address(A("G4.2(a)"), m) == A("G5.2(a)")
    assert xref.map_address(A("G3.7(a)"), m) is None
    assert xref.map_address(A("G3.6"), m) == A("G3.6")


# --- what a modification does to references (fixtures under tests/fixtures/xref/) --------------

from pathlib import Path  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "xref"


def _applied(corpus, name):
    from redline.apply import apply_modification
    from redline.mods import load_modification

    mod = load_modification(corpus, FIXTURES / name)
    base = corpus.load(mod.base)
    return mod, base, apply_modification(base, mod)


def _findings(corpus, name):
    mod, base, res = _applied(corpus, name)
    return [(f.severity, f.kind, str(f.holder), f.message)
            for f in xref.check_modification(base, res.version, res.address_map, res.changed, mod.id)]


def test_deleting_a_referenced_clause_names_each_clause_that_refers_to_it(corpus):
    assert _findings(corpus, "delete_referenced_clause.xml") == [
        ("failure", "stale", "G1.2", "G1.2 refers to G1.3, which XREF-FIXTURE-DELETE deletes"),
        ("failure", "stale", "G1.4", "G1.4 refers to G1.3, which XREF-FIXTURE-DELETE deletes"),
    ]
    assert [f[3] for f in _findings(corpus, "delete_g3_18.xml")] == [
        "G3.17 refers to G3.18, which XREF-FIXTURE-DELETE-G3 deletes",
        "G3.19 refers to G3.18(a), which XREF-FIXTURE-DELETE-G3 deletes",
    ]


def test_renumbering_leaves_stale_references(corpus):
    assert [f[3] for f in _findings(corpus, "insert_and_renumber.xml")] == [
        "G1.6 (now G1.7) refers to G1.5, which XREF-FIXTURE-RENUMBER renumbers as G1.6",
        "G1.9 (now G1.10) refers to G1.8, which XREF-FIXTURE-RENUMBER renumbers as G1.9",
    ]


def test_new_text_must_resolve_in_the_result(corpus):
    found = _findings(corpus, "new_text_references.xml")
    assert [(s, k, h) for s, k, h, _ in found] == [("failure", "new-broken", "G1.10"),
                                                   ("note", "new-outside", "G1.10"),
                                                   ("warning", "new-heading", "G1.10")]
    assert "refers to G1.12: G1.12 is not in" in found[0][3] and "part G1 is held in full" in found[0][3]
    assert "heading 'Appeals' differs from the corpus: 'Disputes'" in found[2][3]


def test_seed_modifications_break_nothing(corpus):
    from redline.apply import apply_modification
    from redline.mods import load_modification

    for name, notes in (("MP087", 0), ("SECMP0065", 1)):
        mod = load_modification(corpus, name)
        base = corpus.load(mod.base)
        res = apply_modification(base, mod)
        found = xref.check_modification(base, res.version, res.address_map, res.changed, mod.id)
        assert [f.severity for f in found] == ["note"] * notes  # SECMP0065: "Sections G2 to G9"


def test_consequential_amendments_repair_a_renumbering(corpus):
    from redline.apply import apply_modification
    from redline.ops import Amend

    mod, base, res = _applied(corpus, "insert_and_renumber.xml")
    extra = consequential_amendments(base, res.version, res.address_map)
    assert [(type(op), str(op.target), op.field) for op in extra] == [(Amend, "G1.7", "text"), (Amend, "G1.10", "text")]
    assert extra[1].old == "Section G1.8:" and extra[1].new == "Section G1.9:"
    assert [op.instruction() for op in extra] == ["Amend Section G1.7 as follows:", "Amend Section G1.10 as follows:"]
    fixed = with_consequential_amendments(base, mod)
    assert fixed.operations[: len(mod.operations)] == mod.operations and fixed.operations[len(mod.operations):] == extra
    res2 = apply_modification(base, fixed)
    assert xref.check_modification(base, res2.version, res2.address_map, res2.changed, mod.id) == []
    assert res2.version.get("G1.7").text.startswith("For the purposes of Section G1.6,")
    # every reference of the result resolves as the base's did
    assert all(r.status in (RESOLVED, OUTSIDE) for r in xref.check_version(res2.version))
    # the unchanged "this Section G1.3" and the new G1.4's "Section G1.3" are left alone
    assert res2.version.get("G1.3").text.startswith("Where this Section G1.3 applies")


def test_no_consequential_amendments_when_nothing_is_renumbered(corpus):
    mod, base, res = _applied(corpus, "delete_referenced_clause.xml")
    assert consequential_amendments(base, res.version, res.address_map) == ()
    assert with_consequential_amendments(base, mod) is mod


def test_this_section_follows_its_clause_through_a_renumbering():
    from redline.mods import Modification
    from redline.apply import apply_modification
    from redline.ops import Insert, Renumber

    base = _tiny("Where this Section G1.2 applies, and this Section.")
    # room made for a new G1.2 (G1 is held complete: renumbering alone would leave G1.2 missing)
    new_g12 = '<clause num="G1.2"><text>A new clause.</text></clause>'
    mod = Modification("T", "t", "t", (Renumber(A("G1.2"), A("G1.3")), Insert(A("G1.1"), "after", (new_g12,))))
    res = apply_modification(base, mod)
    found = xref.check_modification(base, res.version, res.address_map, res.changed, "T")
    assert [f.message for f in found] == ["G1.2 (now G1.3) refers to G1.2, which T renumbers as G1.3"]
    (amend,) = consequential_amendments(base, res.version, res.address_map)
    assert amend.new == "Where this Section G1.3 applies, and this Section."


# --- links in the HTML Annex A ----------------------------------------------------------------


def _annex_html(corpus, name, context="group"):
    from redline.annex import annex_for_modification
    from redline.render.html import render_html

    if name.endswith(".xml"):
        mod, base, res = _applied(corpus, name)
    else:
        from redline.apply import apply_modification
        from redline.mods import load_modification

        mod = load_modification(corpus, name)
        base = corpus.load(mod.base)
        res = apply_modification(base, mod)
    red = annex_for_modification(mod, base, res, context=context)
    return render_html(red, annotate=redline_annotator(red, [res.version, base]))


def _links(html: str):
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(html)
    ids = set(doc.xpath("//@id"))
    links = [(a.text_content(), a.get("href"), a) for a in doc.iter("a")]
    return doc, ids, links


@pytest.mark.parametrize("name, context", [("MP087", "group"), ("SECMP0065", "all"), ("amend_g3_26.xml", "group"),
                                           ("insert_and_renumber.xml", "group"), ("delete_g3_18.xml", "group")])
def test_every_link_in_the_annex_resolves(corpus, name, context):
    _, ids, links = _links(_annex_html(corpus, name, context))
    internal = [h for _, h, _ in links if h and h.startswith("#")]
    assert internal
    for h in internal:
        assert h[1:] in ids, f"{name}: link {h} has no anchor"


def _holder_id(a) -> str | None:
    el = a
    while el is not None:
        if el.get("id") and el.tag == "div":
            return el.get("id")
        el = el.getparent()
    return None


def test_mp087_annex_links_its_references(corpus):
    _, _, links = _links(_annex_html(corpus, "MP087"))
    refs = {(_holder_id(a), text, href) for text, href, a in links if _holder_id(a)}
    assert refs == {("G3.17", "Section G3.18", "#G3.18"), ("G3.19", "Section G3.18(a)", "#G3.18(a)"),
                    ("G3.21", "Section G3.20", "#G3.20")}


def test_defined_terms_link_to_their_definitions(corpus):
    _, _, links = _links(_annex_html(corpus, "amend_g3_26.xml"))
    refs = sorted((_holder_id(a), text, href) for text, href, a in links if _holder_id(a))
    assert refs == [("G3.26", "Secure", "#G3.28(a)"), ("G3.27", "Section G3.26", "#G3.26"),
                    ("G3.28", "Section G3.26", "#G3.26"), ("G3.28(a)", "Appropriate Standard", "#G3.28(b)")]


def test_links_to_targets_outside_the_document_are_left_plain(corpus):
    html = _annex_html(corpus, "SECMP0065")  # G1.10 only: "Sections G2 to G9" are not in the document
    _, _, links = _links(html)
    assert not [h for t, h, a in links if "G2" in t]
    assert "Sections G2 to G9" in html


def test_link_annotator_pieces_join_back():
    ann = link_annotator({"G3.18", "G3.20", "was-G3.8", "G3.28(a)"}, {"Secure": A("G3.28(a)")})
    text = "see Section G3.18(b), Sections G3.8 to G3.20 and G5.1; Secure; this Section"
    pieces = ann(text)
    assert "".join(t for t, _ in pieces) == text
    # a range is one link, to the first of its ends the document shows
    assert [(t, h) for t, h in pieces if h] == [("Section G3.18(b)", "#G3.18"), ("Sections G3.8 to G3.20", "#was-G3.8"),
                                                ("Secure", "#G3.28(a)")]
    assert ann("") == [("", None)]


def test_consequential_amendments_appear_in_the_annex(corpus):
    from redline.annex import annex_for_modification
    from redline.apply import apply_modification

    mod, base, _ = _applied(corpus, "insert_and_renumber.xml")
    fixed = with_consequential_amendments(base, mod)
    res = apply_modification(base, fixed)
    red = annex_for_modification(fixed, base, res)
    (sec,) = red.sections
    # the amendments name the clauses by their new numbers, and say which clauses those were
    assert "Amend Section G1.7 (formerly Section G1.6) as follows:" in sec.instructions
    assert "Amend Section G1.10 (formerly Section G1.9) as follows:" in sec.instructions
    new_text = red.clause_text("new")
    assert "For the purposes of Section G1.6," in new_text and "Section G1.9:" in new_text
    assert "For the purposes of Section G1.5," in red.clause_text("old")


def test_a_clause_not_in_the_document_never_links_to_its_part():
    ann = link_annotator({"G3", "G3.18"})
    assert ann("Sections G3.2 to G3.3 and G3") == [("Sections G3.2 to G3.3 and ", None), ("G3", "#G3")]
    assert ann("Section G3.18(z)") == [("Section G3.18(z)", "#G3.18")]


def test_a_move_is_reported_as_such():
    from redline.apply import apply_modification
    from redline.mods import Modification
    from redline.ops import Move

    base = _tiny("Nothing here.", "See Section G1.1(a).")
    mod = Modification("T", "t", "t", (Move(A("G1.1"), "end", A("G3"), A("G3.6")),))
    res = apply_modification(base, mod)
    found = xref.check_modification(base, res.version, res.address_map, res.changed, "T")
    assert [f.message for f in found] == ["G3.5 refers to G1.1(a), which T moves to G3.6(a)"]
    (amend,) = consequential_amendments(base, res.version, res.address_map)
    assert (str(amend.target), amend.new) == ("G3.5", "See Section G3.6(a).")


def test_the_check_of_a_modification_finds_what_examining_every_run_finds(generated):
    """check_modification looks only where a finding can be (the clauses a modification
    changed, moved or renumbered, and those whose words name what it moves or deletes): it finds
    what examining every run of the result finds, for modifications that delete or renumber the
    clauses most referred to (many stale references, in every section)."""
    from collections import Counter

    from redline.apply import apply_modification
    from redline.mods import Modification
    from redline.ops import Delete, Renumber

    base = generated.load("1.0")
    count = Counter(a.clause_address for c in xref.citations(base) for a in c.reference.addresses
                    if a.clause_address is not None and base.find(a.clause_address) is not None)
    mods = []
    for a, _ in count.most_common(3):
        mods += [Modification(f"DEL-{a}", "t", "1.0", (Delete(a),)),
                 Modification(f"REN-{a}", "t", "1.0", (Renumber(a, Address(a.section, a.part, a.clause + "Z")),))]
    stale = 0
    for mod in mods:
        res = apply_modification(base, mod)
        fast = xref.check_modification(base, res.version, res.address_map, res.changed, mod.id)
        assert fast == xref.check_modification(base, res.version, res.address_map, None, mod.id), mod.id
        stale += sum(f.kind == xref.STALE for f in fast)
    assert stale >= 10
