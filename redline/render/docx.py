"""DOCX rendering of a :class:`redline.annex.Redline`: native tracked changes or coloured mark-up.

python-docx provides the package, the default parts and the styles; the body is built with
``OxmlElement``/lxml, one paragraph at a time, because tracked changes are plain WordprocessingML:

* ``--style tracked``: an insertion is ``<w:ins w:id w:author w:date><w:r><w:t>…``; a deletion is
  ``<w:del …><w:r><w:delText>…`` (never ``w:t`` inside a deletion: Word reports "unreadable
  content"); a paragraph that is wholly inserted or deleted also marks its paragraph mark
  (``w:pPr/w:rPr/w:ins|w:del``) so that Reject All / Accept All remove the paragraph itself. Every
  revision gets a unique ``w:id`` from a counter (no scanning of the document).
* ``--style markup``: no revisions; inserted runs blue and underlined, deleted runs red and struck
  through (the code administrator's house style).

Clause numbers are text (a renumbering is itself a tracked change), set in real paragraph styles
with hanging indents: ``SEC Clause``, ``SEC Item 1`` … ``SEC Item 4``, their ``… Continued``
styles for the words after a list, ``SEC Cross-heading``, ``SEC Part Heading``, ``SEC Instruction``;
the section title is ``Heading 1`` so that Word's navigation pane lists it. Each clause carries a
bookmark named after its address (``G3_20``) and the summary table links to it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
import re
from dataclasses import dataclass
from itertools import count

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import NamespacePrefixedTag
from docx.oxml.parser import oxml_parser
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from redline.annex import ClauseBlock, HeadingBlock, Redline
from redline.diff import NodeDiff
from redline.textdiff import DELETE, EQUAL, INSERT, Span


@functools.lru_cache(maxsize=None)
def _clark(nsptag: str) -> tuple[str, dict]:
    tag = NamespacePrefixedTag(nsptag)
    return tag.clark_name, tag.nsmap


def OxmlElement(nsptag: str):  # noqa: N802 - python-docx's OxmlElement, the tag resolved once
    """A loose ``w:`` element, exactly as python-docx's ``OxmlElement(nsptag)`` makes it.

    A whole-code redline makes ~700,000 of them; python-docx re-parses the prefixed tag each time.
    """
    clark, nsmap = _clark(nsptag)
    return oxml_parser.makeelement(clark, nsmap=nsmap)

STYLES = ("tracked", "markup")

# --- house style (named settings) -------------------------------------------------------------
FONT = "Arial"
BODY_PT = 11
BRAND = RGBColor(0x00, 0x35, 0x5F)
INS_COLOUR = RGBColor(0x00, 0x00, 0xFF)  # markup: inserted text
DEL_COLOUR = RGBColor(0xFF, 0x00, 0x00)  # markup: deleted text
NUM_COL = Cm(1.5)  # clause number column
ITEM_COL = Cm(1.1)  # each list level's number column
MAX_LEVEL = 4
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21.0), Cm(29.7), Cm(2.5)
FOOTER_CHARS = 60  # longest footer label before the page number
SUMMARY_COLUMNS = (Cm(2.6), Cm(3.6), Cm(9.8))  # clause, change, detail (sums to the text width)

TAB = "\t"


@dataclass(frozen=True)
class Piece:
    """A run to write: its kind (equal/insert/delete) and text (``TAB`` for a tab)."""

    kind: str
    text: str


class _Revisions:
    """Hands out unique revision ids and carries the author and date of every revision."""

    def __init__(self, author: str, date: str):
        self.author, self.date = author, date
        self._ids = count(1)

    def next_id(self) -> str:
        return str(next(self._ids))

    def mark(self, tag: str):
        el = OxmlElement(tag)
        el.set(qn("w:id"), self.next_id())
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        return el


def _w_date(date: str | None) -> str:
    """A w:date value (ISO 8601, UTC, no fraction) from an ISO date or date-time; now if None."""
    if date:
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?Z?", date.strip())
        if m:
            t = m.group(2) or "00:00:00"
            if len(t) == 5:
                t += ":00"
            return f"{m.group(1)}T{t}Z"
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- styles ----------------------------------------------------------------------------------

def _set_font(style_or_rpr_owner, name: str) -> None:
    """Set a style's font on every script and drop theme fonts, which would override it."""
    rpr = style_or_rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _paragraph_style(doc, name, *, base="Normal", size=None, bold=None, colour=None, left=None, hanging=None,
                     before=None, after=None, keep_next=False, caps=False, tab=None):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base] if base else None
    style.hidden = False
    style.quick_style = True
    style.unhide_when_used = False
    font = style.font
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = colour
    if caps:
        font.all_caps = True
    pf = style.paragraph_format
    if left is not None:
        pf.left_indent = left
    if hanging is not None:
        pf.first_line_indent = -hanging if hanging else Cm(0)
    if tab is not None:
        pf.tab_stops.add_tab_stop(tab)
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if keep_next:
        pf.keep_with_next = True
    return style


