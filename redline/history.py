"""History: how the code went from one state to the next, where an address went, who wrote a word.

A :class:`Step` is one transition between two states of the code: a version made from its
predecessor (what changed is found by diffing the two), or a modification applied (what changed
is what the apply reports). Each step carries an *address map* (old address -> new address, or
None where the node was deleted; an address not in the map kept its place), so an address can be
followed through any run of steps (:func:`follow`), hop by hop, saying which step renumbered,
moved or deleted it.

On top of that sit the two views a user asks for:

* :func:`address_log`: for each version of a lineage, whether the node at an address changed, how
  (added, amended, renumbered from, moved from, deleted) and by which modification where the
  manifest records it (``redline log``);
* :func:`blame`: each word of a node marked with the version (and modification) that last
  changed it (``redline show --blame``).

Both work from one section per version (a :class:`SectionSource` gives it), so the history of one
clause over many versions of a whole code reads only that clause's section of each. Nothing here
does I/O: the caller hands in the versions or a loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Callable, Iterable, Mapping, Sequence

from redline.diff import (
    SURE_AMEND_THRESHOLD, ChangeKind, NodeDiff, NodeState, VersionDiff, diff_node, diff_versions,
)
from redline.model import Address, Node, Version, normalise_space
from redline.textdiff import DELETE, EQUAL, diff_text, similarity
from redline.xref import map_address

#: kinds of step
VERSION, MODIFICATION = "version", "modification"


# ---------------------------------------------------------------------------------------------
# steps and address maps


@dataclass(frozen=True)
class Step:
    """One transition of the code: ``before`` -> ``after``.

    ``kind`` is :data:`VERSION` (``id`` is the version made; ``modifications`` are those the
    manifest says made it) or :data:`MODIFICATION` (``id`` is the modification applied;
    ``operations`` what each of its operations touched, see :class:`Footprint`).
    ``address_map`` maps every address of ``before`` whose node moved, was renumbered or was
    deleted (None) to its address in ``after``.
    """

    kind: str
    id: str
    before: Version
    after: Version
    address_map: Mapping[Address, Address | None]
    modifications: tuple[str, ...] = ()
    operations: tuple["Footprint", ...] = ()

    def describe(self) -> str:
        """``version 6.18`` (``version 6.18 (MP090)``: the modifications that made it) or the
        modification's id."""
        if self.kind == VERSION:
            made = f" ({', '.join(self.modifications)})" if self.modifications else ""
            return f"version {self.id}{made}"
        return self.id


@dataclass(frozen=True)
class Footprint:
    """What one operation of a modification touched, addressed in the state it applied to
    (``nodes``) and in the state it left (``results``): used to name the operation behind a
    change (:func:`operation_behind`)."""

    index: int
    instruction: str
    nodes: tuple[Address, ...]
    results: tuple[Address, ...] = ()
    anchors: tuple[Address, ...] = ()  # the siblings it placed something before or after

    def label(self, mod_id: str) -> str:
        return f"{mod_id} operation {self.index + 1} ({self.instruction})"


def address_map_from_diff(vdiff: VersionDiff, new_version: Version | None = None) -> dict[Address, Address | None]:
    """The address map of a version diff: every clause, item and definition of the old version
    that was deleted (None) or now stands at another address, and each part renumbered as a
    whole (all its clauses went to one other part) or gone with all its clauses (unless
    ``new_version`` still holds the part: its clauses were deleted, not the part)."""
    out: dict[Address, Address | None] = {}
    for change in vdiff.changes:
        if change.kind == ChangeKind.DELETED:
            out[change.old] = None
            continue
        if change.kind == ChangeKind.ADDED:
            continue
        _node_pairs(change.diff, out)
    # parts: renumbered or gone as a whole
    went: dict[Address, set] = {}
    old_parts: set[Address] = set()
    for new, old in vdiff.pairs.items():
        old_parts.add(old.parent)
        went.setdefault(old.parent, set()).add(new.parent)
    for change in vdiff.changes:
        if change.kind == ChangeKind.DELETED:
            old_parts.add(change.old.parent)
            went.setdefault(change.old.parent, set()).add(None)
    for part, targets in went.items():
        real = {t for t in targets if t is not None}
        if len(real) == 1:
            (to,) = real
            if to != part and not any(t == part for t in targets):
                out[part] = to
        elif not real and part not in {n.parent for n in vdiff.pairs} and (new_version is None or new_version.find(part) is None):
            out[part] = None
    return out


