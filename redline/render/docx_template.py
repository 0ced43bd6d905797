"""The lean DOCX template that :mod:`redline.render.docx` writes its documents into.

``templates/redline.docx`` is a complete, openable Word document with an empty body: A4 pages
with our margins, a footer paragraph (Footer style, a right tab for the page number), and only the
styles a redline uses (``Normal``, ``Title``, ``Heading 1``/``2``, ``Footer``, ``Table Grid``, the
``SEC …`` paragraph styles, the defaults they rest on and their linked character styles).
python-docx's default template holds 350 KB of styles (and as much again of
``stylesWithEffects``), which every document used to parse and write back; the renderer now copies
these parts as bytes and writes only the body, the footer's words and the core properties.

The template is built here with python-docx (imported only by this module), from python-docx's
default document and the house styles below; regenerate it after changing a style::

    python -m redline.render.docx_template        # writes templates/redline.docx

``tests/test_docx_writer.py`` checks that the shipped template is what :func:`build_template` gives.

I/O: :func:`template` reads the shipped template (found beside the package, see
:func:`redline.render.template_dirs`); :func:`main` writes it.
"""

from __future__ import annotations

import functools
import io
import sys
import zipfile
from pathlib import Path

from redline.render import template_dirs

TEMPLATE_NAME = "redline.docx"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# --- house style (named settings) -------------------------------------------------------------
FONT = "Arial"
BODY_PT = 11
BRAND = "00355F"
GREY = "555555"
CM = 360000  # EMU per centimetre
NUM_COL_CM = 1.5  # clause number column
ITEM_COL_CM = 1.1  # each list level's number column
MAX_LEVEL = 4
PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 21.0, 29.7, 2.5

#: every paragraph and table style a redline uses (their defaults, bases and linked styles are kept too)
USED_STYLES = (
    "Normal", "Title", "Heading 1", "Heading 2", "Footer", "Table Grid",
    "SEC Cover Document", "SEC Cover Subtitle", "SEC Classification", "SEC Note", "SEC Instruction",
    "SEC Part Heading", "SEC Cross-heading", "SEC Clause", "SEC Clause Continued", "SEC Definition",
    "SEC Margin Note", "SEC Section Heading", "SEC Cover Fact",
    *(f"SEC Item {n}{s}" for n in range(1, MAX_LEVEL + 1) for s in ("", " Continued")),
)


def item_style(level: int) -> str:
    """The style name of a list item at ``level`` (1 = (a), 2 = (i), …)."""
    return f"SEC Item {min(level, MAX_LEVEL)}"


def continued_style(level: int) -> str:
    """The style of the words after a list, at the indent of the text of ``level`` (0 = clause)."""
    return "SEC Clause Continued" if level == 0 else f"SEC Item {min(level, MAX_LEVEL)} Continued"


def style_id(name: str) -> str:
    """The ``w:styleId`` of a style name, as Word and python-docx derive it (spaces removed)."""
    return name.replace(" ", "")


def template_path() -> Path:
    """Where the template is: package data first, then the checkout's ``templates/``."""
    for d in template_dirs(TEMPLATE_NAME):
        return d / TEMPLATE_NAME
    raise FileNotFoundError(f"the DOCX template ({TEMPLATE_NAME}) is not installed beside the redline package")


# --- building the template with python-docx -------------------------------------------------------

