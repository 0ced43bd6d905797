"""The redline document model: an Annex A (or a version-to-version redline) as data.

A :class:`Redline` is what the HTML and DOCX renderers draw: a :class:`Cover` (modification id
and title, the document's name — "Annex A", or "Legal Text" as SECMP0065's is titled — "Legal
text – version N", proposer, date, the base version, the classification statement), then for each
section touched a :class:`SectionRedline`: its blocks in document order, each drafting instruction
(:class:`InstructionBlock`) just before the text it governs, and the redlined text shown with the
context a reader needs (see :data:`CONTEXTS`): the whole cross-heading group around each changed
clause (MP087's Annex A shows G3.17 to G3.21 under "Manufacturers: Duty to Notify and Be
Notified"), or the whole part under the section and part headings (SECMP0065's legal text prints
all of G1 under "SECTION G - SECURITY"). An inserted clause appears wholly as an insertion, with
its new cross-heading. The reader's notes (:class:`NoteBlock`) say where the corpus does not hold
the text around what is shown, and which text shown is inferred rather than printed in a source.

Everything here is pure: it takes versions, a :class:`redline.diff.VersionDiff` and the
modification's instructions, and returns frozen values. Nothing is read or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from redline.diff import (
    ChangeKind, Change, HeadingChange, NodeDiff, NodeState, VersionDiff, align_crossheadings, diff_node, diff_versions,
    unchanged_pair,
)
from redline.model import Address, Node, Version, clause_address, element_address, part_address
from redline.textdiff import DELETE, EQUAL, INSERT, Span, deleted, inserted, new_text, old_text, tokenize, unchanged

#: how much text is shown around a change: the whole cross-heading group, only the changed
#: clauses, the whole part (under the section and part headings), or every clause of the
#: sections touched
CONTEXTS = ("group", "clause", "part", "all")
DEFAULT_CONTEXT = "group"

#: the classification statements of the SEC Panel Information Policy
CLASSIFICATION_STATEMENTS = {
    "white": ("This document is classified as White in accordance with the Panel Information Policy. "
              "Information can be shared with the public, and any members may publish the information, "
              "subject to copyright."),
    "green": ("This document is classified as Green in accordance with the Panel Information Policy. "
              "Information can be shared with other SEC Parties and SMIP organisations but not made "
              "publicly available."),
}

ABOUT_MODIFICATION = ("This document contains the redlined changes to the SEC that would be required to "
                      "deliver this Modification Proposal.")

#: the state a heading block takes from the kind of its heading's change
_HEADING_STATE = {ChangeKind.ADDED: NodeState.INSERTED, ChangeKind.DELETED: NodeState.DELETED}
_NONE = object()  # no cross-heading known to be in effect


def _stands_before(heading, other) -> bool:
    """Whether cross-heading element ``heading`` stands before ``other`` in the same part (False
    for anything that is not two cross-heading elements of one part)."""
    if isinstance(heading, tuple) or isinstance(other, tuple) or other is _NONE or other is None:
        return False
    if getattr(heading, "tag", None) != "crossheading" or getattr(other, "tag", None) != "crossheading":
        return False
    part = heading.getparent()
    return part is other.getparent() and part.index(heading) < part.index(other)


@dataclass(frozen=True)
class Cover:
    """The cover page: who, what, against which version, and how it may be shared."""

    reference: str  # "MP087"
    title: str  # "Correction to SEC Section G – User Responsibilities"
    document: str = "Annex A"
    subtitle: str | None = None  # "Legal text – version 0.1"
    about: tuple[str, ...] = ()  # paragraphs under "About this document"
    classification: str | None = None  # "White"
    classification_statement: str | None = None
    date: str | None = None  # as the modification gives it: "2019-10-04", "2018"
    proposer: str | None = None  # "Gordon Hextall on behalf of the Security Sub-Committee (SSC)"


@dataclass(frozen=True)
class HeadingBlock:
    """A section heading ("SECTION G - SECURITY"), part heading or cross-heading line."""

    level: str  # section | part | crossheading
    state: NodeState
    spans: tuple[Span, ...]
    num: tuple[Span, ...] = ()  # a part's number (G1); empty for cross-headings
    anchor: str | None = None  # the part's address, for parts


@dataclass(frozen=True)
class ClauseBlock:
    """One clause in the redline: its word diff, and its change kind (None when only context)."""

    diff: NodeDiff
    change: ChangeKind | None = None  # None when the clause is only context
    note: str | None = None  # e.g. "moved from G1.5"

    @property
    def anchor(self) -> str:
        return str(self.diff.address)


@dataclass(frozen=True)
class Instruction:
    """A drafting instruction and the clauses it governs, as ``("new" | "old", address)`` keys
    (the side a clause is shown from: the new version, or the old one for a deleted clause).
    The redline prints it just before the first text it governs (:func:`build_redline`)."""

    text: str
    governs: tuple[tuple[str, Address], ...] = ()


@dataclass(frozen=True)
class InstructionBlock:
    """A drafting instruction in the text ("Amend Section G3.20 as follows:")."""

    text: str


@dataclass(frozen=True)
class NoteBlock:
    """A reader's note in the legal text, never part of it: text the corpus does not hold
    (``not-held``), or text shown that is inferred rather than printed in a source (``inferred``)."""

    kind: str  # not-held | inferred
    text: str


Block = HeadingBlock | ClauseBlock | InstructionBlock | NoteBlock


@dataclass(frozen=True)
class SectionRedline:
    """The part of the document about one section: its title, instructions and redlined text.

    ``instructions`` are every drafting instruction of the section, in order; the same appear in
    ``blocks`` (as :class:`InstructionBlock`), each before the text it governs."""

    letter: str
    heading: str | None
    instructions: tuple[str, ...]
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        """As the SEC prints it: ``Section G ‘Security’``."""
        return f"Section {self.letter} ‘{self.heading}’" if self.heading else f"Section {self.letter}"

    def clauses(self) -> list[ClauseBlock]:
        return [b for b in self.blocks if isinstance(b, ClauseBlock)]


@dataclass(frozen=True)
class SummaryRow:
    """One line of the table of changes; ``deleted``: what it names is shown deleted (its link
    goes to the deleted clause's anchor); ``by``: the modifications that make the change (a
    release redline names them; renderers add a column when any row does)."""

    address: str
    change: str
    detail: str
    deleted: bool = False
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Redline:
    """A whole redline document, ready for a renderer."""

    cover: Cover
    sections: tuple[SectionRedline, ...]
    summary: tuple[SummaryRow, ...]
    author: str  # the author of tracked changes
    date: str | None  # ISO 8601 date-time of tracked changes (None: the renderer leaves it out)
    old_id: str
    new_id: str
    notes: tuple[str, ...] = ()  # e.g. coverage differences, shown after the summary

    def clause_text(self, side: str = "new") -> str:
        """The words of every clause and heading shown, for one side, one block per line.

        This is what Accept All (``new``) or Reject All (``old``) of the tracked changes must give:
        the tests compare it with what pandoc reads back.
        """
        lines: list[str] = []
        for sec in self.sections:
            for b in sec.blocks:
                lines += block_lines(b, side)
        return "\n".join(lines)


def block_lines(block: Block, side: str) -> list[str]:
    """One side's text of a block, one line per paragraph as the renderers lay it out."""
    pick = old_text if side == "old" else new_text
    if isinstance(block, HeadingBlock):
        words = " ".join(t for t in (pick(block.num), pick(block.spans)) if t)
        return [words] if words else []
    if isinstance(block, ClauseBlock):
        return node_lines(block.diff, side)
    return []  # instructions and notes are not the legal text


