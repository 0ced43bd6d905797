"""The Annex A laid out as the code administrator prints it.

Golden comparisons with the seed papers (MP087's Annex A in seed 002, SECMP0065's "Legal Text" in
seed 003), and the layout rules: drafting instructions before the text they govern, in document
order; a consequential amendment after a renumbering named unambiguously; a renumbered number
inside the hanging indent; ``--context part``; the reader's notes for text not held and text
inferred; the cover's document name, proposer and date; the tracked changes' author.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from lxml import etree, html

from redline.annex import (
    ClauseBlock, HeadingBlock, InstructionBlock, NoteBlock, annex_for_modification, display_date,
    drafting_instructions, versions_redline,
)
from redline.apply import apply_modification
from redline.diff import diff_versions
from redline.mods import load_modification, read_modification
from redline.render.docx import _number_cm, number_columns, render_docx
from redline.render.docx_template import NUM_COL_CM
from redline.render.html import render_html

from conftest import CORPUS, SEEDS

FIXTURE = Path(__file__).parent / "fixtures" / "annex" / "renumber_and_amend.xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def norm(text: str) -> str:
    return " ".join(text.split())


def annex(corpus, mod, **kw):
    mod = mod if not isinstance(mod, str) else load_modification(corpus, mod)
    base = corpus.load(mod.base)
    return annex_for_modification(mod, base, apply_modification(base, mod), **kw)


def kinds(sec) -> list[str]:
    """Each block as a short label: I:<instruction>, N:<note kind>, H:<level>, C:<address>."""
    out = []
    for b in sec.blocks:
        if isinstance(b, InstructionBlock):
            out.append(f"I:{b.text}")
        elif isinstance(b, NoteBlock):
            out.append(f"N:{b.kind}")
        elif isinstance(b, HeadingBlock):
            out.append(f"H:{b.level}")
        else:
            out.append(f"C:{b.anchor}")
    return out


def seed(name: str) -> str:
    return norm(next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- golden: the seeds

def test_mp087_reads_as_its_annex_a_prints_it(corpus):
    """Accept every change and the legal text is the seed's Annex A, word for word, after the
    drafting instruction (the reader's note on inferred text is not legal text)."""
    red = annex(corpus, "MP087")
    (sec,) = red.sections
    assert sec.title == "Section G ‘Security’"
    assert kinds(sec)[:3] == ["I:Amend Section G3.20 as follows:", "H:crossheading", "C:G3.17"]
    printed = seed("002")
    printed = printed[printed.index("Section G ‘Security’ Amend Section G3.20 as follows:"):]
    ours = norm(f"{sec.title} {sec.instructions[0]} " + red.clause_text("new").replace("\n", " "))
    assert ours == printed


def test_secmp0065_part_context_reads_as_its_legal_text_prints_it(corpus):
    """--context part: the instruction, "SECTION G - SECURITY", the part heading (in capitals, as
    printed) and the whole of G1 with the new G1.10, exactly as seed 003 prints them."""
    red = annex(corpus, "SECMP0065", context="part")
    (sec,) = red.sections
    assert kinds(sec)[:5] == ["I:Add Section G1.10 after Section G1.9", "H:section", "H:part", "H:crossheading",
                              "C:G1.1"]
    assert not any(isinstance(b, NoteBlock) for b in sec.blocks)  # 5.23's G1 is printed and held in full
    lines = red.clause_text("new").split("\n")
    lines[1] = lines[1].upper()  # the part heading is set in capitals (the style's, not the words')
    printed = seed("003")
    printed = printed[printed.index("Section G ‘Security’ Add Section G1.10"):]
    printed = re.sub(r" 1Note that if a new version.*?forthcoming designations\. ", " ", printed)  # the footnote
    printed = printed.replace("version 5.231.", "version 5.23.").replace("(a)(c) a Device", "(c) a Device")
    assert norm(f"{sec.title} {sec.instructions[0]} " + " ".join(lines)) == printed
    # and the cover is the document's own: "Legal Text", no subtitle saying so again
    assert (red.cover.document, red.cover.subtitle) == ("Legal Text", None)


# --------------------------------------------------------------------------- instructions

def test_instructions_are_interleaved_in_document_order(corpus):
    red = annex(corpus, read_modification(FIXTURE))
    (sec,) = red.sections
    k = kinds(sec)
    # G1's text prints first, so its instruction (the last operation) comes first, before it
    add = k.index("I:Add Section G1.11 after Section G1.10")
    assert add < k.index("C:G1.10") < k.index("C:G1.11")
    g3 = ["I:Delete Section G3.19", "I:Renumber Section G3.20 as Section G3.19",
          "I:Renumber Section G3.21 as Section G3.20", "I:Amend Section G3.20 (formerly Section G3.21) as follows:"]
    at = k.index(g3[0])
    assert k[at:at + 4] == g3 and k.index("C:G1.11") < at < k.index("C:G3.17")  # G3's, in operation order
    assert "I:Amend Section G3.20 as follows:" not in k  # never the ambiguous form
    assert [i for i in k if i.startswith("I:")] == [f"I:{t}" for t in (
        "Add Section G1.11 after Section G1.10", *[g[2:] for g in g3])]
    # the same order in both renderers
    page = html.fromstring(render_html(red))
    order = [e.get("class") if e.get("class") == "instruction" else e.get("id")
             for e in page.xpath("//div[@class='legal-text']/*[self::p[@class='instruction'] or self::div]")]
    assert order[:3] == ["instruction", "G1.10", "G1.11"] and order[3:7] == ["instruction"] * 4
    doc = Document(io.BytesIO(render_docx(red, "markup")))  # python-docx reads no text inside w:ins
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    instr = [t for s, t in paras if s == "SEC Instruction"]
    assert instr == [g[2:] for g in ["I:Add Section G1.11 after Section G1.10", *g3]]
    first_g3 = next(i for i, (s, t) in enumerate(paras) if t.startswith("G3.17"))
    g111 = next(i for i, (s, t) in enumerate(paras) if t.startswith("G1.11"))
    delete = paras.index(("SEC Instruction", "Delete Section G3.19"))
    assert g111 < delete < first_g3


def test_formerly_follows_every_renumbering(corpus):
    mod = read_modification(FIXTURE)
    texts = [i.text for _, i in drafting_instructions(mod)]
    assert texts[3] == "Amend Section G3.20 (formerly Section G3.21) as follows:"
    # a renumbering of a renumbered clause, and a part renumbered with its clauses
    from redline.model import Address
    from redline.ops import Amend, Renumber

    a = Address.parse
    chain = replace(mod, operations=(Renumber(a("G3.20"), new=a("G3.22")), Renumber(a("G3.22"), new=a("G3.23")),
                                     Amend(a("G3.23(b)"), "x", "y"), Renumber(a("G3"), new=a("G4")),
                                     Amend(a("G4.23"), "x", "y")))
    got = [(i.text, i.governs) for _, i in drafting_instructions(chain)]
    assert got[1][0] == "Renumber Section G3.22 (formerly Section G3.20) as Section G3.23"
    assert got[2][0] == "Amend Section G3.23 (formerly Section G3.20) as follows:"
    assert got[4][0] == "Amend Section G4.23 (formerly Section G3.20) as follows:"
    assert got[0][1] == (("new", a("G4.23")),)  # governs the clause as it ends up


def test_a_change_the_result_adds_to_a_part_held_in_part_is_an_addition(corpus):
    red = annex(corpus, read_modification(FIXTURE))
    rows = {(r.address, r.change) for r in red.summary}
    assert ("G1.11", "added") in rows
    assert red.notes == ()  # nothing "not compared": the result was made from the base


# --------------------------------------------------------------------------- numbers

def test_a_renumbered_number_stays_inside_the_hanging_indent(corpus):
    red = annex(corpus, read_modification(FIXTURE))
    widest = max(_number_cm("".join(s.text for s in b.diff.num)) for sec in red.sections for b in sec.blocks
                 if isinstance(b, ClauseBlock))
    assert widest > NUM_COL_CM  # "G3.20G3.19" does not fit the usual column
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(render_docx(red))).read("word/document.xml"))
    clause_paras = [p for p in root.iter(f"{W}p")
                    if p.find(f"{W}pPr/{W}pStyle") is not None and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "SECClause"]
    assert clause_paras
    for p in clause_paras:
        ind = p.find(f"{W}pPr/{W}ind")
        tab = p.find(f"{W}pPr/{W}tabs/{W}tab[@{W}val='left']")
        left_cm = int(ind.get(f"{W}left")) / 567
        assert int(ind.get(f"{W}hanging")) == int(ind.get(f"{W}left")) == int(tab.get(f"{W}pos"))
        assert left_cm >= widest  # the words start after the widest number, on every clause alike
    # items move with the clause text; the words after a list too
    cols = number_columns(red)
    item_left = int(re.search(r'w:left="(\d+)"', cols["SEC Item 1"]).group(1))
    assert item_left > int(re.search(r'w:left="(\d+)"', cols["SEC Clause"]).group(1))
    assert re.search(r'w:left="(\d+)"', cols["SEC Clause Continued"]).group(1) == \
        re.search(r'w:left="(\d+)"', cols["SEC Clause"]).group(1)
    # MP087 renumbers nothing: the styles' own indents, no override
    assert number_columns(annex(corpus, "MP087")) == {}