def _node_pairs(nd: NodeDiff, out: dict) -> None:
    if nd.old is not None:
        if nd.state == NodeState.DELETED:
            out[nd.old] = None
            return
        if nd.new is not None and nd.new != nd.old:
            out[nd.old] = nd.new
    for c in nd.children:
        if c.state == NodeState.INSERTED:
            continue
        _node_pairs(c, out)


def version_step(before: Version, after: Version, modifications: Sequence[str] = ()) -> Step:
    """The step from version ``before`` to version ``after`` (its address map from their diff)."""
    vdiff = diff_versions(before, after)
    return Step(VERSION, after.id, before, after, address_map_from_diff(vdiff, after), tuple(modifications))


def descend(clause_el, address: Address):
    """The element at ``address`` (a clause, or a definition or item in it) found from its
    clause's element by walking down (None if it is not there)."""
    el = clause_el
    if el is not None and address.term is not None:
        el = next((d for d in el.iterchildren("definition") if d.get("term") == address.term), None)
    for num in address.items:
        if el is None:
            return None
        el = next((i for i in el.iterchildren("item") if i.get("num") == num), None)
    return el


class Snapshot:
    """A state of the code a modification reached, held as the clauses it changed (copies) on top
    of the state before it, so that a release of many modifications keeps the state each one
    reached (for naming who changed what) without keeping a whole version per modification.

    :meth:`find` answers as the whole version would for clauses, items and definitions; a part
    or section is as the state before holds it (a release's history is read clause by clause).
    """

    def __init__(self, id: str, before, changed: Mapping[Address, object],
                 address_map: Mapping[Address, Address | None]):
        self.id, self.before = id, before
        self._changed = dict(changed)  # clause address (after) -> a copy of the clause element
        self._vacated = set(address_map)  # addresses of the state before that no longer hold their node

    @classmethod
    def of(cls, version: Version, before, changed: Sequence[Address],
           address_map: Mapping[Address, Address | None]) -> "Snapshot":
        """The snapshot of ``version`` (``before`` with a modification made): ``changed`` are the
        clauses the modification created or changed, ``address_map`` its address map."""
        import copy

        from lxml import etree

        kept = {}
        for c in changed:
            node = version.find(c)
            if node is not None:
                kept[c] = copy.deepcopy(node.element)
                box = node.element.getparent()
                if box is not None and box.tag == "crossheading":  # (a copy keeps the heading it stands under)
                    etree.Element("crossheading", heading=box.get("heading") or "").append(kept[c])
        return cls(version.id, before, kept, address_map)

    def find(self, address: Address) -> Node | None:
        c = address.clause_address
        el = self._changed.get(c) if c is not None else None
        if el is not None:
            el = descend(el, address)
            return Node(el, address) if el is not None else None
        if self._vacated and (address in self._vacated or any(a in self._vacated for a in address.ancestors())):
            return None
        return self.before.find(address)


@dataclass(frozen=True)
class Hop:
    """Where a followed address changed: at step ``step`` (an index), ``old`` became ``new``."""

    step: int
    old: Address
    new: Address | None


def follow(address: Address, steps: Sequence[Step], start: int = 0) -> tuple[Address | None, tuple[Hop, ...]]:
    """Follow ``address`` through ``steps[start:]``: where it ends (None if deleted on the way)
    and each hop where its address changed."""
    hops: list[Hop] = []
    at: Address | None = address
    for i in range(start, len(steps)):
        new = map_address(at, steps[i].address_map)
        if new != at:
            hops.append(Hop(i, at, new))
        at = new
        if at is None:
            break
    return at, tuple(hops)


