"""Word's automatic numbering (``word/numbering.xml``), computed as Word displays it.

The model (ECMA-376 Part 1, 17.9): a paragraph names a numbering instance (``w:num``, by numId)
and a level (``w:ilvl``, 0-8), on the paragraph or through its style. An instance points to an
abstract definition (``w:abstractNum``, possibly through a numbering style's ``w:numStyleLink``)
and may override levels (``w:lvlOverride``: a ``w:startOverride`` and/or a whole ``w:lvl``).
Each level has a start value, a format (``w:numFmt``), a text with ``%1``..``%9`` placeholders
for the counters of levels 1-9 (``w:lvlText``), a restart rule (``w:lvlRestart``; by default a
level restarts whenever an earlier level is used) and ``w:isLgl`` (show every level in decimal).

Counters live with the abstract definition, as in Word: instances of one abstract definition
share them (a list continues across instances); the first paragraph of an instance that has a
``w:startOverride`` restarts the overridden levels at the override. :class:`Counters` holds the
state of one reading of the document (a "view": tracked changes accepted or rejected) and gives
each numbered paragraph its label in one pass.

A malformed definition never stops the reading: the most likely number is given and a problem
is recorded (missing instance or level, an unknown format, a placeholder for a deeper level).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redline.word.package import int_value

MAX_LEVELS = 9
_MISSING = object()
_PLACEHOLDER = re.compile(r"%([1-9])")


def _restarts(levels: dict[int, "Level"], ilvl: int) -> tuple[tuple[int, int], ...]:
    """(level, its start) of each deeper level that a paragraph at ``ilvl`` restarts: every one
    unless its ``lvlRestart`` is 0 (never) or names a level deeper than ``ilvl`` (OOXML 17.9.10)."""
    out = []
    for m in range(ilvl + 1, MAX_LEVELS):
        lvl = levels.get(m)
        r = lvl.restart if lvl is not None else None
        if r == 0:
            continue
        if r is None or r - 1 >= m or ilvl <= r - 1:
            out.append((m, lvl.start if lvl is not None else 0))
    return tuple(out)


class Level(NamedTuple):
    start: int
    fmt: str  # decimal, lowerLetter, ..., none, bullet
    text: str | None  # lvlText (None: not given)
    restart: int | None  # lvlRestart (None: default)
    legal: bool  # isLgl
    style: str | None  # w:pStyle: the paragraph style bound to this level


class Num(NamedTuple):
    abstract: str
    overrides: dict  # ilvl -> start override
    levels: dict  # ilvl -> Level that replaces the abstract's


class Numbering:
    """The numbering part: abstract definitions and instances (an empty one if the part is absent)."""

    def __init__(self, root, w: str, styles=None):
        self.w = w
        self.abstract: dict[str, dict[int, Level]] = {}
        self.links: dict[str, str] = {}  # abstractNumId -> numbering style (numStyleLink)
        self.nums: dict[str, Num] = {}
        self.problems: list[str] = []
        self._levels: dict[str, dict[int, Level] | None] = {}
        self._abstract: dict = {}
        self._styles = styles
        if root is None:
            return
        for a in root.iter(w + "abstractNum"):
            aid = a.get(w + "abstractNumId")
            if aid is None:
                continue
            self.abstract[aid] = {lv: lvl for lv, lvl in (self._level(el) for el in a.iter(w + "lvl")) if lv is not None}
            link = a.find(w + "numStyleLink")
            if link is not None and link.get(w + "val"):
                self.links[aid] = link.get(w + "val")
        for n in root.iter(w + "num"):
            nid = n.get(w + "numId")
            ref = n.find(w + "abstractNumId")
            if nid is None or ref is None:
                continue
            overrides, levels = {}, {}
            for o in n.iter(w + "lvlOverride"):
                lv = int_value(o.get(w + "ilvl"))
                if lv is None or not 0 <= lv < MAX_LEVELS:
                    continue
                so = o.find(w + "startOverride")
                if so is not None and int_value(so.get(w + "val")) is not None:
                    overrides[lv] = int_value(so.get(w + "val"))
                lvl_el = o.find(w + "lvl")
                if lvl_el is not None:
                    _, lvl = self._level(lvl_el)
                    levels[lv] = lvl
            self.nums[nid] = Num(ref.get(w + "val"), overrides, levels)

    def _level(self, el) -> tuple[int | None, Level | None]:
        w = self.w
        lv = int_value(el.get(w + "ilvl"))
        if lv is None or not 0 <= lv < MAX_LEVELS:
            return None, None

        def val(tag: str) -> str | None:
            c = el.find(w + tag)
            return c.get(w + "val") if c is not None else None

        start = int_value(val("start"))
        text_el = el.find(w + "lvlText")
        text = None
        if text_el is not None:
            text = "" if text_el.get(w + "null") in ("1", "true", "on") else (text_el.get(w + "val") or "")
        legal_el = el.find(w + "isLgl")
        legal = legal_el is not None and (legal_el.get(w + "val") or "true") not in ("0", "false", "off")
        return lv, Level(start if start is not None else 0, val("numFmt") or "decimal", text,
                         int_value(val("lvlRestart")), legal, val("pStyle"))

    def abstract_id(self, num_id: str) -> str | None:
        """The abstract definition an instance uses, through a numbering style's link if any."""
        got = self._abstract.get(num_id, _MISSING)
        if got is _MISSING:
            got = self._abstract[num_id] = self._abstract_id(num_id)
        return got

    def _abstract_id(self, num_id: str) -> str | None:
        num = self.nums.get(num_id)
        if num is None:
            return None
        aid = num.abstract
        for _ in range(4):  # numStyleLink -> style -> numId -> abstract (short chains only)
            link = self.links.get(aid)
            if link is None or self._styles is None:
                break
            target, _ = self._styles.numbering(link)
            if target is None or target not in self.nums or self.nums[target].abstract == aid:
                break
            aid = self.nums[target].abstract
        return aid

    def levels(self, num_id: str) -> dict[int, Level] | None:
        """The levels an instance shows (the abstract's, with whole-level overrides), or None."""
        if num_id in self._levels:
            return self._levels[num_id]
        num = self.nums.get(num_id)
        out = None
        if num is not None:
            aid = self.abstract_id(num_id)
            base = self.abstract.get(aid)
            if base is not None:
                out = dict(base)
                out.update(num.levels)
        self._levels[num_id] = out
        return out

    def level_for_style(self, num_id: str, style_id: str) -> int | None:
        """The level of instance ``num_id`` bound to paragraph style ``style_id`` (``w:lvl/w:pStyle``)."""
        levels = self.levels(num_id) or {}
        for lv, lvl in sorted(levels.items()):
            if lvl.style == style_id:
                return lv
        return None