def _set_font(style, name: str) -> None:
    """Set a style's font on every script and drop theme fonts, which would override it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _paragraph_style(doc, name, *, base="Normal", size=None, bold=None, colour=None, left=None, hanging=None,
                     before=None, after=None, keep_next=False, caps=False, tab=None, centre=False):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm, Pt, RGBColor

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
        font.color.rgb = RGBColor.from_string(colour)
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
    if centre:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return style


def define_styles(doc) -> None:
    """Define the house styles (fonts, indents) in a python-docx ``doc``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    num_col, item_col = Cm(NUM_COL_CM), Cm(ITEM_COL_CM)
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
        st.font.color.rgb = RGBColor.from_string(BRAND)
        st.font.italic = False
        st.paragraph_format.space_before = Pt(18 if name != "Title" else 96)  # the title sits low on the cover
        st.paragraph_format.space_after = Pt(8)
    _paragraph_style(doc, "SEC Cover Document", size=16, bold=True, before=24, after=4)
    _paragraph_style(doc, "SEC Cover Subtitle", size=13, colour=GREY, after=24)
    _paragraph_style(doc, "SEC Classification", size=9, before=12, after=6)
    _paragraph_style(doc, "SEC Note", size=9, colour=GREY, before=6, after=4)
    _paragraph_style(doc, "SEC Instruction", bold=True, before=6, after=10, keep_next=True)
    _paragraph_style(doc, "SEC Cover Fact", after=4)
    _paragraph_style(doc, "SEC Section Heading", bold=True, caps=True, before=14, after=10, keep_next=True,
                     centre=True)
    _paragraph_style(doc, "SEC Part Heading", bold=True, caps=True, before=14, after=8, keep_next=True,
                     left=num_col, hanging=num_col, tab=num_col)
    _paragraph_style(doc, "SEC Cross-heading", bold=True, before=12, after=6, keep_next=True)
    _paragraph_style(doc, "SEC Clause", left=num_col, hanging=num_col, tab=num_col, before=0, after=8)
    _paragraph_style(doc, "SEC Clause Continued", left=num_col, hanging=0, after=8)
    _paragraph_style(doc, "SEC Definition", left=num_col, hanging=0, after=6)
    for level in range(1, MAX_LEVEL + 1):
        left = num_col + item_col * level
        _paragraph_style(doc, item_style(level), left=left, hanging=item_col, tab=left, after=6)
        _paragraph_style(doc, continued_style(level), left=left, hanging=0, after=6)
    _paragraph_style(doc, "SEC Margin Note", size=8, colour=GREY, before=6, after=0, keep_next=True)
    footer = doc.styles["Footer"]
    footer.font.size = Pt(8)
    footer.font.color.rgb = RGBColor.from_string(GREY)


def _prune_styles(doc) -> None:
    """Keep only the used styles, the defaults, and the styles they are based on or linked to."""
    from docx.oxml.ns import qn

    root = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    keep = {doc.styles[name].style_id for name in USED_STYLES}
    keep |= {sid for sid, s in by_id.items() if s.get(qn("w:default")) in ("1", "true")}
    todo = list(keep)
    while todo:
        s = by_id[todo.pop()]
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = s.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) in by_id and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                todo.append(ref.get(qn("w:val")))
    for sid, s in by_id.items():
        if sid not in keep:
            root.remove(s)
    latent = root.find(qn("w:latentStyles"))
    if latent is not None:
        root.remove(latent)


def build_template() -> bytes:
    """The template document (bytes of a .docx), from python-docx's default and our styles."""
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc = Document()
    define_styles(doc)
    _prune_styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(Cm(PAGE_WIDTH_CM - 2 * MARGIN_CM), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run("redline\t\tPage ")
    for instr in ("PAGE", "NUMPAGES"):
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), instr)
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "1"
        r.append(t)
        fld.append(r)
        footer._p.append(fld)
        if instr == "PAGE":
            footer.add_run(" of ")
    doc.add_paragraph()  # a body with one empty paragraph: the renderer replaces it
    props = doc.core_properties
    props.title = "redline DOCX template"
    props.author = props.last_modified_by = "redline"
    props.comments = "generated by redline"
    # parts a redline never uses: the thumbnail (python-docx's sample page), the Word 2010 copy of
    # every style, web settings, custom XML and list numbering
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype in (RT.THUMBNAIL, STYLES_WITH_EFFECTS, RT.WEB_SETTINGS, RT.CUSTOM_XML, RT.NUMBERING):
                del rels[rid]
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def template_parts(data: bytes) -> dict[str, bytes]:
    """The parts of a .docx (name → bytes), in the order they are stored."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


#: the main document part of a package
DOCUMENT = "word/document.xml"


@functools.lru_cache(maxsize=1)
def template() -> tuple[dict[str, bytes], str, str]:
    """The shipped template's parts, and its document part split around the body's content
    (what comes before the body's first paragraph, and its closing ``w:sectPr`` onwards). The
    one reader of the template file, for the Annex A and the conformed copy alike."""
    parts = template_parts(template_path().read_bytes())
    doc = parts[DOCUMENT].decode("utf-8")
    start = doc.index("<w:body>") + len("<w:body>")
    return parts, doc[:start], doc[doc.index("<w:sectPr", start):]


def main(argv: list[str] | None = None) -> int:
    """Write the template to ``templates/redline.docx`` of the checkout (or to the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent.parent / "templates" / TEMPLATE_NAME
    target.write_bytes(build_template())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
