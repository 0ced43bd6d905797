"""HTML rendering of a :class:`redline.annex.Redline`: one standalone file from jinja2 templates.

The templates live in ``templates/`` (``redline.html.j2`` and ``redline.css``, inlined); they
are found beside the package in a checkout or an editable install, and as the package data
``redline/templates`` in a built wheel. Autoescaping is on: every word of the code goes through
it. Insertions are ``<ins>``, deletions ``<del>``; every clause and item has an anchor (see
:func:`anchor_id`); a table summarises the changes; a print stylesheet lays out A4 pages.

Hook for links (cross-references, defined terms): pass ``annotate``, a callable taking the text
of one span and returning a list of ``(text, href or None)`` pieces whose texts join back to the
span's text. Each piece with an href becomes an ``<a>`` inside the span's ``<ins>``/``<del>``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import jinja2
import markupsafe

from redline.annex import ClauseBlock, HeadingBlock, Redline
from redline.diff import NodeDiff
from redline.model import Address
from redline.textdiff import Span

#: a callable splitting a span's text into (text, href or None) pieces, e.g. to link references
Annotate = Callable[[str], list[tuple[str, str | None]]]

TEMPLATE = "redline.html.j2"
STYLESHEET = "redline.css"


def template_dirs() -> list[Path]:
    """Where the templates are looked for: package data first, then the checkout's ``templates/``."""
    here = Path(__file__).resolve().parent.parent  # the redline package
    out = []
    for cand in (here / "templates", here.parent / "templates"):
        if (cand / TEMPLATE).is_file():
            out.append(cand)
    return out


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment (autoescape on, strict undefined)."""
    dirs = template_dirs()
    if not dirs:
        raise FileNotFoundError(f"the HTML templates ({TEMPLATE}) are not installed beside the redline package")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2", "xml"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_SPACE_RE = re.compile(r"\s+")


def anchor_id(address: Address | str, prefix: str = "") -> str:
    """The HTML id of a node: its address (``G3.20``, ``G3.20(b)``), spaces and quotes removed."""
    text = str(address).replace('"', "").replace("“", "").replace("”", "")
    return prefix + _SPACE_RE.sub("_", text)


def _segments(spans: Iterable[Span], annotate: Annotate | None) -> list[dict]:
    out = []
    for s in spans:
        pieces = annotate(s.text) if annotate is not None else [(s.text, None)]
        if "".join(t for t, _ in pieces) != s.text:
            raise ValueError("annotate must return pieces that join back to the span's text")
        out.append({"kind": s.kind, "term": False, "pieces": [{"text": t, "href": h} for t, h in pieces if t]})
    return out


def _term_segments(nd: NodeDiff) -> list[dict]:
    """A definition's term in quotes, then a space, marked as the definition is (for its lead line)."""
    kind = "insert" if nd.state == "inserted" else "delete" if nd.state == "deleted" else "equal"
    out = [{"kind": kind, "term": True, "pieces": [{"text": '"', "href": None}]}]
    for seg in _segments(nd.num, None):
        seg["term"] = True
        out.append(seg)
    out.append({"kind": kind, "term": True, "pieces": [{"text": '"', "href": None}]})
    out.append({"kind": kind, "term": False, "pieces": [{"text": " ", "href": None}]})
    return out


def _node_view(nd: NodeDiff, annotate: Annotate | None, depth: int) -> dict:
    removed = nd.state == "deleted"
    return {
        "term": _term_segments(nd) if nd.element == "definition" else [],
        "element": nd.element,
        "state": nd.state,
        "depth": depth,
        "id": anchor_id(nd.address, "was-" if removed else ""),
        "num": _segments(nd.num, None),
        "text": _segments(nd.text, annotate),
        "children": [_node_view(c, annotate, depth + 1) for c in nd.children],
        "closing": _segments(nd.closing, annotate),
    }


def view(redline: Redline, annotate: Annotate | None = None) -> dict:
    """The template's view of a redline: plain dicts and lists only."""
    sections = []
    for sec in redline.sections:
        blocks = []
        for b in sec.blocks:
            if isinstance(b, HeadingBlock):
                blocks.append({"type": b.level, "state": b.state, "num": _segments(b.num, None), "term": [],
                               "text": _segments(b.spans, annotate),
                               "id": anchor_id(b.anchor) if b.anchor else None})
            elif isinstance(b, ClauseBlock):
                node = _node_view(b.diff, annotate, 0)
                node.update(type="clause", change=b.change, note=b.note)
                blocks.append(node)
        sections.append({"letter": sec.letter, "title": sec.title, "instructions": list(sec.instructions),
                         "blocks": blocks, "id": anchor_id(f"section-{sec.letter}")})
    rows = []
    for r in redline.summary:
        rows.append({"address": r.address, "change": r.change, "detail": r.detail,
                     "href": "#" + anchor_id(r.address, "was-" if r.change.endswith("deleted") else "")})
    return {"cover": redline.cover, "sections": sections, "summary": rows, "notes": list(redline.notes),
            "old_id": redline.old_id, "new_id": redline.new_id, "author": redline.author}


def render_html(redline: Redline, annotate: Annotate | None = None) -> str:
    """The redline as one standalone HTML document (inline CSS, no external resources)."""
    env = environment()
    # our own stylesheet, inlined verbatim (escaping would break selectors such as '>')
    css = markupsafe.Markup(env.loader.get_source(env, STYLESHEET)[0])
    return env.get_template(TEMPLATE).render(css=css, **view(redline, annotate))
