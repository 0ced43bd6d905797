"""Redlines made by an independent engine, read back: python-redlines' Word-style compare
(Docxodus) of two ``redline export`` DOCX files of Section G — version 6.17 and 6.17 edited by a
modification — must read back into operations whose result is exactly the edited text.

The DOCX files were made once by ``tests/fixtures/annex_import/make_python_redlines.py`` (CI has
no python-redlines); next to each is the modification that made the edit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.apply import apply_modification
from redline.diff import diff_versions
from redline.mods import read_modification

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "annex_import"
CASES = sorted(p.stem for p in FIXTURES.glob("*.docx"))


def test_the_fixtures_are_there():
    assert CASES == ["clauses", "items", "mp087", "words"]


@pytest.mark.parametrize("name", CASES)
def test_word_compare_reads_back_to_the_edited_text(invoke, corpus, tmp_path, name):
    out = tmp_path / "read.xml"
    res = invoke("import-annex", FIXTURES / f"{name}.docx", "--base", "6.17", "-o", out)
    assert res.exit_code == 0, res.output
    assert "no drafting instructions" in res.output  # a compare has none: said, not silently skipped
    base = corpus.load("6.17")
    got = apply_modification(base, read_modification(out)).version
    want = apply_modification(base, read_modification(FIXTURES / f"{name}.mod.xml")).version
    d = diff_versions(want, got)
    assert not d.changes and not d.headings
    assert [(str(c.address), c.full_text(), c.crossheading) for c in got.clauses()] == \
        [(str(c.address), c.full_text(), c.crossheading) for c in want.clauses()]


def test_mp087_compare_gives_mp087s_own_operation(invoke, corpus, tmp_path):
    out = tmp_path / "read.xml"
    assert invoke("import-annex", FIXTURES / "mp087.docx", "--base", "6.17", "--id", "MP087", "-o", out).exit_code == 0
    assert read_modification(out).operations == read_modification(corpus.mods_dir() / "MP087.xml").operations


def test_items_relettered_and_clauses_deleted_are_said_as_such(invoke, tmp_path):
    out = tmp_path / "read.xml"
    assert invoke("import-annex", FIXTURES / "items.docx", "--base", "6.17", "-o", out).exit_code == 0
    assert [str(op) for op in read_modification(out).operations] == [
        "Renumber Section G1.2(b) as Section G1.2(c)", "Add Section G1.2(b) after Section G1.2(a)",
        "Add Section G1.7(e) after Section G1.7(d)", "Delete Section G3.18(b)",
        "Renumber Section G3.18(c) as Section G3.18(b)"]
    assert invoke("import-annex", FIXTURES / "clauses.docx", "--base", "6.17", "-o", out).exit_code == 0
    assert [op.kind for op in read_modification(out).operations] == ["delete", "insert", "substitute"]
