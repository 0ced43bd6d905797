"""Releases: several modifications made together, in order, onto one version.

The code administrator bundles modifications into a release; each was drafted against whatever
version was current when it was written, and the next version of the code is the release's
version with all of them made. :func:`make_release` takes the modifications in order, the version
they are to be made on, and for each modification its base and the version steps from its base
to that version (the caller builds them from the corpus), and:

* rebases each modification onto the state the ones before it left
  (:func:`redline.rebase.rebase_modification`): per operation, applies as drafted, applies after
  rebasing, already made, conflict (with the version or the earlier modification and operation
  behind it) or obsolete;
* makes each modification that needs no human (all or nothing: a modification with a conflict
  is left out, and the release is not clean);
* lists every clause that two or more modifications touch (:class:`Overlap`), even when both
  apply: the Panel sees them side by side; two that change the same words are a conflict,
  whichever comes first;
* checks the cross-references of the consolidated text (what the release deletes or renumbers,
  and the references in the words it writes).

The release file (``corpus/releases/*.xml``, schema ``redline/schema/release.rng``) names the
modifications in order: :func:`parse_release` reads its bytes. Pure: versions and modifications
in, a :class:`ReleaseReport` out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from redline import xmlsafe
from redline.diff import ChangeKind
from redline.errors import AddressSyntaxError, ModificationError
from redline.history import MODIFICATION, Snapshot, Step, compose, made_at
from redline.model import Address, Version, normalise_space
from redline.rebase import ALREADY_MADE, CONFLICT, NEEDS_HUMAN, RebaseResult, footprints, rebase_modification, worst
from redline.textdiff import EQUAL
from redline.xref import map_address


# ---------------------------------------------------------------------------------------------
# the release file


@dataclass(frozen=True)
class ReleaseFile:
    """A release as its file gives it: an id, a title, the version it is planned onto (if it
    says) and the modifications in the order they are made."""

    id: str
    title: str
    modifications: tuple[str, ...]
    onto: str | None = None
    date: str | None = None
    lines: tuple[int | None, ...] = ()
    file: str | None = None


def parse_release(data: bytes, name: str = "<release>") -> ReleaseFile:
    """Parse and validate the bytes of a release file; a ModificationError names file and line."""
    from redline.corpus import schema

    if b"<!DOCTYPE" in data.upper():
        raise ModificationError("DOCTYPE declarations are not allowed", name, 1)
    tree = xmlsafe.parse_bytes(data, name, lambda msg, file=None, line=None: ModificationError(msg, file, line or 1))
    root = tree.getroot()
    if root.tag != "release":
        raise ModificationError(f"not a release file: the root element is <{root.tag}>, expected <release>",
                                name, root.sourceline)
    rng = schema("release")
    if not rng.validate(tree):
        err = next((e for e in rng.error_log if e.line), None)
        raise ModificationError(f"does not match the release schema: {err.message if err else 'invalid'}",
                                name, err.line if err else root.sourceline)
    refs = root.findall("modifications/modification")
    seen: dict[str, int] = {}
    for el in refs:
        ref = el.get("ref")
        if ref in seen:
            raise ModificationError(f"{ref} is listed twice (first at line {seen[ref]})", name, el.sourceline)
        seen[ref] = el.sourceline
    return ReleaseFile(root.get("id"), normalise_space(root.findtext("title")),
                       tuple(el.get("ref") for el in refs), root.get("onto"), root.findtext("date"),
                       tuple(el.sourceline for el in refs), name)


# ---------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class ModReport:
    """One modification of the release: its rebase, whether it was made, and the clauses it
    changed (as the consolidated version numbers them)."""

    modification: object  # redline.mods.Modification
    rebase: RebaseResult
    made: bool
    changed: tuple[Address, ...] = ()
    base: str = ""

    @property
    def id(self) -> str:
        return self.modification.id

    @property
    def status(self) -> str:
        return self.rebase.status


@dataclass(frozen=True)
class Overlap:
    """A clause that several modifications of the release touch: ``touches`` is (modification
    id, operation numbers (1-based), their worst status) for each, in release order;
    ``conflict`` says whether any of them clash there."""

    clause: Address
    touches: tuple[tuple[str, tuple[int, ...], str], ...]
    conflict: bool
    deleted: bool = False  # the clause is not in the consolidated version (deleted by the release)

    def to_dict(self) -> dict:
        return {"clause": str(self.clause), "conflict": self.conflict, "deleted": self.deleted,
                "modifications": [{"id": m, "operations": list(ops), "status": st} for m, ops, st in self.touches]}


@dataclass(frozen=True)
class ReleaseReport:
    """Everything a release run found (see the module docstring).

    ``version`` is the consolidated version (every modification made), or None when a
    modification needs a human; ``state`` is what was reached in any case (the modifications
    that could be made); ``address_map`` maps the addresses of ``onto`` to ``state``;
    ``steps`` are the modifications made, in order (for attribution).
    """

    onto: Version
    modifications: tuple[ModReport, ...]
    overlaps: tuple[Overlap, ...]
    state: Version
    steps: tuple[Step, ...]
    address_map: Mapping[Address, Address | None]
    references: tuple = ()  # redline.xref.Finding values for the consolidated text
    release: ReleaseFile | None = None
    references_checked: bool = False  # whether the cross-references of the consolidated text were checked

    @property
    def ok(self) -> bool:
        """Every modification made (or already made), and no broken cross-reference."""
        return not any(m.rebase.needs_human for m in self.modifications) and not self.reference_failures

    @property
    def reference_failures(self) -> tuple:
        return tuple(f for f in self.references if f.severity == "failure")

    @property
    def version(self) -> Version | None:
        return self.state if not any(m.rebase.needs_human for m in self.modifications) else None

    @property
    def status(self) -> str:
        return worst(m.status for m in self.modifications)

    def changed(self) -> dict[Address, list[str]]:
        """Clause (as the consolidated version numbers it) -> the modifications that changed it."""
        out: dict[Address, list[str]] = {}
        for m in self.modifications:
            for c in m.changed:
                out.setdefault(c, []).append(m.id)
        return out


# ---------------------------------------------------------------------------------------------
# the release


#: for a modification, its base version and the version steps from its base to the release's
#: version (empty when it is drafted against that version)
Trail = Callable[[object], tuple[Version, Sequence[Step]]]


def make_release(mods: Sequence, onto: Version, trail: Trail, *, new_id: str | None = None,
                 check_references: bool = True, release: ReleaseFile | None = None) -> ReleaseReport:
    """Make ``mods`` in order onto ``onto`` (see the module docstring). The consolidated version
    is called ``new_id`` (default ``<onto>+<release id>``, or ``<onto>+release``)."""
    state = onto
    view = onto  # the state so far as the steps see it (a Snapshot after the first modification)
    final_id = new_id or (f"{onto.id}+{release.id}" if release is not None else f"{onto.id}+release")
    steps: list[Step] = []
    reports: list[tuple] = []  # (mod, rebase result, index of the state it was rebased onto)
    for n, mod in enumerate(mods):
        base, vsteps = trail(mod)
        last = n == len(mods) - 1
        name = final_id if last else f"{onto.id}+{mod.id}"  # the release up to ``mod``
        res = rebase_modification(mod, base, list(vsteps) + steps, state, new_id=name, label=onto.id)
        at, made, changed = len(steps), res.applied is not None, ()
        if res.applied is not None:
            ar = res.applied
            # what the modification reached is kept as the clauses it changed on top of the state
            # before (a whole version per modification would hold a code's worth of trees each)
            snap = Snapshot.of(ar.version, view, (*ar.changed, *ar.reheaded), ar.address_map)
            steps.append(Step(MODIFICATION, mod.id, view, snap, ar.address_map, operations=footprints(res)))
            view, state, changed = snap, ar.version, tuple(ar.changed)
            res = dataclasses.replace(res, applied=None)
        reports.append((mod, res, at, base.id, changed, made))
    if steps and state.id != final_id:  # the last modification was not made: name what was reached
        state = _renamed(state, final_id)
    address_map = compose([s.address_map for s in steps])
    mod_reports = []
    for mod, res, at, base_id, changed, made in reports:
        final = tuple(c for c in (_forward(a, steps, at + 1) for a in changed) if c is not None)
        mod_reports.append(ModReport(mod, res, made, final, base_id))
    overlaps = _overlaps([r[:4] for r in reports], steps)
    references: tuple = ()
    if check_references and steps:
        from redline.xref import check_modification

        changed_all = sorted({c for m in mod_reports for c in m.changed}, key=lambda a: state.position(a) or (0, 0))
        references = tuple(_new_findings(onto, state, address_map,
                                         check_modification(onto, state, address_map, changed_all, "the release")))
    return ReleaseReport(onto, tuple(mod_reports), overlaps, state, tuple(steps), address_map, references, release,
                         references_checked=bool(check_references and steps))


def _new_findings(onto: Version, state: Version, address_map, findings):
    """The findings the release is answerable for: a broken reference in words it rewrote that
    was already broken in ``onto`` (the same reference, in the same node) is kept as a note."""
    import dataclasses

    from redline.xref import BROKEN, Citation, find_references, resolve, text_fields

    inverse = {new: old for old, new in address_map.items() if new is not None}
    for f in findings:
        if f.kind == "new-broken" and f.reference is not None:
            was = onto.find(inverse.get(f.holder, f.holder))
            if was is not None:
                before = [ref for _, text in text_fields(was) for ref in find_references(text, was.address)
                          if ref.text == f.reference.text]
                if before and all(resolve(onto, Citation(was.address, "text", ref)).status == BROKEN for ref in before):
                    yield dataclasses.replace(f, severity="note",
                                              message=f"{f.message} (already broken in {onto.id})")
                    continue
        yield f


def _renamed(version: Version, new_id: str) -> Version:
    return version.derive(new_id)


def _forward(a: Address | None, steps: Sequence[Step], start: int) -> Address | None:
    for step in steps[start:]:
        if a is None:
            return None
        a = map_address(a, step.address_map)
    return a


def _overlaps(reports, steps: Sequence[Step]) -> tuple[Overlap, ...]:
    """Clauses that two or more modifications touch, in release order of the first."""
    touched: dict[Address, dict[str, list]] = {}
    deleted: dict[Address, bool] = {}
    order: list[Address] = []
    for mod, res, at, _ in reports:
        for o in res.outcomes:
            for c in o.clauses:
                key, gone = _final_clause(c, steps, at)
                if key not in touched:
                    touched[key] = {}
                    order.append(key)
                deleted[key] = deleted.get(key, False) or gone
                outs = touched[key].setdefault(mod.id, [])
                if o not in outs:  # a renumbering touches its clause under both numbers
                    outs.append(o)
    out = []
    for key in order:
        by_mod = touched[key]
        if len(by_mod) < 2:
            continue
        ids = set(by_mod)
        rows = tuple((mid, tuple(o.index + 1 for o in outs), worst(o.status for o in outs))
                     for mid, outs in by_mod.items())
        conflict = any(o.status == CONFLICT and o.culprit_mod in ids for outs in by_mod.values() for o in outs)
        out.append(Overlap(key, rows, conflict, deleted[key]))
    return tuple(out)


def _final_clause(c: Address, steps: Sequence[Step], start: int) -> tuple[Address, bool]:
    """Where clause ``c`` (of the state after ``start`` steps) stands at the end, or where it
    last stood if the release deletes it (and True)."""
    a = c
    for step in steps[start:]:
        nxt = map_address(a, step.address_map)
        if nxt is None:
            return a, True
        a = nxt
    return a, False


__all__ = ["ReleaseFile", "parse_release", "ModReport", "Overlap", "ReleaseReport", "make_release", "compose",
           "ALREADY_MADE", "NEEDS_HUMAN"]


# ---------------------------------------------------------------------------------------------
# the release redline


def attribution(report: ReleaseReport) -> dict[tuple[str, Address], list[str]]:
    """Which modifications changed each clause: ("new", address in the consolidated version) or
    ("old", address in ``onto``) for a clause the release deletes -> modification ids, in order."""
    out: dict[tuple[str, Address], list[str]] = {}
    for m in report.modifications:
        for c in m.changed:
            out.setdefault(("new", c), []).append(m.id)
    for k, step in enumerate(report.steps):
        for old, new in step.address_map.items():
            if new is not None or old.kind != "clause":
                continue
            out.setdefault(("old", _backward(old, report.steps, k)), []).append(step.id)
    return out


def attributed(report: ReleaseReport, vdiff):
    """``vdiff`` (``onto`` -> the consolidated version) with every inserted or deleted span and
    every inserted or deleted node attributed to the modification that made it (``Span.by``):
    each field's words are followed through the release's steps, token by token, so that a
    clause changed by two modifications shows each one's words as its own."""
    from dataclasses import replace

    from redline.diff import NodeState

    steps = list(report.steps)
    clause_mods = attribution(report)

    def fallback(nd) -> str | None:
        c = (nd.new or nd.old).clause_address
        mods = clause_mods.get(("new", c)) if nd.new is not None else clause_mods.get(("old", c))
        return mods[0] if mods else None

    def whole(nd, by_of) -> object:
        by = by_of(nd) or fallback(nd)
        spans = lambda ss: tuple(replace(x, by=by) if x.kind != EQUAL else x for x in ss)  # noqa: E731
        return replace(nd, num=spans(nd.num), text=spans(nd.text), closing=spans(nd.closing),
                       children=tuple(whole(c, by_of) for c in nd.children))

    def node(nd):
        if nd.state == NodeState.INSERTED:
            return whole(nd, lambda n: _made_by(steps, n.new))
        if nd.state == NodeState.DELETED:
            return whole(nd, lambda n: _deleted_by(steps, n.old))
        if nd.state == NodeState.UNCHANGED:
            return nd
        text = _field_spans(steps, report.onto, nd, "text") or nd.text
        closing = _field_spans(steps, report.onto, nd, "closing") or nd.closing
        num = nd.num
        if any(x.kind != EQUAL for x in num):
            by = _renumbered_by(steps, nd.old) or fallback(nd)
            num = tuple(replace(x, by=by) if x.kind != EQUAL else x for x in num)
        out = replace(nd, num=num, text=text, closing=closing, children=tuple(node(c) for c in nd.children))
        if any(x.kind != EQUAL and x.by is None for x in (*out.text, *out.closing)):
            by = fallback(nd)
            fix = lambda ss: tuple(replace(x, by=by) if x.kind != EQUAL and x.by is None else x for x in ss)  # noqa: E731
            out = replace(out, text=fix(out.text), closing=fix(out.closing))
        return out

    changes = tuple(replace(c, diff=node(c.diff)) for c in vdiff.changes)
    return replace(vdiff, changes=changes)


