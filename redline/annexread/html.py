"""Read an HTML Annex A (as ``redline annex --format html`` renders it) into marked paragraphs.

Insertions are ``<ins>``, deletions ``<del>`` (nested mark-up, links and ``<span>`` are
transparent). redline's own page says what each block is through its classes: the cover
(``cover-title``, ``cover-document``, ``cover-subtitle``, ``about``, ``classification``), the
summary table (not legal text), section titles (``h2.section-title``), drafting instructions
(``p.instruction``), and in ``div.legal-text`` the part headings (``h3.part``), cross-headings
(``h4.crossheading``) and nested ``div.clause`` / ``div.item`` / ``div.definition`` with their
``span.num``, ``p.lead`` and ``p.closing``. Any other HTML is read block by block (paragraphs,
headings, list items) without roles, and its legal text is recognised from the numbers in it.

The page is parsed with lxml's HTML parser with network access off; scripts, styles and comments
are not text. Pure: bytes in, paragraphs out.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from redline.annexread.marked import DEL, INS, Para, Run, merge_runs
from redline.errors import DocumentError

#: elements whose text is never document text
_SKIP = frozenset(("script", "style", "template", "head", "title", "noscript"))
#: elements read as one paragraph each when the page is not redline's own
_BLOCKS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "caption",
                     "blockquote", "pre", "div"))
_MARKS = {"ins": INS, "del": DEL, "s": DEL, "strike": DEL}


#: a document type declaration with an internal subset, or an entity declaration anywhere
_DTD_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[|<!ENTITY", re.I)


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False,
                                default_doctype=False)


def parse_html(data: bytes, name: str):
    """The root element of an HTML document; :class:`DocumentError` if it is not one."""
    if not data.strip():
        raise DocumentError("the file is empty", name)
    if b"\x00" in data[:4096]:
        raise DocumentError("not an HTML document (binary data)", name)
    if _DTD_SUBSET.search(data):  # an HTML page never needs one; an XXE attempt does
        raise DocumentError("a DOCTYPE with declarations (a DTD, entities) is not allowed", name)
    try:
        root = lxml.html.document_fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise DocumentError(f"not a readable HTML document: {exc}", name) from None
    if root is None:
        raise DocumentError("not a readable HTML document", name)
    return root


def _runs(el, change: str | None = None, out: list | None = None, skip=frozenset()) -> list[Run]:
    """The runs of ``el``'s content (not its tail), marked by the ``ins``/``del`` around them;
    children whose class is in ``skip`` (or that are block-level nodes read on their own) are left out."""
    if out is None:
        out = []
    if el.text:
        out.append(Run(el.text, change))
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is not None and tag.lower() not in _SKIP and not (_classes(child) & skip):
            if tag.lower() == "br":
                out.append(Run("\n", change))
            else:
                _runs(child, _MARKS.get(tag.lower(), change), out, skip)
        if child.tail:
            out.append(Run(child.tail, change))
    return out


def read_html(data: bytes, name: str) -> list[Para]:
    """The paragraphs of an HTML Annex A, in reading order."""
    root = parse_html(data, name)
    body = root.find("body")
    if body is None:
        body = root
    counter = [0]

    def para(runs, role=None, depth=0, num=None) -> Para:
        counter[0] += 1
        return Para(f"block {counter[0]}", merge_runs(runs), role, depth,
                    merge_runs(num) if num is not None else None)

    if not body.xpath(".//div[contains(concat(' ', normalize-space(@class), ' '), ' legal-text ')]"):
        return _generic(body, para)
    out: list[Para] = []
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        cls = _classes(el)
        if el.tag == "p" and cls & {"cover-title", "cover-document", "cover-subtitle"}:
            out.append(para(_runs(el), (cls & {"cover-title", "cover-document", "cover-subtitle"}).pop()))
        elif el.tag == "dt" and "cover-facts" in _classes(el.getparent()):  # "Proposer" "Gordon …"
            dd = el.getnext()
            value = _runs(dd) if dd is not None and dd.tag == "dd" else []
            out.append(para([*_runs(el), Run(": "), *value], "cover-fact"))
        elif el.tag == "p" and "classification" in cls:
            out.append(para(_runs(el), "cover-classification"))
        elif el.tag == "p" and el.getparent() is not None and "about" in _classes(el.getparent()):
            out.append(para(_runs(el), "cover-about"))
        elif el.tag == "h2" and "section-title" in cls:
            out.append(para(_runs(el), "section-title"))
        elif el.tag == "p" and "instruction" in cls and not _in_legal_text(el):
            out.append(para(_runs(el), "instruction"))
        elif "legal-text" in cls and el.tag == "div":
            _legal_text(el, para, out)
    return out


def _legal_text(container, para, out: list[Para]) -> None:
    for el in container:
        if not isinstance(el.tag, str):
            continue
        cls = _classes(el)
        if el.tag == "h3" and "part" in cls:
            num = next((c for c in el if isinstance(c.tag, str) and "num" in _classes(c)), None)
            out.append(para(_runs(el, skip={"num"}), "part", 0, _runs(num) if num is not None else []))
        elif el.tag == "h4" and "crossheading" in cls:
            out.append(para(_runs(el), "crossheading"))
        elif el.tag == "p" and "instruction" in cls:  # an instruction next to the text it is about
            out.append(para(_runs(el), "instruction"))
        elif el.tag == "div" and cls & {"clause", "item", "definition"}:
            _node(el, 0, para, out)
        elif "margin-note" in cls:
            continue
        else:  # anything else in the legal text is read as an unplaced paragraph (reported)
            runs = _runs(el)
            if "".join(r.text for r in runs).strip():
                out.append(para(runs))


def _in_legal_text(el) -> bool:
    return any("legal-text" in _classes(a) for a in el.iterancestors("div"))


def _node(el, depth: int, para, out: list[Para]) -> None:
    cls = _classes(el)
    kind = "definition" if "definition" in cls else "clause" if "clause" in cls and depth == 0 else "item"
    num_el = next((c for c in el if isinstance(c.tag, str) and "num" in _classes(c)), None)
    body = next((c for c in el if isinstance(c.tag, str) and "body" in _classes(c)), el)
    lead = next((c for c in body if isinstance(c.tag, str) and "lead" in _classes(c)), None)
    lead_runs = _runs(lead) if lead is not None else []
    if kind == "definition":
        out.append(para(lead_runs, "definition", depth))
    else:
        out.append(para(lead_runs, kind, depth, _runs(num_el) if num_el is not None else []))
    for c in body:
        if not isinstance(c.tag, str):
            continue
        ccls = _classes(c)
        if c.tag == "div" and ccls & {"item", "definition", "clause"}:
            _node(c, depth + 1, para, out)
        elif "closing" in ccls:
            out.append(para(_runs(c), "closing", depth))


def _generic(body, para) -> list[Para]:
    """Any other HTML: each innermost block element is one paragraph, without a role."""
    out: list[Para] = []

    def walk(el) -> None:
        for child in el:
            if not isinstance(child.tag, str) or child.tag.lower() in _SKIP:
                continue
            tag = child.tag.lower()
            inner = [c for c in child.iter() if c is not child and isinstance(c.tag, str) and c.tag.lower() in _BLOCKS]
            if tag in _BLOCKS and not inner:
                runs = _runs(child)
                if "".join(r.text for r in runs).strip():
                    out.append(para(runs))
            else:
                walk(child)

    walk(body)
    return out
