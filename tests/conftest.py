"""Shared fixtures: the bundled corpus, a scratch copy of it, and a CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

#: CI runs the property tests on fixed examples (``HYPOTHESIS_PROFILE=ci``, set by ``.ci/run``), so
#: that a landing is judged on the same examples every time; a developer's run explores new ones
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEEDS = CORPUS / "sources"  # copies of the seed papers the corpus text was taken from


@pytest.fixture(scope="session", autouse=True)
def _validation_cache(tmp_path_factory):
    """Keep the validation cache of the test run out of the user's home (see ValidationCache)."""
    old = os.environ.get("REDLINE_CACHE_DIR")
    os.environ["REDLINE_CACHE_DIR"] = str(tmp_path_factory.mktemp("redline-cache"))
    yield
    if old is None:
        os.environ.pop("REDLINE_CACHE_DIR", None)
    else:
        os.environ["REDLINE_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def corpus():
    from redline.corpus import Corpus

    return Corpus.open(CORPUS)


@pytest.fixture
def tmp_corpus(tmp_path) -> Path:
    """A private copy of the bundled corpus that a test may change."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the CLI with arguments; returns click's Result."""
    from redline.cli import main

    def _invoke(*args, **kw):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)

    return _invoke


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """A generated corpus of 700 clauses in several sections (Section A's definitions, items,
    romanettes, cross-references) with its 50 modifications: one for the whole run."""
    from bench import generate
    from redline.corpus import Corpus

    return Corpus.open(generate.generate(700, seed=7, out=tmp_path_factory.mktemp("generated"), peers=False))
