"""`redline import --into VERSION`: the document's clauses replace the version's, nothing else is
lost (:mod:`redline.importer.merge`); ``--replace-section`` makes the section exactly the
document. Units on small trees, a property on random fragments, and the CLI end to end
(including writers at once: each one's clauses survive the others')."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from redline.corpus import Corpus
from redline.importer.merge import merge_section, spans
from redline.validate import check_schema, check_section

SEED_003 = SEEDS / "003_15a3fa53e473668b.txt"

HELD = """<section num="G" heading="Security" coverage="partial" source="seed-9" evidence="inferred">
  <part num="G1" heading="General" coverage="partial">
    <crossheading heading="Interpretation" note="as printed in 2018">
      <clause num="G1.1"><text>old one</text></clause>
      <clause num="G1.2"><text>old two</text></clause>
      <clause num="G1.3"><text>old three</text></clause>
    </crossheading>
    <crossheading heading="Disputes">
      <clause num="G1.5" source="seed-5" evidence="printed"><text>old five</text></clause>
    </crossheading>
  </part>
  <part num="G3" coverage="partial"><clause num="G3.17"><text>old G3</text></clause></part>
</section>"""


def _doc(xml: str):
    return etree.fromstring(f'<section num="G" heading="" coverage="partial" source="import-x" evidence="printed">'
                            f"{xml}</section>")


def _valid(root) -> None:
    check_schema(etree.ElementTree(root), "corpus", "merged")
    check_section(root, "merged")  # numbers in order, none twice


def _clauses(root) -> dict:
    from redline.model import Node

    out = {}
    for c in root.iter("clause"):
        ch = c.getparent()
        n = Node(c)
        out[c.get("num")] = (c.findtext("text"), ch.get("heading") if ch.tag == "crossheading" else None,
                             n.source, n.evidence, n.note or None)
    return out


def test_a_fragment_replaces_its_clauses_and_keeps_the_rest_in_number_order():
    held = etree.fromstring(HELD)
    before = etree.tostring(held)
    doc = _doc('<part num="G1" coverage="partial"><clause num="G1.2"><text>new two</text></clause>'
               '<clause num="G1.4"><text>new four</text></clause></part>')
    m = merge_section(held, doc, version="5.23")
    assert etree.tostring(held) == before  # the inputs are not changed
    _valid(m.section)
    got = _clauses(m.section)
    assert list(got) == ["G1.1", "G1.2", "G1.3", "G1.4", "G1.5", "G3.17"]
    assert got["G1.1"] == ("old one", "Interpretation", "seed-9", "inferred", "as printed in 2018")
    # the document prints no cross-heading over G1.2: it keeps the version's, but not its note
    assert got["G1.2"] == ("new two", "Interpretation", "import-x", "printed", None)
    # a new clause printed without a cross-heading joins the group above it
    assert got["G1.4"] == ("new four", "Interpretation", "import-x", "printed", None)
    assert got["G1.5"] == ("old five", "Disputes", "seed-5", "printed", None)
    assert got["G3.17"] == ("old G3", None, "seed-9", "inferred", None)
    assert m.section.get("heading") == "Security" and m.section.find("part").get("heading") == "General"
    assert (m.replaced, m.added, m.kept, m.kept_parts, m.dropped) == (
        ("G1.2",), ("G1.4",), ("G1.1", "G1.3", "G1.5", "G3.17"), ("G3",), ())
    text = "\n".join(m.lines())
    assert "replaced: G1.2" in text and "added: G1.4" in text
    assert "kept, not in the document: part G3 whole (G3.17: 1 clause(s))" in text
    assert "kept, not in the document: G1.1, G1.3, G1.5 (3 clause(s))" in text
    assert "Section G" in text and "G1" in text and "‘Interpretation’" in text  # headings kept


def test_replace_section_gives_the_document_and_lists_what_is_dropped():
    doc = _doc('<part num="G1" heading="General" coverage="partial"><clause num="G1.2"><text>new</text></clause>'
               "</part>")
    m = merge_section(etree.fromstring(HELD), doc, version="5.23", replace=True)
    assert etree.tostring(m.section) == etree.tostring(doc)
    assert m.dropped == ("G1.1", "G1.3", "G1.5", "G3.17") and m.dropped_parts == ("G3",) and m.kept == ()
    text = "\n".join(m.lines())
    assert "replaced whole (--replace-section)" in text and "dropped, not in the document: part G3 whole" in text


def test_a_whole_section_that_holds_everything_is_taken_as_printed():
    held = etree.fromstring(HELD)
    doc = copy.deepcopy(held)
    for k in ("source", "evidence"):
        doc.set(k, {"source": "import-x", "evidence": "printed"}[k])
    doc.find(".//clause/text").text = "new one"
    m = merge_section(held, doc, version="5.23")
    assert etree.tostring(m.section) == etree.tostring(doc) and m.kept == () and m.added == ()


def test_into_a_version_without_the_section():
    doc = _doc('<part num="G1" coverage="partial"><clause num="G1.2"><text>new</text></clause></part>')
    m = merge_section(None, doc, version="6.17")
    assert not m.held and m.added == ("G1.2",) and "added (the version did not hold it)" in m.lines()[0]


def test_spans():
    assert spans(["G1.1", "G1.2", "G1.3", "G1.3A", "G1.5", "G3.1", "G3.2"]) == "G1.1 to G1.3, G1.3A, G1.5, G3.1 to G3.2"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_merging_a_random_fragment_loses_nothing(data, generated):
    """Any fragment of a section (some clauses, reworded, with or without their cross-headings)
    put into it: every clause the version held is there, the document's with its words, the
    others unchanged; in number order, schema-valid. With --replace-section: the document."""
    v = generated.load(generated.version_ids[0])
    letter = data.draw(st.sampled_from(sorted(v.sections)))
    held = v.sections[letter]
    nums = [c.get("num") for c in held.iter("clause")]
    chosen = set(data.draw(st.lists(st.sampled_from(nums), min_size=1, max_size=12, unique=True)))
    doc = copy.deepcopy(held)
    doc.set("source", "import-x")
    for c in list(doc.iter("clause")):
        if c.get("num") not in chosen:
            c.getparent().remove(c)
        else:
            t = c.find("text")
            if t is not None:
                t.text = "Reworded: " + t.text
    for el in list(doc.iter("crossheading", "part")):
        if not len(el) or (el.tag == "crossheading" and data.draw(st.booleans())):
            for c in list(el):  # a cross-heading not printed: its clauses stand in the part
                el.addprevious(c)
            el.getparent().remove(el)
    m = merge_section(held, doc, version="x")
    _valid(m.section)
    old, new = _clauses(held), _clauses(m.section)
    assert list(new) == nums  # every clause, in number order (the version's order)
    held_els = {c.get("num"): c for c in held.iter("clause")}
    for c in m.section.iter("clause"):
        n = c.get("num")
        if n in chosen:
            assert new[n][0] == (("Reworded: " + old[n][0]) if old[n][0] is not None else None)
            assert new[n][2] == "import-x"
        else:
            assert new[n] == old[n]
            assert [etree.tostring(x) for x in c] == [etree.tostring(x) for x in held_els[n]]
    r = merge_section(held, doc, version="x", replace=True)
    assert sorted(_clauses(r.section)) == sorted(chosen) and set(r.dropped) == set(nums) - chosen


# --- through the command line -------------------------------------------------------------------------

def test_cli_into_keeps_the_parts_the_document_does_not_hold(invoke, tmp_corpus):
    before = Corpus.open(tmp_corpus).load("5.23")
    g3 = {n.num: n.full_text() for n in before.clauses() if n.num.startswith("G3")}
    res = invoke("import", SEED_003, "--into", "5.23", "--corpus", tmp_corpus)
    assert res.exit_code == 0, res.output
    assert "Section G of 5.23: merged clause by clause" in res.output
    assert "replaced: G1.1 to G1.9 (9 clause(s))" in res.output and "added: G1.10 (1 clause(s))" in res.output
    assert "kept, not in the document: part G3 whole (G3.17 to G3.21, G3.26 to G3.28: 8 clause(s))" in res.output
    v = Corpus.open(tmp_corpus).load("5.23", use_cache=False)
    assert [n.num for n in v.clauses()] == [f"G1.{i}" for i in range(1, 11)] + sorted(g3, key=lambda x: int(x[3:]))
    assert {n.num: n.full_text() for n in v.clauses() if n.num.startswith("G3")} == g3
    assert v.get("G3.17").source == "seed-002" and v.get("G1.10").source.startswith("import-")
    assert invoke("validate", "--corpus", tmp_corpus).exit_code == 0


def test_cli_replace_section_drops_them_and_says_so(invoke, tmp_corpus):
    res = invoke("import", SEED_003, "--into", "5.23", "--replace-section", "--format", "json", "--corpus",
                 tmp_corpus)
    assert res.exit_code == 0, res.output
    into = json.loads(res.output)["into"]
    assert into["mode"] == "replace" and into["dropped_parts"] == ["G3"] and len(into["dropped"]) == 8
    v = Corpus.open(tmp_corpus).load("5.23", use_cache=False)
    assert [n.num for n in v.clauses()] == [f"G1.{i}" for i in range(1, 11)]
    # --replace-section needs a version to replace a section of
    res = invoke("import", SEED_003, "--as", "new", "--replace-section", "--corpus", tmp_corpus)
    assert res.exit_code == 2 and "--replace-section" in res.output


def test_cli_json_says_what_was_kept(invoke, tmp_corpus, tmp_path):
    src = tmp_path / "frag.txt"
    src.write_text("G3.19 A User shall not be required to notify anyone.\n\nG3.22 A new clause.\n", encoding="utf-8")
    res = invoke("import", src, "--into", "6.17", "--as", "6.17-frag", "--format", "json", "--corpus", tmp_corpus)
    assert res.exit_code == 0, res.output
    into = json.loads(res.output)["into"]
    assert into["mode"] == "merge" and into["version"] == "6.17"
    assert into["replaced"] == ["G3.19"] and into["added"] == ["G3.22"] and into["kept_parts"] == ["G1"]
    c = Corpus.open(tmp_corpus)
    v, old = c.load("6.17-frag", use_cache=False), c.load("6.17")
    assert len(list(v.clauses())) == len(list(old.clauses())) + 1
    assert v.get("G3.22").crossheading == old.get("G3.21").crossheading  # joins the group above
    assert v.get("G3.20").full_text() == old.get("G3.20").full_text()


def test_writers_at_once_into_one_version_keep_each_others_clauses(tmp_corpus, tmp_path):
    """Five imports into 5.23 at once, each of another part: each reads the section under the
    corpus lock, so every part is there at the end (none is merged into a stale copy)."""
    from faults import run_together

    srcs = []
    for k in range(4, 9):
        f = tmp_path / f"g{k}.txt"
        f.write_text(f"G{k}.1 The words of part G{k}.\n", encoding="utf-8")
        srcs.append(f)
    codes = run_together([["import", f, "--into", "5.23"] for f in srcs], tmp_corpus)
    assert codes == [0] * len(srcs)
    v = Corpus.open(tmp_corpus).load("5.23", use_cache=False)
    nums = [n.num for n in v.clauses()]
    assert [f"G{k}.1" for k in range(4, 9)] == [n for n in nums if n[1] in "45678"]
    assert len(nums) == 17 + 5  # 5.23 held 17 clauses
