"""A clean conformed copy of a version: the code's text as DOCX, HTML or plain text.

The same house style as the Annex A (the DOCX template and paragraph styles of
:mod:`redline.render.docx_template`, the HTML stylesheet of :mod:`redline.render.html`): a cover
line, then per section its heading, part headings, cross-headings, clauses and items as real
paragraphs with hanging indents, the words after a list in the ``… Continued`` styles, and
Section A definitions as ``"Term" means …``.

Numbers in the DOCX are Word's automatic numbering by default (``numbering="auto"``): one list
per section, levels ``G%1`` (parts), ``G%1.%2`` (clauses), ``(%3)`` lower letters, ``(%4)``
lower roman, ``(%5)`` upper letters, ``(%6)`` digits; a number the list would not reach on its
own (a gap in a partial part, a part not held, items that restart under a definition) starts a
new instance of the list at that value (``w:startOverride``), and a number no list format can
show (``G3.20A``, an item numbered against its level's format) is typed, with numbering off for
that paragraph. ``numbering="typed"`` types every number (number, tab, words), as the Annex A
does. Either way :mod:`redline.word` reads back exactly the numbers held, which the tests check
for every version (``import(export(v)) == v``).

The body is written as WordprocessingML text straight into the zip stream, one paragraph at a
time (a whole code is ~80,000 paragraphs). The package and the stylesheet are the Annex A's, read
once by :func:`redline.render.docx_template.template` and :func:`redline.render.html.stylesheet`
(no other file is touched here).
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
import re
import zipfile
from typing import Iterator, NamedTuple

from redline.model import Version, normalise_space
from redline.render import ooxml
from redline.render.docx_template import CM, ITEM_COL_CM, MAX_LEVEL, NUM_COL_CM, continued_style, item_style, \
    style_id, template
from redline.render.links import anchor_id, bookmark_name, section_anchor

FORMATS = ("docx", "html", "text")
#: zlib level of the package (1 is ~3x faster than the default 6 for ~20% more bytes: a whole code
#: is written in well under a second)
COMPRESS_LEVEL = 1
NUMBERING = ("auto", "typed")
TAB = "\t"

#: list formats of the item levels, outermost first: (numFmt, kind as redline.importer names it)
ITEM_FORMATS = (("lowerLetter", "lower"), ("lowerRoman", "roman"), ("upperLetter", "upper"), ("decimal", "digit"),
                ("upperRoman", "uroman"), ("lowerLetter", "lower"), ("lowerRoman", "roman"))


class Para(NamedTuple):
    """One paragraph of a conformed copy."""

    kind: str  # section, part, crossheading, clause, item, definition, closing
    label: str | None  # "G3.20", "(b)"; a definition's term
    text: str
    level: int  # items: depth (1 = (a)); closings: the list level of their owner (0 = clause)
    address: str | None = None


def paragraphs(version: Version, sections: list[str] | None = None) -> Iterator[Para]:
    """The paragraphs of a version (or of some of its sections), in document order."""
    for letter, root in version.sections.items():
        if sections and letter not in sections:
            continue
        yield Para("section", letter, root.get("heading") or "", 0, letter)
        for part in root:
            if part.tag != "part":
                continue
            yield Para("part", part.get("num"), part.get("heading") or "", 0, part.get("num"))
            for child in part:
                if child.tag == "crossheading":
                    yield Para("crossheading", None, child.get("heading") or "", 0)
                    for clause in child:
                        if clause.tag == "clause":
                            yield from _node(clause, 0, clause.get("num"))
                elif child.tag == "clause":
                    yield from _node(child, 0, child.get("num"))


def _node(el, level: int, address: str) -> Iterator[Para]:
    """The paragraphs of a clause, item or definition and everything under it (one pass over its
    children: a whole code has ~150,000 of them)."""
    text = closing = ""
    children = []
    for child in el:
        tag = child.tag
        if tag == "text":
            text = normalise_space(child.text)
        elif tag == "closing":
            closing = normalise_space(child.text)
        elif tag == "item" or tag == "definition":
            children.append(child)
    tag = el.tag
    if tag == "clause":
        yield Para("clause", el.get("num"), text, 0, address)
        inner = 0
    elif tag == "item":
        yield Para("item", el.get("num"), text, level, address)
        inner = level
    else:  # definition: its words at the clause's indent, its list at the first level
        yield Para("definition", el.get("term"), text, 0, address)
        inner = 0
    for child in children:
        if child.tag == "item":
            yield from _node(child, inner + 1, address + child.get("num"))
        else:
            yield from _node(child, 0, f'{address}["{child.get("term")}"]')
    if closing:
        yield Para("closing", None, closing, inner, address)


# --- labels ---------------------------------------------------------------------------------------

def cover_lines(version: Version, code_title: str, sections: list[str] | None, date: str) -> tuple[str, str]:
    held = ", ".join(s for s in version.sections if not sections or s in sections)
    title = f"{code_title} ({version.code}) version {version.id}"
    sub = f"Conformed copy of Section{'s' if len(held) > 1 else ''} {held}, generated by redline on {date}"
    return title, sub


def section_title(letter: str, heading: str) -> str:
    return f"Section {letter} – {heading}" if heading else f"Section {letter}"


# --- text -------------------------------------------------------------------------------------------

WIDTH = 88
CLAUSE_COL = 8
ITEM_COL = 6


def render_text(version: Version, *, code_title: str, sections: list[str] | None = None, date: str | None = None) -> str:
    """Plain text: paragraphs separated by blank lines, wrapped with hanging indents."""
    import textwrap

    date = date or _today()
    title, sub = cover_lines(version, code_title, sections, date)
    out = [title, sub, ""]

    def wrap(label: str, text: str, indent: int, col: int) -> None:
        head = " " * indent + (label.ljust(col) if label else "")
        rest = " " * (indent + (col if label else 0))
        lines = textwrap.wrap(text, width=WIDTH, initial_indent=head, subsequent_indent=rest,
                              break_long_words=False, break_on_hyphens=False) if text else [head.rstrip()]
        out.extend(lines)
        out.append("")

    for p in paragraphs(version, sections):
        if p.kind == "section":
            out += [section_title(p.label, p.text), ""]
        elif p.kind == "part":
            out += [f"{p.label} {p.text}".rstrip(), ""]
        elif p.kind == "crossheading":
            out += [p.text, ""]
        elif p.kind == "clause":
            wrap(p.label, p.text, 0, max(CLAUSE_COL, len(p.label) + 2))
        elif p.kind == "item":
            wrap(p.label, p.text, CLAUSE_COL + ITEM_COL * (p.level - 1), max(ITEM_COL, len(p.label) + 1))
        elif p.kind == "definition":
            wrap("", f'"{p.label}" {p.text}'.strip(), CLAUSE_COL, 0)
        else:
            wrap("", p.text, CLAUSE_COL + ITEM_COL * p.level, 0)
    return "\n".join(out).rstrip() + "\n"


# --- HTML ---------------------------------------------------------------------------------------------

def render_html(version: Version, *, code_title: str, sections: list[str] | None = None, date: str | None = None) -> str:
    """One standalone HTML page in the Annex A's stylesheet (clauses, items, anchors per address)."""
    from markupsafe import escape

    from redline.render.html import stylesheet

    css = stylesheet()
    date = date or _today()
    title, sub = cover_lines(version, code_title, sections, date)
    out = ['<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n',
           f"<title>{escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n",
           f'<header class="cover"><p class="cover-title">{escape(title)}</p>'
           f'<p class="cover-subtitle">{escape(sub)}</p></header>\n<main>\n']
    open_divs: list[int] = []  # levels of the open clause/item/definition elements

    def close_to(level: int) -> None:
        while open_divs and open_divs[-1] >= level:
            open_divs.pop()
            out.append("</div></div>\n")

    in_section = False
    for p in paragraphs(version, sections):
        k = p.kind
        if k in ("section", "part", "crossheading"):
            close_to(0)
        if k == "section":
            if in_section:
                out.append("</div></section>\n")
            in_section = True
            out.append(f'<section class="sec" id="{escape(section_anchor(p.label))}">\n<h2 class="section-title">'
                       f'{escape(section_title(p.label, p.text))}</h2>\n<div class="legal-text">\n')
        elif k == "part":
            out.append(f'<h3 class="part" id="{escape(anchor_id(p.address))}"><span class="num">{escape(p.label)}</span>'
                       f"{escape(p.text)}</h3>\n")
        elif k == "crossheading":
            out.append(f'<h4 class="crossheading">{escape(p.text)}</h4>\n')
        elif k in ("clause", "item", "definition"):
            level = p.level if k == "item" else (0 if k == "clause" else 1)
            close_to(level)
            if k == "definition":
                out.append(f'<div class="definition" id="{escape(anchor_id(p.address))}"><div class="body"><p class="lead">'
                           f'<span class="term">&#34;{escape(p.label)}&#34;</span> {escape(p.text)}</p>\n')
            else:
                cls = "clause" if k == "clause" else f"item level-{p.level}"
                lead = f'<p class="lead">{escape(p.text)}</p>' if p.text else ""
                out.append(f'<div class="{cls}" id="{escape(anchor_id(p.address))}"><span class="num">{escape(p.label)}</span>'
                           f'<div class="body">{lead}\n')
            open_divs.append(level)
        else:  # closing words of the element at p.level
            close_to(p.level + 1)
            out.append(f'<p class="closing">{escape(p.text)}</p>\n')
    close_to(0)
    if in_section:
        out.append("</div></section>\n")
    out.append("</main>\n</body>\n</html>\n")
    return "".join(out)


