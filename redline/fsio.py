"""Bounded input and safe output: how redline reads the files it is given and writes what it makes.

I/O: this module is the one place that opens a file named by a user (a modification, a document to
import, a corpus file) or writes an output file (``-o``). Its rules (see ``docs/guarantees.md``):

Inputs (:func:`read_input`, :func:`regular_files`)
    Only regular files are read (a symbolic link is followed to the file it names). A FIFO, a
    device or a socket is refused without being read, so nothing can make a command hang or read
    without end; its size is checked against a limit before a byte is read (:data:`LIMITS`, all
    raised or lowered at once by ``$REDLINE_MAX_INPUT``), and the read itself stops at the limit.
    A directory listing (``corpus/mods/``) skips anything else with a :class:`SkippedInput`
    warning.

Outputs (:func:`check_output`, :func:`write_output`, :func:`write_files`)
    An empty path is refused; ``-`` is standard output. A path that names one of the command's
    inputs, or any file inside the corpus being read, is refused (:class:`OutputRefused`, exit 2)
    before anything is written. A device, a FIFO or a socket is written through, as a shell
    redirection would; a symbolic link is followed and the file it names is replaced. A regular
    file is replaced atomically: written in full to a temporary file beside it, flushed to disk
    (``fsync``), then renamed over it (keeping the old file's permissions), and the directory is
    flushed; a failure or an interruption at any point leaves the old file as it was.

Leftovers
    Every temporary file or directory is named ``.<name>.<random>.redline-tmp`` and is locked
    (``flock``) by the process writing it for as long as it lives. A writer that is killed (``kill
    -9``, a power cut) leaves it behind unlocked: the next write into the same directory removes
    every such leftover whose lock it can take, and never one that a live writer holds.

Every operating-system error is raised as a :class:`redline.errors.FileError` naming the path the
user gave and what went wrong (:func:`os_error`), never as a bare ``OSError``.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shutil
import signal
import stat
import sys
import threading
import warnings
from pathlib import Path
from typing import Iterable, Mapping

try:  # POSIX; elsewhere leftovers are not locked (and so are only removed by name and age)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

from redline.errors import FileError, InputRefused, OutputRefused, RedlineError

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

#: the largest input of each kind, in bytes, checked before reading (``docs/guarantees.md``). A
#: whole-code section file (10,000 clauses) is about 10 MB, a modification rarely 100 kB.
LIMITS: dict[str, int] = {
    "manifest": 16 * MiB,
    "section": 256 * MiB,
    "modification": 64 * MiB,
    "document": 256 * MiB,  # a Word or PDF document read by an importer
}
#: environment variable that replaces every limit of :data:`LIMITS` (bytes, or a number with K, M or G)
LIMIT_ENV = "REDLINE_MAX_INPUT"

#: suffix of every temporary file or directory this module (and the corpus writer) creates
TMP_SUFFIX = ".redline-tmp"
#: a temporary name made by :func:`temp_name`: ``.<name>.<8 hex>.redline-tmp``
_TMP_RE = re.compile(r"\A\..*\.[0-9a-f]{8}" + re.escape(TMP_SUFFIX) + r"\Z", re.S)
#: a file name may have at most this many bytes on the usual file systems
NAME_MAX = 255

#: chunks written at a time to a file or a device
_CHUNK = 1 * MiB

_KIND_NAMES = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
    stat.S_IFLNK: "a symbolic link",
}

#: how an operating-system error reads in a message (else its own strerror)
_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.ENAMETOOLONG: "file name too long",
    errno.EPIPE: "broken pipe (the reader went away)",
    errno.EBADF: "it is closed",
    errno.ENOENT: "no such file or directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EISDIR: "is a directory",
    errno.EIO: "input/output error",
    errno.EMFILE: "too many open files",
    errno.EFBIG: "file too large",
    errno.ENXIO: "no reader or device at the other end",
}


class SkippedInput(UserWarning):
    """A directory entry that is not a regular file was skipped (the message names it)."""


# ---------------------------------------------------------------------------------------------
# errors


def reason(exc: OSError) -> str:
    """What an ``OSError`` means, in a few words."""
    return _REASONS.get(exc.errno, (exc.strerror or str(exc)).rstrip("."))


def os_error(exc: OSError, path, doing: str = "cannot write") -> FileError:
    """A :class:`FileError` for ``exc`` raised while ``doing`` something to ``path``."""
    return FileError(f"{doing}: {reason(exc)}", _shown(path))


def _shown(path) -> str:
    if path is None:
        return "standard output"
    text = os.fspath(path)
    return text if text else "''"


# ---------------------------------------------------------------------------------------------
# inputs


def _parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)[iI]?[bB]?\s*", text)
    if not m:
        raise RedlineError(f"{LIMIT_ENV}={text!r} is not a size (e.g. 500M, 2G or a number of bytes)")
    return int(m.group(1)) * {"": 1, "k": KiB, "m": MiB, "g": GiB}[m.group(2).lower()]


def input_limit(kind: str) -> int:
    """The size limit of inputs of ``kind`` (a key of :data:`LIMITS`), or ``$REDLINE_MAX_INPUT``."""
    env = os.environ.get(LIMIT_ENV)
    if env and env.strip():
        return _parse_size(env)
    return LIMITS[kind]


def human_size(n: int) -> str:
    """``n`` bytes as a short figure (``16 MB``, ``300 kB``, ``12 bytes``)."""
    for unit, size in (("GB", GiB), ("MB", MiB), ("kB", KiB)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def kind_of(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, for a message ("a FIFO (named pipe)")."""
    return _KIND_NAMES.get(stat.S_IFMT(mode), "not a regular file")


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def read_input(path, *, limit: int | str, what: str = "file", error=None) -> bytes:
    """The bytes of the regular file ``path`` (symbolic links followed), at most ``limit`` bytes.

    ``limit`` is a number of bytes or a key of :data:`LIMITS`; ``what`` names the input in
    messages ("modification file", "section file"). A missing or unreadable file, a file that is
    not a regular file (FIFO, device, socket, directory: refused without reading, so nothing
    blocks) and a file larger than the limit (checked before reading) raise ``error(message,
    path, None)`` if ``error`` is given (a :class:`redline.errors.CorpusError`-like class), else
    :class:`redline.errors.InputRefused` / :class:`redline.errors.FileError`.
    """
    limit_bytes = input_limit(limit) if isinstance(limit, str) else int(limit)

    def fail(message: str, refused: bool):
        if error is not None:
            return error(message, _shown(path), None)
        return (InputRefused if refused else FileError)(message, _shown(path))

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise fail(f"no such {what}", False) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO some systems refuse to open
            raise fail("is not a regular file", True) from None
        raise fail(f"cannot read: {reason(exc)}", False) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = kind_of(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                raise fail(f"is a directory, not {_article(what)} {what}", True)
            raise fail(f"is {kind}, not a regular file ({_article(what)} {what} must be a regular file)", True)
        if st.st_size > limit_bytes:
            raise fail(f"is {human_size(st.st_size)}, more than the {human_size(limit_bytes)} {_article(what)} {what} may be "
                       f"(set {LIMIT_ENV} to change the limit)", True)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(_CHUNK * 16, limit_bytes + 1 - total) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit_bytes:  # it grew while being read
                raise fail(f"is more than the {human_size(limit_bytes)} {_article(what)} {what} may be "
                           f"(set {LIMIT_ENV} to change the limit)", True)
        return b"".join(chunks)
    except OSError as exc:
        raise fail(f"cannot read: {reason(exc)}", False) from None
    finally:
        os.close(fd)


def regular_files(directory, pattern: str = "*.xml") -> list[Path]:
    """The regular files in ``directory`` matching ``pattern``, sorted by name (symbolic links
    followed); anything else that matches (a FIFO, a device, a directory, a dangling link) is
    skipped with a :class:`SkippedInput` warning. A missing directory has no files."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob(pattern)):
        try:
            st = os.stat(path)
        except OSError as exc:
            warnings.warn(SkippedInput(f"{path}: skipped: {reason(exc)}"), stacklevel=2)
            continue
        if stat.S_ISREG(st.st_mode):
            out.append(path)
        else:
            warnings.warn(SkippedInput(f"{path}: skipped: it is {kind_of(st.st_mode)}, not a regular file"),
                          stacklevel=2)
    return out


# ---------------------------------------------------------------------------------------------
# output paths


def _real(path) -> Path:
    return Path(os.path.realpath(os.fspath(path)))


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_output(path, *, inputs: Iterable = (), corpus=None, directory: bool = False) -> Path | None:
    """Refuse an output path before any work is done; return where the data will go.

    None means standard output (``path`` is None or ``-``). Otherwise the path with symbolic links
    followed (the file that will be replaced or written through). Raises
    :class:`redline.errors.OutputRefused` (exit 2) for an empty path, a path that names one of
    ``inputs`` (the same file, under any name), or one inside the directory ``corpus``; and for
    an existing directory unless ``directory`` is true (then the path may name a directory, as
    ``apply -o DIR`` allows).
    """
    if path is None:
        return None
    text = os.fspath(path)
    if text == "-":
        return None
    if not text:
        raise OutputRefused("an empty path names no file; give -o FILE, or -o - for standard output", "''")
    try:
        real = _real(text)
        for inp in inputs:
            if inp is None:
                continue
            inp_real = _real(inp)
            if real == inp_real or _same_file(real, inp_real):
                raise OutputRefused(f"is an input of this command ({inp}); write the output to another file", text)
        if corpus is not None:
            root = _real(corpus)
            if real == root or real.is_relative_to(root):
                raise OutputRefused(f"is inside the corpus being read ({corpus}); write the output outside it", text)
        if not directory and is_dir(real):
            raise OutputRefused("is a directory; give a file name", text)
    except OSError as exc:
        raise os_error(exc, text) from None
    return real


def is_dir(path) -> bool:
    """Whether ``path`` is a directory (symbolic links followed); False if it cannot be looked at."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def write_output(data, path, *, inputs: Iterable = (), corpus=None) -> None:
    """Write ``data`` (bytes, str, or an iterable of either, written in turn) to ``path``.

    ``path`` None or ``-`` is standard output; a device, FIFO or socket is written through; a
    regular file (or a new one) is replaced atomically (see the module docstring). The path is
    first checked by :func:`check_output` against ``inputs`` and ``corpus``.
    """
    target = check_output(path, inputs=inputs, corpus=corpus)
    if target is None:
        write_stdout(data)
        return
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise os_error(exc, path) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_through(target, data, path)
        return
    if not target.parent.is_dir():
        given = Path(os.fspath(path))
        where = given.parent if _real(given.parent) == target.parent else target.parent  # a link points there
        raise FileError(f"cannot write: directory {_shown(where)} does not exist", path)
    atomic_write(target, data, shown=path, mode=stat.S_IMODE(st.st_mode) if st is not None else None)


def _chunks(data) -> Iterable[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = (data,)
    elif isinstance(data, str):
        data = (data,)
    for piece in data:
        if isinstance(piece, str):
            piece = piece.encode("utf-8")
        if piece:
            yield piece


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view[:_CHUNK])
        view = view[n:]


def _write_through(target: Path, data, shown) -> None:
    """Write to an existing device, FIFO or socket as ``>`` would (no temporary file)."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise os_error(exc, shown) from None
    try:
        for chunk in _chunks(data):
            _write_all(fd, chunk)
    except OSError as exc:
        raise os_error(exc, shown) from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# standard output


def write_stdout(data) -> None:
    """Write ``data`` (see :func:`write_output`) to standard output, then flush it.

    Text goes through ``sys.stdout`` (its encoding), bytes through its buffer. A closed standard
    output (``>&-``), a full device and a reader that went away raise a :class:`FileError` naming
    standard output (never a traceback).
    """
    out = sys.stdout
    if out is None or isinstance(out, ClosedStream):
        raise FileError("cannot write: it is closed", "standard output")
    try:
        if isinstance(data, (str, bytes, bytearray)):
            data = (data,)
        for piece in data:
            if isinstance(piece, str):
                out.write(piece)
            else:
                out.flush()
                getattr(out, "buffer", out).write(piece)
        out.flush()
    except OSError as exc:
        raise stdout_error(exc) from None


def stdout_error(exc: OSError) -> FileError:
    """The error for a failed write to standard output; later writes to it are discarded (so
    that the interpreter's own flush at exit does not fail a second time)."""
    discard_stdout()
    return FileError(f"cannot write: {reason(exc)}", "standard output")


def discard_stdout() -> None:
    """Point standard output at the null device (after it failed), so nothing more fails."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
        finally:
            os.close(null)
    except OSError:  # pragma: no cover - no /dev/null
        pass


class ClosedStream(io.TextIOBase):
    """Stands in for a standard output that was closed when redline started (``>&-``): every
    write raises ``EBADF`` (reported as one ``Error:`` line); flushing does nothing, so the
    interpreter's own flush at exit is quiet."""

    encoding = "utf-8"
    errors = "strict"

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def guard_standard_streams() -> None:
    """Make a closed standard input, output or error safe (call once, before a command runs).

    A descriptor 0, 1 or 2 that is closed is pointed at the null device, so that no file redline
    opens later takes its number (and receives what was meant for the terminal); a closed
    standard output is replaced by a :class:`ClosedStream`, so that the first thing a command
    prints fails with one ``Error:`` line instead of vanishing; an unbuffered one is given a
    buffer, so that output cut short by a reader that went away is an error, not a silent loss.
    """
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
    for fd in closed:
        try:
            null = os.open(os.devnull, os.O_RDWR)
        except OSError:  # pragma: no cover
            continue
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    if 1 in closed or sys.stdout is None:
        sys.stdout = ClosedStream()
    elif isinstance(getattr(sys.stdout, "buffer", None), io.FileIO):
        # unbuffered (python -u, PYTHONUNBUFFERED=1, as in many containers): one write(2) per
        # write, and a pipe whose reader goes away mid-write returns a short count, not an error,
        # so the rest of the output would be lost without a word; a buffered writer writes all
        # of it or raises
        out = sys.stdout
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(out.buffer), encoding=out.encoding, errors=out.errors,
                                      line_buffering=True)


# ---------------------------------------------------------------------------------------------
# atomic writes and their leftovers


def temp_name(name: str) -> str:
    """A fresh temporary name for ``name``: ``.<name>.<8 hex>.redline-tmp`` (the name is cut so
    that the whole stays within :data:`NAME_MAX` bytes)."""
    room = NAME_MAX - len(f"..{'0' * 8}{TMP_SUFFIX}")
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) > room:
        name = raw[:room].decode("utf-8", "ignore")
    # os.urandom: what secrets.token_hex is, without importing hmac and random at every start
    return f".{name}.{os.urandom(4).hex()}{TMP_SUFFIX}"