def item_style(level: int) -> str:
    """The style name of a list item at ``level`` (1 = (a), 2 = (i), …)."""
    return f"SEC Item {min(level, MAX_LEVEL)}"


def continued_style(level: int) -> str:
    """The style of the words after a list, at the indent of the text of ``level`` (0 = clause)."""
    return "SEC Clause Continued" if level == 0 else f"SEC Item {min(level, MAX_LEVEL)} Continued"


def define_styles(doc) -> None:
    """Define the house styles (fonts, indents) in ``doc``."""
    normal = doc.styles["Normal"]
    _set_font(normal, FONT)
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    normal.element.get_or_add_rPr().append(lang)
    for name, size in (("Heading 1", 14), ("Heading 2", 12), ("Title", 20)):
        st = doc.styles[name]
        _set_font(st, FONT)
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = BRAND
        st.font.italic = False
        st.paragraph_format.space_before = Pt(18 if name != "Title" else 96)  # the title sits low on the cover
        st.paragraph_format.space_after = Pt(8)
    _paragraph_style(doc, "SEC Cover Document", size=16, bold=True, before=24, after=4)
    _paragraph_style(doc, "SEC Cover Subtitle", size=13, colour=RGBColor(0x55, 0x55, 0x55), after=24)
    _paragraph_style(doc, "SEC Classification", size=9, before=12, after=6)
    _paragraph_style(doc, "SEC Note", size=9, colour=RGBColor(0x55, 0x55, 0x55), before=6, after=4)
    _paragraph_style(doc, "SEC Instruction", bold=True, before=6, after=10, keep_next=True)
    _paragraph_style(doc, "SEC Part Heading", bold=True, caps=True, before=14, after=8, keep_next=True,
                     left=NUM_COL, hanging=NUM_COL, tab=NUM_COL)
    _paragraph_style(doc, "SEC Cross-heading", bold=True, before=12, after=6, keep_next=True)
    _paragraph_style(doc, "SEC Clause", left=NUM_COL, hanging=NUM_COL, tab=NUM_COL, before=0, after=8)
    _paragraph_style(doc, "SEC Clause Continued", left=NUM_COL, hanging=0, after=8)
    _paragraph_style(doc, "SEC Definition", left=NUM_COL, hanging=0, after=6)
    for level in range(1, MAX_LEVEL + 1):
        left = NUM_COL + ITEM_COL * level
        _paragraph_style(doc, item_style(level), left=left, hanging=ITEM_COL, tab=left, after=6)
        _paragraph_style(doc, continued_style(level), left=left, hanging=0, after=6)
    _paragraph_style(doc, "SEC Margin Note", size=8, colour=RGBColor(0x55, 0x55, 0x55), before=6, after=0,
                     keep_next=True)


# --- body building ---------------------------------------------------------------------------

