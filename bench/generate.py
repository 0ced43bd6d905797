"""Deterministic generator of SEC-shaped corpora for the benchmarks.

``python -m bench.generate`` writes, for each size (number of clauses), a corpus directory
``bench/data/sec-<N>/`` in the redline corpus format:

* ``manifest.xml`` and ``versions/1.0/<S>.xml``, ``versions/1.1/<S>.xml`` for sections A to X
  (a single Section G at the smallest size): parts, cross-headings, clauses with items,
  romanettes and the odd third level, realistic cross-references ("Section G3.18(a)",
  "Sections G2 to G9", "Sections G3.17 to G3.21"), and a Section A whose clause A1.1 holds the
  definitions (``<definition term=...>``) in alphabetical order;
* version 1.1 is 1.0 with realistic edits: about 1% of clauses amended by a phrase inserted,
  deleted or substituted, 0.2% of clauses inserted (``G3.20A``), 0.2% deleted, and one run of
  clauses renumbered (a clause inserted mid-part, the rest of the part shifted up by one, and
  every cross-reference to them re-pointed); version 1.2 is 1.0 with ten times as many edits
  (to show that the diff's cost follows the changed clauses);
* ``mods/*.xml``: 50 modifications drafted against 1.0, when the modification schema
  (``redline/schema/modification.rng``) exists, and ``releases/all.xml``, a release of all 50;
* a lineage of 19 more versions after 1.0 (2.1 to 2.19), each made from the one before by a
  small recorded modification (a few clauses amended; one tracked clause amended every few
  versions and renumbered twice, the references to the clauses renumbered re-pointed); a version
  lists the file of each section it leaves unchanged from an earlier version rather than a copy;
* ``peer/`` renderings of both versions for the peer tools: whole text (``old.txt``,
  ``new.txt``) and plain python-docx documents (``old.docx``, ``new.docx``);
* ``edits.json``: what was changed, and ``stamp.json``: the parameters, so that data is only
  regenerated when they change.

Everything is drawn from ``random.Random(f"{seed}:{size}")``: the same seed and size give
byte-identical files. The data is never committed (``bench/data/`` is gitignored).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

#: bump when the generated data changes shape, so that cached data is regenerated
GENERATOR_VERSION = 5
SIZES = (200, 1000, 3000, 10000)
DEFAULT_SEED = 2024
DATA_DIR = Path(__file__).resolve().parent / "data"
BASE, NEW, NEW10 = "1.0", "1.1", "1.2"
#: the edit rates of each derived version: (amended, inserted, deleted) as fractions of clauses
RATES = {NEW: (0.01, 0.002, 0.002), NEW10: (0.10, 0.02, 0.02)}
N_MODS = 50
#: a lineage of versions after 1.0 (1.0, 2.1, 2.2 … 2.19: 20 versions), each made from the one
#: before by a small modification, for the history benchmarks (``redline log``, ``show --blame``)
HISTORY = 20
HISTORY_IDS = [f"2.{k}" for k in range(1, HISTORY)]

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWX"
HEADINGS = {
    "A": "Definitions and Interpretation", "B": "Accession", "C": "Governance",
    "D": "Modification Process", "E": "Registration Data", "F": "Smart Metering System Requirements",
    "G": "Security", "H": "DCC Services", "I": "Data Privacy", "J": "Charges",
    "K": "Charging Methodology", "L": "Smart Metering Key Infrastructure", "M": "General",
    "N": "SMETS1 Meters", "O": "Non-Gateway Communications", "P": "Production Proving",
    "Q": "Transition", "R": "Testing Services", "S": "Invoicing", "T": "Testing During Transition",
    "U": "Migration", "V": "Communications Services", "W": "Technical Specifications",
    "X": "Transitional Arrangements",
}
PART_HEADINGS = [
    "General Provisions", "System Security: Obligations on the DCC", "System Security: Obligations on Users",
    "Organisational Security", "Security Assurance", "Independent Security Assessment", "Reporting",
    "Shared Resources", "Service Requests", "Incident Management", "Testing", "Charges and Payment",
    "Register of Parties", "Change Management", "Release Management", "Performance Reporting",
    "Records and Audit", "Disputes", "Suspension", "Termination", "Transitional Provisions",
    "Communications Hubs", "Enrolment", "Firmware", "Certificates", "Key Management", "Data Retention",
]
CROSS_HEADINGS = [
    "Interpretation", "Application", "Obligations on Users", "Obligations on the DCC", "Notification",
    "Manufacturers: Duty to Notify and Be Notified", "Management of Vulnerabilities", "Reporting",
    "Transitional Period for Updated or Replacement Standards", "Security Risk Assessment",
    "Supplementary Provisions", "Compliance", "Records", "Timing", "Costs", "Exemptions",
    "Information", "Appeals", "Procedure", "Liability", "Scope", "Audit", "Review", "Publication",
]
TERM_HEADS = [
    "Meter", "Device", "Communications Hub", "Smart Metering System", "Service Request", "Alert",
    "Certificate", "Key", "Response", "Command", "Party", "User", "Supplier", "Network Operator",
    "Registration Data", "Security Incident", "Test", "Release", "Data", "Firmware", "Interface",
    "Register", "Threshold", "Function", "Report", "Agreement", "Procedure", "Standard",
    "Requirement", "Role", "Event", "Notice", "Charge", "Account", "Gateway", "Connection", "Service",
    "Period", "Plan", "Assessment", "Policy", "Arrangement", "Document", "Specification", "System",
    "Organisation", "Infrastructure", "Resource", "Provider", "Identifier", "Mechanism", "Proxy",
]
TERM_MODS = [
    "Smart", "Gas", "Electricity", "Communications", "Security", "Enrolled", "Commissioned", "Shared",
    "Relevant", "Responsible", "Registered", "Authorised", "Critical", "Non-Critical", "Local",
    "Remote", "Supplementary", "Technical", "Operational", "Alternative", "Primary", "Secondary",
    "Temporary", "Annual", "Independent", "Competent", "Eligible", "Network", "Test", "DCC", "SMKI",
    "DCCKI", "Incident", "Release", "Change", "Transition", "Migration", "Threshold", "Anomaly",
    "Recovery", "Contingency", "Validation", "Enrolment", "Installation", "Interoperability",
]
SUBJECTS = [
    "the DCC", "each User", "each Party", "the Panel", "the Code Administrator",
    "the Security Sub-Committee", "each Supplier Party", "each Network Party", "the Authority",
    "the Responsible Supplier", "any Party", "the Secretariat", "the Change Sub-Committee",
    "each Other SEC Party", "the User Independent Security Assurance Service Provider",
]
VERBS = [
    "ensure that", "take all reasonable steps to ensure that", "use its reasonable endeavours to ensure that",
    "procure that", "notify the Panel where", "establish and maintain arrangements such that",
    "be satisfied that", "promptly inform the DCC if",
]
ACTIONS = [
    "comply with", "establish and maintain", "provide to the Panel", "make available", "review",
    "take into account", "publish", "retain", "notify the DCC of", "use", "implement", "assess",
    "keep under review", "submit to the Security Sub-Committee", "give effect to", "maintain a record of",
]
QUALIFIERS = [
    "as soon as reasonably practicable", "within five Working Days", "without undue delay",
    "at all times", "in a timely manner", "on request", "at least once in each year",
    "within such period as the Panel may reasonably determine", "to the extent reasonably practicable",
    "in good faith", "prior to the relevant date", "from time to time",
]
ADJECTIVES = [
    "appropriate", "proportionate", "adequate", "effective", "secure", "accurate", "complete",
    "up to date", "reasonable", "consistent", "available", "operational", "enrolled", "commissioned",
]
EVENTS = [
    "becoming aware of any {t}", "the date on which the {t} is received", "the {t} taking effect",
    "any change to the {t}", "the commencement of the {t}", "receipt of a {t}",
]
INSERT_PHRASES = [
    "(acting reasonably)", "promptly", "and in any event within five Working Days", "or any person acting on its behalf",
    "where reasonably practicable", "(or procure that there is)", "in writing", "(save where the Panel otherwise determines)",
    "and the Security Sub-Committee", "for each SMETS1 Device",
]
SUBSTITUTES = [
    ("shall", "must"), ("reasonable", "all reasonable"), ("Working Days", "Business Days"),
    ("the Panel", "the Change Sub-Committee"), ("each", "every"), ("any", "every"),
    ("appropriate", "proportionate"), ("ensure", "procure"), ("notify", "inform"), ("Meter", "material"),
]
NOUNS = (
    "access control boundary breach capacity cessation channel charge claim code compliance condition "
    "confidentiality consent consumer contract control cost credential customer decision default delivery "
    "dependency deployment derogation direction disclosure dispute document duration election eligibility "
    "emergency enrolment entitlement environment error estimate evidence exception exemption expenditure "
    "facility failure fault fee forecast governance guidance hardware identity impact implementation "
    "indemnity information installation instruction insurance integrity interface investigation invoice "
    "licence limitation location maintenance manufacturer measure membership methodology migration "
    "milestone monitoring network nomination notice objection obligation operation outage ownership "
    "password payment penalty performance period permission personnel premises priority privacy "
    "procedure process programme proposal protection publication qualification query reconciliation "
    "record recovery referral register rejection release remedy renewal replacement representation "
    "request requirement resilience resolution restriction review revision risk schedule scope "
    "segregation settlement signature software specification statement storage subcontractor "
    "submission supply suspension termination testing threat timetable tolerance training transfer "
    "transition treatment update upgrade validation variation verification vulnerability warranty "
    "withdrawal workaround"
).split()
ADJS = (
    "additional adverse annual applicable approved available biennial commercial competent complete "
    "confidential consistent contractual critical current detailed direct documented economic effective "
    "electronic emergency equivalent excessive external financial formal full historical incidental "
    "independent indirect initial interim internal lawful material minimum monthly necessary objective "
    "operational outstanding overall partial periodic physical practical preliminary previous prior "
    "proportionate prospective quarterly reasonable regulatory relevant remote residual routine "
    "scheduled secure separate significant specific statutory subsequent substantial sufficient "
    "technical temporary timely transparent unplanned urgent written"
).split()
VERBS_BASE = (
    "assess audit authorise calculate certify confirm consult coordinate correct define demonstrate "
    "designate determine develop document evaluate facilitate identify implement investigate maintain "
    "manage minimise mitigate monitor nominate operate perform prepare prevent prioritise protect "
    "publish reconcile record remedy report restore retain review revoke safeguard specify submit "
    "supervise suspend terminate test update validate verify withdraw"
).split()
LINKS = ["relating to", "in respect of", "arising from", "connected with", "affecting", "required for",
         "associated with", "resulting from", "applicable to", "necessary for", "forming part of", "set out in"]
ROMAN = ["(i)", "(ii)", "(iii)", "(iv)", "(v)", "(vi)", "(vii)", "(viii)", "(ix)", "(x)"]
CLAUSE_RE = re.compile(r"(?<![A-Za-z0-9.])([A-X]\d+[A-Z]?\.\d+[A-Z]?)(?![0-9A-Za-z])")
WORDS_PER_CLAUSE = 200  # the SEC average, and what the sizes in the docs assume


def third_person(verb: str) -> str:
    """'establish' -> 'establishes', 'comply' -> 'complies', 'use' -> 'uses'."""
    if verb.endswith(("sh", "ss", "ch", "x")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def letter_items(n: int, upper: bool = False) -> list[str]:
    out = []
    for i in range(n):
        c = chr(ord("a") + i) if i < 26 else "z" + chr(ord("a") + i - 26)
        out.append(f"({c.upper() if upper else c})")
    return out


def section_letters(n_clauses: int) -> list[str]:
    """The sections of a corpus of ``n_clauses``: G alone for one section, else A then B, C, ..."""
    k = max(1, min(len(LETTERS), round(n_clauses / 420)))
    return ["G"] if k == 1 else list(LETTERS[:k])


# --------------------------------------------------------------------------- skeleton

@dataclass
class Skeleton:
    """Addresses planned before any text is written, so that references can point at them."""

    clauses_by_part: dict[str, list[str]] = field(default_factory=dict)
    parts_by_section: dict[str, list[str]] = field(default_factory=dict)
    items_by_section: dict[str, list[str]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)


class Writer:
    """Draws words, references and shapes from one seeded random source."""

    def __init__(self, rng: random.Random, skel: Skeleton):
        self.rng = rng
        self.skel = skel
        self.sections = sorted(skel.parts_by_section)
        self.here: str | None = None  # the section being written, when it differs from the one cited

    # ---- references
    def ref(self, section: str, part: str) -> str:
        r, s = self.rng.random(), self.skel
        clauses = s.clauses_by_part[part]
        parts = s.parts_by_section[section]
        if r < 0.33 or len(clauses) < 3:
            return f"Section {self.rng.choice(clauses)}"
        if r < 0.48 and s.items_by_section.get(section):
            return f"Section {self.rng.choice(s.items_by_section[section])}"
        if r < 0.58:
            i = self.rng.randrange(len(clauses) - 2)
            j = self.rng.randrange(i + 1, min(len(clauses), i + 8))
            return f"Sections {clauses[i]} to {clauses[j]}"
        if r < 0.66 and len(parts) > 2:
            i = self.rng.randrange(len(parts) - 1)
            j = self.rng.randrange(i + 1, len(parts))
            return f"Sections {parts[i]} to {parts[j]}"
        if r < 0.74:
            return f"Section {self.rng.choice(parts)}"
        if r < 0.80:
            a, b = sorted(self.rng.sample(clauses, 2), key=clauses.index)
            return f"Sections {a} and {b}"
        other = self.rng.choice(self.sections)
        if r < 0.85:
            here = self.here or section  # where the words are written ("this Section" means that one)
            return f"this Section {section}" if other == section == here else f"Section {other}"
        op = self.rng.choice(s.parts_by_section[other])
        return f"Section {self.rng.choice(s.clauses_by_part[op])}"

    # ---- words
    def term(self) -> str:
        return self.rng.choice(self.skel.terms)

    def np(self) -> str:
        """A plain noun phrase from the wider vocabulary: 'any material interim suspension'."""
        r = self.rng
        det = r.choice(("the", "any", "each", "such", "every", "a", "that"))
        adj = " ".join(r.sample(ADJS, r.choice((0, 1, 1, 2))))
        return " ".join(x for x in (det, adj, r.choice(NOUNS)) if x)

    def obj(self) -> str:
        t, r = self.term(), self.rng.random()
        if r < 0.35:
            return f"{self.np()} {self.rng.choice(LINKS)} the {t}"
        if r < 0.55:
            return f"the {t} {self.rng.choice(LINKS)} {self.np()}"
        if r < 0.7:
            return f"{self.np()} and {self.np()}"
        return self.rng.choice([
            f"the {t}", f"each {t}", f"any {t} relating to the {self.term()}",
            f"such {t} as may reasonably be required", f"all {t} held by it", f"the {t} and the {self.term()}",
        ])

    def condition(self, sec: str, part: str) -> str:
        r = self.rng.random()
        if r < 0.35:
            return f" in accordance with {self.ref(sec, part)}"
        if r < 0.5:
            return f" for the purposes of {self.ref(sec, part)}"
        if r < 0.7:
            return " " + self.rng.choice(QUALIFIERS)
        if r < 0.78:
            ev = self.rng.choice(EVENTS).format(t=self.term())
            return f" within {self.rng.choice(['five', 'ten', 'twenty', 'three'])} Working Days of {ev}"
        if r < 0.9:
            return f" {self.rng.choice(LINKS)} {self.np()}"
        return f" where the {self.term()} is {self.rng.choice(ADJECTIVES)}"

    def proposition(self, sec: str, part: str) -> str:
        """An independent clause, lower case start, no final punctuation (about 22 words)."""
        subj = self.rng.choice(SUBJECTS)
        r = self.rng.random()
        if r < 0.3:
            out = f"{subj} shall {self.rng.choice(VERBS_BASE)} {self.obj()}"
        elif r < 0.45:
            out = f"{subj} shall {self.rng.choice(ACTIONS)} {self.obj()}"
        elif r < 0.75:
            out = f"{subj} shall {self.rng.choice(VERBS)} {self.obj()} is {self.rng.choice(ADJECTIVES)}"
        else:
            out = f"the {self.term()} shall be {self.rng.choice(ADJECTIVES)} and shall {self.rng.choice(ACTIONS)} {self.obj()}"
        for _ in range(self.rng.choice((1, 1, 2, 2, 3))):
            out += self.condition(sec, part)
        return out

    def sentence(self, sec: str, part: str) -> str:
        r = self.rng.random()
        p = self.proposition(sec, part)
        if r < 0.2:
            p = f"subject to {self.ref(sec, part)}, {p}"
        elif r < 0.35:
            p = f"where {self.rng.choice(SUBJECTS)} {third_person(self.rng.choice(ACTIONS).split()[0])} {self.obj()}, {p}"
        return p[0].upper() + p[1:] + "."

    def lead(self, sec: str, part: str) -> str:
        r = self.rng.random()
        if r < 0.35:
            return f"{self.rng.choice(SUBJECTS).capitalize()} shall {self.rng.choice(VERBS).replace(' that', '').replace(' where', '').replace(' if', '')} that:"
        if r < 0.6:
            return f"For the purposes of {self.ref(sec, part)}, the {self.term()} shall include:"
        if r < 0.8:
            return f"Where {self.proposition(sec, part)}, {self.rng.choice(SUBJECTS)} shall:"
        ref = self.ref(sec, part)
        return f"{ref[0].upper()}{ref[1:]} applies where:"


# --------------------------------------------------------------------------- building

def plan(rng: random.Random, n_clauses: int) -> tuple[Skeleton, dict]:
    """Decide sections, parts, cross-headings, clauses and item shapes (numbers only, no text)."""
    letters = section_letters(n_clauses)
    skel = Skeleton()
    n_terms = max(25, n_clauses // 15)
    terms: set[str] = set()
    while len(terms) < n_terms:
        mods = rng.sample(TERM_MODS, rng.choice((1, 1, 2)))
        terms.add(" ".join(mods + [rng.choice(TERM_HEADS)]))
    skel.terms = sorted(terms)
    # clauses per section: Section A is small (its bulk is the definitions in A1.1)
    weights = {s: (0.25 if s == "A" else rng.uniform(0.6, 1.4)) for s in letters}
    total_w = sum(weights.values())
    counts = {s: max(3, round(n_clauses * w / total_w)) for s, w in weights.items()}
    counts[letters[-1]] += n_clauses - sum(counts.values())
    shape: dict = {}
    for s in letters:
        n = counts[s]
        n_parts = max(1, round(n / rng.uniform(25, 45)))
        per = [n // n_parts] * n_parts
        for i in range(n - sum(per)):
            per[i % n_parts] += 1
        parts = []
        for pi, pn in enumerate(per, 1):
            pnum = f"{s}{pi}"
            nums = [f"{pnum}.{k}" for k in range(1, pn + 1)]
            skel.clauses_by_part[pnum] = nums
            # cross-heading groups: some parts open with clauses outside any cross-heading
            groups, k = [], 0
            if rng.random() < 0.3:
                m = rng.randint(1, 3)
                groups.append((None, nums[:m]))
                k = m
            while k < pn:
                m = rng.randint(2, 8)
                groups.append((rng.choice(CROSS_HEADINGS), nums[k:k + m]))
                k += m
            clause_shapes = {}
            for c in nums:
                if s == "A" and c == "A1.1":
                    clause_shapes[c] = "definitions"
                    continue
                if rng.random() < 0.4:
                    clause_shapes[c] = []
                    continue
                items = []
                for lab in letter_items(rng.randint(2, 7)):
                    sub = []
                    if rng.random() < 0.4:
                        for rl in ROMAN[:rng.randint(2, 4)]:
                            sub.append((rl, letter_items(rng.randint(2, 3), upper=True) if rng.random() < 0.05 else []))
                    items.append((lab, sub))
                clause_shapes[c] = items
                for lab, sub in items:
                    skel.items_by_section.setdefault(s, []).append(f"{c}{lab}")
                    for rl, _ in sub:
                        skel.items_by_section[s].append(f"{c}{lab}{rl}")
            heading = PART_HEADINGS[(pi - 1 + LETTERS.index(s) * 3) % len(PART_HEADINGS)]
            parts.append((pnum, heading, groups, clause_shapes))
        skel.parts_by_section[s] = [p[0] for p in parts]
        shape[s] = parts
    return skel, shape


def _words(n_lo: int, n_hi: int, w: Writer, sec: str, part: str) -> str:
    """Sentences until at least a random target in [n_lo, n_hi] words."""
    target = w.rng.randint(n_lo, n_hi)
    out: list[str] = []
    count = 0
    while count < target:
        s = w.sentence(sec, part)
        out.append(s)
        count += len(s.split())
    return " ".join(out)


def _list_text(w: Writer, sec: str, part: str, last: bool, conj: str) -> str:
    p = w.proposition(sec, part)
    return p + ("." if last else f"; {conj}" if conj else ";")


def fill_clause(el, shape, w: Writer, sec: str, part: str) -> None:
    """Write the words of a clause element from its planned shape."""
    if not shape:
        etree.SubElement(el, "text").text = _words(70, 190, w, sec, part)
        return
    etree.SubElement(el, "text").text = w.lead(sec, part)
    conj = w.rng.choice(("and", "or"))
    for i, (lab, sub) in enumerate(shape):
        last = i == len(shape) - 1
        item = etree.SubElement(el, "item", num=lab)
        if not sub:
            etree.SubElement(item, "text").text = _list_text(w, sec, part, last, conj if i == len(shape) - 2 else "")
            continue
        etree.SubElement(item, "text").text = f"{w.proposition(sec, part)}, including:"
        for j, (rl, third) in enumerate(sub):
            r = etree.SubElement(item, "item", num=rl)
            if third:
                etree.SubElement(r, "text").text = f"in respect of the {w.term()}:"
                for k, tl in enumerate(third):
                    t = etree.SubElement(r, "item", num=tl)
                    etree.SubElement(t, "text").text = f"the {w.term()}" + (";" if k < len(third) - 1 else ",")
            else:
                etree.SubElement(r, "text").text = f"the {w.term()} {w.condition(sec, part).strip()}" + (
                    "," if j < len(sub) - 1 else ("; " + conj if not last else "."))
    if w.rng.random() < 0.3:
        etree.SubElement(el, "closing").text = _words(15, 40, w, sec, part)


def fill_definitions(el, w: Writer) -> None:
    etree.SubElement(el, "text").text = (
        "In this Code, except where the context otherwise requires, the expressions in the left hand column "
        "below shall have the meanings given to them in the right hand column below:")
    secs = w.sections
    w.here = "A"
    for term in w.skel.terms:
        d = etree.SubElement(el, "definition", term=term)
        r = w.rng.random()
        sec = w.rng.choice(secs)
        part = w.rng.choice(w.skel.parts_by_section[sec])
        if r < 0.3:
            etree.SubElement(d, "text").text = f"has the meaning given to that expression in {w.ref(sec, part)}."
        elif r < 0.5:
            etree.SubElement(d, "text").text = f"means, in respect of each {w.term()}:"
            labs = letter_items(w.rng.randint(2, 4))
            for i, lab in enumerate(labs):
                it = etree.SubElement(d, "item", num=lab)
                etree.SubElement(it, "text").text = _list_text(w, sec, part, i == len(labs) - 1, "and" if i == len(labs) - 2 else "")
        else:
            etree.SubElement(d, "text").text = "means " + w.proposition(sec, part) + "."
    w.here = None


def build_version(rng: random.Random, skel: Skeleton, shape: dict) -> dict[str, etree._Element]:
    """The first version's section trees, with words."""
    w = Writer(rng, skel)
    sections = {}
    for s, parts in shape.items():
        root = etree.Element("section", num=s, heading=HEADINGS[s], coverage="complete", source="synthetic",
                             evidence="inferred")
        for pnum, heading, groups, clause_shapes in parts:
            pel = etree.SubElement(root, "part", num=pnum, heading=heading, coverage="complete")
            for ch, nums in groups:
                parent = pel if ch is None else etree.SubElement(pel, "crossheading", heading=ch)
                for c in nums:
                    cel = etree.SubElement(parent, "clause", num=c)
                    if clause_shapes[c] == "definitions":
                        fill_definitions(cel, w)
                    else:
                        fill_clause(cel, clause_shapes[c], w, s, pnum)
        sections[s] = root
    return sections


