"""The corpus write path (redline/transaction.py): the transaction API, the lock, the manifest
kept as written, and recovery of what an interrupted writer left. The faults themselves (full
disks, kills, concurrent writers) are in test_faults.py."""

from __future__ import annotations

import copy
import json
import os
import stat

import pytest
from faults import hidden, snapshot

from redline.corpus import Corpus, Source
from redline.errors import CorpusBusy, CorpusError, UnknownVersion
from redline.transaction import JOURNAL, CorpusLock, recover


def _g_with(corpus, version: str, old: str, new: str):
    """Section G of ``version`` with ``old`` replaced by ``new`` in the text of G3.20(b)."""
    root = copy.deepcopy(corpus.load(version).sections["G"])
    text = root.find(".//clause[@num='G3.20']/item[@num='(b)']/text")
    assert old in text.text
    text.text = text.text.replace(old, new)
    return root


def _umask() -> int:
    u = os.umask(0)
    os.umask(u)
    return u


def test_add_version_records_modifications_and_keeps_the_manifest_as_written(tmp_corpus):
    manifest = tmp_corpus / "manifest.xml"
    original = manifest.read_text("utf-8")
    c = Corpus.open(tmp_corpus)
    with c.transaction() as tx:
        tx.add_version(c.load("6.17").copy("6.18"), predecessor="6.17", modifications=("MP087", "SECMP0065"),
                       note="two at once", date="2020-01-01")
    text = manifest.read_text("utf-8")
    # everything that was there is there, byte for byte, comment included; the new entry follows
    head, tail = original.rsplit("</corpus>", 1)
    assert text.startswith(head) and text.endswith("</corpus>" + tail)
    assert ('  <version id="6.18" predecessor="6.17" date="2020-01-01" modifications="MP087 SECMP0065">\n'
            '    <note>two at once</note>\n'
            '    <file section="G" path="versions/6.18/G.xml"/>\n'
            '  </version>\n</corpus>\n') in text
    assert c.version_ids[-1] == "6.18"  # the object is up to date
    info = Corpus.open(tmp_corpus).info("6.18")
    assert info.modifications == ("MP087", "SECMP0065") and info.modification == "MP087, SECMP0065"
    vdir = tmp_corpus / "versions/6.18"
    assert stat.S_IMODE(vdir.stat().st_mode) == 0o777 & ~_umask()
    assert stat.S_IMODE((vdir / "G.xml").stat().st_mode) == 0o666 & ~_umask()
    assert hidden(tmp_corpus) == []


def test_put_section_replaces_a_file_and_records_its_source(tmp_corpus):
    c = Corpus.open(tmp_corpus)
    assert "Gas Proxy Function" in c.load("6.17").get("G3.20(b)").text
    g = _g_with(c, "6.17", "Gas Proxy Function", "Gas Proxy Capability")
    src = Source("seed-099", "sources/new.txt", "A new paper", "2021-05-05")
    with c.transaction() as tx:
        tx.put_section("6.17", g, source=src)
    assert "Gas Proxy Capability" in c.load("6.17").get("G3.20(b)").text  # no stale cached copy
    again = Corpus.open(tmp_corpus)
    assert again.sources["seed-099"] == src
    assert "Gas Proxy Capability" in again.load("6.17").get("G3.20(b)").text
    assert hidden(tmp_corpus) == []
    with again.transaction() as tx:  # the same id again updates it
        tx.put_section("6.17", g, source=Source("seed-099", "sources/new.txt", "Renamed"))
    assert Corpus.open(tmp_corpus).sources["seed-099"].title == "Renamed"
    assert (tmp_corpus / "manifest.xml").read_text().count('id="seed-099"') == 1


def test_add_version_by_id_then_its_sections(tmp_corpus):
    c = Corpus.open(tmp_corpus)
    g = _g_with(c, "6.17", "Gas Proxy Function", "Gas Proxy Capability")
    with c.transaction() as tx:
        tx.add_version("7.0", predecessor="6.17")
        tx.put_section("7.0", g)
        tx.add_version("7.1", predecessor="7.0", modifications=("MP087",))
        tx.put_section("7.1", g)
    assert c.version_ids[-2:] == ["7.0", "7.1"]
    assert "Gas Proxy Capability" in Corpus.open(tmp_corpus).load("7.1").get("G3.20(b)").text


@pytest.mark.parametrize("body, error", [
    (lambda tx, c: tx.add_version("7.0", predecessor="6.17"), "version 7.0 has no section"),
    (lambda tx, c: tx.add_version(c.load("6.17").copy("6.17"), predecessor="5.23"), "version 6.17 already exists"),
    (lambda tx, c: tx.add_version(c.load("6.17").copy("x"), predecessor="9.9"), "unknown version '9.9'"),
    (lambda tx, c: tx.add_version("bad id"), "is not a version id"),
    (lambda tx, c: tx.put_section("9.9", c.load("6.17").sections["G"]), "unknown version '9.9'"),
    (lambda tx, c: tx.put_section("6.17", _broken(c)), "does not match the corpus schema"),
    (lambda tx, c: (tx.add_version(c.load("6.17").copy("7.0"), "6.17"), 1 / 0), "division by zero"),
])
def test_a_failed_transaction_changes_nothing(tmp_corpus, body, error):
    before = snapshot(tmp_corpus)
    c = Corpus.open(tmp_corpus)
    with pytest.raises((CorpusError, UnknownVersion, ZeroDivisionError), match=error):
        with c.transaction() as tx:
            body(tx, c)
    assert snapshot(tmp_corpus) == before


