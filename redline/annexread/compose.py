"""What an Annex A shows, as versions: its reject-all side checked against the base version, and
the version its accept-all side makes.

* :func:`check_shown` compares every clause, cross-heading and part heading the reject-all view
  shows with the base version and returns an :class:`Untracked` for each difference (words the
  document shows unmarked that the version does not have: drafted against another version, or
  edited without tracking).
* :func:`pair_blocks` pairs the clauses of the two views: a clause opened by the same paragraph
  in both is the same clause (renumbered if its number changed); a clause deleted in one place and
  one inserted in another with the same or nearly the same words are one clause, moved.
* :func:`compose` builds a version from a base version and the two views: each run of clauses
  the document shows (consecutive in the base) is replaced by what the target view shows, with
  its cross-headings; a run of wholly new clauses goes where its numbers (or the drafting
  instruction) put it.

Everything returns new values; the base version is never changed. Pure.
"""

from __future__ import annotations

import bisect
import copy
from dataclasses import dataclass, field

from lxml import etree

from redline.annexread.instructions import Instruction
from redline.annexread.outline import DocClause, ViewOutline
from redline.diff import MOVE_THRESHOLD
from redline.model import Address, Version, node_words
from redline.textdiff import EQUAL, diff_text, longest_increasing, similarity, to_markers
from redline.validate import sort_key


#: words of unchanged text kept either side of a change in a reported word diff
CONTEXT_WORDS = 6


@dataclass(frozen=True)
class Untracked:
    """A difference between the unmarked (reject-all) text of the document and the base version."""

    address: str
    what: str  # words | not-held | cross-heading | part-heading
    expected: str  # what the version has
    shown: str  # what the document shows
    where: str

    def describe(self) -> str:
        if self.what == "not-held":
            return f"{self.address} ({self.where}) is shown as existing text, but the version does not hold it"
        label = {"words": "the words", "cross-heading": "the cross-heading above it",
                 "part-heading": "the part heading"}[self.what]
        return f"{self.address} ({self.where}): {label} differ from the version: {self.diff()}"

    def diff(self, context: int = CONTEXT_WORDS) -> str:
        """The word diff, version → document, with long unchanged stretches cut to ``context``
        words either side of each change: ``… take {+all+} reasonable steps …``."""
        return compact_diff(self.expected, self.shown, context)


def compact_diff(old: str, new: str, context: int | None = CONTEXT_WORDS) -> str:
    """``[-deleted-]{+inserted+}`` word diff of two texts (spaces kept outside the marks), long
    unchanged stretches cut to ``context`` words either side (None: nothing cut)."""
    spans = diff_text(old, new)
    out = []
    for i, sp in enumerate(spans):
        if sp.kind != EQUAL:
            core = sp.text.strip()
            lead, trail = sp.text[:len(sp.text) - len(sp.text.lstrip())], sp.text[len(sp.text.rstrip()):]
            out.append(lead + to_markers((type(sp)(sp.kind, core),)) + trail if core else sp.text)
            continue
        words = sp.text.split(" ")
        if context is None:
            out.append(sp.text)
            continue
        keep_head = context if i > 0 else 0
        keep_tail = context if i < len(spans) - 1 else 0
        if len(words) > keep_head + keep_tail + 1:
            head = " ".join(words[:keep_head])
            tail = " ".join(words[len(words) - keep_tail:]) if keep_tail else ""
            text = (head + " … " if keep_head else "… ") + (tail if keep_tail else "")
            out.append(text.rstrip() if not keep_tail else text)
        else:
            out.append(sp.text)
    return "".join(out)


#: clause element -> its words, for the elements of one reading (see :func:`words_cache`)
_WORDS: dict | None = None


