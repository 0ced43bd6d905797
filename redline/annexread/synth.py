"""Typed operations from two versions: what a modification must say to turn ``old`` into ``new``.

:func:`synthesize` takes a base version, the version an Annex A shows and their clause-aligned
diff (:func:`redline.diff.diff_versions`, paired through the document's own pairing) and writes
the operations, in an order in which each addresses the text as the ones before it left it:

1. clauses (and whole parts) deleted;
2. clauses moved, next to a clause that is already where it belongs;
3. clauses renumbered (a chain from its free end; a cycle through a free number);
4. clauses, cross-heading groups and parts inserted, in document order;
5. part headings amended;
6. inside each changed clause: items deleted, renumbered and inserted, then words — each change
   of words a ``substitute`` whose old words are just long enough to occur once in the clause
   (checked by doing it), or an ``amend`` of the whole field where it is rewritten.

It also lists what it found as :class:`~redline.annexread.instructions.Shown` changes (for the
check against the drafting instructions) and what no operation can say (a cross-heading reworded
over clauses that stay). Pure: versions in, values out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from redline import ops as O
from redline.annexread.compose import clause_words
from redline.annexread.instructions import Shown, ShownKind
from redline.apply import occurrences, phrase_pattern
from redline.diff import ChangeKind, NodeDiff, NodeState, VersionDiff, diff_node
from redline.model import Address, Node, Version, normalise_space
from redline.textdiff import DELETE, EQUAL, INSERT, Span, diff_text, new_text, old_text, tokenize
from redline.validate import UNNUMBERED, sort_key

# --- tuning knobs (named settings) --------------------------------------------------------------
#: a field is amended whole (not by substitutions) when more than this share of its words change
REWRITE_SHARE = 0.5
#: ... or when its changes are spread over more than this many separate places
MAX_SUBSTITUTIONS = 3
#: two changes this few unchanged words apart are one substitution ("such date as is determined
#: by the Panel" -> "the date the Panel determines", not three)
MERGE_GAP_WORDS = 2


@dataclass
class Synthesis:
    """The operations, the changes as the instructions speak of them, and what could not be said."""

    operations: list = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _a(num: str) -> Address:
    return Address.parse(num)


def _body(el) -> str:
    """A node's words as a delete states them (sub-numbers included, its own number not)."""
    return clause_words(el)


def _fragment(el, **attrs):
    out = copy.deepcopy(el)
    for k, v in attrs.items():
        out.set(k, v)
    return out


class _Clauses:
    """The clauses of the touched sections of a version, in document order, by part."""

    def __init__(self, version: Version, letters):
        self.order: list[Address] = []
        self.el: dict[Address, object] = {}
        for letter in letters:
            root = version.sections.get(letter)
            if root is None:
                continue
            for c in root.iter("clause"):
                a = _a(c.get("num"))
                self.order.append(a)
                self.el[a] = c
        self.pos = {a: i for i, a in enumerate(self.order)}

    def container(self, a: Address):
        return self.el[a].getparent()

    def part_clauses(self, part: str) -> list[Address]:
        return [a for a in self.order if a.part == part]


