"""Cross-references: find them in clause text, resolve them against a version, re-map them.

A *reference* is a frozen value found in one run of text ("Section G3.18(a)", "Sections G3.2 to
G3.3 and G3.8 to G3.9 (…)", "this Section", "SEC Section D2.6", "G6 (Anomaly …)" at the head of
an item) with its span, its targets (an :class:`~redline.model.Address` or a :class:`Range`) and
any heading written after it. A :class:`Citation` places a reference in a version (the node and
field whose text holds it); a :class:`Resolution` says what became of it in a version: resolved,
broken (its part is held in full and the target is not in it), outside the corpus (its part is
held only in part, or not at all) or with a heading that differs from the one the corpus holds.

For a modification, :func:`check_modification` reports the references in new or amended text that
do not resolve in the result and the references elsewhere that the modification breaks by deleting
or renumbering their targets; :func:`remap_text` rewrites references under an old→new address map.
Built on these, above this module: the consequential amendments of a renumbering
(:mod:`redline.consequential`), the ``redline check`` of references (:mod:`redline.check`) and the
links of an HTML redline (:mod:`redline.render.links`).

Pure: nothing here does I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, NamedTuple

from lxml import etree

from redline.model import Address, Node, Version, normalise_space

#: the statuses of a resolved reference, worst first
BROKEN, HEADING_MISMATCH, OUTSIDE, RESOLVED = "broken", "heading-mismatch", "outside", "resolved"
STATUSES = (BROKEN, HEADING_MISMATCH, OUTSIDE, RESOLVED)

#: how a reference is written
FORMS = ("section", "sec", "this", "self", "bare")


class Range(NamedTuple):
    """A range of addresses, both ends included: ``Sections G3.2 to G3.3``."""

    first: Address
    last: Address

    def __str__(self) -> str:
        return f"{self.first} to {self.last}"


Target = Address | Range


class AddressToken(NamedTuple):
    """One written address inside a reference: where it is, what it denotes, and whether it was
    written relatively (an item-only range or list end such as the ``(c)`` of ``G3.18(a) to (c)``)."""

    start: int
    end: int
    address: Address
    relative: bool = False


class Reference(NamedTuple):
    """One cross-reference as written in a run of text (offsets index that text)."""

    start: int
    end: int
    text: str
    targets: tuple[Target, ...]
    heading: str | None = None
    quoted: bool = False
    form: str = "section"
    tokens: tuple[AddressToken, ...] = ()

    @property
    def addresses(self) -> tuple[Address, ...]:
        """Every address the reference names (both ends of each range), in written order."""
        out: list[Address] = []
        for t in self.targets:
            out.extend((t.first, t.last) if isinstance(t, Range) else (t,))
        return tuple(out)

    def targets_text(self) -> str:
        return ", ".join(str(t) for t in self.targets) or "(no target)"


# --------------------------------------------------------------------------- finding

_ITEM = r"\((?:[a-z]{1,2}|[ivxlc]{1,7}|\d{1,3}|[A-Z]{1,2})\)"
_ADDR = re.compile(
    rf"""(?P<sec>[A-Z])
        (?:(?P<part>\d{{1,3}}[A-Z]?)(?:\.(?P<clause>\d{{1,3}}[A-Z]?))?
          |[ ](?P<part2>\d{{1,3}}[A-Z]?)\.(?P<clause2>\d{{1,3}}[A-Z]?)   # damaged "G 8.54"
        )?
        (?![A-Za-z0-9])
        (?P<items>(?:[ ]?{_ITEM})*)""",
    re.X,
)
_ITEM_FULL = re.compile(_ITEM)
_ITEMS_ONLY = re.compile(rf"(?:{_ITEM})+")
_ITEM_SPLIT = re.compile(_ITEM)
# Every reference starts at a capital letter or the "t" of "this": the leading character class
# lets the regex engine skip to candidate characters instead of trying each branch at every
# position (3x faster over a whole code). A lower-case "this Section" is found at its "S" (as a
# "section" match that find_references extends back over "this"), so that the engine need not
# stop at every "t" of the text (a third of the search). Each branch checks what precedes its
# first character with a width-2 lookbehind: ``(?<!\w.)`` after the first character is ``\b``
# before it. The bare form is zero-width in effect: find_references treats its match as ending
# where it starts.
_START = re.compile(
    r"""[A-Z](?:
        (?P<this>(?<=[Tt])(?<!\w.)his\s+Section\b)
      | (?P<secsection>(?<=S)(?<!\w.)EC\s+Sections?\b)
      | (?P<section>(?<=S)(?<!\w.)ections?\b)
      | (?P<sec>(?<=S)(?<!\w.)EC\s+(?=[A-Z]\s?\d))
      | (?P<bare>(?<=[A-Z])(?<![\w.\-/].)(?=\d)))""",
    re.X,
)
_WORD_CHAR = re.compile(r"\w")
_RANGE_SEP = re.compile(r"\s+to\s+|\s*[–—-]\s*")
_LIST_SEP = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
_HEADING_PAREN = re.compile(r"\s*\((?P<h>[A-Z][^()\n]*?[a-z][^()\n]*?)\)")
_HEADING_QUOTE = re.compile(r"\s*(?P<q>[‘'])(?P<h>[A-Z][^’'\n]{1,120}?)[’']")


_QUOTE = re.compile(r"[\"“”]")
_WS = re.compile(r"\s+")


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    """Spans between double quotation marks (straight quotes paired in order, curly by kind)."""
    out, opened = [], None
    if '"' not in text and "“" not in text and "”" not in text:
        return out
    for m in _QUOTE.finditer(text):
        ch = m.group()
        if opened is None and ch in '"“':
            opened = m.start()
        elif opened is not None and ch in '"”':
            out.append((opened, m.end()))
            opened = None
    return out


_ADDRESSES: dict[tuple, Address] = {}
#: bound of :data:`_ADDRESSES` (a whole code names ~20,000 distinct addresses; pathological input is cleared)
ADDRESS_CACHE_LIMIT = 200_000


def _make_address(m: re.Match) -> Address:
    """The address an ``_ADDR`` match denotes (one frozen value per distinct match, cached)."""
    key = m.groups()
    addr = _ADDRESSES.get(key)
    if addr is None:
        if len(_ADDRESSES) > ADDRESS_CACHE_LIMIT:
            _ADDRESSES.clear()
        addr = _ADDRESSES[key] = _build_address(m)
    return addr


def _build_address(m: re.Match) -> Address:
    sec = m["sec"]
    part = m["part"] or m["part2"]
    clause = m["clause"] or m["clause2"]
    p = f"{sec}{part}" if part else None
    c = f"{p}.{clause}" if clause else None
    items = tuple(_ITEM_SPLIT.findall(m["items"] or "")) if c else ()
    return Address(sec, p, c, None, items)


class _Parser:
    """Parses one reference's address list starting at a position of ``text``."""

    def __init__(self, text: str):
        self.text = text

    def address(self, pos: int, base: Address | None = None) -> tuple[AddressToken, int] | None:
        """An address at ``pos`` (or, if ``base`` has items, an items-only address relative to it)."""
        m = _ADDR.match(self.text, pos)
        if m:
            addr = _make_address(m)
            end = m.end() if (addr.clause or not m["items"]) else m.start("items")
            # trailing whitespace belongs to what follows, not to the address
            while end > pos and self.text[end - 1] == " ":
                end -= 1
            return AddressToken(pos, end, addr), end
        if base is not None and base.items:
            m = _ITEMS_ONLY.match(self.text, pos)
            if m:
                its = tuple(_ITEM_SPLIT.findall(m.group()))
                keep = base.items[: max(0, len(base.items) - len(its))]
                addr = Address(base.section, base.part, base.clause, base.term, keep + its)
                return AddressToken(pos, m.end(), addr, relative=True), m.end()
        return None

    def element(self, pos: int, head: Address | None) -> tuple[Target, list[AddressToken], int] | None:
        """One list element: an address, or a range ``X to Y``."""
        got = self.address(pos, head)
        if got is None:
            return None
        tok, end = got
        if head is not None and not _same_level(head, tok.address):
            return None
        if head is not None and tok.address.part is None and re.match(r"\s+[A-Z][a-z]", self.text[end:]):
            return None  # "Section G and A User": the "A" is a word, not a section
        sep = _RANGE_SEP.match(self.text, end)
        if sep:
            got2 = self.address(sep.end(), tok.address)
            if got2 is not None and _same_level(tok.address, got2[0].address):
                return Range(tok.address, got2[0].address), [tok, got2[0]], got2[1]
        return tok.address, [tok], end

    def addresses(self, pos: int) -> tuple[list[Target], list[AddressToken], int] | None:
        """A list of elements separated by ``,``/``and``/``or``, starting at ``pos``."""
        first = self.element(pos, None)
        if first is None:
            return None
        target, toks, end = first
        targets, tokens = [target], list(toks)
        head = toks[0].address
        while True:
            sep = _LIST_SEP.match(self.text, end)
            if not sep:
                break
            nxt = self.element(sep.end(), head)
            if nxt is None:
                break
            targets.append(nxt[0])
            tokens.extend(nxt[1])
            end = nxt[2]
        return targets, tokens, end

    def heading(self, end: int) -> tuple[str, int] | None:
        for rx in (_HEADING_PAREN, _HEADING_QUOTE):
            m = rx.match(self.text, end)
            if m and not _ITEM_FULL.fullmatch(f"({m['h']})"):
                return normalise_space(m["h"]), m.end()
        return None


