"""Commands that work with modifications: ``apply`` and ``check``.

Exit codes: 0 success; 1 a modification does not apply (or a check fails); 2 bad usage or an
unreadable modification file (``ModificationError``).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import click

from redline.cli.common import (
    check_new_version_id,
    InputError,
    OUTPUT_PATH,
    corpus_option,
    display_path,
    format_option,
    handle_errors,
    jobs_option,
    load_base,
    load_modification,
    write_files,
    write_output,
)
from redline.gcpause import gc_paused
from redline.errors import ModificationError


# ---------------------------------------------------------------------------------------------
# apply


@click.command("apply")
@click.argument("mod", metavar="MOD")
@click.option("--onto", metavar="VERSION", help="Apply to this version instead of the modification's base.")
@click.option("-o", "--output", type=OUTPUT_PATH, default=None, metavar="PATH",
              help="Write the resulting section file (a directory when several sections change; '-' for stdout).")
@click.option("--as", "new_id", metavar="NEW_VERSION", help="Add the result to the corpus as this new version.")
@corpus_option
@handle_errors
def apply_cmd(corpus, mod, onto, output, new_id):
    """Apply modification MOD (an id from corpus/mods/ or a path) and write the new text.

    MOD is applied to the version it is drafted against, or onto --onto VERSION. Every failure
    is reported (unknown clause, expected words not found, ambiguous phrase, position taken,
    base mismatch) and nothing is written unless the whole modification applies.

    With -o FILE the changed section is written as corpus XML (one file per section: if the
    modification changes several sections, -o names a directory that receives G.xml, A.xml …).
    With --as NEW_VERSION the whole result becomes a new version of the corpus, recorded in the
    manifest after the version it was applied to.

    \b
    Example:
      redline apply MP087 -o G-6.17-mp087.xml
      redline apply MP087 --as 6.17-mp087
      redline apply corpus/mods/SECMP0065.xml --onto 5.23 -o out/
    """
    from redline.apply import apply_modification

    if (output is None) == (new_id is None):
        raise click.UsageError("give exactly one of -o FILE and --as NEW_VERSION")
    if new_id is not None:
        check_new_version_id(corpus, new_id)
    modification = load_modification(corpus, mod)
    version = load_base(corpus, modification, onto)
    result = apply_modification(version, modification, new_id, onto=onto is not None and onto != modification.base)
    headings = any(getattr(op, "field", None) in ("heading", "crossheading") for op in modification.operations)
    changed = ", ".join(str(a) for a in result.changed) or ("no clause's words (headings only)" if headings
                                                              else "no clause")
    if new_id is not None:
        from redline.errors import CorpusError

        try:
            with corpus.transaction() as tx:  # under the lock: the manifest as it is now
                tx.add_version(result.version, predecessor=version.id, modifications=(modification.id,),
                               note=f"{version.id} with {modification.id} ({modification.title}) applied.")
        except CorpusError as exc:
            if exc.detail == f"version {new_id} already exists":  # another writer took the id meanwhile
                raise click.UsageError(f"version {new_id} already exists in the corpus") from None
            raise
        click.echo(f"{modification.id} applied to {version.id}: changed {changed}; "
                   f"added version {new_id} to {corpus.root}", err=True)
        return
    wrote = _write_sections(result.version, modification.sections, output)
    click.echo(f"{modification.id} applied to {version.id}: changed {changed}; wrote {wrote}", err=True)


def _write_sections(version, letters: list[str], output: Path) -> str:
    """Write the sections ``letters`` of ``version`` to ``output`` (see ``apply --help``)."""
    from redline.xmlsafe import serialise

    letters = [s for s in letters if s in version.sections] or list(version.sections)
    files = {s: serialise(version.sections[s]) for s in letters}
    if str(output) == "-":
        if len(files) != 1:
            raise click.UsageError(f"the modification changes Sections {', '.join(files)}: "
                                   "-o must name a directory, not '-'")
        write_output(next(iter(files.values())), None)
        return "stdout"
    from redline.fsio import is_dir

    if len(files) == 1 and not is_dir(output):
        write_output(next(iter(files.values())), output)
        return str(output)
    if os.path.lexists(output) and not is_dir(output):
        raise click.UsageError(f"the modification changes Sections {', '.join(files)}: "
                               f"-o must name a directory, and {output} is a file")
    written = write_files(output, {f"{s}.xml": data for s, data in files.items()})
    return ", ".join(str(output / p.name) for p in written)


# ---------------------------------------------------------------------------------------------
# check


def _github_errors(fn):
    """With ``--format github``, an error that stops the command (no corpus, nothing to check,
    bad usage) is also printed as a workflow annotation, so that it shows on the run's summary."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except click.ClickException as exc:
            if kwargs.get("fmt") == "github":
                click.echo(f"::error title=redline check::{_escape_data(exc.format_message())}")
            raise

    return wrapper


@click.command("check")
@click.argument("mod_names", nargs=-1, metavar="[MOD]...")
@click.option("--onto", metavar="VERSION", help="Also apply each modification onto this version.")
@click.option("--mods-dir", "mods_dir", type=click.Path(file_okay=False, path_type=Path), envvar="REDLINE_MODS_DIR",
              default=None, help="Directory of the modification files (default: the corpus's mods/; "
                                 "env REDLINE_MODS_DIR), for modifications kept apart from the corpus.")
@click.option("--allow-empty", is_flag=True,
              help="Succeed when there is no modification to check (without it, that is an error, exit 2).")