def _made_by(steps: Sequence[Step], address: Address | None) -> str | None:
    """The step (modification) that brought the node now at ``address`` into being."""
    k = made_at(address, steps) if address is not None else None
    return steps[k].id if k is not None else None


def _deleted_by(steps: Sequence[Step], address: Address | None) -> str | None:
    """The step (modification) that deleted the node of ``onto`` at ``address``."""
    at = address
    for step in steps:
        if at is None:
            return None
        nxt = map_address(at, step.address_map)
        if nxt is None or step.after.find(nxt) is None:
            return step.id
        at = nxt
    return None


def _renumbered_by(steps: Sequence[Step], address: Address | None) -> str | None:
    """The step (modification) that last gave the node of ``onto`` at ``address`` a new number."""
    at, by = address, None
    for step in steps:
        if at is None:
            break
        nxt = map_address(at, step.address_map)
        if nxt != at:
            by = step.id
        at = nxt
    return by


def _field_spans(steps: Sequence[Step], onto: Version, nd, field: str):
    """The spans of one field of a paired node, each change split by the modification that made
    it (None when the field's history cannot be followed to the same words)."""
    from redline.history import field_words
    from redline.textdiff import DELETE, diff_text, tokenize

    spans = nd.text if field == "text" else nd.closing
    if not any(x.kind != EQUAL for x in spans):
        return None
    text = field_words(onto, nd.old, field) or ""
    toks = tokenize(text)
    entries: list[tuple[str, str | None, int | None]] = [(t, None, i) for i, t in enumerate(toks)]
    del_by: list[str | None] = [None] * len(toks)
    at: Address | None = nd.old
    for step in steps:
        nxt = map_address(at, step.address_map)
        if nxt is None:
            return None
        after = field_words(step.after, nxt, field) or ""
        if after != text:
            new_entries, i = [], 0
            for sp in diff_text(text, after):
                n = len(tokenize(sp.text))
                if sp.kind == EQUAL:
                    new_entries += entries[i:i + n]
                    i += n
                elif sp.kind == DELETE:
                    for _, _, k in entries[i:i + n]:
                        if k is not None:
                            del_by[k] = step.id
                    i += n
                else:
                    new_entries += [(t, step.id, None) for t in tokenize(sp.text)]
            entries = new_entries
        at, text = nxt, after
    if [t for t, _, _ in entries] != tokenize("".join(x.text for x in spans if x.kind != DELETE)):
        return None
    out = []
    i = j = 0  # positions in the old field's tokens and in the new field's tokens
    for sp in spans:
        stoks = tokenize(sp.text)
        if sp.kind == EQUAL:
            out.append(sp)
            i += len(stoks)
            j += len(stoks)
            continue
        if sp.kind == DELETE:
            bys = del_by[i:i + len(stoks)]
            i += len(stoks)
        else:
            bys = [b for _, b, _ in entries[j:j + len(stoks)]]
            j += len(stoks)
        out += _split(sp, stoks, bys)
    return tuple(out)