def _same_level(a: Address, b: Address) -> bool:
    """Whether ``b`` may continue a list or range begun by ``a`` (a bare section letter only
    continues a list of section letters: "Sections A and G", never "Section G3 and A User")."""
    return (a.part is None) == (b.part is None)


_FORM = {"this": "this", "secsection": "sec", "sec": "sec", "section": "section", "bare": "bare"}


# Whether anything can follow an address that would extend its reference: a range or list
# separator or a heading. It is implied by each of _RANGE_SEP, _LIST_SEP, _HEADING_PAREN and
# _HEADING_QUOTE matching, so where it does not match none of them can.
_MORE = re.compile(r"\s*(?:[–—\-,(‘']|to\s|and\s|or\s)")


def _next_start(text: str, pos: int) -> tuple[str, int, int] | None:
    """(kind, start, end) of the first match of the start of a reference at or after ``pos``
    (the :data:`_START` branch that matched; a "Section" after "this" is the "this" branch), or
    None."""
    m = _START.search(text, pos)
    if m is None:
        return None
    kind, start, end = m.lastgroup, m.start(), m.end()
    if kind == "section" and end - start == 7:  # "Section": is it "this Section"?
        j = start
        while j > pos and text[j - 1].isspace():
            j -= 1
        if (j < start and j - 4 >= pos and text.startswith("this", j - 4)
                and (j == 4 or _WORD_CHAR.match(text, j - 5) is None)):
            return "this", j - 4, end
    return kind, start, end


