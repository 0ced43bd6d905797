"""Rebasing a modification onto another state of the code: the word merge, every outcome on a
planted history, the bundled corpus, and the property that rebasing commutes with the change it
is carried over (wherever the two do not touch)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from lxml import etree

from redline.apply import apply_modification
from redline.corpus import Corpus
from redline.history import version_step
from redline.model import Address, Version
from redline.mods import Modification, load_modification
from redline.ops import Amend, Delete, Insert, Move, Renumber, Substitute, operation_to_string
from redline.rebase import (
    ALREADY_MADE, AS_DRAFTED, BROKEN, CONFLICT, NEEDS_HUMAN, OBSOLETE, REBASED, brief_diff, merge_words,
    rebase_modification,
)

import release_scenario

# ---------------------------------------------------------------------------------------------
# the word merge


BASE = "The Panel shall publish the fixture assessment, and the fixture assessment shall be final."


def test_merge_far_apart_changes():
    theirs = BASE.replace("shall be final", "shall be final and binding")
    ours = BASE.replace("The Panel shall publish", "The Panel shall promptly publish")
    m = merge_words(BASE, theirs, ours)
    assert m.text == ("The Panel shall promptly publish the fixture assessment, and the fixture assessment "
                      "shall be final and binding.")


@pytest.mark.parametrize("theirs, ours", [
    ("shall be final and binding", "shall be conclusive"),  # an insertion right after the word changed
    ("shall be conclusive", "shall be final and binding"),  # the same, the other way round
    ("shall be finally", "shall be"),  # the same word changed by one, deleted by the other
    ("will be final", "shall remain final"),  # touching: no unchanged word between
])
def test_merge_touching_changes_clash_in_both_orders(theirs, ours):
    a, b = BASE.replace("shall be final", theirs), BASE.replace("shall be final", ours)
    assert merge_words(BASE, a, b).text is None
    assert merge_words(BASE, b, a).text is None


def test_merge_same_change_is_made():
    a = BASE.replace("final", "conclusive")
    assert merge_words(BASE, a, a).made
    both = a.replace("The Panel", "The Code Panel")
    assert merge_words(BASE, both, a).made  # ours is among their changes


def test_brief_diff_cuts_long_context():
    old = " ".join(f"word{i}" for i in range(40))
    new = old.replace("word20", "changed")
    out = brief_diff(old, new)
    assert out == "… word14 word15 word16 word17 word18 word19 [-word20-]{+changed+} word21 word22 word23 word24 word25 word26 …"


# ---------------------------------------------------------------------------------------------
# the bundled corpus


def test_mp087_onto_617_applies_as_drafted(corpus):
    mod = load_modification(corpus, "MP087")
    res = rebase_modification(mod, corpus.load("6.17"), [])
    assert res.status == AS_DRAFTED
    assert res.modification == mod
    assert "which forms part of a SMETS2+ Device" in res.applied.version.find("G3.20(b)").text


def test_secmp0065_onto_617_is_already_made(corpus):
    mod = load_modification(corpus, "SECMP0065")
    base, onto = corpus.load("5.23"), corpus.load("6.17")
    res = rebase_modification(mod, base, [version_step(base, onto)], onto)
    assert res.status == ALREADY_MADE
    (o,) = res.outcomes
    assert o.status == ALREADY_MADE and "G1.10" in o.message and "version 6.17" in o.message
    assert res.modification is None and not res.needs_human


def test_mp087_onto_a_version_that_has_it_is_already_made(corpus):
    """MP087's new words contain its old ones: made again, it would add them twice."""
    mod = load_modification(corpus, "MP087")
    base = corpus.load("6.17")
    made = apply_modification(base, mod, "6.18").version
    res = rebase_modification(mod, base, [version_step(base, made)], made)
    assert res.status == ALREADY_MADE


