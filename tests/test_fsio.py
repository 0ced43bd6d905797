"""Bounded input and safe output (redline/fsio.py): what a command reads and where it may write.

Inputs are regular files of bounded size (no FIFO, device or endless file can make a command hang
or grow); ``-o`` never names an input or a file of the corpus, writes through to devices, FIFOs
and ``-``, follows symbolic links, and every OS error is one ``Error:`` line naming the path.
"""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from redline import fsio
from redline.errors import CorpusError, FileError, InputRefused, OutputRefused


def _error_line(result) -> str:
    assert "Traceback" not in result.output, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


# ---------------------------------------------------------------------------------------------
# inputs


def test_read_input_reads_a_regular_file_through_a_symlink(tmp_path):
    f = tmp_path / "f.xml"
    f.write_bytes(b"<x/>")
    link = tmp_path / "link.xml"
    link.symlink_to(f)
    assert fsio.read_input(link, limit=100, what="file") == b"<x/>"


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null", "dir"])
def test_read_input_refuses_what_is_not_a_regular_file(tmp_path, special):
    if special == "fifo":
        path = tmp_path / "pipe.xml"
        os.mkfifo(path)  # nobody writes to it: reading would block forever
    elif special == "dir":
        path = tmp_path
    else:
        path = tmp_path / "link.xml"
        path.symlink_to(special)
    with pytest.raises(InputRefused, match="not a regular file|is a directory") as info:
        fsio.read_input(path, limit="modification", what="modification file")
    assert info.value.exit_code == 2 and str(path) in str(info.value)


def test_read_input_checks_the_size_before_reading(tmp_path, monkeypatch):
    f = tmp_path / "big.xml"
    f.write_bytes(b"x" * 2048)
    with pytest.raises(InputRefused, match=r"is 2 kB, more than the 1 kB a modification file may be"):
        fsio.read_input(f, limit=1024, what="modification file")
    monkeypatch.setenv(fsio.LIMIT_ENV, "1K")
    with pytest.raises(InputRefused, match="REDLINE_MAX_INPUT"):
        fsio.read_input(f, limit="modification", what="modification file")
    monkeypatch.setenv(fsio.LIMIT_ENV, "3k")
    assert len(fsio.read_input(f, limit="modification", what="modification file")) == 2048
    monkeypatch.setenv(fsio.LIMIT_ENV, "lots")
    with pytest.raises(Exception, match="is not a size"):
        fsio.read_input(f, limit="modification", what="modification file")


def test_read_input_with_the_callers_error_class(tmp_path):
    with pytest.raises(CorpusError, match=r"missing\.xml: no such section file"):
        fsio.read_input(tmp_path / "missing.xml", limit="section", what="section file", error=CorpusError)


def test_apply_dev_zero_is_refused_at_once(invoke, tmp_path):
    r = invoke("apply", "/dev/zero", "-o", tmp_path / "x")
    assert r.exit_code == 2
    assert _error_line(r) == ("Error: /dev/zero: is a character device, not a regular file "
                              "(a modification file must be a regular file)")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("command", [["versions"], ["show", "6.17", "G3.20"], ["check"], ["validate"]])
def test_a_fifo_as_manifest_does_not_hang(invoke, tmp_corpus, command):
    manifest = tmp_corpus / "manifest.xml"
    manifest.unlink()
    os.mkfifo(manifest)
    r = invoke(*command, "--corpus", tmp_corpus)
    assert r.exit_code != 0
    assert "manifest.xml: is a FIFO (named pipe), not a regular file" in _error_line(r)


def test_a_fifo_as_section_file_does_not_hang(invoke, tmp_corpus):
    g = tmp_corpus / "versions/6.17/G.xml"
    g.unlink()
    os.mkfifo(g)
    r = invoke("show", "6.17", "G3.20", "--corpus", tmp_corpus)
    assert r.exit_code == 1 and "G.xml: is a FIFO (named pipe), not a regular file" in _error_line(r)


def test_mods_listing_skips_what_is_not_a_regular_file(invoke, tmp_corpus):
    mods = tmp_corpus / "mods"
    os.mkfifo(mods / "PIPE.xml")
    (mods / "ZERO.xml").symlink_to("/dev/zero")
    (mods / "STDIN.xml").symlink_to("/dev/stdin")
    (mods / "GONE.xml").symlink_to(mods / "nowhere.xml")
    r = invoke("check", "--corpus", tmp_corpus)
    assert r.exit_code == 0, r.output
    assert "MP087      ok" in r.output and "SECMP0065  ok" in r.output
    warnings = sorted(ln for ln in r.output.splitlines() if ln.startswith("Warning: "))
    assert len(warnings) == 4, r.output
    assert f"Warning: {mods / 'PIPE.xml'}: skipped: it is a FIFO (named pipe), not a regular file" in warnings
    assert f"Warning: {mods / 'ZERO.xml'}: skipped: it is a character device, not a regular file" in warnings
    assert any("GONE.xml: skipped: no such file or directory" in w for w in warnings)
    # looking a modification up by id does not open them either
    r = invoke("apply", "NOPE", "-o", "-", "--corpus", tmp_corpus)
    assert r.exit_code == 2 and "no modification 'NOPE'" in _error_line(r)


