"""The body of a .docx as paragraphs a legal importer can use (frozen values, body order).

One pass over ``word/document.xml`` (parsed once with lxml) gives every body paragraph, tables
flattened in reading order (row by row, cell by cell, nested tables in place); text boxes,
headers, footers, footnotes and comments are other parts or other stories and are not read.

A paragraph's runs keep what a redline reader needs: the text (``w:t``; ``w:delText`` as the
text of a deletion; ``w:tab`` -> tab, ``w:br``/``w:cr`` -> newline, ``w:noBreakHyphen`` -> "-",
``w:softHyphen`` -> nothing, ``w:sym`` -> its character), the tracked change around it
(``w:ins``, ``w:del``, ``w:moveFrom``, ``w:moveTo`` with author and date) and the formatting
flags a house mark-up uses (underline, strike, colour, hidden), resolved through character and
paragraph style chains. Hyperlinks, smart tags, content controls, custom XML, bookmarks, proofing
and permission marks are transparent; field instructions (``w:instrText``, ``w:fldSimple``'s
``w:instr``) are never text, field results are. Adjacent runs that agree in every attribute are
merged (Word splits words across runs freely).

Automatic numbers are computed for two views in the same pass (:mod:`redline.word.numbering`):
"accept" (every tracked change accepted: a paragraph whose mark is deleted is not counted) and
"reject" (every change rejected: an inserted paragraph is not counted, and a paragraph whose
properties changed, ``w:pPrChange``, is numbered with its old properties).
"""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from redline.errors import DocumentError
from redline.gcpause import gc_paused
from redline.word.numbering import Counters, Numbering
from redline.word.package import READ_ERRORS, Package, int_value
from redline.word.styles import NO_FLAGS, Styles, run_flags

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"

VIEWS = ("accept", "reject")
#: which run changes each view shows
SHOWN = {"accept": frozenset((None, "ins", "moveTo")), "reject": frozenset((None, "del", "moveFrom"))}
#: a paragraph mark change as ``Paragraph.mark`` reports it
MARK = {"ins": "ins", "moveTo": "ins", "del": "del", "moveFrom": "del"}


class Run(NamedTuple):
    """A stretch of text with one tracked-change state and one set of formatting flags."""

    text: str
    change: str | None = None  # None, "ins", "del", "moveFrom", "moveTo"
    author: str | None = None
    date: str | None = None
    underline: bool = False
    strike: bool = False
    colour: str | None = None  # "FF0000"; None = automatic
    vanish: bool = False


class NumberingRef(NamedTuple):
    """Where a paragraph's automatic number comes from (for tools that need the list structure)."""

    num_id: str
    level: int
    abstract: str | None


class Paragraph(NamedTuple):
    """One body paragraph (a frozen value). See CONTRACTS.md A for the meaning of each field."""

    index: int
    style_id: str | None
    style_name: str | None
    outline_level: int | None
    runs: tuple[Run, ...]
    mark: str | None  # None, "ins" or "del": the paragraph mark's own tracked change
    problems: tuple[str, ...]
    labels: tuple[str | None, str | None] = (None, None)  # the automatic number in each view
    numbering: tuple[NumberingRef | None, NumberingRef | None] = (None, None)
    property_change: bool = False  # w:pPrChange: the paragraph's properties (style, numbering) changed

    def number(self, view: str = "accept") -> str | None:
        """The automatic number Word displays for this paragraph in ``view``, or None."""
        return self.labels[_view(view)]

    def text(self, view: str = "accept") -> str:
        """The paragraph's words in ``view`` (hidden runs excluded), without the automatic number."""
        shown = _SHOWN_IN[_view(view)]
        runs = self.runs
        if len(runs) == 1:  # most paragraphs (adjacent runs that agree are merged when read)
            r = runs[0]
            return r[0] if r[1] in shown and not r[7] else ""  # Run.text, .change, .vanish
        return "".join([r[0] for r in runs if r[1] in shown and not r[7]])

    def exists(self, view: str = "accept") -> bool:
        """Whether the paragraph is there in ``view`` (a deleted mark is gone once accepted, an
        inserted one once rejected)."""
        return self.mark != ("del" if view == "accept" else "ins")

    @property
    def changed(self) -> bool:
        """Whether any run or the paragraph mark carries a tracked change."""
        return self.mark is not None or any(r.change is not None for r in self.runs)


def _view(view: str) -> int:
    if view == "accept":
        return 0
    if view == "reject":
        return 1
    raise ValueError(f"view must be 'accept' or 'reject', not {view!r}")


