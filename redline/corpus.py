"""The corpus on disk: discover, load, validate and save versions (the core's only file I/O).

A corpus is a directory holding ``manifest.xml`` (the code, its sources and its versions in
order), one XML file per section per version (``versions/6.17/G.xml``) and modifications under
``mods/``. Every file is parsed with :mod:`redline.xmlsafe` and validated against the RELAX NG
schemas shipped in ``redline/schema/`` (a section file whose exact bytes already passed is not
validated again: :class:`ValidationCache`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from redline import xmlsafe
from redline.errors import CorpusError, CorpusNotFound, UnknownVersion
from redline.model import ADDRESSABLE, Address, Version, _index_tree, element_address

SCHEMA_DIR = Path(__file__).parent / "schema"
ENV_VAR = "REDLINE_CORPUS"
#: where the validation cache lives (see :class:`ValidationCache`); "off" (or empty) disables it
CACHE_ENV_VAR = "REDLINE_CACHE_DIR"


@lru_cache(maxsize=None)
def schema(name: str) -> etree.RelaxNG:
    """The compiled RELAX NG schema ``redline/schema/<name>.rng``."""
    return etree.RelaxNG(etree.parse(str(SCHEMA_DIR / f"{name}.rng")))


def validate(tree, name: str, file: str) -> None:
    """Validate ``tree`` against schema ``name``; raise CorpusError naming file and line."""
    rng = schema(name)
    if not rng.validate(tree):
        err = rng.error_log.last_error
        line = err.line or None
        if not line:
            line = _locate(tree, err.message)
        raise CorpusError(f"does not match the {name} schema: {err.message}", file, line)


#: enumerated attribute values of the corpus format, used to find the line of a schema error
#: that libxml2 reports without one (attribute errors)
_ENUMS = {"coverage": {"complete", "partial"}, "evidence": {"printed", "inferred"}}
_ATTRS = {
    "section": {"num", "heading", "coverage", "source", "evidence", "note"},
    "part": {"num", "heading", "coverage", "source", "evidence", "note"},
    "crossheading": {"heading", "source", "evidence", "note"},
    "clause": {"num", "source", "evidence", "note"},
    "item": {"num", "source", "evidence", "note"},
    "definition": {"term", "source", "evidence", "note"},
}


def _locate(tree, message: str) -> int | None:
    """Best-effort line of the element a line-less schema error is about."""
    m = re.match(r"Element (\w+)", message or "")
    if not m:
        return None
    candidates = list(tree.getroot().iter(m.group(1)))
    for el in candidates:
        allowed = _ATTRS.get(el.tag)
        for k, v in el.attrib.items():
            if (allowed is not None and k not in allowed) or (k in _ENUMS and v not in _ENUMS[k]):
                return el.sourceline
    return candidates[0].sourceline if len(candidates) == 1 else None


def check_section(root, file: str, index: bool = True) -> dict | None:
    """Check what the schema cannot: numbering consistent with nesting, no duplicate address.

    Returns the section's address index (address -> element, document order), so that a caller
    that needs it does not build it twice; with ``index=False`` the duplicate check uses plain
    tuples instead of :class:`Address` objects (about 3x cheaper) and None is returned: the
    Version then indexes a section only when something asks for it.
    """
    sec = root.get("num")
    for el in root.iter("part", "clause"):
        if el.tag == "part" and not el.get("num").startswith(sec):
            raise CorpusError(f"part {el.get('num')} is not in section {sec}", file, el.sourceline)
        if el.tag == "clause":
            part = el
            while part is not None and part.tag != "part":
                part = part.getparent()
            if part is None or el.get("num").split(".")[0] != part.get("num"):
                where = part.get("num") if part is not None else "no part"
                raise CorpusError(f"clause {el.get('num')} is filed under {where}", file, el.sourceline)
    idx: dict | None = None
    if index:
        idx = {}
        _index_tree(root, idx)
        held = len(idx)
    elif _no_repeats(root):
        return None
    else:
        held = len(_address_keys(root))
    if held == sum(1 for _ in root.iter(*ADDRESSABLE)):
        return idx
    # an address appears twice: find the first repeat, in document order, for the message
    seen: dict[Address, int] = {}
    for el in root.iter("part", "clause", "item", "definition"):
        addr = element_address(el)
        if addr in seen:
            raise CorpusError(f"{addr} appears twice (first at line {seen[addr]})", file, el.sourceline)
        seen[addr] = el.sourceline
    return idx


#: an item numbered as an earlier sibling (items' addresses are their parent's plus their number)
_REPEATED_ITEM = etree.XPath("boolean(//item[@num = preceding-sibling::item/@num])")


def _no_repeats(root) -> bool:
    """True if no two elements of a section can share an address (a cheap, sufficient test).

    An address is unique if every part and clause number is unique in the section, every item
    number among its siblings (an item's address is its parent's plus its number) and every term
    within its clause (a definition's address is its clause's plus its term). False means "check
    properly" (:func:`_address_keys`), not that there is a duplicate.
    """
    nums = [el.get("num") for el in root.iter("part", "clause")]
    if len(set(nums)) != len(nums):
        return False
    terms = set()
    for d in root.iter("definition"):
        clause = next(d.iterancestors("clause"), None)
        key = (clause.get("num") if clause is not None else None, d.get("term"))
        if key in terms:
            return False
        terms.add(key)
    return not _REPEATED_ITEM(root)


def _address_keys(root) -> set[tuple]:
    """The addresses of a section as (section, part, clause, term, items) tuples, made exactly as
    :func:`redline.model._index_tree` makes its Address values (so the count of distinct ones is
    the same)."""
    keys: set[tuple] = set()
    add = keys.add

    def walk(el, parent: tuple) -> None:
        for child in el:
            tag = child.tag
            if tag == "item":
                key = (parent[0], parent[1], parent[2], parent[3], parent[4] + (child.get("num"),))
            elif tag == "clause":
                num = child.get("num")
                key = (num[0], num.split(".")[0], num, None, ())
            elif tag == "crossheading":
                walk(child, parent)
                continue
            elif tag == "definition":
                key = (parent[0], parent[1], parent[2], child.get("term"), ())
            elif tag == "part":
                num = child.get("num")
                key = (num[0], num, None, None, ())
            else:
                continue
            add(key)
            walk(child, key)

    top = (root.get("num"), None, None, None, ())
    add(top)
    walk(root, top)
    return keys


@dataclass(frozen=True)
class Source:
    """A source document the corpus text was taken from."""

    id: str
    file: str
    title: str
    date: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    """A manifest entry: a version id, its predecessor and the section files it holds."""

    id: str
    predecessor: str | None
    date: str | None
    note: str | None
    files: tuple[tuple[str, str], ...]  # (section letter, relative path)
    modification: str | None = None

    @property
    def sections(self) -> list[str]:
        return [s for s, _ in self.files]


#: where a checkout keeps the corpus (beside the package), and where a built wheel installs it
#: (the package data ``redline/bundled_corpus``, see pyproject.toml)
CHECKOUT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
INSTALLED_CORPUS = Path(__file__).resolve().parent / "bundled_corpus"


def bundled_corpus_dir() -> Path | None:
    """The corpus shipped with redline: installed as package data, or beside the package in a
    checkout (or an editable install); None if neither is there."""
    for cand in (INSTALLED_CORPUS, CHECKOUT_CORPUS):
        if (cand / "manifest.xml").is_file():
            return cand
    return None


def default_corpus_dir() -> Path:
    """``$REDLINE_CORPUS``, else the bundled corpus (:func:`bundled_corpus_dir`), else ``./corpus``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return bundled_corpus_dir() or Path("corpus")