def clause_words(el) -> str:
    """A clause's (or item's) words, item numbers and terms included, its own number excluded:
    what the diff compares (``Node(el).full_text()`` without the node's number). Inside
    :func:`words_cache` each element's words are computed once (a reading compares the same
    clauses several times: the reject view with the base, the two views, the result)."""
    if _WORDS is None:
        return node_words(el, False)
    words = _WORDS.get(el)
    if words is None:
        words = _WORDS[el] = node_words(el, False)
    return words


class words_cache:
    """``with words_cache():`` memoises :func:`clause_words` for elements not changed meanwhile
    (the base's, the document's, and a result's once made)."""

    def __enter__(self):
        global _WORDS
        self.outer = _WORDS
        if _WORDS is None:
            _WORDS = {}
        return self

    def __exit__(self, *exc):
        global _WORDS
        _WORDS = self.outer
        return False


def _address(num: str) -> Address | None:
    try:
        return Address.parse(num)
    except Exception:  # noqa: BLE001 - the outline builder checked the shape; be safe anyway
        return None


def clause_map(root) -> dict[str, tuple]:
    """Clause number -> (element, position in the section, cross-heading or None) of a section
    tree (None: an empty map)."""
    out: dict[str, tuple] = {}
    if root is None:
        return out
    for i, el in enumerate(root.iter("clause")):
        box = el.getparent()
        out[el.get("num")] = (el, i, box.get("heading") if box.tag == "crossheading" else None)
    return out


def check_shown(version: Version, shown: ViewOutline, other: ViewOutline | None = None) -> list[Untracked]:
    """Each difference between what ``shown`` (the reject-all view) shows and ``version``.

    The cross-heading shown above a clause is compared only where the document shows the clause
    in its place: keeping its number in ``other`` (the accept-all view; a renumbered or moved
    clause stands under the heading of its new place) and in the version's order."""
    renumbered = set()
    if other is not None:
        mine = {c.block: c.num for c in shown.clauses}
        renumbered = {c.block for c in other.clauses if c.block in mine and mine[c.block] != c.num}
    out: list[Untracked] = []
    held_in: dict[str, dict] = {}  # section -> clause number -> (element, position, cross-heading)
    last: dict[str, int] = {}  # section -> position of the clause shown before, in the version
    for c in shown.clauses:
        letter = c.num[0]
        held_map = held_in.get(letter)
        if held_map is None:
            held_map = held_in[letter] = clause_map(version.sections.get(letter))
        entry = held_map.get(c.num)
        words = clause_words(c.element)
        if entry is None:
            out.append(Untracked(c.num, "not-held", "", words, c.where))
            continue
        el, here, heading = entry
        held = clause_words(el)
        if held != words:
            out.append(Untracked(c.num, "words", held, words, c.where))
        # a clause shown out of the version's order (moved: shown at its new place) stands under
        # the cross-heading of its new place; elsewhere the heading shown must be the version's
        in_place = c.block not in renumbered and (letter not in last or last[letter] < here)
        last[letter] = max(last.get(letter, here), here)
        shown_heading = c.heading
        if c.continued and heading is None:
            shown_heading = None  # after a group's clauses on the page: the version says it is not in it
        if in_place and shown_heading is not None and (heading or "") != shown_heading:
            out.append(Untracked(c.num, "cross-heading", heading or "", c.heading, c.where))
    for num, p in shown.parts.items():
        addr = _address(num)
        node = version.find(addr) if addr is not None and addr.section in version.sections else None
        if node is None:
            out.append(Untracked(num, "not-held", "", p.heading, p.where))
        elif (node.heading or "") != p.heading:
            out.append(Untracked(num, "part-heading", node.heading or "", p.heading, p.where))
    return out


@dataclass
class Block:
    """One clause of the document: what each view shows of it (None: not there)."""

    old: DocClause | None
    new: DocClause | None

    @property
    def index(self) -> int:
        return min(c.block for c in (self.old, self.new) if c is not None)


