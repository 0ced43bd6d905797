"""The ``new`` command: start a modification file drafted against a version.

Thin layer over :func:`redline.draft.starting_modification`: arguments → the file's text → an
atomic write that never replaces an existing file. Exit codes: 0 written; 2 bad usage or input
(an unknown version or target, a file that already exists).
"""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path

import click

from redline.cli.common import OUTPUT_PATH, InputError, corpus_option, handle_errors, write_output


@click.command("new")
@click.argument("mod_id", metavar="ID")
@click.option("--base", "base", metavar="VERSION", required=True, help="The version the modification is drafted against.")
@click.option("--target", metavar="ADDRESS",
              help="What it will change (a part, clause or item, e.g. G3.20 or G3.20(b)): its current words are "
                   "filled in, ready to edit.")
@click.option("--title", metavar="TEXT", help="The modification's title (default: a placeholder to edit).")
@click.option("-o", "--output", type=OUTPUT_PATH, default=None,
              help="Where to write it (default: ID.xml in the current directory; '-' for standard output). "
                   "An existing file is never replaced.")
@corpus_option
@handle_errors
def new_cmd(corpus, mod_id, base, target, title, output):
    """Write a starting modification file ID, drafted against version --base.

    With --target, the file holds an <amend> for each run of words of that part, clause or item
    (lead words, each item, closing words) with its current words as both <old> and <new>: edit
    the <new> words, remove the operations you leave unchanged, and `redline check` accepts it
    (an unedited file is refused: it changes nothing). Without --target, the file has commented
    examples of the operations to copy. docs/modifications.md describes the format.

    \b
    Example:
      redline new MP123 --base 6.17 --target G3.20 --title "Clarify G3.20"
      $EDITOR MP123.xml
      redline check MP123.xml
      redline annex MP123.xml --format html -o MP123.html
    """
    from redline.draft import starting_modification
    from redline.errors import AddressSyntaxError, UnknownAddress, UnknownVersion

    try:
        version = corpus.load(base)
    except UnknownVersion as exc:
        raise InputError(f"--base: {exc}") from None
    try:
        data = starting_modification(version, mod_id, target=target, title=title,
                                     date=datetime.date.today().isoformat())
    except (UnknownAddress, AddressSyntaxError) as exc:
        raise InputError(f"--target: {exc}") from None
    if output is None:
        output = Path(f"{mod_id}.xml")
    if str(output) != "-" and _holds_a_file(output):
        raise InputError(f"{output} already exists: choose another -o FILE, or remove it first")
    write_output(data, output)
    if str(output) != "-":
        click.echo(f"wrote {output}: edit it, then run: redline check {output}", err=True)


def _holds_a_file(path: Path) -> bool:
    """Whether writing ``path`` would replace a file (a symbolic link is followed): a draft is never
    replaced. A device or a FIFO is written through, as a shell redirect would; a path that cannot
    be looked at is left for the write to report."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISBLK(mode))
