"""Rebasing a modification onto another state of the code: the word merge, every outcome on a
planted history, the bundled corpus, and the property that rebasing commutes with the change it
is carried over (wherever the two do not touch)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from redline.apply import apply_modification
from redline.corpus import Corpus
from redline.history import version_step
from redline.model import Address, Version
from redline.mods import Modification, load_modification
from redline.ops import Delete, Insert, Renumber, Substitute
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
N_CLAUSES = 8


def _base() -> Version:
    sec = etree.Element("section", num="G", heading="Security", coverage="partial", source="s", evidence="printed")
    part = etree.SubElement(sec, "part", num="G1", heading="Property", coverage="complete")
    for c in range(1, N_CLAUSES + 1):
        cl = etree.SubElement(part, "clause", num=f"G1.{c}")
        etree.SubElement(cl, "text").text = " ".join(f"{w}{c}" for w in WORDS) + "."
    return Version("1.0", {"G": sec})


def _edit(side: str, kind: str, c: int, k: int, region: range):
    """One operation on clause G1.c; words are unique per clause, new words unique per side."""
    target = Address.parse(f"G1.{c}")
    if kind == "words":
        i = region.start + k % (len(region) - 1)
        old = " ".join(f"{w}{c}" for w in WORDS[i:i + 2])
        new = [old + f" {side}new{c}", f"{side}new{c}", ""][k % 3]
        return Substitute(target, old, new)
    if kind == "insert":
        content = f'<clause num="G1.{c}A"><text>{side} inserts words {c}.</text></clause>'
        return Insert(target, "after", (content,))
    if kind == "delete":
        return Delete(target)
    return Renumber(target, Address.parse(f"G1.{c}B"))


@st.composite
def two_changes(draw):
    """Two modifications of the base that do not touch: structural ones on different clauses,
    word changes on a shared clause in different words (X in the first five, M in the last five)."""
    roles = draw(st.lists(st.sampled_from(["x", "m", "both", "none"]), min_size=N_CLAUSES, max_size=N_CLAUSES))
    kinds = ("words", "insert", "delete", "renumber")
    x_ops, m_ops = [], []
    for c, role in enumerate(roles, 1):
        k = draw(st.integers(0, 11))
        if role in ("x", "m"):
            kind = draw(st.sampled_from(kinds))
            (x_ops if role == "x" else m_ops).append(_edit(role, kind, c, k, range(0, 12)))
        elif role == "both":
            x_ops.append(_edit("x", "words", c, k, range(0, 5)))
            m_ops.append(_edit("m", "words", c, k, range(7, 12)))
    if not x_ops:
        x_ops.append(_edit("x", "words", 1, 0, range(0, 5)) if "both" not in roles[:1] else
                     _edit("x", "insert", 1, 0, range(0, 5)))
    if not m_ops:  # on a clause X leaves alone (X may delete or change the last one)
        free = [c for c, role in enumerate(roles, 1) if role == "none"]
        assume(free)
        m_ops.append(_edit("m", "words", free[-1], 1, range(7, 12)))
    return (Modification("X", "the change since", "1.0", tuple(x_ops)),
            Modification("M", "the modification", "1.0", tuple(m_ops)))


def _text(v: Version) -> list[tuple[str, str]]:
    return [(str(n.address), n.full_text()) for n in v.nodes() if n.kind in ("clause", "item")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_changes())
def test_rebased_modification_commutes_with_the_change_since(changes):
    """V0 + X + rebase(M) == V0 + M + rebase(X), when X and M do not touch the same words."""
    x, m = changes
    v0 = _base()
    v1 = apply_modification(v0, x, "2.0").version
    m_on_v1 = rebase_modification(m, v0, [version_step(v0, v1)], v1)
    assert not m_on_v1.needs_human, [(o.status, o.message) for o in m_on_v1.outcomes]
    w = apply_modification(v0, m, "1.0+M").version
    x_on_w = rebase_modification(x, v0, [version_step(v0, w)], w)
    assert not x_on_w.needs_human, [(o.status, o.message) for o in x_on_w.outcomes]
    one = m_on_v1.applied.version if m_on_v1.applied else v1
    other = x_on_w.applied.version if x_on_w.applied else w
    assert _text(one) == _text(other)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, N_CLAUSES), st.integers(0, 9), st.integers(0, 9))
def test_changes_to_the_same_words_conflict_whatever_the_order(c, i, j):
    """Two substitutions whose words overlap or touch clash, whichever is made first."""
    v0 = _base()
    a = Substitute(Address.parse(f"G1.{c}"), " ".join(f"{w}{c}" for w in WORDS[i:i + 2]), f"xnew{c}")
    b = Substitute(Address.parse(f"G1.{c}"), " ".join(f"{w}{c}" for w in WORDS[j:j + 2]), f"mnew{c}")
    touching = abs(i - j) <= 2
    for first, second in ((a, b), (b, a)):
        one = Modification("ONE", "t", "1.0", (first,))
        two = Modification("TWO", "t", "1.0", (second,))
        v1 = apply_modification(v0, one, "2.0").version
        res = rebase_modification(two, v0, [version_step(v0, v1)], v1)
        assert (res.status == CONFLICT) == touching, (first, second, res.outcomes[0].message)
        assert res.status in (CONFLICT, AS_DRAFTED, REBASED) and res.status not in (OBSOLETE,)
    assert set(NEEDS_HUMAN) >= {CONFLICT}


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