def find_references(text: str, context: Address | None = None, _fast: bool = True) -> list[Reference]:
    """Every cross-reference in ``text``, in order.

    ``context`` is the address of the node whose text this is; "this Section" (with no address)
    refers to the clause holding it, and is found with no target when ``context`` is None.
    (``_fast=False`` turns off the shortcut for a lone address, for tests: same results.)
    """
    p = _Parser(text)
    quoted = _quoted_regions(text)
    refs: list[Reference] = []
    pos = 0
    while True:
        got = _next_start(text, pos)
        if got is None:
            break
        kind, start, mend = got
        if kind == "bare":
            mend = start
        after = mend
        if kind != "bare" and kind != "sec":
            ws = _WS.match(text, after)
            if ws:
                after = ws.end()
            if _fast:
                # the common case, "Section G3.18(a)" with nothing after it that could extend the
                # reference: what _Parser.addresses and heading() would give, without them
                am = _ADDR.match(text, after)
                if am is not None:
                    addr = _make_address(am)
                    end = am.end() if (addr.clause or not am["items"]) else am.start("items")
                    while end > after and text[end - 1] == " ":
                        end -= 1
                    if _MORE.match(text, end) is None:
                        refs.append(Reference(start, end, text[start:end], (addr,), None,
                                              _in(start, quoted) if quoted else False, _FORM[kind],
                                              (AddressToken(after, end, addr),)))
                        pos = end
                        continue
        got = p.addresses(after)
        if got is None:
            if kind == "this":
                clause = context.clause_address if context is not None else None
                targets = (clause,) if clause is not None else ()
                refs.append(Reference(start, mend, text[start:mend], targets, None,
                                      _in(start, quoted) if quoted else False, "self"))
            pos = mend if mend > pos else pos + 1
            continue
        targets, tokens, end = got
        h = p.heading(end)
        if kind == "bare":
            a = tokens[0].address
            at_head = not text[:start].strip()
            if not (a.clause or at_head or h):
                pos = end
                continue
        heading = None
        if h is not None:
            heading, end = h
        refs.append(Reference(start, end, text[start:end], tuple(targets), heading,
                              _in(start, quoted) if quoted else False, _FORM[kind], tuple(tokens)))
        pos = end
    return refs


