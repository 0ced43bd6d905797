"""Hostile or broken .docx input: refused with a DocumentError naming the file and the problem."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx_builder import CONTENT_TYPES, docx, p, r

from redline.errors import DocumentError
from redline.word import open_docx
from redline.word import package as pkg


def zip_of(parts: dict, **kw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, **kw) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def refused(data: bytes, *fragments: str) -> str:
    with pytest.raises(DocumentError) as err:
        open_docx(data, "bad.docx")
    msg = str(err.value)
    assert msg.startswith("bad.docx"), msg
    assert "\n" not in msg
    for f in fragments:
        assert f in msg, msg
    assert err.value.exit_code == 2
    return msg


def test_not_a_zip():
    refused(b"Hello, I am plain text", "not a .docx")
    refused(b"", "not a .docx")
    refused(b"PK\x03\x04 truncated", "damaged zip")


def test_ole_compound_file_is_named():
    refused(pkg.OLE_MAGIC + b"\0" * 600, "OLE compound file", "encrypted")


def test_no_main_document_part():
    refused(zip_of({"[Content_Types].xml": CONTENT_TYPES.format(main="x"), "word/styles.xml": "<a/>"}),
            "no main document part", "word/document.xml")


def test_zip_bomb_by_ratio():
    refused(zip_of({"word/document.xml": b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>"}), "zip bomb", "inflates")


def test_zip_bomb_by_entry_count(monkeypatch):
    monkeypatch.setattr(pkg, "MAX_ENTRIES", 5)
    refused(zip_of({f"x{i}.xml": "<a/>" for i in range(6)}), "entries", "zip bomb")


def test_zip_bomb_by_total_size(monkeypatch):
    monkeypatch.setattr(pkg, "MAX_UNPACKED", 1000)
    refused(docx(p(r("x" * 2000))), "MB", "zip bomb")


def test_an_entry_that_inflates_past_its_recorded_size(monkeypatch):
    data = bytearray(docx(p(r("words " * 50))))
    # lower the recorded uncompressed size of word/document.xml in its central directory entry
    name = b"word/document.xml"
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    size = int.from_bytes(data[at + 24:at + 28], "little")
    data[at + 24:at + 28] = (size - 100).to_bytes(4, "little")
    refused(bytes(data), "word/document.xml")


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "[Content_Types].xml", "docProps/core.xml",
                                  "word/_rels/document.xml.rels", "word/footnotes.xml"])
def test_a_dtd_in_any_part_is_refused(part):
    evil = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>")
    refused(docx(p(r("x")), extra={part: evil}), part, "DOCTYPE")


def test_an_undeclared_entity_is_refused():
    xml = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           "<w:p><w:r><w:t>&lol;</w:t></w:r></w:p></w:body></w:document>")
    refused(docx(document_xml=xml), "word/document.xml", "not well-formed")


def test_macro_enabled_documents_are_refused():
    refused(docx(p(r("x")), extra={"word/vbaProject.bin": b"\0\1\2"}), "macro-enabled")
    refused(docx(p(r("x")), main_ct="application/vnd.ms-word.document.macroEnabled.main+xml"), "macro-enabled")


def test_an_encrypted_zip_entry_is_refused():
    data = bytearray(docx(p(r("x"))))
    at = data.find(b"PK\x01\x02")  # first central directory entry: set the "encrypted" flag bit
    data[at + 8] |= 1
    refused(bytes(data), "encrypted")


def test_not_well_formed_and_not_wordprocessingml():
    refused(docx(document_xml='<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'), "not well-formed")
    refused(docx(document_xml="<html><body/></html>"), "not a Word document")


def test_a_damaged_deflate_stream():
    data = bytearray(docx(p(r("some words " * 200))))
    name = b"word/document.xml"
    at = data.find(name) + len(name)  # the local header's file name, then the deflate stream
    for i in range(at + 20, at + 60):
        data[i] ^= 0x5A
    refused(bytes(data), "cannot be read")
