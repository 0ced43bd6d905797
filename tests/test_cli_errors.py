"""User errors across commands: one ``Error: …`` line, a non-zero exit, no traceback, no output file.

Each case here was once a traceback, a silent wrong answer or an exit code that CI could not tell
from a real finding.
"""

from __future__ import annotations

import pytest

MOD_UNKNOWN_BASE = """<modification id="ORPHAN" base="9.9"><title>t</title><operations>
  <substitute target="G3.20(b)"><old>Gas Proxy Function</old><new>Gas Proxy Function x</new></substitute>
</operations></modification>"""


def _error_line(result) -> str:
    """The ``Error: …`` line of a failed run (click may print a usage line first)."""
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", [
    ["annex", "MP087", "--format", "docx"],
    ["annex", "MP087", "--format", "html"],
    ["diff", "5.23", "6.17", "--format", "docx"],
    ["diff", "5.23", "6.17", "--format", "html"],
])
@pytest.mark.parametrize("date", ["2019-13-45", "2019-02-30", "yesterday", "2019"])
def test_date_that_is_not_a_calendar_date_is_refused(invoke, tmp_path, command, date):
    out = tmp_path / "out"
    r = invoke(*command, "--date", date, "-o", out)
    assert r.exit_code == 2
    assert f"'{date}' is not a date (YYYY-MM-DD)" in _error_line(r)
    assert not out.exists()


def test_date_that_is_a_calendar_date_is_used(invoke, tmp_path):
    out = tmp_path / "out.html"
    r = invoke("annex", "MP087", "--format", "html", "--date", "2020-02-29", "-o", out)
    assert r.exit_code == 0, r.output
    assert out.exists()


def test_diff_of_a_section_neither_version_holds(invoke):
    r = invoke("diff", "5.23", "6.17", "--section", "Z")
    assert r.exit_code == 1
    assert _error_line(r) == "Error: Z is not in version 5.23 or 6.17; they hold Section G"


def test_diff_of_a_held_section_in_lower_case(invoke):
    r = invoke("diff", "5.23", "6.17", "--section", "g", "--no-color")
    assert r.exit_code == 0 and "G1.10" in r.output


@pytest.mark.parametrize("command", [
    ["apply", "{mod}", "-o", "{out}"],
    ["annex", "{mod}", "--format", "html", "-o", "{out}"],
    ["xref", "--mod", "{mod}", "-o", "{out}"],
    ["xref", "--mod", "{mod}", "--update-references", "-o", "{out}"],
])
def test_modification_with_an_unknown_base(invoke, tmp_path, command):
    mod = tmp_path / "orphan.xml"
    mod.write_text(MOD_UNKNOWN_BASE)
    out = tmp_path / "out"
    r = invoke(*[a.format(mod=mod, out=out) for a in command])
    assert r.exit_code == 2
    assert _error_line(r).startswith("Error: the base of ORPHAN: unknown version '9.9'; the corpus holds: ")
    assert not out.exists()


def test_xref_exit_codes_tell_bad_input_from_findings(invoke, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("not xml")
    r = invoke("xref", "--mod", bad)
    assert r.exit_code == 2 and "bad.xml:1: not well-formed XML" in _error_line(r)
    assert invoke("xref", "6.17").exit_code == 0


@pytest.mark.parametrize("command", [["versions"], ["validate"], ["show", "6.17", "G1"], ["check"],
                                     ["xref", "6.17"], ["diff", "5.23", "6.17"]])
def test_empty_corpus_directory(invoke, tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = invoke(*command, "--corpus", empty)
    assert r.exit_code != 0
    assert r.exit_code == 2
    assert _error_line(r) == (f"Error: --corpus {empty}: not a corpus directory: it has no manifest.xml; "
                              "give --corpus DIR or set REDLINE_CORPUS to a corpus directory (one holding manifest.xml)")


def test_manifest_path_outside_the_corpus_is_refused(invoke, tmp_corpus):
    manifest = tmp_corpus / "manifest.xml"
    text = manifest.read_text("utf-8")
    manifest.write_text(text.replace('path="versions/6.17/G.xml"', 'path="../../../etc/passwd"'), "utf-8")
    r = invoke("show", "6.17", "G1", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    line = _error_line(r)
    assert "manifest.xml:" in line and "'../../../etc/passwd' is outside the corpus directory" in line


def test_diff_date_help_does_not_speak_of_a_modification(invoke):
    diff_help = " ".join(invoke("diff", "--help").output.split())
    annex_help = " ".join(invoke("annex", "--help").output.split())
    assert "Date of the tracked changes (default: now)" in diff_help
    assert "(default: the modification's date if it is a full date, else now)" in annex_help