def made_at(address: Address, steps: Sequence[Step]) -> int | None:
    """The index of the step that brought the node now at ``address`` (after the last step)
    into being, walking back through the steps; None if it was there before the first."""
    at = address
    for k in range(len(steps) - 1, -1, -1):
        step = steps[k]
        inverse = {v: key for key, v in step.address_map.items() if v is not None}
        prev = map_address(at, inverse)
        if (prev == at and at in step.address_map) or step.before.find(prev) is None:
            return k  # a new node where one was vacated, or nothing there before the step
        at = prev
    return None


def before_steps(address: Address, steps: Sequence[Step]) -> Address:
    """Where the node now at ``address`` stood before the first step (for one :func:`made_at`
    says was there)."""
    at = address
    for step in reversed(steps):
        at = map_address(at, {v: key for key, v in step.address_map.items() if v is not None})
    return at


def describe_hop(hop: Hop, steps: Sequence[Step]) -> str:
    """``G3.20 renumbered G3.21 in version 6.18``, ``G3.20(b) is now G3.21(b) (G3.20 renumbered
    G3.21 by MP090 operation 3 (…))``, ``G3.8 deleted in version 6.18``."""
    step = steps[hop.step]
    by = operation_behind(step, hop.old, hop.new) or step.describe()
    where = f"in {by}" if step.kind == VERSION else f"by {by}"
    if hop.new is None:
        return f"{hop.old} deleted {where}"
    old, new = hop.old, hop.new
    # the level at which the number changed: an item follows its renumbered clause
    while old.parent is not None and new.parent is not None and last_number(old) == last_number(new) \
            and old.kind == new.kind and old.parent != new.parent:
        old, new = old.parent, new.parent
    how = "renumbered" if new.parent == old.parent else "moved to"
    if old == hop.old:
        return f"{old} {how} {new} {where}"
    return f"{hop.old} is now {hop.new} ({old} {how} {new} {where})"


def last_number(a: Address) -> str:
    """The last part of an address's number: an item's ``(b)``, a definition's term, a
    clause's ``20`` (of G3.20), a part's ``3`` (of G3)."""
    if a.items:
        return a.items[-1]
    if a.term is not None:
        return a.term
    if a.clause:
        return a.clause.split(".", 1)[1]
    return a.part[1:] if a.part else a.section


def compose(maps: Sequence[Mapping[Address, Address | None]]) -> dict[Address, Address | None]:
    """One address map for several in a row (addresses before the first -> after the last)."""
    out: dict[Address, Address | None] = {}
    for m in maps:
        produced = set(out.values())  # addresses the maps so far brought nodes to
        for old, new in list(out.items()):
            out[old] = map_address(new, m) if new is not None else None
        for old, new in m.items():
            if old not in produced and old not in out:
                out[old] = new
    return {k: v for k, v in out.items() if v != k}


def operation_behind(step: Step, old: Address | None, new: Address | None) -> str | None:
    """The operation of a modification step that touched ``old`` (before) or ``new`` (after), as
    ``MP087 operation 1 (Amend Section G3.20 as follows:)``; None for a version step or when no
    one operation stands out."""
    if step.kind != MODIFICATION or not step.operations:
        return None
    best = None
    for fp in step.operations:
        for a in fp.nodes:
            if old is not None and (old.is_within(a) or a.is_within(old)):
                if a == old or best is None:
                    best = fp
        for a in fp.results:
            if new is not None and (new.is_within(a) or a.is_within(new)):
                if a == new or best is None:
                    best = fp
    return best.label(step.id) if best is not None else None


#: words of unchanged text kept either side of a change in a brief diff
CONTEXT_WORDS = 6


def brief_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> str:
    """``old`` against ``new`` word by word (``[-removed-]{+added+}``), with long stretches of
    unchanged words cut to ``context`` words either side of each change (``…``)."""
    spans = diff_text(old, new)
    out: list[str] = []
    for k, span in enumerate(spans):
        text = span.text
        if span.kind != EQUAL:
            mark = "[-{}-]" if span.kind == DELETE else "{{+{}+}}"
            lead = " " if text[:1] == " " else ""
            trail = " " if text[-1:] == " " else ""
            out.append(lead + mark.format(text.strip()) + trail)
            continue
        lead = " " if text[:1] == " " else ""
        trail = " " if text[-1:] == " " else ""
        words = text.split()
        keep_head = 0 if k == 0 else context  # words after the change before it
        keep_tail = 0 if k == len(spans) - 1 else context  # words before the change after it
        if len(words) <= keep_head + keep_tail + 1:
            out.append(text)
            continue
        head = " ".join(words[:keep_head])
        tail = " ".join(words[len(words) - keep_tail:]) if keep_tail else ""
        out.append(lead + " … ".join(p for p in (head, tail) if p) if head and tail else
                   (lead + head + " …" if head else "… " + tail + trail))
        if head and tail:
            out.append(trail)
    return "".join(out).strip()


