"""Text extracted from a PDF -> the lines of :mod:`redline.importer.outline`, damage repaired or reported.

A PDF extraction (like the seed papers in ``corpus/sources/``) carries damage the legal text must
not keep. This reader, in named stages:

1. ``decode``: UTF-8 (a byte-order mark dropped); binary data (NUL bytes, control characters) is
   refused as not text;
2. ``pages``: page breaks are form feeds, or (as in the seeds) a line that starts with one space;
   a line of 20 or more spaces (or underscores) opens a page's footnote block, which runs to the
   page's end; footnotes are dropped (reported), and the footnote's number glued to a word of the
   page ("version 5.231" for "5.23" and footnote 1) is cut off when exactly one place fits,
   otherwise reported; running page headers and footers (the same short line on several pages,
   "Page 3 of 11") are dropped (reported);
3. ``paragraphs``: hard line wraps are joined. In blocks (paragraphs separated by blank lines,
   as redline's own text export writes them) a block's lines are one paragraph unless a line
   starts with a number; in lines (a blank line after every line, as the seeds) a line continues
   the paragraph before it unless it starts with a number (``G1.2``, ``(a)``, ``SECTION G``), or
   the line before it ended the paragraph (final punctuation, or a short line such as a heading);
   a heading-like line before a clause number after a line without final punctuation is read as a
   heading and reported (:func:`paragraphs`);
4. ``words``: a word split by stray spaces ("wil l", "al l t imes", "verif ication") is joined
   when the joined word is known (the corpus's words, the document's own whole words, common
   English words) and a fragment is not a word; a fragment that looks split but cannot be joined
   with certainty is reported for review. Nothing else in the words is changed.

Every repair and every doubt is a note of the :class:`~redline.importer.report.ImportReport`, with
its line number. Pure logic: the caller reads the file.
"""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple

from redline.errors import DocumentError
from redline.importer.outline import _SECTION, _TYPED_CLAUSE, _TYPED_ITEM, _TYPED_PART, Line, heading_like
from redline.importer.report import ImportReport
from redline.model import normalise_space

#: a line of this many spaces or underscores (or more) separates a page's footnotes from its body
FOOTNOTE_RULE = 20
#: a line at least this share of the document's usual line length is "full" (wrapped, not ended)
FULL_LINE = 0.6
#: the shortest line length taken as a document's wrap width (a short document says little about it)
MIN_WRAP = 60

#: common English words a legal text uses, besides the corpus's and the document's own
COMMON_WORDS = frozenset("""
a about above after again against all also an and any are as at be because been before being below between both but
by can could did do does doing down during each either few for from further had has have having he her here hers
him his how i if in into is it its itself just may me might more most must my no nor not now of off on once only or
other our out over own same shall she should so some such than that the their them then there these they this those
through to too under until up upon very was we were what when where which while who whom why will with within without
would you your time times line lines licence licences licensed obligation obligations security secure published
publish parliament initiated initiate facilitate facilitates section sections party parties supplier suppliers
one two three four five six seven eight nine ten first second third last next new old other another every some none
use used set get make made take given give see seen show shown day days year years date dates part parts way ways
no yes not also even ever never once twice here there where therefore thereof hereby herein whereas however any
man men work works form forms line fine end ends case cases room place law laws act acts rule rules code codes
per cent each either neither both whose whom whether might must need needs own owned owner shall will may can
out in on at up off over under by to of for as so than then thus via upon onto into unto within without about
""".split())

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_STARTS_NUMBERED = (_SECTION, _TYPED_CLAUSE, _TYPED_ITEM)
_BARE_PART = re.compile(r"^[A-Z]\d{1,3}[A-Z]?$")
_PAGE_NUMBER = re.compile(r"^(page\s+\d+(\s+of\s+\d+)?|\d+\s*(of|/)\s*\d+|-?\s*\d+\s*-?)$", re.I)
_FOOTNOTE_START = re.compile(r"^(\d{1,2})\s*(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]+")


