"""Defined terms: where the text defines them, where it uses them, and which it uses undefined.

A term is defined either in the words of a clause (``a SMETS1 SMS is "Secure" if …``, ``an
"Appropriate Standard" means …``, ``(the "Shared Resource")``) or by a ``<definition term=…>``
element (Section A, where the corpus holds it). :func:`defined_terms` collects both for a version;
:func:`find_term_uses` finds the uses of known terms in a run of text (for links in a redline);
:func:`undefined_terms` lists the capitalised terms a text uses that the corpus defines nowhere.
The corpus holds little of Section A, so "undefined" here means "not defined in the corpus".

Pure: nothing here does I/O.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from lxml import etree

from redline.model import Address, Node, Version, normalise_space
from redline.xref import find_references, text_fields

_Q_OPEN, _Q_CLOSE = "\"“", "\"”"
_TERM = r"[“\"](?P<term>[A-Z0-9][^\"“”\n]{0,79}?)[”\"]"
#: a quoted term followed by the words that make it a definition
_DEFINES = re.compile(
    _TERM + r"\s+(?:means|shall\s+mean|has\s+the\s+meaning|have\s+the\s+meaning|if|includes|shall\s+include"
    r"|is\s+defined|refers\s+to)\b")
#: a quoted term in a parenthesis: (the "Shared Resource"), (each a "User Role")
_PAREN_DEFINES = re.compile(r"\((?:(?:each|together|collectively|hereafter)\s+)?(?:(?:a|an|the)\s+)?"
                            + _TERM + r"\)")


@dataclass(frozen=True)
class Definition:
    """Where a term is defined: ``address`` is the node holding the defining words (for a
    ``<definition>`` element, its own address); ``start``/``end`` span the quoted term in the
    holder's ``field`` (-1 for a definition element)."""

    term: str
    address: Address
    kind: str  # "text" (defined in a clause's words) or "definition" (a <definition> element)
    field: str = "text"
    start: int = -1
    end: int = -1


def find_definitions(text: str, holder: Address, field: str = "text") -> list[Definition]:
    """The terms ``text`` defines, in order."""
    out, seen = [], set()
    for rx in (_DEFINES, _PAREN_DEFINES):
        for m in rx.finditer(text):
            term = normalise_space(m["term"])
            if term.startswith(("Section ", "Sections ")) or m.start("term") in seen:
                continue
            seen.add(m.start("term"))
            out.append(Definition(term, holder, "text", field, m.start("term"), m.end("term")))
    return sorted(out, key=lambda d: d.start)


#: the <text>/<closing> elements whose words hold a quote: the only words that can define a term
#: (both patterns start with a quote), found by libxml2 instead of reading all ~150,000 in Python
_QUOTED_WORDS = etree.XPath(".//text[contains(., '\"') or contains(., '“')]"
                            " | .//closing[contains(., '\"') or contains(., '“')]")


def defined_terms(version: Version) -> dict[str, Definition]:
    """Every term ``version`` defines (the first definition of each), in document order."""
    out: dict[str, Definition] = {}
    for letter, root in version.sections.items():
        holders = {el.getparent() for el in _QUOTED_WORDS(root)}
        if not holders and root.find(".//definition") is None:
            continue  # no <definition> and no quoted words: nothing in this section defines a term
        for address, el in version.section_items(letter):
            tag = el.tag
            if tag == "definition":
                term = el.get("term")
                out.setdefault(term, Definition(term, address, "definition"))
                continue
            if el not in holders or tag not in ("clause", "item"):
                continue
            for fld, text in text_fields(Node(el, address)):
                for d in find_definitions(text, address, fld):
                    out.setdefault(d.term, d)
    return out


@dataclass(frozen=True)
class TermUse:
    """A use of a known term in a run of text: ``term`` is the term as defined, ``text`` as written."""

    start: int
    end: int
    term: str
    text: str


@functools.lru_cache(maxsize=32)
def _term_pattern(terms: frozenset) -> re.Pattern | None:
    """The pattern of :func:`find_term_uses` for a set of terms (built once per set: a whole code
    has ~700 terms and a redline calls this for every run of words)."""
    if not terms:
        return None
    ordered = sorted(terms, key=lambda t: (-len(t), t))  # longest first
    # the lookahead (every term starts with one of these characters) changes no match: it lets
    # the engine skip most positions before trying ~700 alternatives there (~3.5x faster)
    first = "(?=[" + "".join(sorted({re.escape(t[0]) for t in ordered})) + "])" if all(ordered) else ""
    return re.compile(r"(?<![\w\-])" + first + "(" + "|".join(re.escape(t) for t in ordered)
                      + r")(?:e?s)?(?![\w\-+])")


def find_term_uses(text: str, terms: Iterable[str]) -> list[TermUse]:
    """Uses of ``terms`` in ``text`` (longest first, whole words, case-sensitive, plurals in -s/-es).

    The quoted defining occurrence (``"Secure" if``) is not a use; neither is a word inside a
    cross-reference or its heading.
    """
    rx = _term_pattern(frozenset(terms))
    if rx is None:
        return []
    skip = [(r.start, r.end) for r in find_references(text)]
    skip += [(d.start - 1, d.end + 1) for d in find_definitions(text, Address("A"))]
    out = []
    for m in rx.finditer(text):
        if any(s <= m.start() < e for s, e in skip):
            continue
        out.append(TermUse(m.start(), m.end(), m.group(1), m.group()))
    return out