def test_a_modification_that_fails_at_its_base_is_broken(corpus):
    mod = load_modification(corpus, "MP087")
    bad = Modification("BAD", "t", "6.17", (Substitute(Address.parse("G3.20(b)"), "no such words", "x"),))
    res = rebase_modification(bad, corpus.load("6.17"), [])
    assert res.status == BROKEN and res.needs_human
    assert "does not apply to its base 6.17" in res.outcomes[0].message
    del mod


# ---------------------------------------------------------------------------------------------
# every outcome, planted


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return Corpus.open(release_scenario.build(tmp_path_factory.mktemp("scenario")))


def _alone(corpus, mod_id):
    mod = load_modification(corpus, mod_id)
    base, onto = corpus.load("1.0"), corpus.load("2.0")
    return mod, rebase_modification(mod, base, [version_step(base, onto, ("V2",))], onto)


@pytest.mark.parametrize("mod_id", [m for m in release_scenario.MODS if m != "RB7"])
def test_each_planted_modification_alone(scenario, mod_id):
    _, res = _alone(scenario, mod_id)
    assert res.status == release_scenario.MODS[mod_id][1], [o.message for o in res.outcomes]


def test_renumbered_target_is_followed(scenario):
    mod, res = _alone(scenario, "RB1")
    (o,) = res.outcomes
    assert o.status == REBASED
    assert o.message == "G8.4 renumbered G8.5 in version 2.0 (V2)"
    assert str(o.rebased.target) == "G8.5"
    assert res.applied.version.find("G8.5").text.endswith("the User shall correct it promptly.")


def test_deleted_target_is_obsolete(scenario):
    _, res = _alone(scenario, "RB2")
    assert res.outcomes[0].status == OBSOLETE
    assert res.outcomes[0].message == "its target G8.5 was deleted in version 2.0 (V2)"


def test_changed_words_are_a_conflict_with_the_diff(scenario):
    _, res = _alone(scenario, "RB3")
    (o,) = res.outcomes
    assert o.status == CONFLICT and o.culprit == "version 2.0 (V2)"
    assert "changed by version 2.0 (V2): … the fixture assessment shall be final {+and binding+}." in o.details


def test_old_words_updated_when_the_change_is_elsewhere(scenario):
    _, res = _alone(scenario, "RB9")
    (o,) = res.outcomes
    assert o.status == REBASED and o.message.startswith("old words updated")
    assert o.rebased.old.endswith("shall be final and binding.")
    assert res.applied.version.find("G8.3").text == (
        "The Panel shall promptly publish the fixture assessment, and the fixture assessment shall be final "
        "and binding.")


def test_same_change_is_already_made(scenario):
    _, res = _alone(scenario, "RB8")
    assert res.outcomes[0].status == ALREADY_MADE
    assert res.outcomes[0].message.endswith("in 2.0, since version 2.0 (V2)")


# ---------------------------------------------------------------------------------------------
# the property: rebasing commutes with the change it is carried over


WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
         "kilo", "lima")
#: the parts of the generated base and how many clauses each holds (G2 may be renumbered G3 whole)
PARTS = {"G1": 8, "G2": 3}
N_CLAUSES = PARTS["G1"]
#: clauses with items (a) to (c), whose words, deletion or a new item (d) at the end either side may make
WITH_ITEMS = ("G1.2", "G1.4", "G1.6")
#: what one side may do to a clause's place: nothing, renumber it (G1.3 as G1.3B), delete it,
#: insert a clause after it (G1.3A), or move it after a clause nobody touches (after G1.6 as G1.6M)
PLACE = ("none", "renumber", "delete", "insert", "move")


def _words_of(key: str) -> list[str]:
    """The words of clause ``key`` in the base: unique to the clause ("alpha13" … for G1.3)."""
    tag = key.replace("G", "").replace(".", "")
    return [f"{w}{tag}" for w in WORDS]