def synthesize(old: Version, new: Version, vdiff: VersionDiff) -> Synthesis:
    """The operations that make ``new`` from ``old`` (see the module docstring)."""
    out = Synthesis()
    letters = [k for k in sorted(set(old.sections) | set(new.sections)) if old.sections.get(k) is not new.sections.get(k)]
    if not letters:
        return out
    oc, nc = _Clauses(old, letters), _Clauses(new, letters)
    pairs = {n: o for n, o in vdiff.pairs.items() if n.section in letters}
    changes = list(vdiff.changes)
    # a clause the diff counts as a coverage difference (a partly held part) is, here, really
    # added or deleted: both versions hold the same parts, and the new one is made from the old
    listed = {(c.kind, c.address) for c in changes}
    for cov in vdiff.coverage:
        for a in cov.clauses:
            if a in nc.el and a not in pairs and (ChangeKind.ADDED, a) not in listed:
                changes.append(_change(ChangeKind.ADDED, None, a, diff_node(None, Node(nc.el[a], a))))
            elif a in oc.el and a not in pairs.values() and (ChangeKind.DELETED, a) not in listed:
                changes.append(_change(ChangeKind.DELETED, a, None, diff_node(Node(oc.el[a], a), None)))
    added = {c.new for c in changes if c.kind == ChangeKind.ADDED}
    deleted = [c.old for c in changes if c.kind == ChangeKind.DELETED]
    moved = {c.new: c for c in changes if c.kind == ChangeKind.MOVED}
    # a clause that keeps its place by number but now stands under another cross-heading (the
    # heading between it and its neighbour moved) is moved into its new group, if it has one
    regrouped = []
    for n, o in pairs.items():
        if n in moved or n not in nc.el or o not in oc.el:
            continue
        if (Node(oc.el[o]).crossheading or "") != (Node(nc.el[n]).crossheading or ""):
            regrouped.append(n)
    reworded, regrouped = _reworded(regrouped, oc, nc, pairs, moved, set(deleted))
    for n in regrouped:
        box = nc.container(n)
        others = [_a(c.get("num")) for c in box.iter("clause") if _a(c.get("num")) not in regrouped]
        if box.tag == "crossheading" and others:
            moved[n] = _change(ChangeKind.MOVED, pairs[n], n, vdiff.change_for(n).diff if vdiff.change_for(n) else
                               diff_node(Node(oc.el[pairs[n]], pairs[n]), Node(nc.el[n], n)))
    old_parts = {p.get("num"): p for k in letters if k in old.sections for p in old.sections[k].iter("part")}
    new_parts = {p.get("num"): p for k in letters if k in new.sections for p in new.sections[k].iter("part")}
    gone_parts = [p for p in old_parts if p not in new_parts]
    new_part_nums = [p for p in new_parts if p not in old_parts]

    # 1. deletions
    for p in gone_parts:
        out.operations.append(O.Delete(_a(p)))
    for a in sorted(deleted, key=lambda a: oc.pos[a]):
        if a.part in gone_parts:
            continue
        out.operations.append(O.Delete(a, old=_body(oc.el[a])))
        out.shown.append(Shown(ShownKind.DELETED, a, None))

    # the clauses as they now stand: identity (old address) -> current number, and their groups
    groups = _Groups(oc)
    for a in deleted:
        groups.remove(a)
    current: dict[Address, Address] = {o: o for o in oc.order if o not in set(deleted)}
    occupied: set[Address] = set(current.values())
    placed: set[Address] = set()  # moved clauses already where they belong (new addresses)
    ident_of = {n: o for n, o in pairs.items()}  # new address -> old address (identity)

    def stable(n: Address) -> bool:
        """A new-side clause that is already where it belongs (so it can be an anchor)."""
        o = ident_of.get(n)
        if o is None:
            return n in inserted_now
        return n not in moved or n in placed

    def cur(n: Address) -> Address:
        o = ident_of.get(n)
        return current[o] if o is not None else n

    def ident(n: Address):
        o = ident_of.get(n)
        return o if o is not None else ("new", n)

    def anchor_ident(where: tuple[str, Address]):
        """The identity of the clause an operation's anchor address names now."""
        for o, a in current.items():
            if a == where[1]:
                return o
        return ("new", where[1])

    inserted_now: set[Address] = set()

    def anchor_for(n: Address, same_container: bool = True) -> tuple[str, Address] | None:
        """(position, anchor) placing new-side clause ``n`` next to a stable clause of its group."""
        part = nc.part_clauses(n.part)
        i = part.index(n)
        box = nc.container(n)
        for p in reversed(part[:i]):
            if (not same_container or nc.container(p) is box) and stable(p):
                return "after", cur(p)
        for p in part[i + 1:]:
            if (not same_container or nc.container(p) is box) and stable(p):
                return "before", cur(p)
        return None

    # 2. renumbers of the clauses that stay in place (each number must be free when it is given)
    staying = {o: n for n, o in pairs.items() if n not in moved and current.get(o) is not None and current[o] != n}
    for o, n in staying.items():
        out.shown.append(Shown(ShownKind.RENUMBERED, o, n, words=_changed_words(vdiff, n)))
    ops, waiting = _renumber_all(staying, current, occupied, nc.pos, out.notes)
    out.operations += ops

    # 3. new parts whole; then moves and insertions in document order, each next to a clause
    #    already where it belongs (a new cross-heading group goes in whole with its new clauses)
    for p in sorted(new_part_nums, key=sort_key):
        el = new_parts[p]
        out.operations.append(_insert_part(p, el, new_parts, old_parts, new_part_nums))
        for c in el.iter("clause"):
            inserted_now.add(_a(c.get("num")))
            out.shown.append(Shown(ShownKind.ADDED, None, _a(c.get("num"))))
    done: set[Address] = set(inserted_now)

    def move(n: Address, where: tuple[str, Address]) -> None:
        ch = moved[n]
        target = current[ch.old]
        renum = None
        if n != target and n not in occupied:
            renum = n  # its new number is free: moved and renumbered at once
        elif n.part != target.part:  # a move into another part must give a number there
            renum = _free(n.part, occupied | set(nc.order))
            out.notes.append(f"{ch.old} is moved as {renum} first ({n} is still taken), then renumbered")
        out.operations.append(O.Move(target, where[0], where[1], renum))
        if where[0] in ("after", "before"):
            groups.remove(ch.old)
            groups.place([ch.old], where[0], anchor_ident(where))
        occupied.discard(target)
        occupied.add(renum or target)
        current[ch.old] = renum or target
        placed.add(n)
        done.add(n)
        out.shown.append(Shown(ShownKind.MOVED, ch.old, n, words=ch.text_changed))

    # first the moves that land beside a clause of their own group that stays: a clause moved
    # away must have left its group before a new group goes where it was (G1.6 moved to the end
    # of G1, a new group after G1.5, which ended G1.6's group only once G1.6 had gone)
    for n in nc.order:
        if n in moved and n not in done:
            where = anchor_for(n)
            if where is not None:
                move(n, where)
    for n in nc.order:
        if n in done:
            continue
        if n in moved:
            move(n, anchor_for(n) or anchor_for(n, same_container=False) or ("end", Address(n.section, n.part)))
            continue
        if n not in added:
            continue
        box = nc.container(n)
        siblings = [_a(c.get("num")) for c in box.iter("clause")] if box.tag == "crossheading" else None
        new_group = siblings is not None and not any(s in pairs and s not in moved for s in siblings)
        if new_group:  # a cross-heading the old version does not have: in with its new clauses
            run = [m for m in siblings if m in added]
            group = _fragment(box)
            for c in list(group):
                if _a(c.get("num")) not in run:
                    group.remove(c)
            content = [group]
            where = _group_anchor(run, nc, stable, cur, ident, groups)
        else:
            run = []
            for m in nc.order[nc.pos[n]:]:
                if m in added and m not in done and nc.container(m) is box:
                    run.append(m)
                else:
                    break
            content = [_fragment(nc.el[m]) for m in run]
            where = anchor_for(run[0]) or _group_anchor(run, nc, stable, cur, ident, groups)
        for m in run:
            inserted_now.add(m)
            done.add(m)
        out.operations.append(O.Insert(where[1], where[0], tuple(etree_string(c) for c in content)))
        if where[0] in ("after", "before"):
            groups.place([("new", m) for m in run], where[0], anchor_ident(where), new_group=new_group)
        for m in run:
            part = nc.part_clauses(m.part)
            i = part.index(m)
            out.shown.append(Shown(ShownKind.ADDED, None, m, after=part[i - 1] if i else None,
                                   before=part[i + 1] if i + 1 < len(part) else None))

    # 4. the moved clauses that could not take their new number as they moved
    later = {o: n for n, o in pairs.items() if n in moved and current[o] != n}
    ops, stuck = _renumber_all({**waiting, **later}, current, occupied, nc.pos, out.notes)
    out.operations += ops
    for o, n in stuck.items():
        out.problems.append(f"{current[o]} cannot be renumbered as {n}: that number stays taken")

    # 5. part headings; cross-headings reworded over clauses that stay cannot be said
    for p, el in new_parts.items():
        o = old_parts.get(p)
        if o is not None and (o.get("heading") or "") != (el.get("heading") or ""):
            out.operations.append(O.Amend(_a(p), o.get("heading") or "", el.get("heading") or "", "heading"))
            out.shown.append(Shown(ShownKind.HEADING, _a(p), _a(p)))
    for n, was, now, group in reworded:  # the same clauses under it, its words changed
        out.operations += word_ops(n, "crossheading", diff_text(was, now))
        out.shown.append(Shown(ShownKind.CROSSHEADING, n, n, group=group))
    for n in sorted(regrouped, key=lambda a: nc.pos.get(a, 0)):
        if n not in moved:
            was, now = Node(oc.el[pairs[n]]).crossheading, Node(nc.el[n]).crossheading
            out.problems.append(
                f"the cross-heading above {n} changes from {_q(was)} to {_q(now)} and the clauses under it "
                "change too: a modification can reword a cross-heading over the clauses it keeps, or add or "
                "delete one together with its clauses, but not put a heading over clauses that stay")

    # 6. inside each changed clause
    inside = (c for c in changes if c.kind not in (ChangeKind.ADDED, ChangeKind.DELETED))
    for c in sorted(inside, key=lambda c: nc.pos.get(c.new, 0)):
        if c.new.section not in letters:
            continue
        el_old, el_new = oc.el[c.old], nc.el[c.new]
        if _not_used(el_old, el_new):
            out.operations.append(O.Delete(c.new, "not-used", _body(el_old)))
            out.shown.append(Shown(ShownKind.DELETED, c.new, None))
            continue
        before = len(out.operations)
        others = _clause_fields(el_old) + _clause_fields(el_new)
        _node_ops(c.diff, c.new, others, out)
        mine = out.operations[before:]
        if any(op.target.kind != "definition" for op in mine) and c.kind != ChangeKind.MOVED and c.old == c.new:
            out.shown.append(Shown(ShownKind.AMENDED, c.old, c.new))
    return out


