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

Invariants (tested as properties): joining the ``equal`` and ``insert`` spans gives the new text
exactly, joining ``equal`` and ``delete`` gives the old text exactly; within a run of changes the
deletion comes before the insertion; a pure insertion or deletion is shifted so that it starts
with a word where the text allows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Iterable, Sequence

from diff_match_patch import diff_match_patch

#: diff-match-patch timeout in seconds for clause-sized texts; 0 means "no timeout, exact diff".
#: Never leave the library default (1 s): on a timeout it silently returns delete-all/insert-all.
DIFF_TIMEOUT = 0.0


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
    """A run of text that is the same in both texts (``equal``), only old (``delete``) or only new (``insert``)."""

    kind: SpanKind
    text: str

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
def _words(text: str) -> tuple[str, ...]:
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
    enc = _Encoder()
    a, b = enc.encode(_tokens(old)), enc.encode(_tokens(new))
    dmp = _dmp(timeout)
    diffs = dmp.diff_main(a, b, False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    names = {dmp.DIFF_EQUAL: EQUAL, dmp.DIFF_DELETE: DELETE, dmp.DIFF_INSERT: INSERT}
    return [(names[op], [enc.decode[c] for c in chars]) for op, chars in diffs if chars]


def _normalise(ops: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Merge runs, order deletion before insertion, and shift lone edits to start with a word."""
    # 1. gather runs of changes between equals: one delete and one insert each, delete first
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

    # 2. a lone insertion or deletion between two equals may slide along repeated tokens;
    #    choose the position that starts it with a word rather than with whitespace
    runs = [(EQUAL, [])] + runs + [(EQUAL, [])]
    for i in range(1, len(runs) - 1):
        kind, toks = runs[i]
        if kind != EQUAL and runs[i - 1][0] == EQUAL and runs[i + 1][0] == EQUAL:
            _slide(runs[i - 1][1], toks, runs[i + 1][1])

    return [(k, t) for k, t in runs if t]


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
    return Counter(_words(text))


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
    return Counter(_words(text))


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """The length of the longest common subsequence of two token lists (exact).

    Bit-parallel (Hyyrö's variant of Allison-Dix): one bit per token of ``a``, a few big-integer
    operations per token of ``b``; common ends are stripped first.
    """
    lo = 0
    top = min(len(a), len(b))
    while lo < top and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < top - lo and a[-1 - hi] == b[-1 - hi]:
        hi += 1
    a, b = a[lo:len(a) - hi], b[lo:len(b) - hi]
    if not a or not b:
        return lo + hi
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
    a, b = _words(old), _words(new)
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
