"""Export and import are inverses: import(export(v)) gives back every clause, item, number and word.

For every version held, for the generated whole-code corpora (a 1,000-clause corpus with every
section shape, Section A's definitions included), and for random sections (hypothesis); through
the DOCX with Word's automatic numbering, the DOCX with typed numbers, and the text layout.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from redline.importer import build_section
from redline.importer.docx import docx_lines
from redline.importer.report import ImportReport
from redline.importer.text import read_text
from redline.model import Version
from redline.render import conformed
from redline.word import open_docx

FORMATS = ("docx-auto", "docx-typed", "text")


def outline(root) -> list[tuple]:
    """Everything the corpus says in a section except provenance and coverage, in document order."""
    out = [("section", root.get("num"), root.get("heading") or "")]
    for el in root.iter("part", "crossheading", "clause", "item", "definition", "text", "closing"):
        if el.tag == "part":
            out.append(("part", el.get("num"), el.get("heading") or ""))
        elif el.tag == "crossheading":
            out.append(("crossheading", el.get("heading")))
        elif el.tag in ("clause", "item"):
            out.append((el.tag, el.get("num")))
        elif el.tag == "definition":
            out.append(("definition", el.get("term")))
        else:
            out.append((el.tag, " ".join(el.text.split())))
    return out


def roundtrip(version: Version, fmt: str) -> dict[str, tuple]:
    """{section letter: (imported root, report)} for a version exported in ``fmt`` and read back,
    one section at a time (an import reads one section)."""
    out = {}
    for letter in version.sections:
        if fmt == "text":
            data = conformed.render_text(version, code_title="Smart Energy Code", sections=[letter], date="2024-01-01")
            lines, report = read_text(data.encode("utf-8"), f"{letter}.txt")
        else:
            numbering = fmt.split("-")[1]
            data = conformed.render_docx(version, code_title="Smart Energy Code", sections=[letter],
                                         date="2024-01-01", numbering=numbering)
            report = ImportReport(f"{letter}.docx")
            lines = docx_lines(open_docx(data, f"{letter}.docx"), report)
        out[letter] = build_section(lines, report=report)
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_version_held_survives_export_and_import(corpus, fmt):
    for vid in corpus.version_ids:
        version = corpus.load(vid)
        for letter, (root, report) in roundtrip(version, fmt).items():
            assert outline(root) == outline(version.sections[letter]), (vid, letter, fmt)
            assert not report.needs_review, report.to_text()
            assert not report.repaired


@pytest.fixture(scope="module")
def whole_code():
    """A generated whole-code corpus (1,000 clauses in Sections A and B, definitions included)."""
    from bench import generate

    rng = random.Random("roundtrip:1000")
    skel, shape = generate.plan(rng, 1000)
    return Version("1.0", generate.build_version(rng, skel, shape))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_generated_whole_code_survives_export_and_import(whole_code, fmt):
    assert len(whole_code.sections) >= 2 and next(whole_code.sections["A"].iter("definition"), None) is not None
    for letter, (root, report) in roundtrip(whole_code, fmt).items():
        assert outline(root) == outline(whole_code.sections[letter]), (letter, fmt)
        assert not report.needs_review, report.to_text()[:2000]


def test_the_auto_numbered_docx_really_uses_word_numbering(whole_code):
    data = conformed.render_docx(whole_code, code_title="SEC", sections=["A", "B"], numbering="auto")
    doc = open_docx(data, "x.docx")
    numbered = [p for p in doc.paragraphs if p.number()]
    typed = [p for p in doc.paragraphs if re.match(r"([A-Z]\d+\.\d+|\([a-zA-Z0-9]+\))\t", p.text())]
    assert len(numbered) > 20 * max(len(typed), 1)  # nearly every number is Word's own
    assert all("\t" not in p.text()[:8] for p in numbered)


# --- random sections ---------------------------------------------------------------------------

WORDS = ("the", "User", "shall", "ensure", "that", "any", "Device", "is", "Secure", "within", "five", "Working",
         "Days", "of", "receipt", "DCC", "and", "Section", "G3.18(a)", "in", "accordance", "with", "Panel", "may",
         "determine", "a", "or", "not", "SMETS2+", "(as", "the", "case", "may", "be)", "each", "Party", "its")
HEADS = ("Interpretation", "Obligations on Users", "Disputes", "Security Risk Assessment", "Exclusion for Export Suppliers")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _roman(n: int) -> str:
    from redline.word.numbering import roman

    return roman(n)


LABELS = (lambda n: f"({LETTERS[n - 1]})", lambda n: f"({_roman(n)})", lambda n: f"({LETTERS[n - 1].upper()})",
          lambda n: f"({n})")


@st.composite
def sentences(draw, end=(";", ".", ":", ",", "; and", "; or")):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=30))
    text = " ".join(words)
    text = text[0].lower() + text[1:] if text[0] != "(" else text
    return text + draw(st.sampled_from(end))


@st.composite
def items(draw, depth: int):
    n = draw(st.integers(1, 4 if depth < 3 else 2))
    out = []
    for i in range(1, n + 1):
        item = etree.Element("item", num=LABELS[depth - 1](i))
        etree.SubElement(item, "text").text = draw(sentences())
        if depth < 4 and draw(st.integers(0, 4)) == 0:
            item[0].text = item[0].text.rstrip(";.,:") + ":"
            item.extend(draw(items(depth + 1)))
            if draw(st.booleans()):
                etree.SubElement(item, "closing").text = draw(sentences())
        out.append(item)
    return out


@st.composite
def sections(draw):
    root = etree.Element("section", num="G", heading=draw(st.sampled_from(("Security", "General", ""))),
                         coverage="partial")
    for p in draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True).map(sorted)):
        part = etree.SubElement(root, "part", num=f"G{p}", coverage="partial")
        if draw(st.booleans()):
            part.set("heading", draw(st.sampled_from(HEADS)))
        start = draw(st.integers(1, 30))
        holder = part
        for c in range(start, start + draw(st.integers(1, 5))):
            if draw(st.integers(0, 3)) == 0:
                holder = etree.SubElement(part, "crossheading", heading=draw(st.sampled_from(HEADS)))
            clause = etree.SubElement(holder, "clause", num=f"G{p}.{c}")
            etree.SubElement(clause, "text").text = draw(sentences()).capitalize()
            if draw(st.booleans()):
                clause[0].text = clause[0].text.rstrip(";.,:") + ":"
                clause.extend(draw(items(1)))
                if draw(st.booleans()):
                    etree.SubElement(clause, "closing").text = draw(sentences(end=(".",)))
    return root


#: found by hypothesis: every paragraph on one line, nothing indented, a clause ending "," before a
#: cross-heading; the text was read in the seeds' line layout and the heading joined to the clause
COMMA_BEFORE_HEADING = """<section num="G" heading="" coverage="partial"><part num="G1" coverage="partial">
<clause num="G1.1"><text>The the the the the the the the the,</text></clause>
<crossheading heading="Interpretation"><clause num="G1.2"><text>The the the;</text></clause></crossheading>
</part></section>"""


def _xml(text: str):
    return etree.fromstring(text, etree.XMLParser(remove_blank_text=True))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections(), st.sampled_from(FORMATS))
@example(_xml(COMMA_BEFORE_HEADING), "text")
def test_random_sections_survive_export_and_import(root, fmt):
    version = Version("r", {"G": root})
    (back, report), = roundtrip(version, fmt).values()
    assert outline(back) == outline(root)
