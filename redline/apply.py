"""Apply a modification to a version: a new version, or every reason why it does not apply.

:func:`apply_modification` works on a copy of the version (copy-on-write: a section is copied when
an operation first looks into it) and runs the operations in order,
each one addressing the text as the operations before it left it. One short handler per
operation kind checks everything first and changes the copy only when the operation applies; a
failing operation is recorded and the rest still run, so one apply reports every failure:
unknown target (with the nearest addresses), expected words not found (a word-level diff and
the closest fuzzy match), an ambiguous phrase (each occurrence with its context), an insert
position already taken, a base version mismatch and a result that breaks the corpus schema.
Any failure raises :class:`~redline.errors.ApplyError`; the caller never sees a half-applied
version, and the input version is never changed.

Provenance: where an operation changes a node's own words, the node's ``note`` (and the notes of
its enclosing nodes up to the clause) are dropped, since they described the old words; if the
modification names its ``source`` (a source id of the corpus manifest), the changed node is
marked ``source=<it> evidence="printed"`` unless it already inherits exactly that. If it names
no source, the changed node is marked ``evidence="inferred"`` with a note naming the modification,
so the new words never pass as printed by the source of the words they replace.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

from diff_match_patch import diff_match_patch
from lxml import etree

from redline import ops as O
from redline.errors import ApplyError, CorpusError
from redline.model import Address, Node, Version, node_words, normalise_space, number_address
from redline.textdiff import diff_text, to_markers
from redline.validate import changed_section_problems
from redline.xmlsafe import canonical

# ---------------------------------------------------------------------------------------------
# settings

#: diff-match-patch fuzzy match: 0.0 demands a perfect match, 1.0 accepts anything
MATCH_THRESHOLD = 0.5
#: how far (in characters) from the start of a text a fuzzy match may sit before its position
#: counts against it; large, so that the closest match is found wherever it is in the text
MATCH_DISTANCE = 100_000
#: words shown either side of an occurrence of an ambiguous phrase
CONTEXT_WORDS = 6
#: the longest text quoted whole in a message
QUOTE_LIMIT = 400
#: addresses listed where the expected words are found elsewhere
ELSEWHERE_LIMIT = 5


# ---------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Failure:
    """One reason why a modification does not apply.

    ``kind`` is one of ``unknown-target``, ``text-mismatch``, ``ambiguous``, ``position-taken``,
    ``invalid-position``, ``depends``, ``base-mismatch`` or ``invalid-result``; ``index`` is the
    0-based number of the operation at fault (None for the modification as a whole).
    """

    kind: str
    message: str
    index: int | None = None
    instruction: str | None = None
    address: Address | None = None
    details: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()

    def __str__(self) -> str:
        head = f"operation {self.index + 1} ({self.instruction}): " if self.index is not None else ""
        return head + self.message + "".join(f"\n      {d}" for d in self.details)


@dataclass(frozen=True)
class ApplyResult:
    """A successful apply.

    ``version`` is a new Version; ``address_map`` maps every address of the input version whose
    node moved, was renumbered or was deleted to its address in the result (None if deleted);
    ``changed`` lists, in document order, the result's clauses the modification created or
    changed (words, numbers or place); ``reheaded`` the result's clauses standing under a
    cross-heading whose words it changed.
    """

    version: Version
    address_map: Mapping[Address, Address | None]
    changed: tuple[Address, ...]
    modification: str = ""
    applied_to: str = ""
    reheaded: tuple[Address, ...] = ()


# ---------------------------------------------------------------------------------------------
# words: occurrences and fuzzy matches


def phrase_pattern(phrase: str) -> re.Pattern:
    """A regex for ``phrase`` as whole words (no match inside a longer word), any spacing."""
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    lead = r"(?<!\w)" if re.match(r"\w", phrase) else ""
    trail = r"(?!\w)" if re.search(r"\w$", phrase) else ""
    return re.compile(lead + body + trail)


def occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """(start, end) of each whole-word occurrence of ``phrase`` in ``text``.

    What :func:`phrase_pattern` finds. Text whose only white space is single spaces (the corpus
    rule, :func:`redline.model.normalise_space`: most text) is searched without compiling a
    pattern: the phrase's words one space apart, found left to right, each hit kept only where it
    does not start or end inside a longer word (``\\w`` is what ``str.isalnum`` or ``_`` is)."""
    words = phrase.split()
    if not words or not text.isprintable() or "  " in text or not phrase.isprintable():
        return [m.span() for m in phrase_pattern(phrase).finditer(text)]
    needle = " ".join(words)
    lead, trail = _word_char(phrase[0]), _word_char(phrase[-1])  # as phrase_pattern decides
    out, at, n = [], text.find(needle), len(needle)
    while at != -1:
        end = at + n
        if (not lead or at == 0 or not _word_char(text[at - 1])) and \
                (not trail or end == len(text) or not _word_char(text[end])):
            out.append((at, end))
            at = text.find(needle, end)
        else:
            at = text.find(needle, at + 1)
    return out


def _word_char(c: str) -> bool:
    """True if ``c`` is a regular expression's ``\\w`` (a letter, digit or underscore)."""
    return c.isalnum() or c == "_"


