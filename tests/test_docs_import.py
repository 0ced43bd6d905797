"""docs/import.md's worked MP087 example, run exactly as written: every command of its shell
blocks, in order, in one directory, and every line the docs show compared with what the command
prints (standard output, then standard error). Between the first block and the next the Annex A
is edited without tracking, as the docs say ("take reasonable steps" -> "take all reasonable
steps" in G3.18(b))."""

from __future__ import annotations

import io
import re
import shlex
import zipfile
from pathlib import Path

from click.testing import CliRunner

from redline.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs" / "import.md"


def _example_blocks() -> list[tuple[list[str], list[str]]]:
    text = DOCS.read_text("utf-8")
    start = text.index("### The MP087 example, worked through")
    section = text[start:text.index("\n### ", start + 10)]
    out = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        cmds, expected = [], []
        for line in block.rstrip("\n").split("\n"):
            (cmds if line.startswith("$ ") else expected).append(line)
        out.append((cmds, expected))
    return out


def _edit_without_tracking(path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                assert data.count(b"take reasonable steps") == 1
                data = data.replace(b"take reasonable steps", b"take all reasonable steps")
            z.writestr(info, data)
    path.write_bytes(buf.getvalue())


def test_the_worked_mp087_example_runs_as_written(tmp_path, monkeypatch, corpus_dir):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REDLINE_CORPUS", str(corpus_dir))
    blocks = _example_blocks()
    assert len(blocks) == 3, "the worked example has three shell blocks"
    runner = CliRunner()
    for i, (cmds, expected) in enumerate(blocks):
        if i == 1:
            _edit_without_tracking(tmp_path / "MP087-annex-a.docx")
        printed: list[str] = []
        codes = []
        for cmd in cmds:
            argv = shlex.split(cmd[2:])
            assert argv[0] == "redline"
            res = runner.invoke(main, argv[1:], catch_exceptions=False)
            codes.append(res.exit_code)
            printed += res.stdout.splitlines() + res.stderr.splitlines()
        assert printed == expected, "\n".join(printed)
        assert codes[-1] == (1 if i == 1 else 0)
    written = (tmp_path / "MP087.xml").read_text("utf-8")
    assert written.count("<substitute") == 2 and "<old>take</old>" in written


def test_the_operation_the_docs_show_is_the_one_written(tmp_path, monkeypatch, corpus_dir):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REDLINE_CORPUS", str(corpus_dir))
    runner = CliRunner()
    for cmd in _example_blocks()[0][0]:
        assert runner.invoke(main, shlex.split(cmd[2:])[1:]).exit_code == 0
    text = DOCS.read_text("utf-8")
    shown = re.search(r"```xml\n(<substitute target=\"G3.20\(b\)\">.*?</substitute>)\n```", text, re.S).group(1)
    assert shown in (tmp_path / "MP087.xml").read_text("utf-8").replace("    <", "<").replace("  </sub", "</sub")
