"""Version.derive is lazy: it builds no index; a shared section's index is built once, in the
version derived from, and shared by every version derived from it."""

from __future__ import annotations

from redline.corpus import Corpus
from redline.model import Address


def test_derive_builds_no_index(tmp_corpus):
    base = Corpus.open(tmp_corpus).load("6.17")
    assert base._sec_index == {}
    d1, d2 = base.derive("a"), base.derive("b")
    assert base._sec_index == {} and d1._sec_index == {}
    assert d1.find(Address.parse("G3.20(b)")) is not None
    assert "G" in base._sec_index  # built in the base...
    assert d2._section_index("G") is d1._section_index("G") is base._section_index("G")  # ...once


def test_owned_section_gets_its_own_index(tmp_corpus):
    base = Corpus.open(tmp_corpus).load("6.17")
    d = base.derive("x")
    d.own("G")
    assert d._section_index("G") is not base._section_index("G")
    assert list(d._section_index("G")) == list(base._section_index("G"))
    assert d.find(Address.parse("G3.20")) is not base.find(Address.parse("G3.20"))


def test_derived_of_derived_shares_the_first_index(tmp_corpus):
    base = Corpus.open(tmp_corpus).load("6.17")
    dd = base.derive("a").derive("b")
    assert dd._section_index("G") is base._section_index("G")
