"""The bundled corpus: every file validates, the text is the seeds' text, the evidence is recorded."""

from __future__ import annotations

import re
import shutil

import pytest
from lxml import etree

from redline.corpus import Corpus, schema
from redline.errors import CorpusError, UnknownVersion
from redline.model import Address

from conftest import CORPUS, SEEDS

VERSIONS = ["5.20", "5.23", "6.17"]

#: The extraction damage repaired in each seed, as (damaged, clean) after whitespace collapsing.
#: The corpus text must be found verbatim in the seed once these (and only these) are repaired.
REPAIRS = {
    "seed-000": [("it is at al l t imes", "it is at all times"), ("it  is", "it is"),
                 ("at al l t imes", "at all times"), ("\"Secure\" i f i t is", "\"Secure\" if it is"),
                 ("that i t is not", "that it is not"), ("verif ication", "verification"),
                 ("Assurance .", "Assurance.")],
    "seed-002": [],
    "seed-003": [("(a)(c) a Device", "(c) a Device")],
}


def seed_text(corpus, source_id: str) -> str:
    text = " ".join((CORPUS / corpus.sources[source_id].file).read_text(encoding="utf-8").split())
    for bad, good in REPAIRS.get(source_id, []):
        text = text.replace(bad, good)
    return text


def test_manifest_lists_versions_in_order(corpus):
    assert corpus.code == "SEC"
    assert corpus.version_ids == VERSIONS
    assert [v.predecessor for v in corpus.versions] == [None, "5.20", "5.23"]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("versions/*/*.xml")), ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_file_validates(path):
    tree = etree.parse(str(path))
    rng = schema("corpus")
    assert rng.validate(tree), rng.error_log


def test_manifest_validates():
    rng = schema("manifest")
    assert rng.validate(etree.parse(str(CORPUS / "manifest.xml"))), rng.error_log


@pytest.mark.parametrize("vid", VERSIONS)
def test_printed_text_is_the_seeds_text(corpus, vid):
    """Every text the corpus says is printed occurs verbatim in its source, damage repaired."""
    v = corpus.load(vid)
    checked = 0
    for n in v.nodes():
        if n.kind in ("section", "part") or n.evidence != "printed":
            continue
        seed = seed_text(corpus, n.source)
        for t in (n.text, n.closing):
            if t:
                assert t in seed, f"{vid} {n.address}: {t!r} not in {n.source}"
                checked += 1
    assert checked >= 4


@pytest.mark.parametrize("vid", VERSIONS)
def test_no_extraction_damage(corpus, vid):
    v = corpus.load(vid)
    for n in v.nodes():
        for t in (n.text, n.closing):
            assert "  " not in t
            assert not re.search(r"(^|\s)\([a-z]+\)\([a-z]+\)\s", t), f"redline residue in {n.address}"
            assert not re.search(r"\b(wil l|al l|t imes|i f|verif ication)\b", t), n.address
            assert "Page " not in t and "SEC –" not in t, n.address
            assert not re.search(r"[a-z]\d\b", t.replace("SMETS1", "").replace("SMETS2", "")), n.address


@pytest.mark.parametrize("vid", VERSIONS)
def test_every_node_records_its_source(corpus, vid):
    v = corpus.load(vid)
    for n in v.nodes():
        if n.kind == "section":
            continue
        assert n.source in corpus.sources, n.address
        assert n.evidence in ("printed", "inferred"), n.address
        if n.evidence == "inferred":
            assert n.note, f"{vid} {n.address} is inferred but says nothing of why"


def test_g3_20_b_before_mp087_is_marked_inferred(corpus):
    for vid in VERSIONS:
        b = corpus.load(vid).get("G3.20(b)")
        assert b.evidence == "inferred"
        assert "SMETS2+" not in b.text
        assert "MP087" in b.note


def test_g3_20_structure(corpus):
    c = corpus.load("6.17").get("G3.20")
    assert c.text == "Each User shall, wherever it is practicable to do so, establish with:"
    assert [i.num for i in c.children] == ["(a)", "(b)"]
    assert c.closing.startswith("arrangements designed to ensure")
    assert c.crossheading == "Manufacturers: Duty to Notify and Be Notified"


