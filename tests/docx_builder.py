"""Hand-built Word documents for tests: a minimal, valid .docx from body, style and numbering XML.

    from docx_builder import docx, p, r, numbering, abstract, lvl, num
    data = docx(p(r("G1.1 Hello"), style="Clause"), styles=..., numbering=...)

Everything is written as WordprocessingML text, the way Word stores it, so that a test says
exactly which markup it exercises (styles with ``w:basedOn``, ``w:numPr`` on styles, levels bound
with ``w:pStyle``, ``w:lvlOverride``...). The package parts are the ones Word needs to open the
file: content types, package and document relationships, document, styles, numbering, core.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (f'xmlns:w="{W}" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def r(text: str = "", *, rpr: str = "", t: str = "t") -> str:
    """A run of ``text`` (``t="delText"`` inside deletions); tabs become ``w:tab``."""
    parts = []
    for i, piece in enumerate(text.split("\t")):
        if i:
            parts.append("<w:tab/>")
        if piece:
            parts.append(f'<w:{t} xml:space="preserve">{escape(piece)}</w:{t}>')
    return f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{''.join(parts)}</w:r>"


def ins(*runs: str, author: str = "Ann", date: str = "2024-01-02T00:00:00Z", rid: int = 1) -> str:
    return f'<w:ins w:id="{rid}" w:author={quoteattr(author)} w:date="{date}">{"".join(runs)}</w:ins>'


def dele(text: str, author: str = "Ann", date: str = "2024-01-02T00:00:00Z", rid: int = 2) -> str:
    return f'<w:del w:id="{rid}" w:author={quoteattr(author)} w:date="{date}">{r(text, t="delText")}</w:del>'


def p(*content: str, style: str | None = None, num: tuple | None = None, ppr: str = "", mark: str | None = None) -> str:
    """A paragraph; ``num=(numId, ilvl)`` gives it a direct ``w:numPr``; ``mark`` "ins"/"del"
    marks the paragraph mark as a tracked change."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if num is not None:
        num_id, ilvl = num
        props += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + \
                 (f'<w:numId w:val="{num_id}"/>' if num_id is not None else "") + "</w:numPr>"
    props += ppr
    if mark:
        props += f'<w:rPr><w:{mark} w:id="90" w:author="Ann" w:date="2024-01-02T00:00:00Z"/></w:rPr>'
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{''.join(content)}</w:p>"


def style(sid: str, name: str | None = None, *, based_on: str | None = None, num: tuple | None = None,
          kind: str = "paragraph", rpr: str = "", ppr: str = "", default: bool = False) -> str:
    """A ``w:style``; ``num=(numId, ilvl)`` binds automatic numbering to it (either may be None)."""
    inner = f'<w:name w:val="{name or sid}"/>'
    if based_on:
        inner += f'<w:basedOn w:val="{based_on}"/>'
    props = ""
    if num is not None:
        num_id, ilvl = num
        props += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "") + \
                 (f'<w:numId w:val="{num_id}"/>' if num_id is not None else "") + "</w:numPr>"
    props += ppr
    if props:
        inner += f"<w:pPr>{props}</w:pPr>"
    if rpr:
        inner += f"<w:rPr>{rpr}</w:rPr>"
    d = ' w:default="1"' if default else ""
    return f'<w:style w:type="{kind}" w:styleId="{sid}"{d}>{inner}</w:style>'


def lvl(ilvl: int, text: str | None, fmt: str = "decimal", start: int | None = 1, *, restart: int | None = None,
        legal: bool = False, pstyle: str | None = None) -> str:
    inner = f'<w:start w:val="{start}"/>' if start is not None else ""
    inner += f'<w:numFmt w:val="{fmt}"/>'
    if restart is not None:
        inner += f'<w:lvlRestart w:val="{restart}"/>'
    if pstyle:
        inner += f'<w:pStyle w:val="{pstyle}"/>'
    if legal:
        inner += "<w:isLgl/>"
    if text is not None:
        inner += f"<w:lvlText w:val={quoteattr(text)}/>"
    inner += '<w:lvlJc w:val="left"/>'
    return f'<w:lvl w:ilvl="{ilvl}">{inner}</w:lvl>'


def abstract(aid: int, *levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{aid}"><w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>'


def num(num_id: int, aid: int, overrides: dict | None = None, lvl_overrides: dict | None = None) -> str:
    """A ``w:num``; ``overrides`` {ilvl: startOverride}; ``lvl_overrides`` {ilvl: a whole w:lvl}."""
    inner = f'<w:abstractNumId w:val="{aid}"/>'
    for ilvl in sorted(set(overrides or {}) | set(lvl_overrides or {})):
        o = ""
        if overrides and ilvl in overrides:
            o += f'<w:startOverride w:val="{overrides[ilvl]}"/>'
        if lvl_overrides and ilvl in lvl_overrides:
            o += lvl_overrides[ilvl]
        inner += f'<w:lvlOverride w:ilvl="{ilvl}">{o}</w:lvlOverride>'
    return f'<w:num w:numId="{num_id}">{inner}</w:num>'


def numbering(*parts: str) -> str:
    """numbering.xml from abstract definitions then instances (the order Word requires)."""
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering {NS}>{"".join(parts)}</w:numbering>'


def styles(*parts: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {NS}>'
            '<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults>'
            + style("Normal", "Normal", default=True) + "".join(parts) + "</w:styles>")


def document(*paragraphs: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>'
            + "".join(paragraphs) + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{main}"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
MAIN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
</Relationships>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>Test</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2024-01-02T00:00:00Z</dcterms:created></cp:coreProperties>"""


def docx(*paragraphs: str, styles_xml: str | None = None, numbering_xml: str | None = None,
         document_xml: str | None = None, title: str = "Test", extra: dict | None = None,
         main_ct: str = MAIN_CT) -> bytes:
    """The bytes of a .docx holding ``paragraphs`` (or a whole ``document_xml``)."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES.format(main=main_ct),
        "_rels/.rels": PACKAGE_RELS,
        "word/_rels/document.xml.rels": DOC_RELS,
        "word/document.xml": document_xml if document_xml is not None else document(*paragraphs),
        "word/styles.xml": styles_xml if styles_xml is not None else styles(),
        "word/numbering.xml": numbering_xml if numbering_xml is not None else numbering(),
        "docProps/core.xml": CORE.format(title=escape(title)),
    }
    parts.update(extra or {})
    return zip_parts(parts)


def zip_parts(parts: dict) -> bytes:
    """A zip of ``parts`` (name -> str or bytes; None leaves the part out), as a DOCX is packed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if data is None:
                continue
            z.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


#: a main document part with a DTD declaring an external entity (refused by every reader)
XXE_DOCUMENT = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
