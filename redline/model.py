"""The model: addresses, versions and thin node views over the XML tree.

The XML is the single source of truth for text; :class:`Node` is a view that reads it, and
:class:`Address` is a small frozen value derived from numbering (``G``, ``G3``, ``G3.20``,
``G3.20(b)``, ``G1.7(c)(ii)``, and for definitions ``A1.1["Secure"]``). Nothing here does I/O.

Tree shape (see ``redline/schema/corpus.rng``)::

    section(num=G, heading, coverage)
      part(num=G1, heading, coverage)
        crossheading(heading)          -- groups clauses; not itself numbered
          clause(num=G1.2)
            text                       -- the words before the list (or the whole text)
            item(num=(a))              -- items nest: (a) -> (i) -> (A) ...
              text / item / closing
            closing                    -- the words after the list
        clause                         -- a clause may also sit directly in a part
          definition(term=...)         -- definitions (Section A), in alphabetical order
"""

from __future__ import annotations

import copy
import difflib
import re
from typing import Iterator, NamedTuple

from lxml import etree

from redline.errors import AddressSyntaxError, UnknownAddress

#: element names that carry an address
ADDRESSABLE = ("section", "part", "clause", "item", "definition")

_ADDRESS_RE = re.compile(
    r"""^(?P<section>[A-Z])
        (?:(?P<part>\d+[A-Z]?)
           (?:\.(?P<clause>\d+[A-Z]?))?)?
        (?:\[(?P<q>["“])(?P<term>[^"”\]]+)["”]\])?
        (?P<items>(?:\([0-9A-Za-z]+\))*)$""",
    re.X,
)
_ITEM_RE = re.compile(r"\([0-9A-Za-z]+\)")


def normalise_space(text: str | None) -> str:
    """Collapse runs of whitespace to one space and strip the ends (the corpus text rule)."""
    return " ".join(text.split()) if text else ""


class _AddressFields(NamedTuple):
    section: str
    part: str | None = None  # "G1" (includes the section letter)
    clause: str | None = None  # "G1.10"
    term: str | None = None  # a definition's term, inside a clause
    items: tuple[str, ...] = ()  # ("(c)", "(ii)")


class Address(_AddressFields):
    """Where a node sits, derived from its numbering. ``str(Address)`` parses back to itself.

    An immutable named tuple of (section, part, clause, term, items): addresses are dict keys
    everywhere (indexes, address maps, pairings), so hashing and equality run in C; ordering is
    field by field.
    """

    __slots__ = ()

    @classmethod
    def parse(cls, text: str) -> "Address":
        """Parse ``G3.20(b)``-style text; raise :class:`AddressSyntaxError` if it is not one."""
        raw = text.strip()
        m = _ADDRESS_RE.match(raw)
        if not m or (m["term"] and not m["clause"]) or (m["items"] and not (m["clause"] or m["term"])):
            raise AddressSyntaxError(text)
        sec = m["section"]
        part = sec + m["part"] if m["part"] else None
        clause = f"{part}.{m['clause']}" if m["clause"] else None
        items = tuple(_ITEM_RE.findall(m["items"] or ""))
        return cls(sec, part, clause, m["term"], items)

    def __str__(self) -> str:
        out = self.clause or self.part or self.section
        if self.term is not None:
            out += f'["{self.term}"]'
        return out + "".join(self.items)

    @property
    def kind(self) -> str:
        """One of section, part, clause, definition, item."""
        if self.items:
            return "item"
        if self.term is not None:
            return "definition"
        if self.clause:
            return "clause"
        return "part" if self.part else "section"

    @property
    def parent(self) -> "Address | None":
        """The enclosing address (item → clause → part → section), or None for a section."""
        if self.items:
            return Address(self.section, self.part, self.clause, self.term, self.items[:-1])
        if self.term is not None:
            return Address(self.section, self.part, self.clause)
        if self.clause:
            return Address(self.section, self.part)
        if self.part:
            return Address(self.section)
        return None

    @property
    def clause_address(self) -> "Address | None":
        """The clause this address lies in (itself for a clause), or None above clause level."""
        return Address(self.section, self.part, self.clause) if self.clause else None

    def ancestors(self) -> list["Address"]:
        """Enclosing addresses from the section down, excluding self."""
        out, a = [], self.parent
        while a is not None:
            out.append(a)
            a = a.parent
        return out[::-1]

    def is_within(self, other: "Address") -> bool:
        """True if self is other or lies inside it."""
        return self == other or other in self.ancestors()

    def child(self, num: str) -> "Address":
        """The address of a child numbered ``num`` (a part, clause or item number)."""
        if self.clause or self.term is not None:
            return Address(self.section, self.part, self.clause, self.term, self.items + (num,))
        if self.part:
            return Address(self.section, self.part, num)
        return Address(self.section, num)


