"""Read a modification back from its Annex A, and prove the result.

The pipeline, in named stages (each a pure function of the one before)::

    read_document   bytes -> paragraphs (HTML or DOCX reader) -> cover, instructions, legal text
    import_annex    legal text -> two views (reject all, accept all)
                    reject view vs VERSION      -> untracked differences
                    VERSION + views             -> the version the document shows (compose)
                    VERSION, that version       -> operations (synthesize), instructions checked
                    operations applied to VERSION == the document's accept-all text,
                    its reject-all text == VERSION                            -> the proof

:class:`AnnexReading` holds everything a report needs; :attr:`AnnexReading.exit_code` says how
it went (0 proven, 1 the document does not say one modification of VERSION). Nothing here reads
or writes files: the CLI loads the base version and writes the modification.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from redline.annexread.compose import (
    Untracked, check_shown, clause_words, compose, forget_words, pair_blocks, words_cache,
)
from redline.annexread.front import Cover, Layout, read_cover, split_document
from redline.annexread.instructions import Instruction, check_agreement
from redline.annexread.marked import Para
from redline.annexread.outline import ViewOutline, builder_outlines, view_outline
from redline.annexread.synth import synthesize
from redline.apply import apply_modification
from redline.diff import diff_versions
from redline.errors import ApplyError, DocumentError
from redline.model import Address, Version
from redline.mods import Modification

FORMATS = ("docx", "html")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class AnnexDocument:
    """An Annex A as read: its paragraphs sorted into cover, instructions and legal text."""

    name: str
    format: str
    paragraphs: list[Para]
    layout: Layout
    cover: Cover
    properties: dict = field(default_factory=dict)  # DOCX core properties, revision authors and dates
    problems: list[str] = field(default_factory=list)  # from the reader (e.g. numbering assumed)
    tracked: bool = True  # False: the house mark-up (colours), not Word revisions
    legal_paragraphs: int = 0  # how many paragraphs of legal text it has

    @property
    def instructions(self) -> list[Instruction]:
        return self.layout.instructions

    def release(self) -> None:
        """Let go of the paragraphs (a whole code has ~80,000) once they are read into views;
        the cover, instructions and counts stay."""
        self.paragraphs = []
        self.layout.legal, self.layout.other, self.layout.cover = [], [], []


def sniff_format(data: bytes, name: str) -> str:
    """``docx`` or ``html`` from the file's first bytes (its name only as a tie-break)."""
    head = data[:512].lstrip().lower()
    if data[:4] == b"PK\x03\x04" or data[:8] == bytes.fromhex("D0CF11E0A1B11AE1"):
        return "docx"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<meta", b"<div", b"<p")):
        return "html"
    if name.lower().endswith((".html", ".htm")):
        return "html"
    if name.lower().endswith((".docx", ".docm")):
        return "docx"
    raise DocumentError("neither a Word document (.docx) nor an HTML page: give --format", name)


def read_document(data: bytes, name: str, fmt: str | None = None) -> AnnexDocument:
    """Read an Annex A (bytes of a DOCX or an HTML page) into an :class:`AnnexDocument`."""
    fmt = fmt or sniff_format(data, name)
    props: dict = {}
    problems: list[str] = []
    tracked = True
    if fmt == "html":
        from redline.annexread.html import read_html

        paras = read_html(data, name)
    elif fmt == "docx":
        try:
            from redline.annexread.docx import read_docx
            import redline.word  # noqa: F401 - the shared Word reader (issue 12)
        except ImportError:  # pragma: no cover - only before the Word reader is installed
            raise DocumentError("reading a DOCX needs the Word reader (redline.word), which this "
                                "installation does not have", name) from None
        paras, props, problems, tracked = read_docx(data, name)
    else:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    layout = split_document(paras)
    if not layout.legal:
        raise DocumentError("no legal text found (no clause, item or part heading in the document)", name)
    cover = read_cover(layout.cover)
    return AnnexDocument(name, fmt, paras, layout, cover, props, problems, tracked, len(layout.legal))


