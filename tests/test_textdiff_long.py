"""The word diff of long texts (redline/textdiff.py, ``_anchored_ops``): still exact, still
minimal-looking, and the work handed to diff-match-patch grows with the changes, not the length.

The thresholds are lowered here (monkeypatch) so that small generated texts take every path of
the long-text diff: units and their anchors, gaps split again on single tokens, a gap with nothing
in common, neighbouring gaps merged, unchanged passages handed on as one string in the middle.
Times are measured by ``python -m bench.worddiff``, not here.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline import textdiff
from redline.textdiff import DELETE, EQUAL, INSERT, diff_text, new_text, old_text, tokenize

VOCAB = ["Party", "User", "shall", "not", "Device", "G3.18(a)", "SMETS2+", "the", "Panel", "Sub-Committee",
         "and", "or", "any", "such", "Supplier", "notify", "Data", "Communications", "Hub", "(as", "may", "be)",
         "reasonably", "practicable", "Section", "G4.21", "1,000", "within", "five", "Working", "Days"]


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(textdiff, "ANCHOR_ABOVE_CHARS", 60)
    monkeypatch.setattr(textdiff, "GAP_TOKENS", 12)
    monkeypatch.setattr(textdiff, "EDGE_CHARS", 10)
    monkeypatch.setattr(textdiff, "_SAMPLE", 50)
    monkeypatch.setattr(textdiff, "LCS_EXACT_CELLS", 50)


@st.composite
def long_pairs(draw):
    rng = random.Random(draw(st.integers(0, 10_000)))
    n = draw(st.integers(5, 400))
    seps = [" ", " ", " ", ", ", ". ", ";\n", "  "]
    words = [rng.choice(VOCAB) + rng.choice(seps) for _ in range(n)]
    old = "".join(words)
    tokens = list(words)
    for _ in range(draw(st.integers(0, 12))):
        op = rng.choice(["insert", "delete", "replace", "move"])
        i = rng.randrange(len(tokens) + 1)
        if op == "insert":
            tokens[i:i] = [rng.choice(VOCAB) + " " for _ in range(rng.randint(1, 5))]
        elif op == "delete":
            del tokens[i:i + rng.randint(1, 8)]
        elif op == "replace" and tokens:
            tokens[min(i, len(tokens) - 1)] = rng.choice(VOCAB) + rng.choice(seps)
        elif tokens:  # a passage moved elsewhere
            j = rng.randrange(len(tokens))
            piece = tokens[j:j + rng.randint(1, 10)]
            del tokens[j:j + len(piece)]
            k = rng.randrange(len(tokens) + 1)
            tokens[k:k] = piece
    if draw(st.booleans()):  # sometimes a wholesale rewrite of a stretch
        a = rng.randrange(len(tokens) + 1)
        tokens[a:a + rng.randint(0, 40)] = [f"new{rng.randrange(99)} " for _ in range(rng.randint(0, 40))]
    return old, "".join(tokens)


def _check(old: str, new: str, spans) -> None:
    assert old_text(spans) == old
    assert new_text(spans) == new
    assert all(s.text for s in spans)
    for a, b in zip(spans, spans[1:]):
        assert a.kind != b.kind
        assert not (a.kind == INSERT and b.kind == DELETE)
    for side, text in ((DELETE, old), (INSERT, new)):  # no span splits a token
        bounds, pos = {0}, 0
        for tok in tokenize(text):
            pos += len(tok)
            bounds.add(pos)
        pos = 0
        for s in spans:
            if s.kind in (side, EQUAL):
                pos += len(s.text)
                assert pos in bounds, (text, s)


def test_a_slide_that_empties_an_equal_still_puts_the_deletion_first(small_thresholds):
    """Found by the property above: sliding a lone edit emptied the equal between an insertion
    and a deletion, which then stood insertion first."""
    old = ('Panel, Communications;\nwithin, or Communications, or Communications  1,000, Working Days. User, the Days. Hub Device, (as Working the or. G3.18(a);\nSMETS2+ Panel and be) practicable Device. Sub-Committee Working (as. Party notify;\nnot may, Communications Data;\nUser, SMETS2+ and, Section;\nor;\nbe) Data any not;\nnot G3.18(a) (as or, reasonably Communications and  Supplier  Working within, such G3.18(a) such, may 1,000  not 1,000 any  Panel. and G4.21  Communications  may. Working, SMETS2+. G3.18(a). Communications  and  within, Communications not. Party or, such the;\n')
    new = ('Panel, Communications;\nUser, the Days. Hub Device, (as and the or. G3.18(a);\n(as be) SMETS2+ Panel and be) practicable Device. Sub-Committee G3.18(a) Days Working (as. and reasonably Section within, or Communications, or Communications  1,000, Working Days. Party notify;\nnot may, Communications Data;\nUser, SMETS2+ and, Section;\nor;\nbe) (as any not;\nCommunications Panel not G3.18(a) (as or, reasonably Communications and  Supplier  Working within, such G3.18(a) such, may 1,000  not 1,000 any  Panel. and G4.21  Communications  may. Working, SMETS2+. G3.18(a). Communications  and  within, Communications within Party or, such ')
    _check(old, new, diff_text(old, new))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(long_pairs())
def test_long_texts_diff_exactly(small_thresholds, pair):
    old, new = pair
    _check(old, new, diff_text(old, new))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(long_pairs())
def test_lcs_of_long_texts_is_a_true_common_subsequence(small_thresholds, pair):
    old, new = pair
    a, b = textdiff.word_tokens(old), textdiff.word_tokens(new)
    found = textdiff._lcs_length(a, b)
    kept = [t for kind, toks in textdiff._anchored_token_ops(list(a), list(b), semantic=False) if kind == EQUAL
            for t in toks]
    # what the anchored diff keeps is a subsequence of both word lists ...
    for seq in (a, b):
        it = iter(seq)
        assert all(any(t == s for s in it) for t in kept)
    # ... and no longer than the exact longest common subsequence
    textdiff.LCS_EXACT_CELLS = 10 ** 12
    assert found <= textdiff._lcs_length(a, b)


def test_a_long_text_is_diffed_as_a_short_one_would_be():
    """On a text just above the threshold the anchored diff gives what diff-match-patch gives
    on the whole text (the anchors only save work)."""
    from bench.worddiff import clause_pair

    old, new = clause_pair(3000, seed=3)
    rng = random.Random(3)
    words = new.split(" ")
    for _ in range(40):  # denser changes than a modification makes: one word in 75
        words[rng.randrange(len(words))] = rng.choice(VOCAB)
    new = " ".join(words)
    assert len(old) > textdiff.ANCHOR_ABOVE_CHARS
    def spans(ops):
        return [(kind, "".join(toks)) for kind, toks in textdiff._normalise(ops)]

    whole = spans(textdiff._dmp_ops(textdiff._tokens(old), textdiff._tokens(new), 0))
    assert spans(textdiff._anchored_ops(old, new)) == whole
    assert len(whole) > 20


def test_work_grows_with_the_changes_not_the_length(monkeypatch):
    """Only the neighbourhood of each change reaches diff-match-patch (whose time grows with
    length times changes): a 200,000-word clause with a few changes hands it a few hundred tokens."""
    from bench.worddiff import clause_pair

    sizes = []
    real = textdiff._dmp_ops

    def counting(ta, tb, *args):
        sizes.append(len(ta) + len(tb))
        return real(ta, tb, *args)

    monkeypatch.setattr(textdiff, "_dmp_ops", counting)
    old, new = clause_pair(200_000, seed=5)
    spans = diff_text(old, new)
    assert old_text(spans) == old and new_text(spans) == new
    changes = sum(1 for s in spans if s.kind != EQUAL)
    total = len(textdiff._tokens(old)) + len(textdiff._tokens(new))
    assert changes > 20
    assert sum(sizes) < 400 * changes and sum(sizes) < total / 50, (sum(sizes), total, changes)
    assert max(sizes) <= 2 * textdiff.GAP_TOKENS


def test_unchanged_passages_beyond_the_edges_stay_whole():
    text = "word " * 2000
    toks = textdiff._edge_tokens(text)
    assert "".join(toks) == text
    assert len(toks) < 2 * textdiff.EDGE_CHARS  # the middle is one string, the edges tokens
    assert toks[0] == "word" and toks[-1] == " "


def test_one_edit_in_a_long_repetitive_text():
    old = "the Party shall notify the User. " * 3000
    at = old.index("shall", 50_000)
    new = old[:at] + "promptly " + old[at:]
    spans = diff_text(old, new)
    assert [s for s in spans if s.changed] == [textdiff.Span(INSERT, "promptly ")]
    assert old_text(spans) == old and new_text(spans) == new


def test_two_unrelated_long_texts():
    rng = random.Random(1)
    old = " ".join(f"a{rng.randrange(10**6)}" for _ in range(5000))
    new = " ".join(f"b{rng.randrange(10**6)}" for _ in range(5000))
    spans = diff_text(old, new)
    assert [s.kind for s in spans] == [DELETE, INSERT]
