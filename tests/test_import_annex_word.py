"""``redline import-annex`` on Word documents built by hand (not by redline): tracked changes in
the places Word puts them, automatic numbering, the house mark-up, and hostile files.

Each document is Word XML written out (``docx_builder``), so a test says exactly which mark-up it
exercises: insertions inside a hyperlink and inside a field's result, deletions by another
author on another date, a move (``w:moveFrom``/``w:moveTo``), a paragraph added whole (its mark
inserted), a paragraph removed whole, numbers from ``numbering.xml``.
"""

from __future__ import annotations


import pytest
from docx_builder import XXE_DOCUMENT, abstract, dele, docx, ins, lvl, num, numbering, p, r, style, styles, zip_parts

from redline.apply import apply_modification
from redline.mods import read_modification
from redline.word.package import OLE_MAGIC

G3_20 = "Each User shall, wherever it is practicable to do so, establish with:"
A = "the manufacturers of the hardware and developers of the software and firmware which form part of its User Systems; and"
B_HEAD = "(where applicable) any Smart Metering System (excluding a Communications Hub Function or Gas Proxy Function"
B_TAIL = ") for which it is the Responsible Supplier,"
CLOSING = ("arrangements designed to ensure that the User will be notified where any such manufacturer or developer "
           "(as the case may be) becomes aware of any material security vulnerability in, or likely cause of a "
           "material adverse effect on the security of, such hardware, software, firmware or Device.")
G3_21 = ("Any arrangements established in accordance with Section G3.20 may provide that the manufacturer or "
         "developer (as the case may be) need not be required to notify the User where that manufacturer or "
         "developer has reason to be satisfied that the User is already aware of the matter that would otherwise "
         "be notified under the arrangements.")

COVER = [p(r("MP900 ‘A Word-made Annex A’")), p(r("Annex A")), p(r("Legal text – version 1.2")),
         p(r("These changes have been drafted against SEC Version 6.17.")),
         p(r("This document is classified as Green in accordance with the Panel Information Policy.")),
         p(r("Section G ‘Security’"))]


def hyperlink(*content: str) -> str:
    return f'<w:hyperlink w:anchor="G3_21">{"".join(content)}</w:hyperlink>'