@jobs_option("Check the modifications")
@format_option("text", "json", "github")
@_github_errors
@corpus_option
@handle_errors
@gc_paused
def check_cmd(corpus, mod_names, onto, mods_dir, allow_empty, fmt, jobs):
    """Check that each modification applies to its base and gives a valid version.

    MOD is an id or a path; with none, every *.xml file of the modifications directory is checked:
    the corpus's mods/, or --mods-dir DIR for a repository of modification files kept apart from
    the corpus (each is checked against the corpus's versions: the bundled SEC corpus, or --corpus).
    Finding nothing to check is an error unless --allow-empty: a CI job never passes by checking
    nothing. Prints one line per modification ("MP087  ok" or its problems). --format github
    prints GitHub workflow annotations (::error file=…,line=…::…) for a CI job.
    Exit status: 0 all pass, 1 any fails, 2 bad usage, no corpus, nothing to check, or an
    unreadable modification.

    \b
    Example:
      redline check
      redline check MP087 --onto 6.17
      redline check --mods-dir modifications --format github
      redline check corpus/mods/*.xml --format github
    """
    from redline import mods
    from redline.check import CheckResult, Problem

    if onto is not None and onto not in corpus.version_ids:
        raise click.UsageError(f"--onto: unknown version {onto!r}; the corpus holds: "
                               f"{', '.join(corpus.version_ids)}")
    if mods_dir is not None:
        if not mods_dir.is_dir():
            raise InputError(f"--mods-dir {mods_dir}: no such directory")
        corpus.mods = mods_dir
    names = list(mod_names) or mods.modification_paths(corpus)
    if not names:
        where = display_path(corpus.mods_dir())
        if not allow_empty:
            raise InputError(f"nothing to check: no modification files (*.xml) in {where}; name the files, "
                             "give --mods-dir DIR, or --allow-empty if none is expected")
        _report([], fmt, corpus)
        return
    entries: list = []  # per name, in order: its modification, or the CheckResult saying it is unreadable
    unreadable = False
    for name in names:
        try:
            entries.append(mods.read_modification(name) if isinstance(name, Path)
                           else mods.load_modification(corpus, name))
        except ModificationError as exc:
            unreadable = True
            label = Path(name).stem if isinstance(name, Path) or str(name).endswith(".xml") else str(name)
            problem = Problem("error", exc.detail, None, display_path(exc.file) if exc.file else None, exc.line,
                              "unreadable")
            entries.append(CheckResult(label, problem.file, (), (problem,)))
    todo = [e for e in entries if not isinstance(e, CheckResult)]
    checked = iter(_checked(corpus, todo, onto, jobs))  # in the order of todo
    results: list[CheckResult] = []
    seen: dict[str, str | None] = {}
    for mod in entries:
        if isinstance(mod, CheckResult):
            results.append(mod)
            continue
        result = next(checked)
        first = seen.setdefault(mod.id, mod.file)
        if first != mod.file:
            dup = Problem("error", f"modification id {mod.id} is also used by {display_path(first)}", None,
                          mod.file, mod.line, "duplicate-id")
            result = CheckResult(result.modification, result.file, result.versions, result.problems + (dup,))
        results.append(_relative(result))
    _report(results, fmt, corpus)
    if unreadable:
        click.get_current_context().exit(2)
    if not all(r.ok for r in results):
        click.get_current_context().exit(1)


def _checked(corpus, todo: list, onto: str | None, jobs: int | None) -> list:
    """:func:`redline.check.check_modification` of each modification, in order, shared among
    ``jobs`` processes (:func:`redline.fanout.map_jobs`). The versions they apply to are loaded
    first, and the first modification is checked here, so that each worker inherits them (and the
    indexes the first check made) instead of loading them again."""
    from redline.check import check_modification
    from redline.errors import RedlineError
    from redline.fanout import map_jobs

    if not todo:
        return []
    for vid in dict.fromkeys([m.base for m in todo] + ([onto] if onto else [])):
        try:
            corpus.load(vid)
        except RedlineError:  # said by the check of each modification based on it
            pass
    check = functools.partial(check_modification, corpus, onto=onto)
    return [check(todo[0])] + map_jobs(check, todo[1:], jobs=jobs)


def _relative(result):
    from dataclasses import replace

    return replace(result, file=display_path(result.file),
                   problems=tuple(replace(p, file=display_path(p.file)) for p in result.problems))


def _report(results, fmt: str, corpus) -> None:
    if fmt == "json":
        click.echo(json.dumps({"ok": all(r.ok for r in results), "results": [r.to_dict() for r in results]},
                              indent=2, ensure_ascii=False))
        return
    if not results:
        click.echo(f"no modifications in {display_path(corpus.mods_dir())} (--allow-empty)")
        return
    width = max(len(r.modification) for r in results) + 2
    for r in results:
        errors = r.errors
        status = "ok" if r.ok else f"FAILED ({len(errors)} error{'s' if len(errors) != 1 else ''})"
        if any(p.code == "unreadable" for p in errors):
            status = "UNREADABLE"
        if fmt == "github":
            for p in r.problems:
                click.echo(_annotation(r, p))
        click.echo(f"{r.modification:<{width}}{status}")
        if fmt == "text":
            for p in r.problems:
                lines = str(p).split("\n")
                prefix = "note: " if p.severity == "note" else ""
                click.echo(f"  {prefix}{lines[0]}")
                for extra in lines[1:]:
                    click.echo(f"  {extra}")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(result, problem) -> str:
    """One GitHub workflow command (``::error file=…,line=…,title=…::message``)."""
    level = "error" if problem.severity == "error" else "notice"
    props = []
    if problem.file:
        props.append(f"file={_escape_property(problem.file)}")
    if problem.line:
        props.append(f"line={problem.line}")
    title = result.modification + (f" {problem.address}" if problem.address else "")
    props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(problem.message)}"
