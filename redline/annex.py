"""The redline document model: an Annex A (or a version-to-version redline) as data.

A :class:`Redline` is what the HTML and DOCX renderers draw: a :class:`Cover` (modification id
and title, "Annex A", "Legal text – version N", the base version, the classification statement),
then for each section touched a :class:`SectionRedline` with its drafting instructions and the
redlined text shown with the context a reader needs: the whole cross-heading group around each
changed clause (MP087's Annex A shows G3.17 to G3.21 under "Manufacturers: Duty to Notify and Be
Notified"). An inserted clause appears wholly as an insertion, with its new cross-heading.

Everything here is pure: it takes versions, a :class:`redline.diff.VersionDiff` and the
modification's instructions, and returns frozen values. Nothing is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from redline.diff import ChangeKind, Change, NodeDiff, NodeState, VersionDiff, diff_versions, unchanged_pair
from redline.model import Address, Node, Version
from redline.textdiff import DELETE, INSERT, Span, deleted, inserted, new_text, old_text, tokenize, unchanged

#: how much text is shown around a change: the whole cross-heading group, only the changed
#: clauses, or every clause of the sections touched
CONTEXTS = ("group", "clause", "all")
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
    date: str | None = None


@dataclass(frozen=True)
class HeadingBlock:
    """A part heading or a cross-heading line in the redline."""

    level: str  # part | crossheading
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


Block = HeadingBlock | ClauseBlock


@dataclass(frozen=True)
class SectionRedline:
    """The part of the document about one section: its title, instructions and redlined text."""

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
    goes to the deleted clause's anchor)."""

    address: str
    change: str
    detail: str
    deleted: bool = False


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
    return node_lines(block.diff, side)


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
    heading: str | None  # cross-heading text on its own side
    heading_key: object  # the cross-heading element (or the clause itself when none)


def _crossheading_el(node: Node):
    el = node.element.getparent()
    return el if el is not None and el.tag == "crossheading" else None


def _clauses(version: Version, letter: str) -> list[Node]:
    """The clauses of section ``letter`` in document order (none if the version does not hold it):
    the version's outline, so that a redline of a few sections never builds the whole index."""
    return version.outline(letter).clauses if letter in version.sections else []


def _clause(version: Version, address: Address) -> Node | None:
    """The clause at ``address``, or None."""
    return version.outline(address.section).clause(address) if address.section in version.sections else None


def _part(version: Version, address: Address) -> Node | None:
    """The part at ``address``, or None."""
    if address.section not in version.sections:
        return None
    el = version.outline(address.section).parts.get(address)
    return Node(el, address) if el is not None else None


def _merged(old: Version, new: Version, pairs: Mapping[Address, Address], old_to_new: Mapping[Address, Address],
            deleted_addrs: set[Address], letter: str) -> list[_Entry]:
    """New clauses of the section in order, with deleted old clauses after their old predecessor."""
    out: list[_Entry] = []
    pos_of_new = {}
    part_of: dict[str, Address] = {}
    for c in _clauses(new, letter):
        addr = c.address
        o_addr = pairs.get(addr)
        o = _clause(old, o_addr) if o_addr is not None else None
        ch = _crossheading_el(c)
        pos_of_new[addr] = len(out)
        part = part_of.get(addr.part)
        if part is None:
            part = part_of[addr.part] = Address(letter, addr.part)
        out.append(_Entry(c, o, part, ch.get("heading") if ch is not None else None,
                          ch if ch is not None else c.element))
    inserts: list[tuple[int, int, _Entry]] = []
    anchor = -1
    for i, c in enumerate(_clauses(old, letter)):
        if c.address in old_to_new:
            anchor = pos_of_new.get(old_to_new[c.address], anchor)
        elif c.address in deleted_addrs:
            ch = _crossheading_el(c)
            inserts.append((anchor, i, _Entry(None, c, Address(letter, c.address.part),
                                              ch.get("heading") if ch is not None else None,
                                              ("old", ch if ch is not None else c.element))))
    for anchor, i, entry in sorted(inserts, key=lambda t: (t[0], t[1]), reverse=True):
        out.insert(anchor + 1, entry)
    return out


