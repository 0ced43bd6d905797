"""The Annex A tells the whole truth: Accept All gives the new text, Reject All the old.

What is checked here does not come from the redline's own model (``Redline.clause_text``) but from
the two versions' XML, read independently (:func:`section_lines`), and from the rendered
documents read back by other clients: the DOCX by pandoc (``--track-changes=accept|reject``), the
HTML by lxml.html with ``<del>`` (or ``<ins>``) dropped. For any modification:

* with ``--context all``, Accept All of the section is every line of the new version's section
  (section heading, part headings, cross-headings, clauses, items, closing words) in order, and
  Reject All every line of the old;
* with any context, what is shown is in document order (a subsequence of those lines), every
  clause the modification changes, adds or deletes is there whole on each side, and so is every
  part heading and cross-heading that one side has and the other has not.

The four redlines a lawyer was once sent wrong are pinned as examples: (a) a new part printed as
unmarked text without its heading; (b) two adjacent clauses deleted in a part held only in part;
(c) a part heading change alone; (d) a cross-heading whose clauses all leave it. So are the
cross-headings once known by their words alone, so that Reject All gave a heading the old text did
not have: (e) a cross-heading reworded to the words of another in its part, and two that trade
their words; (f) a cross-heading reworded while a clause under it is deleted (its old words were
printed again, unmarked, above the deleted clause). A moved clause is shown as Word shows a move:
struck through at its old place, inserted at its new one.
"""

from __future__ import annotations

import copy
import random
import re

import pypandoc
import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
from lxml import html

from redline.annex import CONTEXTS, annex_for_modification, versions_redline
from redline.apply import apply_modification
from redline.diff import diff_versions
from redline.errors import ApplyError
from redline.model import Version
from redline.mods import parse_modification
from redline.render.docx import render_docx
from redline.render.html import render_html

from test_render_docx import check_ooxml
from test_render_html import paragraphs

EXCLUSION = "Exclusion for Export Suppliers and Registered Supplier Agents"
#: edits against SEC 6.17, applied in this order when several are drawn (each names its bug, if any)
EDITS = {
    "amend-item": '<substitute target="G3.20(b)"><old>Gas Proxy Function</old>'
                  '<new>Gas Proxy Function which forms part of a SMETS2+ Device</new></substitute>',
    "new-part (a)": '<insert after="G3"><part num="G4" heading="Shared Resource Providers" coverage="complete">'
                    '<crossheading heading="Application"><clause num="G4.1"><text>This Section G4 applies to every '
                    'Shared Resource Provider.</text></clause><clause num="G4.2"><text>A Shared Resource Provider '
                    'shall comply with Section G3.20.</text></clause></crossheading></part></insert>',
    "part-heading (c)": '<amend target="G1" field="heading"><old>Security: General Provisions</old>'
                        '<new>Security: General Rules</new></amend>',
    "heading-left-by-move (d)": '<move target="G1.10" after="G1.9" as="G1.10"/>',
    "regroup (d)": '<move target="G1.5" after="G1.4" as="G1.4A"/><move target="G1.6" after="G1.4A" as="G1.4B"/>',
    "amend-subitem": '<substitute target="G1.7(c)(i)"><old>shall be read</old><new>is to be read</new></substitute>',
    "adjacent-deletions (b)": '<delete target="G3.18"/><delete target="G3.19"/>',
    "heading-left-by-deletion (d)": '<delete target="G1.8"/><delete target="G1.9"/>',
    "add-clause": '<insert after="G1.10"><clause num="G1.11"><text>A new clause at the end of G1.</text>'
                  '</clause></insert>',
    "delete-last": '<delete target="G3.28"/>',
    "new-group": '<insert after="G3.21"><crossheading heading="Records"><clause num="G3.22"><text>Each User shall '
                 'keep a record of each notification.</text></clause></crossheading></insert>',
    "not-used": '<delete target="G3.21" leave="not-used"/>',
    "add-item": '<insert after="G3.20(b)"><item num="(c)"><text>any Shared Resource Provider,</text></item></insert>',
    "delete-item": '<delete target="G1.7(d)"/>',
    "move-across": '<move target="G1.10" after="G3.21" as="G3.22"/>',
    "move-back": '<move target="G3.26" after="G1.9" as="G1.9A"/>',
    "move-into-new-group": '<insert after="G1.10"><crossheading heading="Late"><clause num="G1.11"><text>Late clause.'
                           '</text></clause></crossheading></insert><move target="G1.9" after="G1.11" as="G1.12"/>',
    "insert-start": '<insert start="G3"><crossheading heading="Opening"><clause num="G3.16A"><text>An opening '
                    'clause.</text></clause></crossheading></insert>',
    "insert-before-group": '<insert before="G3.26"><clause num="G3.25"><text>A clause before the group.</text>'
                           '</clause></insert>',
    "delete-first-of-group": '<delete target="G1.2"/>',
    "delete-part": '<delete target="G1"/>',
    "renumber-part": '<renumber target="G3" as="G5"/>',
    "heading-reworded-to-another's-words (e)": '<amend target="G1.8" field="crossheading"><old>Disputes</old>'
                                               '<new>Obligations on Users</new></amend>',
    "headings-trade-words (e)": '<amend target="G1.5" field="crossheading"><old>Obligations on Users</old>'
                                f'<new>{EXCLUSION}</new></amend><amend target="G1.7" field="crossheading">'
                                f'<old>{EXCLUSION}</old><new>Obligations on Users</new></amend>',
    "heading-reworded-above-deletion (f)": '<amend target="G3.26" field="crossheading"><old>SMETS1 Smart '
                                           'Metering Systems</old><new>SMETS1 Systems</new></amend>'
                                           '<delete target="G3.27"/>',
}
NAMES = list(EDITS)


