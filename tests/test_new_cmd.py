"""`redline new`: a starting modification file that `check` refuses until edited, then accepts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.corpus import Corpus
from redline.draft import DraftError, starting_modification
from redline.mods import parse_modification

from conftest import CORPUS

MP087_OLD = "Gas Proxy Function) for which"
MP087_NEW = "Gas Proxy Function which forms part of a SMETS2+ Device) for which"


def _new_words(text: str, old: str, new: str, operation: int = 0) -> str:
    """``text`` with ``old`` replaced by ``new`` inside the ``<new>`` of the n-th operation only."""
    start = text.index("<operations>")
    spans = [m.span(1) for m in re.finditer(r"<new>(.*?)</new>", text[start:], re.S)]
    spans = [(s + start, e + start) for s, e in spans]
    s, e = spans[operation]
    inner = re.sub(r"\s+", " ", text[s:e])
    assert old in inner
    return text[:s] + inner.replace(old, new) + text[e:]


def _drop_operations_but(text: str, keep: int) -> str:
    ops = list(re.finditer(r"    <amend .*?</amend>\n", text, re.S))
    for i, m in reversed(list(enumerate(ops))):
        if i != keep:
            text = text[:m.start()] + text[m.end():]
    return text


def test_new_item_unedited_is_refused_then_edited_passes_and_renders(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoke("new", "MP900", "--base", "6.17", "--target", "G3.20(b)", "--title", "Close the SMETS2+ gap")
    assert r.exit_code == 0, r.output
    f = tmp_path / "MP900.xml"
    text = f.read_text(encoding="utf-8")
    mod = parse_modification(text.replace("<new>\n", "<new>X\n").encode(), "x")  # well-formed and valid
    assert mod.id == "MP900" and mod.base == "6.17" and mod.title == "Close the SMETS2+ gap"
    assert [str(op.target) for op in mod.operations] == ["G3.20(b)"]
    assert mod.meta["document"] == "Annex A"

    unedited = invoke("check", f)
    assert unedited.exit_code == 2
    assert "the new words are the same as the old" in unedited.output and "remove the operation" in unedited.output

    f.write_text(_new_words(text, MP087_OLD, MP087_NEW), encoding="utf-8")
    ok = invoke("check", f)
    assert ok.exit_code == 0, ok.output
    html = invoke("annex", f, "--format", "html", "-o", tmp_path / "a.html")
    assert html.exit_code == 0, html.output
    assert "which forms part of a SMETS2+ Device</ins>" in (tmp_path / "a.html").read_text(encoding="utf-8")


def test_new_clause_gives_every_run_of_words(invoke, tmp_path):
    out = tmp_path / "m.xml"
    r = invoke("new", "MP901", "--base", "6.17", "--target", "G3.20", "-o", out)
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    targets = re.findall(r'<amend target="([^"]+)"( field="closing")?>', text)
    assert targets == [("G3.20", ""), ("G3.20(a)", ""), ("G3.20(b)", ""), ("G3.20", ' field="closing"')]
    # keep only the item (b) amendment, edited: check accepts it, and it is MP087's change
    edited = _new_words(_drop_operations_but(text, 2), MP087_OLD, MP087_NEW)
    out.write_text(edited, encoding="utf-8")
    assert invoke("check", out).exit_code == 0
    # an existing file is never replaced
    again = invoke("new", "MP901", "--base", "6.17", "--target", "G3.20", "-o", out)
    assert again.exit_code == 2 and "already exists" in again.output
    assert out.read_text(encoding="utf-8") == edited


def test_new_without_target_has_examples_and_no_operation(invoke, tmp_path):
    r = invoke("new", "MP902", "--base", "5.23", "-o", "-")
    assert r.exit_code == 0
    assert "<operations>" in r.stdout and "<insert after=" in r.stdout and "<amend" not in r.stdout
    f = tmp_path / "MP902.xml"
    f.write_text(r.stdout, encoding="utf-8")
    c = invoke("check", f)
    assert c.exit_code == 2 and "no operation: <operations> is empty" in c.output


@pytest.mark.parametrize("args, message", [
    (["--base", "9.9"], "--base: unknown version '9.9'"),
    (["--base", "6.17", "--target", "G3.99"], "--target: G3.99 is not in version 6.17 (nearest: G3.28"),
    (["--base", "6.17", "--target", "G3.20(x"], "--target: 'G3.20(x' is not an address"),
    (["--base", "6.17", "--target", "G"], "G is a whole section"),
    (["--base", "6.17", "--target", "G3"], "G3 has no heading in version 6.17"),
])
def test_new_bad_input_exits_2(invoke, tmp_path, args, message):
    r = invoke("new", "MP903", *args, "-o", tmp_path / "x.xml")
    assert r.exit_code == 2 and message in r.output and r.output.count("\n") == 1
    assert not (tmp_path / "x.xml").exists()


def test_new_bad_id_exits_2(invoke, tmp_path):
    r = invoke("new", "no good", "--base", "6.17", "-o", tmp_path / "x.xml")
    assert r.exit_code == 2 and "is not a modification id" in r.output


_corpus = Corpus.open(CORPUS)
_NODES = [(v, n.address) for v in ("5.20", "5.23", "6.17") for n in _corpus.load(v).nodes()
          if n.kind in ("part", "clause", "item") and (n.kind != "part" or n.heading)]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(_NODES))
def test_every_starting_file_states_the_words_as_they_stand(pick):
    """Any part, clause or item: the starting file, with one word added to each <new>, parses, and
    each operation's old words are the target's words in that version."""
    vid, address = pick
    version = _corpus.load(vid)
    text = starting_modification(version, "P1", target=address, date="2020-01-01").decode()
    ops = text.index("<operations>")
    mod = parse_modification((text[:ops] + text[ops:].replace("<new>", "<new>Z ")).encode(), "p")
    assert mod.operations
    for op in mod.operations:
        node = version.get(op.target)
        assert op.old == (node.heading if op.field == "heading" else node.closing if op.field == "closing"
                          else node.text)


def test_starting_modification_refuses_a_bad_id():
    with pytest.raises(DraftError):
        starting_modification(_corpus.load("6.17"), "a b")
