"""DOCX redlines, read back with pandoc (``--track-changes=accept|reject|all``) and checked as OOXML.

Whitespace normalisation (what "gives the new text exactly" means): a document is read as its
sequence of non-empty paragraphs; within a paragraph a tab (between a clause or item number and
its words) counts as a space and every run of whitespace is collapsed to one space, ends stripped.
The expected text is :meth:`redline.annex.Redline.clause_text` under the same normalisation.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import pypandoc
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree, html

from redline.annex import annex_for_modification, versions_redline
from redline.apply import apply_modification
from redline.diff import diff_versions
from redline.mods import load_modification
from redline.render.docx import render_docx
from redline.render.links import anchor_id, bookmark_name
from redline.textdiff import tokenize

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
MP087_INSERTION = "which forms part of a SMETS2+ Device"
LEGAL_STYLES = ("SEC Clause", "SEC Clause Continued", "SEC Cross-heading", "SEC Part Heading", "SEC Section Heading",
                "SEC Definition") + tuple(
    f"SEC Item {i}{s}" for i in range(1, 5) for s in ("", " Continued"))


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def norm(text: str) -> str:
    return " ".join(text.split())


def expected(red, side: str) -> list[str]:
    return [norm(t) for t in red.clause_text(side).splitlines() if norm(t)]


def annex(corpus, mod_id, **kw):
    mod = load_modification(corpus, mod_id)
    base = corpus.load(mod.base)
    return annex_for_modification(mod, base, apply_modification(base, mod), **kw)


def document_xml(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("word/document.xml"))


# --- reading back -----------------------------------------------------------------------------

def pandoc(data: bytes, mode: str, to: str = "plain", tmp_path=None) -> str:
    path = tmp_path / f"doc-{mode}.docx"
    path.write_bytes(data)
    return pypandoc.convert_file(str(path), to, format="docx",
                                 extra_args=[f"--track-changes={mode}", "--wrap=none"])


def pandoc_legal_lines(data: bytes, mode: str, instructions: list[str], tmp_path) -> list[str]:
    """Paragraphs after the first drafting instruction, as pandoc reads them, without the drafting
    instructions (each sits before the text it governs) and the reader's notes (in brackets)."""
    lines = [norm(l) for l in pandoc(data, mode, tmp_path=tmp_path).splitlines() if norm(l)]
    first = min(i for i, l in enumerate(lines) if l in instructions)
    return [l for l in lines[first + 1:] if l not in instructions and not re.fullmatch(r"\[.*\]", l)]


def simulated_lines(data: bytes, side: str) -> list[str]:
    """Accept All (``new``) or Reject All (``old``) done by hand on the XML, legal-text paragraphs only."""
    doc = Document(io.BytesIO(data))
    legal_ids = {doc.styles[n].style_id for n in LEGAL_STYLES if n in [s.name for s in doc.styles]}
    root = document_xml(data)
    drop, keep = ("del", "ins") if side == "new" else ("ins", "del")
    out, carry = [], ""
    for p in root.iter(w("p")):
        style = p.find("w:pPr/w:pStyle", NS)
        mark = p.find(f"w:pPr/w:rPr/w:{drop}", NS)
        text = carry
        for el in p.iter(w("t"), w("delText"), w("tab")):
            if any(a.tag == w(drop) for a in el.iterancestors()):
                continue
            text += " " if el.tag == w("tab") else (el.text or "")
        if mark is not None:  # the paragraph mark goes: its words join the next paragraph
            carry = text
            continue
        carry = ""
        if style is not None and style.get(w("val")) in legal_ids and norm(text):
            out.append(norm(text))
    return out