def element_address(el) -> Address:
    """Compute the address of an addressable element from its own and its ancestors' numbers."""
    tag = el.tag
    if tag == "section":
        return Address(el.get("num"))
    if tag == "part":
        num = el.get("num")
        return Address(num[0], num)
    if tag == "clause":
        num = el.get("num")
        part = num.split(".")[0]
        return Address(num[0], part, num)
    items: list[str] = []
    term = None
    node = el
    while node is not None and node.tag != "clause":
        if node.tag == "item":
            items.append(node.get("num"))
        elif node.tag == "definition":
            term = node.get("term")
        node = node.getparent()
    if node is None:
        raise ValueError(f"<{tag}> outside a clause")
    base = element_address(node)
    return Address(base.section, base.part, base.clause, term, tuple(reversed(items)))


class Node:
    """A read-only view of one addressable element of a version's tree."""

    __slots__ = ("element", "_address")

    def __init__(self, element, address: Address | None = None):
        self.element = element
        self._address = address

    def __repr__(self) -> str:
        return f"<Node {self.address}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Node) and other.element is self.element

    def __hash__(self) -> int:
        return id(self.element)

    @property
    def address(self) -> Address:
        if self._address is None:
            self._address = element_address(self.element)
        return self._address

    @property
    def kind(self) -> str:
        return self.element.tag

    @property
    def num(self) -> str:
        """The number as printed: ``G``, ``G3``, ``G3.20``, ``(b)``; a definition's term."""
        if self.kind == "definition":
            return self.element.get("term")
        return self.element.get("num")

    @property
    def heading(self) -> str | None:
        """A section's or part's heading (None for clauses and items)."""
        return self.element.get("heading")

    @property
    def coverage(self) -> str | None:
        """``complete`` or ``partial`` for sections and parts; None below."""
        return self.element.get("coverage")

    @property
    def text(self) -> str:
        """The lead words (the whole text if there is no list), whitespace-normalised."""
        el = self.element.find("text")
        return normalise_space(el.text) if el is not None else ""

    @property
    def closing(self) -> str:
        """The words after the list, whitespace-normalised ('' if none)."""
        el = self.element.find("closing")
        return normalise_space(el.text) if el is not None else ""

    @property
    def children(self) -> list["Node"]:
        """Addressable children in document order (parts, clauses, items or definitions)."""
        out = []
        for el in self.element:
            if el.tag in ADDRESSABLE:
                out.append(Node(el))
            elif el.tag == "crossheading":  # cross-headings group clauses but are not addressed
                out.extend(Node(c) for c in el if c.tag in ADDRESSABLE)
        return out

    @property
    def crossheading(self) -> str | None:
        """The heading of the cross-heading group this clause sits under, if any."""
        el = self.element
        while el is not None and el.tag not in ("crossheading", "part", "section"):
            el = el.getparent()
        return el.get("heading") if el is not None and el.tag == "crossheading" else None

    def _inherited(self, attr: str) -> str | None:
        el = self.element
        while el is not None:
            v = el.get(attr)
            if v is not None:
                return v
            el = el.getparent()
        return None

    @property
    def source(self) -> str | None:
        """The id of the source document this text came from (inherited from ancestors)."""
        return self._inherited("source")

    @property
    def evidence(self) -> str | None:
        """``printed`` (the source prints it) or ``inferred`` (see :attr:`note`)."""
        return self._inherited("evidence")

    @property
    def note(self) -> str | None:
        """Why the text is held as it is, where the corpus says."""
        return self._inherited("note")

    def full_text(self) -> str:
        """All the words of the node and its descendants, numbers included, one space apart."""
        parts: list[str] = []
        if self.kind == "item":
            parts.append(self.num)
        elif self.kind == "definition":
            parts.append(f'"{self.num}"')
        if self.text:
            parts.append(self.text)
        for c in self.children:
            parts.append(c.full_text())
        if self.closing:
            parts.append(self.closing)
        return " ".join(parts)


