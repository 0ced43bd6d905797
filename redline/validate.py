"""Validation of section trees: the corpus schema, the invariants the code relies on, the
validation cache, and the check of the sections an apply changed.

Two kinds of check, and what each load runs:

* the **schema** (RELAX NG, ``redline/schema/corpus.rng``): the element and attribute vocabulary,
  number formats, provenance values. A file whose exact bytes already passed it is not checked
  against it again (:class:`ValidationCache`): that is the only check the cache can skip;
* the **invariants** (:func:`check_outline`, run on every load): the section is a ``<section>``
  whose children are parts, whose parts hold only clauses and cross-headings (of clauses); every
  part and clause has a number of its kind; each part's number names the section and each
  clause's the part it sits in; no part or clause number appears twice; parts and clauses are
  numbered in sequence. Items and definitions are checked by :func:`check_section` whenever the
  schema runs (no address twice); a tree read through the cache has them checked by the
  address index (:mod:`redline.model`) when it is first made, which is how every look-up by
  address goes: a node without a number or an address held twice is a :class:`CorpusError` there
  too, never another node's words or a traceback.

Apply validates what it changed with :func:`changed_section_problems`: the schema in parts when
it can (see :func:`valid_in_parts`), the invariants, and numbers put out of sequence.

I/O: the schemas are read from ``redline/schema/``, and :class:`ValidationCache` reads and
writes its marker files in the user's cache directory; nothing else here touches a file.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from redline.errors import CorpusError
from redline.model import OUTLINE_NUMBERS, Address, clause_address, element_address, normalise_space, part_address

SCHEMA_DIR = Path(__file__).parent / "schema"
#: where the validation cache lives (see :class:`ValidationCache`); "off" (or empty) disables it
CACHE_ENV_VAR = "REDLINE_CACHE_DIR"

# --- the schema --------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def schema(name: str) -> etree.RelaxNG:
    """The compiled RELAX NG schema ``redline/schema/<name>.rng``."""
    return etree.RelaxNG(etree.parse(str(SCHEMA_DIR / f"{name}.rng")))


def check_schema(tree, name: str, file: str) -> None:
    """Validate ``tree`` against schema ``name``; raise CorpusError naming file and line."""
    rng = schema(name)
    if not rng.validate(tree):
        message, line = schema_error(rng, tree)
        raise CorpusError(f"does not match the {name} schema: {message}", file, line)


def schema_error(rng: etree.RelaxNG, tree) -> tuple[str, int | None]:
    """(message, line) of the error that made ``rng`` reject ``tree`` (after ``validate``), in
    plain words: the element (with its number or term), what is missing, unexpected or wrong,
    and what the format expects there (:func:`plain_schema_error`)."""
    errors = list(rng.error_log)
    if not errors:
        return "invalid", None
    return plain_schema_error(errors, tree)


# --- schema errors in plain words ----------------------------------------------------------------

#: each element's attributes: name -> (required, what a valid value is, a test of the value or None)
_ADDRESS = (r"\s*[A-Z]([0-9]+[A-Z]?(\.[0-9]+[A-Z]?(\[[\"“][^\"”\]]+[\"”]\])?)?)?(\([0-9A-Za-z]+\))*\s*",
            "an address such as G3.20 or G3.20(b)")
_PROVENANCE = {"source": (False, "a source id of the manifest", r"[A-Za-z_][\w.-]*"),
               "evidence": (False, "printed or inferred", r"printed|inferred"), "note": (False, "", None)}
_COVERAGE = (True, "complete or partial", r"complete|partial")
_POSITION = {k: (False, _ADDRESS[1], _ADDRESS[0]) for k in ("before", "after", "start", "end")}
ATTRIBUTES: dict[str, dict[str, tuple[bool, str, str | None]]] = {
    "section": {"num": (True, "a section letter such as G", r"[A-Z]"), "heading": (True, "", None),
                "coverage": _COVERAGE, **_PROVENANCE},
    "part": {"num": (True, "a part number such as G3", r"[A-Z][0-9]+[A-Z]?"), "heading": (False, "", None),
             "coverage": _COVERAGE, **_PROVENANCE},
    "crossheading": {"heading": (True, "", None), **_PROVENANCE},
    "clause": {"num": (True, "a clause number such as G3.20", r"[A-Z][0-9]+[A-Z]?\.[0-9]+[A-Z]?"), **_PROVENANCE},
    "item": {"num": (True, "an item number such as (b) or (iv)", r"\([0-9A-Za-z]+\)"), **_PROVENANCE},
    "definition": {"term": (True, "the term defined", r".+"), **_PROVENANCE},
    "modification": {"id": (True, "letters, digits and . _ - such as MP087", r"[A-Za-z0-9][A-Za-z0-9._-]*"),
                     "base": (True, "a version id such as 6.17", r"[0-9A-Za-z][0-9A-Za-z.+_-]*")},
    "insert": dict(_POSITION),
    "amend": {"target": (True, _ADDRESS[1], _ADDRESS[0]),
              "field": (False, "text, closing, heading or crossheading", r"text|closing|heading|crossheading")},
    "substitute": {"target": (True, _ADDRESS[1], _ADDRESS[0]),
                   "field": (False, "text, closing, heading or crossheading", r"text|closing|heading|crossheading"),
                   "occurrence": (False, "a whole number from 1", r"[1-9][0-9]*")},
    "delete": {"target": (True, _ADDRESS[1], _ADDRESS[0]), "leave": (False, "remove or not-used", r"remove|not-used")},
    "renumber": {"target": (True, _ADDRESS[1], _ADDRESS[0]), "as": (True, _ADDRESS[1], _ADDRESS[0])},
    "move": {"target": (True, _ADDRESS[1], _ADDRESS[0]), **_POSITION, "as": (False, _ADDRESS[1], _ADDRESS[0])},
    "add-definition": {"clause": (True, "a clause number such as A1.1", r"\s*[A-Z][0-9]+[A-Z]?\.[0-9]+[A-Z]?\s*")},
    "amend-definition": {"clause": (True, "a clause number such as A1.1", r"\s*[A-Z][0-9]+[A-Z]?\.[0-9]+[A-Z]?\s*"),
                         "term": (True, "the term", r".*\S.*"), "field": (False, "text or closing", r"text|closing"),
                         "new-term": (False, "the new term", r".*\S.*")},
    "delete-definition": {"clause": (True, "a clause number such as A1.1", r"\s*[A-Z][0-9]+[A-Z]?\.[0-9]+[A-Z]?\s*"),
                          "term": (True, "the term", r".*\S.*")},
}
#: one of these positions, exactly, on an insert or a move
_ONE_POSITION = ("before", "after", "start", "end")
#: what each element holds, in words, for a message about content it does not expect
CONTENTS = {
    "section": "<part> elements", "part": "<clause> and <crossheading> elements",
    "crossheading": "<clause> elements",
    "clause": "<text>, then <item> or <definition> elements, then <closing>",
    "item": "<text>, then <item> elements, then <closing>",
    "definition": "<text>, then <item> elements, then <closing>",
    "modification": "<title>, an optional <meta>, then <operations>",
    "meta": "any of <document>, <legal-text-version>, <date>, <author>, <proposer>, <classification>, <source>",
    "operations": "operations: <insert>, <amend>, <substitute>, <delete>, <renumber>, <move>, <add-definition>, "
                  "<amend-definition>, <delete-definition>",
    "insert": "<part>, <crossheading>, <clause> or <item> elements", "amend": "<old> then <new>",
    "substitute": "<old> then <new>", "delete": "an optional <old>", "renumber": "nothing",
    "move": "nothing", "add-definition": "one <definition>", "amend-definition": "optional <old> then <new>",
    "delete-definition": "an optional <old>", "text": "words only", "closing": "words only", "title": "words only",
    "old": "words only", "new": "words only",
}
_ERR_ATTRS = re.compile(r"Element ([\w-]+) failed to validate attributes")
_ERR_INVALID_ATTR = re.compile(r"Invalid attribute ([\w:-]+) for element ([\w-]+)")
_ERR_TEXT = re.compile(r"Did not expect text in element ([\w-]+) content")
_ERR_ELEM = re.compile(r"Did not expect element ([\w-]+) there")
_ERR_EXPECTING = re.compile(r"Expecting (?:an )?element ([\w-]*), got (nothing|[\w-]+)")
_ERR_EXTRA = re.compile(r"Element ([\w-]+) has extra content: ([\w-]+)")
_ERR_EMPTY = re.compile(r"Element ([\w-]+) failed to validate content")


def _named(el) -> str:
    """``<clause G3.20>``: an element with the number, term or id that names it."""
    label = el.get("num") or el.get("term") or el.get("id") or el.get("target") or el.get("clause")
    return f"<{el.tag} {label}>" if label else f"<{el.tag}>"


def _at(tree, entry, tag: str | None):
    """The element an error entry is about: its path's node (or the nearest ancestor with ``tag``)."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    node = None
    try:
        found = root.getroottree().xpath(entry.path) if entry.path else []
        node = found[0] if found and isinstance(found[0], etree._Element) else None
    except (etree.XPathError, TypeError):
        node = None
    if tag is None:
        return node
    for cand in ([node] + list(node.iterancestors()) if node is not None else []):
        if cand.tag == tag:
            return cand
    same_line = [el for el in root.iter(tag) if el.sourceline == entry.line]
    return same_line[0] if same_line else next(root.iter(tag), None)


