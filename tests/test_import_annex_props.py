"""Property: random edits of real clauses, rendered as a redline and read back, give the edits.

Each example edits version 6.17's Section G at random (words inserted, deleted and replaced in
lead and closing words; items added, dropped and inserted mid-list with the rest relettered;
clauses added, with or without a new cross-heading, dropped, renumbered and moved; cross-headings
reworded over the clauses they keep; part headings reworded), renders the redline of 6.17 against the edited text (HTML, or DOCX
with tracked changes or the house mark-up, or tracked changes without redline's paragraph styles, read by
the numbers through the outline builder), reads it back with ``import-annex`` and applies the
operations to 6.17: the result must be the edited text, clause for clause, and the read must be
proven, with the drafting instructions agreeing with the marks.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from redline.annex import versions_redline
from redline.annexread import import_annex, read_document
from redline.annexread.report import report_text
from redline.apply import apply_modification
from redline.diff import diff_versions
from redline.model import Node, Version

WORDS = ("the", "User", "shall", "promptly", "notify", "DCC", "Panel", "any", "Device", "in", "respect", "of",
         "Section G3.18", "and", "or", "Smart Metering System", "reasonable", "steps", "(as the case may be)")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")
#: clauses that may be dropped: none next to another, nor next to a stretch the corpus does not
#: hold (diff_versions counts a clause dropped there, or two adjacent clauses dropped in a part held
#: only in part, as a coverage difference: the redline shows nothing)
DROPPABLE = ("G1.2", "G1.5", "G1.8", "G3.19")


def _phrase(data) -> str:
    return " ".join(data.draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), label="words"))


def _next_num(num: str) -> str | None:
    label = num.strip("()")
    if label in ROMANS[:-1]:
        return f"({ROMANS[ROMANS.index(label) + 1]})"
    if len(label) == 1 and label in LETTERS[:-1]:
        return f"({LETTERS[LETTERS.index(label) + 1]})"
    return None


def _edit_words(root, data) -> None:
    fields = [f for f in root.iter("text", "closing") if len((f.text or "").split()) >= 3
              and f.getparent().tag in ("clause", "item")]
    f = data.draw(st.sampled_from(fields), label="field")
    words = f.text.split()
    i = data.draw(st.integers(0, len(words) - 1), label="at")
    j = data.draw(st.integers(i, min(len(words), i + 4)), label="to")
    how = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="how")
    if how == "delete" and j - i < len(words) and j > i:
        words[i:j] = []
    elif how == "insert":
        words[i:i] = _phrase(data).split()
    else:
        words[i:max(j, i + 1)] = _phrase(data).split()
    f.text = " ".join(words)


def _add_item(root, data) -> None:
    parents = [el for el in root.iter("clause", "item") if el.findall("item") and _next_num(el.findall("item")[-1].get("num"))]
    parent = data.draw(st.sampled_from(parents), label="list")
    last = parent.findall("item")[-1]
    item = etree.Element("item", num=_next_num(last.get("num")))
    etree.SubElement(item, "text").text = _phrase(data) + ";"
    last.addnext(item)


def _drop_item(root, data) -> None:
    parents = [el for el in root.iter("clause", "item") if len(el.findall("item")) >= 2]
    parent = data.draw(st.sampled_from(parents), label="list")
    parent.remove(parent.findall("item")[-1])


def _add_clause(root, data) -> None:
    """A new clause numbered after one that is not the last its part holds (``G1.4A``): the
    corpus holds parts G1 and G3 only partly, and a clause added after the last one held is a
    coverage difference, not an addition (the redline does not show it)."""
    held = [c for c in root.iter("clause") if c.getnext() is not None or
            (c.getparent().tag == "crossheading" and c.getparent().getnext() is not None)]
    held = [c for c in held if c.get("num")[-1].isdigit()]
    if not held:
        return
    after = data.draw(st.sampled_from(held), label="after")
    num = after.get("num") + "A"
    if root.find(f".//clause[@num='{num}']") is not None:
        return
    clause = etree.Element("clause", num=num)
    etree.SubElement(clause, "text").text = _phrase(data) + "."
    group = after.getparent()
    if group.tag == "crossheading" and after.getnext() is None and data.draw(st.booleans(), label="new cross-heading"):
        new = etree.Element("crossheading", heading="New " + _phrase(data).title())
        new.append(clause)
        group.addnext(new)
    else:
        after.addnext(clause)


def _drop_clause(root, data) -> None:
    held = [c for c in root.iter("clause") if c.get("num") in DROPPABLE]
    if not held:
        return
    clause = data.draw(st.sampled_from(held), label="clause")
    parent = clause.getparent()
    parent.remove(clause)
    if parent.tag == "crossheading" and parent.find("clause") is None:
        parent.getparent().remove(parent)


def _insert_item(root, data) -> None:
    """A new item in the middle of a lettered list; the items after it are relettered."""
    parents = [el for el in root.iter("clause", "item") if len(el.findall("item")) >= 2
               and all(len(i.get("num")) == 3 and i.get("num")[1] in LETTERS[:20] for i in el.findall("item"))]
    parent = data.draw(st.sampled_from(parents), label="list")
    items = parent.findall("item")
    k = data.draw(st.integers(0, len(items) - 1), label="before item")
    for item in reversed(items[k:]):
        item.set("num", _next_num(item.get("num")))
    new = etree.Element("item", num=f"({LETTERS[k]})")
    etree.SubElement(new, "text").text = _phrase(data) + ";"
    items[k].addprevious(new)


def _renumber_clause(root, data) -> None:
    """The last clause of G1 (or G3.21, before the stretch of G3 not held) one number up."""
    clause = data.draw(st.sampled_from([list(root.find("part[@num='G1']").iter("clause"))[-1],
                                        root.find(".//clause[@num='G3.21']")]), label="clause")
    if clause is None:
        return
    part, n = clause.get("num").split(".")
    if root.find(f".//clause[@num='{part}.{int(n) + 1}']") is None:
        clause.set("num", f"{part}.{int(n) + 1}")


def _move_clause(root, data) -> None:
    """A clause of G1 moved to the end of G1, with the next free number."""
    clauses = list(root.find("part[@num='G1']").iter("clause"))
    if len(clauses) < 3:
        return
    # not a clause alone under its cross-heading: the redline would show that heading reworded
    # into the one it moves under, which no operation says (see docs/import.md, limits)
    # nor one added by an earlier edit (moved past the last clause held, it is a coverage difference)
    movable = [c for c in clauses[1:-1] if (c.getparent().tag != "crossheading" or len(c.getparent()) > 1)
               and c.get("num")[-1].isdigit()]
    if not movable:
        return
    clause = data.draw(st.sampled_from(movable), label="moved")
    last = clauses[-1]
    clause.getparent().remove(clause)
    clause.set("num", f"G1.{int(last.get('num').split('.')[1]) + 1}")
    last.addnext(clause)


def _reword_crossheading(root, data) -> None:
    """A cross-heading reworded over the clauses it keeps (``substitute field="crossheading"``)."""
    boxes = list(root.iter("crossheading"))
    box = data.draw(st.sampled_from(boxes), label="cross-heading")
    words = box.get("heading").split()
    i = data.draw(st.integers(0, len(words) - 1), label="heading word")
    words[i:i + 1] = _phrase(data).title().split()
    box.set("heading", " ".join(words))


def _reword_part_heading(root, data) -> None:
    """A part's heading reworded (``amend field="heading"``)."""
    part = data.draw(st.sampled_from([p for p in root.iter("part") if p.get("heading")]), label="part")
    part.set("heading", part.get("heading") + " and " + _phrase(data).title())