def closest_match(text: str, phrase: str) -> str | None:
    """The stretch of ``text`` closest to ``phrase`` by diff-match-patch's fuzzy ``match_main``,
    widened to whole words; None if nothing is close enough (see :data:`MATCH_THRESHOLD`)."""
    if not text or not phrase:
        return None
    dmp = diff_match_patch()
    dmp.Match_Threshold = MATCH_THRESHOLD
    dmp.Match_Distance = MATCH_DISTANCE
    try:
        loc = dmp.match_main(text, phrase, 0)
    except ValueError:
        return None
    if loc < 0:
        return None
    start, end = loc, min(len(text), loc + len(phrase))
    # widen to whole words, then drop stray punctuation the phrase does not have at its ends
    while start > 0 and _word_char(text[start - 1]):
        start -= 1
    while end < len(text) and _word_char(text[end]):
        end += 1
    while end > start and not text[end - 1].isalnum() and not phrase.endswith(text[end - 1]):
        end -= 1
    while start < end and not text[start].isalnum() and not phrase.startswith(text[start]):
        start += 1
    return text[start:end].strip() or None


def _in_context(text: str, start: int, end: int, n: int = CONTEXT_WORDS) -> str:
    """The occurrence text[start:end] in brackets, with ``n`` words either side."""
    pre, post = text[:start], text[end:]
    words = pre.split()
    if len(words) > n:
        pre = "… " + " ".join(words[-n:]) + (" " if pre[-1:].isspace() else "")
    words = post.split()
    if len(words) > n:
        post = (" " if post[:1].isspace() else "") + " ".join(words[:n]) + " …"
    return f"{pre}[{text[start:end]}]{post}"


def _word_diff(old: str, new: str) -> str:
    """``old`` against ``new`` as ``[-removed-]{+added+}``: the word diff of the redlines."""
    return to_markers(diff_text(old, new))


def _quote(text: str) -> str:
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1] + "…"
    return f"“{text}”"


# ---------------------------------------------------------------------------------------------
# the state of one apply


class _Fail(Exception):
    """Raised by a handler: the operation does not apply (the copy is untouched)."""

    def __init__(self, *failures: Failure):
        self.failures = list(failures)


def _fail(kind, message, address=None, details=(), suggestions=()) -> _Fail:
    return _Fail(Failure(kind, message, address=address, details=tuple(details), suggestions=tuple(suggestions)))