def pair_blocks(old: ViewOutline, new: ViewOutline) -> tuple[list[Block], list[tuple[str, str]]]:
    """The document's clauses in order, each with its two sides, and the (old, new) numbers of
    the clauses re-paired as moved (shown deleted in one place and inserted in another)."""
    by_block: dict[int, Block] = {}
    for c in old.clauses:
        by_block.setdefault(c.block, Block(None, None)).old = c
    for c in new.clauses:
        by_block.setdefault(c.block, Block(None, None)).new = c
    blocks = [by_block[k] for k in sorted(by_block)]
    gone = [b for b in blocks if b.new is None]
    came = [b for b in blocks if b.old is None]
    moved: list[tuple[str, str]] = []
    if gone and came:
        words = {id(c): clause_words(c.element) for b in gone + came for c in (b.old, b.new) if c is not None}
        taken: set[int] = set()
        # exactly the same words first, then the most similar above the move threshold
        for g in gone:
            for c in came:
                if id(c) not in taken and words[id(g.old)] == words[id(c.new)]:
                    taken.add(id(c))
                    taken.add(id(g))
                    moved.append((g.old.num, c.new.num))
                    break
        cands = []
        for g in gone:
            if id(g) in taken:
                continue
            for c in came:
                if id(c) in taken:
                    continue
                sim = similarity(words[id(g.old)], words[id(c.new)], floor=MOVE_THRESHOLD)
                if sim >= MOVE_THRESHOLD:
                    cands.append((-sim, g.index, c.index, g, c))
        for _, _, _, g, c in sorted(cands, key=lambda t: t[:3]):
            if id(g) in taken or id(c) in taken:
                continue
            taken.update((id(g), id(c)))
            moved.append((g.old.num, c.new.num))
    return blocks, moved


# --- composing a version ------------------------------------------------------------------------

class _Entry:
    """A clause of the section being composed: its part, its cross-heading group, its element."""

    __slots__ = ("part", "group", "el", "num")

    def __init__(self, part: str, group, el, num: str):
        self.part, self.group, self.el, self.num = part, group, el, num


def _entries(root) -> tuple[list[_Entry], dict]:
    entries: list[_Entry] = []
    groups: dict = {}
    for part in root.iter("part"):
        pnum = part.get("num")
        for child in part:
            if child.tag == "crossheading":
                groups[id(child)] = child
                for c in child.iter("clause"):
                    entries.append(_Entry(pnum, id(child), c, c.get("num")))
            elif child.tag == "clause":
                entries.append(_Entry(pnum, None, child, child.get("num")))
    return entries, groups


def _part_of(num: str) -> str:
    return num.split(".")[0]


@dataclass
class Composed:
    """A composed version, the old -> new address map of the clauses the document shows, and
    what could not be composed."""

    version: Version
    address_map: dict[Address, Address | None]
    problems: list[str]
    same: set = field(default_factory=set)  # blocks whose target clause is the base's own (unchanged)


def compose(base: Version, blocks: list[Block], old: ViewOutline, new: ViewOutline,
            moved: list[tuple[str, str]], instructions: list[Instruction] = (), new_id: str | None = None,
            sides: tuple[str, str] = ("old", "new")) -> Composed:
    """The version ``base`` becomes when the clauses each block shows on side ``sides[0]`` are
    replaced by what it shows on side ``sides[1]`` (``("old", "old")`` gives the version the
    document's unmarked text shows)."""
    problems: list[str] = []
    src, dst = sides
    letters = sorted({c.num[0] for b in blocks for c in (getattr(b, src), getattr(b, dst)) if c is not None}
                     | {num[0] for num in (new if dst == "new" else old).parts})  # a part shown without clauses
    sections = dict(base.sections)
    same: set = set()
    target_parts = (new if dst == "new" else old).parts
    by_letter: dict[str, list[Block]] = {}
    for b in blocks:
        for letter in {c.num[0] for c in (getattr(b, src), getattr(b, dst)) if c is not None}:
            by_letter.setdefault(letter, []).append(b)
    for letter in letters:
        root = base.sections.get(letter)
        if root is None:
            problems.append(f"the document shows Section {letter}, which version {base.id} does not hold")
            continue
        sections[letter] = _compose_section(root, by_letter.get(letter, []), src, dst, target_parts, instructions,
                                            problems, same)
    version = Version(new_id or f"{base.id}+annex", sections, base.code)
    amap: dict[Address, Address | None] = {}
    re_paired_old = {o: n for o, n in moved} if (src, dst) == ("old", "new") else {}
    for b in blocks:
        o, n = getattr(b, src), getattr(b, dst)
        if o is None:
            continue
        oa = _address(o.num)
        if n is not None:
            amap[oa] = _address(n.num)
        elif o.num in re_paired_old:
            amap[oa] = _address(re_paired_old[o.num])
        else:
            amap[oa] = None
    return Composed(version, amap, problems, same)


