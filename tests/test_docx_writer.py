"""The DOCX writer: the lean template, and the document part written as text.

The renderer copies the template's parts as bytes and writes the document part as text through
:mod:`redline.render.ooxml` (no element tree); these tests pin what that relies on: the shipped
template is what the builder gives and holds every style the renderer names; whatever the words
(markup characters, quotes, tabs, line breaks, control characters), the document part is
well-formed XML that reads back to them; an unchanged node is written as the general path would.
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from hypothesis import given, settings, strategies as st
from lxml import etree
import pytest

from redline.annex import ClauseBlock, Cover, HeadingBlock, Redline, SectionRedline, SummaryRow
from redline.diff import NodeDiff
from redline.model import Address
from redline.render import docx as rdocx
from redline.render.docx_template import (
    USED_STYLES, build_template, style_id, template_parts, template_path,
)
from redline.textdiff import Span

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def test_shipped_template_is_what_the_builder_gives():
    shipped = template_parts(template_path().read_bytes())
    built = template_parts(build_template())
    assert list(shipped) == list(built)
    for name in built:
        assert shipped[name] == built[name], f"{name}: run python -m redline.render.docx_template"


def test_template_is_lean_and_opens():
    parts = template_parts(template_path().read_bytes())
    assert "word/stylesWithEffects.xml" not in parts and "docProps/thumbnail.jpeg" not in parts
    assert len(parts["word/styles.xml"]) < 30_000
    doc = Document(io.BytesIO(template_path().read_bytes()))
    names = {s.name for s in doc.styles}
    assert set(USED_STYLES) <= names
    for name in USED_STYLES:  # the renderer writes style ids derived from the names
        assert doc.styles[name].style_id == style_id(name)


def _redline(words: str, author: str, note: str) -> Redline:
    addr = Address("G", "G1", "G1.1")
    item = NodeDiff("item", "inserted", addr, addr, (Span("insert", "(a)"),), (Span("insert", words),), (), ())
    nd = NodeDiff("clause", "amended", addr, addr, (Span("equal", "G1.1"),),
                  (Span("equal", words), Span("delete", words), Span("insert", words + "\tx")), (item,),
                  (Span("equal", words),))
    sec = SectionRedline("G", words, (words,), (
        HeadingBlock("part", "inserted", (Span("insert", words),), (Span("insert", "G1"),), "G1"),
        HeadingBlock("crossheading", "unchanged", (Span("equal", words),)),
        ClauseBlock(nd, "amended", note or None),
    ))
    cover = Cover("MP1", words, "Annex A", words or None, (words, ""), "White", words or None)
    return Redline(cover, (sec,), (SummaryRow("G1.1", "amended", words),), author, "2026-01-01", "1", "2",
                   (words,) if words else ())


_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@settings(max_examples=60, deadline=None)
@given(words=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
       author=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=10),
       note=st.text(max_size=10), style=st.sampled_from(rdocx.STYLES))
def test_document_part_is_well_formed_whatever_the_words(words, author, note, style):
    data = rdocx.render_docx(_redline(words, author, note), style)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(z.read(name))  # well-formed
        root = etree.fromstring(z.read("word/document.xml"))
    clean = _BAD.sub("", words)
    if style == "tracked":
        for rev in root.iter(f"{{{W}}}ins", f"{{{W}}}del"):
            assert rev.get(f"{{{W}}}author") == _BAD.sub("", author)
        deleted = [_text(d) for d in root.iter(f"{{{W}}}del") if d.getparent().tag == f"{{{W}}}p"]
        if clean:
            assert deleted == [clean]
    # the clause's lead paragraph reads back to its words (a tab between number and text)
    (clause,) = root.xpath("w:body/w:p[w:pPr/w:pStyle/@w:val='SECClause']", namespaces=NS)
    assert _text(clause) == "G1.1\t" + clean + clean + clean + "\tx"


def _text(el) -> str:
    return "".join("\t" if e.tag == f"{{{W}}}tab" else e.text or ""
                   for e in el.iter(f"{{{W}}}t", f"{{{W}}}delText", f"{{{W}}}tab"))


def _document(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


@pytest.mark.parametrize("context", ["group", "all"])
@pytest.mark.parametrize("style", rdocx.STYLES)
def test_an_unchanged_node_is_written_as_the_general_path_writes_it(corpus, monkeypatch, context, style):
    from tests.test_render_docx import annex

    red = annex(corpus, "MP087", context=context, date="2019-10-04")
    fast = _document(rdocx.render_docx(red, style))
    monkeypatch.setattr(rdocx, "_emit_unchanged", lambda *a: False)
    assert _document(rdocx.render_docx(red, style)) == fast


@settings(max_examples=60, deadline=None)
@given(words=st.text(alphabet=st.sampled_from(list("ab &<\t\"")), max_size=6),
       kinds=st.lists(st.sampled_from(["equal", "insert", "delete"]), min_size=1, max_size=3),
       element=st.sampled_from(["clause", "definition"]))
def test_an_unchanged_node_with_changed_spans_takes_the_general_path(words, kinds, element):
    addr = Address("G", "G1", "G1.1")
    spans = tuple(Span(k, words + str(i)) for i, k in enumerate(kinds))
    item = NodeDiff("item", "unchanged", addr, addr, (Span("equal", "(a)"),), spans, (), spans)
    nd = NodeDiff(element, "unchanged", addr, addr, spans, spans, (item,), spans)
    sec = SectionRedline("G", "x", (), (ClauseBlock(nd, None),))
    red = Redline(Cover("MP1", "t"), (sec,), (), "a", "2026-01-01", "1", "2")
    fast = _document(rdocx.render_docx(red))
    slow_emit = rdocx._emit_unchanged
    try:
        rdocx._emit_unchanged = lambda *a: False
        assert _document(rdocx.render_docx(red)) == fast
    finally:
        rdocx._emit_unchanged = slow_emit


def test_same_redline_same_date_same_bytes(monkeypatch):
    """The zip entries carry the redline's date, not the clock: rendering again later with the
    same --date gives the same file."""
    import time

    from redline.annex import annex_for_modification
    from redline.apply import apply_modification
    from redline.corpus import Corpus
    from redline.mods import load_modification
    from redline.render.docx import render_docx
    from tests.conftest import CORPUS

    corpus = Corpus.open(CORPUS)
    mod = load_modification(corpus, "MP087")
    base = corpus.load(mod.base)
    red = annex_for_modification(mod, base, apply_modification(base, mod), date="2026-01-02")
    first = render_docx(red)
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert render_docx(red) == first
    import io
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(first))
    assert {i.date_time[:3] for i in z.infolist()} == {(2026, 1, 2)}
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
