#!/usr/bin/env python3
"""Generate ``src/jiragw/scope_table.json``: the operation -> OAuth 2.0 scope table.

Reads Atlassian's OpenAPI specs (../shared/jira-openapi by default): the
platform spec (``/rest/api/3``) and the software spec (``/rest/agile``,
builds, deployments, ...). Writes one row per operation::

    [METHOD, path template, operationId, [classic scopes], [granular scopes]]

sorted by path then method, with no descriptions, so the committed file is
small and regenerating it is deterministic.

Where the specs say which scopes an operation needs:

- ``security``: entries ``{"OAuth2": [...]}`` (the platform spec lists the
  classic scopes there; the software spec lists granular ones).
- ``x-atlassian-oauth2-scopes``: entries ``{"scheme", "scopes", "state"}``;
  ``state: "Current"`` marks the classic set, ``"Beta"`` the granular set.

Classic scopes are two-part (``read:jira-work``), granular three-part
(``read:issue:jira``); scopes from ``security`` are sorted by that shape, so
both specs read the same way.

Usage: ``python scripts/gen_scope_table.py [--spec-dir DIR] [--out FILE] [--check]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC_DIR = ROOT.parent / "shared" / "jira-openapi"
DEFAULT_OUT = ROOT / "src" / "jiragw" / "scope_table.json"
SPEC_FILES = ("jira-platform-swagger-v3.v3.json", "jira-software-swagger.v3.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

Row = tuple[str, str, str, list[str], list[str]]


def is_granular(scope: str) -> bool:
    """Granular scopes have three parts (``read:issue:jira``), classic ones two."""
    return scope.count(":") >= 2


def operation_row(method: str, path: str, op: dict[str, Any]) -> Row:
    classic: set[str] = set()
    granular: set[str] = set()
    for entry in op.get("security") or []:
        for scope in entry.get("OAuth2", []):
            (granular if is_granular(scope) else classic).add(scope)
    for entry in op.get("x-atlassian-oauth2-scopes") or []:
        if entry.get("scheme") != "OAuth2":
            continue
        target = classic if entry.get("state") == "Current" else granular
        target.update(entry.get("scopes", []))
    return (method.upper(), path, op["operationId"], sorted(classic), sorted(granular))


def build_rows(spec_dir: Path) -> list[Row]:
    rows: list[Row] = []
    for name in SPEC_FILES:
        spec = json.loads((spec_dir / name).read_text(encoding="utf-8"))
        for path, item in spec["paths"].items():
            for method in METHODS:
                if method in item:
                    rows.append(operation_row(method, path, item[method]))
    rows.sort(key=lambda r: (r[1], METHODS.index(r[0].lower())))
    return rows


def render(rows: list[Row]) -> str:
    """One row per line: diffs of a regenerated table stay readable."""
    lines = [json.dumps(list(row), separators=(",", ":")) for row in rows]
    return '{"version":1,"operations":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec-dir", type=Path, default=DEFAULT_SPEC_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if --out differs instead of writing")
    args = parser.parse_args(argv)
    text = render(build_rows(args.spec_dir))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale; run scripts/gen_scope_table.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({text.count(chr(10)) - 2} operations)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
