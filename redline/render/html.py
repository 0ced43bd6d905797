"""HTML rendering of a :class:`redline.annex.Redline`: one standalone file from jinja2 templates.

The templates live in ``templates/`` (``redline.html.j2`` and ``redline.css``, inlined); they
are found beside the package in a checkout or an editable install, and as the package data
``redline/templates`` in a built wheel. Autoescaping is on: every word of the code goes through
it. Insertions are ``<ins>``, deletions ``<del>``; every clause and item has an anchor (its
``id``: :func:`redline.render.links.anchor_id`); a table summarises the changes; a print
stylesheet lays out A4 pages.

Hook for links (cross-references, defined terms: :func:`redline.render.links.redline_annotator`):
pass ``annotate``, a callable taking the text of one span and returning a list of ``(text, href
or None)`` pieces whose texts join back to the span's text. Each piece with an href becomes an
``<a>`` inside the span's ``<ins>``/``<del>``.

I/O: the templates are read from ``templates/`` (or the package data).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import jinja2
import markupsafe

from redline.annex import (
    ClauseBlock, HeadingBlock, InstructionBlock, NoteBlock, Redline, SectionRedline, display_date,
)
from redline.diff import NodeDiff, NodeState
from redline.render import template_dirs
from redline.render.links import anchor_id, section_anchor
from redline.textdiff import DELETE, EQUAL, INSERT, Span

#: a callable splitting a span's text into (text, href or None) pieces, e.g. to link references
Annotate = Callable[[str], list[tuple[str, str | None]]]

TEMPLATE = "redline.html.j2"
STYLESHEET = "redline.css"


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """Our stylesheet (``redline.css``), for the Annex A and the conformed copy alike."""
    env = environment()
    return env.loader.get_source(env, STYLESHEET)[0]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment (autoescape on, strict undefined)."""
    dirs = template_dirs(TEMPLATE)
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


def _page_view(redline: Redline) -> dict:
    """The page around the legal text: cover, summary rows, sections without their blocks."""
    sections = [{"letter": sec.letter, "title": sec.title, "instructions": list(sec.instructions),
                 "id": section_anchor(sec.letter)} for sec in redline.sections]
    rows = []
    for r in redline.summary:
        rows.append({"address": r.address, "change": r.change, "detail": r.detail,
                     "href": "#" + anchor_id(r.address, deleted=r.deleted), "by": ", ".join(r.by)})
    return {"cover": redline.cover, "cover_date": display_date(redline.cover.date), "sections": sections,
            "summary": rows, "notes": list(redline.notes), "attributed": any(r.by for r in redline.summary),
            "old_id": redline.old_id, "new_id": redline.new_id, "author": redline.author}


# --- the legal text, written directly (what the template's old node/spans macros wrote) -------------

_escape = markupsafe.escape


def _spans_html(spans: Iterable[Span], annotate: Annotate | None, out: list[str]) -> None:
    """Each span's words (links from ``annotate``) in ``<ins>``/``<del>`` by kind, appended to ``out``."""
    for s in spans:
        if annotate is None:
            body = str(_escape(s.text))
        else:
            pieces = annotate(s.text)
            if "".join(t for t, _ in pieces) != s.text:
                raise ValueError("annotate must return pieces that join back to the span's text")
            body = "".join(f'<a href="{_escape(h)}">{_escape(t)}</a>' if h else str(_escape(t))
                           for t, h in pieces if t)
        kind = s.kind
        if kind == EQUAL:
            out.append(body)
            continue
        tag = "ins" if kind == INSERT else "del"
        by = f' data-by="{_escape(s.by)}" title="{_escape(s.by)}"' if s.by else ""
        out.append(f"<{tag}{by}>{body}</{tag}>")


def _term_html(nd: NodeDiff, out: list[str]) -> None:
    """A definition's term in quotes, then a space, marked as the definition is."""
    state = nd.state

    def wrap(body: str) -> str:
        return (f"<ins>{body}</ins>" if state == NodeState.INSERTED else f"<del>{body}</del>"
                if state == NodeState.DELETED else body)

    quote = wrap('<span class="term">&#34;</span>')
    out.append(quote)
    for s in nd.num:
        body = f'<span class="term">{_escape(s.text) if s.text else ""}</span>'
        out.append(f"<ins>{body}</ins>" if s.kind == INSERT else f"<del>{body}</del>" if s.kind == DELETE else body)
    out.append(quote)
    out.append(wrap(" "))


