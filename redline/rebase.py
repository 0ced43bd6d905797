"""Rebase: carry a modification drafted against one state of the code onto another.

A modification is drafted against its base version; by the time it is made, the code has moved on
(newer versions, and the modifications made before it in the same release). :func:`rebase_modification`
takes the modification, its base, the run of :class:`~redline.history.Step` values that lead from
the base to the state it is to be made on, and that state, and says for each operation one of:

* ``as-drafted``: it applies exactly as written;
* ``rebased``: it applies once redrafted: its target (or anchor) was renumbered or moved since
  (from what to what, through which step), or words around the ones it changes were changed (the
  old words it quotes are brought up to date);
* ``already-made``: the change it makes is already there;
* ``conflict``: the words it changes were changed since its base (by a version, or by an earlier
  modification of the release, named with its operation and the word diff), or it cannot be
  placed as drafted: a human must decide;
* ``obsolete``: its target was deleted since its base;

and, when no operation needs a human, the modification redrafted against the new state
(:attr:`RebaseResult.modification`), which applies there.

Words are compared by a three-way merge (:func:`merge_words`): the base's words, the words now
(``theirs``) and the base's words with the operation made (``ours``), each diffed word by word
against the base. Two changes clash when they overlap or touch (no unchanged word between them):
"after 'shall' insert …" cannot be carried out once 'shall' is substituted. Changes that do not
clash are merged; the operation's quoted words are the locator, not the change, so words of a
quoted phrase changed elsewhere are brought up to date rather than refused.

Pure: versions in, values out. The apply itself is :mod:`redline.apply`'s.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from redline import ops as O
from redline.apply import occurrences
from redline.errors import ApplyError
from redline.history import MODIFICATION, Footprint, Hop, Step, before_steps, brief_diff, describe_hop, \
    field_words, follow, last_number, made_at, operation_behind
from redline.model import ADDRESSABLE, Address, Node, Version, element_address, normalise_space
from redline.textdiff import DELETE, EQUAL, diff_text, tokenize
from redline.validate import order_key
from redline.xref import map_address, remap_text

#: what happens to an operation when it is made on another state of the code
AS_DRAFTED, REBASED, ALREADY_MADE, CONFLICT, OBSOLETE, BROKEN = (
    "as-drafted", "rebased", "already-made", "conflict", "obsolete", "broken")
STATUSES = (AS_DRAFTED, REBASED, ALREADY_MADE, CONFLICT, OBSOLETE, BROKEN)
#: how each status reads in a report
STATUS_LABELS = {
    AS_DRAFTED: "applies as drafted",
    REBASED: "applies after rebasing",
    ALREADY_MADE: "already made",
    CONFLICT: "conflict",
    OBSOLETE: "obsolete",
    BROKEN: "does not apply to its base",
}
#: statuses that need a human (the modification is not made)
NEEDS_HUMAN = (CONFLICT, OBSOLETE, BROKEN)
#: how bad each status is, to rank a modification by its worst operation
_SEVERITY = {AS_DRAFTED: 0, ALREADY_MADE: 1, REBASED: 2, OBSOLETE: 3, CONFLICT: 4, BROKEN: 5}


def worst(statuses) -> str:
    """The most serious of ``statuses`` (``as-drafted`` if none)."""
    return max(statuses, key=_SEVERITY.__getitem__, default=AS_DRAFTED)


# ---------------------------------------------------------------------------------------------
# words: hunks and the three-way merge


@dataclass(frozen=True)
class Hunk:
    """One change of a text against a base: base tokens ``[start, end)`` replaced by ``new``
    (tokens as :func:`redline.textdiff.tokenize` gives them, spaces included)."""

    start: int
    end: int
    new: tuple[str, ...]


def hunks(base: str, other: str) -> list[Hunk]:
    """The changes that turn ``base`` into ``other``, word by word, in order."""
    out: list[Hunk] = []
    i = 0
    pending: list | None = None
    for span in diff_text(base, other):
        toks = tokenize(span.text)
        if span.kind == EQUAL:
            if pending is not None:
                out.append(Hunk(pending[0], i, tuple(pending[1])))
                pending = None
            i += len(toks)
            continue
        if pending is None:
            pending = [i, []]
        if span.kind == DELETE:
            i += len(toks)
        else:
            pending[1].extend(toks)
    if pending is not None:
        out.append(Hunk(pending[0], i, tuple(pending[1])))
    return out


def clash(a: Hunk, b: Hunk, base_tokens: Sequence[str]) -> bool:
    """True if two changes of one base overlap or touch (no unchanged word between them)."""
    lo, hi = (a, b) if (a.start, a.end) <= (b.start, b.end) else (b, a)
    if hi.start < lo.end:
        return True
    return all(t.isspace() for t in base_tokens[lo.end:hi.start])


@dataclass(frozen=True)
class Merge:
    """The three-way merge of one field: ``text`` (None when the changes clash), the clashing
    pairs (theirs, ours), and ``made``: every change of ours is already in theirs."""

    text: str | None
    clashes: tuple[tuple[Hunk, Hunk], ...] = ()
    made: bool = False
    theirs: tuple[Hunk, ...] = ()
    ours: tuple[Hunk, ...] = ()


def merge_words(base: str, theirs: str, ours: str) -> Merge:
    """Merge two changes of ``base``: ``theirs`` (what the code now says) and ``ours`` (``base``
    with an operation made). Symmetric in the two changes: whether they clash does not depend
    on which is made first."""
    if theirs == base:
        return Merge(ours, ours=tuple(hunks(base, ours)))
    if ours == base or theirs == ours:
        return Merge(theirs, made=True)
    ht, ho = hunks(base, theirs), hunks(base, ours)
    if set(ho) <= set(ht):
        return Merge(theirs, made=True, theirs=tuple(ht), ours=tuple(ho))
    toks = tokenize(base)
    clashes = tuple((t, o) for t in ht for o in ho if clash(t, o, toks))
    if clashes:
        return Merge(None, clashes, theirs=tuple(ht), ours=tuple(ho))
    return Merge(_apply_hunks(toks, ht + ho), theirs=tuple(ht), ours=tuple(ho))


def _apply_hunks(toks: Sequence[str], hs: Sequence[Hunk]) -> str:
    out: list[str] = []
    i = 0
    for h in sorted(hs, key=lambda h: (h.start, h.end)):
        out += toks[i:h.start]
        out += h.new
        i = h.end
    out += toks[i:]
    return normalise_space("".join(out))


def _region(lo: int, hi: int, hs: Sequence[Hunk]) -> tuple[int, int, int, int]:
    """A base token region ``[lo, hi)`` widened to every change inside or across it, as
    (base start, base end, start, end in the changed text)."""
    changed = True
    while changed:
        changed = False
        for h in hs:
            inside = (lo < h.start < hi) if h.start == h.end else (h.start < hi and h.end > lo)
            if inside and (h.start < lo or h.end > hi):
                lo, hi = min(lo, h.start), max(hi, h.end)
                changed = True

    def pos(p: int, at_start: bool) -> int:
        shift = 0
        for h in hs:
            if h.start == h.end == p:
                if at_start:
                    shift += len(h.new)
            elif h.end <= p:
                shift += len(h.new) - (h.end - h.start)
        return p + shift

    return lo, hi, pos(lo, True), pos(hi, False)


def _phrase_tokens(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The token indices ``[i, j)`` of ``text`` covering characters ``[start, end)`` exactly
    (None if the characters do not fall on token boundaries)."""
    at = 0
    i = j = None
    for k, tok in enumerate(tokenize(text)):
        if at == start:
            i = k
        at += len(tok)
        if at == end:
            j = k + 1
            break
    if i is None or j is None:
        return None
    return i, j


