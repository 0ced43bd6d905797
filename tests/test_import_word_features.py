"""`redline import` of a hand-built Word section that uses every numbering and markup feature
issue 12 names, end to end through the CLI: the section file must hold exactly the numbers a
reader of the document sees and exactly its words, the furniture must be dropped and said, and a
malformed numbering definition must degrade to the likely number and be listed for review."""

from __future__ import annotations

import json

from docx_builder import abstract, dele, docx, ins, lvl, num, numbering, p, r, style, styles
from test_import_producers import outline

from redline.xmlsafe import parse_bytes

#: the SEC shape: part G%1, clause G%1.%2, items (%3) letter, (%4) roman, (%5) upper letter
LEVELS = (lvl(0, "G%1"), lvl(1, "G%1.%2"), lvl(2, "(%3)", "lowerLetter"), lvl(3, "(%4)", "lowerRoman"),
          lvl(4, "(%5)", "upperLetter"))
STYLES = styles(
    style("Title", "Title"), style("TOC1", "toc 1"),
    style("Part", "SEC Part", num=("1", 0)),
    style("ClauseBase", "Clause Base", num=("1", None)),  # numId on the base style ...
    style("Clause", "SEC Clause", based_on="ClauseBase", num=(None, 1)),  # ... the level on the child
    style("Item1", "SEC Item 1", num=("1", 2)),
    style("Item2", "SEC Item 2", based_on="Item1", num=(None, 3)),
    style("Item3", "SEC Item 3", based_on="Item2", num=(None, 4)),  # a chain of two
    style("Heading3", "heading 3"),
)
NUMBERING = numbering(abstract(10, *LEVELS), num(1, 10),
                      num(2, 10, overrides={1: 7}),  # a second instance restarting clauses at 7
                      abstract(20, lvl(0, "(%1)", "chicago")), num(3, 20))  # an unsupported format

HEADER = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr '
          'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
          '<w:p><w:r><w:t>SEC Section G RUNNING HEADER</w:t></w:r></w:p></w:hdr>')