EDITS = {"words": _edit_words, "reword-crossheading": _reword_crossheading, "reword-part-heading": _reword_part_heading, "add-item": _add_item, "drop-item": _drop_item, "add-clause": _add_clause,
         "drop-clause": _drop_clause, "insert-item": _insert_item, "renumber-clause": _renumber_clause,
         "move-clause": _move_clause}


def edited(base: Version, data) -> Version:
    root = copy.deepcopy(base.sections["G"])
    kinds = ["words", "words", *EDITS]
    for kind in data.draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=4), label="edits"):
        EDITS[kind](root, data)
    return Version("edited", {**base.sections, "G": root}, base.code)


def _render(red, fmt: str) -> bytes:
    if fmt == "html":
        from redline.render.html import render_html

        return render_html(red).encode("utf-8")
    from redline.render.docx import render_docx

    if fmt == "plain":  # tracked changes, without redline's paragraph styles: read by its numbers
        return without_styles(render_docx(red, "tracked"))
    return render_docx(red, fmt)


def without_styles(docx: bytes) -> bytes:
    """A DOCX with redline's own paragraph styles taken off (as if another tool had written it),
    but for the margin notes ("[moved from G1.2]"), which another tool would not write at all."""
    import io
    import re
    import zipfile

    zin = zipfile.ZipFile(io.BytesIO(docx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = re.sub(rb'<w:pStyle w:val="SEC(?!MarginNote)[^"]*"/>', b"", data)
            zout.writestr(info, data)
    return buf.getvalue()


def _words(v: Version) -> dict:
    return {str(c.address): (c.full_text(), c.crossheading) for c in v.clauses()}


def _valid(root) -> bool:
    """Whether an edited section is one the corpus could hold (numbers in sequence, none twice)."""
    from redline.errors import CorpusError
    from redline.validate import check_section

    try:
        check_section(root, "edited", order=True)
    except CorpusError:
        return False
    return True


def check_round_trip(base: Version, data, fmt: str) -> None:
    new = edited(base, data)
    assume(_valid(new.sections["G"]))
    check_read_back(base, new, fmt)


def _require(ok: bool) -> None:
    assert ok


def check_read_back(base: Version, new: Version, fmt: str, require=assume) -> None:
    vdiff = diff_versions(base, new)
    # a clause added, dropped or moved next to a stretch the corpus does not hold is a coverage
    # difference, which the redline does not show as a change: such an edit tests nothing here
    require(not vdiff.empty and not any(c.clauses for c in vdiff.coverage))
    red = versions_redline(base, new, vdiff, author="Property Test", date="2024-01-02")
    doc = read_document(_render(red, fmt), f"annex.{'html' if fmt == 'html' else 'docx'}")
    reading = import_annex(doc, base, mod_id="RANDOM")
    assert reading.ok, report_text(reading)
    result = apply_modification(base, reading.modification).version
    assert _words(result) == _words(new), report_text(reading)
    left = diff_versions(new, result)
    assert not left.changes and not left.headings


@pytest.fixture(scope="module")
def base617(corpus):
    return corpus.load("6.17")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edits_read_back_from_html(base617, data):
    check_round_trip(base617, data, "html")


def _word_reader():
    try:
        import redline.word  # noqa: F401
    except ImportError:
        pytest.skip("the Word reader (redline.word) is not installed")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), style=st.sampled_from(["tracked", "markup", "plain"]))