def test_coverage(corpus):
    v = corpus.load("5.23")
    assert v.coverage_of(Address.parse("G1.11")) == "complete"
    assert v.coverage_of(Address.parse("G3.8")) == "partial"
    assert v.coverage_of(Address.parse("G5.18")) == "absent"
    assert v.coverage_of(Address.parse("M8.2")) == "absent"
    assert "G1.10" not in v and "G1.10" in corpus.load("6.17")
    assert "G1" not in corpus.load("5.20")


def test_g1_in_617_is_523_plus_g1_10(corpus):
    """6.17's G1 is inferred as 5.23's G1 with SECMP0065 applied: G1.1 to G1.9 identical."""
    old, new = corpus.load("5.23"), corpus.load("6.17")
    for n in old.get("G1").children:
        assert new.get(n.address).full_text() == n.full_text()
    assert [str(c.address) for c in new.get("G1").children][-1] == "G1.10"


def test_unknown_version(corpus):
    with pytest.raises(UnknownVersion) as exc:
        corpus.load("9.99")
    assert "5.20, 5.23, 6.17" in str(exc.value)


def _break(tmp_corpus, old, new):
    p = tmp_corpus / "versions/6.17/G.xml"
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('<clause num="G3.20"', '<clause num="G3.20" bogus="1"', "does not match the corpus schema"),
        ("</crossheading>", "</crosshead>", "not well-formed XML"),
        ('<clause num="G3.21"', '<clause num="G3.20"', "G3.20 appears twice"),
        ('<clause num="G3.21"', '<clause num="G5.21"', "clause G5.21 is filed under G3"),
        ('coverage="partial"', 'coverage="whole"', "does not match the corpus schema"),
    ],
)
def test_bad_corpus_file_names_file_and_line(tmp_corpus, old, new, message):
    p = _break(tmp_corpus, old, new)
    with pytest.raises(CorpusError) as exc:
        Corpus.open(tmp_corpus).load("6.17")
    msg = str(exc.value)
    assert message in msg
    assert re.match(re.escape(str(p)) + r":\d+: ", msg), msg


def test_doctype_refused(tmp_corpus):
    p = tmp_corpus / "versions/6.17/G.xml"
    body = p.read_text(encoding="utf-8").split("\n", 1)[1]
    p.write_text('<?xml version="1.0"?>\n<!DOCTYPE section [<!ENTITY x "boom">]>\n' + body, encoding="utf-8")
    with pytest.raises(CorpusError, match="DOCTYPE"):
        Corpus.open(tmp_corpus).load("6.17")


def test_missing_section_file(tmp_corpus):
    (tmp_corpus / "versions/5.20/G.xml").unlink()
    with pytest.raises(CorpusError, match=r"G\.xml: no such file"):
        Corpus.open(tmp_corpus).load("5.20")


def test_missing_corpus_dir(tmp_path):
    with pytest.raises(CorpusError, match="no such corpus directory"):
        Corpus.open(tmp_path / "nope")


def test_manifest_errors(tmp_corpus):
    m = tmp_corpus / "manifest.xml"
    m.write_text(m.read_text(encoding="utf-8").replace('predecessor="5.23"', 'predecessor="7.0"'), encoding="utf-8")
    with pytest.raises(CorpusError, match="predecessor 7.0"):
        Corpus.open(tmp_corpus)


def test_save_version_is_atomic_and_refuses_duplicates(tmp_corpus):
    c = Corpus.open(tmp_corpus)
    new = c.load("6.17").copy("6.17-test")
    c.save_version(new, "6.17", modification="TEST", note="a test version")
    again = Corpus.open(tmp_corpus)
    assert again.version_ids[-1] == "6.17-test"
    assert again.info("6.17-test").modification == "TEST"
    assert again.load("6.17-test").get("G3.20").full_text() == c.load("6.17").get("G3.20").full_text()
    manifest = (tmp_corpus / "manifest.xml").read_bytes()
    with pytest.raises(CorpusError, match="already exists"):
        again.save_version(new, "6.17")
    assert (tmp_corpus / "manifest.xml").read_bytes() == manifest


def test_save_invalid_version_leaves_corpus_untouched(tmp_corpus):
    c = Corpus.open(tmp_corpus)
    before = sorted(p.relative_to(tmp_corpus) for p in tmp_corpus.rglob("*"))
    manifest = (tmp_corpus / "manifest.xml").read_bytes()
    bad = c.load("6.17").copy("broken")
    bad.sections["G"].find(".//clause").set("oops", "1")
    with pytest.raises(CorpusError):
        c.save_version(bad, "6.17")
    assert sorted(p.relative_to(tmp_corpus) for p in tmp_corpus.rglob("*")) == before
    assert (tmp_corpus / "manifest.xml").read_bytes() == manifest