def _attribute_problem(el) -> str | None:
    """What is wrong with the attributes of ``el``, in words (None if nothing can be named)."""
    spec = ATTRIBUTES.get(el.tag)
    if spec is None:
        return None
    for name, value in el.attrib.items():
        if name not in spec:
            allowed = ", ".join(spec) or "none"
            return f"{_named(el)} has an attribute {name}=\"{value}\" that it may not have (allowed: {allowed})"
    for name, (required, words, pattern) in spec.items():
        value = el.get(name)
        if value is None:
            if required:
                return f"{_named(el)} has no {name} attribute (it needs {words or 'one'})"
            continue
        if pattern is not None and not re.fullmatch(pattern, value):
            return f"{_named(el)} has {name}=\"{value}\", which is not {words}"
    if el.tag in ("insert", "move"):
        given = [p for p in _ONE_POSITION if el.get(p) is not None]
        if len(given) != 1:
            which = ", ".join(given) if given else "none"
            return f"{_named(el)} needs exactly one of before, after, start or end (it has {which})"
    return None


def plain_schema_error(entries, tree) -> tuple[str, int | None]:
    """The most telling of a RELAX NG validator's error ``entries`` for ``tree``, in plain words,
    with its line: which element, what is missing, unexpected or wrong, and what is expected."""
    best: tuple[str, int | None] | None = None
    for entry in entries:
        msg = entry.message or ""
        line = entry.line or None
        m = _ERR_INVALID_ATTR.search(msg)
        if m:
            el = _at(tree, entry, m.group(2))
            if el is not None:
                return _attribute_problem(el) or f"{_named(el)} has an attribute {m.group(1)} it may not have", \
                    el.sourceline
        m = _ERR_ATTRS.search(msg)
        if m:
            el = _at(tree, entry, m.group(1))
            problem = _attribute_problem(el) if el is not None else None
            if problem:
                return problem, el.sourceline
            continue
        m = _ERR_TEXT.search(msg)
        if m:
            el = _at(tree, entry, m.group(1))
            if el is not None:
                loose = " ".join(normalise_space(t) for t in [el.text or ""] + [c.tail or "" for c in el] if t.strip())
                where = {"clause": "a clause's words go in <text> (and those after its list in <closing>)",
                         "item": "an item's words go in <text>", "definition": "a definition's words go in <text>"}
                hint = where.get(el.tag, f"<{el.tag}> holds {CONTENTS.get(el.tag, 'elements only')}")
                return f"{_named(el)} has words outside its elements (‘{loose[:60]}’): {hint}", el.sourceline
        m = _ERR_ELEM.search(msg)
        if m:
            el = _at(tree, entry, m.group(1))
            parent = el.getparent() if el is not None else None
            if el is not None and parent is not None:
                return (f"<{el.tag}> is not expected there, inside {_named(parent)}: "
                        f"{_named(parent)} holds {CONTENTS.get(parent.tag, 'other elements')}"), el.sourceline
        m = _ERR_EXTRA.search(msg)
        if m:
            el = _at(tree, entry, m.group(1))
            if el is not None:
                return (f"{_named(el)} has <{m.group(2)}>, which is not expected there: it holds "
                        f"{CONTENTS.get(el.tag, 'other elements')}"), el.sourceline
        m = _ERR_EXPECTING.search(msg)
        if m and best is None:
            el = _at(tree, entry, None)
            want = f"<{m.group(1)}>" if m.group(1) else "an element"
            if el is not None and m.group(2) == "nothing":
                parent = el if len(el) == 0 else el.getparent()
                best = (f"{_named(parent)} is missing {want} (it holds {CONTENTS.get(parent.tag, 'other elements')})",
                        parent.sourceline)
            elif el is not None:
                best = (f"<{m.group(2)}> is there where {want} is expected, inside {_named(el.getparent())}"
                        if el.getparent() is not None else f"expected {want}, found <{m.group(2)}>", el.sourceline)
        if best is None and line:
            best = (msg, line)
    if best is not None:
        return best
    last = entries[-1]
    return last.message, last.line or _locate(tree, last.message)


