"""The pre-commit hook and the sample GitHub workflow, end to end, in a temporary git repository.

The repository is what a user of the hook has: modification files of its own (``mods/``), no copy of
the corpus (the SEC corpus ships with redline), and a ``.pre-commit-config.yaml``. pre-commit runs
for real (``pre-commit run`` and a ``git commit`` through the installed git hook). The hook comes
from this checkout's ``.pre-commit-hooks.yaml`` as a ``repo: local`` hook, with every key as
shipped except ``language: system`` (redline is already installed in the test environment, so
pre-commit builds no virtualenv and nothing is fetched from the network).

The workflow's own ``run:`` lines are executed the same way, with its ``env:``, and its ``paths:``
filters are checked to cover the files it checks (a filter that never fires checks nothing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # comes with pre-commit (the test extra)

from conftest import CORPUS, ROOT  # noqa: E402

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "examples" / "github-workflow.yml"

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<!-- a modification kept in a repository of its own, drafted against the bundled SEC 6.17 -->
<modification id="TEST001" base="6.17">
  <title>Tidy G3.21</title>
  <operations>
    <substitute target="G3.21">
      <old>under the arrangements</old>
      <new>under those arrangements</new>
    </substitute>
  </operations>
</modification>
"""
BAD = GOOD.replace("<old>under the arrangements</old>", "<old>under the agreements</old>")