def _in(pos: int, regions: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in regions)


# --------------------------------------------------------------------------- citations

class Citation(NamedTuple):
    """A reference placed in a version: ``holder`` is the node (clause, item or definition) whose
    ``field`` ("text" or "closing") holds it."""

    holder: Address
    field: str
    reference: Reference

    @property
    def clause(self) -> Address:
        return self.holder.clause_address or self.holder


_TEXT_BEARING = ("clause", "item", "definition")
#: the words of a node's <text> and <closing> children ("" if it has none; both are leaves)
_TEXT_OF = etree.XPath("string(text)", smart_strings=False)
_CLOSING_OF = etree.XPath("string(closing)", smart_strings=False)


def text_fields(node: Node) -> Iterator[tuple[str, str]]:
    """The (field, text) runs of a node's own words: its lead text, then its closing words."""
    # the same words as node.text and node.closing, read by libxml2 (compiled XPath): lxml then
    # makes no proxy for the <text>/<closing> child (~150,000 of them in a whole code), and no
    # ElementPath is walked in Python as findtext would (a third quicker)
    el = node.element
    text = _TEXT_OF(el)
    if text:
        text = normalise_space(text)
        if text:
            yield "text", text
    closing = _CLOSING_OF(el)
    if closing:
        closing = normalise_space(closing)
        if closing:
            yield "closing", closing


def citations(version: Version, within: Address | None = None) -> list[Citation]:
    """Every reference in the text of ``version`` (only under ``within`` if given), in order."""
    return list(iter_citations(version, within))


def iter_citations(version: Version, within: Address | None = None) -> Iterator[Citation]:
    """:func:`citations`, one at a time (a whole code holds ~68,000).

    The words are those :func:`text_fields` reads, node by node in document order, but read a
    section at a time: one pass over its ``<text>`` and ``<closing>`` elements (C speed)
    instead of two ``findtext`` path searches for each of ~75,000 nodes."""
    for letter, root in version.sections.items():
        if within is not None and within.section != letter:
            continue
        texts: dict = {}
        closings: dict = {}
        for el in root.iter("text", "closing"):
            (texts if el.tag == "text" else closings).setdefault(el.getparent(), el.text)
        for addr, el in version.section_items(letter):
            if el.tag not in _TEXT_BEARING:
                continue
            if within is not None and not addr.is_within(within):
                continue
            for fld, text in (("text", texts.get(el)), ("closing", closings.get(el))):
                if text:
                    text = normalise_space(text)
                    if text:
                        for ref in find_references(text, addr):
                            yield Citation(addr, fld, ref)


def node_citations(node: Node) -> list[Citation]:
    """The references in one node's own text and closing words (not its children's)."""
    out = []
    for fld, text in text_fields(node):
        for ref in find_references(text, node.address):
            out.append(Citation(node.address, fld, ref))
    return out


# --------------------------------------------------------------------------- resolving

class TargetResolution(NamedTuple):
    """What one target (address or range) of a reference resolves to."""

    target: Target
    status: str  # resolved / broken / outside
    reason: str = ""


class Resolution(NamedTuple):
    """A citation's status in a version, with a reason for each target not resolved."""

    citation: Citation
    status: str
    targets: tuple[TargetResolution, ...]
    reasons: tuple[str, ...] = ()
    expected_heading: str | None = None

    @property
    def reference(self) -> Reference:
        return self.citation.reference

    def to_dict(self) -> dict:
        ref = self.reference
        return {
            "holder": str(self.citation.holder), "field": self.citation.field,
            "start": ref.start, "end": ref.end, "text": ref.text, "form": ref.form,
            "targets": [_target_json(t) for t in ref.targets],
            "heading": ref.heading, "quoted": ref.quoted,
            "status": self.status, "reasons": list(self.reasons),
            **({"expected_heading": self.expected_heading} if self.expected_heading else {}),
        }