# ---------------------------------------------------------------------------------------------
# a node's fields through the states of a run of steps


def field_words(version: Version, address: Address | None, field: str) -> str | None:
    """The words of one field (``text``, ``closing``, ``heading``) of the node at ``address``
    (None if the version does not hold it)."""
    if address is None:
        return None
    node = version.find(address)
    if node is None:
        return None
    if field == "heading":
        return normalise_space(node.heading)
    if field == "crossheading":
        return normalise_space(node.crossheading)
    return node.text if field == "text" else node.closing


# ---------------------------------------------------------------------------------------------
# one address through the versions of a lineage: ``redline log``

class LogStatus(StrEnum):
    """How the node at an address stands in one version, against the version before."""

    ADDED = "added"
    UNCHANGED = "unchanged"
    AMENDED = "amended"
    RENUMBERED = "renumbered"
    MOVED = "moved"
    DELETED = "deleted"
    NOT_HELD = "not held"
    ABSENT = "absent"
    #: the first version of the lineage that holds the node's place: the words may well be older
    HELD = "held"


ADDED_HERE, UNCHANGED, AMENDED, RENUMBERED_FROM, MOVED_FROM, DELETED_HERE, NOT_HELD, ABSENT, FIRST_HELD = (
    LogStatus.ADDED, LogStatus.UNCHANGED, LogStatus.AMENDED, LogStatus.RENUMBERED, LogStatus.MOVED,
    LogStatus.DELETED, LogStatus.NOT_HELD, LogStatus.ABSENT, LogStatus.HELD)


class SectionTree:
    """One section of one version, with cheap look-ups: a clause through the section's outline
    (:class:`redline.model.Outline`), then its items or definitions by walking down (no address
    index of the whole section is built)."""

    def __init__(self, version_id: str, letter: str, root, code: str = "SEC"):
        self.id, self.letter, self.root, self.code = version_id, letter, root, code
        self._version: Version | None = None

    def element(self, address: Address):
        """The element at ``address`` (None if not held)."""
        if self.root is None or address.section != self.letter:
            return None
        if address.kind == "section":
            return self.root
        outline = self.version().outline(self.letter)
        if address.clause is None:
            return outline.parts.get(address)
        clause = outline.clause(address.clause_address)
        return descend(clause.element if clause is not None else None, address)

    def find(self, address: Address) -> Node | None:
        el = self.element(address)
        return Node(el, address) if el is not None else None

    def coverage_of(self, address: Address) -> str:
        """:meth:`redline.model.Version.coverage_of`."""
        return self.version().coverage_of(address)

    def version(self) -> Version:
        """The section as a :class:`Version` (for :func:`redline.diff.diff_versions`)."""
        if self._version is None:
            self._version = Version(self.id, {self.letter: self.root} if self.root is not None else {}, self.code)
        return self._version


class SectionSource:
    """One section of each version, as the caller can give it: ``load(version_id, letter)``
    returns the section's tree (or None if the version does not hold the section) and
    ``key(version_id, letter)`` something equal for two versions whose files are byte for byte
    the same (a path, a digest): such a file is read once, and the two are not compared."""

    def __init__(self, load: Callable[[str, str], object], key: Callable[[str, str], object] | None = None):
        self._load, self._key = load, key
        self._roots: dict[object, object] = {}
        self._trees: dict[tuple[str, str], SectionTree] = {}

    def tree(self, version_id: str, letter: str) -> SectionTree:
        k = (version_id, letter)
        t = self._trees.get(k)
        if t is None:
            key = (self._key(version_id, letter) if self._key is not None else None) or k
            if key not in self._roots:
                self._roots[key] = self._load(version_id, letter)
            t = self._trees[k] = SectionTree(version_id, letter, self._roots[key])
        return t

    def version(self, version_id: str, letter: str) -> Version:
        """A Version holding only section ``letter`` of ``version_id`` (none if not held)."""
        return self.tree(version_id, letter).version()

    def same(self, a: str, b: str, letter: str) -> bool:
        if self._key is None:
            return False
        ka = self._key(a, letter)
        return ka is not None and ka == self._key(b, letter)


