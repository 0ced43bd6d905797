"""Modifications: read, validate, write and find modification files.

A modification file (``corpus/mods/MP087.xml``, schema ``redline/schema/modification.rng``,
format in ``docs/modifications.md``) holds an id, a title, the version it is drafted against,
optional metadata and an ordered list of operations (:mod:`redline.ops`). This module turns such
a file into a frozen :class:`Modification` and back: :func:`parse_modification` and
:func:`modification_to_xml` are pure; :func:`load_modification` and
:func:`list_modifications` read files (through :mod:`redline.xmlsafe`, so hostile input is
refused before it reaches the tree; files through :mod:`redline.fsio`: regular files of bounded
size only). Every problem is a :class:`ModificationError` naming the file
and line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from lxml import etree

from redline import fsio, xmlsafe
from redline.errors import AddressSyntaxError, ModificationError
from redline.model import Address, normalise_space
from redline.ops import OPERATIONS, Operation, operation_from_element

#: a document type declaration (refused before parsing: it is how entity attacks arrive)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)

#: attributes of an operation element that hold an address
_ADDRESS_ATTRS = ("target", "before", "after", "start", "end", "as", "clause")

#: metadata a modification may carry, in the order they are written
META_KEYS = ("document", "legal-text-version", "date", "author", "proposer", "classification", "source")


@dataclass(frozen=True)
class Modification:
    """One modification: ordered operations drafted against version ``base``.

    ``meta`` maps the keys of :data:`META_KEYS` that the file gives to their values; ``path`` is
    the file it was read from and ``lines`` the line of each operation in it (neither takes
    part in equality).
    """

    id: str
    title: str
    base: str
    operations: tuple[Operation, ...]
    meta: Mapping[str, str] = field(default_factory=dict, hash=False)
    path: Path | None = field(default=None, compare=False)
    lines: tuple[int | None, ...] = field(default=(), compare=False)
    line: int | None = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "operations", tuple(self.operations))
        unknown = set(self.meta) - set(META_KEYS)
        if unknown:
            raise ValueError(f"unknown metadata: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "meta", {k: self.meta[k] for k in META_KEYS if self.meta.get(k)})

    def line_of(self, index: int | None) -> int | None:
        """The line of operation ``index`` in the file (the modification's own line for None)."""
        if index is not None and 0 <= index < len(self.lines):
            return self.lines[index]
        return self.line

    @property
    def sections(self) -> list[str]:
        """The letters of the sections the modification touches, in order."""
        return sorted({op.section for op in self.operations})

    @property
    def file(self) -> str | None:
        return str(self.path) if self.path is not None else None


# ---------------------------------------------------------------------------------------------
# parsing and writing (pure)


def parse_modification(data: bytes, name: str = "<modification>", path: Path | None = None) -> Modification:
    """Parse and validate the bytes of a modification file named ``name`` in messages."""
    doctype = _DOCTYPE.search(data)
    if doctype:
        line = data.count(b"\n", 0, doctype.start()) + 1
        raise ModificationError("DOCTYPE declarations are not allowed (entities and DTDs are refused)", name, line)
    tree = xmlsafe.parse_bytes(data, name, _error_with_line)
    root = tree.getroot()
    if root.tag != "modification":
        raise ModificationError(f"not a modification file: the root element is <{root.tag}>, "
                                "expected <modification>", name, root.sourceline)
    ops_el = root.find("operations")
    if ops_el is not None and not any(isinstance(c.tag, str) for c in ops_el):
        raise ModificationError("no operation: <operations> is empty (add at least one; the operations are "
                                "described in docs/modifications.md)", name, ops_el.sourceline)
    if ops_el is not None:
        for child in ops_el:
            if not isinstance(child.tag, str):
                continue
            if child.tag not in OPERATIONS:
                raise ModificationError(
                    f"unknown operation <{child.tag}> (expected one of {', '.join(OPERATIONS)})",
                    name, child.sourceline)
            for attr in _ADDRESS_ATTRS:
                value = child.get(attr)
                if value is not None:
                    try:
                        Address.parse(value)
                    except AddressSyntaxError as exc:
                        raise ModificationError(f"<{child.tag}> {attr}: {exc}", name, child.sourceline) from None
    _validate(tree, name)
    operations, lines = [], []
    for child in ops_el:
        if not isinstance(child.tag, str):
            continue
        operations.append(operation_from_element(child, name))
        lines.append(child.sourceline)
    meta = {}
    meta_el = root.find("meta")
    if meta_el is not None:
        for child in meta_el:
            if isinstance(child.tag, str):
                meta[child.tag] = normalise_space(child.text)
    return Modification(
        id=root.get("id"), title=normalise_space(root.findtext("title")), base=root.get("base").strip(),
        operations=tuple(operations), meta=meta, path=path, lines=tuple(lines), line=root.sourceline)


def _error_with_line(message: str, file: str | None = None, line: int | None = None) -> ModificationError:
    """A ModificationError that always names a line (an empty file is wrong at line 1)."""
    return ModificationError(message, file, line or 1)


def _validate(tree, name: str) -> None:
    from redline.validate import schema, schema_error

    rng = schema("modification")
    if rng.validate(tree):
        return
    # in plain words: the element, what is missing, unexpected or wrong, and its line
    message, line = schema_error(rng, tree)
    raise ModificationError(f"does not match the modification schema: {message}", name,
                            line or _locate(tree, message) or 1)


def _locate(tree, message: str) -> int | None:
    m = re.search(r"Element ([\w-]+)", message or "")
    if m:
        for el in tree.getroot().iter(m.group(1)):
            return el.sourceline
    return None


def modification_to_element(mod: Modification):
    """The ``<modification>`` element of ``mod`` (inverse of :func:`parse_modification`)."""
    root = etree.Element("modification", id=mod.id, base=mod.base)
    etree.SubElement(root, "title").text = mod.title
    if mod.meta:
        meta = etree.SubElement(root, "meta")
        for key in META_KEYS:
            if key in mod.meta:
                etree.SubElement(meta, key).text = mod.meta[key]
    ops = etree.SubElement(root, "operations")
    for op in mod.operations:
        ops.append(op.to_element())
    return root


def modification_to_xml(mod: Modification) -> bytes:
    """``mod`` as the UTF-8 text of a modification file (indented, with a declaration)."""
    return xmlsafe.serialise(modification_to_element(mod))


_COMMENT_OR_CDATA = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.S)
_OPERATIONS_END = re.compile(r"</operations\s*>")