class _Body:
    """Appends paragraphs to the document body (before its final section properties)."""

    def __init__(self, doc, style: str, revisions: _Revisions):
        self.doc = doc
        self.style = style
        self.rev = revisions
        self.sect_pr = doc.element.body.get_or_add_sectPr()
        self.bookmark_names: set[str] = set()
        self._style_ids: dict[str, str] = {}

    def paragraph(self, style: str, pieces: list[Piece], bookmark: str | None = None):
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        ps = OxmlElement("w:pStyle")
        if style not in self._style_ids:
            self._style_ids[style] = self.doc.styles[style].style_id
        ps.set(qn("w:val"), self._style_ids[style])
        ppr.append(ps)
        kinds = {pc.kind for pc in pieces if pc.text}
        whole = kinds.pop() if len(kinds) == 1 else None
        if self.style == "tracked" and whole in (INSERT, DELETE):
            rpr = OxmlElement("w:rPr")
            rpr.append(self.rev.mark("w:ins" if whole == INSERT else "w:del"))
            ppr.append(rpr)
        p.append(ppr)
        if bookmark:
            name = self._bookmark_name(bookmark)
            bid = self.rev.next_id()  # one counter for every annotation id: unique across kinds
            start = OxmlElement("w:bookmarkStart")
            start.set(qn("w:id"), bid)
            start.set(qn("w:name"), name)
            p.append(start)
        for pc in _merge(pieces):
            self._append_run(p, pc)
        if bookmark:
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), bid)
            p.append(end)
        self.sect_pr.addprevious(p)
        return p

    def _bookmark_name(self, address: str) -> str:
        base = bookmark_name(address)
        name, n = base, 2
        while name in self.bookmark_names:
            name = f"{base[:36]}_{n}"
            n += 1
        self.bookmark_names.add(name)
        return name

    def _append_run(self, p, pc: Piece) -> None:
        runs = _runs(pc.text, deleted=(pc.kind == DELETE and self.style == "tracked"))
        if self.style == "markup" and pc.kind != EQUAL:
            for r in runs:
                if r.find(qn("w:tab")) is not None:  # no underline or strike across the number gap
                    continue
                rpr = OxmlElement("w:rPr")
                colour = OxmlElement("w:color")
                colour.set(qn("w:val"), str(INS_COLOUR if pc.kind == INSERT else DEL_COLOUR))
                if pc.kind == INSERT:
                    deco = OxmlElement("w:u")
                    deco.set(qn("w:val"), "single")
                else:
                    deco = OxmlElement("w:strike")
                rpr.append(deco if pc.kind == DELETE else colour)  # schema order: strike < color < u
                rpr.append(colour if pc.kind == DELETE else deco)
                r.insert(0, rpr)
        if self.style == "tracked" and pc.kind in (INSERT, DELETE):
            wrap = self.rev.mark("w:ins" if pc.kind == INSERT else "w:del")
            for r in runs:
                wrap.append(r)
            p.append(wrap)
        else:
            for r in runs:
                p.append(r)


