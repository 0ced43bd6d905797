"""``redline xref VERSION``: the report of every reference of a version. Its JSON is written as
the resolutions come (one line each, by the json module) and is the report: the version, every
resolution's dict, the counts; the references are read a section at a time, as node by node."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from redline import xref
from redline.cli import xref_cmds
from redline.model import Address
from redline.xref import Citation, Range, Reference, Resolution, TargetResolution


def _expected(version_id, res):
    counts = {s: sum(1 for r in res if r.status == s) for s in xref.STATUSES}
    return {"version": version_id, "references": [r.to_dict() for r in res], "counts": counts}


def _ours(version_id, res):
    text = "".join(xref_cmds._json_report(version_id, iter(res), dict.fromkeys(xref.STATUSES, 0)))
    assert text.endswith("}\n")
    return json.loads(text)


def test_json_report_is_the_report(corpus, generated):
    for c in (corpus, generated):
        for vid in c.version_ids[:2]:
            res = xref.check_version(c.load(vid))
            assert _ours(vid, res) == _expected(vid, res)
            assert _ours(vid, res[:1]) == _expected(vid, res[:1])
    assert _ours("1.0", []) == _expected("1.0", [])


def test_iter_check_version_is_check_version(generated):
    v = generated.load("1.0")
    within, to = Address.parse("B1"), Address.parse("A1")
    assert list(xref.iter_check_version(v)) == xref.check_version(v)
    assert list(xref.iter_check_version(v, within=within, to=to)) == xref.check_version(v, within, to)


_text = st.text(min_size=0, max_size=12)
_addr = st.sampled_from([Address.parse(a) for a in ("G", "G1", "G1.2", "G1.2(a)(ii)", "A1.1")])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_text, _text, st.integers(0, 10**6), st.booleans(), st.one_of(st.none(), _text),
                          st.lists(st.one_of(_addr, st.tuples(_addr, _addr)), max_size=3),
                          st.sampled_from(xref.STATUSES), st.lists(_text, max_size=3),
                          st.one_of(st.none(), _text), st.sampled_from(["text", "closing"]),
                          st.sampled_from(xref.FORMS)), max_size=4),
       _text)
def test_json_of_any_strings(items, vid):
    res = []
    for text, _, start, quoted, heading, targets, status, reasons, expected, fld, form in items:
        targets = tuple(t if isinstance(t, Address) else Range(*t) for t in targets)
        ref = Reference(start, start + len(text), text, targets, heading, quoted, form)
        trs = tuple(TargetResolution(t, status) for t in targets)
        res.append(Resolution(Citation(Address.parse("G1.2"), fld, ref), status, trs, tuple(reasons), expected))
    assert _ours(vid, res) == _expected(vid, res)


def test_cli_json_to_file_and_stdout(invoke, tmp_path, corpus):
    out = tmp_path / "x.json"
    r = invoke("xref", "6.17", "--format", "json", "-o", out)
    assert r.exit_code == 0
    expected = _expected("6.17", xref.check_version(corpus.load("6.17")))
    assert json.loads(out.read_text("utf-8")) == expected
    r = invoke("xref", "6.17", "--format", "json")
    assert r.output == out.read_text("utf-8")
    r = invoke("xref", "6.17", "--format", "json", "--status", "outside")
    assert json.loads(r.output)["counts"]["resolved"] == 0


def test_citations_read_a_section_at_a_time_are_those_read_node_by_node(corpus, generated):
    def node_by_node(v, within=None):
        return [c for n in v.nodes() if n.kind in ("clause", "item", "definition")
                and (within is None or n.address.is_within(within)) for c in xref.node_citations(n)]

    for c in (corpus, generated):
        for vid in c.version_ids[:2]:
            v = c.load(vid)
            assert xref.citations(v) == node_by_node(v)
    v = generated.load("1.0")
    for a in ("A", "B1", "B1.3", "B1.3(a)", "Q"):
        assert xref.citations(v, Address.parse(a)) == node_by_node(v, Address.parse(a))


def test_citations_read_the_first_text_of_a_node_as_findtext_does():
    from lxml import etree

    from redline.model import Version

    root = etree.fromstring(
        '<section num="G" heading="G" coverage="complete"><part num="G1" heading="P" coverage="complete">'
        '<clause num="G1.1"><text>See  Section G1.2.</text><item num="(a)"><text>Section G1.1</text></item>'
        '<closing>and Section G1.3</closing><closing>not Section G1.4</closing></clause>'
        '<clause num="G1.2"><text/></clause></part></section>')
    v = Version("x", {"G": root})
    got = [(str(c.holder), c.field, c.reference.text) for c in xref.citations(v)]
    assert got == [("G1.1", "text", "Section G1.2"), ("G1.1", "closing", "Section G1.3"),
                   ("G1.1(a)", "text", "Section G1.1")]
