"""Read a DOCX Annex A into marked paragraphs, through the shared Word reader (:mod:`redline.word`).

The Word reader gives body paragraphs with runs, their tracked changes and formatting flags, and
the automatic number Word displays in each view. This module only decides what the marks mean:

* **tracked changes** (the document has revisions): ``w:ins`` and ``w:moveTo`` runs are
  insertions, ``w:del`` and ``w:moveFrom`` runs deletions, and an inserted or deleted paragraph
  mark adds or removes the paragraph whole; colours are then just formatting;
* **the house mark-up** (no revisions): a struck-through run is a deletion, a blue underlined
  run an insertion (Word's own hyperlink blues are not: a link is not an insertion).

Hidden runs are not text. Paragraph styles say what a paragraph is when the document is
redline's own Annex A (``SEC Clause``, ``SEC Item 2``, ``SEC Cross-heading``, ``SEC Instruction``…,
see :mod:`redline.render.docx_template`); any other paragraph is placed by its number.
"""

from __future__ import annotations

import re

from redline.annexread.marked import DEL, INS, Para, Run, merge_runs

#: Word's hyperlink colours (underlined blue that is a link, not an insertion)
HYPERLINK_COLOURS = frozenset(("0563C1", "0000EE", "467886", "0066CC"))

_ITEM_STYLE = re.compile(r"^SEC Item (\d+)( Continued)?$")
_STYLE_ROLES = {
    "Title": "cover-title",
    "SEC Cover Document": "cover-document",
    "SEC Cover Subtitle": "cover-subtitle",
    "SEC Classification": "cover-classification",
    "SEC Note": "skip",
    "SEC Margin Note": "skip",
    "SEC Instruction": "instruction",
    "SEC Part Heading": "part",
    "SEC Cross-heading": "crossheading",
    "SEC Clause": "clause",
    "SEC Clause Continued": "closing",
    "SEC Definition": "definition",
}


def _blue(colour: str | None) -> bool:
    if not colour or len(colour) != 6 or colour.upper() in HYPERLINK_COLOURS:
        return False
    try:
        r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return b >= 0x80 and r <= 0x60 and g <= 0x90


def markup_change(run) -> str | None:
    """The house mark-up's meaning of a run without a revision: ``del``, ``ins`` or None."""
    if run.strike:
        return DEL
    if run.underline and _blue(run.colour):
        return INS
    return None


def _role(style: str | None) -> tuple[str | None, int]:
    if not style:
        return None, 0
    if style in _STYLE_ROLES:
        role = _STYLE_ROLES[style]
        return role, 1 if role == "definition" else 0
    m = _ITEM_STYLE.match(style)
    if m:
        return ("closing" if m.group(2) else "item"), int(m.group(1))
    return None, 0


def read_docx(data: bytes, name: str) -> tuple[list[Para], dict, list[str], bool]:
    """(paragraphs, properties, problems, tracked) of a DOCX Annex A.

    ``properties`` holds the core properties (``creator``, ``created``…) and ``authors``, the
    authors of its revisions; ``tracked`` is False for the house mark-up."""
    from redline.word import open_docx

    doc = open_docx(data, name)
    tracked = bool(doc.has_revisions)
    ours = any(p.style_name in ("SEC Clause", "SEC Instruction", "SEC Cross-heading") for p in doc.paragraphs)
    paras: list[Para] = []
    authors: list[str] = []
    problems: list[str] = list(getattr(doc, "problems", ()) or ())
    in_summary = False
    for p in doc.paragraphs:
        runs = []
        for r in p.runs:
            if r.vanish or not r.text:
                continue
            if r.change is not None:
                change = INS if r.change in ("ins", "moveTo") else DEL
                if r.author and r.author not in authors:
                    authors.append(r.author)
            else:
                change = None if tracked else markup_change(r)
            runs.append(Run(r.text, change))
        mark = p.mark if tracked else None
        role, depth = _role(p.style_name) if ours else (None, 0)
        text = "".join(r.text for r in runs).strip()
        if ours:
            if p.style_name == "Heading 2":
                in_summary = text == "Summary of changes"
                role = "skip"
            elif p.style_name == "Heading 1":
                in_summary = False
                role = "section-title"
            elif in_summary and role is None:
                role = "skip"
        where = f"paragraph {p.index}"
        problems += [f"{where}: {msg}" for msg in p.problems]
        auto = {v: p.number(v) for v in ("accept", "reject")}
        if not text and not any(auto.values()):
            continue
        paras.append(Para(where, merge_runs(runs), role, depth, None, mark, auto, p.style_name))
    props = {k: v for k, v in dict(doc.core).items() if isinstance(v, str) and v}
    props["authors"] = tuple(authors)
    return paras, props, problems, tracked