# --------------------------------------------------------------------------- edits

def _text_elements(clause) -> list:
    return [t for t in clause.iter("text", "closing") if t.text and len(t.text.split()) >= 6]


def amend_phrase(rng: random.Random, el) -> str:
    """Insert, delete or substitute a phrase in a text element; return the kind of edit."""
    words = el.text.split()
    kind = rng.choice(("insert", "delete", "substitute"))
    safe = [i for i, wd in enumerate(words[:-1]) if not CLAUSE_RE.search(wd) and wd not in ("Section", "Sections")]
    if kind == "insert":
        i = rng.randrange(1, len(words))
        words[i:i] = rng.choice(INSERT_PHRASES).split()
    elif kind == "delete" and len(safe) > 4:
        i = rng.choice(safe[:-3])
        n = rng.randint(1, 4)
        span = [j for j in range(i, i + n) if j in safe]
        for j in reversed(span):
            del words[j]
    else:
        kind = "substitute"
        hits = [(i, a, b) for i, wd in enumerate(words) for a, b in SUBSTITUTES if wd == a.split()[0]]
        if hits:
            i, a, b = rng.choice(hits)
            words[i:i + len(a.split())] = b.split()
        else:
            i = rng.choice(safe) if safe else 0
            words[i] = rng.choice(["relevant", "applicable", "such", "the"])
    el.text = " ".join(words)
    return kind


