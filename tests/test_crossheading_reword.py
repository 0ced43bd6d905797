"""A cross-heading reworded over the clauses it keeps: ``amend``/``substitute field="crossheading"``.

The operation names a clause standing under the cross-heading (any of them); it is parsed,
validated by the schema, applied strictly, drafted as "Amend the cross-heading above Section …",
shown by ``redline annex`` and read back by ``redline import-annex`` from every kind of Annex A.
A heading put over clauses that stay (a regrouping) is still no operation: it is reported."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from redline.apply import apply_modification
from redline.errors import ApplyError
from redline.model import Address
from redline.mods import Modification
from redline.ops import Amend, Substitute, operation_from_string, operation_to_string
from redline.validate import schema

A = Address.parse
HEADING = "Manufacturers: Duty to Notify and Be Notified"
REWORD = """<?xml version="1.0" encoding="UTF-8"?>
<modification id="MPXH" base="6.17">
  <title>Reword a cross-heading</title>
  <operations>
    <substitute target="G3.19" field="crossheading">
      <old>Be Notified</old>
      <new>Receive Notice</new>
    </substitute>
  </operations>
</modification>
"""


def mod(*operations) -> Modification:
    return Modification("XH", "A test", "6.17", tuple(operations), {})


def test_the_text_form_parses_back_and_the_schema_accepts_it():
    for text in ('<substitute target="G3.19" field="crossheading"><old>Be Notified</old><new>Receive Notice</new>'
                 '</substitute>',
                 f'<amend target="G3.17" field="crossheading"><old>{HEADING}</old><new>Notification</new></amend>'):
        op = operation_from_string(text)
        assert op.field == "crossheading" and operation_from_string(operation_to_string(op)) == op
        assert op.instruction() == f"Amend the cross-heading above Section {op.target} as follows:"
    assert schema("modification").validate(etree.fromstring(REWORD.encode()))


@pytest.mark.parametrize("make, says", [
    (lambda: Amend(A("G3"), "x", "y", "crossheading"), "its target is a clause"),
    (lambda: Substitute(A("G3.20(b)"), "x", "y", "crossheading"), "its target is a clause"),
    (lambda: Amend(A("G3.17"), "", "New Heading", "crossheading"), "never added or removed"),
    (lambda: Amend(A("G3.17"), HEADING, "", "crossheading"), "never added or removed"),
])
def test_what_the_operation_cannot_say_is_refused_when_it_is_made(make, says):
    with pytest.raises(ValueError, match=says):
        make()


def test_applied_it_rewords_the_heading_of_every_clause_under_it_and_nothing_else(corpus):
    base = corpus.load("6.17")
    for op in (Substitute(A("G3.19"), "Be Notified", "Receive Notice", "crossheading"),
               Amend(A("G3.21"), HEADING, "Manufacturers: Duty to Notify and Receive Notice", "crossheading")):
        new = apply_modification(base, mod(op)).version
        for n in ("G3.17", "G3.18", "G3.19", "G3.20", "G3.21"):
            assert new.get(n).crossheading == "Manufacturers: Duty to Notify and Receive Notice"
            assert new.get(n).full_text() == base.get(n).full_text()
        assert new.get("G1.1").crossheading == base.get("G1.1").crossheading
        assert base.get("G3.19").crossheading == HEADING  # the input is never changed


def test_strict_apply_names_the_clause_and_what_differs(corpus):
    base = corpus.load("6.17")
    with pytest.raises(ApplyError) as err:
        apply_modification(base, mod(Amend(A("G3.19"), "Something Else", "New", "crossheading")))
    assert "G3.19" in str(err.value) and "cross-heading" in str(err.value)
    with pytest.raises(ApplyError) as err:
        apply_modification(base, mod(Substitute(A("G3.19"), HEADING, "", "crossheading")))
    assert "must keep a heading" in str(err.value)


def test_a_clause_under_no_cross_heading_has_none_to_reword(tmp_path, corpus):
    base = corpus.load("6.17")
    g = base.sections["G"]
    bare = next((c for c in g.iter("clause") if c.getparent().tag != "crossheading"), None)
    if bare is None:  # 6.17 holds every clause under a cross-heading: make one that is not
        from redline.model import Version

        g = etree.fromstring(etree.tostring(g))
        box = g.find(".//crossheading")
        part = box.getparent()
        for c in list(box):
            part.insert(part.index(box), c)
        part.remove(box)
        base = Version("6.17", {**base.sections, "G": g}, base.code)
        bare = g.find(".//clause")
    with pytest.raises(ApplyError, match="stands under no cross-heading"):
        apply_modification(base, mod(Substitute(A(bare.get("num")), "x", "y", "crossheading")))


@pytest.mark.parametrize("fmt, style", [("html", None), ("docx", "tracked"), ("docx", "markup")])
def test_its_annex_a_shows_it_and_reads_back_into_it(invoke, tmp_path, fmt, style):
    src = tmp_path / "MPXH.xml"
    src.write_text(REWORD, "utf-8")
    annex = tmp_path / f"annex.{fmt}"
    r = invoke("annex", src, "--format", fmt, "-o", annex, *(["--style", style] if style else []))
    assert r.exit_code == 0, r.output
    if fmt == "html":
        page = annex.read_text("utf-8")
        assert "Amend the cross-heading above Section G3.19 as follows:" in page
        assert "<del" in page and "Be Notified" in page and "Receive Notice" in page
    out = tmp_path / "back.xml"
    r = invoke("import-annex", annex, "-o", out, "--report", "json")
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    assert rep["proof"]["proven"] and not rep["disagreements"] and not rep["problems"]
    ops = etree.parse(str(out)).getroot().find("operations")
    (op,) = list(ops)
    assert (op.tag, op.get("field"), op.findtext("old"), op.findtext("new")) == \
        ("substitute", "crossheading", "Be Notified", "Receive Notice")
    assert op.get("target") in ("G3.17", "G3.19")  # any clause under it names it


def test_an_instruction_that_does_not_name_the_group_disagrees(invoke, tmp_path):
    src = tmp_path / "MPXH.xml"
    src.write_text(REWORD, "utf-8")
    annex = tmp_path / "annex.html"
    assert invoke("annex", src, "--format", "html", "-o", annex).exit_code == 0
    page = annex.read_text("utf-8").replace("Amend the cross-heading above Section G3.19 as follows:",
                                            "Amend the cross-heading above Section G1.1 as follows:")
    annex.write_text(page, "utf-8")
    r = invoke("import-annex", annex, "-o", tmp_path / "back.xml")
    assert r.exit_code == 1 and "reword the cross-heading above G3.17, but no drafting instruction says so" in r.output


def test_a_heading_put_over_clauses_that_stay_is_still_reported(corpus):
    """G3.19 to G3.21 put under a new cross-heading of their own, G3.17 and G3.18 keeping the old
    one: a regrouping, which no operation says (exit 1, the clause named)."""
    from redline.annex import versions_redline
    from redline.annexread import import_annex, read_document
    from redline.diff import diff_versions
    from redline.model import Version
    from redline.render.html import render_html

    base = corpus.load("6.17")
    g = etree.fromstring(etree.tostring(base.sections["G"]))
    box = g.find(".//clause[@num='G3.19']").getparent()
    new_box = etree.Element("crossheading", heading="Arrangements with Manufacturers")
    for n in ("G3.19", "G3.20", "G3.21"):
        new_box.append(g.find(f".//clause[@num='{n}']"))
    box.addnext(new_box)
    new = Version("edited", {**base.sections, "G": g}, base.code)
    red = versions_redline(base, new, diff_versions(base, new), author="T", date="2024-01-02")
    reading = import_annex(read_document(render_html(red).encode(), "a.html"), base, mod_id="X")
    assert not reading.ok
    assert any("G3.19" in p and "not put a heading over clauses that stay" in p for p in reading.problems)


PART_HEADING = """<?xml version="1.0" encoding="UTF-8"?>
<modification id="MP902" base="6.17">
  <title>A part heading</title>
  <operations>
    <amend target="G1" field="heading"><old>Security: General Provisions</old><new>Security: General Matters</new></amend>
  </operations>
</modification>
"""


@pytest.mark.parametrize("fmt, style", [("html", None), ("docx", "tracked"), ("docx", "markup")])
def test_a_part_heading_changed_on_its_own_reads_back(invoke, tmp_path, fmt, style):
    """The Annex A shows the part heading alone (no clause of the part): read back into the amend."""
    src = tmp_path / "MP902.xml"
    src.write_text(PART_HEADING, "utf-8")
    annex = tmp_path / f"annex.{fmt}"
    assert invoke("annex", src, "--format", fmt, "-o", annex, *(["--style", style] if style else [])).exit_code == 0
    out = tmp_path / "back.xml"
    r = invoke("import-annex", annex, "-o", out)
    assert r.exit_code == 0, r.output
    (op,) = list(etree.parse(str(out)).getroot().find("operations"))
    assert (op.tag, op.get("target"), op.get("field"), op.findtext("new")) == \
        ("amend", "G1", "heading", "Security: General Matters")