def check_ooxml(data: bytes) -> None:
    """What Word insists on for revisions, bookmarks and property order."""
    root = document_xml(data)
    ids = []
    for rev in root.iter(w("ins"), w("del")):
        ids.append(rev.get(w("id")))
        assert rev.get(w("author")), "revision without an author"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", rev.get(w("date")))
        parent = rev.getparent()
        if parent.tag == w("rPr"):  # a paragraph-mark revision: empty, under pPr/rPr
            assert len(rev) == 0 and parent.getparent().tag == w("pPr")
        else:
            assert parent.tag == w("p") and all(c.tag == w("r") for c in rev)
    assert len(ids) == len(set(ids)) and all(i.isdigit() for i in ids), "revision ids must be unique numbers"
    for d in root.iter(w("del")):
        assert d.find(".//w:t", NS) is None, "a deleted run must hold w:delText, not w:t"
    for t in root.iter(w("delText")):
        assert any(a.tag == w("del") for a in t.iterancestors()), "w:delText outside a deletion"
    for ppr in root.iter(w("pPr")):
        tags = [c.tag for c in ppr]
        if w("pStyle") in tags:
            assert tags[0] == w("pStyle")
        if w("rPr") in tags:
            assert tags.index(w("rPr")) == len(tags) - 1 or tags[tags.index(w("rPr")) + 1] in (w("sectPr"), w("pPrChange"))
    order = [w("b"), w("i"), w("strike"), w("color"), w("sz"), w("u")]
    for rpr in root.iter(w("rPr")):
        pos = [order.index(c.tag) for c in rpr if c.tag in order]
        assert pos == sorted(pos), "run properties out of schema order"
    starts = {b.get(w("id")): b.get(w("name")) for b in root.iter(w("bookmarkStart"))}
    assert not set(starts) & set(ids), "annotation ids (revisions, bookmarks) must be unique across kinds"
    ends = {b.get(w("id")) for b in root.iter(w("bookmarkEnd"))}
    assert set(starts) == ends and len(set(starts.values())) == len(starts)
    for name in starts.values():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", name)
    for link in root.iter(w("hyperlink")):
        assert link.get(w("anchor")) in starts.values()


# --- golden: MP087 -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mp087(request):
    from redline.corpus import Corpus
    from tests.conftest import CORPUS

    red = annex(Corpus.open(CORPUS), "MP087", date="2019-10-04")
    return red, render_docx(red, "tracked"), render_docx(red, "markup")


def test_mp087_is_valid_ooxml(mp087):
    _, tracked, markup = mp087
    check_ooxml(tracked)
    check_ooxml(markup)


def test_mp087_tracked_one_insertion(mp087, tmp_path):
    red, data, _ = mp087
    root = document_xml(data)
    ins = [norm("".join(i.itertext())) for i in root.iter(w("ins")) if i.getparent().tag == w("p")]
    assert ins == [MP087_INSERTION]
    assert list(root.iter(w("del"))) == []
    (rev,) = [i for i in root.iter(w("ins"))]
    # the author is the modification's <author> (SECAS drafts the legal text), the date its <date>
    assert rev.get(w("author")) == "SECAS" and rev.get(w("date")) == "2019-10-04T00:00:00Z"
    # pandoc, showing all changes, sees the same single insertion
    doc = html.fromstring(pandoc(data, "all", "html", tmp_path))
    spans = doc.xpath("//span[@class='insertion']")
    assert [norm(s.text_content()) for s in spans] == [MP087_INSERTION]
    assert spans[0].get("data-author") == "SECAS"
    assert doc.xpath("//span[@class='deletion']") == []


def test_mp087_accept_and_reject_give_new_and_old(mp087, tmp_path):
    red, data, _ = mp087
    instr = list(red.sections[0].instructions)
    new = pandoc_legal_lines(data, "accept", instr, tmp_path)
    old = pandoc_legal_lines(data, "reject", instr, tmp_path)
    assert new == expected(red, "new")
    assert old == expected(red, "old")
    assert new[0] == "Manufacturers: Duty to Notify and Be Notified"
    assert [l.split()[0] for l in new if l.startswith("G3.")] == ["G3.17", "G3.18", "G3.19", "G3.20", "G3.21"]
    assert any(MP087_INSERTION in l for l in new) and not any(MP087_INSERTION in l for l in old if l.startswith("(b) (where applicable) any Smart Metering System (excluding a Communications Hub Function or Gas Proxy Function)"))
    assert simulated_lines(data, "new") == new and simulated_lines(data, "old") == old