def _node_html(nd: NodeDiff, annotate: Annotate | None, depth: int, out: list[str]) -> None:
    ident = anchor_id(nd.address, deleted=nd.state == NodeState.DELETED)
    level = f" level-{depth}" if depth else ""
    out.append(f'<div class="{_escape(nd.element)} state-{_escape(nd.state)}{level}" id="{_escape(ident)}">\n')
    if nd.element == "definition":
        out.append('  <div class="body">\n    <p class="lead">')
        _term_html(nd, out)
        _spans_html(nd.text, annotate, out)
        out.append("</p>\n")
    else:
        out.append('  <span class="num">')
        _spans_html(nd.num, None, out)
        out.append('</span>\n  <div class="body">\n')
        if nd.text:
            out.append('<p class="lead">')
            _spans_html(nd.text, annotate, out)
            out.append("</p>")
    for c in nd.children:
        out.append("    ")
        _node_html(c, annotate, depth + 1, out)
        out.append("\n")
    if nd.closing:
        out.append('<p class="closing">')
        _spans_html(nd.closing, annotate, out)
        out.append("</p>")
    out.append("  </div>\n</div>")


def legal_text(section: SectionRedline, annotate: Annotate | None = None) -> str:
    """The HTML of one section's redlined text, one block a line: drafting instructions (each
    before the text it governs), the section heading, part and cross-headings, clauses, and the
    reader's notes (in brackets: never part of the legal text)."""
    out: list[str] = []
    for b in section.blocks:
        if isinstance(b, InstructionBlock):
            out.append(f'    <p class="instruction">{_escape(b.text)}</p>\n')
        elif isinstance(b, NoteBlock):
            out.append(f'    <p class="reader-note {_escape(b.kind)}" role="note">[{_escape(b.text)}]</p>\n')
        elif isinstance(b, HeadingBlock):
            if b.level == "section":
                out.append(f'    <h3 class="section-heading state-{_escape(b.state)}">')
                _spans_html(b.spans, None, out)
                out.append("</h3>\n")
            elif b.level == "part":
                ident = anchor_id(b.anchor, deleted=b.state == NodeState.DELETED) if b.anchor else None
                ident = f' id="{_escape(ident)}"' if ident else ""  # as the template: no empty id
                out.append(f'    <h3 class="part state-{_escape(b.state)}"{ident}><span class="num">')
                _spans_html(b.num, None, out)
                out.append("</span> ")
                _spans_html(b.spans, annotate, out)
                out.append("</h3>\n")
            elif b.level == "crossheading":
                out.append(f'    <h4 class="crossheading state-{_escape(b.state)}">')
                _spans_html(b.spans, annotate, out)
                out.append("</h4>\n")
            else:  # as the template wrote any other heading level: as a clause without words
                raise ValueError(f"unknown heading level {b.level!r}")
        elif isinstance(b, ClauseBlock):
            if b.note:
                out.append(f'<p class="margin-note" aria-label="note">{_escape(b.note)}</p>')
            out.append("    ")
            _node_html(b.diff, annotate, 0, out)
            out.append("\n")
    return "".join(out)


def render_html(redline: Redline, annotate: Annotate | None = None) -> str:
    """The redline as one standalone HTML document (inline CSS, no external resources).

    The page (cover, summary, section titles and instructions) comes from the template; each
    section's legal text is written by :func:`legal_text`, one block at a time (a whole-code
    redline has ~150,000 paragraphs: jinja2 macros and a dict per span cost seconds).
    """
    env = environment()
    # our own stylesheet, inlined verbatim (escaping would break selectors such as '>')
    css = markupsafe.Markup(stylesheet())
    page = _page_view(redline)
    for sec, sv in zip(redline.sections, page["sections"]):
        sv["legal_text"] = markupsafe.Markup(legal_text(sec, annotate))
    return env.get_template(TEMPLATE).render(css=css, **page)