def node_lines(nd: NodeDiff, side: str) -> list[str]:
    """Paragraphs of one side of a node diff: number and lead text, items, closing."""
    if (side == "old" and nd.state == NodeState.INSERTED) or (side == "new" and nd.state == NodeState.DELETED):
        return []
    pick = old_text if side == "old" else new_text
    out: list[str] = []
    num, text = pick(nd.num), pick(nd.text)
    if nd.element == "definition":
        num = f'"{num}"'
    head = " ".join(t for t in (num, text) if t)
    if head:
        out.append(head)
    for c in nd.children:
        out += node_lines(c, side)
    closing = pick(nd.closing)
    if closing:
        out.append(closing)
    return out


# --- building --------------------------------------------------------------------------------------

@dataclass
class _Entry:
    """A clause of the merged (old + new) sequence of one section."""

    new: Node | None
    old: Node | None
    part: Address
    #: cross-heading text on its own side (for an old clause under one the new version rewords: the new words)
    heading: str | None
    #: the cross-heading, one identity on both sides: the new version's element (for an old clause,
    #: that of the cross-heading the new version keeps it as, see :func:`_kept_crossheadings`), else
    #: ``("old", element)``; the clause itself (or ``("old", clause)``) when under none
    heading_key: object
    #: the cross-heading the clause stood under in the old version, in ``heading_key``'s terms
    #: (the new element of one the new version keeps or rewords, else ``("old", element)``); None
    #: if under none, or if the entry is not on the old side here (new, or moved from elsewhere)
    old_key: object = None

    @property
    def heading_kept(self) -> bool:
        """Whether the new version has this clause's cross-heading (always, for a clause it holds)."""
        return not isinstance(self.heading_key, tuple)


def _crossheading_el(node: Node):
    el = node.element.getparent()
    return el if el is not None and el.tag == "crossheading" else None


class _Tree:
    """A version's clauses and parts, one section at a time and only when asked (its outlines:
    a redline of a few sections never builds the whole address index)."""

    def __init__(self, version: Version):
        self.version = version

    def clauses(self, letter: str) -> list[Node]:
        """The clauses of section ``letter`` in document order (none if it is not held)."""
        return self.version.outline(letter).clauses if letter in self.version.sections else []

    def clause(self, address: Address) -> Node | None:
        """The clause at ``address``, or None."""
        if address.section not in self.version.sections:
            return None
        return self.version.outline(address.section).clause(address)

    def part(self, address: Address) -> Node | None:
        """The part at ``address``, or None."""
        if address.section not in self.version.sections:
            return None
        el = self.version.outline(address.section).parts.get(address)
        return Node(el, address) if el is not None else None


def _kept_crossheadings(vdiff: VersionDiff, old: _Tree, new: _Tree, old_part: Address, new_part: Address,
                        pairs: Mapping[Address, Address], moved_away: set[Address]) -> dict:
    """The cross-headings of ``old_part`` that the new version keeps, with the same words or
    reworded (in ``new_part``, the part as renumbered), each mapped to the new version's element;
    ``pairs``: new clause -> old clause; ``moved_away``: old clauses moved (shown at both
    places). Which new cross-heading an old one is, is the diff's
    alignment (:func:`redline.diff.align_crossheadings`): an old clause that goes from under a
    cross-heading the new version rewords is shown under the reworded heading, once."""
    o, n = old.part(old_part), new.part(new_part)
    if o is None or n is None:
        return {}
    if o.element in vdiff.crossheadings:  # the diff compared this part: its alignment
        return vdiff.crossheadings[o.element]

    def old_clause_of(el):  # (a part the diff did not walk: byte for byte the same in both)
        was = pairs.get(clause_address(el.get("num")))
        oc = old.clause(was) if was is not None and was not in moved_away else None
        return oc.element if oc is not None else None

    return align_crossheadings(o.element, n.element, old_clause_of)


def _merged(vdiff: VersionDiff, old: _Tree, new: _Tree, old_to_new: Mapping[Address, Address],
            deleted_addrs: set[Address], letter: str,
            part_moves: Mapping[Address, Address] | None = None,
            moved_away: Iterable[Address] = ()) -> list[_Entry]:
    """New clauses of the section in order, with deleted old clauses after their old predecessor
    (in their part as renumbered: ``part_moves`` maps an old part to its new address), and each
    clause moved elsewhere (``moved_away``, old addresses) also at its old place."""
    pairs = vdiff.pairs
    moved_away = set(moved_away)
    out: list[_Entry] = []
    pos_of_new = {}
    part_of: dict[str, Address] = {}
    kept: dict[Address, dict] = {}  # per old part: its cross-headings the new version keeps

    def old_key(c: Node) -> object:
        """The cross-heading old clause ``c`` stood under, as an entry's ``old_key``."""
        ch = _crossheading_el(c)
        if ch is None:
            return None
        part = Address(c.address.section, c.address.part)
        if part not in kept:
            kept[part] = _kept_crossheadings(vdiff, old, new, part, (part_moves or {}).get(part, part), pairs,
                                             moved_away)
        key = kept[part].get(ch)
        return key if key is not None else ("old", ch)

    for c in new.clauses(letter):
        addr = c.address
        o_addr = pairs.get(addr)
        o = old.clause(o_addr) if o_addr is not None else None
        ch = _crossheading_el(c)
        pos_of_new[addr] = len(out)
        part = part_of.get(addr.part)
        if part is None:
            part = part_of[addr.part] = Address(letter, addr.part)
        out.append(_Entry(c, o, part, ch.get("heading") if ch is not None else None,
                          ch if ch is not None else c.element,
                          old_key(o) if o is not None and o_addr not in moved_away else None))
    olds = old.clauses(letter)
    stays = [c.address in old_to_new and c.address not in moved_away for c in olds]
    next_stay: list[int | None] = [None] * len(olds)  # the next clause that stays, after each
    after: int | None = None
    for k in range(len(olds) - 1, -1, -1):
        next_stay[k] = after
        if stays[k]:
            after = k

    def settled(anchor: int, c: Node) -> int:
        """After the clause before it in the old version or, when ``c`` stood under another
        cross-heading than that clause, after the clauses new to that clause's group too."""
        if anchor < 0 or out[anchor].old is None:
            return anchor
        a = out[anchor]
        if _crossheading_el(a.old) is _crossheading_el(c) or a.heading is None:
            return anchor
        j = anchor
        while (j + 1 < len(out) and out[j + 1].heading_key is a.heading_key
               and (out[j + 1].old is None or out[j + 1].old.address in moved_away)):
            j += 1
        return j

    # each old clause shown (deleted, or moved away) goes with the text it stood with: just before
    # the next clause that stays when it shares that clause's cross-heading and not the one before
    # (the cross-heading's text then reads as one group), else just after the clause before it
    inserts: list[tuple[int, int, _Entry]] = []
    anchor = -1
    for i, c in enumerate(olds):
        if stays[i]:
            anchor = pos_of_new.get(old_to_new[c.address], anchor)
            continue
        if c.address not in deleted_addrs and c.address not in moved_away:
            continue
        ch = _crossheading_el(c)
        part = Address(letter, c.address.part)
        now = (part_moves or {}).get(part, part)
        was_under = old_key(c)
        key = was_under if ch is not None and not isinstance(was_under, tuple) else None
        entry = _Entry(None, c, now, (key if key is not None else ch).get("heading") if ch is not None else None,
                       key if key is not None else ("old", ch if ch is not None else c.element), was_under)
        succ = next_stay[i]
        if (ch is not None and succ is not None and _crossheading_el(olds[succ]) is ch
                and (anchor < 0 or out[anchor].old is None or _crossheading_el(out[anchor].old) is not ch)
                and old_to_new[olds[succ].address] in pos_of_new):
            inserts.append((pos_of_new[old_to_new[olds[succ].address]] - 1, i, entry))
        else:
            inserts.append((settled(anchor, c), i, entry))
    for anchor, i, entry in sorted(inserts, key=lambda t: (t[0], t[1]), reverse=True):
        out.insert(anchor + 1, entry)
    return out


