"""An Annex A that mixes its contexts (issue 13, item 3): one part shown whole, as a section
document edited with Track Changes shows it (G1, every clause), and only a cross-heading group of
another (G3.17 to G3.21, the rest of G3 cut away), in redline's styles and without them (read by
the numbers): read back into the modification that made it."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree
from test_import_annex_props import without_styles

from redline.mods import read_modification

MOD = """<?xml version="1.0" encoding="UTF-8"?>
<modification id="MP901" base="6.17">
  <title>A mix of contexts</title>
  <operations>
    <substitute target="G1.5"><old>more than one User Role</old><new>two or more User Roles</new></substitute>
    <substitute target="G3.20(b)"><old>Gas Proxy Function</old>
      <new>Gas Proxy Function which forms part of a SMETS2+ Device</new></substitute>
  </operations>
</modification>
"""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(W + "t", W + "delText"))


def _cut_after_the_group(data: bytes) -> bytes:
    """The DOCX with everything from G3's second group ("SMETS1 Smart Metering Systems", G3.26 on)
    taken out: G1 stays whole, G3 shows one group."""
    z = zipfile.ZipFile(io.BytesIO(data))
    doc = etree.fromstring(z.read("word/document.xml"))
    body = doc.find(W + "body")
    paras = list(body)
    cut = [i for i, p in enumerate(paras) if _text(p).strip() == "SMETS1 Smart Metering Systems"][-1]
    assert any(_text(p).startswith("G3.26") for p in paras[cut:])
    for p in paras[cut:]:
        if p.tag == W + "p":
            body.remove(p)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in z.infolist():
            zo.writestr(info, etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
                        if info.filename == "word/document.xml" else z.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("styled", [True, False], ids=["styles", "numbers"])
def test_a_whole_part_and_a_group_in_one_annex(invoke, corpus, tmp_path, styled):
    src = tmp_path / "MP901.xml"
    src.write_text(MOD, "utf-8")
    annex = tmp_path / "annex.docx"
    assert invoke("annex", src, "--context", "part", "--format", "docx", "-o", annex).exit_code == 0
    data = _cut_after_the_group(annex.read_bytes())
    annex.write_bytes(data if styled else without_styles(data))
    out = tmp_path / "back.xml"
    res = invoke("import-annex", annex, "-o", out)
    assert res.exit_code == 0, res.output
    assert "G3.26" not in res.output and "15 clause(s) shown" in res.output  # G1.1-G1.10, G3.17-G3.21
    back = read_modification(out)
    original = read_modification(src)
    from redline.apply import apply_modification

    base = corpus.load("6.17")
    got, want = apply_modification(base, back).version, apply_modification(base, original).version
    assert [(str(c.address), c.full_text()) for c in got.clauses()] == \
        [(str(c.address), c.full_text()) for c in want.clauses()]