class RawLine(NamedTuple):
    number: int  # 1-based line number in the file
    text: str  # without the line break and trailing spaces
    page: int
    rule: bool = False  # a footnote rule: a long line of spaces or underscores


def _is_rule(line: str) -> bool:
    stripped = line.strip()
    return len(line) >= FOOTNOTE_RULE and (not stripped or (set(stripped) <= {"_", "-"} and len(stripped) >= 10))


def decode(data: bytes, name: str) -> str:
    """The text of a ``.txt`` file; binary data is a DocumentError (exit 2)."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise DocumentError(f"is not a text file: binary data (a NUL byte) at byte {nul}", name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"is not UTF-8 text (an undecodable byte at byte {exc.start}); save it as UTF-8", name) \
            from None
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DocumentError(f"is not a text file: control character {bad.group()!r} (binary data)", name, line)
    return text


def raw_lines(text: str) -> list[RawLine]:
    """The lines of the text with their numbers and pages (form feed, or a line starting with one space)."""
    out = []
    page = 1
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        elif line.startswith(" ") and len(line) > 1 and not line[1].isspace() and out:
            page += 1  # the seeds' extraction starts each page with one space
        out.append(RawLine(n, line.rstrip(), page, _is_rule(line)))
    return out


class _Page(NamedTuple):
    number: int
    body: list[RawLine]
    footnotes: list[tuple[int, str, int]]  # (footnote number, text, line)


def split_pages(lines: list[RawLine], report: ImportReport) -> list[_Page]:
    """Each page's body lines and footnotes (the lines after a footnote rule)."""
    pages: list[_Page] = []
    cur: list[RawLine] = []
    notes: list[RawLine] = []
    in_notes = False
    page = lines[0].page if lines else 1

    def flush():
        pages.append(_Page(page, cur[:], _footnotes(notes, report)))
        cur.clear()
        notes.clear()

    for ln in lines:
        if ln.page != page:
            flush()
            page = ln.page
            in_notes = False
        if ln.rule:
            in_notes = True
            report.add("dropped", f"line {ln.number}", "footnote rule")
            continue
        (notes if in_notes else cur).append(ln)
    flush()
    return pages


def _footnotes(lines: list[RawLine], report: ImportReport) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []
    for ln in lines:
        t = ln.text.strip()
        if not t:
            continue
        m = _FOOTNOTE_START.match(t)
        if m:
            out.append((int(m.group(1)), t, ln.number))
        elif out:
            out[-1] = (out[-1][0], f"{out[-1][1]} {t}", out[-1][2])
        else:
            out.append((0, t, ln.number))
        report.add("dropped", f"line {ln.number}", "footnote text", t)
    return out


def _glued_reference(pages: list[_Page], report: ImportReport) -> dict[int, str]:
    """Cut each footnote's number off the word of its page it is glued to, where exactly one fits.
    Returns line number -> repaired line text."""
    fixed: dict[int, str] = {}
    for page in pages:
        for num, text, at in page.footnotes:
            if num <= 0:
                continue
            mark = str(num)
            hits = []
            for ln in page.body:
                line = fixed.get(ln.number, ln.text)
                for m in re.finditer(rf"(?<![\w.])(\S*?)({mark})(?=[.,;:)]?(\s|$))", line):
                    stem = m.group(1)
                    if re.fullmatch(r"\d+\.\d{2}", stem) or (stem.isalpha() and stem.islower() and len(stem) > 2) \
                            or re.fullmatch(r"[a-z]+[.,;:)”’\"']", stem or "-"):
                        hits.append((ln, m))
            if len(hits) == 1:
                ln, m = hits[0]
                line = fixed.get(ln.number, ln.text)
                new = line[:m.start(2)] + line[m.end(2):]
                fixed[ln.number] = new
                report.add("repaired", f"line {ln.number}",
                           f"'{m.group(1)}{mark}' read as '{m.group(1)}': the mark of footnote {num} "
                           f"(line {at}), glued to the word", m.group(0))
            elif hits:
                report.add("review", f"line {at}", f"footnote {num}: its mark may be glued to any of "
                                                   + ", ".join(f"'{m.group(0)}' (line {ln.number})" for ln, m in hits))
            else:
                report.add("review", f"line {at}", f"footnote {num}: its mark was not found in the page's text")
    return fixed