def _base() -> Version:
    sec = etree.Element("section", num="G", heading="Security", coverage="partial", source="s", evidence="printed")
    for p, n in PARTS.items():
        part = etree.SubElement(sec, "part", num=p, heading=f"Property {p}", coverage="complete")
        for c in range(1, n + 1):
            cl = etree.SubElement(part, "clause", num=f"{p}.{c}")
            etree.SubElement(cl, "text").text = " ".join(_words_of(f"{p}.{c}")) + "."
            if f"{p}.{c}" in WITH_ITEMS:
                for n in "abc":
                    it = etree.SubElement(cl, "item", num=f"({n})")
                    etree.SubElement(it, "text").text = " ".join(f"{w}{c}{n}" for w in WORDS[:6]) + ";"
    return Version("1.0", {"G": sec})


@st.composite
def _clause_plan(draw, key: str):
    """What X and M each do to one clause, so that the two never touch the same words or the
    same place: at most one of them changes the clause's place; both may change its words,
    in windows with unchanged words between (the first side in words 0-4, the other in 7-11);
    nobody changes the words of a clause one of them deletes. Each side's plan is (place,
    words window (start, length, how) or None, whether its words change comes first)."""
    who_places = draw(st.sampled_from(["none", "x", "m"]))
    place = draw(st.sampled_from(PLACE[1:])) if who_places != "none" else "none"
    if place == "move" and not key.startswith("G1"):
        place = "renumber"
    who_words = "none" if place == "delete" else draw(st.sampled_from(["none", "x", "m", "both"]))
    x_low = draw(st.booleans())
    plans = []
    for side in ("x", "m"):
        window = None
        if who_words in (side, "both"):
            region = range(0, 11) if who_words != "both" else range(0, 4) if (side == "x") == x_low else range(7, 11)
            window = (draw(st.sampled_from(region)), draw(st.integers(1, 2)), draw(st.integers(0, 4)))
        plans.append((place if who_places == side else "none", window, draw(st.booleans())))
    return tuple(plans)


@st.composite
def two_changes(draw):
    """Two modifications X and M of the generated base that do not overlap (see _clause_plan):
    word changes (substitute or whole-text amend: replace, delete, add words before or after),
    renumberings, deletions, insertions (with later changes to the inserted words), moves, the
    renumbering of a whole part, and items' words, deletions and a new last item, in any order, each side's later operations addressing
    what its earlier ones left (G2.3 is G3.3 once G2 is G3)."""
    keys = [f"{p}.{c}" for p, n in PARTS.items() for c in range(1, n + 1)]
    plans = {k: draw(_clause_plan(k)) for k in keys}
    quiet = [k for k in keys if k.startswith("G1") and plans[k][0][0] == plans[k][1][0] == "none"]
    who_renumbers_part = draw(st.sampled_from(["none", "x", "m"]))
    anchors_used: set[str] = set()
    items: dict[tuple[str, str], str] = {}  # (clause, item) -> the side that changes it
    seqs = {}
    for si, side in enumerate(("x", "m")):
        groups = []
        for k in keys:
            place, window, words_first = plans[k][si]
            group: list[tuple] = []
            if place == "move":
                anchors = [a for a in quiet if a != k and a not in anchors_used]
                if anchors:
                    anchor = draw(st.sampled_from(anchors))
                    anchors_used.add(anchor)
                    group.append(("move", k, anchor))
                else:
                    place = "renumber"
            if place in ("renumber", "delete", "insert"):
                group.append((place, k))
            if window is not None:
                w = ("words", k, window, draw(st.booleans()))
                group = [w] + group if words_first else group + [w]
            if place == "insert" and draw(st.booleans()):
                group.append(("words-inserted", k))
            if group:
                groups.append(group)
        for k in WITH_ITEMS:  # items of a clause whose place nobody changes: one side each
            if plans[k][0][0] != "none" or plans[k][1][0] != "none":
                continue
            for n in "abcd":
                if items.setdefault((k, n), draw(st.sampled_from(["none", "x", "m"]))) == side:
                    kind = "item-end" if n == "d" else draw(st.sampled_from(["item-words", "item-delete"]))
                    groups.append([(kind, k, n)])
        order = draw(st.permutations(range(len(groups)))) if groups else []
        seq = [op for i in order for op in groups[i]]
        if who_renumbers_part == side:
            seq.insert(draw(st.integers(0, len(seq))), ("part",))
        seqs[side] = seq
    for side, low in (("x", (1, 1, 0)), ("m", (8, 1, 0))):
        if not seqs[side]:  # a word change of a clause nobody touches, away from the other side's
            free = [k for k in keys if plans[k][0][:2] == plans[k][1][:2] == ("none", None)
                    and k not in anchors_used]
            assume(free)
            seqs[side] = [("words", draw(st.sampled_from(free)), low, False)]
    return _render("x", seqs["x"]), _render("m", seqs["m"])