class Version:
    """One version of a code: a set of section trees and an address index over them.

    The index is kept per section (built on first use) so that a change to one section rebuilds
    only that section's index. :meth:`copy` gives an independent deep copy. :meth:`derive` gives a
    copy-on-write one (apply works on these): it shares every section tree with ``self`` until
    :meth:`own` copies the one about to change. A shared tree is read-only in both versions, which
    is the rule for every Version a corpus hands out anyway (``Corpus.load`` caches and shares
    them): to change a Version's trees in place, ``copy()`` it first (or ``own()`` the section).
    """

    def __init__(self, id: str, sections: dict[str, etree._Element], code: str = "SEC",
                 clause_digests: dict[str, tuple] | None = None):
        self.id = id
        self.code = code
        self.sections = dict(sorted(sections.items()))
        self._merged: dict[Address, etree._Element] | None = None  # the whole index, when asked for
        self._sec_index: dict[str, dict[Address, etree._Element]] = {}
        self._shared: set[str] = set()  # sections whose tree is shared with another Version
        # letter -> (root, digests of the file's pieces: what precedes the first clause, then each
        # clause's bytes, in document order), as the loader read them (``corpus.clause_digests``);
        # valid only while that root is the section's tree
        self._digests: dict[str, tuple] = dict(clause_digests or {})
        self._origin: "Version | None" = None  # the version this one was derived from

    def clause_digests(self, letter: str) -> list[bytes] | None:
        """A digest of each clause of section ``letter`` as read from disk (document order), or
        None if unknown or the section's tree is no longer the one read. Equal digests mean
        byte-identical clause XML (and identical bytes up to the next clause)."""
        pieces = self.piece_digests(letter)
        return pieces[1:] if pieces is not None else None

    def piece_digests(self, letter: str) -> list[bytes] | None:
        """:meth:`clause_digests` preceded by the digest of the bytes before the first clause."""
        held = self._digests.get(letter)
        if held is None or held[0] is not self.sections.get(letter):
            return None
        return held[1]

    def __repr__(self) -> str:
        return f"<Version {self.code} {self.id}>"

    def _section_index(self, letter: str) -> dict[Address, etree._Element] | None:
        """The index of one section (None if the version does not hold it); built on first use."""
        idx = self._sec_index.get(letter)
        if idx is not None:
            return idx
        root = self.sections.get(letter)
        if root is None:
            return None
        origin = self._origin
        if letter in self._shared and origin is not None and origin.sections.get(letter) is root:
            idx = origin._section_index(letter)  # built once, shared by the base and all derived from it
        else:
            idx = _SectionIndex()
            _index_tree(root, idx)
        self._sec_index[letter] = idx
        return idx

    def _paired_copy(self, letter: str):
        """A deep copy of one section and its index (paired in document order, not recomputed)."""
        root = self.sections[letter]
        new = copy.deepcopy(root)
        old_idx = self._section_index(letter)
        els = list(new.iter(*ADDRESSABLE))
        if len(els) == len(old_idx):
            return new, _SectionIndex(zip(old_idx, els))
        idx = _SectionIndex()
        _index_tree(new, idx)
        return new, idx

    def copy(self, id: str | None = None) -> "Version":
        """A deep copy (optionally under a new id); the copy shares nothing with self."""
        new = Version(id or self.id, {}, self.code)
        for letter in self.sections:
            new.sections[letter], new._sec_index[letter] = self._paired_copy(letter)
        return new

    def derive(self, id: str | None = None) -> "Version":
        """A copy-on-write copy: it shares every section tree (and its index) with self until
        :meth:`own` is called for it. Neither version may change a shared tree in place. Indexes
        not built yet are not built here: a shared section's is built on first use, in self, and
        shared from there."""
        new = Version(id or self.id, {}, self.code)
        new.sections = dict(self.sections)
        new._sec_index = dict(self._sec_index)
        new._shared = set(self.sections)
        new._origin = self
        new._digests = dict(self._digests)  # each stays valid only while its tree is still shared
        return new

    def own(self, letter: str):
        """Make section ``letter`` this version's own tree (copying it if shared) and return it;
        None if the version does not hold the section. Call before changing a section in place."""
        if letter not in self.sections:
            return None
        if letter in self._shared:
            self.sections[letter], self._sec_index[letter] = self._paired_copy(letter)
            self._shared.discard(letter)
            self._merged = None
        return self.sections[letter]

    def is_shared(self, letter: str) -> bool:
        """True if section ``letter``'s tree is shared with another version (read-only here)."""
        return letter in self._shared

    def reindex(self, *letters: str) -> None:
        """Forget the address index of ``letters`` (default: every section this version owns;
        shared sections cannot have changed). Call after changing the trees in place."""
        for letter in letters or [k for k in self.sections if k not in self._shared]:
            self._sec_index.pop(letter, None)
            self._digests.pop(letter, None)
        self._merged = None

    def adopt_index(self, letter: str, idx: dict) -> None:
        """Take ``idx`` as the index of own section ``letter`` (one built by ``_index_tree`` over
        its current tree, e.g. by ``corpus.check_section``), instead of building it again."""
        if letter in self.sections and letter not in self._shared:
            self._sec_index[letter] = _SectionIndex(idx)
            self._merged = None

    def patch_index(self, letter: str, removed: dict, added: dict) -> bool:
        """Update own section ``letter``'s index in place after a change to its tree: drop the
        entries ``removed`` (address -> element, as indexed before the change) and add ``added``
        (as the changed tree gives them), instead of indexing the whole section again. If that
        cannot give exactly what a rebuild would (an entry to drop is not there, or an address
        to add is already held: a repeated address), the index is forgotten instead (rebuilt on
        next use) and False is returned. A patched index is the rebuilt one as a mapping, not in
        document order: the caller restores the order (``adopt_index``, ``reindex``) when done."""
        if letter in self._shared:
            raise ValueError(f"section {letter} is shared: own() it before changing it")
        self._merged = None
        idx = self._sec_index.get(letter)
        if idx is None:
            return True  # not built yet: it will be built from the changed tree
        if getattr(idx, "memo", None):
            idx.memo = {}  # positions and the like describe the tree before the change
        for a, el in removed.items():
            if idx.get(a) is not el:
                del self._sec_index[letter]
                return False
            del idx[a]
        if any(a in idx for a in added):
            del self._sec_index[letter]
            return False
        idx.update(added)
        return True

    @property
    def index(self) -> dict[Address, etree._Element]:
        """Every address → element of the version, in document order."""
        if self._merged is None:
            idx: dict[Address, etree._Element] = {}
            for letter in self.sections:
                idx.update(self._section_index(letter))
            self._merged = idx
        return self._merged

    def element(self, address: Address):
        """The element at ``address`` or None (looks in one section's index only)."""
        idx = self._section_index(address.section)
        return idx.get(address) if idx is not None else None

    def section_memo(self, letter: str) -> dict:
        """A dict for values derived from section ``letter``'s tree (document positions, words),
        kept with its index: shared with every version sharing the tree, forgotten when the
        index is. Only a read-only (shared or loaded) tree's words may be memoised: an apply
        changes words in place without a new index."""
        idx = self._section_index(letter)
        memo = getattr(idx, "memo", None)
        if memo is None:
            memo = idx.memo = {}
        return memo

    def position(self, address: Address) -> tuple[int, int] | None:
        """Where ``address`` stands in the document order of the version, as a value to compare
        with the positions of its other addresses; None if the version does not hold it."""
        idx = self._section_index(address.section)
        if idx is None or address not in idx:
            return None
        memo = self.section_memo(address.section)
        pos = memo.get("positions")
        if pos is None:
            pos = memo["positions"] = {a: i for i, a in enumerate(idx)}
        return list(self.sections).index(address.section), pos[address]

    def section_items(self, letter: str):
        """(address, element) of one section, in document order."""
        idx = self._section_index(letter)
        return idx.items() if idx is not None else ()

    def find(self, address: Address | str) -> Node | None:
        """The node at ``address``, or None."""
        if isinstance(address, str):
            address = Address.parse(address)
        el = self.element(address)
        return Node(el, address) if el is not None else None

    def get(self, address: Address | str) -> Node:
        """The node at ``address``; raise :class:`UnknownAddress` with the nearest suggestions."""
        if isinstance(address, str):
            address = Address.parse(address)
        node = self.find(address)
        if node is None:
            raise UnknownAddress(str(address), self.id, self.suggest(address))
        return node

    def __contains__(self, address) -> bool:
        return self.find(address) is not None

    def nodes(self, kind: str | None = None) -> Iterator[Node]:
        """Every addressable node in document order (optionally only one kind)."""
        for letter in self.sections:
            for addr, el in self._section_index(letter).items():
                if kind is None or el.tag == kind:
                    yield Node(el, addr)

    def clauses(self) -> Iterator[Node]:
        """Every clause in document order."""
        return self.nodes("clause")

    def suggest(self, address: Address, n: int = 3) -> list[str]:
        """The held addresses nearest to ``address``: numerically nearest siblings, then by spelling."""
        target = str(address)
        siblings = [a for a in self.index if a.kind == address.kind and a.parent == address.parent]
        key = _number_key(address)
        if key is not None and siblings:
            ranked = sorted(siblings, key=lambda a: (abs((_number_key(a) or 0) - key), str(a)))
            return [str(a) for a in ranked[:n]]
        same_kind = [str(a) for a in self.index if a.kind == address.kind]
        near = difflib.get_close_matches(target, same_kind, n=n, cutoff=0.5)
        if not near and address.parent is not None and address.parent in self.index:
            near = [str(c.address) for c in Node(self.index[address.parent]).children][:n]
        return near

    def coverage_of(self, address: Address) -> str:
        """How the corpus holds the part an address lies in.

        ``complete`` if its part (or, for a section/part address, itself) is held in full,
        ``partial`` if held only in part, ``absent`` if the section or part is not held at all.
        """
        sec = self.sections.get(address.section)
        if sec is None:
            return "absent"
        if address.part is None:
            return sec.get("coverage", "partial")
        part = self.element(Address(address.section, address.part))
        if part is None:
            return "complete" if sec.get("coverage") == "complete" else "absent"
        return part.get("coverage", "partial")


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _number_key(address: Address) -> float | None:
    """The last number of an address as a number (G3.22 → 22, (c) → 3, (iv) → 4), or None."""
    if address.items:
        label = address.items[-1].strip("()")
        if label.isdigit():
            return float(label)
        low = label.lower()
        if len(low) > 1 or low in "ivx" and len(address.items) % 2 == 0:
            if all(ch in _ROMAN for ch in low):  # a romanette (ii), (iv)
                total = 0
                for a, b in zip(low, low[1:] + " "):
                    total += -_ROMAN[a] if b in _ROMAN and _ROMAN[b] > _ROMAN[a] else _ROMAN[a]
                return float(total)
        return float(ord(low[0]) - 96) if len(low) == 1 and low.isalpha() else None
    last = address.clause.split(".")[1] if address.clause else (address.part[1:] if address.part else None)
    m = re.match(r"(\d+)([A-Z]?)", last or "")
    return float(m[1]) + (0.5 if m[2] else 0) if m else None