def _reworded(regrouped: list[Address], oc: _Clauses, nc: _Clauses, pairs: dict, moved: dict,
              deleted: set) -> tuple[list[tuple[Address, str, str, tuple]], list[Address]]:
    """The cross-headings reworded over the clauses they keep: a group of the new version whose
    staying clauses (neither new nor moved) are exactly those that stay of one group of the old
    version, under other words. Gives (first staying clause, old words, new words, the staying
    clauses) for each, and
    the regrouped clauses left over (whose grouping really changed)."""
    regrouped_set = set(regrouped)
    new_of = {o: n for n, o in pairs.items()}
    out, done = [], set()
    for n in sorted(regrouped, key=lambda a: nc.pos.get(a, 0)):
        if n in done:
            continue
        box = nc.container(n)
        if box.tag != "crossheading":
            continue
        staying = [m for m in (_a(c.get("num")) for c in box.iter("clause")) if m in pairs and m not in moved]
        old_boxes = {id(oc.container(pairs[m])): oc.container(pairs[m]) for m in staying}
        if not staying or not set(staying) <= regrouped_set or len(old_boxes) != 1:
            continue
        (obox,) = old_boxes.values()
        if obox.tag != "crossheading":
            continue
        kept = {o for o in (_a(c.get("num")) for c in obox.iter("clause"))
                if o not in deleted and o in new_of and new_of[o] not in moved}
        if kept != {pairs[m] for m in staying}:
            continue
        was, now = normalise_space(obox.get("heading")), normalise_space(box.get("heading"))
        if was and now and was != now:
            out.append((staying[0], was, now, tuple(staying)))
            done.update(staying)
    return out, [n for n in regrouped if n not in done]


