"""``redline xref``: references and their status per version, exit codes, JSON, filters."""

from __future__ import annotations

import json
import re

import pytest

VERSIONS = ["5.20", "5.23", "6.17"]


@pytest.mark.parametrize("vid", VERSIONS)
def test_each_bundled_version_exits_0(invoke, vid):
    r = invoke("xref", vid)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{vid}: ")
    assert "0 broken" in r.output


def test_outside_references_are_classed_as_such(invoke):
    r = invoke("xref", "6.17", "--format", "json")
    data = json.loads(r.output)
    assert data["counts"] == {"broken": 0, "heading-mismatch": 0, "outside": 17, "resolved": 12}
    by = {(x["holder"], x["text"]): x for x in data["references"]}
    m7 = by[("G1.8(b)", "Section M7 (Dispute Resolution)")]
    assert m7["status"] == "outside" and m7["targets"] == ["M7"] and m7["heading"] == "Dispute Resolution"
    assert "section M is not in the corpus" in m7["reasons"][0]
    rng = by[("G1.1", "Sections G2 to G9")]
    assert rng["targets"] == [{"first": "G2", "last": "G9"}]
    assert by[("G1.7(c)(i)", "Sections G3 and G4")]["quoted"] is True
    assert by[("G3.18", "this Section")]["targets"] == ["G3.18"]


def test_text_output_lines(invoke):
    r = invoke("xref", "6.17", "--address", "G3.19")
    assert r.exit_code == 0
    assert r.output.splitlines() == [
        "6.17: 1 reference(s): 1 resolved, 0 outside the corpus, 0 broken, 0 heading mismatch(es)",
        "G3.19        resolved  Section G3.18(a)  -> G3.18(a)",
    ]


def test_address_and_to_and_status_filters(invoke):
    data = json.loads(invoke("xref", "6.17", "--address", "G1.7", "--format", "json").output)
    assert {x["holder"] for x in data["references"]} == {"G1.7(a)", "G1.7(b)", "G1.7(c)", "G1.7(c)(i)",
                                                          "G1.7(c)(ii)", "G1.7(d)"}
    data = json.loads(invoke("xref", "6.17", "--to", "G3.26", "--format", "json").output)
    assert [x["holder"] for x in data["references"]] == ["G1.7(c)(i)", "G1.8", "G1.9(b)", "G3.27", "G3.28"]
    data = json.loads(invoke("xref", "6.17", "--status", "resolved", "--format", "json").output)
    assert {x["status"] for x in data["references"]} == {"resolved"} and len(data["references"]) == 12


def _break(tmp_corpus, old, new, vid="6.17"):
    p = tmp_corpus / f"versions/{vid}/G.xml"
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_reference_exits_1_and_names_the_clause(invoke, tmp_corpus):
    # G1 is held in full in 5.23 (printed); 6.17's G1 is inferred, so held in part
    _break(tmp_corpus, "in accordance with Section G1.3 may", "in accordance with Section G1.13 may", "5.23")
    r = invoke("xref", "5.23", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    assert "1 broken" in r.output
    line = next(l for l in r.output.splitlines() if "BROKEN" in l)
    assert line.startswith("G1.4") and "Section G1.13" in line
    assert "G1.13 is not in 5.23 (part G1 is held in full)" in r.output
    # other versions are unaffected
    assert invoke("xref", "6.17", "--corpus", tmp_corpus).exit_code == 0


def test_heading_mismatch_is_reported_but_not_fatal(invoke, tmp_corpus):
    _break(tmp_corpus, "Section G1.8:", "Section G1.8 (Appeals):")
    r = invoke("xref", "6.17", "--corpus", tmp_corpus, "--status", "heading-mismatch")
    assert r.exit_code == 0
    assert "G1.9         heading?  Section G1.8 (Appeals)" in r.output
    assert "heading 'Appeals' differs from the corpus: 'Disputes'" in r.output


def test_output_file_is_written(invoke, tmp_path):
    out = tmp_path / "x.json"
    r = invoke("xref", "5.20", "--format", "json", "-o", out)
    assert r.exit_code == 0 and r.output == ""
    assert json.loads(out.read_text())["version"] == "5.20"


@pytest.mark.parametrize("args, code, message", [
    (["xref"], 2, "give a VERSION, or --mod MOD"),
    (["xref", "7.0"], 2, "unknown version '7.0'"),
    (["xref", "6.17", "--address", "G9.1"], 2, "G9.1 is not in version 6.17"),
    (["xref", "6.17", "--address", "section 3"], 2, "is not an address"),
    (["xref", "6.17", "--to", "section 3"], 2, "is not an address"),
    (["xref", "6.17", "--status", "fine"], 2, "Invalid value"),
    # bad input exits 2, so that CI can tell it from a broken reference (exit 1)
    (["xref", "--mod", "NO-SUCH-MOD"], 2, "no modification 'NO-SUCH-MOD'"),
    (["xref", "7.0", "--mod", "MP087"], 2, "VERSION: unknown version '7.0'"),
    (["xref", "7.0", "--mod", "MP087", "--update-references"], 2, "VERSION: unknown version '7.0'"),
])
def test_user_errors(invoke, args, code, message):
    r = invoke(*args)
    assert r.exit_code == code
    assert message in r.output
    assert "Traceback" not in r.output


def test_help_has_example(invoke):
    r = invoke("xref", "--help")
    assert r.exit_code == 0 and "Example:" in r.output and "redline xref 6.17" in r.output


def test_undefined_terms_of_a_version(invoke):
    r = invoke("xref", "6.17", "--undefined")
    assert r.exit_code == 0
    assert "not defined in the corpus" in r.output
    (line,) = [l for l in r.output.splitlines() if l.strip().startswith("Enrolled SMETS1 SMS ")]
    assert line.split()[-1] == "G1.10"
    data = json.loads(invoke("xref", "6.17", "--undefined", "--address", "G3.28", "--format", "json").output)
    assert [t["term"] for t in data["terms"]] == ["SMETS1 SMS", "Device", "Compromised",
                                                  "User Independent Security Assurance"]
    assert data["terms"][0]["used_in"] == ["G3.28"]


# --- --mod ------------------------------------------------------------------------------------

from pathlib import Path  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "xref"


def test_mod_deleting_a_referenced_clause_fails(invoke):
    r = invoke("xref", "--mod", FIXTURES / "delete_referenced_clause.xml")
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "XREF-FIXTURE-DELETE against 5.23: 2 failure(s), 0 warning(s), 0 note(s)",
        "failure  G1.2 refers to G1.3, which XREF-FIXTURE-DELETE deletes",
        "failure  G1.4 refers to G1.3, which XREF-FIXTURE-DELETE deletes",
    ]


