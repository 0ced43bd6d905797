"""The corpus on disk: discover, load, validate and save versions (the core's only file I/O).

A corpus is a directory holding ``manifest.xml`` (the code, its sources and its versions in
order, and the modifications that made each), one XML file per section per version
(``versions/6.17/G.xml``) and modifications under ``mods/``. Files are read through
:mod:`redline.fsio` (regular files of bounded size only); every write goes through
:meth:`Corpus.transaction` (:mod:`redline.transaction`: a lock, all or nothing, recovery). Every file is parsed with :mod:`redline.xmlsafe` and validated against the RELAX NG
schemas shipped in ``redline/schema/`` (a section file whose exact bytes already passed is not
validated again: :class:`ValidationCache`).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from redline import fsio, xmlsafe
from redline.errors import CorpusError, UnknownVersion
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
    """A manifest entry: a version id, its predecessor, the section files it holds, and the
    modifications that made it (in the order they were applied; none for a version taken from
    the published code)."""

    id: str
    predecessor: str | None
    date: str | None
    note: str | None
    files: tuple[tuple[str, str], ...]  # (section letter, relative path)
    modifications: tuple[str, ...] = ()

    @property
    def sections(self) -> list[str]:
        return [s for s, _ in self.files]

    @property
    def modification(self) -> str | None:
        """The modifications that made this version, joined with ", " (None if none)."""
        return ", ".join(self.modifications) or None


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.xml`` says (:func:`parse_manifest`)."""

    code: str
    title: str
    versions: list[VersionInfo]
    sources: dict[str, Source]


def parse_manifest(data: bytes, root: Path, name: str) -> Manifest:
    """Parse and check the bytes of a manifest (``name`` in messages) of the corpus at ``root``.

    Beyond the schema: version ids are unique, a predecessor is listed before its successor, a
    version lists each section once, and every file path stays inside the corpus directory.
    """
    tree = xmlsafe.parse_bytes(data, name, CorpusError)
    validate(tree, "manifest", name)
    top = tree.getroot()
    sources = {
        s.get("id"): Source(s.get("id"), s.get("file"), s.get("title"), s.get("date"))
        for s in top.iterfind("sources/source")
    }
    versions, ids = [], set()
    for v in top.iterfind("version"):
        vid = v.get("id")
        if vid in ids:
            raise CorpusError(f"version {vid} is listed twice", name, v.sourceline)
        pred = v.get("predecessor")
        if pred and pred not in ids:
            raise CorpusError(f"version {vid} names predecessor {pred}, which is not listed before it",
                              name, v.sourceline)
        ids.add(vid)
        note = v.findtext("note")
        files, lines = [], {}
        for f in v.iterfind("file"):
            letter = f.get("section")
            if letter in lines:
                raise CorpusError(f"version {vid} lists section {letter} twice (first at line {lines[letter]})",
                                  name, f.sourceline)
            lines[letter] = f.sourceline
            files.append((letter, _inside(root, f.get("path"), name, f.sourceline)))
        mods = tuple((v.get("modifications") or "").split())
        legacy = v.get("modification")  # the attribute of manifests written before `modifications`
        if legacy and legacy not in mods:
            mods = (legacy,) + mods
        versions.append(VersionInfo(vid, pred, v.get("date"), note and " ".join(note.split()), tuple(files), mods))
    return Manifest(top.get("code"), top.get("title"), versions, sources)