def field_result(*content: str) -> str:
    """A complex field (instruction text never read as words) whose result holds ``content``."""
    return (r(rpr="") .replace("<w:r>", "<w:r><w:fldChar w:fldCharType=\"begin\"/>", 1)
            + '<w:r><w:instrText xml:space="preserve"> REF G3_18 \\h </w:instrText></w:r>'
            + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + "".join(content)
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def move_from(text: str) -> str:
    return (f'<w:moveFrom w:id="31" w:author="Bob" w:date="2024-03-04T00:00:00Z">{r(text, t="delText")}</w:moveFrom>')


def move_to(text: str) -> str:
    return f'<w:moveTo w:id="32" w:author="Bob" w:date="2024-03-04T00:00:00Z">{r(text)}</w:moveTo>'


def write(tmp_path, data: bytes, name: str = "annex.docx"):
    f = tmp_path / name
    f.write_bytes(data)
    return f


def read_back(invoke, tmp_path, f, *extra):
    out = tmp_path / "read.xml"
    res = invoke("import-annex", f, "-o", out, *extra)
    return res, out


def test_tracked_changes_where_word_puts_them(invoke, corpus, tmp_path):
    """Changes inside a hyperlink and a field result, several authors and dates, a move of words,
    an item added whole and an item removed whole: read into operations giving the edited text."""
    data = docx(*COVER,
                p(r("Amend Sections G3.20 and G3.21 as follows:")),
                p(r("Manufacturers: Duty to Notify and Be Notified")),
                p(r(f"G3.20\t{G3_20}")),
                p(r("(a)\t" + A.replace("; and", ";")), dele(" and", author="Carol", date="2024-02-03T00:00:00Z",
                                                            rid=3)),
                p(r(f"(b)\t{B_HEAD}"), ins(r(" which forms part of a SMETS2+ Device"), rid=4), r(B_TAIL)),
                p(ins(r("(c)\tany Device it installs,"), author="Carol", rid=5), mark="ins"),
                p(r("arrangements designed to ensure that the User will be notified where any such manufacturer or "
                    "developer "), move_from("(as the case may be) "),
                  r("becomes aware of any material security vulnerability in, or likely cause of a material adverse "
                    "effect on the security of, such hardware, software, firmware or Device"), move_to(" (as the case may be)"),
                  r(".")),
                p(r("G3.21\tAny arrangements established in accordance with "),
                  hyperlink(r("Section G3.20"), ins(r(" and Section G3.18"), author="Dan", date="2025-05-06T07:08:09Z",
                                                   rid=6)),
                  r(" may provide that the manufacturer or developer (as the case may be) need not be required to "
                    "notify the User where that manufacturer or developer has reason to be satisfied that the User is "
                    "already aware of the matter that would otherwise be notified under the arrangements.")),
                )
    f = write(tmp_path, data)
    res, out = read_back(invoke, tmp_path, f)
    assert res.exit_code == 0, res.output
    assert "revisions by: Carol, Ann, Bob, Dan" in res.output
    mod = read_modification(out)
    assert (mod.id, mod.base, mod.meta.get("legal-text-version"), mod.meta.get("classification")) == \
        ("MP900", "6.17", "1.2", "Green")
    kinds = [op.kind for op in mod.operations]
    assert "insert" in kinds and "substitute" in kinds
    g = apply_modification(corpus.load("6.17"), mod).version
    assert g.get("G3.20(a)").text == A.replace("; and", ";")
    assert g.get("G3.20(b)").text == f"{B_HEAD} which forms part of a SMETS2+ Device{B_TAIL}"
    assert g.get("G3.20(c)").text == "any Device it installs,"
    assert g.get("G3.20").closing == CLOSING.replace("developer (as the case may be) becomes", "developer becomes") \
        .replace("or Device.", "or Device (as the case may be).")
    assert g.get("G3.21").text == G3_21.replace("Section G3.20 may", "Section G3.20 and Section G3.18 may")


def test_an_item_removed_whole_and_a_field_result_changed(invoke, corpus, tmp_path):
    data = docx(*COVER,
                p(r("Amend Section G3.18 as follows:")),
                p(r("G3.18\tThe requirements of this Section are that the User shall:")),
                p(r("(a)\twherever it is reasonably practicable to do so notify the manufacturer of the hardware or "
                    "Device or the developer of the software or firmware (as the case may be);")),
                p(dele("(b)\ttake reasonable steps to ensure that the cause of the vulnerability or likely cause of the "
                       "material adverse effect is rectified, or its potential impact is mitigated, as soon as is "
                       "reasonably practicable; and", rid=11), mark="del"),
                p(r("(c)\tensure that the Security Sub-Committee is promptly notified of the steps being taken to "
                    "rectify the cause of the vulnerability or likely cause of the material adverse effect, or to "
                    "mitigate its potential impact (as the case may be), and the time within which those steps are "
                    "intended to be "), field_result(r("completed"), ins(r(" in full"), rid=12)), r(".")))
    res, out = read_back(invoke, tmp_path, write(tmp_path, data))
    assert res.exit_code == 0, res.output
    mod = read_modification(out)
    assert [op.kind for op in mod.operations] == ["delete", "substitute"]
    g = apply_modification(corpus.load("6.17"), mod).version
    assert g.find("G3.18(b)") is None and g.get("G3.18(c)").text.endswith("intended to be completed in full.")


def test_automatic_numbering_renumbered_by_a_tracked_insertion(invoke, corpus, tmp_path):
    """Numbers from numbering.xml: inserting an item before (b) makes Word show (c) for the old
    (b) when changes are accepted, (b) when they are rejected."""
    sty = styles(style("Clause", "Legal Clause", num=(1, 0)), style("Item", "Legal Item", num=(1, 1)))
    numb = numbering(abstract(1, lvl(0, "G3.%1", start=20), lvl(1, "(%2)", "lowerLetter")), num(1, 1))
    data = docx(*COVER,
                p(r("Amend Section G3.20 as follows:")),
                p(r(G3_20), style="Clause"),
                p(r(A), style="Item"),
                p(ins(r("any meter asset provider it appoints; and"), rid=21), style="Item", mark="ins"),
                p(r(f"{B_HEAD}{B_TAIL}"), style="Item"),
                p(r(CLOSING)),
                styles_xml=sty, numbering_xml=numb)
    res, out = read_back(invoke, tmp_path, write(tmp_path, data))
    assert res.exit_code == 0, res.output
    mod = read_modification(out)
    assert [str(op) for op in mod.operations] == ["Renumber Section G3.20(b) as Section G3.20(c)",
                                                   "Add Section G3.20(b) after Section G3.20(a)"]
    g = apply_modification(corpus.load("6.17"), mod).version
    assert g.get("G3.20(b)").text == "any meter asset provider it appoints; and"
    assert g.get("G3.20(c)").text == f"{B_HEAD}{B_TAIL}"


def test_house_markup_made_in_word(invoke, corpus, tmp_path):
    """No revisions: struck-through words are deleted, blue underlined ones inserted; a blue
    underlined hyperlink (Word's own colour) and plain underline are not insertions."""
    blue = '<w:color w:val="0070C0"/><w:u w:val="single"/>'
    struck = '<w:strike/><w:color w:val="FF0000"/>'
    link = '<w:color w:val="0563C1"/><w:u w:val="single"/>'
    data = docx(*COVER,
                p(r("Amend Section G3.21 as follows:")),
                p(r("G3.21\tAny arrangements established in accordance with "), r("Section G3.20", rpr=link),
                  r(" may provide that the manufacturer or developer (as the case may be) need not be required to "
                    "notify the User where that manufacturer or developer has reason to be "),
                  r("satisfied", rpr=struck), r("certain", rpr=blue),
                  r(" that the User is already aware of the matter that would otherwise be notified under the "),
                  r("arrangements", rpr='<w:u w:val="single"/>'), r(".")))
    res, out = read_back(invoke, tmp_path, write(tmp_path, data))
    assert res.exit_code == 0, res.output
    assert "house mark-up" in res.output
    (op,) = read_modification(out).operations
    assert (op.kind, str(op.target), op.old, op.new) == ("substitute", "G3.21", "satisfied", "certain")


def test_markup_document_with_unmarked_differences(invoke, tmp_path):
    data = docx(*COVER, p(r("Amend Section G3.21 as follows:")),
                p(r("G3.21\t" + G3_21.replace("Any arrangements", "All arrangements"))))
    res, out = read_back(invoke, tmp_path, write(tmp_path, data))
    assert res.exit_code == 1 and not out.exists()
    assert "[-Any-]{+All+} arrangements" in res.output



HOSTILE = {
    "text.docx": (lambda: b"not a zip at all", "not a .docx"),
    "bomb.docx": (lambda: zip_parts({"word/document.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"}), "zip bomb"),
    "nodoc.docx": (lambda: zip_parts({"[Content_Types].xml": "<Types/>", "word/styles.xml": "<a/>"}),
                   "no main document part"),
    "dtd.docx": (lambda: docx(document_xml=XXE_DOCUMENT), "DOCTYPE"),
    "ole.docx": (lambda: OLE_MAGIC + b"\0" * 1024, "OLE compound file"),
    "macro.docx": (lambda: docx(p(r("G3.21 x")), extra={"word/vbaProject.bin": b"\0"}), "macro-enabled"),
    "entity.html": (lambda: b"\x00\x01\x02 binary, not HTML", "not an HTML document"),
    "xxe.html": (lambda: b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                 b'<html><body><div class="legal-text"><p>G3.21 &x;</p></div></body></html>', "DOCTYPE"),
    "huge.html": (None, "more than the 64 MB"),
    "macro.docm": (lambda: docx(p(r("G3.21 x")), main_ct="application/vnd.ms-word.document.macroEnabled.main+xml"),
                   "macro-enabled"),
    **{f"dtd-{part.replace('/', '-')}.docx": (
        (lambda part=part: docx(p(r("G3.21 x")), extra={part: XXE_DOCUMENT.replace("w:document", "w:x")})), "DOCTYPE")
       for part in ("word/styles.xml", "word/numbering.xml", "docProps/core.xml", "word/footnotes.xml",
                    "word/header1.xml", "[Content_Types].xml")},
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_get_one_error_line_exit_2_and_nothing_written(invoke, tmp_path, name):
    make, says = HOSTILE[name]
    if make is None:  # 100 MB (sparse)
        f = tmp_path / name
        with open(f, "wb") as fh:
            fh.truncate(100 * 1024 * 1024)
    else:
        f = write(tmp_path, make(), name)
    out = tmp_path / "m.xml"
    res = invoke("import-annex", f, "--base", "6.17", "-o", out, *(["--format", "html"] if name.endswith("html") else []))
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and says in lines[0], res.output
    assert not out.exists()
    assert sorted(x.name for x in tmp_path.iterdir()) == [name]  # no debris either


def test_the_printed_mp087_annex_a_rebuilt_in_word(invoke, corpus, tmp_path):
    """MP087's Annex A as the code administrator printed it (seed 002: its cover, "Section G
    ‘Security’", "Amend Section G3.20 as follows:", G3.17 to G3.21 with typed numbers and no
    paragraph styles), the insertion in the house mark-up: read back into MP087's own operation."""
    blue = '<w:color w:val="0000FF"/><w:u w:val="single"/>'
    seed = (corpus.root / "sources" / "002_cca3b7b6a8b5c0ea.txt").read_text("utf-8")
    annex = seed[seed.index("Section G ‘Security’"):]
    assert "Amend Section G3.20 as follows:" in annex and "G3.21 Any arrangements" in annex
    g = corpus.load("6.17")
    paras = [p(r("MP087 ‘Correction to SEC Section G – User Responsibilities’")), p(r("Annex A")),
             p(r("Legal text – version 0.1")), p(r("About this document")),
             p(r("This document contains the redlined changes to the SEC that would be required to deliver this "
                 "Modification Proposal.")),
             p(r("These changes have been drafted against SEC Version 6.17.")),
             p(r("This document is classified as White in accordance with the Panel Information Policy. Information "
                 "can be shared with the public, and any members may publish the information, subject to copyright.")),
             p(r("Section G ‘Security’")), p(r("Amend Section G3.20 as follows:")),
             p(r("Manufacturers: Duty to Notify and Be Notified"))]
    for num in ("G3.17", "G3.18", "G3.19", "G3.20", "G3.21"):
        node = g.get(num)
        paras.append(p(r(f"{num}\t{node.text}")))
        for item in node.children:
            if str(item.address) == "G3.20(b)":
                head, tail = item.text.split("Gas Proxy Function", 1)
                paras.append(p(r(f"(b)\t{head}Gas Proxy Function"), r(" which forms part of a SMETS2+ Device", rpr=blue),
                               r(tail)))
            else:
                paras.append(p(r(f"{item.num}\t{item.text}")))
        if node.closing:
            paras.append(p(r(node.closing)))
    res, out = read_back(invoke, tmp_path, write(tmp_path, docx(*paras)))
    assert res.exit_code == 0, res.output
    assert "house mark-up" in res.output and "Drafting instructions: agree with the marks" in res.output
    mod = read_modification(out)
    original = read_modification(corpus.mods_dir() / "MP087.xml")
    assert (mod.id, mod.title, mod.base) == (original.id, original.title, original.base)
    assert mod.meta == {"legal-text-version": "0.1", "classification": "White"}
    assert mod.operations == original.operations


def _moved(tag: str, text: str, rid: int) -> str:
    t = "delText" if tag == "moveFrom" else "t"
    return f'<w:{tag} w:id="{rid}" w:author="Bob" w:date="2024-03-04T00:00:00Z">{r(text, t=t)}</w:{tag}>'


def _clause_moved(c, num: str, tag: str, rid: int) -> list[str]:
    """A clause's paragraphs (number and lead words, items, closing words) as Word marks a moved
    block: the runs in ``w:moveFrom``/``w:moveTo`` and each paragraph mark moved too."""
    out = [p(_moved(tag, f"{num}\t{c.text}", rid), mark=tag)]
    for i, item in enumerate(c.element.findall("item")):
        out.append(p(_moved(tag, f"{item.get('num')}\t{item.findtext('text')}", rid + 1 + i), mark=tag))
    if c.closing:
        out.append(p(_moved(tag, c.closing, rid + 9), mark=tag))
    return out


def _renumbered(old: str, new: str, words: str, rid: int) -> str:
    return p(r("G3."), dele(old, rid=rid), ins(r(new), rid=rid + 1), r("\t" + words))


def test_a_whole_clause_moved_with_words_move_marks(invoke, corpus, tmp_path):
    """Word's move of whole paragraphs (G3.17 with its items and closing words dragged below G3.19,
    the numbers retyped as tracked changes): one move and the renumberings, as instructed."""
    base = corpus.load("6.17")
    c17, c18, c19 = base.get("G3.17"), base.get("G3.18"), base.get("G3.19")
    data = docx(*COVER,
                p(r("Move Section G3.17 to follow Section G3.19 as Section G3.19")),
                p(r("Renumber Section G3.18 as Section G3.17")), p(r("Renumber Section G3.19 as Section G3.18")),
                p(r("Manufacturers: Duty to Notify and Be Notified")),
                *_clause_moved(c17, "G3.17", "moveFrom", 50),
                _renumbered("18", "17", c18.text, 70),
                *[p(r(f"{i.get('num')}\t{i.findtext('text')}")) for i in c18.element.findall("item")],
                _renumbered("19", "18", c19.text, 72),
                *_clause_moved(c17, "G3.19", "moveTo", 80))
    res, out = read_back(invoke, tmp_path, write(tmp_path, data))
    assert res.exit_code == 0, res.output
    mod = read_modification(out)
    assert [op.kind for op in mod.operations].count("move") == 1
    g = apply_modification(base, mod).version
    assert g.get("G3.19").full_text().split(" ", 1)[1] == c17.full_text().split(" ", 1)[1]
    assert g.get("G3.17").text == c18.text and g.get("G3.18").text == c19.text


def test_two_neighbours_swapped_by_a_move_agree_with_either_reading(invoke, corpus, tmp_path):
    """G3.21 moved above G3.20: the reader may say either moved (the order is the same); the
    instructions, which say G3.21 moved, agree."""
    base = corpus.load("6.17")
    data = docx(*COVER,
                p(r("Move Section G3.21 to follow Section G3.19 as Section G3.20")),
                p(r("Renumber Section G3.20 as Section G3.21")),
                p(r("Manufacturers: Duty to Notify and Be Notified")),
                p(r(f"G3.19\t{base.get('G3.19').text}")),
                p(_moved("moveTo", "G3.20\t" + G3_21, 41), mark="moveTo"),
                _renumbered("20", "21", G3_20, 43), p(r("(a)\t" + A)), p(r(f"(b)\t{B_HEAD}{B_TAIL}")), p(r(CLOSING)),
                p(_moved("moveFrom", "G3.21\t" + G3_21, 42), mark="moveFrom"))
    res, out = read_back(invoke, tmp_path, write(tmp_path, data))
    assert res.exit_code == 0, res.output
    g = apply_modification(base, read_modification(out)).version
    assert g.get("G3.20").text == G3_21 and g.get("G3.21").text == G3_20
