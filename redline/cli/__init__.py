"""The ``redline`` command line: a thin layer from arguments to the core and back.

Commands live in modules of this package and are imported only when invoked, so that
``redline --help`` stays fast. Each command turns :class:`redline.errors.RedlineError` into a
one-line ``Error: …`` and a non-zero exit (see :func:`redline.cli.common.handle_errors`).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from redline import __version__
from redline.gcpause import exiting

#: command name -> "module:attribute" (imported lazily)
COMMANDS = {
    "versions": "redline.cli.corpus_cmds:versions",
    "show": "redline.cli.corpus_cmds:show",
    "validate": "redline.cli.corpus_cmds:validate_cmd",
    "xref": "redline.cli.xref_cmds:xref",
    "apply": "redline.cli.mod_cmds:apply_cmd",
    "check": "redline.cli.mod_cmds:check_cmd",
    "diff": "redline.cli.redline_cmds:diff_cmd",
    "annex": "redline.cli.redline_cmds:annex_cmd",
    "import": "redline.cli.import_cmds:import_cmd",
    "export": "redline.cli.import_cmds:export_cmd",
    "new": "redline.cli.new_cmd:new_cmd",
    "release": "redline.cli.release_cmds:release_cmd",
    "rebase": "redline.cli.release_cmds:rebase_cmd",
    "log": "redline.cli.release_cmds:log_cmd",
    "import-annex": "redline.cli.annex_import_cmds:import_annex_cmd",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redline")
def main():
    """Keep a legal code under version control and produce its redlines.

    \b
    Example:
      redline versions
      redline show 6.17 G3.20
    """
    from redline.fsio import guard_standard_streams

    guard_standard_streams()  # a closed stdout (`>&-`) is an error, not silence


def run() -> None:
    """The console entry point: :func:`main`, then the standard streams flushed.

    A stream that cannot be flushed any more (a reader that closed the pipe, a full device) is
    pointed at the null device, so that the interpreter's own flush at exit prints no second
    error after the command's one ``Error:`` line (or its output). The exit code is click's.
    What is left in memory is left to the exit (:func:`redline.gcpause.exiting`).
    """
    try:
        main()
    finally:
        exiting()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):  # None, closed, a broken pipe
                try:
                    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
                except (AttributeError, ValueError, OSError):
                    pass
