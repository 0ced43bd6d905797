"""Links in a redline: the one scheme of anchors, and the links of cross-references and defined terms.

Every node a redline shows has an anchor named after its address (:func:`anchor_id`:
``G3.20(b)``; a node shown deleted ``was-G3.20``; a section ``section-G``). The HTML renderer
uses it as the element's ``id``; the DOCX renderer as a bookmark, in the characters Word allows
(:func:`bookmark_name`: ``G3_20_b``, ``was_G3_20``). :func:`anchor_ids` lists a redline's anchors,
and :func:`redline_annotator` links each cross-reference and each use of a defined term in the
words of a redline to the anchor of its target, where the document has one.

Pure: text and values in, pieces out.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from redline.annex import ClauseBlock, HeadingBlock, Redline
from redline.diff import NodeState
from redline.model import Address, Version
from redline.terms import defined_terms, find_term_uses
from redline.xref import Range, find_references

#: the anchor of a node shown deleted is its (old) address after this prefix
DELETED_PREFIX = "was-"
#: the anchor of a section's title is its letter after this prefix
SECTION_PREFIX = "section-"
#: the longest bookmark name Word accepts
BOOKMARK_LIMIT = 40

_SPACE_RE = re.compile(r"\s+")
_NOT_WORD_NAME = re.compile(r"[^A-Za-z0-9]+")


def anchor_id(address: Address | str, *, deleted: bool = False) -> str:
    """The anchor of the node at ``address`` (``G3.20``, ``G3.20(b)``, ``A1.1[Secure]``: quotes
    removed, spaces as ``_``); ``deleted``: the anchor of a node the redline shows deleted."""
    text = str(address).replace('"', "").replace("“", "").replace("”", "")
    return (DELETED_PREFIX if deleted else "") + _SPACE_RE.sub("_", text)


def section_anchor(letter: str) -> str:
    """The anchor of a section's title in a redline."""
    return SECTION_PREFIX + letter


def bookmark_name(anchor: str) -> str:
    """An anchor as a Word bookmark name: letters, digits and underscores, starting with a
    letter, at most :data:`BOOKMARK_LIMIT` characters (``G3.20(b)`` → ``G3_20_b``)."""
    name = _NOT_WORD_NAME.sub("_", anchor).strip("_")
    if not name or not name[0].isalpha():
        name = "N_" + name
    return name[:BOOKMARK_LIMIT]


def anchor_ids(redline: Redline) -> set[str]:
    """Every anchor a redline's document has (sections, parts, clauses, items, definitions): the
    targets a link may point at."""
    out = {section_anchor(sec.letter) for sec in redline.sections}
    for sec in redline.sections:
        for b in sec.blocks:
            if isinstance(b, HeadingBlock):
                if b.anchor:
                    out.add(anchor_id(b.anchor))
            elif isinstance(b, ClauseBlock):
                for nd in b.diff.walk():
                    out.add(anchor_id(nd.address, deleted=nd.state == NodeState.DELETED))
    return out


def link_annotator(anchors: Iterable[str], definitions: Mapping[str, Address] | None = None):
    """A text annotator for the HTML redline: it links each cross-reference to its target and
    each use of a defined term to its definition, but only where the target's anchor is among
    ``anchors`` (the ids present in the same document), so that every link resolves.

    A reference links to the anchor of each address it names, or failing that of its clause
    (``G3.18(a)`` → ``G3.18``; never a part for a clause the document does not show), or of the
    deleted node (``was-G3.18``); the words "Section"/"Sections" go into the first link. A range
    ("Sections G3 to G6") is one link, from its first number to its last, to the first of its ends
    the document shows. A reference in quotation marks (G1.7(c)(i): "Sections G3 and G4" shall be
    read as if it were to …) is words being quoted, not a reference of this text: it is not
    linked. ``definitions`` maps a term to the address of the node that defines it. Pure: text in,
    pieces out.
    """
    anchors = set(anchors)
    definitions = dict(definitions or {})
    terms = frozenset(definitions)  # made once: find_term_uses would make it for every run of words

    def href(a: Address) -> str | None:
        for cand in [a] + [b for b in a.ancestors()[::-1] if b.clause]:  # an item falls back to its clause
            for deleted in (False, True):
                ident = anchor_id(cand, deleted=deleted)
                if ident in anchors:
                    return "#" + ident
        return None

    def annotate(text: str) -> list[tuple[str, str | None]]:
        links: list[tuple[int, int, str]] = []
        for ref in find_references(text):
            if ref.quoted:
                continue
            for i, (start, end, ends) in enumerate(_linkable(ref)):
                h = next((x for x in map(href, ends) if x is not None), None)
                if h is not None:
                    links.append((ref.start if i == 0 else start, end, h))
        if definitions:
            for use in find_term_uses(text, terms):
                h = href(definitions[use.term])
                if h is not None and not any(s < use.end and use.start < e for s, e, _ in links):
                    links.append((use.start, use.end, h))
        pieces: list[tuple[str, str | None]] = []
        pos = 0
        for s, e, h in sorted(links):
            if s < pos:
                continue
            if s > pos:
                pieces.append((text[pos:s], None))
            pieces.append((text[s:e], h))
            pos = e
        if pos < len(text) or not pieces:
            pieces.append((text[pos:], None))
        return pieces

    return annotate


def _linkable(ref) -> list[tuple[int, int, list[Address]]]:
    """(start, end, addresses to try) for each link of a reference: a token, or a range's two
    tokens with the words between them ("G3 to G6")."""
    tokens = list(ref.tokens)
    wanted = sum(2 if isinstance(t, Range) else 1 for t in ref.targets)
    if wanted != len(tokens):  # not one token per address: link the tokens one by one
        return [(t.start, t.end, [t.address]) for t in tokens]
    out, i = [], 0
    for target in ref.targets:
        if isinstance(target, Range):
            first, last = tokens[i], tokens[i + 1]
            out.append((first.start, last.end, [first.address, last.address]))
            i += 2
        else:
            out.append((tokens[i].start, tokens[i].end, [tokens[i].address]))
            i += 1
    return out


def redline_annotator(redline, versions: Iterable[Version]):
    """:func:`link_annotator` for one redline document: its anchors (:func:`anchor_ids`) and the
    terms defined in ``versions`` (the first version defining a term wins)."""
    anchors = anchor_ids(redline)
    definitions: dict[str, Address] = {}
    for v in versions:
        for term, d in defined_terms(v).items():
            definitions.setdefault(term, d.address)
    return link_annotator(anchors, definitions)
