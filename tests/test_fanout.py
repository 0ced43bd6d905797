"""redline.fanout.map_jobs: the same answer as ``[fn(x) for x in items]``, whoever computes it.

The results in order, the first failing job's exception (its class, message and attributes) as
if it had been raised here, a worker that dies named as such, and no worker process left behind
whatever happens (a test that ends with a child still alive fails)."""

from __future__ import annotations

import os
import signal
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline.errors import SourceError, UnknownVersion
from redline.fanout import WorkerError, available_cpus, map_jobs, shares

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")

PARENT = os.getpid()


@pytest.fixture(autouse=True)
def no_worker_left():
    yield
    with pytest.raises(ChildProcessError):  # every worker was reaped: this process has no child
        os.waitpid(-1, os.WNOHANG)


def where(x):
    """(x squared, the pid that computed it)."""
    return x * x, os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3, 8])
def test_results_in_order_and_the_work_shared(jobs):
    items = list(range(23))
    got = map_jobs(where, items, jobs=jobs, weight=lambda x: 1 + x % 5)
    assert [v for v, _ in got] == [x * x for x in items]
    pids = {pid for _, pid in got}
    assert len(pids) == min(jobs, len(items)) and PARENT in pids


def test_one_job_or_one_item_runs_here():
    assert map_jobs(where, [3], jobs=4) == [(9, PARENT)]
    assert map_jobs(where, [1, 2], jobs=1) == [(1, PARENT), (4, PARENT)]
    assert map_jobs(where, [], jobs=4) == []


def test_default_is_the_cpus_available():
    got = map_jobs(where, range(10))
    assert len({pid for _, pid in got}) == min(available_cpus(), 10)


def fail_at(bad):
    def fn(x):
        if x in bad:
            raise SourceError(f"no clause in piece {x}", f"doc.docx#{x}", x + 1)
        return x
    return fn


@pytest.mark.parametrize("jobs", [1, 2, 4])
@pytest.mark.parametrize("bad", [{0}, {5}, {3, 6}, {7, 2}, {9}])
def test_the_first_failing_job_is_raised_as_if_here(jobs, bad):
    with pytest.raises(SourceError) as info:
        map_jobs(fail_at(bad), range(10), jobs=jobs)
    first = min(bad)
    assert str(info.value) == f"doc.docx#{first}:{first + 1}: no clause in piece {first}"
    assert (info.value.file, info.value.line, info.value.detail) == (f"doc.docx#{first}", first + 1,
                                                                      f"no clause in piece {first}")


def unknown_version(x):
    if x == 3:
        raise UnknownVersion("9.9", ["5.20", "6.17"])  # its constructor does not take back its args
    return x


def test_an_exception_comes_back_with_its_attributes():
    with pytest.raises(UnknownVersion) as info:
        map_jobs(unknown_version, range(4), jobs=2)
    assert info.value.version == "9.9" and info.value.known == ["5.20", "6.17"]
    assert str(info.value) == "unknown version '9.9'; the corpus holds: 5.20, 6.17"


class Unpicklable(Exception):
    def __init__(self, msg):
        super().__init__(msg)
        self.handle = lambda: None  # a lambda cannot be pickled


def unpicklable(x):
    if os.getpid() != PARENT:
        raise Unpicklable(f"odd piece {x}")
    return x


def test_an_exception_that_cannot_travel_is_named():
    with pytest.raises(WorkerError, match=r"Unpicklable: odd piece \d"):
        map_jobs(unpicklable, range(4), jobs=2)


def killed(x):
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def test_a_worker_that_dies_is_an_error_that_says_so():
    with pytest.raises(WorkerError, match="ended without its results.*SIGKILL"):
        map_jobs(killed, range(4), jobs=2)


def slow_elsewhere(x):
    if os.getpid() != PARENT:
        time.sleep(60)
        return x
    raise KeyboardInterrupt


def test_the_caller_interrupted_stops_its_workers_at_once():
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_jobs(slow_elsewhere, range(6), jobs=3)
    assert time.monotonic() - start < 30  # the workers were killed, not waited for


@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=40), st.integers(min_value=1, max_value=6))
def test_shares_deal_every_job_once_and_evenly(weights, n):
    dealt = shares(weights, n)
    assert sorted(i for s in dealt for i in s) == list(range(len(weights)))
    assert all(s == sorted(s) and s for s in dealt) and len(dealt) <= n
    if len(dealt) == n:  # greedy dealing, heaviest first: no share exceeds another by more than one job
        loads = [sum(weights[i] for i in s) for s in dealt]
        assert max(loads) - min(loads) <= max(weights)


def test_no_process_to_be_had_means_the_caller_does_the_work(monkeypatch):
    def refuse():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    assert map_jobs(where, range(7), jobs=3) == [(x * x, PARENT) for x in range(7)]
