"""``redline import-annex``: read a modification back from its Annex A (DOCX or HTML).

Thin layer: the file (a regular file within the document size limit, read through
:mod:`redline.fsio`) → :func:`redline.annexread.read_document` → the
base version from the corpus → :func:`redline.annexread.import_annex` → the modification file,
written atomically only when the result is proven, and the report. Exit codes: 0 the
modification was written; 1 the document does not read as one proven modification of the base
(untracked differences, instructions that disagree with the marks, changes no operation can say);
2 bad usage or input (a hostile or unreadable document, an unknown version).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from redline.cli.common import OUTPUT_PATH, InputError, check_output, corpus_option, handle_errors, register_input, write_output
from redline.gcpause import gc_paused

#: the largest Annex A read (``$REDLINE_MAX_INPUT`` replaces it): a whole-code Word compare is
#: ~5 MB zipped, a whole-code HTML redline ~40 MB; a bigger file is refused before it is read
MAX_ANNEX_BYTES = 64 * 1024 * 1024

@click.command("import-annex")
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--base", "base_id", metavar="VERSION",
              help="The version the Annex A amends (default: the version its cover says it is drafted against).")
@click.option("-o", "--output", type=OUTPUT_PATH, default=None,
              help="Write the modification file to FILE (atomically; default: standard output).")
@click.option("--id", "mod_id", metavar="ID", help="The modification's id (default: the cover's reference, e.g. MP087).")
@click.option("--title", metavar="TEXT", help="The modification's title (default: the cover's).")
@click.option("--format", "fmt", type=click.Choice(["docx", "html"]), default=None,
              help="The document's format (default: from its first bytes).")
@click.option("--allow-untracked", is_flag=True,
              help="Unmarked text that differs from VERSION becomes operations too (marked untracked in the report).")
@click.option("--ignore-instructions", is_flag=True,
              help="Report drafting instructions that disagree with the marks, but write the modification anyway.")
@click.option("--report", "report_fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The report's format (on standard output with -o FILE, else on standard error).")
@corpus_option
@handle_errors
@gc_paused
def import_annex_cmd(corpus, file, base_id, output, mod_id, title, fmt, allow_untracked, ignore_instructions,
                     report_fmt):
    """Read the modification an Annex A makes (DOCX with tracked changes or the blue/red house
    mark-up, or redline's HTML) and write it as a modification file.

    The operations are typed (whole clauses, items and cross-headings inserted or deleted,
    renumberings, moves, substitutions of the fewest words that are unique in their clause), and
    proven before anything is written: they apply to VERSION, the document's accept-all text is
    the result clause by clause, its reject-all text is VERSION. Unmarked text that differs from
    VERSION is reported with its word diff (exit 1), as are drafting instructions ("Amend Section
    G3.20 as follows:") that the marks do not bear out.

    \b
    Example:
      redline annex MP087 --format docx -o MP087-annex-a.docx
      redline import-annex MP087-annex-a.docx --base 6.17 -o MP087.xml
      redline import-annex SECMP0065-annex-a.html -o SECMP0065.xml --report json
    """
    from redline.annexread import import_annex, read_document
    from redline.annexread.reading import BaseVersion
    from redline.annexread.report import report_json, report_text
    from redline.errors import UnknownVersion
    from redline.mods import modification_to_xml

    from redline import fsio
    from redline.errors import DocumentError

    register_input(file)
    check_output(output)  # refused now (an input, inside the corpus), not after the work
    limit = fsio.input_limit("document") if os.environ.get(fsio.LIMIT_ENV, "").strip() else MAX_ANNEX_BYTES
    data = fsio.read_input(file, limit=limit, what="Annex A", error=DocumentError)
    doc = read_document(data, str(file), fmt)
    base_id = base_id or doc.cover.base
    if not base_id:
        raise click.UsageError(f"{file}: the cover does not say which version the text is drafted against: "
                               "give --base VERSION")
    try:
        info = corpus.info(base_id)
    except UnknownVersion as exc:
        raise InputError(f"--base: {exc}" if base_id else str(exc)) from None
    # the base is read a section at a time, as the document comes to each (a whole code's is
    # never held at once); each file is checked as loading the version checks it
    base = BaseVersion(base_id, corpus.code, info.sections, lambda letter: corpus.load_section(base_id, letter))
    reading = import_annex(doc, base, mod_id=mod_id, title=title, allow_untracked=allow_untracked,
                           ignore_instructions=ignore_instructions)
    to_file = output is not None and str(output) != "-"
    if reading.ok:
        write_output(modification_to_xml(reading.modification), output)
    shown = str(output) if to_file else ("standard output" if reading.ok else None)
    if report_fmt == "json":
        text = json.dumps(report_json(reading, shown), indent=2, ensure_ascii=False) + "\n"
    else:
        text = report_text(reading, shown)
    click.echo(text, nl=False, err=not to_file)
    (sys.stdout if to_file else sys.stderr).flush()
    if not reading.ok:
        raise click.ClickException(_why(reading))


def _why(reading) -> str:
    """One line saying why nothing was written."""
    name = reading.document.name
    if reading.problems:
        first = reading.problems[0]
        more = f" (and {len(reading.problems) - 1} more)" if len(reading.problems) > 1 else ""
        return f"{name}: {first}{more}; nothing written"
    if reading.untracked and not reading.allow_untracked:
        n = len({u.address for u in reading.untracked})
        return (f"{name}: the unmarked text differs from version {reading.base} in {n} place(s) (see the report); "
                "nothing written (--allow-untracked makes them operations)")
    if reading.disagreements and not reading.ignore_instructions:
        return (f"{name}: {len(reading.disagreements)} drafting instruction(s) disagree with the marks (see the "
                "report); nothing written (--ignore-instructions writes it anyway)")
    if not reading.proven:
        return f"{name}: the operations read could not be proven ({reading.proof[0] if reading.proof else 'no proof'}); nothing written"
    return f"{name}: not read; nothing written"
