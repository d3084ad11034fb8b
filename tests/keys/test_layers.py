"""The keys layer sits between the store and the doors: its imports, and the doors', point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import jiragw
from jiragw import keys

SRC = Path(jiragw.__file__).parent
# What jiragw.keys may build on: the layers below it.
KEYS_MAY_IMPORT = ("errors", "secrets", "config", "scopes", "vault", "store", "keys")


def _imports(path: Path) -> set[str]:
    """Every ``jiragw...`` module a file imports, wherever the import stands (relative ones resolved)."""
    package = ".".join(("jiragw", *path.relative_to(SRC).parent.parts))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "jiragw" or name.startswith("jiragw.")}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _sources(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize("path", _sources("keys"), ids=lambda p: p.name)
def test_the_keys_layer_imports_only_the_layers_below_it(path: Path) -> None:
    above = sorted(m for m in _imports(path) if _layer(m) not in KEYS_MAY_IMPORT and m != "jiragw")
    assert above == [], f"{path.relative_to(SRC)} imports from a layer above keys/"


@pytest.mark.parametrize("path", _sources("mcp"), ids=lambda p: str(p.relative_to(SRC)))
def test_mcp_does_not_import_the_gateway(path: Path) -> None:
    gateway = sorted(m for m in _imports(path) if _layer(m) == "gateway")
    assert gateway == [], f"{path.relative_to(SRC)} imports the gateway"


@pytest.mark.parametrize("door", ["gateway", "mcp", "cli"])
def test_doors_use_the_public_face_of_keys(door: str) -> None:
    private = sorted(
        f"{path.relative_to(SRC)}: {m}"
        for path in _sources(door)
        for m in _imports(path)
        if m.startswith("jiragw.keys.") and m.count(".") == 2 and m.split(".")[2] not in keys.__all__
    )
    assert private == []