def _render(side: str, seq) -> Modification:
    """The operations of one side's plan, each addressing the text as its earlier ones left it."""
    now: dict[str, str] = {}  # base clause (or "G1.3A" inserted) -> its number now
    words: dict[str, list[str]] = {}
    ops = []
    for spec in seq:
        kind = spec[0]
        if kind == "part":
            ops.append(Renumber(Address.parse("G2"), Address.parse("G3")))
            for k in [f"G2.{c}" for c in range(1, PARTS["G2"] + 1)]:
                now.setdefault(k, k)
            now.update({k: "G3" + v[2:] for k, v in now.items() if v.startswith("G2.")})
            continue
        k = spec[1]
        num = now.get(k, k)
        a = Address.parse(num)
        if kind == "renumber":
            ops.append(Renumber(a, Address.parse(num + "B")))
            now[k] = num + "B"
        elif kind == "delete":
            ops.append(Delete(a))
        elif kind == "insert":
            text = f"{side} inserts words at {k.replace('G', '').replace('.', ' ')}."  # no citation
            ops.append(Insert(a, "after", (f'<clause num="{num}A"><text>{text}</text></clause>',)))
            now[k + "A"] = num + "A"
        elif kind == "move":
            anchor = now.get(spec[2], spec[2])
            ops.append(Move(a, "after", Address.parse(anchor), Address.parse(anchor + "M")))
            now[k] = anchor + "M"
        elif kind == "words":
            (start, size, how), whole = spec[2], spec[3]
            before = words.get(k, _words_of(k))
            old = before[start:start + size]
            mine = f"{side}new{k.replace('G', '').replace('.', '')}"
            new = [[mine], [], old + [mine], [mine] + old, [mine, mine + "b"]][how]
            after = before[:start] + new + before[start + size:]
            words[k] = after
            ops.append(Amend(a, " ".join(before) + ".", " ".join(after) + ".") if whole else
                       Substitute(a, " ".join(old), " ".join(new)))
        elif kind == "item-words":
            c = k.split(".")[1]
            ops.append(Substitute(a.child(f"({spec[2]})"), f"{WORDS[2]}{c}{spec[2]}", f"{side}item{c}{spec[2]}"))
        elif kind == "item-delete":
            ops.append(Delete(a.child(f"({spec[2]})")))
        elif kind == "item-end":
            ops.append(Insert(a, "end", (f'<item num="(d)"><text>{side} adds an item;</text></item>',)))
        else:  # words of the clause this side inserted
            ops.append(Substitute(Address.parse(now[k + "A"]), "inserts words", "adds words"))
    return Modification(side.upper(), f"side {side}", "1.0", tuple(ops))


def _text(v: Version) -> list[tuple[str, str]]:
    return [(str(n.address), n.full_text() if n.kind != "part" else "") for n in v.nodes()
            if n.kind in ("part", "clause", "item")]


def _ops(mod) -> str:
    return " | ".join(operation_to_string(op) for op in mod.operations)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(two_changes())
