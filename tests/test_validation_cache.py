"""The validation cache (a file is schema-checked once per exact content; a marker, stale or
planted, only ever skips the schema: the invariants are checked on every load) and the clause
digests the loader records for the diff (byte-identical clauses are skipped without
serialising them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from redline import corpus as corpus_mod
from redline import diff as diffmod
from redline import validate as validate_mod
from redline.corpus import _CLAUSE_START, Corpus, _aligned, piece_digests
from redline.errors import CorpusError
from redline.model import Version
from redline.validate import ValidationCache, check_outline
from redline.xmlsafe import parse_bytes


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(d))
    return d


@pytest.fixture
def count_validations(monkeypatch):
    calls: list[str] = []
    real = corpus_mod.check_schema

    def counting(tree, name, file):
        if name == "corpus":
            calls.append(Path(file).name)
        return real(tree, name, file)

    monkeypatch.setattr(corpus_mod, "check_schema", counting)
    return calls


def _files(root: Path, vid: str) -> list[Path]:
    return sorted((root / "versions" / vid).glob("*.xml"))


def test_second_load_skips_validation(tmp_corpus, cache_dir, count_validations):
    Corpus.open(tmp_corpus).load("6.17")
    assert count_validations == ["G.xml"]
    assert sum(1 for p in cache_dir.rglob("*") if p.is_file()) == 1
    Corpus.open(tmp_corpus).load("6.17")
    assert count_validations == ["G.xml"], "the same bytes were validated again"


def test_edited_file_is_validated_again(tmp_corpus, cache_dir, count_validations):
    Corpus.open(tmp_corpus).load("6.17")
    path = _files(tmp_corpus, "6.17")[0]
    path.write_bytes(path.read_bytes().replace(b"</section>", b"</section>\n"))
    Corpus.open(tmp_corpus).load("6.17")
    assert count_validations == ["G.xml", "G.xml"]


def test_invalid_file_is_never_recorded(tmp_corpus, cache_dir):
    path = _files(tmp_corpus, "6.17")[0]
    path.write_bytes(path.read_bytes().replace(b'coverage="partial"', b'coverage="some"', 1))
    for _ in range(2):  # refused every time: a failure is not cached
        with pytest.raises(CorpusError, match="schema"):
            Corpus.open(tmp_corpus).load("6.17")
    assert not cache_dir.exists() or not any(p.is_file() for p in cache_dir.rglob("*"))


def test_duplicate_address_is_never_recorded(tmp_corpus, cache_dir):
    """What the schema cannot see (an address twice) is refused too, and never recorded."""
    path = _files(tmp_corpus, "6.17")[0]
    data = path.read_bytes()
    start = data.index(b'<clause num="G1.2"')
    end = data.index(b"</clause>", start) + len(b"</clause>")
    path.write_bytes(data[:end] + data[start:end] + data[end:])
    for _ in range(2):
        with pytest.raises(CorpusError, match="twice"):
            Corpus.open(tmp_corpus).load("6.17")


def test_validator_change_invalidates(tmp_corpus, cache_dir, count_validations, monkeypatch):
    Corpus.open(tmp_corpus).load("6.17")
    monkeypatch.setattr(validate_mod, "validator_fingerprint", lambda: b"another schema")
    Corpus.open(tmp_corpus).load("6.17")
    assert count_validations == ["G.xml", "G.xml"]


@pytest.mark.parametrize("value", ["off", ""])
def test_cache_can_be_turned_off(tmp_corpus, monkeypatch, count_validations, value):
    monkeypatch.setenv("REDLINE_CACHE_DIR", value)
    assert ValidationCache.default() is None
    for _ in range(2):
        Corpus.open(tmp_corpus).load("6.17")
    assert count_validations == ["G.xml", "G.xml"]


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.delenv("REDLINE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert ValidationCache.default().directory == tmp_path / "redline" / "validated"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_cache_still_loads(tmp_corpus, tmp_path, monkeypatch, count_validations):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(ro))
    try:
        for _ in range(2):
            Corpus.open(tmp_corpus).load("6.17")
    finally:
        ro.chmod(0o700)
    assert count_validations == ["G.xml", "G.xml"]


def test_cache_that_is_a_file_still_loads(tmp_corpus, tmp_path, monkeypatch, count_validations):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(blocker))
    for _ in range(2):
        Corpus.open(tmp_corpus).load("6.17")
    assert count_validations == ["G.xml", "G.xml"]


def test_validate_command_ignores_the_cache(tmp_corpus, cache_dir, count_validations, invoke):
    Corpus.open(tmp_corpus).load("6.17")
    r = invoke("validate", "--corpus", tmp_corpus)
    assert r.exit_code == 0, r.output
    assert count_validations.count("G.xml") == 1 + len(Corpus.open(tmp_corpus).versions)


def test_cache_is_outside_the_corpus(tmp_corpus, cache_dir):
    before = sorted(p.relative_to(tmp_corpus) for p in tmp_corpus.rglob("*"))
    Corpus.open(tmp_corpus).load("6.17")
    assert sorted(p.relative_to(tmp_corpus) for p in tmp_corpus.rglob("*")) == before


# --- clause digests --------------------------------------------------------------------------------

_SECTION = b"""<?xml version="1.0" encoding="UTF-8"?>
<section num="G" coverage="complete">
  <part num="G1" coverage="complete">
    %s
    <clause num="G1.1"><text>One.</text></clause>
    <clause num="G1.2"><text>Two.</text></clause>
  </part>