def _locate(tree, message: str) -> int | None:
    """Best-effort line of the element a line-less schema error is about."""
    m = re.match(r"Element (\w+)", message or "")
    if not m:
        return None
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    candidates = list(root.iter(m.group(1)))
    for el in candidates:
        if _attribute_problem(el) is not None:
            return el.sourceline
    return candidates[0].sourceline if len(candidates) == 1 else None


# --- the invariants ----------------------------------------------------------------------------

_SECTION_NUM = re.compile(r"[A-Z]\Z")
_PART_NUM = re.compile(r"[A-Z]([0-9]+)([A-Z]?)\Z", re.ASCII)
_CLAUSE_NUM = re.compile(r"[A-Z][0-9]+[A-Z]?\.[0-9]+[A-Z]?\Z")
_CLAUSE_TAIL = re.compile(r"([0-9]+)([A-Z]?)\Z", re.ASCII)  # what follows "G3." in a clause number
#: how many elements stand where the skeleton (section > part > [cross-heading >] clause) has no
#: place for them (counts, which libxml2 makes without merging node sets: a few ms a whole code)
_MISPLACED = etree.XPath("count(/section/*) - count(/section/part)"
                         " + count(/section/part/*) - count(/section/part/clause) - count(/section/part/crossheading)"
                         " + count(/section/part/crossheading/*) - count(/section/part/crossheading/clause)")
