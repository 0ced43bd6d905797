"""WordprocessingML written as text: the one small writer of DOCX document bodies.

A whole-code redline has ~150,000 paragraphs and ~700,000 elements, so the DOCX renderers
(:mod:`redline.render.docx` for redlines, :mod:`redline.render.conformed` for conformed copies)
write the body as strings, a paragraph at a time, straight into the zip stream, instead of
building an element tree. This module is the only place that spells those strings: text and
attribute escaping (the standard library's :func:`html.escape` of ``&``, ``<`` and ``>``, with the
entities lxml writes: a carriage return as ``&#13;``; in attributes also ``"``, line feed and tab;
not :func:`xml.sax.saxutils.escape`, whose module imports ``urllib.request`` and the e-mail and
HTTP packages, a quarter of a command's start-up),
runs, paragraphs, revisions (``w:ins``/``w:del``), bookmarks and internal hyperlinks. The
package around the body (styles, page set-up, footer) comes from the template that
:mod:`redline.render.docx_template` builds with python-docx.

Two flavours of run: :func:`runs` writes a redline's words (tabs as runs of their own, so that no
underline or strike crosses the gap after a number; ``w:delText`` inside a deletion, which Word
requires), and :func:`api_run` writes a run as python-docx's ``add_run`` does (``w:tab``, ``w:br``,
``xml:space`` only where the words have outer spaces), for the cover and the tables.

Pure: strings in, strings out.
"""

from __future__ import annotations

import re
from html import escape as _html_escape