def modification(names) -> object:
    ops = "".join(EDITS[n] for n in NAMES if n in names)
    xml = (f'<modification id="TRUTH" base="6.17"><title>Edits</title><meta><author>Tester</author></meta>'
           f"<operations>{ops}</operations></modification>")
    return parse_modification(xml.encode(), "TRUTH.xml")


def norm(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the versions, read alone

def node_lines(el) -> list[str]:
    """A clause or item as printed: number and lead words, each item, closing words."""
    text = el.find("text")
    out = [norm(f"{el.get('num') or ''} {''.join(text.itertext()) if text is not None else ''}")]
    for item in el.findall("item"):
        out += node_lines(item)
    closing = el.find("closing")
    if closing is not None and norm("".join(closing.itertext())):
        out.append(norm("".join(closing.itertext())))
    return [line for line in out if line]


def section_lines(version, letter: str = "G") -> list[str]:
    """Every line of a section of a version, in order, as a redline of the whole section prints it."""
    sec = version.sections[letter]
    out = [f"SECTION {letter} - {sec.get('heading').upper()}"]
    for part in sec.iter("part"):
        out.append(norm(f"{part.get('num')} {part.get('heading') or ''}"))
        for child in part:
            if child.tag == "crossheading":
                out.append(norm(child.get("heading")))
                for clause in child.iter("clause"):
                    out += node_lines(clause)
            elif child.tag == "clause":
                out += node_lines(child)
    return out


def clause_blocks(version, letter: str = "G") -> dict[str, list[str]]:
    return {c.get("num"): node_lines(c) for c in version.sections[letter].iter("clause")}


def heading_lines(version, letter: str = "G") -> set[str]:
    sec = version.sections[letter]
    parts = {norm(f"{p.get('num')} {p.get('heading') or ''}") for p in sec.iter("part")}
    return parts | {f"{p.get('num')}|{norm(c.get('heading'))}" for p in sec.iter("part") for c in p.iter("crossheading")}


# --------------------------------------------------------------------------- the renders, read back

def html_lines(red, side: str) -> list[str]:
    return paragraphs(html.document_fromstring(render_html(red)), side)


def docx_lines(red, side: str, tmp_path) -> list[str]:
    path = tmp_path / "annex.docx"
    path.write_bytes(render_docx(red, "tracked"))
    mode = "accept" if side == "new" else "reject"
    text = pypandoc.convert_file(str(path), "plain", format="docx", extra_args=[f"--track-changes={mode}", "--wrap=none"])
    lines = [norm(line) for line in text.splitlines() if norm(line)]
    instructions = {i for s in red.sections for i in s.instructions}
    first = lines.index(red.sections[0].title)  # the legal text starts under the section's title
    return [line for line in lines[first + 1:] if line not in instructions and not re.fullmatch(r"\[.*\]", line)]


def is_subsequence(shown: list[str], full: list[str]) -> bool:
    it = iter(full)
    return all(any(line == f for f in it) for line in shown)


def contains_run(lines: list[str], run: list[str]) -> bool:
    return any(lines[i:i + len(run)] == run for i in range(len(lines) - len(run) + 1))


def check_truth(base, result, red, context: str, got_new: list[str], got_old: list[str]) -> None:
    """:func:`check_versions`, and every clause the modification changes, adds, moves or deletes
    shown whole on each side."""
    new_v = result.version
    check_versions(base, new_v, red, context, got_new, got_old)
    if context == "all":
        return
    old_clauses, new_clauses = clause_blocks(base), clause_blocks(new_v)
    moved = {str(o.clause_address): str(n.clause_address) if n is not None else None
             for o, n in result.address_map.items() if o.kind == "clause"}
    came_from = {n: o for o, n in moved.items() if n is not None}
    for num, lines in new_clauses.items():
        was = came_from.get(num, num if num not in moved else None)
        if was is None or old_clauses.get(was) != lines:
            assert contains_run(got_new, lines), f"{num} not shown whole (Accept All)"
            if was in old_clauses:
                assert contains_run(got_old, old_clauses[was]), f"{was} not shown whole (Reject All)"
    for num, lines in old_clauses.items():
        if moved.get(num, num) not in new_clauses or (num in moved and moved[num] is None):
            assert contains_run(got_old, lines), f"deleted {num} not shown (Reject All)"


def build(corpus, names, context):
    mod = modification(names)
    base = corpus.load("6.17")
    try:
        result = apply_modification(base, mod)
    except ApplyError:
        return None
    return base, result, annex_for_modification(mod, base, result, context=context)


# --------------------------------------------------------------------------- the four, pinned

@pytest.mark.parametrize("name", [n for n in NAMES if "(" in n])
@pytest.mark.parametrize("context", CONTEXTS)
def test_each_known_failure_reads_back_in_html(corpus, name, context):
    base, result, red = build(corpus, [name], context)
    check_truth(base, result, red, context, html_lines(red, "new"), html_lines(red, "old"))


@pytest.mark.parametrize("name", [n for n in NAMES if "(" in n])
def test_each_known_failure_reads_back_in_word(corpus, tmp_path, name):
    base, result, red = build(corpus, [name], "group")
    check_truth(base, result, red, "group", docx_lines(red, "new", tmp_path), docx_lines(red, "old", tmp_path))


def test_a_new_part_is_wholly_inserted_with_its_heading(corpus):
    base, result, red = build(corpus, ["new-part (a)"], "group")
    page = html.document_fromstring(render_html(red))
    (h,) = page.xpath("//h3[contains(@class,'part')]")
    assert "state-inserted" in h.get("class") and norm(h.text_content()) == "G4 Shared Resource Providers"
    assert [n.text_content() for n in h.xpath(".//del")] == [] and h.xpath(".//ins")
    clauses = page.xpath("//div[@class='legal-text']/div")
    assert [c.get("id") for c in clauses] == ["G4.1", "G4.2"]
    assert all("state-inserted" in c.get("class") for c in clauses)
    assert [(r.address, str(r.change)) for r in red.summary][0] == ("G4", "part added")  # in document order
    # with G3 shown too, the instruction still comes just before the new part, not before G3
    base, result, red = build(corpus, ["new-part (a)", "adjacent-deletions (b)"], "group")
    k = [type(b).__name__ + ":" + (getattr(b, "text", "") or getattr(b, "level", "")) for b in red.sections[0].blocks]
    at = k.index("InstructionBlock:Add Section G4 after Section G3")
    assert k[at + 1] == "HeadingBlock:part" and k.index("InstructionBlock:Delete Section G3.18") < at
    assert [r.address for r in red.summary] == ["G3.18", "G3.19", "G4", "G4.1", "G4.2"]


def test_a_part_heading_change_alone_is_shown_with_its_instruction(corpus):
    for context in ("group", "clause"):
        base, result, red = build(corpus, ["part-heading (c)"], context)
        page = html.document_fromstring(render_html(red))
        legal = page.xpath("//div[@class='legal-text']")[0]
        assert [e.tag for e in legal][:2] == ["p", "h3"]  # the instruction, then the part heading alone
        assert [e.get("class") for e in legal[2:]] == ["reader-note inferred"]  # 6.17's G1 is inferred
        assert norm(legal[0].text_content()) == "Amend the heading of Section G1 as follows:"
        assert [norm(d.text_content()) for d in legal[1].xpath(".//del")] == ["Provisions"]
        assert [norm(i.text_content()) for i in legal[1].xpath(".//ins")] == ["Rules"]
        assert [(r.address, str(r.change), r.detail) for r in red.summary] == [
            ("G1", "part heading amended", "‘Security: General Provisions’ → ‘Security: General Rules’")]


def test_a_cross_heading_left_by_its_clauses_is_struck_through(corpus):
    base, result, red = build(corpus, ["heading-left-by-move (d)"], "group")
    page = html.document_fromstring(render_html(red))
    legal = page.xpath("//div[@class='legal-text']")[0]
    seq = [(e.tag, norm(e.text_content())[:12].strip()) for e in legal if e.tag in ("h4", "div")]
    assert seq == [("h4", "Disputes"), ("div", "G1.8 Where,"), ("div", "G1.9 Section"),
                   ("h4", "SMETS1 Smart"), ("div", "G1.10 Any re")]
    (gone,) = legal.xpath("h4[contains(@class,'state-deleted')]")
    assert norm(gone.text_content()) == "SMETS1 Smart Metering Systems" and gone.xpath(".//del")
    assert ("G1.10", "cross-heading deleted") in {(r.address, str(r.change)) for r in red.summary}
    # clauses taken to another cross-heading: the old heading struck before the first of them, once
    base, result, red = build(corpus, ["regroup (d)"], "group")
    heads = [b for b in red.sections[0].blocks if getattr(b, "level", None) == "crossheading"]
    assert [(str(b.state), "".join(s.text for s in b.spans)) for b in heads] == [
        ("unchanged", "Transitional Period for Updated or Replacement Standards"), ("deleted", "Obligations on Users")]


#: G1.10 moved under "Disputes" and on to G3.22, G1.8 and G1.9 (all "Disputes" held) deleted, and
#: G1.11 added under "Disputes": the heading was printed again before G1.11 (the deleted clauses
#: carry the old version's "Disputes", G1.11 the new version's, and they were not known as one)
DISPUTES_TWICE = frozenset({"add-clause", "heading-left-by-deletion (d)", "heading-left-by-move (d)", "move-across"})


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_cross_heading_whose_clauses_all_change_is_printed_once(corpus, tmp_path, context):
    base, result, red = build(corpus, DISPUTES_TWICE, context)
    new, old = html_lines(red, "new"), html_lines(red, "old")
    assert new.count("Disputes") == 1 and new[new.index("Disputes") + 1].startswith("G1.11 ")
    assert old.count("Disputes") == 1 and old[old.index("Disputes") + 1].startswith("G1.8 ")
    if context == "all":
        assert new == section_lines(result.version)
        assert old == section_lines(base)
    check_truth(base, result, red, context, new, old)
    if context == "group":  # the DOCX is laid out from the same blocks
        new, old = docx_lines(red, "new", tmp_path), docx_lines(red, "old", tmp_path)
        assert new.count("Disputes") == 1 and old.count("Disputes") == 1
        check_truth(base, result, red, context, new, old)


def test_two_cross_headings_with_the_same_words_are_not_one(corpus):
    """A cross-heading is known across the two versions by its place and the clauses under it, not by
    its words alone: a base whose G1 has "Exclusion for ..." over G1.7 and again over G1.10, with
    "Disputes" between; G1.8 and G1.9 deleted, the second "Exclusion ..." is still printed (taken
    for the first by its words, it was not)."""
    def mod(ops: str, on: str = "6.17"):
        xml = (f'<modification id="SAME" base="{on}"><title>Same words</title><meta><author>Tester</author></meta>'
               f"<operations>{ops}</operations></modification>")
        return parse_modification(xml.encode(), "SAME.xml")

    exclusion = EXCLUSION
    base = apply_modification(corpus.load("6.17"), mod(
        f'<amend target="G1.10" field="crossheading"><old>SMETS1 Smart Metering Systems</old>'
        f"<new>{exclusion}</new></amend>")).version
    assert section_lines(base).count(exclusion) == 2
    deletions = mod('<delete target="G1.8"/><delete target="G1.9"/>', on=base.id)
    result = apply_modification(base, deletions)
    for context in CONTEXTS:
        red = annex_for_modification(deletions, base, result, context=context)
        new, old = html_lines(red, "new"), html_lines(red, "old")
        check_truth(base, result, red, context, new, old)
        if context in ("part", "all"):  # (group and clause show "Disputes" alone)
            assert new.count(exclusion) == old.count(exclusion) == 2


def test_a_cross_heading_reworded_to_another_s_words_is_shown_as_that_one_change(corpus):
    """"Disputes" reworded to "Obligations on Users" (the words of the cross-heading over G1.5):
    the heading over G1.8 is amended, once, with its instruction; the other "Obligations on Users"
    and its clauses are not part of the change, so the group context leaves them out."""
    base, result, red = build(corpus, ["heading-reworded-to-another's-words (e)"], "group")
    assert [(r.address, r.change, r.detail) for r in red.summary] == [
        ("G1.8", "cross-heading amended", "‘Disputes’ → ‘Obligations on Users’")]
    heads = [("".join(s.text for s in b.spans), str(b.state)) for b in red.sections[0].blocks
             if getattr(b, "level", "") == "crossheading"]
    assert heads == [("DisputesObligations on Users", "amended")]
    assert red.sections[0].instructions == ("Amend the cross-heading above Section G1.8 as follows:",)
    shown = html_lines(red, "new")
    assert not any(line.startswith(("G1.5", "G1.6")) for line in shown)


# --------------------------------------------------------------------------- any modification

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(names=st.sets(st.sampled_from(NAMES), min_size=1, max_size=4), context=st.sampled_from(CONTEXTS))
@example(names={"heading-left-by-move (d)", "heading-left-by-deletion (d)"}, context="group")
@example(names={"new-part (a)", "renumber-part"}, context="all")
@example(names={"heading-reworded-to-another's-words (e)", "headings-trade-words (e)"}, context="group")
@example(names={"heading-reworded-to-another's-words (e)", "move-into-new-group"}, context="all")
@example(names={"add-clause", "heading-left-by-deletion (d)", "heading-left-by-move (d)", "move-across"},
         context="all")
def test_accept_all_is_new_and_reject_all_is_old_in_html(corpus, names, context):
    built = build(corpus, names, context)
    assume(built is not None)
    base, result, red = built
    check_truth(base, result, red, context, html_lines(red, "new"), html_lines(red, "old"))
    page = html.document_fromstring(render_html(red))
    for href in page.xpath("//tbody//a/@href"):  # every row of the summary links to text shown
        assert page.xpath(f"//*[@id='{href[1:]}']"), href


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(names=st.sets(st.sampled_from(NAMES), min_size=2, max_size=4), context=st.sampled_from(CONTEXTS))
@example(names={"add-clause", "heading-left-by-deletion (d)", "heading-left-by-move (d)", "move-across"},
         context="group")
def test_accept_all_is_new_and_reject_all_is_old_in_word(corpus, tmp_path, names, context):
    built = build(corpus, names, context)
    assume(built is not None)
    base, result, red = built
    check_truth(base, result, red, context, docx_lines(red, "new", tmp_path), docx_lines(red, "old", tmp_path))
    check_ooxml(render_docx(red, "tracked"))  # revisions well formed, every summary link to a bookmark


def test_a_version_redline_shows_a_run_of_deletions_between_held_clauses(corpus):
    """Without the modification's address map (``redline diff`` of two versions), a run of clauses
    missing between clauses both versions hold is deleted; at the end of what a part held in part
    holds, it may only be text the newer version does not hold (a coverage difference)."""
    from redline.diff import diff_versions

    base = corpus.load("6.17")
    inside = apply_modification(base, modification(["adjacent-deletions (b)"])).version
    vdiff = diff_versions(base, inside)
    assert [(str(c.kind), str(c.old)) for c in vdiff.changes] == [("deleted", "G3.18"), ("deleted", "G3.19")]
    assert vdiff.coverage == ()
    at_end = apply_modification(base, modification(["delete-last"])).version
    vdiff = diff_versions(base, at_end)
    assert vdiff.changes == () and [str(c.address) for c in vdiff.coverage] == ["G3"]


def test_a_moved_clause_is_struck_at_its_old_place_and_inserted_at_its_new(corpus, tmp_path):
    base, result, red = build(corpus, ["move-across"], "group")
    blocks = red.sections[0].blocks
    moved = [b for b in blocks if getattr(b, "change", None) == "moved"]
    assert [(b.anchor, str(b.diff.state), b.note) for b in moved] == [
        ("G1.10", "deleted", "moved to G3.22"), ("G3.22", "inserted", "moved from G1.10")]
    # the instruction comes before the first of the two places; the heading the clause leaves is struck
    k = [getattr(b, "text", None) or getattr(b, "anchor", None) for b in blocks]
    assert k.index("Move Section G1.10 to after Section G3.21 and renumber it as Section G3.22") < k.index("G1.10")
    heads = [("".join(s.text for s in b.spans), str(b.state)) for b in blocks if getattr(b, "level", "") == "crossheading"]
    assert heads[0] == ("SMETS1 Smart Metering Systems", "deleted")
    page = html.document_fromstring(render_html(red))
    assert page.xpath("//div[@id='was-G1.10']") and page.xpath("//div[@id='G3.22']")
    # the summary links each row to where it is shown: the heading struck at the clause's old place
    rows = {(r.address, str(r.change)): r.deleted for r in red.summary}
    assert rows == {("G3.22", "moved"): False, ("G1.10", "cross-heading deleted"): True}
    for href in page.xpath("//tbody//a/@href"):
        assert page.xpath(f"//*[@id='{href[1:]}']"), href
    check_truth(base, result, red, "group", docx_lines(red, "new", tmp_path), docx_lines(red, "old", tmp_path))


# --------------------------------------------------------------------------- any two versions

#: words a cross-heading may be given: most are another cross-heading's in Section G
HEADING_WORDS = ("Disputes", "Obligations on Users", "Interpretation", "New Heading", "Records",
                 "SMETS1 Smart Metering Systems")


def regroup(section, rnd: random.Random) -> str | None:
    """One edit of ``section`` (in place) that a later version of the code might make without a
    modification to say which cross-heading is which: a group split under a new heading, two
    groups merged, a heading reworded, two headings trading words, a clause deleted from inside
    its part (one at an edge of a part held in part is coverage, not a deletion) or amended."""
    part = rnd.choice(section.findall("part"))
    chs = part.findall("crossheading")
    kind = rnd.choice(["split", "merge", "reword", "delete", "amend", "swapwords"])
    if kind == "split":
        cands = [c for c in chs if len(c.findall("clause")) >= 2]
        if not cands:
            return None
        c = rnd.choice(cands)
        clauses = c.findall("clause")
        i = rnd.randrange(1, len(clauses))
        new = copy.deepcopy(c)
        new.set("heading", rnd.choice(HEADING_WORDS))
        for x in list(new):
            new.remove(x)
        for x in clauses[i:]:
            new.append(x)
        c.addnext(new)
    elif kind == "merge":
        if len(chs) < 2:
            return None
        j = rnd.randrange(1, len(chs))
        for x in chs[j].findall("clause"):
            chs[j - 1].append(x)
        part.remove(chs[j])
    elif kind == "reword":
        c, words = rnd.choice(chs), rnd.choice(HEADING_WORDS)
        if words == c.get("heading"):
            return None
        c.set("heading", words)
    elif kind == "swapwords":
        if len(chs) < 2:
            return None
        a, b = rnd.sample(chs, 2)
        wa, wb = a.get("heading"), b.get("heading")
        a.set("heading", wb)
        b.set("heading", wa)
    elif kind == "delete":
        inner = part.findall(".//clause")[1:-1]
        c = rnd.choice(chs)
        cands = [x for x in c.findall("clause") if x in inner]
        if len(c.findall("clause")) < 2 or not cands:
            return None
        c.remove(rnd.choice(cands))
    else:
        clauses = [x for c in chs for x in c.findall("clause")]
        t = rnd.choice(clauses).find("text")
        t.text = (t.text or "") + " and more words"
    return kind


def regrouped(base, rnd: random.Random) -> Version:
    sections = {k: copy.deepcopy(v) for k, v in base.sections.items()}
    for _ in range(rnd.randint(1, 4)):
        regroup(sections["G"], rnd)
    return Version("new", sections)


def check_versions(old, new, red, context: str, got_new: list[str], got_old: list[str]) -> None:
    """With ``context`` all, Accept All is every line of the new version's section and Reject All
    every line of the old; else each is in document order, and every part heading and
    cross-heading one side has and the other has not is shown on its side."""
    full_new, full_old = section_lines(new), section_lines(old)
    if context == "all":
        assert got_new == full_new
        assert got_old == full_old
        return
    assert is_subsequence(got_new, full_new), "Accept All out of document order, or text that is not there"
    assert is_subsequence(got_old, full_old), "Reject All out of document order, or text that was not there"
    old_h, new_h = heading_lines(old), heading_lines(new)
    for h in new_h - old_h:
        assert h.split("|")[-1] in got_new, f"new heading {h} not shown"
    for h in old_h - new_h:
        assert h.split("|")[-1] in got_old, f"heading {h} that goes is not shown"


#: sequences of edits each once drawn wrong (seeds of ``random.Random``): a group split under its own
#: words (31), headings trading words then merged (18), a clause deleted inside a group split (188),
#: a merged group reworded with a clause deleted (302), splits and merges in the clause context (1315)
#: and a heading added over clauses that stay beside an orphaned one (1319)
PINNED = [(31, "all"), (18, "group"), (188, "group"), (302, "all"), (1315, "clause"), (1319, "all")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(rnd=st.randoms(use_true_random=False), context=st.sampled_from(CONTEXTS))
def test_a_redline_of_two_versions_reads_back_exactly(corpus, rnd, context):
    """No modification says which cross-heading is which: the diff aligns them (each pairs with one
    over the same clause), and Accept All / Reject All of the redline still give the two texts."""
    base = corpus.load("6.17")
    new = regrouped(base, rnd)
    vdiff = diff_versions(base, new)
    assume(vdiff.changes or vdiff.headings)
    red = versions_redline(base, new, vdiff, context=context)
    check_versions(base, new, red, context, html_lines(red, "new"), html_lines(red, "old"))


@pytest.mark.parametrize("seed,context", PINNED)
def test_each_two_version_redline_once_drawn_wrong_reads_back(corpus, tmp_path, seed, context):
    base = corpus.load("6.17")
    new = regrouped(base, random.Random(seed))
    vdiff = diff_versions(base, new)
    red = versions_redline(base, new, vdiff, context=context)
    check_versions(base, new, red, context, html_lines(red, "new"), html_lines(red, "old"))
    check_versions(base, new, red, context, docx_lines(red, "new", tmp_path), docx_lines(red, "old", tmp_path))


def test_a_clause_that_keeps_its_number_but_not_its_place_is_moved(corpus, tmp_path):
    """G1.3 goes to the end of "Exclusion …" and G1.5 comes up as G1.3, so G1.4 keeps its number
    but now follows what was G1.5: it had been taken as unchanged, and Reject All put it after
    G1.5. Out of order, a clause is moved whatever its number (struck through at its old place,
    inserted at its new one)."""
    base = corpus.load("6.17")
    sections = {k: copy.deepcopy(v) for k, v in base.sections.items()}
    part = sections["G"].find("part")
    clause = {c.get("num"): c for c in part.iter("clause")}
    groups = {g.get("heading").split()[0]: g for g in part.findall("crossheading")}
    for num in ("G1.3", "G1.4", "G1.5", "G1.6", "G1.7"):
        clause[num].getparent().remove(clause[num])
    groups["Obligations"].extend([clause["G1.5"], clause["G1.4"], clause["G1.6"]])
    groups["Exclusion"].extend([clause["G1.7"], clause["G1.3"]])
    for i, c in enumerate(part.iter("clause"), 1):
        c.set("num", f"G1.{i}")
    new = Version("new", sections)
    vdiff = diff_versions(base, new)
    assert ("moved", "G1.4", "G1.4") in {(str(c.kind), str(c.old), str(c.new)) for c in vdiff.changes}
    assert "Move Section G1.4 to follow Section G1.3" in versions_redline(base, new, vdiff).sections[0].instructions
    for context in CONTEXTS:
        red = versions_redline(base, new, vdiff, context=context)
        check_versions(base, new, red, context, html_lines(red, "new"), html_lines(red, "old"))
    red = versions_redline(base, new, vdiff, context="all")
    check_versions(base, new, red, "all", docx_lines(red, "new", tmp_path), docx_lines(red, "old", tmp_path))


def renumbered(part) -> None:
    for i, c in enumerate(part.iter("clause"), 1):
        c.set("num", f"{part.get('num')}.{i}")


def rearrange(section, rnd: random.Random) -> None:
    """One wider edit of ``section`` (in place): a regrouping (:func:`regroup`), or a clause moved
    (its part renumbered, as a version's numbers run in sequence), a new clause or a new cross-heading
    group (not after a part's last clause: past what a partly held part holds, that is coverage),
    a whole group deleted from inside its part, an item amended, or a part renumbered."""
    from lxml import etree

    part = rnd.choice(section.findall("part"))
    clauses = part.findall(".//clause")
    kind = rnd.choice(["regroup", "regroup", "move", "clause", "group", "delete-group", "item", "renumber"])
    if kind == "regroup":
        regroup(section, rnd)
    elif kind == "move" and len(clauses) >= 3:
        c = rnd.choice(clauses[1:-1])
        to = rnd.choice([x for x in clauses if x is not c])
        c.getparent().remove(c)
        to.addnext(c)
        renumbered(part)
    elif kind == "clause":
        c = rnd.choice(clauses[:-1])
        new = etree.Element("clause", num=c.get("num") + "A")
        etree.SubElement(new, "text").text = f"A new clause {rnd.randrange(1000)} after {c.get('num')}."
        c.addnext(new)
    elif kind == "group":
        box = rnd.choice(part.findall("crossheading"))
        last = box.findall("clause")[-1:] or [clauses[-1]]
        if last[0] is not clauses[-1]:
            group = etree.Element("crossheading", heading=rnd.choice(HEADING_WORDS))
            new = etree.SubElement(group, "clause", num=last[0].get("num") + "B")
            etree.SubElement(new, "text").text = "A clause in a new group."
            box.addnext(group)
    elif kind == "delete-group":
        inner = clauses[1:-1]
        boxes = [b for b in part.findall("crossheading") if all(c in inner for c in b.findall("clause"))]
        if boxes:
            part.remove(rnd.choice(boxes))
    elif kind == "item":
        items = [i for c in clauses for i in c.iter("item")]
        if items:
            t = rnd.choice(items).find("text")
            t.text = (t.text or "") + " as well"
    elif kind == "renumber":
        renumbered(part)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(rnd=st.randoms(use_true_random=False), context=st.sampled_from(CONTEXTS))
def test_a_redline_of_two_versions_rearranged_reads_back_exactly(corpus, rnd, context):
    """Clauses moved, added and renumbered, groups added and deleted, beside the regroupings."""
    base = corpus.load("6.17")
    sections = {k: copy.deepcopy(v) for k, v in base.sections.items()}
    for _ in range(rnd.randint(1, 4)):
        rearrange(sections["G"], rnd)
    if rnd.random() < 0.5:
        for part in sections["G"].findall("part"):
            renumbered(part)
    assume(all(box.find("clause") is not None for box in sections["G"].iter("crossheading")))
    nums = [c.get("num") for c in sections["G"].iter("clause")]
    assume(len(nums) == len(set(nums)))  # (two new clauses given one number: not a version)
    new = Version("new", sections)
    vdiff = diff_versions(base, new)
    # a clause one side holds past the last one both hold, in a part held only in part, is
    # coverage (not compared, said in a note), not an addition or deletion: not this test's matter
    assume((vdiff.changes or vdiff.headings) and not any(c.clauses for c in vdiff.coverage))
    red = versions_redline(base, new, vdiff, context=context)
    check_versions(base, new, red, context, html_lines(red, "new"), html_lines(red, "old"))


def test_a_clause_under_a_struck_heading_is_not_given_its_new_heading_again(corpus, tmp_path):
    """"Exclusion …" reworded to "Records", the "Disputes" group (G1.8, G1.9) deleted, and G1.10
    taken from under "SMETS1 …" into "Records" as G1.8. The reworded heading was printed a second
    time above G1.8 (both sides read it), though the new text reads G1.8 under "Records" already
    and the old text under "SMETS1 …", which is struck through just before it."""
    base = corpus.load("6.17")
    sections = {k: copy.deepcopy(v) for k, v in base.sections.items()}
    part = sections["G"].find("part")
    groups = {g.get("heading").split()[0]: g for g in part.findall("crossheading")}
    groups["Exclusion"].set("heading", "Records")
    part.remove(groups["Disputes"])
    groups["Exclusion"].extend(groups["SMETS1"].findall("clause"))
    part.remove(groups["SMETS1"])
    renumbered(part)
    new = Version("new", sections)
    vdiff = diff_versions(base, new)
    for context in CONTEXTS:
        red = versions_redline(base, new, vdiff, context=context)
        check_versions(base, new, red, context, html_lines(red, "new"), html_lines(red, "old"))
        assert html_lines(red, "new").count("Records") == 1
    red = versions_redline(base, new, vdiff, context="all")
    check_versions(base, new, red, "all", docx_lines(red, "new", tmp_path), docx_lines(red, "old", tmp_path))
