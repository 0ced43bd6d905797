"""``redline release``, ``rebase``, ``log`` and ``show --blame``: the bundled corpus, a planted
history (tests/release_scenario.py) and a generated code (bench/generate.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from redline.corpus import Corpus
from redline.history import SectionSource, address_log, version_step
from redline.model import Address
from redline.mods import load_modification, read_modification
from redline.release import make_release, parse_release

import release_scenario
from conftest import CORPUS


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory) -> Path:
    return release_scenario.build(tmp_path_factory.mktemp("release"))


@pytest.fixture
def scenario(scenario_dir, tmp_path) -> Path:
    """A private copy (commands may write to it)."""
    dst = tmp_path / "corpus"
    shutil.copytree(scenario_dir, dst)
    return dst


# ---------------------------------------------------------------------------------------------
# the bundled corpus


def test_release_file_of_the_bundled_corpus(invoke):
    r = invoke("release", "2019-11")
    assert r.exit_code == 0, r.output
    assert "SECMP0065  already made (drafted against 5.23)" in r.output
    assert "G1.10 already reads as this operation inserts it in 6.17, since version 6.17" in r.output
    assert "MP087      applies as drafted" in r.output
    assert "Result: the release applies" in r.output


def test_release_json(invoke):
    r = invoke("release", "SECMP0065", "MP087", "--onto", "6.17", "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["format"] == "redline-release" and data["ok"] and data["onto"] == "6.17"
    by_id = {m["id"]: m for m in data["modifications"]}
    assert by_id["SECMP0065"]["status"] == "already-made" and not by_id["SECMP0065"]["made"]
    assert by_id["MP087"]["status"] == "as-drafted" and by_id["MP087"]["changed"] == ["G3.20"]
    assert by_id["MP087"]["operations"][0]["line"] == 16


def test_release_as_writes_the_consolidated_version(invoke, tmp_corpus):
    r = invoke("release", "2019-11", "--as", "6.18", "--corpus", tmp_corpus)
    assert r.exit_code == 0, r.output
    corpus = Corpus.open(tmp_corpus)
    info = corpus.info("6.18")
    assert info.predecessor == "6.17" and info.modification == "MP087"
    assert "which forms part of a SMETS2+ Device" in corpus.load("6.18").find("G3.20(b)").text
    # and the history attributes the change
    r = invoke("log", "G3.20(b)", "--corpus", tmp_corpus)
    assert "6.18  G3.20(b): amended by MP087" in r.output
    assert "Gas Proxy Function {+which forms part of a SMETS2+ Device+}" in r.output


def test_blame_marks_the_words_a_modification_wrote(invoke, tmp_corpus):
    assert invoke("release", "MP087", "--onto", "6.17", "--as", "6.18", "--corpus", tmp_corpus).exit_code == 0
    r = invoke("show", "6.18", "G3.20(b)", "--blame", "--corpus", tmp_corpus)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert any(line.strip() == "6.18 (MP087)     which forms part of a SMETS2+ Device" for line in lines), r.output
    data = json.loads(invoke("show", "6.18", "G3.20(b)", "--blame", "--format", "json",
                             "--corpus", tmp_corpus).output)
    runs = data["node"]["text"]
    assert [r["version"] for r in runs] == ["5.20", "6.18", "5.20"]
    assert runs[1]["modifications"] == ["MP087"] and runs[0]["oldest_held"]
    assert "".join(r["text"] for r in runs) == corpus_text(tmp_corpus, "6.18", "G3.20(b)")


def corpus_text(root, version, address):
    return Corpus.open(root).load(version).find(address).text


def test_log_of_an_added_clause(invoke):
    r = invoke("log", "G1.10")
    assert r.exit_code == 0
    assert r.output.splitlines() == [
        "History of G1.10 (as 6.17 numbers it)",
        "  5.20  not held by the corpus in this version",
        "  5.23  not in this version",
        "  6.17  G1.10: added",
    ]
    data = json.loads(invoke("log", "G1.10", "--format", "json").output)
    assert [v["status"] for v in data["versions"]] == ["not held", "absent", "added"]


def test_log_unknown_address_is_one_error_line(invoke):
    r = invoke("log", "G3.99")
    assert r.exit_code == 1 and r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1


def test_rebase_already_made_refuses(invoke, tmp_path):
    out = tmp_path / "x.xml"
    r = invoke("rebase", "SECMP0065", "--onto", "6.17", "-o", out)
    assert r.exit_code == 1 and not out.exists()
    assert "not written: every change it makes is already made in 6.17" in r.output


def test_rebase_refuses_to_overwrite_its_input(invoke):
    r = invoke("rebase", CORPUS / "mods" / "MP087.xml", "--onto", "6.17", "-o", CORPUS / "mods" / "MP087.xml")
    assert r.exit_code == 2


# ---------------------------------------------------------------------------------------------
# the planted history


ALL = list(release_scenario.MODS)


def test_release_of_the_planted_modifications(invoke, scenario):
    r = invoke("release", *ALL, "--onto", "2.0", "--corpus", scenario, "--as", "3.0")
    assert r.exit_code == 1
    out = r.output
    assert "RB1   applies after rebasing (drafted against 1.0)" in out
    assert "G8.4 renumbered G8.5 in version 2.0 (V2)" in out
    assert "obsolete: its target G8.5 was deleted in version 2.0 (V2)" in out
    assert "RB3   conflict" in out and "were changed by version 2.0 (V2)" in out
    # RB6 and RB7 change the same word: RB7 names RB6's operation and its diff
    assert "RB7   conflict" in out
    assert "changed by RB6 operation 1 (Amend Section G8.1 as follows:): Each User shall undergo " \
           "[-a-]{+an annual+} fixture assessment." in out
    # RB10 quotes RB6's phrase, changes another word of it: its quoted words are brought up to date
    assert "RB10  applies after rebasing" in out
    assert "G8.3: RB3 operation 1 (conflict); RB4 operation 1 (applies as drafted); RB8 operation 1 " \
           "(already made); RB9 operation 1 (conflict)  CONFLICT" in out
    assert "version 3.0 not written" in out
    assert "3.0" not in Corpus.open(scenario).version_ids


def test_same_words_conflict_whichever_comes_first(scenario):
    corpus = Corpus.open(scenario)
    onto = corpus.load("2.0")
    base = corpus.load("1.0")
    step = version_step(base, onto, ("V2",))
    for order in (("RB6", "RB7"), ("RB7", "RB6")):
        mods = [load_modification(corpus, m) for m in order]
        rep = make_release(mods, onto, lambda m: (base, [step]))
        first, second = rep.modifications
        assert first.status == "as-drafted" and second.status == "conflict"
        assert second.rebase.outcomes[0].culprit_mod == order[0]
        (ov,) = rep.overlaps
        assert str(ov.clause) == "G8.1" and ov.conflict


def test_two_edits_of_one_cross_heading_through_different_clauses_conflict(corpus):
    """RA rewords "Disputes" through G1.8, RC through G1.9: the second conflicts with the first,
    which is named (the words of a cross-heading are every clause's under it), and both clauses
    under it are listed as touched by the two, whichever comes first."""
    from redline.mods import parse_modification

    def mod(mid: str, target: str, new: str):
        return parse_modification(
            (f'<modification id="{mid}" base="6.17"><title>{mid}</title><meta><author>Tester</author></meta>'
             f'<operations><amend target="{target}" field="crossheading"><old>Disputes</old><new>{new}</new>'
             "</amend></operations></modification>").encode(), f"{mid}.xml")

    onto = corpus.load("6.17")
    ra, rc = mod("RA", "G1.8", "Dispute Resolution"), mod("RC", "G1.9", "Disputes between Parties")
    for order in ((ra, rc), (rc, ra)):
        rep = make_release(list(order), onto, lambda m: (onto, []), check_references=False)
        first, second = rep.modifications
        assert first.status == "as-drafted" and second.status == "conflict"
        assert second.rebase.outcomes[0].culprit_mod == order[0].id
        assert {str(ov.clause) for ov in rep.overlaps} == {"G1.8", "G1.9"}
        assert all(ov.conflict for ov in rep.overlaps)


def test_a_cross_heading_edit_aimed_at_a_deleted_clause_follows_the_heading(corpus):
    """RD deletes G1.8; RA, drafted on 6.17, rewords "Disputes" through G1.8. The heading still
    stands over G1.9, so RA applies after rebasing, aimed at G1.9, and says why."""
    from redline.mods import parse_modification

    def mod(mid: str, ops: str):
        return parse_modification((f'<modification id="{mid}" base="6.17"><title>{mid}</title><meta><author>T'
                                   f"</author></meta><operations>{ops}</operations></modification>").encode(),
                                  f"{mid}.xml")

    onto = corpus.load("6.17")
    rd = mod("RD", '<delete target="G1.8"/>')
    ra = mod("RA", '<amend target="G1.8" field="crossheading"><old>Disputes</old><new>Dispute Resolution</new>'
                   "</amend>")
    rep = make_release([rd, ra], onto, lambda m: (onto, []), check_references=False)
    first, second = rep.modifications
    assert first.status == "as-drafted" and second.status == "rebased"
    (outcome,) = second.rebase.outcomes
    assert "its target G1.8 is deleted by RD" in outcome.message and "stands above G1.9 now" in outcome.message
    assert str(outcome.rebased.target) == "G1.9"
    (overlap,) = rep.overlaps  # both touch G1.8: RD deletes it, RA was aimed at it
    assert str(overlap.clause) == "G1.8" and overlap.deleted and not overlap.conflict
    assert rep.state.find(Address.parse("G1.9")).crossheading == "Dispute Resolution"


def test_clean_release_writes_and_records_it(invoke, scenario):
    release = scenario / "releases"
    release.mkdir()
    (release / "r1.xml").write_text(
        '<release id="r1" onto="2.0"><title>Planted</title><modifications>'
        '<modification ref="RB1"/><modification ref="RB4"/><modification ref="RB5"/>'
        '<modification ref="RB6"/><modification ref="RB8"/><modification ref="RB10"/>'
        "</modifications></release>", encoding="utf-8")
    r = invoke("release", "r1", "--as", "3.0", "--corpus", scenario)
    assert r.exit_code == 0, r.output
    corpus = Corpus.open(scenario)
    info = corpus.info("3.0")
    assert info.predecessor == "2.0"
    assert info.modifications == ("RB1", "RB4", "RB5", "RB6", "RB10")  # RB8 was already made
    v = corpus.load("3.0")
    assert v.find("G8.1").text == "Each User shall undergo an annual fixture review."
    assert v.find("G8.3A") is not None and v.find("G8.5").text.endswith("correct it promptly.")
    # the history of the clause RB1 changed, through the renumbering in 2.0
    r = invoke("log", "G8.5", "--corpus", scenario)
    assert "2.0  G8.5: renumbered from G8.4 by V2" in r.output
    assert "3.0  G8.5: amended by RB1, RB4, RB5, RB6, RB10" in r.output


def test_rebase_writes_a_modification_that_applies(invoke, scenario, tmp_path):
    out = tmp_path / "RB9-2.0.xml"
    r = invoke("rebase", "RB9", "--onto", "2.0", "-o", out, "--corpus", scenario)
    assert r.exit_code == 0, r.output
    mod = read_modification(out)
    assert mod.base == "2.0" and mod.id == "RB9"
    assert mod.operations[0].old.endswith("shall be final and binding.")
    r = invoke("apply", out, "-o", tmp_path / "G.xml", "--corpus", scenario)
    assert r.exit_code == 0, r.output
    tree = etree.parse(str(tmp_path / "G.xml"))
    g83 = tree.find(".//clause[@num='G8.3']/text").text
    assert g83 == ("The Panel shall promptly publish the fixture assessment, and the fixture assessment shall be "
                   "final and binding.")


def test_rebase_refuses_a_conflict(invoke, scenario, tmp_path):
    out = tmp_path / "RB3.xml"
    r = invoke("rebase", "RB3", "--onto", "2.0", "-o", out, "--corpus", scenario)
    assert r.exit_code == 1 and not out.exists()
    assert "conflict" in r.output and "not written: a human must decide" in r.output
    r = invoke("rebase", "RB3", "--onto", "2.0", "-o", out, "--corpus", scenario, "--format", "json")
    data = json.loads(r.output.split("\nnot written")[0])
    assert data["operations"][0]["status"] == "conflict" and not data["written"]


def test_github_annotations(invoke, scenario):
    r = invoke("release", "RB2", "RB3", "--onto", "2.0", "--format", "github", "--corpus", scenario)
    assert r.exit_code == 1
    lines = [x for x in r.output.splitlines() if x.startswith("::")]
    assert any(x.startswith("::error file=") and "RB2.xml,line=5,title=RB2 operation 1%3A obsolete::" in x
               for x in lines), lines


def test_github_annotations_for_every_outcome_and_overlap(invoke, scenario):
    """An error (at the operation's file and line) for each operation a human must decide, a
    notice for each rebased or already-made one, and one for each clause several modifications
    touch (an error when they clash there), shown on the later modification."""
    r = invoke("release", "RB1", "RB3", "RB4", "RB6", "RB7", "RB8", "--onto", "2.0", "--format", "github",
               "--corpus", scenario)
    assert r.exit_code == 1
    ann = [x for x in r.output.splitlines() if x.startswith("::")]
    head = [x.split("::")[1] for x in ann]
    assert [h.split(",title=")[1] for h in head] == [
        "RB1 operation 1%3A applies after rebasing", "RB3 operation 1%3A conflict", "RB7 operation 1%3A conflict",
        "RB8 operation 1%3A already made", "overlap in G8.3%3A RB3%2C RB4%2C RB8", "conflict in G8.1%3A RB6%2C RB7"]
    assert [h.split(" ")[0] for h in head] == ["notice", "error", "error", "notice", "notice", "error"]
    assert all(h.split(" ")[1].startswith("file=") and "/mods/RB" in h and ",line=5," in h for h in head)
    conflict = next(x for x in ann if "RB7 operation 1%3A conflict" in x)
    assert "changed by RB6 operation 1" in conflict and "%0A" in conflict  # the word diff, on its own lines
    assert "RB6 operation 1 (applies as drafted); RB7 operation 1 (conflict)" in ann[-1]
    clean = invoke("release", "RB4", "RB5", "--onto", "2.0", "--format", "github", "--corpus", scenario)
    assert clean.exit_code == 0 and not [x for x in clean.output.splitlines() if x.startswith("::")]


def test_address_log_follows_renumbering_and_deletion(scenario):
    corpus = Corpus.open(scenario)
    src = SectionSource(corpus.load_section, corpus.section_file)
    log = address_log(["1.0", "2.0"], Address.parse("G8.4"), "1.0", src, {"2.0": ("V2",)})
    assert [(e.status, str(e.address)) for e in log] == [("held", "G8.4"), ("renumbered", "G8.5")]
    log = address_log(["1.0", "2.0"], Address.parse("G8.5"), "1.0", src, {"2.0": ("V2",)})
    assert [e.status for e in log] == ["held", "deleted"] and log[1].modifications == ("V2",)


# ---------------------------------------------------------------------------------------------
# input errors


@pytest.mark.parametrize("args, message", [
    (("release", "MP087", "--onto", "9.99"), "unknown version '9.99'"),
    (("release", "NOPE", "--onto", "6.17"), "no modification 'NOPE'"),
    (("release", "MP087", "MP087"), "MP087 is given twice"),
    (("release", "MP087", "--as", "6.17"), "version 6.17 already exists"),
    (("release", "MP087", "--redline", "docx"), "--redline FORMAT and -o FILE go together"),
    (("rebase", "MP087", "--onto", "9.99", "-o", "-"), "unknown version '9.99'"),
])
def test_bad_input_exits_2(invoke, args, message):
    r = invoke(*args)
    assert r.exit_code == 2, r.output
    assert message in r.output


def test_bad_release_file(invoke, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text('<release id="x"><title>t</title><modifications/></release>', encoding="utf-8")
    r = invoke("release", bad)
    assert r.exit_code == 2
    assert r.output.startswith("Error: ") and "bad.xml:1: does not match the release schema" in r.output


def test_parse_release_lists_in_order():
    data = (CORPUS / "releases" / "2019-11.xml").read_bytes()
    rel = parse_release(data, "2019-11.xml")
    assert rel.modifications == ("SECMP0065", "MP087") and rel.onto == "6.17"


def test_every_release_file_in_the_corpus_validates():
    from redline.corpus import schema

    for path in sorted((CORPUS / "releases").glob("*.xml")):
        assert schema("release").validate(etree.parse(str(path))), path


# ---------------------------------------------------------------------------------------------
# a generated code: version 1.1 renumbers a run of clauses, deletes and amends others


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from bench import generate

    root = generate.generate(200, seed=11, out=tmp_path_factory.mktemp("gen"), peers=False)
    return Corpus.open(root), json.loads((root / "edits.json").read_text())["1.1"]


def _phrase(text: str) -> str | None:
    """Three words of ``text`` that occur once in it and name no clause (None if there are none)."""
    import re

    words = text.split()
    for i in range(len(words) - 3):
        cand = " ".join(words[i:i + 3])
        if re.search(r"[^\w ]|\d", cand):
            continue
        if len(re.findall(rf"(?<!\w){re.escape(cand)}(?!\w)", text)) == 1:
            return cand
    return None


def _planted(corpus, edits):
    from redline.mods import Modification
    from redline.ops import Amend, Substitute
    from redline.rebase import hunks
    from redline.textdiff import tokenize

    v10, v11 = corpus.load("1.0"), corpus.load("1.1")
    out = {}
    for old, new in edits["renumbered"].items():
        phrase = _phrase(v10.find(old).text)
        if phrase is None or sum(k.startswith("REN") for k in out) == 3:
            continue
        out[f"REN-{old}"] = (Modification(f"REN-{old}", "t", "1.0", (Substitute(Address.parse(old), phrase,
                                                                                    phrase + " promptly"),)),
                             "rebased", f"{old} renumbered {new} in version 1.1")
    for gone in edits["deleted"][:2]:
        text = v10.find(gone).text
        out[f"DEL-{gone}"] = (Modification(f"DEL-{gone}", "t", "1.0", (Amend(Address.parse(gone), text,
                                                                              text + " Amended."),)),
                              "obsolete", f"its target {gone} was deleted in version 1.1")
    for clause, kind in edits["amended"]:
        a = Address.parse(clause)
        t0, t1 = v10.find(a).text, v11.find(a).text
        if t0 == t1:
            continue
        h = hunks(t0, t1)[0]
        toks = tokenize(t0)
        lo = max(0, h.start - 2)
        phrase = "".join(toks[lo:max(h.end, h.start + 1) + 2]).strip()
        from redline.apply import occurrences

        if len(occurrences(t0, phrase)) != 1:
            continue
        out[f"CON-{clause}"] = (Modification(f"CON-{clause}", "t", "1.0",
                                             (Substitute(a, phrase, "entirely new words"),)),
                                "conflict", "were changed by version 1.1")
        break
    return out


def test_generated_history_planted_outcomes(generated):
    corpus, edits = generated
    from redline.rebase import rebase_modification

    base, onto = corpus.load("1.0"), corpus.load("1.1")
    step = version_step(base, onto)
    planted = _planted(corpus, edits)
    assert {s for _, s, _ in planted.values()} == {"rebased", "obsolete", "conflict"}
    for name, (mod, status, words) in planted.items():
        res = rebase_modification(mod, base, [step], onto)
        (o,) = res.outcomes
        assert o.status == status, (name, o.message)
        assert words in o.message, (name, o.message)
        if status == "rebased":
            new = edits["renumbered"][name[4:]]
            assert mod.operations[0].new in res.applied.version.find(new).text


def test_generated_release_onto_a_newer_version(generated):
    """The generator's 50 modifications, drafted against 1.0, made together onto 1.1: every
    one is reported, what is made is in the consolidated text, and the renumbered run is
    followed (no modification is obsolete or broken because of a renumbering)."""
    corpus, edits = generated
    from redline.mods import list_modifications
    from redline.rebase import BROKEN, STATUSES

    base, onto = corpus.load("1.0"), corpus.load("1.1")
    step = version_step(base, onto)
    mods = list_modifications(corpus)
    rep = make_release(mods, onto, lambda m: (base, [step]))
    assert [m.id for m in rep.modifications] == [m.id for m in mods]
    assert all(m.status in STATUSES and m.status != BROKEN for m in rep.modifications)
    renumbered = set(edits["renumbered"])
    for m in rep.modifications:
        for o in m.rebase.outcomes:
            if o.status == "obsolete":
                assert str(m.modification.operations[o.index].target.clause_address) not in renumbered
        if m.made:
            assert m.changed and all(rep.state.find(c) is not None for c in m.changed)
    made = [m for m in rep.modifications if m.made]
    assert len(made) >= 40, [(m.id, m.status) for m in rep.modifications]


# ---------------------------------------------------------------------------------------------
# the release redline: each change attributed to its modification


CLEAN = ("RB1", "RB4", "RB5", "RB6", "RB10")


@pytest.fixture(scope="module")
def clean_report(scenario_dir):
    corpus = Corpus.open(scenario_dir)
    base, onto = corpus.load("1.0"), corpus.load("2.0")
    step = version_step(base, onto, ("V2",))
    return make_release([load_modification(corpus, m) for m in CLEAN], onto, lambda m: (base, [step]))


def test_every_change_is_attributed_to_its_modification(clean_report):
    from redline.diff import diff_versions
    from redline.release import attributed

    vd = attributed(clean_report, diff_versions(clean_report.onto, clean_report.state,
                                                address_map=dict(clean_report.address_map)))
    got = [(str(ch.address), s.kind.value, s.text.strip(), s.by) for ch in vd.changes for n in ch.diff.walk()
           for s in (*n.num, *n.text, *n.closing) if s.kind != "equal"]
    assert got == [
        ("G8.1", "delete", "a", "RB6"), ("G8.1", "insert", "an annual", "RB6"),
        ("G8.1", "delete", "assessment", "RB10"), ("G8.1", "insert", "review", "RB10"),
        ("G8.3", "delete", "shall", "RB4"), ("G8.3", "insert", "must", "RB4"),
        ("G8.3A", "insert", "G8.3A", "RB5"), ("G8.3A", "insert", "A planted clause after G8.3.", "RB5"),
        ("G8.5", "insert", "promptly", "RB1"),
    ]


def test_release_redline_html(clean_report):
    from lxml import html as lxml_html

    from redline.release import release_redline
    from redline.render.html import render_html

    red = release_redline(clean_report)
    assert [(r.address, r.by) for r in red.summary] == [
        ("G8.1", ("RB6", "RB10")), ("G8.3", ("RB4",)), ("G8.3A", ("RB5",)), ("G8.5", ("RB1",))]
    assert red.sections[0].instructions[:2] == ("RB1: Amend Section G8.5 as follows:",
                                                 "RB4: Amend Section G8.3 as follows:")
    doc = lxml_html.document_fromstring(render_html(red))
    marks = [(el.tag, el.text_content().strip(), el.get("data-by")) for el in doc.xpath("//div[@class='legal-text']//*[self::ins or self::del]")]
    assert ("del", "a", "RB6") in marks and ("ins", "review", "RB10") in marks and ("ins", "promptly", "RB1") in marks
    assert all(by is not None for _, _, by in marks)
    heads = [th.text_content() for th in doc.xpath("//section[@class='summary']//th")]
    assert heads == ["Clause", "Change", "Modification", "Detail"]


#: more planted modifications for the release redline: an item deleted, a clause added that cites
#: the clause RB5 adds, the clause version 2.0 added deleted again
MORE = {
    "RX1": '<delete target="G8.2(b)"/>',
    "RX2": '<insert end="G9"><clause num="G9.2"><text>Section G8.3A applies to this part.</text></clause></insert>',
    "RX3": '<delete target="G8.4"/>',
}


def _plant(corpus: Path, mods: dict[str, str]) -> None:
    for mod_id, ops in mods.items():
        (corpus / "mods" / f"{mod_id}.xml").write_text(release_scenario.mod_xml(mod_id, ops, base="2.0"),
                                                       encoding="utf-8")


def _pandoc(path: Path, to: str, changes: str) -> str:
    import pypandoc

    return pypandoc.convert_file(str(path), to, format="docx", extra_args=[f"--track-changes={changes}",
                                                                            "--wrap=none"])


def _lines(version, letter: str) -> list[str]:
    """Every clause, item and closing of a section as its own line, as a plain-text reader of
    the redline shows them ("G8.1 Each User …", "(a) the User's …")."""
    out = []
    for el in version.sections[letter].iter("clause", "item"):
        out.append(f"{el.get('num')} {el.findtext('text')}".strip())
        if el.findtext("closing"):
            out.append(el.findtext("closing"))
    return out


def test_release_redline_docx_read_back_by_pandoc(invoke, scenario, tmp_path):
    """The release redline as Word: pandoc reads each tracked change authored by the modification
    that makes it, accept-all gives the consolidated text and reject-all the version the release
    is made on (every clause shown), the summary table names modification × clause, and the
    cross-reference check of the consolidated text is reported in the document."""
    from lxml import html as lxml_html

    _plant(scenario, MORE)
    mods = [*CLEAN, *MORE]
    out = tmp_path / "release.docx"
    r = invoke("release", *mods, "--onto", "2.0", "--as", "3.0", "--redline", "docx", "-o", out,
               "--corpus", scenario)
    assert r.exit_code == 0, r.output
    corpus = Corpus.open(scenario)
    onto, made = corpus.load("2.0"), corpus.load("3.0")
    assert corpus.info("3.0").modifications == tuple(mods)

    doc = lxml_html.document_fromstring(_pandoc(out, "html", "all"))
    marks = []
    for span in doc.xpath("//span[@class='insertion' or @class='deletion']"):
        para = span.xpath("ancestor::p[1]")[0].text_content().split()
        marks.append((para[0], span.get("class"), " ".join(span.text_content().split()), span.get("data-author")))
    assert marks == [
        ("G8.1", "deletion", "a", "RB6"), ("G8.1", "insertion", "an annual", "RB6"),
        ("G8.1", "deletion", "assessment", "RB10"), ("G8.1", "insertion", "review", "RB10"),
        ("(b)", "deletion", "(b) the User's fixture systems in use by any other fixture party,", "RX1"),
        ("G8.3", "deletion", "shall", "RB4"), ("G8.3", "insertion", "must", "RB4"),
        # the slot after G8.3: what was there (G8.4) struck out, then what is there now (G8.3A)
        ("G8.4", "deletion", "G8.4 A new fixture clause inserted in version 2.0.", "RX3"),
        ("G8.3A", "insertion", "G8.3A A planted clause after G8.3.", "RB5"),
        ("G8.5", "insertion", "promptly", "RB1"),
        ("G9.2", "insertion", "G9.2 Section G8.3A applies to this part.", "RX2"),
    ], marks
    rows = [[td.text_content().strip() for td in tr.xpath("td")] for tr in doc.xpath("//table//tr[td]")]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("G8.1", "amended", "RB6, RB10"), ("G8.2", "amended", "RX1"), ("G8.3", "amended", "RB4"),
        ("G8.4", "deleted", "RX3"), ("G8.3A", "added", "RB5"), ("G8.5", "amended", "RB1"),
        ("G9.2", "added", "RX2")]
    assert "Cross-references of the consolidated text checked: none broken." in doc.text_content()
    instructions = [p.text_content() for p in doc.xpath("//p") if ": " in (p.text_content() or "")
                    and p.text_content().split(":")[0] in mods]
    assert "RX3: Delete Section G8.4" in instructions and "RB1: Amend Section G8.5 as follows:" in instructions

    accept = _pandoc(out, "plain", "accept").splitlines()
    reject = _pandoc(out, "plain", "reject").splitlines()
    shown = {line.split()[0] for line in accept + reject if line.strip()}
    for line in _lines(made, "G"):
        if line.split()[0] in shown and line.split()[0].startswith(("G8", "G9", "(")):
            assert line in accept, line
    for line in _lines(onto, "G"):
        if line.split()[0] in shown:
            assert line in reject, line
    assert "G8.4 A new fixture clause inserted in version 2.0." not in accept
    assert not any(x.startswith("G9.2") for x in reject) and not any("an annual" in x for x in reject)


def test_release_redline_html_read_back(invoke, scenario, tmp_path):
    """The HTML release redline read with an HTML parser: every <ins>/<del> carries the
    modification that makes it (data-by), the summary names modification × clause."""
    from lxml import html as lxml_html

    _plant(scenario, MORE)
    out = tmp_path / "release.html"
    r = invoke("release", *CLEAN, *MORE, "--onto", "2.0", "--redline", "html", "-o", out, "--corpus", scenario)
    assert r.exit_code == 0, r.output
    doc = lxml_html.document_fromstring(out.read_text(encoding="utf-8"))
    marks = doc.xpath("//div[@class='legal-text']//*[self::ins or self::del]")
    assert marks and all(el.get("data-by") in (*CLEAN, *MORE) for el in marks)
    by = {(el.tag, " ".join(el.text_content().split()), el.get("data-by")) for el in marks}
    assert {("del", "a", "RB6"), ("ins", "an annual", "RB6"), ("ins", "review", "RB10"), ("del", "shall", "RB4"),
            ("ins", "promptly", "RB1")} <= by
    assert any(tag == "del" and who == "RX3" and "A new fixture clause" in text for tag, text, who in by)
    assert any(tag == "ins" and who == "RX2" and "Section G8.3A applies" in text for tag, text, who in by)
    rows = [[td.text_content().strip() for td in tr.xpath("td")] for tr in doc.xpath("//section[@class='summary']//tr[td]")]
    assert ("G8.1", "RB6, RB10") in {(row[0], row[2]) for row in rows}
    assert "Cross-references of the consolidated text checked: none broken." in doc.text_content()


def test_release_redline_names_broken_references(invoke, scenario, tmp_path):
    """A release that leaves a broken cross-reference exits 1; its redline is still written and
    says which reference is broken."""
    import pypandoc

    _plant(scenario, {"RX4": '<insert end="G9"><clause num="G9.2"><text>Section G8.9 applies to this part.</text>'
                             '</clause></insert>'})
    out = tmp_path / "release.docx"
    r = invoke("release", "RB4", "RX4", "--onto", "2.0", "--redline", "docx", "-o", out, "--corpus", scenario)
    assert r.exit_code == 1, r.output
    assert "G8.9" in r.output
    text = " ".join(pypandoc.convert_file(str(out), "plain", format="docx", extra_args=["--wrap=none"]).split())
    assert "Cross-references of the consolidated text checked: 1 broken." in text
    assert "Cross-reference: " in text and "G8.9" in text.split("Cross-reference: ", 1)[1]


def test_a_target_the_corpus_does_not_hold_is_said_so(invoke):
    r = invoke("release", "SECMP0065", "--onto", "5.20")
    assert r.exit_code == 1
    assert "conflict: its anchor G1.9 is not in 5.20; the corpus does not hold G1 in 5.20" in r.output


def test_release_redline_of_the_bundled_release(invoke, tmp_path):
    """2019-11 (SECMP0065 already made, MP087) onto 6.17 as Word: MP087's words tracked by MP087,
    accept-all gives G3.20(b) as MP087 makes it, reject-all as 6.17 has it."""
    from lxml import html as lxml_html

    from redline.apply import apply_modification

    out = tmp_path / "2019-11.docx"
    r = invoke("release", "2019-11", "--redline", "docx", "-o", out)
    assert r.exit_code == 0, r.output
    corpus = Corpus.open(CORPUS)
    v617 = corpus.load("6.17")
    made = apply_modification(v617, load_modification(corpus, "MP087"), "x").version
    doc = lxml_html.document_fromstring(_pandoc(out, "html", "all"))
    marks = [(s.get("class"), " ".join(s.text_content().split()), s.get("data-author"))
             for s in doc.xpath("//span[@class='insertion' or @class='deletion']")]
    assert marks == [("insertion", "which forms part of a SMETS2+ Device", "MP087")]
    text = " ".join(doc.text_content().split())
    assert "SECMP0065 (SMETS1 Security Obligations), drafted against SEC Version 5.23: already made (its changes " \
           "are already in SEC Version 6.17, so it changes nothing here)" in text
    accept = " ".join(_pandoc(out, "plain", "accept").split())
    reject = " ".join(_pandoc(out, "plain", "reject").split())
    accept, reject = accept.split("G3.20 Each User", 1)[1], reject.split("G3.20 Each User", 1)[1]
    assert f"(b) {made.find('G3.20(b)').text}" in accept and f"(b) {v617.find('G3.20(b)').text}" in reject
    assert "SMETS2+ Device" not in reject and "SMETS2+ Device" in accept


def test_release_as_beside_concurrent_writers_records_every_version(tmp_corpus):
    """`release --as` run at the same moment as other writers of the corpus (two releases and two
    applies, each in its own process, started together): every version is written and the
    manifest records, for each release, the version it was made on and the modifications that
    made it (the reliability suite, tests/test_faults.py, fails and kills `release --as` at
    every file-system call)."""
    from faults import hidden, run_together

    jobs = [["release", "2019-11", "--as", "r1"], ["release", "SECMP0065", "MP087", "--onto", "6.17", "--as", "r2"],
            ["apply", "MP087", "--as", "a1"], ["apply", "MP087", "--as", "a2"]]
    assert run_together(jobs, tmp_corpus) == [0] * len(jobs)
    corpus = Corpus.open(tmp_corpus)
    assert {"r1", "r2", "a1", "a2"} <= set(corpus.version_ids)
    for vid in ("r1", "r2"):
        info = corpus.info(vid)
        assert info.predecessor == "6.17" and info.modifications == ("MP087",), info
        assert "which forms part of a SMETS2+ Device" in corpus.load(vid).find("G3.20(b)").text
    assert hidden(tmp_corpus) == []


# ---------------------------------------------------------------------------------------------
# the worked example of docs/releases.md, run as written


DOC = Path(__file__).resolve().parent.parent / "docs" / "releases.md"


def _doc_commands() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the page's shell blocks with the output shown under it."""
    out: list[tuple[str, list[str]]] = []
    fence = None  # the opening line of the block we are in
    current: list[str] | None = None  # the output lines of the block's last command
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence, current = (line if fence is None else None), None
            continue
        if fence != "```":
            continue
        if line.startswith("$ "):
            out.append((line[2:], []))
            current = out[-1][1]
        elif current is not None:
            current.append(line.rstrip())
    return out


def _shown(expected: list[str], actual: str) -> bool:
    """Whether ``actual`` is the output shown, ``…`` standing for any text (a line of its own:
    any lines)."""
    import re

    while expected and not expected[-1]:
        expected = expected[:-1]
    pattern = "\n".join(".*?".join(re.escape(part) for part in line.split("…")) for line in expected)
    got = "\n".join(line.rstrip() for line in actual.rstrip("\n").splitlines())
    return re.fullmatch(pattern, got, re.S) is not None


def test_the_worked_example_of_the_docs_runs_as_written(tmp_path, monkeypatch):
    import os
    import shlex
    import subprocess
    import sys

    from click.testing import CliRunner

    from redline.cli import main

    root = DOC.parent.parent
    places = {"/tmp/sec": str(tmp_path / "sec"), "/tmp/scenario": str(tmp_path / "scenario")}
    env: dict[str, str] = {}
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    ran = 0
    for command, expected in _doc_commands():
        for old, new in places.items():
            command = command.replace(old, new)
        if not command.startswith("redline "):  # the set-up lines: a copy, a build, a variable
            for part in command.split(" && "):
                if part.startswith("export "):
                    name, value = part[len("export "):].split("=", 1)
                    env[name] = value
                else:
                    part = part.replace("python ", f"{shlex.quote(sys.executable)} ", 1)
                    subprocess.run(part, shell=True, cwd=root, check=True, env={**os.environ, **env})
            continue
        monkeypatch.setenv("REDLINE_CORPUS", env["REDLINE_CORPUS"])
        r = CliRunner().invoke(main, shlex.split(command)[1:], catch_exceptions=False)
        assert _shown(expected, r.output), f"$ {command}\n--- shown in the docs:\n" + "\n".join(expected) + \
            f"\n--- got (exit {r.exit_code}):\n{r.output}"
        ran += 1
    assert ran >= 7
    assert (work / "RB9-2.0.xml").exists()  # the rebase wrote where the page says


def test_log_and_blame_after_a_release_that_moves_deletes_and_amends(invoke, scenario):
    """`redline log` says moved (from where), deleted, renumbered and amended, each by the
    modification the manifest records; `--format json` gives the same; `show --blame` marks the
    words and the number with the version and modification behind them."""
    (scenario / "mods" / "MV.xml").write_text(release_scenario.mod_xml("MV", """
        <move target="G9.1" after="G8.5" as="G8.6"/>
        <delete target="G8.2(b)"/>
        <amend-definition clause="A1.1" term="Panel"><old>means the fixture panel.</old>
          <new>means the fixture code panel.</new></amend-definition>
        <substitute target="G8.5"><old>correct it</old><new>correct it at once</new></substitute>""",
                                                                       base="2.0"), encoding="utf-8")
    assert invoke("release", "MV", "--onto", "2.0", "--as", "3.0", "--corpus", scenario).exit_code == 0

    def log(*args):
        r = invoke("log", *args, "--corpus", scenario)
        assert r.exit_code == 0, r.output
        return r.output.splitlines()

    assert log("G8.6")[1:] == ["  1.0  G9.1: held (the oldest version holding it: its words may be older)",
                               "  2.0  G9.1: unchanged", "  3.0  G8.6: moved from G9.1 by MV"]
    assert log("G8.2(b)", "--in", "2.0")[-1] == "  3.0  deleted by MV (it was G8.2(b))"
    assert log("G8.5", "--in", "1.0")[2:] == ["  2.0  deleted by V2 (it was G8.5)", "  3.0  not in this version"]
    assert log('A1.1["Panel"]')[-2:] == ["  3.0  A1.1[\"Panel\"]: amended by MV",
                                         "         \"Panel\" means the fixture {+code+} panel."]
    g85 = log("G8.5")
    assert g85[2:] == ["  2.0  G8.5: renumbered from G8.4 by V2", "  3.0  G8.5: amended by MV",
                       "         … fault, the User shall correct it {+at once+}."]
    data = json.loads(invoke("log", "G8.6", "--format", "json", "--corpus", scenario).output)
    assert data["format"] == "redline-log" and data["address"] == "G8.6" and data["in"] == "3.0"
    last = data["versions"][-1]
    assert (last["status"], last["from"], last["address"], last["modifications"]) == ("moved", "G9.1", "G8.6", ["MV"])
    data = json.loads(invoke("log", "G8.5", "--format", "json", "--corpus", scenario).output)
    assert [(v["status"], v["from"]) for v in data["versions"]] == [("held", None), ("renumbered", "G8.4"),
                                                                     ("amended", None)]
    assert data["versions"][-1]["diff"].endswith("correct it {+at once+}.")

    r = invoke("show", "3.0", "G8.5", "--blame", "--corpus", scenario)
    assert r.output.splitlines() == ["G8.5  (numbered so since 2.0 (V2))",
                                     "  1.0 or earlier  Where a fixture assessment finds a fault, the User shall correct it",
                                     "  3.0 (MV)        at once",
                                     "  1.0 or earlier  ."]
    runs = json.loads(invoke("show", "3.0", "G8.5", "--blame", "--format", "json", "--corpus", scenario).output)
    assert [(run["text"], run["version"], run["modifications"]) for run in runs["node"]["text"]] == [
        ("Where a fixture assessment finds a fault, the User shall correct it ", "1.0", []),
        ("at once", "3.0", ["MV"]), (".", "1.0", [])]
    assert runs["node"]["numbered"] == {"version": "2.0", "modifications": ["V2"]}


def test_rebased_through_an_earlier_modification_of_the_release(invoke, scenario):
    """A target an earlier modification of the release renumbers is followed, and the report says
    from what to what and by which modification and operation; the clause both touch is listed
    once per modification."""
    _plant(scenario, {"REN": '<renumber target="G8.4" as="G8.4B"/>',
                      "AMD2": '<substitute target="G8.4"><old>A new fixture clause</old>'
                              '<new>A newer fixture clause</new></substitute>'})
    r = invoke("release", "REN", "RB1", "AMD2", "--onto", "2.0", "--format", "json", "--corpus", scenario)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    by_id = {m["id"]: m for m in data["modifications"]}
    (op,) = by_id["AMD2"]["operations"]
    assert op["status"] == "rebased"
    assert op["message"] == "G8.4 renumbered G8.4B by REN operation 1 (Renumber Section G8.4 as Section G8.4B)"
    assert op["rebased"].startswith('<substitute target="G8.4B">')
    (rb1,) = by_id["RB1"]["operations"]
    assert rb1["message"] == "G8.4 renumbered G8.5 in version 2.0 (V2)"
    assert [(o["clause"], [(m["id"], m["operations"]) for m in o["modifications"]]) for o in data["overlaps"]] == [
        ("G8.4B", [("REN", [1]), ("AMD2", [1])])]
    made = invoke("release", "REN", "RB1", "AMD2", "--onto", "2.0", "--as", "3.0", "--corpus", scenario)
    assert made.exit_code == 0
    assert Corpus.open(scenario).load("3.0").find("G8.4B").text == "A newer fixture clause inserted in version 2.0."


def test_generated_release_with_planted_conflicts_renumberings_and_deletions(generated):
    """The planted modifications of the generated code made together onto 1.1, with two more
    that change the same words of one clause (a conflict naming the first) and one that changes
    other words of it (an overlap that applies): each is reported as planted."""
    from redline.mods import Modification
    from redline.ops import Substitute

    corpus, edits = generated
    base, onto = corpus.load("1.0"), corpus.load("1.1")
    step = version_step(base, onto)
    planted = _planted(corpus, edits)
    touched = {c for c, _ in edits["amended"]} | set(edits["deleted"]) | set(edits["renumbered"]) \
        | set(edits["renumbered"].values()) | set(edits["inserted"])
    def phrases(text: str):
        """Two phrases of ``text`` far apart, each occurring once in it, or None."""
        import re

        w = text.split()
        if len(w) < 12:
            return None
        one, two = " ".join(w[1:3]), " ".join(w[-5:-3])
        if any(re.search(r"[^\w ]|\d", p) or text.count(p) != 1 for p in (one, two)):
            return None
        return one, two

    clause = next(n for n in onto.nodes("clause") if str(n.address) not in touched and n.text and phrases(n.text))
    first, later = phrases(clause.text)
    a = Modification("SAME-A", "t", "1.0", (Substitute(clause.address, first, "words of A"),))
    b = Modification("SAME-B", "t", "1.0", (Substitute(clause.address, first, "words of B"),))
    c = Modification("OTHER-C", "t", "1.0", (Substitute(clause.address, later, "words of C"),))
    mods = [m for m, _, _ in planted.values()] + [a, c, b]
    rep = make_release(mods, onto, lambda m: (base, [step]))
    got = {m.id: m.status for m in rep.modifications}
    for name, (_, status, _) in planted.items():
        assert got[name] == status, (name, got[name])
    assert (got["SAME-A"], got["OTHER-C"], got["SAME-B"]) == ("as-drafted", "as-drafted", "conflict")
    same_b = next(m for m in rep.modifications if m.id == "SAME-B")
    assert same_b.rebase.outcomes[0].culprit_mod == "SAME-A"
    (ov,) = [o for o in rep.overlaps if o.clause == clause.address]
    assert [t[0] for t in ov.touches] == ["SAME-A", "OTHER-C", "SAME-B"] and ov.conflict
    assert rep.version is None and not rep.ok
    made = rep.state.find(clause.address).text
    assert "words of A" in made and "words of C" in made and "words of B" not in made