def is_temp_name(name: str) -> bool:
    """Whether ``name`` was made by :func:`temp_name`."""
    return bool(_TMP_RE.match(name))


def _lock_fd(fd: int, blocking: bool = True) -> bool:
    """Take an exclusive ``flock`` on ``fd``; False if another holds it (non-blocking)."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        return True
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks: a leftover can never be proven dead
        return False


def remove_leftovers(directory, names: Iterable[str] | None = None) -> list[Path]:
    """Remove the temporary files and directories (:func:`is_temp_name`) in ``directory`` that no
    live process holds: each is locked by its writer for as long as the writer lives, so one whose
    lock can be taken was left by a writer that died. ``names`` limits the search (default: the
    whole directory). Returns what was removed; problems (permissions) are ignored."""
    directory = Path(directory)
    removed = []
    try:
        entries = list(names) if names is not None else os.listdir(directory)
    except OSError:
        return removed
    for name in entries:
        if not is_temp_name(name):
            continue
        path = directory / name
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)) or not _lock_fd(fd, blocking=False):
                continue
            now = os.lstat(path)
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                continue  # renamed into place and replaced meanwhile: not ours to remove
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
            removed.append(path)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def fsync_directory(directory) -> None:
    """Flush a directory's entries (a rename into it) to disk, where the system allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EROFS):
            raise
    finally:
        os.close(fd)


