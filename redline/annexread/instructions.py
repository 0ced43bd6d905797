"""Drafting instructions: read them from an Annex A and check them against what its marks show.

An Annex A says what it does in sentences such as "Amend Section G3.20 as follows:", "Add Section
G1.10 after Section G1.9", "Delete Section G3.8", "Renumber Section G3.9 as Section G3.10",
"Move Section G3.9 to follow Section G3.12 as Section G3.13" or "Add the definition of 'Shared
Resource' to Section A1.1". :func:`parse_instruction` turns one into an :class:`Instruction`
(verb, the sections it names, where an addition goes); :func:`check_agreement` compares the
instructions with the changes read from the mark-up and says, in plain words, where they
disagree. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from redline.model import Address, normalise_space

_ADDR = r"[A-Z][0-9]+[A-Z]?(?:\.[0-9]+[A-Z]?)?(?:\([0-9A-Za-z]{1,6}\))*"
_ADDR_RE = re.compile(_ADDR)
_VERB = re.compile(r"^\s*(amend|add|insert|delete|remove|renumber|move|replace)\b", re.I)
_SECTION_WORD = re.compile(r"\bSections?\b", re.I)
_RANGE = re.compile(rf"({_ADDR})\s+(?:to|–|-)\s+({_ADDR})")
_WHERE = re.compile(rf"\b(after|before|to follow|following|immediately after|immediately before|"
                    rf"at the (?:end|start|beginning) of)\s+(?:Section\s+)?({_ADDR})", re.I)
_AS = re.compile(rf"\bas\s+(?:new\s+)?Section\s+({_ADDR})", re.I)
_TERM = re.compile(r"definitions?\s+of\s+[‘'\"“]([^’'\"”]+)[’'\"”]", re.I)
_HEADING = re.compile(r"\bheading\b", re.I)


@dataclass(frozen=True)
class Instruction:
    """One drafting instruction as read from the document.

    ``verb`` is ``amend``, ``add``, ``delete``, ``renumber``, ``move``, ``amend-heading``,
    ``add-definition``, ``amend-definition`` or ``delete-definition``; ``targets`` the sections
    it names (ranges expanded where the numbers allow); ``position``/``anchor`` where an
    addition or a move goes; ``new`` the number a renumbering or move gives.
    """

    text: str
    where: str
    verb: str
    targets: tuple[Address, ...] = ()
    position: str | None = None
    anchor: Address | None = None
    new: Address | None = None
    term: str | None = None
    also_amends: bool = False


def looks_like_instruction(text: str) -> bool:
    """Whether a paragraph reads as a drafting instruction (a verb, then a Section it names)."""
    if not _VERB.match(text):  # (said first: most paragraphs are not instructions)
        return False
    t = normalise_space(text)
    return bool(_VERB.match(t)) and bool(_SECTION_WORD.search(t)) and bool(_ADDR_RE.search(t)) and len(t) < 400


def _addresses(text: str) -> list[Address]:
    out: list[Address] = []
    for m in _ADDR_RE.finditer(text):
        try:
            a = Address.parse(m.group(0))
        except Exception:  # noqa: BLE001 - a token shaped like an address that is not one
            continue
        if a not in out:
            out.append(a)
    return out


def _expand(text: str) -> list[Address]:
    """The addresses named, with ``X to Y`` ranges of clauses in one part filled in."""
    out: list[Address] = []
    last = 0
    for m in _RANGE.finditer(text):
        out += _addresses(text[last:m.start()])
        a, b = m.group(1), m.group(2)
        out += _clause_range(a, b)
        last = m.end()
    out += _addresses(text[last:])
    seen: list[Address] = []
    for a in out:
        if a not in seen:
            seen.append(a)
    return seen


def _clause_range(a: str, b: str) -> list[Address]:
    ma = re.fullmatch(r"([A-Z][0-9]+[A-Z]?)\.([0-9]+)", a)
    mb = re.fullmatch(r"([A-Z][0-9]+[A-Z]?)\.([0-9]+)", b)
    if ma and mb and ma.group(1) == mb.group(1) and int(ma.group(2)) <= int(mb.group(2)) <= int(ma.group(2)) + 500:
        return [Address.parse(f"{ma.group(1)}.{n}") for n in range(int(ma.group(2)), int(mb.group(2)) + 1)]
    return _addresses(a) + _addresses(b)


def parse_instruction(text: str, where: str = "") -> Instruction | None:
    """The instruction ``text`` gives, or None if it is not one."""
    t = normalise_space(text)
    m = _VERB.match(t)
    if not m or not looks_like_instruction(t):
        return None
    verb = m.group(1).lower()
    verb = {"insert": "add", "remove": "delete", "replace": "amend"}.get(verb, verb)
    term = _TERM.search(t)
    if term:
        clause = [a for a in _addresses(t[term.end():]) if a.kind == "clause"]
        return Instruction(t, where, f"{verb}-definition", tuple(clause[:1]), term=term.group(1).strip())
    head = t
    position = anchor = new = None
    w = _WHERE.search(t)
    if w and verb in ("add", "move"):
        rel = w.group(1).lower()
        position = ("after" if "after" in rel or "follow" in rel else "before" if "before" in rel
                    else "end" if "end" in rel else "start")
        anchor = Address.parse(w.group(2))
        head = t[:w.start()]
    a = _AS.search(t)
    if a and verb in ("renumber", "move"):
        new = Address.parse(a.group(1))
        if a.start() < len(head):
            head = head[:a.start()]
    also = verb in ("renumber", "move") and bool(re.search(r"\band amend\b", t, re.I))
    if verb == "amend" and _HEADING.search(t.split("Section")[0]):
        verb = "amend-heading"
    targets = tuple(_expand(head))
    if verb == "renumber" and new is not None:
        targets = tuple(x for x in targets if x != new)
    return Instruction(t, where, verb, targets, position, anchor, new, None, also)


# --- agreement -------------------------------------------------------------------------------------

class ShownKind(StrEnum):
    """What a change the marks show does, in the terms the instructions use."""

    ADDED = "added"
    DELETED = "deleted"
    AMENDED = "amended"
    RENUMBERED = "renumbered"
    MOVED = "moved"
    HEADING = "heading"
    CROSSHEADING = "crossheading"  # reworded over the clauses it keeps
    ADD_DEFINITION = "add-definition"
    AMEND_DEFINITION = "amend-definition"
    DELETE_DEFINITION = "delete-definition"


@dataclass(frozen=True)
class Shown:
    """One change the marks show, in the terms the instructions use.

    ``kind`` is ``added``, ``deleted``, ``amended``, ``renumbered``, ``moved``, ``heading``,
    ``crossheading`` (reworded over the clauses in ``group``) or one of the definition kinds;
    ``old``/``new`` its addresses before and after; ``after``/``before`` the clauses next to an
    added or moved one in the result.
    """

    kind: ShownKind
    old: Address | None
    new: Address | None
    after: Address | None = None
    before: Address | None = None
    term: str | None = None
    words: bool = False  # a renumbered or moved clause whose words changed too
    group: tuple[Address, ...] = ()  # a reworded cross-heading: the clauses under it

    def addresses(self) -> tuple[Address, ...]:
        if self.group:
            return self.group
        return tuple(a for a in (self.old, self.new) if a is not None)


def _names(instr: Instruction, addr: Address) -> bool:
    """Whether ``instr`` names ``addr`` (or a node holding it, or a node it holds)."""
    return any(addr.is_within(t) or t.is_within(addr) for t in instr.targets)


def _amends(instr: Instruction, addr: Address) -> bool:
    """Whether ``instr`` says to amend (the inside of) ``addr``: "Amend Section X", or a
    renumbering or move "… and amend it as follows:" (naming the clause by old or new number)."""
    if instr.verb == "amend":
        return _names(instr, addr)
    if instr.verb in ("renumber", "move") and instr.also_amends:
        return _names(instr, addr) or (instr.new is not None and (addr.is_within(instr.new) or instr.new.is_within(addr)))
    return False


def _covers(instr: Instruction, ch: Shown) -> bool:
    verb = instr.verb
    if ch.kind in (ShownKind.ADD_DEFINITION, ShownKind.AMEND_DEFINITION, ShownKind.DELETE_DEFINITION):
        return (verb == ch.kind and instr.term == ch.term) or any(_amends(instr, a) for a in ch.addresses())
    if verb in ("add-definition", "amend-definition", "delete-definition"):
        return False
    if ch.kind == ShownKind.ADDED:
        return (verb == "add" and _names(instr, ch.new)) or (ch.new.kind != "clause" and _amends(instr, ch.new))
    if ch.kind == ShownKind.DELETED:
        return (verb == "delete" and _names(instr, ch.old)) or (ch.old.kind != "clause" and _amends(instr, ch.old))
    if ch.kind in (ShownKind.RENUMBERED, ShownKind.MOVED):
        if verb in ("renumber", "move") and (_names(instr, ch.old) or instr.new == ch.new):
            return True
        return ch.old.kind != "clause" and _amends(instr, ch.new)
    if ch.kind == ShownKind.HEADING:
        return verb in ("amend-heading", "amend") and _names(instr, ch.new)
    if ch.kind == ShownKind.CROSSHEADING:  # "Amend the cross-heading above Section G3.17", any clause under it
        return verb in ("amend-heading", "amend") and any(_names(instr, a) for a in ch.addresses())
    return any(_amends(instr, a) for a in ch.addresses()) or (
        verb in ("renumber", "move") and any(_names(instr, a) for a in ch.addresses()))


def _done(instr: Instruction, shown: list[Shown]) -> str | None:
    """Why the marks do not do what ``instr`` says (None if they do)."""
    mine = [c for c in shown if _covers(instr, c)]
    verb = instr.verb
    if verb == "add":
        added = [c for c in mine if c.kind == ShownKind.ADDED]
        if not added:
            return "but the marks add no such text"
        if instr.anchor is not None and instr.position in ("after", "before"):
            first, last = added[0], added[-1]
            if instr.position == "after" and first.after is not None and first.after != instr.anchor:
                return f"but the marks put it after {first.after}"
            if instr.position == "before" and last.before is not None and last.before != instr.anchor:
                return f"but the marks put it before {last.before}"
        return None
    if verb == "delete" and not any(c.kind == ShownKind.DELETED for c in mine):
        return "but the marks delete no such text"
    if verb == "renumber":
        ren = [c for c in mine if c.kind in (ShownKind.RENUMBERED, ShownKind.MOVED)]
        if not ren:
            return "but the marks renumber nothing there"
        if instr.new is not None and not any(c.new == instr.new for c in ren):
            return f"but the marks number it {ren[0].new}"
    # two neighbours swapped: which of them "moved" is the reader's choice, the order the same
    if verb == "move" and not any(c.kind == ShownKind.MOVED or (instr.new is not None and c.new == instr.new
                                                               and c.kind == ShownKind.RENUMBERED) for c in mine):
        return "but the marks move nothing there"
    if verb in ("amend", "amend-heading") and not mine:
        return "but the marks change nothing there"
    if verb.endswith("definition") and not mine:
        return "but the marks show no such change"
    return None


def _key(addr: Address) -> Address:
    """The narrowest of clause, part and section that holds ``addr`` (what the indexes below use)."""
    if addr.clause:
        return addr.clause_address
    return Address(addr.section, addr.part) if addr.part else Address(addr.section)


def _wider(addr: Address) -> list[Address]:
    """``addr``'s key and the part and section above it."""
    out = [_key(addr)]
    if addr.part and out[0] != Address(addr.section, addr.part):
        out.append(Address(addr.section, addr.part))
    if out[-1] != Address(addr.section):
        out.append(Address(addr.section))
    return out


