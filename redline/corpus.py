"""The corpus on disk: discover, load and save versions (the core's file I/O, with the
modification loader :mod:`redline.mods` and the validation cache of :mod:`redline.validate`).

A corpus is a directory holding ``manifest.xml`` (the code, its sources and its versions in
order, and the modifications that made each), one XML file per section per version
(``versions/6.17/G.xml``) and modifications under ``mods/``. Files are read through
:mod:`redline.fsio` (regular files of bounded size only); every write goes through
:meth:`Corpus.transaction` (:mod:`redline.transaction`: a lock, all or nothing, recovery). Every
file is parsed with :mod:`redline.xmlsafe` and checked by :mod:`redline.validate`: against the
RELAX NG schemas (unless its exact bytes already passed: the validation cache) and for the
invariants the code relies on (always).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from redline import fsio, xmlsafe
from redline.errors import CorpusError, CorpusNotFound, UnknownVersion
from redline.manifest import Manifest, Source, VersionInfo, parse_manifest
from redline.model import Version
from redline.validate import SCHEMA_DIR, ValidationCache, check_outline, check_schema, check_section, schema

#: ``schema``, ``SCHEMA_DIR`` (:mod:`redline.validate`) and the manifest's values
#: (:mod:`redline.manifest`) are importable from here as before
__all__ = ["Corpus", "Manifest", "Source", "VersionInfo", "SCHEMA_DIR", "schema", "atomic_write",
           "atomic_write_many", "default_corpus_dir", "parse_manifest", "piece_digests"]

ENV_VAR = "REDLINE_CORPUS"


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
    #: file path -> the piece digests of the bytes read from it (:meth:`changed_since_read`)
    _read_digests: dict[str, bytes] = field(default_factory=dict, repr=False)
    #: where its modifications are looked for, when not in ``<root>/mods`` (``check --mods-dir``)
    mods: Path | None = None

    @classmethod
    def open(cls, root: str | os.PathLike | None = None) -> "Corpus":
        """Read and validate ``root/manifest.xml``."""
        root = Path(root) if root is not None else default_corpus_dir()
        manifest = root / "manifest.xml"
        if not root.is_dir():
            raise CorpusNotFound("no such corpus directory", str(root))
        if not os.path.lexists(manifest):
            raise CorpusNotFound("not a corpus directory: it has no manifest.xml", str(root))
        m = parse_manifest(_read(manifest, "manifest", "manifest"), root, str(manifest))
        return cls(root, m.code, m.title, m.versions, m.sources)

    def reload(self, changed=()) -> None:
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
        """Parse and check every section file of a version (cached per corpus object).

        Each file is checked for the invariants (:func:`redline.validate.check_outline`) and
        against the corpus schema, unless the :class:`~redline.validate.ValidationCache`
        records that these exact bytes already passed the schema (``use_cache=False`` always
        checks: ``redline validate`` does). The returned Version is shared by later calls:
        callers that change it must ``derive()`` or ``copy()`` it.
        """
        if version_id in self._loaded:
            return self._loaded[version_id]
        info = self.info(version_id)
        cache = ValidationCache.default() if use_cache else None
        sections, files, digests, numbers = {}, {}, {}, {}
        for letter, rel in info.files:
            root, pieces, numbers[letter] = self._read_section(letter, rel, cache)
            sections[letter], files[letter] = root, str(self.root / rel)
            if pieces is not None:
                digests[letter] = pieces
        version = Version(version_id, sections, self.code, files=files, digests=digests, numbers=numbers)
        self._loaded[version_id] = version
        return version

    def _read_section(self, letter: str, rel: str, cache: "ValidationCache | None"):
        """Parse and check one section file: (its tree, its piece digests or None, its part and
        clause numbers in document order)."""
        path = self.root / rel
        data = _read(path, "section", "file")
        tree = xmlsafe.parse_bytes(data, str(path), CorpusError, element_only=True)
        root = tree.getroot()
        cuts = data.split(_CLAUSE_START)
        pieces = piece_digests(cuts)
        self._read_digests[str(path)] = b"".join(pieces)
        key = cache.key(pieces) if cache is not None else None
        if key is not None and cache.known(key):
            nums = check_outline(root, str(path))
        else:
            check_schema(tree, "corpus", str(path))
            nums = check_section(root, str(path))
            if key is not None:
                cache.record(key)
        if root.get("num") != letter:
            raise CorpusError(f"holds section {root.get('num')}, manifest says {letter}", str(path), 1)
        return root, (pieces if _aligned(cuts, nums) else None), nums

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

    def changed_since_read(self, version_id: str, now: "VersionInfo") -> str | None:
        """Why the files of ``version_id`` on disk (as the manifest entry ``now`` lists them) are
        not the ones this object read when it loaded the version; None if they are the same, or
        if the version was not loaded. A writer calls it under the corpus lock before it records a
        version made from ``version_id``, so that another writer's change made meanwhile is not
        silently left out."""
        loaded = self._loaded.get(version_id)
        if loaded is None:
            return None
        before = dict(self.info(version_id).files) if version_id in self.version_ids else {}
        if dict(now.files) != before:
            return f"its manifest entry changed (it now lists {', '.join(now.sections)})"
        for letter, rel in now.files:
            path = self.root / rel
            seen = self._read_digests.get(str(path))
            if seen is None:
                continue
            try:
                data = _read(path, "section", "file")
            except CorpusError as exc:
                return exc.detail
            if b"".join(piece_digests(data.split(_CLAUSE_START))) != seen:
                return f"its Section {letter} was rewritten"
        return None

    def section_file(self, version_id: str, letter: str) -> str | None:
        """The path (relative to the corpus) of a version's file for section ``letter``, or None."""
        return dict(self.info(version_id).files).get(letter)

    def mods_dir(self) -> Path:
        """Where the modifications are: ``mods`` if set (a repository of modification files kept
        apart from the corpus), else ``<root>/mods``."""
        return self.mods if self.mods is not None else self.root / "mods"

    def save_version(self, version: Version, predecessor: str | None, modification: str | None = None,
                     note: str | None = None) -> None:
        """Add ``version`` to the corpus and its manifest, atomically (one :meth:`transaction`);
        an existing version id is refused."""
        with self.transaction() as tx:
            tx.add_version(version, predecessor=predecessor, modifications=(modification,) if modification else (),
                           note=note)