# ---------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class OpOutcome:
    """What happens to one operation (see the module docstring for ``status``).

    ``message`` says it in one line; ``details`` add the word diffs and the steps behind it;
    ``rebased`` is the operation as it applies to the new state (None when already made or
    when a human must decide); ``culprit`` names the step or operation behind a conflict, an
    obsolete target or a change already made (``culprit_mod``: the modification of the release,
    if it is one); ``clauses`` are the clauses it touches, in the state it is made on.
    """

    index: int
    instruction: str
    status: str
    message: str
    details: tuple[str, ...] = ()
    rebased: O.Operation | None = None
    culprit: str | None = None
    culprit_mod: str | None = None
    clauses: tuple[Address, ...] = ()

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict:
        return {"operation": self.index + 1, "instruction": self.instruction, "status": self.status,
                "message": self.message, "details": list(self.details),
                "rebased": O.operation_to_string(self.rebased) if self.rebased is not None else None,
                "culprit": self.culprit, "culprit_modification": self.culprit_mod,
                "clauses": [str(c) for c in self.clauses]}


@dataclass(frozen=True)
class RebaseResult:
    """Every operation's outcome, and the modification redrafted for the new state (None when
    an operation needs a human, or when every change is already made)."""

    mod_id: str
    onto: str
    outcomes: tuple[OpOutcome, ...]
    modification: object | None  # redline.mods.Modification
    applied: object | None = None  # redline.apply.ApplyResult of ``modification`` on the new state

    @property
    def status(self) -> str:
        """The modification's status: its worst operation's (``already-made`` only if all are)."""
        statuses = [o.status for o in self.outcomes]
        if statuses and all(s == ALREADY_MADE for s in statuses):
            return ALREADY_MADE
        return worst(s for s in statuses if s != ALREADY_MADE)

    @property
    def needs_human(self) -> bool:
        return any(o.status in NEEDS_HUMAN for o in self.outcomes)


# ---------------------------------------------------------------------------------------------
# the effects of a modification's structural operations on addresses


@dataclass(frozen=True)
class _Created:
    """An address brought into being by operation ``op`` of the modification being rebased."""

    op: int
    address: Address


_VACANT = object()  # an address left empty by a move, a renumbering or a deletion


class _Effects:
    """The address effects of the structural operations made so far on one side (the draft on
    the base, or the rebased draft on the new state), in order: ``move`` (renumbered or moved:
    old -> new), ``delete`` (old -> None) and ``create`` (new addresses)."""

    def __init__(self):
        self.items: list[tuple[str, int, Address, Address | None]] = []

    def move(self, op: int, old: Address, new: Address | None) -> None:
        self.items.append(("move", op, old, new))

    def create(self, op: int, address: Address) -> None:
        self.items.append(("create", op, address, None))

    def forward(self, a: Address | None, after: int = -1) -> Address | None:
        """Where an address of the state before (or after operation ``after``) now stands."""
        for kind, op, old, new in self.items:
            if a is None:
                return None
            if op <= after or kind != "move":
                continue
            a = map_address(a, {old: new})
        return a

    def backward(self, a: Address):
        """What stood at ``a`` before these effects: an address, a :class:`_Created`, or
        :data:`_VACANT`."""
        for kind, op, old, new in reversed(self.items):
            if kind == "create":
                if a.is_within(old):
                    return _Created(op, a)
                continue
            if new is not None and a.is_within(new):
                a = map_address(a, {new: old})
            elif a.is_within(old):
                return _VACANT
        return a


# ---------------------------------------------------------------------------------------------
# the rebase of one modification


#: words that may cite an address (a section letter followed by a digit)
_MAY_CITE = re.compile(r"[A-Z]\d")


class _TrailMap(Mapping):
    """The address map of a run of steps as a whole, worked out only for the addresses asked
    about (a release's trail holds every modification made before: composing their maps for
    each modification would cost more than all the rest)."""

    def __init__(self, steps: Sequence[Step]):
        self.steps = [s for s in steps if s.address_map]
        self._got: dict[Address, Address | None] = {}

    def _where(self, a: Address) -> Address | None:
        if a not in self._got:
            self._got[a] = follow(a, self.steps)[0]
        return self._got[a]

    def __contains__(self, a) -> bool:
        return isinstance(a, Address) and bool(self.steps) and self._where(a) != a

    def __getitem__(self, a: Address) -> Address | None:
        if a not in self:
            raise KeyError(a)
        return self._got[a]

    def __iter__(self):  # pragma: no cover - only looked up, never listed
        return iter(())

    def __len__(self) -> int:
        return len(self.steps)


