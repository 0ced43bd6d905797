"""A .docx section -> the lines of :mod:`redline.importer.outline` (through :mod:`redline.word`).

Each body paragraph that exists once every tracked change is accepted becomes a :class:`Line`:
its automatic number (Word's, computed from ``numbering.xml``) as the label, its words (a typed
number stays at their start, where the outline builder finds it), and "paragraph N" as its place.
Styles give hints: a title, subtitle, contents entry, header, footer or note style is furniture
(dropped, reported); a heading style or outline level marks a heading; redline's own
``… Continued`` styles give the list level of the words after a list.
"""

from __future__ import annotations

import re

from redline.importer.outline import Line
from redline.importer.report import ImportReport
from redline.word import Document

#: paragraph styles that are never legal text (Word's built-in names and redline's own)
FURNITURE_STYLES = re.compile(
    r"^(title|subtitle|toc( \d| heading)?|table of figures|header|footer|footnote text|endnote text|caption|"
    r"sec cover document|sec cover subtitle|sec classification|sec note|sec margin note|balloon text)$", re.I)
HEADING_STYLES = re.compile(r"^(heading \d|sec part heading|sec cross-heading|.*cross-?heading.*)$", re.I)
CONTINUED = re.compile(r"^sec (clause|item (\d+)) continued$", re.I)


def _style_kind(name: str) -> tuple[str | None, int | None]:
    """(hint, list depth) a paragraph style gives."""
    hint = depth = None
    if FURNITURE_STYLES.match(name):
        hint = "furniture"
    elif HEADING_STYLES.match(name):
        hint = "heading"
    m = CONTINUED.match(name)
    if m:
        depth = int(m.group(2)) if m.group(2) else 0
    return hint, depth


def docx_lines(doc: Document, report: ImportReport) -> list[Line]:
    """The lines of a read .docx; what cannot be legal text or needs a look goes to ``report``."""
    out: list[Line] = []
    if doc.has_revisions:
        report.add("review", "the whole document", "it has tracked changes: the text with every change accepted "
                                                   "was imported (accept or reject them in Word first)")
    for problem in doc.problems:
        report.add("review", "the whole document", problem)
    kinds: dict = {}  # style name -> (hint, depth)
    for p in doc.paragraphs:
        where = f"paragraph {p.index}"
        if not p.exists("accept"):
            continue
        text = p.text("accept")
        if "\n" in text:
            text = text.replace("\n", " ")
        label = p.number("accept")
        for problem in p.problems:
            report.add("review", where, problem, text)
        if not label and not text.strip():
            continue
        name = p.style_name or ""
        got = kinds.get(name)
        if got is None:
            got = kinds[name] = _style_kind(name)
        hint, depth = got
        if hint is None and p.outline_level is not None:
            hint = "heading"
        out.append(Line(label, text.strip(), where, hint, depth))
    return out