#: how many clauses stand where the skeleton puts them (every clause, unless one is nested deeper)
_PLACED_CLAUSES = etree.XPath("count(/section/part/clause) + count(/section/part/crossheading/clause)")
#: the first item numbered as an earlier sibling (an item's address is its parent's plus its number)
_REPEATED_ITEM = etree.XPath("(//item[@num = preceding-sibling::item/@num])[1]")


def check_outline(root, file: str, *, order: bool = True) -> list[str]:
    """Check the invariants of section tree ``root`` above its items (see the module
    docstring); raise CorpusError naming ``file`` and the line at fault. ``order=False`` leaves
    out the sequence of numbers (apply reports that itself, against the base).

    Returns the part and clause numbers in document order. This runs on every load of every
    section, so it first checks the numbers as strings read by libxml2 (no element is looked at
    from Python); only if that finds something amiss is the tree walked, to say what and where."""
    if root.tag != "section":
        raise CorpusError(f"the root element is <{root.tag}>, not <section>", file, root.sourceline)
    sec = root.get("num")
    if not sec or not _SECTION_NUM.match(sec):
        raise CorpusError(f"<section> number {sec!r} is not a section letter", file, root.sourceline)
    if _MISPLACED(root) != 0:
        raise _misplaced(root, file)
    nums = _outline_numbers(root, sec, order)
    if nums is None:
        nums = _walk_outline(root, sec, file, order)
    return nums


_PARTS = etree.XPath("count(/section/part)")


def _outline_numbers(root, sec: str, order: bool) -> list[str] | None:
    """The part and clause numbers of ``root`` in document order, if every invariant holds;
    None if one may not (then :func:`_walk_outline` says which). Every part and clause in its
    place has a number if the numbers read are as many as the parts and clauses there. (A clause
    nested deeper, in an item, is the schema's to refuse; the outline does not see it, and the
    address index refuses it if it has no number or repeats one.)"""
    nums = OUTLINE_NUMBERS(root)
    placed = int(_PLACED_CLAUSES(root))
    if len(nums) != int(_PARTS(root)) + placed:
        return None
    groups: list[tuple[str, list[str]]] = []
    for num in nums:
        if "." in num:
            if not groups:
                return None
            groups[-1][1].append(num)
        else:
            groups.append((num, []))
    if len(groups) != int(_PARTS(root)) or len(groups) != len({p for p, _ in groups}):
        return None  # a number read as the other kind's (a part "G3.1", a clause "G3"), or a part twice
    last = None
    for part, clauses in groups:
        m = _PART_NUM.match(part)
        if m is None or part[0] != sec:
            return None
        key = (int(m[1]), m[2])
        if order and last is not None and key <= last:
            return None
        last = key
        if clauses and not _clause_numbers_hold(part, clauses, order):
            return None
    return nums


