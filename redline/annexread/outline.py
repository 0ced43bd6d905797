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
from redline.model import node_parts, normalise_space

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


# --- a document a section at a time ----------------------------------------------------------------

@dataclass
class SectionViews:
    """What the legal text shows of one section, in the two views.

    A part the document shows without a mark (the same paragraphs in both views) whose
    paragraphs read, one by one, as the base version's part does — its number and heading, each
    cross-heading, clause, item and closing words, in order — is the version's own text: its
    clauses are counted in ``settled`` and left out of the views (there is nothing to compose or
    prove in them but that they stay as they are, which the proof checks)."""

    letter: str
    reject: ViewOutline
    accept: ViewOutline
    settled: int = 0


class DocumentSections:
    """The legal text of a document, read a section at a time: iterate it for one
    :class:`SectionViews` per section the document shows, in document order. ``problems`` (what
    could not be placed in any section) is complete once the iteration has started."""

    def __init__(self, paras: list[Para], base_root=None):
        self.paras = paras
        self.base_root = base_root or (lambda letter: None)
        self.problems: list[str] = []

    def __iter__(self):
        paras = self.paras
        if any(p.role is not None for p in paras):  # redline's own Annex A: placed by their roles
            yield from _by_letter(view_outline(paras, "reject"), view_outline(paras, "accept"))
        else:  # anyone's document: placed by their numbers, by the outline builder of redline import
            yield from _builder_sections(paras, self.base_root, self.problems)


def _by_letter(reject: ViewOutline, accept: ViewOutline):
    """The two whole-document views cut into sections (in the order the document shows them)."""
    letters: dict[str, tuple[ViewOutline, ViewOutline]] = {}
    first: dict[str, int] = {}
    for k, out in enumerate((reject, accept)):
        for c in out.clauses:
            pair = letters.setdefault(c.num[0], (ViewOutline("reject"), ViewOutline("accept")))
            pair[k].clauses.append(c)
            first[c.num[0]] = min(first.get(c.num[0], c.block), c.block)
        for num, part in out.parts.items():
            pair = letters.setdefault(num[0], (ViewOutline("reject"), ViewOutline("accept")))
            pair[k].parts[num] = part
            first[num[0]] = min(first.get(num[0], part.block), part.block)
    if not letters:
        letters[""] = (ViewOutline("reject"), ViewOutline("accept"))
        first[""] = 0
    for n, letter in enumerate(sorted(letters, key=lambda x: first[x])):
        r, a = letters[letter]
        if n == 0:  # what no section holds is reported once, with the first
            r.problems, a.problems = list(reject.problems), list(accept.problems)
        yield SectionViews(letter, r, a)


# --- paragraphs without roles: the shared outline builder ---------------------------------------

#: paragraph styles of Word's that are not legal text, and that mark a heading
_FURNITURE_STYLE = re.compile(r"^(title|subtitle|toc( \d| heading)?|header|footer|footnote text|caption|"
                              r"sec margin note|sec note)$", re.I)
_HEADING_STYLE = re.compile(r"^(heading \d|.*cross-?heading.*|.*part heading.*)$", re.I)
_NOT_STRUCTURE = ("instruction", "furniture")