def _group_entries(entries: list[_Entry]) -> list[list[_Entry]]:
    """Consecutive entries under the same cross-heading (the same part and ``heading_key``: two
    cross-headings with the same words are two groups)."""
    groups: list[list[_Entry]] = []
    for e in entries:
        if groups:
            last = groups[-1][-1]
            same = (last.part == e.part and e.heading is not None and last.heading_key == e.heading_key)
            if same:
                groups[-1].append(e)
                continue
        groups.append([e])
    return groups


def _crossheading_changes(vdiff: VersionDiff) -> dict[Address, list[HeadingChange]]:
    """The diff's cross-heading changes by part (what :func:`_heading_block` looks through)."""
    out: dict[Address, list[HeadingChange]] = {}
    for h in vdiff.headings:
        if h.level == "crossheading":
            out.setdefault(h.part, []).append(h)
    return out


def _heading_block(changes: Mapping[Address, list[HeadingChange]],
                   group: list[_Entry]) -> tuple[HeadingBlock | None, HeadingChange | None]:
    """The cross-heading line of a group, and the heading change it shows (None if unchanged);
    ``changes``: :func:`_crossheading_changes`."""
    heading = group[0].heading
    if heading is None:
        return None, None
    new_addrs = {e.new.address for e in group if e.new is not None}
    old_addrs = {e.old.address for e in group if e.new is None}
    for h in changes.get(group[0].part, ()):
        # a cross-heading deleted is told by the old clauses under it, one added or reworded by the new
        words, addrs = (h.old, old_addrs) if h.kind == ChangeKind.DELETED else (h.new, new_addrs)
        if words == heading and (not h.clauses or addrs & set(h.clauses)):
            state = _HEADING_STATE.get(h.kind, NodeState.AMENDED)
            return HeadingBlock("crossheading", state, h.spans), h
    return HeadingBlock("crossheading", NodeState.UNCHANGED, unchanged(heading)), None


def _clause_block(entry: _Entry, change: Change | None) -> ClauseBlock:
    """A clause's block: its word diff if changed (a renumbering shows in the struck-through
    number itself); a moved clause struck through at its old place and inserted at its new one,
    as Word shows a move, so that Reject All puts it back where it was."""
    if change is not None and change.kind == ChangeKind.MOVED:
        if entry.new is None:
            return ClauseBlock(diff_node(entry.old, None), change.kind, f"moved to {change.new}")
        return ClauseBlock(diff_node(None, entry.new), change.kind, f"moved from {change.old}")
    if change is not None:
        return ClauseBlock(change.diff, change.kind)
    node = entry.new if entry.new is not None else entry.old
    return ClauseBlock(unchanged_pair(node.element, node.element, node.address, node.address), None)


def _key(change: Change) -> tuple[str, Address]:
    """A change's clause as a ``("new" | "old", address)`` key (a deleted G3.19 and a G3.19 made
    by renumbering differ)."""
    return ("new", change.new) if change.new is not None else ("old", change.old)


def _entry_keys(e: _Entry) -> list[tuple[str, Address]]:
    out = []
    if e.new is not None:
        out.append(("new", e.new.address))
    if e.old is not None:
        out.append(("old", e.old.address))
    return out


def _as_instruction(item) -> Instruction:
    return item if isinstance(item, Instruction) else Instruction(str(item))


_CLAUSE_NUM = re.compile(r"(.+)\.(\d+)")


def _clause_number(address: Address) -> tuple[str, int] | None:
    """(part, n) of a clause numbered ``G3.20`` (None for ``G3.20A``: no gap is measured there)."""
    m = _CLAUSE_NUM.fullmatch(str(address))
    return (m.group(1), int(m.group(2))) if m else None


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in numbers:
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _not_held(part: str, first: int, last: int, held) -> NoteBlock | None:
    """A note naming the clauses ``part.first`` to ``part.last`` that neither version holds."""
    missing = [n for n in range(first, last + 1) if not held(f"{part}.{n}")]
    if not missing:
        return None
    runs = [f"{part}.{a}" if a == b else f"{part}.{a} to {part}.{b}" for a, b in _runs(missing)]
    plural = len(missing) > 1
    listed = ", ".join(runs[:-1]) + f" and {runs[-1]}" if len(runs) > 1 else runs[0]
    return NoteBlock("not-held", f"Section{'s' if plural else ''} {listed} {'are' if plural else 'is'} not held "
                                 "in the corpus and not shown.")


