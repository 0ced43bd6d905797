"""Word-level text diff: tokens, diff-match-patch on token-encoded strings, and spans.

This module owns the diff of two short texts (one clause's lead words, an item, a heading). It
never sees the tree: :mod:`redline.diff` aligns clauses first and calls :func:`diff_text` per part.

Tokens are words, punctuation marks and runs of whitespace, each a separate token; a
cross-reference such as ``G3.18(a)`` or ``G4.21`` and a number such as ``5.23`` are one token, and
a word is never split (``SMETS2+``, ``User's`` and ``Sub-Committee`` are single tokens). Each
distinct token is mapped to one character, diff-match-patch diffs the encoded strings with a
deliberate timeout (0: no timeout, exact for clause-sized texts), then ``diff_cleanupSemantic``
merges fragmentary edits, and the result is decoded back into :class:`Span` values. The
encoding keeps token classes (words map to letters, a single space to a space, punctuation to
non-letters), so the semantic clean-up scores boundaries as it would on plain text.

A long text (more than :data:`ANCHOR_ABOVE_CHARS` characters on either side: a whole Part pasted
into one clause, a 1M-word test) is not given to diff-match-patch whole, whose time grows with the
product of the text's length and the number of changes. It is first aligned on its unchanged
passages, in time linear in its length (:func:`_anchored_ops`): both texts are cut into short
*units* at content-defined places (after a word ending in one of a few characters chosen from the
texts, about one word in eight: the same words cut the same way in both texts, wherever they
stand), units that occur once in each text are matched, the longest sequence of matches in order
is kept (patience diff), and only the gaps between them, a few units around each change, are
tokenised and diffed by diff-match-patch as above (:func:`_anchored_token_ops`: a gap too long
for it is split again the same way on its tokens; one with nothing in common is a deletion and an
insertion). The result is still exact (equal and deleted spans give the old text, equal and
inserted spans the new), no run of work depends on the clock (the same texts give the same
spans), and a text up to the threshold is diffed exactly as before.

Invariants (tested as properties): joining the ``equal`` and ``insert`` spans gives the new text
exactly, joining ``equal`` and ``delete`` gives the old text exactly; within a run of changes the
deletion comes before the insertion; a pure insertion or deletion is shifted so that it starts
with a word where the text allows.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate
from typing import Iterable, Sequence

from diff_match_patch import diff_match_patch

#: diff-match-patch timeout in seconds for clause-sized texts; 0 means "no timeout, exact diff".
#: Never leave the library default (1 s): on a timeout it silently returns delete-all/insert-all.
DIFF_TIMEOUT = 0.0
#: a text longer than this many characters (either side) is aligned on its unchanged passages
#: first (:func:`_anchored_ops`); up to it, diff-match-patch diffs it whole, as it always did
#: (exact, and well under a second even when most words change). A long clause has ~3,000.
ANCHOR_ABOVE_CHARS = 12_000
#: a gap between anchors with more tokens than this (either side) is split again on what it holds
#: once; a gap up to it goes to diff-match-patch
GAP_TOKENS = 3000
#: units of a long text end after about one word in this many (:func:`_unit_end`, :func:`_units`)
UNIT_WORDS = 8
#: an unchanged passage is handed on as tokens only this far (characters) from each of its ends,
#: where an edit next to it may slide (:func:`_slide`); its middle stays one string
EDGE_CHARS = 1000


class SpanKind(StrEnum):
    """What a span of a word diff is: in both texts, only the old one, or only the new one."""

    EQUAL = "equal"
    DELETE = "delete"
    INSERT = "insert"


EQUAL, DELETE, INSERT = SpanKind.EQUAL, SpanKind.DELETE, SpanKind.INSERT
KINDS = tuple(SpanKind)

_XREF = r"[A-Z][0-9]+[A-Z]?(?:\.[0-9]+[A-Z]?)+(?:\([0-9A-Za-z]{1,5}\))*"  # G3.18(a), G4.21, M8.2
_XREF_PART = r"[A-Z][0-9]+[A-Z]?(?:\([0-9A-Za-z]{1,5}\))+"  # G3(a) style part references
_NUMBER = r"[0-9]+(?:[.,][0-9]+)+"  # 5.23, 1,000
_WORD = r"\w+(?:['’\-]\w+)*\+?"  # User's, Sub-Committee, SMETS2+
_TOKEN_RE = re.compile(rf"({_XREF}|{_XREF_PART}|{_NUMBER}|{_WORD}|\s+|[^\w\s])")
#: the same tokens without the whitespace runs (no other alternative can start on whitespace, so
#: ``findall`` resumes exactly where the whitespace token would have ended)
_WORD_TOKEN_RE = re.compile(rf"({_XREF}|{_XREF_PART}|{_NUMBER}|{_WORD}|[^\w\s])")


@dataclass(frozen=True)
class Span:
    """A run of text that is the same in both texts (``equal``), only old (``delete``) or only new (``insert``).

    ``by``, when known, names who made the change (a modification's id): a release redline
    attributes each change to its modification, and renderers author the tracked change so.
    """

    kind: SpanKind
    text: str
    by: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"span kind must be one of {KINDS}, not {self.kind!r}")

    @property
    def changed(self) -> bool:
        return self.kind != EQUAL


def tokenize(text: str) -> list[str]:
    """Split ``text`` into tokens; ``"".join(tokenize(t)) == t`` always holds."""
    return _TOKEN_RE.findall(text)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """:func:`tokenize`, cached: pairing screens, bounds and diffs the same clause texts repeatedly."""
    return tuple(_TOKEN_RE.findall(text))


@lru_cache(maxsize=4096)
def word_tokens(text: str) -> tuple[str, ...]:
    """The word tokens of ``text`` (whitespace left out), cached."""
    return tuple(_WORD_TOKEN_RE.findall(text))


def _is_space(tok: str) -> bool:
    return tok.isspace()


class _Encoder:
    """Map tokens to single characters that keep the token's class (word, space, punctuation)."""

    # ranges of characters that Python (and so diff-match-patch) treats as alphanumeric
    _WORD_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF))
    # ranges that are neither alphanumeric nor whitespace (private use areas)
    _OTHER_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))

    def __init__(self):
        self.code: dict[str, str] = {" ": " "}
        self.decode: dict[str, str] = {" ": " "}
        self._next = {"word": self._chars(self._WORD_RANGES), "other": self._chars(self._OTHER_RANGES)}

    @staticmethod
    def _chars(ranges):
        for lo, hi in ranges:
            for cp in range(lo, hi + 1):
                yield chr(cp)

    def encode(self, tokens: Iterable[str]) -> str:
        out = []
        for tok in tokens:
            ch = self.code.get(tok)
            if ch is None:
                pool = "word" if tok[0].isalnum() or tok[0] == "_" else "other"
                try:
                    ch = next(self._next[pool])
                except StopIteration:  # more distinct words than letters: borrow the other pool
                    ch = next(self._next["other"])
                self.code[tok] = ch
                self.decode[ch] = tok
            out.append(ch)
        return "".join(out)