def test_mp087_cover_and_instructions(mp087, tmp_path):
    _, data, _ = mp087
    text = pandoc(data, "accept", tmp_path=tmp_path)
    doc = Document(io.BytesIO(data))
    assert doc.core_properties.title.startswith("MP087 Annex A")
    for phrase in ("Annex A", "Legal text – version 0.1", "These changes have been drafted against SEC Version 6.17.",
                   "This document is classified as White in accordance with the Panel Information Policy.",
                   "Section G ‘Security’", "Amend Section G3.20 as follows:"):
        assert phrase in text
    first = doc.paragraphs[0]
    assert first.text == "MP087 ‘Correction to SEC Section G – User Responsibilities’"


def test_mp087_styles_have_hanging_indents(mp087):
    _, data, _ = mp087
    doc = Document(io.BytesIO(data))
    clause = doc.styles["SEC Clause"].paragraph_format
    assert clause.left_indent > 0 and clause.first_line_indent == -clause.left_indent
    for level in (1, 2, 3):
        pf = doc.styles[f"SEC Item {level}"].paragraph_format
        assert pf.first_line_indent < 0 and pf.left_indent > doc.styles["SEC Clause"].paragraph_format.left_indent
    assert doc.styles["SEC Item 2"].paragraph_format.left_indent > doc.styles["SEC Item 1"].paragraph_format.left_indent
    used = {p.style.name for p in doc.paragraphs}
    assert {"SEC Clause", "SEC Item 1", "SEC Clause Continued", "SEC Cross-heading", "SEC Instruction",
            "Heading 1"} <= used
    g317 = next(p for p in doc.paragraphs if p.text.startswith("G3.17"))
    assert g317.style.name == "SEC Clause" and g317.text.startswith("G3.17\tWhere a User")


def test_mp087_markup_colours_without_revisions(mp087, tmp_path):
    red, _, data = mp087
    root = document_xml(data)
    assert list(root.iter(w("ins"))) == [] and list(root.iter(w("del"))) == []
    blue = [r for r in root.iter(w("r")) if r.find("w:rPr/w:color[@w:val='0000FF']", NS) is not None]
    assert norm("".join(t.text for r in blue for t in r.iter(w("t")))) == MP087_INSERTION
    assert all(r.find("w:rPr/w:u[@w:val='single']", NS) is not None for r in blue)
    assert [r for r in root.iter(w("r")) if r.find("w:rPr/w:strike", NS) is not None] == []
    # with no revisions, pandoc reads the new text whatever the mode
    instr = list(red.sections[0].instructions)
    assert pandoc_legal_lines(data, "reject", instr, tmp_path) == expected(red, "new")


# --- golden: SECMP0065 -------------------------------------------------------------------------

def test_secmp0065_g1_10_wholly_inserted(corpus, tmp_path):
    red = annex(corpus, "SECMP0065")
    data = render_docx(red, "tracked")
    check_ooxml(data)
    instr = ["Add Section G1.10 after Section G1.9"]
    assert list(red.sections[0].instructions) == instr
    new = pandoc_legal_lines(data, "accept", instr, tmp_path)
    assert new[:2] == ["SMETS1 Smart Metering Systems", "G1.10 Any reference in Sections G2 to G9 to:"]
    assert new == expected(red, "new") and len(new) == 5
    assert pandoc_legal_lines(data, "reject", instr, tmp_path) == []
    doc = html.fromstring(pandoc(data, "all", "html", tmp_path))
    paras = [p for p in doc.xpath("//p") if "SMETS1" in p.text_content() or "G1.10" in p.text_content()]
    legal = [p for p in paras if p.xpath(".//span[@class='insertion']")]
    assert len(legal) == 5
    for p in legal:  # every word of each paragraph lies inside an insertion
        outside = "".join(t for t in p.xpath(".//text()[not(ancestor::span[@class='insertion'])]"))
        assert not outside.strip()
    assert doc.xpath("//span[@class='deletion']") == []
    # the paragraphs themselves are tracked insertions, so Reject All removes them
    marks = document_xml(data).findall(".//w:pPr/w:rPr/w:ins", NS)
    assert len(marks) == 5