def _insertion_point(slots: list, nums: list[list[str]], first: str, instructions) -> int:
    """Where a run of new (or moved) clauses that the document shows apart from any clause of the
    base goes among ``slots`` (``nums``: the clause numbers each slot holds): as a drafting
    instruction places its first clause, else after the last slot of its part numbered before it."""
    addr = _address(first)
    for ins in instructions:
        if ins.verb == "add" and addr in ins.targets and ins.anchor is not None and ins.position in ("after", "before"):
            for i, held in enumerate(nums):
                if str(ins.anchor) in held:
                    return i + 1 if ins.position == "after" else i
    part, key = _part_of(first), sort_key(first)
    at = None
    for i, held in enumerate(nums):
        mine = [n for n in held if _part_of(n) == part]
        if not mine:
            continue
        if any(sort_key(n) < key for n in mine):
            at = i + 1
        elif at is None:
            at = i
    return at if at is not None else len(slots)


def _anchors(blocks: list[Block], src: str, dst: str, pos: dict[str, int], entries: list) -> set[int]:
    """Indexes (into ``blocks``) of the blocks shown where the base has them: those keeping their
    number whose base positions rise in document order (the longest such run), and then each
    renumbered one that fits between its anchored neighbours and whose new number fits between
    the base clauses around it that the document does not show. The others are moves."""
    shown = {pos[getattr(b, src).num] for b in blocks if getattr(b, src) is not None and getattr(b, src).num in pos}

    def number_fits(p: int, num: str) -> bool:
        part, key = _part_of(num), sort_key(num)
        q = p - 1
        while q >= 0 and q in shown:
            q -= 1
        if q >= 0 and entries[q].part == part and sort_key(entries[q].num) >= key:
            return False
        q = p + 1
        while q < len(entries) and q in shown:
            q += 1
        return not (q < len(entries) and entries[q].part == part and sort_key(entries[q].num) <= key)

    placed = [(pos[getattr(b, src).num], i) for i, b in enumerate(blocks)
              if getattr(b, src) is not None and getattr(b, src).num in pos and getattr(b, dst) is not None
              and getattr(b, src).num == getattr(b, dst).num]
    anchors = {i for _, i in longest_increasing(sorted(placed))}
    order = sorted(anchors)
    nxt = 0
    prev_pos = -1
    out = set(anchors)
    for i, b in enumerate(blocks):
        while nxt < len(order) and order[nxt] <= i:
            nxt += 1
        o = getattr(b, src)
        if i in anchors:
            prev_pos = pos[o.num]
            continue
        if o is None or o.num not in pos or getattr(b, dst) is None:
            continue
        p = pos[o.num]
        limit = pos[getattr(blocks[order[nxt]], src).num] if nxt < len(order) else 10 ** 12
        if prev_pos < p < limit and number_fits(p, getattr(b, dst).num):
            out.add(i)
            prev_pos = p
    return out


