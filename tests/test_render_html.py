"""HTML redlines, read back with an independent HTML parser (lxml.html)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree, html

from redline.annex import ClauseBlock, Cover, Redline, SectionRedline, annex_for_modification, versions_redline
from redline.apply import apply_modification
from redline.diff import diff_node, diff_versions
from redline.model import Version
from redline.mods import load_modification
from redline.render import template_dirs
from redline.render.html import render_html
from redline.render.links import anchor_id
from redline.textdiff import tokenize

MP087_INSERTION = "which forms part of a SMETS2+ Device"


def annex(corpus, mod_id, **kw):
    mod = load_modification(corpus, mod_id)
    base = corpus.load(mod.base)
    return annex_for_modification(mod, base, apply_modification(base, mod), **kw)


def parse(text: str):
    return html.document_fromstring(text)


def legal(doc):
    return doc.xpath("//div[@class='legal-text']")


def norm(text: str) -> str:
    return " ".join(text.split())


def side_text(el, side: str) -> str:
    """The text of an element as one side reads it: new drops <del>, old drops <ins>."""
    el = etree.fromstring(etree.tostring(el))
    drop = "del" if side == "new" else "ins"
    for d in el.xpath(f"//{drop}"):
        d.drop_tree() if hasattr(d, "drop_tree") else _drop(d)
    return "".join(el.itertext())


def _drop(el):
    parent = el.getparent()
    prev = el.getprevious()
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def paragraphs(doc, side: str) -> list[str]:
    """Heading and paragraph lines of the legal text of one side (number and words), in order."""
    out: list[str] = []

    def node(el):
        num = el.find("span[@class='num']")  # none for a definition: the term leads its words
        body = el.find("div[@class='body']")
        lead = body.find("p[@class='lead']")
        head = norm(" ".join(t for t in (side_text(num, side) if num is not None else "",
                                         side_text(lead, side) if lead is not None else "") if t.strip()))
        if head:
            out.append(head)
        for child in body.findall("div"):
            node(child)
        closing = body.find("p[@class='closing']")
        if closing is not None and norm(side_text(closing, side)):
            out.append(norm(side_text(closing, side)))

    for sec in legal(doc):
        for el in sec:
            if el.tag in ("h3", "h4"):
                if norm(side_text(el, side)):
                    out.append(norm(side_text(el, side)))
            elif el.tag == "div":
                node(el)
    return out


def test_templates_are_found():
    assert template_dirs("redline.html.j2")


# --- golden: MP087 ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mp087(request):
    from redline.corpus import Corpus
    from tests.conftest import CORPUS

    return parse(render_html(annex(Corpus.open(CORPUS), "MP087")))


def test_mp087_cover(mp087):
    text = norm(mp087.xpath("//header[@class='cover']")[0].text_content())
    assert "MP087 ‘Correction to SEC Section G – User Responsibilities’" in text
    assert "Annex A" in text
    assert "Legal text – version 0.1" in text
    assert "These changes have been drafted against SEC Version 6.17." in text
    assert ("This document is classified as White in accordance with the Panel Information Policy. Information "
            "can be shared with the public, and any members may publish the information, subject to copyright.") in text


def test_mp087_shows_exactly_one_insertion(mp087):
    (text,) = legal(mp087)
    ins = text.xpath(".//ins")
    assert [norm(i.text_content()) for i in ins] == [MP087_INSERTION]
    assert text.xpath(".//del") == []
    assert ins[0].xpath("ancestor::div[contains(@class,'item')][1]/@id") == ["G3.20(b)"]


def test_mp087_instruction_and_context(mp087):
    sec = mp087.xpath("//section[@class='sec']")[0]
    assert norm(sec.find("h2").text_content()) == "Section G ‘Security’"
    assert [norm(p.text_content()) for p in sec.xpath(".//p[@class='instruction']")] == ["Amend Section G3.20 as follows:"]
    assert [norm(h.text_content()) for h in sec.xpath(".//h4")] == ["Manufacturers: Duty to Notify and Be Notified"]
    assert sec.xpath(".//div[contains(@class,'clause')]/@id") == ["G3.17", "G3.18", "G3.19", "G3.20", "G3.21"]
    assert "G3.20(b)" in sec.xpath(".//div[contains(@class,'item')]/@id")


def test_mp087_summary_table_links_to_anchors(mp087):
    rows = mp087.xpath("//section[@class='summary']//tbody/tr")
    cells = [[norm(td.text_content()) for td in r.findall("td")] for r in rows]
    assert cells == [["G3.20", "amended", "7 words inserted, 0 deleted"]]
    href = rows[0].xpath(".//a/@href")[0]
    assert href == "#G3.20" and mp087.xpath(f"//*[@id='{href[1:]}']")


def test_mp087_sides(mp087, corpus):
    old = paragraphs(mp087, "old")
    new = paragraphs(mp087, "new")
    base = corpus.load("6.17")
    assert old[0] == "Manufacturers: Duty to Notify and Be Notified"
    assert "(b) (where applicable) any Smart Metering System (excluding a Communications Hub Function or Gas Proxy " \
           "Function) for which it is the Responsible Supplier," in old
    assert ("(b) (where applicable) any Smart Metering System (excluding a Communications Hub Function or Gas Proxy "
            f"Function {MP087_INSERTION}) for which it is the Responsible Supplier,") in new
    assert f"G3.17 {base.get('G3.17').text}" in old and f"G3.17 {base.get('G3.17').text}" in new


def test_standalone_page_with_print_stylesheet(mp087):
    assert mp087.xpath("//link") == [] and mp087.xpath("//script") == [] and mp087.xpath("//img") == []
    css = mp087.xpath("//style")[0].text
    assert "@media print" in css and "@page" in css
    assert ".body > p" in css  # the stylesheet is inlined verbatim, not escaped


# --- golden: SECMP0065 -----------------------------------------------------------------------

def test_secmp0065_inserted_clause_is_wholly_inserted(corpus):
    doc = parse(render_html(annex(corpus, "SECMP0065")))
    sec = doc.xpath("//section[@class='sec']")[0]
    assert [norm(p.text_content()) for p in sec.xpath(".//p[@class='instruction']")] == ["Add Section G1.10 after Section G1.9"]
    (h4,) = sec.xpath(".//h4")
    assert [norm(i.text_content()) for i in h4.xpath(".//ins")] == ["SMETS1 Smart Metering Systems"]
    (clause,) = sec.xpath(".//div[contains(@class,'clause')]")
    assert clause.get("id") == "G1.10" and "state-inserted" in clause.get("class")
    # every word of the clause is inside an <ins>: nothing is left once insertions are dropped
    assert norm(side_text(clause, "old")) == ""
    assert norm(side_text(clause, "new")) == norm(corpus.load("6.17").get("G1.10").full_text().replace(
        "Any reference", "G1.10 Any reference"))
    assert sec.xpath(".//del") == []
    rows = doc.xpath("//section[@class='summary']//tbody/tr")
    assert [norm(r.findall("td")[1].text_content()) for r in rows] == ["added"]
    assert "SMETS1 Smart Metering Systems" in rows[0].text_content()


# --- escaping and the link hook --------------------------------------------------------------

def _tiny_redline(text_old: str, text_new: str) -> Redline:
    body = '<section num="G" heading="Security" coverage="complete"><part num="G3" coverage="complete"><clause num="G3.1"><text>{}</text></clause></part></section>'
    old = Version("a", {"G": etree.fromstring(body.format(text_old))})
    new = Version("b", {"G": etree.fromstring(body.format(text_new))})
    return versions_redline(old, new, diff_versions(old, new))


def test_autoescape():
    red = _tiny_redline("a &lt;b&gt; rule", "a &lt;script&gt;alert(1)&lt;/script&gt; rule")
    out = render_html(red)
    assert "<script>alert" not in out
    doc = parse(out)
    assert doc.xpath("//script") == []
    assert "a <script>alert(1)</script> rule" in side_text(doc.xpath("//div[@id='G3.1']")[0], "new")
    assert "a <b> rule" in side_text(doc.xpath("//div[@id='G3.1']")[0], "old")


def test_annotate_hook_makes_links():
    red = _tiny_redline("as set out in Section G3.2 above", "as set out in Section G3.3 above")

    def annotate(text):
        out, rest = [], text
        for ref in ("G3.2", "G3.3"):
            if ref in rest:
                a, b = rest.split(ref, 1)
                out += [(a, None), (ref, "#" + anchor_id(ref))]
                rest = b
        return out + [(rest, None)]

    doc = parse(render_html(red, annotate=annotate))
    assert [(a.text, a.getparent().tag, a.get("href")) for a in doc.xpath("//div[@id='G3.1']//a")] == [
        ("G3.2", "del", "#G3.2"), ("G3.3", "ins", "#G3.3")]
    with pytest.raises(ValueError):
        render_html(red, annotate=lambda t: [("x", None)])


def test_anchor_ids():
    assert anchor_id("G3.20(b)") == "G3.20(b)"
    assert anchor_id('A1.1["Smart Metering System"]') == "A1.1[Smart_Metering_System]"
    assert anchor_id("G1.10", deleted=True) == "was-G1.10"


# --- property: both sides read back on random edits ------------------------------------------

@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6))
def test_random_edits_read_back(corpus, seed):
    rnd = random.Random(seed)
    old = corpus.load("6.17")
    new = old.copy("edited")
    for el in rnd.sample(list(new.sections["G"].iter("text", "closing")), rnd.randint(1, 3)):
        toks = tokenize(el.text)
        i = rnd.randrange(len(toks))
        toks[i:i + rnd.randint(0, 3)] = rnd.choice([["not", " "], ["Licensee"], [], ["<b>&", " "]])
        el.text = "".join(toks).strip() or "x"
    new.reindex()
    red = versions_redline(old, new, diff_versions(old, new), context="clause")
    doc = parse(render_html(red))
    assert paragraphs(doc, "old") == [norm(t) for t in red.clause_text("old").splitlines() if t.strip()]
    assert paragraphs(doc, "new") == [norm(t) for t in red.clause_text("new").splitlines() if t.strip()]


def test_definitions_read_back():
    from tests.test_render_docx import defs_redline

    red = defs_redline()
    doc = parse(render_html(red))
    assert paragraphs(doc, "new") == [norm(t) for t in red.clause_text("new").splitlines() if t.strip()]
    assert paragraphs(doc, "old") == [norm(t) for t in red.clause_text("old").splitlines() if t.strip()]
    (recovery,) = doc.xpath("//div[@id='A1.1[Recovery]']")
    assert "state-inserted" in recovery.get("class")
    assert norm(side_text(recovery, "old")) == ""
    assert [t.text_content() for t in recovery.xpath(".//span[@class='term']")] == ['"', "Recovery", '"']


SEVERAL_OPS = """<modification id="TEST1" base="6.17">
  <title>Several operations</title>
  <meta><legal-text-version>1.0</legal-text-version><date>2024-05-01</date><classification>Green</classification></meta>
  <operations>
    <delete target="G3.19"/>
    <renumber target="G3.20" as="G3.19"/>
    <renumber target="G3.21" as="G3.20"/>
    <insert after="G3.20"><clause num="G3.21"><text>Each User shall keep a record of every notification.</text></clause></insert>
  </operations>