def _split(span, toks: list[str], bys: list[str | None]):
    """``span`` cut where the modification behind its tokens changes (spaces go with the words
    before them)."""
    from dataclasses import replace

    last = None
    fixed = []
    for t, b in zip(toks, bys):
        if b is None and t.isspace():
            b = last
        fixed.append(b)
        last = b if b is not None else last
    first = next((b for b in fixed if b is not None), None)
    fixed = [b if b is not None else first for b in fixed]
    out: list = []
    for t, b in zip(toks, fixed):
        if out and out[-1][1] == b:
            out[-1][0] += t
        else:
            out.append([t, b])
    return [replace(span, text=t, by=b) for t, b in out]


def release_cover(report: ReleaseReport, code: str = "SEC", title: str = "Smart Energy Code"):
    """The cover of a release redline: which release, onto which version, which modifications."""
    from redline.annex import Cover
    from redline.rebase import STATUS_LABELS

    rel = report.release
    reference = f"Release {rel.id}" if rel is not None else f"Release onto {code} {report.onto.id}"
    heading = rel.title if rel is not None and rel.title else \
        "Modifications made together: " + ", ".join(m.id for m in report.modifications)
    about = [f"This document shows the changes to the {title} that the modifications of this release make "
             f"to {code} Version {report.onto.id}, in the order they are made. Each change is attributed to the "
             "modification that makes it (in Word, each tracked change is authored by its modification), and the "
             "summary of changes names the modifications that change each clause."]
    for m in report.modifications:
        about.append(f"{m.id} ({m.modification.title}), drafted against {code} Version {m.base}: "
                     f"{STATUS_LABELS[m.status]}"
                     + ("" if m.made else
                        f" (its changes are already in {code} Version {report.onto.id}, so it changes nothing here)"
                        if m.status == ALREADY_MADE else "; not included in this document"))
    return Cover(reference, heading, "Release redline", f"{code} Version {report.onto.id} with the release made",
                 tuple(about), date=rel.date if rel is not None else None)