def default_corpus_dir() -> Path:
    """``$REDLINE_CORPUS``, else the corpus bundled beside the package, else ``./corpus``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    bundled = Path(__file__).resolve().parent.parent / "corpus"
    if (bundled / "manifest.xml").exists():
        return bundled
    return Path("corpus")


@dataclass
class Corpus:
    """A corpus directory: its manifest, and versions loaded on demand (cached)."""

    root: Path
    code: str
    title: str
    versions: list[VersionInfo]
    sources: dict[str, Source]
    _loaded: dict[str, Version] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, root: str | os.PathLike | None = None) -> "Corpus":
        """Read and validate ``root/manifest.xml``."""
        root = Path(root) if root is not None else default_corpus_dir()
        manifest = root / "manifest.xml"
        if not root.is_dir():
            raise CorpusError("no such corpus directory", str(root))
        if not os.path.lexists(manifest):
            raise CorpusError("not a corpus directory: it has no manifest.xml", str(root))
        m = parse_manifest(_read(manifest, "manifest", "manifest"), root, str(manifest))
        return cls(root, m.code, m.title, m.versions, m.sources)

    def _reload(self, changed=()) -> None:
        """Read the manifest again (after a transaction changed it); forget the loaded versions
        in ``changed`` and those whose files changed."""
        fresh = Corpus.open(self.root)
        before = {v.id: v.files for v in self.versions}
        self.code, self.title, self.versions, self.sources = fresh.code, fresh.title, fresh.versions, fresh.sources
        for v in self.versions:
            if v.id in self._loaded and (v.id in changed or before.get(v.id) != v.files):
                del self._loaded[v.id]

    def transaction(self, timeout: float | None = None):
        """A context manager for writing to the corpus (``docs/guarantees.md``)::

            with corpus.transaction() as tx:
                tx.add_version(version, predecessor="6.17", modifications=("MP087",), note=None)
                tx.put_section("6.17", section_root, source=Source(...))

        It takes the corpus lock (waiting up to ``timeout`` s, default ``$REDLINE_LOCK_TIMEOUT`` or
        120), recovers what an interrupted writer left, and re-reads the manifest under the lock;
        leaving the block commits every change at once (the manifest replaced last), and an error
        inside it or while committing leaves the corpus as it was. This object's ``versions`` and
        ``sources`` are read again after the commit. See :mod:`redline.transaction`.
        """
        from redline.transaction import transaction

        return transaction(self, timeout)

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
            root, fingerprint = self._read_section(letter, rel, cache)
            sections[letter] = root
            if fingerprint is not None:
                digests[letter] = fingerprint
        version = Version(version_id, sections, self.code, clause_digests=digests)
        self._loaded[version_id] = version
        return version

    def _read_section(self, letter: str, rel: str, cache: "ValidationCache | None"):
        """Parse and validate one section file: (its tree, its clause digests or None)."""
        path = self.root / rel
        data = _read(path, "section", "file")
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
        return root, clause_digests(cuts, pieces, root)

    def load_section(self, version_id: str, letter: str):
        """The tree of one section of a version (validated as :meth:`load` does), or None if the
        version does not hold that section. Reads only that file (unless the whole version is
        loaded already): the history of one clause over many versions reads one section of each."""
        if version_id in self._loaded:
            return self._loaded[version_id].sections.get(letter)
        rel = dict(self.info(version_id).files).get(letter)
        if rel is None:
            return None
        return self._read_section(letter, rel, ValidationCache.default())[0]

    def section_file(self, version_id: str, letter: str) -> str | None:
        """The path (relative to the corpus) of a version's file for section ``letter``, or None."""
        return dict(self.info(version_id).files).get(letter)

    def mods_dir(self) -> Path:
        return self.root / "mods"

    def save_version(self, version: Version, predecessor: str | None, modification: str | None = None,
                     note: str | None = None) -> None:
        """Add ``version`` to the corpus and its manifest, atomically (one :meth:`transaction`);
        an existing version id is refused."""
        with self.transaction() as tx:
            tx.add_version(version, predecessor=predecessor, modifications=(modification,) if modification else (),
                           note=note)


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


def _read(path: Path, kind: str, what: str) -> bytes:
    """A corpus file's bytes: a regular file within the size limit of ``kind`` (see :mod:`redline.fsio`)."""
    return fsio.read_input(path, limit=kind, what=what, error=CorpusError)


def atomic_write(path: str | os.PathLike, data) -> None:
    """Replace ``path`` atomically with ``data`` (bytes, or an iterable of bytes): see
    :func:`redline.fsio.atomic_write` (which this is)."""
    fsio.atomic_write(path, data)


def atomic_write_many(directory: str | os.PathLike, files: dict[str, bytes]) -> None:
    """Write several files into ``directory`` so that a failure replaces none of them: see
    :func:`redline.fsio.write_files`."""
    fsio.write_files(directory, files)
