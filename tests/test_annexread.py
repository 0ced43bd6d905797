"""Units of :mod:`redline.annexread`: drafting instructions, substitutions, the cover, the HTML reader."""

from __future__ import annotations

import pytest

from redline import ops as O
from redline.annexread.front import read_cover, split_document
from redline.annexread.html import read_html
from redline.annexread.instructions import Shown, check_agreement, parse_instruction
from redline.annexread.marked import DEL, INS, Para, Run
from redline.annexread.synth import word_ops
from redline.apply import occurrences
from redline.model import Address, normalise_space
from redline.textdiff import diff_text

A = Address.parse


# --- drafting instructions --------------------------------------------------------------------------

@pytest.mark.parametrize("text,verb,targets,position,anchor,new", [
    ("Amend Section G3.20 as follows:", "amend", ["G3.20"], None, None, None),
    ("Add Section G1.10 after Section G1.9", "add", ["G1.10"], "after", "G1.9", None),
    ("Insert new Sections G1.10 to G1.12 before Section G1.13:", "add", ["G1.10", "G1.11", "G1.12"], "before",
     "G1.13", None),
    ("Add Section G3.20(c) at the end of Section G3.20", "add", ["G3.20(c)"], "end", "G3.20", None),
    ("Delete Section G3.8 and mark it [Not used]", "delete", ["G3.8"], None, None, None),
    ("Renumber Section G3.9 as Section G3.10", "renumber", ["G3.9"], None, None, "G3.10"),
    ("Move Section G3.9 to follow Section G3.12 as Section G3.13 and amend it as follows:", "move", ["G3.9"],
     "after", "G3.12", "G3.13"),
    ("Amend Sections G3.17 and G3.20 as follows:", "amend", ["G3.17", "G3.20"], None, None, None),
    ("Amend the heading of Section G3 as follows:", "amend-heading", ["G3"], None, None, None),
])
def test_parse_instruction(text, verb, targets, position, anchor, new):
    i = parse_instruction(text, "p1")
    assert i.verb == verb and [str(a) for a in i.targets] == targets
    assert i.position == position and (str(i.anchor) if i.anchor else None) == anchor
    assert (str(i.new) if i.new else None) == new


def test_definition_instructions_and_non_instructions():
    i = parse_instruction("Add the definition of 'Shared Resource Provider' to Section A1.1 in alphabetical order")
    assert i.verb == "add-definition" and i.term == "Shared Resource Provider" and i.targets == (A("A1.1"),)
    assert parse_instruction("Each User shall, wherever it is practicable to do so, establish with:") is None
    assert parse_instruction("Add some milk") is None


def test_agreement():
    amend = parse_instruction("Amend Section G3.20 as follows:", "p5")
    add = parse_instruction("Add Section G1.10 after Section G1.9", "p6")
    shown = [Shown("amended", A("G3.20"), A("G3.20")), Shown("added", None, A("G1.10"), after=A("G1.9"))]
    assert check_agreement([amend, add], shown) == []
    item = [Shown("added", None, A("G3.20(c)"))]
    assert check_agreement([amend], item) == []  # an item added is an amendment of its clause
    assert check_agreement([add], [Shown("added", None, A("G1.10"), after=A("G1.8"))]) == [
        "p6: “Add Section G1.10 after Section G1.9” but the marks put it after G1.8"]
    assert check_agreement([amend], [Shown("deleted", A("G3.19"), None)]) == [
        "p5: “Amend Section G3.20 as follows:” but the marks change nothing there",
        "the marks delete G3.19, but no drafting instruction says so"]


# --- substitutions --------------------------------------------------------------------------------

def _apply(ops, text):
    for op in ops:
        if isinstance(op, O.Amend):
            assert op.old == text
            text = op.new
        else:
            found = occurrences(text, op.old)
            assert len(found) == 1, (op, text)
            s, e = found[0]
            text = normalise_space(text[:s] + op.new + text[e:])
    return text