def test_random_edits_read_back_from_docx(base617, data, style):
    _word_reader()
    check_round_trip(base617, data, style)


def test_node_full_text_is_what_is_compared(base617):
    """The comparison above uses every clause's words and cross-heading (a sanity check)."""
    words = _words(base617)
    assert words["G3.20"][1] == "Manufacturers: Duty to Notify and Be Notified"
    assert words["G3.20"][0] == Node(base617.sections["G"].find(".//clause[@num='G3.20']")).full_text()


@pytest.mark.parametrize("fmt", ["html", "tracked"])
def test_a_clause_moved_out_of_the_group_a_new_group_follows(base617, fmt):
    """G1.6 moved to the end of G1, and a new cross-heading group after G1.5, which ends its
    group only once G1.6 has gone: the move must come first (hypothesis found it)."""
    _word_reader()
    root = copy.deepcopy(base617.sections["G"])
    g15, g16 = root.find(".//clause[@num='G1.5']"), root.find(".//clause[@num='G1.6']")
    assert g15.getparent() is g16.getparent() and g15.getparent().tag == "crossheading"
    last = list(root.find("part[@num='G1']").iter("clause"))[-1]
    g16.getparent().remove(g16)
    g16.set("num", f"G1.{int(last.get('num').split('.')[1]) + 1}")
    last.addnext(g16)
    group = etree.Element("crossheading", heading="New Obligations")
    etree.SubElement(etree.SubElement(group, "clause", num="G1.5A"), "text").text = "A new clause."
    g15.getparent().addnext(group)
    check_read_back(base617, Version("edited", {**base617.sections, "G": root}, base617.code), fmt, _require)