def _target_json(t: Target):
    if isinstance(t, Range):
        return {"first": str(t.first), "last": str(t.last)}
    return str(t)


def _where_held(version: Version, a: Address) -> str:
    """A phrase saying how the corpus holds the part or section ``a`` lies in."""
    cov = version.coverage_of(a)
    unit = f"section {a.section}" if a.part is None else f"part {a.part}"
    if cov == "absent":
        if a.section not in version.sections:
            return f"section {a.section} is not in the corpus"
        return f"{unit} is not in the corpus"
    return f"{unit} is held {'in full' if cov == 'complete' else 'only in part'}"


def resolve_address(version: Version, a: Address) -> TargetResolution:
    """Resolve one address: resolved if held; broken if it should be held (its part is held in
    full, or its clause is held but lacks the item); outside the corpus otherwise."""
    if version.find(a) is not None:
        return TargetResolution(a, RESOLVED)
    clause = a.clause_address
    if clause is not None and a != clause and version.find(clause) is not None:
        return TargetResolution(a, BROKEN, f"{a} is not in {version.id}: {clause} has no item {''.join(a.items)}")
    if version.coverage_of(a) == "complete":
        return TargetResolution(a, BROKEN, f"{a} is not in {version.id} ({_where_held(version, a)})")
    return TargetResolution(a, OUTSIDE, f"{a} is outside the corpus ({_where_held(version, a)})")


def resolve_target(version: Version, t: Target) -> TargetResolution:
    if not isinstance(t, Range):
        return resolve_address(version, t)
    ends = [resolve_address(version, t.first), resolve_address(version, t.last)]
    bad = [e for e in ends if e.status == BROKEN]
    if bad:
        return TargetResolution(t, BROKEN, "; ".join(e.reason for e in bad))
    out = [e for e in ends if e.status == OUTSIDE]
    if out:
        return TargetResolution(t, OUTSIDE, "; ".join(e.reason for e in out))
    if version.position(t.first) > version.position(t.last):
        return TargetResolution(t, BROKEN, f"range {t} runs backwards ({t.last} comes before {t.first})")
    return TargetResolution(t, RESOLVED)


def known_headings(version: Version, a: Address) -> list[str]:
    """The headings the corpus holds for ``a``: a section's or part's heading; for a clause or item,
    its cross-heading and its part's heading."""
    node = version.find(a)
    if node is None:
        return []
    if a.kind in ("section", "part"):
        return [node.heading] if node.heading else []
    out = []
    clause = version.find(a.clause_address) if a.clause_address else None
    if clause is not None and clause.crossheading:
        out.append(clause.crossheading)
    part = version.find(Address(a.section, a.part)) if a.part else None
    if part is not None and part.heading:
        out.append(part.heading)
    return out


def _norm_heading(h: str) -> str:
    h = h.replace("&", "and").replace("–", "-").replace("—", "-").replace("’", "'")
    return " ".join(re.sub(r"[\"“”‘'.;:,]+", " ", h).lower().split())


class _Cache(NamedTuple):
    """Memos for resolving many citations against one unchanged version: what each target
    resolves to, and the headings held for each address (targets repeat: a whole code has
    ~68,000 references to ~20,000 distinct targets)."""

    targets: dict
    headings: dict
    outcomes: dict  # a reference's targets -> (target resolutions, their reasons, status)