FOOTER = HEADER.replace("w:hdr", "w:ftr").replace("RUNNING HEADER", "Page 1 of 9 RUNNING FOOTER")
FOOTNOTES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes '
             'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             '<w:footnote w:id="1"><w:p><w:r><w:t>A FOOTNOTE that is not legal text.</w:t></w:r></w:p>'
             '</w:footnote></w:footnotes>')
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>
</Relationships>"""
FOOTNOTE_REF = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'


def _document() -> bytes:
    body = [
        p(r("Smart Energy Code"), style="Title"),  # furniture: the title ...
        p(r("G1 Security: General Provisions\t3"), style="TOC1"),  # ... and the table of contents
        p(r("SECTION G – SECURITY")),
        p(r("SECURITY: GENERAL PROVISIONS"), style="Part"),  # G1, bound through the style
        p(r("Obligations of the DCC"), style="Heading3"),  # a cross-heading
        # G1.1: a word split across runs, a proofing mark, a bookmark, a hyperlink, a smart tag, a
        # content control, a field (instruction not text, result text), accepted tracked changes
        p(r("The D"), '<w:proofErr w:type="spellStart"/>', r("CC sh"), '<w:bookmarkStart w:id="0" w:name="b"/>',
          r("all"), '<w:bookmarkEnd w:id="0"/>', r(" "), '<w:hyperlink w:anchor="x">', r("comply"), "</w:hyperlink>",
          r(" with "), '<w:smartTag w:uri="u" w:element="e">', r("Section"), "</w:smartTag>", r(" "),
          '<w:sdt><w:sdtContent>', r("G1.2"), "</w:sdtContent></w:sdt>", r(" and "),
          '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> REF b \\h </w:instrText></w:r>'
          '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', r("Section G1.3"), '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
          r(" at "), dele("some"), ins(r("all"), author="Bo"), r(" times."), FOOTNOTE_REF, style="Clause"),
        p(r("Each User shall:"), style="Clause"),  # G1.2 with items at three levels
        p(r("notify the DCC;"), style="Item1"),  # (a)
        p(r("where:"), style="Item1"),  # (b)
        p(r("the first case;"), style="Item2"),  # (i)
        p(r("the second case, being:"), style="Item2"),  # (ii)
        p(r("a deeper case; or"), style="Item3"),  # (A)
        p(r("another deeper case,"), style="Item3"),  # (B)
        p(r("take steps."), style="Item1"),  # (c): the roman level restarts under it
        p(r("G1.3\tA clause whose number is typed."), style="Clause", num=("0", None)),  # numbering off
        p(r("A clause numbered by a second instance of the list."), num=("2", 1)),  # startOverride: G1.7
        p(r("an item that restarts at (a);"), style="Item1"),
        p(r("an item in a list of another definition."), num=("3", 0)),  # malformed: reported
    ]
    return docx(*body, styles_xml=STYLES, numbering_xml=NUMBERING,
                extra={"word/_rels/document.xml.rels": RELS, "word/header1.xml": HEADER,
                       "word/footer1.xml": FOOTER, "word/footnotes.xml": FOOTNOTES})


EXPECTED = [
    ("section", "G", "Security"), ("part", "G1", "Security: General Provisions"),
    ("crossheading", "Obligations of the DCC"),
    ("clause", "G1.1"), ("text", "The DCC shall comply with Section G1.2 and Section G1.3 at all times."),
    ("clause", "G1.2"), ("text", "Each User shall:"),
    ("item", "(a)"), ("text", "notify the DCC;"),
    ("item", "(b)"), ("text", "where:"),
    ("item", "(i)"), ("text", "the first case;"),
    ("item", "(ii)"), ("text", "the second case, being:"),
    ("item", "(A)"), ("text", "a deeper case; or"),
    ("item", "(B)"), ("text", "another deeper case,"),
    ("item", "(c)"), ("text", "take steps."),
    ("clause", "G1.3"), ("text", "A clause whose number is typed."),
    ("clause", "G1.7"), ("text", "A clause numbered by a second instance of the list."),
    ("item", "(a)"), ("text", "an item that restarts at (a);"),
    ("item", "(1)"), ("text", "an item in a list of another definition."),
]


def test_every_numbering_and_markup_feature_imports_to_the_numbers_and_words_a_reader_sees(invoke, tmp_path):
    src = tmp_path / "G.docx"
    src.write_bytes(_document())
    out = tmp_path / "G.xml"
    res = invoke("import", src, "-o", out, "--format", "json")
    assert res.exit_code == 0, res.output
    assert outline(parse_bytes(out.read_bytes(), str(out)).getroot()) == EXPECTED
    rep = json.loads(res.output)
    text = res.output
    for furniture in ("RUNNING HEADER", "RUNNING FOOTER", "FOOTNOTE", "REF b"):
        assert furniture not in text and furniture not in out.read_text("utf-8")
    dropped = {n["where"]: n["text"] for n in rep["dropped"]}
    assert dropped.get("paragraph 1") == "Smart Energy Code" and "paragraph 2" in dropped  # title, contents
    review = {n["where"]: n["what"] for n in rep["review"]}
    assert "the whole document" in review and "tracked changes" in review["the whole document"]
    assert "chicago" in review.get("paragraph 18", ""), review  # the malformed definition, with its place
    assert rep["counts"]["clauses"] == 4 and rep["counts"]["crossheadings"] == 1 and rep["counts"]["parts"] == 1


def test_strict_refuses_the_document_that_needs_review(invoke, tmp_path):
    src = tmp_path / "G.docx"
    src.write_bytes(_document())
    out = tmp_path / "G.xml"
    res = invoke("import", src, "-o", out, "--strict")
    assert res.exit_code == 1 and not out.exists()
    assert "paragraph 18" in res.output and "chicago" in res.output
