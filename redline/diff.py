"""Clause-aligned structural diff of two versions: what changed, as data (no markup).

Two versions are aligned clause by clause. Clauses are first paired by address and identical
text, then clauses whose address changed are re-paired by text (exact first, then similarity), so
that a renumbering is reported as ``renumbered`` and a clause taken elsewhere as ``moved``, never
as a deletion plus an insertion. Inside each paired clause the lead text, every item (aligned in
order by number and text, recursively) and the closing words get their own word diff
(:func:`redline.textdiff.diff_text`): the diff is per clause, never of the whole text.

The corpus holds some parts only in some versions (section G is ``partial``: G1 is held in 5.23
and 6.17 but not in 5.20). A clause held in one version only because the other does not hold its
part is a :class:`CoverageDifference`, not an addition or a deletion (see :func:`diff_versions`).

Every result is a frozen value; the inputs are never changed. Renderers (text, JSON, HTML, DOCX)
turn these values into markup.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterator, Mapping

from lxml import etree

from redline.model import (
    Address, Node, Version, child_address, node_parts, node_words, normalise_space, part_address,
)
from redline.textdiff import (
    EQUAL, Span, common_ends, deleted, diff_text, inserted, is_changed, lcs_similarity, longest_increasing, new_text,
    old_text, similarity, unchanged, word_counts, word_tokens,
)

# --- tuning knobs (named settings, see STYLE.md) -------------------------------------------------
#: a clause at the same address is compared word by word if at least this similar; below it the old
#: clause is reported deleted and the new one added (it was replaced, not amended)
AMEND_THRESHOLD = 0.3
#: a clause at the same address this similar is paired at once (no move could explain it better)
SURE_AMEND_THRESHOLD = 0.8
#: a clause at a different address is re-paired with an unpaired clause if at least this similar
MOVE_THRESHOLD = 0.6
#: how many of a clause's rarest words are used to find candidates for re-pairing
RARE_WORDS = 8
#: extra weight for the same address when choosing among candidate pairs
SAME_ADDRESS_BONUS = 0.15
#: items (and definitions) of two paired nodes are aligned if at least this similar...
ITEM_THRESHOLD = 0.5
#: ...or at least this similar when they keep the same number
ITEM_SAME_NUM_THRESHOLD = 0.2
#: extra weight for the same number when choosing among candidate item pairs (breaks ties only)
ITEM_SAME_NUM_BONUS = 0.01



class ChangeKind(StrEnum):
    """What became of a clause between two versions (or of a heading: added, deleted, amended)."""

    ADDED = "added"
    DELETED = "deleted"
    AMENDED = "amended"
    MOVED = "moved"
    RENUMBERED = "renumbered"


#: the change kinds, in the order summaries list them
CHANGE_KINDS = tuple(ChangeKind)


class NodeState(StrEnum):
    """What became of one node (clause, item, definition, heading) in a redline."""

    UNCHANGED = "unchanged"
    INSERTED = "inserted"
    DELETED = "deleted"
    AMENDED = "amended"


# the node states as plain module names: the hot loops read them (~150,000 nodes a whole code)
_UNCHANGED, _INSERTED, _DELETED, _AMENDED = NodeState


@dataclass(frozen=True)
class NodeDiff:
    """The word diff of one node (clause, item or definition) and everything under it.

    ``state`` (a :class:`NodeState`) is unchanged, amended, inserted (new only) or deleted (old only).
    ``num`` holds the number (or a definition's term) as spans: a renumbered item shows the old
    number deleted and the new one inserted, as the code administrator prints ``(a)(c)``.
    """

    element: str  # clause | item | definition
    state: NodeState
    old: Address | None
    new: Address | None
    num: tuple[Span, ...]
    text: tuple[Span, ...]
    children: tuple["NodeDiff", ...] = ()
    closing: tuple[Span, ...] = ()

    @property
    def address(self) -> Address:
        """The new address, or the old one for a deleted node."""
        return self.new if self.new is not None else self.old

    @property
    def changed(self) -> bool:
        return self.state != _UNCHANGED

    @property
    def renumbered(self) -> bool:
        return is_changed(self.num) and self.state == _AMENDED

    def walk(self) -> Iterator["NodeDiff"]:
        """This node and its descendants, in document order."""
        yield self
        for c in self.children:
            yield from c.walk()

    def spans(self) -> Iterator[Span]:
        """Every text span of the node and its descendants (numbers excluded), in order."""
        for n in self.walk():
            yield from n.text
            # closings come after the children; order is only used for counting
            yield from n.closing

    def full_text(self, side: str = "new") -> str:
        """The words of one side (``old`` or ``new``), numbers included, as Node.full_text gives them."""
        if side not in ("old", "new"):
            raise ValueError("side must be 'old' or 'new'")
        if (side == "old" and self.state == _INSERTED) or (side == "new" and self.state == _DELETED):
            return ""
        pick = old_text if side == "old" else new_text
        parts: list[str] = []
        num = pick(self.num)
        if self.element == "item":
            parts.append(num)
        elif self.element == "definition":
            parts.append(f'"{num}"')
        for t in (pick(self.text), *(c.full_text(side) for c in self.children), pick(self.closing)):
            if t:
                parts.append(t)
        return " ".join(parts)

    def text_changed(self) -> bool:
        """True if any words (not only numbers) were inserted or deleted."""
        return any(s.kind != EQUAL for s in self.spans()) or any(
            n.state in (_INSERTED, _DELETED) for n in self.walk())


@dataclass(frozen=True)
class Change:
    """One changed clause: added, deleted, amended, moved or renumbered (with its word diff)."""

    kind: ChangeKind
    old: Address | None
    new: Address | None
    diff: NodeDiff
    crossheading: str | None = None  # the clause's cross-heading (new side; old side if deleted)

    @property
    def address(self) -> Address:
        return self.new if self.new is not None else self.old

    @property
    def text_changed(self) -> bool:
        return self.diff.text_changed()


@dataclass(frozen=True)
class HeadingChange:
    """A part heading or cross-heading added, deleted or reworded; for a part, also a whole part
    added or deleted by a modification (``whole``) or renumbered (``was``: its old address)."""

    level: str  # part | crossheading
    kind: ChangeKind  # added, deleted, amended (or renumbered: a part's number only)
    part: Address
    old: str | None
    new: str | None
    spans: tuple[Span, ...]
    clauses: tuple[Address, ...] = ()  # the clauses under the cross-heading (new side; old if deleted)
    whole: bool = False  # a part: the part itself is added or deleted, not only its heading
    was: Address | None = None  # a part renumbered (G3 -> G4): its old address


@dataclass(frozen=True)
class CoverageDifference:
    """A part (or section) held differently by the two versions: not a change to the code.

    ``old`` and ``new`` are ``complete``, ``partial`` or ``absent`` (see Version.coverage_of);
    ``clauses`` are the clauses held on one side only because of it.
    """

    address: Address
    old: str
    new: str
    clauses: tuple[Address, ...] = ()


@dataclass(frozen=True)
class VersionDiff:
    """Everything that differs between two versions (optionally within one address)."""

    old_id: str
    new_id: str
    within: Address | None
    changes: tuple[Change, ...]
    headings: tuple[HeadingChange, ...] = ()
    coverage: tuple[CoverageDifference, ...] = ()
    #: every paired clause, new address -> old address (unchanged ones included)
    pairs: Mapping[Address, Address] = field(default_factory=dict)
    #: which cross-heading is which (:func:`align_crossheadings`), for each part the diff compared
    #: or found byte for byte the same: old part element -> {old cross-heading element: new element}.
    #: A working index for the redline (it holds the versions' elements), not part of the value
    crossheadings: Mapping[object, Mapping[object, object]] = field(default_factory=dict, compare=False, repr=False)

    def summary(self) -> dict[str, int]:
        """Counts of changed clauses per kind, plus headings and coverage differences."""
        out = {k: 0 for k in CHANGE_KINDS}
        for c in self.changes:
            out[c.kind] += 1
        out["headings"] = len(self.headings)
        out["coverage"] = len(self.coverage)
        return out

    @property
    def empty(self) -> bool:
        return not (self.changes or self.headings)

    def change_for(self, address: Address) -> Change | None:
        """The change of the clause now (or, if deleted, formerly) at ``address``."""
        for c in self.changes:
            if c.new == address or (c.new is None and c.old == address):
                return c
        return None


# --- node diffs ----------------------------------------------------------------------------------

def _num(node: Node) -> str:
    return node.num or ""


def _same_xml(old: Node, new: Node) -> bool:
    """True if two nodes have byte-identical XML (then they are certainly unchanged; cheap)."""
    return etree.tostring(old.element, with_tail=False) == etree.tostring(new.element, with_tail=False)


def _body(node: Node) -> str:
    """The words of a node without its own number (what pairing compares)."""
    return node_words(node.element, False)


def _whole(node: Node, state: str) -> NodeDiff:
    wrap = inserted if state == _INSERTED else deleted
    addr = node.address
    return NodeDiff(
        node.kind, state,
        addr if state == _DELETED else None, addr if state == _INSERTED else None,
        wrap(_num(node)), wrap(node.text), tuple(_whole(c, state) for c in node.children), wrap(node.closing),
    )


def diff_node(old: Node | None, new: Node | None) -> NodeDiff:
    """The word diff of two nodes (either may be None: wholly inserted or deleted)."""
    if old is None and new is None:
        raise ValueError("diff_node needs at least one node")
    if old is None:
        return _whole(new, _INSERTED)
    if new is None:
        return _whole(old, _DELETED)
    if _same_xml(old, new):  # byte-identical subtree: unchanged throughout, no word diff needed
        return unchanged_pair(old.element, new.element, old.address, new.address)
    on, nn = _num(old), _num(new)
    num = unchanged(on) if on == nn else deleted(on) + inserted(nn)
    text = diff_text(old.text, new.text)
    closing = diff_text(old.closing, new.closing)
    oa, na = old.address, new.address
    children = tuple(diff_node(_with_address(o, oa), _with_address(n, na))
                     for o, n in align_children(old.children, new.children))
    changed = is_changed(num) or is_changed(text) or is_changed(closing) or any(c.changed for c in children)
    return NodeDiff(new.kind, _AMENDED if changed else _UNCHANGED, oa, na, num, text, children, closing)


def _with_address(node: Node | None, parent: Address) -> Node | None:
    return node.under(parent) if node is not None else None


def unchanged_pair(oe, ne, oa: Address, na: Address) -> NodeDiff:
    """What :func:`diff_node` gives for two byte-identical subtrees ``oe`` and ``ne`` (at old and
    new addresses ``oa`` and ``na``), built straight from the elements: each descendant's address
    is made from its parent's. ``unchanged_pair(el, el, a, a)`` is a node shown unchanged (as
    context around a change)."""
    text, kids, closing = node_parts(ne)
    okids = kids if oe is ne else node_parts(oe)[1]
    same = oa is na
    children = []
    for o, n in zip(okids, kids):
        cn = child_address(na, n)
        co = cn if same and o is n else child_address(oa, o)
        children.append(unchanged_pair(o, n, co, cn))
    num = ne.get("term") if ne.tag == "definition" else ne.get("num")
    return NodeDiff(ne.tag, _UNCHANGED, oa, na, unchanged(num or ""),
                    unchanged(normalise_space(text.text) if text is not None else ""), tuple(children),
                    unchanged(normalise_space(closing.text) if closing is not None else ""))


def align_children(old: list[Node], new: list[Node]) -> list[tuple[Node | None, Node | None]]:
    """Pair two ordered lists of items (or definitions) in order, by number and text.

    Identical items anchor the alignment; between anchors a small dynamic programme maximises
    the total similarity of order-preserving pairs. Unpaired items come back as (old, None) or
    (None, new), deletions before insertions.
    """
    okeys = [(_num(n), _body(n)) for n in old]
    nkeys = [(_num(n), _body(n)) for n in new]
    sm = difflib.SequenceMatcher(None, okeys, nkeys, autojunk=False)
    out: list[tuple[Node | None, Node | None]] = []
    i = j = 0
    for block in sm.get_matching_blocks():
        out += _align_gap(old[i:block.a], new[j:block.b])
        out += [(old[block.a + k], new[block.b + k]) for k in range(block.size)]
        i, j = block.a + block.size, block.b + block.size
    return out


def _align_gap(old: list[Node], new: list[Node]) -> list[tuple[Node | None, Node | None]]:
    if not old or not new:
        return [(o, None) for o in old] + [(None, n) for n in new]
    n, m = len(old), len(new)
    score = [[0.0] * m for _ in range(n)]
    for a in range(n):
        for b in range(m):
            same = _num(old[a]) == _num(new[b])
            sim = similarity(_body(old[a]), _body(new[b]), floor=ITEM_SAME_NUM_THRESHOLD if same else ITEM_THRESHOLD)
            if sim >= ITEM_THRESHOLD or (same and sim >= ITEM_SAME_NUM_THRESHOLD):
                score[a][b] = sim + (ITEM_SAME_NUM_BONUS if same else 0.0)
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            best = max(dp[a + 1][b], dp[a][b + 1])
            if score[a][b] > 0:
                best = max(best, dp[a + 1][b + 1] + score[a][b])
            dp[a][b] = best
    out: list[tuple[Node | None, Node | None]] = []
    a = b = 0
    pend_old: list[Node] = []
    pend_new: list[Node] = []
    while a < n and b < m:
        if score[a][b] > 0 and dp[a][b] == dp[a + 1][b + 1] + score[a][b]:
            out += [(o, None) for o in pend_old] + [(None, x) for x in pend_new]
            pend_old, pend_new = [], []
            out.append((old[a], new[b]))
            a, b = a + 1, b + 1
        elif dp[a][b] == dp[a + 1][b]:
            pend_old.append(old[a])
            a += 1
        else:
            pend_new.append(new[b])
            b += 1
    pend_old += old[a:]
    pend_new += new[b:]
    return out + [(o, None) for o in pend_old] + [(None, x) for x in pend_new]


# --- version diffs -------------------------------------------------------------------------------

class _Side:
    """One side of a version diff: the parts and clauses of the sections it walks, read from
    the version's outlines, and the digest of each clause's bytes where the loader knows it."""

    def __init__(self, version: Version, skip: frozenset = frozenset(), skip_parts: frozenset = frozenset()):
        self.version = version
        self.sections = version.sections
        self.coverage_of = version.coverage_of
        self.parts: dict[Address, object] = {}
        self.clauses: list[Node] = []
        self.digest: dict[Address, bytes] = {}  # clause address -> digest (see Version.clause_digests)
        for letter in version.sections:
            if letter in skip:
                continue
            outline = version.outline(letter)
            self.parts.update(outline.parts)
            digests = version.clause_digests(letter)
            if digests is not None:
                self.digest.update(zip((c.address for c in outline.clauses), digests))
            if skip_parts:
                self.clauses += [c for c in outline.clauses if c.address.part not in skip_parts]
            else:
                self.clauses += outline.clauses


def _in_scope(addr: Address, within: Address | None) -> bool:
    return within is None or addr.is_within(within)


def _part_of(addr: Address) -> Address:
    return part_address(addr.part) if addr.part else Address(addr.section)


def diff_versions(
    old: Version,
    new: Version,
    within: Address | str | None = None,
    address_map: Mapping[Address, Address | None] | None = None,
    _skip: bool | tuple = True,
) -> VersionDiff:
    """Diff two versions clause by clause (only clauses within ``within``, if given).

    ``address_map`` (old address -> new address, or None if deleted), when known (e.g. from
    applying a modification), pairs renumbered clauses authoritatively; otherwise clauses are
    paired by address and text (see the module docstring).

    A clause held on one side only counts as added or deleted when the other side holds its part
    completely, or holds the clauses on both sides of it; otherwise it is listed under a
    :class:`CoverageDifference` of its part. With an ``address_map`` (``new`` was made from
    ``old`` by a modification) a clause on one side only is always added or deleted: nothing in
    ``new`` was transcribed apart from ``old``, so G1.11 added at the end of a part held in part is
    an addition, not a clause the corpus happens not to hold.
    """
    if isinstance(within, str):
        within = Address.parse(within)
    if within is not None and within.kind == "item":
        within = within.clause_address
    # Settled parts are not walked: a section whose very tree both versions share (a
    # modification left it alone), and a part whose bytes, from the clause before it to its last
    # clause, the loader's digests show identical in both versions (most parts, between two
    # versions of a code). Their clauses are paired with themselves. If a clause is paired across
    # parts (a move), everything is walked again, since the order of the whole code then decides
    # renumbered against moved.
    if _skip is True:
        settled = _settled(old, new, address_map is None)
        if settled[0] or settled[1]:
            vdiff = diff_versions(old, new, within, address_map, _skip=settled)
            if all(n == o or _part_of(n) == _part_of(o) for n, o in vdiff.pairs.items()):
                pairs = dict(vdiff.pairs)
                for a in settled[2]:
                    if within is None or a.is_within(within):
                        pairs[a] = a
                crossheadings = dict(vdiff.crossheadings)
                for num in settled[1]:  # a part byte for byte the same: each cross-heading is the one in its place
                    pa = part_address(num)
                    oel, nel = old.outline(pa.section).parts.get(pa), new.outline(pa.section).parts.get(pa)
                    if oel is not None and nel is not None:
                        crossheadings[oel] = dict(zip(oel.iterchildren("crossheading"), nel.iterchildren("crossheading")))
                return VersionDiff(vdiff.old_id, vdiff.new_id, vdiff.within, vdiff.changes, vdiff.headings,
                                   vdiff.coverage, pairs, crossheadings)
        return diff_versions(old, new, within, address_map, _skip=False)
    old_v, new_v = old, new
    skip_sections, skip_parts = (_skip[0], _skip[1]) if isinstance(_skip, tuple) else (frozenset(), frozenset())
    old = _Side(old_v, skip=skip_sections, skip_parts=skip_parts)
    new = _Side(new_v, skip=skip_sections, skip_parts=skip_parts)
    if within is None:
        oclauses, nclauses = old.clauses, new.clauses
    else:
        oclauses = [c for c in old.clauses if c.address.is_within(within)]
        nclauses = [c for c in new.clauses if c.address.is_within(within)]
    oidx, onode, nidx, nnode = {}, {}, {}, {}
    for clauses, idx, node in ((oclauses, oidx, onode), (nclauses, nidx, nnode)):
        for i, c in enumerate(clauses):
            a = c.address
            idx[a] = i
            node[a] = c
    odigest, ndigest = old.digest, new.digest

    def identical(o: Node, n: Node) -> bool:
        """Byte-identical XML: by the digests of the bytes read, when both sides have them."""
        do = odigest.get(o.address)
        if do is not None and do == ndigest.get(n.address):
            return True
        return _same_xml(o, n)

    same: set[Address] = set()  # same address, byte-identical XML: unchanged
    pairs = _pair_clauses(oclauses, nclauses, address_map, same, identical)  # new -> old

    # coverage: parts held on one side only, and clauses not held in a partial part
    coverage, unheld = _coverage(old, new, oclauses, nclauses, pairs, within, derived=address_map is not None)

    # classify pairs: renumbered (order kept, in its part or in its part renumbered) or moved (order
    # or part changed)
    part_moves = {a: b for a, b in (address_map or {}).items() if a.kind == "part" and b is not None}
    in_order = set(longest_increasing(sorted((oidx[o], nidx[n]) for n, o in pairs.items())))
    changes: list[tuple[tuple, Change]] = []
    for n_addr, o_addr in pairs.items():
        # a clause that keeps its number while others are renumbered around it can still change its
        # place (G1.4 staying G1.4 after G1.5 became G1.3): out of order, it is moved like any other
        stays_in_order = n_addr != o_addr or (oidx[o_addr], nidx[n_addr]) in in_order
        if stays_in_order and (n_addr in same or (n_addr == o_addr and identical(onode[o_addr], nnode[n_addr]))):
            continue  # unchanged: no need to diff the words
        nd = diff_node(onode[o_addr], nnode[n_addr])
        ch = nnode[n_addr].crossheading
        key = (nidx[n_addr], 0, 0)
        if n_addr == o_addr and stays_in_order:
            if nd.changed:
                changes.append((key, Change(ChangeKind.AMENDED, o_addr, n_addr, nd, ch)))
            continue
        other_part = _part_of(n_addr) != _part_of(o_addr) and part_moves.get(_part_of(o_addr)) != _part_of(n_addr)
        moved = other_part or (oidx[o_addr], nidx[n_addr]) not in in_order
        changes.append((key, Change(ChangeKind.MOVED if moved else ChangeKind.RENUMBERED, o_addr, n_addr, nd, ch)))
    for c in nclauses:
        if c.address not in pairs and c.address not in unheld:
            changes.append(((nidx[c.address], 0, 0), Change(ChangeKind.ADDED, None, c.address, diff_node(None, c),
                                                             c.crossheading)))
    # a deleted clause sits after the new position of the clause that preceded it in the old version
    old_to_new = {o: n for n, o in pairs.items()}
    anchor = -1
    for c in oclauses:
        if c.address in old_to_new:
            anchor = nidx[old_to_new[c.address]]
        elif c.address not in unheld:
            deletion = Change(ChangeKind.DELETED, c.address, None, diff_node(c, None), c.crossheading)
            changes.append(((anchor, 1, oidx[c.address]), deletion))
    changes.sort(key=lambda kc: kc[0])

    part_map = None
    if address_map is not None:  # parts renumbered (or deleted) by the modification
        part_map = {a: b for a, b in address_map.items() if a.kind == "part"}
    moved = {c.new for _, c in changes if c.kind == ChangeKind.MOVED}
    headings, crossheadings = _heading_changes(old, new, oclauses, nclauses, pairs, within, unheld, part_map, moved)
    return VersionDiff(old_v.id, new_v.id, within, tuple(c for _, c in changes), tuple(headings),
                       tuple(coverage), dict(pairs), crossheadings)


def _settled(old: Version, new: Version, by_digest: bool = True) -> tuple[frozenset, frozenset, list[Address]]:
    """(sections, parts, clauses) that cannot differ between ``old`` and ``new``: the sections
    whose tree both share, and (``by_digest``) the parts whose file bytes are the same from the
    piece before their first clause (which holds the part's and its first cross-heading's start
    tags) to the end of their last clause's piece; with the addresses of their clauses."""
    sections = frozenset(k for k, root in old.sections.items() if new.sections.get(k) is root)
    clauses: list[Address] = []
    for k in sorted(sections):
        clauses += old.outline(k).clause_addresses
    parts: set[str] = set()
    if by_digest:
        for letter in old.sections:
            if letter in sections or letter not in new.sections:
                continue
            opieces, npieces = old.piece_digests(letter), new.piece_digests(letter)
            if opieces is None or npieces is None:
                continue
            theirs = _part_signatures(new.outline(letter), npieces)
            for part, sig in _part_signatures(old.outline(letter), opieces).items():
                if theirs.get(part) == sig:
                    parts.add(part.part)
                    clauses += [a for a, _ in sig[1]]
    return sections, frozenset(parts), clauses


