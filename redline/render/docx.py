"""DOCX rendering of a :class:`redline.annex.Redline`: native tracked changes or coloured mark-up.

The package comes from our lean template (``templates/redline.docx``, built with python-docx by
:mod:`redline.render.docx_template`: page set-up, footer, and only the styles a redline uses); its
parts are copied as bytes. The body is WordprocessingML written by :mod:`redline.render.ooxml`
(the one writer of DOCX bodies), one paragraph at a time, straight into the zip stream:

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
bookmark named after its anchor (:mod:`redline.render.links`: ``G3_20``) and the summary table
links to it. The cover, headings and summary table are written as python-docx's API writes them.

I/O: the template is read from ``templates/`` (or the package data).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from itertools import count

from redline.annex import ClauseBlock, HeadingBlock, InstructionBlock, NoteBlock, Redline, display_date
from redline.diff import NodeDiff, NodeState
from redline.render.docx_template import (
    BODY_PT, BRAND, CM, DOCUMENT, ITEM_COL_CM, MAX_LEVEL, NUM_COL_CM, continued_style, item_style, style_id, template,
)
from redline.render import ooxml
from redline.render.links import BOOKMARK_LIMIT, anchor_id, bookmark_name
from redline.textdiff import DELETE, EQUAL, INSERT

__all__ = ["STYLES", "continued_style", "item_style", "render_docx", "MAX_LEVEL"]

STYLES = ("tracked", "markup")

# --- house style (named settings) -------------------------------------------------------------
INS_COLOUR = "0000FF"  # markup: inserted text
DEL_COLOUR = "FF0000"  # markup: deleted text
FOOTER_CHARS = 60  # longest footer label before the page number
SUMMARY_COLUMNS_CM = (2.6, 3.6, 9.8)  # clause, change, detail (sums to the text width)
#: the same with the modifications that make each change (a release redline)
SUMMARY_COLUMNS_BY_CM = (2.4, 2.6, 3.2, 7.8)
COMPRESSION = zipfile.ZIP_DEFLATED
#: zlib level of the document part (6, zlib's default, costs ~3x the time of 1 for ~15% more bytes)
COMPRESS_LEVEL = 6
#: characters of XML gathered before they are encoded and handed to the zip stream
FLUSH_CHARS = 1 << 16

TAB = ooxml.TAB
FOOTER = "word/footer1.xml"
CORE = "docProps/core.xml"


def _twips(cm: float) -> int:
    return round(int(cm * CM) / 635)


def word_date(date: str | None) -> str:
    """A w:date value (ISO 8601, UTC, no fraction) from an ISO date or date-time; now if None."""
    if date:
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?Z?", date.strip())
        if m:
            t = m.group(2) or "00:00:00"
            if len(t) == 5:
                t += ":00"
            return f"{m.group(1)}T{t}Z"
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def zip_entry(name: str, w_date: str) -> zipfile.ZipInfo:
    """A zip entry stamped with the redline's date (not the clock), so that the same redline with
    the same ``--date`` gives the same bytes."""
    y, mo, d, h, mi, sec = (int(x) for x in re.findall(r"\d+", w_date)[:6])
    info = zipfile.ZipInfo(name, date_time=(max(y, 1980), mo, d, h, mi, sec))
    info.compress_type = COMPRESSION
    # the entry's deflate level (ZipFile.open(info, "w") reads it from the entry, not the file)
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", COMPRESS_LEVEL)
    return info


#: the run properties of changed words in the house mark-up (schema order: strike < color < u)
MARKUP_INSERTED = ooxml.run_properties(f'<w:color w:val="{INS_COLOUR}"/>', '<w:u w:val="single"/>')
MARKUP_DELETED = ooxml.run_properties("<w:strike/>", f'<w:color w:val="{DEL_COLOUR}"/>')


def _api_paragraph(text: str, style: str | None = None) -> str:
    """A paragraph as python-docx's ``add_paragraph(text, style)`` writes it (style by name)."""
    return ooxml.api_paragraph(text, style_id(style) if style else None)


# --- body building ---------------------------------------------------------------------------

