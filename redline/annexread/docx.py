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

_NO_NUMBERS = (None, None)
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
    authors of its revisions; ``tracked`` is False for the house mark-up. The Word reader's
    paragraphs are let go one by one as they are turned into :class:`Para` values (a whole code
    has ~80,000), so the two are never held whole at once."""
    from redline.word import open_docx

    doc = open_docx(data, name)
    tracked = bool(doc.has_revisions)
    source = doc.paragraphs
    ours = any(p.style_name in ("SEC Clause", "SEC Instruction", "SEC Cross-heading") for p in source)
    paras: list[Para] = []
    add = paras.append
    authors: dict[str, None] = {}
    problems: list[str] = list(getattr(doc, "problems", ()) or ())
    in_summary = False
    roles: dict = {}  # style name -> (role, depth)
    for k in range(len(source)):
        p = source[k]
        source[k] = None  # let go of the Word reader's paragraph as it is read
        runs = []
        text = None
        if tracked and not p.mark and all(r.change is None and not r.vanish for r in p.runs):
            text = "".join(r.text for r in p.runs)  # unmarked: one run
            if text:
                runs.append(Run(text))
        else:
            for r in p.runs:
                if r.vanish or not r.text:
                    continue
                if r.change is not None:
                    change = INS if r.change in ("ins", "moveTo") else DEL
                    if r.author:
                        authors[r.author] = None
                else:
                    change = None if tracked else markup_change(r)
                runs.append(Run(r.text, change))
            runs = merge_runs(runs)
            text = "".join(r.text for r in runs)
        labels = (p.number("accept"), p.number("reject"))
        if labels == _NO_NUMBERS:
            labels = _NO_NUMBERS  # one tuple for every unnumbered paragraph
        if not text.strip() and not (labels[0] or labels[1]):
            continue
        mark = p.mark if tracked else None
        if ours:
            style = p.style_name
            role_depth = roles.get(style)
            if role_depth is None:
                role_depth = roles[style] = _role(style)
            role, depth = role_depth
            if style == "Heading 2":
                in_summary = text.strip() == "Summary of changes"
                role = "skip"
            elif style == "Heading 1":
                in_summary = False
                role = "section-title"
            elif in_summary and role is None:
                role = "skip"
        else:
            role, depth = None, 0
        where = f"paragraph {p.index}"
        if p.problems:
            problems += [f"{where}: {msg}" for msg in p.problems]
        add(Para(where, tuple(runs), role, depth, None, mark, labels, p.style_name))
    doc.paragraphs = []
    props = {k: v for k, v in dict(doc.core).items() if isinstance(v, str) and v}
    props["authors"] = tuple(authors)
    return paras, props, problems, tracked