</section>
"""


def clause_digests(data, root):
    """(root, the clauses' digests), as the loader gives them to the Version (None if the bytes
    and the tree disagree)."""
    cuts = data.split(_CLAUSE_START)
    if not _aligned(cuts, check_outline(root, "G.xml")):
        return None
    return root, piece_digests(cuts)[1:]


def test_digests_follow_the_clauses():
    data = _SECTION % b""
    root = parse_bytes(data, "G.xml").getroot()
    got = clause_digests(data, root)
    assert got is not None and got[0] is root and len(got[1]) == 2
    same = clause_digests(data, parse_bytes(data, "G.xml").getroot())[1]
    assert same == got[1]
    edited = data.replace(b"Two.", b"Two!")
    assert clause_digests(edited, parse_bytes(edited, "G.xml").getroot())[1][0] == got[1][0]
    assert clause_digests(edited, parse_bytes(edited, "G.xml").getroot())[1][1] != got[1][1]


@pytest.mark.parametrize("extra,edit", [
    (b"<!-- <clause num='G1.0'> -->", None),  # a clause tag in a comment: one cut too many
    (b"", (b'<clause num="G1.2">', b'<clause\n num="G1.2">')),  # a start tag not cut at: one too few
    (b"<!-- <clause num='G1.0'> -->", (b'<clause num="G1.2">', b'<clause\n num="G1.2">')),  # counts agree
    (b"", (b'<clause num="G1.2">', b'<clause  num="G1.2">')),  # cut, but not where the number is
])
def test_digests_refused_when_bytes_and_tree_disagree(extra, edit):
    data = _SECTION % extra
    if edit:
        data = data.replace(*edit)
    root = parse_bytes(data, "G.xml").getroot()
    assert clause_digests(data, root) is None


def test_cache_key_covers_every_byte():
    data = _SECTION % b""
    cache = ValidationCache(Path("/nonexistent"))
    key = cache.key(piece_digests(data.split(_CLAUSE_START)))
    for i in range(0, len(data), 7):
        changed = data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]
        assert cache.key(piece_digests(changed.split(_CLAUSE_START))) != key, i


def test_digests_dropped_when_the_tree_changes():
    data = _SECTION % b""
    root = parse_bytes(data, "G.xml").getroot()
    cuts = data.split(_CLAUSE_START)
    v = Version("1", {"G": root}, digests={"G": piece_digests(cuts)})
    assert len(v.piece_digests("G")) == 3 and v.piece_digests("G")[1:] == v.clause_digests("G")
    assert v.clause_digests("G") is not None
    d = v.derive("2")
    assert d.clause_digests("G") is not None  # still the very tree read
    d.own("G")
    assert d.clause_digests("G") is None  # a copy: the bytes no longer describe it
    assert v.clause_digests("G") is not None
    assert v.copy().clause_digests("G") is None
    v.reindex("G")  # an in-place change is announced by reindex
    assert v.clause_digests("G") is None


def test_diff_with_digests_equals_diff_without(tmp_path):
    """The digests only skip work: the diff of loaded versions is the same without them."""
    from bench import generate

    root = generate.generate(200, seed=5, out=tmp_path / "gen", peers=False)
    c = Corpus.open(root)
    old, new = c.load("1.0"), c.load("1.1")
    assert old.clause_digests(next(iter(old.sections))) is not None
    fast = diffmod.diff_versions(old, new)
    bare_old = Version(old.id, old.sections, old.code)
    bare_new = Version(new.id, new.sections, new.code)
    slow = diffmod.diff_versions(bare_old, bare_new)
    assert fast.changes and fast == slow and fast.pairs == slow.pairs


def test_atomic_write_of_chunks_is_all_or_nothing(tmp_path):
    from redline.corpus import atomic_write

    target = tmp_path / "out.txt"
    atomic_write(target, iter([b"one ", b"two"]))
    assert target.read_bytes() == b"one two"

    def failing():
        yield b"partial"
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(target, failing())
    assert target.read_bytes() == b"one two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left


def test_atomic_write_many_replaces_none_when_one_fails(tmp_path, monkeypatch):
    from redline import corpus as corpus_mod

    (tmp_path / "A.xml").write_bytes(b"old A")
    (tmp_path / "G.xml").write_bytes(b"old G")
    corpus_mod.atomic_write_many(tmp_path, {"A.xml": b"new A", "G.xml": b"new G"})
    assert (tmp_path / "A.xml").read_bytes() == b"new A" and (tmp_path / "G.xml").read_bytes() == b"new G"

    from redline.errors import FileError

    real = os.write
    calls = {"n": 0}

    def second_fails(fd, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", second_fails)
    with pytest.raises(FileError, match="no space left"):
        corpus_mod.atomic_write_many(tmp_path, {"A.xml": b"newer A", "G.xml": b"newer G"})
    assert (tmp_path / "A.xml").read_bytes() == b"new A"  # the first file was not replaced either
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.xml", "G.xml"]


# --- a marker only skips the schema -----------------------------------------------------------------

def _plant(cache_dir: Path, path: Path) -> None:
    """Record ``path``'s current bytes as validated, as a stale or planted marker would."""
    data = path.read_bytes()
    cache = ValidationCache(cache_dir / "validated")
    cache.record(cache.key(piece_digests(data.split(_CLAUSE_START))))


