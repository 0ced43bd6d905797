"""Commands for modifications made together and for history: ``release``, ``rebase`` and ``log``.

Thin layer: arguments → corpus (versions, the version steps between a modification's base and the
version it is made on, the manifest's record of which modifications made each version) → the
pure core (:mod:`redline.release`, :mod:`redline.rebase`, :mod:`redline.history`) → text, JSON or
GitHub annotations → an atomic write. Exit codes: 0 everything applies; 1 a conflict, an obsolete
operation, a modification that does not apply to its base or a broken cross-reference (nothing is
written); 2 bad usage or input.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from redline.cli.common import (
    check_new_version_id,
    OUTPUT_PATH,
    InputError,
    corpus_option,
    display_path,
    date_option,
    format_option,
    handle_errors,
    load_modification,
    valid_date,
    write_output,
)
from redline.gcpause import gc_paused
from redline.errors import ModificationError, UnknownVersion



# ---------------------------------------------------------------------------------------------
# the corpus side: versions, lineages, steps


def recorded_modifications(info) -> tuple[str, ...]:
    """The modifications the manifest says made a version (none if it does not say)."""
    mods = getattr(info, "modifications", None)
    if mods:
        return tuple(mods)
    one = getattr(info, "modification", None)
    return tuple(m for m in re.split(r"[\s,]+", one) if m) if one else ()


def lineage(corpus, version_id: str) -> list[str]:
    """``version_id`` and its predecessors, oldest first."""
    out = []
    at: str | None = version_id
    while at is not None:
        out.append(at)
        at = corpus.info(at).predecessor
    return out[::-1]


def _load(corpus, version_id: str, what: str):
    try:
        return corpus.load(version_id)
    except UnknownVersion as exc:
        raise InputError(f"{what}: {exc}") from None


class _Trails:
    """For each modification: its base and the version steps from its base to ``onto`` (along
    the manifest's predecessors when ``onto`` descends from the base; else one step between
    the two). Steps are built once per pair of versions."""

    def __init__(self, corpus, onto: str):
        self.corpus, self.onto = corpus, onto
        self._steps: dict[tuple[str, str], object] = {}

    def _step(self, before: str, after: str, title: bool = False):
        from dataclasses import replace

        from redline.history import version_step

        key = (before, after)
        if key not in self._steps:
            info = self.corpus.info(after)
            step = version_step(self.corpus.load(before), self.corpus.load(after), recorded_modifications(info))
            if title:  # not a version made from the other: say what the step is
                step = replace(step, modifications=(), id=f"{after} (compared with {before})")
            self._steps[key] = step
        return self._steps[key]

    def __call__(self, mod):
        base = _load(self.corpus, mod.base, f"the base of {mod.id}")
        if mod.base == self.onto:
            return base, []
        chain = lineage(self.corpus, self.onto)
        if mod.base in chain:
            path = chain[chain.index(mod.base):]
            return base, [self._step(a, b) for a, b in zip(path, path[1:])]
        return base, [self._step(mod.base, self.onto, title=True)]


def _save_version(corpus, version, predecessor: str, modifications: tuple[str, ...], note: str,
                  date: str | None = None) -> None:
    """Add ``version`` to the corpus (one transaction: all or nothing, under the corpus lock),
    recording the modifications that made it."""
    from redline.errors import CorpusError

    try:
        with corpus.transaction() as tx:
            tx.add_version(version, predecessor=predecessor, modifications=modifications, note=note, date=date)
    except CorpusError as exc:
        if exc.detail == f"version {version.id} already exists":  # another writer took the id meanwhile
            raise click.UsageError(f"version {version.id} already exists in the corpus") from None
        raise


# ---------------------------------------------------------------------------------------------
# release


def _release_file(corpus, name: str):
    """The release file ``name`` (a path, or an id in ``corpus/releases/``), or None if ``name``
    is not one."""
    from redline import fsio
    from redline.cli.common import register_input
    from redline.release import parse_release

    path = Path(name)
    candidates = [path] if (name.endswith(".xml") or "/" in name) else [corpus.root / "releases" / f"{name}.xml"]
    for p in candidates:
        if not p.is_file():
            continue
        try:
            data = fsio.read_input(p, limit="modification", what="release file", error=ModificationError)
        except ModificationError as exc:
            raise InputError(str(exc)) from None
        register_input(p)
        if b"<release" not in data[:2000]:
            return None
        try:
            return parse_release(data, str(p))
        except ModificationError as exc:
            raise InputError(str(exc)) from None
    return None


@click.command("release")
@click.argument("names", nargs=-1, required=True, metavar="MOD... | RELEASE")
@click.option("--onto", metavar="VERSION", help="The version the release is made on (default: the release "
                                                "file's, else the newest version of the corpus).")
@click.option("--as", "new_id", metavar="NEW_VERSION",
              help="Write the consolidated version to the corpus under this id (only if everything applies).")
@format_option("text", "json", "github")
@click.option("--redline", "redline_fmt", type=click.Choice(["docx", "html"]),
              help="Also render one redline of all the release's changes against VERSION (needs -o).")
@click.option("--style", type=click.Choice(["tracked", "markup"]), default="tracked", show_default=True,
              help="DOCX redline: Word tracked changes (each authored by its modification) or mark-up.")
@date_option("today")
@click.option("-o", "--output", type=OUTPUT_PATH, default=None, metavar="FILE",
              help="Where to write the --redline document (atomically; '-' for stdout).")
@corpus_option
@handle_errors
@gc_paused
def release_cmd(corpus, names, onto, new_id, fmt, redline_fmt, style, date, output):
    """Make several modifications together, in order, onto one version, and report.

    Give the modifications (ids from corpus/mods/ or paths) in the order they are made, or one
    release file (an id from corpus/releases/ or a path) that lists them. Each modification is
    rebased onto the version as the ones before it left it, and each of its operations is
    reported: applies as drafted; applies after rebasing (its target renumbered or moved since
    its base, or words around the ones it changes changed: from what to what, through which
    version or earlier modification); already made; conflict (the words it changes were changed
    since its base or by an earlier modification: which, with the word diff); obsolete (its
    target was deleted). Clauses that several modifications touch are listed even when all
    apply, and the cross-references of the consolidated text are checked.

    Exit status: 0 everything applies; 1 any conflict, obsolete operation or broken reference
    (then --as writes nothing; a --redline document is still written, showing what could be made
    and naming what was left out); 2 bad usage or input.

    \b
    Example:
      redline release SECMP0065 MP087 --onto 6.17
      redline release 2019-11 --as 6.18
      redline release corpus/releases/2019-11.xml --format json
      redline release 2019-11 --redline docx -o release-redline.docx
    """
    from redline.release import make_release

    if (redline_fmt is None) != (output is None):
        raise click.UsageError("--redline FORMAT and -o FILE go together")
    rfile = _release_file(corpus, names[0]) if len(names) == 1 else None
    if rfile is not None:
        refs = rfile.modifications
        onto = onto or rfile.onto
    else:
        refs = names
    onto = onto or corpus.version_ids[-1]
    if onto not in corpus.version_ids:
        raise click.UsageError(f"--onto: unknown version {onto!r}; the corpus holds: {', '.join(corpus.version_ids)}")
    if new_id is not None:
        check_new_version_id(corpus, new_id)
    mods = []
    seen: dict[str, str] = {}
    for ref in refs:
        if rfile is not None and ("/" in ref or ref.endswith(".xml")):
            mod = load_modification(corpus, Path(rfile.file).parent / ref)
        else:
            mod = load_modification(corpus, ref)
        if mod.id in seen:
            raise click.UsageError(f"{mod.id} is given twice")
        seen[mod.id] = ref
        mods.append(mod)
    report = make_release(mods, _load(corpus, onto, "--onto"), _Trails(corpus, onto), new_id=new_id, release=rfile)
    _print_report(report, fmt)
    if redline_fmt is not None:
        _write_release_redline(report, redline_fmt, style, date, output)
    if new_id is not None:
        if report.ok:
            made = tuple(m.id for m in report.modifications if m.made)
            title = f"release {rfile.id}" if rfile is not None else "a release"
            _save_version(corpus, report.version, onto, made,
                          f"{onto} with {title} made: {', '.join(made) or 'no change'}.",
                          rfile.date if rfile is not None and rfile.date and valid_date(rfile.date) else None)
            click.echo(f"added version {new_id} to {corpus.root} (made by {', '.join(made) or 'nothing new'})",
                       err=True)
        else:
            click.echo(f"version {new_id} not written: the release does not apply cleanly", err=True)
    if not report.ok:
        click.get_current_context().exit(1)


def _write_release_redline(report, fmt: str, style: str, date: str | None, output: Path) -> None:
    from redline.release import release_redline

    when = date if date and valid_date(date) else None
    red = release_redline(report, date=when)
    if fmt == "html":
        from redline.render.html import render_html
        from redline.render.links import redline_annotator

        data = render_html(red, annotate=redline_annotator(red, (report.state, report.onto)))
    else:
        from redline.render.docx import render_docx

        data = render_docx(red, style)
    write_output(data, output)


# --- the report -------------------------------------------------------------------------------


def report_dict(report) -> dict:
    """The release report as JSON-ready data (``--format json``; see docs/releases.md)."""
    return {
        "format": "redline-release",
        "format_version": 1,
        "release": report.release.id if report.release is not None else None,
        "onto": report.onto.id,
        "ok": report.ok,
        "status": report.status,
        "version": report.version.id if report.version is not None else None,
        "modifications": [
            {"id": m.id, "base": m.base, "file": display_path(m.modification.file), "status": m.status,
             "made": m.made, "changed": [str(c) for c in m.changed],
             "operations": [dict(o.to_dict(), line=m.modification.line_of(o.index)) for o in m.rebase.outcomes]}
            for m in report.modifications],
        "overlaps": [o.to_dict() for o in report.overlaps],
        "references": [f.to_dict() for f in report.references],
    }


def _print_report(report, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(report_dict(report), indent=2, ensure_ascii=False))
        return
    if fmt == "github":
        for line in _annotations(report):
            click.echo(line)
    for line in report_lines(report):
        click.echo(line)


#: how a count of modifications with each status reads
_COUNTED = {"as-drafted": "as drafted", "rebased": "after rebasing", "already-made": "already made",
            "conflict": "in conflict", "obsolete": "obsolete", "broken": "not applying to their base"}


def report_lines(report) -> list[str]:
    """The release report as text: per modification, then overlaps, references and the result."""
    from redline.rebase import AS_DRAFTED, STATUS_LABELS, STATUSES

    out = []
    title = f"Release {report.release.id} ({report.release.title})" if report.release is not None else "Release"
    out.append(f"{title} onto {report.onto.id}: {len(report.modifications)} modification(s), in this order")
    width = max((len(m.id) for m in report.modifications), default=0) + 2
    for m in report.modifications:
        counts: dict[str, int] = {}
        for o in m.rebase.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        n = len(m.rebase.outcomes)
        tally = ", ".join(f"{counts[s]} {_COUNTED[s]}" for s in STATUSES if s in counts)
        drafted = f" (drafted against {m.base})" if m.base != report.onto.id else ""
        out.append(f"  {m.id:<{width}}{STATUS_LABELS[m.status]}{drafted}"
                   + (f"  [{n} operations: {tally}]" if n > 1 else ""))
        for o in m.rebase.outcomes:
            if o.status == AS_DRAFTED:
                continue
            out.append(f"    operation {o.index + 1} ({o.instruction}): {o.label}"
                       + (f": {o.message}" if o.message else ""))
            for d in o.details:
                out.append(f"      {d}")
            if o.rebased is not None and o.status != AS_DRAFTED and o.rebased.instruction() != o.instruction:
                out.append(f"      as rebased: {o.rebased.instruction()}")
    out.append("")
    if report.overlaps:
        out.append("Clauses touched by more than one modification:")
        for ov in report.overlaps:
            who = "; ".join(f"{mid} operation{'s' if len(ops) > 1 else ''} {', '.join(map(str, ops))} "
                            f"({STATUS_LABELS[st]})" for mid, ops, st in ov.touches)
            flag = "  CONFLICT" if ov.conflict else ""
            gone = " (deleted by the release)" if ov.deleted else ""
            out.append(f"  {ov.clause}{gone}: {who}{flag}")
    else:
        out.append("No clause is touched by more than one modification.")
    fails = report.reference_failures
    notes = [f for f in report.references if f.severity != "failure"]
    if report.modifications and any(m.made for m in report.modifications):
        if fails:
            out.append(f"Cross-references of the consolidated text: {len(fails)} broken")
            out += [f"  {f.message}" for f in fails]
        else:
            out.append("Cross-references of the consolidated text: none broken"
                       + (f" ({len(notes)} note(s))" if notes else ""))
        out += [f"  note: {f.message}" for f in notes]
    counts: dict[str, int] = {}
    for m in report.modifications:
        counts[m.status] = counts.get(m.status, 0) + 1
    summary = ", ".join(f"{counts[s]} {_COUNTED[s]}" for s in STATUSES if s in counts)
    if report.ok:
        out.append(f"Result: the release applies ({summary}).")
    else:
        out.append(f"Result: the release does not apply cleanly ({summary}"
                   + (f"; {len(fails)} broken reference(s)" if fails else "") + "): a human must decide.")
    return out


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotations(report) -> list[str]:
    """GitHub workflow commands: an error per operation that needs a human, a notice per
    rebased or already made one and per overlap."""
    from redline.rebase import AS_DRAFTED, NEEDS_HUMAN, STATUS_LABELS

    out = []
    for m in report.modifications:
        for o in m.rebase.outcomes:
            if o.status == AS_DRAFTED:
                continue
            level = "error" if o.status in NEEDS_HUMAN else "notice"
            props = []
            if m.modification.file:
                props.append(f"file={_escape_property(display_path(m.modification.file))}")
            line = m.modification.line_of(o.index)
            if line:
                props.append(f"line={line}")
            props.append(f"title={_escape_property(f'{m.id} operation {o.index + 1}: {o.label}')}")
            msg = o.message + "".join(f"\n{d}" for d in o.details)
            out.append(f"::{level} {','.join(props)}::{_escape_data(msg or o.label)}")
    by_id = {m.id: m.modification for m in report.modifications}
    for ov in report.overlaps:
        who = "; ".join(f"{mid} operation{'s' if len(ops) > 1 else ''} {', '.join(map(str, ops))} ({STATUS_LABELS[st]})"
                        for mid, ops, st in ov.touches)
        level = "error" if ov.conflict else "notice"
        # shown on the last modification to touch the clause, at its first operation there
        last_id, last_ops, _ = ov.touches[-1]
        mod = by_id.get(last_id)
        props = []
        if mod is not None and mod.file:
            props.append(f"file={_escape_property(display_path(mod.file))}")
            line = mod.line_of(last_ops[0] - 1) if last_ops else None
            if line:
                props.append(f"line={line}")
        title = f"{'conflict' if ov.conflict else 'overlap'} in {ov.clause}: " + ", ".join(t[0] for t in ov.touches)
        props.append(f"title={_escape_property(title)}")
        out.append(f"::{level} {','.join(props)}::{_escape_data(who)}")
    for f in report.reference_failures:
        out.append(f"::error title={_escape_property(f'reference in {f.holder}')}::{_escape_data(f.message)}")
    return out


# ---------------------------------------------------------------------------------------------
# rebase


@click.command("rebase")
@click.argument("mod", metavar="MOD")
@click.option("--onto", metavar="VERSION", required=True, help="The version to redraft the modification against.")
@click.option("-o", "--output", type=OUTPUT_PATH, required=True, metavar="FILE",
              help="Where to write the redrafted modification file (atomically; '-' for stdout; never an "
                   "input or a file of the corpus).")
@format_option("text", "json")
@corpus_option
@handle_errors
def rebase_cmd(corpus, mod, onto, output, fmt):
    """Redraft modification MOD against a newer version and write it to -o.

    Addresses follow every renumbering and move since the modification's base, the old words it
    quotes are brought up to date where the change since is outside the words it changes, and
    cross-references in its new words follow their targets. Operations whose change is already
    made are left out. Where a human must decide (the words it changes were changed since, its
    target was deleted) nothing is written: the report says why.

    Exit status: 0 written; 1 refused (a conflict, an obsolete operation, or nothing left to
    make); 2 bad usage or input.

    \b
    Example:
      redline rebase MP087 --onto 6.18 -o MP087-6.18.xml
      redline rebase corpus/mods/SECMP0065.xml --onto 6.17 -o - --format json
    """
    from redline.mods import modification_to_xml
    from redline.rebase import rebase_modification

    if onto not in corpus.version_ids:
        raise click.UsageError(f"--onto: unknown version {onto!r}; the corpus holds: {', '.join(corpus.version_ids)}")
    modification = load_modification(corpus, mod)
    base, steps = _Trails(corpus, onto)(modification)
    result = rebase_modification(modification, base, steps, _load(corpus, onto, "--onto"))
    lines = _rebase_lines(modification, result)
    if fmt == "json":
        data = {"format": "redline-rebase", "format_version": 1, "modification": modification.id,
                "base": modification.base, "onto": onto, "status": result.status,
                "written": result.modification is not None and str(output) != "-",
                "operations": [dict(o.to_dict(), line=modification.line_of(o.index)) for o in result.outcomes]}
        report = json.dumps(data, indent=2, ensure_ascii=False)
    else:
        report = "\n".join(lines)
    to_stdout = str(output) == "-"
    if result.modification is None:
        click.echo(report, err=to_stdout)
        why = ("every change it makes is already made in " + onto) if not result.needs_human else \
            "a human must decide (see above)"
        click.echo(f"not written: {why}", err=True)
        click.get_current_context().exit(1)
    xml = modification_to_xml(result.modification)
    note = (f"<!-- {modification.id} rebased from {modification.base} onto {onto} by redline rebase "
            f"(was {display_path(modification.file) or modification.id}). -->\n").encode("utf-8")
    head, _, rest = xml.partition(b"\n")
    write_output(head + b"\n" + note + rest, output)
    click.echo(report, err=to_stdout)
    if not to_stdout:
        click.echo(f"wrote {output}", err=True)


def _rebase_lines(modification, result) -> list[str]:
    from redline.rebase import AS_DRAFTED, STATUS_LABELS

    out = [f"{modification.id} (drafted against {modification.base}) onto {result.onto}: "
           f"{STATUS_LABELS[result.status]}"]
    for o in result.outcomes:
        line = f"  operation {o.index + 1} ({o.instruction}): {o.label}" + (f": {o.message}" if o.message else "")
        out.append(line)
        for d in o.details:
            out.append(f"    {d}")
        if o.rebased is not None and o.status != AS_DRAFTED and o.rebased.instruction() != o.instruction:
            out.append(f"    as rebased: {o.rebased.instruction()}")
    return out


# ---------------------------------------------------------------------------------------------
# log


def section_source(corpus):
    """A :class:`redline.history.SectionSource` reading one section file per version."""
    from redline.history import SectionSource

    return SectionSource(corpus.load_section, corpus.section_file)


@click.command("log")
@click.argument("address")
@click.option("--in", "at", metavar="VERSION",
              help="The version whose numbering ADDRESS is in (default: the newest version holding it).")
@format_option("text", "json")
@corpus_option
@handle_errors
def log_cmd(corpus, address, at, fmt):
    """List the history of a clause or an item, version by version.

    For every version of the lineage (the version --in and its predecessors, and the versions
    made from it after), whether ADDRESS changed, how (added, amended with the word diff,
    renumbered from, moved from, deleted) and by which modification, where the manifest records
    it. The node is followed through renumberings: G3.21 in 6.18 may be G3.20 in 6.17.

    \b
    Example:
      redline log G1.10
      redline log 'G3.20(b)' --format json
      redline log G3.21 --in 6.18
    """
    from redline.errors import UnknownAddress
    from redline.history import address_log
    from redline.model import Address

    addr = Address.parse(address)
    source = section_source(corpus)
    chain, at = _lineage_for(corpus, addr, at, source)
    mods = {v: recorded_modifications(corpus.info(v)) for v in chain}
    if source.tree(at, addr.section).find(addr) is None:
        v = source.version(at, addr.section)
        raise UnknownAddress(str(addr), at, v.suggest(addr) if v.sections else [])
    entries = address_log(chain, addr, at, source, mods)
    if fmt == "json":
        click.echo(json.dumps({"format": "redline-log", "format_version": 1, "address": str(addr), "in": at,
                               "versions": [e.to_dict() for e in entries]}, indent=2, ensure_ascii=False))
        return
    for line in log_lines(addr, at, entries):
        click.echo(line)


def _lineage_for(corpus, addr, at: str | None, source) -> tuple[list[str], str]:
    """The lineage to show (oldest first) and the version ADDRESS is read in."""
    if at is not None:
        if at not in corpus.version_ids:
            raise click.UsageError(f"--in: unknown version {at!r}; the corpus holds: {', '.join(corpus.version_ids)}")
        chain = lineage(corpus, at)
        chain += _descendants(corpus, at)
        return chain, at
    newest = corpus.version_ids[-1]
    chain = lineage(corpus, newest)
    for vid in reversed(chain):
        if source.tree(vid, addr.section).find(addr) is not None:
            return chain, vid
    raise click.ClickException(f"{addr} is not held by any version of the lineage of {newest} "
                               f"({', '.join(chain)}); give --in VERSION")


def _descendants(corpus, vid: str) -> list[str]:
    """The versions made from ``vid`` after it, following the newest child at each step."""
    out = []
    at = vid
    while True:
        kids = [v.id for v in corpus.versions if v.predecessor == at]
        if not kids:
            return out
        at = kids[-1]
        out.append(at)


def log_lines(addr, at: str, entries) -> list[str]:
    from redline.history import ABSENT, ADDED_HERE, AMENDED, DELETED_HERE, FIRST_HELD, MOVED_FROM, NOT_HELD, \
        RENUMBERED_FROM, UNCHANGED

    out = [f"History of {addr} (as {at} numbers it)"]
    vw = max(len(e.version) for e in entries) + 2
    for e in entries:
        by = f" by {', '.join(e.modifications)}" if e.modifications else ""
        where = str(e.address) if e.address else ""
        if e.status == FIRST_HELD:
            what = f"{where}: held (the oldest version holding it: its words may be older)"
        elif e.status == ADDED_HERE:
            what = f"{where}: added{by}"
        elif e.status == UNCHANGED:
            what = f"{where}: unchanged"
        elif e.status == AMENDED:
            what = f"{where}: amended{by}"
        elif e.status == RENUMBERED_FROM:
            what = f"{where}: renumbered from {e.previous}{by}" + (", and amended" if e.diff else "")
        elif e.status == MOVED_FROM:
            what = f"{where}: moved from {e.previous}{by}" + (", and amended" if e.diff else "")
        elif e.status == DELETED_HERE:
            what = f"deleted{by} (it was {e.previous})"
        elif e.status == ABSENT:
            what = "not in this version"
        else:
            assert e.status == NOT_HELD
            what = "not held by the corpus in this version"
        out.append(f"  {e.version:<{vw}}{what}")
        if e.diff:
            out.append(f"  {'':<{vw}}  {e.diff}")
    return out


# ---------------------------------------------------------------------------------------------
# show --blame


def blame_for(corpus, version: str, addr):
    """The blame of ``addr`` as ``version`` holds it (see :func:`redline.history.blame`)."""
    from redline.history import blame

    chain = lineage(corpus, version)
    mods = {v: recorded_modifications(corpus.info(v)) for v in chain}
    return blame(chain, addr, section_source(corpus), mods)


def blame_lines(node, width: int = 88) -> list[str]:
    """Each node's words, one run per line, after the label of the version that wrote them."""
    import textwrap

    runs = list(_all_runs(node))
    lw = max((len(r.origin.label()) for _, r in runs if r is not None), default=0) + 2
    out = []
    for label, run in runs:
        if run is None:
            out.append(label)
            continue
        body = textwrap.wrap(run.text.strip(), width=max(30, width - lw - 2)) or [""]
        out.append(f"  {run.origin.label():<{lw}}{body[0]}")
        out += [f"  {'':<{lw}}{b}" for b in body[1:]]
    return out


def _all_runs(node, depth: int = 0):
    head = str(node.address)
    if node.num_origin is not None and not node.num_origin.first:
        head += f"  (numbered so since {node.num_origin.label()})"
    yield "  " * depth + head, None
    for r in node.text:
        yield None, r
    for c in node.children:
        yield from _all_runs(c, depth + 1)
    if node.closing:
        yield "  " * depth + f"{node.address} (closing words)", None
        for r in node.closing:
            yield None, r
