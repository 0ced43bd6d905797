"""An imported section put into a version's section: what it replaces, adds, keeps or drops.

``redline import --into VERSION`` must not lose what the version holds and the document does
not. :func:`merge_section` puts the imported section over the version's one **clause by
clause**: a clause the document holds replaces the version's clause of the same number (its
words, items and definitions as the document prints them); a clause the document does not
hold is kept, in number order, under the cross-heading it had; a part the document does not
hold is kept whole. A heading the document prints (the section's, a part's) replaces the
version's; one it does not print is kept. With ``replace=True`` (``--replace-section``) the
section becomes exactly the document, and what the version held beyond it is listed as
dropped.

Provenance stays true: an element made of the document's text carries the import's ``source``
and ``evidence``; one kept from the version carries what it had (its own, or what it inherited
from the version's part or section), written on it where its new place would say otherwise; a
part or cross-heading holding clauses of both says nothing itself (each clause says its own).

Pure logic: trees in, a new tree and a :class:`Merge` summary out; the inputs are not changed.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

from lxml import etree

from redline.model import Node
from redline.validate import order_key, sort_key

PROVENANCE = ("source", "evidence", "note")


class Merge(NamedTuple):
    """What putting an imported section into a version's section did (clause numbers, in order)."""

    section: etree._Element  # the section to write
    letter: str
    version: str
    replaced: tuple[str, ...]  # clauses of the version the document's replace
    added: tuple[str, ...]  # clauses of the document the version did not hold
    kept: tuple[str, ...]  # clauses of the version the document does not hold, kept
    dropped: tuple[str, ...]  # with replace=True: clauses of the version the document does not hold
    kept_parts: tuple[str, ...]  # parts the document does not hold, kept whole
    dropped_parts: tuple[str, ...]  # with replace=True: parts the document does not hold
    kept_headings: tuple[str, ...]  # "Section G", "G3": headings the document does not print, kept
    replace: bool

    @property
    def held(self) -> bool:
        """Whether the version held the section at all."""
        return bool(self.replaced or self.kept or self.dropped or self.kept_parts or self.dropped_parts)

    def lines(self) -> list[str]:
        """The summary as the text report prints it."""
        where = f"Section {self.letter} of {self.version}"
        if not self.held:
            return [f"  {where}: added (the version did not hold it)"]
        how = "replaced whole (--replace-section)" if self.replace else \
            "merged clause by clause (nothing the version holds is dropped; --replace-section replaces it whole)"
        out = [f"  {where}: {how}"]
        for title, nums in (("replaced", self.replaced), ("added", self.added)):
            if nums:
                out.append(f"    {title}: {spans(nums)} ({len(nums)} clause(s))")
        whole = {p: [n for n in nums if n.partition(".")[0] == p]
                 for p, nums in ((p, self.kept + self.dropped) for p in self.kept_parts + self.dropped_parts)}
        for verb, parts, nums in (("kept", self.kept_parts, self.kept), ("dropped", self.dropped_parts, self.dropped)):
            for p in parts:
                inside = whole[p]
                out.append(f"    {verb}, not in the document: part {p} whole"
                           + (f" ({spans(inside)}: {len(inside)} clause(s))" if inside else ""))
            loose = [n for n in nums if n.partition(".")[0] not in parts]
            if loose:
                out.append(f"    {verb}, not in the document: {spans(loose)} ({len(loose)} clause(s))")
        if self.kept_headings:
            out.append(f"    headings kept (the document prints none): {', '.join(self.kept_headings)}")
        return out

    def to_dict(self) -> dict:
        return {"version": self.version, "section": self.letter, "mode": "replace" if self.replace else "merge",
                "replaced": list(self.replaced), "added": list(self.added), "kept": list(self.kept),
                "kept_parts": list(self.kept_parts), "kept_headings": list(self.kept_headings),
                "dropped": list(self.dropped), "dropped_parts": list(self.dropped_parts)}


def part_key(num: str) -> tuple:
    """The order of part numbers (``G3`` -> (3, ""))."""
    return sort_key(num or "")


def clause_key(num: str) -> tuple:
    """The order of clause numbers across parts (``G3.20A`` -> (3, "", 20, "A"))."""
    return sort_key((num or "").partition(".")[0]) + sort_key(num or "")


def spans(nums) -> str:
    """Clause numbers as runs: ``G1.1 to G1.9, G1.10A, G3.17 to G3.21``."""
    runs: list[list[str]] = []
    last = None
    for num in nums:
        key = order_key(num) if "." in num else None
        here = (num.partition(".")[0], key[0]) if key is not None and not key[1] else None
        if runs and here is not None and last is not None and here[0] == last[0] and here[1] == last[1] + 1:
            runs[-1].append(num)
        else:
            runs.append([num])
        last = here
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


def _effective(el) -> dict[str, str]:
    """The provenance an element has in its tree: its own, else its nearest ancestor's (as
    :class:`redline.model.Node` reads ``source``, ``evidence`` and ``note``)."""
    node = Node(el)
    return {k: v for k in PROVENANCE if (v := getattr(node, k)) is not None}


def _settle(el, want: dict[str, str]) -> None:
    """Give ``el``, placed anew (its parent already settled), the provenance ``want``: what it
    would inherit anyway is not repeated, what it must not inherit is said (a note it must not
    take from above is ``note=""``). Apply top down."""
    parent = el.getparent()
    above = _effective(parent) if parent is not None else {}
    for k in PROVENANCE:
        w = want.get(k)
        if w is not None and above.get(k) != w:
            el.set(k, w)
        elif w is None and k == "note" and above.get(k):
            el.set(k, "")
        elif k in el.attrib:
            del el.attrib[k]


