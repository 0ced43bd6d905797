"""``redline import-annex``: redline's own Annex A read back, end to end (CliRunner).

Every case renders an Annex A with ``redline annex`` (HTML; DOCX tracked and house mark-up when the
Word reader is installed), reads it back, and checks the modification it gives: the same
operations as the original where redline's own minimal form is unambiguous (MP087, SECMP0065),
and the same version when applied, word for word.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.apply import apply_modification
from redline.diff import diff_versions
from redline.mods import read_modification

FORMATS = [("html", None), ("docx", "tracked"), ("docx", "markup")]


def _has_word_reader() -> bool:
    try:
        import redline.word  # noqa: F401
    except ImportError:
        return False
    return True


def _formats() -> list:
    out = []
    for fmt, style in FORMATS:
        marks = [] if fmt == "html" or _has_word_reader() else [pytest.mark.skip(reason="no Word reader")]
        out.append(pytest.param(fmt, style, id=f"{fmt}-{style}" if style else fmt, marks=marks))
    return out


def render(invoke, tmp_path: Path, mod: str, fmt: str, style: str | None, *extra) -> Path:
    out = tmp_path / f"{mod}-annex-a.{fmt}"
    args = ["annex", mod, "--format", fmt, "-o", out, *extra]
    if style:
        args += ["--style", style]
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    return out


def same_version(a, b) -> bool:
    d = diff_versions(a, b)
    return not d.changes and not d.headings


@pytest.mark.parametrize("fmt,style", _formats())
@pytest.mark.parametrize("mod_id", ["MP087", "SECMP0065"])
def test_own_annex_reads_back_as_the_original(invoke, corpus, tmp_path, mod_id, fmt, style):
    annex = render(invoke, tmp_path, mod_id, fmt, style)
    out = tmp_path / "read.xml"
    r = invoke("import-annex", annex, "-o", out)
    assert r.exit_code == 0, r.output
    assert f"Written: {out}" in r.output
    read = read_modification(out)
    original = read_modification(corpus.mods_dir() / f"{mod_id}.xml")
    assert read.id == original.id and read.base == original.base and read.title == original.title
    assert read.operations == original.operations  # the minimal form redline drafts itself
    base = corpus.load(original.base)
    assert same_version(apply_modification(base, original).version, apply_modification(base, read).version)


@pytest.mark.parametrize("context", ["clause", "part", "all"])
@pytest.mark.parametrize("fmt,style", [("html", None), ("docx", "tracked")])
@pytest.mark.parametrize("mod_id", ["MP087", "SECMP0065"])
def test_every_context_of_the_annex_reads_back(invoke, corpus, tmp_path, mod_id, fmt, style, context):
    """The changed clause alone, its whole part under the section and part headings (as
    SECMP0065's legal text prints G1), or the whole section held (a section document edited
    with Track Changes): each reads back as the original."""
    annex = render(invoke, tmp_path, mod_id, fmt, style, "--context", context)
    out = tmp_path / "read.xml"
    r = invoke("import-annex", annex, "-o", out)
    assert r.exit_code == 0, r.output
    assert read_modification(out).operations == read_modification(corpus.mods_dir() / f"{mod_id}.xml").operations


def test_mp087_cover_metadata(invoke, tmp_path):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    r = invoke("import-annex", annex, "--report", "json", "-o", tmp_path / "m.xml")
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    proposer = "Gordon Hextall on behalf of the Security Sub-Committee (SSC)"
    assert rep["cover"] == {"reference": "MP087", "title": "Correction to SEC Section G – User Responsibilities",
                            "legal_text_version": "0.1", "base": "6.17", "classification": "White",
                            "date": "2019-10-04", "proposer": proposer, "author": None}
    assert rep["modification"]["meta"] == {"legal-text-version": "0.1", "classification": "White",
                                           "date": "2019-10-04", "proposer": proposer}
    assert [op["kind"] for op in rep["operations"]] == ["substitute"]
    assert rep["proof"]["proven"] and rep["ok"] and not rep["untracked"] and not rep["disagreements"]


@pytest.mark.parametrize("style", ["tracked", "markup"])
def test_the_docx_cover_gives_back_the_metadata_of_the_original(invoke, corpus, tmp_path, style):
    """Id, title, legal text version, date, proposer and classification from the cover; the author
    (who drafted the legal text) is the one author of the tracked changes, when there is one."""
    from redline.mods import load_modification

    annex = render(invoke, tmp_path, "MP087", "docx", style)
    r = invoke("import-annex", annex, "-o", tmp_path / "m.xml")
    assert r.exit_code == 0, r.output
    back = load_modification(corpus, tmp_path / "m.xml")
    original = load_modification(corpus, "MP087")
    want = {k: v for k, v in original.meta.items() if k != "source"}
    if style == "markup":  # no revisions, so no author of them
        want.pop("author")
    assert (back.id, back.title, dict(back.meta)) == (original.id, original.title, want)


def test_modification_to_stdout_report_to_stderr(invoke, tmp_path, runner):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    from redline.cli import main

    r = runner.invoke(main, ["import-annex", str(annex)], catch_exceptions=False)
    assert r.exit_code == 0
    assert r.stdout.startswith("<?xml") and "<substitute target=\"G3.20(b)\">" in r.stdout
    assert "Proof:" in r.stderr and "Proof:" not in r.stdout


def test_id_title_and_base_options(invoke, tmp_path):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    out = tmp_path / "m.xml"
    r = invoke("import-annex", annex, "--base", "5.23", "--id", "MP087-on-523", "--title", "Read again", "-o", out)
    assert r.exit_code == 0, r.output  # 5.23 holds G3.17 to G3.21 as 6.17 does
    assert "the cover says the text is drafted against version 6.17" in r.output
    mod = read_modification(out)
    assert (mod.id, mod.title, mod.base) == ("MP087-on-523", "Read again", "5.23")


def _edit_html(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), "utf-8")


def test_untracked_edit_is_reported_and_nothing_written(invoke, tmp_path):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    _edit_html(annex, "take reasonable steps", "take all reasonable steps")  # G3.18(b), unmarked
    out = tmp_path / "m.xml"
    r = invoke("import-annex", annex, "-o", out)
    assert r.exit_code == 1
    assert not out.exists()
    assert "G3.18 (block" in r.output and "take {+all+} reasonable steps" in r.output
    assert r.output.strip().splitlines()[-1].startswith("Error: ")
    assert "--allow-untracked" in r.output.strip().splitlines()[-1]


def test_allow_untracked_makes_operations_marked_untracked(invoke, corpus, tmp_path):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    _edit_html(annex, "take reasonable steps", "take all reasonable steps")
    out = tmp_path / "m.xml"
    r = invoke("import-annex", annex, "-o", out, "--allow-untracked", "--report", "json")
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    assert [(op["target"], op["untracked"]) for op in rep["operations"]] == [("G3.18(b)", True), ("G3.20(b)", False)]
    assert rep["untracked"][0]["diff"] == "… case may be); (b) take {+all+} reasonable steps to ensure that the …"
    mod = read_modification(out)
    result = apply_modification(corpus.load("6.17"), mod).version
    assert "take all reasonable steps" in result.get("G3.18(b)").text
    assert "which forms part of a SMETS2+ Device" in result.get("G3.20(b)").text


def test_instruction_that_disagrees_is_reported(invoke, tmp_path):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    _edit_html(annex, "Amend Section G3.20 as follows:", "Amend Section G3.19 as follows:")
    out = tmp_path / "m.xml"
    r = invoke("import-annex", annex, "-o", out)
    assert r.exit_code == 1 and not out.exists()
    assert "“Amend Section G3.19 as follows:” but the marks change nothing there" in r.output
    assert "the marks amend G3.20, but no drafting instruction says so" in r.output
    r = invoke("import-annex", annex, "-o", out, "--ignore-instructions")
    assert r.exit_code == 0 and out.exists()


def test_unmarked_document_is_not_a_modification(invoke, tmp_path):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    _edit_html(annex, "<ins> which forms part of a SMETS2+ Device</ins>", "")
    r = invoke("import-annex", annex, "-o", tmp_path / "m.xml")
    assert r.exit_code == 1
    assert "marks no change to the legal text" in r.output


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_a_heading_put_over_clauses_that_stay_is_said_to_be_beyond_a_modification(corpus, tmp_path, invoke, fmt):
    """Two versions whose only difference is a second "SMETS1 Smart Metering Systems" over G3.27 and
    G3.28 (the group split under its own words): the redline marks the new heading, which no
    operation can put over clauses that stay; the reader says so rather than "no change"."""
    import copy

    from redline.annex import versions_redline
    from redline.model import Version
    from redline.render.docx import render_docx
    from redline.render.html import render_html

    base = corpus.load("6.17")
    sections = {k: copy.deepcopy(v) for k, v in base.sections.items()}
    group = next(c for c in sections["G"].iter("crossheading") if c.find("clause").get("num") == "G3.26")
    split = copy.deepcopy(group)
    for child in list(split):
        split.remove(child)
    for clause in group.findall("clause")[1:]:
        split.append(clause)
    group.addnext(split)
    new = Version("new", sections)
    red = versions_redline(base, new, diff_versions(base, new), context="group")
    annex = tmp_path / f"split.{fmt}"
    annex.write_bytes(render_docx(red, "tracked") if fmt == "docx" else render_html(red).encode())
    r = invoke("import-annex", annex, "--base", "6.17", "-o", tmp_path / "m.xml")
    assert r.exit_code == 1 and not (tmp_path / "m.xml").exists()
    assert "make no change a modification can say (such as a cross-heading put over clauses that stay" in r.output
    assert "marks no change to the legal text" not in r.output


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary", b"just some text\n"])
def test_unreadable_input_is_one_error_line(invoke, tmp_path, content):
    bad = tmp_path / "annex.bin"
    bad.write_bytes(content)
    out = tmp_path / "m.xml"
    r = invoke("import-annex", bad, "--base", "6.17", "-o", out)
    assert r.exit_code == 2
    assert r.output.count("Error:") == 1 and r.output.startswith("Error: ")
    assert "Traceback" not in r.output and not out.exists()


def test_html_without_legal_text(invoke, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Nothing to see here.</p></body></html>", "utf-8")
    r = invoke("import-annex", page, "--base", "6.17", "-o", tmp_path / "m.xml")
    assert r.exit_code == 2 and r.output.startswith("Error: ") and "no legal text" in r.output


def test_missing_file_directory_and_output_over_input(invoke, tmp_path):
    r = invoke("import-annex", tmp_path / "nope.docx", "--base", "6.17")
    assert r.exit_code == 2 and "no such Annex A" in r.output
    r = invoke("import-annex", tmp_path, "--base", "6.17")
    assert r.exit_code == 2 and "is a directory" in r.output
    annex = render(invoke, tmp_path, "MP087", "html", None)
    before = annex.read_bytes()
    r = invoke("import-annex", annex, "-o", annex)
    assert r.exit_code == 2 and annex.read_bytes() == before


def test_unknown_base_and_no_base(invoke, tmp_path):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    r = invoke("import-annex", annex, "--base", "9.99")
    assert r.exit_code == 2 and "unknown version '9.99'" in r.output
    _edit_html(annex, "These changes have been drafted against SEC Version 6.17.", "")
    r = invoke("import-annex", annex)
    assert r.exit_code == 2 and "give --base VERSION" in r.output


def test_too_large_input(invoke, tmp_path, monkeypatch):
    annex = render(invoke, tmp_path, "MP087", "html", None)
    monkeypatch.setenv("REDLINE_MAX_INPUT", str(annex.stat().st_size - 1))
    r = invoke("import-annex", annex)
    assert r.exit_code == 2 and "more than the" in r.output and r.output.startswith("Error: ")


def test_help_has_an_example(invoke):
    r = invoke("import-annex", "--help")
    assert r.exit_code == 0 and "Example:" in r.output and "redline import-annex" in r.output


DEFINITIONS = """<?xml version="1.0" encoding="UTF-8"?>
<modification id="DEF1" base="1.0">
  <title>Definitions added, amended, renamed and deleted</title>
  <operations>
    <add-definition clause="A1.1"><definition term="Agent"><text>means a fixture agent.</text></definition></add-definition>
    <amend-definition clause="A1.1" term="Panel"><old>means the fixture panel.</old>
      <new>means the fixture panel established under Section G8.</new></amend-definition>
    <delete-definition clause="A1.1" term="Assessment"/>
  </operations>