# --------------------------------------------------------------------------- reader's notes

def test_context_all_says_what_is_not_held_and_what_is_inferred(corpus):
    red = annex(corpus, "MP087", context="all")
    (sec,) = red.sections
    notes = [b.text for b in sec.blocks if isinstance(b, NoteBlock)]
    for expected in ("Any Sections of G1 after G1.10 are not held in the corpus and not shown.",
                     "Part G2 of Section G is not held in the corpus and not shown.",
                     "The heading of G3 is not held in the corpus: the seeds do not print the heading of G3.",
                     "Sections G3.1 to G3.16 are not held in the corpus and not shown.",
                     "Sections G3.22 to G3.25 are not held in the corpus and not shown.",
                     "Any Sections of G3 after G3.28 are not held in the corpus and not shown."):
        assert expected in notes
    inferred = [n for n in notes if n.startswith("Inferred")]
    assert any(n.startswith("Inferred, not printed in a source: the text of G1 shown here. No seed prints G1 "
                            "for 6.17") for n in inferred)
    assert any("G3.20(b) as it read before this change" in n for n in inferred)
    assert any("under the cross-heading ‘SMETS1 Smart Metering Systems’" in n for n in inferred)
    k = kinds(sec)
    # each note where it belongs: the gap before the group after it, the heading note after the part heading
    assert k.index("H:section") < k.index("C:G1.1")
    g326 = k.index("C:G3.26")
    assert "N:not-held" in k[g326 - 4:g326]
    # the notes are never legal text: Accept All gives the text alone
    assert "not held" not in red.clause_text("new") and "Inferred" not in red.clause_text("old")


