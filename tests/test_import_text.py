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


# --- paragraphs: blocks or lines, and a heading after a line without final punctuation -------------

def test_redline_text_with_every_paragraph_on_one_line_is_read_as_blocks():
    """Regression (hypothesis found it): redline's own text export of a section whose paragraphs
    each fit on one line (nothing indented, nothing wrapped) was read in the seeds' line layout,
    and a cross-heading after a clause ending in "," was joined to the clause's words."""
    data = ("Smart Energy Code (SEC) version r\nConformed copy of Section G, generated by redline on 2024-01-01\n\n"
            "Section G\n\nG1\n\nG1.1    The the the the the the the the the,\n\nInterpretation\n\n"
            "G1.2    The the the;\n").encode()
    lines, report = read_text(data, "G.txt")
    assert [ln.text for ln in lines] == [
        "Smart Energy Code (SEC) version r Conformed copy of Section G, generated by redline on 2024-01-01",
        "Section G", "G1", "G1.1 The the the the the the the the the,", "Interpretation", "G1.2 The the the;"]
    root, report = build_section(lines, report=report)
    assert words_of(root) == [("G1", None, ""), ("G1.1", "The the the the the the the the the,", ""),
                              ("crossheading", "Interpretation"), ("G1.2", "The the the;", "")]
    assert not report.needs_review


def test_blocks_are_told_by_lines_that_run_on_without_indents():
    # paragraphs as blocks of lines (as pdftotext writes them): lines run on, blank lines only
    # between paragraphs, nothing indented, no line continuing across a blank; a block's second
    # line is its own even after a full stop (line rules would start a paragraph there)
    data = ("G1.1 The first clause is long enough that it wraps onto a second line of the page, and its\n"
            "Working Days,\n\nInterpretation\n\nG1.2 The second clause ends here.\n"
            "The second sentence of the clause.\n").encode()
    lines, report = read_text(data, "x.txt")
    assert [ln.text for ln in lines] == [
        "G1.1 The first clause is long enough that it wraps onto a second line of the page, and its Working Days,",
        "Interpretation", "G1.2 The second clause ends here. The second sentence of the clause."]
    assert not report.needs_review


SEED_LIKE = ("G1 SECURITY: GENERAL PROVISIONS\n\n"
             "G1.1 Sections G2 to G9 shall be interpreted in accordance with the following provisions of\n\n"
             "this Section G1, and the User shall ensure that any Device is Secure within five Working\n\n"
             "Days,\n\n"
             "Interpretation\n\n"
             "G1.2 Section G1.3 applies where the DCC is required to act in accordance with the\n\n"
             "Smart Metering Equipment.\n\n"
             "G1.3 The DCC shall act.\n")


def test_a_heading_after_a_line_without_final_punctuation_is_never_joined_silently():
    """In the seeds' line layout (a blank line after every line), a line that reads as a heading
    just before a clause number is its own paragraph even when the line before it ends without
    final punctuation; the doubt (the words may run on) is listed for review."""
    lines, report = read_text(SEED_LIKE.replace("Days,\n\n", "").encode(), "x.txt")
    assert [ln.text for ln in lines] == [
        "G1 SECURITY: GENERAL PROVISIONS",
        "G1.1 Sections G2 to G9 shall be interpreted in accordance with the following provisions of this Section "
        "G1, and the User shall ensure that any Device is Secure within five Working",
        "Interpretation",
        "G1.2 Section G1.3 applies where the DCC is required to act in accordance with the Smart Metering Equipment.",
        "G1.3 The DCC shall act."]
    assert [(n.where, n.text) for n in report.review] == [("line 7", "Interpretation")]
    assert "may run on" in report.review[0].what
    root, _ = build_section(lines, report=report)
    assert ("crossheading", "Interpretation") in words_of(root)


def test_a_wrapped_line_still_joins_its_paragraph():
    # "Days," continues the clause (it ends with punctuation: not a heading); "Smart Metering
    # Equipment." too (no number follows a heading-like line without final punctuation)
    lines, report = read_text(SEED_LIKE.encode(), "x.txt")
    assert [ln.text for ln in lines][1:3] == [
        "G1.1 Sections G2 to G9 shall be interpreted in accordance with the following provisions of this Section "
        "G1, and the User shall ensure that any Device is Secure within five Working Days,",
        "Interpretation"]
    assert not report.needs_review