# ---------------------------------------------------------------------------------------------
# output paths


@pytest.mark.parametrize("target", ["mods/MP087.xml", "versions/6.17/G.xml", "manifest.xml", "new-file.xml",
                                    "versions/6.17"])
@pytest.mark.parametrize("command", [
    ["apply", "MP087", "-o", "{out}"],
    ["diff", "5.23", "6.17", "-o", "{out}"],
    ["annex", "MP087", "--format", "html", "-o", "{out}"],
    ["xref", "--mod", "MP087", "--update-references", "-o", "{out}"],
])
def test_output_inside_the_corpus_is_refused(invoke, tmp_corpus, target, command):
    from faults import snapshot

    before = snapshot(tmp_corpus)
    out = tmp_corpus / target
    r = invoke(*[a.format(out=out) for a in command], "--corpus", tmp_corpus)
    assert r.exit_code == 2
    assert _error_line(r) == (f"Error: {out}: is inside the corpus being read ({tmp_corpus}); "
                              "write the output outside it")
    assert snapshot(tmp_corpus) == before


def test_output_naming_the_input_is_refused(invoke, tmp_path):
    mod = tmp_path / "my-mod.xml"
    mod.write_bytes((Path(__file__).parent.parent / "corpus/mods/MP087.xml").read_bytes())
    original = mod.read_bytes()
    twin = tmp_path / "twin.xml"
    os.link(mod, twin)  # the same file under another name
    via = tmp_path / "via.xml"
    via.symlink_to(mod)
    for out in (mod, twin, via, tmp_path / "." / "my-mod.xml"):
        for command in (["apply", mod, "-o", out], ["annex", mod, "--format", "html", "-o", out],
                        ["xref", "--mod", mod, "--update-references", "-o", out]):
            r = invoke(*command)
            assert r.exit_code == 2, r.output
            assert _error_line(r).startswith(f"Error: {out}: is an input of this command ({mod})")
    assert mod.read_bytes() == original


def test_empty_output_path_is_refused(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["apply", "MP087"], ["diff", "5.23", "6.17"], ["annex", "MP087"], ["xref", "6.17"]):
        r = invoke(*command, "-o", "")
        assert r.exit_code == 2
        assert "an empty path names no file" in _error_line(r)
    assert list(tmp_path.iterdir()) == []


def test_output_to_a_directory_is_refused(invoke, tmp_path):
    r = invoke("diff", "5.23", "6.17", "-o", tmp_path)
    assert r.exit_code == 2 and _error_line(r) == f"Error: {tmp_path}: is a directory; give a file name"


def test_output_to_dev_null_writes_through(invoke):
    before = os.stat("/dev/null")
    r = invoke("apply", "MP087", "-o", "/dev/null")
    assert r.exit_code == 0, r.output
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


