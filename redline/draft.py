"""Drafting a new modification: the starting file that ``redline new`` writes.

:func:`starting_modification` takes a version and, optionally, the address of what the
modification will change, and returns the text of a modification file drafted against that
version: its id, base, a title to fill in, metadata, and one ``<amend>`` per run of words of the
target (its lead words, each item's words, its closing words; a part's heading; a definition's
words) with the current words filled in as both ``<old>`` and ``<new>``. The drafter edits the
``<new>`` words and removes the operations left unchanged: an operation whose new words are its
old ones is refused by ``redline check`` (it changes nothing), so an unedited file never passes.
Without a target, the file holds commented examples of every operation and no operation yet.

Pure: a version and strings in, the bytes of a file out (the CLI writes it).
"""

from __future__ import annotations

import re
import textwrap
from xml.sax.saxutils import escape, quoteattr

from redline.errors import RedlineError
from redline.model import Address, Node, Version

#: columns the words of a ``<old>``/``<new>`` are wrapped to (whitespace runs count as one space)
WRAP = 100
INDENT = "        "


class DraftError(RedlineError):
    """The starting file cannot be drafted as asked (a target that cannot be amended)."""

    exit_code = 2


def _comment(text: str) -> str:
    """``text`` safe inside an XML comment (no ``--``)."""
    return re.sub(r"-{2,}", "-", text)


def _words(text: str, indent: str = INDENT) -> str:
    lines = textwrap.wrap(escape(text), WRAP - len(indent), break_long_words=False, break_on_hyphens=False)
    if len(lines) <= 1:
        return escape(text)
    return "\n" + "\n".join(indent + line for line in lines) + "\n" + indent[:-2]


def _amend(target: Address, old: str, field: str = "text") -> str:
    attr = f' field="{field}"' if field != "text" else ""
    body = _words(old)
    return (f"    <amend target={quoteattr(str(target))}{attr}>\n"
            f"      <old>{body}</old>\n"
            f"      <new>{body}</new>\n"
            f"    </amend>\n")


def _node_amends(node: Node) -> list[str]:
    """An amend for every run of words of ``node`` and its items, in reading order."""
    out = []
    if node.element.tag == "definition":
        raise DraftError(f"{node.address} is a definition: draft an <amend-definition> (see docs/modifications.md)")
    if node.text:
        out.append(_amend(node.address, node.text))
    for child in node.children:
        if child.kind == "item":
            out += _node_amends(child)
    if node.closing:
        out.append(_amend(node.address, node.closing, "closing"))
    return out


_EXAMPLES = """\
    <!-- The operations (docs/modifications.md has each in full). For example:
    <insert after="{clause}">
      <clause num="{next}">
        <text>The words of the new clause.</text>
      </clause>
    </insert>
    <substitute target="{clause}">
      <old>a phrase as it reads now</old>
      <new>the phrase as it will read</new>
    </substitute>
    <delete target="{clause}"/>
    <renumber target="{clause}" as="{next}"/>
    -->
"""


def _next_number(address: Address) -> str:
    head, _, tail = str(address).rpartition(".")
    return f"{head}.{int(tail) + 1}" if tail.isdigit() else f"{address}A"


def starting_modification(version: Version, mod_id: str, *, target: Address | str | None = None,
                          title: str | None = None, date: str | None = None) -> bytes:
    """The text of a new modification ``mod_id`` drafted against ``version`` (see the module doc).

    An unknown ``target`` raises :class:`redline.errors.UnknownAddress` (with the nearest ones).
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", mod_id or ""):
        raise DraftError(f"{mod_id!r} is not a modification id (letters, digits and . _ -, e.g. MP123)")
    node = None
    if target is not None:
        node = version.get(Address.parse(target) if isinstance(target, str) else target)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {_comment(mod_id)}, drafted against {version.code} {version.id} (started with `redline new`).",
    ]
    if node is not None:
        if node.kind == "section":
            raise DraftError(f"{node.address} is a whole section: give a part, clause or item as --target")
        head += [
            f"     Each <amend> holds the words of {node.address} as version {version.id} reads them, twice:",
            "     edit the words in <new> and leave <old> as it is (the apply checks it). Remove every",
            "     operation you leave unchanged: one whose <new> words are its <old> words changes",
            "     nothing, and `redline check` refuses it.",
        ]
    else:
        head += [
            "     Add the operations in <operations>, in the order they apply (the examples in the",
            "     comment below show their shape); `redline check` refuses a file without one.",
        ]
    head += [
        f"     Then: redline check {_comment(mod_id)}.xml   and   redline annex {_comment(mod_id)}.xml -o {_comment(mod_id)}.docx",
        "     The format: docs/modifications.md. -->",
    ]
    lines = head + [
        f"<modification id={quoteattr(mod_id)} base={quoteattr(version.id)}>",
        f"  <title>{escape(title or f'Title of {mod_id}')}</title>",
        "  <meta>",
        "    <document>Annex A</document>",
        "    <legal-text-version>0.1</legal-text-version>",
    ]
    if date:
        lines.append(f"    <date>{escape(date)}</date>")
    lines += [
        "    <!-- who drafts the legal text (the author of the tracked changes), who proposes it:",
        "    <author>SECAS</author>",
        "    <proposer>…</proposer>",
        "    <classification>White</classification>",
        "    -->",
        "  </meta>",
        "  <operations>",
    ]
    body = "\n".join(lines) + "\n"
    if node is None:
        clause = next(iter(version.clauses()), None)
        where = clause.address if clause is not None else Address.parse(f"{version.sections and next(iter(version.sections)) or 'G'}1.1")
        body += _EXAMPLES.format(clause=where, next=_next_number(where))
    elif node.kind == "part":
        if not node.heading:
            raise DraftError(f"{node.address} has no heading in version {version.id}: give a clause or item "
                             "of it as --target")
        body += _amend(node.address, node.heading, "heading")
    else:
        body += "".join(_node_amends(node))
    body += "  </operations>\n</modification>\n"
    return body.encode("utf-8")