@pytest.mark.parametrize("mod, code", [("MP087", 0), ("SECMP0065", 0)])
def test_seed_mods_pass(invoke, mod, code):
    r = invoke("xref", "--mod", mod, "--format", "json")
    assert r.exit_code == code, r.output
    data = json.loads(r.output)
    assert data["modification"] == mod
    assert all(f["severity"] == "note" for f in data["findings"])


def test_update_references_writes_a_mod_that_checks_clean(invoke, tmp_path):
    out = tmp_path / "fixed.xml"
    r = invoke("xref", "--mod", FIXTURES / "insert_and_renumber.xml", "--update-references", "-o", out)
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert '<amend target="G1.7">' in text and '<amend target="G1.10">' in text
    assert invoke("xref", "--mod", FIXTURES / "insert_and_renumber.xml").exit_code == 1
    r = invoke("xref", "--mod", out)
    assert r.exit_code == 0 and "0 failure(s)" in r.output


def test_update_references_keeps_every_byte_of_the_file_but_the_new_operations(invoke, tmp_path):
    """Comments (a provenance header, notes between operations), character references and layout
    survive; the amendments are added before </operations>, indented as the file's own."""
    src = (FIXTURES / "insert_and_renumber.xml").read_text(encoding="utf-8")
    src = src.replace("<operations>\n", "<operations>\n    <!-- the renumbering, last clause first: &#8216;G1.10&#8217; -->\n")
    src = src.replace("</modification>", "</modification>\n<!-- trailing note -->")
    mod = tmp_path / "renumber.xml"
    mod.write_text(src, encoding="utf-8")
    out = tmp_path / "fixed.xml"
    r = invoke("xref", "--mod", mod, "--update-references", "-o", out)
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    cut = src.index("  </operations>")
    assert text.startswith(src[:cut]) and text.endswith(src[cut:])
    added = text[cut:len(text) - len(src) + cut]
    assert added.startswith("    <!-- Consequential amendments, added by `redline xref`")
    assert re.findall(r"^    <amend target=\"(G1\.\d+)\">$", added, re.M) == ["G1.7", "G1.10"]
    assert "\n      <old>" in added and "\n      <new>" in added
    assert invoke("check", out).exit_code == 0
    # nothing to add: the file is written back unchanged, byte for byte
    same = tmp_path / "same.xml"
    assert invoke("xref", "--mod", "MP087", "--update-references", "-o", same).exit_code == 0
    from conftest import CORPUS

    assert same.read_bytes() == (CORPUS / "mods" / "MP087.xml").read_bytes()


def test_append_operations_when_the_end_tag_shares_a_line():
    from redline.mods import append_operations, parse_modification
    from redline.ops import Amend
    from redline.model import Address

    data = (b'<modification id="X" base="6.17"><title>t</title><operations>'
            b'<delete target="G3.21"/><!-- </operations> in a comment --></operations></modification>')
    op = Amend(Address.parse("G3.19"), "a", "b")
    out = append_operations(data, (op,), "x.xml")
    assert parse_modification(out, "x").operations[-1] == op
    assert b"<!-- </operations> in a comment -->" in out


def test_mod_undefined_terms(invoke):
    r = invoke("xref", "--mod", "SECMP0065", "--undefined", "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert [t["term"] for t in data["terms"]] == ["SMETS1 SMS", "Enrolled SMETS1 SMS", "Smart Metering System",
                                                  "Device", "SMETS1 Device"]
    assert "not defined in the corpus" in data["note"]


