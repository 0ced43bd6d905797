"""What a drafter is told: an address an earlier operation renumbered, schema errors in plain words,
a numbering gap, and the links of an HTML redline for ranges and quoted references."""

from __future__ import annotations

import re

import pytest
from lxml import etree, html

from redline.apply import apply_modification
from redline.check import check_modification
from redline.errors import ApplyError, ModificationError
from redline.mods import parse_modification
from redline.render.links import link_annotator
from redline.validate import schema, schema_error


def mod(body: str, base: str = "6.17", mod_id: str = "T") -> bytes:
    return (f'<modification id="{mod_id}" base="{base}">\n<title>t</title>\n<operations>\n{body}\n'
            "</operations>\n</modification>\n").encode()


def failures(corpus, data: bytes) -> list[str]:
    m = parse_modification(data, "t.xml")
    with pytest.raises(ApplyError) as exc:
        apply_modification(corpus.load(m.base), m)
    return [str(f) for f in exc.value.failures]


# --------------------------------------------------------------------------- after a renumbering

def test_an_address_renumbered_by_an_earlier_operation_suggests_the_new_one(corpus):
    data = mod('<renumber target="G3.21" as="G3.22"/>\n<renumber target="G3.20" as="G3.21"/>\n'
               '<substitute target="G3.20(b)"><old>Gas Proxy Function</old><new>Gas Proxy Function X</new></substitute>')
    (f,) = failures(corpus, data)
    assert f.startswith("operation 3 (Amend Section G3.20 as follows:): the target G3.20(b) is G3.21(b) by now: "
                        "operation 2 (Renumber Section G3.20 as Section G3.21) renumbered G3.20 as G3.21")
    assert f.endswith("(use G3.21(b))") and "nearest" not in f and "G3.28" not in f
    # twice renumbered: the whole chain, to where it is now
    data = mod('<renumber target="G3.21" as="G3.23"/>\n<renumber target="G3.23" as="G3.24"/>\n'
               '<amend target="G3.21"><old>x</old><new>y</new></amend>')
    (f,) = failures(corpus, data)
    assert ("the target G3.21 is G3.24 by now: operation 1 (Renumber Section G3.21 as Section G3.23) then "
            "operation 2 (Renumber Section G3.23 as Section G3.24) renumbered G3.21 as G3.24") in f
    # deleted earlier: said so, nothing suggested
    data = mod('<delete target="G3.19"/>\n<amend target="G3.19"><old>x</old><new>y</new></amend>')
    (f,) = failures(corpus, data)
    assert f.endswith("the target G3.19 is no longer there: operation 1 (Delete Section G3.19) deleted G3.19")


def test_the_suggestion_is_what_check_reports_with_its_line(corpus, tmp_path, invoke):
    p = tmp_path / "t.xml"
    p.write_bytes(mod('<renumber target="G3.21" as="G3.22"/>\n<renumber target="G3.20" as="G3.21"/>\n'
                      '<substitute target="G3.20(b)"><old>a</old><new>b</new></substitute>'))
    r = invoke("check", p, "--format", "json")
    import json

    (problem,) = json.loads(r.stdout)["results"][0]["problems"]
    assert problem["line"] == 6 and problem["code"] == "unknown-target" and "use G3.21(b)" in problem["message"]


# --------------------------------------------------------------------------- schema errors in words

CORPUS_CASES = [
    ('<clause num="G1.1" bogus="1"><text>a</text></clause>', 3,
     '<clause G1.1> has an attribute bogus="1" that it may not have (allowed: num, source, evidence, note)'),
    ('<clause num="G1.1" evidence="guessed"><text>a</text></clause>', 3,
     '<clause G1.1> has evidence="guessed", which is not printed or inferred'),
    ("<clause><text>a</text></clause>", 3, "<clause> has no num attribute (it needs a clause number such as G3.20)"),
    ('<clause num="x1"><text>a</text></clause>', 3, '<clause x1> has num="x1", which is not a clause number such as G3.20'),
    ('<clause num="G1.1">loose words<text>a</text></clause>', 3,
     "<clause G1.1> has words outside its elements (‘loose words’): a clause's words go in <text>"),
    ('<clause num="G1.1"><text>a</text><para>b</para></clause>', 3,
     "<para> is not expected there, inside <clause G1.1>: <clause G1.1> holds <text>, then <item> or <definition>"),
]


@pytest.mark.parametrize("clause, line, message", CORPUS_CASES)
def test_corpus_schema_errors_in_plain_words(clause, line, message):
    doc = f'<section num="G" heading="S" coverage="partial">\n<part num="G1" coverage="partial">\n{clause}\n</part>\n</section>'
    tree = etree.ElementTree(etree.fromstring(doc))
    rng = schema("corpus")
    assert not rng.validate(tree)
    got, got_line = schema_error(rng, tree)
    assert got.startswith(message) and got_line == line
    assert "failed to validate" not in got and "Did not expect" not in got


MOD_CASES = [
    ('<amend target="G3.20" colour="red"><old>a</old><new>b</new></amend>', 4,
     '<amend G3.20> has an attribute colour="red" that it may not have (allowed: target, field)'),
    ('<amend target="G3.20"><new>b</new></amend>', 4,
     "<new> is not expected there, inside <amend G3.20>: <amend G3.20> holds <old> then <new>"),
    ('<insert><clause num="G3.20A"><text>w</text></clause></insert>', 4,
     "<insert> needs exactly one of before, after, start or end (it has none)"),
    ('<substitute target="G3.20" occurrence="0"><old>a</old><new>b</new></substitute>', 4,
     '<substitute G3.20> has occurrence="0", which is not a whole number from 1'),
    ('<insert after="G3.20"><clause num="G3.20A">words</clause></insert>', 4,
     "<clause G3.20A> has words outside its elements (‘words’)"),
    ('<insert after="G8"><part num="G9" heading="New"/></insert>', 4,
     "<part G9> has no coverage attribute (it needs complete or partial)"),
    ('<amend target="G3.20" field="crossheading"><old>a</old><new>b</new><x/></amend>', 4,
     "<x> is not expected there, inside <amend G3.20>: <amend G3.20> holds <old> then <new>"),
]


