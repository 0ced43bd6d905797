"""The operations a modification is made of: a closed set of small immutable values.

Each operation is a frozen dataclass aimed at an :class:`~redline.model.Address` (``target``: the
node it acts on, or for an insert the anchor it is placed against). Every operation has

* ``kind``: its name in the modification file (``insert``, ``amend``, ``substitute`` …);
* ``instruction()``: the drafting instruction as the SEC prints it ("Add Section G1.10 after
  Section G1.9", "Amend Section G3.20 as follows:");
* ``clause_addresses()``: the clauses whose words it changes or creates, as addressed in the
  result (what a redline shows around it);
* ``creates()``: the addresses it brings into being;
* a textual form: ``to_element()`` gives the ``<insert>``/``<amend>``… element of the
  modification file and :func:`operation_from_element` parses it back to an equal value.

Texts are held whitespace-normalised and inserted content as canonical XML strings, so two
operations that mean the same thing compare equal. Nothing here does I/O; applying operations
to a version is :mod:`redline.apply`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lxml import etree

from redline.errors import AddressSyntaxError, ModificationError
from redline.model import Address, normalise_space, number_address

#: where an insert or a move puts its node relative to its anchor
POSITIONS = ("before", "after", "start", "end")
#: the words of a node an amend or substitute can change: a clause's ``crossheading`` is the
#: heading of the cross-heading group the clause stands in (reworded over the clauses it keeps)
FIELDS = ("text", "closing", "heading", "crossheading")
#: the elements an insert can add (definitions go through ``add-definition``)
CONTENT_TAGS = ("part", "crossheading", "clause", "item")
#: the words a deletion leaves behind when the number is kept
NOT_USED = "[Not used]"
#: how a deletion leaves the node
DELETE_MODES = ("remove", "not-used")

_PROVENANCE_TEXT = ("text", "closing")


# ---------------------------------------------------------------------------------------------
# helpers


def canonical_fragment(fragment) -> str:
    """The canonical string of a content element (an element or XML text).

    Whitespace-only text between elements and comments are dropped, the words of ``<text>`` and
    ``<closing>`` are whitespace-normalised and attributes are put in canonical order, so that
    the same content written two ways gives the same string.
    """
    if isinstance(fragment, (str, bytes)):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 remove_comments=True, remove_pis=True)
        try:
            el = etree.fromstring(fragment.encode() if isinstance(fragment, str) else fragment, parser)
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"inserted content is not well-formed XML: {exc.msg}") from None
    else:
        el = etree.fromstring(etree.tostring(fragment, with_tail=False))
    for node in list(el.iter(etree.Comment, etree.ProcessingInstruction)):
        parent = node.getparent()
        if parent is not None:
            _remove_keep_tail(node)
    for node in el.iter():
        if node.tag in _PROVENANCE_TEXT:
            node.text = normalise_space(node.text)
        elif node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return etree.tostring(el, method="c14n2").decode("utf-8")


def _remove_keep_tail(node) -> None:
    parent = node.getparent()
    if node.tail and node.tail.strip():
        prev = node.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def fragment_element(fragment: str):
    """A fresh element parsed from a canonical content string (callers may change it)."""
    return etree.fromstring(fragment.encode("utf-8"))


def _label(addresses: list[Address]) -> str:
    """'Section G1.10', 'Sections G1.10 and G1.11', 'Sections G1.10 to G1.12'."""
    names = [str(a) for a in addresses]
    if not names:
        return "Section (nothing)"
    if len(names) == 1:
        return f"Section {names[0]}"
    if len(names) == 2:
        return f"Sections {names[0]} and {names[1]}"
    return f"Sections {names[0]} to {names[-1]}"


def _where(position: str, anchor: Address) -> str:
    if position in ("before", "after"):
        return f"{position} Section {anchor}"
    return f"at the {position} of Section {anchor}"


def _address(text: str | None, what: str, el, file: str | None) -> Address:
    if text is None:
        raise ModificationError(f"<{el.tag}> needs a {what} attribute", file, el.sourceline)
    try:
        return Address.parse(text)
    except AddressSyntaxError as exc:
        raise ModificationError(f"<{el.tag}> {what}: {exc}", file, el.sourceline) from None


def _words(el, name: str) -> str | None:
    child = el.find(name)
    if child is None:
        return None
    return normalise_space("".join(child.itertext()))


def _definition_address(clause: Address, term: str) -> Address:
    return Address(clause.section, clause.part, clause.clause, term)


def _content_addresses(content: tuple[str, ...], parent: Address | None) -> list[Address]:
    """Top-level addresses of inserted content (a cross-heading stands for its clauses)."""
    out: list[Address] = []
    for frag in content:
        el = fragment_element(frag)
        if el.tag == "crossheading":
            out += [number_address("clause", c.get("num"), parent) for c in el.iterfind("clause")]
        else:
            out.append(number_address(el.tag, el.get("num"), parent))
    return out


# ---------------------------------------------------------------------------------------------
# the operations


@dataclass(frozen=True)
class Operation:
    """Base of every operation: aimed at ``target``, touching section ``target.section``."""

    kind: ClassVar[str] = ""
    target: Address

    @property
    def section(self) -> str:
        """The letter of the section the operation touches."""
        return self.target.section

    def instruction(self) -> str:
        """The drafting instruction as the code prints it."""
        raise NotImplementedError

    def clause_addresses(self) -> tuple[Address, ...]:
        """Clauses whose words this operation changes or creates, addressed in the result."""
        raise NotImplementedError

    def creates(self) -> tuple[Address, ...]:
        """Addresses this operation brings into being (empty for most operations)."""
        return ()

    def to_element(self):
        """The element of the modification file that spells this operation."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.instruction()

    def _check_target(self) -> None:
        if not isinstance(self.target, Address):
            raise TypeError(f"{type(self).__name__}.target must be an Address, not {self.target!r}")


