"""Fault injection on every writing command: nothing lost, nothing half-written, nothing left over.

For each command that writes to the corpus (:data:`CORPUS_WRITERS`) and each that writes an
``-o`` file (:data:`OUTPUT_WRITERS`), the tests first count the file-system calls the command
makes that change the disk (open for writing, write, fsync, rename/replace, link, mkdir; see
``tests/faults.py``), then:

* fail each of them in turn with ENOSPC, and the first call of each kind also with EACCES, EROFS
  or EIO (where a real system raises them): the run ends with one ``Error:`` line naming a path and a non-zero exit, the
  corpus is byte for byte as it was, no temporary file is left, and an output file is absent
  (or unchanged if it existed);
* kill the process (SIGKILL) at each of them: after the next write (which recovers), the corpus
  is either exactly as before or exactly as a successful run leaves it, ``redline validate``
  passes, nothing hidden is left, and an interrupted version id can be used again;
* run 20 corpus writers at once (and 2 and 5 of the first): every version is recorded (or, for
  the same id, all but one are clearly refused).

A new writing command is covered by adding one line to :data:`CORPUS_WRITERS` or
:data:`OUTPUT_WRITERS`.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faults import Faults, fork_run, hidden, run_together, snapshot

from redline.cli import main

#: a document to import (read where it is: the bundled corpus is never written)
SRC = str(Path(__file__).resolve().parent.parent / "corpus" / "sources" / "003_15a3fa53e473668b.txt")

#: commands that write to the corpus: ``{id}`` is replaced by a fresh version id (a command
#: without it changes an existing version), ``{src}`` by a document to import
CORPUS_WRITERS = [
    pytest.param(["apply", "MP087", "--as", "{id}"], id="apply--as"),
    pytest.param(["release", "2019-11", "--as", "{id}"], id="release--as"),
    pytest.param(["import", "{src}", "--into", "5.23", "--as", "{id}"], id="import--into--as"),
    pytest.param(["import", "{src}", "--into", "5.23"], id="import--into"),
    pytest.param(["import", "{src}", "--into", "5.23", "--replace-section"], id="import--into--replace-section"),
]

#: commands that write an output file: ``{out}`` is replaced by the output path
OUTPUT_WRITERS = [
    pytest.param(["apply", "MP087", "-o", "{out}"], id="apply-o"),
    pytest.param(["annex", "MP087", "--format", "docx", "-o", "{out}"], id="annex-docx"),
    pytest.param(["annex", "SECMP0065", "--format", "html", "-o", "{out}"], id="annex-html"),
    pytest.param(["diff", "5.23", "6.17", "--format", "json", "-o", "{out}"], id="diff-json"),
    pytest.param(["xref", "6.17", "--format", "json", "-o", "{out}"], id="xref-json"),
    pytest.param(["xref", "--mod", "MP087", "--update-references", "-o", "{out}"], id="xref-update"),
    pytest.param(["release", "2019-11", "--redline", "docx", "-o", "{out}"], id="release-redline-docx"),
    pytest.param(["new", "MP901", "--base", "6.17", "--target", "G3.20", "-o", "{out}"], id="new"),
    pytest.param(["rebase", "MP087", "--onto", "5.23", "-o", "{out}"], id="rebase"),
    pytest.param(["import", "{src}", "-o", "{out}"], id="import-o"),
    pytest.param(["export", "6.17", "--format", "docx", "--date", "2020-01-01", "-o", "{out}"], id="export-docx"),
    pytest.param(["import-annex", "{annex}", "--base", "6.17", "-o", "{out}"], id="import-annex"),
]

#: the errors a system raises at each kind of call (ENOSPC can come from any of them)
_ERRNOS = {
    "open": (errno.ENOSPC, errno.EACCES, errno.EROFS),
    "mkdir": (errno.ENOSPC, errno.EACCES, errno.EROFS),
    "write": (errno.ENOSPC, errno.EIO),
    "fsync": (errno.ENOSPC, errno.EIO),
    "replace": (errno.ENOSPC, errno.EACCES),
    "rename": (errno.ENOSPC, errno.EACCES),
    "link": (errno.ENOSPC, errno.EACCES),
}


def _run(args, corpus, monkeypatch=None, faults=None):
    from click.testing import CliRunner

    if faults is not None:
        faults.install(monkeypatch)
    try:
        return CliRunner().invoke(main, [*map(str, args), "--corpus", str(corpus)], catch_exceptions=False)
    finally:
        if monkeypatch is not None:
            monkeypatch.undo()


def _errnos(points: list[str], at: int) -> tuple[int, ...]:
    """The errors to raise at call ``at``: ENOSPC at every call (a disk can fill at any moment),
    the others a system raises for that kind of call at its first occurrence (a permission or a
    read-only file system shows at the first call of a kind, not in the middle of a run)."""
    op = points[at - 1]
    return _ERRNOS[op] if points.index(op) == at - 1 else (errno.ENOSPC,)


def _reason(code: int) -> str:
    from redline.fsio import reason

    return reason(OSError(code, os.strerror(code)))


def _fill(args, **values):
    values.setdefault("src", SRC)
    if any("{annex}" in a for a in args):
        values.setdefault("annex", _annex_docx())
    return [a.format(**values) for a in args]


_ANNEX: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _annex_document(tmp_path_factory):
    """MP087's Annex A as DOCX (made once, outside any corpus), for ``import-annex``."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("annex") / "MP087-annex-a.docx"
    r = CliRunner().invoke(main, ["annex", "MP087", "--format", "docx", "--date", "2020-01-01", "-o", str(out)])
    assert r.exit_code == 0, r.output
    _ANNEX[:] = [out]
    yield