# --------------------------------------------------------------------------- undefined terms

#: capitalised words that begin sentences and clauses without being terms
COMMON = frozenset("""
A An The Any Each Every All Both Either Neither No Nothing None Such This That These Those It Its
Where When Whenever If For In On At To By As From Of Or And Not Nor With Within Without Under Upon
Subject Save Unless Except Notwithstanding Provided Prior After Before Following During Until
Only Other Further Following Where Whether Including Accordingly However Nevertheless Otherwise
There Then Thereafter Any Some Many Most More Less One Two Three Four Five Six Seven Eight Nine Ten
First Second Third Following Obligations Requirements Note Notes Where Having Being
""".split())
#: capitalised words that are never terms in themselves (structure words, dates)
NON_TERMS = frozenset("""
Section Sections SEC Part Parts Schedule Schedules Appendix Appendices Annex Attachment Clause
Clauses Paragraph Paragraphs Article Articles Chapter
January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday I
""".split())
#: proper names that are capitalised without being defined terms
PROPER_NAMES = frozenset({"Great Britain", "United Kingdom", "England", "Wales", "Scotland",
                          "Northern Ireland", "European Union"})
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+\-]*(?:['’]s)?")
_CAP = re.compile(r"[A-Z]|[0-9]+[A-Z]")
_ADDRESSLIKE = re.compile(r"[A-Z]\d+[A-Z]?(?:\.\d+[A-Z]?)?$")


def _is_cap(word: str) -> bool:
    return bool(_CAP.match(word))


def candidate_terms(text: str) -> list[tuple[int, int, str]]:
    """Runs of capitalised words in ``text`` that look like defined terms: (start, end, term).

    Words in cross-references (and their headings) and in quotation marks are skipped; a run at
    the start of a sentence loses its first word if that is a common word or the run's only word;
    "of" may join capitalised words ("Event of Default"); possessive 's is dropped.
    """
    skip = [(r.start, r.end) for r in find_references(text)]
    skip += [(m.start(), m.end()) for m in re.finditer(r"[“\"][^\"“”]*[”\"]", text)]
    words = [m for m in _WORD.finditer(text) if not any(s <= m.start() < e for s, e in skip)]
    runs: list[list[re.Match]] = []
    cur: list[re.Match] = []
    for w in words:
        if w.group() == "of" and cur:
            continue  # may join "Event of Default"; _gap_of decides at the next word
        if _is_cap(w.group()) and w.group() not in NON_TERMS and not _ADDRESSLIKE.match(w.group()):
            if cur and not _possessive(cur[-1]) and (_gap(text, cur[-1], w) or _gap_of(text, cur[-1], w)):
                cur.append(w)
            else:
                if cur:
                    runs.append(cur)
                cur = [w]
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    out = []
    for run in runs:
        first = run[0]
        initial = _sentence_initial(text, first.start())
        if initial and (len(run) == 1 or first.group() in COMMON):
            run = run[1:]
        while run and run[0].group() in COMMON:
            run = run[1:]
        if not run:
            continue
        start, end = run[0].start(), run[-1].end()
        term = re.sub(r"['’]s$", "", normalise_space(text[start:end]))
        if len(term) < 2 or term in PROPER_NAMES:
            continue
        out.append((start, end, term))
    return out


def _possessive(w: re.Match) -> bool:
    return w.group().endswith(("'s", "’s"))


def _gap(text: str, a: re.Match, b: re.Match) -> bool:
    return text[a.end():b.start()] == " "


def _gap_of(text: str, a: re.Match, b: re.Match) -> bool:
    return text[a.end():b.start()] == " of "


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".:;!?(" or before.endswith(("—", "–", "-"))


def _known(term: str, defined: set[str]) -> bool:
    if term in defined:
        return True
    for suffix in ("es", "s"):
        if term.endswith(suffix) and term[: -len(suffix)] in defined:
            return True
    return False


def undefined_terms(version: Version, scope: Iterable[Address] | None = None) -> dict[str, list[Address]]:
    """Capitalised terms used in ``version`` (only in the text under ``scope``, if given) that
    the version defines nowhere: term -> the clauses using it, in first-use order."""
    scope = list(scope) if scope is not None else None
    runs = []
    for node in version.nodes():
        if node.kind not in ("clause", "item", "definition"):
            continue
        if scope is not None and not any(node.address.is_within(s) for s in scope):
            continue
        runs += [(node.address, text) for _, text in text_fields(node)]
    return undefined_in(version, runs)


def undefined_in(version: Version, runs: Iterable[tuple[Address, str]]) -> dict[str, list[Address]]:
    """Capitalised terms used in ``runs`` ((holder address, words) pairs) that ``version``
    defines nowhere: term -> the clauses using it, in first-use order."""
    defined = set(defined_terms(version))
    uses: dict[str, dict[Address, None]] = {}  # ordered sets
    for holder, text in runs:
        clause = holder.clause_address or holder
        for _, _, term in candidate_terms(text):
            if not _known(term, defined):
                uses.setdefault(term, {})[clause] = None
    # a plural used beside its singular ("User Roles", "User Role") is one term
    for term in list(uses):
        for suffix in ("es", "s"):
            single = term[: -len(suffix)]
            if term.endswith(suffix) and single in uses:
                uses[single].update(uses.pop(term))
                break
    return {t: list(a) for t, a in uses.items()}
