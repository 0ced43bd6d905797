"""The .docx package: open untrusted bytes safely and hand out its parsed parts.

This is the only code that touches the zip container. Before any part is parsed, the package is
checked: it must be a zip (an OLE compound file, the container of encrypted documents and of
legacy ``.doc``, is named as such), within the limits below (entry count, total uncompressed
size, compression ratio: a zip bomb is refused before it is inflated), not macro-enabled, and it
must have a main document part. Every XML part is parsed with :mod:`redline.xmlsafe` (no DTD, no
entity, no network); a part carrying a DOCTYPE or entity is refused by name.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from typing import NamedTuple

from lxml import etree

from redline import xmlsafe
from redline.errors import DocumentError, XMLInputError

# --- limits (named settings) ------------------------------------------------------------------
#: most entries a package may hold (Word writes ~15; a whole-code export 12)
MAX_ENTRIES = 2_000
#: most bytes all entries may inflate to together (a whole-code export is ~60 MB)
MAX_UNPACKED = 512 * 1024 * 1024
#: highest compression ratio an entry bigger than RATIO_FLOOR may have (XML is ~5-40x)
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK"

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
                   "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")
REL_TAIL = {"styles": "/styles", "numbering": "/numbering", "core": "/core-properties"}

DEFAULT_DOCUMENT = "word/document.xml"


class Rel(NamedTuple):
    type: str
    target: str  # a part name inside the package (no leading slash), or an external URI
    external: bool


class Package:
    """A checked .docx package: part names, raw bytes on demand, parsed XML parts."""

    def __init__(self, data: bytes, name: str):
        self.name = name
        self._zip = _open_zip(data, name)
        self.names = set(self._zip.namelist())
        self._check_macros()
        self.main = self._main_part()

    # --- reading parts ---------------------------------------------------------------------
    def read(self, part: str) -> bytes:
        """The bytes of ``part`` (checked against the limits while inflating)."""
        info = self._zip.getinfo(part)
        try:
            with self._zip.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except READ_ERRORS as exc:
            raise DocumentError(f"part {part} cannot be read from the package ({_why(exc)})", self.name) from None
        if len(data) > info.file_size:
            raise DocumentError(f"part {part} inflates to more than its recorded size (a zip bomb?)", self.name)
        return data

    def stream(self, part: str):
        """A file object inflating ``part`` as it is read (zipfile stops at the recorded size and
        checks the CRC at the end, so an entry that inflates past its size is an error)."""
        return self._zip.open(self._zip.getinfo(part))

    def xml(self, part: str) -> etree._Element | None:
        """The root of XML part ``part`` parsed safely, or None if the package has no such part."""
        if part not in self.names:
            return None
        return parse_part(self.read(part), self.name, part)

    def rels(self, part: str) -> list[Rel]:
        """The relationships of ``part`` ('' for the package's own), targets resolved to part names."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        root = self.xml(rels_name)
        if root is None:
            return []
        out = []
        for r in root.iter(f"{{{REL_NS}}}Relationship"):
            target = r.get("Target") or ""
            external = r.get("TargetMode") == "External"
            if not external:
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
            out.append(Rel(r.get("Type") or "", target, external))
        return out

    def related(self, part: str, kind: str, default: str) -> str | None:
        """The part related to ``part`` by a relationship of ``kind`` (see REL_TAIL), else ``default``
        if the package holds it, else None."""
        for rel in self.rels(part):
            if not rel.external and rel.type.endswith(REL_TAIL[kind]) and rel.target in self.names:
                return rel.target
        return default if default in self.names else None

    def check_all_xml(self, skip: set[str] = frozenset()) -> None:
        """Parse every XML part not in ``skip`` safely (a DTD or entity anywhere is refused)."""
        for part in sorted(self.names):
            if part in skip or not part.endswith((".xml", ".rels")):
                continue
            parse_part(self.read(part), self.name, part)

    # --- checks ------------------------------------------------------------------------------
    def _check_macros(self) -> None:
        for n in self.names:
            if posixpath.basename(n).lower() in ("vbaproject.bin", "vbadata.xml"):
                raise DocumentError("is macro-enabled (it holds a VBA project); save it as a .docx without "
                                    "macros", self.name)
        if "[Content_Types].xml" in self.names:
            ct = parse_part(self.read("[Content_Types].xml"), self.name, "[Content_Types].xml")
            for el in ct.iter(f"{{{CT_NS}}}Override", f"{{{CT_NS}}}Default"):
                kind = (el.get("ContentType") or "").lower()
                if "macroenabled" in kind or "vbaproject" in kind:
                    raise DocumentError("is macro-enabled (its content types name a macro-enabled document); "
                                        "save it as a .docx without macros", self.name)

    def _main_part(self) -> str:
        for rel in self.rels(""):
            if rel.type in OFFICE_DOCUMENT and not rel.external and rel.target in self.names:
                return rel.target
        if DEFAULT_DOCUMENT in self.names:
            return DEFAULT_DOCUMENT
        raise DocumentError(f"is not a Word document: the package has no main document part ({DEFAULT_DOCUMENT})",
                            self.name)


def parse_part(data: bytes, name: str, part: str) -> etree._Element:
    """Parse one XML part with the hardened parser; a DTD, entity or bad XML is a DocumentError."""
    try:
        return xmlsafe.parse_bytes(data, f"{name} ({part})", error=XMLInputError).getroot()
    except XMLInputError as exc:
        raise DocumentError(f"part {part}: {exc.detail}", name, None) from None


#: what can go wrong while a part is inflated (zlib errors, bad CRC, truncated data)
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError,
               NotImplementedError)


def _why(exc: BaseException) -> str:
    return str(exc).split("\n")[0] or type(exc).__name__


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """The zip of a .docx, after the container checks (magic, entry count, sizes, ratios)."""
    if data[:8] == OLE_MAGIC:
        raise DocumentError("is an OLE compound file (an encrypted or password-protected document, or a "
                            "legacy .doc), not a .docx; save it unprotected as a Word Document (.docx)", name)
    if data[:2] != ZIP_MAGIC:
        raise DocumentError("is not a .docx (not a zip package)", name)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise DocumentError(f"is not a .docx (a damaged zip package: {_why(exc)})", name) from None
    if len(infos) > MAX_ENTRIES:
        raise DocumentError(f"has {len(infos)} entries in its zip package (at most {MAX_ENTRIES}): "
                            "refused as a zip bomb", name)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise DocumentError(f"is encrypted (zip entry {info.filename} is password-protected)", name)
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DocumentError(f"entry {info.filename} inflates {info.file_size // max(info.compress_size, 1)}x "
                                f"(at most {MAX_RATIO}x): refused as a zip bomb", name)
    if total > MAX_UNPACKED:
        raise DocumentError(f"inflates to {total // (1024 * 1024)} MB (at most {MAX_UNPACKED // (1024 * 1024)} MB): "
                            "refused as a zip bomb", name)
    return z


def int_value(text: str | None) -> int | None:
    """An integer attribute's value (``w:val="3"``), or None if absent or not a number: Word's
    parts are read leniently (the reader reports what it assumed instead)."""
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