def _running_lines(pages: list[_Page], report: ImportReport) -> set[int]:
    """Lines that are page furniture: page numbers, and a short line repeated on three or more pages."""
    drop: set[int] = set()
    seen: dict[str, list[RawLine]] = {}
    for page in pages:
        for ln in page.body:
            t = normalise_space(ln.text)
            if not t:
                continue
            if _PAGE_NUMBER.match(t):
                drop.add(ln.number)
                report.add("dropped", f"line {ln.number}", "a page number", t)
                continue
            if len(t) <= 80 and not any(p.match(t) for p in _STARTS_NUMBERED):
                seen.setdefault(t, []).append(ln)
    for t, lns in seen.items():
        if len({ln.page for ln in lns}) >= 3:
            for ln in lns:
                drop.add(ln.number)
                report.add("dropped", f"line {ln.number}", "a running page header or footer", t)
    return drop


def paragraphs(lines: list[RawLine], report: ImportReport | None = None) -> list[tuple[int, str, int | None]]:
    """Hard-wrapped lines joined into paragraphs: (first line number, words, list depth or None).

    Two layouts are told apart (:func:`_block_layout`): "block" text whose paragraphs are
    separated by blank lines (as ``redline export --format text`` writes it: every line of a block
    is joined, and an unnumbered block's indent gives its list depth), and "line" text (as the
    seeds' extraction: blank lines everywhere, a paragraph's lines joined by the rules of this
    module's doc). In line text, a line that reads as a heading (short, capitalised, no final
    punctuation) just before a clause, part or section number is taken as a paragraph of its own
    even when the line before it has no final punctuation, and that doubt is reported: it is never
    joined silently to the paragraph before it."""
    if _block_layout(lines):
        return _blocks(lines)
    report = report if report is not None else ImportReport("")
    text_lines = [(ln, normalise_space(ln.text)) for ln in lines if ln.text.strip()]
    lengths = sorted(len(t) for _, t in text_lines)
    usual = max(lengths[int(len(lengths) * 0.9)] if lengths else 80, MIN_WRAP)
    out: list[tuple[int, str, int | None]] = []
    open_para = False
    for k, (ln, t) in enumerate(text_lines):
        numbered = _numbered(t) and not (open_para and out and _refers_on(out[-1][1]))
        lower_start = t[0].islower() or (t[0] == "(" and len(t) > 1 and t[1].islower() and not _TYPED_ITEM.match(t))
        joins = out and not numbered and (open_para or lower_start)
        if joins and not lower_start and heading_like(t) and not _refers_on(t) and k + 1 < len(text_lines) \
                and _heads(text_lines[k + 1][1]):
            joins = False  # a heading, or the last words of the paragraph before: reported either way
            report.add("review", f"line {ln.number}", f"read as a heading before the number that follows, "
                                                      f"though the line before ends '{out[-1][1][-20:]}' without "
                                                      "final punctuation and may run on into it", t)
        if joins:
            out[-1] = (out[-1][0], f"{out[-1][1]} {t}", None)  # a sentence never starts in lower case
        else:
            out.append((ln.number, t, None))
        ends = t[-1] in _FINAL or t.endswith(("; and", "; or", "; and/or"))
        full = len(t) >= FULL_LINE * usual
        open_para = full and not ends
    return out


#: punctuation that ends a paragraph's last line
_FINAL = ".:;"


#: words after which a number at the start of the next line is a cross-reference, not a new paragraph
_REFERRING = frozenset("section sections clause clauses paragraph paragraphs part parts and to or of in under with "
                       "see by at per".split())


def _refers_on(prev: str) -> bool:
    """Whether a line ends with a word that a reference follows ("… in accordance with Section")."""
    prev = prev.rstrip()
    if prev.endswith(("; and", "; or", ", and", ", or", "; and/or")):
        return False  # a list item's last words
    last = prev.rsplit(" ", 1)[-1] if prev else ""
    return last.lower() in _REFERRING


