"""Clause-aligned structural diff: pairing, change kinds, coverage, word diffs inside clauses."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from redline.diff import (
    ChangeKind, diff_node, diff_versions,
)
from redline.model import Address, Version
from redline.textdiff import EQUAL, INSERT, to_markers, tokenize
from redline.xmlsafe import canonical

A = Address.parse


def version(vid: str, body: str, coverage: str = "complete", part_coverage: str = "complete") -> Version:
    xml = f'<section num="G" heading="Security" coverage="{coverage}"><part num="G3" coverage="{part_coverage}">{body}</part></section>'
    return Version(vid, {"G": etree.fromstring(xml)})


def clause(num: str, text: str, *items: str, closing: str = "") -> str:
    its = "".join(f'<item num="({chr(97 + i)})"><text>{t}</text></item>' for i, t in enumerate(items))
    clo = f"<closing>{closing}</closing>" if closing else ""
    return f'<clause num="{num}"><text>{text}</text>{its}{clo}</clause>'


TEXTS = {
    1: "Each User shall notify the Panel of any material security vulnerability.",
    2: "The Security Sub-Committee may publish guidance on the notification of vulnerabilities.",
    3: "A Supplier Party shall retain documentary evidence of its compliance with Section G3.1.",
    4: "Any arrangements established in accordance with Section G3.2 may be reviewed annually.",
}


def body(order: list[int], nums: list[str] | None = None) -> str:
    nums = nums or [f"G3.{i + 1}" for i in range(len(order))]
    return "".join(clause(n, TEXTS[k]) for n, k in zip(nums, order))


def kinds(d):
    return [(c.kind, str(c.old) if c.old else None, str(c.new) if c.new else None) for c in d.changes]


# --- the bundled corpus --------------------------------------------------------------------------

def test_5_23_to_6_17_adds_g1_10_with_its_crossheading(corpus):
    d = diff_versions(corpus.load("5.23"), corpus.load("6.17"))
    assert kinds(d) == [(ChangeKind.ADDED, None, "G1.10")]
    ch = d.changes[0]
    assert ch.crossheading == "SMETS1 Smart Metering Systems"
    assert all(s.kind == INSERT for n in ch.diff.walk() for s in (*n.num, *n.text, *n.closing))
    assert [(h.level, h.kind, h.new) for h in d.headings] == [("crossheading", ChangeKind.ADDED, "SMETS1 Smart Metering Systems")]
    # G1 is printed (complete) for 5.23 and inferred (partial) for 6.17: both are compared, nothing unheld
    assert [(str(c.address), c.old, c.new, c.clauses) for c in d.coverage] == [("G1", "complete", "partial", ())]
    assert d.summary()["added"] == 1


def test_part_held_in_one_version_only_is_coverage_not_addition(corpus):
    d = diff_versions(corpus.load("5.20"), corpus.load("5.23"))
    assert d.changes == ()
    assert len(d.coverage) == 1
    cov = d.coverage[0]
    assert (str(cov.address), cov.old, cov.new) == ("G1", "absent", "complete")
    assert [str(a) for a in cov.clauses] == [f"G1.{i}" for i in range(1, 10)]
    back = diff_versions(corpus.load("6.17"), corpus.load("5.20"))
    assert back.changes == () and back.coverage[0].old == "partial" and back.coverage[0].new == "absent"


def test_mp087_amendment_is_one_insertion(corpus):
    old = corpus.load("6.17")
    new = old.copy("6.17+MP087")
    el = new.find("G3.20(b)").element.find("text")
    el.text = el.text.replace("Gas Proxy Function)", "Gas Proxy Function which forms part of a SMETS2+ Device)")
    new.reindex()
    d = diff_versions(old, new)
    assert kinds(d) == [(ChangeKind.AMENDED, "G3.20", "G3.20")]
    edits = [s for n in d.changes[0].diff.walk() for s in (*n.num, *n.text, *n.closing) if s.kind != EQUAL]
    assert [(s.kind, s.text.strip()) for s in edits] == [(INSERT, "which forms part of a SMETS2+ Device")]
    item_b = d.changes[0].diff.children[1]
    assert str(item_b.new) == "G3.20(b)" and item_b.state == "amended"


def test_inputs_are_not_mutated(corpus):
    old, new = corpus.load("5.23"), corpus.load("6.17")
    before = (canonical(old.sections["G"]), canonical(new.sections["G"]))
    diff_versions(old, new)
    assert (canonical(old.sections["G"]), canonical(new.sections["G"])) == before


def test_within_restricts_the_diff(corpus):
    d = diff_versions(corpus.load("5.23"), corpus.load("6.17"), within="G3")
    assert d.changes == () and d.headings == ()
    d = diff_versions(corpus.load("5.23"), corpus.load("6.17"), within="G1.10")
    assert kinds(d) == [(ChangeKind.ADDED, None, "G1.10")]


# --- pairing: renumbering, moves, replacement ----------------------------------------------------

def test_renumbering_is_not_delete_plus_insert():
    old = version("o", body([1, 2, 3]))
    new_body = clause("G3.1", TEXTS[1]) + clause("G3.2", TEXTS[4]) + clause("G3.3", TEXTS[2]) + clause("G3.4", TEXTS[3])
    d = diff_versions(old, version("n", new_body))
    assert kinds(d) == [(ChangeKind.ADDED, None, "G3.2"), (ChangeKind.RENUMBERED, "G3.2", "G3.3"), (ChangeKind.RENUMBERED, "G3.3", "G3.4")]
    ren = d.changes[1]
    assert to_markers(ren.diff.num) == "[-G3.2-]{+G3.3+}"
    assert not ren.text_changed


def test_renumbered_and_amended_clause_is_compared_with_its_old_self():
    old = version("o", body([1, 2, 3]))
    amended = TEXTS[2].replace("may publish", "shall publish")
    new_body = clause("G3.1", TEXTS[1]) + clause("G3.2", TEXTS[4]) + clause("G3.3", amended) + clause("G3.4", TEXTS[3])
    d = diff_versions(old, version("n", new_body))
    ren = d.change_for(A("G3.3"))
    assert (ren.kind, str(ren.old)) == (ChangeKind.RENUMBERED, "G3.2")
    assert ren.text_changed
    assert to_markers(ren.diff.text) == TEXTS[2].replace("may publish", "[-may-]{+shall+} publish")


def test_move_out_of_order_is_moved():
    old = version("o", body([1, 2, 3, 4]))
    d = diff_versions(old, version("n", body([1, 3, 4, 2])))
    assert kinds(d) == [(ChangeKind.RENUMBERED, "G3.3", "G3.2"), (ChangeKind.RENUMBERED, "G3.4", "G3.3"), (ChangeKind.MOVED, "G3.2", "G3.4")]


def test_replaced_clause_is_deleted_and_added():
    old = version("o", body([1, 2]))
    new = version("n", clause("G3.1", TEXTS[1]) + clause("G3.2", "Something else entirely about tariffs."))
    d = diff_versions(old, new)
    assert kinds(d) == [(ChangeKind.DELETED, "G3.2", None), (ChangeKind.ADDED, None, "G3.2")]  # deletion first, as in a redline


def test_deleted_clause_in_complete_part():
    d = diff_versions(version("o", body([1, 2, 3])), version("n", body([1, 3], ["G3.1", "G3.3"])))
    assert kinds(d) == [(ChangeKind.DELETED, "G3.2", None)]


def test_address_map_pairs_authoritatively():
    old = version("o", body([1, 2]))
    new = version("n", clause("G3.1", TEXTS[1]) + clause("G3.2", TEXTS[3]) + clause("G3.3", TEXTS[2]))
    d = diff_versions(old, new, address_map={A("G3.2"): A("G3.3")})
    assert kinds(d) == [(ChangeKind.ADDED, None, "G3.2"), (ChangeKind.RENUMBERED, "G3.2", "G3.3")]


def test_partial_part_gap_is_coverage_but_hole_is_deletion():
    old = version("o", body([1, 2, 3]), coverage="partial", part_coverage="partial")
    # new holds G3.1 and G3.3 only: G3.2 lies between two held clauses, so it was deleted
    d = diff_versions(old, version("n", body([1, 3], ["G3.1", "G3.3"]), "partial", "partial"))
    assert kinds(d) == [(ChangeKind.DELETED, "G3.2", None)] and d.coverage == ()
    # new holds G3.1 and G3.2 only: G3.3 sits at the end of what is held, so it is merely not held
    d = diff_versions(old, version("n", body([1, 2]), "partial", "partial"))
    assert d.changes == ()
    assert [(str(c.address), [str(a) for a in c.clauses]) for c in d.coverage] == [("G3", ["G3.3"])]


# --- cross-headings: known by their place and clauses, not by their words --------------------------

def grouped(*groups: tuple[str, list[int]]) -> str:
    """Cross-headings over the clauses of TEXTS, numbered G3.1 on in order."""
    out, n = [], 0
    for heading, order in groups:
        nums = [f"G3.{n + i + 1}" for i in range(len(order))]
        n += len(order)
        out.append(f'<crossheading heading="{heading}">{body(order, nums)}</crossheading>')
    return "".join(out)


def headings(d):
    return [(h.kind, h.old, h.new, tuple(map(str, h.clauses))) for h in d.headings if h.level == "crossheading"]


def test_a_cross_heading_reworded_to_the_words_of_another_is_amended():
    """Words alone would call the new "Notices" over G3.3 the old "Notices" over G3.1 (and "Records"
    deleted): the clauses under it say it is "Records" reworded."""
    old = version("a", grouped(("Notices", [1, 2]), ("Records", [3, 4])))
    new = version("b", grouped(("Notices", [1, 2]), ("Notices", [3, 4])))
    d = diff_versions(old, new)
    assert d.changes == ()
    assert headings(d) == [(ChangeKind.AMENDED, "Records", "Notices", ("G3.3", "G3.4"))]


def test_two_cross_headings_that_swap_their_words_are_both_amended():
    old = version("a", grouped(("Notices", [1, 2]), ("Records", [3, 4])))
    new = version("b", grouped(("Records", [1, 2]), ("Notices", [3, 4])))
    assert headings(diff_versions(old, new)) == [
        (ChangeKind.AMENDED, "Notices", "Records", ("G3.1", "G3.2")),
        (ChangeKind.AMENDED, "Records", "Notices", ("G3.3", "G3.4"))]


def test_a_cross_heading_is_the_same_only_over_the_same_clause():
    """A cross-heading pairs with one standing over the same clause (the first after it that stays),
    so that Reject All puts every heading back where it stood: "Records" moved up over G3.2 is
    inserted there and struck through over G3.3; a heading set over clauses that stay is added;
    headings whose clauses merge are one reworded (over the first) and one deleted."""
    old = version("a", grouped(("Notices", [1, 2]), ("Records", [3, 4])))
    moved_up = version("b", grouped(("Notices", [1]), ("Records", [2, 3, 4])))
    assert headings(diff_versions(old, moved_up)) == [
        (ChangeKind.ADDED, None, "Records", ("G3.2", "G3.3", "G3.4")),
        (ChangeKind.DELETED, "Records", None, ("G3.3", "G3.4"))]
    new_heading = version("c", grouped(("Notices", [1]), ("Reports", [2]), ("Records", [3, 4])))
    assert headings(diff_versions(old, new_heading)) == [(ChangeKind.ADDED, None, "Reports", ("G3.2",))]
    merged = version("d", grouped(("Records", [1, 2, 3, 4])))
    assert headings(diff_versions(old, merged)) == [
        (ChangeKind.AMENDED, "Notices", "Records", ("G3.1", "G3.2", "G3.3", "G3.4")),
        (ChangeKind.DELETED, "Records", None, ("G3.3", "G3.4"))]
    split_same_words = version("e", grouped(("Notices", [1]), ("Notices", [2]), ("Records", [3, 4])))
    assert headings(diff_versions(old, split_same_words)) == [(ChangeKind.ADDED, None, "Notices", ("G3.2",))]


# --- items inside a clause -----------------------------------------------------------------------

def test_inserted_item_relabels_the_following_ones():
    old = version("o", clause("G3.1", "The User shall:", "notify the Panel; and", "keep records.", closing="as required."))
    new_items = '<item num="(a)"><text>notify the Panel;</text></item><item num="(b)"><text>inform the DCC; and</text></item><item num="(c)"><text>keep records.</text></item>'
    new = version("n", f'<clause num="G3.1"><text>The User shall:</text>{new_items}<closing>as required.</closing></clause>')
    nd = diff_versions(old, new).changes[0].diff
    states = [(c.state, to_markers(c.num), to_markers(c.text)) for c in nd.children]
    assert states == [
        ("amended", "(a)", "notify the Panel;[- and-]"),
        ("inserted", "{+(b)+}", "{+inform the DCC; and+}"),
        ("amended", "[-(b)-]{+(c)+}", "keep records."),
    ]
    assert nd.full_text("old") == "The User shall: (a) notify the Panel; and (b) keep records. as required."
    assert nd.full_text("new") == new.get("G3.1").full_text()


def test_diff_node_requires_a_node():
    with pytest.raises(ValueError):
        diff_node(None, None)


# --- property: random word edits of real clauses -------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), n_edits=st.integers(1, 4))
def test_random_edits_are_reported_exactly(corpus, seed, n_edits):
    rnd = random.Random(seed)
    old = corpus.load("6.17")
    new = old.copy("edited")
    texts = [el for el in new.sections["G"].iter("text", "closing")]
    edited_clauses = set()
    for el in rnd.sample(texts, n_edits):
        toks = tokenize(el.text)
        words = [i for i, t in enumerate(toks) if t.strip()]
        i = rnd.choice(words)
        toks[i] = rnd.choice(["Party", "Licensee", "not", "G9.99"]) if rnd.random() < 0.5 else toks[i] + " promptly"
        el.text = "".join(toks)
        c = el
        while c.tag != "clause":
            c = c.getparent()
        edited_clauses.add(c.get("num"))
    new.reindex()
    d = diff_versions(old, new)
    changed = {str(c.address) for c in d.changes}
    # an edit may be a no-op (the word replaced by itself); every reported change was edited
    assert changed <= edited_clauses
    assert all(c.kind == ChangeKind.AMENDED for c in d.changes)
    for c in d.changes:
        assert c.diff.full_text("old") == old.get(c.old).full_text()
        assert c.diff.full_text("new") == new.get(c.new).full_text()
    for a in edited_clauses - changed:
        assert old.get(a).full_text() == new.get(a).full_text()


def test_renumbered_amended_clause_beats_a_lookalike_at_its_old_address():
    """The trap: a new clause at the old address must not be compared with the old clause."""
    old = version("o", clause("G3.1", TEXTS[1]) + clause("G3.2", TEXTS[2]))
    lookalike = "The Security Sub-Committee may publish a report on the handling of incidents."
    amended = TEXTS[2].replace("may publish", "shall publish")
    new = version("n", clause("G3.1", TEXTS[1]) + clause("G3.2", lookalike) + clause("G3.3", amended))
    d = diff_versions(old, new)
    assert kinds(d) == [(ChangeKind.ADDED, None, "G3.2"), (ChangeKind.RENUMBERED, "G3.2", "G3.3")]
    assert to_markers(d.changes[1].diff.text) == TEXTS[2].replace("may publish", "[-may-]{+shall+} publish")


def test_many_clauses_diff_quickly_and_exactly(corpus):
    """A section of ~1,400 clauses with scattered edits: every edited clause and only those."""
    import copy

    g = corpus.load("6.17").sections["G"]
    root = etree.Element("section", num="G", heading="Security", coverage="complete")
    for p in range(1, 80):
        part = etree.SubElement(root, "part", num=f"G{p}", coverage="complete")
        n = 0
        for ch in g.iter("crossheading"):
            ch2 = copy.deepcopy(ch)
            for cl in ch2.iter("clause"):
                n += 1
                cl.set("num", f"G{p}.{n}")
            part.append(ch2)
    old = Version("big", {"G": root})
    new = old.copy("big2")
    rnd = random.Random(7)
    edited = set()
    for el in rnd.sample(list(new.sections["G"].iter("text")), 150):
        el.text = el.text + " promptly"
        c = el
        while c.tag != "clause":
            c = c.getparent()
        edited.add(c.get("num"))
    new.reindex()
    d = diff_versions(old, new)
    assert {str(c.address) for c in d.changes} == edited
    assert all(c.kind == ChangeKind.AMENDED for c in d.changes)