def make_new_version(rng: random.Random, base: dict[str, etree._Element], skel: Skeleton, shape: dict,
                     rates: tuple[float, float, float] = RATES[NEW]) -> tuple[dict, dict]:
    """A version derived from ``base``: amendments, insertions, deletions and one renumbered run.

    ``rates`` gives the fractions of clauses amended, inserted and deleted (1.1: 1%, 0.2%, 0.2%).
    """
    new = {s: copy.deepcopy(r) for s, r in base.items()}
    w = Writer(rng, skel)
    index = {el.get("num"): el for root in new.values() for el in root.iter("clause")}
    all_nums = [n for n in index if n != "A1.1"]
    n = len(index)
    log: dict = {"amended": [], "inserted": [], "deleted": [], "renumbered": {}, "references_repointed": []}
    # one renumbered run: a part of at least 12 clauses, a new clause inserted in its middle
    parts = [p for p, cs in skel.clauses_by_part.items() if len(cs) >= 12 and p != "A1"]
    run_part = rng.choice(parts) if parts else None
    reserved = set(skel.clauses_by_part[run_part]) if run_part else set()
    pool = [c for c in all_nums if c not in reserved]
    rng.shuffle(pool)
    n_amend, n_ins, n_del = (max(1, round(n * r)) for r in rates)
    amend, ins, dele = pool[:n_amend], pool[n_amend:n_amend + n_ins], pool[n_amend + n_ins:n_amend + n_ins + n_del]
    for c in sorted(amend, key=all_nums.index):
        texts = _text_elements(index[c])
        if texts:
            kind = amend_phrase(rng, rng.choice(texts))
            log["amended"].append([c, kind])
    for c in sorted(ins, key=all_nums.index):
        el = index[c]
        num = c + "A" if c[-1].isdigit() else c + "1"
        sec, part = c[0], c.split(".")[0]
        new_el = etree.Element("clause", num=num)
        fill_clause(new_el, [] if rng.random() < 0.5 else [(lab, []) for lab in letter_items(rng.randint(2, 4))], w, sec, part)
        el.addnext(new_el)
        log["inserted"].append(num)
    for c in sorted(dele, key=all_nums.index):
        el = index[c]
        el.getparent().remove(el)
        log["deleted"].append(c)
    if run_part:
        nums = skel.clauses_by_part[run_part]
        k = len(nums) - rng.randint(5, 9)  # a run of 5 to 9 clauses shifted up by one
        mapping = {}
        for old in nums[k:]:
            p, i = old.split(".")
            mapping[old] = f"{p}.{int(i) + 1}"
        for old in reversed(nums[k:]):
            index[old].set("num", mapping[old])
        new_el = etree.Element("clause", num=nums[k])
        fill_clause(new_el, [], w, run_part[0], run_part)
        index[nums[k]].addprevious(new_el)
        log["inserted"].append(nums[k])
        log["renumbered"] = mapping

        def repoint(m):
            return mapping.get(m.group(1), m.group(1))

        for root in new.values():
            for clause in root.iter("clause"):
                touched = False
                for t in clause.iter("text", "closing"):
                    if t.text and CLAUSE_RE.search(t.text):
                        new_text = CLAUSE_RE.sub(repoint, t.text)
                        if new_text != t.text:
                            t.text, touched = new_text, True
                if touched:
                    log["references_repointed"].append(clause.get("num"))
    return new, log