def test_rebased_modification_commutes_with_the_change_since(changes):
    """V0 + X + rebase(M) == V0 + M + rebase(X), whenever X and M do not touch the same words or
    the same place: X is the newer version (a version step, its address map from the diff)."""
    x, m = changes
    note(f"X: {_ops(x)}")
    note(f"M: {_ops(m)}")
    v0 = _base()
    v1 = apply_modification(v0, x, "2.0").version
    m_on_v1 = rebase_modification(m, v0, [version_step(v0, v1)], v1)
    assert not m_on_v1.needs_human, [(o.status, o.message) for o in m_on_v1.outcomes]
    assert m_on_v1.modification.base == "2.0"
    w = apply_modification(v0, m, "1.0+M").version
    x_on_w = rebase_modification(x, v0, [version_step(v0, w)], w)
    assert not x_on_w.needs_human, [(o.status, o.message) for o in x_on_w.outcomes]
    assert _text(m_on_v1.applied.version) == _text(x_on_w.applied.version)
    # the rebased modification, as written, applies to the new version with the same result
    again = apply_modification(v1, m_on_v1.modification, "2.0+M").version
    assert _text(again) == _text(m_on_v1.applied.version)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(two_changes())
def test_a_release_of_two_modifications_that_do_not_overlap_is_the_same_in_either_order(changes):
    """The same property through a release: each modification is rebased over the other as an
    earlier modification of the release (its address map from the apply), in both orders."""
    from redline.release import make_release

    x, m = changes
    note(f"X: {_ops(x)}")
    note(f"M: {_ops(m)}")
    v0 = _base()
    texts = []
    for order in ((x, m), (m, x)):
        rep = make_release(list(order), v0, lambda mod: (v0, []), check_references=False)
        assert rep.version is not None, [(r.id, o.status, o.message) for r in rep.modifications
                                         for o in r.rebase.outcomes]
        assert all(r.made for r in rep.modifications) and not any(o.conflict for o in rep.overlaps)
        texts.append(_text(rep.version))
    assert texts[0] == texts[1]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, N_CLAUSES), st.integers(0, 9), st.integers(0, 9))
def test_changes_to_the_same_words_conflict_whatever_the_order(c, i, j):
    """Two substitutions of one clause whose words overlap or touch clash, whichever is made
    first (as a newer version, or as an earlier modification of a release); words apart both
    apply, and the release still reports the clause as touched by both."""
    from redline.release import make_release

    v0 = _base()
    words = _words_of(f"G1.{c}")
    a = Substitute(Address.parse(f"G1.{c}"), " ".join(words[i:i + 2]), f"xnew{c}")
    b = Substitute(Address.parse(f"G1.{c}"), " ".join(words[j:j + 2]), f"mnew{c}")
    touching = abs(i - j) <= 2
    for first, second in ((a, b), (b, a)):
        one = Modification("ONE", "t", "1.0", (first,))
        two = Modification("TWO", "t", "1.0", (second,))
        v1 = apply_modification(v0, one, "2.0").version
        res = rebase_modification(two, v0, [version_step(v0, v1)], v1)
        assert (res.status == CONFLICT) == touching, (first, second, res.outcomes[0].message)
        assert res.status in (CONFLICT, AS_DRAFTED, REBASED)
        rep = make_release([one, two], v0, lambda mod: (v0, []), check_references=False)
        (ov,) = rep.overlaps
        assert str(ov.clause) == f"G1.{c}" and [t[0] for t in ov.touches] == ["ONE", "TWO"]
        assert ov.conflict == touching and (rep.version is None) == touching
        if touching:
            assert rep.modifications[1].rebase.outcomes[0].culprit_mod == "ONE"


