"""The diff's cheap screens (bounds before diff-match-patch, identity-shared addresses) change nothing.

The optimised pairing is compared with a brute-force one (every candidate pair diffed in full,
no bound) on small generated corpora; the bounds are checked as properties.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import generate
from redline import diff as diffmod
from redline import textdiff
from redline.corpus import Corpus
from redline.model import Version
from redline.textdiff import lcs_similarity, quick_similarity, similarity


@pytest.fixture(scope="module", params=[3, 11])
def corpus(request, tmp_path_factory):
    root = generate.generate(200, seed=request.param, out=tmp_path_factory.mktemp("pairing"), peers=False)
    return Corpus.open(root)


def _brute_similarity(old, new, timeout=textdiff.DIFF_TIMEOUT, floor=0.0):
    return similarity(old, new, timeout)  # no floor: always the full diff


@pytest.mark.parametrize("a,b", [("1.0", "1.1"), ("1.1", "1.2"), ("1.0", "1.2"), ("1.2", "1.0")])
def test_pairing_matches_brute_force(corpus, a, b, monkeypatch):
    old, new = corpus.load(a), corpus.load(b)
    fast = diffmod.diff_versions(old, new)
    assert fast.changes, "the generated versions should differ"
    monkeypatch.setattr(diffmod, "similarity", _brute_similarity)
    monkeypatch.setattr(diffmod, "_move_bound", lambda *a: 1.0)  # no screen: every candidate compared
    monkeypatch.setattr(diffmod, "_kept_ends", lambda a, b: 0.0)  # no shortcut: every amendment compared
    monkeypatch.setattr(diffmod, "lcs_similarity", lambda a, b: similarity(a, b))
    monkeypatch.setattr(diffmod, "_same_xml", lambda x, y: False)
    # without the loader's clause digests, so that no clause is skipped as byte-identical
    slow = diffmod.diff_versions(Version(old.id, old.sections, old.code), Version(new.id, new.sections, new.code))
    assert fast == slow
    assert fast.pairs == slow.pairs


_CLAUSE_WORDS = st.lists(st.sampled_from(["the", "Party", "shall", "G3.18(a)", ",", ".", "DCC", "of"]),
                         max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_CLAUSE_WORDS, _CLAUSE_WORDS)
def test_pairing_screens_bound_similarity(a, b):
    """_kept_ends is a lower bound of similarity, _move_bound an upper bound (exact screens)."""
    sim = similarity(a, b)
    assert diffmod._kept_ends(a, b) <= sim + 1e-12
    ca, cb = textdiff.word_counts(a), textdiff.word_counts(b)
    assert diffmod._move_bound(ca, cb, ca.total(), cb.total()) >= sim - 1e-12


def test_pairing_within_a_part_matches_whole(corpus):
    old, new = corpus.load("1.0"), corpus.load("1.1")
    whole = diffmod.diff_versions(old, new)
    sec = next(iter(new.sections))
    part = diffmod.diff_versions(old, new, within=sec)
    assert [c for c in whole.changes if c.address.section == sec] == list(part.changes)


_WORDS = st.lists(st.sampled_from(["the", "Party", "shall", "G3.18(a)", ",", ".", "DCC", "of", "(", ")", "may"]),
                  max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_WORDS, _WORDS)
def test_similarity_is_word_lcs_and_bounds_hold(a, b):
    """similarity is exactly 2 * LCS(words) / all words (a plain dynamic programme here); the
    cheap screen is an upper bound of it, and a floor never changes a result that reaches it."""
    wa = [t for t in textdiff.tokenize(a) if not t.isspace()]
    wb = [t for t in textdiff.tokenize(b) if not t.isspace()]
    prev = [0] * (len(wb) + 1)
    for x in wa:
        cur = [0]
        for j, y in enumerate(wb):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    total = len(wa) + len(wb)
    expected = 2 * prev[-1] / total if total else 1.0
    sim = similarity(a, b)
    assert sim == pytest.approx(expected) or a == b
    assert sim == lcs_similarity(a, b) or a == b
    assert lcs_similarity(a, b) <= quick_similarity(a, b) + 1e-12
    floored = similarity(a, b, floor=0.5)
    assert floored == sim if sim >= 0.5 else floored < 0.5


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abcd"), max_size=25), st.lists(st.sampled_from("abcd"), max_size=25))
def test_lcs_length_exact(a, b):
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    assert textdiff._lcs_length(a, b) == prev[-1]


def _duplicate(root, tag, attr):
    """Give the second of two sibling ``tag`` elements the first one's ``attr``; False if none."""
    for parent in root.iter():
        kids = [k for k in parent if k.tag == tag]
        if len(kids) >= 2:
            kids[1].set(attr, kids[0].get(attr))
            return True
    return False