def _change(kind, old, new, nd):
    from redline.diff import Change

    return Change(kind, old, new, nd)


def _q(text: str | None) -> str:
    return f"‘{text}’" if text else "(none)"


def etree_string(el) -> str:
    return O.canonical_fragment(el)


def _changed_words(vdiff: VersionDiff, n: Address) -> bool:
    ch = vdiff.change_for(n)
    return bool(ch and ch.text_changed)


def _free(part: str, taken: set[Address]) -> Address:
    """A clause number free in ``part``: one past the highest held or wanted."""
    top = max((sort_key(a.clause)[0] for a in taken if a.part == part and sort_key(a.clause)[0] < UNNUMBERED),
              default=0)
    return _a(f"{part}.{top + 1}")


def _renumber_all(pending: dict, current: dict, occupied: set, order: dict, notes: list) -> tuple[list, dict]:
    """Renumber operations giving each identity in ``pending`` its new number, each when free
    (a cycle of renumberings goes through a free number). Returns the operations and what is
    left: renumberings waiting for a number held by a clause not in ``pending``."""
    ops = []
    pending = dict(pending)

    def key(o):  # renumber upwards from the top, downwards from the bottom
        up = sort_key(str(pending[o])) >= sort_key(str(current[o]))
        return (0, -order.get(pending[o], 0)) if up else (1, order.get(pending[o], 0))

    while pending:
        progress = False
        for o in sorted(pending, key=key):
            n = pending.get(o)
            if n is None or n in occupied:
                continue
            ops.append(O.Renumber(current[o], n))
            occupied.discard(current[o])
            occupied.add(n)
            current[o] = n
            del pending[o]
            progress = True
        if progress:
            continue
        holder = {current[p]: p for p in pending}
        cycle = None
        for o in sorted(pending, key=lambda k: order.get(pending[k], 0)):
            seen, x = [], o
            while x in pending and x not in seen:
                seen.append(x)
                x = holder.get(pending[x])
            if x in seen:
                cycle = x
                break
        if cycle is None:
            break  # each waits for a number held by a clause that has not moved yet
        temp = _free(current[cycle].part, occupied | set(pending.values()))
        notes.append(f"{current[cycle]} is renumbered through the free number {temp} (the renumberings form a cycle)")
        ops.append(O.Renumber(current[cycle], temp))
        occupied.discard(current[cycle])
        occupied.add(temp)
        current[cycle] = temp
    return ops, pending