class _Step(NamedTuple):
    """What a paragraph of one (instance, level) does: see :meth:`Counters._step`."""

    abstract: str | None  # whose counters it moves
    levels: dict  # the instance's levels
    restarts: tuple  # (level, start value) of each deeper level it restarts
    plan: object  # the label as literal text and (level, {value: text}, format) pieces, or _COMPUTE


class _State:
    __slots__ = ("cur", "nxt")

    def __init__(self, levels: dict[int, Level]):
        self.cur: list[int | None] = [None] * MAX_LEVELS
        self.nxt: list[int] = [levels[i].start if i in levels else 0 for i in range(MAX_LEVELS)]


class Counters:
    """The running counters of one view of a document; :meth:`advance` numbers one paragraph.

    What a paragraph of (instance, level) needs besides the counters is the same for every such
    paragraph, and worked out on the first: the abstract definition whose counters it moves, the
    deeper levels it restarts (with their start values) and how its label is written
    (:meth:`_step`). A definition with a problem to report takes the careful path every time."""

    def __init__(self, numbering: Numbering):
        self.numbering = numbering
        self.states: dict[str, _State] = {}
        self.seen: set[str] = set()
        self._plans: dict = {}
        self._steps: dict[str, dict] = {}  # num_id -> ilvl -> _Step, or None (the careful path)

    def advance(self, num_id: str, ilvl: int, problems: list[str]) -> str | None:
        """Count a paragraph of instance ``num_id`` at level ``ilvl``; its label (None if none shows).

        Problems with the definition are appended to ``problems`` with what was assumed."""
        by_level = self._steps.get(num_id)
        if by_level is None:
            by_level = self._steps[num_id] = {}
        step = by_level.get(ilvl, _MISSING)
        if step is _MISSING:
            step = by_level[ilvl] = self._step(num_id, ilvl)
        if step is None:
            return self._advance_slow(num_id, ilvl, problems)
        st = self._count(step.abstract, step.levels, num_id, ilvl, step.restarts)
        cur, nxt = st.cur, st.nxt
        plan = step.plan
        if plan is _COMPUTE:
            return self._label_slow(step.levels, ilvl, st, num_id, problems)
        out = []
        for piece in plan:
            if piece.__class__ is str:
                out.append(piece)
            else:
                k, memo, fmt = piece
                n = cur[k]
                if n is None:
                    n = nxt[k] - 1
                got = memo.get(n)
                if got is None:
                    got = memo[n] = format_number(n, fmt)
                out.append(got)
        return "".join(out) or None

    def _step(self, num_id: str, ilvl: int) -> _Step | None:
        """What every paragraph of (``num_id``, ``ilvl``) does to the counters; None if the
        definition has a problem to report (missing instance, definition or level)."""
        nb = self.numbering
        levels = nb.levels(num_id)
        if not levels or ilvl not in levels:
            return None
        restarts = _restarts(levels, ilvl)
        plan = self._plan(levels, ilvl)
        if plan is not _COMPUTE:
            plan = tuple(p if p.__class__ is str else (p[0], _FORMATTED.setdefault(p[1], {}), p[1]) for p in plan)
        return _Step(nb.abstract_id(num_id), levels, restarts, plan)

    def _advance_slow(self, num_id: str, ilvl: int, problems: list[str]) -> str | None:
        """:meth:`advance` for a definition with a problem: each paragraph reports it."""
        nb = self.numbering
        levels = nb.levels(num_id)
        if levels is None:
            if num_id not in nb.nums:
                problems.append(f"numbering instance {num_id} is not defined; the paragraph is taken as unnumbered")
            else:
                problems.append(f"numbering instance {num_id} names abstract definition "
                                f"{nb.nums[num_id].abstract}, which is not defined; the paragraph is taken as unnumbered")
            return None
        if not levels:
            problems.append(f"numbering instance {num_id} defines no levels; the paragraph is taken as unnumbered")
            return None
        if ilvl not in levels:
            near = max((lv for lv in levels if lv <= ilvl), default=min(levels))
            problems.append(f"numbering instance {num_id} has no level {ilvl}; level {near} is used")
            ilvl = near
        st = self._count(nb.abstract_id(num_id), levels, num_id, ilvl, _restarts(levels, ilvl))
        return self._label(levels, ilvl, st, num_id, problems)

    def _count(self, abstract: str | None, levels: dict, num_id: str, ilvl: int, restarts: tuple) -> _State:
        """Count one paragraph of (``num_id``, ``ilvl``) in the counters of its abstract definition
        (the instance's overrides applied the first time it is seen; the deeper levels in
        ``restarts`` set back to their starts); the counters, for its label."""
        st = self.states.get(abstract)
        if st is None:
            st = self.states[abstract] = _State(levels)
        cur, nxt = st.cur, st.nxt
        if num_id not in self.seen:
            self.seen.add(num_id)
            for lv, value in self.numbering.nums[num_id].overrides.items():
                cur[lv] = None
                nxt[lv] = value
        value = nxt[ilvl]
        cur[ilvl] = value
        nxt[ilvl] = value + 1
        for m, start in restarts:
            cur[m] = None
            nxt[m] = start
        return st

    def _label(self, levels: dict[int, Level], ilvl: int, st: _State, num_id: str, problems: list[str]) -> str | None:
        key = (num_id, ilvl)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(levels, ilvl)
        if plan is _COMPUTE:
            return self._label_slow(levels, ilvl, st, num_id, problems)
        out = []
        cur, nxt = st.cur, st.nxt
        for piece in plan:
            if piece.__class__ is str:
                out.append(piece)
            else:
                k, fmt = piece
                n = cur[k]
                out.append(format_number(n if n is not None else nxt[k] - 1, fmt))
        return "".join(out) or None

    def _plan(self, levels: dict[int, Level], ilvl: int):
        """The label of a level as literal text and (level, format) pieces; _COMPUTE when it needs
        the careful path (a problem to report, a bullet, no number)."""
        lvl = levels[ilvl]
        text = lvl.text
        if text is None or lvl.fmt in ("bullet", "none") or not text:
            return _COMPUTE
        plan: list = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            k = int(m.group(1)) - 1
            other = levels.get(k)
            fmt = "decimal" if lvl.legal and k != ilvl else (other.fmt if other is not None else "decimal")
            if lvl.legal and k == ilvl and fmt not in ("decimal", "decimalZero", "none"):
                fmt = "decimal"
            if k > ilvl or fmt not in _SUPPORTED:
                return _COMPUTE
            if m.start() > pos:
                plan.append(text[pos:m.start()])
            plan.append((k, fmt))
            pos = m.end()
        if pos < len(text):
            plan.append(text[pos:])
        return tuple(plan)

    def _label_slow(self, levels: dict[int, Level], ilvl: int, st: _State, num_id: str,
                    problems: list[str]) -> str | None:
        lvl = levels[ilvl]
        if lvl.fmt == "none" and not lvl.text:
            return None
        text = lvl.text
        if text is None:
            problems.append(f"numbering instance {num_id} level {ilvl} has no number text (w:lvlText); "
                            f"%{ilvl + 1} is assumed")
            text = f"%{ilvl + 1}"
        if lvl.fmt == "bullet":
            return text or None

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            other = levels.get(k)
            if k > ilvl:
                problems.append(f"numbering instance {num_id} level {ilvl} shows the counter of the deeper level "
                                f"{k} (%{k + 1}); its current value is used")
            cur = st.cur[k]
            n = cur if cur is not None else st.nxt[k] - 1
            fmt = "decimal" if lvl.legal and k != ilvl else (other.fmt if other is not None else "decimal")
            if lvl.legal and k == ilvl and fmt not in ("decimal", "decimalZero", "none"):
                fmt = "decimal"
            return format_number(n, fmt, problems)

        label = _PLACEHOLDER.sub(sub, text)
        return label or None