</modification>"""


def test_deleted_and_renumbered_into_the_same_number(corpus, tmp_path):
    path = tmp_path / "TEST1.xml"
    path.write_text(SEVERAL_OPS)
    mod = load_modification(corpus, str(path))
    base = corpus.load(mod.base)
    red = annex_for_modification(mod, base, apply_modification(base, mod))
    doc = parse(render_html(red))
    rows = [[norm(td.text_content()) for td in r.findall("td")][:2] for r in doc.xpath("//tbody/tr")]
    assert rows == [["G3.19", "deleted"], ["G3.19", "renumbered"], ["G3.20", "renumbered"], ["G3.21", "added"]]
    for href in doc.xpath("//tbody//a/@href"):
        assert doc.xpath(f"//*[@id='{href[1:]}']"), href
    (gone,) = doc.xpath("//div[@id='was-G3.19']")
    assert norm(side_text(gone, "new")) == "" and norm(side_text(gone, "old")).startswith("G3.19 A User shall not")
    assert "Green" in doc.xpath("//p[contains(@class,'classification')]")[0].text_content()
    assert paragraphs(doc, "new") == [norm(t) for t in red.clause_text("new").splitlines() if t.strip()]
    assert paragraphs(doc, "old") == [norm(t) for t in red.clause_text("old").splitlines() if t.strip()]