class _Body:
    """The paragraphs of the document part, in order, as chunks of text (flushed to the zip
    stream as they pile up); revision and bookmark ids from one counter."""

    def __init__(self, style: str, author: str, date: str, ppr: dict[str, str] | None = None):
        self.style = style
        self.ppr = ppr or {}  # style name -> paragraph properties (tabs, indent) beyond the style's
        self.chunks: list[str] = []
        self.size = 0
        self._ids = count(1)  # one counter for every annotation id: unique across kinds
        self._date = date
        self._rev_attrs = ooxml.revision_attributes(author, date)
        self._by_attrs: dict[str, str] = {}  # a change's own author (Span.by) -> its attributes
        self.bookmark_names: set[str] = set()
        self.last_marked = False  # the last body paragraph's mark is a revision

    def add(self, xml: str, marked: bool = False) -> None:
        """Append top-level body XML (a paragraph, a table); ``marked``: a paragraph-mark revision."""
        self.chunks.append(xml)
        self.size += len(xml)
        self.last_marked = marked

    def paragraph(self, style: str, pieces: list[tuple], bookmark: str | None = None) -> None:
        """A paragraph of ``pieces`` ((kind, words, by) as spans give them) in ``style``; in
        tracked style a paragraph that is wholly inserted or deleted marks its paragraph mark too
        (authored as its first change)."""
        merged = _merge(pieces)
        kinds = {kind for kind, _, _ in merged}
        whole = merged[0][0] if len(kinds) == 1 else None  # adjacent pieces of one kind and author are merged
        marked = self.style == "tracked" and whole in (INSERT, DELETE)
        mark = ooxml.revision(whole == INSERT, next(self._ids), self._attrs(merged[0][2])) if marked else ""
        bid = next(self._ids) if bookmark else None  # ids in document order: the bookmark's first
        content = "".join(self._runs(kind, text, by) for kind, text, by in merged)
        if bookmark:
            content = ooxml.bookmark(bid, self._bookmark_name(bookmark), content)
        self.add(ooxml.paragraph(content, style_id(style), mark, properties=self.ppr.get(style, "")), marked)

    def plain_paragraph(self, style: str, text: str, bookmark: str | None = None) -> None:
        """:meth:`paragraph` for unchanged words only (no revision, no colour)."""
        content = ooxml.runs(text)
        if bookmark:
            content = ooxml.bookmark(next(self._ids), self._bookmark_name(bookmark), content)
        self.add(ooxml.paragraph(content, style_id(style), properties=self.ppr.get(style, "")))

    def _bookmark_name(self, anchor: str) -> str:
        """The bookmark name of ``anchor``, made unique in the document (``G3_20_2`` for a second)."""
        base = bookmark_name(anchor)
        name, n = base, 2
        while name in self.bookmark_names:
            name = f"{base[:BOOKMARK_LIMIT - 4]}_{n}"
            n += 1
        self.bookmark_names.add(name)
        return name

    def _attrs(self, by: str | None) -> str:
        """The revision attributes of a change made by ``by`` (the document's author if None)."""
        if by is None:
            return self._rev_attrs
        got = self._by_attrs.get(by)
        if got is None:
            got = self._by_attrs[by] = ooxml.revision_attributes(by, self._date)
        return got

    def _runs(self, kind: str, text: str, by: str | None = None) -> str:
        """The runs of one piece: a revision in tracked style (authored ``by`` the change's maker
        when known: Word gives each author its colour), coloured runs in the mark-up."""
        if kind == EQUAL:
            return ooxml.runs(text)
        if self.style == "markup":
            return ooxml.runs(text, rpr=MARKUP_INSERTED if kind == INSERT else MARKUP_DELETED)
        runs = ooxml.runs(text, deleted=kind == DELETE)
        return ooxml.revision(kind == INSERT, next(self._ids), self._attrs(by), runs or None)


def _merge(pieces: list[tuple]) -> list[tuple[str, str, str | None]]:
    """The pieces with text as (kind, words, by), adjacent pieces of the same kind and author joined."""
    out: list[tuple[str, str, str | None]] = []
    for piece in pieces:
        kind, text = piece[0], piece[1]
        by = piece[2] if len(piece) > 2 and kind != EQUAL else None
        if not text:
            continue
        if out and out[-1][0] == kind and out[-1][2] == by:
            out[-1] = (kind, out[-1][1] + text, by)
        else:
            out.append((kind, text, by))
    return out


def _pieces(spans) -> list[tuple[str, str, str | None]]:
    return [(s.kind, s.text, s.by) for s in spans]


def _node_by(nd: NodeDiff) -> str | None:
    """Who made a node's change (the first attributed span of its number or words), if known."""
    return next((s.by for s in (*nd.num, *nd.text, *nd.closing) if s.by is not None), None)


def _node_state_kind(nd: NodeDiff) -> str:
    return INSERT if nd.state == NodeState.INSERTED else DELETE if nd.state == NodeState.DELETED else EQUAL