def test_secmp0065_markup(corpus):
    data = render_docx(annex(corpus, "SECMP0065"), "markup")
    check_ooxml(data)
    root = document_xml(data)
    coloured = [r for r in root.iter(w("r")) if r.find("w:rPr/w:color[@w:val='0000FF']", NS) is not None]
    text = norm(" ".join("".join(t.text for t in r.iter(w("t"))) for r in coloured))
    assert text.startswith("SMETS1 Smart Metering Systems G1.10 Any reference")


def test_bookmarks_and_summary_links(mp087):
    _, data, _ = mp087
    root = document_xml(data)
    names = [b.get(w("name")) for b in root.iter(w("bookmarkStart"))]
    assert names == ["G3_17", "G3_18", "G3_19", "G3_20", "G3_21"]
    assert [l.get(w("anchor")) for l in root.iter(w("hyperlink"))] == ["G3_20"]
    assert bookmark_name(anchor_id('A1.1["Secure"](a)')) == "A1_1_Secure_a"


def test_unknown_style_refused(mp087):
    from redline.render.docx import render_docx as rd

    with pytest.raises(ValueError):
        rd(mp087[0], "purple")


# --- properties: accept-all == new, reject-all == old on random edits ---------------------------

def _edited(corpus, seed):
    rnd = random.Random(seed)
    old = corpus.load("6.17")
    new = old.copy("edited")
    g = new.sections["G"]
    for el in rnd.sample(list(g.iter("text", "closing")), rnd.randint(1, 4)):
        toks = tokenize(el.text)
        i = rnd.randrange(len(toks))
        toks[i:i + rnd.randint(0, 4)] = rnd.choice([["not", " "], ["Licensee"], [], [" ", "G9.9(z)"], ["\t&<"]])
        el.text = norm("".join(toks)) or "x"
    if rnd.random() < 0.3:  # delete a whole item
        items = list(g.iter("item"))
        victim = rnd.choice(items)
        if len(victim.getparent().findall("item")) > 1:
            victim.getparent().remove(victim)
    if rnd.random() < 0.3:  # add a clause
        last = list(g.iter("clause"))[-1]
        part, n = last.get("num").split(".")
        extra = etree.Element("clause", num=f"{part}.{int(n) + 1}")
        etree.SubElement(extra, "text").text = "A wholly new clause about Licensees."
        last.addnext(extra)
    new.reindex()
    return old, new


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), context=st.sampled_from(["clause", "group"]))
def test_tracked_accept_reject_property(corpus, seed, context):
    old, new = _edited(corpus, seed)
    red = versions_redline(old, new, diff_versions(old, new), context=context)
    data = render_docx(red, "tracked")
    check_ooxml(data)
    assert simulated_lines(data, "new") == expected(red, "new")
    assert simulated_lines(data, "old") == expected(red, "old")


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6))
def test_tracked_pandoc_round_trip_property(corpus, tmp_path, seed):
    old, new = _edited(corpus, seed)
    red = versions_redline(old, new, diff_versions(old, new), context="clause")
    if not red.sections:
        return
    data = render_docx(red, "tracked")
    instr = [i for s in red.sections for i in s.instructions]
    assert pandoc_legal_lines(data, "accept", instr, tmp_path) == expected(red, "new")
    assert pandoc_legal_lines(data, "reject", instr, tmp_path) == expected(red, "old")


