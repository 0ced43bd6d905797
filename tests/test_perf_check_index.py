"""Apply updates a section's address index in place after each structural operation (instead of
indexing the section again): after every operation of every modification, the index updated in
place must equal a rebuilt one (``apply._VERIFY_INDEX``), and the result's index must be the
rebuilt one in document order. Checked on the generated corpus's 50 modifications and on random
sequences of deletions, renumberings and moves (hypothesis), which also cover failing operations.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from redline import apply as apply_mod
from redline.apply import apply_modification
from redline.errors import ApplyError
from redline.model import Address, _index_tree
from redline.mods import Modification, load_modification, modification_paths
from redline.ops import Delete, Move, Renumber


@pytest.fixture(autouse=True)
def _verify(monkeypatch):
    monkeypatch.setattr(apply_mod, "_VERIFY_INDEX", True)


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    from bench import generate
    from redline.corpus import Corpus

    root = generate.generate(1500, seed=5, out=Path(tmp_path_factory.mktemp("gen")), peers=False)
    return Corpus.open(root)


def _rebuilt(version, letter):
    out: dict = {}
    _index_tree(version.sections[letter], out)
    return out


def _assert_indexed_in_order(version):
    for letter in version.sections:
        assert list(version._section_index(letter).items()) == list(_rebuilt(version, letter).items()), letter


def test_generated_modifications(gen):
    base = gen.load("1.0")
    applied = 0
    for path in modification_paths(gen):
        mod = load_modification(gen, path)
        try:
            res = apply_modification(base, mod)
        except ApplyError:
            continue
        applied += 1
        _assert_indexed_in_order(res.version)
    assert applied >= 45


def test_bundled_modifications(corpus):
    for path in modification_paths(corpus):
        mod = load_modification(corpus, path)
        try:
            res = apply_modification(corpus.load(mod.base), mod)
        except ApplyError:
            continue
        _assert_indexed_in_order(res.version)


_BASE = {}


def _base(gen):
    if "v" not in _BASE:
        _BASE["v"] = gen.load("1.0")
    return _BASE["v"]


def _op(version, kind, i, j, pos):
    """One structural operation built from indexes into the version's addresses (it may fail)."""
    addrs = [a for a in version.index if a.kind in ("part", "clause", "item")]
    a = addrs[i % len(addrs)]
    b = addrs[j % len(addrs)]
    if kind == "delete":
        return Delete(a)
    if kind == "renumber":
        if a.kind == "item":
            new = Address(a.section, a.part, a.clause, a.term, a.items[:-1] + (a.items[-1][:-1] + "z)",))
        elif a.kind == "clause":
            new = Address(a.section, a.part, a.clause + "Z")
        else:
            new = Address(a.section, a.part + "Z")
        return Renumber(a, new)
    return Move(a, pos, b)


_OPS = st.lists(st.tuples(st.sampled_from(["delete", "renumber", "move"]), st.integers(0, 10**6),
                          st.integers(0, 10**6), st.sampled_from(["before", "after", "start", "end"])),
                min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_random_structural_operations(gen, ops):
    base = _base(gen)
    operations = []
    for kind, i, j, pos in ops:
        try:
            operations.append(_op(base, kind, i, j, pos))
        except ValueError:
            continue
    if not operations:
        return
    mod = Modification("RND", "t", "1.0", tuple(operations))
    try:
        res = apply_modification(base, mod)  # _VERIFY_INDEX checks every step, failing ones too
    except ApplyError:
        return
    _assert_indexed_in_order(res.version)


def test_a_repeated_address_in_the_result_is_still_reported(corpus):
    """The numbering check reuses the patched index; a repeat makes it fall back to check_section."""
    from redline.ops import Insert

    base = corpus.load("6.17")
    twice = ('<clause num="G1.99"><text>lead</text><item num="(a)"><text>one</text></item>'
             '<item num="(a)"><text>two</text></item></clause>')
    mod = Modification("DUP", "t", "6.17", (Insert(Address.parse("G1"), "end", (twice,)),))
    with pytest.raises(ApplyError) as exc:
        apply_modification(base, mod)
    (failure,) = exc.value.failures
    assert failure.kind == "invalid-result" and "G1.99(a) appears twice" in failure.message
