"""The reference finder's start pattern no longer stops at every "t" (a lower-case "this Section"
is found at its "S" and extended back): it must find exactly what the pattern that stopped at
every "t" found, on a whole generated corpus and on texts made to trip it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from redline import xref
from redline.model import Address

_OLD_START = re.compile(
    r"""[A-Zt](?:
        (?P<this>(?<=[Tt])(?<!\w.)his\s+Section\b)
      | (?P<secsection>(?<=S)(?<!\w.)EC\s+Sections?\b)
      | (?P<section>(?<=S)(?<!\w.)ections?\b)
      | (?P<sec>(?<=S)(?<!\w.)EC\s+(?=[A-Z]\s?\d))
      | (?P<bare>(?<=[A-Z])(?<![\w.\-/].)(?=\d)))""",
    re.X,
)


def _old(text, context, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(xref, "_START", _OLD_START)
        return xref.find_references(text, context)


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    from bench import generate
    from redline.corpus import Corpus

    root = generate.generate(700, seed=9, out=Path(tmp_path_factory.mktemp("gen")), peers=False)
    return Corpus.open(root)


def test_same_references_in_a_generated_corpus_and_the_bundled_one(gen, corpus, monkeypatch):
    n = this = 0
    for c in (gen, corpus):
        for vid in c.version_ids:
            v = c.load(vid)
            for node in v.nodes():
                if node.kind in ("clause", "item", "definition"):
                    for _, text in xref.text_fields(node):
                        got = xref.find_references(text, node.address)
                        assert got == _old(text, node.address, monkeypatch), text
                        n += len(got)
                        this += sum(r.form in ("this", "self") for r in got)
    assert n > 1000 and this > 0


_piece = st.sampled_from(["this", "This", "Section", "Sections", "SEC", " ", "  ", "\n", "\u00a0", "G", "G1",
                          "G1.2", "(a)", " to ", ", ", " and ", "x", "th", "is", "t", "S", "ection", "-", "(Heading)",
                          "“", "”", "athis", "this-", "3"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_piece, max_size=12).map("".join))
def test_same_references_in_made_up_texts(text):
    ctx = Address.parse("G1.2(a)")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(xref, "_START", _OLD_START)
        old = xref.find_references(text, ctx)
    assert xref.find_references(text, ctx) == old
    assert xref.find_references(text, None, _fast=False) == xref.find_references(text, None)
