"""A quick performance regression guard for CI: ratios and operation counts, never absolute times.

On a generated corpus of a few hundred clauses, each operation's time is compared with the floor
(lxml's parse of both versions, measured in the same process), with generous bounds; and the work
the algorithms do is counted (word diffs run by the diff, reference parses run by the check), so
that a change that makes them scale with the whole code instead of the changes fails here long
before anyone runs ``python -m bench.run``.
"""

from __future__ import annotations

import json
import time

import pytest
from lxml import etree

from bench import generate
from redline.corpus import Corpus

SIZE = 300

#: how many times the floor each operation may take (about 3x what it takes today: load 2.1x with
#: the validation cache warm, diff 8.8x, xref 12x, check 2.8x a modification, on the 2-core machine)
BOUNDS = {"load": 8, "diff": 30, "xref": 40, "check": 10}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return generate.generate(SIZE, seed=11, out=tmp_path_factory.mktemp("guard"), peers=False)


def _best(fn, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@pytest.fixture(scope="module")
def floor(data):
    files = [str(f) for vid in ("1.0", "1.1") for f in sorted((data / "versions" / vid).glob("*.xml"))]
    return _best(lambda: [etree.parse(f) for f in files], runs=5)


def _load(data, *vids):
    c = Corpus.open(data)
    return [c.load(v) for v in vids]


def test_load_is_a_small_multiple_of_parsing(data, floor):
    t = _best(lambda: _load(data, "1.0", "1.1"))
    assert t / floor < BOUNDS["load"], f"load {t:.3f}s = {t / floor:.1f}x the floor"


def test_diff_is_a_small_multiple_of_parsing(data, floor):
    from redline.diff import diff_versions

    old, new = _load(data, "1.0", "1.1")
    t = _best(lambda: diff_versions(old, new))
    assert t / floor < BOUNDS["diff"], f"diff {t:.3f}s = {t / floor:.1f}x the floor"


def test_xref_is_a_small_multiple_of_parsing(data, floor):
    from redline import xref

    (v,) = _load(data, "1.0")
    t = _best(lambda: xref.check_version(v), runs=2)
    assert t / floor < BOUNDS["xref"], f"xref {t:.3f}s = {t / floor:.1f}x the floor"


def test_check_of_small_modifications_is_a_small_multiple_of_parsing(data, floor):
    from redline.check import check_modification
    from redline.mods import load_modification

    corpus = Corpus.open(data)
    corpus.load("1.0")
    mods = [load_modification(corpus, f"BM{i:03d}") for i in range(3, 8)]
    t = _best(lambda: [check_modification(corpus, m) for m in mods], runs=1) / len(mods)
    assert t / floor < BOUNDS["check"], f"check {t:.3f}s a modification = {t / floor:.1f}x the floor"


def test_diff_word_diffs_follow_the_changed_clauses(data, monkeypatch):
    """The diff runs word diffs for changed clauses (and a few candidates each), not for every clause."""
    import redline.diff as diff
    import redline.textdiff as textdiff

    calls = {"n": 0}
    for mod in (diff, textdiff):
        real = mod.diff_text

        def counting(*a, _real=real, **k):
            calls["n"] += 1
            return _real(*a, **k)

        monkeypatch.setattr(mod, "diff_text", counting)
    old, new = _load(data, "1.0", "1.1")
    diff.diff_versions(old, new)
    changed = json.loads((data / "edits.json").read_text())["stats"]["changed 1.1"]
    runs = sum(1 for r in old.sections.values() for _ in r.iter("text", "closing"))
    assert calls["n"] <= 40 * changed, (calls["n"], changed)
    assert calls["n"] < runs / 3, (calls["n"], runs)  # not a word diff of every run of the code


def test_check_parses_references_of_the_changed_clauses_only(data, monkeypatch):
    """A small modification's reference check reads the clauses it touches, not the whole version."""
    import redline.xref as xref
    from redline.check import check_modification
    from redline.mods import load_modification

    corpus = Corpus.open(data)
    mod = load_modification(corpus, "BM003")
    calls = {"n": 0}
    real = xref.find_references

    def counting(*a, **k):
        calls["n"] += 1
        return real(*a, **k)

    monkeypatch.setattr(xref, "find_references", counting)
    assert check_modification(corpus, mod).ok
    runs = sum(1 for r in corpus.load("1.0").sections.values() for _ in r.iter("text", "closing"))
    assert calls["n"] < runs / 10, (calls["n"], runs)