@pytest.mark.parametrize("old,new,expect", [
    ("excluding a Communications Hub Function or Gas Proxy Function) for which",
     "excluding a Communications Hub Function or Gas Proxy Function which forms part of a SMETS2+ Device) for which",
     [("Gas Proxy Function", "Gas Proxy Function which forms part of a SMETS2+ Device")]),
    ("the User shall promptly notify the Panel", "the User shall notify the Panel", [("promptly", "")]),
    ("the User shall notify the Panel and the User shall notify the DCC",
     "the User shall notify the Panel and the User shall inform the DCC", [("inform", None)]),
])
def test_substitutions_are_minimal_and_unique(old, new, expect):
    ops = word_ops(A("G3.20(b)"), "text", diff_text(old, new))
    assert all(isinstance(op, O.Substitute) for op in ops)
    assert _apply(ops, old) == new
    for op, (want_old, want_new) in zip(ops, expect):
        if want_new is None:
            assert want_old in op.new and len(occurrences(old, op.old)) == 1
        else:
            assert (op.old, op.new) == (want_old, want_new)


def test_rewritten_field_is_one_amend():
    old = "the User shall notify the Panel of any matter"
    new = "a Party must tell the DCC about every incident"
    (op,) = word_ops(A("G3.19"), "text", diff_text(old, new))
    assert isinstance(op, O.Amend) and (op.old, op.new) == (old, new)


def test_phrase_unique_in_the_clause_not_only_the_field():
    old, new = "notify the Panel", "notify the DCC"
    ops = word_ops(A("G3.19(a)"), "text", diff_text(old, new), others=["the Panel shall decide"])
    assert _apply(ops, old) == new
    assert all("the Panel" != op.old and op.old != "Panel" for op in ops)


# --- cover and layout ---------------------------------------------------------------------------

def _p(text, role=None, runs=None):
    return Para("p", runs or (Run(text),), role)


def test_cover_as_the_code_administrator_prints_it():
    cover = read_cover([
        _p("MP087 ‘Correction to SEC Section G – User Responsibilities’"), _p("Annex A"),
        _p("Legal text – version 0.1"), _p("These changes have been drafted against SEC Version 6.17."),
        _p("This document is classified as White in accordance with the Panel Information Policy."),
        _p("4 October 2019"), _p("Author: SECAS")])
    assert (cover.reference, cover.title, cover.legal_text_version, cover.base, cover.classification, cover.date,
            cover.author) == ("MP087", "Correction to SEC Section G – User Responsibilities", "0.1", "6.17", "White",
                              "2019-10-04", "SECAS")


def test_layout_of_an_unstyled_document():
    paras = [_p("MP087 ‘A title’"), _p("Annex A"), _p("Section G ‘Security’"), _p("Amend Section G3.20 as follows:"),
             _p("Manufacturers: Duty to Notify"), _p("G3.20\tEach User shall:", runs=(Run("G3.20\tEach User shall:"),)),
             _p("(a)\tthe manufacturers;", runs=(Run("(a)\tthe manufacturers"), Run(";", INS)))]
    layout = split_document(paras)
    assert [p.text() for p in layout.cover] == ["MP087 ‘A title’", "Annex A"]
    assert layout.sections == {"G": "Security"} and [i.verb for i in layout.instructions] == ["amend"]
    assert [p.text() for p in layout.legal][1:] == ["G3.20\tEach User shall:", "(a)\tthe manufacturers;"]


# --- the HTML reader ------------------------------------------------------------------------------

def test_html_marks_and_roles():
    page = b"""<html><body><main><section><h2 class="section-title">Section G \xe2\x80\x98Security\xe2\x80\x99</h2>
    <p class="instruction">Amend Section G3.20 as follows:</p><div class="legal-text">
    <h4 class="crossheading state-unchanged">Heading</h4>
    <div class="clause state-amended" id="G3.20"><span class="num"><del>G3.19</del><ins>G3.20</ins></span>
    <div class="body"><p class="lead">Each <a href="#x">User</a> <del>may</del><ins>shall</ins>:</p>
    <div class="item level-1"><span class="num">(a)</span><div class="body"><p class="lead">one</p></div></div>
    <p class="closing">after</p></div></div></div></section></main></body></html>"""
    paras = read_html(page, "a.html")
    roles = [(p.role, p.depth) for p in paras]
    assert roles == [("section-title", 0), ("instruction", 0), ("crossheading", 0), ("clause", 0), ("item", 1),
                     ("closing", 0)]
    clause = paras[3]
    assert clause.number("reject") == "G3.19" and clause.number("accept") == "G3.20"
    assert clause.text("reject") == "Each User may:" and clause.text("accept") == "Each User shall:"
    assert clause.runs[-2:] == (Run("shall", INS), Run(":")) and Run("may", DEL) in clause.runs