class _Provenance:
    """Where the text shown is inferred: every element that declares ``evidence="inferred"`` itself
    (its descendants inherit it), found once per section of each version, keyed by what it covers:
    ``(tag, address)`` of a part, clause or item, or ``("crossheading", part, heading)``.

    ``sides`` says whose declarations are told: both versions of a version-to-version redline,
    only the base of an Annex A (the new words of a modification are its own, not the corpus's:
    what the result holds besides them is the base's text, with the base's labels).
    """

    def __init__(self, old: Version, new: Version, sides: tuple[str, ...] = ("old", "new")):
        self._versions = {"old": old, "new": new}
        self._sides = sides
        self._found: dict[tuple[str, str], dict] = {}

    def _declared(self, side: str, letter: str) -> dict:
        if side not in self._sides:
            return {}
        got = self._found.get((side, letter))
        if got is None:
            got = {}
            root = self._versions[side].sections.get(letter)
            if root is not None:
                for el in root.iter("part", "crossheading", "clause", "item"):
                    if el.get("evidence") != "inferred":
                        continue
                    if el.tag == "crossheading":
                        part = el.getparent()
                        key = ("crossheading", part_address(part.get("num")), el.get("heading"))
                    else:
                        key = (el.tag, element_address(el))
                    got[key] = el.get("note") or ""
            self._found[(side, letter)] = got
        return got

    def notes(self, letter: str, key: tuple) -> list[NoteBlock]:
        """The notes for a part or cross-heading (the same key on both sides)."""
        return self._told(_scope_words(key), self._declared("old", letter).get(key),
                          self._declared("new", letter).get(key), changed=False)

    def clause_notes(self, letter: str, nd: NodeDiff) -> list[NoteBlock]:
        """The notes for a clause block: the clause, then its items, old side by old address and
        new side by new address (a renumbered clause keeps its label)."""
        old, new = self._declared("old", letter), self._declared("new", letter)
        if not old and not new:
            return []
        out: list[NoteBlock] = []
        for n in nd.walk():
            tag = "clause" if n.element == "clause" else n.element
            on = old.get((tag, n.old)) if n.old is not None else None
            nn = new.get((tag, n.new)) if n.new is not None else None
            if on is None and nn is None:
                continue
            name = str(n.new if n.new is not None else n.old)
            if n.old is not None and n.new is not None and n.old != n.new:
                name += f" (formerly {n.old})"
            words_changed = n.state != NodeState.UNCHANGED and any(sp.kind != EQUAL for sp in (*n.text, *n.closing))
            out += self._told(name, on, nn, changed=words_changed or n.state in (NodeState.INSERTED, NodeState.DELETED))
        return out

    def _told(self, what: str, on: str | None, nn: str | None, changed: bool) -> list[NoteBlock]:
        """Notes for ``what``, labelled inferred by note ``on`` in the old version and/or ``nn`` in the
        new. The same on both sides (or only the base told, for unchanged words): one plain note."""
        def note(scope: str, why: str) -> NoteBlock:
            why = why.strip()
            return NoteBlock("inferred", f"Inferred, not printed in a source: {scope}"
                                         + (f". {why[0].upper()}{why[1:].rstrip('.')}." if why else "."))
        if on is None and nn is None:
            return []
        if on == nn or (self._sides == ("old",) and not changed):
            return [note(what, on if on is not None else nn)]
        if self._sides == ("old",):
            return [note(f"{what} as it read before this change", on)]
        out = []
        if on is not None:
            out.append(note(f"{what} as version {self._versions['old'].id} holds it", on))
        if nn is not None:
            out.append(note(f"{what} as version {self._versions['new'].id} holds it", nn))
        return out


def _scope_words(key: tuple) -> str:
    if key[0] == "crossheading":
        return f"the text of {key[1]} under the cross-heading ‘{key[2]}’"
    if key[0] == "part":
        return f"the text of {key[1]} shown here"
    return str(key[1])


