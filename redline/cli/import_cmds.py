"""``redline import`` (a section from .docx or PDF text) and ``redline export`` (a conformed copy).

Exit codes: 0 imported (or exported); 1 the source holds no clause, or ``--strict`` and something
needs review; 2 bad usage, or an input refused as hostile or unreadable (not a zip, zip bomb,
encrypted, macro-enabled, DTD or entity, binary data in a text file, too big).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import click

from redline.cli.common import InputError, corpus_option, handle_errors, write_output
from redline.errors import DocumentError

#: largest input read (named settings): a whole-code .docx is ~5 MB, its text ~15 MB
MAX_DOCX_BYTES = 64 * 1024 * 1024
MAX_TEXT_BYTES = 32 * 1024 * 1024
WORD_SUFFIXES = (".docx", ".docm", ".dotx", ".dotm", ".doc")
_VERSION_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]*\Z")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``: a regular file (symlinks followed) of at most ``limit`` bytes, else a
    DocumentError naming it (exit 2). Reads no more than ``limit`` + 1 bytes whatever the file claims."""
    name = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DocumentError("no such file", name) from None
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror}", name) from None
    if not stat.S_ISREG(st.st_mode):
        raise DocumentError("is not a regular file", name)
    if st.st_size > limit:
        raise DocumentError(f"is {st.st_size // (1024 * 1024)} MB: larger than the {limit // (1024 * 1024)} MB "
                            "an input may be", name)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror}", name) from None
    if len(data) > limit:
        raise DocumentError(f"is larger than the {limit // (1024 * 1024)} MB an input may be", name)
    return data


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
    """(bytes, whether it is a Word file) of the input, bounded by its kind's size limit."""
    head = b""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        pass  # read_bounded says why
    word = is_word(path, head)
    return read_bounded(path, MAX_DOCX_BYTES if word else MAX_TEXT_BYTES), word


def read_source(path: Path, data: bytes, word: bool, section: str | None, corpus, source_id: str | None):
    """(section element, report, metadata) for the source ``data`` read from ``path``."""
    from redline.importer import build_section
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
    root, report = build_section(lines, section=section, report=report, source=source_id, where=str(path))
    return root, report, meta


# ---------------------------------------------------------------------------------------------
# writing into the corpus (one small function until the corpus transaction API is on main)