def _numbered(t: str) -> bool:
    return bool(_TYPED_ITEM.match(t)) or _heads(t)


def _heads(t: str) -> bool:
    """Whether a line starts with a number a heading stands above: a section, part or clause."""
    if _SECTION.match(t) or _TYPED_CLAUSE.match(t) or _BARE_PART.match(t):
        return True
    m = _TYPED_PART.match(t)
    return bool(m and heading_like(m.group(2)))


def _block_layout(lines: list[RawLine]) -> bool:
    """Whether paragraphs are blocks of lines separated by blank lines, rather than lines with a
    blank line after each (the seeds' extraction).

    An indented line (redline's hanging indents) says blocks. Otherwise the evidence is weighed:
    a line running on into the next without a blank line between them (on one page, in a text
    that has blank lines between its lines elsewhere) says blocks; a line that plainly continues
    the one before it across a blank line (it starts in lower case, the line before has no final
    punctuation) says lines. Blocks when the first outweighs the second. With no evidence either
    way (every paragraph on one line), the line layout's rules apply, and they report what they
    cannot decide (:func:`paragraphs`)."""
    run_on = across = gaps = 0
    prev: RawLine | None = None  # the last line with text
    blank = False  # a blank line since it
    for ln in lines:
        t = ln.text.strip()
        if not t:
            blank = True
            continue
        if ln.text.startswith(" " * BLOCK_CLAUSE_COL):
            return True
        if prev is not None and prev.page == ln.page:
            if not blank:
                run_on += 1
            else:
                gaps += 1
                across += t[0].islower() and prev.text.rstrip()[-1] not in _FINAL
        prev, blank = ln, False
    return gaps > 0 and run_on > across


#: indent of a clause's words, and of each list level, in redline's text layout
BLOCK_CLAUSE_COL, BLOCK_ITEM_COL = 8, 6


def _blocks(lines: list[RawLine]) -> list[tuple[int, str, int | None]]:
    out: list[tuple[int, str, int | None]] = []
    cur: list[RawLine] = []

    def flush():
        if not cur:
            return
        text = " ".join(normalise_space(ln.text) for ln in cur)
        indent = len(cur[0].text) - len(cur[0].text.lstrip(" "))
        depth = (indent - BLOCK_CLAUSE_COL) // BLOCK_ITEM_COL if indent >= BLOCK_CLAUSE_COL and not _numbered(text) \
            else None
        out.append((cur[0].number, text, depth))
        cur.clear()

    for ln in lines:
        t = ln.text.strip()
        if t and cur and _numbered(t) and not _refers_on(cur[-1].text):
            flush()  # a number starts a paragraph (unless the line before leads into a reference)
        if t:
            cur.append(ln)
        else:
            flush()
    flush()
    return out


class Vocabulary:
    """Words known to be words: ``known`` (the corpus's words and common English: a fragment found
    here is a real word) and ``seen`` (the document's own whole words: a joined word found here
    or in ``known`` is a real word)."""

    def __init__(self, words: Iterable[str] = ()):
        self.known = {w.lower() for w in words} | COMMON_WORDS
        self.seen: set[str] = set()

    def add_text(self, text: str) -> None:
        self.seen.update(w.lower() for w in _WORD.findall(text) if len(w) > 3)

    def word(self, w: str) -> bool:
        """A joined word: known, or written whole in the document."""
        w = w.lower()
        return w in self.known or w in self.seen

    def fragment_is_word(self, w: str) -> bool:
        """A fragment that is a word in its own right (so a split is not certain)."""
        w = w.lower()
        return w in self.known and w not in _SINGLE


#: single letters that are never words on their own
_SINGLE = set("bcdefghjklmnopqrstuvwxyz")
#: word endings that are not words: a token of these after a word is probably its split-off end
_ENDINGS = frozenset("""ion ions tion tions sion sions ing ings ment ments ity ities ies ness ance ances ence ences able
                     ible ative atives ised ized ises izes ation ations ication ications ition itions ency ancy ful less
                     ally ously ical ological ually ure ures ered ated ating ator ators ive ives ently antly""".split())
