"""Writes to a corpus: one transaction API, the corpus lock, the journal and recovery.

Every command that changes a corpus (``apply --as``, ``import --into/--as``, ``release --as``)
does it through :meth:`redline.corpus.Corpus.transaction`::

    with corpus.transaction() as tx:      # takes the corpus lock; re-reads manifest.xml under it
        tx.add_version(version, predecessor="6.17", modifications=("MP087",), note=None)
        tx.put_section("6.17", section_root, source=Source(id=..., file=..., title=..., date=...))
    # leaving the block commits; an error inside it (or while committing) changes nothing

What it guarantees (``docs/guarantees.md`` says how the tests prove each):

* **One writer at a time.** The lock is an exclusive ``flock`` on the corpus directory itself
  (a ``.redline.lock`` file where a file system cannot lock a directory), held from the start of
  the block to the end of the commit. A second writer waits for it (up to
  ``$REDLINE_LOCK_TIMEOUT`` seconds, default 120, then :class:`redline.errors.CorpusBusy`) and
  then sees everything the first one wrote: the manifest is read again under the lock, so no
  writer works from a stale copy and none loses another's version.
* **All or nothing.** The section files are written in full to temporary files and
  directories, flushed to disk, and recorded in a journal (``.redline-journal.json``); then they
  are renamed into place, and ``manifest.xml`` is replaced last (its comments and layout kept).
  Replacing the manifest is the commit: until then readers see the corpus as it was, and if the
  writer fails the renamed files are taken back at once.
* **Recovery.** A writer killed part-way leaves temporary files and maybe a journal. The next
  transaction (under the lock, so nobody else is writing) undoes an uncommitted journal, finishes
  a committed one, and removes every leftover temporary file and directory, so an interrupted id
  can be used again. Readers do not need the lock: they never see a half-written file.

I/O: only the files of the transaction are touched (through :mod:`redline.fsio`'s temporary files
and its own renames and journal); the version directories are made with the usual
permissions (``0777`` less the umask).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from redline import fsio, xmlsafe
from redline.errors import CorpusBusy, CorpusError, UnknownVersion

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, one writer at a time is up to the user
    fcntl = None

#: seconds a writer waits for the corpus lock before giving up (env ``REDLINE_LOCK_TIMEOUT``)
LOCK_TIMEOUT = 120.0
LOCK_TIMEOUT_ENV = "REDLINE_LOCK_TIMEOUT"
#: the lock file, used only where the corpus directory itself cannot be locked
LOCK_FILE = ".redline.lock"
#: the journal of a transaction being committed (exists only while one is, or after a crash)
JOURNAL = ".redline-journal.json"
#: suffix of the hard link that keeps a replaced file until its transaction commits
BACKUP_SUFFIX = ".redline-old"
_BACKUP_RE = re.compile(r"\A\..*\.[0-9a-f]{8}" + re.escape(BACKUP_SUFFIX) + r"\Z", re.S)
#: leftovers of the writer before this module (``versions/.<id>.<8 chars>`` from mkdtemp,
#: ``.manifest.xml.<8 chars>.tmp`` from mkstemp): removed under the lock
_LEGACY_DIR_RE = re.compile(r"\A\.[0-9A-Za-z][0-9A-Za-z.+_-]*\.[a-z0-9_]{8}\Z")
_LEGACY_MANIFEST_RE = re.compile(r"\A\.manifest\.xml\.[a-z0-9_]{8}\.tmp\Z")
#: the directories a transaction creates files and directories in (a journal naming anything
#: else was not written by redline: recovery would remove what it names)
_CREATED_UNDER = ("versions", "sources")
#: version ids the manifest accepts
VERSION_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]*\Z")
#: the longest version id (it names a directory: with the temporary name around it, a file name
#: must stay within 255 bytes)
MAX_ID = 200


def lock_timeout() -> float:
    env = os.environ.get(LOCK_TIMEOUT_ENV)
    if env and env.strip():
        try:
            return max(0.0, float(env))
        except ValueError:
            raise CorpusError(f"{LOCK_TIMEOUT_ENV}={env!r} is not a number of seconds") from None
    return LOCK_TIMEOUT


# ---------------------------------------------------------------------------------------------
# the lock


class CorpusLock:
    """An exclusive lock on a corpus directory (``flock``), released by :meth:`release`."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.fd: int | None = None

    def acquire(self, timeout: float | None = None) -> "CorpusLock":
        timeout = lock_timeout() if timeout is None else timeout
        if fcntl is None:  # pragma: no cover
            return self
        fd = self._open_dir()
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.fd = fd
                return self
            except BlockingIOError:
                pass
            except OSError as exc:  # a file system that cannot lock a directory: use a lock file
                os.close(fd)
                if exc.errno not in (errno.EBADF, errno.EINVAL, errno.ENOLCK, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise fsio.os_error(exc, self.root, "cannot lock") from None
                fd = self._open_file()
                continue
            if time.monotonic() >= deadline:
                os.close(fd)
                raise CorpusBusy(f"{self.root}: another redline process is writing to this corpus and did not "
                                 f"finish within {timeout:g} s ({LOCK_TIMEOUT_ENV}); try again")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _open_dir(self) -> int:
        try:
            return os.open(self.root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise fsio.os_error(exc, self.root, "cannot lock") from None

    def _open_file(self) -> int:
        path = self.root / LOCK_FILE
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise fsio.os_error(exc, path, "cannot lock") from None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


# ---------------------------------------------------------------------------------------------
# the manifest: edits that keep its comments and layout


def manifest_bytes(tree: etree._ElementTree) -> bytes:
    """The manifest document as written: declaration, the comments around the root as they were
    (one per line), then the root element with its own layout untouched."""
    root = tree.getroot()
    before, after = [], []
    node = root.getprevious()
    while node is not None:
        before.insert(0, etree.tostring(node, encoding="UTF-8", with_tail=False))
        node = node.getprevious()
    node = root.getnext()
    while node is not None:
        after.append(etree.tostring(node, encoding="UTF-8", with_tail=False))
        node = node.getnext()
    body = etree.tostring(root, encoding="UTF-8", with_tail=False)
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>'] + before + [body] + after
    return b"\n".join(parts) + b"\n"


def _indent_of(parent) -> tuple[str, str]:
    """(indentation of ``parent``'s children, indentation of ``parent``'s closing tag)."""
    children = [c for c in parent if isinstance(c.tag, str)]
    closing = (children[-1].tail if children else None) or "\n"
    if len(children) >= 2:
        inner = children[-2].tail or "\n"
    elif children:
        inner = parent.text or "\n"
    else:
        depth = sum(1 for _ in parent.iterancestors())
        inner, closing = "\n" + "  " * (depth + 1), "\n" + "  " * depth
    return inner, closing


def append_indented(parent, child) -> None:
    """Append ``child`` to ``parent`` with the whitespace its siblings have."""
    inner, closing = _indent_of(parent)
    children = [c for c in parent if isinstance(c.tag, str)]
    if children:
        children[-1].tail = inner
    else:
        parent.text = inner
    parent.append(child)
    child.tail = closing
    if len(child):
        step = inner + "  " if inner.endswith(" ") or inner == "\n" else inner + "\t"
        child.text = step
        for i, grandchild in enumerate(child):
            grandchild.tail = step if i < len(child) - 1 else inner


# ---------------------------------------------------------------------------------------------
# the transaction


@dataclass
class _NewVersion:
    id: str
    element: etree._Element
    sections: dict = field(default_factory=dict)  # letter -> section element


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Transaction:
    """The changes of one ``with corpus.transaction() as tx:`` block (see the module docstring).

    Made by :meth:`redline.corpus.Corpus.transaction` with the lock held and the manifest read
    afresh; nothing is written until the block ends without an error.
    """

    def __init__(self, corpus, manifest: bytes):
        from redline.manifest import parse_manifest

        self.corpus = corpus
        self.root = Path(corpus.root)
        self.manifest_path = self.root / "manifest.xml"
        self._old_manifest = manifest
        self.tree = xmlsafe.parse_bytes(manifest, str(self.manifest_path), CorpusError)
        self.info = parse_manifest(manifest, self.root, str(self.manifest_path))
        self._elements = {v.get("id"): v for v in self.tree.getroot().iterfind("version")}
        self._new: dict[str, _NewVersion] = {}
        self._puts: dict[tuple[str, str], etree._Element] = {}
        self._sources_changed = False
        self._files: dict[Path, bytes] = {}  # other new files of the transaction (source documents)
        self._done = False

    # -- what a caller asks for ----------------------------------------------------------------

    @property
    def version_ids(self) -> list[str]:
        """The ids of the manifest as read under the lock, then those added here."""
        return [v.id for v in self.info.versions] + list(self._new)

    def add_version(self, version, predecessor: str | None = None, modifications=(), note: str | None = None,
                    date: str | None = None) -> None:
        """Add a version: ``version`` is a :class:`redline.model.Version` (its sections are added)
        or an id (give its sections with :meth:`put_section`). It is listed after the versions
        already in the manifest; ``modifications`` are the ids of the modifications that made it."""
        from redline.model import Version

        vid = version.id if isinstance(version, Version) else str(version)
        where = str(self.manifest_path)
        if not VERSION_ID.match(vid or ""):
            raise CorpusError(f"{vid!r} is not a version id (letters, digits and . + _ -)", where)
        if len(vid) > MAX_ID:
            raise CorpusError(f"version id {vid[:20]}… is {len(vid)} characters long; the longest allowed is "
                              f"{MAX_ID}", where)
        if vid in self.version_ids:
            raise CorpusError(f"version {vid} already exists", where)
        if predecessor and predecessor not in self.version_ids:
            raise UnknownVersion(predecessor, self.version_ids)
        if predecessor and predecessor not in self._new:
            now = next(v for v in self.info.versions if v.id == predecessor)
            why = self.corpus.changed_since_read(predecessor, now)
            if why:  # another writer changed it after this command read it
                raise CorpusError(f"version {predecessor} changed while this command was working from it ({why}); "
                                  f"nothing was written: run the command again", where)
        vdir = self.root / "versions" / vid
        if os.path.lexists(vdir):
            raise CorpusError(f"exists, but the manifest does not list version {vid} (it was not made by this "
                              f"redline): move it away, or choose another id", str(vdir))
        mods = tuple(modifications or ())
        for m in mods:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", m):
                raise CorpusError(f"{m!r} is not a modification id", where)
        el = etree.Element("version", id=vid)
        if predecessor:
            el.set("predecessor", predecessor)
        if date:
            el.set("date", date)
        if mods:
            el.set("modifications", " ".join(mods))
        if note:
            etree.SubElement(el, "note").text = note
        self._new[vid] = _NewVersion(vid, el)
        if isinstance(version, Version):
            for root in version.sections.values():
                self.put_section(vid, root)

    def put_section(self, version_id: str, section_root, source=None) -> None:
        """Add or replace one section's file in ``version_id`` (one already in the corpus, or one
        added in this transaction); ``source`` (a :class:`redline.manifest.Source`) is recorded in
        the manifest's ``<sources>`` (added, or updated if its id is there)."""
        from redline.validate import check_schema, check_section

        letter = section_root.get("num")
        name = f"<section {letter} of version {version_id}>"
        check_schema(etree.ElementTree(section_root), "corpus", name)
        check_section(section_root, name)
        if version_id in self._new:
            self._new[version_id].sections[letter] = section_root
        elif version_id in self._elements:
            self._puts[(version_id, letter)] = section_root
        else:
            raise UnknownVersion(version_id, self.version_ids)
        if source is not None:
            self._record_source(source)

    def put_source(self, source, data: bytes) -> None:
        """Record ``source`` (a :class:`redline.corpus.Source` whose ``file`` is a path inside the
        corpus, e.g. ``sources/G.docx``) and write ``data`` there with the rest of the transaction.
        A file already at that path must hold the same bytes (it is then left as it is)."""
        target = _checked(self.root, source.file)
        if os.path.lexists(target):
            if not target.is_file() or target.read_bytes() != data:
                raise CorpusError(f"exists with other contents: the source {source.id} cannot be written there",
                                  str(target))
        else:
            self._files[target] = data
        self._record_source(source)

    def _record_source(self, source) -> None:
        sources = self.tree.getroot().find("sources")
        attrs = {"id": source.id, "file": source.file, "title": source.title}
        if source.date:
            attrs["date"] = source.date
        for el in sources.iterfind("source"):
            if el.get("id") == source.id:
                if dict(el.attrib) == attrs:
                    return
                self._sources_changed = True
                for k in ("file", "title", "date"):
                    if k in attrs:
                        el.set(k, attrs[k])
                    elif k in el.attrib:
                        del el.attrib[k]
                return
        append_indented(sources, etree.Element("source", attrs))
        self._sources_changed = True

    # -- commit ----------------------------------------------------------------------------------

    def _plan_manifest(self) -> tuple[bytes, list[tuple[Path, bytes]], list[tuple[Path, dict]]]:
        """The new manifest's bytes, the files to put into existing versions, the new versions."""
        top = self.tree.getroot()
        puts: list[tuple[Path, bytes]] = []
        for (vid, letter), section in self._puts.items():
            el = self._elements[vid]
            files = [f for f in el.iterfind("file") if f.get("section") == letter]
            if files:
                rel = files[0].get("path")
                shared = [v.id for v in self.info.versions if v.id != vid and rel in dict(v.files).values()]
                if shared:
                    raise CorpusError(f"section {letter} of version {vid} is the file {rel}, which version "
                                      f"{shared[0]} also uses: it cannot be replaced in place", str(self.manifest_path))
            else:
                rel = f"versions/{vid}/{letter}.xml"
                if os.path.lexists(self.root / rel):
                    raise CorpusError(f"exists, but the manifest does not list it for version {vid}: move it away",
                                      str(self.root / rel))
                append_indented(el, etree.Element("file", section=letter, path=rel))
            puts.append((self.root / rel, xmlsafe.serialise(section)))
        puts.extend(self._files.items())
        news: list[tuple[Path, dict]] = []
        for nv in self._new.values():
            if not nv.sections:
                raise CorpusError(f"version {nv.id} has no section: give one with put_section",
                                  str(self.manifest_path))
            for letter in nv.sections:
                etree.SubElement(nv.element, "file", section=letter, path=f"versions/{nv.id}/{letter}.xml")
            append_indented(top, nv.element)
            news.append((self.root / "versions" / nv.id,
                         {f"{letter}.xml": xmlsafe.serialise(s) for letter, s in nv.sections.items()}))
        data = manifest_bytes(self.tree)
        from redline.manifest import parse_manifest
        from redline.validate import check_schema

        check_schema(xmlsafe.parse_bytes(data, str(self.manifest_path), CorpusError), "manifest",
                     str(self.manifest_path))
        parse_manifest(data, self.root, str(self.manifest_path))  # the checks the schema cannot make
        return data, puts, news

    def commit(self) -> bool:
        """Write everything (see the module docstring); False if there was nothing to write."""
        if self._done:
            return False
        self._done = True
        if not self._new and not self._puts and not self._sources_changed and not self._files:
            return False
        manifest, puts, news = self._plan_manifest()
        _Commit(self.root, self._old_manifest, manifest, puts, news).run()
        return True


class _Commit:
    """The steps of writing one transaction (see the module docstring); ``run`` does them."""

    def __init__(self, root: Path, old_manifest: bytes, manifest: bytes, puts, news):
        self.root = root
        self.old_manifest, self.manifest = old_manifest, manifest
        self.puts, self.news = puts, news
        self.staged: list = []  # fsio.TempFile / fsio.TempDir, removed if the commit fails
        self.items: list[dict] = []  # the journal's items, in the order they are applied
        self.doing: Path = root

    def rel(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()

    def run(self) -> None:
        with fsio.terminate_as_exit():
            try:
                self._stage()
                self._journal()
            except BaseException as exc:
                self._discard()
                with contextlib.suppress(OSError):
                    _unlink(self.root / JOURNAL)  # written, but its flush failed: nothing was renamed
                self._raise(exc)
            try:
                self._apply()
            except BaseException as exc:
                try:
                    rollback(self.root, self.items)
                    _unlink(self.root / JOURNAL)
                except OSError:
                    pass  # the journal stays: the next writer undoes what is left
                self._discard()
                self._raise(exc)
            self._finish()

    def _raise(self, exc: BaseException):
        if isinstance(exc, OSError):
            raise fsio.os_error(exc, self.doing) from None
        raise exc

    def _stage(self) -> None:
        versions = self.root / "versions"
        if self.news and not versions.is_dir():
            self.doing = versions
            os.mkdir(versions, fsio.umask_mode(0o777))
        for target, files in self.news:
            self.doing = target
            tmp = fsio.TempDir(target)
            self.staged.append(tmp)
            for name, data in files.items():
                tmp.add(name, data)
            os.fsync(tmp.fd)
            self.items.append({"create": self.rel(target), "staged": self.rel(tmp.path)})
        for target, data in self.puts:
            self.doing = target
            mode = None
            if target.exists():
                mode = os.stat(target).st_mode & 0o7777
            tmp = fsio.TempFile(target, mode)
            self.staged.append(tmp)
            tmp.write(data)
            os.fsync(tmp.fd)
            item = {"staged": self.rel(tmp.path)}
            if os.path.lexists(target):
                item.update(replace=self.rel(target), backup=self.rel(_backup_name(target)))
            else:
                item["create"] = self.rel(target)
            self.items.append(item)
        for tmp in self.staged:  # the new entries of each directory, on disk before the journal
            fsio.fsync_directory(tmp.path.parent)
        target = self.root / "manifest.xml"
        self.doing = target
        tmp = fsio.TempFile(target, os.stat(target).st_mode & 0o7777)
        self.staged.append(tmp)
        tmp.write(self.manifest)
        os.fsync(tmp.fd)
        self.items.append({"replace": "manifest.xml", "staged": self.rel(tmp.path),
                           "backup": self.rel(_backup_name(target))})

    def _journal(self) -> None:
        journal = {"format": 1, "manifest_old": _sha(self.old_manifest), "manifest_new": _sha(self.manifest),
                   "items": self.items}
        self.doing = self.root / JOURNAL
        with fsio.TempFile(self.root / JOURNAL) as tmp:
            tmp.write(json.dumps(journal, indent=1).encode("utf-8"))
            tmp.commit(durable=True, strict=True)

    def _apply(self) -> None:
        """Rename everything into place, the manifest last (the commit)."""
        dirs = set()
        for item in self.items:
            staged = self.root / item["staged"]
            if "replace" in item:
                final = self.root / item["replace"]
                self.doing = final
                if final.name == "manifest.xml":
                    for d in dirs:  # every rename before the manifest's is on disk first
                        fsio.fsync_directory(d)
                _link_backup(final, self.root / item["backup"])
                os.replace(staged, final)
            else:
                final = self.root / item["create"]
                self.doing = final
                if os.path.lexists(final):
                    raise FileExistsError(errno.EEXIST, "exists", str(final))
                os.rename(staged, final)
            dirs.add(final.parent)
        for tmp in self.staged:
            tmp.path = None  # renamed into place: nothing of it to remove
        self.doing = self.root
        fsio.fsync_directory(self.root)  # the new manifest is on disk: committed

    def _finish(self) -> None:
        """After the commit: remove the backups and the journal (a failure here is harmless: the
        next writer finishes the job)."""
        for tmp in self.staged:
            tmp.close()
        for item in self.items:
            if "backup" in item:
                _unlink(self.root / item["backup"])
        _unlink(self.root / JOURNAL)
        with contextlib.suppress(OSError):
            fsio.fsync_directory(self.root)

    def _discard(self) -> None:
        for tmp in self.staged:
            with contextlib.suppress(OSError):
                tmp.close()


def _backup_name(path: Path) -> Path:
    import secrets

    return path.parent / f".{path.name}.{secrets.token_hex(4)}{BACKUP_SUFFIX}"


def _link_backup(final: Path, backup: Path) -> None:
    """Keep the file about to be replaced under ``backup`` (a hard link; a copy where links fail)."""
    try:
        os.link(final, backup)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
            raise
        shutil.copy2(final, backup)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


# ---------------------------------------------------------------------------------------------
# recovery


def _checked(root: Path, rel, pattern=None) -> Path:
    """``root / rel`` if ``rel`` is a relative path inside ``root`` (and its name matches ``pattern``)."""
    if not isinstance(rel, str) or not rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise ValueError(f"bad path {rel!r}")
    path = root / rel
    if pattern is not None and not pattern(path.name):
        raise ValueError(f"unexpected name {rel!r}")
    return path


def _read_journal(root: Path) -> dict | None:
    path = root / JOURNAL
    if not os.path.lexists(path):
        return None
    data = fsio.read_input(path, limit=1 * fsio.MiB, what="journal", error=CorpusError)
    try:
        journal = json.loads(data)
        items = journal["items"]
        for item in items:
            _checked(root, item["staged"], fsio.is_temp_name)
            if "replace" in item:
                _checked(root, item["replace"])
                _checked(root, item["backup"], _BACKUP_RE.match)
            else:
                created = _checked(root, item["create"])
                if created.relative_to(root).parts[0] not in _CREATED_UNDER:
                    raise ValueError(f"{item['create']!r} is not under {' or '.join(_CREATED_UNDER)}/")
        journal["manifest_old"], journal["manifest_new"]  # noqa: B018 - both must be there
    except (ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"the journal of an interrupted write cannot be read ({exc}); nothing was recovered: "
                          f"compare the corpus with your last copy, then remove the journal", str(path)) from None
    return journal


def rollback(root: Path, items: list[dict]) -> None:
    """Undo the renames of a journal's items that happened (in reverse order)."""
    for item in reversed(items):
        staged = root / item["staged"]
        if "replace" in item:
            final, backup = root / item["replace"], root / item["backup"]
            if os.path.lexists(backup):
                os.replace(backup, final)
                if os.path.lexists(backup):  # both were links to one file: rename did nothing
                    os.unlink(backup)
        else:
            final = root / item["create"]
            if os.path.lexists(final) and not os.path.lexists(staged):
                _remove(final)
        if os.path.lexists(staged):
            _remove(staged)
    fsio.fsync_directory(root)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        os.unlink(path)


def recover(root: Path) -> list[str]:
    """Bring the corpus at ``root`` back to a committed state; call with the lock held.

    An interrupted transaction whose manifest was replaced is finished (its backups and journal
    removed); one whose manifest was not is undone (what it renamed into place is taken back).
    Then every leftover temporary file or directory of a dead writer is removed. Returns what
    was done, one line each (empty if the corpus was clean).
    """
    root = Path(root)
    done: list[str] = []
    journal = _read_journal(root)
    if journal is not None:
        manifest = fsio.read_input(root / "manifest.xml", limit="manifest", what="manifest", error=CorpusError)
        committed = _sha(manifest) == journal["manifest_new"] and journal["manifest_new"] != journal["manifest_old"]
        if committed:
            for item in journal["items"]:
                if "backup" in item:
                    _unlink(root / item["backup"])
            done.append("finished an interrupted write that had committed")
        else:
            rollback(root, journal["items"])
            done.append("undid an interrupted write that had not committed")
        _unlink(root / JOURNAL)
        fsio.fsync_directory(root)
    for directory in _leftover_dirs(root):
        for path in fsio.remove_leftovers(directory):
            done.append(f"removed {path.relative_to(root)}")
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            path = directory / name
            legacy = (directory == root / "versions" and _LEGACY_DIR_RE.match(name) and path.is_dir()
                      and not path.is_symlink()) or (directory == root and _LEGACY_MANIFEST_RE.match(name))
            if _BACKUP_RE.match(name) or legacy:
                with contextlib.suppress(OSError):
                    _remove(path)
                    done.append(f"removed {path.relative_to(root)}")
    return done


def _leftover_dirs(root: Path) -> list[Path]:
    """The directories where a transaction stages files: the corpus, ``sources/``, ``versions/``,
    each version's directory and any other directory the manifest names a file in."""
    out = [root] + [root / d for d in _CREATED_UNDER[1:] if (root / d).is_dir()]
    versions = root / "versions"
    if versions.is_dir():
        out.append(versions)
        with contextlib.suppress(OSError):
            out.extend(p for p in sorted(versions.iterdir())
                       if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    with contextlib.suppress(CorpusError, OSError):
        from redline.manifest import parse_manifest

        data = fsio.read_input(root / "manifest.xml", limit="manifest", what="manifest", error=CorpusError)
        for info in parse_manifest(data, root, "manifest.xml").versions:
            for _, rel in info.files:
                parent = (root / rel).parent
                if parent not in out and parent.is_dir():
                    out.append(parent)
    return out


@contextlib.contextmanager
def transaction(corpus, timeout: float | None = None):
    """The body of :meth:`redline.corpus.Corpus.transaction`."""
    root = Path(corpus.root)
    lock = CorpusLock(root).acquire(timeout)
    try:
        recover(root)
        manifest = fsio.read_input(root / "manifest.xml", limit="manifest", what="manifest", error=CorpusError)
        tx = Transaction(corpus, manifest)
        yield tx
        if tx.commit():
            corpus.reload(changed={vid for vid, _ in tx._puts})
    finally:
        lock.release()


__all__ = ["Transaction", "CorpusLock", "recover", "transaction", "manifest_bytes"]