_SHOWN_IN = tuple(SHOWN[v] for v in VIEWS)  # by _view's index


class Document:
    """A .docx read: its body paragraphs, core properties and document-level problems."""

    def __init__(self, name: str, paragraphs: list[Paragraph], core: dict, has_revisions: bool,
                 problems: list[str]):
        self.name = name
        self.paragraphs = paragraphs
        self.core = core
        self.has_revisions = has_revisions
        self.problems = problems

    def __repr__(self) -> str:
        return f"<Document {self.name}: {len(self.paragraphs)} paragraphs>"


def open_docx(data: bytes, name: str) -> Document:
    """Read a .docx from its bytes (``name`` is used in messages). The only entry point that takes
    untrusted bytes: hostile or unreadable input raises :class:`redline.errors.DocumentError`."""
    pkg = Package(data, name)
    main = pkg.main
    styles_part = pkg.related(main, "styles", "word/styles.xml")
    numbering_part = pkg.related(main, "numbering", "word/numbering.xml")
    core_part = pkg.related("", "core", "docProps/core.xml")
    pkg.check_all_xml(skip={main})  # every other part: no DTD, no entity, well-formed
    ns = _namespace(pkg, main)
    w = f"{{{ns}}}"
    styles = Styles(pkg.xml(styles_part) if styles_part else None, w)
    numbering = Numbering(pkg.xml(numbering_part) if numbering_part else None, w, styles)
    reader = _BodyReader(w, styles, numbering)
    paragraphs = reader.read(pkg, main, name)
    core = _core(pkg.xml(core_part)) if core_part else {}
    problems = list(dict.fromkeys(styles.problems + numbering.problems + reader.problems))
    return Document(name, paragraphs, core, reader.revisions, problems)


