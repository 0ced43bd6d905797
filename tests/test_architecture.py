"""The import graph of the package: no cycles, and each module imports only from its own layer
or below (the core never imports a renderer or the command line; see docs/architecture.md).

Every import counts, also one made inside a function. A new module is placed in :data:`LAYERS`
(and given a line in docs/architecture.md)."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "redline"

#: the layers, lowest first: a module may import modules of its own layer or of a lower one
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundations", ("redline.errors", "redline.textdiff", "redline.fsio", "redline.xmlsafe", "redline.gcpause",
                     "redline.fanout")),
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


@functools.lru_cache(maxsize=None)
def _tree(path: Path) -> ast.Module:
    """The parsed module (each file is parsed once for all the checks)."""
    return ast.parse(path.read_text("utf-8"))


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


#: a module named in a string to be imported later ("redline.check:check_source" in a table of
#: plug-ins or lazily imported commands)
_LAZY = re.compile(r"(redline(?:\.\w+)*):\w+")


def _imports(name: str, path: Path, known: set[str], source: str | None = None) -> set[str]:
    """The package's modules that module ``name`` imports (anywhere in it, also inside a function
    or under ``if TYPE_CHECKING``, and those named in a ``"module:attribute"`` string)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    tree = _tree(path) if source is None else ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            m = _LAZY.fullmatch(node.value)
            if m:
                out.add(m[1])
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


def test_every_form_of_import_is_seen():
    """What :func:`_imports` reads: absolute and relative imports at any level, in a function, in
    a class, under ``TYPE_CHECKING``, an aliased dotted import, and a lazy "module:attr" string."""
    source = """
from typing import TYPE_CHECKING
import redline.errors as errs
from redline import model
from . import ops
from ..xref import find_references
if TYPE_CHECKING:
    from redline.corpus import Corpus
def f():
    from ..apply import apply_modification
    import redline.annex
class C:
    def g(self):
        from redline.render import html
TABLE = {"x": "redline.check:check_source"}
"""
    known = set(GRAPH) | {"redline.render.html"}
    got = _imports("redline.render.links", PACKAGE / "render" / "links.py", known, source)
    assert got >= {"redline.errors", "redline.model", "redline.render", "redline.xref", "redline.corpus",
                   "redline.apply", "redline.annex", "redline.render.html", "redline.check"}, got
    assert "redline.ops" not in got  # ``from . import ops`` in redline.render is redline.render.ops
    got = _imports("redline.diff", PACKAGE / "diff.py", set(GRAPH), "from . import ops\nfrom .model import Address\n")
    assert got == {"redline.ops", "redline.model"}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                yield None, f.id
            elif isinstance(f, ast.Attribute):
                yield (f.value.id if isinstance(f.value, ast.Name) else ""), f.attr


def test_only_one_module_pauses_the_garbage_collector():
    """The cyclic collector is paused in one place (:mod:`redline.gcpause`), used as a decorator
    or a ``with`` block everywhere else."""
    def imports_gc(path: Path) -> bool:
        return any(isinstance(n, ast.Import) and any(a.name == "gc" for a in n.names)
                   or isinstance(n, ast.ImportFrom) and n.module == "gc" for n in ast.walk(_tree(path)))

    touching = sorted(name for name, path in _modules().items() if imports_gc(path))
    assert touching == ["redline.gcpause"]


def test_only_one_module_starts_processes():
    """Processes are started in one place (:mod:`redline.fanout`, which forks its workers and
    reaps them whatever happens): no other module forks, spawns or imports a process pool."""
    def starts(path: Path) -> bool:
        for n in ast.walk(_tree(path)):
            if isinstance(n, ast.Import) and any(a.name.split(".")[0] in _PROCESS_MODULES for a in n.names):
                return True
            if isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in _PROCESS_MODULES:
                return True
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "os" \
                    and (n.attr.startswith(("fork", "spawn", "exec", "posix_spawn")) or n.attr in ("system", "popen")):
                return True
        return False

    assert sorted(name for name, path in _modules().items() if starts(path)) == ["redline.fanout"]


_PROCESS_MODULES = {"subprocess", "multiprocessing", "concurrent"}


#: calls that read or write a file's contents or a directory (file metadata such as ``is_file``
#: is not counted): builtins, ``os`` functions, path methods, and every call into these modules
_IO_BUILTINS = {"open"}
_IO_OS = {"open", "replace", "rename", "remove", "unlink", "mkdir", "makedirs", "rmdir", "removedirs", "listdir",
          "scandir", "fsync", "link", "symlink", "chmod", "utime", "truncate", "ftruncate", "mkfifo"}
_IO_METHODS = {"read_bytes", "read_text", "write_bytes", "write_text", "iterdir", "glob", "rglob", "mkdir",
               "unlink", "rmdir", "symlink_to", "hardlink_to", "chmod", "rename"}
_IO_MODULES = {"shutil", "tempfile"}


def _does_io(path: Path) -> list[str]:
    out = []
    for base, attr in _calls(_tree(path)):
        if base is None and attr in _IO_BUILTINS or base == "os" and attr in _IO_OS or base in _IO_MODULES \
                or base not in (None, "os", "self", "st", "re") and attr in _IO_METHODS:
            out.append(f"{base}.{attr}" if base else attr)
    return out


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if layer_of(m) < len(LAYERS) - 1))
def test_file_io_only_where_the_docstring_says_so(module):
    """Pure core, I/O at the edges: a module below the command line that reads or writes files
    says so in its docstring (a line with "I/O"). The command line is the edge and may."""
    path = _modules()[module]
    calls = _does_io(path)
    if calls:
        doc = ast.get_docstring(_tree(path)) or ""
        assert "I/O" in doc, f"{module} does file I/O ({', '.join(sorted(set(calls)))}) but its docstring does not say so"


def _private_imports(name: str, path: Path) -> list[str]:
    """``module.name`` for each private name (``_x``) that module ``name`` imports from another."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("redline")):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            out += [f"{target}.{a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    # ``fsio._helper(...)`` through a module imported by name
    modules = {a.asname or a.name for node in ast.walk(_tree(path))
               if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("redline") or
               isinstance(node, ast.ImportFrom) and node.level
               for a in node.names if f"{node.module or package}.{a.name}" in GRAPH or f"redline.{a.name}" in GRAPH}
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            out.append(f"{node.value.id}.{node.attr}")
    return out


#: a reader package's modules share its private patterns (the PDF-text reader and the outline builder)
_FRIENDS = {("redline.importer.text", "redline.importer.outline")}


def test_no_module_imports_another_modules_private_names():
    """What a module keeps private (an index's state, a helper, a constant) stays private: another
    module that needs it uses a public name, so that the owner can change it safely."""
    wrong = [f"{name} imports {p}" for name, path in _modules().items() for p in _private_imports(name, path)
             if (name, p.rpartition(".")[0]) not in _FRIENDS]
    assert wrong == []


def test_the_private_check_sees_both_forms(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text("from redline import fsio\nfrom redline.model import _X\nfsio._umask_mode(1)\n")
    assert _private_imports("redline.fake", fake) == ["redline.model._X", "fsio._umask_mode"]