def _broken(c):
    root = copy.deepcopy(c.load("6.17").sections["G"])
    root.find(".//clause").set("oops", "1")
    return root


def test_an_empty_transaction_writes_nothing(tmp_corpus):
    before = snapshot(tmp_corpus)
    with Corpus.open(tmp_corpus).transaction():
        pass
    assert snapshot(tmp_corpus) == before


def test_a_stale_corpus_object_does_not_lose_another_writers_version(tmp_corpus):
    first, second = Corpus.open(tmp_corpus), Corpus.open(tmp_corpus)  # both read the manifest now
    first.save_version(first.load("6.17").copy("a"), "6.17")
    second.save_version(second.load("6.17").copy("b"), "6.17")  # re-reads the manifest under the lock
    assert Corpus.open(tmp_corpus).version_ids[-2:] == ["a", "b"]
    with pytest.raises(CorpusError, match="version a already exists"):
        second.save_version(second.load("6.17").copy("a"), "6.17")


def test_a_version_made_from_one_another_writer_changed_meanwhile_is_refused(tmp_corpus):
    slow, fast = Corpus.open(tmp_corpus), Corpus.open(tmp_corpus)
    made = slow.load("6.17").copy("6.18")  # the slow writer works from 6.17 as it was
    with fast.transaction() as tx:  # meanwhile another writer rewrites Section G of 6.17
        tx.put_section("6.17", _g_with(fast, "6.17", "Gas Proxy Function", "Gas Proxy Capability"))
    before = snapshot(tmp_corpus)
    with pytest.raises(CorpusError, match=r"version 6.17 changed while this command was working from it "
                                          r"\(its Section G was rewritten\); nothing was written"):
        slow.save_version(made, "6.17")
    assert snapshot(tmp_corpus) == before
    fresh = Corpus.open(tmp_corpus)  # working from the version as it is now succeeds
    fresh.save_version(fresh.load("6.17").copy("6.18"), "6.17")
    assert "Gas Proxy Capability" in Corpus.open(tmp_corpus).load("6.18").get("G3.20(b)").text


def test_a_held_lock_makes_a_writer_wait_then_give_up(tmp_corpus, invoke, monkeypatch):
    lock = CorpusLock(tmp_corpus).acquire()
    try:
        with pytest.raises(CorpusBusy, match="another redline process is writing to this corpus"):
            with Corpus.open(tmp_corpus).transaction(timeout=0.2):
                pass
        monkeypatch.setenv("REDLINE_LOCK_TIMEOUT", "0.1")
        r = invoke("apply", "MP087", "--as", "x", "--corpus", tmp_corpus)
        assert r.exit_code == 1 and "did not finish within 0.1 s" in r.output
    finally:
        lock.release()
    assert invoke("apply", "MP087", "--as", "x", "--corpus", tmp_corpus).exit_code == 0