def _insert_part(p: str, el, new_parts: dict, old_parts: dict, new_nums: list) -> O.Insert:
    section = p[0]
    order = list(new_parts)
    i = order.index(p)
    content = (etree_string(_fragment(el)),)
    for q in reversed(order[:i]):
        return O.Insert(_a(q), "after", content)
    for q in order[i + 1:]:
        if q in old_parts:
            return O.Insert(_a(q), "before", content)
    return O.Insert(Address(section), "end", content)


class _Groups:
    """Which cross-heading group each clause is in as the operations so far leave it (a clause
    is identified by its old address, or ``("new", address)``): a new group can only go next to
    the last clause of a group, or before the first."""

    def __init__(self, oc: _Clauses):
        self.members: dict = {}
        self.group: dict = {}
        for a in oc.order:
            box = oc.container(a)
            token = id(box) if box.tag == "crossheading" else ("part", a.part)
            self.members.setdefault(token, []).append(a)
            self.group[a] = token

    def remove(self, ident) -> None:
        token = self.group.pop(ident, None)
        if token is not None:
            self.members[token].remove(ident)

    def place(self, idents: list, position: str, anchor, new_group: bool = False) -> None:
        token = self.group.get(anchor)
        if token is None:
            return
        if new_group:
            token = ("group", idents[0])
            self.members[token] = []
            at = 0
        else:
            row = self.members[token]
            at = row.index(anchor) + (1 if position == "after" else 0)
        for k, ident in enumerate(idents):
            self.members[token].insert(at + k, ident)
            self.group[ident] = token

    def at_edge(self, ident, position: str) -> bool:
        """Whether a new group may go ``position`` (after/before) ``ident``."""
        token = self.group.get(ident)
        if token is None or (isinstance(token, tuple) and token[0] == "part"):
            return token is not None
        row = self.members[token]
        return row[-1] == ident if position == "after" else row[0] == ident


def _group_anchor(run: list[Address], nc: _Clauses, stable, cur, ident, groups: _Groups) -> tuple[str, Address]:
    """Where a whole new cross-heading group goes: after the stable clause before it in its part
    if that clause ends its group now, else before the one after it if that one starts its group,
    else at the end of its part."""
    part = nc.part_clauses(run[0].part)
    i, j = part.index(run[0]), part.index(run[-1])
    before = next((p for p in reversed(part[:i]) if stable(p)), None)
    after = next((p for p in part[j + 1:] if stable(p)), None)
    if before is not None and groups.at_edge(ident(before), "after"):
        return "after", cur(before)
    if after is not None and groups.at_edge(ident(after), "before"):
        return "before", cur(after)
    if before is not None:
        return "after", cur(before)
    if after is not None:
        return "before", cur(after)
    return "end", Address(run[0].section, run[0].part)