def _check_text_field(op, field: str, allowed=FIELDS) -> None:
    if field not in allowed:
        raise ValueError(f"{op.kind}: field must be one of {', '.join(allowed)}, not {field!r}")
    if field == "heading" and op.target.kind not in ("section", "part"):
        raise ValueError(f"{op.kind}: only a section or part has a heading, not {op.target}")
    if field == "crossheading" and op.target.kind != "clause":
        raise ValueError(f"{op.kind}: field=\"crossheading\" names the cross-heading a clause stands under, "
                         f"so its target is a clause, not {op.target}")


@dataclass(frozen=True)
class Insert(Operation):
    """Add new content (clauses, items, a cross-heading group or a part) next to ``target``.

    ``position`` is ``before``/``after`` (``target`` is a sibling) or ``start``/``end``
    (``target`` is the parent). ``content`` holds one or more canonical XML fragments.
    """

    kind: ClassVar[str] = "insert"
    position: str = "after"
    content: tuple[str, ...] = ()

    def __post_init__(self):
        self._check_target()
        if self.position not in POSITIONS:
            raise ValueError(f"insert: position must be one of {', '.join(POSITIONS)}, not {self.position!r}")
        if isinstance(self.content, (str, bytes)) or not self.content:
            raise ValueError("insert: content must be a non-empty tuple of XML fragments")
        frags = tuple(canonical_fragment(c) for c in self.content)
        tags = {fragment_element(frag).tag for frag in frags}
        for tag in sorted(tags):
            if tag not in CONTENT_TAGS:
                raise ValueError(f"insert: cannot insert <{tag}> (expected one of {', '.join(CONTENT_TAGS)})")
        if len(tags) > 1:
            raise ValueError(f"insert: the content must be of one kind, not {' and '.join(sorted(tags))} "
                             "(use one insert for each)")
        for frag in frags:
            for el in fragment_element(frag).iter("part", "clause", "item"):
                if not el.get("num"):
                    raise ValueError(f"insert: every inserted <{el.tag}> needs a number (num)")
        object.__setattr__(self, "content", frags)

    @property
    def parent(self) -> Address | None:
        """The address of the node the content lands in."""
        return self.target if self.position in ("start", "end") else self.target.parent

    def creates(self) -> tuple[Address, ...]:
        return tuple(_content_addresses(self.content, self.parent))

    def instruction(self) -> str:
        return f"Add {_label(list(self.creates()))} {_where(self.position, self.target)}"

    def clause_addresses(self) -> tuple[Address, ...]:
        out: list[Address] = []
        for frag in self.content:
            el = fragment_element(frag)
            if el.tag == "item":
                ca = self.parent.clause_address if self.parent is not None else None
                if ca is not None and ca not in out:
                    out.append(ca)
            else:
                for c in el.iter("clause"):
                    a = number_address("clause", c.get("num"))
                    if a not in out:
                        out.append(a)
        return tuple(out)

    def to_element(self):
        el = etree.Element("insert", {self.position: str(self.target)})
        for frag in self.content:
            el.append(fragment_element(frag))
        return el