# --------------------------------------------------------------------------- modifications

def mods_format_available() -> bool:
    """True once the modification schema exists (modifications are generated from then on)."""
    from redline.corpus import SCHEMA_DIR

    return (SCHEMA_DIR / "modification.rng").exists()


def _field_address(t) -> str:
    """The address of the node owning a <text>/<closing> element."""
    from redline.model import element_address

    return str(element_address(t.getparent()))


def _owner_kind(t) -> str:
    return t.getparent().tag


def _unique_phrase(rng: random.Random, text: str) -> str | None:
    """A run of 2-4 words occurring exactly once (as whole words) in ``text``, avoiding references."""
    words = text.split()
    for _ in range(12):
        n = rng.randint(2, 4)
        if len(words) <= n:
            return None
        i = rng.randrange(len(words) - n)
        span = words[i:i + n]
        if any(CLAUSE_RE.search(w) or w in ("Section", "Sections") or not w[-1].isalnum() for w in span[:-1]):
            continue
        phrase = " ".join(span).rstrip(".,;:")
        if not phrase or len(phrase.split()) < 2:
            continue
        if len(re.findall(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)) == 1:
            return phrase
    return None


class ModDrafter:
    """Drafts modifications against one version: valid operations that apply and keep references whole."""

    def __init__(self, rng: random.Random, version: dict[str, etree._Element], skel: Skeleton, writer: Writer):
        self.rng, self.version, self.skel, self.w = rng, version, skel, writer
        self.clauses = {el.get("num"): el for root in version.values() for el in root.iter("clause")}
        referenced: set[str] = set()
        for root in version.values():
            for t in root.iter("text", "closing"):
                referenced.update(CLAUSE_RE.findall(t.text or ""))
        self.referenced = referenced
        self.ordinary = [c for c in self.clauses if c != "A1.1"]

    # ---- single operations (as XML elements)
    def substitute(self, clause: str):
        fields = _text_elements(self.clauses[clause])
        self.rng.shuffle(fields)
        for t in fields:
            if _owner_kind(t) == "definition":
                continue
            phrase = _unique_phrase(self.rng, t.text)
            if phrase is None:
                continue
            op = etree.Element("substitute", target=_field_address(t))
            if t.tag == "closing":
                op.set("field", "closing")
            etree.SubElement(op, "old").text = phrase
            r = self.rng.random()
            if r < 0.5:
                new = f"{phrase} {self.rng.choice(INSERT_PHRASES)}"
            elif r < 0.8:
                ws = phrase.split()
                ws[self.rng.randrange(len(ws))] = self.rng.choice(["relevant", "applicable", "such", "each"])
                new = " ".join(ws)
            else:
                new = ""
            if new == phrase:
                new = f"{phrase} {INSERT_PHRASES[0]}"
            etree.SubElement(op, "new").text = new
            return op
        return None

    def amend(self, clause: str):
        fields = [t for t in _text_elements(self.clauses[clause]) if _owner_kind(t) != "definition"]
        if not fields:
            return None
        t = self.rng.choice(fields)
        op = etree.Element("amend", target=_field_address(t))
        if t.tag == "closing":
            op.set("field", "closing")
        etree.SubElement(op, "old").text = t.text
        words = t.text.split()
        i = self.rng.randrange(1, len(words))
        words[i:i] = self.rng.choice(INSERT_PHRASES).split()
        etree.SubElement(op, "new").text = " ".join(words)
        return op

    def insert_clause(self, clause: str):
        num = clause + "A"
        if num in self.clauses:
            return None
        op = etree.Element("insert", after=clause)
        c = etree.SubElement(op, "clause", num=num)
        shape = [] if self.rng.random() < 0.5 else [(lab, []) for lab in letter_items(self.rng.randint(2, 4))]
        fill_clause(c, shape, self.w, clause[0], clause.split(".")[0])
        return op

    def insert_item(self, clause: str):
        el = self.clauses[clause]
        items = el.findall("item")
        if not items:
            return None
        labels = letter_items(len(items) + 1)
        if [i.get("num") for i in items] != labels[:-1]:
            return None
        op = etree.Element("insert", end=clause)
        it = etree.SubElement(op, "item", num=labels[-1])
        etree.SubElement(it, "text").text = _list_text(self.w, clause[0], clause.split(".")[0], True, "")
        return op

    def delete(self, clause: str):
        if clause in self.referenced or clause not in self.clauses:
            return None
        op = etree.Element("delete", target=clause)
        if self.rng.random() < 0.5:
            op.set("leave", "not-used")
        return op

    def definition_ops(self) -> list:
        if "A1.1" not in self.clauses:
            return []
        defs = self.clauses["A1.1"].findall("definition")
        d = self.rng.choice(defs)
        r = self.rng.random()
        if r < 0.4:
            existing = {x.get("term") for x in defs}
            term = f"{self.rng.choice(TERM_MODS)} {self.rng.choice(TERM_MODS)} {self.rng.choice(TERM_HEADS)}"
            if term in existing:
                return []
            op = etree.Element("add-definition", clause="A1.1")
            nd = etree.SubElement(op, "definition", term=term)
            sec = self.rng.choice(self.w.sections)
            self.w.here = "A"
            etree.SubElement(nd, "text").text = "means " + self.w.proposition(sec, self.skel.parts_by_section[sec][0]) + "."
            self.w.here = None
            return [op]
        text = d.findtext("text")
        if r < 0.8 and text and len(text.split()) > 4:
            op = etree.Element("amend-definition", clause="A1.1", term=d.get("term"))
            etree.SubElement(op, "old").text = text
            words = text.split()
            words.insert(self.rng.randrange(1, len(words)), self.rng.choice(INSERT_PHRASES))
            etree.SubElement(op, "new").text = " ".join(words)
            return [op]
        if d.get("term") in " ".join(t.text or "" for root in self.version.values() for t in root.iter("text")):
            return []  # the term is used: deleting it would leave it undefined
        return [etree.Element("delete-definition", clause="A1.1", term=d.get("term"))]

    # ---- whole modifications
    def small(self) -> list:
        ops: list = []
        secs = self.rng.sample(self.w.sections, min(len(self.w.sections), self.rng.choice((1, 1, 1, 2))))
        pool = [c for c in self.ordinary if c[0] in secs]
        used: set[str] = set()
        for _ in range(self.rng.randint(1, 5)):
            c = self.rng.choice(pool)
            if c in used:
                continue
            r = self.rng.random()
            if r < 0.1:
                got = self.definition_ops()
                ops += got
                continue
            maker = (self.substitute if r < 0.5 else self.amend if r < 0.65 else self.insert_clause if r < 0.8
                     else self.insert_item if r < 0.9 else self.delete)
            op = maker(c)
            if op is not None:
                ops.append(op)
                used.add(c)
                used.add(c + "A")
        # document order of the insertions does not matter to the apply, but keep the file tidy
        if not ops:
            op = self.substitute(pool[0])
            ops.append(op if op is not None else self.amend(pool[0]))
        return ops

    def section_sized(self) -> list:
        """About a section's worth: phrases changed in 120 clauses of one section and a new part of 40."""
        sizes = {s: len([c for c in self.ordinary if c[0] == s]) for s in self.w.sections if s != "A"}
        sec = max(sizes, key=sizes.get) if sizes else self.w.sections[0]
        pool = [c for c in self.ordinary if c[0] == sec]
        ops = [op for c in sorted(self.rng.sample(pool, min(120, len(pool))), key=pool.index)
               if (op := self.substitute(c)) is not None]
        parts = self.skel.parts_by_section[sec]
        new_part = f"{sec}{len(parts) + 1}"
        ins = etree.Element("insert", after=parts[-1])
        p = etree.SubElement(ins, "part", num=new_part, heading="Additional Security Obligations", coverage="complete")
        group = None
        for k in range(1, 41):
            if k % 6 == 1:
                group = etree.SubElement(p, "crossheading", heading=self.rng.choice(CROSS_HEADINGS))
            c = etree.SubElement(group, "clause", num=f"{new_part}.{k}")
            shape = [] if self.rng.random() < 0.5 else [(lab, []) for lab in letter_items(self.rng.randint(2, 5))]
            fill_clause(c, shape, self.w, sec, parts[-1])
        ops.append(ins)
        return ops

    def renumbering(self) -> list:
        """A clause inserted mid-part, the rest of the part renumbered, and every reference re-pointed."""
        parts = [p for p, cs in self.skel.clauses_by_part.items() if len(cs) >= 10 and p[0] != "A"]
        part = self.rng.choice(parts)
        nums = self.skel.clauses_by_part[part]
        k = len(nums) - self.rng.randint(3, 6)
        mapping = {old: f"{part}.{int(old.split('.')[1]) + 1}" for old in nums[k:]}
        ops = []
        # consequential amendments first, addressed as the text stands before the renumbering
        for root in self.version.values():
            for t in root.iter("text", "closing"):
                if not t.text or not any(m in mapping for m in CLAUSE_RE.findall(t.text)):
                    continue
                new = CLAUSE_RE.sub(lambda m: mapping.get(m.group(1), m.group(1)), t.text)
                owner = t.getparent()
                if owner.tag == "definition":
                    op = etree.Element("amend-definition", clause="A1.1", term=owner.get("term"))
                else:
                    op = etree.Element("amend", target=_field_address(t))
                if t.tag == "closing":
                    op.set("field", "closing")
                etree.SubElement(op, "old").text = t.text
                etree.SubElement(op, "new").text = new
                ops.append(op)
        # renumber from the end of the part backwards, so that each new number is free
        ops += [etree.Element("renumber", target=old, **{"as": mapping[old]}) for old in reversed(nums[k:])]
        ins = etree.Element("insert", after=nums[k - 1])
        fill_clause(etree.SubElement(ins, "clause", num=nums[k]), [], self.w, part[0], part)
        ops.append(ins)
        return ops


