"""The ``redline annex`` and ``redline diff`` commands, end to end (CliRunner)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pypandoc
import pytest
from lxml import etree, html

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def norm(text: str) -> str:
    return " ".join(text.split())


def revisions(path):
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return [el for el in root.iter(f"{W}ins", f"{W}del")]


# --- annex ----------------------------------------------------------------------------------------

def test_annex_mp087_docx(invoke, tmp_path):
    out = tmp_path / "MP087-annex-a.docx"
    r = invoke("annex", "MP087", "--format", "docx", "-o", out)
    assert r.exit_code == 0, r.output
    assert r.output == ""
    revs = revisions(out)
    assert [norm("".join(x.itertext())) for x in revs] == ["which forms part of a SMETS2+ Device"]
    assert revs[0].get(f"{W}author") == "SECAS"  # the modification's <author>
    assert revs[0].get(f"{W}date") == "2019-10-04T00:00:00Z"  # the modification's date
    text = pypandoc.convert_file(str(out), "plain", extra_args=["--track-changes=accept", "--wrap=none"])
    assert "Gas Proxy Function which forms part of a SMETS2+ Device) for which" in norm(text)
    text = pypandoc.convert_file(str(out), "plain", extra_args=["--track-changes=reject", "--wrap=none"])
    assert "Gas Proxy Function) for which" in norm(text)


def test_annex_author_date_and_markup(invoke, tmp_path):
    out = tmp_path / "a.docx"
    r = invoke("annex", "MP087", "--author", "Jane Counsel", "--date", "2020-02-03", "-o", out)
    assert r.exit_code == 0, r.output
    (rev,) = revisions(out)
    assert rev.get(f"{W}author") == "Jane Counsel" and rev.get(f"{W}date") == "2020-02-03T00:00:00Z"
    out2 = tmp_path / "b.docx"
    r = invoke("annex", "MP087", "--style", "markup", "-o", out2)
    assert r.exit_code == 0 and revisions(out2) == []


def test_annex_html(invoke, tmp_path):
    out = tmp_path / "SECMP0065.html"
    r = invoke("annex", "SECMP0065", "--format", "html", "-o", out)
    assert r.exit_code == 0, r.output
    doc = html.fromstring(out.read_text("utf-8"))
    assert doc.xpath("//div[@id='G1.10']")
    assert [norm(i.text_content()) for i in doc.xpath("//h4//ins")] == ["SMETS1 Smart Metering Systems"]
    # to standard output as well
    r = invoke("annex", "MP087", "--format", "html")
    assert r.exit_code == 0 and r.output.startswith("<!DOCTYPE html>")
    assert "<ins> which forms part of a SMETS2+ Device</ins>" in r.output


def test_annex_context_all(invoke, tmp_path):
    out = tmp_path / "all.html"
    assert invoke("annex", "SECMP0065", "--format", "html", "--context", "all", "-o", out).exit_code == 0
    ids = html.fromstring(out.read_text("utf-8")).xpath("//div[contains(@class,'clause')]/@id")
    assert ids[:2] == ["G1.1", "G1.2"] and "G1.10" in ids


def test_annex_errors(invoke, tmp_path):
    r = invoke("annex", "MP999")
    assert r.exit_code == 2 and r.output.startswith("Error: ") and "MP087" in r.output
    assert "Traceback" not in r.output
    bad = tmp_path / "bad.xml"
    bad.write_text("<modification id='X' base='6.17'><title>t</title><operations><amend/></operations>")
    r = invoke("annex", bad)
    assert r.exit_code == 2 and r.output.startswith("Error: ") and "bad.xml" in r.output
    r = invoke("annex", "MP087", "--date", "yesterday", "-o", tmp_path / "x.docx")
    assert r.exit_code == 2 and "--date" in r.output
    r = invoke("annex", "MP087", "-o", tmp_path / "missing-dir" / "x.docx")
    assert r.exit_code == 1 and "does not exist" in r.output


def test_annex_that_does_not_apply(invoke, tmp_path):
    mod = tmp_path / "broken.xml"
    mod.write_text("""<modification id="BROKEN" base="6.17"><title>Broken</title><operations>
      <substitute target="G3.20(b)"><old>no such words</old><new>other words</new></substitute>
    </operations></modification>""")
    r = invoke("annex", mod, "-o", tmp_path / "x.docx")
    assert r.exit_code == 1 and "BROKEN does not apply" in r.output
    assert not (tmp_path / "x.docx").exists()


# --- diff -----------------------------------------------------------------------------------------

def test_diff_text_piped(invoke):
    r = invoke("diff", "5.23", "6.17")
    assert r.exit_code == 0, r.output
    out = r.output
    assert "added G1.10  (SMETS1 Smart Metering Systems)" in out
    assert "{+G1.10+} {+Any reference in Sections G2 to G9 to:+}" in out
    assert "\x1b[" not in out  # piped: markers, no colour
    assert out.rstrip().splitlines()[-1] == ("1 clause changed: 1 added, 0 deleted, 0 amended, 0 moved, "
                                            "0 renumbered; 1 heading change; 1 coverage difference.")
    assert ("Coverage: G1 is held complete in version 5.23 and partial in version 6.17; what both hold is "
            "compared.") in out


def test_diff_colour_forced(invoke):
    r = invoke("diff", "5.23", "6.17", "--color")  # forced even when the output is not a terminal
    assert "\x1b[" in r.output and "{+" not in r.output
    r = invoke("diff", "5.23", "6.17", "--no-color", color=True)
    assert "\x1b[" not in r.output and "{+" in r.output


def test_diff_coverage_is_not_a_change(invoke):
    r = invoke("diff", "5.20", "5.23")
    assert r.exit_code == 0
    assert "Coverage: G1 is held in version 5.23 but not in version 5.20 (9 clauses not compared)." in r.output
    assert "0 clauses changed" in r.output and "added G1." not in r.output


def test_diff_json_shape(invoke):
    r = invoke("diff", "5.23", "6.17", "--format", "json")
    data = json.loads(r.output)
    assert data["format"] == "redline-diff" and data["format_version"] == 1
    assert (data["old"], data["new"], data["within"]) == ("5.23", "6.17", None)
    (ch,) = data["changes"]
    assert {k: ch[k] for k in ("address", "kind", "old_address", "new_address", "crossheading")} == {
        "address": "G1.10", "kind": "added", "old_address": None, "new_address": "G1.10",
        "crossheading": "SMETS1 Smart Metering Systems"}
    assert ch["paragraphs"][0]["text"] == [{"kind": "insert", "text": "Any reference in Sections G2 to G9 to:"}]
    assert ch["diff"]["children"][2]["num"] == [{"kind": "insert", "text": "(c)"}]
    assert data["headings"][0]["kind"] == "added"
    assert data["summary"] == {"added": 1, "deleted": 0, "amended": 0, "moved": 0, "renumbered": 0,
                               "headings": 1, "coverage": 1}
    cov = json.loads(invoke("diff", "5.20", "6.17", "--format", "json").output)["coverage"]
    assert cov[0]["address"] == "G1" and cov[0]["old"] == "absent" and len(cov[0]["clauses"]) == 10


def test_diff_scope(invoke):
    r = invoke("diff", "5.23", "6.17", "--address", "G3")
    assert r.exit_code == 0 and "0 clauses changed" in r.output and "(within G3)" in r.output
    r = invoke("diff", "5.23", "6.17", "--section", "g", "--format", "json")
    assert json.loads(r.output)["within"] == "G"
    assert invoke("diff", "5.23", "6.17", "--section", "G", "--address", "G3").exit_code == 2
    r = invoke("diff", "5.23", "6.17", "--address", "G3..1")
    assert r.exit_code == 2 and "not an address" in r.output
    r = invoke("diff", "5.23", "6.17", "--address", "G9.99")
    assert r.exit_code == 1 and r.output.startswith("Error: G9.99 is not in version")


def test_diff_unknown_version(invoke):
    r = invoke("diff", "5.23", "9.99")
    assert r.exit_code == 1 and "unknown version '9.99'" in r.output


def test_diff_mp087_result_as_html_and_docx(invoke, tmp_path, tmp_corpus):
    r = invoke("apply", "MP087", "--as", "6.17-mp087", "--corpus", tmp_corpus)
    assert r.exit_code == 0, r.output
    r = invoke("diff", "6.17", "6.17-mp087", "--corpus", tmp_corpus, "--no-color")
    assert "Gas Proxy Function{+ which forms part of a SMETS2+ Device+}) for which" in r.output
    assert "amended G3.20" in r.output
    out = tmp_path / "d.html"
    assert invoke("diff", "6.17", "6.17-mp087", "--corpus", tmp_corpus, "--format", "html", "-o", out).exit_code == 0
    doc = html.fromstring(out.read_text("utf-8"))
    assert [norm(i.text_content()) for i in doc.xpath("//div[@class='legal-text']//ins")] == [
        "which forms part of a SMETS2+ Device"]
    assert "Amend Section G3.20 as follows:" in out.read_text("utf-8")
    docx = tmp_path / "d.docx"
    assert invoke("diff", "6.17", "6.17-mp087", "--corpus", tmp_corpus, "--format", "docx", "--style", "markup",
                  "-o", docx).exit_code == 0
    assert revisions(docx) == []


def test_help_has_examples(invoke):
    for cmd in ("diff", "annex"):
        r = invoke(cmd, "--help")
        assert r.exit_code == 0 and "Example:" in r.output


def test_version_redline_states_the_look_of_changes_once(invoke, tmp_path):
    """The cover does not describe the mark-up: each format's legend does (tracked changes are
    not necessarily underlined and struck through: that is Word's display choice)."""
    out = tmp_path / "d.html"
    r = invoke("diff", "5.23", "6.17", "--format", "html", "-o", out)
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "Deleted text is struck through; inserted text is underlined" not in html
    assert html.count("struck through in red") == 1  # the legend


def test_annex_refuses_a_result_with_broken_references_unless_allowed(invoke, tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "xref" / "insert_and_renumber.xml"
    out = tmp_path / "a.html"
    r = invoke("annex", fixture, "--format", "html", "-o", out)
    assert r.exit_code == 1 and not out.exists()
    [line] = r.output.splitlines()
    assert line.startswith("Error: XREF-FIXTURE-RENUMBER leaves 2 broken cross-references: G1.6 (now G1.7) refers "
                           "to G1.5, which XREF-FIXTURE-RENUMBER renumbers as G1.6; G1.9 (now G1.10)")
    assert "--allow-broken-refs" in line and f"redline xref --mod {fixture}" in line
    # as `check` sees it
    assert invoke("check", fixture).exit_code == 1
    ok = invoke("annex", fixture, "--format", "html", "-o", out, "--allow-broken-refs")
    assert ok.exit_code == 0 and out.exists()
    # a reference outside the corpus (SECMP0065's "Sections G2 to G9") is not broken
    assert invoke("annex", "SECMP0065", "--format", "html", "-o", tmp_path / "s.html").exit_code == 0