def _part_signatures(outline, pieces: list[bytes]) -> dict[Address, tuple]:
    """Part -> (digest of the piece before its first clause, [(clause address, digest)])."""
    out: dict[Address, tuple] = {}
    clauses: list = []
    k = 0
    for a in outline.sequence:
        if a.clause is None:
            clauses = []
            out[a] = (pieces[k], clauses)
        else:
            k += 1
            clauses.append((a, pieces[k]))
    return out


def _pair_clauses(oclauses: list[Node], nclauses: list[Node],
                  address_map: Mapping[Address, Address | None] | None,
                  same: set[Address] | None = None, identical=None) -> dict[Address, Address]:
    """Pair old and new clauses; returns new address -> old address.

    ``same``, if given, receives the addresses paired with themselves because their XML is
    byte-identical (certainly unchanged), as ``identical(old_node, new_node)`` (default: the
    serialised trees compared) says.
    """
    if identical is None:
        identical = _same_xml
    nset = {c.address for c in nclauses}
    oset = {c.address for c in oclauses}
    pairs: dict[Address, Address] = {}
    if address_map is not None:
        targets = {v for v in address_map.values() if v is not None}
        for c in oclauses:
            a = c.address
            if a in address_map:
                b = address_map[a]
                if b is not None and b in nset:
                    pairs[b] = a
            elif a in nset and a not in targets:
                pairs[a] = a
        return pairs

    # 0. same address, same XML: unchanged, and its words need not be computed (the common case)
    onode = {c.address: c for c in oclauses}
    nnode = {c.address: c for c in nclauses}
    for a in oset & nset:
        if identical(onode[a], nnode[a]):
            pairs[a] = a
    if same is not None:
        same.update(pairs)
    obody = {c.address: _body(c) for c in oclauses if c.address not in pairs}
    nbody = {c.address: _body(c) for c in nclauses if c.address not in pairs}
    # 1. same address, same words
    for a in oset & nset:
        if a not in pairs and obody[a] == nbody[a]:
            pairs[a] = a
    used_old = set(pairs.values())
    # 2. same words, another address (a renumbering or a move), in document order
    by_text: dict[str, list[Address]] = {}
    for c in oclauses:
        if c.address not in used_old:
            by_text.setdefault(obody[c.address], []).append(c.address)
    for c in nclauses:
        if c.address in pairs:
            continue
        cands = by_text.get(nbody[c.address])
        if cands:
            o = cands.pop(0)
            pairs[c.address] = o
            used_old.add(o)
    # 3. same address, nearly the same words: an amendment, paired at once
    cands: list[tuple[float, int, Address, Address]] = []
    for c in nclauses:
        a = c.address
        if a in pairs or a not in oset or a in used_old:
            continue
        if _kept_ends(obody[a], nbody[a]) >= SURE_AMEND_THRESHOLD:  # a lower bound: sure without the LCS
            pairs[a] = a
            used_old.add(a)
            continue
        sim = similarity(obody[a], nbody[a], floor=AMEND_THRESHOLD)
        if sim >= SURE_AMEND_THRESHOLD:
            pairs[a] = a
            used_old.add(a)
        elif sim >= AMEND_THRESHOLD:  # a weaker same-address match competes with moves below
            cands.append((sim + SAME_ADDRESS_BONUS, 1, a, a))
    # 4. similar words at another address (renumbered or moved, and amended): candidates come
    #    from shared rare words, are screened by cheap upper bounds (length, then shared words
    #    regardless of order: quick_similarity), then compared exactly (the word LCS). The order
    #    in which candidates are found does not matter: they are sorted on a total key below.
    rest_old = [c.address for c in oclauses if c.address not in used_old]
    rest_new = [c.address for c in nclauses if c.address not in pairs]
    if rest_old and rest_new:
        ocount = {o: word_counts(obody[o]) for o in rest_old}
        ncount = {n: word_counts(nbody[n]) for n in rest_new}
        ototal = {o: cnt.total() for o, cnt in ocount.items()}
        index: dict[str, set[Address]] = {}
        for o, cnt in ocount.items():
            for tok in cnt:
                index.setdefault(tok, set()).add(o)
        for n in rest_new:
            cn = ncount[n]
            tn = cn.total()
            rare = sorted((t for t in cn if t in index), key=lambda t: (len(index[t]), t))[:RARE_WORDS]
            seen: set[Address] = set()
            for tok in rare:
                seen |= index.get(tok, set())
            for o in seen:
                if o == n:
                    continue
                if _move_bound(ocount[o], cn, ototal[o], tn) < MOVE_THRESHOLD:
                    continue
                ob, nb = obody[o], nbody[n]
                sim = 1.0 if ob == nb else lcs_similarity(ob, nb)
                if sim >= MOVE_THRESHOLD:
                    cands.append((sim, 0, n, o))
    cands.sort(key=lambda t: (-t[0], -t[1], str(t[2]), str(t[3])))
    taken_new: set[Address] = set()
    for _, _, n, o in cands:
        if n in taken_new or o in used_old:
            continue
        pairs[n] = o
        taken_new.add(n)
        used_old.add(o)
    return pairs