def build_redline(
    old: Version,
    new: Version,
    vdiff: VersionDiff,
    cover: Cover,
    *,
    instructions: Mapping[str, Sequence[str | Instruction]] | None = None,
    targets: Iterable[Address] | None = None,
    context: str = DEFAULT_CONTEXT,
    author: str = "redline",
    date: str | None = None,
    notes: Sequence[str] = (),
    provenance_sides: tuple[str, ...] = ("old", "new"),
) -> Redline:
    """Lay out a redline of ``vdiff`` (old → new) with context around each change.

    ``targets`` are the clauses to show (default: every changed clause of the diff; addresses in
    the new version, or in the old for deleted clauses). ``instructions`` maps a section letter
    to its drafting instructions (default: generated from the changes, see :func:`instruction_for`):
    an :class:`Instruction` is printed just before the unit of text that holds the first clause it
    governs (the cross-heading group; with ``context`` part or all, the part), the units in
    document order and, within one unit, the instructions in the order given (they are applied
    in turn); a plain string governs nothing named and is printed at the top of its section.
    ``provenance_sides``: whose inferred-text labels are told in notes (see :class:`_Provenance`).
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {context!r}")
    changes_by_addr: dict[tuple[str, Address], Change] = {_key(c): c for c in vdiff.changes}
    target_set = set(targets) if targets is not None else {c.address for c in vdiff.changes}
    part_changes = {h.part for h in vdiff.headings if h.level == "part"}
    crossheading_changes = _crossheading_changes(vdiff)
    whole_parts = context in ("part", "all")

    letters = sorted({a.section for a in target_set} | {h.part.section for h in vdiff.headings}
                     | set(instructions or {}))
    sections: list[SectionRedline] = []
    previous: dict[Address, Address | None] | None = None
    old_tree, new_tree = _Tree(old), _Tree(new)
    provenance = _Provenance(old, new, provenance_sides)
    pairs = vdiff.pairs
    old_to_new = {o: n for n, o in pairs.items()}
    deleted_addrs = {c.old for c in vdiff.changes if c.kind == ChangeKind.DELETED}
    part_moves = {h.was: h.part for h in vdiff.headings if h.level == "part" and h.was is not None}
    moves = {c.old: c for c in vdiff.changes if c.kind == ChangeKind.MOVED}  # shown at both places
    # a cross-heading deleted while clauses under it stay (now under another heading): it is shown
    # struck through before the first of them
    orphans: dict[Address, HeadingChange] = {}
    for h in vdiff.headings:
        if h.level == "crossheading" and h.kind == ChangeKind.DELETED:
            for a in h.clauses:
                if a in old_to_new and a not in moves:  # (a moved clause shows it at its old place)
                    orphans.setdefault(a, h)

    def is_orphan(e: _Entry) -> bool:
        return e.new is not None and e.old is not None and e.old.address in orphans

    def held(num: str) -> bool:
        a = clause_address(num)
        return new_tree.clause(a) is not None or old_tree.clause(a) is not None

    def is_target(e: _Entry) -> bool:
        if e.new is not None:
            return e.new.address in target_set
        return e.old.address in target_set or e.old.address in moves

    for letter in letters:
        entries = _merged(vdiff, old_tree, new_tree, old_to_new, deleted_addrs, letter, part_moves, moves)
        groups = _group_entries(entries)
        heads = [_heading_block(crossheading_changes, g) for g in groups]  # (block, change) of each group
        hits = [any(is_target(e) or is_orphan(e) for e in g) or hc is not None
                for g, (_, hc) in zip(groups, heads)]  # (hit by the change to its own cross-heading, not its words')
        # a cross-heading group broken by a deleted one (its clauses on both sides) is shown whole
        hit_keys = {g[0].heading_key for g, h in zip(groups, hits) if h and g[0].new is not None}
        hits = [h or (g[0].new is not None and g[0].heading is not None and g[0].heading_key in hit_keys)
                for g, h in zip(groups, hits)]
        hit_parts = {g[0].part for g, h in zip(groups, hits) if h} | part_changes
        shown = [context == "all" or h or (context == "part" and g[0].part in hit_parts)
                 for g, h in zip(groups, hits)]
        units = [g[0].part if whole_parts else i for i, g in enumerate(groups)]
        # a part whose heading (or number) alone changed: its heading is shown, at its first group
        first_group: dict[Address, int] = {}
        for gi, g in enumerate(groups):
            first_group.setdefault(g[0].part, gi)
        part_alone = {first_group[p] for p in part_changes if p in first_group
                      and not any(shown[gi] for gi, g in enumerate(groups) if g[0].part == p)}

        if instructions is not None:
            instr = [_as_instruction(i) for i in instructions.get(letter, ())]
        else:
            previous = previous or _previous_clauses(new_tree)
            # a cross-heading reworded over its clauses comes first: it stands above them
            instr = [Instruction(f"Amend the cross-heading above Section {h.clauses[0]} as follows:",
                                 (("new", h.clauses[0]),))
                     for h in vdiff.headings if h.level == "crossheading" and h.kind == ChangeKind.AMENDED
                     and h.clauses and h.part.section == letter]
            # and a part's heading changed (governing the first clause of the part, where it is shown)
            for h in vdiff.headings:
                if h.level == "part" and h.kind == ChangeKind.AMENDED and h.part.section == letter:
                    first = next((c.address for c in new_tree.clauses(letter) if c.address.part == h.part.part), None)
                    instr.append(Instruction(f"Amend the heading of Section {h.part} as follows:",
                                             (("new", first),) if first is not None else ()))
            instr += [Instruction(instruction_for(c, previous),
                                  (_key(c), ("old", c.old)) if c.kind == ChangeKind.MOVED else (_key(c),))
                      for c in vdiff.changes if c.address.section == letter]
        # each instruction goes before the unit of text holding the first clause it governs
        where: dict[tuple[str, Address], tuple[int, int]] = {}
        pos = 0
        for gi, g in enumerate(groups):
            where.setdefault(("part", g[0].part), (pos, gi))
            for e in g:
                for k in _entry_keys(e):
                    where.setdefault(k, (pos, gi))
                pos += 1
        top: list[str] = []
        placed: dict[object, list[str]] = {}
        for ins in instr:
            found = [where[k] for k in ins.governs if k in where and (shown[where[k][1]] or where[k][1] in part_alone)]
            if found:
                placed.setdefault(units[min(found)[1]], []).append(ins.text)
            else:
                top.append(ins.text)

        blocks: list[Block] = []
        said: set[str] = set()

        def instruct(texts: list[str]) -> None:
            for t in texts:
                if t not in said:
                    said.add(t)
                    blocks.append(InstructionBlock(t))

        instruct(top)
        sec_el = new.sections.get(letter) if letter in new.sections else old.sections.get(letter)
        heading = sec_el.get("heading") if sec_el is not None else None
        section_heading = whole_parts
        started_units: set[object] = set()
        shown_parts: list[Address] = []
        last_num: dict[Address, int] = {}  # per part: the number of the last clause shown
        told: set[int] = set()  # cross-heading changes shown (by id of their change)
        last_key: dict[Address, object] = {}  # per part: the cross-heading of the last group shown
        #: per side and part: the cross-heading the reader of that side's text is under (keys as
        #: ``_Entry.heading_key`` and ``old_key``); gone when a group is not shown
        in_effect: dict[tuple[str, Address], object] = {}

        def on_old(e: _Entry) -> bool:
            return e.old is not None and (e.new is None or e.old.address not in moves)

        def heading_needed(entries: list[_Entry], part: Address, state: NodeState) -> bool:
            """Whether a side that shows a cross-heading in ``state`` reads one of ``entries`` under
            another cross-heading than the one it is under (on the old side, a clause whose deleted
            cross-heading is struck through just before it is under that one)."""
            if state != NodeState.DELETED and any(
                    e.new is not None and in_effect.get(("new", part), _NONE) != e.heading_key for e in entries):
                return True
            if state == NodeState.INSERTED:
                return False
            under = in_effect.get(("old", part), _NONE)
            for e in entries:
                if is_orphan(e) and id(orphans[e.old.address]) not in told:
                    under = e.old_key
                if on_old(e) and under != e.old_key:
                    return True
            return False
        def gap_before(e: _Entry, part: Address) -> NoteBlock | None:
            """The note for clauses not held between the last one shown of ``part`` and ``e``
            (from the start of the part, when whole parts are shown); records ``e`` as shown."""
            node = e.new if e.new is not None else e.old
            num = _clause_number(node.address)
            if num is None:
                return None
            prev = last_num.get(part)
            last_num[part] = max(num[1], prev or 0)
            if prev is not None and num[1] > prev + 1:
                return _not_held(num[0], prev + 1, num[1] - 1, held)
            if prev is None and whole_parts and num[1] > 1:
                return _not_held(num[0], 1, num[1] - 1, held)
            return None

        for gi, group in enumerate(groups):
            part = group[0].part
            if not shown[gi]:
                if gi in part_alone:  # only the part's heading changed: the heading, without its text
                    if units[gi] not in started_units:
                        started_units.add(units[gi])
                        instruct(placed.get(units[gi], []))
                    pb = _part_block(old_tree, new_tree, vdiff, part, context)
                    if pb is not None:
                        blocks.append(pb)
                        blocks += provenance.notes(letter, ("part", part))
                last_key.pop(part, None)
                in_effect.pop(("new", part), None)
                in_effect.pop(("old", part), None)
                continue
            new_part = part not in shown_parts
            if new_part and whole_parts and shown_parts:  # what the previous part shown leaves out
                blocks += _end_of_part(shown_parts[-1], last_num, old_tree, new_tree)
                if shown_parts[-1].section == part.section:
                    blocks += _parts_not_held(shown_parts[-1], part, old_tree, new_tree)
            if units[gi] not in started_units:
                started_units.add(units[gi])
                instruct(placed.get(units[gi], []))
            if section_heading:
                section_heading = False
                words = f"SECTION {letter}" + (f" - {heading.upper()}" if heading else "")
                blocks.append(HeadingBlock("section", NodeState.UNCHANGED, unchanged(words)))
            if new_part:
                shown_parts.append(part)
                pb = _part_block(old_tree, new_tree, vdiff, part, context)
                if pb is not None:
                    blocks.append(pb)
                    if not "".join(s.text for s in pb.spans).strip():
                        blocks.append(NoteBlock("not-held", _no_heading_words(part, old_tree, new_tree)))
                blocks += provenance.notes(letter, ("part", part))
            members = [e for e in group if context != "clause" or is_target(e) or is_orphan(e)]
            if members:  # the clauses not held before the first shown come before its cross-heading
                gap = gap_before(members[0], part)
                if gap is not None:
                    blocks.append(gap)
            hb, hc = heads[gi]
            if hc is not None and id(hc) in told and (hc.kind == ChangeKind.DELETED or not members):
                hb = None  # already shown (struck through before a clause that stays; or alone, no clause shown)
            if hc is not None and hc.kind == ChangeKind.DELETED:
                told.add(id(hc))
            if hb is not None and hb.state == NodeState.UNCHANGED and last_key.get(part) is group[0].heading_key:
                hb = None  # the same cross-heading, after a deleted group inside it: not printed twice
            if hb is not None and members and not heading_needed(members, part, hb.state):
                hb = None  # each side already reads these clauses under the cross-heading they are under
            if (hb is not None and hb.state == NodeState.UNCHANGED and not any(e.new is not None for e in members)
                    and in_effect.get(("old", part), _NONE) is _NONE
                    and _stands_before(group[0].heading_key, in_effect.get(("new", part), _NONE))):
                hb = None  # old text alone, after a gap: its heading would stand in the new text out of its place
            if hb is not None:
                if hc is not None:
                    told.add(id(hc))
                if hb.state != NodeState.DELETED:
                    in_effect[("new", part)] = group[0].heading_key
                if hb.state != NodeState.INSERTED:
                    in_effect[("old", part)] = group[0].heading_key if hb.state != NodeState.DELETED else (
                        group[0].old_key if on_old(group[0]) else group[0].heading_key)
                blocks.append(hb)
                blocks += provenance.notes(letter, ("crossheading", part, group[0].heading))
            # struck clauses under a cross-heading struck too do not end the one they stand in
            if group[0].heading_kept:
                last_key[part] = group[0].heading_key
            for i, e in enumerate(members):
                if i:
                    gap = gap_before(e, part)
                    if gap is not None:
                        blocks.append(gap)
                if is_orphan(e) and id(orphans[e.old.address]) not in told:
                    h = orphans[e.old.address]
                    told.add(id(h))
                    blocks.append(HeadingBlock("crossheading", NodeState.DELETED, h.spans))
                    in_effect[("old", part)] = e.old_key
                block = _clause_block(e, changes_by_addr.get(("new", e.new.address)) if e.new is not None
                                      else changes_by_addr.get(("old", e.old.address)) or moves.get(e.old.address))
                blocks += provenance.clause_notes(letter, block.diff)
                blocks.append(block)
        if whole_parts and shown_parts:
            blocks += _end_of_part(shown_parts[-1], last_num, old_tree, new_tree)
        sections.append(SectionRedline(letter, heading, tuple(i.text for i in instr), tuple(blocks)))

    rows = {_key(c): summary_row(c) for c in vdiff.changes if c.address in target_set}
    extra: list[SummaryRow] = []
    kind_of = {_key(c): c.kind for c in vdiff.changes}
    for h in vdiff.headings:
        words = f"‘{h.old}’ → ‘{h.new}’" if h.old and h.new and h.old != h.new else f"‘{h.new or h.old or ''}’"
        # a cross-heading that comes or goes with all its clauses is told in the first clause's row
        whole = h.kind if h.kind in (ChangeKind.ADDED, ChangeKind.DELETED) else None
        side = "new" if whole == ChangeKind.ADDED else "old"
        if (h.level == "crossheading" and whole and h.clauses and (side, h.clauses[0]) in rows
                and all(kind_of.get((side, a)) == whole for a in h.clauses)):
            r = rows[(side, h.clauses[0])]
            with_heading = "with the new cross-heading" if whole == ChangeKind.ADDED else "with its cross-heading"
            rows[(side, h.clauses[0])] = SummaryRow(r.address, r.change, f"{r.detail}, {with_heading} {words}",
                                                    r.deleted)
            continue
        at, gone = (h.clauses[0] if h.clauses else h.part), h.kind == ChangeKind.DELETED
        if gone and h.level == "crossheading" and at in old_to_new and at not in moves:  # its clause stays: link to it
            at, gone = old_to_new[at], False
        if h.level == "crossheading":
            what = f"cross-heading {h.kind}"
        elif h.whole:
            what = f"part {h.kind}"
        elif h.kind == ChangeKind.RENUMBERED:
            what, words = "part renumbered", f"was {h.was}"
        else:
            what = f"part heading {h.kind}" + (f" (was {h.was})" if h.was is not None else "")
        extra.append(SummaryRow(str(at), what, words, gone))
    # the table in document order: each row where the text it names is shown (a part at its heading)
    order: dict[str, int] = {}
    for sec in sections:
        for b in sec.blocks:
            if isinstance(b, ClauseBlock) or (isinstance(b, HeadingBlock) and b.anchor):
                order.setdefault(b.anchor, len(order))
    summary = tuple(sorted((*rows.values(), *extra), key=lambda r: order.get(r.address, len(order))))
    return Redline(cover, tuple(sections), summary, author, date, old.id, new.id, tuple(notes))


def _coverage(part: Address, old: _Tree, new: _Tree) -> str:
    covs = {t.version.coverage_of(part) for t in (old, new) if t.part(part) is not None}
    return "complete" if covs == {"complete"} else "partial"


def _end_of_part(part: Address, last_num: dict, old: _Tree, new: _Tree) -> list[NoteBlock]:
    """After the last clause shown of a part held only in part: a note that any later ones are not held."""
    if _coverage(part, old, new) == "complete" or part not in last_num:
        return []
    return [NoteBlock("not-held", f"Any Sections of {part} after {part}.{last_num[part]} are not held in the corpus "
                                  "and not shown.")]


def _parts_not_held(before: Address, after: Address, old: _Tree, new: _Tree) -> list[NoteBlock]:
    """Between two parts shown one after the other: a note naming the parts in between not held."""
    m, n = re.fullmatch(r"([A-Z])(\d+)", before.part), re.fullmatch(r"([A-Z])(\d+)", after.part)
    if not m or not n or m.group(1) != n.group(1):
        return []
    missing = [k for k in range(int(m.group(2)) + 1, int(n.group(2)))
               if old.part(part_address(f"{m.group(1)}{k}")) is None and new.part(part_address(f"{m.group(1)}{k}")) is None]
    if not missing:
        return []
    runs = [f"{m.group(1)}{a}" if a == b else f"{m.group(1)}{a} to {m.group(1)}{b}" for a, b in _runs(missing)]
    listed = ", ".join(runs[:-1]) + f" and {runs[-1]}" if len(runs) > 1 else runs[0]
    plural = len(missing) > 1
    return [NoteBlock("not-held", f"Part{'s' if plural else ''} {listed} of Section {before.section} "
                                  f"{'are' if plural else 'is'} not held in the corpus and not shown.")]


def _no_heading_words(part: Address, old: _Tree, new: _Tree) -> str:
    node = new.part(part) or old.part(part)
    why = node.note if node is not None and node.note else ""
    return f"The heading of {part} is not held in the corpus{': ' + why[0].lower() + why[1:] if why else ''}."


def _part_block(old: _Tree, new: _Tree, vdiff: VersionDiff, part: Address, context: str) -> HeadingBlock | None:
    """A part heading, shown when the part is new, its heading changed, or the whole part is shown."""
    for h in vdiff.headings:
        if h.level == "part" and h.part == part:
            state = _HEADING_STATE.get(h.kind, NodeState.AMENDED) if h.kind != ChangeKind.RENUMBERED \
                else NodeState.AMENDED
            if h.whole:  # the whole part comes or goes: its number with it
                num = (inserted if h.kind == ChangeKind.ADDED else deleted)(part.part)
            elif h.was is not None:  # renumbered: the old number struck through, the new one inserted
                num = (*deleted(h.was.part), *inserted(part.part))
            else:
                num = unchanged(part.part)
            return HeadingBlock("part", state, h.spans, num, str(part))
    n, o = new.part(part), old.part(part)
    if n is not None and o is None and old.version.coverage_of(part) != "absent":
        return HeadingBlock("part", NodeState.INSERTED, inserted(n.heading or ""), inserted(part.part), str(part))
    if context in ("part", "all"):
        node = n or o
        state = NodeState.DELETED if n is None else NodeState.UNCHANGED
        wrap = deleted if n is None else unchanged
        return HeadingBlock("part", state, wrap(node.heading or ""), wrap(part.part), str(part))
    return None


def _word_count(spans: Iterable[Span], kind: str) -> int:
    return sum(1 for s in spans if s.kind == kind for t in tokenize(s.text) if t.strip() and (t[0].isalnum()))


def summary_row(change: Change) -> SummaryRow:
    """A line of the table of changes for one changed clause."""
    nd = change.diff
    spans = [s for n in nd.walk() for s in (*n.text, *n.closing)]
    ins, dels = _word_count(spans, INSERT), _word_count(spans, DELETE)
    items_in = [n for n in nd.walk() if n is not nd and n.state == NodeState.INSERTED]
    items_out = [n for n in nd.walk() if n is not nd and n.state == NodeState.DELETED]
    if change.kind == ChangeKind.ADDED:
        detail = f"new clause ({ins} words)"
    elif change.kind == ChangeKind.DELETED:
        detail = f"clause deleted ({dels} words)"
    else:
        bits = []
        if change.kind in (ChangeKind.MOVED, ChangeKind.RENUMBERED):
            bits.append(f"was {change.old}")
        if ins or dels:
            bits.append(f"{ins} word{'s' if ins != 1 else ''} inserted, {dels} deleted")
        if items_in:
            bits.append(f"{len(items_in)} item{'s' if len(items_in) != 1 else ''} added")
        if items_out:
            bits.append(f"{len(items_out)} item{'s' if len(items_out) != 1 else ''} deleted")
        renum = [n for n in nd.walk() if n is not nd and n.renumbered]
        if renum:
            bits.append(f"{len(renum)} item{'s' if len(renum) != 1 else ''} relettered")
        detail = "; ".join(bits) or "no change to the words"
    return SummaryRow(str(change.address), change.kind, detail, change.kind == ChangeKind.DELETED)


def instruction_for(change: Change, previous: Mapping[Address, Address | None] | None = None) -> str:
    """A drafting instruction in the SEC's words for one change found by diffing two versions.

    ``previous`` maps a clause of the new version to the clause before it in the same part (see
    :func:`_previous_clauses`); without it, additions and moves are not placed.
    """
    prev = (previous or {}).get(change.new) if change.new is not None else None
    if change.kind == ChangeKind.AMENDED:
        return f"Amend Section {change.new} as follows:"
    if change.kind == ChangeKind.DELETED:
        return f"Delete Section {change.old}"
    if change.kind == ChangeKind.RENUMBERED:
        extra = " and amend it as follows:" if change.text_changed else ""
        return f"Renumber Section {change.old} as Section {change.new}{extra}"
    if change.kind == ChangeKind.MOVED:
        extra = " and amend it as follows:" if change.text_changed else ""
        where = f" to follow Section {prev}" if prev else ""
        number = f" as Section {change.new}" if change.new != change.old else ""  # (one keeping its number)
        return f"Move Section {change.old}{where}{number}{extra}"
    return f"Add Section {change.new} after Section {prev}" if prev else f"Add Section {change.new}"


def _previous_clauses(tree: _Tree) -> dict[Address, Address | None]:
    """Each clause of the tree's version mapped to the clause before it in the same part (None if first)."""
    out: dict[Address, Address | None] = {}
    prev: Address | None = None
    for letter in tree.version.sections:
        for c in tree.clauses(letter):
            a = c.address
            out[a] = prev if prev is not None and prev.part == a.part else None
            prev = a
    return out