def _namespace(pkg: Package, main: str) -> str:
    """The WordprocessingML namespace of the main part (transitional or strict), from its root tag."""
    try:
        with pkg.stream(main) as fh:
            for _, el in etree.iterparse(fh, events=("start",), resolve_entities=False, no_network=True,
                                         load_dtd=False, huge_tree=False):
                tag = el.tag
                break
            else:  # pragma: no cover - iterparse raises on an empty document
                tag = ""
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"part {main}: not well-formed XML: {_xml_why(exc)}", pkg.name, None) from None
    except READ_ERRORS as exc:
        raise DocumentError(f"part {main} cannot be read from the package ({exc})", pkg.name) from None
    ns = tag[1:].split("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""
    if ns not in (W_MAIN, W_STRICT) or not tag.endswith("}document"):
        raise DocumentError(f"is not a Word document: its main part {main} holds <{tag}>", pkg.name)
    return ns


def _xml_why(exc: etree.XMLSyntaxError) -> str:
    msg = (exc.msg or str(exc)).split(", line ")[0].strip()
    return f"{msg} (line {exc.lineno})" if exc.lineno else msg


def _core(root) -> dict:
    out = {}
    for el in root:
        if isinstance(el.tag, str) and el.text and el.text.strip():
            out[el.tag.rsplit("}", 1)[-1]] = el.text.strip()
    return out


class _BodyReader:
    """Reads the body in one pass; holds the field state that runs across paragraphs.

    The per-paragraph work is the cost of reading a whole code (~80,000 paragraphs), so the hot
    functions are closures with every tag name bound once, and what a paragraph inherits from its
    style (name, outline level, numbering, run flags) is worked out once per style."""

    def __init__(self, w: str, styles: Styles, numbering: Numbering):
        self.w = w
        self.styles = styles
        self.numbering = numbering
        self.problems: list[str] = []
        self.revisions = False
        self._fields: list[bool] = []  # open fields: True once in the result part
        self._instr = 0  # how many open fields are still in their instruction part
        self._style_info: dict = {}
        self._build()

    # --- body ------------------------------------------------------------------------------
    @gc_paused  # ~10^6 small tuples: the cyclic collector would rescan them again and again
    def read(self, pkg: Package, part: str, name: str) -> list[Paragraph]:
        """Every body paragraph of the main part, streamed: each top-level body element is read
        when it ends and then dropped (a few hundred at a time), so the whole tree is never held."""
        w = self.w
        body_tag = w + "body"
        tags = (w + "p", w + "tbl", w + "sdt", w + "customXml", w + "altChunk")
        raws: list[tuple] = []
        add = raws.append
        paragraph = self._paragraph
        held = 0  # body elements read and not yet dropped
        body = None  # the body element, once seen
        p_tag = tags[0]
        try:
            with pkg.stream(part) as fh:
                it = etree.iterparse(fh, events=("end",), tag=tags, resolve_entities=False, no_network=True,
                                     load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
                for _, el in it:
                    parent = el.getparent()
                    if parent is not body:  # (one proxy per element while it is referenced: held here)
                        if parent is None or parent.tag != body_tag:
                            continue
                        body = parent
                    if el.tag == p_tag:
                        add(paragraph(el, len(raws) + 1))
                    else:
                        for p in self._paragraph_elements(el, nested=False):
                            add(paragraph(p, len(raws) + 1))
                    held += 1
                    if held == _DROP_EVERY:  # what was read before, dropped together (this one goes with
                        del parent[:parent.index(el)]  # the next; what the parser made after it is not read yet)
                        held = 0
                docinfo = it.root.getroottree().docinfo if it.root is not None else None
            if docinfo is not None and (docinfo.doctype or docinfo.internalDTD is not None):
                raise DocumentError(f"part {part}: DOCTYPE declarations are not allowed (entities and DTDs are "
                                    "refused)", name, None)
            return self._number(raws)
        except etree.XMLSyntaxError as exc:
            raise DocumentError(f"part {part}: not well-formed XML: {_xml_why(exc)}", name, None) from None
        except READ_ERRORS as exc:
            raise DocumentError(f"part {part} cannot be read from the package ({exc})", name) from None
        finally:
            self._paragraph = None  # the closure refers to the reader: a cycle, kept
            # (with the styles' and numbering's trees) until a collection, which may be paused

    def _paragraph_elements(self, el, nested: bool = True):
        """The paragraphs in a block element (a table, a content control...), in reading order."""
        w = self.w
        p_tag, sdt, content_tag, alt = w + "p", w + "sdt", w + "sdtContent", w + "altChunk"
        blocks = (w + "tbl", w + "tr", w + "tc", w + "customXml", content_tag)
        todo = [el] if nested or el.tag in blocks else []
        if not nested and el.tag == sdt:
            todo = [c for c in el if c.tag == content_tag]
        elif not nested and el.tag == alt:
            self.problems.append("the document embeds another document (w:altChunk), which is not read")
        stack = [iter(todo)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            tag = child.tag
            if tag == p_tag:
                yield child
            elif child is el or tag in blocks:
                stack.append(iter(child))
            elif tag == sdt:
                stack.append(iter([c for c in child if c.tag == content_tag]))
            elif tag == alt:
                self.problems.append("the document embeds another document (w:altChunk), which is not read")

    def _style(self, pstyle: str | None) -> tuple:
        """(style id, name, problem, outline level, base run, s_num, s_ilvl) of a paragraph style."""
        info = self._style_info.get(pstyle)
        if info is None:
            st = self.styles
            sid, sname, problem = st.paragraph_style(pstyle)
            s_num, s_ilvl = st.numbering(sid)
            base = st.flags(sid, None)
            info = (sid, sname, problem, st.outline_level(sid), base, base.final(), s_num, s_ilvl)
            self._style_info[pstyle] = info
        return info

    def _ref(self, style_id: str | None, numpr, s_num, s_ilvl) -> tuple | None:
        """(numId, ilvl) a paragraph is numbered with, from its own numPr and its style chain; None if none."""
        num_id, ilvl = numpr if numpr is not None else (None, None)
        if num_id is None:
            num_id = s_num
        if num_id is None or num_id == "0":
            return None
        if ilvl is None:
            ilvl = s_ilvl if s_num == num_id else None
        if ilvl is None and style_id is not None:
            ilvl = self.numbering.level_for_style(num_id, style_id)
        return (num_id, ilvl if ilvl is not None and 0 <= ilvl <= 8 else 0)

    def _build(self) -> None:
        """Make the hot closures: one paragraph, its inline content, one run."""
        w = self.w
        P_PR, P_STYLE, NUM_PR, NUM_ID, ILVL, OUTLINE, R_PR, PPR_CHANGE = (
            w + x for x in ("pPr", "pStyle", "numPr", "numId", "ilvl", "outlineLvl", "rPr", "pPrChange"))
        R, T, DEL_T, TAB, PTAB, BR, CR, NBH, SYM, FLD, RUBY, RUBY_BASE, R_STYLE, RPR_CHANGE = (
            w + x for x in ("r", "t", "delText", "tab", "ptab", "br", "cr", "noBreakHyphen", "sym", "fldChar", "ruby",
                            "rubyBase", "rStyle", "rPrChange"))
        SDT, SDT_CONTENT = w + "sdt", w + "sdtContent"
        VAL, AUTHOR, DATE, CHAR, FLD_TYPE = (w + x for x in ("val", "author", "date", "char", "fldCharType"))
        CHANGE_TAGS = {w + "ins": "ins", w + "del": "del", w + "moveFrom": "moveFrom", w + "moveTo": "moveTo"}
        TRANSPARENT = frozenset(w + x for x in ("hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo"))
        styles = self.styles
        style_of = self._style
        style_info = self._style_info
        ref_of = self._ref
        field = self._field
        new_run = tuple.__new__  # Run(...) without the named tuple's argument handling
        refs: dict = {}  # (style id, numPr) -> (numId, ilvl) or None
        this = self

        ILVLS = {str(i): i for i in range(10)}
        #: what ``walk`` does with an inline child: 1 a tracked change, 2 transparent, 3 a content control
        INLINE = {**{tag: 1 for tag in CHANGE_TAGS}, **{tag: 2 for tag in TRANSPARENT}, SDT: 3}
        inline_of = INLINE.get

        def numpr_of(el) -> tuple:
            num_id = ilvl = None
            for c in el:
                tag = c.tag
                if tag == NUM_ID:
                    num_id = c.get(VAL)
                elif tag == ILVL:
                    v = c.get(VAL)
                    ilvl = ILVLS[v] if v in ILVLS else int_value(v)
            return num_id, ilvl

        def run(r, change, runs, style_id, base_final):
            text = []
            final = base_final
            for c in r:
                tag = c.tag
                if tag == T or tag == DEL_T:
                    if not this._instr:
                        t = c.text
                        if t:
                            text.append(t)
                elif tag == R_PR:
                    direct = run_flags(c, w)
                    rs = None
                    for c2 in c:
                        if c2.tag == R_STYLE:
                            rs = c2
                        elif c2.tag == RPR_CHANGE:
                            this.revisions = True
                    base = styles.flags(style_id, rs.get(VAL)) if rs is not None else None
                    if base is not None:
                        final = direct.over(base).final() if direct is not NO_FLAGS else base.final()
                    elif direct is not NO_FLAGS:
                        final = direct.over(styles.flags(style_id, None)).final()
                elif this._instr:
                    if tag == FLD:
                        field(c.get(FLD_TYPE))
                elif tag == TAB or tag == PTAB:
                    text.append("\t")
                elif tag == BR or tag == CR:
                    text.append("\n")
                elif tag == NBH:
                    text.append("-")
                elif tag == SYM:
                    text.append(_sym(c.get(CHAR)))
                elif tag == FLD:
                    field(c.get(FLD_TYPE))
                elif tag == RUBY:
                    base_el = c.find(RUBY_BASE)
                    if base_el is not None:
                        inner: list[Run] = []
                        walk(base_el, change, inner, style_id, base_final)
                        text.extend(x.text for x in inner)
            if not text:
                return
            s = text[0] if len(text) == 1 else "".join(text)
            kind, author, date = change if change is not None else _NO_CHANGE
            if runs:
                last = runs[-1]
                if last[1] == kind and last[2] == author and last[3] == date and last[4:] == final:
                    runs[-1] = new_run(Run, (last[0] + s,) + last[1:])
                    return
            runs.append(new_run(Run, (s, kind, author, date) + final))

        def walk(el, change, runs, style_id, base_final):
            for child in el:
                tag = child.tag
                if tag == R:
                    run(child, change, runs, style_id, base_final)
                    continue
                what = inline_of(tag)
                if what is None:
                    continue
                if what == 1:
                    this.revisions = True
                    walk(child, (CHANGE_TAGS[tag], child.get(AUTHOR), child.get(DATE)), runs, style_id, base_final)
                elif what == 2:
                    walk(child, change, runs, style_id, base_final)
                else:
                    for c in child:
                        if c.tag == SDT_CONTENT:
                            walk(c, change, runs, style_id, base_final)

        def paragraph(p, index: int) -> tuple:
            pstyle = numpr = outline = mark = old = None
            children = iter(p)
            first = next(children, None)
            if first is not None and first.tag == P_PR:
                for c2 in first:
                    tag = c2.tag
                    if tag == P_STYLE:
                        pstyle = c2.get(VAL)
                    elif tag == NUM_PR:
                        numpr = numpr_of(c2)
                    elif tag == OUTLINE:
                        v = int_value(c2.get(VAL))
                        outline = v if v is not None and 0 <= v <= 8 else None
                    elif tag == R_PR:
                        for m in c2:
                            kind = CHANGE_TAGS.get(m.tag)
                            if kind is not None:
                                mark = MARK[kind]
                    elif tag == PPR_CHANGE:
                        old_style = old_numpr = None
                        for old_ppr in c2:
                            if old_ppr.tag == P_PR:
                                s_el = old_ppr.find(P_STYLE)
                                old_style = s_el.get(VAL) if s_el is not None else None
                                n_el = old_ppr.find(NUM_PR)
                                old_numpr = numpr_of(n_el) if n_el is not None else None
                        old = (old_style, old_numpr)
                first = None
            info = style_info.get(pstyle)
            if info is None:
                info = style_of(pstyle)
            style_id, style_name, problem, s_outline, _, base_final, s_num, s_ilvl = info
            if outline is None:
                outline = s_outline
            runs: list[Run] = []
            if first is not None:  # the paragraph has no properties: its first child is content
                walk((first,), None, runs, style_id, base_final)
            for child in children:  # walk(p) inlined for the paragraph's own level
                tag = child.tag
                if tag == R:
                    run(child, None, runs, style_id, base_final)
                    continue
                what = inline_of(tag)
                if what is not None:
                    walk((child,), None, runs, style_id, base_final)
            if mark is not None or old is not None:
                this.revisions = True
            if numpr is not None or s_num is not None:
                key = (style_id, numpr)  # (a paragraph's numbering is a function of these)
                accept_ref = refs.get(key, _NO_REF)
                if accept_ref is _NO_REF:
                    accept_ref = refs[key] = ref_of(style_id, numpr, s_num, s_ilvl)
            else:
                accept_ref = None
            if old is not None:
                o_id, _, _, _, _, _, o_num, o_ilvl = style_of(old[0])
                reject_ref = ref_of(o_id, old[1], o_num, o_ilvl)
            else:
                reject_ref = accept_ref
            return (index, style_id, style_name, outline, tuple(runs), mark, [problem] if problem else None,
                    accept_ref, reject_ref, old is not None)

        self._paragraph = paragraph

    def _field(self, kind: str | None) -> None:
        if kind == "begin":
            self._fields.append(False)
            self._instr += 1
        elif kind == "separate":
            if self._fields and not self._fields[-1]:
                self._fields[-1] = True
                self._instr -= 1
        elif kind == "end":
            if self._fields and not self._fields.pop():
                self._instr -= 1

    # --- numbering, in one pass per view -------------------------------------------------------
    def _number(self, raws: list[tuple]) -> list[Paragraph]:
        """The paragraphs of ``raws`` (made in place of each raw tuple) with their automatic numbers."""
        numbering = self.numbering
        accept, reject = Counters(numbering), Counters(numbering)
        both = not self.revisions  # both views are the same document: count once
        make = tuple.__new__  # Paragraph(...) without the named tuple's argument handling
        refs: dict = {}
        both_refs: dict = {}  # (numId, ilvl) -> its NumberingRef in both views

        def ref_of(r: tuple) -> NumberingRef:
            got = refs.get(r)
            if got is None:
                got = refs[r] = NumberingRef(r[0], r[1], numbering.abstract_id(r[0]))
            return got

        for k, (index, style_id, style_name, outline, runs, mark, problems, aref, rref, changed) in enumerate(raws):
            if aref is None and (both or rref is None):
                raws[k] = make(Paragraph, (index, style_id, style_name, outline, runs, mark,
                                           tuple(problems) if problems else (), _NONE2, _NONE2, changed))
                continue
            found = problems if problems else []
            if both:
                label = accept.advance(aref[0], aref[1], found)
                nrefs = both_refs.get(aref)
                if nrefs is None:
                    ref = ref_of(aref)
                    nrefs = both_refs[aref] = (ref, ref)
                labels = (label, label)
            else:
                la = lr = ra = rr = None
                if aref is not None and mark != "del":
                    la, ra = accept.advance(aref[0], aref[1], found), ref_of(aref)
                if rref is not None and mark != "ins":
                    lr, rr = reject.advance(rref[0], rref[1], found), ref_of(rref)
                labels, nrefs = (la, lr), (ra, rr)
            raws[k] = make(Paragraph, (index, style_id, style_name, outline, runs, mark,
                                       tuple(dict.fromkeys(found)) if found else (), labels, nrefs, changed))
        return raws


_NONE2 = (None, None)
_NO_REF = object()
#: the body elements read are dropped this many at a time (one slice deletion, not one each)
_DROP_EVERY = 256
_NO_CHANGE = (None, None, None)


def _sym(char: str | None) -> str:
    """The character of a ``w:sym`` (symbol-font code points F000-F0FF map to 00-FF)."""
    try:
        code = int(char or "", 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return ""