def _annex_docx() -> Path:
    return _ANNEX[0]


def _error_line(result) -> str:
    assert "Traceback" not in result.output, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def _points(args, corpus, tmp_path, monkeypatch) -> list[str]:
    """The disk-changing calls of one successful run of ``args`` on a copy of ``corpus``."""
    scratch = tmp_path / "count"
    shutil.copytree(corpus, scratch / "corpus")
    counter = Faults()
    r = _run(_fill(args, id="counted", out=scratch / "out"), scratch / "corpus", monkeypatch, counter)
    assert r.exit_code == 0, r.output
    shutil.rmtree(scratch)
    assert counter.calls, "the command wrote nothing through redline's own code"
    return counter.calls


def _validate(corpus) -> None:
    from click.testing import CliRunner

    r = CliRunner().invoke(main, ["validate", "--corpus", str(corpus)], catch_exceptions=False)
    assert r.exit_code == 0, r.output


def _committed_state(args, corpus, tmp_path) -> dict:
    """The snapshot of ``corpus`` after one successful run of ``args`` (with id v1) on a copy."""
    done = tmp_path / "done"
    shutil.copytree(corpus, done)
    assert fork_run(_fill(args, id="v1"), done) == 0
    after = snapshot(done)
    shutil.rmtree(done)
    return after


@pytest.mark.parametrize("args", CORPUS_WRITERS)
def test_corpus_writer_fails_cleanly_at_every_call(args, tmp_corpus, tmp_path, monkeypatch):
    points = _points(args, tmp_corpus, tmp_path, monkeypatch)
    before = snapshot(tmp_corpus)
    after = _committed_state(args, tmp_corpus, tmp_path)
    failed = 0
    for at, op in enumerate(points, 1):
        for code in _errnos(points, at):
            r = _run(_fill(args, id="v1"), tmp_corpus, monkeypatch, Faults(at, code))
            if r.exit_code == 0:  # a fault after the commit (removing the journal) changes nothing
                assert snapshot(tmp_corpus) == after, (op, at, code)
                shutil.rmtree(tmp_corpus)
                _restore(tmp_corpus, before)
                continue
            failed += 1
            line = _error_line(r)
            assert line.startswith(f"Error: {tmp_corpus}") and _reason(code) in line, line
            assert snapshot(tmp_corpus) == before, (op, at, code)
    assert failed >= len(points)  # every call before the commit failed the run
    # and once more without a fault: the id that failed every time is free
    r = _run(_fill(args, id="v1"), tmp_corpus)
    assert r.exit_code == 0, r.output
    assert snapshot(tmp_corpus) == after
    _validate(tmp_corpus)
    assert hidden(tmp_corpus) == []