def release_instructions(report: ReleaseReport) -> dict[str, list]:
    """Section letter -> the drafting instructions of every modification made, in release order,
    each prefixed by its modification's id ("MP087: Amend Section G3.20 as follows:") and
    governing the clauses it touches as the consolidated version numbers them (or, for a
    deletion, as ``onto`` did), so that the redline prints it just before its text."""
    from redline.annex import Instruction, drafting_instructions

    steps = list(report.steps)
    at = {s.id: k for k, s in enumerate(steps)}
    out: dict[str, list] = {}
    for m in report.modifications:
        if not m.made or m.id not in at:
            continue
        k = at[m.id]
        for letter, ins in drafting_instructions(m.rebase.modification):
            governs = []
            for side, a in ins.governs:
                if side == "new":
                    final = _forward(a, steps, k + 1)
                    if final is not None:
                        governs.append(("new", final))
                else:
                    governs.append(("old", _backward(a, steps, k)))
            out.setdefault(letter, []).append(Instruction(f"{m.id}: {ins.text}", tuple(governs)))
    return out


def _backward(a: Address, steps: Sequence[Step], k: int) -> Address:
    """Address ``a`` of the state before step ``k`` as ``onto`` gives it."""
    for prev in reversed(steps[:k]):
        inverse = {v: key for key, v in prev.address_map.items() if v is not None}
        a = map_address(a, inverse)
    return a


