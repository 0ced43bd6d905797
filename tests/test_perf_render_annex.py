"""The redline layout's fast paths give what the address index and ``unchanged_node`` give.

``build_redline`` reads clauses and parts straight from the section trees (no whole-version
index) and builds context clauses with :func:`redline.annex.context_node`; these tests compare
both with the slow, obvious way on every clause and part of every version of the bundled corpus.
"""

from __future__ import annotations

import pytest

from bench import generate
from redline.annex import _Tree, context_node, previous_clauses
from redline.corpus import Corpus
from redline.diff import unchanged_node
from redline.model import Address, Node


@pytest.fixture(scope="module")
def versions(corpus, tmp_path_factory):
    """The bundled corpus, and a generated one with Section A's definitions (items inside some)."""
    made = Corpus.open(generate.generate(700, seed=7, out=tmp_path_factory.mktemp("gen"), peers=False))
    return [c.load(v) for c in (corpus, made) for v in c.version_ids]


def test_tree_clauses_and_parts_match_the_index(versions):
    for v in versions:
        tree = _Tree(v)
        got = [(c.address, c.element) for letter in v.sections for c in tree.clauses(letter)]
        assert got == [(c.address, c.element) for c in v.clauses()]
        for addr, el in v.index.items():
            if el.tag == "part":
                assert tree.part(addr).element is el
            elif el.tag == "clause":
                assert tree.clause(addr).element is el
        assert tree.clause(Address("G", "G99", "G99.1")) is None and tree.part(Address("G", "G99")) is None


def test_context_node_is_unchanged_node(versions):
    kinds = set()
    for v in versions:
        for c in v.clauses():
            got = context_node(c.element, c.address)
            assert got == unchanged_node(Node(c.element, c.address))
            kinds |= {(n.element, len(n.address.items), n.address.term is not None) for n in got.walk()}
    assert {("definition", 0, True), ("item", 2, False)} <= kinds


def test_previous_clauses_as_document_order(versions):
    for v in versions:
        expected, prev = {}, None
        for c in v.clauses():
            expected[c.address] = prev if prev is not None and prev.part == c.address.part else None
            prev = c.address
        assert previous_clauses(v) == expected
