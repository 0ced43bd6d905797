"""The report of ``redline import-annex``, as text for people and as JSON for tools.

Both say the same things: what was read (format, cover, how much legal text, the drafting
instructions), the operations (those saying untracked edits marked as such), where the unmarked
text differs from the base version (each with its word diff), where the instructions and the marks
disagree, what could not be read, and what the self-proof checked. The JSON shape is
``{"format": "redline-import-annex", "format_version": 1, …}`` (see ``docs/import.md``). Pure.
"""

from __future__ import annotations

from redline import ops as O
from redline.annexread.reading import AnnexReading
from redline.annexread.compose import compact_diff
from redline.model import normalise_space

JSON_FORMAT = "redline-import-annex"
JSON_FORMAT_VERSION = 1
#: longest quotation of words in a line of the text report
QUOTE = 90


def _q(text: str) -> str:
    text = normalise_space(text)
    return f"“{text if len(text) <= QUOTE else text[:QUOTE - 1] + '…'}”"


def describe(op) -> str:
    """One line saying what an operation does."""
    if isinstance(op, O.Substitute):
        what = {"text": "", "crossheading": " (the cross-heading above it)"}.get(op.field, f" ({op.field})")
        return f"substitute in {op.target}{what}: {compact_diff(op.old, op.new, None)}"
    if isinstance(op, O.Amend):
        what = {"text": "the words of", "closing": "the closing words of", "heading": "the heading of",
                "crossheading": "the cross-heading above"}[op.field]
        return f"amend {what} {op.target}: {_q(op.old) if op.old else '(none)'} → {_q(op.new) if op.new else '(none)'}"
    if isinstance(op, O.Insert):
        return op.instruction().replace("Add ", "insert ", 1)
    if isinstance(op, O.Delete):
        return op.instruction().replace("Delete Section ", "delete ", 1)
    return op.instruction()


def _kind(reading: AnnexReading) -> str:
    doc = reading.document
    if doc.format == "html":
        return "HTML"
    return "DOCX, tracked changes" if doc.tracked else "DOCX, house mark-up (colours)"


def report_text(reading: AnnexReading, output: str | None = None) -> str:
    """The report as lines of text (``output``: where the modification was written, if it was)."""
    doc = reading.document
    cover = doc.cover
    lines = [f"Read {doc.name} ({_kind(reading)}) against version {reading.base}"]
    bits = []
    if cover.reference or cover.title:
        bits.append(" ".join(x for x in (cover.reference, f"‘{cover.title}’" if cover.title else None) if x))
    if cover.legal_text_version:
        bits.append(f"legal text version {cover.legal_text_version}")
    if cover.base:
        bits.append(f"drafted against {cover.base}")
    if cover.classification:
        bits.append(f"classified {cover.classification}")
    if cover.date:
        bits.append(f"dated {cover.date}")
    if cover.proposer:
        bits.append(f"proposed by {cover.proposer}")
    if cover.author:
        bits.append(f"author {cover.author}")
    lines.append(f"  cover: {', '.join(bits) if bits else '(none found)'}")
    authors = doc.properties.get("authors") or ()
    if authors:
        lines.append(f"  revisions by: {', '.join(authors)}")
    n_instr = len(doc.instructions)
    lines.append(f"  legal text: {doc.legal_paragraphs} paragraph(s), {reading.shown_clauses} clause(s) shown; "
                 f"{n_instr} drafting instruction{'s' if n_instr != 1 else ''}")
    mod = reading.modification
    if mod is not None:
        lines.append(f"Operations ({len(mod.operations)}):")
        for i, op in enumerate(mod.operations):
            mark = "  [untracked]" if i < reading.untracked_ops else ""
            lines.append(f"  {i + 1}. {describe(op)}{mark}")
    if reading.untracked:
        head = ("Untracked differences (made operations: --allow-untracked)" if reading.allow_untracked
                else "Untracked differences: the unmarked text is not version " + reading.base)
        lines.append(f"{head} ({len(reading.untracked)}):")
        lines += [f"  - {u.describe()}" for u in reading.untracked]
    if doc.instructions:
        if reading.disagreements:
            ignored = " (ignored: --ignore-instructions)" if reading.ignore_instructions else ""
            lines.append(f"Drafting instructions and marks disagree{ignored}:")
            lines += [f"  - {d}" for d in reading.disagreements]
        elif mod is not None:
            lines.append("Drafting instructions: agree with the marks")
    if reading.problems:
        lines.append("Problems:")
        lines += [f"  - {p}" for p in reading.problems]
    if reading.warnings:
        lines.append("Warnings:")
        lines += [f"  - {w}" for w in reading.warnings]
    if reading.notes:
        lines.append("Notes:")
        lines += [f"  - {n}" for n in reading.notes]
    if reading.proof:
        lines.append("Proof:" if reading.proven else "Proof (failed):")
        lines += [f"  {'✓' if reading.proven else '-'} {p}" for p in reading.proof]
    if reading.ok:
        lines.append(f"Written: {output}" if output else "Result: proven")
    else:
        lines.append("Nothing written.")
    return "\n".join(lines) + "\n"


def report_json(reading: AnnexReading, output: str | None = None) -> dict:
    """The report as a JSON-ready dict."""
    doc = reading.document
    cover = doc.cover
    mod = reading.modification
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "file": doc.name,
        "document_format": doc.format,
        "tracked": doc.tracked if doc.format == "docx" else None,
        "base": reading.base,
        "cover": {"reference": cover.reference, "title": cover.title,
                  "legal_text_version": cover.legal_text_version, "base": cover.base,
                  "classification": cover.classification, "date": cover.date, "proposer": cover.proposer,
                  "author": cover.author},
        "instructions": [{"text": i.text, "where": i.where, "verb": i.verb, "targets": [str(a) for a in i.targets]}
                         for i in doc.instructions],
        "modification": None if mod is None else {"id": mod.id, "title": mod.title, "base": mod.base,
                                                   "meta": dict(mod.meta)},
        "operations": [] if mod is None else [
            {"kind": op.kind, "target": str(op.target), "instruction": op.instruction(), "description": describe(op),
             "untracked": i < reading.untracked_ops}
            for i, op in enumerate(mod.operations)],
        "untracked": [{"address": u.address, "what": u.what, "where": u.where, "version": u.expected,
                       "document": u.shown, "diff": u.diff()} for u in reading.untracked],
        "disagreements": list(reading.disagreements),
        "problems": list(reading.problems),
        "warnings": list(reading.warnings),
        "notes": list(reading.notes),
        "proof": {"proven": reading.proven, "checks": list(reading.proof)},
        "ok": reading.ok,
        "written": output if reading.ok else None,
    }