def _clauses(part) -> list[tuple]:
    """(clause, its cross-heading or None) of a part, in document order."""
    out = []
    for child in part:
        if child.tag == "clause":
            out.append((child, None))
        elif child.tag == "crossheading":
            out.extend((c, child) for c in child if c.tag == "clause")
    return out


def merge_section(held, imported, *, version: str, replace: bool = False) -> Merge:
    """Put ``imported`` (a section element the importer built) into ``held`` (the version's
    section element, or None if it holds none). See the module docstring."""
    letter = imported.get("num")
    doc_prov = _effective(imported)
    doc_parts = {p.get("num"): p for p in imported if p.tag == "part"}
    held_parts = {p.get("num"): p for p in held if p.tag == "part"} if held is not None else {}
    doc_nums = [c.get("num") for c in imported.iter("clause")]
    held_nums = [c.get("num") for c in held.iter("clause")] if held is not None else []
    doc_set, held_set = set(doc_nums), set(held_nums)
    replaced = tuple(n for n in doc_nums if n in held_set)
    added = tuple(n for n in doc_nums if n not in held_set)
    missing = tuple(n for n in held_nums if n not in doc_set)
    missing_parts = tuple(p for p in held_parts if p not in doc_parts)
    if held is None or replace or not missing and not missing_parts and _same_headings(held, imported):
        return Merge(copy.deepcopy(imported), letter, version, replaced, added, (), missing, (), missing_parts, (),
                     replace)

    kept_headings: list[str] = []
    heading, heading_prov = imported.get("heading") or "", doc_prov
    if not heading and held.get("heading"):
        heading, heading_prov = held.get("heading"), _effective(held)
        kept_headings.append(f"Section {letter}")
    complete = "complete" in (imported.get("coverage"), held.get("coverage"))
    section = etree.Element("section", num=letter, heading=heading, coverage="complete" if complete else "partial")
    _settle(section, heading_prov)
    for num in sorted(set(doc_parts) | set(held_parts), key=part_key):
        dp, hp = doc_parts.get(num), held_parts.get(num)
        if hp is None:
            part = copy.deepcopy(dp)
            section.append(part)
            _settle(part, doc_prov)
        elif dp is None:
            part = copy.deepcopy(hp)
            section.append(part)
            _settle(part, _effective(hp))
        else:
            _merge_part(section, dp, hp, doc_prov, kept_headings)
    return Merge(section, letter, version, replaced, added, missing, (), missing_parts, (), tuple(kept_headings),
                 False)


def _same_headings(held, imported) -> bool:
    """Whether every heading the version has is printed by the document too (so the document's
    section, taken whole, keeps everything)."""
    if held.get("heading") and not imported.get("heading"):
        return False
    doc_parts = {p.get("num"): p for p in imported if p.tag == "part"}
    return all(not p.get("heading") or doc_parts[p.get("num")].get("heading")
               for p in held if p.tag == "part" and p.get("num") in doc_parts)


def _merge_part(section, dp, hp, doc_prov: dict, kept_headings: list[str]) -> None:
    """Append to ``section`` the part that the document and the version both hold, clause by
    clause: the document's clauses and the version's others in number order, each under the
    cross-heading it had (a clause the document prints before any cross-heading of its part
    keeps the version's, or, if new, joins the group above it). Each element keeps the
    provenance it had where it came from (a heading: where the heading came from)."""
    num = dp.get("num")
    doc = {c.get("num"): (c, ch) for c, ch in _clauses(dp)}
    held = {c.get("num"): (c, ch) for c, ch in _clauses(hp)}
    heading, heading_prov = dp.get("heading"), doc_prov
    if not heading:
        heading_prov = _effective(hp)  # the version's part says what is known of its heading
        if hp.get("heading"):
            heading = hp.get("heading")
            kept_headings.append(num)
    complete = "complete" in (dp.get("coverage"), hp.get("coverage"))
    part = etree.SubElement(section, "part", num=num)
    if heading:
        part.set("heading", heading)
    part.set("coverage", "complete" if complete else "partial")
    _settle(part, heading_prov)
    kept_over: list[str] = []  # the version's cross-headings kept over clauses of the document
    above = (None, None)  # (heading, its provenance) of the clause before
    group = None  # (heading, container) being filled
    for n in sorted(set(doc) | set(held), key=clause_key):
        if n in doc:
            c, ch = doc[n]
            prov = doc_prov
            if ch is not None:
                h, h_prov = ch.get("heading"), doc_prov
            elif n in held and held[n][1] is not None:  # the document prints no cross-heading over it
                h, h_prov = held[n][1].get("heading"), _effective(held[n][1])
                if h not in kept_over:
                    kept_over.append(h)
            elif n not in held:
                h, h_prov = above
            else:
                h, h_prov = None, None
        else:
            c, ch = held[n]
            prov = _effective(c)
            h, h_prov = (ch.get("heading"), _effective(ch)) if ch is not None else (None, None)
        if group is None or group[0] != h:
            container = part if h is None else etree.SubElement(part, "crossheading", heading=h)
            if h is not None:
                _settle(container, h_prov)
            group = (h, container)
        clause = copy.deepcopy(c)
        group[1].append(clause)
        _settle(clause, prov)
        above = (h, h_prov)
    kept_headings.extend(f"the cross-heading ‘{h}’ in {num}" for h in kept_over)