def _move_bound(co: Counter, cn: Counter, to: int, tn: int) -> float:
    """An upper bound of :func:`similarity` from word counts (``co``, ``cn``) and their totals:
    the length bound when it already falls short of MOVE_THRESHOLD, else quick_similarity."""
    tot = to + tn
    if not tot:
        return 1.0
    length = 2 * min(to, tn) / tot
    if length < MOVE_THRESHOLD:
        return length
    small, big = (co, cn) if len(co) < len(cn) else (cn, co)
    return 2 * sum(min(k, big[t]) for t, k in small.items() if t in big) / tot


def _kept_ends(old: str, new: str) -> float:
    """A lower bound of :func:`similarity`: the words the two texts share at their start and end
    (a phrase inserted, deleted or substituted keeps nearly all of them), twice over all words."""
    a, b = word_tokens(old), word_tokens(new)
    total = len(a) + len(b)
    if not total:
        return 1.0
    lo, hi = common_ends(a, b)
    return 2 * (lo + hi) / total


def _coverage(old: _Side, new: _Side, oclauses, nclauses, pairs, within, derived: bool = False):
    """Parts held differently, and the clauses that are therefore not changes (``derived``: ``new``
    was made from ``old``, so a clause on one side only is a change wherever it is)."""
    diffs: list[CoverageDifference] = []
    unheld: set[Address] = set()
    old_paired = set(pairs.values())
    new_paired = set(pairs)

    def part_addrs(v: Version) -> list[Address]:
        return [a for a in v.parts if _in_scope(a, within) or (within is not None and within.is_within(a))]

    seen: list[Address] = []
    for a in part_addrs(old) + part_addrs(new):
        if a not in seen:
            seen.append(a)
    for sec in sorted(set(old.sections) | set(new.sections)):
        sa = Address(sec)
        if within is not None and not (sa.is_within(within) or within.is_within(sa)):
            continue
        oc, nc = old.coverage_of(sa), new.coverage_of(sa)
        if "absent" in (oc, nc):
            held = tuple(c.address for c in (oclauses if nc == "absent" else nclauses) if c.address.section == sec)
            unheld.update(held)
            diffs.append(CoverageDifference(sa, oc, nc, held))
    for pa in seen:
        if pa.section not in old.sections or pa.section not in new.sections:
            continue
        oc, nc = old.coverage_of(pa), new.coverage_of(pa)
        if oc == nc:
            continue
        if "absent" in (oc, nc) and derived:
            continue  # made from ``old``: a part on one side only was added or deleted (a change)
        if "absent" in (oc, nc):
            side = oclauses if nc == "absent" else nclauses
            held = tuple(c.address for c in side if _part_of(c.address) == pa)
            unheld.update(held)
            diffs.append(CoverageDifference(pa, oc, nc, held))
        else:
            diffs.append(CoverageDifference(pa, oc, nc, ()))
    # clauses held on one side only, inside a part the other side holds only partially
    if derived:
        return diffs, unheld
    for mine, other_v, paired in ((oclauses, new, old_paired), (nclauses, old, new_paired)):
        # a run of clauses on one side only counts as added or deleted when clauses held on both
        # sides stand on either side of it in its part (the other version holds the text around
        # it); at the start or end of what a partial part holds, it may simply not be held there
        lonely: dict[Address, list[Address]] = {}
        i = 0
        while i < len(mine):
            a = mine[i].address
            if a in paired or a in unheld or other_v.coverage_of(a) != "partial":
                i += 1
                continue
            part = _part_of(a)
            j = i
            while (j + 1 < len(mine) and mine[j + 1].address not in paired and mine[j + 1].address not in unheld
                   and _part_of(mine[j + 1].address) == part):
                j += 1
            prev_ok = i > 0 and mine[i - 1].address in paired and _part_of(mine[i - 1].address) == part
            next_ok = j + 1 < len(mine) and mine[j + 1].address in paired and _part_of(mine[j + 1].address) == part
            if not (prev_ok and next_ok):
                lonely.setdefault(part, []).extend(c.address for c in mine[i:j + 1])
            i = j + 1
        for pa, addrs in lonely.items():
            unheld.update(addrs)
            oc, nc = old.coverage_of(pa), new.coverage_of(pa)
            diffs.append(CoverageDifference(pa, oc, nc, tuple(addrs)))
    return diffs, unheld