def bookmark_name(address: str) -> str:
    """A Word bookmark name for an address: letters, digits and underscores, at most 40 characters."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", address).strip("_")
    if not name or not name[0].isalpha():
        name = "N_" + name
    return name[:40]


def _merge(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for pc in pieces:
        if not pc.text:
            continue
        if out and out[-1].kind == pc.kind:
            out[-1] = Piece(pc.kind, out[-1].text + pc.text)
        else:
            out.append(pc)
    return out


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _runs(text: str, deleted: bool) -> list:
    """Runs for ``text``: tabs become ``w:tab``; text goes in ``w:t`` (``w:delText`` if deleted)."""
    runs = []
    for part in re.split(r"(\t)", _XML_BAD.sub("", text)):
        if not part:
            continue
        r = OxmlElement("w:r")
        if part == TAB:
            r.append(OxmlElement("w:tab"))
        else:
            t = OxmlElement("w:delText" if deleted else "w:t")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = part
            r.append(t)
        runs.append(r)
    return runs


def _pieces(spans, kind_override: str | None = None) -> list[Piece]:
    return [Piece(kind_override or s.kind, s.text) for s in spans]


def _node_state_kind(nd: NodeDiff) -> str:
    return INSERT if nd.state == "inserted" else DELETE if nd.state == "deleted" else EQUAL


def _emit_node(body: _Body, nd: NodeDiff, level: int, bookmark: bool) -> None:
    k = _node_state_kind(nd)
    if nd.element == "definition":
        term = [Piece(k, '"')] + _pieces(nd.num) + [Piece(k, '" ')]
        body.paragraph("SEC Definition", term + _pieces(nd.text),
                       bookmark=str(nd.address) if bookmark else None)
    else:
        style = "SEC Clause" if level == 0 else item_style(level)
        head = _pieces(nd.num) + [Piece(k, TAB)] + _pieces(nd.text)
        name = None
        if bookmark:
            name = ("was " if nd.state == "deleted" else "") + str(nd.address)
        body.paragraph(style, head, bookmark=name)
    # a definition's text sits at its clause's indent, so its list is at the clause's first level
    inner = level - 1 if nd.element == "definition" else level
    for c in nd.children:
        _emit_node(body, c, inner + 1, bookmark=False)
    if nd.closing:
        body.paragraph(continued_style(inner), _pieces(nd.closing))


# --- the document ----------------------------------------------------------------------------

def _add_field(paragraph, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _internal_link(paragraph, text: str, anchor: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), str(BRAND))
    u = OxmlElement("w:u")
    u.set(qn("w:val"), "single")
    rpr.append(colour)
    rpr.append(u)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    r.append(t)
    link.append(r)
    paragraph._p.append(link)


def _drop_thumbnail(doc) -> None:
    """Remove the template's thumbnail picture (it shows python-docx's sample page, not ours)."""
    rels = doc.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[rid]


def render_docx(redline: Redline, style: str = "tracked") -> bytes:
    """The redline as a .docx file (bytes)."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
    doc = Document()
    define_styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    cover = redline.cover
    date = _w_date(redline.date)
    props = doc.core_properties
    props.title = f"{cover.reference} {cover.document}" + (f" – {cover.subtitle}" if cover.subtitle else "")
    props.subject = cover.title
    props.author = redline.author
    props.last_modified_by = redline.author
    when = _dt.datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ")
    props.created = props.modified = when
    props.revision = 1

    # footer: reference and page numbers
    footer_style = doc.styles["Footer"]
    footer_style.font.size = Pt(8)
    footer_style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    footer = section.footer.paragraphs[0]
    footer.style = footer_style
    stops = footer.paragraph_format.tab_stops
    stops.add_tab_stop(PAGE_WIDTH - 2 * MARGIN, WD_TAB_ALIGNMENT.RIGHT)
    label = f"{cover.reference} {cover.document}"
    if cover.subtitle and len(label) + len(cover.subtitle) < FOOTER_CHARS:
        label += f" – {cover.subtitle}"
    footer.add_run(label + "\t\tPage ")
    _add_field(footer, "PAGE")
    footer.add_run(" of ")
    _add_field(footer, "NUMPAGES")

    # cover
    doc.add_paragraph(f"{cover.reference} ‘{cover.title}’", style="Title")
    doc.add_paragraph(cover.document, style="SEC Cover Document")
    if cover.subtitle:
        doc.add_paragraph(cover.subtitle, style="SEC Cover Subtitle")
    doc.add_paragraph("About this document", style="Heading 2")
    for text in cover.about:
        doc.add_paragraph(text)
    if cover.classification_statement:
        doc.add_paragraph(cover.classification_statement, style="SEC Classification")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    body = _Body(doc, style, _Revisions(redline.author, date))
    # summary of changes
    doc.add_paragraph("Summary of changes", style="Heading 2")
    if redline.summary:
        table = doc.add_table(rows=1, cols=3)
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for cell, text in zip(table.rows[0].cells, ("Clause", "Change", "Detail")):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for row in redline.summary:
            cells = table.add_row().cells
            deleted = row.change.endswith("deleted")
            _internal_link(cells[0].paragraphs[0], row.address,
                           bookmark_name(("was " if deleted else "") + row.address))
            cells[1].text = row.change
            cells[2].text = row.detail
        table.autofit = False
        for col, w in zip(table.columns, SUMMARY_COLUMNS):
            col.width = w
            for cell in col.cells:
                cell.width = w
    else:
        doc.add_paragraph("No changes.")
    for note in redline.notes:
        doc.add_paragraph(note, style="SEC Note")
    legend = ("Inserted text is shown as a tracked insertion; deleted text as a tracked deletion."
              if style == "tracked" else "Inserted text is blue and underlined; deleted text is red and struck through.")
    doc.add_paragraph(legend, style="SEC Note")

    for sec in redline.sections:
        doc.add_paragraph(sec.title, style="Heading 1")
        for instr in sec.instructions:
            doc.add_paragraph(instr, style="SEC Instruction")
        for b in sec.blocks:
            if isinstance(b, HeadingBlock):
                if b.level == "part":
                    k = INSERT if b.state == "inserted" else DELETE if b.state == "deleted" else EQUAL
                    body.paragraph("SEC Part Heading", _pieces(b.num) + [Piece(k, TAB)] + _pieces(b.spans),
                                   bookmark=b.anchor)
                else:
                    body.paragraph("SEC Cross-heading", _pieces(b.spans))
            elif isinstance(b, ClauseBlock):
                if b.note:
                    body.paragraph("SEC Margin Note", [Piece(EQUAL, f"[{b.note}]")])
                _emit_node(body, b.diff, 0, bookmark=True)

    # the last paragraph mark of a document cannot be a revision: end on a plain paragraph
    last = doc.element.body.findall(qn("w:p"))
    if last and last[-1].find(f"{qn('w:pPr')}/{qn('w:rPr')}") is not None:
        body.paragraph("Normal", [])
    _drop_thumbnail(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
