"""The ``apply`` and ``check`` commands: outputs, exit codes, hostile input, nothing written on failure."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from redline.corpus import Corpus, schema

from conftest import CORPUS, ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "mods"
HOSTILE = sorted((FIXTURES / "hostile").glob("*.xml"))
G320B = "(excluding a Communications Hub Function or Gas Proxy Function) for which"


def listing(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


def alter_g320b(corpus_dir: Path) -> None:
    g = corpus_dir / "versions" / "6.17" / "G.xml"
    text = g.read_text(encoding="utf-8")
    assert text.count(G320B) == 1
    g.write_text(text.replace(G320B, G320B.replace("Gas Proxy Function", "Gas Proxy Functions")), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# apply


def test_apply_by_id_writes_the_section(invoke, tmp_path):
    out = tmp_path / "G.xml"
    r = invoke("apply", "MP087", "-o", out)
    assert r.exit_code == 0, r.output
    assert "MP087 applied to 6.17: changed G3.20" in r.output
    tree = etree.parse(str(out))
    assert schema("corpus").validate(tree)
    assert "Gas Proxy Function which forms part of a SMETS2+ Device) for which" in out.read_text(encoding="utf-8")


def test_apply_by_path_to_stdout(invoke):
    r = invoke("apply", CORPUS / "mods" / "SECMP0065.xml", "-o", "-")
    assert r.exit_code == 0
    assert '<clause num="G1.10">' in r.stdout and r.stdout.startswith("<?xml")


def test_apply_as_new_version(invoke, tmp_corpus):
    r = invoke("apply", "MP087", "--as", "6.17-mp087", "--corpus", tmp_corpus)
    assert r.exit_code == 0, r.output
    corpus = Corpus.open(tmp_corpus)
    info = corpus.info("6.17-mp087")
    assert info.predecessor == "6.17" and info.modification == "MP087"
    v = corpus.load("6.17-mp087")
    assert "which forms part of a SMETS2+ Device) for which" in v.get("G3.20(b)").text
    shown = invoke("show", "6.17-mp087", "G3.20(b)", "--corpus", tmp_corpus)
    assert shown.exit_code == 0 and "SMETS2+ Device)" in shown.output
    again = invoke("apply", "MP087", "--as", "6.17-mp087", "--corpus", tmp_corpus)
    assert again.exit_code == 2 and "already exists" in again.output


def test_apply_as_then_check_onto_the_new_version(invoke, tmp_corpus):
    assert invoke("apply", "SECMP0065", "--as", "5.23-secmp0065", "--corpus", tmp_corpus).exit_code == 0
    corpus = Corpus.open(tmp_corpus)
    assert corpus.load("5.23-secmp0065").get("G1.10").crossheading == "SMETS1 Smart Metering Systems"


@pytest.mark.parametrize("args", [
    ["apply", "MP087"],
    ["apply", "MP087", "-o", "x.xml", "--as", "9"],
    ["apply", "MP087", "--as", "not a version"],
    ["apply", "MP087", "--onto", "9.99", "-o", "x.xml"],
    ["apply", "NO-SUCH-MOD", "-o", "x.xml"],
])
def test_apply_bad_usage_exits_2(invoke, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoke(*args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert listing(tmp_path) == []


def test_apply_several_sections_to_a_directory(invoke, tmp_path):
    out = tmp_path / "out"
    r = invoke("apply", "FIX0044", "--corpus", FIXTURES / "corpus", "-o", out)
    assert r.exit_code == 0, r.output
    assert listing(out) == ["A.xml", "G.xml"]
    for f in out.iterdir():
        assert schema("corpus").validate(etree.parse(str(f)))
    # into an existing directory too
    r = invoke("apply", "FIX0044", "--corpus", FIXTURES / "corpus", "-o", out)
    assert r.exit_code == 0
    r = invoke("apply", "FIX0044", "--corpus", FIXTURES / "corpus", "-o", "-")
    assert r.exit_code == 2 and "directory" in r.output


def test_failed_apply_reports_every_failure_and_writes_nothing(invoke, tmp_corpus, tmp_path):
    alter_g320b(tmp_corpus)
    out = tmp_path / "out" / "G.xml"
    out.parent.mkdir()
    r = invoke("apply", "MP087", "--corpus", tmp_corpus, "-o", out)
    assert r.exit_code == 1
    assert "MP087 does not apply" in r.output and "G3.20(b)" in r.output
    assert "closest match" in r.output and "[-Function-]" in r.output
    assert listing(out.parent) == []
    manifest = (tmp_corpus / "manifest.xml").read_bytes()
    before = listing(tmp_corpus)
    r = invoke("apply", "MP087", "--corpus", tmp_corpus, "--as", "6.17-x")
    assert r.exit_code == 1
    assert (tmp_corpus / "manifest.xml").read_bytes() == manifest
    assert listing(tmp_corpus) == before


def _g3_20_a_words() -> str:
    from redline.corpus import Corpus
    from redline.model import Address

    return Corpus.open(CORPUS).load("6.17").find(Address.parse("G3.20(a)")).full_text()


_G3_20_A = _g3_20_a_words()


def _absent_from_g3_20_a(phrase: str) -> bool:
    """True if ``phrase`` is not in G3.20(a) as apply looks for it (so substituting it must fail)."""
    from redline.apply import occurrences

    return not occurrences(_G3_20_A, phrase)


# junk phrases that G3.20(a) does not hold (e.g. ";" is in it, so substituting ";" would apply)
_junk = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() and "Gas Proxy Function" not in s and _absent_from_g3_20_a(s))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_junk, st.sampled_from(["-o", "--as"]))
def test_property_failed_apply_writes_nothing(runner, phrase, mode):
    from redline.cli import main
    from redline.mods import Modification, modification_to_xml
    from redline.model import Address
    from redline.ops import Substitute

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus_dir = tmp / "corpus"
        shutil.copytree(CORPUS, corpus_dir)
        good = Substitute(Address.parse("G3.20(b)"), "Gas Proxy Function", "Gas Proxy Function of a Device")
        bad = Substitute(Address.parse("G3.20(a)"), phrase, "replacement words")
        mod = Modification("JUNK", "junk", "6.17", (good, bad))
        mod_file = tmp / "JUNK.xml"
        mod_file.write_bytes(modification_to_xml(mod))
        out = tmp / "out"
        out.mkdir()
        before = listing(corpus_dir)
        manifest = (corpus_dir / "manifest.xml").read_bytes()
        args = ["apply", str(mod_file), "--corpus", str(corpus_dir)]
        args += ["-o", str(out / "G.xml")] if mode == "-o" else ["--as", "6.17-junk"]
        r = runner.invoke(main, args)
        assert r.exit_code == 1, r.output
        assert "Traceback" not in r.output
        assert listing(out) == []
        assert listing(corpus_dir) == before
        assert (corpus_dir / "manifest.xml").read_bytes() == manifest


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
@pytest.mark.parametrize("mode", ["-o", "--as"])
def test_hostile_modification_one_clear_error_nothing_written(invoke, tmp_corpus, tmp_path, path, mode):
    out = tmp_path / "out"
    out.mkdir()
    before = listing(tmp_corpus)
    manifest = (tmp_corpus / "manifest.xml").read_bytes()
    args = ["apply", path, "--corpus", tmp_corpus]
    args += ["-o", out / "G.xml"] if mode == "-o" else ["--as", "6.17-hostile"]
    r = invoke(*args)
    assert r.exit_code == 2, r.output
    errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and len(r.output.strip().splitlines()) == 1, r.output
    assert re.search(re.escape(str(path)) + r":\d+: ", errors[0]), errors[0]
    assert "Traceback" not in r.output and "root:x:0:0" not in r.output and "lollol" not in r.output
    assert listing(out) == []
    assert listing(tmp_corpus) == before
    assert (tmp_corpus / "manifest.xml").read_bytes() == manifest


def test_hostile_messages_say_what_is_wrong(invoke):
    expected = {
        "billion_laughs": "DOCTYPE declarations are not allowed",
        "external_entity": "DOCTYPE declarations are not allowed",
        "not_xml": "not well-formed XML",
        "empty": "the file is empty",
        "wrong_schema": "does not match the modification schema",
        "unknown_op": "unknown operation <rewrite>",
        "section_file": "not a modification file",
    }
    assert {p.stem for p in HOSTILE} == set(expected)
    for path in HOSTILE:
        r = invoke("check", path)
        assert r.exit_code == 2
        assert expected[path.stem] in r.output, (path.stem, r.output)
        assert "UNREADABLE" in r.output


# ---------------------------------------------------------------------------------------------
# check


def test_check_bundled_passes(invoke):
    r = invoke("check")
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if not line.startswith("  ")]
    assert re.match(r"MP087\s+ok$", lines[0]) and re.match(r"SECMP0065\s+ok$", lines[1])


def test_check_altered_corpus_fails_naming_clause_and_difference(invoke, tmp_corpus):
    alter_g320b(tmp_corpus)
    r = invoke("check", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    assert re.search(r"MP087\s+FAILED", r.output)
    assert re.search(r"SECMP0065\s+ok", r.output)
    assert "G3.20(b)" in r.output
    assert "difference:    Gas Proxy [-Function-]{+Functions+}" in r.output
    assert "MP087.xml:16:" in r.output


def test_check_json(invoke, tmp_corpus):
    alter_g320b(tmp_corpus)
    r = invoke("check", "--corpus", tmp_corpus, "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False
    by_id = {res["modification"]: res for res in data["results"]}
    assert by_id["SECMP0065"]["ok"] is True
    [p] = [p for p in by_id["MP087"]["problems"] if p["severity"] == "error"]
    assert p["address"] == "G3.20(b)" and p["line"] == 16 and p["code"] == "text-mismatch"


def test_check_github_annotations(invoke, tmp_corpus):
    alter_g320b(tmp_corpus)
    r = invoke("check", "--corpus", tmp_corpus, "--format", "github")
    assert r.exit_code == 1
    annotations = [line for line in r.output.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    a = annotations[0]
    assert re.match(r"::error file=[^,]*MP087\.xml,line=16,title=MP087 G3\.20\(b\)::", a)
    assert "%0A" in a and "\n" not in a


def test_check_exit_2_for_bad_usage_and_unreadable(invoke, tmp_path):
    assert invoke("check", "--onto", "9.99").exit_code == 2
    assert invoke("check", "--format", "xml").exit_code == 2
    bad = tmp_path / "bad.xml"
    bad.write_text("<modification", encoding="utf-8")
    r = invoke("check", "MP087", bad)
    assert r.exit_code == 2
    assert re.search(r"MP087\s+ok", r.output) and "bad.xml:1:" in r.output
    assert invoke("check", "NO-SUCH-MOD").exit_code == 2


def test_check_onto(invoke):
    assert invoke("check", "MP087", "--onto", "5.23").exit_code == 0
    r = invoke("check", "SECMP0065", "--onto", "6.17")
    assert r.exit_code == 1 and "onto 6.17" in r.output


def test_check_onto_counts_the_base_mismatch_as_a_note_beside_the_real_failure(invoke):
    r = invoke("check", "SECMP0065", "--onto", "6.17", "--format", "json")
    assert r.exit_code == 1
    [res] = json.loads(r.stdout)["results"]
    errors = [p for p in res["problems"] if p["severity"] == "error"]
    assert [p["code"] for p in errors] == ["position-taken"]
    [mismatch] = [p for p in res["problems"] if p["code"] == "base-mismatch"]
    assert mismatch["severity"] == "note" and "drafted against version 5.23" in mismatch["message"]
    text = invoke("check", "SECMP0065", "--onto", "6.17")
    assert re.search(r"SECMP0065\s+FAILED \(1 error\)", text.output)
    assert re.search(r"note: corpus/mods/SECMP0065.xml:\d+: onto 6.17: base version mismatch", text.output)
    # a modification that applies onto another version has no problem at all, not even a note
    ok = invoke("check", "MP087", "--onto", "5.23", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["results"][0]["problems"] == []


def test_check_nothing_to_check_is_an_error_unless_allowed(invoke, tmp_corpus):
    for f in (tmp_corpus / "mods").glob("*.xml"):
        f.unlink()
    r = invoke("check", "--corpus", tmp_corpus)
    assert r.exit_code == 2
    assert r.output.startswith("Error: nothing to check: no modification files (*.xml) in ")
    assert "--allow-empty" in r.output and r.output.count("\n") == 1
    gh = invoke("check", "--corpus", tmp_corpus, "--format", "github")
    assert gh.exit_code == 2 and gh.stdout.startswith("::error title=redline check::nothing to check")
    ok = invoke("check", "--corpus", tmp_corpus, "--allow-empty")
    assert ok.exit_code == 0 and "no modifications in" in ok.output
    js = invoke("check", "--corpus", tmp_corpus, "--allow-empty", "--format", "json")
    assert js.exit_code == 0 and json.loads(js.stdout) == {"ok": True, "results": []}


def test_check_mods_dir_checks_files_kept_apart_from_the_corpus(invoke, tmp_path, monkeypatch):
    mods = tmp_path / "my-mods"
    mods.mkdir()
    shutil.copy(CORPUS / "mods" / "MP087.xml", mods / "A.xml")
    bad = (CORPUS / "mods" / "MP087.xml").read_text(encoding="utf-8").replace('id="MP087"', 'id="B1"')
    (mods / "B.xml").write_text(bad.replace("<old>Gas Proxy Function</old>", "<old>Gas Proxy Functions</old>"),
                                encoding="utf-8")
    r = invoke("check", "--mods-dir", mods)
    assert r.exit_code == 1, r.output
    assert re.search(r"^MP087\s+ok$", r.output, re.M) and re.search(r"^B1\s+FAILED", r.output, re.M)
    assert "SECMP0065" not in r.output  # the bundled corpus's own modifications are not what was asked
    # ids are looked up in --mods-dir too; the environment variable does the same
    assert invoke("check", "B1", "--mods-dir", mods).exit_code == 1
    monkeypatch.setenv("REDLINE_MODS_DIR", str(mods))
    assert re.search(r"^B1\s+FAILED", invoke("check").output, re.M)
    monkeypatch.delenv("REDLINE_MODS_DIR")
    missing = invoke("check", "--mods-dir", tmp_path / "nope")
    assert missing.exit_code == 2 and "--mods-dir" in missing.output and "no such directory" in missing.output


def test_check_without_a_corpus_exits_2_naming_how_to_give_one(invoke, tmp_path, monkeypatch):
    r = invoke("check", "--corpus", tmp_path / "none")
    assert r.exit_code == 2
    assert r.output.startswith(f"Error: --corpus {tmp_path / 'none'}: no such corpus directory;")
    assert "REDLINE_CORPUS" in r.output and r.output.count("\n") == 1
    monkeypatch.setenv("REDLINE_CORPUS", str(tmp_path))
    r = invoke("check", "--format", "github")
    assert r.exit_code == 2
    assert f"REDLINE_CORPUS={tmp_path}: not a corpus directory: it has no manifest.xml" in r.output
    assert r.stdout.startswith("::error title=redline check::REDLINE_CORPUS=")
    monkeypatch.delenv("REDLINE_CORPUS")
    import redline.corpus as rc

    monkeypatch.setattr(rc, "INSTALLED_CORPUS", tmp_path / "a")
    monkeypatch.setattr(rc, "CHECKOUT_CORPUS", tmp_path / "b")
    monkeypatch.chdir(tmp_path)
    r = invoke("check")
    assert r.exit_code == 2 and r.output.startswith("Error: no corpus: ") and "--corpus DIR" in r.output


# ---------------------------------------------------------------------------------------------
# documentation and CI files


@pytest.mark.parametrize("name", ["apply", "check"])
def test_help_has_an_example(invoke, name):
    r = invoke(name, "--help")
    assert r.exit_code == 0 and "Example:" in r.output and f"redline {name}" in r.output


def test_pre_commit_hook_and_sample_workflow_are_shipped():
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "id: redline-check" in hooks and "entry: redline check" in hooks
    workflow = (ROOT / "examples" / "github-workflow.yml").read_text(encoding="utf-8")
    assert "redline check" in workflow and "--format github" in workflow
    docs = (ROOT / "docs" / "modifications.md").read_text(encoding="utf-8")
    for element in ("<insert", "<amend", "<substitute", "<delete", "<renumber", "<move",
                    "<add-definition", "<amend-definition", "<delete-definition"):
        assert element in docs, element


def test_documented_examples_parse():
    """Every complete <modification> example in docs/modifications.md is a valid modification."""
    from redline.mods import parse_modification

    docs = (ROOT / "docs" / "modifications.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```xml\n(.*?)```", docs, re.S)
    full = [b for b in blocks if b.lstrip().startswith(("<?xml", "<modification"))]
    assert len(full) >= 3
    for b in full:
        parse_modification(b.encode("utf-8"), "docs/modifications.md")


# ---------------------------------------------------------------------------------------------
# naming modifications


def test_modifications_adding_feeds_show(invoke, corpus):
    from redline.mods import modifications_adding

    assert modifications_adding(corpus, "G1.10") == ["SECMP0065"]
    assert modifications_adding(corpus, "G1.10(c)") == ["SECMP0065"]
    assert modifications_adding(corpus, "G3.20") == []
    r = invoke("show", "5.23", "G1.10")
    assert r.exit_code != 0 and "SECMP0065" in r.output


def test_load_by_id_when_the_file_is_named_otherwise(tmp_corpus):
    from redline.errors import ModificationError
    from redline.mods import load_modification

    shutil.copy(tmp_corpus / "mods" / "MP087.xml", tmp_corpus / "mods" / "renamed.xml")
    (tmp_corpus / "mods" / "MP087.xml").unlink()
    corpus = Corpus.open(tmp_corpus)
    assert load_modification(corpus, "MP087").path.name == "renamed.xml"
    with pytest.raises(ModificationError, match=r"no modification 'MP999'.*known: MP087, SECMP0065"):
        load_modification(corpus, "MP999")


def test_check_reports_duplicate_ids(invoke, tmp_corpus):
    shutil.copy(tmp_corpus / "mods" / "MP087.xml", tmp_corpus / "mods" / "MP087-copy.xml")
    r = invoke("check", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    assert "modification id MP087 is also used by" in r.output


@pytest.mark.parametrize("body, message", [
    ('<substitute target="G3.20b"><old>a</old><new>b</new></substitute>', "'G3.20b' is not an address"),
    ('<renumber target="G3.9" as="G4.1"/>', "different parents (use move)"),
    ('<insert after="G1.9" before="G1.8"><clause num="G1.10"><text>x</text></clause></insert>', "schema"),
    ('<insert after="G1.9"><clause num="G1.10"><txt>x</txt></clause></insert>', "schema"),
    ('<amend target="G3.20"><old>a</old><new>a</new></amend>', "the new words are the same as the old"),
])
def test_invalid_operations_name_file_and_line(invoke, tmp_path, body, message):
    f = tmp_path / "T.xml"
    f.write_text(f'<modification id="T" base="6.17">\n<title>t</title>\n<operations>\n{body}\n'
                 '</operations>\n</modification>\n', encoding="utf-8")
    r = invoke("apply", f, "-o", tmp_path / "out.xml")
    assert r.exit_code == 2
    assert f"{f}:4: " in r.output and message in r.output
    assert not (tmp_path / "out.xml").exists()


def test_junk_filter_excludes_phrases_g3_20_a_holds():
    """The property above once drew ';', which G3.20(a) holds, so its 'junk' applied cleanly."""
    assert not _absent_from_g3_20_a(";")
    assert _absent_from_g3_20_a("zebra crossing")


def test_check_says_the_same_whoever_checks_each_modification(invoke, generated):
    """`check` shares the modifications among --jobs processes (redline.fanout): the report and
    exit code are those of one process, in the same order, in every format."""
    for fmt in ("text", "json", "github"):
        one = invoke("check", "--jobs", "1", "--format", fmt, "--corpus", generated.root)
        assert one.exit_code in (0, 1) and one.output
        if fmt == "text":
            assert one.output.count("\n") >= 50  # a line for each modification at least
        for jobs in (2, 3):
            many = invoke("check", "--jobs", jobs, "--format", fmt, "--corpus", generated.root)
            assert (many.exit_code, many.output) == (one.exit_code, one.output), (fmt, jobs)