def _groups(clauses: list[Node]) -> list[tuple[Address, str | None, list[Address], object]]:
    """Consecutive clauses under the same cross-heading element: (part, heading, clauses, element)."""
    out: list[tuple[Address, str | None, list[Address], object]] = []
    for c in clauses:
        el = c.element.getparent()
        key = el if el.tag == "crossheading" else None
        part = _part_of(c.address)
        if out and out[-1][3] is key and out[-1][0] == part and key is not None:
            out[-1][2].append(c.address)
        else:
            out.append((part, el.get("heading") if key is not None else None, [c.address], key))
    return out


def align_crossheadings(old_part, new_part, old_clause_of) -> dict:
    """Which cross-heading of ``new_part`` each cross-heading of ``old_part`` is (part elements of
    the two versions; ``old_clause_of(new clause element)``: the old clause it is, or None):
    old cross-heading element -> new element. A pair with other words is a cross-heading reworded.

    A cross-heading is not an element both versions share, and two cross-headings of a part may
    have the same words, so neither words nor elements tell which new one an old one is. The two
    parts' cross-headings are aligned in document order. Two may pair if they stand over the same
    clause (the first after each that stays in its place: so that Reject All puts the heading back
    where it was), and they have the same words or a clause is under both (the old one in the old
    version, the new one in the new; a clause that moves is not counted: it is shown struck
    through at its old place and inserted at its new one). The
    alignment kept pairs the most cross-headings; of those, the one with the most pairs of the same
    words; of those, the one that keeps the most clauses under the cross-heading they were under.
    So cross-headings that trade their words are each reworded; a cross-heading that a clause
    leaves for another keeps its words; and the clauses decide between cross-headings with the
    same words. A cross-heading whose clauses have all gone, or are all new, pairs only with one
    of the same words; one paired with none was added or deleted."""
    ohs, nhs = old_part.findall("crossheading"), new_part.findall("crossheading")
    held = set(old_part.iter("clause"))
    stays = {}  # new clause element -> old, the two in these parts
    for c in new_part.iter("clause"):
        oc = old_clause_of(c)
        if oc is not None and oc in held:
            stays[c] = oc
    under_both: dict[tuple, int] = {}  # (old, new cross-heading): the clauses under the two
    for c, oc in stays.items():
        oh, nh = oc.getparent(), c.getparent()
        if oh.tag == "crossheading" and nh.tag == "crossheading":
            under_both[(oh, nh)] = under_both.get((oh, nh), 0) + 1
    staying = set(stays.values())
    old_at = _standing_over(old_part, lambda c: c if c in staying else None)
    new_at = _standing_over(new_part, stays.get)
    m, k = len(ohs), len(nhs)
    # the most pairs, then the most pairs with the same words, then the most clauses kept under
    # theirs (a pair outweighs any number of the same words, and the same words any clauses)
    same_weight = sum(under_both.values()) + 1
    pair_weight = (min(m, k) + 1) * same_weight

    def score(i: int, j: int) -> int | None:
        if old_at[ohs[i]] is not new_at[nhs[j]]:
            return None  # not over the same clause: Reject All would put the heading where it was not
        shared, same = under_both.get((ohs[i], nhs[j]), 0), ohs[i].get("heading") == nhs[j].get("heading")
        return pair_weight + same * same_weight + shared if shared or same else None

    best = [[0] * (k + 1) for _ in range(m + 1)]  # best[i][j]: the best of ohs[i:] with nhs[j:]
    for i in range(m - 1, -1, -1):
        for j in range(k - 1, -1, -1):
            s = score(i, j)
            best[i][j] = max(best[i + 1][j], best[i][j + 1], -1 if s is None else s + best[i + 1][j + 1])
    pairs = {}
    i = j = 0
    while i < m and j < k:
        s = score(i, j)
        if s is not None and best[i][j] == s + best[i + 1][j + 1]:
            pairs[ohs[i]] = nhs[j]
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _standing_over(part, staying) -> dict:
    """Each cross-heading of ``part`` -> the first clause after it that stays (``staying(clause
    element)``: the old clause element it is, or None if it goes or moves), as the old element;
    None if no clause after it in its part stays."""
    out, waiting = {}, []
    for el in part.iter("crossheading", "clause"):
        if el.tag == "crossheading":
            waiting.append(el)
            continue
        at = staying(el)
        if at is not None:
            for h in waiting:
                out[h] = at
            waiting = []
    for h in waiting:
        out[h] = None
    return out