def append_operations(data: bytes, operations, name: str = "<modification>",
                      comment: str | None = None) -> bytes:
    """The modification file ``data`` with ``operations`` added at the end of its ``<operations>``.

    Every other byte is kept as it was (comments, layout, the declaration, character references):
    the new elements are spliced in before the ``</operations>`` end tag, indented as the file's
    own operations are, after an optional ``comment``. The result is parsed again and must give
    the file's operations followed by ``operations``. Pure: bytes in, bytes out.
    """
    before = parse_modification(data, name)
    if not operations:
        return data
    text = data.decode("utf-8")
    hidden = [m.span() for m in _COMMENT_OR_CDATA.finditer(text)]
    ends = [m for m in _OPERATIONS_END.finditer(text) if not any(s <= m.start() < e for s, e in hidden)]
    end = ends[-1]
    line_start = text.rfind("\n", 0, end.start()) + 1
    closing_indent = text[line_start:end.start()]
    own_line = not closing_indent.strip()
    first = re.search(r"\n([ \t]*)<(?!!)", text[text.index("<operations"):])
    child_indent = first.group(1) if first and first.group(1) != closing_indent else None
    if not own_line:
        closing_indent = ""
    if child_indent is None or len(child_indent) <= len(closing_indent):
        child_indent = closing_indent + "  "
    unit = child_indent[len(closing_indent):] or "  "
    lines: list[str] = []
    if comment:
        lines.append(f"<!-- {re.sub(r'-{2,}', '-', comment)} -->")
    for op in operations:
        el = op.to_element()
        etree.indent(el, space=unit)
        lines += etree.tostring(el, encoding="unicode").rstrip("\n").split("\n")
    block = "".join(child_indent + line + "\n" for line in lines)
    if own_line:
        out = text[:line_start] + block + text[line_start:]
    else:
        out = text[:end.start()] + "\n" + block + text[end.start():]
    result = out.encode("utf-8")
    after = parse_modification(result, name)
    if after.operations != before.operations + tuple(operations):  # pragma: no cover - a bug, not input
        raise ModificationError("appending operations did not give the operations expected", name)
    return result


# ---------------------------------------------------------------------------------------------
# files


def read_modification(path: str | os.PathLike) -> Modification:
    """Read and parse the modification file at ``path``."""
    path = Path(path)
    data = fsio.read_input(path, limit="modification", what="modification file", error=ModificationError)
    return parse_modification(data, str(path), path)


def _mod_files(corpus) -> list[Path]:
    """The regular ``*.xml`` files of ``corpus/mods/`` (anything else is skipped with a warning)."""
    return fsio.regular_files(corpus.mods_dir(), "*.xml")


def _looks_like_path(name: str) -> bool:
    return os.sep in name or "/" in name or name.endswith(".xml") or Path(name).is_file()


def load_modification(corpus, name_or_path: str | os.PathLike) -> Modification:
    """The modification named by id (from ``corpus/mods/``) or by path to its file."""
    name = str(name_or_path)
    if isinstance(name_or_path, Path) or _looks_like_path(name):
        return read_modification(name)
    direct = corpus.mods_dir() / f"{name}.xml"
    if direct.is_file():
        mod = read_modification(direct)
        if mod.id == name:
            return mod
    known = []
    for path in _mod_files(corpus):
        try:
            mod = read_modification(path)
        except ModificationError:
            known.append(f"{path.name} (unreadable)")
            continue
        if mod.id == name:
            return mod
        known.append(mod.id)
    known = ", ".join(sorted(known)) or "none"
    raise ModificationError(f"no modification {name!r} in {corpus.mods_dir()} (known: {known})")


def list_modifications(corpus) -> list[Modification]:
    """Every modification under ``corpus/mods/``, by file name (a broken file raises)."""
    return [read_modification(p) for p in _mod_files(corpus)]


def modification_paths(corpus) -> list[Path]:
    """The modification files under ``corpus/mods/``, sorted by name."""
    return _mod_files(corpus)


def modifications_adding(corpus, address: Address | str) -> list[str]:
    """Ids of the corpus's modifications whose operations create ``address`` (or a node holding it).

    Unreadable modification files are skipped: this answers a hint, not a check.
    """
    if isinstance(address, str):
        address = Address.parse(address)
    out = []
    for path in _mod_files(corpus):
        try:
            mod = read_modification(path)
        except ModificationError:
            continue
        if any(address.is_within(a) for op in mod.operations for a in op.creates()):
            out.append(mod.id)
    return out