def _equal_text(spans) -> str | None:
    """The joined text of spans that are all unchanged (None if any is not)."""
    if len(spans) == 1:
        s = spans[0]
        return s.text if s.kind == EQUAL else None
    out = []
    for s in spans:
        if s.kind != EQUAL:
            return None
        out.append(s.text)
    return "".join(out)


def _emit_node(body: _Body, nd: NodeDiff, level: int, bookmark: bool) -> None:
    if nd.state == NodeState.UNCHANGED and _emit_unchanged(body, nd, level, bookmark):
        return
    k = _node_state_kind(nd)
    by = _node_by(nd) if k != EQUAL else None
    if nd.element == "definition":
        term = [(k, '"', by)] + _pieces(nd.num) + [(k, '" ', by)]
        body.paragraph("SEC Definition", term + _pieces(nd.text),
                       bookmark=anchor_id(nd.address) if bookmark else None)
    else:
        style = "SEC Clause" if level == 0 else item_style(level)
        head = _pieces(nd.num) + [(k, TAB, by)] + _pieces(nd.text)
        name = None
        if bookmark:
            name = anchor_id(nd.address, deleted=nd.state == NodeState.DELETED)
        body.paragraph(style, head, bookmark=name)
    # a definition's text sits at its clause's indent, so its list is at the clause's first level
    inner = level - 1 if nd.element == "definition" else level
    for c in nd.children:
        _emit_node(body, c, inner + 1, bookmark=False)
    if nd.closing:
        body.paragraph(continued_style(inner), _pieces(nd.closing))


def _emit_unchanged(body: _Body, nd: NodeDiff, level: int, bookmark: bool) -> bool:
    """:func:`_emit_node` for a node whose words are all unchanged (most of a whole-code redline):
    the same paragraphs, without sorting pieces by kind. False (nothing written) if some are not."""
    num, text, closing = _equal_text(nd.num), _equal_text(nd.text), _equal_text(nd.closing)
    if num is None or text is None or closing is None:
        return False
    definition = nd.element == "definition"
    if definition:
        style, head = "SEC Definition", f'"{num}" {text}'
    else:
        style, head = ("SEC Clause" if level == 0 else item_style(level)), num + TAB + text
    body.plain_paragraph(style, head, anchor_id(nd.address) if bookmark else None)
    inner = level - 1 if definition else level
    for c in nd.children:
        _emit_node(body, c, inner + 1, bookmark=False)
    if closing:
        body.plain_paragraph(continued_style(inner), closing)
    return True


# --- number columns wide enough for a renumbering ----------------------------------------------

#: advance widths of Arial (the house font) in ems, for the characters of clause and item numbers
_EM = {**{c: 0.556 for c in "0123456789"}, ".": 0.278, "(": 0.333, ")": 0.333, " ": 0.278, "i": 0.222,
       "l": 0.222, "v": 0.5, "x": 0.5, "I": 0.278}
#: white space kept between a number and its words (cm)
NUMBER_GAP_CM = 0.3


def _number_cm(text: str) -> float:
    """The printed width of a number (cm) at the body size, from :data:`_EM` (0.667 em otherwise)."""
    ems = sum(_EM.get(c, 0.556 if c.islower() else 0.667) for c in text)
    return ems * BODY_PT * 2.54 / 72