def _not_used(old_el, new_el) -> bool:
    node = Node(new_el)
    return node.text == O.NOT_USED and not node.children and not node.closing and Node(old_el).text != O.NOT_USED


def _clause_fields(el) -> list[str]:
    """Every field's words in a clause (lead words, items', closing words)."""
    out = []
    for node in el.iter("clause", "item", "definition"):
        for f in ("text", "closing"):
            child = node.find(f)
            if child is not None and child.text:
                out.append(normalise_space(child.text))
    return out


# --- inside a clause --------------------------------------------------------------------------

def _child_address(parent: Address, nd: NodeDiff, side: str) -> Address:
    num = old_text(nd.num) if side == "old" else new_text(nd.num)
    if nd.element == "definition":
        return Address(parent.section, parent.part, parent.clause, num, parent.items)
    return parent.child(num)


def _node_ops(nd: NodeDiff, addr: Address, others: list[str], out: Synthesis) -> None:
    """Operations for the inside of node ``nd`` (a clause, item or definition now at ``addr``)."""
    kids = nd.children
    # items and definitions deleted
    for k in kids:
        if k.state == NodeState.DELETED:
            a = _child_address(addr, k, "old")
            el_words = old_words(k)
            if k.element == "definition":
                out.operations.append(O.DeleteDefinition(a, el_words))
                out.shown.append(Shown(ShownKind.DELETE_DEFINITION, a, None, term=a.term))
            else:
                out.operations.append(O.Delete(a, old=el_words))
                out.shown.append(Shown(ShownKind.DELETED, a, None))
    # renumbered (relettered) items, and renamed terms (a term is a definition's identity: another
    # term with other words is one definition deleted and another added)
    pending, current, order = {}, {}, {}
    occupied = set()
    replaced: set[int] = set()
    for i, k in enumerate(kids):
        if k.state == NodeState.DELETED or k.state == NodeState.INSERTED:
            continue
        o, n = _child_address(addr, k, "old"), _child_address(addr, k, "new")
        occupied.add(o)
        order[n] = i
        if o != n:
            if k.element == "definition" and old_words(k) != side_words(k, "new"):
                out.operations.append(O.DeleteDefinition(o, old_words(k)))
                out.shown.append(Shown(ShownKind.DELETE_DEFINITION, o, None, term=o.term))
                out.operations.append(O.AddDefinition(n, etree_string(_element_of(k))))
                out.shown.append(Shown(ShownKind.ADD_DEFINITION, None, n, term=n.term))
                replaced.add(i)
            elif k.element == "definition":
                out.operations.append(O.AmendDefinition(o, new_term=n.term))
                out.shown.append(Shown(ShownKind.AMEND_DEFINITION, o, n, term=o.term))
                occupied.discard(o)
                occupied.add(n)
            else:
                pending[o], current[o] = n, o
                out.shown.append(Shown(ShownKind.RENUMBERED, o, n))
    while pending:
        progress = False
        for o in sorted(pending, key=lambda o: -order[pending[o]] if _later(pending[o], o) else order[pending[o]]):
            n = pending[o]
            if n in occupied:
                continue
            out.operations.append(O.Renumber(current[o], n))
            occupied.discard(current[o])
            occupied.add(n)
            del pending[o]
            progress = True
        if not progress:
            o = next(iter(pending))
            out.problems.append(f"the items of {addr} are relettered in a cycle ({o} as {pending[o]} …): "
                                "no order of renumberings can say it")
            break
    # items and definitions inserted, in runs after the sibling before them
    prev: Address | None = None
    run: list[NodeDiff] = []

    def flush():
        if not run:
            return
        content = tuple(etree_string(_element_of(k)) for k in run)
        if run[0].element == "definition":
            for k, frag in zip(run, content):
                a = _child_address(addr, k, "new")
                out.operations.append(O.AddDefinition(a, frag))
                out.shown.append(Shown(ShownKind.ADD_DEFINITION, None, a, term=a.term))
        else:
            op = O.Insert(prev, "after", content) if prev is not None else O.Insert(addr, "start", content)
            out.operations.append(op)
            for k in run:
                out.shown.append(Shown(ShownKind.ADDED, None, _child_address(addr, k, "new")))
        run.clear()

    for k in kids:
        if k.state == NodeState.DELETED:
            continue
        if k.state == NodeState.INSERTED:
            run.append(k)
            continue
        flush()
        prev = _child_address(addr, k, "new") if k.element != "definition" else None
    flush()
    # words: lead and closing, then the children that stayed
    out.operations += word_ops(addr, "text", nd.text, others)
    out.operations += word_ops(addr, "closing", nd.closing, others)
    for i, k in enumerate(kids):
        if k.state in (NodeState.UNCHANGED, NodeState.DELETED, NodeState.INSERTED) or i in replaced:
            continue
        a = _child_address(addr, k, "new")
        before = len(out.operations)
        _node_ops(k, a, others, out)
        if k.element == "definition" and len(out.operations) > before:
            out.shown.append(Shown(ShownKind.AMEND_DEFINITION, a, a, term=a.term))