def _mod_xml(mod_id: str, title: str, ops: list, i: int) -> bytes:
    from redline import xmlsafe

    m = etree.Element("modification", id=mod_id, base=BASE)
    etree.SubElement(m, "title").text = title
    meta = etree.SubElement(m, "meta")
    etree.SubElement(meta, "legal-text-version").text = "0.1"
    etree.SubElement(meta, "date").text = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
    etree.SubElement(meta, "author").text = "Benchmark"
    etree.SubElement(meta, "classification").text = "White"
    etree.SubElement(m, "operations").extend(ops)
    return xmlsafe.serialise(m)


def make_modifications(rng: random.Random, version: dict[str, etree._Element], skel: Skeleton,
                       n: int = N_MODS) -> dict[str, bytes]:
    """``n`` modifications drafted against ``version`` (BM001 section-sized, BM002 a renumbering).

    Returns {} until the modification format (``redline/schema/modification.rng``) exists.
    """
    if not mods_format_available():
        return {}
    d = ModDrafter(rng, version, skel, Writer(rng, skel))
    out = {"BM001": _mod_xml("BM001", "Section-sized change: phrases in 120 clauses and a new part", d.section_sized(), 1),
           "BM002": _mod_xml("BM002", "Insert a clause and renumber the rest of its part", d.renumbering(), 2)}
    for i in range(3, n + 1):
        out[f"BM{i:03d}"] = _mod_xml(f"BM{i:03d}", f"Benchmark modification {i}", d.small(), i)
    return out


