"""Commands that produce redlines: ``diff`` (two versions) and ``annex`` (a modification's Annex A).

Thin layer: arguments → corpus and core (:mod:`redline.diff`, :mod:`redline.annex`) → a renderer
(:mod:`redline.render.changes`, :mod:`redline.render.html`, :mod:`redline.render.docx`) → an
atomic write. Exit codes: 0 success; 1 a modification does not apply; 2 bad usage or input.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from redline.cli.common import (
    corpus_option,
    date_option,
    format_option,
    handle_errors,
    load_base,
    load_modification,
    output_option,
    valid_date,
    write_output,
)
from redline.gcpause import gc_paused


def _context_option(fn):
    return click.option("--context", type=click.Choice(["group", "clause", "part", "all"]), default="group",
                        show_default=True,
                        help="Text shown around each change (html/docx): its cross-heading group, the "
                             "changed clause only, its whole part under the section and part headings (as "
                             "SECMP0065's legal text prints G1), or every clause of the sections touched. "
                             "In any context, notes in brackets say where the corpus does not hold the text "
                             "around what is shown, and which text shown is inferred, not printed in a source.")(fn)


def _check_binary_target(fmt: str, output: Path | None) -> None:
    if fmt == "docx" and (output is None or str(output) == "-") and sys.stdout.isatty():
        raise click.UsageError("a DOCX file cannot be shown on a terminal: give -o FILE.docx (or pipe the output)")


def _use_color(color: bool | None, output: Path | None) -> bool:
    if output is not None and str(output) != "-":
        return False
    if color is not None:
        return color
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--section", metavar="S", help="Only this section (a letter, e.g. G).")
@click.option("--address", metavar="A", help="Only this part, clause or item (e.g. G3, G3.20).")
@format_option("text", "json", "html", "docx")
@click.option("--style", type=click.Choice(["tracked", "markup"]), default="tracked", show_default=True,
              help="DOCX only: Word tracked changes, or coloured mark-up without revisions.")
@click.option("--color/--no-color", "color", default=None,
              help="Text only: colour the changes (default: when writing to a terminal and NO_COLOR is unset); "
                   "without colour, changes read [-deleted-]{+inserted+}.")
@_context_option
@click.option("--author", metavar="NAME", default="redline", show_default=True,
              help="DOCX only: author of the tracked changes.")
@date_option("now")
@output_option
@corpus_option
@handle_errors
@gc_paused
def diff_cmd(corpus, old, new, section, address, fmt, style, color, context, author, date, output):
    """Show what changed between versions OLD and NEW, clause by clause.

    Clauses are aligned by address and, when renumbered or moved, re-paired by their words; each
    changed clause gets a word-level diff. Parts held in only one of the versions are listed as
    not compared (coverage), not as added or deleted. Text ends with a summary line; JSON has the
    shape documented in docs/diff-json.md; html and docx give a redline document.

    \b
    Example:
      redline diff 5.23 6.17
      redline diff 5.23 6.17 --address G1 --no-color
      redline diff 5.23 6.17 --format json -o changes.json
      redline diff 5.23 6.17 --format docx -o 5.23-to-6.17.docx
    """
    from redline.diff import diff_versions
    from redline.errors import AddressSyntaxError
    from redline.model import Address

    if section and address:
        raise click.UsageError("give --section or --address, not both")
    within = None
    if section:
        if len(section.strip()) != 1 or not section.strip().isalpha():
            raise click.BadParameter(f"{section!r} is not a section letter", param_hint="--section")
        within = Address(section.strip().upper())
    elif address:
        try:
            within = Address.parse(address)
        except AddressSyntaxError as exc:
            raise click.BadParameter(str(exc), param_hint="--address") from None
    _check_binary_target(fmt, output)
    vold, vnew = corpus.load(old), corpus.load(new)
    if within is not None and vold.find(within) is None and vnew.find(within) is None:
        from redline.errors import UnknownAddress

        if within.kind == "section":
            held = ", ".join(sorted(set(vold.sections) | set(vnew.sections)))
            raise UnknownAddress(str(within), f"{old} or {new}", hint=f"they hold Section {held}")
        raise UnknownAddress(str(within), f"{old} or {new}", vnew.suggest(within) or vold.suggest(within))
    vdiff = diff_versions(vold, vnew, within=within)
    if fmt == "text":
        from redline.render.changes import diff_to_text

        colour = _use_color(color, output)
        text = diff_to_text(vdiff, color=colour)
        if colour:  # to standard output only; keep the escapes even when piped (--color | less -R)
            click.echo(text, nl=False, color=True)
        else:
            write_output(text, output)
    elif fmt == "json":
        from redline.render.changes import diff_to_json

        write_output(json.dumps(diff_to_json(vdiff), indent=2, ensure_ascii=False) + "\n", output)
    else:
        from redline.annex import versions_redline

        red = versions_redline(vold, vnew, vdiff, code=corpus.code, title=corpus.title, context=context,
                               author=author, date=date)
        write_output(_render(red, fmt, style, (vnew, vold)), output)


def _render(red, fmt: str, style: str, versions=()):
    if fmt == "html":
        from redline.render.html import render_html
        from redline.render.links import redline_annotator  # links references and defined terms

        return render_html(red, annotate=redline_annotator(red, versions))
    from redline.render.docx import render_docx

    return render_docx(red, style)


def _refuse_broken_references(modification, base, result, name: str) -> None:
    """Exit 1 naming each cross-reference the modification leaves broken (what `check` fails on)."""
    from redline.xref import check_modification

    findings = [f for f in check_modification(base, result.version, result.address_map, result.changed,
                                              modification.id) if f.severity == "failure"]
    if findings:
        n = len(findings)
        raise click.ClickException(
            f"{modification.id} leaves {n} broken cross-reference{'s' if n != 1 else ''}: "
            + "; ".join(f.message for f in findings)
            + f" (see `redline xref --mod {name}`; --update-references drafts the consequential "
              "amendments a renumbering needs; --allow-broken-refs renders anyway)")


@click.command("annex")
@click.argument("mod", metavar="MOD")
@format_option("docx", "html")
@click.option("--style", type=click.Choice(["tracked", "markup"]), default="tracked", show_default=True,
              help="DOCX: Word tracked changes (Accept All gives the new text), or the house mark-up "
                   "(inserted blue underlined, deleted red struck through) without revisions.")
@click.option("--author", metavar="NAME",
              help="Author of the tracked changes (default: the modification's <author>, else its id).")
@date_option("the modification's date if it is a full date, else now")
@_context_option
@click.option("--allow-broken-refs", is_flag=True,
              help="Render even if the result has broken cross-references (by default that is an error, exit 1, "
                   "as in `redline check`).")
@output_option
@corpus_option
@handle_errors
@gc_paused
def annex_cmd(corpus, mod, fmt, style, author, date, context, allow_broken_refs, output):
    """Produce the Annex A legal text of modification MOD, as DOCX or HTML.

    MOD (an id from corpus/mods/ or a path) is applied to the version it is drafted against. The
    document has the cover the code administrator prints (id and title, the document's name from
    the modification's <document> — "Annex A" unless it says e.g. "Legal Text" — legal text version,
    proposer, date, base version, classification), then for each section touched the redlined text
    with its context, each drafting instruction just before the text it governs (in document
    order), an instruction about a clause the modification renumbered naming its former number.
    Notes in brackets, never part of the legal text, say which text shown is inferred rather than
    printed in a source, and which clauses around it the corpus does not hold. The tracked changes
    are by the modification's <author> unless --author. A result with a broken cross-reference is
    refused (exit 1, as `redline check`) unless --allow-broken-refs.

    \b
    Example:
      redline annex MP087 --format docx -o MP087-annex-a.docx
      redline annex MP087 --format docx --style markup -o MP087-annex-a-markup.docx
      redline annex SECMP0065 --context part --format html -o SECMP0065-legal-text.html
    """
    from redline.annex import annex_for_modification
    from redline.apply import apply_modification

    _check_binary_target(fmt, output)
    modification = load_modification(corpus, mod)
    base = load_base(corpus, modification)
    result = apply_modification(base, modification)
    if not allow_broken_refs:
        _refuse_broken_references(modification, base, result, mod)
    when = date or modification.meta.get("date")
    if when and not valid_date(when):  # a modification dated "2019" or "October 2019": no date
        when = None
    red = annex_for_modification(modification, base, result, context=context, author=author, date=when)
    write_output(_render(red, fmt, style, (result.version, base)), output)
