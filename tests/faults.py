"""Fault injection for the tests: make the n-th file-system call that redline makes fail (or kill
the process there), and snapshot a directory to prove afterwards that nothing changed.

Only calls made from redline's own modules are counted (the test runner's are left alone), and
only the calls that change the disk: ``os.open`` for writing, ``os.write``, ``os.fsync``,
``os.replace``, ``os.rename``, ``os.link`` and ``os.mkdir``. A run with :class:`Faults` and no
fault counts them (``calls``), so a test can then fail each one in turn.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

#: the os functions that change the disk
OPS = ("open", "write", "fsync", "replace", "rename", "link", "mkdir")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def _from_redline(depth: int = 2) -> bool:
    frame = sys._getframe(depth)
    return frame.f_globals.get("__name__", "").startswith("redline")


class Faults:
    """Wrap the os functions of :data:`OPS`; the ``at``-th counted call raises ``OSError(errno)``
    (or, with ``kill=True``, kills the process with SIGKILL before it is made)."""

    def __init__(self, at: int | None = None, errno: int | None = None, kill: bool = False, ops=OPS):
        self.at, self.errno, self.kill, self.ops = at, errno, kill, ops
        self.calls: list[str] = []

    def install(self, monkeypatch=None) -> "Faults":
        for name in self.ops:
            real = getattr(os, name)
            wrapped = self._wrap(name, real)
            if monkeypatch is not None:
                monkeypatch.setattr(os, name, wrapped)
            else:
                setattr(os, name, wrapped)
        return self

    def _wrap(self, name, real):
        def call(*args, **kwargs):
            if not _from_redline():
                return real(*args, **kwargs)
            if name == "open":
                flags = args[1] if len(args) > 1 else kwargs.get("flags", 0)
                if not flags & _WRITE_FLAGS:
                    return real(*args, **kwargs)
            self.calls.append(name)
            if len(self.calls) == self.at:
                if self.kill:
                    os.kill(os.getpid(), signal.SIGKILL)
                raise OSError(self.errno, os.strerror(self.errno))
            return real(*args, **kwargs)

        return call


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and directory (None) under ``root``, hidden ones included."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = Path(p).read_bytes()
    return out


def hidden(root: Path) -> list[str]:
    """Names under ``root`` that start with a dot (temporary files, journals): none may be left."""
    return sorted(os.path.relpath(os.path.join(d, n), root)
                  for d, dirs, files in os.walk(root) for n in dirs + files if n.startswith("."))


def fork_run(args, corpus, faults: Faults | None = None, start: int | None = None) -> int:
    """Run the CLI (``redline ARGS --corpus CORPUS``) in a forked child, its output thrown away,
    with ``faults`` installed there, after reading a byte from the pipe end ``start`` if given;
    return its exit status as ``os.waitstatus_to_exitcode`` gives it (negative: killed)."""
    from redline.cli import main

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 70
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            if start is not None:
                os.read(start, 1)
            if faults is not None:
                faults.install()
            try:
                main([*map(str, args), "--corpus", str(corpus)], standalone_mode=True)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def run_together(runs, corpus) -> list[int]:
    """Run each of ``runs`` (CLI arguments) in its own process, all started at the same moment
    (each waits on one pipe), on ``corpus``; return their exit statuses in the order of ``runs``."""
    r, w = os.pipe()
    pids = []
    for args in runs:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(w)
            os._exit(fork_run(args, corpus, start=r))
        pids.append(pid)
    os.close(r)
    os.write(w, b"x" * len(pids))  # start them together
    os.close(w)
    return [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
