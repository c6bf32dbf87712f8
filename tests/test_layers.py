"""The package keeps its layers: imports run downward only, with no circles, and only the stores talk to engines and servers.

The layers, bottom to top, are listed in docs/ARCHITECTURE.md; this test reads every module's
imports (those inside functions too, but not those only for type checkers) from the source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "conflictkg"
# bottom to top; a module may import its own layer and the layers below it
LAYERS = ["errors", "progress", "guard", "graph", "queries", "checks", "inference", "stores", "exchange", "views", "cli"]
BESIDE = {"api": "cli", "__main__": "cli"}  # the Python API and `python -m conflictkg` are the top layer too, next to the command line
ENGINE = "pyoxigraph"
HTTP_CLIENTS = {"urllib.request", "http.client", "requests", "httpx", "urllib3", "aiohttp"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports inside `if TYPE_CHECKING:` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for inner in node.body:
                for sub in ast.walk(inner):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


def imports(path: Path) -> set[str]:
    """Every module `path` imports (absolute names; `from a import b` gives a.b if that is a module)."""
    own = module_name(path)
    return imports_in(path.read_text("utf-8"), own, is_package=path.name == "__init__.py")


def imports_in(source: str, own: str, is_package: bool = False) -> set[str]:
    """Every module the source of module `own` imports."""
    known = modules()
    tree = ast.parse(source)
    skip = _type_checking_only(tree)
    package = own if is_package else own.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known)
    return found


def layer_of(module: str) -> int | None:
    """The layer index of a conflictkg module (None for the package's own __init__)."""
    parts = module.split(".")
    if parts[0] != "conflictkg" or len(parts) == 1:
        return None
    return LAYERS.index(BESIDE.get(parts[1], parts[1]))


def test_every_module_belongs_to_a_layer():
    for module in modules():
        if module != "conflictkg":
            assert BESIDE.get(module.split(".")[1], module.split(".")[1]) in LAYERS, f"{module} is in no layer of docs/ARCHITECTURE.md"


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_run_downward(module):
    path = modules()[module]
    own = layer_of(module)
    for target in imports(path):
        other = layer_of(target)
        if other is None or own is None:
            continue
        assert other <= own, f"{module} ({LAYERS[own]}) imports {target} ({LAYERS[other]}), a layer above it"


def test_no_circles_between_modules():
    known = modules()
    graph = {m: {t for t in imports(p) if t in known and t != m} for m, p in known.items()}
    # a package's __init__ may re-export its own modules; a module importing its package is a circle then
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_only_the_stores_and_the_graph_bridge_import_pyoxigraph():
    allowed = {"conflictkg.graph.oxigraph"}
    for module, path in modules().items():
        if module.startswith("conflictkg.stores") or module in allowed:
            continue
        engines = {t for t in imports(path) if t == ENGINE or t.startswith(ENGINE + ".")}
        assert not engines, f"{module} imports {sorted(engines)}; go through conflictkg.stores or conflictkg.graph.oxigraph"


def test_only_the_stores_make_http_requests():
    for module, path in modules().items():
        if module.startswith("conflictkg.stores"):
            continue
        clients = imports(path) & HTTP_CLIENTS
        assert not clients, f"{module} imports {sorted(clients)}; only conflictkg.stores talks to servers"


def test_the_reader_finds_upward_lazy_and_relative_imports():
    """The import reader itself: an import inside a function and a relative one are both seen,
    and an import only for type checkers is not."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from ..graph import parse\n"
        "if TYPE_CHECKING:\n"
        "    from conflictkg.stores.memory import MemoryStore\n"
        "def f():\n"
        "    from conflictkg.views.report import write_report\n"
    )
    found = imports_in(source, "conflictkg.checks.shapes")
    assert {"conflictkg.graph.parse", "conflictkg.views.report"} <= found
    assert "conflictkg.stores.memory" not in found
    upward = [t for t in found if (layer_of(t) or 0) > layer_of("conflictkg.checks.shapes")]
    assert upward == ["conflictkg.views.report"]


def test_the_command_line_never_asks_which_store_it_has():
    """No comparison with a store kind, no `startswith("oxigraph:")`, no isinstance of a store in cli.py."""
    tree = ast.parse((PACKAGE / "cli.py").read_text("utf-8"))
    kinds = ("memory", "oxigraph", "sparql")
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            constants = [c.value for c in [node.left, *node.comparators] if isinstance(c, ast.Constant)]
            assert not any(isinstance(c, str) and c.rstrip(":") in kinds for c in constants), ast.unparse(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("startswith", "partition"):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            assert not any(isinstance(t, str) and t.rstrip(":") in kinds for t in texts), ast.unparse(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance":
            assert "Store" not in ast.unparse(node), ast.unparse(node)