</modification>
"""


@pytest.mark.parametrize("fmt,style", _formats())
def test_definitions_read_back(invoke, tmp_path, fmt, style):
    """Section A definitions: each added, amended or deleted as such (a term is its identity)."""
    from redline.corpus import Corpus

    fixture = Path(__file__).resolve().parent / "fixtures" / "mods" / "corpus"
    mod_file = tmp_path / "DEF1.xml"
    mod_file.write_text(DEFINITIONS, "utf-8")
    annex = tmp_path / f"def.{fmt}"
    args = ["annex", mod_file, "--format", fmt, "-o", annex, "--corpus", fixture] + (["--style", style] if style else [])
    assert invoke(*args).exit_code == 0
    out = tmp_path / "read.xml"
    res = invoke("import-annex", annex, "-o", out, "--corpus", fixture)
    assert res.exit_code == 0, res.output
    read = read_modification(out)
    assert sorted(op.kind for op in read.operations) == ["add-definition", "delete-definition", "substitute"]
    base = Corpus.open(fixture).load("1.0")
    assert same_version(apply_modification(base, read_modification(mod_file)).version,
                        apply_modification(base, read).version)


def test_new_part_is_read_back_as_inserted_with_its_heading(invoke, tmp_path):
    """redline annex shows a new part wholly inserted, its heading too: the read gives the part
    back as an insertion, and the result is the original's, part heading included."""
    from redline.corpus import Corpus

    fixture = Path(__file__).resolve().parent / "fixtures" / "mods" / "corpus"
    annex = tmp_path / "fix.html"
    assert invoke("annex", "FIX0044", "--format", "html", "-o", annex, "--corpus", fixture).exit_code == 0
    out = tmp_path / "read.xml"
    res = invoke("import-annex", annex, "-o", out, "--corpus", fixture)
    assert res.exit_code == 0, res.output
    base = Corpus.open(fixture).load("1.0")
    original = read_modification(fixture / "mods" / "FIX0044.xml")
    want = apply_modification(base, original).version
    got = apply_modification(base, read_modification(out)).version
    d = diff_versions(want, got)
    assert not d.changes and not d.headings  # every clause and heading as the original makes them
