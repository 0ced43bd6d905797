"""Independent jobs shared among worker processes: :func:`map_jobs`.

What it is for: the sections of a whole-code import (~24 of them, ~80,000 paragraphs) are built,
checked against the schema and serialised independently of each other, and that is half the
import's time. With more than one core the work is shared: the calling process forks the
workers *after* the inputs exist (each worker inherits them; nothing is copied to it), runs its
own share, and takes each worker's results back through a pipe (pickled), in the order of the
inputs. With one core, one job, ``jobs=1``, or no ``os.fork`` (Windows), the jobs run one after
another in the calling process, with the same results.

The contract, the same as ``[fn(x) for x in items]``: the results in order; if jobs fail, the
exception of the first failing job (in the order of ``items``) is raised in the caller, as it
would have been had the jobs run here. A worker that dies without answering (killed, out of
memory) is a :class:`WorkerError`. ``fn`` must be pure (it may not write files or print): a
worker does nothing but compute, answer and ``os._exit``, so that nothing of the caller (its
locks, temporary files, ``atexit`` handlers, buffered output) runs twice. If the caller is
interrupted or fails, its workers are killed and reaped before the exception goes on.

I/O: none on files; pipes between the processes only.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import Callable, Iterable, Sequence, TypeVar

from redline.errors import RedlineError

T = TypeVar("T")
R = TypeVar("R")


class WorkerError(RedlineError):
    """A worker process ended without giving its results (killed, out of memory), or failed with
    an exception that could not be carried back (then this says what it was)."""


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def shares(weights: Sequence[float], n: int) -> list[list[int]]:
    """The indices of ``weights`` dealt into ``n`` shares of about equal total weight (heaviest
    first, each to the lightest share so far; a share's indices ascending)."""
    loads = [0.0] * n
    out: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        k = min(range(n), key=lambda k: (loads[k], k))
        out[k].append(i)
        loads[k] += weights[i]
    return [sorted(s) for s in out if s]


def map_jobs(fn: Callable[[T], R], items: Iterable[T], *, jobs: int | None = None,
             weight: Callable[[T], float] | None = None) -> list[R]:
    """``[fn(x) for x in items]``, shared among ``jobs`` processes (default: the CPUs available);
    ``weight(x)`` estimates a job's cost, to balance the shares (default: all equal)."""
    items = list(items)
    n = min(jobs if jobs is not None else available_cpus(), len(items))
    if n <= 1 or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    dealt = shares([weight(x) if weight else 1.0 for x in items], n)
    results: list = [None] * len(items)
    failed: dict[int, BaseException] = {}
    workers: list[tuple[int, int]] = []  # (pid, read end) of each worker, in the order of ``dealt[1:]``
    alive: set[int] = set()  # workers not reaped yet
    unread: set[int] = set()  # read ends not closed yet
    mine = list(dealt[0])  # the caller's own share (and that of a worker that could not be started)
    try:
        for share in dealt[1:]:
            read_end, write_end = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process to be had (a limit, memory): the caller does this share too
                os.close(read_end)
                os.close(write_end)
                mine = sorted(mine + share)
                continue
            if pid == 0:  # the worker: never returns
                for fd in (read_end, *unread):  # (an earlier worker's pipe must close when the caller's does)
                    os.close(fd)
                _work(fn, items, share, write_end)
            os.close(write_end)
            workers.append((pid, read_end))
            alive.add(pid)
            unread.add(read_end)
        for i in mine:
            try:
                results[i] = fn(items[i])
            except Exception as exc:  # this share's first failure (the workers' are collected too)
                failed[i] = exc
                break
        for pid, read_end in workers:
            answer = _read(read_end)
            os.close(read_end)
            unread.discard(read_end)
            _, status = os.waitpid(pid, 0)
            alive.discard(pid)
            if answer is None:
                raise WorkerError(f"a worker process (pid {pid}) ended without its results "
                                  f"({_status(status)})")
            for i, ok, value in answer:
                if ok:
                    results[i] = value
                else:
                    failed[i] = _revived(*value)
    finally:  # the caller failed or was interrupted: stop and reap the workers still running
        for read_end in unread:
            os.close(read_end)
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - it ended already
                pass
            os.waitpid(pid, 0)
    if failed:
        raise failed[min(failed)]
    return results


def _work(fn, items, share: list[int], write_end: int) -> None:
    """A worker's life: its share's results (or its first failure) pickled to ``write_end``; then
    ``os._exit`` without running anything of the caller's."""
    code = 1
    try:
        answer = []
        for i in share:
            try:
                answer.append((i, True, fn(items[i])))
            except Exception as exc:
                answer.append((i, False, (type(exc), exc.args, dict(vars(exc)))))
                break
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception (or result) that cannot be pickled: say what it was
            i, ok, value = answer[-1]
            if ok:
                raise
            cls, args, _ = value
            answer[-1] = (i, False, (WorkerError, (f"{cls.__name__}: {', '.join(map(str, args))}",), {}))
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view):]
        code = 0
    except BaseException:  # interrupted, or the caller is gone (a broken pipe): nothing to say
        pass
    finally:
        os._exit(code)


def _revived(cls: type, args: tuple, state: dict) -> BaseException:
    """A worker's exception as it was raised there: its class, arguments and attributes (not
    through ``cls(*args)``: an exception's constructor need not take back its own ``args``)."""
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


def _read(read_end: int):
    """A worker's answer (read to the end of the pipe), or None if it ended without one."""
    chunks = []
    while True:
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    if not chunks:
        return None
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # cut short: the worker died while writing
        return None


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            return f"killed by {signal.Signals(sig).name}"
        except ValueError:  # pragma: no cover
            return f"killed by signal {sig}"
    return f"exit status {os.WEXITSTATUS(status)}"