def _compose_section(root, blocks: list[Block], src: str, dst: str, target_parts, instructions, problems,
                     same: set | None = None):
    entries, groups = _entries(root)
    pos = {e.num: i for i, e in enumerate(entries)}
    anchors = _anchors(blocks, src, dst, pos, entries)
    shown = {pos[getattr(b, src).num] for b in blocks if getattr(b, src) is not None and getattr(b, src).num in pos}

    def follows(p: int, num: str) -> bool:
        """Whether new clause ``num`` can stand right after base position ``p``: in the same part,
        with no clause of the base that the document does not show between them by number."""
        if entries[p].part != _part_of(num):
            return False
        q = p + 1
        while q < len(entries) and q in shown:
            q += 1
        return q >= len(entries) or entries[q].part != _part_of(num) or sort_key(entries[q].num) > sort_key(num)

    unshown: dict[str, list] = {}  # part -> sorted numbers of the base clauses the document does not show
    for q, e in enumerate(entries):
        if q not in shown:
            unshown.setdefault(e.part, []).append(sort_key(e.num))
    for keys in unshown.values():
        keys.sort()

    def nothing_between(a: str, b: str) -> bool:
        """Whether new clause ``b`` can follow new clause ``a`` directly: same part, numbered
        after it, and no clause of the base the document does not show numbered between them."""
        if _part_of(a) != _part_of(b) or sort_key(b) <= sort_key(a):
            return False
        keys = unshown.get(_part_of(a), [])
        k = bisect.bisect_right(keys, sort_key(a))
        return k >= len(keys) or keys[k] >= sort_key(b)

    # each anchored block takes the new or moved clauses shown right after it (when their numbers
    # follow on); any other run of them is placed by its numbers (or the drafting instruction)
    attached: dict = {}
    loose: list[list[Block]] = []
    owner = None
    in_loose = False  # the last block placed went into the last loose run
    for i, b in enumerate(blocks):
        if i in anchors:
            owner, in_loose = i, False
            attached[i] = [b]
            continue
        t = getattr(b, dst)
        if t is None:
            continue  # deleted, or moved away: its base clause is simply not kept
        if owner is not None and follows(pos[getattr(blocks[owner], src).num], t.num):
            attached[owner].append(b)
        elif in_loose and nothing_between(getattr(loose[-1][-1], dst).num, t.num):
            loose[-1].append(b)
        else:
            loose.append([b])
            owner, in_loose = None, True
    at_pos = {pos[getattr(blocks[i], src).num]: i for i in anchors}
    slots: list = []  # base entries not shown, and ("doc", key) where the document's clauses go
    for p, e in enumerate(entries):
        if p in at_pos:
            slots.append(("doc", at_pos[p]))
        elif p not in shown:
            slots.append(e)
    for k, run in enumerate(loose):
        nums = [[x.num] if isinstance(x, _Entry) else [getattr(b, dst).num for b in attached[x[1]]
                                                       if getattr(b, dst) is not None] for x in slots]
        where = _insertion_point(slots, nums, getattr(run[0], dst).num, instructions)
        slots.insert(where, ("doc", ("loose", k)))
        attached[("loose", k)] = run
    # a cross-heading the document shows over clauses the base has under the same heading is
    # that base group (wherever its clauses are shown)
    doc_group: dict[int, object] = {}
    for b in blocks:
        t, o = getattr(b, dst), getattr(b, src)
        if t is None or t.group is None or t.group in doc_group or o is None or o.num not in pos:
            continue
        g = entries[pos[o.num]].group
        if g is not None and groups[g].get("heading") == t.heading:
            doc_group[t.group] = g
    next_entry: list = [None] * (len(slots) + 1)  # the first base entry after each slot
    for j in range(len(slots) - 1, -1, -1):
        next_entry[j] = slots[j + 1] if j + 1 < len(slots) and isinstance(slots[j + 1], _Entry) else next_entry[j + 1]
    fresh_entries: list[_Entry] = []
    for j, slot in enumerate(slots):
        if isinstance(slot, _Entry):
            fresh_entries.append(slot)
            continue
        segblocks = attached[slot[1]]
        before = fresh_entries[-1] if fresh_entries else None
        after = next_entry[j]
        base_of = {getattr(b, src).num: entries[pos[getattr(b, src).num]] for b in segblocks
                   if getattr(b, src) is not None and getattr(b, src).num in pos}
        by_heading: dict[str, object] = {}
        for e in [*base_of.values(), before, after]:
            if e is not None and e.group is not None:
                by_heading.setdefault(groups[e.group].get("heading"), e.group)
        for b in segblocks:
            t = getattr(b, dst)
            if t is None:
                continue
            o = getattr(b, src)
            base_entry = base_of.get(o.num) if o is not None else None
            if t.group is not None and t.continued and base_entry is not None and base_entry.group is None \
                    and o.num == t.num:
                key = None  # shown after a group's clauses, but not in the group in the base: stays so
            elif t.group is not None:
                key = doc_group.get(t.group)
                if key is None:
                    key = by_heading.get(t.heading)
                    if key is None:
                        key = ("doc", dst, t.group)
                        groups[key] = etree.Element("crossheading", heading=t.heading)
                    doc_group[t.group] = key
            elif o is not None and o.num in base_of and getattr(b, src).num == t.num:
                key = base_of[o.num].group
            elif fresh_entries and fresh_entries[-1].part == _part_of(t.num):
                key = fresh_entries[-1].group
            else:
                key = None
            el = t.element
            if base_entry is not None and o.num == t.num and clause_words(t.element) == clause_words(base_entry.el):
                el = base_entry.el  # shown unchanged (and checked equal to the base): the base's own clause
                if same is not None:
                    same.add(t.block)
            fresh_entries.append(_Entry(_part_of(t.num), key, el, t.num))
    entries = fresh_entries
    # duplicate numbers: the document shows a clause the base already has elsewhere
    seen: dict[str, int] = {}
    for e in entries:
        seen[e.num] = seen.get(e.num, 0) + 1
    for num, n in seen.items():
        if n > 1:
            problems.append(f"{num} would be there twice: the document adds or renumbers a clause as {num}, "
                            f"but the version already has a {num} that the document does not show changed")
    return _rebuild(root, entries, groups, target_parts)