class _WordsEdit(Operation):
    """Shared behaviour of the operations that change a node's words (amend, substitute)."""

    def instruction(self) -> str:
        if self.field == "heading":
            return f"Amend the heading of Section {self.target} as follows:"
        if self.field == "crossheading":
            return f"Amend the cross-heading above Section {self.target} as follows:"
        return f"Amend Section {self.target.clause_address or self.target} as follows:"

    def clause_addresses(self) -> tuple[Address, ...]:
        ca = self.target.clause_address
        return (ca,) if ca else ()


@dataclass(frozen=True)
class Amend(_WordsEdit):
    """Replace the words of a node (its ``text``, ``closing`` or ``heading``), stating the old words.

    An empty ``old`` says the node has no such words yet; an empty ``new`` removes them.
    """

    kind: ClassVar[str] = "amend"
    old: str = ""
    new: str = ""
    field: str = "text"

    def __post_init__(self):
        self._check_target()
        _check_text_field(self, self.field)
        object.__setattr__(self, "old", normalise_space(self.old))
        object.__setattr__(self, "new", normalise_space(self.new))
        if self.old == self.new:
            raise ValueError(f"amend {self.target}: the new words are the same as the old, so it changes "
                             "nothing (edit <new>, or remove the operation)")
        if self.field == "crossheading" and not (self.old and self.new):
            raise ValueError(f"amend {self.target}: a cross-heading is reworded, never added or removed by an "
                             "amend (<old> and <new> both needed; insert or delete a cross-heading with its "
                             "clauses)")

    def to_element(self):
        el = etree.Element("amend", target=str(self.target))
        if self.field != "text":
            el.set("field", self.field)
        etree.SubElement(el, "old").text = self.old or None
        etree.SubElement(el, "new").text = self.new or None
        return el


@dataclass(frozen=True)
class Substitute(_WordsEdit):
    """Replace one occurrence of the phrase ``old`` by ``new`` inside a node's words.

    The phrase matches whole words. When it occurs more than once, ``occurrence`` (1-based)
    says which one is meant; without it the substitution is ambiguous and fails.
    """

    kind: ClassVar[str] = "substitute"
    old: str = ""
    new: str = ""
    field: str = "text"
    occurrence: int | None = None

    def __post_init__(self):
        self._check_target()
        _check_text_field(self, self.field)
        object.__setattr__(self, "old", normalise_space(self.old))
        object.__setattr__(self, "new", normalise_space(self.new))
        if not self.old:
            raise ValueError(f"substitute {self.target}: the phrase to replace is empty")
        if self.old == self.new:
            raise ValueError(f"substitute {self.target}: the new phrase is the same as the old")
        if self.occurrence is not None and (not isinstance(self.occurrence, int) or self.occurrence < 1):
            raise ValueError(f"substitute {self.target}: occurrence must be a whole number from 1")

    def to_element(self):
        el = etree.Element("substitute", target=str(self.target))
        if self.field != "text":
            el.set("field", self.field)
        if self.occurrence is not None:
            el.set("occurrence", str(self.occurrence))
        etree.SubElement(el, "old").text = self.old
        etree.SubElement(el, "new").text = self.new or None
        return el


@dataclass(frozen=True)
class Delete(Operation):
    """Delete a node: remove it (``mode="remove"``) or keep its number as "[Not used]".

    ``old``, when given, is the node's words as they must stand before deletion (numbers of
    sub-items included, its own number excluded).
    """

    kind: ClassVar[str] = "delete"
    mode: str = "remove"
    old: str | None = None

    def __post_init__(self):
        self._check_target()
        if self.mode not in DELETE_MODES:
            raise ValueError(f"delete: mode must be one of {', '.join(DELETE_MODES)}, not {self.mode!r}")
        if self.target.kind == "section":
            raise ValueError(f"delete: cannot delete a whole section ({self.target})")
        if self.mode == "not-used" and self.target.kind not in ("clause", "item"):
            raise ValueError(f"delete: only a clause or an item can be left {NOT_USED}")
        if self.old is not None:
            object.__setattr__(self, "old", normalise_space(self.old))

    def instruction(self) -> str:
        if self.mode == "not-used":
            return f"Delete Section {self.target} and mark it {NOT_USED}"
        return f"Delete Section {self.target}"

    def clause_addresses(self) -> tuple[Address, ...]:
        if self.mode == "not-used" or self.target.kind in ("item", "definition"):
            return (self.target.clause_address,)
        return ()

    def to_element(self):
        el = etree.Element("delete", target=str(self.target))
        if self.mode != "remove":
            el.set("leave", self.mode)
        if self.old is not None:
            etree.SubElement(el, "old").text = self.old or None
        return el


