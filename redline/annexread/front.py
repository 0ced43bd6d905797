"""The document around the legal text: cover metadata, section titles, drafting instructions.

:func:`split_document` sorts an Annex A's paragraphs into the cover (before the first section
title, instruction or legal text), the drafting instructions (with the section each falls under),
the legal text, and what is neither (the summary table, notes); :func:`read_cover` reads the
modification's metadata from the cover as the code administrator prints it::

    MP087 ‘Correction to SEC Section G – User Responsibilities’
    Annex A
    Legal text – version 0.1
    … These changes have been drafted against SEC Version 6.17.
    This document is classified as White in accordance with the Panel Information Policy…

Pure: paragraphs in, values out.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from redline.annexread.instructions import Instruction, looks_like_instruction, parse_instruction
from redline.annexread.marked import LEGAL_ROLES, Para
from redline.model import normalise_space

_REFERENCE = re.compile(r"^\s*((?:SEC)?[A-Z]{1,6}[0-9]{2,}[A-Za-z0-9]*)\s*[:‘'\"“]?\s*(.*?)\s*[’'\"”]?\s*$")
_SUBTITLE = re.compile(r"legal\s+text.*?\bversion\s+([0-9][0-9A-Za-z.]*[0-9A-Za-z])", re.I)
_BASE = re.compile(r"\b(?:drafted|made|prepared)\s+against\b.*?\bversion\s+([0-9]+\.[0-9]+)", re.I)
_CLASSIFICATION = re.compile(r"\bclassified\s+as\s+(\w+)|\bclassification\s+of\s+(\w+)", re.I)
_SECTION_TITLE = re.compile(r"^\s*Section\s+([A-Z])\s*(?:[‘'\"“](.*?)[’'\"”])?\s*$")
_LEGAL_START = re.compile(r"^\s*(?:SECTION\s+[A-Z]\b|[A-Z][0-9]+[A-Z]?(?:\.[0-9]+[A-Z]?)?(?:\t|\s)|\([a-z]{1,4}\)\s)")
_DATE = re.compile(r"^\s*(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\s+(\d{4})\s*$", re.I)
_AUTHOR = re.compile(r"^\s*(?:author|prepared by|drafted by)\s*[:\-–]?\s+(.{2,80}?)\s*$", re.I)
_PROPOSER = re.compile(r"^\s*(?:proposer|proposed by)\s*[:\-–]?\s+(.{2,120}?)\s*$", re.I)
_DATE_LINE = re.compile(r"^\s*(?:date|dated)\s*[:\-–]?\s+(.+?)\s*$", re.I)
_MONTHS = ("january february march april may june july august september october november december").split()


@dataclass
class Cover:
    """What the cover says (None where it says nothing)."""

    reference: str | None = None
    title: str | None = None
    legal_text_version: str | None = None
    base: str | None = None
    classification: str | None = None
    date: str | None = None
    author: str | None = None
    proposer: str | None = None
    lines: list[str] = field(default_factory=list)


@dataclass
class Layout:
    """An Annex A's paragraphs sorted by what they are."""

    cover: list[Para]
    legal: list[Para]
    instructions: list[Instruction]
    sections: dict[str, str | None]  # section letter -> its heading, as titled
    other: list[Para]  # neither cover nor legal text (summary table, notes, unplaced)


def _is_legal_start(p: Para) -> bool:
    if p.role is not None:
        return p.role in LEGAL_ROLES
    return any(p.automatic()) or bool(_LEGAL_START.match(p.text("accept"))
                                                                        or _LEGAL_START.match(p.text("reject")))


def split_document(paras: list[Para]) -> Layout:
    """Sort ``paras`` into cover, instructions, section titles, legal text and the rest."""
    cover: list[Para] = []
    legal: list[Para] = []
    other: list[Para] = []
    instructions: list[Instruction] = []
    sections: dict[str, str | None] = {}
    in_cover = True
    for p in paras:
        role = p.role
        if role == "skip":
            other.append(p)
            continue
        raw = p.text("accept")
        if not raw.strip():
            raw = p.text("reject")
        # the words, spaces normalised, are needed only by a paragraph that may be a section title
        # or an instruction (most are neither: their first word says so)
        first = raw.lstrip()[:8].lower()
        title = None
        if role in (None, "section-title") and first.startswith("section"):
            title = _SECTION_TITLE.match(normalise_space(raw))
        if role == "section-title" or (role is None and title):
            if title:
                sections[title.group(1)] = title.group(2)
            in_cover = False
            continue
        if role == "instruction" or (role is None and looks_like_instruction(raw) and not p.changed):
            instr = parse_instruction(normalise_space(raw), p.where)
            if instr is not None:
                instructions.append(instr)
            else:
                other.append(p)
            in_cover = False
            continue
        if role is not None and role.startswith("cover"):
            cover.append(p)
            continue
        if in_cover and not _is_legal_start(p):
            cover.append(p)
            continue
        in_cover = False
        if role is None or role in LEGAL_ROLES:
            legal.append(p)
        else:
            other.append(p)
    return Layout(cover, legal, instructions, sections, other)


def iso_date(text: str) -> str | None:
    """``4 October 2019`` or ``2019-10-04`` (or a date-time) as ``2019-10-04``; None otherwise."""
    text = text.strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", text)
    if m:
        try:
            return _dt.date.fromisoformat(m.group(1)).isoformat()
        except ValueError:
            return None
    m = _DATE.match(text)
    if m:
        try:
            return _dt.date(int(m.group(3)), _MONTHS.index(m.group(2).lower()) + 1, int(m.group(1))).isoformat()
        except ValueError:
            return None
    return None


def read_cover(paras: list[Para]) -> Cover:
    """The metadata the cover paragraphs give."""
    cover = Cover()
    for p in paras:
        text = normalise_space(p.plain())
        if not text:
            continue
        cover.lines.append(text)
        role = p.role
        if cover.reference is None and role in (None, "cover-title"):
            m = _REFERENCE.match(text)
            if m and (role == "cover-title" or m.group(2)):
                cover.reference = m.group(1)
                title = m.group(2).strip()
                cover.title = title.strip("‘’'\"“”").strip() or None
                continue
        if cover.legal_text_version is None:
            m = _SUBTITLE.search(text)
            if m:
                cover.legal_text_version = m.group(1)
                continue
        if cover.base is None:
            m = _BASE.search(text)
            if m:
                cover.base = m.group(1)
        if cover.classification is None:
            m = _CLASSIFICATION.search(text)
            if m:
                cover.classification = (m.group(1) or m.group(2)).capitalize()
        if cover.date is None:
            m = _DATE_LINE.match(text)
            cover.date = iso_date(m.group(1) if m else text) if (m or _DATE.match(text)) else None
        if cover.proposer is None:
            m = _PROPOSER.match(text)
            if m:
                cover.proposer = m.group(1)
                continue
        if cover.author is None:
            m = _AUTHOR.match(text)
            if m:
                cover.author = m.group(1)
    return cover