def _builder_sections(paras: list[Para], base_root, problems: list[str]):
    """:class:`SectionViews` of paragraphs whose format does not say what they are (a Word
    document of anyone's making): each view's paragraphs go through the outline builder of
    ``redline import`` (:func:`redline.importer.outline.outline_section`), one section at a time,
    which places them by their numbers, typed or automatic; each clause is then tied back to the
    paragraph that opened it, so that the two views pair up.

    Each paragraph is parsed once (once for both views when it is unmarked). Within a section,
    the outline builder reads only the parts that need it: a part shown unmarked that reads as
    the base's (see :class:`SectionViews`) is settled without it, and the views of the other
    parts are built from just their paragraphs (see :func:`_fragment_views`).

    An unmarked cross-heading whose clauses are all gone in one view (deleted, or moved under
    another heading) is left out of that view, rather than read as words of the clause before it."""
    from redline.importer.outline import heading_like

    same: dict[int, tuple] = {}  # an unmarked paragraph reads the same in both views: parsed once
    entries = {view: _view_lines(paras, view, same) for view in ("reject", "accept")}
    headings = {}
    for view, rows in entries.items():
        found = set()
        structural = [r for r in rows if r[2].kind not in _NOT_STRUCTURE]
        for k, (i, line, parsed) in enumerate(structural):
            if parsed.kind == "text" and (line.hint == "heading" or heading_like(parsed.text)) and \
                    k + 1 < len(structural) and structural[k + 1][2].kind in ("clause", "part"):
                found.add(i)
        headings[view] = found
    del same
    chunks = {}
    for view, other in (("reject", "accept"), ("accept", "reject")):
        empty = {i for i in headings[other] - headings[view] if not paras[i].changed}
        rows = [r for r in entries[view] if r[0] not in empty] if empty else entries[view]
        chunks[view] = _chunks(rows, view, problems)
    del entries, headings
    first: dict[str, int] = {}
    for view in ("reject", "accept"):
        for letter, rows in chunks[view]:
            first[letter] = min(first.get(letter, rows[0][0]), rows[0][0])
    for letter in sorted(first, key=lambda x: first[x]):
        mine = {view: [rows for x, rows in chunks[view] if x == letter] for view in ("reject", "accept")}
        for view in chunks:  # a whole code's lines: each section's let go once read
            chunks[view] = [c for c in chunks[view] if c[0] != letter]
        sv = None
        if len(mine["reject"]) <= 1 and len(mine["accept"]) <= 1:
            sv = _fragment_views(paras, letter, *(m[0] if m else [] for m in (mine["reject"], mine["accept"])),
                                 base_root(letter))
        if sv is None:  # every paragraph through the builder, as shown
            sv = SectionViews(letter, ViewOutline("reject"), ViewOutline("accept"))
            for view, out in (("reject", sv.reject), ("accept", sv.accept)):
                for rows in mine[view]:
                    _one_section(out, paras, view, letter, rows)
                out.clauses.sort(key=lambda c: c.block)
                _settle_groups(out)
        yield sv


def _view_lines(paras: list[Para], view: str, same: dict | None = None) -> list[tuple]:
    """(paragraph index, Line, parsed line) of each paragraph shown in ``view``; ``same`` keeps
    the rows of unmarked paragraphs between the calls for the two views (the same tuple)."""
    from redline.importer.outline import Line, parse_line

    rows = []
    add = rows.append
    hints: dict = {}
    for i, p in enumerate(paras):
        if same is not None:
            row = same.get(i)
            if row is not None:
                add(row)
                continue
        if not p.exists(view):
            continue
        text = p.text(view)
        if "\n" in text:
            text = text.replace("\n", " ")
        label = p.number(view)
        if not label and not text.strip():
            continue
        style = p.style or ""
        hint = hints.get(style, 0)
        if hint == 0:
            hint = hints[style] = ("furniture" if _FURNITURE_STYLE.match(style) else
                                   "heading" if _HEADING_STYLE.match(style) else None)
        line = Line(label, text.strip(), p.where, hint)
        row = (i, line, parse_line(line))
        add(row)
        if same is not None and not p.changed and label == p.number("reject" if view == "accept" else "accept"):
            same[i] = row
    return rows


def _chunks(rows: list[tuple], view: str, problems: list[str]) -> list[tuple[str, list]]:
    """``rows`` cut into sections: (letter, rows) in document order. A new section starts at its
    heading, or at the first number of another section; the rows before the first number belong
    to that section (rows before any number at all are reported as not placed)."""
    chunks: list[list] = []
    letter = None
    for row in rows:
        parsed = row[2]
        kind = parsed.kind
        starts = None
        if kind == "section":
            starts = parsed.label
        elif (kind == "clause" or kind == "part") and parsed.label[0] != letter:
            starts = parsed.label[0]
        if starts is not None and starts != letter:
            letter = starts
            if not chunks or chunks[-1][0] is not None or kind == "section":
                chunks.append([letter, []])
            else:  # the lines before the first number belong to that section
                chunks[-1][0] = letter
        elif not chunks:
            chunks.append([None, []])
        chunks[-1][1].append(row)
    out = []
    for letter, part in chunks:
        if letter is None:
            for _, line, _ in part:
                problems.append(f"{line.where}: not placed in the {view} view (before any numbered text)")
            continue
        out.append((letter, part))
    return out