def _git_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "REDLINE_CORPUS",
                                                                    "REDLINE_MODS_DIR"))}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
               GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.org",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.org",
               PRE_COMMIT_HOME=str(home / "pre-commit"), HOME=str(home))
    # the redline and pre-commit of this test environment come first on PATH
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _run(args, cwd: Path, env: dict, check: bool = False) -> subprocess.CompletedProcess:
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if check and res.returncode != 0:
        raise AssertionError(f"{args} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res


def _local_hook(args: list[str]) -> dict:
    """The shipped hook definition as a ``repo: local`` hook (language system), with ``args``."""
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    hook = dict(hook, language="system", args=args)
    hook.pop("minimum_pre_commit_version", None)
    return hook


@pytest.fixture
def repo(tmp_path):
    """A git repository of modification files (``mods/TEST001.xml``), committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path / "home"
    home.mkdir()
    (home / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    env = _git_env(home)
    root = tmp_path / "repo"
    (root / "mods").mkdir(parents=True)
    (root / "mods" / "TEST001.xml").write_text(GOOD, encoding="utf-8")
    _run(["git", "init", "-q"], root, env, check=True)
    return root, env


def _configure(root: Path, env: dict, args: list[str]) -> None:
    config = {"repos": [{"repo": "local", "hooks": [_local_hook(args)]}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    _run(["git", "add", "-A"], root, env, check=True)


def _pre_commit(root: Path, env: dict) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"], root, env)


def test_hook_passes_fails_and_blocks_a_commit(repo):
    root, env = repo
    _configure(root, env, ["--mods-dir", "mods"])
    ok = _pre_commit(root, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"redline check.*Passed", ok.stdout)

    (root / "mods" / "TEST001.xml").write_text(BAD, encoding="utf-8")
    _run(["git", "add", "-A"], root, env, check=True)
    bad = _pre_commit(root, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"redline check.*Failed", bad.stdout)
    assert "- exit code: 1" in bad.stdout
    assert re.search(r"TEST001\s+FAILED", bad.stdout)
    line = BAD.splitlines().index("    <substitute target=\"G3.21\">") + 1
    assert f"mods/TEST001.xml:{line}:" in bad.stdout and "G3.21" in bad.stdout

    # the installed git hook refuses the commit, then lets the corrected file through
    _run([sys.executable, "-m", "pre_commit", "install"], root, env, check=True)
    refused = _run(["git", "commit", "-q", "-m", "broken"], root, env)
    assert refused.returncode != 0
    assert "TEST001" in refused.stdout + refused.stderr
    assert _run(["git", "rev-parse", "--verify", "-q", "HEAD"], root, env).returncode != 0  # nothing committed
    (root / "mods" / "TEST001.xml").write_text(GOOD, encoding="utf-8")
    _run(["git", "add", "-A"], root, env, check=True)
    _run(["git", "commit", "-q", "-m", "good"], root, env, check=True)


def test_hook_fails_when_it_would_check_nothing(repo):
    root, env = repo
    # the modifications are not where the hook is told to look: an error, not "Passed"
    (root / "empty").mkdir()
    (root / "empty" / ".keep").write_text("", encoding="utf-8")
    _configure(root, env, ["--mods-dir", "empty"])
    res = _pre_commit(root, env)
    assert res.returncode == 1 and "- exit code: 2" in res.stdout, res.stdout
    assert "nothing to check" in res.stdout and "--allow-empty" in res.stdout
    _configure(root, env, ["--mods-dir", "empty", "--allow-empty"])
    allowed = _pre_commit(root, env)
    assert allowed.returncode == 0, allowed.stdout
    # a corpus named but not there: exit 2, naming --corpus and REDLINE_CORPUS
    _configure(root, env, ["--corpus", "corpus"])
    missing = _pre_commit(root, env)
    assert missing.returncode == 1 and "- exit code: 2" in missing.stdout
    assert "--corpus corpus: no such corpus directory" in missing.stdout and "REDLINE_CORPUS" in missing.stdout


def test_hook_in_a_repository_that_holds_a_corpus(repo):
    root, env = repo
    shutil.copytree(CORPUS, root / "corpus", ignore=shutil.ignore_patterns("sources"))
    shutil.rmtree(root / "mods")
    _configure(root, env, ["--corpus", "corpus"])
    res = _pre_commit(root, env)
    assert res.returncode == 0, res.stdout
    # a change to a version that breaks a modification fails the hook
    g = root / "corpus" / "versions" / "6.17" / "G.xml"
    g.write_text(g.read_text(encoding="utf-8").replace("Gas Proxy Function) for which",
                                                       "Gas Proxy Functions) for which"), encoding="utf-8")
    _run(["git", "add", "-A"], root, env, check=True)
    res = _pre_commit(root, env)
    assert res.returncode == 1 and re.search(r"MP087\s+FAILED", res.stdout), res.stdout


# --------------------------------------------------------------------------- the sample workflow


def _glob_regex(pattern: str) -> re.Pattern:
    """A GitHub ``paths:`` pattern as a regex (``**`` any path, ``*`` any name part)."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def _workflow():
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on:` as true
    [job] = wf["jobs"].values()
    return triggers, job


def test_workflow_paths_cover_the_modifications_it_checks(repo):
    root, _ = repo
    triggers, job = _workflow()
    mods_dir = job["env"]["REDLINE_MODS_DIR"]
    files = [str(p.relative_to(root)) for p in (root / mods_dir).glob("*.xml")]
    assert files
    for event in ("push", "pull_request"):
        patterns = [_glob_regex(p) for p in triggers[event]["paths"]]
        for f in files:
            assert any(p.match(f) for p in patterns), (event, f)
    install = [s["run"] for s in job["steps"] if "pip install" in s.get("run", "")]
    assert install and re.search(r"@v\d+\.\d+\.\d+\"", install[0]), "the install step pins a release tag"


def test_workflow_run_steps_annotate_the_failing_line(repo):
    root, env = repo
    _, job = _workflow()
    env = dict(env, **{k: str(v) for k, v in job["env"].items()})
    steps = [s["run"] for s in job["steps"] if "run" in s and "pip install" not in s["run"]]
    assert steps and all("redline check" in s for s in steps)
    for script in steps:
        res = _run(["bash", "-e", "-c", script], root, env)
        assert res.returncode == 0, res.stdout + res.stderr
    (root / "mods" / "TEST001.xml").write_text(BAD, encoding="utf-8")
    line = BAD.splitlines().index("    <substitute target=\"G3.21\">") + 1
    res = _run(["bash", "-e", "-c", steps[0]], root, env)
    assert res.returncode == 1
    assert re.search(rf"^::error file=mods/TEST001\.xml,line={line},title=TEST001 G3\.21::", res.stdout, re.M)
    # nothing to check: exit 2 with an annotation saying why
    (root / "mods" / "TEST001.xml").unlink()
    res = _run(["bash", "-e", "-c", steps[0]], root, env)
    assert res.returncode == 2
    assert re.search(r"^::error title=redline check::nothing to check", res.stdout, re.M)