class _Rebaser:
    """The state of one rebase: both sides' effects and words as the operations go."""

    def __init__(self, mod, base: Version, steps: Sequence[Step], onto: Version, label: str | None = None):
        self.mod, self.base, self.steps, self.onto = mod, base, list(steps), onto
        self.label = label or onto.id  # how messages name the state made on
        self.o_fx, self.a_fx = _Effects(), _Effects()
        self.o_words: dict[tuple, str] = {}  # (base address, field) -> words after earlier ops
        self.a_words: dict[tuple, str] = {}  # (address in onto, field) -> words after earlier ops
        self.created: dict[Address, Address] = {}  # created in the draft -> created in the rebase
        self.trail_map = _TrailMap(self.steps)

    def repoint(self, base_words: str, drafted: str, context: Address, new_words: str) -> str:
        """``drafted`` (``base_words`` with an operation made) with the cross-references in the
        words the operation writes (``new_words``) re-pointed where the steps renumbered or
        moved their targets."""
        if not self.trail_map or not _MAY_CITE.search(new_words):
            return drafted
        hs = hunks(base_words, drafted)
        fixed = [Hunk(h.start, h.end, tuple(tokenize(remap_text("".join(h.new), self.trail_map, context))))
                 for h in hs]
        if fixed == hs:
            return drafted
        return _apply_hunks(tokenize(base_words), fixed)

    def repoint_content(self, el, context: Address | None) -> list[str]:
        """Re-point the cross-references in inserted content (in place): a word diff of each
        run of words changed."""
        out: list[str] = []
        if not self.trail_map:
            return out
        for t in el.iter("text", "closing"):
            words = normalise_space(t.text)
            if words and _MAY_CITE.search(words):
                new = remap_text(words, self.trail_map, context)
                if new != words:
                    t.text = new
                    out.append(brief_diff(words, new, 3))
        return out

    # -- where things are

    def locate(self, t: Address):
        """(address in the base or a _Created, address in onto before this modification's own
        effects or None, hops, address in the rebased state now or None)."""
        o = self.o_fx.backward(t)
        if o is _VACANT:
            return None, None, (), None
        if isinstance(o, _Created):
            created = self.created.get(self._created_root(o.address))
            if created is None:
                return o, None, (), None
            root = self._created_root(o.address)
            a = map_address(o.address, {root: created})
            return o, a, (), self.a_fx.forward(a, after=o.op)
        if self.base.find(o) is None:
            raise _Broken
        a0, hops = follow(o, self.steps)
        return o, a0, hops, self.a_fx.forward(a0) if a0 is not None else None

    def _created_root(self, a: Address) -> Address:
        for root in self.created:
            if a.is_within(root):
                return root
        return a

    def a_has(self, a: Address) -> bool:
        """Whether the rebased state now holds ``a``."""
        b = self.a_fx.backward(a)
        if b is _VACANT:
            return False
        if isinstance(b, _Created):
            return True
        return self.onto.find(b) is not None

    def o_text(self, o: Address, fld: str) -> str:
        got = self.o_words.get((o, fld))
        return got if got is not None else (field_words(self.base, o, fld) or "")

    def a_text(self, a0: Address, fld: str) -> str:
        got = self.a_words.get((a0, fld))
        return got if got is not None else (field_words(self.onto, a0, fld) or "")

    # -- who changed something

    def _label(self, k: int, old: Address | None, new: Address | None) -> tuple[str, str | None]:
        step = self.steps[k]
        behind = operation_behind(step, old, new)
        return (behind or step.describe()), (step.id if step.kind == MODIFICATION else None)

    def field_history(self, o: Address, fld: str) -> list[tuple[int, str, str, Address | None, Address | None]]:
        """Each step that changed the words of field ``fld`` of the node at base address ``o``:
        (step index, words before, words after, address before, address after)."""
        out = []
        at: Address | None = o
        words = field_words(self.base, o, fld)
        for k, step in enumerate(self.steps):
            if at is None:
                break
            nxt = map_address(at, step.address_map)
            after = field_words(step.after, nxt, fld) if nxt is not None else None
            if after is not None and words is not None and after != words:
                out.append((k, words, after, at, nxt))
            at, words = nxt, after
        return out

    def culprit_for(self, o: Address, fld: str, base_words: str, ours: str, want) -> tuple[str | None, str | None, str | None]:
        """The first step whose words make ``want(merge_words(base_words, its words, ours))``
        true, as (label, modification id, its word diff)."""
        for k, before, after, old, new in self.field_history(o, fld):
            if want(merge_words(base_words, after, ours)):
                label, mod = self._label(k, old, new)
                return label, mod, brief_diff(before, after)
        return None, None, None

    def hop_reasons(self, hops: Sequence[Hop]) -> list[str]:
        return [describe_hop(h, self.steps) for h in hops]

    def deleted_by(self, hops: Sequence[Hop]) -> tuple[str, str | None]:
        h = hops[-1]
        label, mod = self._label(h.step, h.old, None)
        return label, mod


def _field_name(fld: str) -> str:
    return {"text": "words", "closing": "closing words", "heading": "heading", "crossheading": "cross-heading"}[fld]


def _clauses(*addresses: Address | None) -> tuple[Address, ...]:
    out = []
    for a in addresses:
        if a is None:
            continue
        c = a.clause_address or a
        if c not in out:
            out.append(c)
    return tuple(out)


def _outcome(i: int, op, status: str, message: str, details=(), rebased=None, culprit=None, culprit_mod=None,
             clauses=()) -> OpOutcome:
    return OpOutcome(i, op.instruction(), status, message, tuple(d for d in details if d), rebased, culprit,
                     culprit_mod, tuple(clauses))


def _same_change(r: _Rebaser, i: int, op, target: Address, culprit: str | None, mod: str | None,
                 fact: str, clauses=()) -> OpOutcome:
    """The change is already there (``fact`` says how): ``already-made`` when the code made it
    before the release, a ``conflict`` when an earlier modification of the release makes it too."""
    if mod is not None:
        return _outcome(i, op, CONFLICT, f"{fact}: {culprit} makes the same change", culprit=culprit,
                        culprit_mod=mod, clauses=clauses)
    since = f", since {culprit}" if culprit else ""
    return _outcome(i, op, ALREADY_MADE, f"{fact} in {r.label}{since}", culprit=culprit, clauses=clauses)


def _gone(r: _Rebaser, i: int, op, target: Address, hops, role: str = "target") -> OpOutcome:
    """The target (or anchor) was deleted since the base: obsolete, or a conflict when a
    modification of the release deleted it."""
    label, mod = r.deleted_by(hops)
    if mod is not None:
        return _outcome(i, op, CONFLICT, f"its {role} {target} is deleted by {label}", culprit=label,
                        culprit_mod=mod, clauses=_clauses(hops[-1].old))
    return _outcome(i, op, OBSOLETE, f"its {role} {target} was deleted in {label}", culprit=label)


def _missing(r: _Rebaser, i: int, op, a: Address, role: str = "target") -> OpOutcome:
    """The target (or anchor) is not in the state it is made on, though nothing deleted it: the
    corpus does not hold that part of the version, or the node was never there."""
    coverage = r.onto.coverage_of(a) if hasattr(r.onto, "coverage_of") else "complete"
    why = {"absent": f"; the corpus does not hold {a.part or a.section} in {r.label}",
           "partial": f"; the corpus holds only part of {a.part or a.section} in {r.label}"}.get(coverage, "")
    return _outcome(i, op, CONFLICT, f"its {role} {a} is not in {r.label}{why}", clauses=_clauses(a))


