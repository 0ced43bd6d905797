"""Word's automatic numbering as redline.word computes it (ECMA-376 17.9), in both views."""

from __future__ import annotations

import pytest
from docx_builder import abstract, dele, docx, ins, lvl, num, numbering, p, r, style, styles

from redline.word import open_docx
from redline.word.numbering import format_number

#: the SEC shape: part G%1, clause G%1.%2, items (%3) letter, (%4) roman, (%5) upper letter
SEC_LEVELS = (lvl(0, "G%1"), lvl(1, "G%1.%2"), lvl(2, "(%3)", "lowerLetter"), lvl(3, "(%4)", "lowerRoman"),
              lvl(4, "(%5)", "upperLetter"))
SEC_STYLES = styles(
    style("Part", "SEC Part", num=("1", 0)),
    style("ClauseBase", "Clause Base", num=("1", None)),  # numId on the base, ilvl on the child
    style("Clause", "SEC Clause", based_on="ClauseBase", num=(None, 1)),
    style("Item1", "SEC Item 1", num=("1", 2)),
    style("Item2", "SEC Item 2", based_on="Item1", num=(None, 3)),
    style("Item3", "SEC Item 3", based_on="Item1", num=(None, 4)),
    style("Body", "Body"),
)


def labels(paragraphs, *, numbering_xml, styles_xml=SEC_STYLES, view="accept"):
    doc = open_docx(docx(*paragraphs, numbering_xml=numbering_xml, styles_xml=styles_xml), "n.docx")
    return [q.number(view) for q in doc.paragraphs], doc


def sec_numbering(*extra_nums):
    return numbering(abstract(10, *SEC_LEVELS), num(1, 10), *extra_nums)


def test_multilevel_numbering_bound_through_styles_and_based_on_chains():
    paras = [p(r("SECURITY"), style="Part"), p(r("Sections G2 to G9"), style="Clause"),
             p(r("Section G1.3 applies where:"), style="Clause"), p(r("the DCC"), style="Item1"),
             p(r("any standard"), style="Item2"), p(r("any equivalent"), style="Item2"),
             p(r("deep"), style="Item3"), p(r("the relevant third party"), style="Item1"),
             p(r("closing words"), style="Body"), p(r("next clause"), style="Clause"), p(r("(a) again"), style="Item1")]
    got, doc = labels(paras, numbering_xml=sec_numbering())
    assert got == ["G1", "G1.1", "G1.2", "(a)", "(i)", "(ii)", "(A)", "(b)", None, "G1.3", "(a)"]
    assert doc.paragraphs[4].numbering[0].level == 3 and doc.paragraphs[4].numbering[0].abstract == "10"
    assert doc.paragraphs[1].text() == "Sections G2 to G9"  # the number is not part of the text


def test_direct_numpr_overrides_the_style_and_numid_zero_switches_it_off():
    paras = [p(r("a"), style="Clause"), p(r("typed G1.2"), style="Clause", num=("0", None)),
             p(r("b"), style="Body", num=("1", 1)), p(r("item"), style="Clause", num=(None, 2))]
    got, _ = labels(paras, numbering_xml=sec_numbering())
    assert got == ["G0.1", None, "G0.2", "(a)"]  # level 0 never used: Word shows start - 1 (the "0.1" quirk)


def test_levels_restart_after_a_higher_level_and_lvlrestart_changes_that():
    levels = (lvl(0, "%1."), lvl(1, "%1.%2"), lvl(2, "(%3)", "lowerLetter", restart=1),  # restart only after level 0
              lvl(3, "[%4]", restart=0))  # never restarts
    nb = numbering(abstract(1, *levels), num(5, 1))
    paras = [p(r("x"), num=("5", 0)), p(r("x"), num=("5", 1)), p(r("x"), num=("5", 2)), p(r("x"), num=("5", 3)),
             p(r("x"), num=("5", 1)), p(r("x"), num=("5", 2)), p(r("x"), num=("5", 3)),
             p(r("x"), num=("5", 0)), p(r("x"), num=("5", 2)), p(r("x"), num=("5", 3))]
    got, _ = labels(paras, numbering_xml=nb, styles_xml=styles())
    assert got == ["1.", "1.1", "(a)", "[1]", "1.2", "(b)", "[2]", "2.", "(a)", "[3]"]


