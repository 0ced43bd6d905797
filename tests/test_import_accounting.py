"""Property: nothing in the source is silently dropped (issue 12, item 4).

Random text sources (clauses, items at several depths, headings, out-of-sequence and repeated
numbers, stray words, page numbers, lines of any kind in any order) and random Word documents
(paragraphs with typed numbers, furniture styles, empty paragraphs) are imported; every source
line or paragraph carries a marker word, and each marker must end up either in the section
written or in a note of the report naming that line or paragraph (or the paragraph it was joined
into)."""

from __future__ import annotations

import re

from docx_builder import docx, p, r, style, styles
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from redline.errors import RedlineError
from redline.importer import build_section
from redline.importer.docx import docx_lines
from redline.importer.report import ImportReport
from redline.importer.text import read_text
from redline.word import open_docx


def marker(i: int) -> str:
    return "mk" + "".join(chr(97 + int(d)) for d in str(i)) + "z"


SHAPES = [
    lambda m, n: f"G1.{n} The Panel shall {m} act.",
    lambda m, n: f"G1.{n} Each User shall {m}:",
    lambda m, n: f"({'abcdefgh'[n % 8]}) any {m} Device;",
    lambda m, n: f"({('i', 'ii', 'iii', 'iv')[n % 4]}) the {m} standard;",
    lambda m, n: f"(A) a {m} case;",
    lambda m, n: f"Obligations {m.capitalize()} Heading",
    lambda m, n: f"and the {m} words go on.",
    lambda m, n: f"{n} {m}",
    lambda m, n: f"[{m}]",
    lambda m, n: f"SECTION G – {m.upper()}",
    lambda m, n: f"G{n % 3 + 1} {m.upper()} PROVISIONS",
    lambda m, n: f"“{m.capitalize()}” means a thing.",
]


def _accounted(markers: dict[str, set[str]], root, report: ImportReport) -> list[str]:
    written = " ".join(root.itertext()) + " " + " ".join(v for el in root.iter() for v in el.attrib.values())
    notes = report.repaired + report.review + report.unplaced + report.dropped
    lost = []
    for m, where in markers.items():
        if re.search(rf"(?i)\b{m}\b", written):
            continue
        if any(n.where in where or m in n.text.lower() for n in notes):
            continue
        lost.append(f"{where}: {m}")
    return lost


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SHAPES) - 1), st.integers(1, 12), st.booleans()), min_size=1,
                max_size=25))
def test_every_line_of_a_text_source_is_written_or_reported(rows):
    lines, markers = [], {}
    for i, (shape, n, blank) in enumerate(rows):
        m = marker(i)
        lines.append(SHAPES[shape](m, n))
        markers[m] = f"line {len(lines)}"
        if blank:
            lines.append("")
    data = ("\n".join(lines) + "\n").encode()
    got, report = read_text(data, "x.txt")
    for ln in got:  # lines joined into one paragraph are reported at the paragraph's first line
        for m in re.findall(r"mk[a-j]+z", ln.text.lower()):
            markers[m] = {markers[m], ln.where}
    markers = {m: w if isinstance(w, set) else {w} for m, w in markers.items()}
    try:
        root, report = build_section(got, report=report)
    except RedlineError as exc:  # no clause at all: refused, nothing written, said
        assert "clause" in str(exc)
        return
    assert not _accounted(markers, root, report), (lines, report.to_text())


STYLES = styles(style("Title", "Title"), style("TOC1", "toc 1"), style("Heading2", "heading 2"),
                style("FootnoteText", "footnote text"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SHAPES) - 1), st.integers(1, 12),
                          st.sampled_from([None, "Title", "TOC1", "Heading2", "FootnoteText"])),
                min_size=1, max_size=20))
def test_every_paragraph_of_a_word_source_is_written_or_reported(rows):
    paras, markers = [], {}
    for i, (shape, n, sty) in enumerate(rows):
        m = marker(i)
        paras.append(p(r(SHAPES[shape](m, n)), style=sty))
        markers[m] = {f"paragraph {i + 1}"}
    report = ImportReport("x.docx")
    doc = open_docx(docx(*paras, styles_xml=STYLES), "x.docx")
    try:
        root, report = build_section(docx_lines(doc, report), report=report)
    except RedlineError as exc:
        assert "clause" in str(exc)
        return
    etree.tostring(root)
    assert not _accounted(markers, root, report), report.to_text()
