"""Operations: their drafting instructions, the addresses they touch, and the file format's round trip."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.errors import ModificationError
from redline.model import Address
from redline.mods import META_KEYS, Modification, modification_to_xml, parse_modification
from redline.ops import (
    OPERATIONS,
    AddDefinition,
    Amend,
    AmendDefinition,
    Delete,
    DeleteDefinition,
    Insert,
    Move,
    Renumber,
    Substitute,
    canonical_fragment,
    operation_from_string,
    operation_to_string,
)

A = Address.parse

G1_10 = """<crossheading heading="SMETS1 Smart Metering Systems">
  <clause num="G1.10"><text>Any reference in Sections G2 to G9 to:</text>
    <item num="(a)"><text>a SMETS1 SMS ...</text></item></clause></crossheading>"""


# ---------------------------------------------------------------------------------------------
# instructions and addresses


def test_instructions_read_as_the_sec_prints_them():
    assert Insert(A("G1.9"), "after", (G1_10,)).instruction() == "Add Section G1.10 after Section G1.9"
    assert Substitute(A("G3.20(b)"), "Gas Proxy Function", "Gas Proxy Function which forms part of a "
                      "SMETS2+ Device").instruction() == "Amend Section G3.20 as follows:"
    assert Amend(A("G3.20"), "old words", "new words").instruction() == "Amend Section G3.20 as follows:"
    assert Delete(A("G3.8")).instruction() == "Delete Section G3.8"
    assert Renumber(A("G3.9"), A("G3.10")).instruction() == "Renumber Section G3.9 as Section G3.10"
    assert Move(A("G3.9"), "after", A("G3.12"), A("G3.12A")).instruction() == (
        "Move Section G3.9 to after Section G3.12 and renumber it as Section G3.12A")
    assert Insert(A("G3"), "end", ('<clause num="G3.30"><text>x</text></clause>',)).instruction() == (
        "Add Section G3.30 at the end of Section G3")
    two = ('<clause num="G3.22A"><text>x</text></clause>', '<clause num="G3.22B"><text>y</text></clause>')
    assert Insert(A("G3.22"), "after", two).instruction() == "Add Sections G3.22A and G3.22B after Section G3.22"
    d = AddDefinition(A('A1.1["Shared Resource Provider"]'),
                      '<definition term="Shared Resource Provider"><text>means x</text></definition>')
    assert d.instruction() == "Add the definition of 'Shared Resource Provider' to Section A1.1 in alphabetical order"


def test_every_op_has_kind_target_section():
    ops = [
        Insert(A("G1.9"), "after", (G1_10,)),
        Amend(A("G3.20(b)"), "a", "b"),
        Substitute(A("G3.20(b)"), "a", "b"),
        Delete(A("G3.8"), "not-used"),
        Renumber(A("G3.9"), A("G3.10")),
        Move(A("G3.9"), "before", A("G3.1")),
        AddDefinition(A('A1.1["X"]'), '<definition term="X"><text>means x</text></definition>'),
        AmendDefinition(A('A1.1["X"]'), "means x", "means y"),
        DeleteDefinition(A('A1.1["X"]')),
    ]
    assert {op.kind for op in ops} == set(OPERATIONS)
    for op in ops:
        assert isinstance(op.target, Address)
        assert op.section == op.target.section
        assert op.instruction()
        assert all(isinstance(a, Address) and a.kind == "clause" for a in op.clause_addresses())


def test_clause_addresses_and_creates():
    ins = Insert(A("G1.9"), "after", (G1_10,))
    assert ins.creates() == (A("G1.10"),)
    assert ins.clause_addresses() == (A("G1.10"),)
    item = Insert(A("G3.20(b)"), "after", ('<item num="(c)"><text>x</text></item>',))
    assert item.creates() == (A("G3.20(c)"),)
    assert item.clause_addresses() == (A("G3.20"),)
    assert Substitute(A("G3.20(b)"), "a", "b").clause_addresses() == (A("G3.20"),)
    assert Delete(A("G3.8")).clause_addresses() == ()
    assert Delete(A("G3.8"), "not-used").clause_addresses() == (A("G3.8"),)
    assert Renumber(A("G3.9"), A("G3.10")).clause_addresses() == (A("G3.10"),)
    assert Move(A("G3.20(b)"), "end", A("G3.21")).destination == A("G3.21(b)")


def test_ops_are_immutable_values():
    op = Amend(A("G3.20"), "a   b", " c ")
    assert op == Amend(A("G3.20"), "a b", "c")
    assert hash(op) == hash(Amend(A("G3.20"), "a b", "c"))
    with pytest.raises(AttributeError):
        op.old = "x"  # type: ignore[misc]


def test_content_is_canonical():
    a = '<clause num="G1.10"><text>Any   reference\n to:</text></clause>'
    b = '<clause num="G1.10">\n  <!-- a comment -->\n  <text>Any reference to:</text>\n</clause>'
    assert canonical_fragment(a) == canonical_fragment(b)
    assert Insert(A("G1.9"), "after", (a,)) == Insert(A("G1.9"), "after", (b,))


@pytest.mark.parametrize("make", [
    lambda: Insert(A("G1.9"), "beside", (G1_10,)),
    lambda: Insert(A("G1.9"), "after", ()),
    lambda: Insert(A("G1.9"), "after", ('<definition term="X"/>',)),
    lambda: Insert(A("G1.9"), "after", ('<clause num="G1.10"/>', '<crossheading heading="H"/>')),
    lambda: Amend(A("G3.20"), "same", "same"),
    lambda: Amend(A("G3.20"), "a", "b", field="heading"),
    lambda: Substitute(A("G3.20"), "", "b"),
    lambda: Substitute(A("G3.20"), "a", "b", occurrence=0),
    lambda: Delete(A("G"), "remove"),
    lambda: Delete(A("G3"), "not-used"),
    lambda: Renumber(A("G3.9"), A("G4.9")),
    lambda: Renumber(A("G3.9"), A("G3.9(a)")),
    lambda: Move(A("G3.9"), "after", A("G3.9(a)")),
    lambda: AddDefinition(A('A1.1["X"]'), '<definition term="Y"><text>means y</text></definition>'),
    lambda: AddDefinition(A("A1.1"), '<definition term="Y"><text>means y</text></definition>'),
    lambda: AmendDefinition(A('A1.1["X"]')),
])
def test_malformed_operations_are_refused(make):
    with pytest.raises((ValueError, TypeError)):
        make()


def test_operation_text_form_parses_back():
    op = Substitute(A("G3.20(b)"), "Gas Proxy Function", "Gas Proxy Function which forms part of a "
                    "SMETS2+ Device", occurrence=2)
    text = operation_to_string(op)
    assert text.startswith("<substitute")
    assert operation_from_string(text) == op


def test_unknown_operation_names_line():
    with pytest.raises(ModificationError, match="unknown operation <rewrite>"):
        operation_from_string('<rewrite target="G3.20"/>')


def test_seed_modifications_parse(corpus):
    from redline.mods import list_modifications

    mods = {m.id: m for m in list_modifications(corpus)}
    assert set(mods) >= {"MP087", "SECMP0065"}
    mp087 = mods["MP087"]
    assert mp087.base == "6.17"
    assert mp087.meta["legal-text-version"] == "0.1"
    assert mp087.meta["classification"] == "White"
    assert [op.instruction() for op in mp087.operations] == ["Amend Section G3.20 as follows:"]
    assert [op.instruction() for op in mods["SECMP0065"].operations] == ["Add Section G1.10 after Section G1.9"]
    assert mods["SECMP0065"].base == "5.23"


# ---------------------------------------------------------------------------------------------
# round trip: parse -> write -> parse gives equal operations

_word = st.text(alphabet=string.ascii_letters + string.digits + "()+-,;:'’“”&<>", min_size=1, max_size=8)
words = st.lists(_word, min_size=1, max_size=8).map(" ".join)
maybe_words = st.one_of(st.just(""), words)
letters = st.sampled_from("ADGHM")
nums = st.integers(min_value=1, max_value=30)
suffix = st.sampled_from(["", "A", "B"])
item_nums = st.sampled_from(["(a)", "(b)", "(c)", "(i)", "(ii)", "(A)", "(1)"])


@st.composite
def clause_addresses(draw, letter=None):
    sec = letter or draw(letters)
    part = f"{sec}{draw(nums)}"
    return Address(sec, part, f"{part}.{draw(nums)}{draw(suffix)}")


@st.composite
def item_addresses(draw):
    c = draw(clause_addresses())
    return Address(c.section, c.part, c.clause, None, tuple(draw(st.lists(item_nums, min_size=1, max_size=3))))


@st.composite
def node_addresses(draw):
    return draw(st.one_of(clause_addresses(), item_addresses()))


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@st.composite
def clause_xml(draw, part: str | None = None):
    p = part or f"G{draw(nums)}"
    num = f"{p}.{draw(nums)}{draw(suffix)}"
    items = draw(st.lists(st.tuples(item_nums, words), max_size=3, unique_by=lambda t: t[0]))
    body = f"<text>{_xml_text(draw(words))}</text>"
    body += "".join(f'<item num="{n}"><text>{_xml_text(t)}</text></item>' for n, t in items)
    if items and draw(st.booleans()):
        body += f"<closing>{_xml_text(draw(words))}</closing>"
    return f'<clause num="{num}">{body}</clause>'


@st.composite
def inserts(draw):
    anchor = draw(clause_addresses())
    kind = draw(st.sampled_from(["clause", "crossheading", "item", "part"]))
    position = draw(st.sampled_from(["before", "after", "start", "end"]))
    if kind == "clause":
        content = tuple(draw(st.lists(clause_xml(anchor.part), min_size=1, max_size=2)))
    elif kind == "crossheading":
        content = (f'<crossheading heading="{_xml_text(draw(words))}">{draw(clause_xml(anchor.part))}</crossheading>',)
    elif kind == "item":
        content = (f'<item num="{draw(item_nums)}"><text>{_xml_text(draw(words))}</text></item>',)
    else:
        content = (f'<part num="{anchor.section}{draw(nums)}" heading="{_xml_text(draw(words))}" '
                   f'coverage="complete">{draw(clause_xml(anchor.section + "1"))}</part>',)
    return Insert(anchor, position, content)


@st.composite
def definition_targets(draw):
    term = " ".join(draw(st.lists(st.text(string.ascii_letters, min_size=1, max_size=8), min_size=1, max_size=3)))
    c = draw(clause_addresses("A"))
    return Address(c.section, c.part, c.clause, term)


@st.composite
def operations(draw):
    kind = draw(st.sampled_from(sorted(OPERATIONS)))
    if kind == "insert":
        return draw(inserts())
    if kind == "amend":
        old, new = draw(maybe_words), draw(words)
        return Amend(draw(node_addresses()), old, new + (" x" if old == new else ""),
                     draw(st.sampled_from(["text", "closing"])))
    if kind == "substitute":
        old, new = draw(words), draw(maybe_words)
        return Substitute(draw(node_addresses()), old, new + (" x" if old == new else ""),
                          draw(st.sampled_from(["text", "closing"])), draw(st.none() | st.integers(1, 5)))
    if kind == "delete":
        target = draw(node_addresses())
        return Delete(target, draw(st.sampled_from(["remove", "not-used"])), draw(st.none() | words))
    if kind == "renumber":
        t = draw(clause_addresses())
        return Renumber(t, Address(t.section, t.part, f"{t.part}.{draw(st.integers(31, 60))}"))
    if kind == "move":
        t = draw(clause_addresses())
        anchor = draw(clause_addresses().filter(lambda a: a != t))
        new = draw(st.none() | st.just(Address(anchor.section, anchor.part, anchor.part + ".99")))
        return Move(t, draw(st.sampled_from(["before", "after"])), anchor, new)
    target = draw(definition_targets())
    if kind == "add-definition":
        return AddDefinition(target, f'<definition term="{target.term}"><text>{_xml_text(draw(words))}</text></definition>')
    if kind == "amend-definition":
        old, new = draw(words), draw(words)
        rename = draw(st.none() | st.just(target.term + " Renamed"))
        return AmendDefinition(target, old, new + (" x" if old == new else ""), "text", rename)
    return DeleteDefinition(target, draw(st.none() | words))


@st.composite
def modifications(draw):
    meta_keys = draw(st.lists(st.sampled_from(META_KEYS), unique=True))
    meta = {k: ("seed-002" if k == "source" else draw(words)) for k in meta_keys}
    return Modification(
        id=draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True)),
        title=draw(words),
        base=draw(st.from_regex(r"[0-9][0-9A-Za-z.+_-]{0,6}", fullmatch=True)),
        operations=tuple(draw(st.lists(operations(), min_size=1, max_size=6))),
        meta=meta,
    )


@settings(max_examples=150, deadline=None)
@given(modifications())
def test_file_format_round_trips(mod):
    data = modification_to_xml(mod)
    again = parse_modification(data, "roundtrip.xml")
    assert again == mod
    assert again.operations == mod.operations
    assert modification_to_xml(again) == data


@settings(max_examples=150, deadline=None)
@given(operations())
def test_operation_round_trips(op):
    assert operation_from_string(operation_to_string(op)) == op