def test_output_to_a_fifo_writes_through(invoke, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(Path(fifo).read_bytes()))
    reader.start()
    r = invoke("diff", "5.23", "6.17", "--format", "json", "-o", fifo)
    reader.join(10)
    assert r.exit_code == 0, r.output
    assert got and got[0].startswith(b"{") and b'"G1.10"' in got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_symlink_replaces_its_target(invoke, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    r = invoke("diff", "5.23", "6.17", "--format", "json", "-o", link)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert target.read_text().startswith("{")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the file's permissions are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_output_with_a_too_long_name(invoke, tmp_path):
    out = tmp_path / ("x" * 300 + ".xml")
    r = invoke("apply", "MP087", "-o", out)
    assert r.exit_code == 1
    assert _error_line(r) == f"Error: {out}: cannot write: file name too long"


def test_output_into_a_missing_directory(invoke, tmp_path):
    out = tmp_path / "nope" / "x.xml"
    r = invoke("apply", "MP087", "-o", out)
    assert r.exit_code == 1 and "does not exist" in _error_line(r)


# ---------------------------------------------------------------------------------------------
# leftovers


def test_dead_writers_leftovers_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / ".out.json.0badc0de.redline-tmp"
    dead.write_bytes(b"half")
    dead_dir = tmp_path / ".out.0badbeef.redline-tmp"
    dead_dir.mkdir()
    (dead_dir / "G.xml").write_bytes(b"half")
    live = tmp_path / ".other.json.12345678.redline-tmp"
    live.write_bytes(b"being written")
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a live writer holds it
    mine = tmp_path / ".notes.txt"  # not a redline name: never touched
    mine.write_text("keep")
    try:
        fsio.write_output(b"{}", tmp_path / "out.json")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, mine.name, "out.json"])
    finally:
        os.close(fd)
    fsio.write_output(b"{}", tmp_path / "out.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, "out.json"])


def test_temp_names_stay_within_name_max():
    name = fsio.temp_name("é" * 200)
    assert len(name.encode()) <= fsio.NAME_MAX and fsio.is_temp_name(name)


def test_write_output_refuses_without_writing(tmp_path):
    inp = tmp_path / "in.xml"
    inp.write_text("input")
    with pytest.raises(OutputRefused):
        fsio.write_output(b"x", inp, inputs=[inp])
    with pytest.raises(OutputRefused):
        fsio.write_output(b"x", tmp_path / "c" / "f", corpus=tmp_path / "c")
    assert inp.read_text() == "input"


def test_a_failed_write_names_the_path_given(tmp_path, monkeypatch):
    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(FileError) as info:
        fsio.write_output(b"x", tmp_path / "o.txt")
    assert str(info.value) == f"{tmp_path / 'o.txt'}: cannot write: no space left on the device"
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# standard output (real processes: the tests' own streams are not a terminal's)


def _redline(*args, **kw):
    return subprocess.run([sys.executable, "-m", "redline", *args], capture_output=True, text=True, timeout=60,
                          **kw)


def test_closed_stdout_is_an_error():
    p = subprocess.run([sys.executable, "-m", "redline", "versions"], stdout=None, stderr=subprocess.PIPE,
                       text=True, timeout=60, preexec_fn=lambda: os.close(1))
    assert p.returncode == 1
    assert p.stderr.strip() == "Error: standard output: cannot write: it is closed"


def test_full_stdout_is_an_error():
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "redline", "versions"], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=60)
    assert p.returncode == 1
    assert p.stderr.strip() == "Error: standard output: cannot write: no space left on the device"


def test_stdout_with_no_reader_is_an_error():
    r, w = os.pipe()
    os.close(r)  # the reader is gone before redline writes
    p = subprocess.run([sys.executable, "-m", "redline", "diff", "5.23", "6.17"], stdout=w,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(w)
    assert p.returncode == 1
    assert p.stderr.strip() == "Error: standard output: cannot write: broken pipe (the reader went away)"


def test_output_through_a_dangling_symlink_creates_its_target(invoke, tmp_path):
    link = tmp_path / "link.xml"
    link.symlink_to(tmp_path / "made.xml")
    r = invoke("apply", "MP087", "-o", link)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and (tmp_path / "made.xml").read_text().startswith("<?xml")
    gone = tmp_path / "gone.xml"
    gone.symlink_to(tmp_path / "nowhere" / "x.xml")
    r = invoke("apply", "MP087", "-o", gone)
    assert r.exit_code == 1
    assert _error_line(r) == f"Error: {gone}: cannot write: directory {tmp_path / 'nowhere'} does not exist"


def test_output_through_a_symlink_loop(invoke, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    r = invoke("apply", "MP087", "-o", a)
    assert r.exit_code == 1
    assert _error_line(r) == f"Error: {a}: cannot write: too many levels of symbolic links"


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_output_cut_short_by_its_reader_is_an_error(tmp_corpus, unbuffered):
    """A reader that goes away in the middle of a long output (``| head -c 100``): an error, not
    exit 0 with the rest lost, also when Python's output is unbuffered (PYTHONUNBUFFERED=1, as
    in many containers, where a short write to a pipe is otherwise not an error)."""
    from lxml import etree

    # a clause of 100,000 words with one word changed: half a megabyte of output (far more than a
    # pipe holds) from a cheap diff
    for version, word in (("5.23", "Party"), ("6.17", "User")):
        path = tmp_corpus / "versions" / version / "G.xml"
        tree = etree.parse(str(path))
        tree.find(".//clause[@num='G1.2']/text").text = " ".join(
            f"{word if i == 7 else 'Party'} {i} shall notify." for i in range(20_000))
        tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    env = dict(os.environ, PYTHONUNBUFFERED=unbuffered)
    p = subprocess.Popen([sys.executable, "-m", "redline", "diff", "5.23", "6.17", "--no-color", "--corpus",
                          str(tmp_corpus)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert len(p.stdout.read(100)) == 100
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(60) == 1
    assert err.strip() == "Error: standard output: cannot write: broken pipe (the reader went away)"