def umask_mode(mode: int = 0o666) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


class TempFile:
    """A temporary file beside ``target``, locked while it lives; :meth:`commit` renames it over
    the target. Use as a context manager: leaving it without a commit removes it."""

    def __init__(self, target: Path, mode: int | None = None):
        self.target = Path(target)
        self.path = self.target.parent / temp_name(self.target.name)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            _lock_fd(self.fd)
            os.fchmod(self.fd, umask_mode() if mode is None else mode)
        except BaseException:
            self.close(remove=True)
            raise

    def write(self, data) -> None:
        for chunk in _chunks(data):
            _write_all(self.fd, chunk)

    def commit(self, durable: bool = True, strict: bool = False) -> None:
        """Flush the file to disk, rename it over the target and flush the directory.

        Once the rename is done the target is complete (the old file or the new one, never a
        part); a failure to flush the directory then is ignored unless ``strict`` (the corpus's
        journal, whose presence on disk must be certain before anything else is renamed).
        """
        if durable:
            os.fsync(self.fd)
        os.replace(self.path, self.target)
        self.path = None
        if durable:
            try:
                fsync_directory(self.target.parent)
            except OSError:
                if strict:
                    raise

    def close(self, remove: bool = True) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if remove and self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.path = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(remove=True)


def atomic_write(path, data, *, shown=None, mode: int | None = None, durable: bool = True) -> None:
    """Replace the regular file ``path`` (or create it) with ``data`` (bytes, str, or an iterable
    of either), atomically: a temporary file beside it, written in full, flushed, renamed over it.

    On any failure (a full disk, an interruption) ``path`` is as it was and the temporary file
    is gone. ``mode`` is the new file's permission bits (default: the umask's, ``0644`` usually).
    OS errors are raised as :class:`FileError` naming ``shown`` (default ``path``). Leftovers of
    earlier interrupted writes in the same directory are removed first.
    """
    path = Path(path)
    shown = path if shown is None else shown
    with terminate_as_exit():
        remove_leftovers(path.parent)
        try:
            with TempFile(path, mode) as tmp:
                tmp.write(data)
                tmp.commit(durable)
        except OSError as exc:
            raise os_error(exc, shown) from None


