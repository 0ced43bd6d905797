"""``defined_terms`` reads only the words that can define a term and gives what the full scan gave.

The HTML redline's link annotator calls it for both versions of a whole code; it now lets libxml2
find the <text>/<closing> elements holding a quote (both defining patterns start with one) and
reads only those in Python. The reference below is the full scan it replaced.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
from lxml import etree

from bench import generate
from redline.corpus import Corpus
from redline.model import Version
from redline.terms import Definition, defined_terms, find_definitions
from redline.xref import text_fields


def reference(version: Version) -> dict[str, Definition]:
    """The full scan: every clause and item's words, every definition element, in index order."""
    out: dict[str, Definition] = {}
    for node in version.nodes():
        if node.kind == "definition":
            out.setdefault(node.num, Definition(node.num, node.address, "definition"))
            continue
        if node.kind not in ("clause", "item"):
            continue
        for fld, text in text_fields(node):
            for d in find_definitions(text, node.address, fld):
                out.setdefault(d.term, d)
    return out


def _same(version: Version) -> None:
    got, want = defined_terms(version), reference(version)
    assert list(got.items()) == list(want.items())


def test_bundled_and_generated_corpora(corpus, tmp_path_factory):
    made = Corpus.open(generate.generate(700, seed=7, out=tmp_path_factory.mktemp("gen"), peers=False))
    for c in (corpus, made):
        for v in c.version_ids:
            _same(c.load(v))


_PHRASES = ['"Secure" if', "“Appropriate Standard” means", '(the "Shared Resource")', '"Section G" means',
            '"Secure" means', "a “Party” includes", 'plain words', '"unfinished', "Meter"]
_words = st.lists(st.sampled_from(_PHRASES), max_size=3).map(" ".join)


@st.composite
def _body(draw, depth: int) -> str:
    out = ""
    text = draw(_words)
    if text:
        out += f"<text>{_esc(text)}</text>"
    if depth < 2:
        if draw(st.booleans()):
            for term in draw(st.lists(st.sampled_from(["Secure", "Party", "Meter"]), max_size=2)):
                out += f'<definition term="{term}">{draw(_body(depth + 1))}</definition>'
        else:
            for i in range(draw(st.integers(0, 2))):
                out += f'<item num="({"abc"[i]})">{draw(_body(depth + 1))}</item>'
    closing = draw(_words)
    if closing:
        out += f"<closing>{_esc(closing)}</closing>"
    return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(_body(0), min_size=1, max_size=3), min_size=1, max_size=2))
def test_random_sections(parts):
    xml = '<section num="G">' + "".join(
        f'<part num="G{p + 1}">' + "".join(f'<clause num="G{p + 1}.{c + 1}">{body}</clause>'
                                           for c, body in enumerate(clauses)) + "</part>"
        for p, clauses in enumerate(parts)) + "</section>"
    _same(Version("x", {"G": etree.fromstring(xml)}))


def _reference_uses(text: str, terms) -> list:
    """find_term_uses with the pattern as it was before the first-character lookahead."""
    import re

    from redline.model import Address
    from redline.terms import TermUse
    from redline.xref import find_references

    ordered = sorted(set(terms), key=lambda t: (-len(t), t))
    rx = re.compile(r"(?<![\w\-])(" + "|".join(re.escape(t) for t in ordered) + r")(?:e?s)?(?![\w\-+])")
    skip = [(r.start, r.end) for r in find_references(text)]
    skip += [(d.start - 1, d.end + 1) for d in find_definitions(text, Address("A"))]
    return [TermUse(m.start(), m.end(), m.group(1), m.group()) for m in rx.finditer(text)
            if not any(s <= m.start() < e for s, e in skip)]


_TERMS = ["Party", "Parties", "Party Details", "Secure", "SMETS2+ Device", "-x", "]y", "^z", "\\w", "Device",
          "Meter", "Metering System", "DCC"]


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(_TERMS + ["s", "es", " ", "-", "+", "a", "Section G3", '"Party" means',
                                                "(", ")"]), max_size=12).map("".join),
       terms=st.lists(st.sampled_from(_TERMS + [""]), min_size=1, max_size=6))
def test_find_term_uses_as_before(text, terms):
    from redline.terms import find_term_uses

    assert find_term_uses(text, terms) == _reference_uses(text, terms)
