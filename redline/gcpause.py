"""The one place that pauses Python's cyclic garbage collector: :func:`gc_paused`.

Reading or laying out a whole code makes hundreds of thousands of small objects (views,
addresses, references, spans, node diffs, Word paragraphs and runs) that form no cycle and live
until the work ends: each full collection would walk all of them, and the loaded trees'
proxies, again and again for nothing (about two thirds of a whole-code redline's layout).
Reference counting still frees whatever goes. Used by the commands that read a whole code
(``check``, ``xref``, ``diff``, ``annex``, ``release``, ``import``, ``import-annex``) and by the
Word reader. :func:`exiting` spares the interpreter's last collection, at exit, the same walk.
Pure: no I/O. ``tests/test_architecture.py`` checks that no other module touches the collector.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


@contextlib.contextmanager
def _paused():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def gc_paused(fn: F | None = None):
    """``@gc_paused`` on a function, or ``with gc_paused():`` around a block: the cyclic collector
    is off inside and as it was before after (a nested use leaves it off until the outermost
    ends)."""
    if fn is None:
        return _paused()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _paused():
            return fn(*args, **kwargs)

    return wrapper


def exiting() -> None:
    """The process is about to exit (the console script's last step): move every object still
    alive to the collector's permanent generation (:func:`gc.freeze`), so that the collection the
    interpreter runs as it shuts down does not walk them all once more (~3% of a whole-code
    command). They are freed as before, by reference counting or with the process."""
    gc.freeze()