@pytest.mark.parametrize("op, line, message", MOD_CASES)
def test_modification_schema_errors_in_plain_words(op, line, message, invoke, tmp_path):
    p = tmp_path / "m.xml"
    p.write_bytes(mod(op))
    with pytest.raises(ModificationError) as exc:
        parse_modification(p.read_bytes(), str(p))
    assert exc.value.line == line
    assert exc.value.detail == f"does not match the modification schema: {message}" or \
        exc.value.detail.startswith(f"does not match the modification schema: {message}")
    r = invoke("check", p)
    assert r.exit_code == 2 and f"m.xml:{line}: does not match the modification schema: {message}" in r.output


def test_a_modification_without_its_base_or_title(tmp_path):
    with pytest.raises(ModificationError) as exc:
        parse_modification(b'<modification id="X">\n<title>t</title>\n<operations><delete target="G3.1"/>'
                           b"</operations></modification>", "x")
    assert exc.value.detail.endswith("<modification X> has no base attribute (it needs a version id such as 6.17)")
    with pytest.raises(ModificationError) as exc:
        parse_modification(b'<modification id="X" base="1">\n<operations><delete target="G3.1"/>'
                           b"</operations></modification>", "x")
    assert "<modification X> holds <title>, an optional <meta>, then <operations>" in exc.value.detail
    assert exc.value.line == 2


# --------------------------------------------------------------------------- numbering gaps

def test_a_gap_in_a_part_held_complete_is_refused(corpus):
    data = mod('<insert after="G1.9"><clause num="G1.11"><text>Words.</text></clause></insert>', base="5.23")
    (f,) = failures(corpus, data)
    assert f == ("operation 1 (Add Section G1.11 after Section G1.9): G1.11 straight after G1.9 leaves a gap in "
                 "part G1, which is held complete: G1.10 would be missing (number it G1.10, or keep the missing "
                 "number as [Not used])")
    # a renumbering that skips a number too
    data = mod('<renumber target="G1.9" as="G1.12"/>', base="5.23")
    assert "G1.12 straight after G1.8 leaves a gap in part G1" in failures(corpus, data)[0]
    # numbered as it should be: fine
    ok = parse_modification(mod('<insert after="G1.9"><clause num="G1.10"><text>Words.</text></clause></insert>',
                                base="5.23"), "t")
    apply_modification(corpus.load("5.23"), ok)


def test_a_gap_in_a_part_held_in_part_is_a_note(corpus):
    m = parse_modification(mod('<insert after="G1.10"><clause num="G1.12"><text>Words.</text></clause></insert>'),
                           "t")
    result = check_modification(corpus, m)
    assert result.ok
    (note,) = [p for p in result.problems if p.code == "numbering-gap"]
    assert note.severity == "note" and note.line == 4
    assert note.message == ("G1.12 follows G1.10: G1.11 is not held in version 6.17 (G1 is held only in part); "
                            "if it does not exist, number the new clause G1.11")


# --------------------------------------------------------------------------- links

def test_a_range_is_one_link_and_a_quoted_reference_none():
    annotate = link_annotator({"G3", "G3.2", "G3.8", "G1.2", "G5.18"})
    assert annotate("Sections G3 to G6 apply") == [("Sections G3 to G6", "#G3"), (" apply", None)]
    # the far end, when only it is shown
    assert link_annotator({"G6"})("Sections G3 to G6.") == [("Sections G3 to G6", "#G6"), (".", None)]
    quoted = 'in Section G5.18(b)(i) to "Sections G3 and G4" shall be read as if it were to "Sections G3.2 to G3.3"'
    assert annotate(quoted) == [("in ", None), ("Section G5.18(b)(i)", "#G5.18"), (quoted[22:], None)]
    both = annotate("Sections G3.2 to G3.3 and G3.8 to G3.9")
    assert both == [("Sections G3.2 to G3.3", "#G3.2"), (" and ", None), ("G3.8 to G3.9", "#G3.8")]


def test_the_links_of_an_annex(corpus):
    from redline.annex import annex_for_modification
    from redline.cli.redline_cmds import _render
    from redline.mods import load_modification

    m = load_modification(corpus, "MP087")
    base = corpus.load(m.base)
    result = apply_modification(base, m)
    red = annex_for_modification(m, base, result, context="all")
    page = html.fromstring(_render(red, "html", "tracked", (result.version, base)))

    def links(ident: str) -> dict:
        return {re.sub(r"\s+", " ", a.text_content()): a.get("href")
                for a in page.get_element_by_id(ident).xpath(".//p[@class='lead']//a")}

    # G1.7(c)(i): "Sections G3 and G4" and "Sections G3.2 to G3.3 …" are words quoted: no link
    assert links("G1.7(c)(i)") == {}  # (and G5.18, not in the document, has no anchor)
    # G1.8: the whole range is the link, to the part the document shows (G3)
    assert links("G1.8") == {"Sections G3 to G6": "#G3"}
    assert links("G1.3") == {"this Section G1.3": "#G1.3"}