def number_columns(redline: Redline) -> dict[str, str]:
    """Paragraph properties that widen the number columns when a number does not fit its own.

    A renumbered clause shows both numbers ("G3.20G3.19", the old struck through): wider than the
    clause number column, it would push its words past the hanging indent. If any number shown
    (both numbers, as the tracked view prints them) needs more room, that column is widened for
    every paragraph of the document, so that all words stay aligned; the styles' own tab stop
    is cleared and one set at the new indent. Empty (the styles as they are) when all fit.
    """
    need = [0.0] * (MAX_LEVEL + 1)  # 0: clauses, n: items at level n
    widths: dict[str, float] = {}  # number shown -> its width (most numbers repeat: "(a)", "(i)")

    def walk(nd: NodeDiff, level: int) -> None:
        if nd.element != "definition":
            text = nd.num[0].text if len(nd.num) == 1 else "".join(s.text for s in nd.num)
            width = widths.get(text)
            if width is None:
                width = widths[text] = _number_cm(text) + NUMBER_GAP_CM
            at = min(level, MAX_LEVEL)
            if width > need[at]:
                need[at] = width
        inner = level - 1 if nd.element == "definition" else level
        for c in nd.children:
            walk(c, inner + 1)

    for sec in redline.sections:
        for b in sec.blocks:
            if isinstance(b, ClauseBlock):
                walk(b.diff, 0)
    cols = [max(NUM_COL_CM, need[0])] + [max(ITEM_COL_CM, n) for n in need[1:]]
    if cols == [NUM_COL_CM] + [ITEM_COL_CM] * MAX_LEVEL:
        return {}

    def tabs(old_cm: float, new_cm: float) -> str:
        return (f'<w:tabs><w:tab w:val="clear" w:pos="{_twips(old_cm)}"/>'
                f'<w:tab w:val="left" w:pos="{_twips(new_cm)}"/></w:tabs>')

    out = {}
    clause = cols[0]
    for name in ("SEC Clause", "SEC Part Heading"):
        out[name] = f'{tabs(NUM_COL_CM, clause)}<w:ind w:left="{_twips(clause)}" w:hanging="{_twips(clause)}"/>'
    for name in ("SEC Clause Continued", "SEC Definition"):
        out[name] = f'<w:ind w:left="{_twips(clause)}" w:firstLine="0"/>'
    left = clause
    for level in range(1, MAX_LEVEL + 1):
        left += cols[level]
        style_left = NUM_COL_CM + ITEM_COL_CM * level
        out[item_style(level)] = (f'{tabs(style_left, left)}<w:ind w:left="{_twips(left)}" '
                                  f'w:hanging="{_twips(cols[level])}"/>')
        out[continued_style(level)] = f'<w:ind w:left="{_twips(left)}" w:firstLine="0"/>'
    return out


# --- the document ----------------------------------------------------------------------------

def footer_xml(template: bytes, label: str) -> bytes:
    """The template's footer paragraph with our label and "Page N of M"."""
    text = template.decode("utf-8")
    head = text[:text.index("</w:pPr>") + len("</w:pPr>")]
    tail = text[text.rindex("</w:p>"):]
    body = (ooxml.api_run(label + TAB + TAB + "Page ") + ooxml.simple_field("PAGE", "1") + ooxml.api_run(" of ")
            + ooxml.simple_field("NUMPAGES", "1"))
    return (head + body + tail).encode("utf-8")


def core_xml(template: bytes, *, title: str, subject: str, author: str, when: str) -> bytes:
    """The core properties (title, subject, author, dates) in the template's namespaces."""
    text = template.decode("utf-8")
    head = text[:text.index("<dc:title")]

    def el(tag: str, value: str) -> str:
        return f"<{tag}>{ooxml.text(value)}</{tag}>" if value else f"<{tag}/>"

    return (head + el("dc:title", title) + el("dc:subject", subject) + el("dc:creator", author)
            + "<cp:keywords/>" + el("dc:description", "generated by redline") + el("cp:lastModifiedBy", author)
            + "<cp:revision>1</cp:revision>"
            + f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
            + "<cp:category/></cp:coreProperties>").encode("utf-8")


