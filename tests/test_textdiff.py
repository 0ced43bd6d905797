"""Word-level text diff: tokens, spans, minimality, and invariants on real clause texts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from redline.corpus import Corpus
from redline.textdiff import (
    DELETE, EQUAL, INSERT, Span, diff_text, new_text, old_text, similarity, to_markers, tokenize,
)
from tests.conftest import CORPUS

G320B_OLD = ("(where applicable) any Smart Metering System (excluding a Communications Hub Function or Gas "
             "Proxy Function) for which it is the Responsible Supplier,")
G320B_NEW = ("(where applicable) any Smart Metering System (excluding a Communications Hub Function or Gas "
             "Proxy Function which forms part of a SMETS2+ Device) for which it is the Responsible Supplier,")


def _texts() -> list[str]:
    corpus = Corpus.open(CORPUS)
    out = []
    for vid in corpus.version_ids:
        for node in corpus.load(vid).nodes():
            for t in (node.text, node.closing):
                if t and t not in out:
                    out.append(t)
    return out


TEXTS = _texts()


@pytest.mark.parametrize("text, tokens", [
    ("Section G3.18(a) applies", ["Section", " ", "G3.18(a)", " ", "applies"]),
    ("G4.21.", ["G4.21", "."]),
    ("Sections G5.18(b)(iii) and M8.2;", ["Sections", " ", "G5.18(b)(iii)", " ", "and", " ", "M8.2", ";"]),
    ("a SMETS2+ Device", ["a", " ", "SMETS2+", " ", "Device"]),
    ("the User's Sub-Committee", ["the", " ", "User's", " ", "Sub-Committee"]),
    ("version 5.23, then", ["version", " ", "5.23", ",", " ", "then"]),
    ("(as the case may be)", ["(", "as", " ", "the", " ", "case", " ", "may", " ", "be", ")"]),
    ("'Export Supplier'", ["'", "Export", " ", "Supplier", "'"]),
])
def test_tokens(text, tokens):
    assert tokenize(text) == tokens


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_tokens_cover_any_text(text):
    assert "".join(tokenize(text)) == text


def test_mp087_g320b_is_one_insertion():
    spans = diff_text(G320B_OLD, G320B_NEW)
    changed = [s for s in spans if s.kind != EQUAL]
    assert len(changed) == 1
    assert changed[0].kind == INSERT
    assert changed[0].text.strip() == "which forms part of a SMETS2+ Device"
    # the only extra character is the one separating space that the insertion needs
    assert changed[0].text in (" which forms part of a SMETS2+ Device", "which forms part of a SMETS2+ Device ")
    assert old_text(spans) == G320B_OLD and new_text(spans) == G320B_NEW


def test_cross_reference_is_one_token():
    assert to_markers(diff_text("see Section G4.21 now", "see Section G4.22 now")) == \
        "see Section [-G4.21-]{+G4.22+} now"
    assert to_markers(diff_text("in Section G3.18(a) only", "in Section G3.18(b) only")) == \
        "in Section [-G3.18(a)-]{+G3.18(b)+} only"


def test_whitespace_outside_replacements_and_deletion_first():
    assert to_markers(diff_text("the Meter shall", "the material shall")) == "the [-Meter-]{+material+} shall"
    spans = diff_text("a b c", "a x c")
    assert [s.kind for s in spans] == [EQUAL, DELETE, INSERT, EQUAL]


def test_words_never_split():
    spans = diff_text("the verification of", "the verifications of")
    assert to_markers(spans) == "the [-verification-]{+verifications+} of"


def test_identical_and_empty():
    assert diff_text("same", "same") == (Span(EQUAL, "same"),)
    assert diff_text("", "") == ()
    assert diff_text("", "new words") == (Span(INSERT, "new words"),)
    assert diff_text("old words", "") == (Span(DELETE, "old words"),)


def test_lone_insertion_starts_with_a_word():
    spans = diff_text("the cat sat", "the big cat sat")
    assert [s for s in spans if s.changed] == [Span(INSERT, "big ")]


def test_similarity():
    assert similarity("a b c", "a b c") == 1.0
    assert similarity("a b c", "x y z") == 0.0
    assert 0.8 < similarity(G320B_OLD, G320B_NEW) < 1.0


def test_span_kind_checked():
    with pytest.raises(ValueError):
        Span("replace", "x")


def test_large_text_is_not_degenerate():
    """With the timeout deliberately off, a long text with one change gives one small edit."""
    words = " ".join(TEXTS * 3)
    changed = words.replace("Responsible Supplier", "Responsible Importer", 1)
    spans = diff_text(words, changed)
    edits = [s for s in spans if s.changed]
    assert edits == [Span(DELETE, "Supplier"), Span(INSERT, "Importer")]


# --- properties on random word edits of real clause texts ----------------------------------------

WORDS = ["Party", "User", "shall", "not", "Device", "G3.18(a)", "SMETS2+", "(as the case may be)", ",", ";",
         "the", "Panel", "Sub-Committee", "and", "or"]


@st.composite
def edited(draw):
    text = draw(st.sampled_from(TEXTS))
    tokens = tokenize(text)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        i = draw(st.integers(0, max(len(tokens) - 1, 0)))
        word = draw(st.sampled_from(WORDS))
        if op == "insert":
            tokens[i:i] = [word, " "]
        elif op == "delete" and tokens:
            del tokens[i:i + draw(st.integers(1, 4))]
        elif tokens:
            tokens[i] = word
    return text, "".join(tokens)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_spans_rebuild_both_texts(pair):
    old, new = pair
    spans = diff_text(old, new)
    assert old_text(spans) == old
    assert new_text(spans) == new
    assert all(s.text for s in spans)
    # no two neighbours of the same kind; within a run of changes the deletion comes first
    for a, b in zip(spans, spans[1:]):
        assert a.kind != b.kind
        assert not (a.kind == INSERT and b.kind == DELETE)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_changes_fall_on_token_boundaries(pair):
    """Every span boundary is a token boundary of the text it belongs to: no split words."""
    old, new = pair
    spans = diff_text(old, new)
    for side, text in ((DELETE, old), (INSERT, new)):
        bounds = {0}
        pos = 0
        for tok in tokenize(text):
            pos += len(tok)
            bounds.add(pos)
        pos = 0
        for s in spans:
            if s.kind == side or s.kind == EQUAL:
                pos += len(s.text)
                assert pos in bounds, (text, s)


def test_markers_keep_whole_words_and_delete_first():
    """What apply's messages show ("difference: …"): the redlines' word diff as markers."""
    def markers(old, new):
        return to_markers(diff_text(old, new))

    assert markers("Gas Proxy Function)", "Gas Proxy Function which forms part of a SMETS2+ Device)") == (
        "Gas Proxy Function{+ which forms part of a SMETS2+ Device+})")
    assert markers("see Section G4.21", "see Section G4.22") == "see Section [-G4.21-]{+G4.22+}"
    assert markers("a b c", "a x c") == "a [-b-]{+x+} c"
