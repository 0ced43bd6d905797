"""The console entry point (``redline``, ``python -m redline``) as a separate process: exit codes
and every byte of output survive the exit, and a reader that goes away early gets no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from redline.cli import main


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "redline", *args], capture_output=True, text=True, timeout=120)


def test_success_keeps_all_output(runner):
    p = _run("diff", "5.23", "6.17", "--no-color")
    assert p.returncode == 0, p.stderr
    expected = runner.invoke(main, ["diff", "5.23", "6.17", "--no-color"]).output
    assert p.stdout == expected and len(expected) > 100


def test_large_output_through_a_pipe_is_complete():
    p = _run("show", "6.17", "G", "--format", "xml")
    assert p.returncode == 0, p.stderr
    assert p.stdout.rstrip().endswith("</section>")


@pytest.mark.parametrize("args,code,message", [
    (["show", "6.17", "G3.99"], 1, "Error: G3.99 is not in version 6.17"),
    (["diff", "5.23", "--bogus"], 2, "No such option"),
    (["show", "9.99", "G1"], 1, "Error:"),
])
def test_errors_keep_their_exit_code_and_message(args, code, message):
    p = _run(*args)
    assert p.returncode == code
    assert message in p.stderr
    assert "Traceback" not in p.stderr


def test_help_and_version():
    assert _run("--help").returncode == 0
    p = _run("--version")
    assert p.returncode == 0 and "redline" in p.stdout


def test_a_reader_that_stops_early_sees_no_traceback():
    p = subprocess.Popen([sys.executable, "-m", "redline", "show", "6.17", "G", "--format", "xml"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(timeout=120)
    assert "Traceback" not in err and "Exception ignored" not in err
