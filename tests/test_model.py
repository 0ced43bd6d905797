"""Addresses and the node views over the tree."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from lxml import etree

from redline.errors import AddressSyntaxError, UnknownAddress
from redline.model import Address, Node, Version, element_address


@pytest.mark.parametrize(
    "text, kind, parent",
    [
        ("G", "section", None),
        ("G3", "part", "G"),
        ("G3.20", "clause", "G3"),
        ("G3.20(b)", "item", "G3.20"),
        ("G1.7(c)(ii)", "item", "G1.7(c)"),
        ("A1.1[\"Secure\"]", "definition", "A1.1"),
        ("A1.1[\"Secure\"](a)", "item", "A1.1[\"Secure\"]"),
        ("X10A.3B", "clause", "X10A"),
    ],
)
def test_address_parse_round_trip(text, kind, parent):
    a = Address.parse(text)
    assert str(a) == text
    assert a.kind == kind
    assert (str(a.parent) if a.parent else None) == parent


@pytest.mark.parametrize("bad", ["", "g3", "G3.", "3.20", "G3.20b", "G(a)", "G3(a)", "G3.20(b", "Section G3"])
def test_address_rejects(bad):
    with pytest.raises(AddressSyntaxError) as exc:
        Address.parse(bad)
    assert "not an address" in str(exc.value)


letters = st.sampled_from("ABDGHM")
nums = st.integers(1, 60).map(str)
items = st.lists(st.sampled_from(["(a)", "(b)", "(z)", "(i)", "(iv)", "(A)", "(12)"]), max_size=3)


@given(letters, nums, nums, items)
def test_address_str_parse_property(sec, part, clause, its):
    a = Address(sec, f"{sec}{part}", f"{sec}{part}.{clause}", None, tuple(its))
    assert Address.parse(str(a)) == a
    assert all(a.is_within(anc) for anc in a.ancestors())


def test_child_and_within():
    g3 = Address.parse("G3")
    assert g3.child("G3.20") == Address.parse("G3.20")
    assert Address.parse("G3.20").child("(b)") == Address.parse("G3.20(b)")
    assert Address.parse("G3.20(b)").is_within(g3)
    assert not Address.parse("G3.20(b)").is_within(Address.parse("G3.2"))


TINY = b"""<section num="G" heading="Security" coverage="partial">
  <part num="G1" heading="General" coverage="complete" source="s1" evidence="printed">
    <crossheading heading="Interpretation">
      <clause num="G1.1"><text>Lead
         words:</text>
        <item num="(a)"><text>first;</text>
          <item num="(i)"><text>deep</text></item></item>
        <item num="(b)" evidence="inferred" note="why"><text>second,</text></item>
        <closing>closing words.</closing>
      </clause>
    </crossheading>
    <clause num="G1.2"><text>Bare clause.</text></clause>
  </part>
</section>"""


@pytest.fixture
def tiny():
    return Version("1.0", {"G": etree.fromstring(TINY)})


def test_version_index_and_views(tiny):
    assert [str(n.address) for n in tiny.nodes()] == [
        "G", "G1", "G1.1", "G1.1(a)", "G1.1(a)(i)", "G1.1(b)", "G1.2"]
    c = tiny.get("G1.1")
    assert c.text == "Lead words:"  # whitespace normalised
    assert c.closing == "closing words."
    assert [n.num for n in c.children] == ["(a)", "(b)"]
    assert c.crossheading == "Interpretation"
    assert tiny.get("G1.2").crossheading is None
    b = tiny.get("G1.1(b)")
    assert (b.source, b.evidence, b.note) == ("s1", "inferred", "why")
    assert tiny.get("G1.1(a)").evidence == "printed"
    assert c.full_text() == "Lead words: (a) first; (i) deep (b) second, closing words."
    for n in tiny.nodes():
        assert element_address(n.element) == n.address


def test_unknown_address_suggests(tiny):
    with pytest.raises(UnknownAddress) as exc:
        tiny.get("G1.3")
    assert "G1.3 is not in version 1.0" in str(exc.value)
    assert "G1.2" in exc.value.suggestions


def test_copy_is_independent(tiny):
    before = etree.tostring(tiny.sections["G"])
    other = tiny.copy("2.0")
    other.sections["G"].find(".//clause").set("num", "G1.9")
    other.reindex()
    assert etree.tostring(tiny.sections["G"]) == before
    assert "G1.9" in other and "G1.9" not in tiny


def test_coverage_of(tiny):
    assert tiny.coverage_of(Address.parse("G1.7")) == "complete"
    assert tiny.coverage_of(Address.parse("G5.1")) == "absent"
    assert tiny.coverage_of(Address.parse("M8.2")) == "absent"
    assert tiny.coverage_of(Address.parse("G")) == "partial"


def test_node_equality(tiny):
    assert tiny.get("G1.1") == Node(tiny.get("G1.1").element)
    assert len({tiny.get("G1.1"), tiny.get("G1.1")}) == 1


@given(st.text(alphabet=st.sampled_from([" ", "a", "Z", "\t", "\n", "\r", "\x0b", "\x1f", "\x85", "\xa0", "\u2003",
                                         "\u2028", "\u3000", "\u200b", "\xad", "“", "–"]), max_size=12))
def test_normalise_space_is_split_and_join(text):
    """The fast path (text already one space apart) gives what splitting and joining gives."""
    from redline.model import normalise_space

    assert normalise_space(text) == " ".join(text.split())