class _State:
    """What one apply knows as it runs: the work version, the base, where new words come from,
    and what the operations have done so far."""

    def __init__(self, version: Version, base: Version, source: str | None, mod_id: str = ""):
        self.version = version
        self.base = base
        self.source = source
        self.unsourced_note = (f"Words as modification {mod_id} writes them; it names no source document"
                               if mod_id else "Words written by a modification that names no source document")
        self.pending: dict[Address, int] = {}  # addresses a failed operation would have created
        self.touched: set = set()  # clause elements whose words, numbers or place changed
        self.reheaded: set = set()  # clause elements under a cross-heading whose words changed
        self.original: dict = {}  # element -> address, for each section the apply made its own
        self.restructured: set[str] = set()  # sections where numbers or places changed
        #: what earlier operations did to numbers: old address -> (new address or None if deleted,
        #: operation index, its instruction); for the message about an address they changed
        self.renumbered: dict[Address, tuple[Address | None, int, str]] = {}

    def own(self, letter: str) -> None:
        """Copy section ``letter`` out of the shared base before anything in it can change."""
        if self.version.is_shared(letter):
            self.version.own(letter)
            self.original.update((el, a) for a, el in self.version.section_items(letter))

    @contextmanager
    def changing(self, *elements):
        """The block changes the numbers or places of ``elements`` (see :meth:`Version.changing`):
        the index follows, and the sections they leave or land in have their numbering checked."""
        roots = [el.getroottree().getroot() for el in elements]
        with self.version.changing(*elements):
            yield
        roots += [el.getroottree().getroot() for el in elements]
        self.restructured.update(r.get("num") for r in roots if r.tag == "section")

    def has(self, address: Address) -> bool:
        return self.version.element(address) is not None

    def lookup(self, address: Address, role: str = "target"):
        """The element at ``address`` in the work version, its section made the version's own."""
        self.own(address.section)
        el = self.version.element(address)
        if el is not None:
            return el
        if address in self.pending:
            raise _fail("depends", f"{address} would be created by operation {self.pending[address] + 1}, "
                                   "which does not apply", address)
        held = ", ".join(self.version.sections) or "nothing"
        if address.section not in self.version.sections:
            raise _fail("unknown-target", f"the {role} {address} is in Section {address.section}, which "
                                          f"version {self.base.id} does not hold (it holds {held})", address)
        earlier = self._changed_earlier(address, role)
        if earlier is not None:
            raise earlier
        suggestions = self.version.suggest(address)
        msg = f"the {role} {address} is not in version {self.base.id}"
        if suggestions:
            msg += f" (nearest: {', '.join(suggestions)})"
        if self.version.coverage_of(address) == "partial" and address.kind in ("clause", "item", "definition"):
            msg += "; the corpus holds only part of it"
        raise _fail("unknown-target", msg, address, suggestions=suggestions)

    def _changed_earlier(self, address: Address, role: str) -> "_Fail | None":
        """The failure for an address that an earlier operation renumbered, moved or deleted (it
        or a node holding it): each operation addresses the text as the operations before it left
        it, so the address to use is the new one, which is suggested."""
        for holder in [address] + address.ancestors()[::-1]:
            if holder not in self.renumbered:
                continue
            now, steps, last = holder, [], -1
            while now in self.renumbered and self.renumbered[now][1] > last:  # later operations only
                new, index, instruction = self.renumbered[now]
                last = index
                steps.append(f"operation {index + 1} ({instruction})")
                if new is None:
                    return _fail("unknown-target", f"the {role} {address} is no longer there: "
                                                   f"{' then '.join(steps)} deleted {now}", address)
                now = new
            moved = Address.parse(str(now) + str(address)[len(str(holder)):])
            if self.version.element(moved) is None:
                return None
            return _fail("unknown-target",
                         f"the {role} {address} is {moved} by now: {' then '.join(steps)} renumbered "
                         f"{holder}{' as ' + str(now) if now != holder else ''}, and each operation addresses the "
                         f"text as the operations before it left it (use {moved})", address,
                         suggestions=(str(moved),))
        return None

    def touch(self, el, words: bool = True) -> None:
        """Record a change inside ``el``: its clause is changed and notes up to it are stale.

        ``words`` says ``el``'s own words changed (so it is stamped with the modification's
        source); a structural change (an item removed, renumbered or moved) passes False.
        """
        if el.tag == "crossheading":  # its words: the clauses under it are read under other words
            self.reheaded.update(el.iterchildren("clause"))
            if words:
                self._stamp(el)
            return
        node = el
        while node is not None:
            if node.tag in ("clause", "item", "definition") and "note" in node.attrib:
                del node.attrib["note"]
            if node.tag == "clause":
                self.touched.add(node)
                break
            node = node.getparent()
        if words:
            self._stamp(el)

    def _mark_unsourced(self, el) -> None:
        view = Node(el)
        if view.evidence != "inferred" or view.note != self.unsourced_note:
            el.set("evidence", "inferred")
            el.set("note", self.unsourced_note)

    def _stamp(self, el) -> None:
        if not self.source:
            self._mark_unsourced(el)
            return
        for k in ("source", "evidence"):
            el.attrib.pop(k, None)
        view = Node(el)
        if view.source != self.source or view.evidence != "printed":
            el.set("source", self.source)
            el.set("evidence", "printed")

    def stamp_new(self, el) -> None:
        """Inserted content: say where it comes from, if it would inherit something else."""
        if not self.source:
            if "evidence" not in el.attrib:
                self._mark_unsourced(el)
            return
        if "source" in el.attrib:
            return
        view = Node(el)
        if view.source != self.source or view.evidence != "printed":
            el.set("source", self.source)
            el.set("evidence", "printed")


# ---------------------------------------------------------------------------------------------
# reading and writing words


