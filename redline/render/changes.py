"""Terminal text and JSON views of a :class:`redline.diff.VersionDiff` (``redline diff``).

Text lists each changed clause with only its changed paragraphs, marked up either with colours
(a terminal) or with ``[-deleted-]{+inserted+}`` (piped output, ``--no-color``), then the
coverage notes and a closing summary. JSON has the stable shape documented in
``docs/diff-json.md`` (``format: "redline-diff"``, ``format_version: 1``).
"""

from __future__ import annotations

from typing import Callable

import click

from redline.annex import coverage_notes
from redline.diff import CHANGE_KINDS, ChangeKind, NodeDiff, NodeState, VersionDiff
from redline.textdiff import DELETE, EQUAL, INSERT, Span, to_markers

JSON_FORMAT = "redline-diff"
JSON_FORMAT_VERSION = 1


#: node states whose every paragraph is shown (the node is there on one side only)
_WHOLE = (NodeState.INSERTED, NodeState.DELETED)


def _coloured(spans) -> str:
    out = []
    for s in spans:
        if s.kind == INSERT:
            out.append(click.style(s.text, fg="green", underline=True))
        elif s.kind == DELETE:
            out.append(click.style(s.text, fg="red", strikethrough=True))
        else:
            out.append(s.text)
    return "".join(out)


def _changed_paragraphs(nd: NodeDiff, mark: Callable, whole: bool) -> list[tuple[str, str]]:
    """(address, marked text) for each paragraph of the node that changed (all if ``whole``)."""
    out: list[tuple[str, str]] = []
    lead = (*nd.num, Span(EQUAL, " "), *nd.text) if nd.num and nd.text else (*nd.num, *nd.text)
    if whole or any(s.kind != EQUAL for s in (*nd.num, *nd.text)) or nd.state in _WHOLE:
        if nd.element == "definition":
            lead = (Span(EQUAL, '"'), *nd.num, Span(EQUAL, '" '), *nd.text)
        out.append((str(nd.address), mark(lead)))
    for c in nd.children:
        out += _changed_paragraphs(c, mark, whole or c.state in _WHOLE)
    if nd.closing and (whole or any(s.kind != EQUAL for s in nd.closing)):
        out.append((f"{nd.address} (closing words)", mark(nd.closing)))
    return out


def diff_to_text(vdiff: VersionDiff, color: bool = False) -> str:
    """The diff as terminal text: changes, coverage notes and a summary line."""
    mark = _coloured if color else to_markers
    bold = (lambda t: click.style(t, bold=True)) if color else (lambda t: t)
    scope = f" (within {vdiff.within})" if vdiff.within is not None else ""
    lines = [bold(f"Changes from {vdiff.old_id} to {vdiff.new_id}{scope}"), ""]
    for ch in vdiff.changes:
        if ch.kind in (ChangeKind.MOVED, ChangeKind.RENUMBERED):
            head = f"{ch.kind} {ch.old} → {ch.new}"
        else:
            head = f"{ch.kind} {ch.address}"
        if ch.crossheading:
            head += f"  ({ch.crossheading})"
        lines.append(bold(head))
        whole = ch.kind in (ChangeKind.ADDED, ChangeKind.DELETED)
        paras = _changed_paragraphs(ch.diff, mark, whole)
        if ch.kind in (ChangeKind.MOVED, ChangeKind.RENUMBERED) and not ch.text_changed:
            paras = paras[:1] if paras else []
        for addr, text in paras:
            lines.append(f"  {text}")
        lines.append("")
    for h in vdiff.headings:
        lines.append(bold(f"{h.level} {h.kind} in {h.part}") + f": {mark(h.spans)}")
    if vdiff.headings:
        lines.append("")
    for note in coverage_notes(vdiff):
        lines.append(f"Coverage: {note}")
    if vdiff.coverage:
        lines.append("")
    lines.append(summary_line(vdiff))
    return "\n".join(lines) + "\n"


def summary_line(vdiff: VersionDiff) -> str:
    """``3 clauses changed: 1 added, 0 deleted, … ; 1 heading change; 1 coverage difference``."""
    s = vdiff.summary()
    n = sum(s[k] for k in CHANGE_KINDS)
    parts = [f"{n} clause{'s' if n != 1 else ''} changed: " + ", ".join(f"{s[k]} {k}" for k in CHANGE_KINDS)]
    if s["headings"]:
        parts.append(f"{s['headings']} heading change{'s' if s['headings'] != 1 else ''}")
    if s["coverage"]:
        parts.append(f"{s['coverage']} coverage difference{'s' if s['coverage'] != 1 else ''}")
    return "; ".join(parts) + "."


def _spans(spans) -> list[dict]:
    return [{"kind": s.kind, "text": s.text} for s in spans]


def _node(nd: NodeDiff) -> dict:
    return {
        "address": str(nd.address),
        "old_address": str(nd.old) if nd.old is not None else None,
        "element": nd.element,
        "state": nd.state,
        "num": _spans(nd.num),
        "text": _spans(nd.text),
        "closing": _spans(nd.closing),
        "children": [_node(c) for c in nd.children],
    }


def diff_to_json(vdiff: VersionDiff) -> dict:
    """The diff as a JSON-ready dict (shape: docs/diff-json.md)."""
    changes = []
    for ch in vdiff.changes:
        changes.append({
            "address": str(ch.address),
            "kind": ch.kind,
            "old_address": str(ch.old) if ch.old is not None else None,
            "new_address": str(ch.new) if ch.new is not None else None,
            "crossheading": ch.crossheading,
            "text_changed": ch.text_changed,
            "old_text": ch.diff.full_text("old") if ch.old is not None else None,
            "new_text": ch.diff.full_text("new") if ch.new is not None else None,
            "paragraphs": [
                {"address": str(n.address), "state": n.state, "num": _spans(n.num), "text": _spans(n.text),
                 "closing": _spans(n.closing)}
                for n in ch.diff.walk() if n.changed
            ],
            "diff": _node(ch.diff),
        })
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "old": vdiff.old_id,
        "new": vdiff.new_id,
        "within": str(vdiff.within) if vdiff.within is not None else None,
        "changes": changes,
        "headings": [
            {"level": h.level, "kind": h.kind, "part": str(h.part), "old": h.old, "new": h.new,
             "spans": _spans(h.spans), "clauses": [str(a) for a in h.clauses]}
            for h in vdiff.headings
        ],
        "coverage": [
            {"address": str(c.address), "old": c.old, "new": c.new, "clauses": [str(a) for a in c.clauses]}
            for c in vdiff.coverage
        ],
        "summary": vdiff.summary(),
    }