def _group_entries(entries: list[_Entry]) -> list[list[_Entry]]:
    """Consecutive entries under the same cross-heading (same part and heading text)."""
    groups: list[list[_Entry]] = []
    for e in entries:
        if groups:
            last = groups[-1][-1]
            same = (last.part == e.part and e.heading is not None and last.heading == e.heading)
            if same:
                groups[-1].append(e)
                continue
        groups.append([e])
    return groups


def _heading_block(vdiff: VersionDiff, group: list[_Entry]) -> HeadingBlock | None:
    heading = group[0].heading
    if heading is None:
        return None
    part = group[0].part
    addrs = {e.new.address if e.new is not None else e.old.address for e in group}
    for h in vdiff.headings:
        if h.level != "crossheading" or h.part != part:
            continue
        if (h.new == heading or h.old == heading) and (not h.clauses or addrs & set(h.clauses)):
            state = _HEADING_STATE.get(h.kind, NodeState.AMENDED)
            return HeadingBlock("crossheading", state, h.spans)
    return HeadingBlock("crossheading", NodeState.UNCHANGED, unchanged(heading))


def _clause_block(entry: _Entry, change: Change | None) -> ClauseBlock:
    if change is not None:
        note = None
        if change.kind == ChangeKind.MOVED:  # a renumbering shows in the struck-through number itself
            note = f"moved from {change.old}"
        return ClauseBlock(change.diff, change.kind, note)
    node = entry.new if entry.new is not None else entry.old
    return ClauseBlock(unchanged_pair(node.element, node.element, node.address, node.address), None)