def test_start_values_formats_and_letters_beyond_z():
    nb = numbering(abstract(1, lvl(0, "Art. %1", "upperRoman", start=4)), num(1, 1),
                   abstract(2, lvl(0, "(%1)", "lowerLetter", start=25)), num(2, 2),
                   abstract(3, lvl(0, "%1", "decimalZero", start=8)), num(3, 3))
    paras = [p(r("x"), num=("1", 0)), p(r("x"), num=("1", 0))] + [p(r("y"), num=("2", 0))] * 4 + \
            [p(r("z"), num=("3", 0))] * 3
    got, _ = labels(paras, numbering_xml=nb, styles_xml=styles())
    assert got == ["Art. IV", "Art. V", "(y)", "(z)", "(aa)", "(bb)", "08", "09", "10"]


def test_start_override_restarts_a_shared_list_and_plain_instances_continue_it():
    nb = numbering(abstract(1, lvl(0, "%1."), lvl(1, "(%2)", "lowerLetter")),
                   num(1, 1), num(2, 1), num(3, 1, overrides={0: 1}), num(4, 1, overrides={1: 5}))
    paras = [p(r("x"), num=("1", 0)), p(r("x"), num=("1", 0)),
             p(r("x"), num=("2", 0)),            # another instance, no override: the list continues
             p(r("x"), num=("3", 0)), p(r("x"), num=("3", 0)),   # restarted at 1
             p(r("x"), num=("1", 0)),            # back to instance 1: the shared counter continues
             p(r("x"), num=("4", 1)), p(r("x"), num=("4", 1))]   # level 1 restarted at 5 (e)
    got, _ = labels(paras, numbering_xml=nb, styles_xml=styles())
    assert got == ["1.", "2.", "3.", "1.", "2.", "3.", "(e)", "(f)"]


def test_lvl_override_replaces_a_level_and_islgl_shows_decimal():
    legal = lvl(1, "%1.%2", "decimal", legal=True)
    nb = numbering(abstract(1, lvl(0, "%1", "upperRoman"), lvl(1, "%1-%2", "lowerLetter")),
                   num(1, 1), num(2, 1, lvl_overrides={1: lvl(1, "<%2>", "upperLetter")}),
                   abstract(2, lvl(0, "%1", "upperRoman"), legal), num(3, 2))
    paras = [p(r("x"), num=("1", 0)), p(r("x"), num=("1", 1)), p(r("x"), num=("2", 1)),
             p(r("x"), num=("3", 0)), p(r("x"), num=("3", 0)), p(r("x"), num=("3", 1))]
    got, _ = labels(paras, numbering_xml=nb, styles_xml=styles())
    assert got == ["I", "I-a", "<B>", "I", "II", "2.1"]


def test_level_bound_to_a_style_by_lvl_pstyle():
    levels = (lvl(0, "G%1", pstyle="PartH"), lvl(1, "G%1.%2", pstyle="ClauseH"))
    st = styles(style("PartH", num=("7", None)), style("ClauseH", num=("7", None)))
    nb = numbering(abstract(1, *levels), num(7, 1, overrides={0: 3}))
    got, _ = labels([p(r("x"), style="PartH"), p(r("x"), style="ClauseH"), p(r("x"), style="ClauseH")],
                    numbering_xml=nb, styles_xml=st)
    assert got == ["G3", "G3.1", "G3.2"]


def test_bullets_and_none():
    nb = numbering(abstract(1, lvl(0, "\u2022", "bullet"), lvl(1, "", "none")), num(1, 1))
    got, _ = labels([p(r("x"), num=("1", 0)), p(r("x"), num=("1", 1))], numbering_xml=nb, styles_xml=styles())
    assert got == ["\u2022", None]


def test_numbers_per_view_count_only_the_paragraphs_that_exist_in_it():
    paras = [p(r("one"), style="Clause"),
             p(ins(r("inserted clause")), style="Clause", mark="ins"),
             p(r("two"), style="Clause"),
             p(dele("deleted clause"), style="Clause", mark="del"),
             p(r("three"), style="Clause")]
    accept, _ = labels(paras, numbering_xml=sec_numbering())
    reject, _ = labels(paras, numbering_xml=sec_numbering(), view="reject")
    assert accept == ["G0.1", "G0.2", "G0.3", None, "G0.4"]
    assert reject == ["G0.1", None, "G0.2", "G0.3", "G0.4"]


def test_a_numbering_change_is_numbered_with_the_old_properties_when_rejected():
    change = ('<w:pPrChange w:id="3" w:author="Ann" w:date="2024-01-02T00:00:00Z"><w:pPr>'
              '<w:pStyle w:val="Item1"/></w:pPr></w:pPrChange>')
    paras = [p(r("clause"), style="Clause"), p(r("was an item, now a clause"), style="Clause", ppr=change)]
    accept, doc = labels(paras, numbering_xml=sec_numbering())
    reject, _ = labels(paras, numbering_xml=sec_numbering(), view="reject")
    assert accept == ["G0.1", "G0.2"] and reject == ["G0.1", "(a)"]
    assert doc.paragraphs[1].property_change and doc.has_revisions