def test_duplicate_section_in_a_version_is_refused(tmp_corpus, invoke):
    m = tmp_corpus / "manifest.xml"
    text = m.read_text("utf-8")
    m.write_text(text.replace('<file section="G" path="versions/6.17/G.xml"/>',
                              '<file section="G" path="versions/6.17/G.xml"/>\n'
                              '    <file section="G" path="versions/5.23/G.xml"/>'), "utf-8")
    r = invoke("versions", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    assert f"Error: {m}:21: version 6.17 lists section G twice (first at line 20)" in r.output


def test_the_modification_attribute_of_older_manifests_is_read(tmp_corpus):
    m = tmp_corpus / "manifest.xml"
    m.write_text(m.read_text("utf-8").replace('<version id="6.17" predecessor="5.23">',
                                              '<version id="6.17" predecessor="5.23" modification="SECMP0065">'))
    assert Corpus.open(tmp_corpus).info("6.17").modifications == ("SECMP0065",)


def test_apply_as_keeps_comments_and_makes_an_ordinary_directory(invoke, tmp_corpus):
    m = tmp_corpus / "manifest.xml"
    assert "<!-- The versions of the code" in m.read_text()
    assert invoke("apply", "MP087", "--as", "6.17-mp087", "--corpus", tmp_corpus).exit_code == 0
    assert "<!-- The versions of the code" in m.read_text()
    assert stat.S_IMODE((tmp_corpus / "versions/6.17-mp087").stat().st_mode) == 0o777 & ~_umask()
    r = invoke("versions", "--format", "json", "--corpus", tmp_corpus)
    row = json.loads(r.output)["versions"][-1]
    assert row["modifications"] == ["MP087"] and row["modification"] == "MP087"


# ---------------------------------------------------------------------------------------------
# recovery


def test_leftovers_of_the_earlier_writer_are_removed_and_the_id_reused(tmp_corpus, invoke):
    """What ``kill -9`` during ``apply --as`` left before this module: hidden staging directories
    and manifest temporaries, never cleaned up, and the id then refused."""
    stale = tmp_corpus / "versions/.k1.abcd_123"
    stale.mkdir()
    (stale / "G.xml").write_bytes(b"half a section")
    (tmp_corpus / ".manifest.xml.x1y2z3w4.tmp").write_bytes(b"<corpus")
    r = invoke("apply", "MP087", "--as", "k1", "--corpus", tmp_corpus)
    assert r.exit_code == 0, r.output
    assert hidden(tmp_corpus) == []


def test_an_uncommitted_journal_is_undone(tmp_corpus):
    """A writer killed after renaming its version directory into place but before replacing the
    manifest: the next writer takes the directory back, and the id is free again."""
    before = snapshot(tmp_corpus)
    staged = tmp_corpus / "versions/.k2.0000abcd.redline-tmp"
    staged.mkdir()
    (staged / "G.xml").write_bytes((tmp_corpus / "versions/6.17/G.xml").read_bytes())
    os.rename(staged, tmp_corpus / "versions/k2")
    manifest = tmp_corpus / "manifest.xml"
    backup = tmp_corpus / ".manifest.xml.0000abcd.redline-old"
    os.link(manifest, backup)
    (tmp_corpus / JOURNAL).write_text(json.dumps({
        "format": 1, "manifest_old": "0" * 64, "manifest_new": "1" * 64,
        "items": [{"create": "versions/k2", "staged": "versions/.k2.0000abcd.redline-tmp"},
                  {"replace": "manifest.xml", "staged": ".manifest.xml.1111abcd.redline-tmp",
                   "backup": ".manifest.xml.0000abcd.redline-old"}]}))
    assert recover(tmp_corpus) == ["undid an interrupted write that had not committed"]
    assert snapshot(tmp_corpus) == before
    c = Corpus.open(tmp_corpus)
    c.save_version(c.load("6.17").copy("k2"), "6.17")
    assert "k2" in Corpus.open(tmp_corpus).version_ids


def test_an_uncommitted_source_document_is_taken_back(tmp_corpus):
    before = snapshot(tmp_corpus)
    (tmp_corpus / "sources/G.docx").write_bytes(b"a document the interrupted import wrote")
    (tmp_corpus / JOURNAL).write_text(json.dumps({
        "format": 1, "manifest_old": "0" * 64, "manifest_new": "1" * 64,
        "items": [{"create": "sources/G.docx", "staged": "sources/.G.docx.0000abcd.redline-tmp"}]}))
    recover(tmp_corpus)
    assert snapshot(tmp_corpus) == before


def test_a_committed_journal_is_finished(tmp_corpus):
    import hashlib

    c = Corpus.open(tmp_corpus)
    c.save_version(c.load("6.17").copy("k3"), "6.17")
    after = snapshot(tmp_corpus)
    new = hashlib.sha256((tmp_corpus / "manifest.xml").read_bytes()).hexdigest()
    (tmp_corpus / ".manifest.xml.0000abcd.redline-old").write_bytes(b"the old manifest")
    (tmp_corpus / JOURNAL).write_text(json.dumps({
        "format": 1, "manifest_old": "0" * 64, "manifest_new": new,
        "items": [{"create": "versions/k3", "staged": "versions/.k3.0000abcd.redline-tmp"},
                  {"replace": "manifest.xml", "staged": ".manifest.xml.1111abcd.redline-tmp",
                   "backup": ".manifest.xml.0000abcd.redline-old"}]}))
    assert recover(tmp_corpus) == ["finished an interrupted write that had committed"]
    assert snapshot(tmp_corpus) == after


@pytest.mark.parametrize("item", [
    {"create": "../outside", "staged": "versions/.x.0000abcd.redline-tmp"},
    {"create": "mods/MP087.xml", "staged": "versions/.x.0000abcd.redline-tmp"},
    {"replace": "manifest.xml", "staged": "manifest.xml", "backup": ".m.0000abcd.redline-old"},
])
def test_a_journal_redline_did_not_write_is_not_obeyed(tmp_corpus, item):
    (tmp_corpus / JOURNAL).write_text(json.dumps({"format": 1, "manifest_old": "0", "manifest_new": "1",
                                                  "items": [item]}))
    before = snapshot(tmp_corpus)
    with pytest.raises(CorpusError, match="the journal of an interrupted write cannot be read"):
        recover(tmp_corpus)
    assert snapshot(tmp_corpus) == before


def test_a_directory_the_manifest_does_not_list_is_left_alone(tmp_corpus, invoke):
    mine = tmp_corpus / "versions/draft"
    mine.mkdir()
    (mine / "G.xml").write_text("my own work")
    r = invoke("apply", "MP087", "--as", "draft", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    assert ("versions/draft: exists, but the manifest does not list version draft (it was not made by this "
            "redline): move it away, or choose another id") in r.output
    assert (mine / "G.xml").read_text() == "my own work"
