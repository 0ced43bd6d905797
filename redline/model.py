"""The model: addresses, versions, and thin node views over the XML tree; the address index.

The XML is the single source of truth for text; :class:`Node` is a view that reads it, and
:class:`Address` is a small frozen value derived from numbering (``G``, ``G3``, ``G3.20``,
``G3.20(b)``, ``G1.7(c)(ii)``, and for definitions ``A1.1["Secure"]``). Every address the code
makes from a tree is made here, by :func:`number_address` and the index. Nothing here does I/O.

A :class:`Version` holds one tree per section and keeps, per section, an index (address ->
element, built on first use), an :class:`Outline` (its parts and clauses) and a memo of values
derived from the tree. It keeps them current itself: code that changes a tree in place says
what it touched (:meth:`Version.changing`), and the version patches or forgets what that
changes. Nothing outside this module reads or writes that state.

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
from contextlib import contextmanager
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple

from lxml import etree

from redline.errors import AddressSyntaxError, CorpusError, UnknownAddress

#: element names that carry an address
ADDRESSABLE = ("section", "part", "clause", "item", "definition")
#: the addressable elements below a clause (their address extends their parent's)
SUBCLAUSE = ("item", "definition")

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
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text  # already so (most text is): the only white space printable is the space itself
    return " ".join(text.split())


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
        return _make(sec, part, clause, m["term"], items)

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
            return _make(self.section, self.part, self.clause, self.term, self.items[:-1])
        if self.term is not None:
            return _make(self.section, self.part, self.clause)
        if self.clause:
            return _make(self.section, self.part)
        if self.part:
            return _make(self.section)
        return None

    @property
    def clause_address(self) -> "Address | None":
        """The clause this address lies in (itself for a clause), or None above clause level."""
        return _make(self.section, self.part, self.clause) if self.clause else None

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
            return _make(self.section, self.part, self.clause, self.term, self.items + (num,))
        if self.part:
            return clause_address(num)
        return part_address(num)


# --- making addresses: the one constructor and its shortcuts ---------------------------------

_new_tuple = tuple.__new__


def _make(section: str, part: str | None = None, clause: str | None = None, term: str | None = None,
          items: tuple[str, ...] = ()) -> Address:
    """The one constructor of addresses: ``Address(...)`` without the named tuple's argument
    handling (it runs ~100,000 times when a whole code is indexed)."""
    return _new_tuple(Address, (section, part, clause, term, items))


#: part and clause addresses made from numbers, by number: the same number gives the same object
#: in every version, so that look-ups across two versions mostly succeed by identity
_BY_NUMBER: dict[str, Address] = {}
#: bound of :data:`_BY_NUMBER` (a whole code has ~10,000 numbers; pathological input is cleared)
INTERNED_NUMBERS = 200_000


def part_address(num: str) -> Address:
    """The address of the part numbered ``num`` (``G3``)."""
    addr = _BY_NUMBER.get(num)
    if addr is None:
        if len(_BY_NUMBER) > INTERNED_NUMBERS:
            _BY_NUMBER.clear()
        addr = _BY_NUMBER[num] = _make(num[0], num)
    return addr


def clause_address(num: str) -> Address:
    """The address of the clause numbered ``num`` (``G3.20``; its part is what precedes the dot)."""
    addr = _BY_NUMBER.get(num)
    if addr is None:
        if len(_BY_NUMBER) > INTERNED_NUMBERS:
            _BY_NUMBER.clear()
        addr = _BY_NUMBER[num] = _make(num[0], num.split(".")[0], num)
    return addr


def number_address(tag: str, num: str, parent: Address | None = None) -> Address:
    """The address of a ``tag`` element numbered ``num`` (for a definition: its term) under the
    node at ``parent`` (needed for items and definitions, whose address extends their parent's)."""
    if tag == "section":
        return _make(num)
    if tag == "part":
        return part_address(num)
    if tag == "clause":
        return clause_address(num)
    if parent is None:
        raise ValueError(f"an {tag} needs the address of its parent")
    if tag == "item":
        return _make(parent.section, parent.part, parent.clause, parent.term, parent.items + (num,))
    if tag == "definition":
        return _make(parent.section, parent.part, parent.clause, num)
    raise ValueError(f"<{tag}> has no address")


def child_address(parent: Address, el) -> Address:
    """The address of addressable element ``el`` whose parent node is at ``parent``; an item
    without a number or a definition without a term is a :class:`CorpusError` at its line."""
    tag = el.tag
    num = el.get("term" if tag == "definition" else "num")
    if not num:
        raise CorpusError(f"<{tag}> in {parent} has no {'term' if tag == 'definition' else 'number'}",
                          None, el.sourceline)
    return number_address(tag, num, parent)


def element_address(el) -> Address:
    """Compute the address of an addressable element from its own and its ancestors' numbers."""
    tag = el.tag
    if tag in ("section", "part", "clause"):
        num = el.get("num")
        if not num:
            raise CorpusError(f"<{tag}> has no number", None, el.sourceline)
        return number_address(tag, num)
    parent = el.getparent()
    while parent is not None and parent.tag not in ADDRESSABLE:
        parent = parent.getparent()
    if parent is None or parent.tag in ("section", "part"):
        raise ValueError(f"<{tag}> outside a clause")
    return child_address(element_address(parent), el)


# --- reading words ---------------------------------------------------------------------------

_ADDRESSABLE_SET = frozenset(ADDRESSABLE)


def node_parts(el) -> tuple:
    """(``<text>`` element or None, addressable children, ``<closing>`` element or None) of a
    node's element: the first text and closing; the clauses of a cross-heading in line."""
    text = closing = None
    kids = []
    for c in el:
        t = c.tag
        if t == "text":
            if text is None:
                text = c
        elif t == "closing":
            if closing is None:
                closing = c
        elif t in _ADDRESSABLE_SET:
            kids.append(c)
        elif t == "crossheading":
            kids.extend(g for g in c if g.tag in _ADDRESSABLE_SET)
    return text, kids, closing


def node_words(el, numbered: bool = True) -> str:
    """All the words of a node and its descendants, numbers included, one space apart (with
    ``numbered=False``: without the node's own number or term). :meth:`Node.full_text`."""
    parts: list[str] = []
    if numbered:
        tag = el.tag
        if tag == "item":
            parts.append(el.get("num"))
        elif tag == "definition":
            parts.append(f'"{el.get("term")}"')
    text, kids, closing = node_parts(el)
    if text is not None and text.text:
        words = normalise_space(text.text)
        if words:
            parts.append(words)
    for c in kids:
        parts.append(node_words(c))
    if closing is not None and closing.text:
        words = normalise_space(closing.text)
        if words:
            parts.append(words)
    return " ".join(parts)


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

    def under(self, parent: Address) -> "Node":
        """This node, its address made from its parent's (``parent``) if not known yet: cheaper
        than walking the tree up to the section, for a walk that comes down from the parent."""
        if self._address is None:
            self._address = child_address(parent, self.element)
        return self

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
        kids = node_parts(self.element)[1]
        if self.kind in SUBCLAUSE or self.kind == "clause":
            a = self.address
            return [Node(c, child_address(a, c)) for c in kids]
        return [Node(c) for c in kids]

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
        return node_words(self.element)


#: the part and clause numbers of a section tree where its skeleton puts them (section > part >
#: [cross-heading >] clause), in document order, as strings: read by libxml2, no element proxy made
OUTLINE_NUMBERS = etree.XPath("/section/part/@num | /section/part/clause/@num"
                               " | /section/part/crossheading/clause/@num", smart_strings=False)
#: a part, and a clause of a part, by number (where :data:`OUTLINE_NUMBERS` reads them)
_PART_BY_NUMBER = etree.XPath("/section/part[@num = $p]")
_CLAUSE_BY_NUMBER = etree.XPath("/section/part[@num = $p]/clause[@num = $n]"
                                " | /section/part[@num = $p]/crossheading/clause[@num = $n]")
#: the same parts and clauses as elements
_OUTLINE_ELEMENTS = etree.XPath("/section/part | /section/part/clause | /section/part/crossheading/clause")


class Outline:
    """The parts and clauses of one section tree, in document order (what the diff, the redline
    and the coverage questions need: about 1 in 8 addressable nodes, without items).

    Their addresses (:attr:`sequence`) are read as strings by libxml2; their elements
    (:attr:`clauses`, :attr:`parts`) only when asked for."""

    __slots__ = ("sequence", "_root", "_clauses", "_parts", "_by_address")

    def __init__(self, root, numbers: list[str] | None = None):
        """``numbers``: what :data:`OUTLINE_NUMBERS` gives for ``root``, if known (the loader has
        read them to check the tree)."""
        self._root = root
        #: the part and clause addresses, in document order
        self.sequence: list[Address] = [clause_address(n) if "." in n else part_address(n)
                                        for n in (OUTLINE_NUMBERS(root) if numbers is None else numbers)]
        self._clauses: list[Node] | None = None
        self._parts: dict[Address, object] | None = None
        self._by_address: dict[Address, Node] | None = None

    def _elements(self) -> None:
        clauses, parts = [], {}
        for a, el in zip(self.sequence, _OUTLINE_ELEMENTS(self._root)):
            if a.clause is None:
                parts[a] = el
            else:
                clauses.append(Node(el, a))
        self._clauses, self._parts = clauses, parts

    @property
    def clauses(self) -> list[Node]:
        """The clauses, in document order, each a Node with its address."""
        if self._clauses is None:
            self._elements()
        return self._clauses

    @property
    def parts(self) -> dict[Address, object]:
        """Part address -> element, in document order."""
        if self._parts is None:
            self._elements()
        return self._parts

    @property
    def clause_addresses(self) -> list[Address]:
        """The addresses of the clauses, in document order (no element looked at)."""
        return [a for a in self.sequence if a.clause is not None]

    def clause(self, address: Address) -> Node | None:
        """The clause at ``address``, or None."""
        if self._by_address is None:
            self._by_address = {c._address: c for c in self.clauses}
        return self._by_address.get(address)


# --- the state kept per section tree -----------------------------------------------------------

class _Section:
    """One section tree and what is derived from it; shared by every version sharing the tree."""

    __slots__ = ("root", "index", "ordered", "exact", "memo", "outline", "digests", "file", "numbers")

    def __init__(self, root, file: str | None = None, digests: list | None = None,
                 numbers: list[str] | None = None):
        self.root = root
        self.index: dict | None = None  # address -> element
        self.ordered = True  # the index is in document order (patched ones are not)
        self.exact = True  # no address repeats in the tree (else the index kept the last of each)
        self.memo: dict = {}
        self.outline: Outline | None = None
        self.digests = digests  # the file's piece digests, as read (only for the tree read)
        self.file = file  # the file the tree was read from, if it is that tree
        self.numbers = numbers  # its part and clause numbers as the loader read them (for the outline)

    def forget(self) -> None:
        """The tree's structure changed: drop everything derived from it."""
        self.index = None
        self.ordered = True
        self.exact = True
        self.memo = {}
        self.outline = None
        self.digests = None
        self.file = None
        self.numbers = None


def _index_tree(el, idx: dict, parent_addr: Address | None = None) -> int:
    """Fill ``idx`` with address → element for ``el`` and its descendants (document order);
    returns how many elements it indexed (more than ``len(idx)`` grew by if an address repeats)."""
    tag = el.tag
    addr = parent_addr
    if tag == "section":
        addr = _make(el.get("num"))
    elif tag == "part":
        num = el.get("num")
        if not num:
            raise CorpusError(f"<part> in Section {parent_addr} has no number", None, el.sourceline)
        addr = part_address(num)
    elif tag == "clause":
        num = el.get("num")
        if not num:
            raise CorpusError("<clause> has no number", None, el.sourceline)
        addr = clause_address(num)
    elif tag == "item":
        num = el.get("num")
        if not num:
            raise CorpusError(f"<item> in {parent_addr} has no number", None, el.sourceline)
        addr = _make(parent_addr.section, parent_addr.part, parent_addr.clause, parent_addr.term,
                     parent_addr.items + (num,))
    elif tag == "definition":
        term = el.get("term")
        if not term:
            raise CorpusError(f"<definition> in {parent_addr} has no term", None, el.sourceline)
        addr = _make(parent_addr.section, parent_addr.part, parent_addr.clause, term)
    n = 0
    if addr is not parent_addr:
        idx[addr] = el
        n = 1
    for child in el:
        if child.tag in _INDEXED:
            n += _index_tree(child, idx, addr)
    return n


_INDEXED = frozenset(("part", "crossheading", "clause", "item", "definition"))


def _entries(el) -> dict | None:
    """The index entries (address -> element) of ``el`` and everything under it, as its tree
    stands now; None if an address repeats within it (then no in-place update is exact)."""
    parent = None
    if el.tag in SUBCLAUSE:  # their address extends their parent's
        up = el.getparent()
        while up is not None and up.tag not in ADDRESSABLE:
            up = up.getparent()
        if up is None:
            return {}
        parent = element_address(up)
    out: dict = {}
    n = _index_tree(el, out, parent)
    return out if n == len(out) else None


def _first_repeat(root, file: str | None) -> CorpusError:
    """The error for the first address of ``root`` that repeats, in document order."""
    seen: dict[Address, int] = {}
    idx: dict = {}
    _index_tree(root, idx)
    where = {id(el): a for a, el in idx.items()}
    for el in root.iter("part", "clause", "item", "definition"):
        addr = where.get(id(el)) or element_address(el)
        if addr in seen:
            return CorpusError(f"{addr} appears twice (first at line {seen[addr]})", file, el.sourceline)
        seen[addr] = el.sourceline
    return CorpusError("an address appears twice", file)  # pragma: no cover - a repeat was counted


# --- versions ------------------------------------------------------------------------------------

class Version:
    """One version of a code: a set of section trees, and per section an address index, an
    :class:`Outline` and a memo, each made on first use and kept current by the version.

    :meth:`copy` gives an independent deep copy. :meth:`derive` gives a copy-on-write one (apply
    works on these): it shares every section tree (and what is derived from it) with ``self``
    until :meth:`own` copies the one about to change. A shared tree is read-only in both
    versions, which is the rule for every Version a corpus hands out anyway (``Corpus.load``
    caches and shares them). To change a tree in place, ``own()`` its section (or ``copy()`` the
    version), then either wrap each change of numbers or places in :meth:`changing`, or call
    :meth:`reindex` afterwards. Changes of words alone need neither: they move no address.
    """

    def __init__(self, id: str, sections: Mapping[str, object], code: str = "SEC", *,
                 files: Mapping[str, str] | None = None, digests: Mapping[str, list] | None = None,
                 numbers: Mapping[str, list[str]] | None = None):
        """``files``, ``digests`` and ``numbers`` are what a loader knows of each section it read:
        the file (named in errors: a tree read from a file never has an address twice), its piece
        digests (``corpus.piece_digests``) and its part and clause numbers in document order (as
        :data:`OUTLINE_NUMBERS` reads them)."""
        self.id = id
        self.code = code
        files, digests, numbers = files or {}, digests or {}, numbers or {}
        self._sec: dict[str, _Section] = {
            k: _Section(root, files.get(k), digests.get(k), numbers.get(k)) for k, root in sorted(sections.items())}
        self._roots = {k: s.root for k, s in self._sec.items()}
        self.sections: Mapping[str, object] = MappingProxyType(self._roots)
        self._shared: set[str] = set()  # sections whose tree is shared with another Version
        self._merged: dict[Address, object] | None = None  # the whole index, when asked for

    def __repr__(self) -> str:
        return f"<Version {self.code} {self.id}>"

    # --- copies -----------------------------------------------------------------------------

    def copy(self, id: str | None = None) -> "Version":
        """A deep copy (optionally under a new id); the copy shares nothing with self."""
        new = Version(id or self.id, {}, self.code)
        for letter in self._sec:
            new._set(letter, self._paired_copy(letter))
        return new

    def derive(self, id: str | None = None) -> "Version":
        """A copy-on-write copy: it shares every section tree (and its index, outline and memo)
        with self until :meth:`own` is called for it. Neither version may change a shared tree
        in place. Nothing is built here: a shared section's index is built on first use, once,
        for every version sharing it."""
        new = Version(id or self.id, {}, self.code)
        new._sec = dict(self._sec)
        new._roots.update(self._roots)
        new._shared = set(self._sec)
        self._shared.update(self._sec)  # read-only here too from now on
        return new

    def own(self, letter: str):
        """Make section ``letter`` this version's own tree (copying it if shared) and return it;
        None if the version does not hold the section. Call before changing a section in place."""
        if letter not in self._sec:
            return None
        if letter in self._shared:
            self._set(letter, self._paired_copy(letter))
            self._shared.discard(letter)
        return self._roots[letter]

    def is_shared(self, letter: str) -> bool:
        """True if section ``letter``'s tree is shared with another version (read-only here)."""
        return letter in self._shared

    def _set(self, letter: str, section: _Section) -> None:
        self._sec[letter] = section
        self._roots[letter] = section.root
        self._merged = None

    def _paired_copy(self, letter: str) -> _Section:
        """A deep copy of one section tree, with its index (paired in document order, not made
        again) and outline (the same numbers; the copy's elements)."""
        sec = self._sec[letter]
        new = copy.deepcopy(sec.root)
        out = _Section(new)
        els = list(new.iter(*ADDRESSABLE))
        idx = self._ordered(letter)
        if len(els) == len(idx):
            out.index = dict(zip(idx, els))
        return out

    # --- changes ----------------------------------------------------------------------------

    @contextmanager
    def changing(self, *elements):
        """Say that the block changes the numbers or places of ``elements`` (and so of
        everything under them): renumbers, moves, removes them, or places them in the tree if
        they are new. Every other node must keep its address. The index of each section they are
        in is patched, before and after, for them and their subtrees (or made again if that
        cannot be exact); the section's outline and memo are forgotten.

        ``with version.changing(el): el.set("num", "G3.21")``
        """
        before: list[tuple[str, dict | None]] = []
        for el in elements:
            letter = self._letter_of(el)
            if letter is not None:
                before.append((letter, _entries(el)))
        yield
        after: list[tuple[str, dict | None]] = []
        for el in elements:
            letter = self._letter_of(el)
            if letter is not None:
                after.append((letter, _entries(el)))
        for letter in {k for k, _ in before + after}:
            self._patch(letter, [d for k, d in before if k == letter], [d for k, d in after if k == letter])

    def _letter_of(self, el) -> str | None:
        """The letter of this version's own section whose tree holds ``el`` (None if none does)."""
        root = el
        while (up := root.getparent()) is not None:
            root = up
        letter = root.get("num") if root.tag == "section" else None
        if letter is None or self._roots.get(letter) is not root:
            return None
        if letter in self._shared:
            raise ValueError(f"section {letter} is shared: own() it before changing it")
        return letter

    def _patch(self, letter: str, removed: list, added: list) -> None:
        """Update section ``letter``'s index in place: drop the entries ``removed`` (as indexed
        before the change) and add ``added`` (as the changed tree gives them); if that cannot
        give exactly what a rebuild would (an entry to drop is not there, or an address to add
        is already held), forget the index instead (it is made again on next use)."""
        sec = self._sec[letter]
        idx, exact = sec.index, sec.exact
        sec.forget()
        self._merged = None
        # a tree in which an address repeats was indexed with the last of each: removing one of
        # the repeated elements would drop an address the tree still holds, so it is made again
        if idx is None or not exact or any(d is None for d in removed + added):
            return
        for d in removed:
            for a, el in d.items():
                if idx.get(a) is not el:
                    return
                del idx[a]
        for d in added:
            for a in d:
                if a in idx:
                    return
            idx.update(d)
        sec.index = idx
        sec.ordered = False

    def reindex(self, *letters: str) -> None:
        """Forget everything derived from the trees of ``letters`` (default: every section this
        version owns; shared sections cannot have changed). Call after changing trees in place
        without :meth:`changing`."""
        for letter in letters or [k for k in self._sec if k not in self._shared]:
            if letter in self._sec:
                self._sec[letter].forget()
        self._merged = None

    # --- the index --------------------------------------------------------------------------

    def _index(self, letter: str) -> dict:
        """Section ``letter``'s index (address -> element), made on first use; in no particular
        order (see :meth:`section_index`)."""
        sec = self._sec[letter]
        idx = sec.index
        if idx is None:
            idx = {}
            try:
                n = _index_tree(sec.root, idx)
            except CorpusError as exc:
                raise CorpusError(exc.detail, sec.file or f"Section {letter}", exc.line) from None
            if n != len(idx) and sec.file is not None:  # a tree read from a file is never ambiguous
                raise _first_repeat(sec.root, sec.file)
            sec.index, sec.ordered, sec.exact = idx, True, n == len(idx)
        return idx

    def section_index(self, letter: str) -> Mapping[Address, object]:
        """Section ``letter``'s index: address -> element, in document order (read-only)."""
        if letter not in self._sec:
            raise KeyError(letter)
        return MappingProxyType(self._ordered(letter))

    def _ordered(self, letter: str) -> dict:
        sec = self._sec[letter]
        idx = self._index(letter)
        if not sec.ordered:
            where = {el: a for a, el in idx.items()}
            try:
                ordered = {where[el]: el for el in sec.root.iter(*ADDRESSABLE)}
            except KeyError:  # pragma: no cover - every element is indexed
                ordered = None
            if ordered is None or len(ordered) != len(idx):
                sec.index = None
                return self._index(letter)
            sec.index, sec.ordered = ordered, True
            idx = ordered
        return idx

    def section_items(self, letter: str):
        """(address, element) of one section, in document order (nothing if not held)."""
        return self._ordered(letter).items() if letter in self._sec else ()

    @property
    def index(self) -> Mapping[Address, object]:
        """Every address → element of the version, in document order."""
        if self._merged is None:
            idx: dict[Address, object] = {}
            for letter in self._sec:
                idx.update(self._ordered(letter))
            self._merged = MappingProxyType(idx)
        return self._merged

    def element(self, address: Address):
        """The element at ``address`` or None (looks in one section only).

        A tree as read from its file, not yet indexed whole, is not indexed whole for this: a part
        or clause is found by its number where the skeleton puts it (libxml2 looks), and a clause
        and what it holds in the clause's own index, so that resolving a few references into a
        section costs a few clauses, not the section. (The loader has checked that every part and clause of such a tree is numbered and
        none twice; an address repeated within the clause is refused as the whole index would.)"""
        sec = self._sec.get(address.section)
        if sec is None:
            return None
        if sec.index is None and sec.file is not None:
            return self._element_by_number(address)
        return self._index(address.section).get(address)

    def _element_by_number(self, address: Address):
        letter = address.section
        sec = self._sec[letter]
        if address.part is None:
            return sec.root if address.clause is None and not address.items else None
        if address.clause is None:
            if address.term is not None or address.items:
                return None
            found = _PART_BY_NUMBER(sec.root, p=address.part)
            return found[0] if found else None
        clause_addr = address.clause_address
        # the clause's own index, even for the clause itself: what is found is checked below
        # (every item numbered, none twice) as the whole index would have checked it
        memo = sec.memo.setdefault("clause indexes", {})
        idx = memo.get(clause_addr)
        if idx is None:
            found = _CLAUSE_BY_NUMBER(sec.root, p=address.part, n=address.clause)
            if not found:
                return None
            idx = {}
            try:
                n = _index_tree(found[0], idx, clause_addr)
            except CorpusError as exc:
                raise CorpusError(exc.detail, sec.file, exc.line) from None
            if n != len(idx):
                raise _first_repeat(found[0], sec.file)
            memo[clause_addr] = idx
        return idx.get(address)

    def section_memo(self, letter: str) -> dict:
        """A dict for values derived from section ``letter``'s tree (document positions, words),
        shared with every version sharing the tree and forgotten when its structure changes.
        Only a read-only (shared or loaded) tree's words may be memoised: words change in place
        (an apply's amendments) without telling the version, since they move no address."""
        return self._sec[letter].memo

    def position(self, address: Address) -> tuple[int, int] | None:
        """Where ``address`` stands in the document order of the version, as a value to compare
        with the positions of its other addresses; None if the version does not hold it."""
        if self.element(address) is None:
            return None
        memo = self.section_memo(address.section)
        pos = memo.get("positions")
        if pos is None:
            pos = memo["positions"] = {a: i for i, a in enumerate(self._ordered(address.section))}
        return list(self._sec).index(address.section), pos[address]

    # --- outlines and digests -----------------------------------------------------------------

    def outline(self, letter: str) -> Outline:
        """The parts and clauses of section ``letter``, in document order."""
        sec = self._sec[letter]
        if sec.outline is None:
            sec.outline = Outline(sec.root, sec.numbers)
        return sec.outline

    def piece_digests(self, letter: str) -> list[bytes] | None:
        """The digests of section ``letter``'s file as read, cut before each clause (the first
        piece is what precedes the first clause; see ``corpus.piece_digests``), or None if
        unknown or the tree is no longer the one read. Equal digests mean identical bytes."""
        sec = self._sec.get(letter)
        return sec.digests if sec is not None else None

    def clause_digests(self, letter: str) -> list[bytes] | None:
        """:meth:`piece_digests` without the first piece: one per clause, in document order."""
        pieces = self.piece_digests(letter)
        return pieces[1:] if pieces is not None else None

    # --- finding nodes ------------------------------------------------------------------------

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
        for letter in self._sec:
            for addr, el in self._ordered(letter).items():
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
        near = difflib.get_close_matches(target, same_kind, n=n, cutoff=SUGGEST_CUTOFF)
        if not near and address.parent is not None and address.parent in self.index:
            near = [str(c.address) for c in Node(self.index[address.parent]).children][:n]
        return near

    def coverage_of(self, address: Address) -> str:
        """How the corpus holds the part an address lies in.

        ``complete`` if its part (or, for a section/part address, itself) is held in full,
        ``partial`` if held only in part, ``absent`` if the section or part is not held at all.
        """
        sec = self._roots.get(address.section)
        if sec is None:
            return "absent"
        if address.part is None:
            return sec.get("coverage", "partial")
        part = self.outline(address.section).parts.get(part_address(address.part))
        if part is None:
            return "complete" if sec.get("coverage") == "complete" else "absent"
        return part.get("coverage", "partial")


#: how close in spelling a held address must be to be suggested for an unknown one (difflib ratio)
SUGGEST_CUTOFF = 0.5

_ROMAN_RE = re.compile(r"^(m{0,3})(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman_value(s: str) -> int | None:
    """The value of a lower-case roman numeral (``iv`` -> 4), or None if it is not one. The one
    reader of roman numerals (:func:`redline.word.numbering.roman` writes them)."""
    if not s or not _ROMAN_RE.match(s):
        return None
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN_VALUES[a]
        total += -v if b in _ROMAN_VALUES and _ROMAN_VALUES[b] > v else v
    return total


def _number_key(address: Address) -> float | None:
    """The last number of an address as a number (G3.22 → 22, (c) → 3, (iv) → 4), or None."""
    if address.items:
        label = address.items[-1].strip("()")
        if label.isdigit():
            return float(label)
        low = label.lower()
        if len(low) > 1 or low in "ivx" and len(address.items) % 2 == 0:
            value = roman_value(low)  # a romanette (ii), (iv)
            if value is not None:
                return float(value)
        return float(ord(low[0]) - 96) if len(low) == 1 and low.isalpha() else None
    last = address.clause.split(".")[1] if address.clause else (address.part[1:] if address.part else None)
    m = re.match(r"(\d+)([A-Z]?)", last or "")
    # a lettered number (G3.20A) sits between its number and the next
    return float(m[1]) + (0.5 if m[2] else 0) if m else None