def write_files(directory, files: Mapping[str, bytes], *, shown=None, inputs: Iterable = (), corpus=None) -> list[Path]:
    """Write several files into ``directory`` as one step as far as a file system allows.

    If ``directory`` exists, every file is first written in full to a temporary file beside its
    target and only then are they renamed into place, so a failure while writing (a full disk)
    replaces none of them. If it does not exist, the files are written into a temporary
    directory that is renamed to ``directory`` once complete. The directory is checked by
    :func:`check_output` (``inputs``, ``corpus``) first; an existing file among the names is
    replaced. Returns the paths written.
    """
    shown = directory if shown is None else shown
    target = check_output(directory, inputs=inputs, corpus=corpus, directory=True)
    if target is None:
        raise OutputRefused("several files cannot be written to standard output; give a directory", "-")
    for name in files:
        check_output(target / name, inputs=inputs, corpus=corpus)
    with terminate_as_exit():
        try:
            if target.is_dir():
                remove_leftovers(target)
                staged: list[TempFile] = []
                try:
                    for name, data in files.items():
                        old = target / name
                        mode = stat.S_IMODE(os.stat(old).st_mode) if old.is_file() else None
                        tmp = TempFile(old, mode)
                        staged.append(tmp)
                        tmp.write(data)
                        os.fsync(tmp.fd)
                    for tmp in staged:
                        tmp.commit(durable=False)
                    with contextlib.suppress(OSError):  # renamed: each file is whole, old or new
                        fsync_directory(target)
                finally:
                    for tmp in staged:
                        tmp.close(remove=True)
            else:
                if not target.parent.is_dir():
                    raise FileError(f"cannot write: directory {Path(os.fspath(shown)).parent} does not exist",
                                    shown)
                remove_leftovers(target.parent)
                with TempDir(target) as tmp:
                    for name, data in files.items():
                        tmp.add(name, data)
                    tmp.commit()
        except OSError as exc:
            raise os_error(exc, shown) from None
    return [target / name for name in files]