@dataclass
class AnnexReading:
    """The modification read from an Annex A, and everything found on the way."""

    document: AnnexDocument
    base: str
    modification: Modification | None
    untracked: list[Untracked]
    untracked_ops: int = 0  # the first N operations say the untracked differences
    disagreements: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # make the result unusable
    warnings: list[str] = field(default_factory=list)  # reported only
    notes: list[str] = field(default_factory=list)
    proof: list[str] = field(default_factory=list)  # what the self-proof checked (or why it failed)
    proven: bool = False
    allow_untracked: bool = False
    ignore_instructions: bool = False
    shown_clauses: int = 0

    @property
    def ok(self) -> bool:
        return (self.modification is not None and self.proven and not self.problems
                and (self.allow_untracked or not self.untracked)
                and (self.ignore_instructions or not self.disagreements))

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def _meta(doc: AnnexDocument) -> dict:
    cover = doc.cover
    meta = {}
    if cover.legal_text_version:
        meta["legal-text-version"] = cover.legal_text_version
    if cover.date:
        meta["date"] = cover.date
    if cover.author:
        meta["author"] = cover.author
    if cover.classification:
        meta["classification"] = cover.classification
    return meta


def modification_id(doc: AnnexDocument, given: str | None) -> str:
    """``--id``, else the cover's reference, else the file's name (made a valid id)."""
    for cand in (given, doc.cover.reference):
        if cand and _ID.fullmatch(cand):
            return cand
    stem = re.sub(r"\.[A-Za-z]+$", "", doc.name.replace("\\", "/").rsplit("/", 1)[-1])
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "imported"
    return stem if _ID.fullmatch(stem) else "imported"


def import_annex(doc: AnnexDocument, base: Version, *, mod_id: str | None = None, title: str | None = None,
                 allow_untracked: bool = False, ignore_instructions: bool = False) -> AnnexReading:
    """Read the modification ``doc`` makes to ``base`` and prove it (see the module docstring)."""
    with words_cache():
        return _import_annex(doc, base, mod_id, title, allow_untracked, ignore_instructions)


def _import_annex(doc: AnnexDocument, base: Version, mod_id, title, allow_untracked: bool,
                  ignore_instructions: bool) -> AnnexReading:
    legal = doc.layout.legal
    if any(p.role is not None for p in legal):  # redline's own Annex A: placed by their roles
        reject, accept = view_outline(legal, "reject"), view_outline(legal, "accept")
    else:  # anyone's document: placed by their numbers, by the outline builder of redline import
        reject, accept = builder_outlines(legal)
    reading = AnnexReading(doc, base.id, None, [], allow_untracked=allow_untracked,
                           ignore_instructions=ignore_instructions)
    reading.warnings += doc.problems
    _outline_problems(doc, reject, accept, reading)
    doc.release()
    del legal
    reading.shown_clauses = len({c.block for c in reject.clauses} | {c.block for c in accept.clauses})
    if doc.cover.base and doc.cover.base != base.id:
        reading.warnings.append(f"the cover says the text is drafted against version {doc.cover.base}, "
                                f"but it is read against version {base.id}")
    reading.untracked = check_shown(base, reject, accept)
    if reading.untracked and not allow_untracked:
        reading.proof.append("reject all: the unmarked text differs from version "
                             f"{base.id} in {len({u.address for u in reading.untracked})} place(s)")
        return reading

    blocks, moved = pair_blocks(reject, accept)
    instructions = doc.instructions
    operations: list = []
    shown = []
    start = base
    if reading.untracked:  # --allow-untracked: first the edits made without tracking
        shown_v = compose(base, blocks, reject, accept, [], instructions, f"{base.id}+unmarked", ("old", "old"))
        reading.problems += shown_v.problems
        vd = diff_versions(base, shown_v.version, address_map=shown_v.address_map)
        s = synthesize(base, shown_v.version, vd)
        operations += s.operations
        reading.problems += s.problems
        reading.notes += s.notes
        reading.untracked_ops = len(s.operations)
        start = shown_v.version
    target = compose(start, blocks, reject, accept, moved, instructions, f"{base.id}+annex")
    reading.problems += target.problems
    if reading.problems:
        return reading
    vdiff = diff_versions(start, target.version, address_map=target.address_map)
    s = synthesize(start, target.version, vdiff)
    operations += s.operations
    shown += s.shown
    reading.problems += s.problems
    reading.notes += s.notes
    if not operations:
        reading.problems.append("the document marks no change to the legal text")
        return reading
    if instructions:
        reading.disagreements = check_agreement(instructions, shown)
    else:
        reading.warnings.append("the document has no drafting instructions (nothing to check the marks against)")
    meta = _meta(doc)
    mod = Modification(modification_id(doc, mod_id), title or doc.cover.title or f"Imported from {doc.name}",
                       base.id, tuple(operations), meta)
    reading.modification = mod
    # the reject view is proven already (it is VERSION, or its differences were reported): let it
    # go before the operations are applied, the peak of a whole-code reading
    shown_unmarked = len(reject.clauses)
    forget_words(c.element for c in reject.clauses)
    # so is each clause shown unchanged, whose words are checked equal to VERSION's and which the
    # composed version holds as VERSION's own: only the changed ones are kept (copied out of
    # their view's tree, so that the tree can go too)
    for c in accept.clauses:
        forget_words((c.element,))
        c.element = None if c.block in target.same else copy.deepcopy(c.element)
    del blocks, reject, vdiff, s, shown
    _prove(reading, base, target.version, accept, shown_unmarked)
    return reading


