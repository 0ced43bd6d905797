"""The outline builder (redline.importer.outline): numbered lines -> a corpus section element."""

from __future__ import annotations

import pytest
from lxml import etree

from redline.errors import SourceError
from redline.importer import Line, build_section
from redline.importer.outline import item_kinds, title_case
from redline.model import Node


def build(text: str, **kw):
    lines = [Line(None, t, f"line {i}") for i, t in enumerate(text.strip().split("\n"), 1)]
    return build_section(lines, **kw)


def shape(root) -> list[tuple[str, str]]:
    """(address, words) of every addressable element below the section, in order."""
    out = []
    for el in root.iter("part", "clause", "item", "definition"):
        n = Node(el)
        words = n.heading if el.tag == "part" else n.text
        out.append((str(n.address), words or "") + ((n.closing,) if n.closing else ()))
    return out


def test_a_fragment_needs_no_part_heading_and_numbers_need_not_start_at_one():
    root, rep = build("""
Amend Section G3.20 as follows:
Manufacturers: Duty to Notify and Be Notified
G3.17 Where a User becomes aware of:
(a) any hardware; or
(b) any Smart Metering System,
it shall comply with the requirements of Section G3.18.
G3.19 A User shall not be required to notify
G3.20 Each User shall establish with:
(a) the manufacturers; and
(b) any Smart Metering System,
arrangements designed to ensure that the User will be notified.
""")
    assert shape(root) == [
        ("G3", ""), ("G3.17", "Where a User becomes aware of:", "it shall comply with the requirements of Section G3.18."),
        ("G3.17(a)", "any hardware; or"), ("G3.17(b)", "any Smart Metering System,"),
        ("G3.19", "A User shall not be required to notify"),
        ("G3.20", "Each User shall establish with:", "arrangements designed to ensure that the User will be notified."),
        ("G3.20(a)", "the manufacturers; and"), ("G3.20(b)", "any Smart Metering System,")]
    assert root.find("part/crossheading").get("heading") == "Manufacturers: Duty to Notify and Be Notified"
    assert root.get("coverage") == "partial" and root.find("part").get("coverage") == "partial"
    assert rep.counts["closings"] == 2 and rep.counts["crossheadings"] == 1
    assert [n.what for n in rep.dropped] == ["a drafting instruction"]
    assert not rep.needs_review and rep.span == ("G3.17", "G3.20")


def test_section_and_part_headings_in_capitals_keep_the_acronyms_the_text_uses():
    root, _ = build("""
SECTION G – SECURITY
G2 SYSTEM SECURITY: OBLIGATIONS ON THE DCC
G2.1 The DCC shall comply.
""")
    assert root.get("heading") == "Security"
    assert root.find("part").get("heading") == "System Security: Obligations on the DCC"


@pytest.mark.parametrize("text, out", [("SECURITY: GENERAL PROVISIONS", "Security: General Provisions"),
                                       ("DUTY TO NOTIFY AND BE NOTIFIED", "Duty to Notify and be Notified"),
                                       ("SMETS1 DEVICES", "SMETS1 Devices")])
def test_title_case(text, out):
    assert title_case(text) == out


def test_items_at_any_depth_letter_or_roman_decided_by_siblings():
    root, rep = build("""
G1.1 Lead:
(a) one
(b) two:
(i) roman one
(ii) roman two:
(A) upper
(B) upper two:
(1) digit
(c) three
(d) four
(e) five
(f) six
(g) seven
(h) eight
(i) nine as a letter
(j) ten
""")
    nums = [a for a, *_ in shape(root)]
    assert nums[:9] == ["G1", "G1.1", "G1.1(a)", "G1.1(b)", "G1.1(b)(i)", "G1.1(b)(ii)", "G1.1(b)(ii)(A)",
                        "G1.1(b)(ii)(B)", "G1.1(b)(ii)(B)(1)"]
    assert "G1.1(i)" in nums and "G1.1(j)" in nums and "G1.1(h)(i)" not in nums
    assert not rep.needs_review


def test_i_after_h_starts_romanettes_when_the_next_item_is_ii():
    root, rep = build("G1.1 Lead:\n" + "\n".join(f"({c}) x" for c in "abcdefgh") + "\n(i) sub\n(ii) sub two\n(i) nine")
    nums = [a for a, *_ in shape(root)]
    assert "G1.1(h)(i)" in nums and "G1.1(h)(ii)" in nums and "G1.1(i)" in nums


