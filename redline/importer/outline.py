"""The outline builder: numbered lines of a section's legal text -> a corpus ``section`` element.

:func:`build_section` takes the paragraphs of a section as a reader sees them, each a
:class:`Line` (its number, typed or automatic, its words, and where it is in the source), and
recognises the structure the SEC is written in:

* the section heading (``SECTION G – SECURITY``) and part headings (``G1 SECURITY: GENERAL
  PROVISIONS``; headings in capitals are put in title case, keeping the acronyms the text uses);
* cross-headings (a short unnumbered line without final punctuation, followed by a clause);
* clauses (``G3.20``, ``G3.20A``), ``[Not used]`` clauses among them; the part of a clause is
  implied by its number, so a FRAGMENT (G3.17–G3.21 only, G1.10 only) needs no part heading;
* items at any depth, ``(a)`` → ``(i)`` → ``(A)`` → ``(1)``: each list's kind is decided by its
  siblings (``(i)`` after ``(h)`` is a letter, unless the next item is ``(ii)``);
* closing words after a list (the words of G3.20 after its items);
* Section A style definitions: ``"Term" means …`` (any quotes), or a term on its own line
  followed by a line starting "means …" (a definitions table read row by row).

It never guesses silently: an item out of sequence, a paragraph joined to a clause's text, a
flattened redline number (``(a)(c)``) and text it cannot place are notes of the report
(:mod:`redline.importer.report`), with the place in the source. The result validates against
``redline/schema/corpus.rng``. Pure logic: no I/O.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from lxml import etree

from redline.errors import SourceError
from redline.importer.report import ImportReport
from redline.model import normalise_space, roman_value
from redline.validate import order_key


class Line(NamedTuple):
    """One paragraph of the source as a reader sees it."""

    label: str | None  # the number shown (typed or automatic), or None (then a typed one is looked for)
    text: str  # the words, without the number
    where: str  # "paragraph 12", "line 340"
    hint: str | None = None  # "heading" (a heading style), "furniture" (title, contents), None
    depth: int | None = None  # for unnumbered words: the list level their indent shows (0 = clause)


# --- patterns ---------------------------------------------------------------------------------

_CLAUSE = re.compile(r"^([A-Z])(\d{1,3}[A-Z]?)\.(\d{1,3}[A-Z]?)\.?$")
_PART = re.compile(r"^([A-Z])(\d{1,3}[A-Z]?)\.?$")
_ITEM_INNER = r"[0-9]{1,3}|[a-z]{1,3}|[A-Z]{1,3}|[ivxlcdm]{1,7}|[IVXLCDM]{1,7}"
_ITEM = re.compile(rf"^\(?({_ITEM_INNER})[).]$")
_TYPED_CLAUSE = re.compile(r"^([A-Z]\d{1,3}[A-Z]?\.\d{1,3}[A-Z]?)\.?(?:\s+|$)(.*)$", re.S)
_TYPED_ITEM = re.compile(rf"^\(({_ITEM_INNER})\)(?:\s+|$|(?=\((?:{_ITEM_INNER})\)\s))(.*)$", re.S)
_TYPED_PART = re.compile(r"^([A-Z]\d{1,3}[A-Z]?)\.?\s+(\S.*)$", re.S)
_SECTION = re.compile(r"^SECTION\s+([A-Z])\s*[-–—:]\s*(.+)$", re.I | re.S)
_INSTRUCTION = re.compile(r"^(Amend|Insert|Add|Delete|Replace|Renumber|Move)\b.*\b(Section|Sections|Clause|Part|"
                          r"definition)\b.*(as follows:?|after|before|with)\b", re.I)
_NOT_USED = re.compile(r"^\[?\s*(not used|intentionally (left )?blank|deleted|reserved)\s*\.?\s*\]?\.?$", re.I)
_QUOTED_TERM = re.compile(r"^([\"“'‘])(?P<term>[^\"“”'‘’]{1,150})([\"”'’])\s+(?P<rest>[a-z(].*)$", re.S)
_MEANS = re.compile(r"^(means|has the meaning|shall have the meaning|includes|in relation to)\b")
_SMALL = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with",
          "under", "upon", "per", "via", "nor", "but", "be"}
_TERMINAL = ".;:,"
HEADING_WORDS = 20  # longest cross-heading, in words

def letter_value(s: str) -> int | None:
    """a=1 … z=26, aa=27, bb=28 (Word's letters), or None."""
    if not s or not s.isalpha() or len(set(s)) != 1:
        return None
    return (len(s) - 1) * 26 + ord(s[0].lower()) - 96


@functools.lru_cache(maxsize=4096)
def item_kinds(inner: str) -> dict[str, int]:
    """The kinds a list label can be and its value in each: ``i`` -> {lower: 9, roman: 1}."""
    out: dict[str, int] = {}
    if inner.isdigit():
        out["digit"] = int(inner)
        return out
    if inner.islower():
        v = letter_value(inner)
        if v is not None:
            out["lower"] = v
        v = roman_value(inner)
        if v is not None:
            out["roman"] = v
    elif inner.isupper():
        v = letter_value(inner)
        if v is not None:
            out["upper"] = v
        v = roman_value(inner.lower())
        if v is not None:
            out["uroman"] = v
    return out


def title_case(text: str, acronyms: set[str] = frozenset()) -> str:
    """A heading in capitals in title case (``SECURITY: GENERAL PROVISIONS`` -> ``Security: General
    Provisions``); words in ``acronyms`` (``DCC``, ``SMETS1``) keep their capitals."""
    out = []
    first = True
    for word in re.split(r"(\s+)", text):
        if not word or word.isspace():
            out.append(word)
            continue
        core = word.strip("()[]'\"‘’“”:,;.")
        if core in acronyms or any(ch.isdigit() for ch in core):
            out.append(word)
        else:
            low = word.lower()
            if not first and core.lower() in _SMALL:
                out.append(low)
            else:
                i = next((k for k, ch in enumerate(low) if ch.isalpha()), None)
                out.append(low if i is None else low[:i] + low[i].upper() + low[i + 1:])
        first = word.endswith((":", "–", "-", "—"))
    return "".join(out)


def heading_like(text: str) -> bool:
    """Whether an unnumbered line reads as a heading: short, capitalised, no final punctuation."""
    t = text.strip()
    if not t or t[-1] in _TERMINAL or len(t.split()) > HEADING_WORDS:
        return False
    first = t[0]
    return first.isupper() or first.isdigit() or first in "[‘'\"“"


# --- the line kinds -----------------------------------------------------------------------------

class _Parsed(NamedTuple):
    kind: str  # section, part, clause, item, text, instruction, furniture
    label: str | None  # normalised: "G1", "G3.20", "(b)"; a section's letter
    text: str
    line: Line


@functools.lru_cache(maxsize=65536)
def _label_kind(label: str) -> tuple[str | None, str]:
    """(kind, normalised label) of a number as shown: clause ``G3.20``, item ``(b)``, part ``G3``, or
    (None, the label with its spaces normalised) for a number of another kind. (Labels repeat
    thousands of times in a whole code: worked out once each.)"""
    label = normalise_space(label)
    if _CLAUSE.match(label):
        return "clause", label.rstrip(".")
    m = _ITEM.match(label)
    if m:
        return "item", f"({m.group(1)})"
    if _PART.match(label):
        return "part", label.rstrip(".")
    return None, label


def parse_line(line: Line) -> _Parsed:
    """What a line is, from its label (or a typed number at the start of its words)."""
    text = normalise_space(line.text)
    if line.hint == "furniture":
        return _Parsed("furniture", None, text, line)
    if line.label:
        kind, label = _label_kind(line.label)
        if kind is not None:
            return _Parsed(kind, label, text, line)
        if label:
            text = f"{label} {text}".strip()  # a number of another kind ("1.", a bullet): keep it as words
    m = _SECTION.match(text)
    if m:
        return _Parsed("section", m.group(1).upper(), m.group(2).strip(), line)
    m = _TYPED_CLAUSE.match(text)
    if m:
        return _Parsed("clause", m.group(1), m.group(2).strip(), line)
    m = _TYPED_ITEM.match(text)
    if m:
        return _Parsed("item", f"({m.group(1)})", m.group(2).strip(), line)
    m = _TYPED_PART.match(text)
    if m and heading_like(m.group(2)) and not m.group(2).startswith("("):
        return _Parsed("part", m.group(1), m.group(2).strip(), line)
    if _PART.match(text):  # a part number alone (a part held without its heading)
        return _Parsed("part", text.rstrip("."), "", line)
    if _INSTRUCTION.match(text):
        return _Parsed("instruction", None, text, line)
    return _Parsed("text", None, text, line)


# --- the builder --------------------------------------------------------------------------------

class _Frame:
    """An open list: who holds it, its kind, its last number and last item, and the numbers of
    the items its owner holds (a list restarted after its closing words must not repeat one)."""

    __slots__ = ("owner", "kind", "last", "item", "nums")

    def __init__(self, owner, kind: str, last: int, item):
        self.owner, self.kind, self.last, self.item = owner, kind, last, item
        self.nums = {c.get("num") for c in owner.iterchildren("item")}


class _Builder:
    def __init__(self, parsed: list[_Parsed], section: str | None, report: ImportReport, source: str | None,
                 evidence: str | None):
        self.parsed = parsed
        self.report = report
        self.letter = section
        self.root = etree.Element("section", num=section or "X", heading="", coverage="partial")
        if source:
            self.root.set("source", source)
        if evidence:
            self.root.set("evidence", evidence)
        self.heading: str | None = None
        self.part = None
        self.parts: dict[str, etree._Element] = {}
        self.crossheading = None
        self.pending: tuple[str, str] | None = None  # a cross-heading waiting for its first clause
        self.clause = None
        self.container = None  # the clause or definition whose list is open
        self.frames: list[_Frame] = []
        self.clauses: dict[str, str] = {}  # clause number -> where it was found
        self.last_clause: dict[str, tuple] = {}  # part number -> its last clause number and its order key
        self.started = False
        self.other_section: str | None = None
        self._acronyms: set[str] | None = None
        self.close_clause()

    @property
    def acronyms(self) -> set[str]:
        """Words the text writes in capitals (worked out when a heading in capitals needs them)."""
        if self._acronyms is None:
            self._acronyms = _acronyms(p.text for p in self.parsed if p.kind in ("clause", "item", "text"))
        return self._acronyms

    # --- helpers -------------------------------------------------------------------------
    def note(self, kind: str, p: _Parsed, what: str, text: str | None = None) -> None:
        self.report.add(kind, p.line.where, what, p.text if text is None else text)

    def next_structural(self, i: int) -> _Parsed | None:
        parsed = self.parsed
        for j in range(i + 1, len(parsed)):
            p = parsed[j]
            if p.kind in ("instruction", "furniture"):
                continue
            return p
        return None

    def next_item_label(self, i: int) -> str | None:
        """The label of the next item before the next clause, part or section (for deciding kinds)."""
        parsed = self.parsed
        for j in range(i + 1, len(parsed)):
            p = parsed[j]
            if p.kind == "item":
                return p.label
            if p.kind in ("clause", "part", "section"):
                return None
        return None

    def close_clause(self) -> None:
        self.clause = self.container = None
        self.frames = []
        self.closed_owner = None
        self.terms: set[str] = set()
        self.has_definitions = False
        self.has_clause_items = False

    def ensure_part(self, num: str, p: _Parsed):
        """The part element ``num`` (made, without a heading, if the source printed none)."""
        part = self.parts.get(num)
        if part is None:
            part = etree.SubElement(self.root, "part", num=num, coverage="partial")
            self.parts[num] = part
            self.report.counts["parts"] += 1
            self.crossheading = None
        elif part is not self.part:
            self.note("review", p, f"part {num} appears again after another part; its clauses are filed under it")
        self.part = part
        return part

    # --- one line at a time -----------------------------------------------------------------
    def run(self) -> None:
        handlers: dict = {}  # kind -> its on_ method
        for i, p in enumerate(self.parsed):
            kind = p.kind
            if self.other_section:
                self.note("unplaced", p, f"after the start of Section {self.other_section}")
                continue
            if kind == "furniture":
                self.note("dropped", p, "not legal text (title, contents or furniture)")
                continue
            if kind == "instruction":
                self.note("dropped", p, "a drafting instruction")
                continue
            if not self.started:
                nxt = self.next_structural(i)
                starts = kind in ("section", "part", "clause") or (
                    kind == "text" and (heading_like(p.text) or p.line.hint == "heading")
                    and nxt is not None and nxt.kind == "clause")
                if not starts:
                    self.note("dropped", p, "before the legal text")
                    continue
                self.started = True
            handler = handlers.get(kind)
            if handler is None:
                handler = handlers[kind] = getattr(self, "on_" + kind)
            handler(i, p)

    def on_section(self, i: int, p: _Parsed) -> None:
        letter = p.label
        if self.letter is None:
            self.letter = letter
        elif letter != self.letter:
            if self.clauses:
                self.other_section = letter
                self.note("unplaced", p, f"Section {letter} starts here: only Section {self.letter} is imported")
                return
            self.note("review", p, f"the heading is of Section {letter}, but Section {self.letter} was asked for")
        if self.heading is not None:
            self.note("review", p, "a second section heading; the first is kept")
            return
        heading = p.text
        self.heading = title_case(heading, self.acronyms) if heading.isupper() else heading
        self.close_clause()

    def on_part(self, i: int, p: _Parsed) -> None:
        num = p.label
        if self.letter is not None and num[0] != self.letter:
            self.note("unplaced", p, f"part {num} is not in Section {self.letter}")
            return
        self.close_clause()
        self._flush_pending()
        part = self.ensure_part(num, p)
        heading = p.text
        if not heading:
            nxt = self.next_structural(i)
            if nxt is not None and nxt.kind == "text" and heading_like(nxt.text) and nxt.text.isupper() \
                    and nxt.line.hint != "heading":  # a heading in capitals on its own line (a cross-heading is not)
                self.parsed[self.parsed.index(nxt, i + 1)] = nxt._replace(kind="heading_of_part")
        if heading:
            heading = title_case(heading, self.acronyms) if heading.isupper() else heading
            if part.get("heading") and part.get("heading") != heading:
                self.note("review", p, f"part {num} has two headings; the first is kept")
            else:
                part.set("heading", heading)

    def on_heading_of_part(self, i: int, p: _Parsed) -> None:
        heading = title_case(p.text, self.acronyms) if p.text.isupper() else p.text
        if self.part is not None:
            self.part.set("heading", heading)

    def on_clause(self, i: int, p: _Parsed) -> None:
        num = p.label
        part_num = num.split(".")[0]
        if self.letter is not None and num[0] != self.letter:
            self.note("unplaced", p, f"clause {num} is not in Section {self.letter}")
            return
        if num in self.clauses:
            self.note("unplaced", p, f"{num} appears twice (first at {self.clauses[num]}); "
                                     "the second is left out")
            self.close_clause()
            return
        self.close_clause()
        if self.part is None or self.part.get("num") != part_num:
            self.ensure_part(part_num, p)
        self._check_order(num, p)
        parent = self.part
        if self.pending is not None:
            heading, _ = self.pending
            self.crossheading = etree.SubElement(self.part, "crossheading", heading=heading)
            self.report.counts["crossheadings"] += 1
            self.pending = None
        if self.crossheading is not None and self.crossheading.getparent() is self.part:
            parent = self.crossheading
        clause = etree.SubElement(parent, "clause", num=num)
        self.clauses[num] = p.line.where
        self.report.counts["clauses"] += 1
        if p.text:
            etree.SubElement(clause, "text").text = p.text
            if _NOT_USED.match(p.text):
                self.report.counts["not_used"] += 1
        self.clause = self.container = clause

    def _check_order(self, num: str, p: _Parsed) -> None:
        part_num = self.part.get("num")
        key = order_key(num) or (0, "")
        prev = self.last_clause.get(part_num)
        if prev is not None and key <= prev[1]:
            self.note("review", p, f"{num} comes after {prev[0]}: out of order")
        self.last_clause[part_num] = (num, key)

    def on_item(self, i: int, p: _Parsed) -> None:
        if self.container is None:
            self.note("unplaced", p, f"item {p.label} outside any clause")
            return
        label, text = p.label, p.text
        m = _TYPED_ITEM.match(text) if text[:1] == "(" else None
        if m:  # two numbers in a row: a flattened redline ("(a)(c)": the struck number and its replacement)
            second = f"({m.group(1)})"
            fits1, fits2 = self._fits(label), self._fits(second)
            if fits2 and not fits1:
                self.note("repaired", p, f"'{label}{second}' read as {second}: a renumbered item flattened from a "
                                         f"redline (the struck-through {label} and its replacement {second})",
                          f"{label}{second} {m.group(2)}")
                label, text = second, m.group(2).strip()
            else:
                self.note("review", p, f"the words of item {label} start with another number, {second}: "
                                       "a flattened redline? Kept as written")
        self._place_item(i, p, label, text)

    def _fits(self, label: str) -> bool:
        cands = item_kinds(label[1:-1])
        used = {f.kind for f in self.frames}
        for f in self.frames:
            if cands.get(f.kind) == f.last + 1:
                return True
        return any(v == 1 and k not in used for k, v in cands.items())

    def _place_item(self, i: int, p: _Parsed, label: str, text: str) -> None:
        cands = item_kinds(label[1:-1])
        if not cands:
            self.note("unplaced", p, f"{label} is not a list number")
            return
        frames = self.frames
        options: list[tuple[str, int | None, str]] = []  # (how, frame index, kind)
        for k in range(len(frames) - 1, -1, -1):
            f = frames[k]
            if cands.get(f.kind) == f.last + 1:
                options.append(("sibling", k, f.kind))
        for kind, v in cands.items():
            if v == 1 and all(f.kind != kind for f in frames):
                options.append(("new", None, kind))
        doubt = None
        if len(options) == 1:
            choice = options[0]
        elif options:
            nxt = self.next_item_label(i)
            confirmed = [o for o in options if nxt is not None and self._continues(o, cands, nxt)]
            if len(confirmed) == 1:
                choice = confirmed[0]
            else:
                choice = options[0]
                lead = self._innermost_text()
                if any(o[0] == "new" for o in options) and lead.rstrip().endswith((":", "—", "–", "-")):
                    choice = next(o for o in options if o[0] == "new")
                doubt = (f"{label} could continue a list or start a new one; taken as "
                         + ("the first of a new list" if choice[0] == "new" else "the next in its list")
                         + " (no later item decides it)")
        else:  # out of sequence
            same = [k for k in range(len(frames) - 1, -1, -1) if frames[k].kind in cands]
            if same:
                k = same[0]
                kind = frames[k].kind
                if cands[kind] <= frames[k].last:
                    self.note("unplaced", p, f"{label} repeats a number of its list "
                                             f"(after {self._label(frames[k])}); left out")
                    return
                self.note("review", p, f"{label} follows {self._label(frames[k])}: out of sequence")
                choice = ("sibling", k, kind)
            else:
                kind = next(iter(cands))
                self.note("review", p, f"{label} starts a list but is not its first number")
                choice = ("new", None, kind)
        if doubt:
            self.note("review", p, doubt)
        how, k, kind = choice
        if how == "sibling":
            del frames[k + 1:]
            frame = frames[k]
            owner = frame.owner
            closing = None
        else:
            owner = frames[-1].item if frames else self.container
            closing = _closing_at_end(owner)
            if closing is not None:
                self.note("review", p, f"{label} follows the closing words of its list")
            frame = _Frame(owner, kind, 0, None)
            frames.append(frame)
        clause = self.clause
        if owner is clause and self.has_definitions:
            self.note("unplaced", p, f"{label}: a list item among definitions")
            return
        if label in frame.nums:  # a list restarted after its closing words
            self.note("unplaced", p, f"{label} repeats a number of its list; left out")
            if how != "sibling":
                frames.pop()  # the list it would have started
            return
        if owner is clause:
            self.has_clause_items = True
        if how == "sibling":
            last = frame.item  # the owner's last child, unless closing words came after it
            if last is None or last.getnext() is not None:
                closing = _closing_at_end(owner)
        item = etree.SubElement(owner, "item", num=label)  # made in place: a free Element is a document of its own
        if closing is not None:
            closing.addprevious(item)
        if text:
            etree.SubElement(item, "text").text = text
        frame.last = cands[kind]
        frame.item = item
        frame.nums.add(label)
        self.report.counts["items"] += 1

    def _continues(self, option, cands: dict, nxt: str) -> bool:
        """Whether the next item label continues the list that ``option`` puts this one in."""
        how, k, kind = option
        n = item_kinds(nxt[1:-1])
        return n.get(kind) == cands[kind] + 1

    def _innermost_text(self) -> str:
        el = self.frames[-1].item if self.frames else self.container
        t = el.find("text") if el is not None else None
        return t.text if t is not None and t.text else ""

    @staticmethod
    def _label(frame: _Frame) -> str:
        return frame.item.get("num") if frame.item is not None else "the start"

    def on_text(self, i: int, p: _Parsed) -> None:
        text = p.text
        if not text:
            return
        nxt = self.next_structural(i)
        if self.clause is not None:
            m = _QUOTED_TERM.match(text)
            if m and self._definitions_allowed():
                self._definition(p, m.group("term").strip(), m.group("rest").strip())
                return
            if (nxt is not None and nxt.kind == "text" and _MEANS.match(nxt.text) and heading_like(text)
                    and self._definitions_allowed()):
                self.parsed[self.parsed.index(nxt, i + 1)] = nxt._replace(kind="definition_words")
                self._definition(p, text, None)
                return
        if (p.line.hint == "heading" or heading_like(text)) and (nxt is None or nxt.kind in ("clause", "part")) \
                and not (p.line.hint != "heading" and nxt is None):
            if self.part is None and nxt is not None and nxt.kind == "part":
                self.note("dropped", p, "a heading before the first part")
                return
            else:
                self.close_clause()
                if self.pending is not None:
                    self.note("review", p, "two cross-headings in a row; the first has no clause")
                    heading, _ = self.pending
                    if self.part is not None:
                        etree.SubElement(self.part, "crossheading", heading=heading)
                        self.report.counts["crossheadings"] += 1
                heading = title_case(text, self.acronyms) if text.isupper() else text
                self.pending = (heading, p.line.where)
                return
        if self.clause is None:
            self.note("unplaced", p, "words outside any clause")
            return
        self._words(p, text)

    def on_definition_words(self, i: int, p: _Parsed) -> None:
        if self.container is not None and self.container.tag == "definition" and self.container.find("text") is None:
            self._set_text(self.container, p.text)
        else:
            self.on_text(i, p._replace(kind="text"))

    def _definitions_allowed(self) -> bool:
        clause = self.clause
        return clause is not None and not self.has_clause_items and (not len(clause) or clause[-1].tag != "closing")

    def _definition(self, p: _Parsed, term: str, words: str | None) -> None:
        clause = self.clause
        if term in self.terms:
            self.note("unplaced", p, f"the definition of '{term}' appears twice in {clause.get('num')}; "
                                     "the second is left out")
            return
        d = etree.SubElement(clause, "definition", term=term)
        self.terms.add(term)
        self.has_definitions = True
        if words:
            etree.SubElement(d, "text").text = words
        self.container = d
        self.frames = []
        self.report.counts["definitions"] += 1

    def _words(self, p: _Parsed, text: str) -> None:
        """Unnumbered words inside a clause: its text, closing words after a list, or a second
        paragraph (joined, for review)."""
        container = self.container
        if self.frames:
            depth = p.line.depth if p.line.depth is not None else 0
            if container.tag == "definition":
                depth = max(depth - 1, 0) if p.line.depth is not None else 0
            depth = min(depth, len(self.frames))
            owner = self.frames[depth].owner if depth < len(self.frames) else self.frames[-1].item
            del self.frames[depth:]
            closing = owner.find("closing")
            if closing is not None:
                closing.text = f"{closing.text} {text}"
                self.note("review", p, f"a second paragraph after the list of {_name(owner)}: joined to its "
                                       "closing words")
            else:
                etree.SubElement(owner, "closing").text = text
                self.report.counts["closings"] += 1
            self.closed_owner = owner
            return
        owner = self.closed_owner if self.closed_owner is not None else container
        for tag in ("closing", "text"):
            el = owner.find(tag)
            if el is not None and (tag == "text" or owner is self.closed_owner):
                el.text = f"{el.text} {text}"
                self.note("review", p, f"a second paragraph of {_name(owner)} without a number: joined to its "
                                       f"{'closing words' if tag == 'closing' else 'text'}")
                return
        if owner.find("item") is not None or owner.find("definition") is not None:
            etree.SubElement(owner, "closing").text = text
            self.report.counts["closings"] += 1
            self.closed_owner = owner
            return
        self._set_text(owner, text)

    @staticmethod
    def _set_text(el, text: str) -> None:
        t = el.find("text")
        if t is None:
            t = etree.SubElement(el, "text")
            t.text = text
            if len(el) > 1:
                el.insert(0, t)
        else:
            t.text = f"{t.text} {text}"

    # --- the end ----------------------------------------------------------------------------
    def _flush_pending(self) -> None:
        """A cross-heading still waiting for a clause (a part or the end came first): kept, for review."""
        if self.pending is not None:
            heading, where = self.pending
            self.pending = None
            self.report.add("review", where, "a cross-heading with no clause after it", heading)
            if self.part is not None:
                etree.SubElement(self.part, "crossheading", heading=heading)
                self.report.counts["crossheadings"] += 1

    def finish(self) -> etree._Element:
        self._flush_pending()
        self.root.set("num", self.letter)
        self.root.set("heading", self.heading or "")
        return self.root


def _closing_at_end(el):
    """The closing words ``el`` ends with, or None."""
    last = el[-1] if len(el) else None
    return last if last is not None and last.tag == "closing" else None


def _name(el) -> str:
    if el.tag == "clause":
        return el.get("num")
    if el.tag == "definition":
        return f"the definition of '{el.get('term')}'"
    parts = [el.get("num")]
    node = el.getparent()
    while node is not None and node.tag == "item":
        parts.append(node.get("num"))
        node = node.getparent()
    clause = node.get("num") if node is not None and node.tag == "clause" else ""
    return clause + "".join(reversed(parts))


def _acronyms(texts) -> set[str]:
    """Words the text writes in capitals (DCC, SMETS1, SEC): kept so in headings put in title case."""
    out: set[str] = set()
    for t in texts:
        if t.isupper():
            continue  # a heading in capitals tells nothing
        for w in re.findall(r"\b[A-Z][A-Z0-9]+[a-z]?\b", t):
            if len(w) >= 2:
                out.add(w)
    return out


# --- coverage -----------------------------------------------------------------------------------

_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def _cited_parts(words: str, letter: str) -> set[int]:
    """The part numbers of Section ``letter`` that ``words`` cite (``G3`` in "Section G3.20"): the
    letter and digits, not inside a longer word. (A search for the letter first: a pattern that
    starts with a look-behind is tried at every position of a whole section's words.)"""
    out = set()
    for m in re.finditer(rf"{letter}(\d+)", words):
        i = m.start()
        if i and words[i - 1] in _ALNUM:
            continue
        out.add(int(m.group(1)))
    return out


def _decide_coverage(root, report: ImportReport, had_heading: bool) -> None:
    """A part is complete if its clauses run from 1 with no gap; the section if its heading was
    printed, its parts run from 1 with no gap, all are complete, and no text refers to a part of
    it beyond the last one held."""
    letter = root.get("num")
    part_nums = []
    all_complete = True
    for part in root.iter("part"):
        nums = [c.get("num").split(".")[1] for c in part.iter("clause")]
        whole = [int(n) for n in nums if n.isdigit()]
        complete = bool(whole) and sorted(set(whole)) == list(range(1, max(whole) + 1))
        part.set("coverage", "complete" if complete else "partial")
        if complete:
            report.coverage.append(f"{part.get('num')} complete: clauses {part.get('num')}.1 to "
                                   f"{part.get('num')}.{max(whole)} with no gap")
        else:
            all_complete = False
            span = f"{nums[0]}–{nums[-1]}" if nums else "none"
            report.coverage.append(f"{part.get('num')} partial: its clauses ({span}) do not run from 1 without a gap")
        m = re.match(r"[A-Z](\d+)", part.get("num"))
        part_nums.append(int(m.group(1)))
    words = " ".join(root.itertext("text", "closing", with_tail=False))  # (words only: no element holds both)
    cited = _cited_parts(words, letter)
    beyond = sorted(n for n in cited if not part_nums or n > max(part_nums))
    contiguous = bool(part_nums) and sorted(set(part_nums)) == list(range(1, max(part_nums) + 1))
    complete = had_heading and contiguous and all_complete and not beyond
    root.set("coverage", "complete" if complete else "partial")
    if complete:
        report.coverage.append(f"Section {letter} complete: its heading and parts {letter}1 to {letter}{max(part_nums)}")
    else:
        why = []
        if not had_heading:
            why.append("no section heading was printed")
        if not contiguous:
            why.append("its parts do not run from 1 without a gap")
        if not all_complete:
            why.append("a part is partial")
        if beyond:
            why.append(f"the text refers to {', '.join(f'{letter}{n}' for n in beyond[:5])}, which it does not hold")
        report.coverage.append(f"Section {letter} partial: " + "; ".join(why))


# --- the entry point ----------------------------------------------------------------------------

def build_section(lines, *, section: str | None = None, code: str = "SEC", report: ImportReport | None = None,
                  source: str | None = None, evidence: str | None = "printed",
                  where: str = "the source") -> tuple[etree._Element, ImportReport]:
    """The corpus ``section`` element for ``lines`` (a whole section or a fragment), and the report.

    ``section`` is the letter (else taken from the numbers found); ``source``/``evidence`` are set
    on the section element (the manifest source id, ``printed``). ``report`` is extended if given
    (a text reader's repairs come first). Raises :class:`SourceError` if no clause is found or the
    numbers belong to more than one section and none was named. The element validates against the
    corpus schema, and each part's and the section's coverage is decided.
    """
    root, report = _outline(lines, section, report, source, evidence, where)
    _decide_coverage(root, report, report.heading is not None)
    _validate(root, where)
    return root, report


def outline_section(lines, *, section: str | None = None, report: ImportReport | None = None,
                    source: str | None = None, evidence: str | None = "printed",
                    where: str = "the source") -> tuple[etree._Element, ImportReport]:
    """:func:`build_section`'s structure of ``lines`` (parts, cross-headings, clauses, items,
    definitions, closing words) and its report, for a reader that compares the structure with a
    version rather than stores it (``redline import-annex``): coverage is not decided, and the
    element is not checked against the corpus schema (which the builder's own tests prove), only
    for numbers given twice (an item number in one list, a term in one clause: CorpusError).
    ``lines`` may hold what :func:`parse_line` made of each :class:`Line` (a reader that parsed
    them already passes those)."""
    root, report = _outline(lines, section, report, source, evidence, where)
    from redline.validate import check_section

    check_section(root, where, order=False)
    return root, report


def _outline(lines, section: str | None, report: ImportReport | None, source: str | None, evidence: str | None,
             where: str) -> tuple[etree._Element, ImportReport]:
    if section is not None and not re.fullmatch(r"[A-Z]", section):
        raise SourceError(f"--section must be one capital letter, not {section!r}", where)
    report = report or ImportReport(where)
    parsed = [ln if ln.__class__ is _Parsed else parse_line(ln) for ln in lines]
    letter = section
    if letter is None:
        letters = [p.label[0] for p in parsed if p.kind == "clause"]
        if not letters:
            letters = [p.label[0] for p in parsed if p.kind == "part"]
        if not letters:
            raise SourceError("no clause numbers (such as G1.1) were found: is this a section of the code?", where)
        counts = {x: letters.count(x) for x in set(letters)}
        letter = max(counts, key=lambda x: (counts[x], -letters.index(x)))
        if len(counts) > 1:
            first = letters[0]
            letter = first if first == letter else letter
            others = ", ".join(sorted(x for x in counts if x != letter))
            report.add("review", "the whole source", f"clause numbers of Sections {others} were found too; "
                                                     f"Section {letter} is imported (use --section)")
    builder = _Builder(parsed, letter, report, source, evidence)
    builder.run()
    if not builder.clauses:
        raise SourceError(f"no clause of Section {letter} was found in the source", where)
    root = builder.finish()
    gone = {n.where for n in report.dropped}
    report.review = [n for n in report.review if n.where not in gone]  # doubts about text not imported
    report.section = letter
    report.heading = builder.heading
    nums = [c.get("num") for c in root.iter("clause")]
    report.span = (nums[0], nums[-1]) if nums else None
    return root, report


def split_sections(lines) -> list[tuple[str | None, list]]:
    """The lines of a document cut at each section heading (``SECTION G – SECURITY``): (letter,
    lines) for each section, the lines before the first heading going with it. One piece (letter
    None) if the document has fewer than two section headings."""
    cuts = []
    for i, ln in enumerate(lines):
        text = ln.text if ln.label is None else ""
        if text[:7].upper() == "SECTION":
            m = _SECTION.match(normalise_space(text))
            if m:
                cuts.append((i, m.group(1).upper()))
    if len({letter for _, letter in cuts}) < 2:
        return [(None, list(lines))]
    out = []
    for k, (i, letter) in enumerate(cuts):
        start = 0 if k == 0 else i
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(lines)
        out.append((letter, list(lines[start:end])))
    return out


def plan_sections(lines, *, section: str | None = None, report: ImportReport | None = None,
                  where: str = "the source") -> list[tuple[str | None, list, ImportReport]]:
    """The sections of a document that may hold several (a whole code): (letter, lines, report)
    for each section it holds, in document order (one piece, letter None, if it holds fewer than two section
    headings). With ``section`` only that one (the others are noted as dropped in ``report``).
    The first piece's report is ``report`` (what the reader of the document found); each of the
    others starts empty. Each piece is then built on its own (:func:`build_section`): they share
    nothing, so a caller may build them in any order or at once (``redline import`` shares them
    among processes)."""
    report = report or ImportReport(where)
    pieces = split_sections(lines)
    if len(pieces) == 1:
        return [(section, pieces[0][1], report)]
    if section is not None:
        chosen = [(letter, part) for letter, part in pieces if letter == section]
        if not chosen:
            raise SourceError(f"the document holds Sections {', '.join(x for x, _ in pieces)}, not {section}", where)
        for letter, part in pieces:
            if letter != section and part:
                report.add("dropped", part[0].where, f"Section {letter} ({len(part)} paragraphs): only Section "
                                                     f"{section} is imported")
        pieces = chosen
    return [(letter, part, report if k == 0 else ImportReport(report.source)) for k, (letter, part) in enumerate(pieces)]


def _validate(root, where: str) -> None:
    from redline.validate import check_section, schema

    tree = etree.ElementTree(root)
    rng = schema("corpus")
    if not rng.validate(tree):  # a bug of the builder, never of the source: say so plainly
        raise SourceError(f"internal error: the imported section does not match the corpus schema "
                          f"({rng.error_log.last_error.message})", where)
    check_section(root, where, order=False)  # numbers out of order are a note of the report, not an error