_new_tuple = tuple.__new__


def _address(section, part=None, clause=None, term=None, items=()) -> Address:
    """Address(...) without the named tuple's argument handling (faster; indexing only)."""
    return _new_tuple(Address, (section, part, clause, term, items))


class _SectionIndex(dict):
    """One section's address index (address -> element, document order) and, once asked for,
    the ``memo`` of :meth:`Version.section_memo`: it lives and dies with the index."""

    __slots__ = ("memo",)


_INDEXED = frozenset(("part", "crossheading", "clause", "item", "definition"))


def _index_tree(el, idx: dict, parent_addr: Address | None = None) -> None:
    """Fill ``idx`` with address → element for ``el`` and its descendants (document order)."""
    tag = el.tag
    addr = parent_addr
    if tag == "section":
        addr = _address(el.get("num"))
    elif tag == "part":
        num = el.get("num")
        addr = _address(num[0], num)
    elif tag == "clause":
        num = el.get("num")
        addr = _address(num[0], num.split(".")[0], num)
    elif tag == "item":
        addr = _address(parent_addr.section, parent_addr.part, parent_addr.clause, parent_addr.term,
                        parent_addr.items + (el.get("num"),))
    elif tag == "definition":
        addr = _address(parent_addr.section, parent_addr.part, parent_addr.clause, el.get("term"))
    if addr is not parent_addr:
        idx[addr] = el
    for child in el:
        if child.tag in _INDEXED:
            _index_tree(child, idx, addr)