def resolve(version: Version, citation: Citation, cache: _Cache | None = None) -> Resolution:
    """The status of one citation in ``version`` (see the module docstring).

    ``cache`` (internal) memoises lookups across the citations of one version; it must not
    outlive a change to the version."""
    ref = citation.reference
    if not ref.targets:
        tr = TargetResolution(Address(citation.holder.section), BROKEN, "'this Section' outside any clause")
        return Resolution(citation, BROKEN, (tr,), (tr.reason,))
    got = cache.outcomes.get(ref.targets) if cache is not None else None
    if got is None:
        if cache is None:
            trs = tuple(resolve_target(version, t) for t in ref.targets)
        else:
            memo = cache.targets
            trs = tuple(memo[t] if t in memo else memo.setdefault(t, resolve_target(version, t))
                        for t in ref.targets)
        statuses = {tr.status for tr in trs}
        got = (trs, tuple(tr.reason for tr in trs if tr.reason),
               BROKEN if BROKEN in statuses else OUTSIDE if OUTSIDE in statuses else RESOLVED)
        if cache is not None:
            cache.outcomes[ref.targets] = got
    trs, reasons0, status = got
    reasons = list(reasons0)
    # "this Section G1.3" must be the section the holder is in
    if ref.form == "this" and citation.holder.clause_address is not None:
        named = ref.targets[0] if not isinstance(ref.targets[0], Range) else ref.targets[0].first
        if not citation.holder.is_within(named):
            status = BROKEN
            reasons.append(f"'{ref.text}' is written in {citation.clause}, which is not within {named}")
    expected = None
    if ref.heading and status != BROKEN:
        known: list[str] = []
        for a in ref.addresses:
            if cache is None:
                known.extend(known_headings(version, a))
            else:
                hs = cache.headings.get(a)
                if hs is None:
                    hs = cache.headings[a] = known_headings(version, a)
                known.extend(hs)
        if known and _norm_heading(ref.heading) not in {_norm_heading(k) for k in known}:
            expected = known[0]
            reasons.append(f"heading '{ref.heading}' differs from the corpus: '{expected}'")
            status = HEADING_MISMATCH
    return Resolution(citation, status, trs, tuple(reasons), expected)


def check_version(version: Version, within: Address | None = None,
                  to: Address | None = None) -> list[Resolution]:
    """Resolve every citation in ``version`` (held under ``within``; naming ``to`` if given)."""
    return list(iter_check_version(version, within, to))


def iter_check_version(version: Version, within: Address | None = None,
                       to: Address | None = None) -> Iterator[Resolution]:
    """:func:`check_version`, one resolution at a time, so that a caller that only reports
    them need not hold them all (the version must not change meanwhile)."""
    cache = _Cache({}, {}, {})
    for c in iter_citations(version, within):
        if to is not None and not any(_covers(t, to, version) for t in c.reference.targets):
            continue
        yield resolve(version, c, cache)


def _covers(t: Target, a: Address, version: Version | None = None) -> bool:
    """Whether target ``t`` names ``a`` or something ``a`` lies within or contains."""
    if isinstance(t, Range):
        if a.is_within(t.first) or a.is_within(t.last) or t.first.is_within(a) or t.last.is_within(a):
            return True
        if version is not None:
            first, last = version.position(t.first), version.position(t.last)
            if first is not None and last is not None:
                at = version.position(a)
                if at is not None:
                    return first <= at <= last
        return False
    return a.is_within(t) or t.is_within(a)


# --------------------------------------------------------------------------- modifications

#: kinds of finding about a modification
STALE, NEW_BROKEN, NEW_OUTSIDE, NEW_HEADING = "stale", "new-broken", "new-outside", "new-heading"


@dataclass(frozen=True)
class Finding:
    """One thing :func:`check_modification` found: ``severity`` is failure, warning or note."""

    severity: str
    kind: str
    holder: Address  # where the reference is written (in the base for stale ones, else the result)
    message: str
    reference: Reference | None = None

    def to_dict(self) -> dict:
        return {"severity": self.severity, "kind": self.kind, "holder": str(self.holder),
                "message": self.message, "reference": self.reference.text if self.reference else None}


def map_address(a: Address, address_map: Mapping[Address, Address | None]) -> Address | None:
    """Where ``a`` went under ``address_map`` (old → new, None = deleted): itself if unmapped;
    a descendant of a mapped node follows its nearest mapped ancestor."""
    if a in address_map:
        return address_map[a]
    for anc in reversed(a.ancestors()):
        if anc in address_map:
            new = address_map[anc]
            if new is None:
                return None
            return _rebase(a, anc, new)
    return a