def test_group_context_marks_only_what_it_shows(corpus):
    red = annex(corpus, "MP087")
    (note,) = [b for b in red.sections[0].blocks if isinstance(b, NoteBlock)]
    assert note.kind == "inferred" and note.text.startswith(
        "Inferred, not printed in a source: G3.20(b) as it read before this change. G3.20(b) before MP087:")
    # in the renderers, as a bracketed note outside the legal text
    page = html.fromstring(render_html(red))
    (p,) = page.xpath("//p[contains(@class,'reader-note')]")
    assert p.get("class") == "reader-note inferred" and norm(p.text_content()).startswith("[Inferred")
    doc = Document(io.BytesIO(render_docx(red)))
    (q,) = [x for x in doc.paragraphs if x.text.startswith("[Inferred")]
    assert q.style.name == "SEC Margin Note"


def test_a_version_redline_tells_inferred_text_on_each_side(corpus):
    old, new = corpus.load("5.23"), corpus.load("6.17")
    red = versions_redline(old, new, diff_versions(old, new), context="part")
    texts = [b.text for s in red.sections for b in s.blocks if isinstance(b, NoteBlock)]
    # 5.23's G1 is printed, 6.17's inferred: the note says which version's text it is
    assert any(t.startswith("Inferred, not printed in a source: the text of G1 shown here as version 6.17 holds it. "
                            "No seed prints G1 for 6.17") for t in texts)
    # G3.17 is printed for 6.17 but inferred for 5.23 (the same words)
    assert any(t.startswith("Inferred, not printed in a source: G3.17 as version 5.23 holds it.") for t in texts) \
        or "G3.17" not in [str(b.anchor) for s in red.sections for b in s.blocks if isinstance(b, ClauseBlock)]
    instr = [b.text for s in red.sections for b in s.blocks if isinstance(b, InstructionBlock)]
    assert instr == ["Add Section G1.10 after Section G1.9"]


# --------------------------------------------------------------------------- cover and author

