"""Styles of a .docx (``word/styles.xml``): names, and what a paragraph or run inherits from them.

A style's effective properties are its own, then those of the style it is ``w:basedOn``, and so
on up the chain (cycles and dangling references are cut and reported), then the document
defaults (``w:docDefaults``). What the reader needs from them: a paragraph style's name, its
outline level, its numbering (``w:numPr``: numId and ilvl, resolved separately along the chain,
as Word does), and the run flags a redline mark-up uses (underline, strike, colour, hidden).
"""

from __future__ import annotations

from typing import NamedTuple

from redline.word.package import int_value

#: the run flags a reader uses: (underline, strike, colour, vanish); None = not set at this level
class RunFlags(NamedTuple):
    underline: bool | None = None
    strike: bool | None = None
    colour: str | None = None  # "FF0000"; "" = explicitly automatic
    vanish: bool | None = None

    def over(self, base: "RunFlags") -> "RunFlags":
        """These flags with anything unset taken from ``base``."""
        return RunFlags(*(b if a is None else a for a, b in zip(self, base)))

    def final(self) -> tuple[bool, bool, str | None, bool]:
        """(underline, strike, colour or None, vanish) with defaults filled in."""
        return bool(self.underline), bool(self.strike), self.colour or None, bool(self.vanish)


NO_FLAGS = RunFlags()
_OFF = ("0", "false", "off", "none")


def run_flags(rpr, w: str) -> RunFlags:
    """The flags set by one ``w:rPr`` element (or None)."""
    if rpr is None:
        return NO_FLAGS
    u = s = c = v = None
    for child in rpr:
        tag = child.tag
        if tag == w + "u":
            u = (child.get(w + "val") or "single") not in _OFF
        elif tag == w + "strike" or tag == w + "dstrike":
            on = (child.get(w + "val") or "true") not in _OFF
            s = on or bool(s)
        elif tag == w + "color":
            val = child.get(w + "val") or ""
            c = "" if val.lower() == "auto" else val.upper()
        elif tag == w + "vanish":
            v = (child.get(w + "val") or "true") not in _OFF
    if u is None and s is None and c is None and v is None:
        return NO_FLAGS
    return RunFlags(u, s, c, v)


class Style(NamedTuple):
    id: str
    name: str
    type: str  # paragraph, character, table, numbering
    based_on: str | None
    num_id: str | None  # w:pPr/w:numPr/w:numId, as written on this style
    ilvl: int | None
    outline: int | None  # w:pPr/w:outlineLvl (9 = body text -> None)
    flags: RunFlags


#: built-in style names that styles.xml spells in lower case, as Word shows them
def display_name(name: str) -> str:
    """Word's UI name for a style name as stored (``heading 1`` -> ``Heading 1``, ``toc 2`` -> ``TOC 2``)."""
    if not name or name != name.lower():
        return name
    words = name.split(" ")
    return " ".join("TOC" if w == "toc" else (w[:1].upper() + w[1:]) for w in words)


class Styles:
    """The styles part, indexed by id, with chains resolved on demand (memoised)."""

    def __init__(self, root, w: str):
        self.w = w
        self.by_id: dict[str, Style] = {}
        self.default_paragraph: str | None = None
        self.default_character: str | None = None
        self.problems: list[str] = []
        self.doc_flags = NO_FLAGS
        self._memo: dict = {}
        if root is None:
            return
        defaults = root.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr")
        self.doc_flags = run_flags(defaults, w)
        for el in root.iter(w + "style"):
            sid = el.get(w + "styleId")
            if not sid:
                continue
            kind = el.get(w + "type") or "paragraph"
            name_el = el.find(w + "name")
            name = display_name(name_el.get(w + "val") if name_el is not None else "") or sid
            based = el.find(w + "basedOn")
            ppr = el.find(w + "pPr")
            num_id = ilvl = outline = None
            if ppr is not None:
                numpr = ppr.find(w + "numPr")
                if numpr is not None:
                    n = numpr.find(w + "numId")
                    num_id = n.get(w + "val") if n is not None else None
                    lv = numpr.find(w + "ilvl")
                    ilvl = int_value(lv.get(w + "val")) if lv is not None else None
                ol = ppr.find(w + "outlineLvl")
                if ol is not None:
                    outline = int_value(ol.get(w + "val"))
                    if outline is not None and not 0 <= outline <= 8:
                        outline = None
            flags = run_flags(el.find(w + "rPr"), w)
            style = Style(sid, name, kind, based.get(w + "val") if based is not None else None,
                          num_id, ilvl, outline, flags)
            if sid in self.by_id:
                self.problems.append(f"style {sid} is defined twice; the first definition is used")
                continue
            self.by_id[sid] = style
            if el.get(w + "default") in ("1", "true", "on"):
                if kind == "paragraph" and self.default_paragraph is None:
                    self.default_paragraph = sid
                elif kind == "character" and self.default_character is None:
                    self.default_character = sid

    def chain(self, sid: str | None) -> tuple[Style, ...]:
        """The style ``sid`` and the styles it is based on, nearest first (cycles cut)."""
        key = ("chain", sid)
        got = self._memo.get(key)
        if got is not None:
            return got
        out: list[Style] = []
        seen = set()
        cur = sid
        while cur is not None and cur not in seen:
            seen.add(cur)
            st = self.by_id.get(cur)
            if st is None:
                if cur != sid:
                    self.problems.append(f"style {out[-1].id} is based on {cur}, which is not defined")
                break
            out.append(st)
            cur = st.based_on
        if cur is not None and cur in seen:
            self.problems.append(f"style {sid} is based on itself (through {cur}); the loop is cut")
        got = tuple(out)
        self._memo[key] = got
        return got

    def paragraph_style(self, sid: str | None) -> tuple[str | None, str | None, str | None]:
        """(style id, name, problem) of a paragraph's ``w:pStyle`` (None: the default style)."""
        if sid is not None and sid in self.by_id:
            return sid, self.by_id[sid].name, None
        default = self.default_paragraph
        name = self.by_id[default].name if default else None
        if sid is None:
            return default, name, None
        return sid, name, f"paragraph style {sid} is not defined; the default style is assumed"

    def numbering(self, sid: str | None) -> tuple[str | None, int | None]:
        """(numId, ilvl) a paragraph style gives, each from the nearest style in the chain that sets it."""
        key = ("num", sid)
        got = self._memo.get(key)
        if got is None:
            num_id = ilvl = None
            for st in self.chain(sid):
                if num_id is None and st.num_id is not None:
                    num_id = st.num_id
                if ilvl is None and st.ilvl is not None:
                    ilvl = st.ilvl
            got = self._memo[key] = (num_id, ilvl)
        return got

    def outline_level(self, sid: str | None) -> int | None:
        for st in self.chain(sid):
            if st.outline is not None:
                return st.outline
        return None

    def flags(self, pstyle: str | None, rstyle: str | None) -> RunFlags:
        """The run flags inherited from a character style (chain), then the paragraph style (chain),
        then the document defaults."""
        key = ("flags", pstyle, rstyle)
        got = self._memo.get(key)
        if got is None:
            got = NO_FLAGS
            for st in self.chain(rstyle) if rstyle else ():
                got = got.over(st.flags) if got is not NO_FLAGS else st.flags
            for st in self.chain(pstyle):
                got = got.over(st.flags)
            got = self._memo[key] = got.over(self.doc_flags)
        return got