# --- the two kinds of document ---------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def display_date(text: str | None) -> str | None:
    """A date as the cover prints it: ``2019-10-04`` → "4 October 2019"; anything else as given."""
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(3))} {_MONTHS[int(m.group(2)) - 1]} {m.group(1)}"
    return text.strip()


def classification_statement(classification: str | None) -> str | None:
    """The Panel Information Policy statement for a classification (a generic one if unknown)."""
    if not classification:
        return None
    known = CLASSIFICATION_STATEMENTS.get(classification.strip().lower())
    return known or (f"This document is classified as {classification.strip()} in accordance with the Panel "
                     "Information Policy.")


def modification_cover(mod) -> Cover:
    """The cover of a modification's Annex A (from its id, title, base and metadata): the document's
    name (``<document>``, default "Annex A"), legal text version, proposer, date, classification."""
    meta = dict(getattr(mod, "meta", {}) or {})
    version = meta.get("legal-text-version") or meta.get("version")
    classification = meta.get("classification")
    about = (ABOUT_MODIFICATION, f"These changes have been drafted against SEC Version {mod.base}.")
    document = meta.get("document") or "Annex A"
    if version:
        subtitle = f"Legal text – version {version}"
    else:  # a document called "Legal Text" needs no subtitle saying so
        subtitle = None if document.strip().lower() == "legal text" else "Legal text"
    return Cover(mod.id, mod.title, document, subtitle,
                 about, classification, classification_statement(classification), meta.get("date"),
                 meta.get("proposer"))