@dataclass(frozen=True)
class LogEntry:
    """How the node stood in one version (see the module docstring)."""

    version: str
    address: Address | None  # where it stands in this version (None: not there)
    status: LogStatus
    previous: Address | None = None  # where it stood in the version before (renumbered, moved)
    diff: str | None = None  # the word diff against the version before ([-old-]{+new+})
    modifications: tuple[str, ...] = ()  # the modifications the manifest says made this version
    text: str | None = None  # its words in this version

    def to_dict(self) -> dict:
        return {"version": self.version, "address": str(self.address) if self.address else None,
                "status": self.status, "from": str(self.previous) if self.previous else None,
                "diff": self.diff, "modifications": list(self.modifications), "text": self.text}


def _counterpart(before: SectionTree, after: SectionTree, address: Address, forward: bool,
                 source: SectionSource) -> Address | None:
    """Where the node at ``address`` stands on the other side of a version step (None: nowhere).

    ``forward``: ``address`` is in ``before`` and the answer is in ``after`` (else the reverse).
    Cheap when the section is the same file on both sides, or the clause at the same address is
    byte for byte the same or nearly the same words (an amendment, as the diff pairs it);
    otherwise the section is diffed (clauses paired by text, so a renumbering or a move is
    followed) and, for an item or a definition, its clause's children.
    """
    here, there = (before, after) if forward else (after, before)
    if source.same(before.id, after.id, address.section):
        return address
    if address.kind in ("section", "part"):
        return address if there.element(address) is not None else None
    clause = address.clause_address
    mine, other = here.find(clause), there.find(clause)
    if mine is not None and other is not None:
        if _same_xml(mine, other):
            return address
        if similarity(mine.full_text(), other.full_text(), floor=SURE_AMEND_THRESHOLD) >= SURE_AMEND_THRESHOLD:
            got = clause
        else:
            got = _paired(before, after, clause, forward)
    else:
        got = _paired(before, after, clause, forward)
    if got is None or address == clause:
        return got
    old_c, new_c = (clause, got) if forward else (got, clause)
    nd = diff_node(before.find(old_c), after.find(new_c))
    for n in nd.walk():
        mine_side, other_side = (n.old, n.new) if forward else (n.new, n.old)
        if mine_side == address:
            return other_side
    return None


def _paired(before: SectionTree, after: SectionTree, clause: Address, forward: bool) -> Address | None:
    """The clause paired with ``clause`` by a diff of the section (None: none)."""
    pairs = diff_versions(before.version(), after.version(), within=Address(clause.section)).pairs  # new -> old
    if forward:
        return next((n for n, o in pairs.items() if o == clause), None)
    return pairs.get(clause)


def _same_xml(a: Node, b: Node) -> bool:
    from lxml import etree

    return etree.tostring(a.element, with_tail=False) == etree.tostring(b.element, with_tail=False)


def _status_between(before: SectionTree, after: SectionTree, old: Address, new: Address) -> tuple[str, str | None]:
    """(status, word diff) of a node present on both sides of a version step."""
    o, n = before.find(old), after.find(new)
    words_o, words_n = o.full_text(), n.full_text()
    diff = brief_diff(words_o, words_n) if words_o != words_n else None
    if old != new:
        moved = old.parent != new.parent
        return (MOVED_FROM if moved else RENUMBERED_FROM), diff
    return (AMENDED if diff else UNCHANGED), diff


def _held(tree: SectionTree, address: Address) -> bool:
    """Whether the version holds the place of ``address`` (its part completely, or the section)."""
    return tree.coverage_of(address) == "complete"


