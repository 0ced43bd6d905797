"""The Word reader (redline.word): paragraphs, runs, transparent markup, fields, tracked changes."""

from __future__ import annotations

import pytest
from docx_builder import dele, docx, ins, p, r, style, styles

from redline.word import open_docx


def read(*paragraphs, **kw):
    return open_docx(docx(*paragraphs, **kw), "test.docx")


def texts(doc, view="accept"):
    return [q.text(view) for q in doc.paragraphs]


def test_words_split_across_runs_and_markup_read_as_one_text():
    body = p(
        r("Each Us"), '<w:proofErr w:type="spellStart"/>', r("er shall"), '<w:proofErr w:type="spellEnd"/>',
        '<w:bookmarkStart w:id="0" w:name="G3_20"/>', r(" establish"), '<w:bookmarkEnd w:id="0"/>',
        '<w:hyperlink r:id="rId9"><w:r><w:t xml:space="preserve"> with </w:t></w:r></w:hyperlink>',
        '<w:smartTag w:uri="x" w:element="place"><w:r><w:t>the</w:t></w:r></w:smartTag>',
        '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>' + r(" DCC") + "</w:sdtContent></w:sdt>",
        '<w:customXml w:element="y">' + r(":") + "</w:customXml>",
        '<w:permStart w:id="1" w:edGrp="everyone"/>', '<w:commentRangeStart w:id="3"/>', r(""),
    )
    doc = read(body)
    assert texts(doc) == ["Each User shall establish with the DCC:"]
    assert len(doc.paragraphs[0].runs) == 1  # runs that agree in everything are merged
    assert not doc.has_revisions


def test_special_characters():
    body = p('<w:r><w:t>G3.20</w:t><w:tab/><w:t>non</w:t><w:noBreakHyphen/><w:t>break soft</w:t><w:softHyphen/>'
             '<w:t>ware</w:t><w:br/><w:t>line</w:t><w:cr/><w:sym w:font="Symbol" w:char="F0B7"/>'
             '<w:sym w:font="Arial" w:char="2013"/><w:lastRenderedPageBreak/></w:r>')
    assert texts(read(body)) == ["G3.20\tnon-break software\nline\n\u00b7\u2013"]


def test_field_instructions_are_not_text_but_results_are():
    complex_field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                     '<w:r><w:instrText xml:space="preserve"> REF G3_18 \\h </w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                     '<w:r><w:t>G3.18</w:t></w:r>'
                     '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    nested = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>IF </w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:instrText> = 1 "a" "b"</w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>b</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    simple = '<w:fldSimple w:instr="REF G3_19 \\h"><w:r><w:t>G3.19</w:t></w:r></w:fldSimple>'
    no_result = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>XE "Term"</w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    doc = read(p(r("see Section "), complex_field, r(" and "), simple, no_result, r("; "), nested))
    assert texts(doc) == ["see Section G3.18 and G3.19; b"]


def test_field_spanning_paragraphs_keeps_its_state():
    doc = read(p(r("before "), '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>TOC \\o</w:instrText>'
                 '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>', r("1 Summary")),
               p(r("2 Background"), '<w:r><w:fldChar w:fldCharType="end"/></w:r>', r(" after")))
    assert texts(doc) == ["before 1 Summary", "2 Background after"]


def test_tracked_changes_in_both_views():
    body = p(r("for which it "), dele("is the"), ins(r("acts as")), r(" Responsible Supplier"),
             '<w:moveFrom w:id="5" w:author="Bob" w:date="2024-02-03T00:00:00Z">' + r(" (moved)", t="delText")
             + "</w:moveFrom>",
             '<w:hyperlink w:anchor="x">' + ins(r(" here"), author="Cy", rid=7) + "</w:hyperlink>")
    doc = read(body)
    para = doc.paragraphs[0]
    assert para.text("accept") == "for which it acts as Responsible Supplier here"
    assert para.text("reject") == "for which it is the Responsible Supplier (moved)"
    changes = [(x.text, x.change, x.author) for x in para.runs if x.change]
    assert changes == [("is the", "del", "Ann"), ("acts as", "ins", "Ann"), (" (moved)", "moveFrom", "Bob"),
                       (" here", "ins", "Cy")]
    assert para.runs[1].date == "2024-01-02T00:00:00Z"
    assert doc.has_revisions and para.changed


def test_paragraph_marks_and_existence():
    doc = read(p(r("kept")), p(ins(r("new item")), mark="ins"), p(dele("old item"), mark="del"))
    marks = [q.mark for q in doc.paragraphs]
    assert marks == [None, "ins", "del"]
    assert [q.exists("accept") for q in doc.paragraphs] == [True, True, False]
    assert [q.exists("reject") for q in doc.paragraphs] == [True, False, True]
    assert texts(doc, "reject") == ["kept", "", "old item"]


