"""The ``xref`` command: list cross-references and their status, for a version or a modification."""

from __future__ import annotations

import json

import click

from redline import fsio
from redline.cli.common import (
    InputError,
    corpus_option,
    format_option,
    jobs_option,
    handle_errors,
    load_base,
    load_modification,
    output_option,
    write_output,
)
from redline.gcpause import gc_paused
from redline.errors import AddressSyntaxError, ModificationError, UnknownAddress, UnknownVersion

_LABEL = {"resolved": "resolved", "broken": "BROKEN", "outside": "outside", "heading-mismatch": "heading?"}


@click.command("xref")
@click.argument("version", required=False)
@click.option("--address", "within", metavar="A", help="Only references written within A (e.g. G1, G1.7).")
@click.option("--to", "to", metavar="A", help="Only references that name A (or a range holding it).")
@click.option("--mod", "mod", metavar="MOD", help="Check what modification MOD (id or file) does to references.")
@click.option("--update-references", "update", is_flag=True,
              help="With --mod: write MOD with consequential amendments appended, so that every reference "
                   "to a clause it renumbers follows the new number.")
@click.option("--undefined", is_flag=True,
              help="List capitalised terms used (by MOD's new text, with --mod) that the corpus defines nowhere.")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["resolved", "broken", "outside", "heading-mismatch"]),
              help="Only references with this status (repeatable).")
@jobs_option("Resolve a whole version's references (text report)")
@corpus_option
@format_option("text", "json")
@output_option
@click.pass_context
@handle_errors
@gc_paused
def xref(ctx, corpus, version, within, to, mod, update, undefined, statuses, fmt, output, jobs):
    """List the cross-references in VERSION and whether each resolves.

    Each reference is resolved (its target is in the corpus), broken (its part is held in full
    and the target is not in it), outside the corpus (its part or section is held only in part, or
    not at all), or has a heading that differs from the corpus. Exits 1 if any is broken, 2 for
    bad input (an unknown version or address, an unreadable modification).

    With --mod, checks a modification instead: references in its new or amended text must resolve
    in the result, and references elsewhere to clauses it deletes or renumbers are failures.
    Exits 1 if there is any failure. With --update-references, writes the modification with the
    consequential amendments a renumbering needs ("Amend Section G1.7 as follows:") appended.

    \b
    Example:
      redline xref 6.17
      redline xref 6.17 --address G1.7 --format json
      redline xref 6.17 --to G3.18
      redline xref --mod MP087
      redline xref --mod my-mod.xml --update-references -o my-mod-fixed.xml
      redline xref 6.17 --undefined
    """
    if mod is None and version is None:
        raise click.UsageError("give a VERSION, or --mod MOD")
    if update and mod is None:
        raise click.UsageError("--update-references needs --mod MOD")
    within_a = _address_option(within, "--address")
    to_a = _address_option(to, "--to")
    try:
        if update:
            text, failed = _update_references(corpus, version, mod)
        elif undefined:
            text, failed = _undefined(corpus, version, mod, within_a, fmt)
        elif mod is not None:
            text, failed = _mod_report(corpus, version, mod, fmt)
        else:
            text, counts = _version_report(corpus, version, within_a, to_a, statuses, fmt, jobs)
            write_output(text, output)  # JSON: the references are resolved as it is written
            if counts["broken"]:
                ctx.exit(1)
            return
    except (UnknownVersion, UnknownAddress) as exc:  # bad input, not a broken reference: exit 2
        raise InputError(str(exc)) from None
    write_output(text, output)
    if failed:
        ctx.exit(1)


def _address_option(text: str | None, option: str):
    """The address given to ``option`` (None if not given); bad syntax is a usage error."""
    from redline.model import Address

    if not text:
        return None
    try:
        return Address.parse(text)
    except AddressSyntaxError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _version_report(corpus, version_id, within, to, statuses, fmt, jobs=None):
    from redline import xref

    v = corpus.load(version_id)
    if within is not None:
        v.get(within)
    counts = dict.fromkeys(xref.STATUSES, 0)
    if fmt == "json":  # written as the resolutions come (a whole code has ~68,000): see _json_report
        resolutions = (r for r in xref.iter_check_version(v, within, to) if not statuses or r.status in statuses)
        return _json_report(version_id, resolutions, counts), counts
    out = []
    for lines, found in _text_lines(v, within, to, statuses, jobs):
        out += lines
        for status, k in found.items():
            counts[status] += k
    n = sum(counts.values())
    head = (f"{version_id}: {n} reference(s): {counts['resolved']} resolved, "
            f"{counts['outside']} outside the corpus, {counts['broken']} broken, "
            f"{counts['heading-mismatch']} heading mismatch(es)")
    out.insert(0, head)
    return "\n".join(out) + "\n", counts


def _text_lines(v, within, to, statuses, jobs) -> list[tuple[list[str], dict]]:
    """The text report's lines and counts, a section at a time: a whole version's sections are
    shared among ``jobs`` processes (:func:`redline.fanout.map_jobs`), each worker inheriting the
    loaded version with every section's index (built here first), and their lines joined in
    section order: the same report as one pass over the version."""
    from redline.fanout import map_jobs
    from redline.model import Address

    if within is not None:
        return [_lines_within(v, within, to, statuses)]
    letters = list(v.sections)
    for letter in letters:  # the indexes every resolution looks into, built once, before the workers
        v.position(Address.parse(letter))
    return map_jobs(lambda letter: _lines_within(v, Address.parse(letter), to, statuses), letters, jobs=jobs,
                    weight=lambda letter: sum(1 for _ in v.sections[letter].iter("text")))


