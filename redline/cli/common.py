"""Options and helpers shared by every command: corpus selection, formats, errors, output."""

from __future__ import annotations

import datetime
import functools
import re
import sys
from pathlib import Path

import click

from redline.errors import ModificationError, RedlineError, UnknownVersion


class InputError(click.ClickException):
    """Bad input (an unreadable modification, an unknown base version): exit 2."""

    exit_code = 2


def as_click_exception(exc: RedlineError) -> click.ClickException:
    """The ClickException that prints ``exc`` as one ``Error: …`` line with its exit code."""
    err = click.ClickException(str(exc))
    err.exit_code = exc.exit_code
    return err


def handle_errors(fn):
    """Turn library errors into ``Error: <one line>`` with the error's exit code (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RedlineError as exc:
            raise as_click_exception(exc) from None
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)

    return wrapper


def corpus_option(fn):
    """``--corpus DIR`` (env ``REDLINE_CORPUS``; default the bundled corpus), passed as ``corpus``.

    No corpus where one was looked for is bad input (exit 2), said in one line that names where
    the directory came from and how to give another (:func:`missing_corpus_message`).
    """

    @click.option(
        "--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), envvar="REDLINE_CORPUS",
        default=None, help="Corpus directory (default: the bundled corpus; env REDLINE_CORPUS).",
    )
    @functools.wraps(fn)
    def wrapper(*args, corpus_dir=None, **kwargs):
        from redline.corpus import Corpus
        from redline.errors import CorpusNotFound

        try:
            corpus = Corpus.open(corpus_dir)
        except CorpusNotFound as exc:
            raise InputError(missing_corpus_message(exc, corpus_dir)) from None
        except RedlineError as exc:
            raise as_click_exception(exc) from None
        return fn(*args, corpus=corpus, **kwargs)

    return wrapper


def missing_corpus_message(exc, corpus_dir: Path | None) -> str:
    """What to say when there is no corpus at ``corpus_dir`` (None: the default was used)."""
    from click.core import ParameterSource

    hint = "give --corpus DIR or set REDLINE_CORPUS to a corpus directory (one holding manifest.xml)"
    if corpus_dir is None:
        return (f"no corpus: the corpus bundled with redline is not installed and there is no ./corpus; "
                f"{hint}")
    ctx = click.get_current_context(silent=True)
    source = ctx.get_parameter_source("corpus_dir") if ctx is not None else None
    origin = f"REDLINE_CORPUS={corpus_dir}" if source == ParameterSource.ENVIRONMENT else f"--corpus {corpus_dir}"
    return f"{origin}: {exc.detail}; {hint}"


def format_option(*choices: str, default: str | None = None):
    """``--format`` restricted to ``choices`` (the first is the default)."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default or choices[0],
                        show_default=True, help="Output format.")


def output_option(fn):
    """``-o/--output FILE`` (a file, not a directory), passed as ``output``; '-' is stdout."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Write to FILE (atomically) instead of standard output.")(fn)


def _check_date(ctx, param, value):
    if value is not None and not valid_date(value):
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)")
    return value


def valid_date(text: str) -> bool:
    """Whether ``text`` is a calendar date written YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def date_option(default_help: str):
    """``--date YYYY-MM-DD`` (checked to be a calendar date), passed as ``date``; help ends with ``default_help``."""
    return click.option("--date", metavar="YYYY-MM-DD", callback=_check_date,
                        help=f"Date of the tracked changes (default: {default_help}).")


def load_modification(corpus, name):
    """The modification ``name`` (an id or a path); an unreadable one is an ``InputError`` (exit 2)."""
    from redline.mods import load_modification as load

    try:
        return load(corpus, name)
    except ModificationError as exc:
        raise InputError(str(exc)) from None


def load_base(corpus, modification, onto: str | None = None, onto_name: str = "--onto"):
    """The version ``modification`` is applied to: ``onto`` (the argument ``onto_name``) or its base.

    An unknown version is an ``InputError`` (exit 2) saying which of the two it was.
    """
    try:
        return corpus.load(onto or modification.base)
    except UnknownVersion as exc:
        where = onto_name if onto else f"the base of {modification.id}"
        raise InputError(f"{where}: {exc}") from None


def write_output(data: str | bytes, output: Path | None) -> None:
    """Write to ``output`` atomically, or to stdout when ``output`` is None or '-'."""
    if output is None or str(output) == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            click.echo(data, nl=not data.endswith("\n"))
        return
    from redline.corpus import atomic_write

    if not output.parent.exists():
        raise click.ClickException(f"{output}: directory {output.parent} does not exist")
    atomic_write(output, data.encode("utf-8") if isinstance(data, str) else data)