def _dmp(timeout: float) -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    return dmp


def _token_ops(old: str, new: str, timeout: float, semantic: bool = True) -> list[tuple[str, list[str]]]:
    if max(len(old), len(new)) > ANCHOR_ABOVE_CHARS:
        return _anchored_ops(old, new, timeout, semantic)
    return _dmp_ops(_tokens(old), _tokens(new), timeout, semantic)


def _dmp_ops(ta: Sequence[str], tb: Sequence[str], timeout: float, semantic: bool = True) -> list[tuple[str, list[str]]]:
    """diff-match-patch on two token sequences (each distinct token one character)."""
    enc = _Encoder()
    a, b = enc.encode(ta), enc.encode(tb)
    dmp = _dmp(timeout)
    diffs = dmp.diff_main(a, b, False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    names = {dmp.DIFF_EQUAL: EQUAL, dmp.DIFF_DELETE: DELETE, dmp.DIFF_INSERT: INSERT}
    return [(names[op], [enc.decode[c] for c in chars]) for op, chars in diffs if chars]


# --- long texts: anchor on unchanged passages first (linear), diff only the gaps ---------------

#: word -> whether a unit ends after it (see :func:`_units`), memoised
_CUTS: dict[str, bool] = {}


def _cuts_after(tok: str) -> bool:
    cut = _CUTS.get(tok)
    if cut is None:
        if len(_CUTS) > 1_000_000:
            _CUTS.clear()
        cut = _CUTS[tok] = (tok[:1].isalnum() and zlib.crc32(tok.encode("utf-8", "surrogatepass")) % UNIT_WORDS == 0)
    return cut


def _units(toks: Sequence[str], lo: int, hi: int) -> list[tuple[int, int]]:
    """Cut ``toks[lo:hi]`` into units: a unit ends after a word whose checksum is 0 modulo
    :data:`UNIT_WORDS` (and the whitespace after it). The cuts depend only on the words, so an
    unchanged passage is cut the same way in both texts wherever it stands, and an edit changes
    only the units around it."""
    span = toks[lo:hi]
    cuts = {t for t in set(span) if _cuts_after(t)}
    units, start = [], lo
    n = len(span)
    for i in [i for i, t in enumerate(span) if t in cuts]:
        end = i + 1
        if end < n and span[end].isspace():
            end += 1
        if lo + end > start:
            units.append((start, lo + end))
            start = lo + end
    if start < hi:
        units.append((start, hi))
    return units


def _unique_keys(keys: Sequence) -> dict:
    """key -> its index, for the keys that occur exactly once in ``keys``."""
    seen: dict = {}
    dup = set()
    for i, k in enumerate(keys):
        if k in seen:
            dup.add(k)
        else:
            seen[k] = i
    for k in dup:
        del seen[k]
    return seen


def longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (sorted by their first item) whose second items
    increase (patience sorting, O(n log n)): the pairs of positions both orders agree on. Used
    for the word diff's anchors and for the clause order of :mod:`redline.diff`."""
    tails: list[int] = []  # the smallest second item ending an increasing run of each length
    tail_at: list[int] = []  # index in pairs of that item
    back = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
        back[n] = tail_at[k - 1] if k else -1
    out = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        out.append(pairs[n])
        n = back[n]
    out.reverse()
    return out


def _anchors(ta, tb, alo, ahi, blo, bhi) -> list[tuple[int, int, int, int]]:
    """Matched passages of ``ta[alo:ahi]`` and ``tb[blo:bhi]``, in order, as (a_start, a_end,
    b_start, b_end): units occurring once in each, in the longest order both agree on; if there
    are none, single tokens occurring once in each."""
    ua, ub = _units(ta, alo, ahi), _units(tb, blo, bhi)
    if len(ua) > 1 or len(ub) > 1:
        ka = [tuple(ta[s:e]) for s, e in ua]
        kb = [tuple(tb[s:e]) for s, e in ub]
        once_a, once_b = _unique_keys(ka), _unique_keys(kb)
        pairs = sorted((i, once_b[k]) for k, i in once_a.items() if k in once_b)
        if pairs:
            return [(ua[i][0], ua[i][1], ub[j][0], ub[j][1]) for i, j in longest_increasing(pairs)]
    once_a = _unique_keys(ta[alo:ahi])
    once_b = _unique_keys(tb[blo:bhi])
    pairs = sorted((alo + i, blo + once_b[k]) for k, i in once_a.items() if k in once_b)
    return [(i, i + 1, j, j + 1) for i, j in longest_increasing(pairs)]


def _edge_tokens(text: str) -> list[str]:
    """The tokens of an unchanged passage, except that beyond :data:`EDGE_CHARS` from either end
    they stay one string (no edit can slide that far: see :func:`_slide`)."""
    if len(text) <= 4 * EDGE_CHARS:
        return _TOKEN_RE.findall(text)
    head = _SPACE.search(text, EDGE_CHARS)
    tail = _SPACE.search(text, len(text) - EDGE_CHARS)
    if head is None or tail is None or head.end() >= tail.end():
        return _TOKEN_RE.findall(text)
    h, t = head.end(), tail.end()
    return _TOKEN_RE.findall(text[:h]) + [text[h:t]] + _TOKEN_RE.findall(text[t:])


_SPACE = re.compile(r"\s+")


def _boundary_in_both(old: str, new: str, at: int) -> bool:
    """Whether ``at`` (inside the common start) is where a word ends and whitespace starts in both."""
    return at == 0 or (not old[at - 1].isspace() and old[at].isspace() and new[at].isspace())


def _anchored_ops(old: str, new: str, timeout: float = DIFF_TIMEOUT,
                  semantic: bool = True) -> list[tuple[str, list[str]]]:
    """The token diff of two long texts, in time about linear in their length (see the module
    docstring). The texts are cut into units after whitespace that follows a word ending in a
    character chosen by :func:`_unit_end` (a token boundary: no token holds whitespace); units that occur once in each
    text, in the longest order both agree on, are the unchanged passages; each gap between them is
    tokenised and diffed (:func:`_anchored_token_ops`, which goes straight to diff-match-patch for
    a short gap). A unit shorter than the gaps on both sides of it is not kept as an anchor (the
    semantic clean-up would have merged it into the change around it)."""
    # the common start, cut back to a token boundary of both texts: where a whitespace run
    # starts (the end of a word token) strictly inside it
    n = min(len(old), len(new))
    lo, step = 0, 4096
    while lo < n:
        hi = min(lo + step, n)
        if old[lo:hi] == new[lo:hi]:
            lo = hi
            step *= 2
        elif step > 1:
            step //= 2
        else:
            break
    cut = 0
    for m in _SPACE.finditer(old, max(0, lo - 2 * EDGE_CHARS), lo):
        if 0 < m.start() < lo:
            cut = m.start()
    lo = cut if _boundary_in_both(old, new, cut) else 0
    ops: list[tuple[str, list[str]]] = []
    unit_end = _unit_end(old, new)
    units_a = _text_units(old, lo, unit_end)
    units_b = _text_units(new, lo, unit_end)
    keys_a = [old[s:e] for s, e in units_a]
    keys_b = [new[s:e] for s, e in units_b]
    once_a, once_b = _unique_keys(keys_a), _unique_keys(keys_b)
    pairs = sorted((i, once_b[k]) for k, i in once_a.items() if k in once_b)
    anchors = [(units_a[i][0], units_a[i][1], units_b[j][0], units_b[j][1]) for i, j in longest_increasing(pairs)]
    anchors = _merge_small_chars(anchors, lo, len(old), lo, len(new))
    equal_from = 0  # start (in the old text) of the unchanged run not yet handed on
    pa, pb = lo, lo
    for sa, ea, sb, eb in anchors + [(len(old), len(old), len(new), len(new))]:
        if (sa > pa or sb > pb) and old[pa:sa] != new[pb:sb]:
            if pa > equal_from:
                ops.append((EQUAL, _edge_tokens(old[equal_from:pa])))
            ops.extend(_anchored_token_ops(_TOKEN_RE.findall(old[pa:sa]), _TOKEN_RE.findall(new[pb:sb]),
                                           timeout, semantic))
            equal_from = sa
        pa, pb = ea, eb
    if len(old) > equal_from:
        ops.append((EQUAL, _edge_tokens(old[equal_from:])))
    return _merge_runs(ops)


#: the last character of a word (before whitespace)
_LAST_CHAR = re.compile(r"(\S)\s")
#: characters sampled from each text to choose where units end
_SAMPLE = 60_000


def _unit_end(old: str, new: str) -> re.Pattern:
    """Where the units of two long texts end: after whitespace that follows a word ending in one
    of a few characters, chosen from samples of the texts so that about one word in
    :data:`UNIT_WORDS` ends a unit ("d" and "y" in English). The choice depends on the texts only,
    so it is the same every time, and both texts are cut the same way."""
    sample = []
    for text in (old, new):
        mid = len(text) // 2
        sample += [text[:_SAMPLE], text[mid:mid + _SAMPLE], text[-_SAMPLE:]]
    counts = Counter(_LAST_CHAR.findall(" ".join(sample)))
    target = sum(counts.values()) / UNIT_WORDS
    chosen, total = [], 0
    for ch, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if total + n <= 1.5 * target:
            chosen.append(ch)
            total += n
    if not chosen and counts:  # one character ends most words: cut after the rarest
        chosen = [min(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]]
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chosen)) + r"]\s+") if chosen else re.compile(r"(?!)")