def _later(n: Address, o: Address) -> bool:
    return n.items[-1:] > o.items[-1:] if n.items and o.items else False


def old_words(nd: NodeDiff) -> str:
    """The words of a node diff's old side as a delete states them (its own number excluded)."""
    return side_words(nd, "old")


def side_words(nd: NodeDiff, side: str) -> str:
    """The words of one side of a node diff, its own number (or term) excluded."""
    full = nd.full_text(side)
    num = old_text(nd.num) if side == "old" else new_text(nd.num)
    if nd.element == "definition":
        num = f'"{num}"'
    return full[len(num):].strip() if full.startswith(num) else full


def _element_of(nd: NodeDiff):
    """The new side of an inserted node diff as a corpus element."""
    from lxml import etree

    tag = nd.element
    attrs = {"term": new_text(nd.num)} if tag == "definition" else {"num": new_text(nd.num)}
    el = etree.Element(tag, attrs)
    text = new_text(nd.text)
    if text:
        etree.SubElement(el, "text").text = text
    for k in nd.children:
        if k.state != NodeState.DELETED:
            el.append(_element_of(k))
    closing = new_text(nd.closing)
    if closing:
        etree.SubElement(el, "closing").text = closing
    return el


# --- words --------------------------------------------------------------------------------------

def word_ops(target: Address, fld: str, spans: tuple[Span, ...], others: list[str] = ()) -> list:
    """Operations changing field ``fld`` of ``target`` from the old to the new side of ``spans``:
    a substitute for each place the words change (its old words just long enough to occur once
    in the field and nowhere else in ``others``, the clause's other words), or one amend of the
    whole field where it is rewritten or a substitution cannot be made exact."""
    old, new = old_text(spans), new_text(spans)
    if old == new:
        return []
    if not old or not new:
        return [O.Amend(target, old, new, fld)]
    toks: list[tuple[str, str]] = [(s.kind, t) for s in spans for t in tokenize(s.text)]
    regions = _merge_close(_regions(toks), [t for k, t in toks if k != INSERT])
    changed = sum(1 for k, t in toks if k != EQUAL and not t.isspace())
    total = sum(1 for k, t in toks if not t.isspace()) + sum(1 for k, t in toks if k == EQUAL and not t.isspace())
    if len(regions) > MAX_SUBSTITUTIONS or changed > REWRITE_SHARE * total:
        return [O.Amend(target, old, new, fld)]
    old_toks = [t for k, t in toks if k != INSERT]
    new_toks = [t for k, t in toks if k != DELETE]
    others = [t for t in others if t not in (old, new)]
    ops = []
    for os_, oe, ns, ne in regions:
        op = _substitution(target, fld, old_toks, new_toks, os_, oe, ns, ne, others)
        if op is None:
            return [O.Amend(target, old, new, fld)]
        ops.append(op)
    return ops