def _field_text(el, field: str) -> str:
    if field == "crossheading":  # the heading of the group a clause stands in ("" under none)
        box = el.getparent()
        return normalise_space(box.get("heading")) if box is not None and box.tag == "crossheading" else ""
    if field == "heading":
        return normalise_space(el.get("heading"))
    child = el.find(field)
    return normalise_space(child.text) if child is not None else ""


def _set_field(el, field: str, words: str) -> None:
    if field == "crossheading":  # _words_edit_target has checked the group and the words
        el.getparent().set("heading", words)
        return
    if field == "heading":
        if words:
            el.set("heading", words)
        elif "heading" in el.attrib:
            del el.attrib["heading"]
        return
    child = el.find(field)
    if not words:
        if child is not None:
            el.remove(child)
        return
    if child is None:
        child = etree.Element(field)
        if field == "text":
            el.insert(0, child)
        else:
            el.append(child)
    child.text = words


def _body_text(el) -> str:
    """A node's words, sub-numbers included, its own number excluded (what ``old`` states)."""
    return node_words(el, numbered=False)


def _elsewhere(st: _State, words: str, field: str, exact: bool, skip) -> list[str]:
    """Addresses in the same section whose ``field`` holds ``words`` (exactly, or as a phrase)."""
    if not words:
        return []
    pattern = phrase_pattern(words)
    out = []
    for addr, el in st.version.index.items():
        if el is skip or addr.kind == "section" or field in ("heading", "crossheading"):
            continue
        text = _field_text(el, field)
        if (text == words) if exact else bool(pattern.search(text)):
            out.append(str(addr))
    return out[:ELSEWHERE_LIMIT]


def _mismatch(st: _State, address: Address, el, field: str, expected: str, actual: str,
              phrase: bool) -> _Fail:
    what = {"closing": "closing words", "heading": "heading", "crossheading": "cross-heading"}.get(field, "words")
    details = []
    if phrase:
        msg = f"expected text not found: the phrase {_quote(expected)} is not in the {what} of {address}"
        near = closest_match(actual, expected)
        if near:
            details.append(f"closest match: {_quote(near)}")
            details.append(f"difference:    {_word_diff(expected, near)}")
        details.append(f"{address} reads: {_quote(actual) if actual else '(nothing)'}")
    else:
        verb = "differ" if what.endswith("words") else "differs"  # (the words differ; the heading differs)
        msg = f"expected text not found: the {what} of {address} {verb} from what the modification expects"
        details.append(f"expected: {_quote(expected) if expected else '(nothing)'}")
        details.append(f"actual:   {_quote(actual) if actual else '(nothing)'}")
        details.append(f"difference (expected → actual): {_word_diff(expected, actual)}")
        near = closest_match(actual, expected) if expected and 3 * len(expected) < 2 * len(actual) else None
        if near and near != actual:
            details.append(f"closest match in {address}: {_quote(near)}")
    others = _elsewhere(st, expected, field, exact=not phrase, skip=el)
    if others:
        details.append(f"the expected {'phrase' if phrase else 'words'} {'is' if phrase else 'are'} found at: {', '.join(others)}")
    return _fail("text-mismatch", msg, address, details)


# ---------------------------------------------------------------------------------------------
# placing nodes


#: for each content kind: the kinds of sibling anchor (before/after) and of parent (start/end)
_SIBLING = {"part": ("part",), "clause": ("clause",), "crossheading": ("clause",), "item": ("item",)}
_PARENT = {"part": ("section",), "clause": ("part",), "crossheading": ("part",),
           "item": ("clause", "item", "definition")}


def _check_place(tag: str, position: str, anchor: Address, anchor_el) -> None:
    if position in ("before", "after"):
        if anchor_el.tag not in _SIBLING[tag]:
            raise _fail("invalid-position", f"a {tag} cannot be placed {position} the {anchor_el.tag} {anchor}", anchor)
        if tag == "crossheading":
            group = anchor_el.getparent()
            if group.tag == "crossheading":
                clauses = group.findall("clause")
                edge = clauses[-1] if position == "after" else clauses[0]
                if edge is not anchor_el:
                    which = "last" if position == "after" else "first"
                    raise _fail("invalid-position",
                                f"{anchor} is not the {which} clause of its cross-heading group "
                                f"“{group.get('heading')}”: a cross-heading group can only go between groups",
                                anchor)
    elif anchor_el.tag not in _PARENT[tag]:
        raise _fail("invalid-position", f"a {tag} cannot be placed at the {position} of the {anchor_el.tag} {anchor}",
                    anchor)


