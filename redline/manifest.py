"""The manifest of a corpus (``manifest.xml``): its values and the parser that checks them.

:func:`parse_manifest` takes the manifest's bytes (the corpus and its transactions read them)
and gives a frozen :class:`Manifest`, or a :class:`~redline.errors.CorpusError` naming the line
at fault. It reads no file; it resolves each file path against the corpus directory to refuse
one that leads outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from redline import xmlsafe
from redline.errors import CorpusError
from redline.model import normalise_space
from redline.validate import check_schema


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
    check_schema(tree, "manifest", name)
    top = tree.getroot()
    sources = {
        s.get("id"): Source(s.get("id"), s.get("file"), s.get("title"), s.get("date"))
        for s in top.iterfind("sources/source")
    }
    versions, ids = [], set()
    inside = _Inside(root, name)
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
            files.append((letter, inside(f.get("path"), f.sourceline)))
        mods = tuple((v.get("modifications") or "").split())
        legacy = v.get("modification")  # the attribute of manifests written before `modifications`
        if legacy and legacy not in mods:
            mods = (legacy,) + mods
        versions.append(VersionInfo(vid, pred, v.get("date"), note and normalise_space(note), tuple(files), mods))
    return Manifest(top.get("code"), top.get("title"), versions, sources)


class _Inside:
    """Checks that a file path of the manifest ``manifest`` names a file inside the corpus
    directory ``root`` (each distinct path resolved once: versions list the same files again)."""

    def __init__(self, root: Path, manifest: str):
        self.root, self.manifest = root, manifest
        self.resolved_root = root.resolve()
        self.seen: set[str] = set()

    def __call__(self, rel: str, line: int | None) -> str:
        """``rel`` if it names a file inside the corpus directory; else a CorpusError."""
        if rel not in self.seen:
            if Path(rel).is_absolute() or not (self.root / rel).resolve().is_relative_to(self.resolved_root):
                raise CorpusError(f"file path {rel!r} is outside the corpus directory", self.manifest, line)
            self.seen.add(rel)
        return rel