@pytest.mark.parametrize("ops, statuses, rebased", [
    # a move that gives the node a number of its own: its renumbering since does not matter
    ('<move target="G8.4" after="G8.1" as="G8.1A"/>', ["rebased"],
     ["Move Section G8.5 to after Section G8.1 and renumber it as Section G8.1A"]),
    # a renumbering of a node renumbered since: a human decides
    ('<renumber target="G8.4" as="G8.4A"/>', ["conflict"], [None]),
    # the draft's own renumbering is followed by its later operations, even when it conflicts
    ('<renumber target="G8.4" as="G8.4A"/><substitute target="G8.4A"><old>correct it</old><new>fix it</new>'
     '</substitute>', ["conflict", "rebased"], [None, "Amend Section G8.5 as follows:"]),
    ('<delete target="G8.4"/>', ["rebased"], ["Delete Section G8.5"]),
    ('<delete target="G8.3"/>', ["conflict"], [None]),  # its words changed since: not what was drafted
    ('<delete target="G8.2" leave="not-used"/>', ["as-drafted"], ["Delete Section G8.2 and mark it [Not used]"]),
    ('<insert end="G8.2"><item num="(c)"><text>a third item; and</text></item></insert>', ["as-drafted"],
     ["Add Section G8.2(c) at the end of Section G8.2"]),
    # a clause numbered after its anchor follows the anchor, and so do references in its words
    ('<insert after="G8.4"><clause num="G8.4A"><text>Refers to Section G8.4.</text></clause></insert>',
     ["rebased"], ["Add Section G8.5A after Section G8.5"]),
    ('<insert after="G8.1"><clause num="G8.1A"><text>New words here.</text></clause></insert>'
     '<substitute target="G8.1A"><old>New words</old><new>Newer words</new></substitute>',
     ["as-drafted", "as-drafted"], ["Add Section G8.1A after Section G8.1", "Amend Section G8.1A as follows:"]),
    ('<add-definition clause="A1.1"><definition term="Agent"><text>means an agent.</text></definition>'
     '</add-definition><amend-definition clause="A1.1" term="Panel"><old>means the fixture panel.</old>'
     '<new>means the fixture panel of G8.4.</new></amend-definition>'
     '<amend-definition clause="A1.1" term="User" new-term="Fixture User"/>'
     '<delete-definition clause="A1.1" term="Assessment"/>',
     ["as-drafted", "rebased", "as-drafted", "as-drafted"], [None, None, None, None]),
])
def test_each_operation_kind(scenario, ops, statuses, rebased):
    from redline.mods import parse_modification

    mod = parse_modification(release_scenario.mod_xml("T", ops).encode(), "T.xml")
    base, onto = scenario.load("1.0"), scenario.load("2.0")
    res = rebase_modification(mod, base, [version_step(base, onto, ("V2",))], onto)
    assert [o.status for o in res.outcomes] == statuses, [o.message for o in res.outcomes]
    for o, want in zip(res.outcomes, rebased):
        if want is not None:
            assert o.rebased.instruction() == want
    if not res.needs_human:
        assert res.applied is not None  # the redrafted modification applies to 2.0


def test_references_in_new_words_follow_a_renumbering(scenario):
    from redline.mods import parse_modification

    mod = parse_modification(release_scenario.mod_xml("T", '<amend-definition clause="A1.1" term="Panel">'
                                                           '<old>means the fixture panel.</old><new>means the '
                                                           'fixture panel of G8.4.</new></amend-definition>').encode())
    base, onto = scenario.load("1.0"), scenario.load("2.0")
    res = rebase_modification(mod, base, [version_step(base, onto, ("V2",))], onto)
    assert res.outcomes[0].message == "references in its new words re-pointed: means the fixture panel of " \
                                      "[-G8.4-]{+G8.5+}."
    assert res.applied.version.find('A1.1["Panel"]').text == "means the fixture panel of G8.5."


def test_a_renumbered_part_carries_its_clauses(scenario):
    from redline.mods import parse_modification

    base = scenario.load("1.0")
    x = parse_modification(release_scenario.mod_xml("X", '<renumber target="G9" as="G11"/>').encode())
    onto = apply_modification(base, x, "2.1").version
    mod = parse_modification(release_scenario.mod_xml(
        "T", '<substitute target="G9.1"><old>only fixture clause</old><new>sole fixture clause</new></substitute>'
    ).encode())
    res = rebase_modification(mod, base, [version_step(base, onto)], onto)
    (o,) = res.outcomes
    assert o.status == REBASED and o.message == "G9.1 is now G11.1 (G9 renumbered G11 in version 2.1)"
    assert res.applied.version.find("G11.1").text == "This is the sole fixture clause of part G9."  # X left it