def _place(els: list, position: str, anchor_el) -> None:
    """Put ``els`` (in order) before/after ``anchor_el`` or at the start/end of it."""
    if position in ("before", "after"):
        ref = anchor_el
        if els[0].tag == "crossheading" and ref.getparent().tag == "crossheading":
            ref = ref.getparent()  # a new group goes beside the anchor's group
        if position == "after":
            for el in reversed(els):
                ref.addnext(el)
        else:
            for el in els:
                ref.addprevious(el)
        return
    container = anchor_el
    kids = [c for c in container if isinstance(c.tag, str)]
    if position == "end" and els[0].tag == "clause" and kids and kids[-1].tag == "crossheading":
        container = kids[-1]  # a clause at the end of a part reads as part of its last group
        kids = [c for c in container if isinstance(c.tag, str)]
    if position == "start":
        at = 1 if kids and kids[0].tag == "text" else 0
        idx = container.index(kids[at]) if at < len(kids) else len(container)
        for i, el in enumerate(els):
            container.insert(idx + i, el)
    else:
        closing = container.find("closing")
        for el in els:
            if closing is not None:
                closing.addprevious(el)
            else:
                container.append(el)


def _remove(el) -> None:
    """Detach ``el``; a cross-heading group left with no clause goes with it."""
    parent = el.getparent()
    parent.remove(el)
    if parent.tag == "crossheading" and parent.find("clause") is None:
        parent.getparent().remove(parent)


def _renumber(el, new: Address) -> None:
    if el.tag == "part":
        el.set("num", new.part)
        for c in el.iter("clause"):
            c.set("num", f"{new.part}.{c.get('num').split('.', 1)[1]}")
    elif el.tag == "clause":
        el.set("num", new.clause)
    else:
        el.set("num", new.items[-1])


def _check_numbering(tag: str, num: str, parent: Address, where: Address) -> None:
    """A new part or clause's number must belong where it lands (G1.10 in G1, G10 in G)."""
    if tag == "part" and num[0] != parent.section:
        raise _fail("invalid-position", f"part {num} cannot sit in Section {parent.section}", where)
    if tag == "clause" and num.split(".")[0] != parent.part:
        raise _fail("invalid-position", f"clause {num} cannot sit in part {parent.part}: "
                                        f"its number says part {num.split('.')[0]}", where)


# ---------------------------------------------------------------------------------------------
# one handler per operation kind


def _insert(st: _State, op: O.Insert) -> None:
    anchor_el = st.lookup(op.target, "anchor")
    content = [O.fragment_element(f) for f in op.content]
    failures: list[Failure] = []
    for el in content:
        try:
            _check_place(el.tag, op.position, op.target, anchor_el)
        except _Fail as f:
            failures += f.failures
    if failures:
        raise _Fail(*failures[:1])
    parent = op.parent
    seen = set()
    for el in content:
        group = el.findall("clause") if el.tag == "crossheading" else [el]
        for node in group:
            addr = number_address(node.tag, node.get("num"), parent)
            try:
                _check_numbering(node.tag, node.get("num"), parent, addr)
            except _Fail as f:
                failures += f.failures
                continue
            if st.has(addr):
                failures.append(Failure("position-taken", f"insert position already taken: {addr} already "
                                        f"exists in version {st.base.id}", address=addr))
            elif addr in seen:
                failures.append(Failure("position-taken", f"the modification inserts {addr} twice", address=addr))
            seen.add(addr)
    if failures:
        raise _Fail(*failures)
    with st.changing(*content):
        _place(content, op.position, anchor_el)
    for el in content:
        st.stamp_new(el)
        for c in el.iter("clause"):
            st.touched.add(c)
        if el.tag == "item":
            st.touch(el.getparent(), words=False)


def _words_edit_target(st: _State, op) -> tuple:
    """(element, words) an amend or substitute works on; for ``field="crossheading"`` the target
    clause must stand under a cross-heading."""
    el = st.lookup(op.target)
    if op.field == "crossheading" and el.getparent().tag != "crossheading":
        raise _fail("text-mismatch", f"{op.target} stands under no cross-heading, so there is none to reword "
                                     "(a new cross-heading is inserted with its clauses)", op.target)
    return el, _field_text(el, op.field)


def _touch_words(st: _State, op, el) -> None:
    st.touch(el.getparent() if op.field == "crossheading" else el)