def address_log(lineage: Sequence[str], address: Address, at: str, source: SectionSource,
                modifications: Mapping[str, tuple[str, ...]] | None = None) -> list[LogEntry]:
    """The history of the node at ``address`` (as version ``at`` numbers it) over ``lineage`` (a
    list of version ids, oldest first, each made from the one before; ``at`` among them).

    Each entry says how the node stood in that version against the one before: ``added``,
    ``unchanged``, ``amended`` (with the word diff), ``renumbered`` or ``moved`` (from where),
    ``deleted``, ``absent`` (the version holds the place completely and the node is not there) or
    ``not held`` (the corpus holds that part of the version only in part, or not at all).
    """
    modifications = modifications or {}
    letter = address.section
    versions = [source.tree(v, letter) for v in lineage]
    k = lineage.index(at)
    where: list[Address | None] = [None] * len(lineage)
    if versions[k].find(address) is None:
        raise ValueError(f"{address} is not in version {at}")
    where[k] = address
    for i in range(k, 0, -1):  # backwards from ``at``
        if where[i] is None:
            break
        where[i - 1] = _counterpart(versions[i - 1], versions[i], where[i], False, source)
    for i in range(k, len(lineage) - 1):  # forwards
        if where[i] is None:
            break
        where[i + 1] = _counterpart(versions[i], versions[i + 1], where[i], True, source)
    out: list[LogEntry] = []
    for i, vid in enumerate(lineage):
        v = versions[i]
        mods = tuple(modifications.get(vid, ()))
        a = where[i]
        prev = where[i - 1] if i > 0 else None
        if a is None:
            place = prev if prev is not None else address
            if prev is not None and _held(v, prev):
                out.append(LogEntry(vid, None, DELETED_HERE, prev, modifications=mods))
            else:
                out.append(LogEntry(vid, None, ABSENT if _held(v, place) else NOT_HELD, modifications=mods))
            continue
        text = v.find(a).full_text()
        if prev is None:
            added = i > 0 and _held(versions[i - 1], a)
            out.append(LogEntry(vid, a, ADDED_HERE if added else FIRST_HELD, None, None, mods, text))
            continue
        status, diff = _status_between(versions[i - 1], v, prev, a)
        out.append(LogEntry(vid, a, status, prev if prev != a else None, diff, mods, text))
    return out


# ---------------------------------------------------------------------------------------------
# who wrote each word: ``redline show --blame``


@dataclass(frozen=True)
class Origin:
    """The version (and the modifications that made it, where recorded) that wrote some words;
    ``first`` marks the oldest version held, where the words may well be older."""

    version: str
    modifications: tuple[str, ...] = ()
    first: bool = False

    def label(self) -> str:
        base = self.version + (f" ({', '.join(self.modifications)})" if self.modifications else "")
        return f"{base} or earlier" if self.first else base


@dataclass(frozen=True)
class BlameRun:
    """A run of words and the origin of each of them."""

    text: str
    origin: Origin


@dataclass(frozen=True)
class BlameNode:
    """A node's words as runs, with its children (items, definitions) in order."""

    address: Address
    kind: str
    num: str | None
    text: tuple[BlameRun, ...]
    children: tuple["BlameNode", ...] = ()
    closing: tuple[BlameRun, ...] = ()
    num_origin: Origin | None = None  # the version that gave the node its present number

    def runs(self) -> Iterable[BlameRun]:
        yield from self.text
        for c in self.children:
            yield from c.runs()
        yield from self.closing

    def to_dict(self) -> dict:
        out = {"address": str(self.address), "kind": self.kind, "num": self.num,
               "text": [_run_dict(r) for r in self.text]}
        if self.num_origin is not None:
            out["numbered"] = {"version": self.num_origin.version,
                               "modifications": list(self.num_origin.modifications)}
        if self.children:
            out["children"] = [c.to_dict() for c in self.children]
        if self.closing:
            out["closing"] = [_run_dict(r) for r in self.closing]
        return out


def _run_dict(r: BlameRun) -> dict:
    return {"text": r.text, "version": r.origin.version, "modifications": list(r.origin.modifications),
            "oldest_held": r.origin.first}


def _tokens(text: str) -> list[str]:
    from redline.textdiff import tokenize

    return tokenize(text)