def _rebase(a: Address, old: Address, new: Address) -> Address:
    """``a`` (within ``old``) moved along with ``old`` to ``new``."""
    if old.kind == "part" and new.kind == "part" and a.clause:
        num = new.part + a.clause[len(old.part):]
        return Address(new.section, new.part, num, a.term, a.items)
    if old.clause and new.clause:
        return Address(new.section, new.part, new.clause, a.term if a.term else new.term,
                       new.items + a.items[len(old.items):])
    return a


def _describe_move(t: Address, new: Address | None) -> str:
    if new is None:
        return "deletes"
    return f"renumbers as {new}" if new.parent == t.parent else f"moves to {new}"


def text_runs(base: Version, result: Version, address_map: Mapping[Address, Address | None],
               changed: Iterable[Address] | None = None):
    """Every run of words in ``result`` as (node, field, text, old): ``old`` is the holder's
    address in ``base`` when the run is word for word what it was there (the modification did
    not write it), else None (new or amended text).

    With ``changed`` (the apply's changed clauses), only the runs that can matter to
    :func:`check_modification` are produced: those of changed, moved or renumbered clauses, and
    of clauses whose words name an address the modification moves or deletes.
    """
    inverse = {new: old for old, new in address_map.items() if new is not None}
    nodes = result.nodes() if changed is None else _nodes_to_check(result, address_map, inverse, changed)
    for node in nodes:
        if node.kind not in _TEXT_BEARING:
            continue
        if node.address in inverse:
            old = inverse[node.address]
        elif node.address in address_map:
            old = None  # what stood here in base went elsewhere; this node is new here
        else:
            old = node.address
        was = base.find(old) if old is not None else None
        before = dict(text_fields(was)) if was is not None else {}
        for fld, text in text_fields(node):
            yield node, fld, text, (old if before.get(fld) == text else None)


def _nodes_to_check(result: Version, address_map: Mapping[Address, Address | None],
                    inverse: Mapping[Address, Address], changed: Iterable[Address]) -> Iterator[Node]:
    """The text-bearing nodes of ``result``, in document order, in clauses the modification
    changed, moved or renumbered, or whose words name (by the printed number of its clause,
    part or section, spaces ignored) an address it moves or deletes. Every other run is word
    for word what it was and names nothing that moved, so it cannot give a finding. Scanning
    the raw words of each clause (C speed) keeps a check of a small modification small on a
    whole code; the words of a section the result shares with its base are read once per
    base (see :func:`_shared_clause_words`) and searched as one string."""
    special = {str(a.clause_address or a) for a in changed}
    special.update(str(a.clause_address or a) for a in list(address_map) + list(inverse))
    keys = {a.clause or a.part or a.section for a in address_map}
    bkeys = [k.encode("ascii", "replace") for k in keys]
    special_sections = {num[:1] for num in special}
    for letter, root in result.sections.items():
        if result.is_shared(letter):
            if not keys and letter not in special_sections:
                continue  # nothing moved or deleted, nothing changed here: no run here can give a finding
            clauses, where, words, starts = _shared_clause_words(result, letter)
            hits = {j for num in special for j in where.get(num, ())}
            for k in bkeys:
                i = words.find(k)
                while i != -1:
                    j = bisect_right(starts, i) - 1
                    hits.add(j)
                    i = words.find(k, starts[j + 1]) if j + 1 < len(starts) else -1
            for j in sorted(hits):
                for el in clauses[j].iter(*_TEXT_BEARING):
                    yield Node(el)
            continue
        for clause in root.iter("clause"):
            if clause.get("num") not in special:
                if not keys:
                    continue
                words = "".join("".join(clause.itertext()).split())
                if not any(k in words for k in keys):
                    continue
            for el in clause.iter(*_TEXT_BEARING):
                yield Node(el)


def _shared_clause_words(version: Version, letter: str):
    """The clauses of a section ``version`` shares with another version (a read-only tree), as
    (clause elements, num -> their positions, the words of all of them, where each clause's
    words start): each clause's words with every space removed, non-ASCII characters as ``?``
    (an address, ASCII, matches exactly where it matched in the words), and a NUL between
    clauses (no address spans two). Memoised with the section's index, so a base's sections
    are read once for all the modifications checked against it."""
    memo = version.section_memo(letter)
    got = memo.get("clause_words")
    if got is None:
        clauses = list(version.sections[letter].iter("clause"))
        where: dict[str, list[int]] = {}
        chunks, starts, at = [], [], 0
        for j, clause in enumerate(clauses):
            where.setdefault(clause.get("num"), []).append(j)
            w = "".join("".join(clause.itertext()).split()).encode("ascii", "replace") + b"\0"
            starts.append(at)
            at += len(w)
            chunks.append(w)
        got = memo["clause_words"] = (clauses, where, b"".join(chunks), starts)
    return got