def test_cover_has_document_name_proposer_and_date(corpus):
    red = annex(corpus, "MP087")
    c = red.cover
    assert (c.document, c.subtitle, c.proposer, c.date) == (
        "Annex A", "Legal text – version 0.1", "Gordon Hextall on behalf of the Security Sub-Committee (SSC)",
        "2019-10-04")
    page = html.fromstring(render_html(red))
    facts = [norm(x.text_content()) for x in page.xpath("//dl[@class='cover-facts']/*")]
    assert facts == ["Proposer", c.proposer, "Date", "4 October 2019"]
    doc = Document(io.BytesIO(render_docx(red)))
    assert [p.text for p in doc.paragraphs if p.style.name == "SEC Cover Fact"] == [
        f"Proposer: {c.proposer}", "Date: 4 October 2019"]
    s65 = annex(corpus, "SECMP0065")
    doc = Document(io.BytesIO(render_docx(s65)))
    assert [p.text for p in doc.paragraphs if p.style.name == "SEC Cover Document"] == ["Legal Text"]
    assert [p.text for p in doc.paragraphs if p.style.name == "SEC Cover Fact"] == ["Date: 2018"]
    assert not [p for p in doc.paragraphs if p.style.name == "SEC Cover Subtitle"]
    assert (display_date("2019-10-04"), display_date("2018"), display_date(None)) == ("4 October 2019", "2018", None)


def test_author_is_the_modifications_author(corpus, invoke, tmp_path):
    assert annex(corpus, "MP087").author == "SECAS"
    assert annex(corpus, "MP087", author="Someone").author == "Someone"
    assert annex(corpus, "SECMP0065").author == "SECMP0065"  # no <author>: its id
    out = tmp_path / "a.docx"
    assert invoke("annex", FIXTURE, "--format", "docx", "-o", out, "--allow-broken-refs").exit_code == 0
    root = etree.fromstring(zipfile.ZipFile(out).read("word/document.xml"))
    assert {el.get(f"{W}author") for el in root.iter(f"{W}ins", f"{W}del")} == {"Fixture Drafter"}


def test_context_part_on_the_command_line(invoke, tmp_path):
    out = tmp_path / "s.html"
    r = invoke("annex", "SECMP0065", "--format", "html", "--context", "part", "-o", out)
    assert r.exit_code == 0, r.output
    page = html.fromstring(out.read_text(encoding="utf-8"))
    assert norm(page.xpath("//h3[contains(@class,'section-heading')]")[0].text_content()) == "SECTION G - SECURITY"
    assert page.xpath("//div[contains(@class,'clause')]/@id") == [f"G1.{i}" for i in range(1, 11)]
    assert "[group|clause|part|all]" in invoke("annex", "--help").output


def test_group_and_clause_context_say_what_is_not_held_between_what_they_show(corpus, tmp_path):
    """Two groups of G3 shown: the note between them names G3.22 to G3.25, which the corpus does not
    hold; the text before the first group shown is left out by choice, not for want of it."""
    mod = tmp_path / "TWO.xml"
    mod.write_text('<modification id="TWO" base="6.17"><title>t</title><operations>'
                   '<substitute target="G3.21"><old>under the arrangements</old><new>under those arrangements</new>'
                   '</substitute><substitute target="G3.26"><old>best endeavours</old><new>reasonable endeavours</new>'
                   '</substitute></operations></modification>', encoding="utf-8")
    for context in ("group", "clause"):
        red = annex(corpus, read_modification(mod), context=context)
        k = kinds(red.sections[0])
        notes = [b.text for b in red.sections[0].blocks if isinstance(b, NoteBlock) and b.kind == "not-held"]
        assert notes == ["Sections G3.22 to G3.25 are not held in the corpus and not shown."]
        assert k.index("C:G3.21") < k.index("N:not-held") < k.index("C:G3.26")
        assert any(n.startswith("N:inferred") for n in k[k.index("N:not-held"):k.index("C:G3.26")])


def test_a_renumbered_number_stays_inside_the_hanging_indent_in_html(corpus):
    """In HTML each clause and item is a two-column grid (number, words); the struck and inserted
    numbers are unbreakable boxes that stack inside the number column rather than push the words."""
    from redline.render import template_dirs

    red = annex(corpus, read_modification(FIXTURE))
    page = html.fromstring(render_html(red))
    (g319,) = page.xpath("//div[@id='G3.19']")
    assert [c.tag + "." + c.get("class") for c in g319] == ["span.num", "div.body"]
    assert [norm(x.text_content()) for x in g319[0]] == ["G3.20", "G3.19"]
    assert [x.tag for x in g319[0]] == ["del", "ins"]
    css = "\n".join(p.read_text(encoding="utf-8") for d in template_dirs("redline.html.j2") for p in Path(d).glob("*.css"))
    css = re.sub(r"\s+", " ", css)
    assert re.search(r"\.clause, \.item, \.definition \{ display: grid; grid-template-columns: var\(--num-col\) 1fr;", css)
    assert ".num ins, .num del { display: inline-block; white-space: nowrap; }" in css
