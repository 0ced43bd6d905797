"""The import report: what was recognised, what was repaired, and what needs a reader's eye.

Every import (from Word or from text) fills one :class:`ImportReport`: counts of what was
recognised, and notes, each naming its place in the source ("paragraph 12", "line 340"):

* ``repaired``: damage the importer can see and repair with certainty (a word split by stray
  spaces whose halves are not words, a footnote digit glued to a version number, a flattened
  redline number such as ``(a)(c)``), with what it was and what it became;
* ``review``: things the importer did but is not sure of (a possible damaged word it left alone,
  an item out of sequence, two paragraphs joined into one clause text);
* ``unplaced``: source text that could not be placed in the section (left out of the result);
* ``dropped``: what was recognised as not legal text (title, contents, page headers and footers,
  footnotes, text before the legal text), so that nothing is dropped silently.

``needs_review`` is what ``--strict`` turns into an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from redline.model import normalise_space

#: the counts a report gives, in the order it prints them
COUNTED = ("parts", "crossheadings", "clauses", "items", "definitions", "closings", "not_used")
#: how many notes of one kind the text report shows in full before summarising the rest
SHOW_NOTES = 40


class Note(NamedTuple):
    """One thing the report says about one place in the source."""

    where: str  # "paragraph 12", "line 340"
    what: str  # what was done or found
    text: str = ""  # the source text concerned (shortened)


@dataclass
class ImportReport:
    """What an import recognised and every place it repaired, doubted, could not place or dropped."""

    source: str
    section: str | None = None
    heading: str | None = None
    counts: dict = field(default_factory=lambda: {k: 0 for k in COUNTED})
    repaired: list[Note] = field(default_factory=list)
    review: list[Note] = field(default_factory=list)
    unplaced: list[Note] = field(default_factory=list)
    dropped: list[Note] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)  # why each part/section is complete or partial
    span: tuple[str, str] | None = None  # first and last clause

    def add(self, kind: str, where: str, what: str, text: str = "") -> None:
        getattr(self, kind).append(Note(where, what, _short(text)))

    @property
    def needs_review(self) -> bool:
        """Whether anything needs a reader's eye (what ``--strict`` refuses)."""
        return bool(self.review or self.unplaced)

    def to_dict(self) -> dict:
        return {
            "source": self.source, "section": self.section, "heading": self.heading,
            "counts": dict(self.counts), "span": list(self.span) if self.span else None,
            "coverage": list(self.coverage), "needs_review": self.needs_review,
            **{k: [n._asdict() for n in getattr(self, k)] for k in ("repaired", "review", "unplaced", "dropped")},
        }

    def to_text(self) -> str:
        c = self.counts
        head = f"Section {self.section}" + (f" ({self.heading})" if self.heading else "") if self.section else "No section"
        lines = [f"{self.source}: {head}"]
        recognised = (f"{c['parts']} part(s), {c['crossheadings']} cross-heading(s), {c['clauses']} clause(s)"
                      f" ({c['not_used']} not used), {c['items']} item(s), {c['definitions']} definition(s), "
                      f"{c['closings']} closing(s)")
        lines.append(f"  recognised: {recognised}")
        if self.span:
            lines.append(f"  clauses: {self.span[0]} to {self.span[1]}")
        for why in self.coverage:
            lines.append(f"  coverage: {why}")
        for kind, title in (("repaired", "repaired"), ("review", "to review"), ("unplaced", "not placed (left out)"),
                            ("dropped", "not legal text (dropped)")):
            notes = getattr(self, kind)
            if not notes:
                continue
            lines.append(f"  {title}: {len(notes)}")
            shown = notes if kind != "dropped" else notes[:SHOW_NOTES // 2]
            for n in shown[:SHOW_NOTES]:
                lines.append(f"    {n.where}: {n.what}" + (f": {n.text}" if n.text else ""))
            if len(notes) > len(shown[:SHOW_NOTES]):
                lines.append(f"    … and {len(notes) - len(shown[:SHOW_NOTES])} more (--format json lists them all)")
        if not self.needs_review:
            lines.append("  nothing needs review")
        return "\n".join(lines) + "\n"


def _short(text: str, limit: int = 90) -> str:
    text = normalise_space(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"