def _text_units(text: str, start: int, unit_end: re.Pattern) -> list[tuple[int, int]]:
    """``text[start:]`` cut into units (character ranges) after each match of ``unit_end``."""
    ends = [m.end() for m in unit_end.finditer(text, start)]
    if not ends or ends[-1] != len(text):
        ends.append(len(text))
    return list(zip([start] + ends[:-1], ends))


def _merge_small_chars(anchors, alo, ahi, blo, bhi):
    """:func:`_merge_small` for anchors given in characters."""
    out: list = []
    pa, pb = alo, blo
    for n, (sa, ea, sb, eb) in enumerate(anchors):
        na, nb = (anchors[n + 1][0], anchors[n + 1][2]) if n + 1 < len(anchors) else (ahi, bhi)
        before = max(sa - pa, sb - pb)
        after = max(na - ea, nb - eb)
        if 0 < before and 0 < after and ea - sa <= before and ea - sa <= after \
                and max(na - pa, nb - pb) <= 6 * GAP_TOKENS:
            continue
        out.append((sa, ea, sb, eb))
        pa, pb = ea, eb
    return out


def _anchored_token_ops(ta: Sequence[str], tb: Sequence[str], timeout: float = DIFF_TIMEOUT,
                        semantic: bool = True) -> list[tuple[str, list[str]]]:
    """The diff of two long token sequences, in time about linear in their length: equal passages
    found by :func:`_anchors`, the gaps between them diffed by diff-match-patch, a gap too long for
    it split again, and one with nothing in common left as a deletion and an insertion. Two
    neighbouring gaps whose anchor is shorter than each of them are diffed as one (as
    diff-match-patch's semantic clean-up would have merged them). :func:`_anchored_ops` uses it
    for a gap of a long text that its own units do not resolve."""
    ops: list[tuple[str, list[str]]] = []
    ca = list(accumulate(map(len, ta), initial=0))
    cb = list(accumulate(map(len, tb), initial=0))
    # ("range", a_lo, a_hi, b_lo, b_hi): a range still to align; ("equal", lo, hi): tokens of both
    stack: list = [("range", 0, len(ta), 0, len(tb))]
    while stack:
        task = stack.pop()
        if task[0] == "equal":
            if task[2] > task[1]:
                ops.append((EQUAL, list(ta[task[1]:task[2]])))
            continue
        _, alo, ahi, blo, bhi = task
        # common ends
        while alo < ahi and blo < bhi and ta[alo] == tb[blo]:
            alo += 1
            blo += 1
        head = (task[1], alo)
        a_end = ahi
        while ahi > alo and bhi > blo and ta[ahi - 1] == tb[bhi - 1]:
            ahi -= 1
            bhi -= 1
        if head[1] > head[0]:
            ops.append((EQUAL, list(ta[head[0]:head[1]])))
        tail = ("equal", ahi, a_end)
        if ahi - alo <= GAP_TOKENS and bhi - blo <= GAP_TOKENS or alo == ahi or blo == bhi:
            ops.extend(_dmp_ops(ta[alo:ahi], tb[blo:bhi], timeout, semantic))
            stack.append(tail)
            continue
        anchors = _merge_small(_anchors(ta, tb, alo, ahi, blo, bhi), ca, cb, alo, ahi, blo, bhi)
        if not anchors:  # nothing in common that can be found cheaply: a rewrite
            ops.append((DELETE, list(ta[alo:ahi])))
            ops.append((INSERT, list(tb[blo:bhi])))
            stack.append(tail)
            continue
        todo = []
        pa, pb = alo, blo
        for sa, ea, sb, eb in anchors:
            todo.append(("range", pa, sa, pb, sb))
            todo.append(("equal", sa, ea))
            pa, pb = ea, eb
        todo.append(("range", pa, ahi, pb, bhi))
        todo.append(tail)
        stack.extend(reversed(todo))
    return _merge_runs(ops)