@pytest.mark.parametrize("args", OUTPUT_WRITERS)
def test_output_writer_fails_cleanly_at_every_call(args, tmp_corpus, tmp_path, monkeypatch):
    points = _points(args, tmp_corpus, tmp_path, monkeypatch)
    before = snapshot(tmp_corpus)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    existing = out_dir / "existing"
    existing.write_bytes(b"the old output\n")
    for at, op in enumerate(points, 1):
        for code in _errnos(points, at):
            for out in (out_dir / "new", existing):
                r = _run(_fill(args, out=out), tmp_corpus, monkeypatch, Faults(at, code))
                if r.exit_code == 0:  # a fault after the rename (flushing the directory): whole file
                    assert op == "fsync" and out.stat().st_size > 0
                    out.unlink() if out.name == "new" else out.write_bytes(b"the old output\n")
                    continue
                line = _error_line(r)
                if out == existing and r.exit_code == 2 and "already exists" in line:
                    continue  # a command that never replaces a file (redline new)
                assert line.startswith(f"Error: {out}: ") and _reason(code) in line, line
                assert sorted(p.name for p in out_dir.iterdir()) == ["existing"], (op, at, code)
                assert existing.read_bytes() == b"the old output\n"
    assert snapshot(tmp_corpus) == before


def _recover(corpus) -> None:
    """What the next writer does first: take the lock and recover."""
    from redline.corpus import Corpus

    with Corpus.open(corpus).transaction():
        pass


@pytest.mark.parametrize("args", CORPUS_WRITERS)
def test_corpus_writer_killed_at_every_call(args, tmp_corpus, tmp_path, monkeypatch):
    points = _points(args, tmp_corpus, tmp_path, monkeypatch)
    before = snapshot(tmp_corpus)
    after = _committed_state(args, tmp_corpus, tmp_path)
    outcomes = set()
    for at in range(1, len(points) + 1):
        status = fork_run(_fill(args, id="v1"), tmp_corpus, Faults(at, kill=True))
        assert status == -signal.SIGKILL, (at, points[at - 1], status)
        _recover(tmp_corpus)
        now = snapshot(tmp_corpus)
        assert now in (before, after), (at, points[at - 1])
        assert hidden(tmp_corpus) == []
        _validate(tmp_corpus)
        outcomes.add("committed" if now == after else "undone")
        if now == after:  # put the corpus back for the next kill
            shutil.rmtree(tmp_corpus)
            _restore(tmp_corpus, before)
    assert outcomes == {"committed", "undone"}, outcomes
    # an interrupted id can be used again
    assert fork_run(_fill(args, id="v1"), tmp_corpus) == 0
    assert snapshot(tmp_corpus) == after


def _restore(root: Path, snap: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in sorted(snap.items()):
        p = root / rel
        if data is None:
            p.mkdir(parents=True, exist_ok=True)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)


@pytest.mark.parametrize("args", CORPUS_WRITERS)
def test_corpus_writer_killed_at_random_times(args, tmp_corpus):
    """Real processes killed after a random delay (the points above, but with real timing)."""
    rng = random.Random(11)
    env = dict(os.environ, REDLINE_CORPUS=str(tmp_corpus))
    for i in range(2):
        cmd = [sys.executable, "-m", "redline", *_fill(args, id=f"r{i}")]
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 0.9))
        p.kill()
        p.wait()
        _recover(tmp_corpus)
        assert hidden(tmp_corpus) == []
        _validate(tmp_corpus)
    from redline.corpus import Corpus

    for i in range(2):  # every id is either there or can be used now
        if "{id}" not in args or f"r{i}" not in Corpus.open(tmp_corpus).version_ids:
            assert fork_run(_fill(args, id=f"r{i}"), tmp_corpus) == 0
    if "{id}" in args:
        assert {"r0", "r1"} <= set(Corpus.open(tmp_corpus).version_ids)


def _concurrency_cases():
    """20 writers at once for every corpus writer; 2 and 5 for the first as well (the lock and the
    re-read manifest are shared, so 20 of each is the test that matters)."""
    for k, writer in enumerate(CORPUS_WRITERS):
        for n in ([2, 5, 20] if k == 0 else [20]):
            yield pytest.param(writer.values[0], n, id=f"{writer.id}-{n}")


@pytest.mark.parametrize("args, n", list(_concurrency_cases()))
def test_concurrent_writers_all_recorded(args, n, tmp_corpus):
    from redline.corpus import Corpus

    codes = run_together([_fill(args, id=f"c{i}") for i in range(n)], tmp_corpus)
    assert codes == [0] * n
    assert hidden(tmp_corpus) == []
    _validate(tmp_corpus)
    if "{id}" not in args:  # each replaced the same section: all done, one after the other
        return
    ids = Corpus.open(tmp_corpus).version_ids
    assert sorted(i for i in ids if i.startswith("c")) == sorted(f"c{i}" for i in range(n))
    assert sorted(p.name for p in (tmp_corpus / "versions").iterdir()) == sorted(
        ["5.20", "5.23", "6.17"] + [f"c{i}" for i in range(n)])
    assert hidden(tmp_corpus) == []
    _validate(tmp_corpus)


