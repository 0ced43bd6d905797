"""The HTML legal text written in Python is what the jinja2 macros it replaced wrote.

``html.legal_text`` replaced the template's ``spans``/``node`` macros (seconds on a whole code); the
macros are kept here, verbatim, as the reference: for the golden annexes and for random redlines
with awkward words (markup characters, quotes, definitions, notes, links), both write the same
bytes. ``anchor_ids`` must give the ids of :func:`redline.render.html.view`.
"""

from __future__ import annotations

import jinja2
import pytest
from hypothesis import given, settings, strategies as st

from redline.annex import ClauseBlock, HeadingBlock, SectionRedline
from redline.diff import NodeDiff
from redline.model import Address
from redline.render.html import anchor_ids, legal_text, view
from redline.textdiff import Span
from tests.test_render_html import annex

#: the legal-text part of templates/redline.html.j2 before html.legal_text (commit 07c805c)
OLD_MACROS = '{%- macro spans(segments) -%}\n{%- for s in segments -%}\n{%- set body -%}\n{%- for p in s.pieces -%}\n{%- if p.href %}<a href="{{ p.href }}">{{ p.text }}</a>{% else %}{{ p.text }}{% endif -%}\n{%- endfor -%}\n{%- endset -%}\n{%- if s.term %}{% set body %}<span class="term">{{ body }}</span>{% endset %}{% endif -%}\n{%- if s.kind == "insert" %}<ins>{{ body }}</ins>{% elif s.kind == "delete" %}<del>{{ body }}</del>{% else %}{{ body }}{% endif -%}\n{%- endfor -%}\n{%- endmacro -%}\n{%- macro node(n) -%}\n<div class="{{ n.element }} state-{{ n.state }}{% if n.depth %} level-{{ n.depth }}{% endif %}" id="{{ n.id }}">\n  {% if n.element == "definition" %}\n  <div class="body">\n    <p class="lead">{{ spans(n.term) }}{{ spans(n.text) }}</p>\n  {% else %}\n  <span class="num">{{ spans(n.num) }}</span>\n  <div class="body">\n    {% if n.text %}<p class="lead">{{ spans(n.text) }}</p>{% endif %}\n  {% endif %}\n    {% for c in n.children %}\n    {{ node(c) }}\n    {% endfor %}\n    {% if n.closing %}<p class="closing">{{ spans(n.closing) }}</p>{% endif %}\n  </div>\n</div>\n{%- endmacro -%}\n  {% for b in sec.blocks %}\n    {% if b.type == "part" %}\n    <h3 class="part state-{{ b.state }}"{% if b.id %} id="{{ b.id }}"{% endif %}><span class="num">{{ spans(b.num) }}</span> {{ spans(b.text) }}</h3>\n    {% elif b.type == "crossheading" %}\n    <h4 class="crossheading state-{{ b.state }}">{{ spans(b.text) }}</h4>\n    {% else %}\n    {% if b.note %}<p class="margin-note" aria-label="note">{{ b.note }}</p>{% endif %}\n    {{ node(b) }}\n    {% endif %}\n  {% endfor %}\n'


def _old_legal_text(sec_view: dict) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    return env.from_string(OLD_MACROS).render(sec=sec_view)


def _ids(obj, out: set) -> set:
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str):
            out.add(obj["id"])
        for v in obj.values():
            _ids(v, out)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _ids(v, out)
    return out


def _old_kinds(red):
    """``red`` with only the blocks the old macros knew (part and cross-headings, clauses): the
    instructions, reader's notes and section heading are checked in tests/test_annex_layout.py."""
    from dataclasses import replace

    def known(b) -> bool:
        return isinstance(b, ClauseBlock) or (isinstance(b, HeadingBlock) and b.level in ("part", "crossheading"))

    return replace(red, sections=tuple(replace(s, blocks=tuple(b for b in s.blocks if known(b))) for s in red.sections))


def _check(red, annotate=None) -> None:
    red = _old_kinds(red)
    v = view(red, annotate)
    for sec, sv in zip(red.sections, v["sections"]):
        assert legal_text(sec, annotate) == _old_legal_text(sv)
    assert anchor_ids(red) == _ids(v, set())


@pytest.mark.parametrize("mod, context", [("MP087", "group"), ("SECMP0065", "all"), ("MP087", "all")])
def test_golden_annexes(corpus, mod, context):
    red = annex(corpus, mod, context=context)
    _check(red)
    _check(red, annotate=lambda t: [(t[:3], "#x&y"), (t[3:], None)] if len(t) > 3 else [(t, None)])


_words = st.text(alphabet=st.sampled_from(list("ab <>&\"'’é\t\n")), max_size=8)
_kind = st.sampled_from(["equal", "insert", "delete"])
_spans = st.lists(st.builds(Span, _kind, _words), max_size=3).map(tuple)
_state = st.sampled_from(["unchanged", "amended", "inserted", "deleted"])
_addr = Address("G", "G1", "G1.1")


def _nodes(depth: int):
    children = st.just(()) if depth > 1 else st.lists(_nodes(depth + 1), max_size=2).map(tuple)
    return st.builds(NodeDiff, st.sampled_from(["item", "definition"] if depth else ["clause", "definition"]),
                     _state, st.just(_addr), st.just(_addr), _spans, _spans, children, _spans)


_blocks = st.lists(st.one_of(
    st.builds(HeadingBlock, st.sampled_from(["part", "crossheading"]), _state, _spans, _spans,
              st.one_of(st.none(), st.just("G1"), _words)),
    st.builds(ClauseBlock, _nodes(0), st.one_of(st.none(), st.just("amended")), st.one_of(st.none(), _words)),
), max_size=4).map(tuple)


@settings(max_examples=150, deadline=None)
@given(blocks=_blocks, link=st.booleans())
def test_random_blocks(blocks, link):
    from redline.annex import Cover, Redline

    sec = SectionRedline("G", "Security", (), blocks)
    red = Redline(Cover("X", "t"), (sec,), (), "a", None, "1", "2")
    annotate = (lambda t: [(t[:1], '#"<'), (t[1:], None)]) if link else None
    _check(red, annotate)
