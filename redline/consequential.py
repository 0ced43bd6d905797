"""Consequential amendments: what a renumbering does to the references that name it.

When a modification renumbers or moves a clause, words it leaves as they were may still name the
old number ("Section G3.21" after G3.21 became G3.20). :func:`consequential_amendments` gives the
:class:`~redline.ops.Amend` operations that bring them up to date, and
:func:`with_consequential_amendments` the modification with them appended (``redline xref --mod
MOD --update-references``); the Annex A then shows them with their drafting instructions.

Above :mod:`redline.apply` (it applies the modification to see what it renumbers) and
:mod:`redline.xref` (which finds and re-maps the references). Pure: nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from redline.apply import apply_modification
from redline.model import Address, Version
from redline.ops import Amend
from redline.xref import remap_text, text_runs


def consequential_amendments(base: Version, result: Version,
                             address_map: Mapping[Address, Address | None]) -> tuple[Amend, ...]:
    """Amend operations that bring the references a renumbering leaves behind up to date.

    For every run of words in ``result`` that the modification left as it was and that names a
    renumbered address, an :class:`~redline.ops.Amend` of that run (addressed in the result, so
    the operations run after the modification's own). References to deleted addresses cannot be
    repaired this way and are left for :func:`redline.xref.check_modification` to report.
    """
    out = []
    for node, fld, text, old in text_runs(base, result, address_map):
        if old is None:
            continue
        new = remap_text(text, address_map, old)
        if new != text:
            out.append(Amend(node.address, text, new, fld))
    return tuple(out)


def with_consequential_amendments(base: Version, mod):
    """``mod`` with :func:`consequential_amendments` appended to its operations (``mod`` itself if
    there are none). Raises :class:`redline.errors.ApplyError` if ``mod`` does not apply."""
    res = apply_modification(base, mod, onto=base.id != mod.base)
    extra = consequential_amendments(base, res.version, res.address_map)
    if not extra:
        return mod
    lines = tuple(mod.lines) + (None,) * (len(mod.operations) - len(mod.lines)) + (None,) * len(extra)
    return replace(mod, operations=tuple(mod.operations) + extra, lines=lines)