def _clause_numbers_hold(part: str, nums: list[str], order: bool) -> bool:
    """True if ``nums`` (a part's clause numbers, in document order) are numbers of clauses of
    ``part``, none twice, increasing (``order``)."""
    prefix = part + "."
    n = len(prefix)
    tails = [num[n:] for num in nums if num.startswith(prefix)]
    if len(tails) != len(nums) or not all(tails) or len(set(nums)) != len(nums):
        return False
    joined = "".join(tails)
    if joined.isascii() and joined.isdigit():  # the usual case, 1, 2, 3 …: ints (no tail is empty)
        keys: list = [int(t) for t in tails]
    else:
        keys = []
        for t in tails:
            m = _CLAUSE_TAIL.match(t)
            if m is None:
                return False
            keys.append((int(m[1]), m[2]))
    return not order or keys == sorted(set(keys))  # strictly increasing


def _walk_outline(root, sec: str, file: str, order: bool) -> list[str]:
    """What :func:`check_outline` checks, element by element: raise at the first fault, with
    its line; the part and clause numbers in document order if there is none."""
    nums: list[str] = []
    part_nums: dict[str, object] = {}
    last = None  # (key, number) of the previous part
    for part in root.iterchildren("part"):
        num = part.get("num")
        m = _PART_NUM.match(num) if num else None
        if m is None:
            what = "has no number" if num is None else f"number {num!r} is not a part number (e.g. {sec}3)"
            raise CorpusError(f"<part> {what}", file, part.sourceline)
        if num[0] != sec:
            raise CorpusError(f"part {num} is not in section {sec}", file, part.sourceline)
        if num in part_nums:
            raise CorpusError(f"{num} appears twice (first at line {part_nums[num].sourceline})", file,
                              part.sourceline)
        key = (int(m[1]), m[2])
        if order and last is not None and key <= last[0]:
            raise CorpusError(f"{num} is out of sequence in Section {sec}: {last[1]} would be followed by {num} "
                              "(numbers must increase in document order)", file, part.sourceline)
        part_nums[num], last = part, (key, num)
        els = []  # the part's clauses, in it or in its cross-headings (the skeleton holds: _MISPLACED)
        for child in part:
            if child.tag == "clause":
                els.append(child)
            elif child.tag == "crossheading":
                els += [c for c in child if c.tag == "clause"]
        cnums = [el.get("num") for el in els]
        _check_clause_numbers(num, els, cnums, file, order)
        nums.append(num)
        nums += cnums
    return nums


def _check_clause_numbers(part: str, els: list, nums: list, file: str, order: bool) -> None:
    """The clauses of part ``part`` (elements and numbers, in document order): each numbered as
    a clause of the part, none twice, increasing."""
    prefix = part + "."
    n = len(prefix)
    tails = [num[n:] if num and num.startswith(prefix) else None for num in nums]
    if None in tails or not all(tails):
        i = next(i for i, t in enumerate(tails) if not t)
        num, line = nums[i], els[i].sourceline
        if num is None:
            raise CorpusError("<clause> has no number", file, line)
        if _CLAUSE_NUM.match(num):
            raise CorpusError(f"clause {num} is filed under {part}", file, line)
        raise CorpusError(f"<clause> number {num!r} is not a clause number (e.g. {part}.20)", file, line)
    joined = "".join(tails)
    if joined.isascii() and joined.isdigit():  # the usual case, 1, 2, 3 …: ints (no tail is empty)
        keys: list = [int(t) for t in tails]
    else:
        keys = []
        for t, num, el in zip(tails, nums, els):
            m = _CLAUSE_TAIL.match(t)
            if m is None:
                raise CorpusError(f"<clause> number {num!r} is not a clause number (e.g. {part}.20)", file,
                                  el.sourceline)
            keys.append((int(m[1]), m[2]))
    if len(set(nums)) != len(nums):
        seen: dict = {}
        for num, el in zip(nums, els):
            if num in seen:
                raise CorpusError(f"{num} appears twice (first at line {seen[num].sourceline})", file, el.sourceline)
            seen[num] = el
    if order and keys != sorted(set(keys)):  # strictly increasing
        i = next(i for i in range(1, len(keys)) if keys[i] <= keys[i - 1])
        raise CorpusError(f"{nums[i]} is out of sequence in part {part}: {nums[i - 1]} would be followed by "
                          f"{nums[i]} (numbers must increase in document order)", file, els[i].sourceline)