def _check_same_kind(op, a: Address, b: Address) -> None:
    if a.kind != b.kind or a.kind not in ("part", "clause", "item"):
        raise ValueError(f"{op.kind}: {a} and {b} must both be parts, clauses or items")


@dataclass(frozen=True)
class Renumber(Operation):
    """Give a part, clause or item a new number in the same place (its descendants follow)."""

    kind: ClassVar[str] = "renumber"
    new: Address = None  # type: ignore[assignment]

    def __post_init__(self):
        self._check_target()
        if not isinstance(self.new, Address):
            raise TypeError("renumber: new must be an Address")
        _check_same_kind(self, self.target, self.new)
        if self.target.parent != self.new.parent:
            raise ValueError(f"renumber: {self.target} and {self.new} have different parents (use move)")
        if self.target == self.new:
            raise ValueError(f"renumber: {self.target} already has that number")

    def instruction(self) -> str:
        return f"Renumber Section {self.target} as Section {self.new}"

    def creates(self) -> tuple[Address, ...]:
        return (self.new,)

    def clause_addresses(self) -> tuple[Address, ...]:
        ca = self.new.clause_address
        return (ca,) if ca else ()

    def to_element(self):
        return etree.Element("renumber", {"target": str(self.target), "as": str(self.new)})


@dataclass(frozen=True)
class Move(Operation):
    """Move a part, clause or item next to ``anchor`` (or into it), optionally renumbering it."""

    kind: ClassVar[str] = "move"
    position: str = "after"
    anchor: Address = None  # type: ignore[assignment]
    new: Address | None = None

    def __post_init__(self):
        self._check_target()
        if self.position not in POSITIONS:
            raise ValueError(f"move: position must be one of {', '.join(POSITIONS)}, not {self.position!r}")
        if not isinstance(self.anchor, Address):
            raise TypeError("move: anchor must be an Address")
        if self.target.kind not in ("part", "clause", "item"):
            raise ValueError(f"move: only a part, clause or item can be moved, not {self.target}")
        if self.new is not None:
            _check_same_kind(self, self.target, self.new)
        if self.anchor.is_within(self.target):
            raise ValueError(f"move: cannot move {self.target} next to or into itself ({self.anchor})")

    @property
    def destination(self) -> Address:
        """The address the node has after the move."""
        if self.new is not None:
            return self.new
        if self.target.kind == "item":
            parent = self.anchor if self.position in ("start", "end") else self.anchor.parent
            return parent.child(self.target.items[-1])
        return self.target

    def instruction(self) -> str:
        where = f"to {_where(self.position, self.anchor)}"
        out = f"Move Section {self.target} {where}"
        if self.new is not None and self.new != self.target:
            out += f" and renumber it as Section {self.new}"
        return out

    def creates(self) -> tuple[Address, ...]:
        return (self.destination,) if self.destination != self.target else ()

    def clause_addresses(self) -> tuple[Address, ...]:
        ca = self.destination.clause_address
        return (ca,) if ca else ()

    def to_element(self):
        el = etree.Element("move", {"target": str(self.target), self.position: str(self.anchor)})
        if self.new is not None:
            el.set("as", str(self.new))
        return el


def _check_definition_target(op) -> None:
    op._check_target()
    if op.target.kind != "definition":
        raise ValueError(f'{op.kind}: target must be a definition address such as A1.1["Term"], not {op.target}')


class _DefinitionEdit(Operation):
    """Shared behaviour of the Section A definition operations: they act in one clause."""

    @property
    def clause(self) -> Address:
        """The definitions clause (e.g. A1.1) the term is defined in."""
        return self.target.clause_address

    def clause_addresses(self) -> tuple[Address, ...]:
        return (self.clause,)