def _rebased(address: Address, old_prefix: Address, new_prefix: Address) -> Address:
    """``address`` (within ``old_prefix``) with that prefix replaced by ``new_prefix``."""
    return Address.parse(str(new_prefix) + str(address)[len(str(old_prefix)):])


class _Numbering:
    """Follows the addresses of a modification's operations in turn: each operation addresses the
    text as the operations before it left it, so after ``renumber G3.21 as G3.20`` the clause an
    operation calls G3.20 was G3.21 in the base. Knows, for the address an operation names, the
    base address of that node (None: created by the modification)."""

    def __init__(self):
        self.origin: dict[Address, Address | None] = {}  # address now -> address in the base

    def base_of(self, address: Address) -> Address | None:
        if address in self.origin:
            return self.origin[address]
        for anc in reversed(address.ancestors()):
            if anc in self.origin:
                was = self.origin[anc]
                return None if was is None else _rebased(address, anc, was)
        return address

    def moved(self, old: Address, new: Address) -> None:
        was = self.base_of(old)
        for k in [k for k in self.origin if k == old or old in k.ancestors()]:
            v = self.origin.pop(k)
            self.origin[_rebased(k, old, new)] = v
        self.origin[new] = was
        if old not in self.origin:
            self.origin[old] = None  # whatever is numbered so next is not the old node

    def created(self, addresses) -> None:
        for a in addresses:
            self.origin[a] = None