def _repeat_errors(root, letter) -> tuple[str | None, str | None]:
    """What validate.check_section and the address index of a tree read from a file say of it."""
    from redline.errors import CorpusError
    from redline.validate import check_section

    out = []
    for check in (lambda: check_section(root, letter),
                  lambda: Version("x", {letter: root}, files={letter: letter}).section_index(letter)):
        try:
            check()
            out.append(None)
        except CorpusError as exc:
            out.append(str(exc))
    return out[0], out[1]


@pytest.mark.parametrize("tag,attr", [("item", "num"), ("definition", "term"), ("clause", "num")])
def test_the_check_and_the_index_refuse_the_same_repeats(corpus, tag, attr):
    from lxml import etree

    version = corpus.load("1.0")
    hit = False
    for letter, root in version.sections.items():
        mine = etree.fromstring(etree.tostring(root))
        assert _repeat_errors(mine, letter) == (None, None)
        if not _duplicate(mine, tag, attr):
            continue
        hit = True
        checked, indexed = _repeat_errors(mine, letter)
        assert "appears twice" in checked and checked == indexed
    if not hit:
        pytest.skip(f"no sibling {tag}s in the generated corpus")


_SECTION = """<section num="A"><part num="A1"><clause num="A1.1"><text>x</text>
<definition term="Party"><text>p</text><item num="(a)"><text>a</text></item></definition>
<item num="(a)"><text>a</text><definition term="{t1}"><text>q</text></definition></item>
<item num="(b)"><text>b</text><item num="(i)"><text>i</text></item><item num="{n}"><text>j</text></item>
<definition term="{t2}"><text>r</text></definition></item></clause>
<crossheading heading="H"><clause num="A1.2"><text>y</text><item num="(a)"><text>a</text></item></clause>
<clause num="{c}"><text>z</text></clause></crossheading></part></section>"""


@pytest.mark.parametrize("t1,t2,n,c,dup", [
    ("Code", "User", "(ii)", "A1.3", None),
    ("Party", "User", "(ii)", "A1.3", "Party"),  # the same term twice in one clause, at other depths
    ("Code", "Code", "(ii)", "A1.3", "Code"),
    ("Code", "User", "(i)", "A1.3", "(i)"),
    ("Code", "User", "(ii)", "A1.2", "A1.2"),
])
def test_the_check_and_the_index_refuse_the_same_repeats_handmade(t1, t2, n, c, dup):
    from lxml import etree

    root = etree.fromstring(_SECTION.format(t1=t1, t2=t2, n=n, c=c))
    checked, indexed = _repeat_errors(root, "A")
    if dup is None:
        assert checked is indexed is None
    else:
        assert checked == indexed and dup in checked and "appears twice" in checked


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab G3.18(a)1,0 \n\t'’-+:;\"é")), max_size=60))
def test_word_tokens_are_the_tokens_without_whitespace(text):
    assert textdiff.word_tokens(text) == tuple(t for t in textdiff.tokenize(text) if not t.isspace())


def test_one_address_scheme(corpus):
    """Every address of the index is what element_address gives for its element, and what
    child_address gives from its parent's (bundled and generated corpora)."""
    from redline.model import child_address, element_address
    from tests.conftest import CORPUS

    bundled = Corpus.open(CORPUS)
    checked = 0
    for v in [corpus.load("1.0"), *(bundled.load(x) for x in bundled.version_ids)]:
        for addr, el in v.index.items():
            assert element_address(el) == addr
            if el.tag in ("item", "definition"):
                parent = el.getparent()
                assert child_address(element_address(parent), el) == addr
                checked += 1
    assert checked > 500


def test_identical_subtrees_diff_as_the_full_diff(corpus):
    """diff_node's byte-identical shortcut gives exactly what the full word diff gives, also for
    a clause paired at another address (renumbered: old and new addresses differ)."""
    from redline.model import Node

    v = corpus.load("1.0")
    clauses = [c for c in v.clauses() if c.children][:40]
    for a, b in zip(clauses, clauses[1:] + clauses[:1]):
        fast = diffmod.diff_node(Node(a.element, a.address), Node(a.element, b.address))
        orig = diffmod._same_xml
        try:
            diffmod._same_xml = lambda x, y: False
            slow = diffmod.diff_node(Node(a.element, a.address), Node(a.element, b.address))
        finally:
            diffmod._same_xml = orig
        assert fast == slow and not fast.changed


