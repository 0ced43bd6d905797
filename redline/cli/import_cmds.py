"""``redline import`` (a section from .docx or PDF text) and ``redline export`` (a conformed copy).

Exit codes: 0 imported (or exported); 1 the source holds no clause, or ``--strict`` and something
needs review; 2 bad usage, or an input refused as hostile or unreadable (not a zip, zip bomb,
encrypted, macro-enabled, DTD or entity, binary data in a text file, too big).
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path

import click

from redline.cli.common import (
    OUTPUT_PATH, InputError, check_new_version_id, check_output, corpus_option, handle_errors, jobs_option,
    register_input, write_output,
)
from redline.gcpause import gc_paused

#: largest input read (named settings; ``$REDLINE_MAX_INPUT`` replaces both): a whole-code .docx is
#: ~5 MB, its text ~15 MB
MAX_DOCX_BYTES = 64 * 1024 * 1024
MAX_TEXT_BYTES = 32 * 1024 * 1024
WORD_SUFFIXES = (".docx", ".docm", ".dotx", ".dotm", ".doc")


def is_word(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in WORD_SUFFIXES or head[:2] == b"PK" or head[:4] == b"\xd0\xcf\x11\xe0"


def _corpus_words(corpus) -> set[str]:
    """Every word the corpus holds (the vocabulary that makes split-word repairs certain)."""
    words: set[str] = set()
    for vid in corpus.version_ids:
        for letter, root in corpus.load(vid).sections.items():
            for el in root.iter("text", "closing"):
                words.update(re.findall(r"[A-Za-z]+", el.text or ""))
    return words


def read_file_bytes(path: Path) -> tuple[bytes, bool]:
    """(bytes, whether it is a Word file) of the input: a regular file within its kind's size limit
    (:func:`redline.fsio.read_input`; a FIFO or device is refused unread)."""
    from redline import fsio

    word = path.suffix.lower() in WORD_SUFFIXES
    limit = MAX_DOCX_BYTES if word else MAX_TEXT_BYTES
    if os.environ.get(fsio.LIMIT_ENV, "").strip():
        limit = fsio.input_limit("document")
    data = fsio.read_input(path, limit=limit, what="document")
    return data, word or is_word(path, data[:8])


def read_source(path: Path, data: bytes, word: bool, corpus):
    """(lines, report, metadata) of the source ``data`` read from ``path``: the numbered lines the
    outline builder reads, and the report of what reading them found."""
    from redline.importer.report import ImportReport

    report = ImportReport(str(path))
    meta = {"kind": "docx" if word else "text", "title": None, "date": None}
    if word:
        from redline.importer.docx import docx_lines
        from redline.word import open_docx

        doc = open_docx(data, str(path))
        lines = docx_lines(doc, report)
        meta["title"] = doc.core.get("title")
        meta["date"] = (doc.core.get("modified") or doc.core.get("created") or "")[:10] or None
    else:
        from redline.importer.text import read_text

        vocabulary = _corpus_words(corpus) if corpus is not None else ()
        lines, report = read_text(data, str(path), vocabulary=vocabulary, report=report)
    return lines, report, meta


def built_section(piece: tuple, *, source: str | None, where: str) -> tuple[str, bytes, object]:
    """(letter, file bytes, report) of one piece of :func:`redline.importer.outline.plan_sections`:
    the section built, checked and serialised as the corpus writes its files. Pure (a job of
    :func:`redline.fanout.map_jobs`)."""
    from redline.importer import build_section

    letter, lines, report = piece
    root, report = build_section(lines, section=letter, report=report, source=source, where=where)
    return root.get("num"), _house_form(root), report


# ---------------------------------------------------------------------------------------------
# writing into the corpus

def _source(corpus, path: Path, data: bytes, title: str, date: str | None):
    """The :class:`redline.corpus.Source` an imported file is recorded as: a copy under ``sources/``
    named by the file and a digest of its bytes (the same file imported twice is one source)."""
    import hashlib

    from redline.corpus import Source

    digest = hashlib.sha256(data).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.")[:60] or "source"
    rel = f"sources/{stem}-{digest}{path.suffix.lower()[:8]}"
    for s in corpus.sources.values():
        if s.file == rel:
            return s
    base = re.sub(r"^[^A-Za-z_]", "s", f"import-{stem}")
    sid, n = base, 2
    while sid in corpus.sources:
        sid, n = f"{base}-{n}", n + 1
    return Source(sid, rel, title, date)


def store_sections(corpus, roots: list, *, into: str | None, new_id: str | None, source, data: bytes,
                   note: str, replace: bool = False) -> tuple[str, list]:
    """Put the imported sections into the corpus in one transaction (CONTRACTS C): into version
    ``into``, or into a new version ``new_id`` (a copy of ``into`` if given); the source file is
    written to the corpus and recorded in the manifest. Each section is put over the version's
    own (:func:`redline.importer.merge.merge_section`: clause by clause, nothing the version
    holds dropped, unless ``replace``), read under the corpus lock, so that what another writer
    put there meanwhile is merged with, not lost. Returns the version written and the merges."""
    from redline.corpus import Corpus
    from redline.importer.merge import merge_section

    (Path(corpus.root) / "sources").mkdir(exist_ok=True)
    letters = {r.get("num") for r in roots}
    with corpus.transaction() as tx:
        current = Corpus.open(corpus.root) if into is not None else None  # as it is now, under the lock
        held = current.info(into).sections if current is not None else []
        merges = [merge_section(current.load_section(into, r.get("num")) if r.get("num") in held else None, r,
                                version=into or new_id, replace=replace) for r in roots]
        if new_id is not None:
            tx.add_version(new_id, predecessor=into, note=note)
            for letter in held:
                if letter not in letters:
                    tx.put_section(new_id, current.load_section(into, letter))
            target = new_id
        else:
            target = into
        for m in merges:
            tx.put_section(target, m.section)
        tx.put_source(source, data)
    return target, merges


def _house_form(root) -> bytes:
    """A built section as the corpus writes its files (what ``xmlsafe.serialise`` gives, without
    its re-parse: a built tree holds no whitespace to strip)."""
    from lxml import etree

    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---------------------------------------------------------------------------------------------
# import

@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=OUTPUT_PATH, default=None,
              help="Write the section as corpus XML to FILE ('-' for standard output); a document holding "
                   "several sections (a whole code) needs a DIRECTORY, which receives A.xml, B.xml ….")
@click.option("--into", "into", metavar="VERSION",
              help="Put the section into this version of the corpus (its clauses replace the version's of the same "
                   "numbers; the rest of the version's section is kept).")
@click.option("--as", "new_id", metavar="NEW_VERSION",
              help="Create this version in the corpus (a copy of --into VERSION, if given) holding the section.")
@click.option("--section", metavar="LETTER", help="The section's letter (default: from the clause numbers found).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Format of the import report.")
@click.option("--strict", is_flag=True, help="Anything needing review (or not placed) is an error: nothing is written.")
@click.option("--replace-section", "replace", is_flag=True,
              help="With --into: make the section exactly the document, dropping the clauses and parts of the "
                   "version's section that the document does not hold (default: keep them).")
@jobs_option("Build the sections of a document holding several (a whole code)")
@corpus_option
@handle_errors
def import_cmd(corpus, file, output, into, new_id, section, fmt, strict, replace, jobs):
    """Read one section of the code from FILE (.docx, or text extracted from a PDF).

    A document holding several sections (SECTION A …, SECTION B …) gives one file each (-o
    DIRECTORY), or --section LETTER picks one. The section is written as a corpus section file
    (-o), or put into the corpus (--into VERSION, --as NEW_VERSION) with FILE recorded as a new
    source. Put into a version, the document's clauses replace the version's clauses of the same
    numbers, and what the version holds that the document does not (other parts, other clauses)
    is kept and listed; --replace-section makes the section exactly the document instead.
    Word's automatic numbering and typed numbers are both read; hostile files are refused (exit
    2). A report says what was recognised (parts, cross-headings, clauses, items, definitions),
    what was repaired, and every paragraph or line it could not place or is unsure of; --strict
    makes any of those an error (exit 1).

    \b
    Example:
      redline import corpus/sources/003_15a3fa53e473668b.txt -o G.xml
      redline import Section-G.docx --into 6.17 --format json
      redline import Section-G.docx --into 6.17 --replace-section
      redline import Section-A.docx --into 6.17 --as 6.18
      redline import SEC-whole-code.docx -o sections/
    """
    if output is None and into is None and new_id is None:
        raise click.UsageError("give -o FILE, --into VERSION or --as NEW_VERSION")
    if output is not None and (into is not None or new_id is not None):
        raise click.UsageError("give either -o FILE or --into/--as, not both")
    if replace and into is None:
        raise click.UsageError("--replace-section replaces a section of --into VERSION: give --into")
    if new_id is not None:
        check_new_version_id(corpus, new_id)
    if into is not None and into not in corpus.version_ids:
        raise InputError(f"--into: unknown version {into!r}; the corpus holds: {', '.join(corpus.version_ids)}")
    if section is not None:
        section = section.upper()
        if not re.fullmatch(r"[A-Z]", section):
            raise click.UsageError("--section must be one letter")
    to_corpus = output is None
    register_input(file)
    if not to_corpus:
        check_output(output, directory=True)
    data, word = read_file_bytes(file)
    source = _source(corpus, file, data, file.name, None) if to_corpus else None
    to_stdout = output is not None and str(output) == "-"
    with gc_paused():  # hundreds of thousands of small objects, none of them cyclic garbage
        from redline.fanout import map_jobs
        from redline.importer.outline import plan_sections

        lines, report, meta = read_source(file, data, word, corpus)
        pieces = plan_sections(lines, section=section, report=report, where=str(file))
        del lines
        if len(pieces) > 1 and not to_corpus and (to_stdout or (not output.is_dir() and output.suffix)):
            letters = ", ".join(letter for letter, _, _ in pieces)  # "-o G.xml" names a file
            raise click.UsageError(f"{file} holds {len(pieces)} sections ({letters}): give -o DIRECTORY (one "
                                   "file per section) or --section LETTER")
        # the sections share nothing: built, checked and serialised by as many processes as --jobs
        built = map_jobs(functools.partial(built_section, source=source.id if source else None, where=str(file)),
                         pieces, jobs=jobs, weight=lambda piece: len(piece[1]))
    reports = [report for _, _, report in built]
    needing = sum(len(r.review) + len(r.unplaced) for r in reports)
    if strict and needing:
        click.echo(_rendered(file, reports, fmt), nl=False, err=to_stdout)
        raise click.ClickException(f"{file}: {needing} place(s) need review (--strict): nothing written")
    if to_corpus:
        from redline.corpus import Source

        source = Source(source.id, source.file, meta["title"] or file.name, meta["date"])
        note = f"Made by redline import of {file.name}" + (f" into a copy of {into}" if into else "")
        from redline.xmlsafe import parse_bytes

        # the sections come back as their file bytes (a worker's tree cannot cross to this process):
        # read again here (~0.2 s for a whole code, a few ms for one section) to be merged into the version
        roots = [parse_bytes(xml, f"Section {letter}", element_only=True).getroot() for letter, xml, _ in built]
        target, merges = store_sections(corpus, roots, into=into, new_id=new_id, source=source, data=data,
                                        note=note, replace=replace)
        click.echo(_rendered(file, reports, fmt, merges), nl=False)
        if fmt == "text":
            letters = ", ".join(letter for letter, _, _ in built)
            click.echo(f"wrote Section{'s' if len(built) > 1 else ''} {letters} into "
                       f"{'new version ' if new_id else 'version '}{target} and recorded {file.name} as source "
                       f"{source.id} ({source.file})")
            if into is not None:
                for m in merges:
                    click.echo("\n".join(m.lines()))
        return
    from redline.cli.common import write_files

    if len(built) == 1 and not (output is not None and output.is_dir()):
        write_output(built[0][1], output)
    else:
        write_files(output, {f"{letter}.xml": xml for letter, xml, _ in built})
    click.echo(_rendered(file, reports, fmt), nl=False, err=to_stdout)


def _rendered(file: Path, reports: list, fmt: str, merges: list | None = None) -> str:
    """The import report(s) as text or JSON; with ``merges``, what each section did to the version
    (in JSON, as ``"into"`` of each section's report)."""
    if fmt != "json":
        return "".join(r.to_text() for r in reports)
    dicts = [r.to_dict() for r in reports]
    for d, m in zip(dicts, merges or ()):
        d["into"] = m.to_dict()
    doc = dicts[0] if len(dicts) == 1 else {"source": str(file), "sections": dicts,
                                            "needs_review": any(r.needs_review for r in reports)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------
# export

@click.command("export")
@click.argument("version")
@click.option("--section", "sections", metavar="LETTER", multiple=True,
              help="Export only this section (repeatable; default: every section the version holds).")
@click.option("--format", "fmt", type=click.Choice(["docx", "html", "text"]), default="docx", show_default=True,
              help="Output format.")
@click.option("--numbering", type=click.Choice(["auto", "typed"]), default="auto", show_default=True,
              help="DOCX numbers: Word's automatic numbering, or typed numbers (as in the Annex A).")
@click.option("--date", metavar="YYYY-MM-DD", help="Date printed on the cover (default: today).")
@click.option("-o", "--output", type=OUTPUT_PATH, default=None,
              help="Write to FILE (atomically); '-' or none for standard output (not for docx).")
@corpus_option
@handle_errors
def export_cmd(corpus, version, sections, fmt, numbering, date, output):
    """Write VERSION of the code as a clean conformed copy (DOCX, HTML or text).

    The copy is in the Annex A's house style: real paragraphs with hanging indents, Word's
    automatic numbering (or typed numbers with --numbering typed), the words after a list in
    their own paragraphs. `redline import` reads every format back to the same clauses, items,
    numbers and words.

    \b
    Example:
      redline export 6.17 --format docx -o SEC-6.17.docx
      redline export 6.17 --section G --format html -o G.html
      redline export 5.23 --format text
    """
    from redline.cli.common import valid_date
    from redline.render import conformed

    if date is not None and not valid_date(date):
        raise click.BadParameter(f"{date!r} is not a date (YYYY-MM-DD)", param_hint="--date")
    v = corpus.load(version)
    wanted = [s.upper() for s in sections] or None
    if wanted:
        missing = [s for s in wanted if s not in v.sections]
        if missing:
            raise InputError(f"version {version} holds no Section {', '.join(missing)} "
                             f"(it holds {', '.join(v.sections)})")
    if fmt == "docx" and (output is None or str(output) == "-") and sys.stdout.isatty():
        raise click.UsageError("a .docx is binary: give -o FILE")
    kw = {"code_title": corpus.title or corpus.code, "sections": wanted, "date": date}
    if fmt == "docx":
        data = conformed.render_docx(v, numbering=numbering, **kw)
    elif fmt == "html":
        data = conformed.render_html(v, **kw)
    else:
        data = conformed.render_text(v, **kw)
    write_output(data, output)