def _located(r: _Rebaser, i: int, op, target: Address, role: str = "target", named: str | None = None):
    """``(o, a0, hops, a)`` of :meth:`_Rebaser.locate`: where ``target`` stands now, or the
    outcome that says why the operation cannot follow it (deleted since, not found, not held).
    ``named`` is how a not-found message names it (default: the address alone)."""
    o, a0, hops, a = r.locate(target)
    if a0 is None and hops:
        return _gone(r, i, op, target, hops, role)
    if a is None:
        return _outcome(i, op, CONFLICT, f"{named or target} cannot be found in {r.label}")
    if not r.a_has(a):
        return _missing(r, i, op, a, role)
    return o, a0, hops, a


def _words_op(r: _Rebaser, i: int, op) -> OpOutcome:
    """amend, substitute, and amend-definition's words. A cross-heading's words are those of every
    clause standing under it: the outcome touches them all (so that another modification's edit
    of the same heading, aimed at another of its clauses, is seen to overlap)."""
    out = None
    if op.field == "crossheading":
        o, a0, hops, _ = r.locate(op.target)
        other = _other_clause_under(r, o) if a0 is None and hops and isinstance(o, Address) else None
        if other is not None:  # the clause it names is deleted, the cross-heading stands over another
            out = _words_op_at(r, i, dataclasses.replace(op, target=other))
            if out.status in (AS_DRAFTED, REBASED):
                why = (f"its target {op.target} is deleted by {r.deleted_by(hops)[0]}; the cross-heading stands "
                       f"above {out.rebased.target} now")
                out = dataclasses.replace(out, instruction=op.instruction(), status=REBASED,
                                          message="; ".join(m for m in (why, out.message) if m),
                                          clauses=_clauses(op.target, *out.clauses))  # (it was aimed there)
            else:
                out = None
    out = out or _words_op_at(r, i, op)
    if op.field != "crossheading" or not out.clauses:
        return out
    node = r.onto.find(out.clauses[0])
    box = node.element.getparent() if node is not None else None
    if box is None or box.tag != "crossheading":
        return out
    return dataclasses.replace(out, clauses=_clauses(*out.clauses, *(
        Address.parse(c.get("num")) for c in box.iterchildren("clause"))))


def _other_clause_under(r: _Rebaser, o: Address) -> Address | None:
    """Another clause (base address) under the base's cross-heading above ``o`` that the state
    made on still holds: the first after ``o``, else the last before it; None if none is left."""
    node = r.base.find(o)
    box = node.element.getparent() if node is not None else None
    if box is None or box.tag != "crossheading":
        return None
    others = [Address.parse(c.get("num")) for c in box.iterchildren("clause")]
    k = others.index(o) if o in others else 0
    for c in others[k + 1:] + others[:k][::-1]:
        _, a0, _, a = r.locate(c)
        if a0 is not None and a is not None:
            return c
    return None


def _words_op_at(r: _Rebaser, i: int, op) -> OpOutcome:
    """:func:`_words_op` for the node the operation names."""
    fld = op.field
    found = _located(r, i, op, op.target)
    if isinstance(found, OpOutcome):
        return found
    o, a0, hops, a = found
    if isinstance(o, _Created):
        rebased = _retarget(op, a)
        return _outcome(i, op, AS_DRAFTED if a == op.target else REBASED,
                        "" if a == op.target else f"{op.target} is {a} as operation {o.op + 1} now inserts it",
                        rebased=rebased, clauses=_clauses(a))
    base_words = r.o_text(o, fld)
    if isinstance(op, (O.Amend, O.AmendDefinition)) and base_words != op.old:
        raise _Broken
    drafted, occ = _made(op, base_words)
    ours = r.repoint(base_words, drafted, o, op.new or "")
    now = r.a_text(a0, fld)
    reasons = r.hop_reasons(hops)
    if ours != drafted:
        reasons.append(f"references in its new words re-pointed: {brief_diff(drafted, ours)}")
    what = f"the {_field_name(fld)} of {op.target}"
    r.o_words[(o, fld)] = drafted
    if now == base_words and ours == drafted:
        r.a_words[(a0, fld)] = ours
        rebased = _retarget(op, a)
        if a == op.target and not reasons:
            return _outcome(i, op, AS_DRAFTED, "", rebased=rebased, clauses=_clauses(a))
        return _outcome(i, op, REBASED, "; ".join(reasons), rebased=rebased, clauses=_clauses(a))
    m = merge_words(base_words, now, ours)
    if m.made:
        label, mod, _ = r.culprit_for(o, fld, base_words, ours, lambda mg: mg.made)
        return _same_change(r, i, op, op.target, label, mod, f"{what} already read as this operation makes them", _clauses(a))
    if m.text is None:
        label, mod, diff = r.culprit_for(o, fld, base_words, ours, lambda mg: mg.text is None)
        by = label or f"the versions between {r.base.id} and {r.label}"
        details = [f"changed by {by}: {diff or brief_diff(base_words, now)}",
                   f"this operation: {brief_diff(base_words, ours)}"]
        return _outcome(i, op, CONFLICT, f"the words it changes in {what} were changed by {by}", details,
                        culprit=label, culprit_mod=mod, clauses=_clauses(a))
    # the changes do not touch: bring the quoted words up to date
    rebased = _redraft_words(op, a, base_words, now, m, occ)
    r.a_words[(a0, fld)] = m.text
    if rebased == _retarget(op, a) and ours == drafted:  # the words it quotes are still there as drafted
        if a == op.target and not reasons:
            return _outcome(i, op, AS_DRAFTED, "", rebased=rebased, clauses=_clauses(a))
        return _outcome(i, op, REBASED, "; ".join(reasons), rebased=rebased, clauses=_clauses(a))
    if now != base_words:
        changed_by = [f"{r._label(k, old, new)[0]}: {brief_diff(before, after)}"
                      for k, before, after, old, new in r.field_history(o, fld)]
        if not changed_by:  # only this modification's own earlier operations changed them
            changed_by = [f"its earlier operations: {brief_diff(base_words, now)}"]
        reasons.append("old words updated: changed, outside the words it changes, by " + "; ".join(changed_by))
    return _outcome(i, op, REBASED, "; ".join(reasons), rebased=rebased, clauses=_clauses(a))


def _made(op, words: str) -> tuple[str, tuple[int, int] | None]:
    """The words of the field with ``op`` made, and the characters it replaced (substitute)."""
    if isinstance(op, O.Substitute):
        spans = occurrences(words, op.old)
        n = op.occurrence or 1
        if not spans or n > len(spans) or (op.occurrence is None and len(spans) > 1):
            raise _Broken
        s, e = spans[n - 1]
        return normalise_space(words[:s] + op.new + words[e:]), (s, e)
    return normalise_space(op.new or ""), None