@pytest.mark.parametrize("nb, para, expect, problem", [
    (numbering(abstract(1, lvl(0, "%1."))), p(r("x"), num=("9", 0)), None, "instance 9 is not defined"),
    (numbering(num(1, 4)), p(r("x"), num=("1", 0)), None, "abstract definition 4"),
    (numbering(abstract(1, lvl(0, "%1."), lvl(1, "%1.%2")), num(1, 1)), p(r("x"), num=("1", 5)), "0.1",
     "has no level 5; level 1 is used"),
    (numbering(abstract(1, lvl(0, "%1.", "chicago")), num(1, 1)), p(r("x"), num=("1", 0)), "1.", "not supported"),
    (numbering(abstract(1, lvl(0, None)), num(1, 1)), p(r("x"), num=("1", 0)), "1", "no number text"),
    (numbering(abstract(1, lvl(0, "%1.%2")), num(1, 1)), p(r("x"), num=("1", 0)), "1.-1", "deeper level"),
])
def test_malformed_numbering_degrades_and_is_reported(nb, para, expect, problem):
    got, doc = labels([para], numbering_xml=nb, styles_xml=styles())
    assert got == [expect]
    assert any(problem in x for x in doc.paragraphs[0].problems), doc.paragraphs[0].problems


def test_a_document_without_numbering_part():
    data = docx(p(r("x"), num=("1", 0)), extra={"word/numbering.xml": None})
    doc = open_docx(data, "n.docx")
    assert doc.paragraphs[0].number() is None and doc.paragraphs[0].problems


@pytest.mark.parametrize("n, fmt, out", [(1, "lowerRoman", "i"), (4, "lowerRoman", "iv"), (9, "upperRoman", "IX"),
                                         (14, "lowerRoman", "xiv"), (1994, "upperRoman", "MCMXCIV"),
                                         (26, "lowerLetter", "z"), (27, "lowerLetter", "aa"), (53, "upperLetter", "AAA"),
                                         (3, "ordinal", "3rd"), (12, "ordinal", "12th"), (0, "lowerLetter", "0")])
def test_format_number(n, fmt, out):
    assert format_number(n, fmt) == out


def _both_views(paras, nb, st):
    data = docx(*paras, numbering_xml=nb, styles_xml=st)
    doc = open_docx(data, "n.docx")
    return [(q.number("accept"), q.number("reject")) for q in doc.paragraphs]


_RESTARTS = numbering(abstract(1, lvl(0, "%1."), lvl(1, "%1.%2"), lvl(2, "(%3)", "lowerLetter", restart=1),
                               lvl(3, "[%4]", restart=0)), num(5, 1),
                      abstract(2, lvl(0, "%1."), lvl(1, "(%2)", "lowerLetter")),
                      num(1, 2), num(2, 2), num(3, 2, overrides={0: 1}), num(4, 2, overrides={1: 5}))


@pytest.mark.parametrize("paras, nb, st", [
    ([p(r("SECURITY"), style="Part"), p(r("a"), style="Clause"), p(r("b"), style="Item1"), p(r("c"), style="Item2"),
      p(ins(r("new")), style="Item2", mark="ins"), p(r("d"), style="Item3"), p(dele("gone"), style="Item1", mark="del"),
      p(r("e"), style="Item1"), p(r("f"), style="Clause"), p(r("g"), style="Item1")], sec_numbering(), SEC_STYLES),
    ([p(r("x"), num=(n, k)) for n, k in (("5", 0), ("5", 1), ("5", 2), ("5", 3), ("5", 1), ("5", 2), ("5", 3),
                                          ("5", 0), ("5", 2), ("5", 3), ("1", 0), ("1", 0), ("2", 0), ("3", 0),
                                          ("3", 0), ("1", 0), ("4", 1), ("4", 1))], _RESTARTS, styles()),
])
def test_the_careful_path_numbers_as_the_one_step_path(monkeypatch, paras, nb, st):
    """Counters.advance works out once per (instance, level) what a paragraph does (its step);
    a definition with a problem takes the careful path, every paragraph on its own. On sound
    definitions the two give the same numbers, in both views."""
    from redline.word.numbering import Counters

    quick = _both_views(paras, nb, st)
    assert sum(1 for a, _ in quick if a) > 5  # numbers to compare
    monkeypatch.setattr(Counters, "_step", lambda self, num_id, ilvl: None)  # every paragraph the careful way
    assert _both_views(paras, nb, st) == quick