def _amend(st: _State, op: O.Amend) -> None:
    el, actual = _words_edit_target(st, op)
    if actual != op.old:
        raise _mismatch(st, op.target, el, op.field, op.old, actual, phrase=False)
    if op.field == "heading" and not op.new and el.tag == "section":
        raise _fail("invalid-result", f"Section {op.target} must keep a heading", op.target)
    _set_field(el, op.field, op.new)
    _touch_words(st, op, el)


def _substitute(st: _State, op: O.Substitute) -> None:
    el, actual = _words_edit_target(st, op)
    spans = occurrences(actual, op.old)
    if not spans:
        raise _mismatch(st, op.target, el, op.field, op.old, actual, phrase=True)
    listing = [f"occurrence {i}: {_in_context(actual, s, e)}" for i, (s, e) in enumerate(spans, 1)]
    if op.occurrence is None and len(spans) > 1:
        raise _fail("ambiguous", f"ambiguous phrase: {_quote(op.old)} occurs {len(spans)} times in {op.target}; "
                                 'say which with occurrence="N"', op.target, listing)
    n = op.occurrence or 1
    if n > len(spans):
        raise _fail("ambiguous", f"occurrence {n} asked for, but {_quote(op.old)} occurs "
                                 f"{len(spans)} time(s) in {op.target}", op.target, listing)
    s, e = spans[n - 1]
    new_text = normalise_space(actual[:s] + op.new + actual[e:])
    if op.field == "heading" and not new_text and el.tag == "section":
        raise _fail("invalid-result", f"Section {op.target} must keep a heading", op.target)
    if op.field == "crossheading" and not new_text:
        raise _fail("invalid-result", f"the cross-heading above {op.target} must keep a heading (delete a "
                                      "cross-heading with its clauses)", op.target)
    _set_field(el, op.field, new_text)
    _touch_words(st, op, el)


def _delete(st: _State, op: O.Delete) -> None:
    el = st.lookup(op.target)
    if op.old is not None:
        actual = _body_text(el)
        if actual != op.old:
            raise _mismatch(st, op.target, el, "text", op.old, actual, phrase=False)
    if op.mode == "remove":
        parent = el.getparent()
        with st.changing(el):
            _remove(el)
        if parent.tag in ("clause", "item", "definition"):
            st.touch(parent, words=False)
        return
    with st.changing(el):
        for child in list(el):
            el.remove(child)
        etree.SubElement(el, "text").text = O.NOT_USED
    st.touch(el)


def _renumber_op(st: _State, op: O.Renumber) -> None:
    el = st.lookup(op.target)
    if st.has(op.new):
        raise _fail("position-taken", f"{op.new} already exists in version {st.base.id}", op.new)
    with st.changing(el):
        _renumber(el, op.new)
    for c in ([el] if el.tag == "clause" else el.iter("clause")):
        st.touched.add(c)
    if el.tag == "item":
        st.touch(el.getparent(), words=False)


def _move(st: _State, op: O.Move) -> None:
    el = st.lookup(op.target)
    anchor_el = st.lookup(op.anchor, "anchor")
    _check_place(el.tag, op.position, op.anchor, anchor_el)
    parent = op.anchor if op.position in ("start", "end") else op.anchor.parent
    dest = op.new or number_address(el.tag, el.get("num"), parent)
    if dest.parent != parent:
        raise _fail("invalid-position", f"{op.target} moved {op.position} {op.anchor} would sit in {parent} "
                                        f"as {dest}: give it a number there with as=\"…\"", op.target)
    if dest != op.target and st.has(dest):
        raise _fail("position-taken", f"{dest} already exists in version {st.base.id}", dest)
    old_parent = el.getparent()
    with st.changing(el):
        _remove(el)
        _place([el], op.position, anchor_el)
        if dest != op.target:
            _renumber(el, dest)
    if old_parent.tag in ("clause", "item", "definition"):
        st.touch(old_parent, words=False)
    for c in ([el] if el.tag == "clause" else el.iter("clause")):
        st.touched.add(c)
    if el.tag == "item":
        st.touch(el.getparent(), words=False)


def term_key(term: str) -> str:
    """The alphabetical sort key of a defined term (case and punctuation ignored)."""
    return " ".join(re.sub(r"[^\w\s]", "", term.casefold()).split())


def _place_definition(clause_el, def_el) -> None:
    key = term_key(def_el.get("term"))
    defs = clause_el.findall("definition")
    for d in defs:
        if term_key(d.get("term")) > key:
            d.addprevious(def_el)
            return
    if defs:
        defs[-1].addnext(def_el)
    else:
        _place([def_el], "end", clause_el)


