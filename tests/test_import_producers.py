"""`redline import` on documents other producers made (tests/fixtures/import/make_fixtures.py):
LibreOffice (from HTML, and through ODT), pandoc, and hand-built Word XML whose numbering is
bound through styles. Each holds Part G1 of version 6.17; each must import to exactly that."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.importer import build_section
from redline.importer.docx import docx_lines
from redline.importer.report import ImportReport
from redline.word import open_docx

FIXTURES = Path(__file__).parent / "fixtures" / "import"
PRODUCERS = sorted(FIXTURES.glob("*.docx"))


def outline(root) -> list[tuple]:
    out = [("section", root.get("num"), root.get("heading"))]
    for el in root.iter("part", "crossheading", "clause", "item", "text", "closing"):
        if el.tag == "part":
            out.append(("part", el.get("num"), el.get("heading")))
        elif el.tag == "crossheading":
            out.append(("crossheading", el.get("heading")))
        elif el.tag in ("clause", "item"):
            out.append((el.tag, el.get("num")))
        else:
            out.append((el.tag, " ".join(el.text.split())))
    return out


@pytest.fixture(scope="module")
def expected(corpus):
    """G1 of 6.17 as a section of its own."""
    import copy

    from lxml import etree

    held = corpus.load("6.17").sections["G"]
    root = etree.Element("section", num="G", heading=held.get("heading"), coverage="partial")
    root.append(copy.deepcopy(next(p for p in held.iter("part") if p.get("num") == "G1")))
    return outline(root)


def test_there_is_a_document_from_every_producer():
    assert {p.name for p in PRODUCERS} == {"libreoffice-from-html.docx", "libreoffice-from-odt.docx",
                                           "pandoc-from-markdown.docx", "word-styles-numbering.docx"}
    assert all(p.stat().st_size < 20_000 for p in PRODUCERS)


@pytest.mark.parametrize("path", PRODUCERS, ids=lambda p: p.stem)
def test_other_producers_documents_import_to_the_corpus_text(path, expected):
    report = ImportReport(path.name)
    doc = open_docx(path.read_bytes(), path.name)
    root, report = build_section(docx_lines(doc, report), report=report)
    assert outline(root) == expected
    assert not report.needs_review, report.to_text()


@pytest.mark.parametrize("path, numbered", [
    ("libreoffice-from-html.docx", {"a.", "b.", "c.", "d.", "i.", "ii."}),
    ("libreoffice-from-odt.docx", {"a.", "b.", "c.", "d.", "i.", "ii."}),
    ("pandoc-from-markdown.docx", {"(a)", "(b)", "(c)", "(d)", "(i)", "(ii)"}),
    ("word-styles-numbering.docx", {"G1"} | {f"G1.{i}" for i in range(1, 11) if i != 4} |
     {"(a)", "(b)", "(c)", "(d)", "(i)", "(ii)"}),
])
def test_the_numbers_come_from_each_producers_automatic_numbering(path, numbered):
    doc = open_docx((FIXTURES / path).read_bytes(), path)
    assert {p.number() for p in doc.paragraphs if p.number()} == numbered


def test_the_hand_built_document_types_one_number_and_splits_words_across_markup():
    doc = open_docx((FIXTURES / "word-styles-numbering.docx").read_bytes(), "w.docx")
    typed = [p for p in doc.paragraphs if p.text().startswith("G1.4\t")]
    assert len(typed) == 1 and typed[0].number() is None
    g13 = next(p for p in doc.paragraphs if p.number() == "G1.2")
    assert g13.text() == "Section G1.3 applies where:"  # a hyperlink and a REF field's result, no instruction
    assert [p.style_name for p in doc.paragraphs[:3]] == ["Title", "TOC 1", "TOC 1"]