@dataclass
class Corpus:
    """A corpus directory: its manifest, and versions loaded on demand (cached)."""

    root: Path
    code: str
    title: str
    versions: list[VersionInfo]
    sources: dict[str, Source]
    _loaded: dict[str, Version] = field(default_factory=dict, repr=False)
    #: where its modifications are looked for, when not in ``<root>/mods`` (``check --mods-dir``)
    mods: Path | None = None

    @classmethod
    def open(cls, root: str | os.PathLike | None = None) -> "Corpus":
        """Read and validate ``root/manifest.xml``."""
        root = Path(root) if root is not None else default_corpus_dir()
        manifest = root / "manifest.xml"
        if not root.is_dir():
            raise CorpusNotFound("no such corpus directory", str(root))
        if not manifest.exists():
            raise CorpusNotFound("not a corpus directory: it has no manifest.xml", str(root))
        tree = xmlsafe.parse_file(manifest, CorpusError)
        validate(tree, "manifest", str(manifest))
        top = tree.getroot()
        sources = {
            s.get("id"): Source(s.get("id"), s.get("file"), s.get("title"), s.get("date"))
            for s in top.iterfind("sources/source")
        }
        versions, ids = [], set()
        for v in top.iterfind("version"):
            vid = v.get("id")
            if vid in ids:
                raise CorpusError(f"version {vid} is listed twice", str(manifest), v.sourceline)
            pred = v.get("predecessor")
            if pred and pred not in ids:
                raise CorpusError(
                    f"version {vid} names predecessor {pred}, which is not listed before it",
                    str(manifest), v.sourceline)
            ids.add(vid)
            note = v.findtext("note")
            files = tuple((f.get("section"), _inside(root, f.get("path"), str(manifest), f.sourceline))
                          for f in v.iterfind("file"))
            versions.append(VersionInfo(vid, pred, v.get("date"), note and " ".join(note.split()),
                                        files, v.get("modification")))
        return cls(root, top.get("code"), top.get("title"), versions, sources)

    @property
    def version_ids(self) -> list[str]:
        return [v.id for v in self.versions]

    def info(self, version_id: str) -> VersionInfo:
        """The manifest entry of ``version_id``; raise UnknownVersion listing the known ones."""
        for v in self.versions:
            if v.id == version_id:
                return v
        raise UnknownVersion(version_id, self.version_ids)

    def load(self, version_id: str, use_cache: bool = True) -> Version:
        """Parse and validate every section file of a version (cached per corpus object).

        Each file is checked against the corpus schema and by :func:`check_section`, unless the
        :class:`ValidationCache` records that these exact bytes already passed both checks
        (``use_cache=False`` always checks: ``redline validate`` does). The returned Version is
        shared by later calls: callers that change it must ``copy()``.
        """
        if version_id in self._loaded:
            return self._loaded[version_id]
        info = self.info(version_id)
        cache = ValidationCache.default() if use_cache else None
        sections, digests = {}, {}
        for letter, rel in info.files:
            path = self.root / rel
            data = xmlsafe.read_file(path, CorpusError)
            tree = xmlsafe.parse_bytes(data, str(path), CorpusError, element_only=True)
            root = tree.getroot()
            cuts = data.split(_CLAUSE_START)
            pieces = piece_digests(cuts)
            key = cache.key(pieces) if cache is not None else None
            if key is None or not cache.known(key):
                validate(tree, "corpus", str(path))
                check_section(root, str(path), index=False)  # the Version indexes a section when asked
                if key is not None:
                    cache.record(key)
            if root.get("num") != letter:
                raise CorpusError(f"holds section {root.get('num')}, manifest says {letter}", str(path), 1)
            sections[letter] = root
            fingerprint = clause_digests(cuts, pieces, root)
            if fingerprint is not None:
                digests[letter] = fingerprint
        version = Version(version_id, sections, self.code, clause_digests=digests)
        self._loaded[version_id] = version
        return version

    def mods_dir(self) -> Path:
        """Where the modifications are: ``mods`` if set (a repository of modification files kept
        apart from the corpus), else ``<root>/mods``."""
        return self.mods if self.mods is not None else self.root / "mods"

    def save_version(self, version: Version, predecessor: str | None, modification: str | None = None,
                     note: str | None = None) -> None:
        """Add ``version`` to the corpus and its manifest, atomically.

        The section files are written to a temporary directory and renamed into place, then the
        manifest is replaced atomically; an existing version id is refused. If anything fails
        before the manifest is replaced, the corpus is unchanged.
        """
        if version.id in self.version_ids:
            raise CorpusError(f"version {version.id} already exists", str(self.root / "manifest.xml"))
        for root in version.sections.values():
            validate(etree.ElementTree(root), "corpus", f"<new version {version.id}>")
        vdir = self.root / "versions" / version.id
        if vdir.exists():
            raise CorpusError("directory already exists", str(vdir))
        (self.root / "versions").mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{version.id}.", dir=self.root / "versions"))
        try:
            for letter, root in version.sections.items():
                (tmp / f"{letter}.xml").write_bytes(xmlsafe.serialise(root))
            manifest_path = self.root / "manifest.xml"
            mtree = xmlsafe.parse_file(manifest_path, CorpusError)
            entry = etree.SubElement(mtree.getroot(), "version", id=version.id)
            if predecessor:
                entry.set("predecessor", predecessor)
            if modification:
                entry.set("modification", modification)
            if note:
                etree.SubElement(entry, "note").text = note
            for letter in version.sections:
                etree.SubElement(entry, "file", section=letter, path=f"versions/{version.id}/{letter}.xml")
            validate(mtree, "manifest", str(manifest_path))
            os.rename(tmp, vdir)
        except BaseException:
            _rmtree(tmp)
            raise
        try:
            atomic_write(manifest_path, xmlsafe.serialise(mtree.getroot()))
        except BaseException:
            _rmtree(vdir)
            raise
        self.versions.append(VersionInfo(version.id, predecessor, None, note,
                                         tuple((s, f"versions/{version.id}/{s}.xml") for s in version.sections),
                                         modification))


