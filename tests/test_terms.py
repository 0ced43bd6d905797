"""Defined terms: definitions in the words and in Section A, uses, and terms defined nowhere."""

from __future__ import annotations

import pytest
from lxml import etree

from redline import terms
from redline.model import Address, Version

A = Address.parse


def test_the_corpus_defines_secure_and_appropriate_standard(corpus):
    for vid in ("5.20", "5.23", "6.17"):
        d = terms.defined_terms(corpus.load(vid))
        assert list(d) == ["Secure", "Appropriate Standard"]
        assert d["Secure"].address == A("G3.28(a)") and d["Secure"].kind == "text"
        assert d["Appropriate Standard"].address == A("G3.28(b)")
        text = corpus.load(vid).get("G3.28(a)").text
        assert text[d["Secure"].start:d["Secure"].end] == "Secure"


@pytest.mark.parametrize("text, expected", [
    ('a SMETS1 SMS is "Secure" if it is designed', ["Secure"]),
    ('an "Appropriate Standard" means a high level of security', ["Appropriate Standard"]),
    ("an “Appropriate Standard” shall mean a high level", ["Appropriate Standard"]),
    ('any person (a "Shared Resource Provider") who', ["Shared Resource Provider"]),
    ('the services (together the "Services") and (each a "User Role")', ["Services", "User Role"]),
    ('"Code" has the meaning given', ["Code"]),
    # quoted words that define nothing
    ('in Section G5.18(b)(i) to "Sections G3 and G4" shall be read as if it were to "Section G5.19(d)"', []),
    ('the User Role of "Export Supplier" or', []),
    ('it is "secure" if', []),
])
def test_find_definitions(text, expected):
    assert [d.term for d in terms.find_definitions(text, A("G1.1"))] == expected


SECTION_A = """<section num="A" heading="Definitions and Interpretation" coverage="partial">
  <part num="A1" heading="Definitions" coverage="partial">
    <clause num="A1.1"><text>In this Code:</text>
      <definition term="Enrolled SMETS1 SMS"><text>means a SMETS1 SMS that has been enrolled.</text></definition>
      <definition term="User"><text>means a Party that is a User.</text></definition>
    </clause>
  </part>
</section>"""
SECTION_G = """<section num="G" heading="Security" coverage="partial">
  <part num="G1" coverage="partial">
    <clause num="G1.10"><text>Any reference in Sections G2 to G9 to a SMETS1 SMS shall be treated as a
      reference to an Enrolled SMETS1 SMS only; and each User's Shared Resource Provider (an
      "SRP") shall comply with Section M8.2 (Notification of an Event of Default).</text></clause>
  </part>
</section>"""


def _version(with_a: bool) -> Version:
    sections = {"G": etree.fromstring(SECTION_G)}
    if with_a:
        sections["A"] = etree.fromstring(SECTION_A)
    return Version("t", sections)


def test_section_a_definitions_are_recognised():
    d = terms.defined_terms(_version(True))
    assert d["User"].kind == "definition" and d["User"].address == A('A1.1["User"]')
    assert d["Enrolled SMETS1 SMS"].address == A('A1.1["Enrolled SMETS1 SMS"]')
    assert d["SRP"].address == A("G1.10")


def test_undefined_terms_respect_section_a():
    without = terms.undefined_terms(_version(False), [A("G1")])
    assert list(without) == ["SMETS1 SMS", "Enrolled SMETS1 SMS", "User", "Shared Resource Provider"]
    assert without["User"] == [A("G1.10")]
    with_a = terms.undefined_terms(_version(True), [A("G1")])
    assert list(with_a) == ["SMETS1 SMS", "Shared Resource Provider"]


def test_candidate_terms_filter_sentence_starts_references_and_quotes():
    text = ('Each User shall, where a Registration Data Provider (as the case may be) is appointed under '
            'Section M7 (Dispute Resolution), notify the Security Sub-Committee. Obligations apply. '
            'Where an Event of Default occurs in Great Britain on 1 January, the "Secure" Device\'s User Roles')
    assert [t for _, _, t in terms.candidate_terms(text)] == [
        "User", "Registration Data Provider", "Security Sub-Committee", "Event of Default", "Device", "User Roles"]


def test_undefined_in_the_bundled_corpus(corpus):
    und = terms.undefined_terms(corpus.load("6.17"))
    for t in ("User", "DCC", "Responsible Supplier", "Security Sub-Committee", "Enrolled SMETS1 SMS"):
        assert t in und
    for t in ("Secure", "Appropriate Standard", "Users", "User Roles", "Each", "Where", "Any", "Section",
              "Great Britain", "Dispute Resolution", "Unauthorised Activities"):
        assert t not in und
    assert und["Enrolled SMETS1 SMS"] == [A("G1.10")]
    assert "Enrolled SMETS1 SMS" not in terms.undefined_terms(corpus.load("5.23"))


def test_find_term_uses():
    text = 'a SMETS1 SMS is "Secure" if Secure Devices, to an Appropriate Standard; Secured; Section G3 (Secure)'
    uses = terms.find_term_uses(text, ["Secure", "Appropriate Standard", "Device"])
    assert [(u.term, u.text) for u in uses] == [("Secure", "Secure"), ("Device", "Devices"),
                                               ("Appropriate Standard", "Appropriate Standard")]
    assert all(text[u.start:u.end] == u.text for u in uses)
    assert terms.find_term_uses(text, []) == []
