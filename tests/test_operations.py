"""The closed set of operations is complete: every operation class has its element in the
modification schema, a parser, a handler in apply and a drafting instruction, and its text form
parses back to it. Adding an operation is a class plus a handler (and a sample line here)."""

from __future__ import annotations

import pytest
from lxml import etree

from redline import apply, ops
from redline.validate import SCHEMA_DIR

RNG = "{http://relaxng.org/ns/structure/1.0}"

#: one operation of each kind, as a modification file spells it
SAMPLES = {
    "insert": '<insert after="G1.9"><clause num="G1.10"><text>New.</text></clause></insert>',
    "amend": '<amend target="G3.20"><old>Old words.</old><new>New words.</new></amend>',
    "substitute": '<substitute target="G3.20(b)"><old>Function</old><new>Functions</new></substitute>',
    "delete": '<delete target="G3.20(b)" leave="not-used"/>',
    "renumber": '<renumber target="G3.21" as="G3.20"/>',
    "move": '<move target="G3.21" after="G3.18" as="G3.19"/>',
    "add-definition": '<add-definition clause="A1.1"><definition term="Shared Resource">'
                      '<text>means a thing.</text></definition></add-definition>',
    "amend-definition": '<amend-definition clause="A1.1" term="Secure"><old>if it is.</old>'
                        '<new>if it is safe.</new></amend-definition>',
    "delete-definition": '<delete-definition clause="A1.1" term="Secure"/>',
}


def _schema_operations() -> set[str]:
    grammar = etree.parse(str(SCHEMA_DIR / "modification.rng")).getroot()
    (define,) = [d for d in grammar.iter(f"{RNG}define") if d.get("name") == "operation"]
    return {el.get("name") for el in define.iter(f"{RNG}element")
            if el.getparent().tag == f"{RNG}choice" and el.getparent().getparent() is define}


def test_the_schema_lists_exactly_the_operations():
    assert _schema_operations() == set(ops.OPERATIONS)


@pytest.mark.parametrize("kind", sorted(ops.OPERATIONS))
def test_every_operation_has_a_parser_a_handler_and_an_instruction(kind):
    cls = ops.OPERATIONS[kind]
    assert cls.kind == kind
    assert kind in ops._PARSERS, f"no parser for <{kind}> in ops._PARSERS"
    assert cls in apply._HANDLERS, f"no handler for {cls.__name__} in apply._HANDLERS"
    assert kind in SAMPLES, f"add a sample <{kind}> to SAMPLES in {__file__}"
    op = ops.operation_from_string(SAMPLES[kind])
    assert type(op) is cls
    instruction = op.instruction()
    assert instruction and "Section" in instruction
    assert isinstance(op.clause_addresses(), tuple) and isinstance(op.creates(), tuple)
    assert ops.operation_from_string(ops.operation_to_string(op)) == op