@pytest.fixture(scope="module")
def sections(tmp_path_factory):
    """A generated code of several sections (the smallest size holds Section G alone)."""
    return Corpus.open(generate.generate(1000, seed=7, out=tmp_path_factory.mktemp("sections"), peers=False))


def test_sections_shared_by_a_derived_version_are_not_walked_but_paired(sections):
    """A diff against a derived version (sections shared with the base) equals the diff of the same
    content in unshared trees: changes, headings, coverage and every pair."""
    from redline.apply import apply_modification
    from redline.mods import load_modification

    base = sections.load("1.0")
    for mod_id in ("BM001", "BM002", "BM003", "BM010"):
        result = apply_modification(base, load_modification(sections, mod_id))
        new = result.version
        assert any(new.is_shared(k) for k in new.sections)
        for amap in (None, result.address_map):
            fast = diffmod.diff_versions(base, new, address_map=amap)
            slow = diffmod.diff_versions(base, new, address_map=amap, _skip=False)
            assert fast == slow and fast.pairs == slow.pairs
            assert fast.changes


def test_a_clause_paired_across_sections_falls_back_to_the_whole_walk(sections):
    base = sections.load("1.0")
    new = base.derive("x")
    letters = list(new.sections)
    a, b = letters[0], letters[-1]
    # move the first clause of section a to the end of section b's last part, renumbered there
    sa, sb = new.own(a), new.own(b)
    clause = next(sa.iter("clause"))
    part_b = list(sb.iter("part"))[-1]
    last = list(part_b.iter("clause"))[-1]
    moved = __import__("copy").deepcopy(clause)
    moved.set("num", f"{part_b.get('num')}.{int(last.get('num').split('.')[1]) + 1}")
    clause.getparent().remove(clause)
    part_b.append(moved)
    new.reindex(a, b)
    fast = diffmod.diff_versions(base, new)
    slow = diffmod.diff_versions(base, new, _skip=False)
    assert fast == slow and fast.pairs == slow.pairs
    assert any(c.kind == diffmod.ChangeKind.MOVED for c in fast.changes)


@pytest.mark.parametrize("a,b", [("1.0", "1.1"), ("1.1", "1.2"), ("1.0", "1.2"), ("1.2", "1.0"), ("1.0", "1.0")])
def test_settled_parts_skipped_give_the_same_diff(sections, a, b):
    """Between two loaded versions, parts whose bytes are identical are not walked: the diff
    (changes, headings, coverage, every pair) equals the full walk, also within one section."""
    old, new = sections.load(a), sections.load(b)
    _, parts, nums = diffmod._settled(old, new)
    if (a, b) == ("1.0", "1.1"):
        assert parts and nums  # at 1% of clauses changed, many parts are untouched
    fast = diffmod.diff_versions(old, new)
    slow = diffmod.diff_versions(old, new, _skip=False)
    assert fast == slow and fast.pairs == slow.pairs
    letter = sorted(new.sections)[len(new.sections) // 2]
    assert diffmod.diff_versions(old, new, within=letter) == diffmod.diff_versions(old, new, within=letter, _skip=False)


def test_a_part_heading_change_unsettles_the_part(sections):
    """A part whose clauses are untouched but whose heading changed is walked (its start tag lies
    in the piece before its first clause), so the heading change is reported."""
    old = sections.load("1.0")
    new = old.copy("x")
    letter = sorted(new.sections)[1]
    part = list(new.sections[letter].iter("part"))[2]
    part.set("heading", part.get("heading") + " and More")
    # the copy holds no digests; give both sides digests of their own serialised bytes
    from redline.corpus import _CLAUSE_START, _aligned, piece_digests
    from redline.validate import check_outline
    from redline.xmlsafe import parse_bytes, serialise

    def reread(v, vid):
        secs, digs = {}, {}
        for k, root in v.sections.items():
            data = serialise(root)
            r = parse_bytes(data, k, element_only=True).getroot()
            cuts = data.split(_CLAUSE_START)
            assert _aligned(cuts, check_outline(r, k))
            secs[k], digs[k] = r, piece_digests(cuts)
        return Version(vid, secs, v.code, digests=digs)

    o, n = reread(old, "o"), reread(new, "n")
    assert part.get("num") not in diffmod._settled(o, n)[1]
    got = diffmod.diff_versions(o, n)
    assert [h.part for h in got.headings] == [diffmod.Address(letter, part.get("num"))]
    assert got == diffmod.diff_versions(o, n, _skip=False)
