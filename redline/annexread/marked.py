"""Marked paragraphs: what every Annex A reader (HTML, DOCX tracked, DOCX house mark-up) gives.

A :class:`Para` is one paragraph of the document as a sequence of :class:`Mark`-ed runs: each
run is unchanged (``None``), inserted (``"ins"``) or deleted (``"del"``), whatever the source
format used to say so (``<ins>``/``<del>``, ``w:ins``/``w:del``/``w:moveTo``/``w:moveFrom``, blue
underline or red strike-through). The two *views* of a paragraph are what Word's Accept All
(``"accept"``: unchanged and inserted runs) and Reject All (``"reject"``: unchanged and deleted
runs) give.

A paragraph may carry a ``role`` when its format says what it is (redline's own HTML classes and
DOCX paragraph styles): ``clause``, ``item``, ``definition``, ``closing``, ``part``,
``crossheading``, ``instruction``, ``section-title``, ``cover-*``, ``skip``…; ``depth`` is an item's
level (1 = (a)) or, for closing words, the level of the node they close (0 = the clause). The
number may come separately (``num``: HTML's ``<span class="num">``), automatically (``auto``:
Word's list numbering per view) or typed at the start of the text. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

INS, DEL = "ins", "del"
VIEWS = ("accept", "reject")

#: roles that carry legal text (everything else is the document around it)
LEGAL_ROLES = frozenset(("part", "crossheading", "clause", "item", "definition", "closing"))


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of a paragraph's text and its change: None (unchanged), ``ins`` or ``del``."""

    text: str
    change: str | None = None


def visible(run: Run, view: str) -> bool:
    """Whether ``run`` is part of the paragraph in ``view`` (``accept`` or ``reject``)."""
    if run.change is None:
        return True
    return (run.change == INS) == (view == "accept")


def view_text(runs, view: str) -> str:
    """The text of ``runs`` as it reads in ``view``."""
    return "".join(r.text for r in runs if visible(r, view))


_NO_NUMBERS = (None, None)


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph of an Annex A, with its changes.

    ``where`` names it for a report ("paragraph 12"); ``runs`` hold its text (number included
    unless ``num`` is given); ``mark`` is the paragraph mark's own change (a paragraph added or
    removed whole); ``auto`` is the automatic number Word displays in each view, as the pair
    ``(accept, reject)`` (a mapping from the view's name is accepted too).

    A whole code is ~80,000 of these, so the value is slotted, and each view's text is worked out
    once (the same string for both views when nothing in the paragraph is marked).
    """

    where: str
    runs: tuple[Run, ...]
    role: str | None = None
    depth: int = 0
    num: tuple[Run, ...] | None = None
    mark: str | None = None
    auto: tuple[str | None, str | None] | Mapping[str, str | None] = field(default=_NO_NUMBERS, compare=False)
    style: str | None = None
    _texts: tuple[str, str] | None = field(default=None, compare=False, repr=False)  # (accept, reject)
    _changed: bool | None = field(default=None, compare=False, repr=False)

    def _views(self) -> tuple[str, str]:
        texts = self._texts
        if texts is None:
            runs = self.runs
            if not any(r.change for r in runs):
                text = "".join(r.text for r in runs) if len(runs) != 1 else runs[0].text
                texts = (text, text)
            else:
                texts = (view_text(runs, "accept"), view_text(runs, "reject"))
            object.__setattr__(self, "_texts", texts)  # a frozen value: its texts never change
        return texts

    def text(self, view: str = "accept") -> str:
        """The words of the paragraph in ``view`` (not the separate or automatic number)."""
        return self._views()[0 if view == "accept" else 1]

    def number(self, view: str = "accept") -> str | None:
        """The separate number (HTML) or automatic number (Word) in ``view``, if any."""
        if self.num is not None:
            return view_text(self.num, view).strip() or None
        auto = self.auto
        if isinstance(auto, tuple):
            return auto[0 if view == "accept" else 1]
        return auto.get(view)

    def automatic(self) -> tuple[str | None, str | None]:
        """The automatic numbers (Word's) in the two views, (accept, reject)."""
        auto = self.auto
        return auto if isinstance(auto, tuple) else (auto.get("accept"), auto.get("reject"))

    def exists(self, view: str) -> bool:
        """Whether the paragraph is there at all in ``view``: a paragraph whose mark is inserted
        (or whose every character is inserted) is not there when changes are rejected, and the
        other way round."""
        if self.mark is not None:
            return (self.mark == INS) == (view == "accept")
        if not self.changed:
            return True  # nothing marked: there in both views
        only = None  # the one change every visible run has, if there is one
        for r in (*(self.num or ()), *self.runs):
            if not r.text.strip():
                continue
            if r.change is None or (only is not None and r.change != only):
                return True
            only = r.change
        if only is not None:
            return (only == INS) == (view == "accept")
        return True

    @property
    def changed(self) -> bool:
        """Whether anything in the paragraph is marked as changed (worked out once: the readers
        ask it of each of a whole code's paragraphs several times)."""
        changed = self._changed
        if changed is None:
            changed = self.mark is not None or any(r.change for r in self.runs) or \
                any(r.change for r in self.num or ())
            object.__setattr__(self, "_changed", changed)  # a frozen value: never changes
        return changed

    def plain(self) -> str:
        """The paragraph's text with both views' words (for front matter, which is never marked)."""
        return "".join(r.text for r in self.runs)


def merge_runs(runs) -> tuple[Run, ...]:
    """Adjacent runs of the same change joined, empty runs dropped."""
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and out[-1].change == r.change:
            out[-1] = Run(out[-1].text + r.text, r.change)
        else:
            out.append(r)
    return tuple(out)
