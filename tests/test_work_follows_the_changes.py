"""The work follows the changes, not the size of the code: counted, never timed.

On a generated corpus of a few hundred clauses, the work the algorithms do is counted (word diffs
run by the diff, reference parses run by the check), so that a change that makes them scale with
the whole code instead of the changes fails here long before anyone runs ``python -m bench.run``
(which is where time is measured).
"""

from __future__ import annotations

import json

import pytest

from bench import generate
from redline.corpus import Corpus

SIZE = 300


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return generate.generate(SIZE, seed=11, out=tmp_path_factory.mktemp("guard"), peers=False)


def _load(data, *vids):
    c = Corpus.open(data)
    return [c.load(v) for v in vids]


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