_COMPUTE = object()
#: format -> {counter value: the value written in that format} (numbers repeat in every list)
_FORMATTED: dict[str, dict[int, str]] = {}

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def roman(n: int) -> str:
    """``n`` in lower-case roman numerals (n >= 1)."""
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def letters(n: int) -> str:
    """Word's letter numbering: a..z, then aa, bb, .. zz, then aaa (n >= 1)."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_ORD = {1: "st", 2: "nd", 3: "rd"}
_SUPPORTED = {"decimal", "decimalZero", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "none",
              "bullet", "ordinal"}


def format_number(n: int, fmt: str, problems: list[str] | None = None) -> str:
    """The counter value ``n`` written in numbering format ``fmt``."""
    if fmt == "decimal":
        return str(n)
    if fmt == "none":
        return ""
    if n <= 0 and fmt in ("lowerLetter", "upperLetter", "lowerRoman", "upperRoman"):
        return str(n)  # Word shows 0 and negatives as digits
    if fmt == "lowerLetter":
        return letters(n)
    if fmt == "upperLetter":
        return letters(n).upper()
    if fmt == "lowerRoman":
        return roman(n)
    if fmt == "upperRoman":
        return roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "ordinal":
        return f"{n}{'th' if 10 <= n % 100 <= 20 else _ORD.get(n % 10, 'th')}"
    if problems is not None:
        problems.append(f"numbering format {fmt!r} is not supported; the number is shown in decimal")
    return str(n)