#: how a clause element starts in a section file written by redline (``xmlsafe.serialise``)
_CLAUSE_START = b"<clause "


def piece_digests(cuts: list[bytes]) -> list[bytes]:
    """Digests of a section file's bytes cut before each ``<clause `` (``data.split(_CLAUSE_START)``;
    the first piece is what precedes the first clause): together they cover every byte, in order."""
    sha = hashlib.sha256
    return [sha(p).digest()[:16] for p in cuts]


def _aligned(cuts: list[bytes], nums: list[str]) -> bool:
    """True if the file's cuts (``data.split(_CLAUSE_START)``) follow its clauses: cut 0 is what
    precedes the first clause, cut k+1 the k-th clause's bytes (``nums``: the part and clause
    numbers in document order, as :func:`redline.validate.check_outline` gives them).

    The k-th clause's piece covers the bytes from its start tag to the next clause's (or the end
    of the file), so two clauses with equal digests have byte-identical XML: the diff can skip
    them without serialising either. Not so if a cut does not start with the number of the clause
    the tree has at that place (a ``<clause `` inside a comment, or a start tag written another
    way, would misalign them): the diff then compares the trees.
    """
    clause_nums = [n for n in nums if "." in n]
    if len(clause_nums) != len(cuts) - 1:
        return False
    for cut, num in zip(cuts[1:], clause_nums):
        if not cut.startswith(b'num="%s"' % num.encode()):
            return False
    return True


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
