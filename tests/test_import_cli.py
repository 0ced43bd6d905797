"""`redline import` and `redline export` through click's runner: outputs, corpus writes, hostile files."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from conftest import SEEDS
from docx_builder import XXE_DOCUMENT, docx, p, r, zip_parts

from redline.corpus import Corpus
from redline.word.package import OLE_MAGIC

SEED_003 = SEEDS / "003_15a3fa53e473668b.txt"


def test_import_text_to_a_section_file(invoke, tmp_path):
    out = tmp_path / "G.xml"
    res = invoke("import", SEED_003, "-o", out)
    assert res.exit_code == 0, res.output
    assert "10 clause(s)" in res.output and "'(a)(c)' read as (c)" in res.output
    assert "nothing needs review" in res.output
    from redline.validate import check_schema
    from redline.xmlsafe import parse_bytes

    check_schema(parse_bytes(out.read_bytes(), str(out)), "corpus", str(out))


def test_import_report_as_json(invoke, tmp_path):
    res = invoke("import", SEED_003, "-o", tmp_path / "G.xml", "--format", "json")
    rep = json.loads(res.output)
    assert rep["counts"]["clauses"] == 10 and rep["section"] == "G" and rep["span"] == ["G1.1", "G1.10"]
    assert rep["needs_review"] is False
    assert {n["where"] for n in rep["repaired"]} == {"line 28", "line 182"}


def test_xml_to_stdout_and_report_to_stderr(runner):
    from redline.cli import main

    res = runner.invoke(main, ["import", str(SEED_003), "-o", "-"])
    assert res.exit_code == 0
    assert res.stdout.startswith("<?xml") and "recognised:" in res.stderr


def test_strict_refuses_anything_to_review(invoke, tmp_path):
    src = tmp_path / "g.txt"
    src.write_text("G1.1 Lead:\n(a) one\n(c) three\n", encoding="utf-8")
    out = tmp_path / "G.xml"
    res = invoke("import", src, "-o", out, "--strict")
    assert res.exit_code == 1 and "out of sequence" in res.output
    assert "need review (--strict): nothing written" in res.output and not out.exists()
    assert invoke("import", src, "-o", out).exit_code == 0 and out.exists()


def test_import_into_a_version_and_as_a_new_version(invoke, tmp_corpus):
    res = invoke("import", SEED_003, "--into", "5.23", "--as", "5.23-g1", "--corpus", tmp_corpus)
    assert res.exit_code == 0, res.output
    assert "wrote Section G into new version 5.23-g1" in res.output
    c = Corpus.open(tmp_corpus)
    assert c.info("5.23-g1").predecessor == "5.23"
    src = [s for s in c.sources.values() if s.id.startswith("import-")]
    assert len(src) == 1 and (tmp_corpus / src[0].file).read_bytes() == SEED_003.read_bytes()
    v = c.load("5.23-g1", use_cache=False)
    # the document's G1 (with G1.10) over 5.23's; 5.23's G3, which the document does not hold, kept
    assert [n.num for n in v.clauses()][:10] == [f"G1.{i}" for i in range(1, 11)]
    assert [n.num for n in v.clauses()][10:] == [n.num for n in c.load("5.23").clauses() if n.num.startswith("G3")]
    assert v.get("G1.10").source == src[0].id and v.get("G3.17").source == "seed-002"
    assert "<!-- The versions of the code" in (tmp_corpus / "manifest.xml").read_text()
    # into an existing version: its clauses replaced, the rest kept, the source not recorded twice
    res = invoke("import", SEED_003, "--into", "5.23", "--corpus", tmp_corpus)
    assert res.exit_code == 0 and "Section G of 5.23: merged clause by clause" in res.output
    assert "kept, not in the document: part G3 whole" in res.output
    c = Corpus.open(tmp_corpus)
    assert len([s for s in c.sources.values() if s.id.startswith("import-")]) == 1
    assert invoke("validate", "--corpus", tmp_corpus).exit_code == 0


def test_import_usage_errors(invoke, tmp_path, tmp_corpus):
    assert invoke("import", SEED_003).exit_code == 2
    res = invoke("import", SEED_003, "--into", "9.99", "--corpus", tmp_corpus)
    assert res.exit_code == 2 and "unknown version" in res.output
    res = invoke("import", SEED_003, "--as", "6.17", "--corpus", tmp_corpus)
    assert res.exit_code == 2 and "already exists" in res.output
    copy = tmp_path / "g.txt"
    copy.write_bytes(SEED_003.read_bytes())
    res = invoke("import", copy, "-o", copy)
    assert res.exit_code == 2 and "is an input of this command" in res.output
    res = invoke("import", copy, "-o", tmp_corpus / "versions" / "G.xml", "--corpus", tmp_corpus)
    assert res.exit_code == 2 and "inside the corpus" in res.output




def _hostile(tmp_path, name):
    f = tmp_path / name
    if name == "text.docx":
        f.write_text("not a zip at all")
    elif name == "bomb.docx":
        f.write_bytes(zip_parts({"word/document.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"}))
    elif name == "nodoc.docx":
        f.write_bytes(zip_parts({"[Content_Types].xml": "<Types/>", "word/styles.xml": "<a/>"}))
    elif name == "dtd.docx":
        f.write_bytes(docx(document_xml=XXE_DOCUMENT))
    elif name.startswith("dtd-"):  # a DTD in a part other than the main one
        part = {"dtd-styles.docx": "word/styles.xml", "dtd-numbering.docx": "word/numbering.xml",
                "dtd-core.docx": "docProps/core.xml", "dtd-footnotes.docx": "word/footnotes.xml",
                "dtd-types.docx": "[Content_Types].xml"}[name]
        f.write_bytes(docx(p(r("G1.1 x")), extra={part: XXE_DOCUMENT.replace("w:document", "w:x")}))
    elif name == "ole.docx":
        f.write_bytes(OLE_MAGIC + b"\0" * 1024)
    elif name == "macro.docx":
        f.write_bytes(docx(p(r("G1.1 x")), extra={"word/vbaProject.bin": b"\0"}))
    elif name == "macro.docm":  # no macro part, only the macro-enabled content type a .docm has
        f.write_bytes(docx(p(r("G1.1 x")), main_ct="application/vnd.ms-word.document.macroEnabled.main+xml"))
    elif name == "huge.txt":
        with open(f, "wb") as fh:
            fh.truncate(100 * 1024 * 1024)  # 100 MB (sparse)
    elif name == "binary.txt":
        f.write_bytes(b"G1.1 some words\n\x00\x01\x02\x03binary")
    return f


@pytest.mark.parametrize("name, says", [
    ("text.docx", "not a zip"), ("bomb.docx", "zip bomb"), ("nodoc.docx", "no main document part"),
    ("dtd.docx", "DOCTYPE"), ("dtd-styles.docx", "DOCTYPE"), ("dtd-numbering.docx", "DOCTYPE"),
    ("dtd-core.docx", "DOCTYPE"), ("dtd-footnotes.docx", "DOCTYPE"), ("dtd-types.docx", "DOCTYPE"),
    ("ole.docx", "OLE compound file"), ("macro.docx", "macro-enabled"), ("macro.docm", "macro-enabled"),
    ("huge.txt", "more than the 32 MB"), ("binary.txt", "binary data"),
])
def test_hostile_files_get_one_error_line_exit_2_and_nothing_written(invoke, tmp_path, tmp_corpus, name, says):
    f = _hostile(tmp_path, name)
    out = tmp_path / "G.xml"
    res = invoke("import", f, "-o", out)
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and says in lines[0], res.output
    assert not out.exists()
    before = (tmp_corpus / "manifest.xml").read_bytes()
    assert invoke("import", f, "--into", "6.17", "--corpus", tmp_corpus).exit_code == 2
    assert (tmp_corpus / "manifest.xml").read_bytes() == before
    assert sorted(x.name for x in (tmp_corpus / "sources").iterdir()) == sorted(x.name for x in SEEDS.iterdir())


def test_missing_file_and_directory(invoke, tmp_path):
    res = invoke("import", tmp_path / "nope.docx", "-o", tmp_path / "G.xml")
    assert res.exit_code == 1 and "no such document" in res.output
    res = invoke("import", tmp_path, "-o", tmp_path / "G.xml")
    assert res.exit_code == 2


# --- export ------------------------------------------------------------------------------------

class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.text = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])

    def handle_data(self, data):
        self.text.append(data)


def test_export_html_has_every_clause_and_item(invoke, tmp_path, corpus):
    out = tmp_path / "c.html"
    assert invoke("export", "6.17", "--format", "html", "-o", out).exit_code == 0
    parser = _Collect()
    parser.feed(out.read_text(encoding="utf-8"))
    held = [str(n.address) for n in corpus.load("6.17").nodes() if n.kind in ("clause", "item")]
    assert [i for i in parser.ids if i in held] == held
    words = " ".join(" ".join(parser.text).split())
    assert corpus.load("6.17").get("G3.20").closing in words


def test_export_docx_reads_in_pandoc(invoke, tmp_path, corpus):
    import pypandoc

    out = tmp_path / "c.docx"
    res = invoke("export", "6.17", "--format", "docx", "-o", out, "--date", "2024-05-01")
    assert res.exit_code == 0, res.output
    plain = " ".join(pypandoc.convert_file(str(out), "plain", format="docx", extra_args=["--wrap=none"]).split())
    for n in corpus.load("6.17").clauses():
        assert n.text in plain
    assert "2024-05-01" in plain


def test_export_text_to_stdout_and_errors(invoke):
    res = invoke("export", "5.23", "--format", "text")
    assert res.exit_code == 0 and "G1.9    Section G1.8:" in res.output
    res = invoke("export", "5.23", "--section", "M", "--format", "text")
    assert res.exit_code == 2 and "holds no Section M" in res.output
    assert invoke("export", "9.9").exit_code == 1
    assert invoke("export", "5.23", "--date", "2024-13-01", "--format", "text").exit_code == 2


def test_every_command_has_help_with_an_example(invoke):
    for cmd in ("import", "export"):
        res = invoke(cmd, "--help")
        assert res.exit_code == 0 and "Example:" in res.output


def test_several_sections_need_a_directory_or_section(invoke, tmp_path):
    src = tmp_path / "two.txt"
    src.write_text("SECTION G – SECURITY\n\nG1.1 The Panel shall act.\n\nSECTION H – SERVICES\n\n"
                   "H1.1 The DCC shall act.\n", encoding="utf-8")
    res = invoke("import", src, "-o", tmp_path / "one.xml")
    assert res.exit_code == 2 and "holds 2 sections (G, H)" in res.output and not (tmp_path / "one.xml").exists()
    assert invoke("import", src, "-o", tmp_path / "out").exit_code == 0
    assert sorted(x.name for x in (tmp_path / "out").iterdir()) == ["G.xml", "H.xml"]
    res = invoke("import", src, "--section", "H", "-o", tmp_path / "h.xml")
    assert res.exit_code == 0 and "Section H (Services)" in res.output
    assert "H1.1" in (tmp_path / "h.xml").read_text("utf-8") and "G1.1" not in (tmp_path / "h.xml").read_text("utf-8")
    res = invoke("import", src, "--section", "M", "-o", tmp_path / "m.xml")
    assert res.exit_code == 1 and "holds Sections G, H, not M" in res.output


# --- a whole code: its sections built by several processes (--jobs) ----------------------------

def test_a_whole_code_imports_the_same_whoever_builds_its_sections(invoke, tmp_path, generated):
    """The sections of a multi-section document are built, checked and serialised by --jobs
    processes (redline.fanout): the files and the report are byte for byte those of one process,
    and --into puts the same sections into the corpus."""
    doc = tmp_path / "whole.docx"
    res = invoke("export", "1.0", "--format", "docx", "--date", "2024-01-01", "-o", doc, "--corpus", generated.root)
    assert res.exit_code == 0, res.output
    outs = {}
    for jobs in (1, 2, 3):
        res = invoke("import", doc, "-o", tmp_path / f"j{jobs}", "--jobs", jobs, "--format", "json",
                     "--corpus", generated.root)
        assert res.exit_code == 0, res.output
        files = {f.name: f.read_bytes() for f in sorted((tmp_path / f"j{jobs}").iterdir())}
        outs[jobs] = (files, res.output)
    letters = sorted(generated.info("1.0").sections)
    assert len(letters) >= 2 and sorted(outs[1][0]) == [f"{x}.xml" for x in letters]
    assert outs[2] == outs[1] and outs[3] == outs[1]
    assert [s["section"] for s in json.loads(outs[1][1])["sections"]] == letters

    import shutil

    copy = tmp_path / "corpus"
    shutil.copytree(generated.root, copy)
    res = invoke("import", doc, "--into", "1.0", "--as", "1.0-word", "--jobs", "2", "--corpus", copy)
    assert res.exit_code == 0, res.output
    for letter in letters:  # the same sections (the corpus records the document as their source)
        stored = (copy / "versions" / "1.0-word" / f"{letter}.xml").read_bytes()
        assert _unsourced(stored) == _unsourced(outs[1][0][f"{letter}.xml"])
    assert invoke("validate", "--corpus", copy).exit_code == 0


def test_jobs_must_be_a_positive_number(invoke, tmp_path):
    res = invoke("import", SEED_003, "-o", tmp_path / "g.xml", "--jobs", "0")
    assert res.exit_code == 2 and "--jobs" in res.output and not (tmp_path / "g.xml").exists()


def _unsourced(xml: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(xml)
    for el in root.iter():
        el.attrib.pop("source", None)
    return etree.tostring(root, method="c14n2", strip_text=True)


@pytest.mark.parametrize("jobs", ["1", "2", "3"])
def test_a_section_that_fails_fails_the_import_whoever_builds_it(invoke, tmp_path, jobs):
    src = tmp_path / "three.txt"
    src.write_text("SECTION G – SECURITY\n\nG1.1 The Panel shall act.\n\nSECTION H – SERVICES\n\nThe DCC shall act.\n\n"
                   "SECTION J – MORE\n\nJ1.1 The DCC shall act.\n", encoding="utf-8")
    res = invoke("import", src, "-o", tmp_path / "out", "--jobs", jobs)
    assert res.exit_code == 1 and res.output == f"Error: {src}: no clause of Section H was found in the source\n"
    assert not (tmp_path / "out").exists()