DEFS_OLD = """<section num="A" heading="Definitions and Interpretation" coverage="complete">
<part num="A1" heading="Definitions" coverage="complete"><clause num="A1.1"><text>In this Code:</text>
<definition term="Alt HAN Forum"><text>has the meaning given to that expression in Section Z1.</text></definition>
<definition term="Secure"><text>means secure to an Appropriate Standard.</text></definition>
<definition term="Shared Resource"><text>means any resource that is shared:</text>
<item num="(a)"><text>by two or more Users; or</text></item><item num="(b)"><text>by a User and the DCC.</text></item>
</definition></clause></part></section>"""
DEFS_NEW = DEFS_OLD.replace("Section Z1.", "Section Z2.").replace(
    '<definition term="Secure">', '<definition term="Recovery"><text>means the recovery of a Device.</text></definition>'
    '<definition term="Secure">').replace('<item num="(b)"><text>by a User and the DCC.</text></item>', "")
DEFS_NEW = DEFS_NEW.replace("by two or more Users; or", "by two or more Users.")


def defs_redline():
    from redline.model import Version

    old = Version("a", {"A": etree.fromstring(DEFS_OLD)})
    new = Version("b", {"A": etree.fromstring(DEFS_NEW)})
    return versions_redline(old, new, diff_versions(old, new), date="2020-01-01")


def test_definitions_tracked(tmp_path):
    red = defs_redline()
    data = render_docx(red, "tracked")
    check_ooxml(data)
    assert simulated_lines(data, "new") == expected(red, "new")
    assert simulated_lines(data, "old") == expected(red, "old")
    assert '"Recovery" means the recovery of a Device.' in expected(red, "new")
    instr = list(red.sections[0].instructions)
    assert instr == ["Amend Section A1.1 as follows:"]
    assert pandoc_legal_lines(data, "accept", instr, tmp_path) == expected(red, "new")
    assert pandoc_legal_lines(data, "reject", instr, tmp_path) == expected(red, "old")
    doc = Document(io.BytesIO(data))
    root = document_xml(data)
    sid = {doc.styles[n].style_id: n for n in ("SEC Definition", "SEC Item 1")}
    styled = [(sid.get(p.find("w:pPr/w:pStyle", NS).get(w("val"))), norm("".join(p.itertext())))
              for p in root.iter(w("p")) if p.find("w:pPr/w:pStyle", NS) is not None]
    assert ("SEC Definition", '"Recovery" means the recovery of a Device.') in styled
    assert ("SEC Item 1", "(a)by two or more Users; or.") in styled  # the tab is not text; "; or" deleted, "." inserted


def test_delete_renumber_insert_round_trip(corpus, tmp_path):
    from tests.test_render_html import SEVERAL_OPS

    path = tmp_path / "TEST1.xml"
    path.write_text(SEVERAL_OPS)
    mod = load_modification(corpus, str(path))
    base = corpus.load(mod.base)
    red = annex_for_modification(mod, base, apply_modification(base, mod), date="2024-05-01")
    data = render_docx(red, "tracked")
    check_ooxml(data)
    instr = list(red.sections[0].instructions)
    new, old = expected(red, "new"), expected(red, "old")
    assert [l.split()[0] for l in new if l.startswith("G3.")] == ["G3.17", "G3.18", "G3.19", "G3.20", "G3.21"]
    assert [l.split()[0] for l in old if l.startswith("G3.")] == ["G3.17", "G3.18", "G3.19", "G3.20", "G3.21"]
    assert simulated_lines(data, "new") == new and simulated_lines(data, "old") == old
    assert pandoc_legal_lines(data, "accept", instr, tmp_path) == new
    assert pandoc_legal_lines(data, "reject", instr, tmp_path) == old
