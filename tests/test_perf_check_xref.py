"""The shortcuts of the cross-reference check of a modification give what the full work gives.

``Version.position`` (document positions kept per section, shared with the versions that share
the section) against the positions of the whole index; ``xref._nodes_to_check`` (the words of
sections a result shares with its base read once per base) against the clause-by-clause scan it
replaces; and the check itself against the full scan of every run (``changed=None``), on a
generated four-section corpus: its 50 modifications, and deletions and renumberings of the
clauses most referred to (many stale references, in every section).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from redline import xref
from redline.apply import apply_modification
from redline.errors import ApplyError
from redline.model import Address
from redline.mods import Modification, load_modification, modification_paths
from redline.ops import Delete, Renumber


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    from bench import generate
    from redline.corpus import Corpus

    root = generate.generate(1500, seed=11, out=Path(tmp_path_factory.mktemp("gen")), peers=False)
    return Corpus.open(root)


def _most_referred(version, n):
    """The ``n`` clauses the most references name, with no clause after them in their part
    (so that a renumbering to the next number is free)."""
    count = Counter(a.clause_address for c in xref.citations(version) for a in c.reference.addresses
                    if a.clause_address is not None and version.find(a.clause_address) is not None)
    return [a for a, _ in count.most_common(n)]


def _variants(gen):
    base = gen.load("1.0")
    out = []
    for a in _most_referred(base, 6):
        out.append(Modification(f"DEL-{a}", "t", "1.0", (Delete(a),)))
        new = Address(a.section, a.part, a.clause + "Z")
        out.append(Modification(f"REN-{a}", "t", "1.0", (Renumber(a, new),)))
    # a whole part deleted (every address under it goes)
    part = next(iter(_most_referred(base, 1))).parent
    out.append(Modification(f"DEL-{part}", "t", "1.0", (Delete(part),)))
    return out


def _modifications(gen):
    return [load_modification(gen, p) for p in modification_paths(gen)] + _variants(gen)


@pytest.fixture(scope="module")
def applied(gen):
    base = gen.load("1.0")
    out = []
    for mod in _modifications(gen):
        try:
            out.append((mod, base, apply_modification(base, mod)))
        except ApplyError:
            continue
    return out


def _nodes_to_check_by_scan(result, address_map, inverse, changed):
    """The clause-by-clause scan ``_nodes_to_check`` replaced (every section, every clause)."""
    special = {str(a.clause_address or a) for a in changed}
    special.update(str(a.clause_address or a) for a in list(address_map) + list(inverse))
    keys = {a.clause or a.part or a.section for a in address_map}
    out = []
    for root in result.sections.values():
        for clause in root.iter("clause"):
            if clause.get("num") not in special:
                if not keys:
                    continue
                words = "".join("".join(clause.itertext()).split())
                if not any(k in words for k in keys):
                    continue
            out.extend(clause.iter(*xref._TEXT_BEARING))
    return out


def _check_positions(version):
    order = list(version.index)
    got = [version.position(a) for a in order]
    assert None not in got
    assert sorted(range(len(order)), key=got.__getitem__) == list(range(len(order)))
    assert len(set(got)) == len(got)


def test_positions_per_section_are_the_whole_versions_order(gen, applied):
    base = gen.load("1.0")
    _check_positions(base)
    assert base.position(Address("B", "B1", "B1.999")) is None
    assert base.position(Address("Q")) is None
    n = 0
    for mod, _, res in applied:
        _check_positions(res.version)
        shared = [s for s in res.version.sections if res.version.is_shared(s)]
        # a section shared with the base shares its positions too (no renumbering of 1,000s of addresses)
        for s in shared:
            assert res.version.section_memo(s) is base.section_memo(s)
        n += bool(shared) and not all(res.version.is_shared(s) for s in res.version.sections)
    assert n >= 40


def test_nodes_to_check_are_those_of_the_full_scan(applied):
    seen_keys = 0
    for mod, base, res in applied:
        amap = res.address_map
        inverse = {new: old for old, new in amap.items() if new is not None}
        got = [n.element for n in xref._nodes_to_check(res.version, amap, inverse, res.changed)]
        assert got == _nodes_to_check_by_scan(res.version, amap, inverse, res.changed), mod.id
        seen_keys += bool(amap)
    assert seen_keys >= 10


def test_check_finds_what_the_full_scan_finds(applied):
    stale = 0
    # the full scan reads every run of the result (~0.5 s each): the modifications that move or
    # delete something (where the shortcut skips most), and a few that only change words
    for mod, base, res in [a for a in applied if a[2].address_map] + applied[:3]:
        fast = xref.check_modification(base, res.version, res.address_map, res.changed, mod.id)
        full = xref.check_modification(base, res.version, res.address_map, None, mod.id)
        assert fast == full, mod.id
        stale += sum(f.kind == xref.STALE for f in fast)
    assert stale >= 30