def test_concurrent_writers_of_every_kind_at_once(tmp_corpus):
    """Every corpus writer at once, twice each (new versions and sections replaced in place, by
    apply, release and import): every run that succeeds is recorded. The one clear refusal
    allowed is ``import --into 5.23 --as``'s when another writer rewrote 5.23's section while it
    worked from it ("version 5.23 changed while this command was working from it …; nothing was
    written: run the command again"): it then leaves nothing, and run again it succeeds."""
    from redline.corpus import Corpus

    runs = [_fill(w.values[0], id=f"m{k}{i}") for k, w in enumerate(CORPUS_WRITERS) for i in range(2)]
    codes = run_together(runs, tmp_corpus)
    refused = [a for a, code in zip(runs, codes) if code != 0]
    assert all(code in (0, 1) for code in codes), codes
    assert all("--into" in a and "--as" in a for a in refused), refused
    for args in refused:  # run again, alone: it succeeds
        assert fork_run(args, tmp_corpus) == 0
    made = sorted(a[a.index("--as") + 1] for a in runs if "--as" in a)
    ids = Corpus.open(tmp_corpus).version_ids
    assert sorted(i for i in ids if i.startswith("m")) == made
    assert sorted(p.name for p in (tmp_corpus / "versions").iterdir()) == sorted(["5.20", "5.23", "6.17"] + made)
    assert hidden(tmp_corpus) == []
    _validate(tmp_corpus)


@pytest.mark.parametrize("args", [w for w in CORPUS_WRITERS if "{id}" in w.values[0]])
def test_concurrent_writers_of_one_id_one_wins(args, tmp_corpus):
    from redline.corpus import Corpus

    codes = sorted(run_together([_fill(args, id="same")] * 5, tmp_corpus))
    assert codes[0] == 0 and all(c != 0 for c in codes[1:]), codes
    assert Corpus.open(tmp_corpus).version_ids.count("same") == 1
    assert hidden(tmp_corpus) == []
    _validate(tmp_corpus)


def _replace_g(corpus_dir) -> None:
    """A transaction that replaces a section file of an existing version and records a source
    (the path ``import --into`` takes): G3.20(b) of 6.17 reworded."""
    import copy

    from redline.corpus import Corpus, Source

    c = Corpus.open(corpus_dir)
    root = copy.deepcopy(c.load("6.17").sections["G"])
    text = root.find(".//clause[@num='G3.20']/item[@num='(b)']/text")
    text.text = text.text.replace("Gas Proxy Function", "Gas Proxy Capability")
    with c.transaction() as tx:
        tx.put_section("6.17", root, source=Source("seed-099", "sources/x.txt", "A paper", "2021-01-01"))


def test_replacing_a_section_fails_or_dies_cleanly_at_every_call(tmp_corpus, tmp_path, monkeypatch):
    from redline.errors import FileError

    before = snapshot(tmp_corpus)
    done = tmp_path / "done"
    shutil.copytree(tmp_corpus, done)
    counter = Faults().install(monkeypatch)
    _replace_g(done)
    monkeypatch.undo()
    after = snapshot(done)
    assert after != before and "link" in counter.calls
    for at, op in enumerate(counter.calls, 1):
        faults = Faults(at, errno.ENOSPC).install(monkeypatch)
        try:
            _replace_g(tmp_corpus)
            assert snapshot(tmp_corpus) == after, (at, op)  # a fault after the commit
            shutil.rmtree(tmp_corpus)
            _restore(tmp_corpus, before)
        except FileError as exc:
            assert "no space left" in str(exc)
            assert snapshot(tmp_corpus) == before, (at, op)
        finally:
            monkeypatch.undo()
        assert faults.calls
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            Faults(at, kill=True).install()
            try:
                _replace_g(tmp_corpus)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == -signal.SIGKILL
        _recover(tmp_corpus)
        assert snapshot(tmp_corpus) in (before, after), (at, op)
        assert hidden(tmp_corpus) == []
        if snapshot(tmp_corpus) == after:
            shutil.rmtree(tmp_corpus)
            _restore(tmp_corpus, before)