def _lines_within(v, within, to, statuses) -> tuple[list[str], dict]:
    from redline import xref

    lines, out, counts = _TextReferences(), [], {}
    for r in xref.iter_check_version(v, within, to):
        if not statuses or r.status in statuses:
            counts[r.status] = counts.get(r.status, 0) + 1
            lines.add(r, out)
    return out, counts


class _TextReferences:
    """The text report's lines for each resolution; holders and target lists repeat (a clause
    holds several references; targets recur): each is formatted once."""

    def __init__(self):
        self.holders: dict = {}
        self.targets: dict = {}
        self.labels = {s: f"{_LABEL[s]:<9}" for s in _LABEL}
        self.pad = " " * 22

    def add(self, r, out: list) -> None:
        ref = r.reference
        holder = r.citation.holder
        h = self.holders.get(holder)
        if h is None:
            h = self.holders[holder] = f"{str(holder):<12}"
        t = self.targets.get(ref.targets)
        if t is None:
            t = self.targets[ref.targets] = ref.targets_text()
        q = " (quoted)" if ref.quoted else ""
        out.append(f"{h} {self.labels[r.status]} {' '.join(ref.text.split())}{q}  -> {t}")
        for reason in r.reasons:
            out.append(f"{self.pad} {reason}")


#: characters of JSON gathered before they are written
JSON_CHUNK = 1 << 20


def _json_report(version_id: str, resolutions, counts: dict):
    """The JSON report, ``{"version", "references": [...], "counts"}``, as chunks of text written
    as the resolutions come (never the whole in memory: ~20 MB for a whole code). Every value is
    encoded by the json module; each reference is one line (one call of its C encoder, where its
    indenting encoder is pure Python and several times slower); ``counts`` (filled in here) comes
    last, once every reference is counted."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    batch = [f'{{\n  "version": {encode(version_id)},\n  "references": [']
    size, sep = 0, "\n    "
    for r in resolutions:
        counts[r.status] += 1
        line = sep + encode(r.to_dict())
        sep = ",\n    "
        batch.append(line)
        size += len(line)
        if size > JSON_CHUNK:
            yield "".join(batch)
            batch, size = [], 0
    batch.append(("\n  ]" if sep != "\n    " else "]") + f',\n  "counts": {encode(counts)}\n}}\n')
    yield "".join(batch)


def _apply(corpus, version_id, mod_name):
    from redline.apply import apply_modification

    mod = load_modification(corpus, mod_name)
    base = load_base(corpus, mod, version_id, "VERSION")
    result = apply_modification(base, mod, onto=base.id != mod.base)
    return mod, base, result


def _update_references(corpus, version_id, mod_name):
    """MOD's file with the consequential amendments appended; the rest of the file (its comments,
    such as a provenance header, and its layout) exactly as it was."""
    from redline.consequential import with_consequential_amendments
    from redline.mods import append_operations, modification_to_xml

    mod = load_modification(corpus, mod_name)
    base = load_base(corpus, mod, version_id, "VERSION")
    updated = with_consequential_amendments(base, mod)
    extra = tuple(updated.operations[len(mod.operations):])
    if mod.path is None:  # pragma: no cover - a loaded modification always has its file
        return modification_to_xml(updated).decode("utf-8"), False
    data = fsio.read_input(mod.path, limit="modification", what="modification file", error=ModificationError)
    comment = (f"Consequential amendments, added by `redline xref` (update references) against {base.id}: "
               f"references to what {mod.id} renumbers follow the new numbers")
    return append_operations(data, extra, str(mod.path), comment if extra else None).decode("utf-8"), False


def _mod_report(corpus, version_id, mod_name, fmt):
    from redline import xref

    mod, base, result = _apply(corpus, version_id, mod_name)
    findings = xref.check_modification(base, result.version, result.address_map, result.changed, mod.id)
    failed = any(f.severity == "failure" for f in findings)
    if fmt == "json":
        return json.dumps({"modification": mod.id, "base": base.id,
                           "findings": [f.to_dict() for f in findings]}, indent=2, ensure_ascii=False), failed
    n = {s: sum(1 for f in findings if f.severity == s) for s in ("failure", "warning", "note")}
    lines = [f"{mod.id} against {base.id}: {n['failure']} failure(s), {n['warning']} warning(s), "
             f"{n['note']} note(s)"]
    for f in findings:
        lines.append(f"{f.severity:<8} {f.message}")
    return "\n".join(lines) + "\n", failed


def _undefined(corpus, version_id, mod_name, within, fmt):
    from redline import terms

    if mod_name is not None:
        from redline.xref import new_text_runs

        mod, base, result = _apply(corpus, version_id, mod_name)
        label = f"{mod.id} (new or amended text, against {base.id})"
        found = terms.undefined_in(result.version, new_text_runs(base, result.version, result.address_map))
    else:
        version = corpus.load(version_id)
        if within is not None:
            version.get(within)
        label = version_id
        found = terms.undefined_terms(version, [within] if within is not None else None)
    if fmt == "json":
        return json.dumps({"scope": label, "note": "not defined in the corpus (it holds little of Section A)",
                           "terms": [{"term": t, "used_in": [str(a) for a in uses]} for t, uses in found.items()]},
                          indent=2, ensure_ascii=False), False
    lines = [f"{label}: {len(found)} capitalised term(s) not defined in the corpus "
             f"(the corpus holds little of Section A; these may be defined there)"]
    for t, uses in found.items():
        lines.append(f"  {t:<40} {', '.join(str(a) for a in uses)}")
    return "\n".join(lines) + "\n", False
