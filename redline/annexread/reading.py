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

import itertools
import re
from dataclasses import dataclass, field

from lxml import etree

from redline.annexread.compose import Untracked, check_shown, clause_words, compose, pair_blocks, words_cache
from redline.annexread.front import Cover, Layout, read_cover, split_document
from redline.annexread.instructions import Instruction, check_agreement
from redline.annexread.marked import Para
from redline.annexread.outline import DocumentSections, SectionViews, ViewOutline
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
        from redline.annexread.docx import read_docx

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
    authors = tuple(doc.properties.get("authors") or ())
    if cover.author:
        meta["author"] = cover.author
    elif len(authors) == 1:  # who drafted the legal text: the one author of its tracked changes
        meta["author"] = authors[0]
    if cover.proposer:
        meta["proposer"] = cover.proposer
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


class BaseVersion:
    """The version an Annex A is read against, a section at a time.

    A whole-code document is read one section after another, and only that section of the base
    is held meanwhile: ``load(letter)`` gives a section's tree (the CLI reads it from the corpus
    then, :meth:`redline.corpus.Corpus.load_section`; :meth:`of` takes a loaded
    :class:`~redline.model.Version`'s). The trees are read-only here."""

    def __init__(self, id: str, code: str, letters, load):
        self.id, self.code, self.letters = id, code, frozenset(letters)
        self._load = load
        self._last: tuple = (None, None)  # the section read last: (letter, tree)

    @classmethod
    def of(cls, version: Version) -> "BaseVersion":
        return cls(version.id, version.code, version.sections, version.sections.get)

    def root(self, letter: str):
        """Section ``letter``'s tree, or None if the version does not hold it."""
        if letter not in self.letters:
            return None
        if self._last[0] != letter:
            self._last = (None, None)  # let go of the one before first
            self._last = (letter, self._load(letter))
        return self._last[1]

    def section(self, letter: str) -> Version:
        """The version holding only section ``letter`` (none if it does not hold it)."""
        root = self.root(letter)
        return Version(self.id, {letter: root} if root is not None else {}, self.code)

    def forget(self) -> None:
        self._last = (None, None)


def import_annex(doc: AnnexDocument, base: Version | BaseVersion, *, mod_id: str | None = None,
                 title: str | None = None, allow_untracked: bool = False,
                 ignore_instructions: bool = False) -> AnnexReading:
    """Read the modification ``doc`` makes to ``base`` and prove it (see the module docstring).

    The document is read a section at a time (each section's views, its check against the base,
    the version it shows, its operations and their proof, then the next), so that a whole code's
    reading holds one section of the base and of what is made from it at once. Sections are
    independent (an operation addresses one section), so the operations of the sections, in
    document order, are the modification (those saying untracked edits first)."""
    if isinstance(base, Version):
        base = BaseVersion.of(base)
    try:
        return _import_annex(doc, base, mod_id, title, allow_untracked, ignore_instructions)
    finally:
        base.forget()


class _Totals:
    """What the sections add up to, for the report and the proof."""

    def __init__(self):
        self.untracked_ops: list = []
        self.operations: list = []
        self.shown: list = []
        self.notes_untracked: list[str] = []
        self.notes: list[str] = []
        self.early: list[str] = []  # problems that stop the reading before operations are written
        self.late: list[str] = []  # problems of the operations found
        self.failures: list[str] = []  # of the proof
        self.unmarked = 0  # clauses shown unmarked (reject all)
        self.accepted = 0  # clauses shown with every change accepted


def _import_annex(doc: AnnexDocument, base: BaseVersion, mod_id, title, allow_untracked: bool,
                  ignore_instructions: bool) -> AnnexReading:
    reading = AnnexReading(doc, base.id, None, [], allow_untracked=allow_untracked,
                           ignore_instructions=ignore_instructions)
    reading.warnings += doc.problems
    if doc.cover.base and doc.cover.base != base.id:
        reading.warnings.append(f"the cover says the text is drafted against version {doc.cover.base}, "
                                f"but it is read against version {base.id}")
    legal = doc.layout.legal
    marked = [p.where for p in legal if p.changed]  # in document order
    changed = set(marked)
    outside = [f"{p.where}: marked changes outside the legal text ({p.text('accept')[:60]!r})"
               for p in doc.layout.other if p.role is None and p.changed]
    instructions = doc.instructions
    mod = Modification(modification_id(doc, mod_id), title or doc.cover.title or f"Imported from {doc.name}",
                       base.id, (), _meta(doc))
    sections = DocumentSections(legal, base.root)
    doc.release()  # the paragraphs are read into the sections' views as the sections come
    del legal
    totals = _Totals()
    seen: set[str] = set()
    for sv in sections:
        for msg in sections.problems + sv.reject.problems + sv.accept.problems:
            if msg not in seen:  # paragraphs that could not be placed: a problem if they carry marks
                seen.add(msg)
                (totals.early if msg.split(":", 1)[0] in changed else reading.warnings).append(msg)
        with words_cache():
            _read_section(sv, base, instructions, mod, reading, totals)
    for msg in sections.problems:  # (when no section was read at all)
        if msg not in seen:
            seen.add(msg)
            (totals.early if msg.split(":", 1)[0] in changed else reading.warnings).append(msg)
    totals.early += outside
    reading.problems += totals.early
    if reading.untracked and not allow_untracked:
        reading.proof.append("reject all: the unmarked text differs from version "
                             f"{base.id} in {len({u.address for u in reading.untracked})} place(s)")
        return reading
    reading.notes += totals.notes_untracked
    if reading.problems:
        return reading
    reading.problems += totals.late
    reading.notes += totals.notes
    reading.untracked_ops = len(totals.untracked_ops)
    operations = totals.untracked_ops + totals.operations
    if not operations:
        if changed:  # marks that change nothing a modification can say (a heading over clauses that stay)
            reading.problems.append(
                f"the changes marked in the legal text ({', '.join(marked[:3])}"
                f"{' …' if len(marked) > 3 else ''}) make no change a modification can say (such as a cross-heading "
                "put over clauses that stay, or taken from over them: a modification adds or deletes a cross-heading "
                "only with its clauses)")
        else:
            reading.problems.append("the document marks no change to the legal text")
        return reading
    if instructions:
        reading.disagreements = check_agreement(instructions, totals.shown)
    else:
        reading.warnings.append("the document has no drafting instructions (nothing to check the marks against)")
    reading.modification = Modification(mod.id, mod.title, mod.base, tuple(operations), mod.meta)
    if totals.failures:
        reading.proof += totals.failures
        return reading
    reading.proven = True
    reading.proof.append(f"the {len(operations)} operation(s) apply to version {base.id}")
    reading.proof.append(f"accept all: the {totals.accepted} clause(s) the document shows read as the result, "
                         "clause by clause")
    if reading.untracked:
        reading.proof.append(f"reject all: differs from version {base.id} as reported (allowed: --allow-untracked)")
    else:
        reading.proof.append(f"reject all: the {totals.unmarked} clause(s) shown unmarked read as version {base.id}")
    return reading