def new_text_runs(base: Version, result: Version,
                  address_map: Mapping[Address, Address | None]) -> list[tuple[Address, str]]:
    """The runs of words a modification wrote (new or amended), as (holder in result, words)."""
    return [(node.address, text) for node, _, text, old in text_runs(base, result, address_map) if old is None]


def check_modification(base: Version, result: Version, address_map: Mapping[Address, Address | None],
                       changed: Iterable[Address] | None = None, mod_id: str = "this modification") -> list[Finding]:
    """What a modification does to cross-references, as findings (failure, warning or note).

    * references in words the modification writes (new or amended text) must resolve in
      ``result``: broken → failure, heading mismatch → warning, outside the corpus → note;
    * references in words it leaves as they were, whose target it deletes or renumbers, are
      failures: "G1.7(b) refers to G3.8, which this modification deletes" (the words now point
      at nothing, or at another clause). :func:`consequential_amendments` rewrites the renumbered
      ones.

    What counts as new or amended text is decided word for word against ``base``. ``changed``
    (:attr:`redline.apply.ApplyResult.changed`: every clause whose words the modification wrote)
    lets the check skip the clauses that cannot give a finding (see :func:`_nodes_to_check`);
    without it every run of ``result`` is examined.
    """
    findings: list[Finding] = []
    name = mod_id
    moves = any(new != old for old, new in address_map.items())  # else no kept word can go stale
    for node, fld, text, old in text_runs(base, result, address_map, changed):
        if old is None:
            for ref in find_references(text, node.address):
                r = resolve(result, Citation(node.address, fld, ref))
                if r.status == RESOLVED:
                    continue
                sev, kind = {BROKEN: ("failure", NEW_BROKEN), HEADING_MISMATCH: ("warning", NEW_HEADING),
                             OUTSIDE: ("note", NEW_OUTSIDE)}[r.status]
                findings.append(Finding(sev, kind, node.address,
                                        f"{node.address} (as {name} writes it) refers to {ref.targets_text()}: "
                                        + "; ".join(r.reasons), ref))
            continue
        if not moves:
            continue
        for ref in find_references(text, old):
            if ref.form == "self":
                continue  # "this Section" follows its clause wherever it goes
            seen = set()
            for a in ref.addresses:
                new = map_address(a, address_map)
                if new == a or a in seen:
                    continue
                seen.add(a)
                where = f" (now {node.address})" if node.address != old else ""
                findings.append(Finding("failure", STALE, old,
                                        f"{old}{where} refers to {a}, which {name} {_describe_move(a, new)}",
                                        ref))
    return findings


def remap_text(text: str, address_map: Mapping[Address, Address | None],
               context: Address | None = None) -> str:
    """``text`` with every reference to a renumbered address rewritten to its new number.

    References to deleted addresses are left as written (there is nothing to point them at; the
    check reports them). Context is the address of the node holding the text, for "this Section".
    """
    edits: list[tuple[int, int, str]] = []
    for ref in find_references(text, context):
        for tok in ref.tokens:
            new = map_address(tok.address, address_map)
            if new is None or new == tok.address:
                continue
            if tok.relative:
                n = len(_ITEM_SPLIT.findall(text[tok.start:tok.end]))
                if new.items[-n:] == tok.address.items[-n:] and len(new.items) == len(tok.address.items):
                    continue  # only what the preceding full address says moved; it is rewritten
                if new.clause_address == tok.address.clause_address:
                    edits.append((tok.start, tok.end, "".join(new.items[-n:])))
                else:
                    edits.append((tok.start, tok.end, str(new)))
            else:
                edits.append((tok.start, tok.end, str(new)))
    for s, e, new_text in sorted(edits, reverse=True):
        text = text[:s] + new_text + text[e:]
    return text