def _retarget(op, a: Address):
    return op if op.target == a else dataclasses.replace(op, target=a)


def _redraft_words(op, a: Address, base_words: str, now: str, m: Merge, occ) -> O.Operation:
    """The operation redrafted against ``now`` with the merged result ``m.text``."""
    if isinstance(op, O.Substitute) and occ is not None:
        span = _phrase_tokens(base_words, *occ)
        if span is not None:
            lo, hi = span
            _, _, ts, te = _region(lo, hi, m.theirs)
            _, _, ms, me = _region(lo, hi, m.theirs + m.ours)
            old = normalise_space("".join(tokenize(now)[ts:te]))
            new = normalise_space("".join(tokenize(m.text)[ms:me]))
            if old and old != new:
                at = len("".join(tokenize(now)[:ts]))
                found = occurrences(now, old)
                starts = [s for s, _ in found]
                if at in starts:
                    n = starts.index(at) + 1
                    candidate = dataclasses.replace(op, target=a, old=old, new=new,
                                                    occurrence=n if len(found) > 1 else None)
                    if normalise_space(now[:found[n - 1][0]] + new + now[found[n - 1][1]:]) == m.text:
                        return candidate
    if isinstance(op, O.AmendDefinition):
        return dataclasses.replace(op, target=a, old=now, new=m.text)
    return O.Amend(a, now, m.text, op.field)


def _body_words(v: Version, a: Address | None) -> str | None:
    if a is None:
        return None
    n = v.find(a)
    if n is None:
        return None
    parts = [n.text] + [c.full_text() for c in n.children] + [n.closing]
    return " ".join(p for p in parts if p)


def _delete_op(r: _Rebaser, i: int, op) -> OpOutcome:
    """delete and delete-definition: the words deleted must be the words drafted against."""
    o, a0, hops, a = r.locate(op.target)
    not_used = getattr(op, "mode", "remove") == "not-used"
    if a0 is None and hops:
        label, mod = r.deleted_by(hops)
        if not not_used:
            return _same_change(r, i, op, op.target, label, mod, f"{op.target} is already deleted",
                                _clauses(hops[-1].old))
        return _gone(r, i, op, op.target, hops)
    if a is None:
        return _outcome(i, op, CONFLICT, f"{op.target} cannot be found in {r.label}")
    if not r.a_has(a):
        return _missing(r, i, op, a)
    if isinstance(o, _Created):
        return _outcome(i, op, AS_DRAFTED if a == op.target else REBASED, "", rebased=_retarget(op, a),
                        clauses=_clauses(a))
    if not not_used:
        taken = _place_taken(r, i, op, o, a0, hops, "deletes")
        if taken is not None:
            return taken
    before = _body_words(r.base, o)
    now = _body_words(r.onto, a0)
    reasons = r.hop_reasons(hops)
    if not_used and now == O.NOT_USED:
        return _same_change(r, i, op, op.target, *_first_change(r, o), f"{op.target} is already {O.NOT_USED}",
                            _clauses(a))
    if before != now:
        label, mod = _first_change(r, o)
        by = label or f"the versions between {r.base.id} and {r.label}"
        details = [f"changed by {by}: {brief_diff(before or '', now or '')}"]
        return _outcome(i, op, CONFLICT, f"it deletes {op.target}, whose words were changed by {by}", details,
                        culprit=label, culprit_mod=mod, clauses=_clauses(a))
    rebased = _retarget(op, a)
    if not not_used:
        r.a_fx.move(i, a, None)
    if a == op.target and not reasons:
        return _outcome(i, op, AS_DRAFTED, "", rebased=rebased, clauses=_clauses(a))
    return _outcome(i, op, REBASED, "; ".join(reasons), rebased=rebased, clauses=_clauses(a))


def _first_change(r: _Rebaser, o: Address) -> tuple[str | None, str | None]:
    """The first step that changed any word of the node at base address ``o`` (or its number)."""
    at: Address | None = o
    words = _body_words(r.base, o)
    for k, step in enumerate(r.steps):
        if at is None:
            break
        nxt = map_address(at, step.address_map)
        after = _body_words(step.after, nxt)
        if after != words or nxt != at:
            return r._label(k, at, nxt)
        at, words = nxt, after
    return None, None


def _content_words(el) -> str:
    """The words of inserted content as a node's full text (provenance attributes ignored)."""
    return Node(el).full_text()


def _insert_op(r: _Rebaser, i: int, op: O.Insert) -> OpOutcome:
    found = _located(r, i, op, op.target, "anchor", f"its anchor {op.target}")
    if isinstance(found, OpOutcome):
        return found
    o, a0, hops, a = found
    if op.position in ("before", "after"):
        taken = _place_taken(r, i, op, o, a0, hops, f"places new text {op.position}")
        if taken is not None and "placed" not in taken.message:  # two insertions at one anchor: see below
            return taken
    reasons = r.hop_reasons(hops)
    content = [O.fragment_element(f) for f in op.content]
    # numbers of new clauses follow a renumbered part, or an anchor they are numbered after
    if a != op.target:
        _renumber_content(content, op, a)
    repointed = [d for el in content for d in r.repoint_content(el, None)]
    if repointed:
        reasons.append(f"references in its new words re-pointed: {'; '.join(repointed)}")
    new_op = O.Insert(a, op.position, tuple(O.canonical_fragment(el) for el in content))
    created = list(new_op.creates())
    drafted = list(op.creates())
    if created != drafted:
        reasons.append("new numbers " + ", ".join(f"{d} → {c}" for d, c in zip(drafted, created) if d != c))
    # is any new address already held?
    held = [c for c in created if r.a_has(c)]
    if held:
        els = _created_elements(content)
        same = all(_same_content(r, c, els.get(c)) for c in held)
        label, mod = _who_added(r, held[0])
        if same and len(held) == len(created):
            return _same_change(r, i, op, op.target, label, mod,
                                f"{', '.join(str(c) for c in held)} already "
                                f"{'read' if len(held) > 1 else 'reads'} as this operation inserts "
                                f"{'them' if len(held) > 1 else 'it'}", _clauses(*held))
        by = f" by {label}" if label else ""
        details = []
        for c in held:
            el = els.get(c)
            now = _now_words(r, c)
            if el is not None and now is not None and _content_words(el) != now:
                details.append(f"{c}: {brief_diff(now, _content_words(el))}")
        return _outcome(i, op, CONFLICT, f"{', '.join(str(c) for c in held)} already "
                        f"{'exist' if len(held) > 1 else 'exists'} (added{by}) and "
                        f"{'read' if len(held) > 1 else 'reads'} differently" if not same else
                        f"{', '.join(str(c) for c in held)} already exists{by}", details,
                        culprit=label, culprit_mod=mod, clauses=_clauses(*held))
    # siblings inserted next to the anchor since the base: keep the numbers in order
    moved_anchor = _order_anchor(r, op, a, created)
    if moved_anchor is not None:
        anchor, who = moved_anchor
        reasons.append(f"placed {op.position} {anchor} ({who} inserted it {op.position} {a})")
        new_op = O.Insert(anchor, op.position, new_op.content)
    for d, c in zip(drafted, created):
        r.a_fx.create(i, c)
        r.created[d] = c
    status = AS_DRAFTED if new_op == op and not reasons else REBASED
    return _outcome(i, op, status, "; ".join(reasons), rebased=new_op, clauses=_clauses(*created) or _clauses(a))