def _misplaced(root, file: str) -> CorpusError:
    """The error for the first element the skeleton has no place for (see :data:`_MISPLACED`)."""
    allowed = {"section": ("part",), "part": ("clause", "crossheading"), "crossheading": ("clause",)}
    for parent in [root] + [p for p in root if p.tag == "part"]:
        for group in [parent] + ([g for g in parent if g.tag == "crossheading"] if parent.tag == "part" else []):
            for el in group:
                if isinstance(el.tag, str) and el.tag not in allowed[group.tag]:
                    where = group.get("num") or f"the cross-heading “{group.get('heading')}”"
                    return CorpusError(f"<{el.tag}> cannot sit directly in {group.tag} {where}", file, el.sourceline)
    return CorpusError("an element is out of place", file)  # pragma: no cover - _MISPLACED found one


def check_section(root, file: str, *, order: bool = True) -> list[str]:
    """:func:`check_outline`, and below the clauses: no item numbered as a sibling, no term
    defined twice in one clause (on a tree that matches the schema, so every item is numbered).
    Returns what :func:`check_outline` returns."""
    got = check_outline(root, file, order=order)
    found = _REPEATED_ITEM(root)
    if found:
        el = found[0]
        first = next(s for s in el.itersiblings("item", preceding=True) if s.get("num") == el.get("num"))
        raise CorpusError(f"{element_address(el)} appears twice (first at line {first.sourceline})", file,
                          el.sourceline)
    terms: dict = {}  # a definition's address is its clause's and its term, wherever it sits in the clause
    for el in root.iter("definition"):
        key = (next(el.iterancestors("clause"), None), el.get("term"))
        if key in terms:
            raise CorpusError(f"{element_address(el)} appears twice (first at line {terms[key]})", file,
                              el.sourceline)
        terms[key] = el.sourceline
    return got


# --- numbers in sequence, as an apply changes them ----------------------------------------------------

_NUMBER = re.compile(r"(\d+)([A-Z]*)$")


def order_key(num: str) -> tuple | None:
    """The sort key of a part or clause number's last component (``G3.20A`` -> (20, "A")); None
    if it is not numbered that way."""
    m = _NUMBER.search(num.rsplit(".", 1)[-1])
    return (int(m[1]), m[2]) if m else None


#: where a number that is not numbered the usual way sorts: after every other
UNNUMBERED = 10 ** 9


def sort_key(num: str) -> tuple:
    """:func:`order_key`, with a number that is not numbered that way sorted last (by its text).
    The one sort key of part and clause numbers (the importer, the Annex A reader, rebase)."""
    key = order_key(num)
    return key if key is not None else (UNNUMBERED, num)


def out_of_order(root) -> list[tuple[str, str, str]]:
    """(previous, number, container) for each part whose number does not exceed the previous
    part's in the section, and each clause whose number does not exceed the previous clause's in
    its part (document order, across cross-headings)."""
    parts = list(root.iter("part"))
    out = _descents([p.get("num") for p in parts], f"Section {root.get('num')}")
    for part in parts:
        out += _descents([c.get("num") for c in part.iter("clause")], f"part {part.get('num')}")
    return out


def _descents(nums: list[str], where: str) -> list[tuple[str, str, str]]:
    """(previous, number, where) for each number of ``nums`` not greater than the one before it."""
    keys = [order_key(n) for n in nums]
    return [(nums[i - 1], nums[i], where) for i in range(1, len(nums))
            if keys[i - 1] is not None and keys[i] is not None and keys[i] <= keys[i - 1]]


class Invalid(NamedTuple):
    """One thing wrong with a section an apply changed: ``kind`` is ``invalid-result`` (the
    schema or an invariant) or ``invalid-position`` (a number out of sequence)."""

    kind: str
    message: str
    address: Address | None = None