def _units(rows: list[tuple]) -> list[tuple[str | None, list]] | None:
    """A section's rows cut before each part heading: (part number, rows), the first (None)
    being what precedes the first part; None if the rows do not divide so (a part shown twice, a
    clause shown under another part's heading, numbered text before the first part)."""
    units: list[tuple[str | None, list]] = [(None, [])]
    seen = set()
    for row in rows:
        parsed = row[2]
        kind = parsed.kind
        if kind == "part":
            if parsed.label in seen:
                return None
            seen.add(parsed.label)
            units.append((parsed.label, [row]))
            continue
        if kind == "clause" and parsed.label.split(".", 1)[0] != units[-1][0]:
            return None
        if units[-1][0] is None and kind == "item":
            return None
        units[-1][1].append(row)
    return units


def _fragment_views(paras: list[Para], letter: str, rejected: list, accepted: list, base_part_root) \
        -> SectionViews | None:
    """The two views of one section, reading with the outline builder only the parts that need it.

    The rows are cut into parts (:func:`_units`). A part whose rows are the same in both views
    (nothing in it is marked, its numbers are the same) and that reads as the base version's part
    (:func:`_reads_as`) is settled. The other parts of each view go through the builder
    together, with the paragraphs before the first part and the next part's heading after them
    (so that the builder sees what follows the last one, as it would in the whole section):
    the builder starts each part afresh, and carries nothing from one part to the next that could
    change what it builds — but the capital words it keeps in a heading put in title case, so a
    section where a part to be built has a heading in capitals is built whole (None; as when the
    rows do not divide into parts as the builder would)."""
    units = {view: _units(rows) for view, rows in (("reject", rejected), ("accept", accepted))}
    if units["reject"] is None or units["accept"] is None:
        return None
    lead, theirs = units["reject"][0][1], units["accept"][0][1]
    if len(lead) != len(theirs) or not all(a is b for a, b in zip(lead, theirs)):
        return None  # what precedes the first part differs between the views
    by_num = {view: dict(u[1:]) for view, u in units.items()}
    parts = {p.get("num"): p for p in base_part_root.iter("part")} if base_part_root is not None else {}
    settled = 0
    build: set[str] = set()
    for num in {**by_num["reject"], **by_num["accept"]}:
        rows, theirs = by_num["reject"].get(num), by_num["accept"].get(num)
        if rows is not None and theirs is not None and len(rows) == len(theirs) and \
                all(a is b for a, b in zip(rows, theirs)):
            n = _reads_as(rows, _next_structural(units["reject"], num), parts.get(num))
            if n is not None:
                settled += n
                continue
        build.add(num)
    wanted = bool(build) or any(r[2].kind not in ("section",) + _NOT_STRUCTURE for r in lead)
    sv = SectionViews(letter, ViewOutline("reject"), ViewOutline("accept"), settled)
    if not wanted:
        return sv
    fragments = {}
    for view, u in units.items():
        rows = list(lead)
        sentinel = None
        taken = [k for k, (num, _) in enumerate(u) if num in build]
        for k in taken:
            rows += u[k][1]
        after = (taken[-1] if taken else 0) + 1
        if after < len(u):
            sentinel = u[after][1][0]  # the next part's heading: what follows, as the builder sees it
            rows.append(sentinel)
        for _, _, parsed in rows:
            if parsed.kind in ("part", "text") and parsed.text.isupper():
                return None  # a heading in capitals: put in title case with the whole section's acronyms
        fragments[view] = (rows, sentinel)
    for view, out in (("reject", sv.reject), ("accept", sv.accept)):
        rows, sentinel = fragments[view]
        _one_section(out, paras, view, letter, rows, skip=sentinel[0] if sentinel else None)
        out.clauses.sort(key=lambda c: c.block)
        _settle_groups(out)
    return sv


def _next_structural(units: list, num: str):
    """The first structural row after part ``num``'s rows (the next part's heading), or None."""
    for k, (n, rows) in enumerate(units):
        if n == num:
            return units[k + 1][1][0][2] if k + 1 < len(units) else None
    return None


def _words(el) -> str:
    return normalise_space(el.text) if el is not None else ""


