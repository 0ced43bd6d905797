"""Plain-text and JSON views of nodes: numbered legal text as the code prints it."""

from __future__ import annotations

import textwrap

from redline.model import Node

WIDTH = 88  # wrap width for terminal text
ITEM = 6  # width of an item label such as '(iii) ', and the indent per list level


def node_to_text(node: Node, width: int = WIDTH) -> str:
    """Numbered legal text of ``node`` and everything under it, wrapped with hanging indents."""
    lines: list[str] = []
    _emit(node, lines, width, last_crossheading=[None])
    return "\n".join(lines).rstrip() + "\n"


def _wrap(label: str, text: str, indent: int, width: int, label_width: int) -> list[str]:
    head = " " * indent + (label.ljust(label_width) if label else "")
    sub = " " * (indent + (label_width if label else 0))
    return textwrap.wrap(text, width=width, initial_indent=head, subsequent_indent=sub,
                         break_long_words=False, break_on_hyphens=False) or [head.rstrip()]


def _emit(node: Node, lines: list[str], width: int, last_crossheading: list, depth: int = 0) -> None:
    kind = node.kind
    if kind == "section":
        title = f"SECTION {node.num}" + (f" – {node.heading.upper()}" if node.heading else "")
        lines += [title, ""]
        for c in node.children:
            _emit(c, lines, width, last_crossheading)
        return
    if kind == "part":
        lines += [f"{node.num} {node.heading.upper()}" if node.heading else node.num, ""]
        for c in node.children:
            _emit(c, lines, width, last_crossheading)
        return
    if kind == "clause":
        ch = node.crossheading
        if ch and ch != last_crossheading[0]:
            lines += [ch, ""]
        last_crossheading[0] = ch
        label, indent, lw = node.num, 0, max(8, len(node.num) + 2)
    elif kind == "definition":
        label, indent, lw = "", 8 + ITEM * (depth - 1), 0
    else:
        label, indent, lw = node.num, 8 + ITEM * (depth - 1), ITEM
    text = node.text
    if kind == "definition":
        text = f'"{node.num}" {text}'.strip()
    lines += _wrap(label, text, indent, width, lw)
    for c in node.children:
        _emit(c, lines, width, last_crossheading, depth + 1)
    if node.closing:
        lines += _wrap("", node.closing, 8 + ITEM * depth, width, 0)
    if kind == "clause":
        lines.append("")


def node_to_dict(node: Node) -> dict:
    """A JSON-ready dict of ``node`` and its descendants (the ``--format json`` shape)."""
    out: dict = {"address": str(node.address), "kind": node.kind, "num": node.num}
    if node.kind in ("section", "part"):
        out["heading"] = node.heading
        out["coverage"] = node.coverage
    if node.kind == "clause":
        out["crossheading"] = node.crossheading
    out["text"] = node.text
    children = node.children
    if children:
        out["children"] = [node_to_dict(c) for c in children]
    if node.closing:
        out["closing"] = node.closing
    out["source"] = node.source
    out["evidence"] = node.evidence
    if node.note:
        out["note"] = node.note
    return out