def _created_elements(content) -> dict[Address, object]:
    out = {}
    for el in content:
        for node in ([*el.iterfind("clause")] if el.tag == "crossheading" else [el]):
            if node.tag in ("clause", "part"):
                num = node.get("num")
                out[Address(num[0], num.split(".")[0], num) if node.tag == "clause" else Address(num[0], num)] = node
    return out


def _same_content(r: _Rebaser, a: Address, el) -> bool:
    if el is None:
        return False
    now = _now_words(r, a)
    return now is not None and now == _content_words(el)


def _now_words(r: _Rebaser, a: Address) -> str | None:
    b = r.a_fx.backward(a)
    if b is _VACANT or isinstance(b, _Created):
        return None
    n = r.onto.find(b)
    return n.full_text() if n is not None else None


def _who_added(r: _Rebaser, a: Address) -> tuple[str | None, str | None]:
    """The step that brought ``a`` (an address held now) into being, as (label, modification
    id); (None, None) if it was in the base."""
    k = made_at(a, r.steps)
    return r._label(k, None, a) if k is not None else (None, None)


def _renumber_content(content, op: O.Insert, a: Address) -> None:
    """Renumber inserted clauses or parts whose numbers follow a renumbered anchor or part:
    ``G4.12A`` inserted after ``G4.12``, now ``G4.13``, becomes ``G4.13A``; a clause of part
    ``G9``, now ``G11``, becomes ``G11.n``."""
    old, new = op.target, a
    for el in content:
        for node in el.iter("clause", "part"):
            num = node.get("num")
            if node.tag == "clause":
                if op.position in ("before", "after") and old.kind == "clause" and num.startswith(old.clause) \
                        and num[len(old.clause):].isalpha():
                    node.set("num", new.clause + num[len(old.clause):])
                    continue
                part = num.split(".")[0]
                new_part = _part_of(new if op.position in ("start", "end") else new.parent)
                old_part = _part_of(old if op.position in ("start", "end") else old.parent)
                if old_part is not None and new_part is not None and part == old_part and new_part != old_part:
                    node.set("num", new_part + num[len(part):])
            elif node.tag == "part" and old.kind == "part" and op.position in ("before", "after") \
                    and num.startswith(old.part) and num[len(old.part):].isalpha():
                node.set("num", new.part + num[len(old.part):])


def _part_of(a: Address | None) -> str | None:
    return a.part if a is not None else None


def _order_anchor(r: _Rebaser, op: O.Insert, a: Address, created: list[Address]):
    """For ``after``/``before`` inserts: if siblings were inserted next to the anchor since the
    base (in the gap the draft aimed at), the anchor that keeps the numbers in order, and who
    inserted it; else None."""
    if op.position not in ("before", "after") or not created:
        return None
    b = r.a_fx.backward(a)
    if b is _VACANT or isinstance(b, _Created):
        return None
    anchor_el = r.onto.element(b)
    if anchor_el is None:
        return None
    def key(addr: Address):
        if addr.kind == "item":
            return None
        return order_key(str(addr))

    mine = key(created[0] if op.position == "after" else created[-1])
    if mine is None:
        return None
    best = None
    el = _sibling(anchor_el, op.position)
    while el is not None:
        addr = element_address(el)
        if _exists_in_base(r, addr):
            break
        k = key(addr)
        if k is None or (op.position == "after" and k >= mine) or (op.position == "before" and k <= mine):
            break
        best = addr
        el = _sibling(el, op.position)
    if best is None:
        return None
    label, _ = _who_added(r, best)
    return best, label or "a later version"


def _sibling(el, position: str):
    """The next (``after``) or previous (``before``) addressable sibling, across cross-headings."""
    while True:
        nxt = el.getnext() if position == "after" else el.getprevious()
        if nxt is None:
            parent = el.getparent()
            if parent is not None and parent.tag == "crossheading":
                el = parent
                continue
            return None
        if nxt.tag == "crossheading":
            kids = [c for c in nxt if c.tag in ADDRESSABLE]
            if not kids:
                el = nxt
                continue
            return kids[0] if position == "after" else kids[-1]
        if nxt.tag in ADDRESSABLE:
            return nxt
        el = nxt


def _exists_in_base(r: _Rebaser, a: Address) -> bool:
    """Whether the node at ``a`` in onto was already in the base."""
    return made_at(a, r.steps) is None and r.base.find(before_steps(a, r.steps)) is not None


def _place_taken(r: _Rebaser, i: int, op, o, a0: Address | None, hops, verb: str) -> OpOutcome | None:
    """A conflict when the node this operation renumbers, moves, deletes or places something
    next to has a place an earlier modification of the release changed or relies on: its own
    number or place changed by that modification, or that modification placed something before
    or after it. Both orders of two such modifications then clash (a version's renumbering is
    followed instead: the version is settled, the modification is rebased onto it)."""
    if isinstance(o, _Created) or o is None or a0 is None:
        return None
    if last_number(a0) != last_number(o) or a0.parent != _mapped_parent(r, o):
        hop = next((h for h in reversed(hops) if h.new is not None), None)
        if hop is not None and r.steps[hop.step].kind == MODIFICATION:
            label, mod = r._label(hop.step, hop.old, hop.new)
            return _outcome(i, op, CONFLICT, f"{describe_hop(hop, r.steps)}; this operation {verb} {o}",
                            culprit=label, culprit_mod=mod, clauses=_clauses(a0))
    for k, step in enumerate(r.steps):
        if step.kind != MODIFICATION:
            continue
        for fp in step.operations:
            for anchor in fp.anchors:
                if follow(anchor, r.steps, k)[0] == a0:
                    label = fp.label(step.id)
                    return _outcome(i, op, CONFLICT, f"{label} placed {', '.join(map(str, fp.results[:1])) or 'a node'} "
                                                     f"next to {a0}; this operation {verb} {o}",
                                    culprit=label, culprit_mod=step.id,
                                    clauses=_clauses(a0, *(follow(x, r.steps, k + 1)[0] for x in fp.results[:1])))
    return None