def _version_rows(part) -> list[tuple] | None:
    """What a part of the version reads as, paragraph by paragraph: (kind, number, words,
    cross-heading?) as :func:`redline.importer.outline.parse_line` would give its paragraphs:
    the part heading, each cross-heading, clause and item, and closing words after a list. None
    if the part has something this does not follow (a definition, closing words without a list)."""
    out = [("part", part.get("num"), " ".join((part.get("heading") or "").split()), None)]
    for child in part:
        if child.tag == "crossheading":
            out.append(("text", None, " ".join((child.get("heading") or "").split()), True))
            for c in child:
                if c.tag == "clause" and not _node_rows(c, out):
                    return None
        elif child.tag == "clause" and not _node_rows(child, out):
            return None
    return out


def _node_rows(el, out: list) -> bool:
    """Add a clause's or item's rows to ``out`` (:func:`_version_rows`); False if it has something
    that does not follow. (A function of its own, not a closure that calls itself: such a closure
    is a reference cycle, which would keep every row of a whole code until a collection.)"""
    text, kids, closing = node_parts(el)
    out.append((el.tag, el.get("num"), _words(text), None))
    for k in kids:
        if k.tag != "item" or not _node_rows(k, out):
            return False
    words = _words(closing)
    if words:
        if not kids:
            return False
        out.append(("text", None, words, False))
    return True


def _reads_as(rows: list[tuple], after, part) -> int | None:
    """The number of clauses of base part ``part`` if ``rows`` (one part of one view; ``after``:
    the parsed row that follows them, or None) read exactly as it does, as the outline builder
    would take them — each cross-heading a heading to it, each closing words not; else None."""
    from redline.importer.outline import heading_like

    if part is None:
        return None
    want = _version_rows(part)
    got = [r[2] for r in rows if r[2].kind not in _NOT_STRUCTURE]
    if want is None or len(got) != len(want):
        return None
    clauses = 0
    for k, (p, (kind, num, words, is_heading)) in enumerate(zip(got, want)):
        if p.kind != kind or p.label != num or p.text != words:
            return None
        if kind == "clause":
            clauses += 1
        elif kind == "item":
            if words.startswith("("):
                return None  # two numbers in a row: the builder may read it as a flattened redline
        elif kind == "part":
            if words.isupper() or not words:
                return None  # a heading in capitals, or one the builder may look for on the next line
        elif kind == "text":
            nxt = got[k + 1] if k + 1 < len(got) else after
            hint = p.line.hint == "heading"
            as_heading = (hint or heading_like(words)) and (nxt is None or nxt.kind in ("clause", "part")) \
                and not (not hint and nxt is None)
            if as_heading != is_heading or words.isupper() or words[:1] in "\"“'‘":
                return None
    return clauses


def _one_section(out: ViewOutline, paras: list[Para], view: str, letter: str, rows, skip: int | None = None) -> None:
    """Build ``rows`` (one section's, or part of it) with the outline builder and add what it
    shows to ``out``; the paragraph ``skip`` is there only to be looked ahead to."""
    from redline.errors import CorpusError, SourceError
    from redline.importer.outline import outline_section

    lines = [r[2] for r in rows]  # as parse_line read them already
    try:  # numbers may be out of sequence in the reject view (a move shown at its new place)
        root, report = outline_section(lines, section=letter, where=f"the {view} view", evidence=None)
    except (SourceError, CorpusError) as exc:
        if not _parts_alone(out, paras, letter, rows, skip):
            out.problems.append(f"the {view} view of Section {letter}: {exc.detail}")
        return
    del lines
    for note in report.unplaced:
        out.problems.append(f"{note.where}: not placed in the {view} view ({note.what})")
    # which paragraph opened each clause and each part, and where each cross-heading is
    opened: dict[str, int] = {}
    part_at: dict[str, int] = {}
    texts: list[tuple[int, str]] = []
    for i, _, p in rows:
        if i == skip:
            continue
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


def _parts_alone(out: ViewOutline, paras: list[Para], letter: str, rows, skip: int | None) -> bool:
    """Part headings shown without any clause (a part heading changed on its own): read them as
    the outline builder would, which needs a clause to build a section. False if the rows show
    anything else."""
    from redline.importer.outline import title_case

    shown = [(i, p) for i, _, p in rows if i != skip and p.kind not in ("instruction", "furniture")]
    if not shown or any(p.kind != "part" or not p.text or p.label[:1] != letter for _, p in shown):
        return False
    for i, p in shown:
        heading = title_case(p.text) if p.text.isupper() else normalise_space(p.text)
        out.parts.setdefault(p.label, DocPart(p.label, heading, i, paras[i].where))
    return True


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