# --------------------------------------------------------------------------- a history of versions

def make_history(rng: random.Random, base: dict[str, etree._Element], skel: Skeleton,
                 n: int = HISTORY) -> tuple[list[tuple[str, str, str, dict[str, etree._Element]]], dict]:
    """A lineage of ``n - 1`` versions after ``base``: (id, predecessor, modification, the sections
    it changes) each, and a log naming the tracked clause (as the last version numbers it).

    Each version amends a phrase in two or three clauses of one or two sections; one clause of a
    long part (the *tracked* clause) is amended every fourth version and renumbered twice (a new
    clause inserted before it, the rest of its part shifted up by one, references re-pointed)."""
    current = dict(base)
    parts = [p for p, cs in skel.clauses_by_part.items() if len(cs) >= 12 and p[0] != "A"]
    part = rng.choice(parts)
    nums = list(skel.clauses_by_part[part])
    tracked = next((c for c in nums[len(nums) // 2:] if _text_elements(
        next(el for el in base[c[0]].iter("clause") if el.get("num") == c))), nums[len(nums) // 2])
    sec = tracked[0]
    w = Writer(rng, skel)
    out = []
    log: dict = {"clause_first": tracked, "renumbered": [], "amended": []}
    prev = BASE
    for k, vid in enumerate(HISTORY_IDS[:n - 1], 1):
        changed: dict[str, etree._Element] = {}

        def own(letter: str) -> etree._Element:
            if letter not in changed:
                changed[letter] = copy.deepcopy(current[letter])
            return changed[letter]

        others = [s for s in current if s != "A"] or list(current)
        for letter in rng.sample(others, min(2, len(others))):
            clauses = [el for el in own(letter).iter("clause") if el.get("num") != tracked and _text_elements(el)]
            for el in rng.sample(clauses, min(len(clauses), rng.randint(1, 2))):
                amend_phrase(rng, rng.choice(_text_elements(el)))
                log["amended"].append([vid, el.get("num")])
        if k % 4 == 0:
            el = next(c for c in own(sec).iter("clause") if c.get("num") == tracked)
            amend_phrase(rng, rng.choice(_text_elements(el)))
            log["amended"].append([vid, tracked])
        if k in (7, 13):
            root = own(sec)
            part_el = next(p for p in root.iter("part") if p.get("num") == part)
            run = [c for c in part_el.iter("clause")]
            at = [c.get("num") for c in run].index(tracked)
            mapping = {}
            for c in run[at:]:
                p_, i_ = c.get("num").split(".")
                if i_.isdigit():
                    mapping[c.get("num")] = f"{p_}.{int(i_) + 1}"
            for c in reversed(run[at:]):
                if c.get("num") in mapping:
                    c.set("num", mapping[c.get("num")])
            new_el = etree.Element("clause", num=tracked)
            fill_clause(new_el, [], w, sec, part)
            run[at].addprevious(new_el)
            log["renumbered"].append([vid, tracked, mapping[tracked]])
            tracked = mapping[tracked]

            def repoint(m, mapping=mapping):
                return mapping.get(m.group(1), m.group(1))

            for letter in list(current):
                texts = changed.get(letter, current[letter]).iter("text", "closing")
                if any(t.text and any(r in mapping for r in CLAUSE_RE.findall(t.text)) for t in texts):
                    for t in own(letter).iter("text", "closing"):
                        if t.text and CLAUSE_RE.search(t.text):
                            t.text = CLAUSE_RE.sub(repoint, t.text)
        current.update(changed)
        out.append((vid, prev, f"HM{k:02d}", changed))
        prev = vid
    log["clause"] = tracked
    log["versions"] = [BASE] + [v for v, *_ in out]
    return out, log


# --------------------------------------------------------------------------- peers' renderings

def version_text(sections: dict[str, etree._Element]) -> str:
    """The whole version as numbered plain text (what a user would diff with text tools)."""
    from redline.model import Node
    from redline.render.text import node_to_text

    return "\n".join(node_to_text(Node(root)) for _, root in sorted(sections.items()))


def version_docx(sections: dict[str, etree._Element], path: Path) -> None:
    """A plain python-docx rendering: a paragraph per heading, clause, item and closing."""
    import docx
    from docx.shared import Pt

    from docx.oxml import OxmlElement
    from docx.text.paragraph import Paragraph

    doc = docx.Document()
    body = doc.element.body
    sect_pr = body[-1]  # keep sectPr last: append paragraphs before it by removing it meanwhile
    body.remove(sect_pr)
    styles = {name: doc.styles[name] for name in ("Heading 1", "Heading 2", "Heading 3")}

    def para(text, style=None, indent=0):
        # Document.add_paragraph scans the body for sectPr on every call (quadratic on a whole
        # code); appending the <w:p> ourselves and dressing it with python-docx is linear.
        el = OxmlElement("w:p")
        body.append(el)
        p = Paragraph(el, doc._body)
        p.add_run(text)
        if style:
            p.style = styles[style]
        if indent:
            p.paragraph_format.left_indent = Pt(indent)

    def walk(el, depth=0):
        for child in el:
            tag = child.tag
            if tag == "part":
                para(f"{child.get('num')} {child.get('heading') or ''}".strip(), "Heading 2")
                walk(child)
            elif tag == "crossheading":
                para(child.get("heading"), "Heading 3")
                walk(child)
            elif tag in ("clause", "item", "definition"):
                label = child.get("num") if tag != "definition" else f'"{child.get("term")}"'
                lead = child.findtext("text") or ""
                para(f"{label} {lead}".strip(), indent=18 * depth)
                walk(child, depth + 1)
                closing = child.findtext("closing")
                if closing:
                    para(closing, indent=18 * (depth + 1))

    for s, root in sorted(sections.items()):
        para(f"SECTION {s} – {root.get('heading')}", "Heading 1")
        walk(root)
    body.append(sect_pr)
    doc.save(str(path))


# --------------------------------------------------------------------------- corpus on disk

def _manifest(letters: list[str], history: list[tuple[str, str, str, dict]] = ()) -> bytes:
    top = etree.Element("corpus", code="SEC", title="Smart Energy Code (synthetic, for benchmarks)")
    srcs = etree.SubElement(top, "sources")
    etree.SubElement(srcs, "source", id="synthetic", file="bench/generate.py", title="Generated by bench.generate")
    for vid, pred, note in ((BASE, None, "Generated base version."),
                            (NEW, BASE, "Generated: 1% of clauses amended, 0.2% inserted, 0.2% deleted, one run renumbered."),
                            (NEW10, BASE, "Generated: 10% of clauses amended, 2% inserted, 2% deleted, one run renumbered.")):
        v = etree.SubElement(top, "version", id=vid)
        if pred:
            v.set("predecessor", pred)
        etree.SubElement(v, "note").text = note
        for s in letters:
            etree.SubElement(v, "file", section=s, path=f"versions/{vid}/{s}.xml")
    where = {s: f"versions/{BASE}/{s}.xml" for s in letters}  # the newest file of each section
    for vid, pred, mod, changed in history:
        v = etree.SubElement(top, "version", id=vid, predecessor=pred, modifications=mod)
        etree.SubElement(v, "note").text = f"Generated: {pred} with {mod} made (a few clauses amended)."
        for s in changed:
            where[s] = f"versions/{vid}/{s}.xml"
        for s in letters:
            etree.SubElement(v, "file", section=s, path=where[s])
    from redline import xmlsafe

    return xmlsafe.serialise(top)


def stamp(size: int, seed: int) -> dict:
    return {"generator": GENERATOR_VERSION, "size": size, "seed": seed, "mods": mods_format_available()}


def generate(size: int, seed: int = DEFAULT_SEED, out: Path = DATA_DIR, peers: bool = True, force: bool = False) -> Path:
    """Write the corpus of ``size`` clauses under ``out/sec-<size>`` (skipped if already current)."""
    from redline import xmlsafe

    root = out / f"sec-{size}"
    want = stamp(size, seed) | {"peers": peers}
    stamp_file = root / "stamp.json"
    if not force and stamp_file.exists():
        have = json.loads(stamp_file.read_text())
        if have == want or (have | {"peers": True} == want | {"peers": True} and have["peers"] and not peers):
            return root
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(f"{seed}:{size}")
    skel, shape = plan(rng, size)
    base = build_version(rng, skel, shape)
    new, log = make_new_version(rng, base, skel, shape, RATES[NEW])
    mods = make_modifications(rng, base, skel)
    new10, log10 = make_new_version(rng, base, skel, shape, RATES[NEW10])
    log = {NEW: log, NEW10: log10}
    for vid, secs in ((BASE, base), (NEW, new), (NEW10, new10)):
        d = root / "versions" / vid
        d.mkdir(parents=True)
        for s, el in secs.items():
            (d / f"{s}.xml").write_bytes(xmlsafe.serialise(el))
    # the history comes from its own random stream: the data above is as before it existed
    history, hlog = make_history(random.Random(f"{seed}:{size}:history"), base, skel)
    for vid, _, _, changed in history:
        d = root / "versions" / vid
        d.mkdir(parents=True)
        for s, el in changed.items():
            (d / f"{s}.xml").write_bytes(xmlsafe.serialise(el))
    log["history"] = hlog
    (root / "manifest.xml").write_bytes(_manifest(list(base), history))
    if mods:
        (root / "mods").mkdir()
        for name, data in mods.items():
            (root / "mods" / f"{name}.xml").write_bytes(data)
        rel = etree.Element("release", id="all", onto=BASE)
        etree.SubElement(rel, "title").text = f"All {len(mods)} generated modifications"
        lst = etree.SubElement(rel, "modifications")
        for name in mods:
            etree.SubElement(lst, "modification", ref=name)
        (root / "releases").mkdir()
        (root / "releases" / "all.xml").write_bytes(xmlsafe.serialise(rel))
    if peers:
        pdir = root / "peer"
        pdir.mkdir()
        for name, secs in (("old", base), ("new", new)):
            (pdir / f"{name}.txt").write_text(version_text(secs), encoding="utf-8")
            version_docx(secs, pdir / f"{name}.docx")
    words = sum(len(t.split()) for r in base.values() for t in r.itertext())
    log["stats"] = {"clauses": sum(1 for r in base.values() for _ in r.iter("clause")),
                    "definitions": sum(1 for r in base.values() for _ in r.iter("definition")),
                    "sections": len(base), "parts": sum(1 for r in base.values() for _ in r.iter("part")),
                    "words": words, "mods": len(mods),
                    "bytes": sum(p.stat().st_size for p in (root / "versions" / BASE).iterdir())}
    for vid in (NEW, NEW10):
        lg = log[vid]
        log["stats"][f"changed {vid}"] = len({c for c, _ in lg["amended"]} | set(lg["inserted"]) | set(lg["deleted"])
                                             | set(lg["renumbered"]) | set(lg["references_repointed"]))
    (root / "edits.json").write_text(json.dumps(log, indent=1))
    stamp_file.write_text(json.dumps(want))
    return root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated clause counts")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    ap.add_argument("--no-peers", action="store_true", help="skip the text and DOCX renderings")
    ap.add_argument("--force", action="store_true", help="regenerate even if the data is current")
    args = ap.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        root = generate(size, args.seed, args.out, peers=not args.no_peers, force=args.force)
        stats = json.loads((root / "edits.json").read_text())["stats"]
        print(f"{root}: {stats['clauses']} clauses, {stats['words']} words, {stats['bytes'] / 1e6:.1f} MB, "
              f"{stats['mods']} modifications", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