def _definitions_clause(st: _State, op) -> object:
    clause_el = st.lookup(op.target.clause_address, "definitions clause")
    if clause_el.find("item") is not None:
        raise _fail("invalid-position", f"{op.target.clause_address} holds a list of items, not definitions",
                    op.target.clause_address)
    return clause_el


def _add_definition(st: _State, op: O.AddDefinition) -> None:
    clause_el = _definitions_clause(st, op)
    if st.has(op.target):
        raise _fail("position-taken", f"the definition of “{op.target.term}” already exists in "
                                      f"{op.target.clause_address}", op.target)
    el = O.fragment_element(op.content)
    with st.changing(el):
        _place_definition(clause_el, el)
    st.stamp_new(el)
    st.touched.add(clause_el)


def _amend_definition(st: _State, op: O.AmendDefinition) -> None:
    el = st.lookup(op.target, "definition")
    if op.old is not None:
        actual = _field_text(el, op.field)
        if actual != op.old:
            raise _mismatch(st, op.target, el, op.field, op.old, actual, phrase=False)
    if op.new_term is not None:
        new_addr = number_address("definition", op.new_term, op.target.clause_address)
        if st.has(new_addr):
            raise _fail("position-taken", f"the definition of “{op.new_term}” already exists in "
                                          f"{op.target.clause_address}", new_addr)
    if op.old is not None:
        _set_field(el, op.field, op.new)
    if op.new_term is not None:
        clause_el = el.getparent()
        with st.changing(el):
            clause_el.remove(el)
            el.set("term", op.new_term)
            _place_definition(clause_el, el)
    st.touch(el)


def _delete_definition(st: _State, op: O.DeleteDefinition) -> None:
    el = st.lookup(op.target, "definition")
    if op.old is not None:
        actual = _body_text(el)
        if actual != op.old:
            raise _mismatch(st, op.target, el, "text", op.old, actual, phrase=False)
    clause_el = el.getparent()
    with st.changing(el):
        clause_el.remove(el)
    st.touch(clause_el, words=False)


_HANDLERS: dict[type, Callable] = {
    O.Insert: _insert,
    O.Amend: _amend,
    O.Substitute: _substitute,
    O.Delete: _delete,
    O.Renumber: _renumber_op,
    O.Move: _move,
    O.AddDefinition: _add_definition,
    O.AmendDefinition: _amend_definition,
    O.DeleteDefinition: _delete_definition,
}


# ---------------------------------------------------------------------------------------------
# the apply


def apply_modification(version: Version, mod, new_id: str | None = None, *, onto: bool = False) -> ApplyResult:
    """Apply ``mod`` to a copy of ``version``; raise ApplyError listing every failure.

    The copy is copy-on-write (:meth:`Version.derive`): a section is copied when an operation
    first looks into it, and the result shares every other section's tree (read-only) with
    ``version``, which is never changed.

    ``version`` should be the modification's base; ``onto=True`` says it is deliberately another
    one (``redline apply --onto``), otherwise a different version is itself a failure. The new
    version is called ``new_id`` (default ``<version>+<mod id>``).
    """
    work = version.derive(new_id or f"{version.id}+{mod.id}")
    st = _State(work, version, mod.meta.get("source"), mod.id)
    failures: list[Failure] = []
    for i, op in enumerate(mod.operations):
        handler = _HANDLERS.get(type(op))
        if handler is None:  # pragma: no cover - the operation set is closed (tests/test_operations.py)
            raise TypeError(f"no handler for {type(op).__name__}")
        try:
            try:
                handler(st, op)
            except CorpusError as exc:  # content the index cannot address (an item without a number)
                raise _fail("invalid-result", f"the result is not a valid section: {exc.detail}") from None
            _record_numbering(st, op, i)
        except _Fail as exc:
            for f in exc.failures:
                failures.append(Failure(f.kind, f.message, i, op.instruction(), f.address, f.details, f.suggestions))
            for a in op.creates():
                st.pending.setdefault(a, i)
    failures += _blamed(mod, _validate_result(st, work, version))
    if version.id != mod.base:
        if not onto:
            failures.insert(0, Failure("base-mismatch", f"base version mismatch: {mod.id} is drafted against "
                                       f"version {mod.base}, not {version.id} (use --onto {version.id} to "
                                       "apply it there)"))
        elif failures:
            failures.insert(0, Failure("base-mismatch", f"base version mismatch: {mod.id} is drafted against "
                                       f"version {mod.base} and was applied onto {version.id}"))
    if failures:
        raise ApplyError(mod.id, failures)
    final = _final_addresses(st, work)
    return ApplyResult(work, MappingProxyType(_address_map(st.original, final)),
                       _changed(st, final, version, work), mod.id, version.id, _reheaded(st, final, version))