def release_redline(report: ReleaseReport, *, context: str = "group", date: str | None = None,
                    code: str = "SEC", title: str = "Smart Energy Code"):
    """One redline of all the changes the release makes to ``onto`` (:class:`redline.annex.Redline`):
    the drafting instructions of every modification made, section by section, prefixed by its
    id; a summary table naming the modifications that change each clause; the cross-reference
    findings and the modifications left out as notes."""
    from dataclasses import replace

    from redline.annex import build_redline, coverage_notes
    from redline.diff import diff_versions
    from redline.rebase import STATUS_LABELS

    vdiff = attributed(report, diff_versions(report.onto, report.state, address_map=dict(report.address_map)))
    instructions = release_instructions(report)
    targets: set[Address] = {c.address for c in vdiff.changes}
    for m in report.modifications:
        if m.made:
            targets.update(m.changed)
    notes = list(coverage_notes(vdiff))
    for m in report.modifications:
        if not m.made and m.status != ALREADY_MADE:
            notes.append(f"{m.id} is not included: {STATUS_LABELS[m.status]} (see the release report).")
    if report.references_checked:
        failures = report.reference_failures
        notes.append("Cross-references of the consolidated text checked: "
                     + (f"{len(failures)} broken." if failures else "none broken."))
    notes += [f"Cross-reference: {f.message}" for f in report.references]
    # the words the release writes are its modifications' own: only the base's inferred text is told
    red = build_redline(report.onto, report.state, vdiff, release_cover(report, code, title),
                        instructions=instructions, targets=targets, context=context,
                        author=report.release.id if report.release is not None else "release", date=date,
                        notes=tuple(notes), provenance_sides=("old",))
    who = attribution(report)
    rows = []
    for row in red.summary:
        side = "old" if row.change == ChangeKind.DELETED else "new"
        try:
            mods = who.get((side, Address.parse(row.address)), [])
        except AddressSyntaxError:  # a row whose address is not one (a heading's words)
            mods = []
        rows.append(replace(row, by=tuple(mods)) if mods else row)
    return replace(red, summary=tuple(rows))