def _read_section(sv: SectionViews, base: BaseVersion, instructions, mod: Modification, reading: AnnexReading,
                 totals: _Totals) -> None:
    """Read one section of the document (see :func:`import_annex`): its check against the base,
    the version it shows, its operations, and their proof."""
    reject, accept = sv.reject, sv.accept
    reading.shown_clauses += len({c.block for c in reject.clauses} | {c.block for c in accept.clauses}) + sv.settled
    totals.unmarked += len(reject.clauses) + sv.settled
    totals.accepted += len(accept.clauses) + sv.settled
    if not reject.clauses and not accept.clauses and not reject.parts and not accept.parts:
        return  # every clause shown settled as the base's own: nothing to compose
    start = base_v = base.section(sv.letter)
    untracked = check_shown(base_v, reject, accept)
    reading.untracked += untracked
    if reading.untracked and not reading.allow_untracked:
        return  # nothing will be written: only the other sections' differences are still wanted
    blocks, moved = pair_blocks(reject, accept)
    ops: list = []
    if untracked:  # --allow-untracked: first the edits made without tracking
        shown_v = compose(base_v, blocks, reject, accept, [], instructions, f"{base.id}+unmarked", ("old", "old"))
        totals.early += shown_v.problems
        s = synthesize(base_v, shown_v.version,
                       diff_versions(base_v, shown_v.version, address_map=shown_v.address_map))
        totals.untracked_ops += s.operations
        ops += s.operations
        totals.early += s.problems
        totals.notes_untracked += s.notes
        start = shown_v.version
    target = compose(start, blocks, reject, accept, moved, instructions, f"{base.id}+annex")
    totals.early += target.problems
    if totals.early or reading.problems:
        return  # the document does not read as one modification: no operations are written
    s = synthesize(start, target.version, diff_versions(start, target.version, address_map=target.address_map))
    del blocks, start
    totals.operations += s.operations
    ops += s.operations
    totals.shown += s.shown
    totals.late += s.problems
    totals.notes += s.notes
    totals.failures += _prove(sv.letter, base_v, Modification(mod.id, mod.title, mod.base, tuple(ops), mod.meta),
                              target, accept)


def _prove(letter: str, base: Version, mod: Modification, target, accept: ViewOutline) -> list[str]:
    """Apply the operations of one section to ``base``; the result must be what the document's
    accept-all text shows, clause by clause, and the version the document shows (which is the
    base's own text wherever the document shows it unmarked). What fails, or nothing."""
    result = base
    if mod.operations:
        try:
            result = apply_modification(base, mod).version
        except ApplyError as exc:
            return ["the operations do not apply to version "
                    f"{base.id}: " + "; ".join(str(f).replace("\n", " ") for f in exc.failures)]
    failures = []
    for c in accept.clauses:
        if c.block in target.same:  # shown unchanged: proven through the reject view and the composed version
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
    want = target.version.sections.get(letter)
    if want is not None:
        where = _differs(want, result.sections.get(letter))
        if where is not None:
            failures.append(f"{where}: the result differs from the version the document shows")
    return failures


def _differs(want, got) -> str | None:
    """Where two section trees first differ in their parts and clauses as words (numbers,
    headings, cross-headings, each clause's words with its items'), for two trees that differ in
    provenance and layout only; None if nowhere. Clauses serialised alike are alike (most: both
    are copies of the base's), so words are compared only where their XML differs."""
    if got is None:
        return f"Section {want.get('num')}"
    wparts, gparts = want.findall("part"), got.findall("part")
    for wp, gp in itertools.zip_longest(wparts, gparts):
        if wp is None or gp is None or wp.get("num") != gp.get("num") or \
                (wp.get("heading") or "") != (gp.get("heading") or ""):
            return (wp if wp is not None else gp).get("num")
        for wc, gc in itertools.zip_longest(wp.iter("clause"), gp.iter("clause")):
            if wc is None or gc is None or wc.get("num") != gc.get("num"):
                return (wc if wc is not None else gc).get("num")
            wbox, gbox = wc.getparent(), gc.getparent()
            if (wbox.get("heading") if wbox.tag == "crossheading" else None) != \
                    (gbox.get("heading") if gbox.tag == "crossheading" else None):
                return wc.get("num")
            if etree.tostring(wc, with_tail=False) != etree.tostring(gc, with_tail=False) and \
                    clause_words(wc) != clause_words(gc):
                return wc.get("num")
    return None