def order_problems(root, before) -> list[Invalid]:
    """A problem for each number ``root`` puts out of sequence (one that ``before``, the same
    section before the change, already had out of sequence is not the change's doing), naming
    the number the change brought."""
    had = set(out_of_order(before)) if before is not None else set()
    held = {el.get("num") for el in before.iter("part", "clause")} if before is not None else set()
    out = []
    for prev, num, where in out_of_order(root):
        if (prev, num, where) in had:
            continue
        culprit = prev if prev not in held and num in held else num
        addr = clause_address(culprit) if "." in culprit else part_address(culprit)
        out.append(Invalid("invalid-position", f"{culprit} is out of sequence in {where}: {prev} would be "
                                               f"followed by {num} (numbers must increase in document order)", addr))
    return out + gap_problems(root, before)


_WHOLE_CLAUSE = re.compile(r"([A-Z][0-9]+[A-Z]?)\.([0-9]+)\Z")  # G3.20 (not G3.20A: a suffix fills no gap)


def numbering_gaps(root) -> list[tuple[str, str, str]]:
    """(previous, number, part) for each pair of clauses one after the other, in a part held
    complete, whose numbers skip one or more (G1.9 then G1.11): a complete part holds every clause,
    so a skipped number is a clause that is missing (the code keeps a deleted clause's number as
    "[Not used]"). The first clause of a complete part must be numbered 1 (previous is "")."""
    out = []
    for part in root.iter("part"):
        if part.get("coverage", root.get("coverage")) != "complete":
            continue
        last = 0
        previous = ""
        for clause in part.iter("clause"):
            m = _WHOLE_CLAUSE.fullmatch(clause.get("num") or "")
            if m is None:
                continue
            n = int(m.group(2))
            if n > last + 1:
                out.append((previous, clause.get("num"), part.get("num")))
            last, previous = max(last, n), clause.get("num")
    return out


def gap_problems(root, before) -> list[Invalid]:
    """A problem for each numbering gap ``root`` has in a part held complete (:func:`numbering_gaps`)
    that ``before`` did not have, where the change numbered the clause after the gap (inserted,
    renumbered or moved it there: G1.11 added straight after G1.9). A gap a deletion leaves is the
    deletion's own drafting choice (the code usually keeps the number as "[Not used]") and is not
    refused here."""
    had = set(numbering_gaps(before)) if before is not None else set()
    numbered = {el.get("num") for el in before.iter("clause")} if before is not None else set()
    # a part renumbered as a whole carries its clauses (and their gaps) to its new number: G2.3
    # is G3.3 because G2 is now G3, not because the change numbered that clause
    parts_before = {p.get("num") for p in before.iter("part")} if before is not None else set()
    renamed = parts_before - {p.get("num") for p in root.iter("part")}
    carried = {num.split(".", 1)[1] for num in numbered if num.split(".", 1)[0] in renamed}
    out = []
    for prev, num, part in numbering_gaps(root):
        if (prev, num, part) in had or num in numbered:
            continue
        if part not in parts_before and num.split(".", 1)[1] in carried:
            continue
        m = _WHOLE_CLAUSE.fullmatch(num)
        expected = int(prev.rsplit(".", 1)[1]) + 1 if prev else 1
        missing = f"{m.group(1)}.{expected}" + (f" to {m.group(1)}.{int(m.group(2)) - 1}"
                                                if int(m.group(2)) - 1 > expected else "")
        after = f"straight after {prev}" if prev else "as the first clause"
        out.append(Invalid("invalid-position", f"{num} {after} leaves a gap in part {part}, which is held complete: "
                                               f"{missing} would be missing (number it {m.group(1)}.{expected}, "
                                               "or keep the missing number as [Not used])", clause_address(num)))
    return out


# --- what an apply changed ---------------------------------------------------------------------------


def changed_section_problems(root, before, clauses=(), *, structural: bool = True) -> list[Invalid]:
    """What is wrong with section tree ``root``, the result of changing ``before`` (the same
    section as loaded, valid; None for a new section): ``clauses`` are its clause elements whose
    words, numbers or place changed (every other clause is as in ``before``); ``structural=False``
    says only words changed (every number and place as in ``before``), so only the schema is
    checked. The schema is checked in parts when it can be (:func:`valid_in_parts`)."""
    letter = root.get("num")
    if before is None or not valid_in_parts(root, before, clauses):
        rng = schema("corpus")
        if not rng.validate(etree.ElementTree(root)):
            message, _ = schema_error(rng, root)
            return [Invalid("invalid-result", f"the result does not match the corpus schema in Section {letter}: "
                                              f"{message}")]
    if not structural and before is not None:
        return []
    try:
        check_section(root, f"Section {letter}", order=False)
    except CorpusError as exc:
        return [Invalid("invalid-result", f"the result is not a valid section: {exc.detail}")]
    return order_problems(root, before)