def test_hidden_runs_are_flagged_and_left_out_of_the_text():
    st = styles(style("Hidden", kind="character", rpr="<w:vanish/>"))
    doc = read(p(r("shown"), r(" secret", rpr='<w:rStyle w:val="Hidden"/>'), r(" too", rpr="<w:vanish/>"),
                 r(" back", rpr='<w:vanish w:val="0"/>')), styles_xml=st)
    para = doc.paragraphs[0]
    assert para.text() == "shown back"
    assert [x.vanish for x in para.runs] == [False, True, False]


def test_formatting_flags_through_styles():
    st = styles(style("Ins", kind="character", rpr='<w:color w:val="0000ff"/><w:u w:val="single"/>'),
                style("Quote", based_on="Normal", rpr='<w:color w:val="FF0000"/>'),
                style("Quote2", based_on="Quote"))
    doc = read(p(r("a", rpr='<w:rStyle w:val="Ins"/>'), r("b", rpr="<w:strike/>"), r("c", rpr='<w:u w:val="none"/>'),
                 style="Quote2"), styles_xml=st)
    runs = doc.paragraphs[0].runs
    assert [(x.text, x.underline, x.strike, x.colour) for x in runs] == [
        ("a", True, False, "0000FF"), ("b", False, True, "FF0000"), ("c", False, False, "FF0000")]


def test_tables_are_flattened_in_reading_order_and_text_boxes_left_out():
    cell = lambda text: f"<w:tc><w:tcPr/>{p(r(text))}</w:tc>"  # noqa: E731
    inner = f"<w:tbl><w:tr>{cell('inner')}</w:tr></w:tbl>"
    table = (f"<w:tbl><w:tblPr/><w:tr>{cell('r1c1')}{cell('r1c2')}</w:tr>"
             f"<w:tr><w:tc>{p(r('r2c1'))}{inner}</w:tc>{cell('r2c2')}</w:tr></w:tbl>")
    textbox = ('<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent>'
               + p(r("in a box")) + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>")
    sdt_block = f"<w:sdt><w:sdtContent>{p(r('in a control'))}</w:sdtContent></w:sdt>"
    doc = read(p(r("before")), table, p(r("text"), textbox), sdt_block)
    assert texts(doc) == ["before", "r1c1", "r1c2", "r2c1", "inner", "r2c2", "text", "in a control"]
    assert [q.index for q in doc.paragraphs] == list(range(1, 9))


def test_styles_names_outline_levels_and_core_properties():
    st = styles(style("Heading1", "heading 1", based_on="Normal", ppr='<w:outlineLvl w:val="0"/>'),
                style("MyHead", "My Head", based_on="Heading1"),
                style("TOC1", "toc 1"))
    doc = read(p(r("A"), style="MyHead"), p(r("B")), p(r("C"), style="TOC1"), p(r("D"), style="Missing"),
               p(r("E"), ppr='<w:outlineLvl w:val="2"/>'), styles_xml=st, title="SEC Section G")
    got = [(q.style_id, q.style_name, q.outline_level) for q in doc.paragraphs]
    assert got == [("MyHead", "My Head", 0), ("Normal", "Normal", None), ("TOC1", "TOC 1", None),
                   ("Missing", "Normal", None), ("Normal", "Normal", 2)]
    assert doc.paragraphs[3].problems and "Missing" in doc.paragraphs[3].problems[0]
    assert doc.core["title"] == "SEC Section G" and doc.core["creator"] == "Test"


def test_style_loop_is_cut_and_reported():
    st = styles(style("A", based_on="B", ppr='<w:outlineLvl w:val="1"/>'), style("B", based_on="A"))
    doc = read(p(r("x"), style="B"), styles_xml=st)
    assert doc.paragraphs[0].outline_level == 1
    assert any("based on itself" in x for x in doc.problems)


def test_paragraph_values_are_frozen():
    para = read(p(r("x"))).paragraphs[0]
    with pytest.raises(AttributeError):
        para.index = 3
    with pytest.raises(ValueError):
        para.text("both")


def test_strict_namespace_documents_are_read():
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{strict}"><w:body>'
           '<w:p><w:r><w:t>strict words</w:t></w:r></w:p></w:body></w:document>')
    doc = open_docx(docx(document_xml=xml, styles_xml=None), "strict.docx")
    assert texts(doc) == ["strict words"]