def _merge_small(anchors, ca, cb, alo, ahi, blo, bhi):
    """Drop an anchor shorter (in characters) than the gaps on both sides of it, provided the
    merged gap stays small enough to diff whole: diff-match-patch's semantic clean-up would have
    turned such a short equality between two larger changes into part of one change. ``ca`` and
    ``cb`` are the running character counts of the two token sequences (``ca[i]`` characters
    precede token ``i``)."""
    out: list = []
    pa, pb = alo, blo  # where the gap before the current anchor starts
    for n, (sa, ea, sb, eb) in enumerate(anchors):
        na, nb = (anchors[n + 1][0], anchors[n + 1][2]) if n + 1 < len(anchors) else (ahi, bhi)
        before = max(ca[sa] - ca[pa], cb[sb] - cb[pb])
        after = max(ca[na] - ca[ea], cb[nb] - cb[eb])
        length = ca[ea] - ca[sa]
        merged_a, merged_b = na - pa, nb - pb
        if (0 < before and 0 < after and length <= before and length <= after
                and merged_a <= GAP_TOKENS and merged_b <= GAP_TOKENS):
            continue  # merged into one gap with its neighbours
        out.append((sa, ea, sb, eb))
        pa, pb = ea, eb
    return out


def _merge_runs(ops: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Neighbouring operations of the same kind as one."""
    out: list[tuple[str, list[str]]] = []
    for kind, toks in ops:
        if not toks:
            continue
        if out and out[-1][0] == kind:
            out[-1][1].extend(toks)
        else:
            out.append((kind, toks))
    return out


def _gather(ops: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Runs of changes between equals as one deletion and one insertion each, deletion first;
    neighbouring equals merged and empty runs dropped."""
    runs: list[tuple[str, list[str]]] = []
    pend_del: list[str] = []
    pend_ins: list[str] = []

    def flush():
        if pend_del:
            runs.append((DELETE, pend_del.copy()))
        if pend_ins:
            runs.append((INSERT, pend_ins.copy()))
        pend_del.clear()
        pend_ins.clear()

    for kind, toks in ops:
        if not toks:
            continue
        if kind == EQUAL:
            flush()
            if runs and runs[-1][0] == EQUAL:
                runs[-1][1].extend(toks)
            else:
                runs.append((EQUAL, list(toks)))
        elif kind == DELETE:
            pend_del.extend(toks)
        else:
            pend_ins.extend(toks)
    flush()
    return runs


def _normalise(ops: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Merge runs, order deletion before insertion, and shift lone edits to start with a word."""
    runs = _gather(ops)
    # a lone insertion or deletion between two equals may slide along repeated tokens; choose
    # the position that starts it with a word rather than with whitespace
    runs = [(EQUAL, [])] + runs + [(EQUAL, [])]
    for i in range(1, len(runs) - 1):
        kind, toks = runs[i]
        if kind != EQUAL and runs[i - 1][0] == EQUAL and runs[i + 1][0] == EQUAL:
            _slide(runs[i - 1][1], toks, runs[i + 1][1])
    # a slide can empty the equal between two edits (an insertion would then stand before a
    # deletion): gather again
    return _gather(runs)


def _score(edit: Sequence[str]) -> int:
    """Prefer an edit that starts with a word, then one that ends with a word."""
    return (0 if _is_space(edit[0]) else 2) + (0 if _is_space(edit[-1]) else 1)


def _slide(left: list[str], edit: list[str], right: list[str]) -> None:
    """Slide ``edit`` (in place, with its neighbours) to its best-scoring equivalent position."""
    # move fully left first, then walk right scoring every position
    while left and left[-1] == edit[-1]:
        tok = left.pop()
        edit.insert(0, tok)
        right.insert(0, edit.pop())
    best, best_shift, shift = _score(edit), 0, 0
    l2, e2, r2 = list(left), list(edit), list(right)
    while r2 and r2[0] == e2[0]:
        tok = r2.pop(0)
        l2.append(e2.pop(0))
        e2.append(tok)
        shift += 1
        s = _score(e2)
        if s > best:
            best, best_shift = s, shift
    for _ in range(best_shift):
        tok = right.pop(0)
        left.append(edit.pop(0))
        edit.append(tok)


def diff_text(old: str, new: str, timeout: float = DIFF_TIMEOUT) -> tuple[Span, ...]:
    """The word-level diff of ``old`` and ``new`` as spans (equal / delete / insert).

    ``timeout`` is diff-match-patch's ``Diff_Timeout``; keep the default (0, exact) for
    clause-sized texts. Identical texts give one ``equal`` span (none for two empty texts).
    """
    if old == new:
        return (Span(EQUAL, old),) if old else ()
    ops = _normalise(_token_ops(old, new, timeout))
    return tuple(Span(kind, "".join(toks)) for kind, toks in ops)


def old_text(spans: Iterable[Span]) -> str:
    """The old text: equal and deleted spans joined."""
    return "".join(s.text for s in spans if s.kind != INSERT)


def new_text(spans: Iterable[Span]) -> str:
    """The new text: equal and inserted spans joined."""
    return "".join(s.text for s in spans if s.kind != DELETE)


def is_changed(spans: Iterable[Span]) -> bool:
    """True if any span is a deletion or an insertion."""
    return any(s.kind != EQUAL for s in spans)


def inserted(text: str) -> tuple[Span, ...]:
    """``text`` as wholly inserted (no span if empty)."""
    return (Span(INSERT, text),) if text else ()


def deleted(text: str) -> tuple[Span, ...]:
    """``text`` as wholly deleted (no span if empty)."""
    return (Span(DELETE, text),) if text else ()


def unchanged(text: str) -> tuple[Span, ...]:
    """``text`` as unchanged (no span if empty)."""
    return (Span(EQUAL, text),) if text else ()


def word_counts(text: str) -> Counter:
    """The multiset of the word tokens of ``text`` (whitespace left out)."""
    return Counter(word_tokens(text))


def quick_similarity(old: str | Counter, new: str | Counter) -> float:
    """A cheap upper bound of :func:`similarity` from shared tokens, ignoring their order."""
    a = old if isinstance(old, Counter) else _counts(old)
    b = new if isinstance(new, Counter) else _counts(new)
    if len(b) < len(a):
        a, b = b, a
    total = a.total() + b.total()
    shared = sum(min(n, b[t]) for t, n in a.items() if t in b)
    return 2 * shared / total if total else 1.0


@lru_cache(maxsize=4096)
def _counts(text: str) -> Counter:
    """:func:`word_counts`, cached (never change the result)."""
    return Counter(word_tokens(text))


#: above this many cells (tokens of one text times tokens of the other, common ends stripped),
#: :func:`_lcs_length` aligns the texts on their unchanged passages first (linear) instead of
#: computing the longest common subsequence exactly (quadratic: ~1 s at 100,000 words)
LCS_EXACT_CELLS = 100_000_000


def common_ends(a: Sequence, b: Sequence) -> tuple[int, int]:
    """How many items ``a`` and ``b`` share at their start, and then at their end (not
    overlapping the start)."""
    top = min(len(a), len(b))
    lo = 0
    while lo < top and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < top - lo and a[-1 - hi] == b[-1 - hi]:
        hi += 1
    return lo, hi


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """The length of the longest common subsequence of two token lists.

    Bit-parallel (Hyyrö's variant of Allison-Dix): one bit per token of ``a``, a few big-integer
    operations per token of ``b``; common ends are stripped first. Exact up to
    :data:`LCS_EXACT_CELLS`; beyond (texts of tens of thousands of words), the tokens kept by the
    anchored diff (:func:`_anchored_token_ops`, exact between its anchors): a lower bound that
    equals the exact length unless the texts were rearranged wholesale.
    """
    lo, hi = common_ends(a, b)
    a, b = a[lo:len(a) - hi], b[lo:len(b) - hi]
    if not a or not b:
        return lo + hi
    if len(a) * len(b) > LCS_EXACT_CELLS:
        kept = sum(len(toks) for kind, toks in _anchored_token_ops(a, b, semantic=False) if kind == EQUAL)
        return lo + hi + kept
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        m = masks.get(tok)
        if m:
            u = v & m
            v = ((v + u) | (v - u)) & full
    return lo + hi + len(a) - v.bit_count()


def lcs_similarity(old: str, new: str) -> float:
    """An upper bound of :func:`similarity`, tighter than :func:`quick_similarity`: the longest
    common subsequence of the word tokens (order kept) instead of their shared multiset."""
    a, b = word_tokens(old), word_tokens(new)
    total = len(a) + len(b)
    return 2 * _lcs_length(a, b) / total if total else 1.0


def similarity(old: str, new: str, floor: float = 0.0) -> float:
    """How alike two texts are, 0.0 to 1.0: twice the word tokens kept in order (the longest
    common subsequence of their word tokens, exactly) over all word tokens.

    With ``floor``, texts that cannot reach it by :func:`quick_similarity` (a cheap bound) are not
    compared further: the bound is returned instead (the computation is exact and bit-parallel).
    """
    if old == new:
        return 1.0
    if floor > 0:
        q = quick_similarity(old, new)
        if q < floor:
            return q
    return lcs_similarity(old, new)


def to_markers(spans: Iterable[Span]) -> str:
    """Spans as ``[-deleted-]{+inserted+}`` plain text (the wdiff convention)."""
    out = []
    for s in spans:
        out.append(s.text if s.kind == EQUAL else (f"[-{s.text}-]" if s.kind == DELETE else f"{{+{s.text}+}}"))
    return "".join(out)