def _renumber_op(r: _Rebaser, i: int, op) -> OpOutcome:
    """renumber and move: the node's own number or place must not have changed since."""
    found = _located(r, i, op, op.target)
    if isinstance(found, OpOutcome):
        return found
    o, a0, hops, a = found
    reasons = r.hop_reasons(hops)
    dest_drafted = op.new if isinstance(op, O.Renumber) else op.destination
    # the destination follows the parent (or anchor) as it now stands
    if isinstance(op, O.Renumber):
        parent = a.parent
        dest = _withlast_number(dest_drafted, parent)
        anchor = None
    else:
        _, anc0, anc_hops, anchor = r.locate(op.anchor)
        if anc0 is None and anc_hops:
            return _gone(r, i, op, op.anchor, anc_hops, "anchor")
        if anchor is None:
            return _outcome(i, op, CONFLICT, f"its anchor {op.anchor} cannot be found in {r.label}")
        if not r.a_has(anchor):
            return _missing(r, i, op, anchor, "anchor")
        reasons += r.hop_reasons(anc_hops)
        parent = anchor if op.position in ("start", "end") else anchor.parent
        dest = _withlast_number(dest_drafted, parent)
    taken = _place_taken(r, i, op, o, a0, hops, "renumbers" if isinstance(op, O.Renumber) else "moves")
    if taken is not None and not (a == dest and not isinstance(o, _Created)):
        return taken
    renumbered_only = a0 is not None and a0.parent == _mapped_parent(r, o) if not isinstance(o, _Created) else False
    if isinstance(op, O.Move) and op.new is not None and renumbered_only:
        pass  # a move that gives the node its new number: its number since does not matter
    elif not isinstance(o, _Created) and (last_number(a0) != last_number(o) or a0.parent != _mapped_parent(r, o)):
        # its own number or place changed since the base: the same change, or a clash
        hop = next(h for h in reversed(hops) if h.new is not None)
        label, mod = r._label(hop.step, hop.old, hop.new)
        if a == dest:
            return _same_change(r, i, op, op.target, label, mod, f"{op.target} is already {dest}", _clauses(a))
        verb = "renumbers" if isinstance(op, O.Renumber) else "moves"
        return _outcome(i, op, CONFLICT, f"{describe_hop(hop, r.steps)}; this operation {verb} it as {dest_drafted}",
                        culprit=label, culprit_mod=mod, clauses=_clauses(a))
    if dest != a and r.a_has(dest):
        label, mod = _who_added(r, dest)
        by = f" (added by {label})" if label else ""
        return _outcome(i, op, CONFLICT, f"{dest} is already taken in the state it is made on{by}",
                        culprit=label, culprit_mod=mod, clauses=_clauses(a, dest))
    if isinstance(op, O.Renumber):
        rebased = O.Renumber(a, dest)
    else:
        rebased = O.Move(a, op.position, anchor, dest if op.new is not None or dest != a else None)
    if dest != dest_drafted:
        reasons.append(f"new number {dest_drafted} → {dest}")
    r.a_fx.move(i, a, dest)
    status = AS_DRAFTED if rebased == op and not reasons else REBASED
    return _outcome(i, op, status, "; ".join(reasons), rebased=rebased, clauses=_clauses(a, dest))


def _withlast_number(a: Address, parent: Address | None) -> Address:
    """``a``'s own number under ``parent`` (G3.10 under part G4 is G4.10)."""
    if parent is None or a.parent == parent:
        return a
    return parent.child(a.items[-1] if a.items else (f"{parent.part}.{last_number(a)}" if a.clause else
                                                      f"{parent.section}{last_number(a)}"))


def _mapped_parent(r: _Rebaser, o: Address) -> Address | None:
    parent = o.parent
    if parent is None:
        return None
    got, _ = follow(parent, r.steps)
    return got


def _add_definition_op(r: _Rebaser, i: int, op: O.AddDefinition) -> OpOutcome:
    clause = op.target.clause_address
    found = _located(r, i, op, clause, "definitions clause")
    if isinstance(found, OpOutcome):
        return found
    o, a0, hops, a = found
    target = Address(a.section, a.part, a.clause, op.target.term)
    reasons = r.hop_reasons(hops)
    if r.a_has(target):
        el = O.fragment_element(op.content)
        same = _now_words(r, target) == _content_words(el)
        label, mod = _who_added(r, target)
        if same:
            return _same_change(r, i, op, op.target, label, mod, f"“{op.target.term}” is already defined as this operation defines it",
                                _clauses(a))
        return _outcome(i, op, CONFLICT, f"“{op.target.term}” is already defined in {a}"
                        + (f" (by {label})" if label else ""), culprit=label, culprit_mod=mod, clauses=_clauses(a))
    rebased = dataclasses.replace(op, target=target)
    el = O.fragment_element(op.content)
    repointed = r.repoint_content(el, target)
    if repointed:
        reasons.append(f"references in its new words re-pointed: {'; '.join(repointed)}")
        rebased = dataclasses.replace(rebased, content=O.canonical_fragment(el))
    r.a_fx.create(i, target)
    r.created[op.target] = target
    status = AS_DRAFTED if rebased == op and not reasons else REBASED
    return _outcome(i, op, status, "; ".join(reasons), rebased=rebased, clauses=_clauses(a))


def _amend_definition_op(r: _Rebaser, i: int, op: O.AmendDefinition) -> OpOutcome:
    out = None
    if op.old is not None:
        out = _words_op(r, i, op)
        if out.status in NEEDS_HUMAN or out.status == ALREADY_MADE and op.new_term is None:
            return out
    if op.new_term is None:
        return out
    _, a0, hops, a = r.locate(op.target)
    if a is None:
        return out or _gone(r, i, op, op.target, hops)
    new_addr = Address(a.section, a.part, a.clause, op.new_term)
    if r.a_has(new_addr):
        label, mod = _who_added(r, new_addr)
        return _outcome(i, op, CONFLICT, f"“{op.new_term}” is already defined in {a.clause_address}"
                        + (f" (by {label})" if label else ""), culprit=label, culprit_mod=mod, clauses=_clauses(a))
    rebased = (out.rebased if out is not None and out.rebased is not None else op)
    if isinstance(rebased, O.Amend):  # the words could only be redrafted as a whole: keep the term change
        rebased = O.AmendDefinition(a, rebased.old, rebased.new, op.field, op.new_term)
    else:
        rebased = dataclasses.replace(rebased, target=a)
    r.a_fx.move(i, a, new_addr)
    reasons = [out.message] if out is not None and out.message else r.hop_reasons(hops)
    status = AS_DRAFTED if rebased == op and not any(reasons) else REBASED
    return _outcome(i, op, status, "; ".join(x for x in reasons if x), rebased=rebased, clauses=_clauses(a))