@dataclass(frozen=True)
class AddDefinition(_DefinitionEdit):
    """Add a definition to a definitions clause, in alphabetical order of terms.

    ``target`` is the new definition's address (``A1.1["Shared Resource Provider"]``);
    ``content`` is its ``<definition term=…>`` element as canonical XML.
    """

    kind: ClassVar[str] = "add-definition"
    content: str = ""

    def __post_init__(self):
        _check_definition_target(self)
        frag = canonical_fragment(self.content)
        el = fragment_element(frag)
        if el.tag != "definition":
            raise ValueError(f"add-definition: content must be a <definition>, not <{el.tag}>")
        if el.get("term") != self.target.term:
            raise ValueError(f"add-definition: content defines {el.get('term')!r}, target says {self.target.term!r}")
        object.__setattr__(self, "content", frag)

    def instruction(self) -> str:
        return f"Add the definition of '{self.target.term}' to Section {self.clause} in alphabetical order"

    def creates(self) -> tuple[Address, ...]:
        return (self.target,)

    def to_element(self):
        el = etree.Element("add-definition", clause=str(self.clause))
        el.append(fragment_element(self.content))
        return el


@dataclass(frozen=True)
class AmendDefinition(_DefinitionEdit):
    """Amend a definition's words (stating the old ones) and/or rename its term (re-sorted)."""

    kind: ClassVar[str] = "amend-definition"
    old: str | None = None
    new: str | None = None
    field: str = "text"
    new_term: str | None = None

    def __post_init__(self):
        _check_definition_target(self)
        _check_text_field(self, self.field, ("text", "closing"))
        if (self.old is None) != (self.new is None):
            raise ValueError("amend-definition: give both the old and the new words, or neither")
        if self.old is not None:
            object.__setattr__(self, "old", normalise_space(self.old))
            object.__setattr__(self, "new", normalise_space(self.new))
            if self.old == self.new:
                raise ValueError("amend-definition: the new words are the same as the old")
        if self.new_term is not None:
            object.__setattr__(self, "new_term", normalise_space(self.new_term))
            if not self.new_term or self.new_term == self.target.term:
                raise ValueError("amend-definition: new-term must be a different, non-empty term")
        if self.old is None and self.new_term is None:
            raise ValueError("amend-definition: nothing to change (give old/new words or new-term)")

    def instruction(self) -> str:
        return f"Amend the definition of '{self.target.term}' in Section {self.clause} as follows:"

    def creates(self) -> tuple[Address, ...]:
        return (_definition_address(self.clause, self.new_term),) if self.new_term else ()

    def to_element(self):
        el = etree.Element("amend-definition", clause=str(self.clause), term=self.target.term)
        if self.field != "text":
            el.set("field", self.field)
        if self.new_term is not None:
            el.set("new-term", self.new_term)
        if self.old is not None:
            etree.SubElement(el, "old").text = self.old or None
            etree.SubElement(el, "new").text = self.new or None
        return el


@dataclass(frozen=True)
class DeleteDefinition(_DefinitionEdit):
    """Delete a definition; ``old``, when given, is its words as they must stand."""

    kind: ClassVar[str] = "delete-definition"
    old: str | None = None

    def __post_init__(self):
        _check_definition_target(self)
        if self.old is not None:
            object.__setattr__(self, "old", normalise_space(self.old))

    def instruction(self) -> str:
        return f"Delete the definition of '{self.target.term}' from Section {self.clause}"

    def to_element(self):
        el = etree.Element("delete-definition", clause=str(self.clause), term=self.target.term)
        if self.old is not None:
            etree.SubElement(el, "old").text = self.old or None
        return el


#: every operation class, by its element name in the modification file (the closed set)
OPERATIONS: dict[str, type[Operation]] = {
    cls.kind: cls
    for cls in (Insert, Amend, Substitute, Delete, Renumber, Move, AddDefinition, AmendDefinition,
                DeleteDefinition)
}


# ---------------------------------------------------------------------------------------------
# parsing the textual form