def _summary_table(body: _Body, redline: Redline) -> None:
    attributed = any(row.by for row in redline.summary)
    widths = [_twips(w) for w in (SUMMARY_COLUMNS_BY_CM if attributed else SUMMARY_COLUMNS_CM)]
    cells = [f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr>' for w in widths]
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:jc w:val="left"/>'
           '<w:tblLayout w:type="fixed"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" '
           'w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>',
           "".join(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid><w:tr>"]
    heads = ("Clause", "Change", "Modification", "Detail") if attributed else ("Clause", "Change", "Detail")
    for cell, text in zip(cells, heads):
        out.append(f"{cell}<w:p><w:r/>{ooxml.api_run(text, ooxml.run_properties('<w:b/>'))}</w:p></w:tc>")
    out.append("</w:tr>")
    link_rpr = ooxml.run_properties(f'<w:color w:val="{BRAND}"/>', '<w:u w:val="single"/>')
    for row in redline.summary:
        link = ooxml.hyperlink(bookmark_name(anchor_id(row.address, deleted=row.deleted)),
                               ooxml.api_run(row.address, link_rpr))
        values = (row.change, ", ".join(row.by), row.detail) if attributed else (row.change, row.detail)
        out.append(f"<w:tr>{cells[0]}<w:p>{link}</w:p></w:tc>"
                   + "".join(f"{cell}<w:p>{ooxml.api_run(v)}</w:p></w:tc>" for cell, v in zip(cells[1:], values))
                   + "</w:tr>")
    out.append("</w:tbl>")
    body.add("".join(out))


def _write_body(body: _Body, redline: Redline, style: str, flush) -> None:
    """Every paragraph of the document, in order; ``flush`` is called as the chunks pile up."""
    cover = redline.cover
    body.add(_api_paragraph(f"{cover.reference} ‘{cover.title}’", "Title"))
    body.add(_api_paragraph(cover.document, "SEC Cover Document"))
    if cover.subtitle:
        body.add(_api_paragraph(cover.subtitle, "SEC Cover Subtitle"))
    if cover.proposer:
        body.add(_api_paragraph(f"Proposer: {cover.proposer}", "SEC Cover Fact"))
    if cover.date:
        body.add(_api_paragraph(f"Date: {display_date(cover.date)}", "SEC Cover Fact"))
    body.add(_api_paragraph("About this document", "Heading 2"))
    for text in cover.about:
        body.add(_api_paragraph(text))
    if cover.classification_statement:
        body.add(_api_paragraph(cover.classification_statement, "SEC Classification"))
    body.add(ooxml.page_break())

    body.add(_api_paragraph("Summary of changes", "Heading 2"))
    if redline.summary:
        _summary_table(body, redline)
    else:
        body.add(_api_paragraph("No changes."))
    for note in redline.notes:
        body.add(_api_paragraph(note, "SEC Note"))
    legend = ("Inserted text is shown as a tracked insertion; deleted text as a tracked deletion."
              if style == "tracked" else "Inserted text is blue and underlined; deleted text is red and struck through.")
    body.add(_api_paragraph(legend, "SEC Note"))

    for sec in redline.sections:
        body.add(_api_paragraph(sec.title, "Heading 1"))
        for b in sec.blocks:
            if isinstance(b, InstructionBlock):  # each before the text it governs
                body.add(_api_paragraph(b.text, "SEC Instruction"))
            elif isinstance(b, NoteBlock):  # a reader's note: not the legal text
                body.paragraph("SEC Margin Note", [(EQUAL, f"[{b.text}]")])
            elif isinstance(b, HeadingBlock):
                if b.level == "section":
                    body.paragraph("SEC Section Heading", _pieces(b.spans))
                elif b.level == "part":
                    k = INSERT if b.state == NodeState.INSERTED else DELETE if b.state == NodeState.DELETED else EQUAL
                    body.paragraph("SEC Part Heading", _pieces(b.num) + [(k, TAB)] + _pieces(b.spans),
                                   bookmark=anchor_id(b.anchor, deleted=b.state == NodeState.DELETED) if b.anchor else None)
                else:
                    body.paragraph("SEC Cross-heading", _pieces(b.spans))
            elif isinstance(b, ClauseBlock):
                if b.note:
                    body.paragraph("SEC Margin Note", [(EQUAL, f"[{b.note}]")])
                _emit_node(body, b.diff, 0, bookmark=True)
            if body.size >= FLUSH_CHARS:
                flush()

    # the last paragraph mark of a document cannot be a revision: end on a plain paragraph
    if body.last_marked:
        body.paragraph("Normal", [])
    flush()


def render_docx(redline: Redline, style: str = "tracked") -> bytes:
    """The redline as a .docx file (bytes)."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
    parts, doc_head, doc_tail = template()
    cover = redline.cover
    date = word_date(redline.date)
    label = f"{cover.reference} {cover.document}"
    if cover.subtitle and len(label) + len(cover.subtitle) < FOOTER_CHARS:
        label += f" – {cover.subtitle}"
    title = f"{cover.reference} {cover.document}" + (f" – {cover.subtitle}" if cover.subtitle else "")
    generated = {
        CORE: core_xml(parts[CORE], title=title, subject=cover.title, author=redline.author, when=date),
        FOOTER: footer_xml(parts[FOOTER], label),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=COMPRESSION, compresslevel=COMPRESS_LEVEL) as z:
        for name, data in parts.items():
            if name != DOCUMENT:
                z.writestr(zip_entry(name, date), generated.get(name, data))
                continue
            with z.open(zip_entry(name, date), "w") as out:
                body = _Body(style, redline.author, date, number_columns(redline))

                def flush() -> None:
                    out.write("".join(body.chunks).encode("utf-8"))
                    body.chunks.clear()
                    body.size = 0

                body.add(doc_head)
                _write_body(body, redline, style, flush)
                body.add(doc_tail)
                flush()
    return buf.getvalue()