def _regions(toks: list[tuple[str, str]]) -> list[tuple[int, int, int, int]]:
    """(old start, old end, new start, new end) token ranges of each place the words change;
    changes separated only by a space are one place."""
    out: list[list[int]] = []
    o = n = 0
    gap_o = None  # the position after the last change, while only spaces follow it
    for kind, t in toks:
        if kind == EQUAL:
            if out and gap_o is not None and t.isspace():
                o += 1
                n += 1
                continue
            gap_o = None
            o += 1
            n += 1
            continue
        if out and gap_o is not None:
            out[-1][1], out[-1][3] = o, n  # extend the last region across the spaces
        else:
            out.append([o, o, n, n])
        if kind == DELETE:
            o += 1
        else:
            n += 1
        out[-1][1], out[-1][3] = o, n
        gap_o = o
    return [tuple(r) for r in out]


def _merge_close(regions: list[tuple[int, int, int, int]], old_toks: list[str]) -> list[tuple[int, int, int, int]]:
    """Regions at most :data:`MERGE_GAP_WORDS` unchanged words apart, joined into one."""
    out: list[list[int]] = []
    for r in regions:
        if out:
            gap = old_toks[out[-1][1]:r[0]]
            if sum(1 for t in gap if not t.isspace()) <= MERGE_GAP_WORDS:
                out[-1][1], out[-1][3] = r[1], r[3]
                continue
        out.append(list(r))
    return [tuple(r) for r in out]


def _substitution(target, fld, old_toks, new_toks, os_, oe, ns, ne, others) -> O.Substitute | None:
    cur = new_toks[:ns] + old_toks[os_:]
    a0, a1 = ns, ns + (oe - os_)
    repl = new_toks[ns:ne]
    text = "".join(cur)
    want = normalise_space("".join(new_toks[:ne] + old_toks[oe:]))
    words_left = [i for i in range(a0 - 1, -1, -1) if not cur[i].isspace()]
    words_right = [i for i in range(a1, len(cur)) if not cur[i].isspace()]
    core = [i for i in range(a0, a1) if not cur[i].isspace()]
    offsets = [0]
    for t in cur:
        offsets.append(offsets[-1] + len(t))
    for size in range(0, len(words_left) + len(words_right) + 1):
        for left in range(min(size, len(words_left)), -1, -1):
            right = size - left
            if right > len(words_right):
                continue
            start = words_left[left - 1] if left else (core[0] if core else a0)
            end = words_right[right - 1] + 1 if right else (core[-1] + 1 if core else a1)
            if start >= end:
                continue
            phrase = "".join(cur[start:end]).strip()
            if not phrase or not any(ch.isalnum() for ch in phrase):
                continue
            found = occurrences(text, phrase)
            if len(found) != 1 or found[0][0] != offsets[start] + (len(cur[start]) - len(cur[start].lstrip())):
                continue
            pattern = phrase_pattern(phrase)
            if any(pattern.search(t) for t in others):
                continue  # also in the clause's other words: not unique in the clause
            for start, end in ((*_whole_terms(cur, start, end, a0, a1),), (start, end)):
                op = _checked(target, fld, cur, text, want, start, end, a0, a1, repl, offsets)
                if op is not None:
                    return op
    return None


def _whole_terms(cur: list[str], start: int, end: int, a0: int, a1: int) -> tuple[int, int]:
    """``start``/``end`` widened so that the phrase does not begin or end inside a run of
    capitalised words (a defined term such as ``Gas Proxy Function`` is quoted whole)."""
    def cap(i: int) -> bool:
        return 0 <= i < len(cur) and cur[i][:1].isupper()

    while cap(start) and start >= 2 and cur[start - 1] == " " and cap(start - 2):
        start -= 2
    while cap(end - 1) and end + 1 < len(cur) and cur[end] == " " and cap(end + 1):
        end += 2
    return start, end


def _checked(target, fld, cur, text, want, start, end, a0, a1, repl, offsets) -> O.Substitute | None:
    """The substitution of ``cur[start:end]`` if it occurs once, there, and doing it gives ``want``."""
    phrase = "".join(cur[start:end]).strip()
    found = occurrences(text, phrase)
    if len(found) != 1 or found[0][0] != offsets[start] + (len(cur[start]) - len(cur[start].lstrip())):
        return None
    new_phrase = "".join(cur[start:a0] + repl + cur[a1:end]).strip()
    s, e = found[0]
    if normalise_space(text[:s] + new_phrase + text[e:]) != want:
        return None
    if normalise_space(phrase) == normalise_space(new_phrase):
        return None
    return O.Substitute(target, phrase, new_phrase, fld)