#: the WordprocessingML namespace of everything written here (the ``w:`` prefix; the reader,
#: :mod:`redline.word`, also accepts its Strict form)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: characters XML 1.0 does not allow (lxml refuses them): left out of the document
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CR = {"\r": "&#13;"}
_ATTR = {'"': "&quot;", "\n": "&#10;", "\t": "&#9;", "\r": "&#13;"}


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` escaped, then each character of ``entities`` replaced by its entity."""
    data = _html_escape(data, quote=False)
    if entities:
        for char, entity in entities.items():
            data = data.replace(char, entity)
    return data


TAB = "\t"


def text(words: str) -> str:
    """Character data: ``&``, ``<``, ``>`` escaped, a carriage return as ``&#13;`` (as lxml
    writes them); characters XML 1.0 does not allow left out."""
    return _escape_text(_XML_BAD.sub("", words))


def _escape_text(words: str) -> str:
    """:func:`text` of words already free of characters XML does not allow."""
    return escape(words, _CR) if "\r" in words else escape(words)


def attr(value: str) -> str:
    """An attribute value, for double quotes (escaped as lxml writes it)."""
    return escape(_XML_BAD.sub("", value), _ATTR)


# --- runs --------------------------------------------------------------------------------------

_TAB_SPLIT = re.compile(r"(\t)")
#: a tab as a run of its own: no underline or strike across the number gap
TAB_RUN = "<w:r><w:tab/></w:r>"


def runs(words: str, *, deleted: bool = False, rpr: str = "") -> str:
    """The runs of a redline's ``words``: ``w:t`` (``w:delText`` if ``deleted``) with
    ``xml:space="preserve"``, each tab a run of its own; ``rpr`` is the runs' ``w:rPr``."""
    words = _XML_BAD.sub("", words)
    if deleted:
        open_t, close_t = f'<w:r>{rpr}<w:delText xml:space="preserve">', "</w:delText></w:r>"
    else:
        open_t, close_t = f'<w:r>{rpr}<w:t xml:space="preserve">', "</w:t></w:r>"
    if TAB not in words:
        if not words:
            return ""
        return f"{open_t}{_escape_text(words)}{close_t}"
    out = []
    for part in _TAB_SPLIT.split(words):
        if part == TAB:
            out.append(TAB_RUN)
        elif part:
            out.append(f"{open_t}{_escape_text(part)}{close_t}")
    return "".join(out)


_API_SPLIT = re.compile(r"([\t\r\n])")


def api_run(words: str, rpr: str = "") -> str:
    """``<w:r>`` holding ``words`` as python-docx's ``add_run`` writes it; ``<w:r/>`` for none."""
    out = []
    for part in _API_SPLIT.split(_XML_BAD.sub("", words)) if words else ():
        if not part:
            continue
        if part == "\t":
            out.append("<w:tab/>")
        elif part in "\r\n":
            out.append("<w:br/>")
        elif len(part.strip()) < len(part):
            out.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
        else:
            out.append(f"<w:t>{escape(part)}</w:t>")
    content = "".join(out)
    return f"<w:r>{rpr}{content}</w:r>" if rpr or content else "<w:r/>"


def run_properties(*properties: str) -> str:
    """``<w:rPr>`` of the given property elements (in the schema's order), or '' for none."""
    return f"<w:rPr>{''.join(properties)}</w:rPr>" if properties else ""


# --- paragraphs, revisions, bookmarks, links -----------------------------------------------------


def paragraph(content: str, style_id: str | None = None, mark: str = "", numbering: str = "",
              properties: str = "") -> str:
    """``<w:p>`` of ``content`` in paragraph style ``style_id``; ``numbering`` is its ``w:numPr``
    (see :func:`numbering`); ``properties`` further paragraph properties that come after it in
    the schema's order (``w:tabs``, ``w:ind``); ``mark`` a revision of its paragraph mark
    (``w:pPr/w:rPr``, see :func:`revision`)."""
    ppr = ""
    if style_id or mark or numbering or properties:
        style = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
        ppr = f"<w:pPr>{style}{numbering}{properties}{f'<w:rPr>{mark}</w:rPr>' if mark else ''}</w:pPr>"
    return f"<w:p>{ppr}{content}</w:p>" if ppr or content else "<w:p/>"


def numbering(num_id: int, level: int = 0) -> str:
    """A paragraph's automatic number: list ``num_id`` at ``level`` (``num_id`` 0: numbering off)."""
    return f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'


def api_paragraph(words: str, style_id: str | None = None) -> str:
    """A paragraph as python-docx's ``add_paragraph(words, style)`` writes it."""
    return paragraph(api_run(words) if words else "", style_id)


def page_break() -> str:
    """A paragraph holding a page break."""
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def revision_attributes(author: str, date: str) -> str:
    """The ``w:author`` and ``w:date`` attributes every revision of a document carries."""
    return f' w:author="{attr(author)}" w:date="{attr(date)}"'


def revision(inserted: bool, rev_id: int, attributes: str, content: str | None = None) -> str:
    """A tracked insertion (``w:ins``) or deletion (``w:del``) with id ``rev_id`` around
    ``content``; with no content, the empty element (a paragraph mark's revision)."""
    tag = "w:ins" if inserted else "w:del"
    if content is None:
        return f'<{tag} w:id="{rev_id}"{attributes}/>'
    return f'<{tag} w:id="{rev_id}"{attributes}>{content}</{tag}>'


def bookmark(bookmark_id: int, name: str, content: str) -> str:
    """``content`` inside a bookmark named ``name``."""
    return (f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{attr(name)}"/>{content}'
            f'<w:bookmarkEnd w:id="{bookmark_id}"/>')


def hyperlink(anchor: str, content: str) -> str:
    """``content`` as a link to the bookmark ``anchor`` of the same document."""
    return f'<w:hyperlink w:anchor="{attr(anchor)}" w:history="1">{content}</w:hyperlink>'


def simple_field(instruction: str, shown: str) -> str:
    """A field (``PAGE``, ``NUMPAGES``) with the result shown until Word updates it."""
    return f'<w:fldSimple w:instr="{attr(instruction)}"><w:r><w:t>{text(shown)}</w:t></w:r></w:fldSimple>'