def build_redline(
    old: Version,
    new: Version,
    vdiff: VersionDiff,
    cover: Cover,
    *,
    instructions: Mapping[str, Sequence[str]] | None = None,
    targets: Iterable[Address] | None = None,
    context: str = DEFAULT_CONTEXT,
    author: str = "redline",
    date: str | None = None,
    notes: Sequence[str] = (),
) -> Redline:
    """Lay out a redline of ``vdiff`` (old → new) with context around each change.

    ``targets`` are the clauses to show (default: every changed clause of the diff; addresses in
    the new version, or in the old for deleted clauses). ``instructions`` maps a section letter
    to its drafting instructions (default: generated from the changes, see :func:`instruction_for`).
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {context!r}")
    changes_by_addr: dict[tuple[str, Address], Change] = {}
    for c in vdiff.changes:
        changes_by_addr[("new", c.new) if c.new is not None else ("old", c.old)] = c
    target_set = set(targets) if targets is not None else {c.address for c in vdiff.changes}
    heading_targets = {(h.part, h.new or h.old) for h in vdiff.headings}

    letters = sorted({a.section for a in target_set} | {h.part.section for h in vdiff.headings}
                     | set(instructions or {}))
    sections: list[SectionRedline] = []
    previous: dict[Address, Address | None] | None = None
    pairs = vdiff.pairs
    old_to_new = {o: n for n, o in pairs.items()}
    deleted_addrs = {c.old for c in vdiff.changes if c.kind == ChangeKind.DELETED}
    for letter in letters:
        entries = _merged(old, new, pairs, old_to_new, deleted_addrs, letter)
        blocks: list[Block] = []
        shown_parts: set[Address] = set()
        for group in _group_entries(entries):
            def is_target(e: _Entry) -> bool:
                if e.new is not None:
                    return e.new.address in target_set
                return e.old.address in target_set
            hit = any(is_target(e) for e in group) or (group[0].part, group[0].heading) in heading_targets
            if context != "all" and not hit:
                continue
            part = group[0].part
            if part not in shown_parts:
                shown_parts.add(part)
                pb = _part_block(old, new, vdiff, part, context)
                if pb is not None:
                    blocks.append(pb)
            hb = _heading_block(vdiff, group)
            if hb is not None:
                blocks.append(hb)
            for e in group:
                if context == "clause" and not is_target(e):
                    continue
                key = ("new", e.new.address) if e.new is not None else ("old", e.old.address)
                blocks.append(_clause_block(e, changes_by_addr.get(key)))
        sec_el = new.sections.get(letter) if letter in new.sections else old.sections.get(letter)
        heading = sec_el.get("heading") if sec_el is not None else None
        if instructions is not None:
            instr = tuple(instructions.get(letter, ()))
        else:
            previous = previous or previous_clauses(new)
            instr = tuple(instruction_for(c, previous) for c in vdiff.changes if c.address.section == letter)
        sections.append(SectionRedline(letter, heading, instr, tuple(blocks)))

    def key(c: Change) -> tuple[str, Address]:  # a deleted G3.19 and a renumbered-into G3.19 differ
        return ("new", c.new) if c.new is not None else ("old", c.old)

    rows = {key(c): summary_row(c) for c in vdiff.changes if c.address in target_set}
    extra: list[SummaryRow] = []
    kind_of = {key(c): c.kind for c in vdiff.changes}
    for h in vdiff.headings:
        words = f"‘{h.new or h.old or ''}’"
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
        extra.append(SummaryRow(str(h.clauses[0] if h.clauses else h.part),
                                f"cross-heading {h.kind}" if h.level == "crossheading" else f"part heading {h.kind}",
                                words, h.kind == ChangeKind.DELETED))
    summary = tuple(rows.values()) + tuple(extra)
    return Redline(cover, tuple(sections), summary, author, date, old.id, new.id, tuple(notes))


def _part_block(old: Version, new: Version, vdiff: VersionDiff, part: Address, context: str) -> HeadingBlock | None:
    """A part heading, shown when the part is new, its heading changed, or the context is 'all'."""
    for h in vdiff.headings:
        if h.level == "part" and h.part == part:
            state = _HEADING_STATE.get(h.kind, NodeState.AMENDED)
            return HeadingBlock("part", state, h.spans, unchanged(part.part), str(part))
    n, o = _part(new, part), _part(old, part)
    if n is not None and o is None and old.coverage_of(part) != "absent":
        return HeadingBlock("part", NodeState.INSERTED, inserted(n.heading or ""), inserted(part.part), str(part))
    if context == "all":
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
    :func:`previous_clauses`); without it, additions and moves are not placed.
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
        return f"Move Section {change.old}{where} as Section {change.new}{extra}"
    return f"Add Section {change.new} after Section {prev}" if prev else f"Add Section {change.new}"


def previous_clauses(version: Version) -> dict[Address, Address | None]:
    """Each clause of ``version`` mapped to the clause before it in the same part (None if first)."""
    out: dict[Address, Address | None] = {}
    prev: Address | None = None
    for letter in version.sections:
        for c in _clauses(version, letter):
            a = c.address
            out[a] = prev if prev is not None and prev.part == a.part else None
            prev = a
    return out


# --- the two kinds of document ---------------------------------------------------------------------

def classification_statement(classification: str | None) -> str | None:
    """The Panel Information Policy statement for a classification (a generic one if unknown)."""
    if not classification:
        return None
    known = CLASSIFICATION_STATEMENTS.get(classification.strip().lower())
    return known or (f"This document is classified as {classification.strip()} in accordance with the Panel "
                     "Information Policy.")


def modification_cover(mod) -> Cover:
    """The cover of a modification's Annex A (from its id, title, base and metadata)."""
    meta = dict(getattr(mod, "meta", {}) or {})
    version = meta.get("legal-text-version") or meta.get("version")
    classification = meta.get("classification")
    about = (ABOUT_MODIFICATION, f"These changes have been drafted against SEC Version {mod.base}.")
    return Cover(mod.id, mod.title, "Annex A", f"Legal text – version {version}" if version else "Legal text",
                 about, classification, classification_statement(classification), meta.get("date"))


def annex_for_modification(mod, base: Version, result, *, context: str = DEFAULT_CONTEXT,
                           author: str | None = None, date: str | None = None) -> Redline:
    """The Annex A of ``mod``: ``result`` is what applying it to ``base`` gave (an ApplyResult).

    The changes are found by diffing ``base`` with the result, paired through the result's
    address map; the instructions are the operations' own; the context is chosen around the
    clauses the operations change or create.
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
    instructions: dict[str, list[str]] = {}
    for op in mod.operations:
        text = op.instruction()
        lst = instructions.setdefault(op.section, [])
        if text not in lst:
            lst.append(text)
    for letter in letters:
        instructions.setdefault(letter, [])
    return build_redline(base, new, vdiff, modification_cover(mod), instructions=instructions,
                         targets=targets, context=context, author=author or mod.id, date=date,
                         notes=coverage_notes(vdiff))


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
