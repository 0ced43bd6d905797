"""The reference finder: its shortcut for a lone address finds what its parser finds."""

from hypothesis import given, settings, strategies as st

from redline import xref
from redline.model import Address

def test_address_cache_gives_equal_values():
    a = xref.find_references("Section G3.18(a) and Section G3.18(a)")
    assert [r.targets for r in a] == [(Address("G", "G3", "G3.18", None, ("(a)",)),)] * 2
    assert xref.find_references("see Section G 8.54 and SEC G1")[0].targets == (Address("G", "G8", "G8.54"),)


def test_bare_start_at_head_and_this_section():
    refs = xref.find_references("G6 (Anomaly Detection) applies; this Section binds.", Address.parse("G1.2"))
    assert [(r.form, r.text) for r in refs] == [("bare", "G6 (Anomaly Detection)"), ("self", "this Section")]


_REF_PIECES = ["Section ", "Sections ", "this Section ", "SEC Section ", "SEC ", "G3.18", "G3", "G", "A", "(a)",
               " (a)", "(ii)", " to ", "–", "-", ", ", " and ", " or ", "and ", " (Smart Meters)", " ‘Heading’",
               " 'Heading'", "(b)", " ", ".", ";", "\"", "“", "”", "x", "G 8.54", "Section G and A User", "tox"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_REF_PIECES), max_size=14))
def test_lone_address_shortcut_finds_what_the_parser_finds(pieces):
    text = "".join(pieces)
    ctx = Address.parse("G1.2")
    assert xref.find_references(text, ctx) == xref.find_references(text, ctx, _fast=False)


def test_lone_address_shortcut_stops_where_a_reference_continues():
    for text in ("Section G3.18(a) to (c)", "Sections G2 and G9", "Section G3 (Smart Meters)",
                 "Section G3.18 ‘Heading’", "Section G3.18, G3.19", "Sections G2–G9"):
        (fast,), (slow,) = xref.find_references(text), xref.find_references(text, _fast=False)
        assert fast == slow and fast.end == len(text), text