def test_flattened_redline_number_is_repaired_and_reported():
    root, rep = build("G1.10 Any reference to:\n(a) one;\n(b) two;\n(a)(c) three.")
    assert [a for a, *_ in shape(root)][-1] == "G1.10(c)"
    assert len(rep.repaired) == 1 and "(a)(c)" in rep.repaired[0].what
    assert rep.repaired[0].where == "line 4"


def test_out_of_sequence_and_repeated_items_are_reported():
    root, rep = build("G1.1 Lead:\n(a) one\n(c) three\n(c) again")
    assert [a for a, *_ in shape(root)] == ["G1", "G1.1", "G1.1(a)", "G1.1(c)"]
    assert any("out of sequence" in n.what for n in rep.review)
    assert rep.unplaced[0].where == "line 4" and rep.needs_review


def test_not_used_clauses_and_second_paragraphs():
    root, rep = build("G1.1 [Not used]\nG1.2 First paragraph.\nSecond paragraph of the same clause.\nG1.3 Not used")
    assert rep.counts["not_used"] == 2
    assert shape(root)[2] == ("G1.2", "First paragraph. Second paragraph of the same clause.")
    assert any("joined" in n.what for n in rep.review)


def test_definitions_quoted_and_as_a_table():
    root, rep = build("""
SECTION A – DEFINITIONS AND INTERPRETATION
A1 DEFINITIONS
A1.1 In this Code the expressions below have these meanings:
"Alert" means a message;
“Alternative Certificate” means, in respect of each Change:
(a) the first; and
(b) the second;
Authority
means the Gas and Electricity Markets Authority.
A1.2 Next clause.
""")
    got = shape(root)
    assert ("A1.1[\"Alert\"]", "means a message;") in got
    assert ("A1.1[\"Alternative Certificate\"](b)", "the second;") in got
    assert ("A1.1[\"Authority\"]", "means the Gas and Electricity Markets Authority.") in got
    assert rep.counts["definitions"] == 3 and rep.counts["items"] == 2


def test_mixed_labels_automatic_and_typed():
    lines = [Line("G1", "Security", "paragraph 1"), Line(None, "Interpretation", "paragraph 2", hint="heading"),
             Line("G1.1", "Auto numbered.", "paragraph 3"), Line(None, "G1.2 Typed number.", "paragraph 4"),
             Line("a)", "auto item", "paragraph 5"), Line(None, "closing words", "paragraph 6", depth=0)]
    root, rep = build_section(lines)
    assert shape(root) == [("G1", "Security"), ("G1.1", "Auto numbered."),
                           ("G1.2", "Typed number.", "closing words"), ("G1.2(a)", "auto item")]


def test_furniture_hints_and_text_outside_clauses_are_reported():
    lines = [Line(None, "Contents", "paragraph 1", hint="furniture"), Line("G1.1", "x.", "paragraph 2"),
             Line("(a)", "y", "paragraph 3")]
    root, rep = build_section(lines)
    assert rep.dropped[0].where == "paragraph 1"
    root, rep = build_section([Line("(a)", "orphan", "paragraph 1"), Line("G1.1", "x.", "paragraph 2")])
    assert rep.dropped  # before the legal text


def test_no_clause_is_an_error_and_section_letter_is_checked():
    with pytest.raises(SourceError, match="no clause numbers"):
        build("Just some prose.\nMore prose.")
    with pytest.raises(SourceError, match="one capital letter"):
        build("G1.1 x", section="g")
    root, rep = build("G1.1 x\nH1.1 y", section="G")
    assert [a for a, *_ in shape(root)] == ["G1", "G1.1"] and rep.unplaced


def test_result_validates_and_serialises(tmp_path):
    root, _ = build("SECTION G - SECURITY\nG1 GENERAL\nG1.1 Words.", source="seed-003")
    assert root.get("source") == "seed-003" and root.get("evidence") == "printed"
    assert root.get("coverage") == "complete"
    etree.fromstring(etree.tostring(root))


@pytest.mark.parametrize("label, kinds", [("a", {"lower": 1}), ("i", {"lower": 9, "roman": 1}),
                                          ("iv", {"roman": 4}), ("aa", {"lower": 27}), ("C", {"upper": 3, "uroman": 100}),
                                          ("12", {"digit": 12})])
def test_item_kinds(label, kinds):
    assert item_kinds(label) == kinds


def test_flattened_redline_number_that_cannot_be_decided_is_kept_and_listed():
    root, rep = build("G1.10 Any reference to:\n(a) one;\n(b)(a) two.")
    assert not rep.repaired and rep.needs_review
    assert any("flattened redline" in n.what and n.where == "line 3" for n in rep.review)
