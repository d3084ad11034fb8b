"""The sandbox's import graph: no cycle, Jira errors in a leaf, nothing of the client side.

The graph is read from the source with :mod:`ast`, so it holds every import
that runs: at module level and inside functions (a deferred import hides a
cycle, it does not remove it). Imports under ``if TYPE_CHECKING:`` never run
and are left out. Importing ``a.b.c`` also runs the packages ``a`` and
``a.b``, so an import counts as an edge to those too, except to the
importer's own packages (they are already running).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import jiragw.sandbox

PACKAGE = "jiragw.sandbox"
ROOT = Path(jiragw.sandbox.__file__).parent


def _modules() -> dict[str, Path]:
    """Every module of the sandbox by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(nodes: Iterable[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, wherever it is (``if TYPE_CHECKING:`` bodies skipped)."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _runtime_imports(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _runtime_imports(ast.iter_child_nodes(node))


def _imported(module: str, path: Path) -> set[str]:
    """The absolute names of the modules ``module`` imports (any package, not only the sandbox)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_imports([ast.parse(path.read_text(encoding="utf-8"))]):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        if node.level:
            base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*base_parts, *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        targets.add(base)
        # ``from package import module`` imports the module itself.
        targets.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return targets


def _with_packages(importer: str, target: str) -> set[str]:
    """``target`` and the packages importing it runs, less the importer's own packages."""
    parts = target.split(".")
    chain = {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    own = {".".join(importer.split(".")[:n]) for n in range(1, importer.count(".") + 1)}
    return chain - own - {importer}


IMPORTS = {module: _imported(module, path) for module, path in MODULES.items()}
GRAPH = {
    module: {
        edge
        for target in targets
        for edge in _with_packages(module, target)
        if edge in MODULES and edge != PACKAGE  # the package's public face sits above everything
    }
    for module, targets in IMPORTS.items()
}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_graph_is_read() -> None:
    """The graph holds what the sandbox is known to import (a guard against an empty, vacuous graph)."""
    assert len(MODULES) > 60
    assert "jiragw.sandbox.routes.users" in GRAPH["jiragw.sandbox.routing"]
    assert "jiragw.sandbox.http.errors" in GRAPH["jiragw.sandbox.http.auth"]
    # ``from ..jql import compile_jql`` reaches the jql package and, through it, its compiler.
    assert "jiragw.sandbox.jql" in GRAPH["jiragw.sandbox.routes.search"]
    assert "jiragw.sandbox.jql.compiler" in GRAPH["jiragw.sandbox.jql"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_inside_the_sandbox() -> None:
    cycle = _find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_error_answers_are_leaves() -> None:
    """Every layer raises Jira's errors and every OAuth server its own: both are leaf modules."""
    assert GRAPH["jiragw.sandbox.http.errors"] == set()
    assert GRAPH["jiragw.sandbox.oauth.errors"] == set()


def test_the_route_table_sits_above_the_routes() -> None:
    """Only the app imports the route table; no route module or plumbing reaches up to it."""
    importers = {module for module, edges in GRAPH.items() if "jiragw.sandbox.routing" in edges}
    assert importers == {"jiragw.sandbox.app"}


def test_the_sandbox_shares_only_errors_with_the_client_side() -> None:
    """Client and emulator are two implementations of one protocol: they share ``jiragw.errors`` only."""
    outside = {
        target
        for targets in IMPORTS.values()
        for target in targets
        if target.split(".")[0] == "jiragw" and not target.startswith(PACKAGE)
    }
    assert outside == {"jiragw.errors"}


def test_the_seed_data_needs_only_the_state() -> None:
    """Seeding fills instances from the data model and its defaults, never through the HTTP layers."""
    seeding = {module for module in GRAPH if module.startswith("jiragw.sandbox.seeding")}
    reached = {edge for module in seeding for edge in GRAPH[module]}
    assert reached - seeding, "the graph holds seeding's imports"
    assert {edge for edge in reached - seeding if not edge.startswith("jiragw.sandbox.state")} == set()
