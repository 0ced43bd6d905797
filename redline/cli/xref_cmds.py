"""The ``xref`` command: list cross-references and their status, for a version or a modification."""

from __future__ import annotations

import gc
import json

import click

from redline.cli.common import (
    InputError,
    corpus_option,
    format_option,
    handle_errors,
    load_base,
    load_modification,
    output_option,
    write_output,
)
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
@corpus_option
@format_option("text", "json")
@output_option
@click.pass_context
@handle_errors
def xref(ctx, corpus, version, within, to, mod, update, undefined, statuses, fmt, output):
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
            text, failed = _version_report(corpus, version, within_a, to_a, statuses, fmt)
    except (UnknownVersion, UnknownAddress) as exc:  # bad input, not a broken reference: exit 2
        raise InputError(str(exc)) from None
    if isinstance(text, list):
        _write_pieces(text, output)
    else:
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


def _version_report(corpus, version_id, within, to, statuses, fmt):
    from redline import xref

    v = corpus.load(version_id)
    if within is not None:
        v.get(within)
    counts = dict.fromkeys(xref.STATUSES, 0)
    # each resolution is formatted as it comes and let go: a whole code has ~68,000 of them,
    # several times the memory of their report
    out = _Spool() if fmt == "json" else []
    report = _JsonReferences() if fmt == "json" else _TextReferences()
    # the cyclic collector would re-walk the loaded trees' proxies dozens of times while the
    # references are made (none of them forms a cycle), so it is paused for the duration
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        for r in xref.iter_check_version(v, within, to):
            if statuses and r.status not in statuses:
                continue
            counts[r.status] += 1
            report.add(r, out)
    finally:
        if gc_was_on:
            gc.enable()
    broken = counts[xref.BROKEN] > 0
    if fmt == "json":
        return _json_document(version_id, counts, out), broken  # pieces: written one by one
    n = sum(counts.values())
    head = (f"{version_id}: {n} reference(s): {counts['resolved']} resolved, "
            f"{counts['outside']} outside the corpus, {counts['broken']} broken, "
            f"{counts['heading-mismatch']} heading mismatch(es)")
    out.insert(0, head)
    return "\n".join(out) + "\n", broken


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


_enc = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes for a str


def _json_list(items: list[str], indent: str) -> str:
    """A JSON list of already-encoded values as ``json.dumps(indent=2)`` lays it out at ``indent``."""
    if not items:
        return "[]"
    inner = "\n" + indent + "  "
    return "[" + inner + ("," + inner).join(items) + "\n" + indent + "]"


class _JsonReferences:
    """Each resolution as ``json.dumps(r.to_dict(), indent=2, ensure_ascii=False)`` lays it out
    inside the report's "references" list, byte for byte, written directly (the json module's
    indenting encoder is pure Python: ~3.5 million pieces for a whole code); holders, target
    lists and reasons repeat and are encoded once."""

    IND = "    "  # a reference sits two levels down: {"references": [ {...} ]}
    KEY = "\n      "

    def __init__(self):
        self.holders: dict = {}
        self.targets: dict = {}
        self.reasons: dict = {}
        self.strings: dict = {}

    def _str(self, text: str) -> str:
        got = self.strings.get(text)
        if got is None:
            got = self.strings[text] = _enc(text)
        return got

    def add(self, r, out: list) -> None:
        from redline.xref import Range

        ref = r.reference
        holder = r.citation.holder
        h = self.holders.get(holder)
        if h is None:
            h = self.holders[holder] = _enc(str(holder))
        t = self.targets.get(ref.targets)
        if t is None:
            ind = self.IND + "    "
            items = [(f'{{\n{ind}  "first": {_enc(str(x.first))},\n{ind}  "last": {_enc(str(x.last))}\n{ind}}}'
                      if isinstance(x, Range) else _enc(str(x))) for x in ref.targets]
            t = self.targets[ref.targets] = _json_list(items, self.IND + "  ")
        reasons = r.reasons
        rs = self.reasons.get(reasons)
        if rs is None:
            rs = self.reasons[reasons] = _json_list([_enc(x) for x in reasons], self.IND + "  ")
        k = "," + self.KEY
        parts = [
            self.IND + "{" + self.KEY + '"holder": ' + h,
            '"field": ' + self._str(r.citation.field),
            f'"start": {ref.start}',
            f'"end": {ref.end}',
            '"text": ' + _enc(ref.text),
            '"form": ' + self._str(ref.form),
            '"targets": ' + t,
            '"heading": ' + ("null" if ref.heading is None else self._str(ref.heading)),
            '"quoted": ' + ("true" if ref.quoted else "false"),
            '"status": ' + self._str(r.status),
            '"reasons": ' + rs,
        ]
        if r.expected_heading:
            parts.append('"expected_heading": ' + self._str(r.expected_heading))
        out.append(k.join(parts) + "\n" + self.IND + "}")