def _outline_problems(doc: AnnexDocument, reject: ViewOutline, accept: ViewOutline, reading: AnnexReading) -> None:
    """Paragraphs that could not be placed: a problem if they carry marks, else a warning."""
    changed = {p.where for p in doc.layout.legal if p.changed}
    seen = set()
    for msg in reject.problems + accept.problems:
        if msg in seen:
            continue
        seen.add(msg)
        where = msg.split(":", 1)[0]
        (reading.problems if where in changed else reading.warnings).append(msg)
    for p in doc.layout.other:
        if p.role is None and p.changed:
            reading.problems.append(f"{p.where}: marked changes outside the legal text ({p.text('accept')[:60]!r})")


def _prove(reading: AnnexReading, base: Version, target: Version, accept: ViewOutline,
           shown_unmarked: int) -> None:
    """Apply the operations to ``base``; the result must be what the document's accept-all text
    shows, clause by clause, and its reject-all text must be ``base`` (or say where not)."""
    mod = reading.modification
    try:
        result = apply_modification(base, mod).version
    except ApplyError as exc:
        reading.proof.append("the operations do not apply to version "
                             f"{base.id}: " + "; ".join(str(f).replace("\n", " ") for f in exc.failures))
        return
    failures = []
    for c in accept.clauses:
        if c.element is None:  # shown unchanged: proven through the reject view and the composed version
            continue
        node = result.find(Address.parse(c.num))
        if node is None:
            failures.append(f"{c.num} is in the accept-all text but not in the result")
        elif clause_words(node.element) != clause_words(c.element):
            failures.append(f"{c.num}: the result's words differ from the accept-all text")
        elif c.heading is not None and (node.crossheading or "") != c.heading and not (
                c.continued and node.crossheading is None):
            failures.append(f"{c.num}: the result's cross-heading differs from the accept-all text")
    for num, p in accept.parts.items():
        node = result.find(Address.parse(num))
        if node is None or (node.heading or "") != p.heading:
            failures.append(f"part {num}: the result's heading differs from the accept-all text")
    for letter, root in target.sections.items():
        if base.sections.get(letter) is root:
            continue  # not composed: the document shows nothing of it
        want, got = _outline(root), _outline(result.sections.get(letter))
        if want != got:
            where = next((w[0] for w, g in zip(want, got) if w != g), f"Section {letter}")
            failures.append(f"{where}: the result differs from the version the document shows")
    n = len(accept.clauses)
    if failures:
        reading.proof += failures
        return
    reading.proven = True
    reading.proof.append(f"the {len(mod.operations)} operation(s) apply to version {base.id}")
    reading.proof.append(f"accept all: the {n} clause(s) the document shows read as the result, clause by clause")
    if reading.untracked:
        reading.proof.append(f"reject all: differs from version {base.id} as reported (allowed: --allow-untracked)")
    else:
        reading.proof.append(f"reject all: the {shown_unmarked} clause(s) shown unmarked read as version {base.id}")


def _outline(root) -> list[tuple]:
    """A section's parts and clauses as words only (numbers, headings, cross-headings, each
    clause's words with its items'), for comparing two trees that differ in provenance only."""
    if root is None:
        return []
    out = []
    for part in root.iter("part"):
        out.append((part.get("num"), part.get("heading") or ""))
        for c in part.iter("clause"):
            box = c.getparent()
            out.append((c.get("num"), box.get("heading") if box.tag == "crossheading" else None, clause_words(c)))
    return out