# --- DOCX ---------------------------------------------------------------------------------------------

NUMBERING_PART = "word/numbering.xml"
NUMBERING_REL = ('<Relationship Id="rIdNumbering" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/numbering" Target="numbering.xml"/>')
NUMBERING_CT = ('<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.numbering+xml"/>')
_ITEM_LABEL = re.compile(r"^\(([0-9A-Za-z]+)\)$")
_CLAUSE_LABEL = re.compile(r"^[A-Z](\d+)\.(\d+)$")
_PART_LABEL = re.compile(r"^[A-Z](\d+)$")


def _twips(cm: float) -> int:
    return round(int(cm * CM) / 635)


@functools.lru_cache(maxsize=4096)
def _label_value(label: str) -> dict[str, int] | None:
    """(kind, value) of an item label as Word could number it: (c) -> (lower, 3); None if it cannot."""
    from redline.importer.outline import item_kinds

    m = _ITEM_LABEL.match(label)
    return item_kinds(m.group(1)) if m else None


class _Lists:
    """Plans Word's automatic numbering for one section, mirroring how :mod:`redline.word.numbering`
    (and Word) count: one abstract list per section, new instances with ``w:startOverride`` where a
    number must jump, and None (typed) where no list can show the number."""

    def __init__(self, letter: str, abstract_id: int, next_num: list[int]):
        self.letter = letter
        self.abstract_id = abstract_id
        self.next_num = next_num  # shared counter of numIds across sections
        self.nums: list[tuple[int, dict[int, int]]] = []  # (numId, {level: startOverride})
        self.vals = [0] * 9
        self.num_id = self._new({})

    def _new(self, overrides: dict[int, int]) -> int:
        num_id = self.next_num[0]
        self.next_num[0] += 1
        self.nums.append((num_id, overrides))
        return num_id

    def number(self, level: int, value: int) -> int:
        """The numId that shows ``value`` at ``level`` here (a new instance if the count must jump)."""
        if self.vals[level] + 1 != value:
            self.num_id = self._new({level: value})
        self.vals[level] = value
        for m in range(level + 1, 9):
            self.vals[m] = 0
        return self.num_id

    def abstract_xml(self) -> str:
        levels = [(f"{self.letter}%1", "decimal"), (f"{self.letter}%1.%2", "decimal")]
        levels += [(f"(%{i + 3})", fmt) for i, (fmt, _) in enumerate(ITEM_FORMATS)]
        out = [f'<w:abstractNum w:abstractNumId="{self.abstract_id}"><w:multiLevelType w:val="multilevel"/>']
        for i, (text, fmt) in enumerate(levels[:9]):
            # the indents of the paragraph styles the levels are used with (LibreOffice applies a
            # level's own indent over the style's, so each level states it)
            depth = min(max(i - 1, 0), MAX_LEVEL)
            left = _twips(NUM_COL_CM + ITEM_COL_CM * depth)
            hanging = _twips(ITEM_COL_CM if depth else NUM_COL_CM)
            out.append(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                       f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:tabs>'
                       f'<w:tab w:val="num" w:pos="{left}"/></w:tabs><w:ind w:left="{left}" w:hanging="{hanging}"/>'
                       f"</w:pPr></w:lvl>")
        out.append("</w:abstractNum>")
        return "".join(out)

    def nums_xml(self) -> str:
        out = []
        for num_id, overrides in self.nums:
            inner = "".join(f'<w:lvlOverride w:ilvl="{lv}"><w:startOverride w:val="{v}"/></w:lvlOverride>'
                            for lv, v in sorted(overrides.items()))
            out.append(f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{self.abstract_id}"/>{inner}</w:num>')
        return "".join(out)


def _auto(lists: _Lists, p: Para) -> tuple[str, int] | None:
    """(numPr XML, numId) for a paragraph Word can number, or None (type the number)."""
    if p.kind == "part":
        m = _PART_LABEL.match(p.label)
        if not m:
            return None
        level, value = 0, int(m.group(1))
        if lists.vals[0] == value:  # a part cannot repeat its own number
            return None
    elif p.kind == "clause":
        m = _CLAUSE_LABEL.match(p.label)
        if not m or lists.vals[0] != int(m.group(1)):
            return None
        level, value = 1, int(m.group(2))
    else:
        level = 1 + p.level
        if level >= 9:
            return None
        kinds = _label_value(p.label) or {}
        kind = ITEM_FORMATS[p.level - 1][1]
        if kind not in kinds:
            return None
        value = kinds[kind]
    if value < 1:
        return None
    num_id = lists.number(level, value)
    return ooxml.numbering(num_id, level), num_id


def render_docx(version: Version, *, code_title: str, sections: list[str] | None = None, date: str | None = None,
                numbering: str = "auto") -> bytes:
    """The conformed copy as a .docx (bytes)."""
    from redline.render.docx import CORE, DOCUMENT, FOOTER, core_xml, footer_xml, word_date

    if numbering not in NUMBERING:
        raise ValueError(f"numbering must be one of {', '.join(NUMBERING)}, not {numbering!r}")
    parts, head, tail = template()
    day = date or _today()
    w_date = word_date(day)
    title, sub = cover_lines(version, code_title, sections, day)
    body: list[str] = [head, ooxml.paragraph(ooxml.runs(title), "Title"),
                       ooxml.paragraph(ooxml.runs(sub), style_id("SEC Cover Subtitle"))]
    all_lists: list[_Lists] = []
    lists: _Lists | None = None
    next_num = [1]
    bookmark = 0

    def para(style: str, text: str, numpr: str = "", mark: str | None = None, runs: str | None = None) -> None:
        nonlocal bookmark
        content = runs if runs is not None else ooxml.runs(text)
        if mark:
            bookmark += 1
            content = ooxml.bookmark(bookmark, bookmark_name(anchor_id(mark)), content)
        body.append(ooxml.paragraph(content, style_id(style), numbering=numpr))

    for p in paragraphs(version, sections):
        k = p.kind
        if k == "section":
            lists = _Lists(p.label, len(all_lists), next_num) if numbering == "auto" else None
            if lists is not None:
                all_lists.append(lists)
            para("Heading 1", section_title(p.label, p.text))
            continue
        if k == "crossheading":
            para("SEC Cross-heading", p.text)
            continue
        if k == "closing":
            para(continued_style(p.level), p.text)
            continue
        if k == "definition":
            term = ooxml.runs(f'"{p.label}"', rpr=ooxml.run_properties("<w:b/>"))
            para("SEC Definition", "", mark=p.address, runs=term + ooxml.runs(f" {p.text}" if p.text else ""))
            continue
        style = {"part": "SEC Part Heading", "clause": "SEC Clause"}.get(k) or item_style(min(p.level, MAX_LEVEL))
        auto = _auto(lists, p) if lists is not None else None
        if auto is not None:
            para(style, p.text, auto[0], mark=p.address if k == "clause" else None)
        else:
            off = ooxml.numbering(0) if lists is not None else ""  # numbering off
            para(style, f"{p.label}{TAB}{p.text}" if (p.text or k != "part") else p.label, off,
                 mark=p.address if k == "clause" else None)
    body.append(tail)
    generated = {
        CORE: core_xml(parts[CORE], title=title, subject=sub, author="redline", when=w_date),
        FOOTER: footer_xml(parts[FOOTER], f"{version.code} {version.id} – conformed copy"),
    }
    if all_lists:
        numbering_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:numbering xmlns:w="{ooxml.W_NS}">'
                         + "".join(x.abstract_xml() for x in all_lists) + "".join(x.nums_xml() for x in all_lists)
                         + "</w:numbering>")
        generated[NUMBERING_PART] = numbering_xml.encode("utf-8")
        rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
        generated["word/_rels/document.xml.rels"] = rels.replace("</Relationships>",
                                                                 NUMBERING_REL + "</Relationships>").encode("utf-8")
        ct = parts["[Content_Types].xml"].decode("utf-8")
        generated["[Content_Types].xml"] = ct.replace("</Types>", NUMBERING_CT + "</Types>").encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as z:
        for name, data in parts.items():
            if name == DOCUMENT:
                with z.open(_zip_entry(name, w_date), "w") as out:
                    chunk: list[str] = []
                    size = 0
                    for piece in body:
                        chunk.append(piece)
                        size += len(piece)
                        if size > 1 << 16:
                            out.write("".join(chunk).encode("utf-8"))
                            chunk, size = [], 0
                    out.write("".join(chunk).encode("utf-8"))
                if NUMBERING_PART in generated:
                    z.writestr(_zip_entry(NUMBERING_PART, w_date), generated[NUMBERING_PART])
                continue
            z.writestr(_zip_entry(name, w_date), generated.get(name, data))
    return buf.getvalue()


def _zip_entry(name: str, w_date: str) -> zipfile.ZipInfo:
    """The Annex A's dated zip entry, at this module's compression level."""
    from redline.render.docx import zip_entry

    info = zip_entry(name, w_date)
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", COMPRESS_LEVEL)
    return info


def _today() -> str:
    return _dt.date.today().isoformat()