def operation_from_element(el, file: str | None = None) -> Operation:
    """Parse one operation element of a modification file; raise ModificationError at its line."""
    tag = el.tag
    if tag not in OPERATIONS:
        raise ModificationError(
            f"unknown operation <{tag}> (expected one of {', '.join(OPERATIONS)})", file, el.sourceline)
    try:
        return _PARSERS[tag](el, file)
    except (ValueError, TypeError) as exc:
        raise ModificationError(str(exc), file, el.sourceline) from None


def _position(el, file) -> tuple[str, Address]:
    given = [p for p in POSITIONS if el.get(p) is not None]
    if len(given) != 1:
        raise ModificationError(
            f"<{el.tag}> needs exactly one of the attributes {', '.join(POSITIONS)}", file, el.sourceline)
    return given[0], _address(el.get(given[0]), given[0], el, file)


def _old_new(el, file, required_old: bool = True) -> tuple[str | None, str | None]:
    old, new = _words(el, "old"), _words(el, "new")
    if required_old and (old is None or new is None):
        raise ModificationError(f"<{el.tag}> needs an <old> and a <new> element", file, el.sourceline)
    return old, new


def _parse_insert(el, file) -> Insert:
    position, anchor = _position(el, file)
    content = tuple(canonical_fragment(child) for child in el if isinstance(child.tag, str))
    return Insert(anchor, position, content)


def _parse_amend(el, file) -> Amend:
    old, new = _old_new(el, file)
    return Amend(_address(el.get("target"), "target", el, file), old, new, el.get("field", "text"))


def _parse_substitute(el, file) -> Substitute:
    old, new = _old_new(el, file)
    occ = el.get("occurrence")
    if occ is not None and not occ.strip().isdigit():
        raise ModificationError(f"occurrence must be a whole number, not {occ!r}", file, el.sourceline)
    return Substitute(_address(el.get("target"), "target", el, file), old, new, el.get("field", "text"),
                      int(occ) if occ is not None else None)


def _parse_delete(el, file) -> Delete:
    return Delete(_address(el.get("target"), "target", el, file), el.get("leave", "remove"), _words(el, "old"))


def _parse_renumber(el, file) -> Renumber:
    return Renumber(_address(el.get("target"), "target", el, file), _address(el.get("as"), "as", el, file))


def _parse_move(el, file) -> Move:
    position, anchor = _position(el, file)
    new = _address(el.get("as"), "as", el, file) if el.get("as") is not None else None
    return Move(_address(el.get("target"), "target", el, file), position, anchor, new)


def _definition_target(el, file) -> Address:
    clause = _address(el.get("clause"), "clause", el, file)
    if clause.kind != "clause":
        raise ModificationError(f"<{el.tag}> clause must be a clause address, not {clause}", file, el.sourceline)
    term = el.get("term")
    if term is None:
        defs = el.findall("definition")
        if len(defs) != 1:
            raise ModificationError(f"<{el.tag}> needs exactly one <definition>", file, el.sourceline)
        term = defs[0].get("term")
    term = normalise_space(term)
    if not term:
        raise ModificationError(f"<{el.tag}> needs a non-empty term", file, el.sourceline)
    return _definition_address(clause, term)


def _parse_add_definition(el, file) -> AddDefinition:
    target = _definition_target(el, file)
    return AddDefinition(target, canonical_fragment(el.find("definition")))


def _parse_amend_definition(el, file) -> AmendDefinition:
    old, new = _old_new(el, file, required_old=False)
    return AmendDefinition(_definition_target(el, file), old, new, el.get("field", "text"), el.get("new-term"))


def _parse_delete_definition(el, file) -> DeleteDefinition:
    return DeleteDefinition(_definition_target(el, file), _words(el, "old"))


_PARSERS = {
    "insert": _parse_insert,
    "amend": _parse_amend,
    "substitute": _parse_substitute,
    "delete": _parse_delete,
    "renumber": _parse_renumber,
    "move": _parse_move,
    "add-definition": _parse_add_definition,
    "amend-definition": _parse_amend_definition,
    "delete-definition": _parse_delete_definition,
}


def operation_from_string(text: str) -> Operation:
    """Parse one operation element written as XML text (handy in tests and at the REPL)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        el = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ModificationError(f"not well-formed XML: {exc.msg}") from None
    return operation_from_element(el)


def operation_to_string(op: Operation) -> str:
    """The operation's element as XML text (parses back with :func:`operation_from_string`)."""
    return etree.tostring(op.to_element(), encoding="unicode")

