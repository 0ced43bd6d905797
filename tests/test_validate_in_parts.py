"""Validation in parts equals whole validation: apply checks a changed section against the
schema in parts when it can (its skeleton as the base's, and each changed clause on its own,
:func:`redline.validate.valid_in_parts`); the outcome of every apply must be what checking
every changed section whole gives: the same result, or the same failures with the same
messages. Checked on the generated corpus's modifications, random structural ones, and variants
that break the schema (a source that is not an NCName, stamped on clauses and parts; a new part
with a bad number)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings, strategies as st

from redline import validate as validate_mod
from redline.apply import apply_modification
from redline.errors import ApplyError
from redline.model import Address
from redline.mods import Modification, load_modification, modification_paths
from redline.ops import Amend, Delete, Insert, Move, Renumber, Substitute
from redline.xmlsafe import serialise


def _outcome(base, mod):
    try:
        res = apply_modification(base, mod)
    except ApplyError as exc:
        return "failed", [(f.kind, f.message, f.index) for f in exc.failures]
    # a section the result shares with the base is unchanged (apply never mutates its input:
    # tests/test_apply.py); the others are compared by their bytes
    return "applied", {s: "shared" if r is base.sections.get(s) else serialise(r)
                       for s, r in res.version.sections.items()}, res.changed


def _both(base, mod, monkeypatch):
    fast = _outcome(base, mod)
    with monkeypatch.context() as m:
        m.setattr(validate_mod, "valid_in_parts", lambda *a: False)  # validate every section whole
        whole = _outcome(base, mod)
    assert fast == whole, mod.id
    return fast


def _bad_source(mod):
    return replace(mod, id=mod.id + "-BAD", meta={**mod.meta, "source": "not a name"})


def test_generated_modifications_and_bad_source_variants(generated, monkeypatch):
    base = generated.load("1.0")
    kinds = []
    for path in modification_paths(generated):
        mod = load_modification(generated, path)
        kinds.append(_both(base, mod, monkeypatch)[0])
        kinds.append(_both(base, _bad_source(mod), monkeypatch)[0])
    assert kinds.count("applied") >= 40 and kinds.count("failed") >= 40


def test_heading_of_a_part_and_a_bad_part(generated, monkeypatch):
    base = generated.load("1.0")
    part = next(a for a in base.index if a.kind == "part")
    heading = base.find(part).heading
    mods = [
        Modification("H", "t", "1.0", (Amend(part, heading or "", "New heading", "heading"),), {"source": "bad name"}),
        Modification("H2", "t", "1.0", (Amend(part, heading or "", "New heading", "heading"),)),
        Modification("P", "t", "1.0", (Insert(part, "after", (f'<part num="{part.section}99" coverage="complete">'
                                                             f'<clause num="{part.section}99.1"><text>x</text></clause>'
                                                             '</part>',)),)),
    ]
    for mod in mods:
        _both(base, mod, monkeypatch)


_OPS = st.lists(st.tuples(st.sampled_from(["delete", "renumber", "move", "substitute"]), st.integers(0, 10**6),
                          st.integers(0, 10**6), st.sampled_from(["before", "after", "start", "end"])),
                min_size=1, max_size=5)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS, bad=st.booleans())
def test_random_modifications(generated, monkeypatch, ops, bad):
    base = generated.load("1.0")
    addrs = [a for a in base.index if a.kind in ("part", "clause", "item")]
    operations = []
    for kind, i, j, pos in ops:
        a, b = addrs[i % len(addrs)], addrs[j % len(addrs)]
        try:
            if kind == "delete":
                operations.append(Delete(a))
            elif kind == "renumber" and a.kind == "clause":
                operations.append(Renumber(a, Address(a.section, a.part, a.clause + "Z")))
            elif kind == "move":
                operations.append(Move(a, pos, b))
            elif kind == "substitute" and a.kind != "part":
                words = base.find(a).text.split()
                if words:
                    operations.append(Substitute(a, words[0], "Changed"))
        except ValueError:
            continue
    if operations:
        mod = Modification("RND", "t", "1.0", tuple(operations), {"source": "bad one"} if bad else {})
        _both(base, mod, monkeypatch)