def valid_in_parts(root, before, clauses) -> bool:
    """True if section tree ``root`` matches the corpus schema, knowing that ``before`` (the
    same section before the change, valid) does and that every clause of ``root`` not in
    ``clauses`` is as it was in ``before``. The schema is local (an element's content model
    depends on its name only), so this holds when the skeleton (section, parts, cross-headings:
    attributes, children, stray text) is ``before``'s and each clause in ``clauses`` validates on
    its own. False means "validate the whole section" (which also gives the message), not that
    the section is invalid."""
    if _skeleton(root) != _skeleton(before):
        return False
    rng = _clause_schema()
    return all(rng.validate(c) for c in clauses)


def _skeleton(root) -> list:
    """The parts of a section tree above its clauses, for comparison: every node down to the
    clauses, with its attributes and stray text; a clause (or other child) as its tag."""
    def words(el):
        return (el.text or "").strip(), (el.tail or "").strip()

    out = [tuple(root.attrib.items()), words(root)]
    for part in root:
        out.append((part.tag, tuple(part.attrib.items()) if part.tag == "part" else (), words(part)))
        for child in part:
            if child.tag == "crossheading":
                out.append((child.tag, tuple(child.attrib.items()), words(child),
                            tuple((c.tag, (c.tail or "").strip()) for c in child)))
            else:
                out.append((child.tag, (child.tail or "").strip()))
    return out


@lru_cache(maxsize=1)
def _clause_schema() -> etree.RelaxNG:
    """The corpus schema with a clause as its start (validates one clause tree on its own)."""
    grammar = etree.parse(str(SCHEMA_DIR / "corpus.rng"))
    start = grammar.getroot().find("{http://relaxng.org/ns/structure/1.0}start")
    start[0].set("name", "clause")
    return etree.RelaxNG(grammar)


# --- the validation cache ----------------------------------------------------------------------------


class ValidationCache:
    """Which exact file contents already matched the schema, kept outside the corpus.

    Checking a whole code against the schema costs about as much as parsing it, on every load. A
    file is checked once: its key is a hash of the schemas and of this module (which runs them)
    and of the file's bytes, and an empty marker file named by the key records that those bytes
    passed. Any edit to the file (or to the schemas) gives another key, so the file is checked
    again (the key is a SHA-256 over the validator and the digests of ``corpus.piece_digests``,
    which together cover every byte). A marker only ever skips the schema: the invariants are
    checked on every load, so a stale or planted marker cannot make a broken file load.

    The cache lives in ``$REDLINE_CACHE_DIR`` (``off`` disables it), else
    ``$XDG_CACHE_HOME/redline``, else ``~/.cache/redline``; if it cannot be written, files are
    simply checked every time.
    """

    def __init__(self, directory: Path):
        self.directory = directory

    @classmethod
    def default(cls) -> "ValidationCache | None":
        env = os.environ.get(CACHE_ENV_VAR)
        if env is not None:
            return None if env.strip().lower() in ("", "off", "0", "no") else cls(Path(env) / "validated")
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return cls(Path(base) / "redline" / "validated")

    def key(self, pieces: list[bytes]) -> str:
        """The key of a file from the digests of its pieces (which cover every byte)."""
        h = hashlib.sha256(validator_fingerprint())
        h.update(len(pieces).to_bytes(8, "big"))
        h.update(b"".join(pieces))
        return h.hexdigest()[:40]

    def _marker(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def known(self, key: str) -> bool:
        return self._marker(key).exists()

    def record(self, key: str) -> None:
        marker = self._marker(key)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # a read-only home or cache: validate every time


@lru_cache(maxsize=None)
def validator_fingerprint() -> bytes:
    """A hash of everything that decides whether a section file matches the schema."""
    h = hashlib.sha256(b"redline validation 2")
    for path in sorted(SCHEMA_DIR.glob("*.rng")) + [Path(__file__)]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()