def _edit(path: Path, old: bytes, new: bytes, count: int = 1) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, count))


_BROKEN = {
    # G3.21 renumbered G3.20: two clauses G3.20 (show printed the second one's words)
    "two clauses one number": ((b'<clause num="G3.21"', b'<clause num="G3.20"'), "G3.20 appears twice"),
    "a clause without a number": ((b'<clause num="G3.21"', b"<clause"), "has no number"),
    "a clause number of no kind": ((b'<clause num="G3.21"', b'<clause num=""'), "is not a clause number"),
    "a clause filed in another part": ((b'<clause num="G3.21"', b'<clause num="G4.21"'), "filed under G3"),
    "numbers out of sequence": ((b'<clause num="G3.21"', b'<clause num="G3.2"'), "out of sequence"),
    "a part of another section": ((b'<part num="G3"', b'<part num="H3"'), "not in section G"),
    "an item straight in a part": ((b'<crossheading', b'<item num="(z)"/><crossheading'), "cannot sit directly"),
}


@pytest.mark.parametrize("case", sorted(_BROKEN))
def test_a_planted_marker_never_loads_a_broken_file(tmp_corpus, cache_dir, invoke, case):
    (old, new), message = _BROKEN[case]
    path = tmp_corpus / "versions" / "6.17" / "G.xml"
    _edit(path, old, new)
    _plant(cache_dir, path)
    with pytest.raises(CorpusError, match=message) as exc:
        Corpus.open(tmp_corpus).load("6.17")
    assert str(path) in str(exc.value)
    r = invoke("show", "6.17", "G3.20", "--corpus", tmp_corpus)
    assert r.exit_code == 1 and r.output.startswith("Error: ") and message in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("old, new, message", [
    (b'<item num="(b)"', b"<item", "has no number"),
    (b'<item num="(b)"', b'<item num="(a)"', "appears twice"),
])
def test_a_planted_marker_never_lets_items_be_misread(tmp_corpus, cache_dir, invoke, old, new, message):
    """Below the clauses, the address index checks what the schema would have (every look-up by
    address goes through it): an error naming the file, never another item's words."""
    path = tmp_corpus / "versions" / "6.17" / "G.xml"
    data = path.read_bytes()
    at = data.index(b'<clause num="G3.20"')
    path.write_bytes(data[:at] + data[at:].replace(old, new, 1))
    _plant(cache_dir, path)
    for args in (("show", "6.17", "G3.20(a)"), ("show", "6.17", "G3.20"), ("xref", "6.17")):
        r = invoke(*args, "--corpus", tmp_corpus)
        assert r.exit_code == 1 and r.output.startswith("Error: "), (args, r.output)
        assert message in r.output and str(path) in r.output, r.output