def test_atomic_write_gives_usual_mode(tmp_path):
    import os

    from redline.corpus import atomic_write

    p = tmp_path / "out.txt"
    atomic_write(p, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert p.read_bytes() == b"x"
    assert (p.stat().st_mode & 0o777) == (0o666 & ~umask)
    assert [q.name for q in tmp_path.iterdir()] == ["out.txt"]


def test_sources_are_in_the_corpus(corpus):
    """Provenance is checkable from a clone alone: every source paper ships with the corpus."""
    assert len(corpus.sources) == 4
    for s in corpus.sources.values():
        path = CORPUS / s.file
        assert path.is_file(), s.file
        assert path.read_text(encoding="utf-8").strip()


# --------------------------------------------------------------------------- fidelity of the labels

#: (version, source) -> the words by which that source says it prints that version's text, and the
#: clauses it prints for it. Text marked `printed` for a version must come from a source that
#: says, in these words, that it prints that version.
PRINTED_FOR = {
    ("6.17", "seed-002"): ("These changes have been drafted against SEC Version 6.17",
                           {"G3.17", "G3.18", "G3.19", "G3.20", "G3.21"}),
    ("5.20", "seed-002"): ("SEC version 5.20 introduced the following change to Section G3.17", {"G3.17"}),
    ("5.23", "seed-003"): ("These changes have been made against the Smart Energy Code (SEC) version 5.23",
                           {f"G1.{i}" for i in range(1, 10)}),
}


@pytest.mark.parametrize("vid", VERSIONS)
def test_printed_means_the_source_prints_that_version(corpus, vid):
    """seed-000 quotes G3.26-G3.28 but names no SEC version: nothing of it is `printed` for a version."""
    for n in corpus.load(vid).nodes():
        if n.kind == "section" or n.evidence != "printed":
            continue
        key = (vid, n.source)
        assert key in PRINTED_FOR, f"{vid} {n.address} is marked printed from {n.source}, which does not print {vid}"
        phrase, clauses = PRINTED_FOR[key]
        seed = seed_text(corpus, n.source).replace("version 5.231.", "version 5.23.")  # the footnote mark
        assert phrase in seed
        clause = n.address.clause_address
        if clause is not None:
            assert str(clause) in clauses, f"{vid} {n.address}: {n.source} does not print {clause} for {vid}"


@pytest.mark.parametrize("vid", VERSIONS)
def test_an_inferred_part_is_not_held_complete(corpus, vid):
    """Complete coverage makes a reference to a missing clause 'broken': only a printed part may claim it."""
    for n in corpus.load(vid).nodes("part"):
        if n.coverage == "complete":
            assert n.evidence == "printed", f"{vid} {n.address} is inferred but held complete"


@pytest.mark.parametrize("vid", VERSIONS)
def test_printed_headings_are_the_seeds_words(corpus, vid):
    """A printed part heading or cross-heading occurs in its source (the seeds print part headings in
    capitals: compared without case)."""
    root = corpus.load(vid).sections["G"]
    for el in root.iter("part", "crossheading"):
        evidence = el.get("evidence") or next((a.get("evidence") for a in el.iterancestors() if a.get("evidence")), None)
        source = el.get("source") or next((a.get("source") for a in el.iterancestors() if a.get("source")), None)
        if evidence != "printed" or not el.get("heading"):
            continue
        assert el.get("heading").lower() in seed_text(corpus, source).lower(), (vid, el.get("heading"))


def test_manifest_notes_claim_nothing_the_seeds_do_not_say(corpus):
    notes = {v.id: v.note for v in corpus.versions}
    assert "2018" not in notes["5.20"]  # no seed dates 5.20
    assert "having been made" not in notes["6.17"] and "no seed says" in notes["6.17"]
    g1 = corpus.load("6.17").get("G1")
    assert g1.evidence == "inferred" and g1.coverage == "partial" and "no seed says it was approved" in g1.note
    for vid in ("5.20", "5.23"):
        assert corpus.load(vid).get("G3.26").evidence == "inferred"
        assert "names no SEC version" in corpus.load(vid).get("G3.26").note