class TempDir:
    """A temporary directory beside ``target`` (locked while it lives), filled with :meth:`add`
    and renamed to ``target`` by :meth:`commit`; leaving it without a commit removes it."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.path = self.target.parent / temp_name(self.target.name)
        os.mkdir(self.path, umask_mode(0o777))
        self.fd = None
        try:
            self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            _lock_fd(self.fd)
        except BaseException:
            self.close()
            raise

    def add(self, name: str, data, durable: bool = True) -> Path:
        """Write the file ``name`` (flushed to disk) inside the temporary directory."""
        path = self.path / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), umask_mode())
        try:
            for chunk in _chunks(data):
                _write_all(fd, chunk)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        return path

    def commit(self, durable: bool = True) -> None:
        """Rename the directory to its target (which must not exist, or be empty)."""
        if durable:
            os.fsync(self.fd)
        os.rename(self.path, self.target)
        self.path = None
        if durable:
            with contextlib.suppress(OSError):  # renamed: the directory is whole
                fsync_directory(self.target.parent)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------------------------
# signals


class Terminated(SystemExit):
    """Raised in place of the default action of SIGTERM or SIGHUP during a write, so that the
    write's clean-up runs (its temporary files are removed) before the process exits."""


@contextlib.contextmanager
def terminate_as_exit():
    """While the block runs, SIGTERM and SIGHUP raise :class:`Terminated` (exit 128+signal)
    instead of killing the process outright (only in the main thread, where handlers can be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, frame):
        raise Terminated(128 + signum)

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is None:
            continue
        try:
            old = signal.getsignal(sig)
            if old in (signal.SIG_DFL, None):
                previous[sig] = old
                signal.signal(sig, handler)
        except (ValueError, OSError):  # pragma: no cover
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, old if old is not None else signal.SIG_DFL)
