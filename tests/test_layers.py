"""The layer diagram of docs/architecture.md holds: import-linter checks pyproject's contracts.

The contracts (``[tool.importlinter]`` in pyproject.toml) list the layers from the doors down to
``errors``; a module may import only from layers below its own, and the sandbox only ``errors``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: install the test extra (pip install -e '.[test]')")
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_layer_imports_only_the_layers_below_it() -> None:
    done = _lint(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_the_check_sees_a_reversed_layer(tmp_path: Path) -> None:
    # The same tool on a contract the tree breaks on purpose (the CLI imports errors), so a green
    # run above means the graph was read, not that nothing was checked.
    config = tmp_path / "reversed.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "jiragw"\n\n'
        '[[tool.importlinter.contracts]]\nname = "reversed"\ntype = "layers"\n'
        'containers = ["jiragw"]\nlayers = ["errors", "cli"]\n',
        encoding="utf-8",
    )
    done = _lint(config)
    assert done.returncode != 0
    assert "jiragw.cli" in done.stdout
    assert "jiragw.errors" in done.stdout
