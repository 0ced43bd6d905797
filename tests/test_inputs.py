"""Inputs on every command that reads a file it is given (issue 11, item 3), one table for all.

Each command (:data:`READERS`; a new one is covered by adding a line) refuses at once, without
reading, a FIFO (which would block), a character device (``/dev/zero`` would never end) and a file
over its documented size limit (``REDLINE_MAX_INPUT`` set low stands in for a huge file): exit 2
and one line naming the file. ``docs/guarantees.md`` lists the limits.
"""

from __future__ import annotations

import os

import pytest

from redline.cli import main

#: command -> its arguments, ``{file}`` the input given
READERS = {
    "apply": ["apply", "{file}", "-o", "-"],
    "annex": ["annex", "{file}"],
    "check": ["check", "{file}"],
    "xref": ["xref", "--mod", "{file}"],
    "rebase": ["rebase", "{file}", "--onto", "6.17", "-o", "-"],
    "release": ["release", "{file}", "--onto", "6.17"],
    "import": ["import", "{file}", "-o", "-"],
    "import-annex": ["import-annex", "{file}", "--base", "6.17"],
}


def _run(name, file, **env):
    from click.testing import CliRunner

    argv = [a.format(file=file) for a in READERS[name]]
    return CliRunner(env=env).invoke(main, argv, catch_exceptions=False)


def _says(result, *words) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 2, result.output
    assert all(w in result.output for w in words), result.output


@pytest.mark.parametrize("name", sorted(READERS))
def test_what_is_not_a_regular_file_is_refused_unread(name, tmp_path):
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)  # opening it to read would block until a writer came: it must not be opened
    _says(_run(name, fifo), "pipe.xml", "is a FIFO (named pipe), not a regular file")
    _says(_run(name, "/dev/zero"), "/dev/zero", "is a character device, not a regular file")


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_file_over_the_limit_is_refused_unread(name, tmp_path):
    big = tmp_path / "big.xml"  # sparse: 2 MB of nothing, over a 1 MB limit (the corpus's files are below it)
    with open(big, "wb") as fh:
        fh.truncate(2 * 1024 * 1024)
    _says(_run(name, big, REDLINE_MAX_INPUT="1M"), "big.xml", "is 2 MB, more than the 1 MB", "REDLINE_MAX_INPUT")
