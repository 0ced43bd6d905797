"""`redline versions`, `redline show`, `redline validate`, and the CLI's error handling."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def test_version_flag(invoke):
    from redline import __version__

    r = invoke("--version")
    assert r.exit_code == 0 and __version__ in r.output


def test_python_m_redline():
    r = subprocess.run([sys.executable, "-m", "redline", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "redline" in r.stdout


def test_versions_text(invoke):
    r = invoke("versions")
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.index("5.20") < out.index("5.23") < out.index("6.17")
    assert "G1    partial   10 clause(s)  G1.1–G1.10" in out  # inferred for 6.17: held in part
    assert "G3    partial" in out


def test_versions_json(invoke):
    r = invoke("versions", "--format", "json")
    data = json.loads(r.output)
    assert [v["id"] for v in data["versions"]] == ["5.20", "5.23", "6.17"]
    g1 = [p for p in data["versions"][1]["parts"] if p["part"] == "G1"][0]
    assert g1 == {"part": "G1", "coverage": "complete", "clauses": 9, "span": "G1.1–G1.9"}


def test_show_clause_text(invoke):
    r = invoke("show", "6.17", "G3.20")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "Manufacturers: Duty to Notify and Be Notified"
    assert lines[2].startswith("G3.20   Each User shall, wherever it is practicable to do so, establish with:")
    text = " ".join(r.output.split())
    assert "(a) the manufacturers of the hardware and developers of the software and firmware" in text
    assert "(b) (where applicable) any Smart Metering System" in text
    assert text.endswith("such hardware, software, firmware or Device.")
    # the closing words stand apart from item (b), at the clause's text indent
    closing = [l for l in lines if l.lstrip().startswith("arrangements designed")][0]
    assert closing.startswith(" " * 8) and not closing.startswith(" " * 9)


def test_show_item_and_nested(invoke):
    r = invoke("show", "6.17", "G1.7(c)(ii)")
    assert r.exit_code == 0
    assert "(ii)" in r.output and "Section G5.19(d)" in r.output
    assert "(i) " not in r.output


@pytest.mark.parametrize("address, expect", [("G1", "G1 SECURITY: GENERAL PROVISIONS"), ("G", "SECTION G – SECURITY")])
def test_show_part_and_section(invoke, address, expect):
    r = invoke("show", "6.17", address)
    assert r.exit_code == 0
    assert r.output.splitlines()[0] == expect
    assert "G1.10" in r.output and "SMETS1 Smart Metering Systems" in r.output


def test_show_json(invoke):
    r = invoke("show", "6.17", "G3.20", "--format", "json")
    d = json.loads(r.output)
    assert d["address"] == "G3.20" and d["version"] == "6.17"
    assert [c["address"] for c in d["children"]] == ["G3.20(a)", "G3.20(b)"]
    assert d["children"][1]["evidence"] == "inferred"
    assert d["closing"].startswith("arrangements")
    assert d["crossheading"] == "Manufacturers: Duty to Notify and Be Notified"


def test_show_xml(invoke):
    from lxml import etree

    r = invoke("show", "5.23", "G1.2", "--format", "xml")
    el = etree.fromstring(r.output.encode())
    assert el.tag == "clause" and el.get("num") == "G1.2"
    assert len(el.findall("item")) == 2


def test_show_clause_added_later_fails_clearly(invoke):
    r = invoke("show", "5.23", "G1.10")
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and r.output.startswith("Error: G1.10 is not in version 5.23")
    assert r.output.rstrip().endswith("it is added by SECMP0065")
    assert "Traceback" not in r.output


def test_unknown_version_lists_known(invoke):
    r = invoke("show", "7.0", "G3.20")
    assert r.exit_code == 1
    assert r.output == "Error: unknown version '7.0'; the corpus holds: 5.20, 5.23, 6.17\n"


def test_unknown_address_suggests_nearest(invoke):
    r = invoke("show", "6.17", "G3.22")
    assert r.exit_code == 1
    assert "G3.22 is not in version 6.17 (nearest: G3.21, G3.20, G3.19)" in r.output
    r = invoke("show", "6.17", "G1.7(c)(iv)")
    assert "(nearest: G1.7(c)(ii), G1.7(c)(i))" in r.output


def test_bad_address_syntax(invoke):
    r = invoke("show", "6.17", "section 3")
    assert r.exit_code == 1 and "is not an address" in r.output


def test_corpus_option_and_env(invoke, tmp_corpus):
    p = tmp_corpus / "versions/6.17/G.xml"
    p.write_text(p.read_text(encoding="utf-8").replace("Each User shall", "Each Party shall"), encoding="utf-8")
    assert "Each Party shall" in invoke("show", "6.17", "G3.20", "--corpus", tmp_corpus).output
    assert "Each Party shall" in invoke("show", "6.17", "G3.20", env={"REDLINE_CORPUS": str(tmp_corpus)}).output
    assert "Each User shall" in invoke("show", "6.17", "G3.20").output


def test_malformed_corpus_file(invoke, tmp_corpus):
    p = tmp_corpus / "versions/6.17/G.xml"
    p.write_text(p.read_text(encoding="utf-8").replace("</crossheading>", "</cross>", 1), encoding="utf-8")
    r = invoke("show", "6.17", "G3.20", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {p}:") and "not well-formed XML" in r.output
    assert r.output.count("\n") == 1


def test_invalid_corpus_file(invoke, tmp_corpus):
    p = tmp_corpus / "versions/5.23/G.xml"
    p.write_text(p.read_text(encoding="utf-8").replace('evidence="printed"', 'evidence="guessed"', 1), encoding="utf-8")
    r = invoke("validate", "--corpus", tmp_corpus)
    assert r.exit_code == 1
    assert f"{p}:" in r.output and "schema" in r.output


def test_missing_corpus(invoke, tmp_path):
    r = invoke("versions", "--corpus", tmp_path / "none")
    assert r.exit_code == 2 and "no such corpus directory" in r.output and "REDLINE_CORPUS" in r.output


def test_validate_ok(invoke):
    r = invoke("validate")
    assert r.exit_code == 0
    assert r.output.splitlines() == ["5.20: ok (8 clauses)", "5.23: ok (17 clauses)", "6.17: ok (18 clauses)"]


def test_every_command_is_documented_with_an_example(runner):
    from redline.cli import COMMANDS, main

    assert {"versions", "show"} <= set(COMMANDS)
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        assert name in top.output, f"{name} missing from redline --help"
        r = runner.invoke(main, [name, "--help"])
        assert r.exit_code == 0, name
        assert "Example" in r.output and f"redline {name}" in r.output, f"{name}: no example in help"
        cmd = main.get_command(None, name)
        assert cmd.help and len(cmd.help.split("\n")[0]) > 10, name
