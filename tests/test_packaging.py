"""A plain (non-editable) install carries the SEC corpus, and `redline check` works against it.

The wheel is built offline from a copy of the sources (setuptools comes with the test extra; no
build isolation, no download), installed with ``pip install --target`` into a directory of its
own, and run from an empty working directory with that directory first on ``PYTHONPATH`` (the
dependencies come from the test environment). The test checks that the ``redline`` imported is
the installed one, not this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

#: what the wheel needs from a checkout
SOURCES = ("pyproject.toml", "README.md", "redline", "templates", "corpus")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    pytest.importorskip("setuptools")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(p, src / name)
    dist = tmp / "dist"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env["PIP_NO_INDEX"] = "1"  # prove that nothing is downloaded
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(dist), str(src)], capture_output=True, text=True, env=env, timeout=300)
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stdout}\n{build.stderr}")
    [wheel] = dist.glob("redline-*.whl")
    site = tmp / "site"
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                           str(wheel)], capture_output=True, text=True, env=env, timeout=300)
    if inst.returncode != 0:
        pytest.fail(f"installing the wheel failed:\n{inst.stdout}\n{inst.stderr}")
    work = tmp / "elsewhere"
    work.mkdir()
    env["PYTHONPATH"] = str(site)
    env["REDLINE_CACHE_DIR"] = "off"
    return wheel, site, work, env


def _run(args, cwd, env):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_holds_the_corpus(installed):
    wheel, *_ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus_files = {str(p.relative_to(ROOT / "corpus")) for p in (ROOT / "corpus").rglob("*") if p.is_file()}
    assert corpus_files, "the checkout has a corpus"
    for rel in corpus_files:
        assert f"redline/bundled_corpus/{rel}" in names, rel
    for rel in ("redline/schema/corpus.rng", "redline/templates/redline.html.j2", "redline/templates/redline.docx"):
        assert rel in names, rel


def test_installed_redline_checks_the_bundled_corpus(installed):
    _, site, work, env = installed
    where = _run(["-c", "import redline, redline.corpus as c; print(redline.__file__); print(c.default_corpus_dir())"],
                 work, env)
    assert where.returncode == 0, where.stderr
    module, corpus_dir = where.stdout.split()
    assert Path(module).is_relative_to(site), "the installed package is the one imported"
    assert Path(corpus_dir) == site / "redline" / "bundled_corpus"
    res = _run(["-m", "redline", "check"], work, env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "MP087" in res.stdout and "SECMP0065" in res.stdout
    versions = _run(["-m", "redline", "versions"], work, env)
    assert versions.returncode == 0 and "6.17" in versions.stdout


def test_installed_redline_without_its_corpus_says_how_to_give_one(installed, tmp_path):
    _, site, work, env = installed
    bare = tmp_path / "site"
    shutil.copytree(site, bare, ignore=shutil.ignore_patterns("bundled_corpus"))
    env = dict(env, PYTHONPATH=str(bare))
    res = _run(["-m", "redline", "check"], work, env)
    assert res.returncode == 2
    [line] = res.stderr.splitlines()
    assert line.startswith("Error: no corpus") and "--corpus" in line and "REDLINE_CORPUS" in line


def test_the_wheel_holds_every_package(installed):
    """Every package of the checkout is in the wheel (``[tool.setuptools] packages`` lists each by
    hand: ``redline.annexread`` was missing, so an installed ``redline import-annex`` failed)."""
    wheel, *_ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    root = Path(__file__).resolve().parent.parent
    for init in sorted((root / "redline").rglob("__init__.py")):
        rel = init.relative_to(root).as_posix()
        assert rel in names, f"{rel} is not in the wheel: add its package to pyproject.toml"
