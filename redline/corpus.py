"""The corpus on disk: discover, load and save versions (the core's file I/O, with the
modification loader :mod:`redline.mods` and the validation cache of :mod:`redline.validate`).

A corpus is a directory holding ``manifest.xml`` (the code, its sources and its versions in
order), one XML file per section per version (``versions/6.17/G.xml``) and modifications under
``mods/``. Every file is parsed with :mod:`redline.xmlsafe` and checked by :mod:`redline.validate`:
against the RELAX NG schemas (unless its exact bytes already passed: the validation cache) and
for the invariants the code relies on (always).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from redline import xmlsafe
from redline.errors import CorpusError, UnknownVersion
from redline.model import Version
from redline.validate import SCHEMA_DIR, ValidationCache, check_outline, check_schema, check_section, schema

__all__ = ["Corpus", "Source", "VersionInfo", "SCHEMA_DIR", "schema", "atomic_write", "atomic_write_many",
           "default_corpus_dir", "piece_digests"]

ENV_VAR = "REDLINE_CORPUS"


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
        if not manifest.exists():
            raise CorpusError("not a corpus directory: it has no manifest.xml", str(root))
        tree = xmlsafe.parse_file(manifest, CorpusError)
        check_schema(tree, "manifest", str(manifest))
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
        sections, files, digests, seeds = {}, {}, {}, {}
        for letter, rel in info.files:
            path = self.root / rel
            data = xmlsafe.read_file(path, CorpusError)
            tree = xmlsafe.parse_bytes(data, str(path), CorpusError, element_only=True)
            root = tree.getroot()
            cuts = data.split(_CLAUSE_START)
            pieces = piece_digests(cuts)
            key = cache.key(pieces) if cache is not None else None
            if key is not None and cache.known(key):
                seed = check_outline(root, str(path))
            else:
                check_schema(tree, "corpus", str(path))
                seed = check_section(root, str(path))
                if key is not None:
                    cache.record(key)
            if root.get("num") != letter:
                raise CorpusError(f"holds section {root.get('num')}, manifest says {letter}", str(path), 1)
            sections[letter], files[letter], seeds[letter] = root, str(path), seed
            if _aligned(cuts, seed):
                digests[letter] = pieces
        version = Version(version_id, sections, self.code, files=files, digests=digests, seeds=seeds)
        self._loaded[version_id] = version
        return version

    def mods_dir(self) -> Path:
        return self.root / "mods"

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
            check_schema(etree.ElementTree(root), "corpus", f"<new version {version.id}>")
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
            check_schema(mtree, "manifest", str(manifest_path))
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


#: how a clause element starts in a section file written by redline (``xmlsafe.serialise``)
_CLAUSE_START = b"<clause "


def piece_digests(cuts: list[bytes]) -> list[bytes]:
    """Digests of a section file's bytes cut before each ``<clause `` (``data.split(_CLAUSE_START)``;
    the first piece is what precedes the first clause): together they cover every byte, in order."""
    sha = hashlib.sha256
    return [sha(p).digest()[:16] for p in cuts]


def _aligned(cuts: list[bytes], seed: tuple[list, list[str]]) -> bool:
    """True if the file's cuts (``data.split(_CLAUSE_START)``) follow its clauses: cut 0 is what
    precedes the first clause, cut k+1 the k-th clause's bytes (``seed``: the part and clause
    elements and their numbers, as :func:`redline.validate.check_outline` read them).

    The k-th clause's piece covers the bytes from its start tag to the next clause's (or the end
    of the file), so two clauses with equal digests have byte-identical XML: the diff can skip
    them without serialising either. Not so if a cut does not start with the number of the clause
    the tree has at that place (a ``<clause `` inside a comment, or a start tag written another
    way, would misalign them): the diff then compares the trees.
    """
    elements, nums = seed
    clause_nums = [n for el, n in zip(elements, nums) if el.tag == "clause"]
    if len(clause_nums) != len(cuts) - 1:
        return False
    for cut, num in zip(cuts[1:], clause_nums):
        if not cut.startswith(b'num="%s"' % num.encode()):
            return False
    return True


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
