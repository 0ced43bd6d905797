"""check_modification: problems with file and line, pluggable checks, --onto."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline import check as C
from redline.check import CheckContext, CheckResult, Problem, check_modification, register_check
from redline.corpus import Corpus
from redline.errors import UnknownVersion
from redline.mods import load_modification, read_modification

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "mods" / "corpus"


def test_bundled_modifications_pass(corpus):
    for name in ("MP087", "SECMP0065"):
        result = check_modification(corpus, load_modification(corpus, name))
        assert isinstance(result, CheckResult)
        assert result.ok, result.problems
        assert result.errors == []


def test_altered_text_fails_naming_clause_line_and_difference(tmp_corpus):
    g = tmp_corpus / "versions" / "6.17" / "G.xml"
    text = g.read_text(encoding="utf-8")
    old = "(excluding a Communications Hub Function or Gas Proxy Function) for which"
    assert text.count(old) == 1
    g.write_text(text.replace(old, "(excluding a Communications Hub Function or Gas Proxy Functions) for which"),
                 encoding="utf-8")
    corpus = Corpus.open(tmp_corpus)
    mod = load_modification(corpus, "MP087")
    result = check_modification(corpus, mod)
    assert not result.ok
    [p] = result.problems
    assert p.severity == "error" and p.code == "text-mismatch"
    assert p.address == "G3.20(b)"
    assert p.file == str(tmp_corpus / "mods" / "MP087.xml")
    assert p.line == mod.lines[0]
    assert "[-Function-]" in p.message or "{+Functions" in p.message
    assert f"{p.file}:{p.line}:" in str(p)


def test_onto_applies_to_both(corpus):
    mod = load_modification(corpus, "SECMP0065")
    result = check_modification(corpus, mod, onto="6.17")
    assert result.versions == ("5.23", "6.17")
    assert not result.ok  # G1.10 is already in 6.17
    assert all(p.message.startswith("onto 6.17: ") for p in result.errors)
    kinds = {p.code for p in result.problems}
    assert {"base-mismatch", "position-taken"} <= kinds
    ok = check_modification(corpus, load_modification(corpus, "MP087"), onto="5.23")
    assert ok.ok and ok.versions == ("6.17", "5.23")
    with pytest.raises(UnknownVersion):
        check_modification(corpus, mod, onto="9.99")


def test_missing_base_is_a_problem(tmp_path, corpus):
    f = tmp_path / "X.xml"
    f.write_text('<modification id="X" base="9.99"><title>t</title><operations>'
                 '<delete target="G3.21"/></operations></modification>', encoding="utf-8")
    result = check_modification(corpus, read_modification(f))
    assert not result.ok and result.problems[0].code == "base-missing"


def test_pluggable_checks_receive_the_result(corpus):
    seen = []

    def extra(context: CheckContext):
        seen.append((context.modification.id, context.version.id, context.result.changed))
        return [context.problem("just so you know", severity="note", address="G3.20", index=0, code="extra")]

    register_check(extra)
    try:
        result = check_modification(corpus, load_modification(corpus, "MP087"))
    finally:
        C._registered.remove(extra)
    assert seen and seen[0][0] == "MP087" and seen[0][1] == "6.17"
    assert result.ok  # a note does not fail the check
    [p] = result.problems
    [p] = [p for p in result.problems if p.code == "extra"]
    assert p.severity == "note"
    assert p.line == load_modification(corpus, "MP087").lines[0]


def test_checks_by_name_are_imported_lazily(corpus, monkeypatch):
    monkeypatch.setattr(C, "CHECKS", C.CHECKS + ["tests_check_plugin:always_fails"])
    import sys
    import types

    plugin = types.ModuleType("tests_check_plugin")
    plugin.always_fails = lambda ctx: [ctx.problem("plugged-in failure", code="plugin")]
    monkeypatch.setitem(sys.modules, "tests_check_plugin", plugin)
    result = check_modification(corpus, load_modification(corpus, "MP087"))
    assert not result.ok and [p.code for p in result.errors] == ["plugin"]


def test_unknown_source_metadata_is_an_error(tmp_path, corpus):
    f = tmp_path / "S.xml"
    f.write_text('<modification id="S" base="6.17"><title>t</title><meta><source>nowhere</source></meta>'
                 '<operations><substitute target="G3.20(b)"><old>Gas Proxy Function</old>'
                 '<new>Gas Proxy Function of a Device</new></substitute></operations></modification>',
                 encoding="utf-8")
    result = check_modification(corpus, read_modification(f))
    assert [p.code for p in result.errors] == ["unknown-source"]


def test_fixture_modification_passes():
    corpus = Corpus.open(FIXTURE_CORPUS)
    assert check_modification(corpus, load_modification(corpus, "FIX0044")).ok


def test_problem_severity_is_checked():
    with pytest.raises(ValueError):
        Problem("warning", "x")
    d = Problem("note", "m", "G3.20", "f.xml", 3, "c").to_dict()
    assert d == {"severity": "note", "code": "c", "message": "m", "address": "G3.20", "file": "f.xml", "line": 3}