def check_agreement(instructions: list[Instruction], shown: list[Shown]) -> list[str]:
    """Where the instructions and the marks disagree, one sentence each (empty if they agree).

    Every instruction must be done by the marks, and every change the marks show must be named
    by an instruction (item-level changes by an instruction naming their clause). Both are looked
    up through indexes by clause, part and section (a release-sized Annex has hundreds of each)."""
    by_instr: dict[Address, list[Instruction]] = {}  # instructions under the key of what they name
    for instr in instructions:
        for a in {_key(t) for t in (*instr.targets, *((instr.new,) if instr.new else ()))}:
            by_instr.setdefault(a, []).append(instr)
    by_shown: dict[Address, list[Shown]] = {}  # changes under their clause, part and section
    for ch in shown:
        for a in {w for x in ch.addresses() for w in _wider(x)}:
            by_shown.setdefault(a, []).append(ch)
    out: list[str] = []
    for instr in instructions:
        near: list[Shown] = []
        for a in {_key(t) for t in (*instr.targets, *((instr.new,) if instr.new else ()))}:
            near += [c for c in by_shown.get(a, ()) if c not in near]
        why = _done(instr, sorted(near, key=shown.index) if len(near) > 1 else near)
        if why:
            out.append(f"{instr.where}: “{instr.text}” {why}")
    for ch in shown:
        near_i = {id(i): i for x in ch.addresses() for w in _wider(x) for i in by_instr.get(w, ())}.values()
        if ch.kind == ShownKind.HEADING or any(x.kind in ("part", "section") for x in ch.addresses()):
            near_i = instructions  # a part's change may be named through any clause of it
        if not any(_covers(i, ch) for i in near_i):
            what = {"added": f"add {ch.new}", "deleted": f"delete {ch.old}", "amended": f"amend {ch.new}",
                    "renumbered": f"renumber {ch.old} as {ch.new}", "moved": f"move {ch.old} (as {ch.new})",
                    "heading": f"change the heading of {ch.new}",
                    "crossheading": f"reword the cross-heading above {ch.new}"}.get(ch.kind, f"{ch.kind} {ch.new or ch.old}")
            out.append(f"the marks {what}, but no drafting instruction says so")
    return out
