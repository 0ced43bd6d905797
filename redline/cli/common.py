"""Options and helpers shared by every command: corpus selection, formats, errors, output."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from redline.errors import RedlineError


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
    """``--corpus DIR`` (env ``REDLINE_CORPUS``; default the bundled corpus), passed as ``corpus``."""

    @click.option(
        "--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), envvar="REDLINE_CORPUS",
        default=None, help="Corpus directory (default: the bundled corpus; env REDLINE_CORPUS).",
    )
    @functools.wraps(fn)
    def wrapper(*args, corpus_dir=None, **kwargs):
        from redline.corpus import Corpus

        try:
            corpus = Corpus.open(corpus_dir)
        except RedlineError as exc:
            raise as_click_exception(exc) from None
        return fn(*args, corpus=corpus, **kwargs)

    return wrapper


def format_option(*choices: str, default: str | None = None):
    """``--format`` restricted to ``choices`` (the first is the default)."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=default or choices[0],
                        show_default=True, help="Output format.")


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