@pytest.mark.parametrize("args, code, message", [
    (["xref", "--mod", "NOPE"], 2, "no modification 'NOPE'"),
    (["xref", "6.17", "--update-references"], 2, "--update-references needs --mod MOD"),
])
def test_mod_user_errors(invoke, args, code, message):
    r = invoke(*args)
    assert r.exit_code == code and message in r.output


# --- redline check runs the cross-reference check ----------------------------------------------


def test_check_fails_naming_each_clause_that_refers_to_a_deleted_clause(invoke):
    f = FIXTURES / "delete_referenced_clause.xml"
    r = invoke("check", f)
    assert r.exit_code == 1
    assert "XREF-FIXTURE-DELETE  FAILED" in r.output
    assert f"{f.name}:7: G1.2 refers to G1.3, which XREF-FIXTURE-DELETE deletes" in r.output
    assert f"{f.name}:7: G1.4 refers to G1.3, which XREF-FIXTURE-DELETE deletes" in r.output
    r = invoke("check", FIXTURES / "delete_g3_18.xml", "--format", "json")
    assert r.exit_code == 1
    problems = json.loads(r.output)
    problems = problems["results"][0]["problems"]
    assert [(p["severity"], p["code"], p["address"]) for p in problems] == [
        ("error", "xref-stale", "G3.17"), ("error", "xref-stale", "G3.19")]


def test_check_notes_references_outside_the_corpus(invoke):
    r = invoke("check", "SECMP0065")
    assert r.exit_code == 0
    assert "G1.10 (as SECMP0065 writes it) refers to G2 to G9" in r.output and "note" in r.output


def test_check_new_text_broken_is_an_error_heading_a_note(invoke):
    r = invoke("check", FIXTURES / "new_text_references.xml", "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.output)
    problems = data["results"][0]["problems"]
    assert [(p["severity"], p["code"]) for p in problems] == [
        ("error", "xref-broken"), ("note", "xref-outside"), ("note", "xref-heading")]
    assert all(p["line"] == 9 for p in problems)


def test_check_passes_once_references_are_updated(invoke, tmp_path):
    out = tmp_path / "fixed.xml"
    assert invoke("check", FIXTURES / "insert_and_renumber.xml").exit_code == 1
    invoke("xref", "--mod", FIXTURES / "insert_and_renumber.xml", "--update-references", "-o", out)
    r = invoke("check", out)
    assert r.exit_code == 0, r.output


def test_mod_onto_another_version(invoke):
    r = invoke("xref", "5.20", "--mod", "MP087")
    assert r.exit_code == 0 and r.output.startswith("MP087 against 5.20: 0 failure(s)")
    r = invoke("xref", "6.17", "--mod", "SECMP0065")
    assert r.exit_code == 1 and "G1.10 already exists" in r.output and "Traceback" not in r.output


# --- links in the HTML the CLI writes ----------------------------------------------------------


def _check_links(html: str) -> list[tuple[str, str]]:
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(html)
    ids = set(doc.xpath("//@id"))
    links = [(a.text_content(), a.get("href")) for a in doc.iter("a") if (a.get("href") or "").startswith("#")]
    for _, h in links:
        assert h[1:] in ids, f"link {h} has no anchor"
    return links


def test_annex_html_links_resolve(invoke, tmp_path):
    out = tmp_path / "a.html"
    r = invoke("annex", "MP087", "--format", "html", "-o", out)
    assert r.exit_code == 0, r.output
    links = _check_links(out.read_text(encoding="utf-8"))
    assert {("Section G3.18", "#G3.18"), ("Section G3.18(a)", "#G3.18(a)"), ("Section G3.20", "#G3.20")} <= set(links)


def test_diff_html_links_resolve(invoke, tmp_path):
    out = tmp_path / "d.html"
    r = invoke("diff", "5.23", "6.17", "--format", "html", "--context", "all", "-o", out)
    assert r.exit_code == 0, r.output
    links = set(_check_links(out.read_text(encoding="utf-8")))
    assert {("this Section G1", "#G1"), ("Secure", "#G3.28(a)"), ("Appropriate Standard", "#G3.28(b)"),
            ("Section G1.8", "#G1.8")} <= links
    # G3.2, G3.3 and G5 are not in the document: their references stay plain text
    assert not [t for t, _ in links if re.search(r"G3\.[23]\b|G5", t)]


def test_xref_says_the_same_whoever_resolves_each_section(invoke, generated):
    """A whole version's text report is made a section at a time by --jobs processes
    (redline.fanout): the same report and exit code as one process, with filters too."""
    for extra in ((), ("--status", "resolved"), ("--to", "B")):
        one = invoke("xref", "1.0", "--jobs", "1", *extra, "--corpus", generated.root)
        assert one.exit_code in (0, 1) and one.output.count("\n") > 10, (extra, one.output)
        for jobs in ("2", "3"):
            many = invoke("xref", "1.0", "--jobs", jobs, *extra, "--corpus", generated.root)
            assert (many.exit_code, many.output) == (one.exit_code, one.output), (extra, jobs)
