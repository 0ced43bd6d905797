"""The release tag that the hook and the workflow tell users to pin is the package's version."""

from __future__ import annotations

import re
import tomllib

import redline

from conftest import ROOT


def test_the_documented_tag_is_the_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert redline.__version__ == version
    tag = f"v{version}"
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert re.findall(r"rev: (\S+)", hooks) == [tag]
    workflow = (ROOT / "examples" / "github-workflow.yml").read_text(encoding="utf-8")
    assert re.findall(r"redline@(v[\w.]+)", workflow) == [tag]
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert f"rev: {tag}" in ci and f"**`{tag}`**" in ci
