"""One view of an Annex A's legal text as corpus elements: clauses with their cross-headings.

:func:`view_outline` takes the legal-text paragraphs of a document and one view (``accept`` or
``reject``) and gives a :class:`ViewOutline`: every clause shown, in document order, as a corpus
``<clause>`` element built from the words that view reads (items nested by their level, closing
words after a list, definitions), with the cross-heading and part heading shown above it and the
paragraph that opened it (``block``: the same paragraph opens a clause in both views when the
document shows it changed, which is how the two views are paired).

Paragraphs whose format says what they are (redline's HTML classes and DOCX styles: a
:class:`~redline.annexread.marked.Para` ``role``) are placed by their role and level. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from redline.annexread.marked import Para
from redline.model import normalise_space

_CLAUSE_NUM = re.compile(r"^[A-Z][0-9]+[A-Z]?\.[0-9]+[A-Z]?$")
_PART_NUM = re.compile(r"^[A-Z][0-9]+[A-Z]?$")
_ITEM_NUM = re.compile(r"^\([0-9A-Za-z]{1,6}\)$")
#: a number typed at the start of a paragraph, then a tab or spaces
_TYPED = re.compile(r"^\s*([A-Z][0-9]+[A-Z]?(?:\.[0-9]+[A-Z]?)?|\([0-9A-Za-z]{1,6}\))(?:\t|\s+|$)")
_TERM = re.compile(r'^\s*["“]([^"”]+)["”]\s*(.*)$', re.S)


@dataclass
class DocClause:
    """A clause as one view of the document shows it."""

    num: str
    element: object  # the <clause> element built from the document's words
    heading: str | None  # the cross-heading shown above it (None: none shown)
    group: int | None  # which cross-heading paragraph that was (None: none shown)
    block: int  # the index of the paragraph that opened the clause
    where: str
    continued: bool = False  # not the first clause after its cross-heading (a document cannot end a group)


@dataclass
class DocPart:
    """A part heading as one view shows it."""

    num: str
    heading: str
    block: int
    where: str


@dataclass
class ViewOutline:
    """Everything the legal text shows in one view."""

    view: str
    clauses: list[DocClause] = field(default_factory=list)
    parts: dict[str, DocPart] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def by_num(self) -> dict[str, DocClause]:
        return {c.num: c for c in self.clauses}


def split_number(para: Para, view: str) -> tuple[str | None, str]:
    """(number, words) of a paragraph in ``view``: its separate or automatic number, else the
    number typed before a tab (or spaces) at its start."""
    text = para.text(view)
    num = para.number(view)
    if num is not None:
        return num, normalise_space(text)
    if "\t" in text:
        head, rest = text.split("\t", 1)
        if head.strip():
            return head.strip(), normalise_space(rest)
    m = _TYPED.match(text)
    if m:
        return m.group(1), normalise_space(text[m.end():])
    return None, normalise_space(text)


def split_term(para: Para, view: str) -> tuple[str | None, str]:
    """(term, words) of a definition paragraph: ``"Term" means …``."""
    m = _TERM.match(para.text(view))
    if not m:
        return None, normalise_space(para.text(view))
    return normalise_space(m.group(1)), normalise_space(m.group(2))


def _node(tag: str, attrs: dict, words: str):
    el = etree.Element(tag, attrs)
    if words:
        etree.SubElement(el, "text").text = words
    return el


def _add_child(parent, child) -> None:
    closing = parent.find("closing")
    if closing is not None:
        closing.addprevious(child)
    else:
        parent.append(child)


def view_outline(paras: list[Para], view: str) -> ViewOutline:
    """The clauses, cross-headings and part headings ``paras`` show in ``view``."""
    out = ViewOutline(view)
    group: int | None = None
    heading: str | None = None
    stack: list[tuple[int, object]] = []  # (level, element): the open clause and its items
    after_definition = False
    for i, p in enumerate(paras):
        if not p.exists(view):
            continue
        role = p.role
        if role == "part":
            num, words = split_number(p, view)
            if num is None or not _PART_NUM.match(num):
                out.problems.append(f"{p.where}: a part heading without a part number ({words!r})")
                continue
            out.parts[num] = DocPart(num, words, i, p.where)
            group, heading, stack = None, None, []
        elif role == "crossheading":
            words = normalise_space(p.text(view))
            if words:
                group, heading = i, words
        elif role == "clause":
            num, words = split_number(p, view)
            if num is None or not _CLAUSE_NUM.match(num):
                out.problems.append(f"{p.where}: {'no clause number' if num is None else repr(num) + ' is not a clause number'}"
                                    f" in the {view} view")
                stack = []
                continue
            el = _node("clause", {"num": num}, words)
            out.clauses.append(DocClause(num, el, heading, group, i, p.where))
            stack = [(0, el)]
            after_definition = False
        elif role in ("item", "definition", "closing"):
            if not stack:
                out.problems.append(f"{p.where}: {role} words outside any clause")
                continue
            level = p.depth
            if role == "item" and after_definition and p.style is not None:
                level += 1  # DOCX: a definition's items are styled as the clause's (SEC Item 1)
            if role == "closing":
                owner = [el for lv, el in stack if lv == level]
                if not owner:
                    out.problems.append(f"{p.where}: closing words at level {level} with no list open there")
                    continue
                words = normalise_space(p.text(view))
                if words:
                    if owner[-1].find("closing") is not None:
                        out.problems.append(f"{p.where}: a second paragraph of closing words (joined to the first)")
                        owner[-1].find("closing").text += " " + words
                    else:
                        etree.SubElement(owner[-1], "closing").text = words
                stack = [(lv, el) for lv, el in stack if lv <= level]
                continue
            parents = [el for lv, el in stack if lv == level - 1]
            if not parents:
                out.problems.append(f"{p.where}: {role} at level {level} with no level {level - 1} above it")
                continue
            if role == "definition":
                term, words = split_term(p, view)
                if not term:
                    out.problems.append(f"{p.where}: a definition without a quoted term")
                    continue
                el = _node("definition", {"term": term}, words)
                after_definition = True
            else:
                num, words = split_number(p, view)
                if num is None or not _ITEM_NUM.match(num):
                    out.problems.append(f"{p.where}: {'no item number' if num is None else repr(num) + ' is not an item number'}"
                                        f" in the {view} view")
                    continue
                el = _node("item", {"num": num}, words)
            _add_child(parents[-1], el)
            stack = [(lv, e) for lv, e in stack if lv < level] + [(level, el)]
        # other roles (notes, unplaced paragraphs) are not legal text; the reader reports them
    return _settle_groups(out)


# --- paragraphs without roles: the shared outline builder ---------------------------------------

#: paragraph styles of Word's that are not legal text, and that mark a heading
_FURNITURE_STYLE = re.compile(r"^(title|subtitle|toc( \d| heading)?|header|footer|footnote text|caption|"
                              r"sec margin note|sec note)$", re.I)
_HEADING_STYLE = re.compile(r"^(heading \d|.*cross-?heading.*|.*part heading.*)$", re.I)


def builder_outlines(paras: list[Para]) -> tuple[ViewOutline, ViewOutline]:
    """The reject-all and accept-all :class:`ViewOutline` of paragraphs whose format does not say
    what they are (a Word document of anyone's making): each view's paragraphs go through the
    outline builder of ``redline import`` (:func:`redline.importer.outline.build_section`), one
    section at a time, which places them by their numbers, typed or automatic; each clause is
    then tied back to the paragraph that opened it, so that the two views pair up.

    An unmarked cross-heading whose clauses are all gone in one view (deleted, or moved under
    another heading) is left out of that view, rather than read as words of the clause before it."""
    from redline.importer.outline import heading_like

    same: dict[int, tuple] = {}  # an unmarked paragraph reads the same in both views: parsed once
    entries = {view: _view_lines(paras, view, same) for view in ("reject", "accept")}
    headings = {}
    for view, rows in entries.items():
        found = set()
        structural = [r for r in rows if r[2].kind not in ("instruction", "furniture")]
        for k, (i, line, parsed) in enumerate(structural):
            if parsed.kind == "text" and (line.hint == "heading" or heading_like(parsed.text)) and \
                    k + 1 < len(structural) and structural[k + 1][2].kind in ("clause", "part"):
                found.add(i)
        headings[view] = found
    del same
    out = []
    for view, other in (("reject", "accept"), ("accept", "reject")):
        empty = {i for i in headings[other] - headings[view] if not paras[i].changed}
        rows = [r for r in entries.pop(view) if r[0] not in empty]
        out.append(_outline_of(paras, view, rows))
        del rows  # a whole code's lines: gone before the other view is built
    return out[0], out[1]


def builder_outline(paras: list[Para], view: str) -> ViewOutline:
    """One view of :func:`builder_outlines`."""
    reject, accept = builder_outlines(paras)
    return reject if view == "reject" else accept


def _view_lines(paras: list[Para], view: str, same: dict | None = None) -> list[tuple]:
    """(paragraph index, Line, parsed line) of each paragraph shown in ``view``; ``same`` keeps
    the rows of unmarked paragraphs between the calls for the two views."""
    from redline.importer.outline import Line, parse_line

    rows = []
    for i, p in enumerate(paras):
        if same is not None and i in same:
            rows.append(same[i])
            continue
        if not p.exists(view):
            continue
        text = p.text(view).replace("\n", " ")
        label = p.number(view)
        if not text.strip() and not label:
            continue
        style = p.style or ""
        hint = "furniture" if _FURNITURE_STYLE.match(style) else "heading" if _HEADING_STYLE.match(style) else None
        line = Line(label, text.strip(), p.where, hint)
        row = (i, line, parse_line(line))
        rows.append(row)
        if same is not None and not p.changed and p.number("accept") == p.number("reject"):
            same[i] = row
    return rows


def _outline_of(paras: list[Para], view: str, rows: list[tuple]) -> ViewOutline:
    out = ViewOutline(view)
    chunks: list[list] = []  # per section: [letter, lines, paragraph indexes, parsed lines]
    letter = None
    for i, line, parsed in rows:
        # a new section starts at its heading, or at the first number of another section
        starts = None
        if parsed.kind == "section":
            starts = parsed.label
        elif parsed.kind in ("clause", "part") and parsed.label[0] != letter:
            starts = parsed.label[0]
        if starts is not None and starts != letter:
            letter = starts
            if not chunks or chunks[-1][0] is not None or parsed.kind == "section":
                chunks.append([letter, [], [], []])
            else:  # the lines before the first number belong to that section
                chunks[-1][0] = letter
        elif not chunks:
            chunks.append([None, [], [], []])
        chunks[-1][1].append(line)
        chunks[-1][2].append(i)
        chunks[-1][3].append(parsed)
    for letter, lines, index, parsed in chunks:
        if letter is None:
            for line in lines:
                out.problems.append(f"{line.where}: not placed in the {view} view (before any numbered text)")
            continue
        _one_section(out, paras, view, letter, lines, index, parsed)
    out.clauses.sort(key=lambda c: c.block)
    return _settle_groups(out)


def _one_section(out: ViewOutline, paras: list[Para], view: str, letter: str, lines, index, parsed) -> None:
    from redline.errors import CorpusError, SourceError
    from redline.importer.outline import build_section

    try:  # numbers may be out of sequence in the reject view (a move shown at its new place)
        root, report = build_section(lines, section=letter, where=f"the {view} view", evidence=None)
    except (SourceError, CorpusError) as exc:
        out.problems.append(f"the {view} view of Section {letter}: {exc.detail}")
        return
    for note in report.unplaced:
        out.problems.append(f"{note.where}: not placed in the {view} view ({note.what})")
    # which paragraph opened each clause and each part, and where each cross-heading is
    opened: dict[str, int] = {}
    part_at: dict[str, int] = {}
    texts: list[tuple[int, str]] = []
    for p, i in zip(parsed, index):
        if p.kind == "clause" and p.label not in opened:
            opened[p.label] = i
        elif p.kind == "part" and p.label not in part_at:
            part_at[p.label] = i
        elif p.kind == "text":
            texts.append((i, normalise_space(p.text)))
    for part in root.iter("part"):
        heading = part.get("heading")
        num = part.get("num")
        at = part_at.get(num)
        if heading and at is not None:
            out.parts[num] = DocPart(num, heading, at, paras[at].where)
    for clause in root.iter("clause"):
        num = clause.get("num")
        block = opened.get(num)
        if block is None:
            out.problems.append(f"{num}: the {view} view has it, but no paragraph opens it")
            continue
        parent = clause.getparent()
        heading = group = None
        if parent.tag == "crossheading":
            heading = parent.get("heading")
            group = _heading_paragraph(texts, block, heading)
        out.clauses.append(DocClause(num, clause, heading, group, block, paras[block].where))


def _heading_paragraph(texts: list[tuple[int, str]], block: int, heading: str) -> int | None:
    """The index of the last unnumbered paragraph reading ``heading`` before paragraph ``block``."""
    import bisect

    k = bisect.bisect_left(texts, (block,))
    for i, t in reversed(texts[max(0, k - 50):k]):  # a cross-heading is close above its clauses
        if t == heading:
            return i
    for i, t in reversed(texts[:max(0, k - 50)]):
        if t == heading:
            return i
    return None


def _settle_groups(out: ViewOutline) -> ViewOutline:
    """A document cannot show where a cross-heading group ends: a clause shown after a group's
    clauses is under its heading as far as the page goes. Mark each clause that is not the first
    after its heading as ``continued`` (the version decides whether it belongs to the group), and
    drop the heading from a clause of another part (a group never spans parts)."""
    first_part: dict[int, str] = {}
    for c in out.clauses:
        if c.group is None:
            continue
        part = c.num.split(".")[0]
        if c.group not in first_part:
            first_part[c.group] = part
        elif first_part[c.group] != part:
            c.heading = c.group = None
        else:
            c.continued = True
    return out