def _heading_changes(old: _Side, new: _Side, oclauses, nclauses, pairs, within, unheld,
                     part_map: Mapping[Address, Address | None] | None = None, moved: frozenset | set = frozenset()):
    """Part headings and cross-headings added, deleted or reworded. ``part_map`` (old part ->
    new part, or None if deleted), given when ``new`` was made from ``old`` by a modification:
    a part on one side only is then a part added or deleted (not one the corpus does not hold),
    and a renumbered part is compared with what it was; ``moved``: the new addresses of the
    clauses moved (shown at both places, so under neither cross-heading for the alignment).
    Returns the changes, and the alignment of each part's cross-headings (``VersionDiff.crossheadings``)."""
    out: list[HeadingChange] = []
    derived = part_map is not None
    was_of = {b: a for a, b in (part_map or {}).items() if b is not None and a != b}

    def was_part(addr: Address):
        """The old part the new part at ``addr`` is (renumbered or not), or None for a new part
        (also one at an address the modification freed by moving or deleting the old one)."""
        src = was_of.get(addr, addr)
        if derived and src == addr and addr in part_map and part_map[addr] != addr:
            return None
        return old.parts.get(src)

    # part headings
    for addr, nel in new.parts.items():
        if not _in_scope(addr, within) and not (within is not None and within.is_within(addr)):
            continue
        src = was_of.get(addr, addr)
        oel = was_part(addr)
        nh = nel.get("heading")
        if oel is None:
            if derived and addr.section in old.sections:  # a new part
                out.append(HeadingChange("part", ChangeKind.ADDED, addr, None, nh, inserted(nh or ""), whole=True))
            continue
        oh = oel.get("heading")
        if (oh or "") != (nh or ""):
            kind = ChangeKind.ADDED if not oh else ChangeKind.DELETED if not nh else ChangeKind.AMENDED
            out.append(HeadingChange("part", kind, addr, oh, nh, diff_text(oh or "", nh or ""),
                                     was=src if src != addr else None))
        elif src != addr:
            out.append(HeadingChange("part", ChangeKind.RENUMBERED, addr, oh, nh, unchanged(nh or ""), was=src))
    if derived:
        for addr, oel in old.parts.items():
            if addr in new.parts and part_map.get(addr, addr) == addr or addr in part_map and part_map[addr] is not None:
                continue
            if not _in_scope(addr, within) and not (within is not None and within.is_within(addr)):
                continue
            if addr.section in new.sections:  # a part deleted
                oh = oel.get("heading")
                out.append(HeadingChange("part", ChangeKind.DELETED, addr, oh, None, deleted(oh or ""), whole=True))
    # cross-headings: the two versions' aligned part by part (align_crossheadings)
    new_to_old = dict(pairs)
    old_groups = _groups(oclauses)
    new_groups = _groups(nclauses)
    old_el = {c.address: c.element for c in oclauses}
    new_addr = {c.element: c.address for c in nclauses}

    def old_clause_of(el):
        now = new_addr.get(el)
        was = new_to_old.get(now) if now not in moved else None
        return old_el.get(was) if was is not None else None

    aligned: dict = {}  # old part element -> its cross-headings' new elements (kept or reworded)
    seen: set[Address] = set()
    for part, _, _, el in new_groups:
        if el is None or part in seen:
            continue
        seen.add(part)
        oel = was_part(part)
        if oel is not None:
            aligned[oel] = align_crossheadings(oel, new.parts[part], old_clause_of)
    became = {o: n for pairs_of_part in aligned.values() for o, n in pairs_of_part.items()}
    was_el = {n: o for o, n in became.items()}
    told: set = set()  # each cross-heading once, however many runs of clauses it was found in
    for part, heading, addrs, el in new_groups:
        if el is None or el in told or all(a in unheld for a in addrs):
            continue
        told.add(el)
        addrs = tuple(addrs)
        oel = was_el.get(el)
        if oel is None:
            out.append(HeadingChange("crossheading", ChangeKind.ADDED, part, None, heading, inserted(heading), addrs))
        elif oel.get("heading") != heading:
            oh = oel.get("heading")
            out.append(HeadingChange("crossheading", ChangeKind.AMENDED, part, oh, heading, diff_text(oh, heading),
                                     addrs))
    for part, heading, addrs, el in old_groups:
        if el is None or el in became or el in told or all(a in unheld for a in addrs):
            continue
        told.add(el)
        out.append(HeadingChange("crossheading", ChangeKind.DELETED, part, heading, None, deleted(heading),
                                 tuple(addrs)))
    return out, aligned
