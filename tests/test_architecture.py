"""The import graph of the package: no cycles, and each module imports only from its own layer
or below (the core never imports a renderer or the command line; see docs/architecture.md).

Every import counts, also one made inside a function. A new module is placed in :data:`LAYERS`
(and given a line in docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "redline"

#: the layers, lowest first: a module may import modules of its own layer or of a lower one
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundations", ("redline.errors", "redline.textdiff", "redline.fsio", "redline.xmlsafe")),
    ("model", ("redline.model",)),
    ("pure core", ("redline.validate", "redline.ops", "redline.xref", "redline.terms", "redline.diff",
                   "redline.draft")),
    ("readers", ("redline.word", "redline.word.*", "redline.importer", "redline.importer.*")),
    ("corpus and modifications", ("redline.manifest", "redline.transaction", "redline.corpus", "redline.mods")),
    ("apply", ("redline.apply",)),
    ("above apply", ("redline.consequential", "redline.check", "redline.annex", "redline.history",
                     "redline.rebase", "redline.release", "redline.annexread", "redline.annexread.*")),
    ("renderers", ("redline.render", "redline.render.*")),
    ("command line", ("redline", "redline.__main__", "redline.cli", "redline.cli.*")),
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports (anywhere in it)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.add(full if full in known else target)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return {m for m in out if m in known and m != name}


GRAPH = {name: _imports(name, path, set(_modules())) for name, path in _modules().items()}


def layer_of(module: str) -> int:
    for i, (_, patterns) in enumerate(LAYERS):
        for p in patterns:
            if module == p or (p.endswith(".*") and module.startswith(p[:-1])):
                return i
    raise LookupError(module)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_every_module_has_a_layer(module):
    try:
        layer_of(module)
    except LookupError:
        pytest.fail(f"{module} is in no layer: add it to LAYERS in {__file__} and a line to docs/architecture.md")


def test_no_import_cycles():
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(GRAPH[m]):
            if state.get(n) == 1:
                cycle = path[path.index(n):] + [m, n] if n in path else [m, n]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n, path + [m])
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m, [])


def test_imports_go_down_the_layers():
    wrong = [f"{m} ({LAYERS[layer_of(m)][0]}) imports {n} ({LAYERS[layer_of(n)][0]})"
             for m, targets in GRAPH.items() for n in targets if layer_of(n) > layer_of(m)]
    assert wrong == []


def test_the_layering_test_sees_imports_inside_functions():
    """The old cycle (xref imported apply and the HTML renderer inside functions) would be seen."""
    assert "redline.apply" in GRAPH["redline.consequential"]
    assert "redline.render.links" in GRAPH["redline.cli.redline_cmds"]  # imported in a function