_HANDLERS = {
    O.Amend: _words_op,
    O.Substitute: _words_op,
    O.Delete: _delete_op,
    O.DeleteDefinition: _delete_op,
    O.Insert: _insert_op,
    O.Renumber: _renumber_op,
    O.Move: _renumber_op,
    O.AddDefinition: _add_definition_op,
    O.AmendDefinition: _amend_definition_op,
}


def _drafted_effects(fx: _Effects, i: int, op) -> None:
    """Record what operation ``i`` does to the addresses of the draft (on its base)."""
    if isinstance(op, O.Renumber):
        fx.move(i, op.target, op.new)
    elif isinstance(op, O.Move):
        fx.move(i, op.target, op.destination)
    elif isinstance(op, (O.Delete, O.DeleteDefinition)) and getattr(op, "mode", "remove") == "remove":
        fx.move(i, op.target, None)
    elif isinstance(op, O.Insert):
        for a in op.creates():
            fx.create(i, a)
    elif isinstance(op, O.AddDefinition):
        fx.create(i, op.target)
    elif isinstance(op, O.AmendDefinition) and op.new_term is not None:
        fx.move(i, op.target, Address(op.target.section, op.target.part, op.target.clause, op.new_term))


class _Broken(Exception):
    """The modification does not apply to its own base (found while rebasing an operation)."""


def rebase_modification(mod, base: Version, steps: Sequence[Step], onto: Version | None = None, *,
                        new_id: str | None = None, label: str | None = None) -> RebaseResult:
    """Rebase ``mod`` (drafted against ``base``) onto the state ``steps`` lead to from ``base``
    (``onto``: that state; by default the last step's result, or ``base`` itself).

    When no operation needs a human, the redrafted modification (drafted against ``onto``,
    already made operations left out) is applied to ``onto`` (the result, a version called
    ``new_id``, is :attr:`RebaseResult.applied`); an operation the apply still refuses (a number
    out of sequence, say) becomes a conflict with the apply's message. A modification that does
    not apply to its own base has every failing operation ``broken``. ``label`` is how messages
    name ``onto`` (a release names the version it is made on, not each state on the way).
    """
    from redline.apply import apply_modification

    onto = onto if onto is not None else (steps[-1].after if steps else base)
    r = _Rebaser(mod, base, steps, onto, label)
    try:
        outcomes = []
        for i, op in enumerate(mod.operations):
            outcomes.append(_HANDLERS[type(op)](r, i, op))
            _drafted_effects(r.o_fx, i, op)  # the draft's own numbering moves on, whatever the outcome
    except _Broken:
        return _at_base(mod, base, onto)
    if any(o.status in NEEDS_HUMAN for o in outcomes):
        return RebaseResult(mod.id, onto.id, tuple(outcomes), None)
    kept = [(o.index, o.rebased) for o in outcomes if o.status != ALREADY_MADE]
    if not kept:
        return RebaseResult(mod.id, onto.id, tuple(outcomes), None)
    redrafted = dataclasses.replace(mod, base=onto.id, operations=tuple(op for _, op in kept), lines=(),
                                    path=None)
    try:
        applied = apply_modification(onto, redrafted, new_id)
    except ApplyError as exc:
        if not (onto is base and redrafted == mod):
            try:
                apply_modification(base, mod, onto=base.id != mod.base)
            except ApplyError as at_base:
                return _broken(mod, base, onto, at_base)
        return RebaseResult(mod.id, onto.id, tuple(_refused(outcomes, kept, exc)), None)
    return RebaseResult(mod.id, onto.id, tuple(outcomes), redrafted, applied)


def _at_base(mod, base: Version, onto: Version) -> RebaseResult:
    from redline.apply import apply_modification

    try:
        apply_modification(base, mod, onto=base.id != mod.base)
    except ApplyError as exc:
        return _broken(mod, base, onto, exc)
    raise AssertionError(f"{mod.id}: rebase found it does not apply to {base.id}, but it does")  # pragma: no cover


def _broken(mod, base: Version, onto: Version, exc: ApplyError) -> RebaseResult:
    by_op: dict[int | None, list] = {}
    for f in exc.failures:
        by_op.setdefault(f.index, []).append(f)
    out = []
    for i, op in enumerate(mod.operations):
        fs = by_op.get(i, [])
        if fs:
            out.append(_outcome(i, op, BROKEN, f"does not apply to its base {base.id}: {fs[0].message}",
                                tuple(d for f in fs for d in f.details)))
        else:
            out.append(_outcome(i, op, AS_DRAFTED if not by_op else BROKEN,
                                "" if not by_op else f"not checked: the modification does not apply to {base.id}"))
    if None in by_op and out:
        first = out[0]
        out[0] = dataclasses.replace(first, status=BROKEN, message=by_op[None][0].message)
    return RebaseResult(mod.id, onto.id, tuple(out), None)


def _refused(outcomes: list[OpOutcome], kept: list, exc: ApplyError) -> list[OpOutcome]:
    """Outcomes with the apply's failures (of the redrafted modification) as conflicts."""
    out = list(outcomes)
    for f in exc.failures:
        if f.index is None:
            idx = kept[0][0]
        else:
            idx = kept[f.index][0]
        o = out[idx]
        out[idx] = dataclasses.replace(o, status=CONFLICT, message=f"redrafted, it does not apply: {f.message}",
                                       details=o.details + tuple(f.details), rebased=None)
    return out


def footprints(result: RebaseResult) -> tuple[Footprint, ...]:
    """What each applied operation touched (for :func:`redline.history.operation_behind`)."""
    out = []
    for o in result.outcomes:
        if o.rebased is None:
            continue
        op = o.rebased
        nodes = (op.target,) + ((op.anchor,) if isinstance(op, O.Move) else ())
        results = tuple(op.creates()) + tuple(op.clause_addresses())
        anchors = ()
        if isinstance(op, (O.Insert, O.Move)) and op.position in ("before", "after"):
            anchors = (op.anchor if isinstance(op, O.Move) else op.target,)
        out.append(Footprint(o.index, o.instruction, nodes, results, anchors))
    return tuple(out)
