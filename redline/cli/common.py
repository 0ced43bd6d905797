"""Options and helpers shared by every command: corpus selection, formats, errors, output.

Every command's inputs and its ``-o`` go through here and :mod:`redline.fsio`: the corpus a
command reads and each modification file it loads are remembered (in the click context), so that
:func:`write_output` refuses an ``-o`` that would overwrite one of them; every ``OSError`` and
library error becomes one ``Error: …`` line naming the path (:func:`handle_errors`).
"""

from __future__ import annotations

import datetime
import functools
import os
import re
import warnings
from pathlib import Path

import click

from redline import fsio
from redline.errors import FileError, ModificationError, RedlineError, UnknownVersion

#: keys of ``click.Context.meta`` where the corpus root and the input files of a command are kept
_CORPUS_KEY = "redline.corpus_root"
_INPUTS_KEY = "redline.inputs"


class InputError(click.ClickException):
    """Bad input (an unreadable modification, an unknown base version): exit 2."""

    exit_code = 2


def check_new_version_id(corpus, new_id: str) -> None:
    """Refuse (exit 2) an ``--as`` id that is not a version id, too long for a directory name, or
    already in the corpus, before any work is done (the transaction checks again under its lock)."""
    from redline.transaction import MAX_ID, VERSION_ID

    if not VERSION_ID.match(new_id):
        raise click.UsageError(f"{new_id!r} is not a version id (letters, digits and . + _ -)")
    if len(new_id) > MAX_ID:
        raise click.UsageError(f"--as: a version id may have at most {MAX_ID} characters, not {len(new_id)}")
    if new_id in corpus.version_ids:
        raise click.UsageError(f"version {new_id} already exists in the corpus")


def display_path(path) -> str | None:
    """``path`` as a report shows it: relative to the working directory when it lies inside it."""
    if path is None:
        return None
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except (OSError, ValueError):
        return str(path)


def as_click_exception(exc: RedlineError) -> click.ClickException:
    """The ClickException that prints ``exc`` as one ``Error: …`` line with its exit code."""
    err = click.ClickException(str(exc))
    err.exit_code = exc.exit_code
    return err


def os_error(exc: OSError) -> FileError:
    """The error for an ``OSError`` that :mod:`redline.fsio` did not already turn into one: it
    names the file the system names, else it was a write to standard output."""
    if exc.filename is not None:
        return FileError(fsio.reason(exc), exc.filename)
    return fsio.stdout_error(exc)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    if issubclass(category, fsio.SkippedInput):
        click.echo(f"Warning: {message}", err=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def handle_errors(fn):
    """Turn library errors and OS errors (a full disk, a closed or broken standard output) into
    ``Error: <one line>`` with the error's exit code (never a traceback); inputs skipped by a
    directory listing are reported as ``Warning: …`` lines on standard error."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("always", fsio.SkippedInput)
            warnings.showwarning = _show_warning
            try:
                return fn(*args, **kwargs)
            except RedlineError as exc:
                raise as_click_exception(exc) from None
            except OSError as exc:
                raise as_click_exception(os_error(exc)) from None

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
            ctx = click.get_current_context(silent=True)
            if ctx is not None:
                ctx.meta[_CORPUS_KEY] = corpus.root
            # an -o inside the corpus is refused before any work is done
            fsio.check_output(kwargs.get("output"), corpus=corpus.root, directory=True)
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


def jobs_option(what: str):
    """``--jobs N`` / ``-j N``: how many processes share ``what`` (:mod:`redline.fanout`;
    default None: the CPUs available)."""
    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
                        help=f"{what} in N processes [default: the CPUs available].")


class OutputPath(click.ParamType):
    """An ``-o`` path: anything but the empty string (which would name the current directory)."""

    name = "path"

    def convert(self, value, param, ctx):
        if isinstance(value, Path):
            return value
        if not str(value):
            self.fail("an empty path names no file; give -o FILE, or -o - for standard output", param, ctx)
        return Path(value)


OUTPUT_PATH = OutputPath()


def output_option(fn):
    """``-o/--output FILE`` passed as ``output``; '-' is stdout (see :func:`write_output`)."""
    return click.option("-o", "--output", type=OUTPUT_PATH, default=None, metavar="FILE",
                        help="Write to FILE (atomically; a device or FIFO is written through; never an "
                             "input or a file of the corpus) instead of standard output.")(fn)


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
        mod = load(corpus, name)
    except ModificationError as exc:
        raise InputError(str(exc)) from None
    register_input(mod.path)
    return mod


def register_input(path) -> None:
    """Remember that the running command read ``path``: :func:`write_output` will not write over it."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and path is not None:
        ctx.meta.setdefault(_INPUTS_KEY, []).append(Path(path))


def _guarded():
    """(inputs, corpus root) of the running command, for :func:`redline.fsio.check_output`."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return (), None
    return tuple(ctx.meta.get(_INPUTS_KEY, ())), ctx.meta.get(_CORPUS_KEY)


def load_base(corpus, modification, onto: str | None = None, onto_name: str = "--onto"):
    """The version ``modification`` is applied to: ``onto`` (the argument ``onto_name``) or its base.

    An unknown version is an ``InputError`` (exit 2) saying which of the two it was.
    """
    try:
        return corpus.load(onto or modification.base)
    except UnknownVersion as exc:
        where = onto_name if onto else f"the base of {modification.id}"
        raise InputError(f"{where}: {exc}") from None


def check_output(output, directory: bool = False) -> None:
    """Refuse ``output`` now (exit 2) if :func:`write_output` would refuse it later."""
    inputs, corpus = _guarded()
    fsio.check_output(output, inputs=inputs, corpus=corpus, directory=directory)


def write_output(data, output: Path | None) -> None:
    """Write ``data`` (str, bytes, or an iterable of either) to ``output`` (see
    :func:`redline.fsio.write_output`: atomically, or through to a device or FIFO), or to stdout
    when ``output`` is None or '-'. An ``output`` that names an input of the command or a file
    inside its corpus is refused (exit 2)."""
    inputs, corpus = _guarded()
    if (output is None or str(output) == "-") and isinstance(data, str) and not data.endswith("\n"):
        data += "\n"  # a terminal line ends with a newline (as click.echo would add)
    fsio.write_output(data, output, inputs=inputs, corpus=corpus)


def write_files(directory: Path, files: dict[str, bytes]) -> list[Path]:
    """Write several files into ``directory`` (created if need be) as one step: see
    :func:`redline.fsio.write_files`; the same refusals as :func:`write_output`."""
    inputs, corpus = _guarded()
    return fsio.write_files(directory, files, inputs=inputs, corpus=corpus)
