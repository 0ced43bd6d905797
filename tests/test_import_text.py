"""Text extracted from PDFs (redline.importer.text): the seeds in corpus/sources/ and their damage."""

from __future__ import annotations

import pytest
from conftest import SEEDS

from redline.errors import DocumentError
from redline.importer import build_section
from redline.importer.text import Vocabulary, read_text, repair_words
from redline.importer.report import ImportReport
from redline.model import Node, Version


def words_of(root) -> list[tuple]:
    out = []
    for el in root.iter("part", "crossheading", "clause", "item"):
        if el.tag == "crossheading":
            out.append(("crossheading", el.get("heading")))
            continue
        n = Node(el)
        out.append((str(n.address), n.heading if el.tag == "part" else n.text, n.closing))
    return out


def test_secmp0065_legal_text_gives_g1_as_the_corpus_holds_it(corpus):
    data = (SEEDS / "003_15a3fa53e473668b.txt").read_bytes()
    lines, report = read_text(data, "003.txt")
    root, report = build_section(lines, report=report, source="seed-003")
    held = corpus.load("6.17").sections["G"]  # 6.17 holds G1.1-G1.10 (5.23's G1 with SECMP0065)
    g1 = [x for x in words_of(held) if x[0] == "crossheading" or x[0].startswith("G1")]
    got = words_of(root)
    # 6.17 holds G3 too: compare G1 and the cross-headings up to the first G3 clause
    g1 = g1[:next(i for i, x in enumerate(g1) if x == ("crossheading", "Manufacturers: Duty to Notify and Be Notified"))]
    assert got == g1
    assert root.get("heading") == "Security"
    assert [c.get("num") for c in root.iter("clause")] == [f"G1.{i}" for i in range(1, 11)]
    assert report.counts == {"parts": 1, "crossheadings": 6, "clauses": 10, "items": 21, "definitions": 0,
                             "closings": 0, "not_used": 0}
    # every damaged spot is repaired (and said) or listed; here all are repaired with certainty
    repaired = {n.where: n.what for n in report.repaired}
    assert "'(a)(c)' read as (c)" in repaired["line 182"]
    assert "footnote 1" in repaired["line 28"]
    assert not report.needs_review
    dropped = [n.what for n in report.dropped]
    assert dropped.count("footnote text") == 4 and "footnote rule" in dropped
    assert "a drafting instruction" in dropped


def test_the_words_of_5_23_g1_match_too(corpus):
    lines, report = read_text((SEEDS / "003_15a3fa53e473668b.txt").read_bytes(), "003.txt")
    root, _ = build_section(lines, report=report)
    held = Version("5.23", {"G": corpus.load("5.23").sections["G"]})
    for el in root.iter("clause", "item"):
        n = Node(el)
        if n.address.clause == "G1.10":
            continue  # added by SECMP0065
        assert held.get(n.address).text == n.text, n.address


def corpus_words(corpus) -> set[str]:
    import re

    return {w for v in corpus.version_ids for n in corpus.load(v).nodes() for w in re.findall("[A-Za-z]+", n.text)}


def test_split_words_in_the_problem_statement_are_repaired_or_listed(corpus):
    data = (SEEDS / "000_278db87213a40d0f.txt").read_bytes()
    lines, report = read_text(data, "000.txt")
    text = " ".join(ln.text for ln in lines)
    assert "verif ication" in text and "verif ication" in {n.text for n in report.review}  # no vocabulary: listed
    lines, report = read_text(data, "000.txt", vocabulary=corpus_words(corpus))  # as `redline import` reads it
    text = " ".join(ln.text for ln in lines)
    for damaged in ("wil l", "al l t imes", "verif ication", "i f i t", "facil i tate", "l icence"):
        assert f" {damaged} " not in f" {text} "
    assert "is at all times Secure" in text and "capable of verification as such" in text
    listed = {n.text for n in report.review}
    # what cannot be joined with certainty is listed, never silently kept
    for doubtful in ("competit ion", "assess ing"):
        assert doubtful in text and doubtful in listed
    assert "l ikely" not in text  # "likely" is a word of the corpus


def test_a_corpus_vocabulary_makes_more_repairs_certain():
    report = ImportReport("x")
    vocab = Vocabulary(["competition", "assessing"])
    out = repair_words("on competit ion and assess ing it", "line 1", vocab, report)
    assert out == "on competition and assessing it" and len(report.repaired) == 2


def test_words_that_are_words_are_never_joined():
    report = ImportReport("x")
    vocab = Vocabulary(["anyone", "within", "cannot"])
    assert repair_words("any one with in the Smart Meter can not", "l", vocab, report) == \
        "any one with in the Smart Meter can not"
    assert not report.repaired


def test_wrapped_lines_page_numbers_and_running_headers():
    page = "Running Header of the Code\n{body}\nPage {n} of 3\n"
    bodies = ["G1.1 The first clause is long enough to wrap onto the next line of the page and it goes on\nand on.",
              "G1.2 Second clause.\n(a) item one; and",
              "(b) item two which wraps onto another line because it is long and goes on and on and\non."]
    data = "\f".join(page.format(body=b, n=i) for i, b in enumerate(bodies, 1)).encode()
    lines, report = read_text(data, "x.txt")
    assert [ln.text for ln in lines] == [
        "Running Header of the Code"] * 0 + [
        "G1.1 The first clause is long enough to wrap onto the next line of the page and it goes on and on.",
        "G1.2 Second clause.", "(a) item one; and",
        "(b) item two which wraps onto another line because it is long and goes on and on and on."]
    assert sum(1 for n in report.dropped if n.what == "a page number") == 3
    assert sum(1 for n in report.dropped if "running page header" in n.what) == 3


@pytest.mark.parametrize("data, msg", [(b"G1.1 x\x00\x01\x02", "NUL"), (b"G1.1 x\x07\x08 bell", "control character"),
                                       (b"G1.1 caf\xe9", "not UTF-8")])
def test_binary_data_is_refused(data, msg):
    with pytest.raises(DocumentError, match=msg) as err:
        read_text(data, "bad.txt")
    assert err.value.exit_code == 2


def test_a_glued_footnote_mark_is_cut_only_where_one_place_fits_else_listed():
    rule = " " * 30
    lines, report = read_text(f"G1.1 Comply with version 5.231 of the rules.\n{rule}\n1 A footnote.\n".encode(), "x.txt")
    assert [ln.text for ln in lines] == ["G1.1 Comply with version 5.23 of the rules."]
    assert [n.where for n in report.repaired] == ["line 1"] and "footnote 1" in report.repaired[0].what
    # two places fit: neither is cut, both are listed for review
    lines, report = read_text(f"G1.1 Each party2 and supplier2 shall act.\n{rule}\n2 A footnote.\n".encode(), "x.txt")
    assert [ln.text for ln in lines] == ["G1.1 Each party2 and supplier2 shall act."] and not report.repaired
    assert any("'party2'" in n.what and "'supplier2'" in n.what for n in report.review)
    # no place fits: kept, listed
    lines, report = read_text(f"G1.1 Each Party2 shall act.\n{rule}\n2 A footnote.\n".encode(), "x.txt")
    assert [ln.text for ln in lines] == ["G1.1 Each Party2 shall act."]
    assert any("not found" in n.what for n in report.review) and report.needs_review