def _blamed(mod, failures: list[Failure]) -> list[Failure]:
    """``failures`` of the result, each put on the last operation that creates or changes the
    clause it names (so that a report gives that operation's line), where there is one."""
    out = []
    for f in failures:
        if f.index is None and f.address is not None:
            clause = f.address.clause_address or f.address
            for i in range(len(mod.operations) - 1, -1, -1):
                op = mod.operations[i]
                try:
                    touched = set(op.creates()) | set(op.clause_addresses())
                except NotImplementedError:  # pragma: no cover - every operation says what it touches
                    touched = set(op.creates())
                if f.address in touched or clause in touched:
                    f = Failure(f.kind, f.message, i, op.instruction(), f.address, f.details, f.suggestions)
                    break
        out.append(f)
    return out


def _record_numbering(st: _State, op, index: int) -> None:
    """After operation ``index`` applied: what it did to numbers (see :meth:`_State._changed_earlier`)."""
    if op.kind == "renumber":
        st.renumbered[op.target] = (op.new, index, op.instruction())
    elif op.kind == "move" and op.destination != op.target:
        st.renumbered[op.target] = (op.destination, index, op.instruction())
    elif op.kind == "delete" and getattr(op, "mode", "remove") == "remove":
        st.renumbered[op.target] = (None, index, op.instruction())
    for a in op.creates():  # a number used again is no longer the old node's
        st.renumbered.pop(a, None)


def _validate_result(st: _State, work: Version, base: Version) -> list[Failure]:
    """The failures of the sections the apply changed (:func:`redline.validate.changed_section_problems`).
    A section shared with ``base`` is not looked at, nor one byte-identical to ``base``'s (the
    base was checked when loaded) unless the apply touched its clauses; the schema is checked in
    parts where it can be, and numbering only where numbers or places changed."""
    touched: dict = {}
    for clause in st.touched:
        touched.setdefault(clause.getroottree().getroot(), []).append(clause)
    out = []
    for letter, root in work.sections.items():
        before = base.sections.get(letter)
        if before is root:
            continue
        if root not in touched and before is not None and etree.tostring(before) == etree.tostring(root):
            continue
        for p in changed_section_problems(root, before, touched.get(root, ()),
                                          structural=letter in st.restructured):
            out.append(Failure(p.kind, p.message, address=p.address))
    return out


def _final_addresses(st: _State, work: Version) -> dict:
    """element -> address in the result, for the sections the apply copied (every other section
    is the base's tree, unchanged); where no number or place changed, the original one."""
    if not st.restructured:
        return st.original
    final: dict = {}
    for letter in work.sections:
        if not work.is_shared(letter):
            final.update((el, a) for a, el in work.section_items(letter))
    return final


def _address_map(original: dict, final: dict) -> dict[Address, Address | None]:
    if final is original:
        return {}
    out = {}
    for el, addr in original.items():
        now = final.get(el)
        if now is not addr and now != addr:
            out[addr] = now
    return out


def _differs(el, before) -> bool:
    """True if two clauses differ canonically (cheap test first: their words differ)."""
    if " ".join(el.itertext()).split() != " ".join(before.itertext()).split():
        return True
    return canonical(el) != canonical(before)


def _reheaded(st: _State, final: dict, base: Version) -> tuple[Address, ...]:
    """The result's clauses, in document order, that stand under a cross-heading whose words the
    modification changed (their own words may be as they were)."""
    if not st.reheaded:
        return ()
    return tuple(addr for el, addr in final.items() if el in st.reheaded and (
        st.original.get(el) is None or Node(el).crossheading != base.find(st.original[el]).crossheading))


def _changed(st: _State, final: dict, base: Version, work: Version) -> tuple[Address, ...]:
    original = st.original
    out = []
    for letter, root in work.sections.items():
        if work.is_shared(letter):
            continue
        for el in root.iter("clause"):
            addr = final.get(el)
            if addr is None:  # pragma: no cover - every clause of a copied section is indexed
                continue
            was = original.get(el)
            if was is None or was != addr:
                out.append(addr)
            elif el in st.touched and _differs(el, base.element(was)):
                out.append(addr)
    return tuple(out)