def _rebuild(root, entries: list[_Entry], groups: dict, target_parts):
    section = etree.Element("section", dict(root.attrib))
    old_parts = {p.get("num"): p for p in root.iter("part")}
    nums = list(old_parts)
    for e in entries:
        if e.part not in old_parts and e.part not in nums:
            nums.append(e.part)
    new_nums = [n for n in nums if n not in old_parts]
    order = [n for n in old_parts]
    for n in sorted(new_nums, key=sort_key):
        at = len(order)
        for i, m in enumerate(order):
            if sort_key(m) > sort_key(n):
                at = i
                break
        order.insert(at, n)
    by_part: dict[str, list[_Entry]] = {}
    for e in entries:
        by_part.setdefault(e.part, []).append(e)
    for num in order:
        old = old_parts.get(num)
        if old is not None:
            part = etree.SubElement(section, "part", dict(old.attrib))
        else:
            part = etree.SubElement(section, "part", num=num, coverage="complete")
        shown = target_parts.get(num)
        if shown is not None:
            if shown.heading:
                part.set("heading", shown.heading)
            elif "heading" in part.attrib:
                del part.attrib["heading"]
        container, current = part, object()
        for e in by_part.get(num, ()):
            if e.group is None:
                container, current = part, None
            elif e.group != current:
                g = groups[e.group]
                container = etree.SubElement(part, "crossheading", dict(g.attrib))
                current = e.group
            container.append(copy.deepcopy(e.el))
    return section
