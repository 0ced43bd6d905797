"""The benchmark generator: deterministic, valid corpora and modifications, SEC-shaped."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from bench import generate
from redline.corpus import Corpus, schema
from redline.model import Address
from redline.mods import list_modifications

SMALL = 150  # one section (G)
TWO = 700  # Sections A (definitions) and B


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "stamp.json"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return generate.generate(SMALL, seed=7, out=tmp_path_factory.mktemp("a"), peers=False)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    return generate.generate(TWO, seed=7, out=tmp_path_factory.mktemp("b"), peers=False)


def test_same_seed_same_bytes(small, tmp_path):
    again = generate.generate(SMALL, seed=7, out=tmp_path, peers=False)
    assert _files(again) == _files(small)


def test_other_seed_other_text(small, tmp_path):
    other = generate.generate(SMALL, seed=8, out=tmp_path, peers=False)
    assert _files(other)["versions/1.0/G.xml"] != _files(small)["versions/1.0/G.xml"]


def test_cached_data_is_not_rewritten(small):
    before = (small / "versions" / "1.0" / "G.xml").stat().st_mtime_ns
    generate.generate(SMALL, seed=7, out=small.parent, peers=False)
    assert (small / "versions" / "1.0" / "G.xml").stat().st_mtime_ns == before


@pytest.mark.parametrize("which", ["small", "two"])
def test_every_version_loads_and_validates(which, request):
    root = request.getfixturevalue(which)
    corpus = Corpus.open(root)  # manifest validated
    assert corpus.version_ids == ["1.0", "1.1", "1.2"] + generate.HISTORY_IDS
    for vid in corpus.version_ids:
        v = corpus.load(vid)  # RELAX NG + numbering checks
        assert sum(1 for _ in v.clauses()) >= (SMALL if which == "small" else TWO) - 5


def test_history_of_twenty_versions(two):
    """A lineage 1.0, 2.1 … 2.19, each made by a recorded modification, sharing unchanged files;
    its tracked clause is renumbered twice and amended, and ``redline log`` follows it."""
    from redline.history import SectionSource, address_log

    corpus = Corpus.open(two)
    hist = json.loads((two / "edits.json").read_text())["history"]
    assert hist["versions"] == ["1.0"] + generate.HISTORY_IDS and len(hist["versions"]) == generate.HISTORY
    infos = [corpus.info(v) for v in generate.HISTORY_IDS]
    assert all(i.modifications == (f"HM{k:02d}",) for k, i in enumerate(infos, 1))
    assert dict(infos[0].files)["A"] == "versions/1.0/A.xml"  # unchanged: the file is shared, not copied
    src = SectionSource(corpus.load_section, corpus.section_file)
    clause = Address.parse(hist["clause"])
    log = address_log(hist["versions"], clause, hist["versions"][-1], src,
                      {i.id: i.modifications for i in infos})
    renumbered = [(e.version, str(e.previous), str(e.address)) for e in log if e.status == "renumbered"]
    assert renumbered == [tuple(r) for r in hist["renumbered"]]
    assert {e.version for e in log if e.status == "amended"} <= {v for v, c in hist["amended"]}


def test_sizes_and_shape(two):
    stats = json.loads((two / "edits.json").read_text())["stats"]
    assert stats["clauses"] == TWO
    assert 150 <= stats["words"] / stats["clauses"] <= 260  # the SEC's ~200 words a clause
    assert generate.section_letters(TWO) == ["A", "B"]
    assert generate.section_letters(SMALL) == ["G"]
    assert len(generate.section_letters(10_000)) == 24


def test_definitions_in_a1_1_in_alphabetical_order(two):
    v = Corpus.open(two).load("1.0")
    terms = [el.get("term") for el in v.find("A1.1").element.iter("definition")]
    assert len(terms) >= 25
    assert terms == sorted(terms)


def test_structure_has_items_romanettes_crossheadings(small):
    root = etree.parse(str(small / "versions" / "1.0" / "G.xml")).getroot()
    assert root.find(".//crossheading") is not None
    assert root.xpath(".//clause/item/item[@num='(ii)']")
    assert root.xpath(".//part/clause") or root.xpath(".//crossheading/clause")


def test_references_include_ranges_items_and_resolve(two):
    from redline import xref

    v = Corpus.open(two).load("1.0")
    text = " ".join(t for root in v.sections.values() for t in root.itertext())
    assert re.search(r"Sections [A-X]\d+\.\d+ to [A-X]\d+\.\d+", text)
    assert re.search(r"Sections [A-X]\d+ to [A-X]\d+\b", text)
    assert re.search(r"Section [A-X]\d+\.\d+\([a-z]\)(\([ivx]+\))?", text)
    statuses = {r.status for r in xref.check_version(v)}
    assert statuses == {"resolved"}  # the generator only cites addresses it made


def test_edits_are_at_the_stated_rates(two):
    log = json.loads((two / "edits.json").read_text())
    one, ten = log["1.1"], log["1.2"]
    assert len(one["amended"]) == round(TWO * 0.01)
    assert len(one["deleted"]) == max(1, round(TWO * 0.002))
    assert 5 <= len(one["renumbered"]) <= 9
    assert len(ten["amended"]) == round(TWO * 0.10)
    corpus = Corpus.open(two)
    old, new = corpus.load("1.0"), corpus.load("1.1")
    for o, n in one["renumbered"].items():
        assert old.find(o).text == new.find(n).text or o in one["references_repointed"]
    for c in one["deleted"]:
        assert c not in new


def test_modifications_validate_and_apply(small):
    corpus = Corpus.open(small)
    rng = schema("modification")
    files = sorted((small / "mods").glob("*.xml"))
    assert len(files) == generate.N_MODS
    for f in files:
        assert rng.validate(etree.parse(str(f))), (f.name, rng.error_log.last_error)
    from redline.check import check_modification

    for mod in list_modifications(corpus):
        result = check_modification(corpus, mod)
        assert result.ok, (mod.id, [str(p) for p in result.errors])


def test_renumbering_modification_carries_its_consequential_amendments(small):
    text = (small / "mods" / "BM002.xml").read_text()
    assert "<renumber" in text and "<amend" in text


def test_peer_renderings(tmp_path):
    import docx

    root = generate.generate(60, seed=3, out=tmp_path, peers=True)
    old = (root / "peer" / "old.txt").read_text()
    assert old.startswith("SECTION G")
    doc = docx.Document(str(root / "peer" / "new.docx"))
    assert len(doc.paragraphs) > 60
    assert doc.paragraphs[0].style.name == "Heading 1"