def test_a_part_renumbered_whole_carries_its_numbering_gap():
    """G2.1, G2.2B, G2.3 renumbered as part G3: the gap before G3.3 is the one G2 had, not a
    clause the change numbered (found by the property above)."""
    v0 = _base()
    gap = apply_modification(v0, Modification("X", "t", "1.0", (Renumber(Address.parse("G2.2"),
                                                                         Address.parse("G2.2B")),)), "2.0").version
    whole = Modification("M", "t", "2.0", (Renumber(Address.parse("G2"), Address.parse("G3")),))
    got = apply_modification(gap, whole, "3.0").version
    assert [str(n.address) for n in got.nodes("clause") if n.address.part == "G3"] == ["G3.1", "G3.2B", "G3.3"]


def test_a_part_emptied_of_its_clauses_is_not_deleted():
    """A version that deletes every clause of part G2 keeps the part: a modification that
    renumbers G2 is rebased onto it, not made obsolete (found by the property above)."""
    v0 = _base()
    x = Modification("X", "t", "1.0", tuple(Delete(Address.parse(f"G2.{c}")) for c in range(1, 4)))
    v1 = apply_modification(v0, x, "2.0").version
    step = version_step(v0, v1)
    assert Address.parse("G2") not in step.address_map
    m = Modification("M", "t", "1.0", (Renumber(Address.parse("G2"), Address.parse("G3")),))
    res = rebase_modification(m, v0, [step], v1)
    assert res.status == AS_DRAFTED and res.applied.version.find("G3") is not None


@pytest.mark.parametrize("one, two", [
    ('<delete target="G1.3"/>', '<substitute target="G1.3"><old>alpha13</old><new>first13</new></substitute>'),
    ('<renumber target="G1.3" as="G1.3B"/>', '<renumber target="G1.3" as="G1.3C"/>'),
    ('<delete target="G1.3"/>', '<renumber target="G1.3" as="G1.3B"/>'),
    ('<move target="G1.3" after="G1.6" as="G1.6M"/>', '<renumber target="G1.3" as="G1.3B"/>'),
    ('<insert after="G1.3"><clause num="G1.3A"><text>one way.</text></clause></insert>',
     '<insert after="G1.3"><clause num="G1.3A"><text>another way.</text></clause></insert>'),
    ('<insert after="G1.3"><clause num="G1.3A"><text>one way.</text></clause></insert>', '<delete target="G1.3"/>'),
    ('<delete target="G1.3"/>', '<delete target="G1.3"/>'),  # the same change twice in one release
    ('<delete target="G1.2(b)"/>', '<substitute target="G1.2(b)"><old>charlie2b</old><new>x</new></substitute>'),
])
def test_structural_clashes_conflict_whatever_the_order(one, two):
    """Two modifications of a release that change the same clause's place, or one deletes what
    the other changes: a conflict naming the earlier one, in either order, and the clause is
    listed as a conflict among the overlaps."""
    from redline.mods import parse_modification
    from redline.release import make_release

    import release_scenario

    v0 = _base()
    a = parse_modification(release_scenario.mod_xml("ONE", one).encode(), "ONE.xml")
    b = parse_modification(release_scenario.mod_xml("TWO", two).encode(), "TWO.xml")
    for first, second in ((a, b), (b, a)):
        rep = make_release([first, second], v0, lambda mod: (v0, []), check_references=False)
        early, late = rep.modifications
        assert early.made and late.status == CONFLICT, [o.message for o in late.rebase.outcomes]
        assert any(o.culprit_mod == first.id for o in late.rebase.outcomes)
        assert rep.version is None and any(ov.conflict for ov in rep.overlaps), rep.overlaps