_OPEN = "([‘'\"“"
_CLOSE = ".,;:)]’'\"”"


def _core(token: str) -> tuple[str, str, str]:
    """(leading punctuation, letters, trailing punctuation) of a token, or ('', '', '') if it is
    not punctuation around letters."""
    lead = token[:len(token) - len(token.lstrip(_OPEN))]
    rest = token[len(lead):]
    core = rest.rstrip(_CLOSE)
    trail = rest[len(core):]
    return (lead, core, trail) if core.isalpha() else ("", "", "")


def repair_words(text: str, where: str, vocab: Vocabulary, report: ImportReport) -> str:
    """Join words split by stray spaces where the join is certain; report the doubtful ones."""
    words = text.split()
    cores = [_core_of(w) for w in words]
    out: list[str] = []
    out_cores: list[tuple[str, str, str]] = []
    i, n = 0, len(words)
    fragment_is_word = vocab.fragment_is_word
    while i < n:
        joined = None
        if cores[i][1]:
            for span in (4, 3, 2):
                if i + span > n:
                    continue
                pieces = cores[i:i + span]
                ok = True
                for k, (lead, core, trail) in enumerate(pieces):
                    # letters only; punctuation only before the first piece and after the last; no
                    # capitalised piece after the first ("Smart Metering" are two words)
                    if not core or (k and (lead or core[0].isupper())) or (k < span - 1 and trail):
                        ok = False
                        break
                if not ok:
                    continue
                word = "".join(c for _, c, _ in pieces)
                if vocab.word(word) and not all(fragment_is_word(c) for _, c, _ in pieces):
                    joined = (span, pieces[0][0] + word + pieces[-1][2], " ".join(words[i:i + span]))
                    break
        if joined:
            span, new, old = joined
            report.add("repaired", where, f"'{old}' read as '{new}': a word split by stray spaces", old)
            out.append(new)
            out_cores.append(_core_of(new))
            i += span
            continue
        out.append(words[i])
        out_cores.append(cores[i])
        i += 1
    for k in range(len(out) - 1):
        (_, a, ta), (lb, b, _) = out_cores[k], out_cores[k + 1]
        if not a or not b or ta or lb or not a.islower() or not b.islower():
            continue
        doubtful = [x for x in (a, b) if x in _SINGLE or (len(x) <= 2 and not fragment_is_word(x))]
        if b in _ENDINGS:
            doubtful.append(b)
        if doubtful and not (a in ("a", "i") and vocab.word(b)):
            report.add("review", where, f"'{out[k]} {out[k + 1]}' may be a word split by stray spaces; "
                                        "left as it is", f"{out[k]} {out[k + 1]}")
    return " ".join(out)


_CORES: dict[str, tuple[str, str, str]] = {}


def _core_of(token: str) -> tuple[str, str, str]:
    """:func:`_core`, remembered (a text repeats its words)."""
    got = _CORES.get(token)
    if got is None:
        if len(_CORES) > 200_000:
            _CORES.clear()
        got = _CORES[token] = _core(token)
    return got


def read_text(data: bytes, name: str, *, vocabulary: Iterable[str] = (), report: ImportReport | None = None) \
        -> tuple[list[Line], ImportReport]:
    """The lines of a PDF-extracted text (bytes of a ``.txt``), with its damage repaired or reported."""
    report = report or ImportReport(name)
    text = decode(data, name)
    lines = raw_lines(text)
    pages = split_pages(lines, report)
    fixed = _glued_reference(pages, report)
    furniture = _running_lines(pages, report)
    body = [RawLine(ln.number, fixed.get(ln.number, ln.text), ln.page)
            for page in pages for ln in page.body if ln.number not in furniture]
    vocab = Vocabulary(vocabulary)
    vocab.add_text(" ".join(ln.text for ln in body))
    out = []
    for number, words, depth in paragraphs(body, report):
        where = f"line {number}"
        out.append(Line(None, repair_words(words, where, vocab, report), where, None, depth))
    return out, report
