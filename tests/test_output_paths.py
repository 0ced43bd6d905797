"""``-o`` on every command that writes a file (issue 11, item 2), one table for all of them.

For each writing command (:data:`WRITERS`; a new one is covered by adding a line): an empty path,
a file of the corpus being read, and each of the command's input files (under its own name, a
hard link and a symbolic link) are refused with exit 2 and one ``Error:`` line before anything is
written; a device (``/dev/null``) and a FIFO are written through and stay what they are; a
symbolic link keeps pointing where it did and the file it names is replaced. And no command
declares ``-o`` with another type than the one that refuses ``''`` (click's ``Path`` turns ``''``
into ``.``, the current directory).
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import click
import pytest
from faults import snapshot

from redline.cli import COMMANDS, main
from redline.cli.common import OutputPath

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "corpus" / "sources" / "003_15a3fa53e473668b.txt"

#: command -> (arguments with ``{out}`` and the inputs ``{mod}``, ``{src}``, ``{annex}``; the inputs it reads)
WRITERS = {
    "apply": (["apply", "{mod}", "-o", "{out}"], ["mod"]),
    "annex": (["annex", "{mod}", "--format", "html", "-o", "{out}"], ["mod"]),
    "diff": (["diff", "5.23", "6.17", "--format", "json", "-o", "{out}"], []),
    "xref": (["xref", "6.17", "--format", "json", "-o", "{out}"], []),
    "xref-update": (["xref", "--mod", "{mod}", "--update-references", "-o", "{out}"], ["mod"]),
    "release-redline": (["release", "{mod}", "--onto", "6.17", "--redline", "html", "-o", "{out}"], ["mod"]),
    "rebase": (["rebase", "{mod}", "--onto", "6.17", "-o", "{out}"], ["mod"]),
    "new": (["new", "MP901", "--base", "6.17", "--target", "G3.20", "-o", "{out}"], []),
    "import": (["import", "{src}", "-o", "{out}"], ["src"]),
    "export": (["export", "6.17", "--format", "html", "--date", "2020-01-01", "-o", "{out}"], []),
    "import-annex": (["import-annex", "{annex}", "--base", "6.17", "-o", "{out}"], ["annex"]),
}

#: commands that never replace an existing file (a draft is not overwritten)
NEVER_REPLACES = {"new"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """Input files of the commands, private copies (so that a failure could not harm the repository's)."""
    from click.testing import CliRunner

    d = tmp_path_factory.mktemp("inputs")
    (d / "my-mod.xml").write_bytes((ROOT / "corpus" / "mods" / "MP087.xml").read_bytes())
    (d / "section.txt").write_bytes(SRC.read_bytes())
    r = CliRunner().invoke(main, ["annex", "MP087", "--format", "docx", "--date", "2020-01-01", "-o",
                                  str(d / "annex.docx")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return {"mod": d / "my-mod.xml", "src": d / "section.txt", "annex": d / "annex.docx"}


def _run(name, out, inputs, corpus):
    from click.testing import CliRunner

    args, _ = WRITERS[name]
    argv = [a.format(out=out, **{k: str(v) for k, v in inputs.items()}) for a in args]
    return CliRunner().invoke(main, [*argv, "--corpus", str(corpus)], catch_exceptions=False)


def _error_line(result) -> str:
    assert "Traceback" not in result.output, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def test_every_writing_command_is_in_the_table():
    """Every command with ``-o`` is listed above, and its ``-o`` refuses an empty path."""
    with_output = set()
    for name in COMMANDS:
        cmd = main.get_command(click.Context(main), name)
        for p in cmd.params:
            if "-o" in getattr(p, "opts", ()):
                with_output.add(name)
                assert isinstance(p.type, OutputPath), f"redline {name} -o is a {p.type!r}, not OUTPUT_PATH"
    assert with_output == {WRITERS[w][0][0] for w in WRITERS}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_refused_outputs_write_nothing(name, inputs, tmp_corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_corpus)
    kept = {k: v.read_bytes() for k, v in inputs.items()}
    refused = [("", "an empty path names no file"),
               (tmp_corpus / "manifest.xml", "is inside the corpus being read"),
               (tmp_corpus / "versions" / "6.17" / "G.xml", "is inside the corpus being read")]
    links = []
    for key in WRITERS[name][1]:  # each input under its own name, a hard link and a symbolic link
        twin, via = tmp_path / f"twin-{key}", tmp_path / f"via-{key}"
        os.link(inputs[key], twin)
        via.symlink_to(inputs[key])
        links += [twin, via]
        refused += [(inputs[key], "is an input of this command"), (twin, "is an input of this command"),
                    (via, "is an input of this command")]
    for out, why in refused:
        r = _run(name, out, inputs, tmp_corpus)
        assert r.exit_code == 2, (out, r.output)
        assert why in _error_line(r), (out, r.output)
    assert snapshot(tmp_corpus) == before
    assert {k: v.read_bytes() for k, v in inputs.items()} == kept
    for link in links:
        link.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_devices_fifos_and_symlinks_are_written_through(name, inputs, tmp_path):
    from tests.conftest import CORPUS

    # a device stays the device
    before = os.stat("/dev/null")
    r = _run(name, "/dev/null", inputs, CORPUS)
    assert r.exit_code == 0, r.output
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    # a FIFO is written through (read by another thread), and stays a FIFO
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = _run(name, fifo, inputs, CORPUS)
    if r.exit_code != 0:  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
    reader.join(30)
    assert r.exit_code == 0, r.output
    assert got and got[0], "nothing came through the FIFO"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # a symbolic link keeps pointing at its file, which is replaced by the output (``new`` never
    # replaces a file, through a link or not: it refuses)
    target = tmp_path / "real.out"
    target.write_bytes(b"old")
    link = tmp_path / "link.out"
    link.symlink_to(target.name)
    r = _run(name, link, inputs, CORPUS)
    assert link.is_symlink() and os.readlink(link) == "real.out"
    if name in NEVER_REPLACES:
        assert r.exit_code == 2 and "already exists" in _error_line(r)
        assert target.read_bytes() == b"old"
    else:
        assert r.exit_code == 0, r.output
        assert target.read_bytes() not in (b"old", b"") and target.read_bytes() == got[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.out", "pipe", "real.out"]