def drafting_instructions(mod) -> list[tuple[str, Instruction]]:
    """``(section letter, instruction)`` for each operation of ``mod``, in order.

    An operation that names a clause the modification has already renumbered or moved says so
    ("Amend Section G3.20 (formerly Section G3.21) as follows:"), so that it cannot be read as
    being about the clause that bore that number in the base. Each instruction governs the clauses
    the operation touches, addressed as they end up in the result (a later renumbering followed)
    or, for a deletion, as they stood in the base.
    """
    numbering = _Numbering()
    renames: list[tuple[int, Address, Address]] = []  # (operation index, from, to), in order
    drafted: list[tuple[str, str, list[tuple[str, Address]], int]] = []
    for i, op in enumerate(mod.operations):
        text = op.instruction()
        target = getattr(op, "target", None)
        kind = getattr(op, "kind", "")
        clause = target.clause_address if isinstance(target, Address) else None
        if clause is not None:
            was = numbering.base_of(clause)
            if was is not None and was != clause and f"Section {clause}" in text:
                text = text.replace(f"Section {clause}", f"Section {clause} (formerly Section {was})", 1)
        governs: list[tuple[str, Address]] = []
        if kind == "insert":  # a new part: its heading (the target is only where it goes)
            governs += [("part", a) for a in op.creates() if a.kind == "part"]
        elif isinstance(target, Address) and target.kind == "part":  # a part's heading, number, or the part
            if kind == "delete":
                was = numbering.base_of(target)
                if was is not None:
                    governs.append(("part", was))
            else:
                governs.append(("part", target))
        if kind == "delete" and isinstance(target, Address):
            was = numbering.base_of(target.clause_address or target)
            if was is not None:
                governs.append(("old", was))
        else:
            try:
                governs += [("new", a) for a in op.clause_addresses()]
            except NotImplementedError:
                pass
        dest = getattr(op, "destination", None) if kind == "move" else getattr(op, "new", None) if kind == "renumber" else None
        if kind == "move" and isinstance(target, Address) and target.clause_address is not None:
            was = numbering.base_of(target.clause_address)
            if was is not None:  # a moved clause is shown struck through at its old place too
                governs.append(("old", was))
        if isinstance(dest, Address) and dest != target:
            if dest.clause_address is not None and ("new", dest.clause_address) not in governs:
                governs.append(("new", dest.clause_address))
            if dest.kind == "part":
                governs.append(("part", dest))
            numbering.moved(target, dest)
            renames.append((i, target, dest))
        elif kind == "insert":
            numbering.created(op.creates())
        drafted.append((op.section, text, governs, i))
    out = []
    for letter, text, governs, i in drafted:
        final = []
        for side, a in governs:
            if side in ("new", "part"):
                for j, frm, to in renames:
                    if j > i and (a == frm or frm in a.ancestors()):
                        a = _rebased(a, frm, to)
            final.append((side, a))
        out.append((letter, Instruction(text, tuple(final))))
    return out


def annex_for_modification(mod, base: Version, result, *, context: str = DEFAULT_CONTEXT,
                           author: str | None = None, date: str | None = None) -> Redline:
    """The Annex A of ``mod``: ``result`` is what applying it to ``base`` gave (an ApplyResult).

    The changes are found by diffing ``base`` with the result, paired through the result's
    address map; the instructions are the operations' own (:func:`drafting_instructions`), each
    printed before the text it governs; the context is chosen around the clauses the operations
    change or create. The tracked changes are by ``author``, else the modification's
    ``<author>``, else its id.
    """
    new = result.version
    letters = sorted({op.section for op in mod.operations})
    vdiff = diff_versions(base, new, address_map=dict(result.address_map))
    targets: set[Address] = {c.address for c in vdiff.changes}
    for a in tuple(getattr(result, "changed", ())):
        targets.add(a.clause_address or a)
    for op in mod.operations:
        try:
            targets.update(op.clause_addresses())
        except NotImplementedError:
            pass
    instructions: dict[str, list[Instruction]] = {letter: [] for letter in letters}
    for letter, ins in drafting_instructions(mod):
        instructions.setdefault(letter, []).append(ins)
    meta = dict(getattr(mod, "meta", {}) or {})
    return build_redline(base, new, vdiff, modification_cover(mod), instructions=instructions,
                         targets=targets, context=context, author=author or meta.get("author") or mod.id,
                         date=date, notes=coverage_notes(vdiff), provenance_sides=("old",))


def versions_cover(old_id: str, new_id: str, code: str = "SEC", title: str = "Smart Energy Code",
                   within: Address | None = None) -> Cover:
    """The cover of a version-to-version redline."""
    scope = f" (Section {within} only)" if within is not None else ""
    # how changes look is said by each format's legend (tracked changes, or blue and red mark-up)
    about = (f"This document shows the changes to the {title} between {code} Version {old_id} and "
             f"{code} Version {new_id}{scope}.",)
    return Cover(f"{code} {old_id} → {new_id}", f"Changes to the {title}", "Redline",
                 f"{code} Version {old_id} to {code} Version {new_id}", about)


def coverage_notes(vdiff: VersionDiff) -> tuple[str, ...]:
    """Sentences saying which parts are held in one version only (not compared)."""
    out = []
    for cov in vdiff.coverage:
        n = len(cov.clauses)
        what = f" ({n} clause{'s' if n != 1 else ''} not compared)" if n else ""
        if cov.old == "absent" or cov.new == "absent":
            held_in = vdiff.new_id if cov.old == "absent" else vdiff.old_id
            missing = vdiff.old_id if cov.old == "absent" else vdiff.new_id
            out.append(f"{cov.address} is held in version {held_in} but not in version {missing}{what}.")
        else:
            both = "" if n else "; what both hold is compared"
            out.append(f"{cov.address} is held {cov.old} in version {vdiff.old_id} and {cov.new} in version "
                       f"{vdiff.new_id}{what}{both}.")
    return tuple(out)


def versions_redline(old: Version, new: Version, vdiff: VersionDiff, *, code: str = "SEC",
                     title: str = "Smart Energy Code", context: str = DEFAULT_CONTEXT,
                     author: str = "redline", date: str | None = None) -> Redline:
    """A redline of two versions (``redline diff --format html|docx``)."""
    return build_redline(old, new, vdiff, versions_cover(old.id, new.id, code, title, vdiff.within),
                         context=context, author=author, date=date, notes=coverage_notes(vdiff))