def _carry(prev: list[tuple[str, Origin]], old: str, new: str, origin: Origin) -> list[tuple[str, Origin]]:
    """The per-token origins of ``new`` given those of ``old`` (``prev``): unchanged tokens keep
    theirs, inserted ones get ``origin``."""
    if old == new:
        return prev
    out: list[tuple[str, Origin]] = []
    i = 0
    for span in diff_text(old, new):
        toks = _tokens(span.text)
        if span.kind == EQUAL:
            out += prev[i:i + len(toks)]
            i += len(toks)
        elif span.kind == DELETE:
            i += len(toks)
        else:
            out += [(t, origin) for t in toks]
    return out


def _fresh(text: str, origin: Origin) -> list[tuple[str, Origin]]:
    return [(t, origin) for t in _tokens(text)]


class _Words:
    """Per-token origins of one node's fields and children, updated version by version."""

    def __init__(self, node: Node, origin: Origin):
        self.address = node.address
        self.kind = node.kind
        self.num = node.num
        self.num_origin = origin
        self.text = _fresh(node.text, origin)
        self.closing = _fresh(node.closing, origin)
        self.text_words = node.text
        self.closing_words = node.closing
        self.children = [_Words(c, origin) for c in node.children]

    def advance(self, nd: NodeDiff, node: Node, origin: Origin) -> None:
        """Move to the next version: ``nd`` is the diff of this node to ``node``."""
        if node.num != self.num:
            self.num_origin = origin
        self.address, self.num = node.address, node.num
        self.text = _carry(self.text, self.text_words, node.text, origin)
        self.closing = _carry(self.closing, self.closing_words, node.closing, origin)
        self.text_words, self.closing_words = node.text, node.closing
        by_old = {id(c_nd): c_nd for c_nd in nd.children}
        old_children = {w.address: w for w in self.children}
        new_children = []
        new_nodes = {c.address: c for c in node.children}
        for c_nd in by_old.values():
            if c_nd.new is None:
                continue  # deleted
            child = new_nodes.get(c_nd.new)
            if child is None:  # pragma: no cover - the diff pairs held nodes
                continue
            mine = old_children.get(c_nd.old) if c_nd.old is not None else None
            if mine is None:
                new_children.append(_Words(child, origin))
            else:
                mine.advance(c_nd, child, origin)
                new_children.append(mine)
        self.children = new_children

    def freeze(self) -> BlameNode:
        return BlameNode(self.address, self.kind, self.num, _runs(self.text),
                         tuple(c.freeze() for c in self.children), _runs(self.closing), self.num_origin)


def _runs(tokens: list[tuple[str, Origin]]) -> tuple[BlameRun, ...]:
    """Consecutive tokens of one origin as runs; spaces between runs join the earlier run's
    neighbour so every run starts with a word."""
    out: list[list] = []
    for tok, origin in tokens:
        if out and (out[-1][1] == origin or tok.isspace()):
            out[-1][0] += tok
        else:
            out.append([tok, origin])
    return tuple(BlameRun(t, o) for t, o in out)


def blame(lineage: Sequence[str], address: Address, source: SectionSource,
          modifications: Mapping[str, tuple[str, ...]] | None = None) -> BlameNode:
    """The words of the node at ``address`` in the last version of ``lineage`` (oldest first),
    each run marked with the version that last changed it (see :class:`Origin`)."""
    modifications = modifications or {}
    at = lineage[-1]
    entries = address_log(lineage, address, at, source, modifications)
    letter = address.section
    words: _Words | None = None
    for i, entry in enumerate(entries):
        if entry.address is None:
            words = None
            continue
        node = source.tree(entry.version, letter).find(entry.address)
        mods = tuple(modifications.get(entry.version, ()))
        if words is None:
            words = _Words(node, Origin(entry.version, mods, first=entry.status != ADDED_HERE))
            continue
        if entry.status == UNCHANGED:
            continue
        before = entries[i - 1]
        nd = diff_node(source.tree(before.version, letter).find(before.address), node)
        words.advance(nd, node, Origin(entry.version, mods))
    if words is None:  # pragma: no cover - address_log raised already
        raise ValueError(f"{address} is not in version {at}")
    return words.freeze()