class _Spool:
    """The JSON references as they are laid out, joined by ",\\n": kept in a temporary file
    once past a few MB (a whole code's are ~20 MB), read back in pieces by :meth:`pieces`."""

    LIMIT = 1 << 20

    def __init__(self):
        self.batch: list[str] = []
        self.size = 0
        self.file = None
        self.count = 0

    def append(self, piece: str) -> None:
        if self.count:
            self.batch.append(",\n")
        self.count += 1
        self.batch.append(piece)
        self.size += len(piece)
        if self.size > self.LIMIT:
            self._flush()

    def __len__(self) -> int:
        return self.count

    def _flush(self) -> None:
        import tempfile

        if self.file is None:
            self.file = tempfile.TemporaryFile()
        self.file.write("".join(self.batch).encode("utf-8"))
        self.batch, self.size = [], 0

    def pieces(self):
        """The references' text in order, in pieces (whole characters)."""
        if self.file is not None:
            import codecs

            decoder = codecs.getincrementaldecoder("utf-8")()
            self.file.seek(0)
            while True:
                data = self.file.read(self.LIMIT)
                if not data:
                    break
                yield decoder.decode(data)
            self.file.close()
            self.file = None
        yield "".join(self.batch)


def _json_document(version_id: str, counts: dict, refs: "_Spool") -> list:
    """``json.dumps({"version", "counts", "references"}, indent=2, ensure_ascii=False)`` from the
    references already laid out by :class:`_JsonReferences`, as pieces to write in turn (the
    whole is ~20 MB for a whole code: it is never put together in memory)."""
    counts_json = "{" + ",".join(f"\n    {_enc(k)}: {v}" for k, v in counts.items()) + "\n  }" if counts else "{}"
    head = f'{{\n  "version": {_enc(version_id)},\n  "counts": {counts_json},\n  "references": '
    if not refs:
        return [head + "[]\n}"]
    return [head + "[\n", refs.pieces(), "\n  ]\n}"]


def _flat(pieces):
    for p in pieces:
        if isinstance(p, str):
            yield p
        else:
            yield from p


def _write_pieces(pieces: list, output) -> None:
    """What ``write_output("".join(pieces), output)`` writes (atomically to a file, or to
    stdout), without joining the pieces (strings, or iterables of strings)."""
    pieces = _flat(pieces)
    if output is None or str(output) == "-":
        last = ""
        for piece in pieces:
            if piece:
                click.echo(piece, nl=False)
                last = piece
        if not last.endswith("\n"):
            click.echo("")
        return

    def batches():
        batch: list[str] = []
        size = 0
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size > 1 << 20:
                yield "".join(batch).encode("utf-8")
                batch, size = [], 0
        yield "".join(batch).encode("utf-8")

    write_output(batches(), output)


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
    from redline.xmlsafe import read_file

    mod = load_modification(corpus, mod_name)
    base = load_base(corpus, mod, version_id, "VERSION")
    updated = with_consequential_amendments(base, mod)
    extra = tuple(updated.operations[len(mod.operations):])
    if mod.path is None:  # pragma: no cover - a loaded modification always has its file
        return modification_to_xml(updated).decode("utf-8"), False
    data = read_file(mod.path, ModificationError)
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