def _source_id(corpus, path: Path, data: bytes, manifest) -> tuple[str, str, bool]:
    """(source id, file path inside the corpus, whether it is already recorded) for an imported file."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "source"
    rel = f"sources/{stem}-{digest}{path.suffix.lower()}"
    for s in manifest.iterfind("sources/source"):
        if s.get("file") == rel:
            return s.get("id"), rel, True
    base = re.sub(r"^[^A-Za-z_]", "s", f"import-{stem}")
    sid, n = base, 2
    known = {s.get("id") for s in manifest.iterfind("sources/source")}
    while sid in known:
        sid, n = f"{base}-{n}", n + 1
    return sid, rel, False


def store_section(corpus, root, *, into: str | None, new_id: str | None, path: Path, data: bytes,
                  title: str, date: str | None, source_id: str) -> str:
    """Put the imported section into the corpus, atomically, with its source recorded.

    ``into`` alone: add or replace the section in that version. ``new_id``: create that version,
    a copy of ``into`` (if given) with the section added or replaced. The source file is copied
    to ``sources/`` and recorded in the manifest. Every file is written in full beside its target
    first; the section files are renamed into place, the manifest last; a failure before that
    leaves the corpus as it was. Returns the corpus path of the section file written.
    """
    from lxml import etree

    from redline import xmlsafe
    from redline.corpus import atomic_write, validate
    from redline.errors import CorpusError

    croot = Path(corpus.root)
    manifest_path = croot / "manifest.xml"
    mtree = xmlsafe.parse_file(manifest_path, CorpusError)
    m = mtree.getroot()
    letter = root.get("num")
    _, rel_source, known = _source_id(corpus, path, data, m)
    if not known:
        src = etree.SubElement(m.find("sources"), "source", id=source_id, file=rel_source, title=title)
        if date:
            src.set("date", date)
    staged: list[tuple[Path, Path]] = []  # (temporary, target)
    made_dirs: list[Path] = []

    def stage(target: Path, payload: bytes) -> None:
        if not target.parent.exists():
            target.parent.mkdir(parents=True)
            made_dirs.append(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        staged.append((Path(tmp), target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)

    try:
        section_bytes = xmlsafe.serialise(root)
        if new_id is not None:
            base = corpus.info(into) if into else None
            entry = etree.SubElement(m, "version", id=new_id)
            if into:
                entry.set("predecessor", into)
            etree.SubElement(entry, "note").text = f"Made by redline import of {path.name}" + (
                f" into a copy of {into}" if into else "")
            files = dict(base.files) if base else {}
            for s, rel in sorted(files.items()):
                if s == letter:
                    continue
                stage(croot / "versions" / new_id / f"{s}.xml", (croot / rel).read_bytes())
                etree.SubElement(entry, "file", section=s, path=f"versions/{new_id}/{s}.xml")
            rel_section = f"versions/{new_id}/{letter}.xml"
            etree.SubElement(entry, "file", section=letter, path=rel_section)
            entries = sorted(entry.findall("file"), key=lambda f: f.get("section"))
            for f in entries:
                entry.remove(f)
            entry.extend(entries)
        else:
            entry = next(v for v in m.iterfind("version") if v.get("id") == into)
            current = next((f for f in entry.iterfind("file") if f.get("section") == letter), None)
            if current is not None:
                rel_section = current.get("path")
            else:
                rel_section = f"versions/{into}/{letter}.xml"
                files = entry.findall("file") + [etree.Element("file", section=letter, path=rel_section)]
                for f in entry.findall("file"):
                    entry.remove(f)
                entry.extend(sorted(files, key=lambda f: f.get("section")))
        validate(etree.ElementTree(root), "corpus", rel_section)
        validate(mtree, "manifest", str(manifest_path))
        stage(croot / rel_section, section_bytes)
        if not known:
            stage(croot / rel_source, data)
        etree.indent(m, space="  ")  # the manifest's own layout; comments around the root are kept
        body = etree.tostring(mtree, encoding="UTF-8")
        cut = body.index(b"<" + m.tag.encode())
        manifest_bytes = (b'<?xml version="1.0" encoding="UTF-8"?>\n' + re.sub(rb"-->\s*", b"-->\n", body[:cut])
                          + body[cut:] + b"\n")
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            shutil.rmtree(d, ignore_errors=True)
        raise
    # commit: the data files first (a reader still sees the old manifest), the manifest last
    replaced: list[tuple[Path, bytes | None]] = []
    try:
        for tmp, target in staged:
            replaced.append((target, target.read_bytes() if target.exists() else None))
            os.replace(tmp, target)
        atomic_write(manifest_path, manifest_bytes)
    except BaseException:
        for target, old in reversed(replaced):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                atomic_write(target, old)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            shutil.rmtree(d, ignore_errors=True)
        raise
    return rel_section


def _replaced(corpus, into: str | None, letter: str) -> int:
    """How many clauses section ``letter`` of version ``into`` held (0 if none)."""
    if into is None or letter not in corpus.info(into).sections:
        return 0
    return sum(1 for _ in corpus.load(into).sections[letter].iter("clause"))


# ---------------------------------------------------------------------------------------------
# import

@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the section as corpus XML to FILE ('-' for standard output).")
@click.option("--into", "into", metavar="VERSION", help="Add (or replace) the section in this version of the corpus.")
@click.option("--as", "new_id", metavar="NEW_VERSION",
              help="Create this version in the corpus (a copy of --into VERSION, if given) holding the section.")
@click.option("--section", metavar="LETTER", help="The section's letter (default: from the clause numbers found).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Format of the import report.")
@click.option("--strict", is_flag=True, help="Anything needing review (or not placed) is an error: nothing is written.")
@corpus_option
@handle_errors
def import_cmd(corpus, file, output, into, new_id, section, fmt, strict):
    """Read one section of the code from FILE (.docx, or text extracted from a PDF).

    The section is written as a corpus section file (-o), or put into the corpus (--into VERSION,
    --as NEW_VERSION) with FILE recorded as a new source. Word's automatic numbering and typed
    numbers are both read; hostile files are refused (exit 2). A report says what was recognised
    (parts, cross-headings, clauses, items, definitions), what was repaired, and every paragraph
    or line it could not place or is unsure of; --strict makes any of those an error (exit 1).

    \b
    Example:
      redline import corpus/sources/003_15a3fa53e473668b.txt -o G.xml
      redline import Section-G.docx --into 6.17 --format json
      redline import Section-A.docx --into 6.17 --as 6.18
    """
    if output is None and into is None and new_id is None:
        raise click.UsageError("give -o FILE, --into VERSION or --as NEW_VERSION")
    if output is not None and (into is not None or new_id is not None):
        raise click.UsageError("give either -o FILE or --into/--as, not both")
    if new_id is not None:
        if not _VERSION_ID.match(new_id):
            raise click.UsageError(f"{new_id!r} is not a version id (letters, digits and . + _ -)")
        if new_id in corpus.version_ids:
            raise click.UsageError(f"version {new_id} already exists in the corpus")
    if into is not None and into not in corpus.version_ids:
        raise InputError(f"--into: unknown version {into!r}; the corpus holds: {', '.join(corpus.version_ids)}")
    if section is not None:
        section = section.upper()
        if not re.fullmatch(r"[A-Z]", section):
            raise click.UsageError("--section must be one letter")
    if output is not None and str(output) != "-" and output.resolve() == file.resolve():
        raise click.UsageError("-o names the input file")
    to_corpus = output is None
    data, word = read_file_bytes(file)
    source_id = None
    if to_corpus:
        from redline import xmlsafe
        from redline.errors import CorpusError

        m = xmlsafe.parse_file(Path(corpus.root) / "manifest.xml", CorpusError).getroot()
        source_id = _source_id(corpus, file, data, m)[0]
    root, report, meta = read_source(file, data, word, section, corpus, source_id)
    rendered = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n" if fmt == "json" else report.to_text()
    to_stdout = output is not None and str(output) == "-"
    if strict and report.needs_review:
        click.echo(rendered, nl=False, err=to_stdout)
        n = len(report.review) + len(report.unplaced)
        raise click.ClickException(f"{file}: {n} place(s) need review (--strict): nothing written")
    if to_corpus:
        replaced = _replaced(corpus, into, root.get("num"))
        title = meta["title"] or file.name
        where = store_section(corpus, root, into=into, new_id=new_id, path=file, data=data, title=title,
                              date=meta["date"], source_id=source_id)
        click.echo(rendered, nl=False)
        if fmt == "text":
            click.echo(f"wrote {where} ({'new version ' + new_id if new_id else 'version ' + into}) and "
                       f"recorded {file.name} as source {source_id}")
            if replaced:
                click.echo(f"  it replaces Section {root.get('num')} of {into}, which held {replaced} clause(s); the import "
                           f"holds {sum(1 for _ in root.iter('clause'))}")
        return
    from redline import xmlsafe

    write_output(xmlsafe.serialise(root), output)
    click.echo(rendered, nl=False, err=to_stdout)


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
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
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