class ValidationCache:
    """Which exact file contents already passed validation, kept outside the corpus.

    Validating a whole code (RELAX NG plus :func:`check_section`) costs about as much as parsing
    it, on every load. A file is checked once: its key is a hash of the validator (the schemas
    and the source of the modules that check) and of the file's bytes, and an empty
    marker file named by the key records that those bytes passed. Any edit to the file (or to the
    validator) gives another key, so the file is checked again (the key is a SHA-256 over the
    validator and the digests of :func:`piece_digests`, which together cover every byte). The cache lives in
    ``$REDLINE_CACHE_DIR`` (``off`` disables it), else ``$XDG_CACHE_HOME/redline``, else
    ``~/.cache/redline``; if it cannot be written, files are simply validated every time.
    """

    def __init__(self, directory: Path):
        self.directory = directory

    @classmethod
    def default(cls) -> "ValidationCache | None":
        env = os.environ.get(CACHE_ENV_VAR)
        if env is not None:
            return None if env.strip().lower() in ("", "off", "0", "no") else cls(Path(env) / "validated")
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return cls(Path(base) / "redline" / "validated")

    def key(self, pieces: list[bytes]) -> str:
        """The key of a file from :func:`piece_digests` of its bytes (which cover every byte)."""
        h = hashlib.sha256(_validator_fingerprint())
        h.update(len(pieces).to_bytes(8, "big"))
        h.update(b"".join(pieces))
        return h.hexdigest()[:40]

    def _marker(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def known(self, key: str) -> bool:
        return self._marker(key).exists()

    def record(self, key: str) -> None:
        marker = self._marker(key)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # a read-only home or cache: validate every time


@lru_cache(maxsize=None)
def _validator_fingerprint() -> bytes:
    """A hash of everything that decides whether a section file is valid."""
    import redline.model as model_module

    h = hashlib.sha256(b"redline validation 1")
    for path in sorted(SCHEMA_DIR.glob("*.rng")) + [Path(__file__), Path(model_module.__file__)]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


#: how a clause element starts in a section file written by redline (``xmlsafe.serialise``)
_CLAUSE_START = b"<clause "


def piece_digests(cuts: list[bytes]) -> list[bytes]:
    """Digests of a section file's bytes cut before each ``<clause `` (``data.split(_CLAUSE_START)``;
    the first piece is what precedes the first clause): together they cover every byte, in order."""
    sha = hashlib.sha256
    return [sha(p).digest()[:16] for p in cuts]


def clause_digests(cuts: list[bytes], pieces: list[bytes], root) -> tuple | None:
    """(root, pieces): the file's :func:`piece_digests`, kept only if they follow its clauses:
    piece 0 is what precedes the first clause, piece k+1 the k-th clause's bytes.

    The k-th clause's piece covers the bytes from its start tag to the next clause's (or the end
    of the file), so two clauses with equal digests have byte-identical XML: the diff can skip
    them without serialising either. None unless every cut starts with the number of the clause
    the tree has at that place (a ``<clause `` inside a comment, or a start tag written another
    way, would misalign them): the diff then compares the trees.
    """
    nums = [el.get("num") for el in root.iter("clause")]
    if len(nums) != len(cuts) - 1:
        return None
    for cut, num in zip(cuts[1:], nums):
        if not cut.startswith(b'num="%s"' % num.encode()):
            return None
    return root, pieces


def _inside(root: Path, rel: str, manifest: str, line: int | None) -> str:
    """``rel`` if it names a file inside the corpus directory ``root``; else a CorpusError."""
    if Path(rel).is_absolute() or not (root / rel).resolve().is_relative_to(root.resolve()):
        raise CorpusError(f"file path {rel!r} is outside the corpus directory", manifest, line)
    return rel


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def atomic_write_many(directory: str | os.PathLike, files: dict[str, bytes]) -> None:
    """Write several files into ``directory`` as one step as far as a file system allows: every
    file is first written in full to a temporary file beside its target, and only then are they
    renamed into place, so a failure while writing (a full disk, an error) replaces none of them.
    """
    directory = Path(directory)
    staged: list[tuple[str, Path]] = []
    try:
        umask = os.umask(0)
        os.umask(umask)
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            staged.append((tmp, directory / name))
            os.fchmod(fd, 0o666 & ~umask)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


def atomic_write(path: str | os.PathLike, data) -> None:
    """Write ``data`` (bytes, or an iterable of bytes written in turn) to ``path`` via a temporary
    file in the same directory and a rename: a failure part-way leaves ``path`` as it was."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
