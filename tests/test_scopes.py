"""The scope table: regenerating it reproduces the committed file; paths match their templates."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from jiragw.scopes import Operation, ScopeTable, load_scope_table
from tests.conftest import SPEC_DIR, need_shared

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((Path(__file__).with_name("test_scopes_matches.json")).read_text())["cases"]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_scope_table", ROOT / "scripts" / "gen_scope_table.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.spec
def test_generator_reproduces_committed_table() -> None:
    spec_dir = need_shared(SPEC_DIR)
    gen = _generator()
    committed = (ROOT / "src" / "jiragw" / "scope_table.json").read_text(encoding="utf-8")
    assert gen.render(gen.build_rows(spec_dir)) == committed


@pytest.mark.spec
def test_table_covers_every_spec_operation() -> None:
    spec_dir = need_shared(SPEC_DIR)
    spec = json.loads((spec_dir / "jira-platform-swagger-v3.v3.json").read_text())
    ids = {
        op["operationId"] for item in spec["paths"].values() for op in item.values() if "operationId" in op
    }
    table = load_scope_table()
    assert ids <= {op.operation_id for op in table.operations}


def test_table_is_sorted_and_unique() -> None:
    table = load_scope_table()
    keys = [(op.path, op.method) for op in table.operations]
    assert len(set(keys)) == len(keys)
    assert [p for p, _ in keys] == sorted(p for p, _ in keys)


def test_classic_and_granular_scopes_are_told_apart() -> None:
    op = load_scope_table().match("GET", "/rest/api/3/issue/PRJ-1")
    assert op is not None
    assert op.classic_scopes == {"read:jira-work"}
    assert "read:issue:jira" in op.granular_scopes
    assert all(s.count(":") == 1 for s in op.classic_scopes)
    assert all(s.count(":") == 2 for s in op.granular_scopes)


def test_software_scopes_from_security_are_granular() -> None:
    op = load_scope_table().match("GET", "/rest/agile/1.0/sprint/5")
    assert op is not None
    assert op.operation_id == "getSprint"
    assert op.classic_scopes == frozenset()
    assert op.granular_scopes == {"read:sprint:jira-software"}


def test_write_operations_need_write_scopes() -> None:
    table = load_scope_table()
    create = table.match("POST", "/rest/api/3/issue")
    assert create is not None
    assert create.classic_scopes == {"write:jira-work"}
    myself = table.match("GET", "/rest/api/2/myself")
    assert myself is not None
    assert myself.classic_scopes == {"read:jira-user"}


@pytest.mark.parametrize(("method", "path", "expected"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_match(method: str, path: str, expected: str | None) -> None:
    op = load_scope_table().match(method, path)
    assert (op.operation_id if op else None) == expected


def test_literal_beats_parameter_regardless_of_order() -> None:
    def op(path: str, oid: str) -> Operation:
        return Operation("GET", path, oid, frozenset(), frozenset())

    # Declared parameter-first: the literal template must still win.
    table = ScopeTable([op("/a/{x}/c", "param"), op("/a/b/c", "literal"), op("/a/b/{y}", "later")])
    assert (m := table.match("GET", "/a/b/c")) is not None
    assert m.operation_id == "literal"
    assert (m := table.match("GET", "/a/b/d")) is not None
    assert m.operation_id == "later"
    assert (m := table.match("GET", "/a/z/c")) is not None
    assert m.operation_id == "param"
    assert table.match("GET", "/a/z/d") is None


def test_by_operation_id_lists_reused_ids() -> None:
    ops = load_scope_table().by_operation_id("getIssue")
    assert {o.path for o in ops} == {
        "/rest/api/3/issue/{issueIdOrKey}",
        "/rest/agile/1.0/issue/{issueIdOrKey}",
    }
    assert load_scope_table().by_operation_id("noSuchOperation") == []


def test_allows_needs_one_full_set() -> None:
    op = load_scope_table().match("GET", "/rest/api/3/issue/PRJ-1")
    assert op is not None
    assert op.allows({"read:jira-work"})
    assert op.allows(set(op.granular_scopes))
    assert not op.allows({"read:issue:jira"})  # part of the granular set only
    assert not op.allows({"write:jira-work"})
    assert not op.allows(set())
    connect_only = load_scope_table().match("POST", "/builds/0.1/bulk")
    assert connect_only is not None
    assert not connect_only.allows({"read:jira-work", "write:jira-work"})


def test_every_emulated_operation_maps_to_itself() -> None:
    """The gateway can scope-check every operation the sandbox serves (same template, same id)."""
    from jiragw.sandbox.routing import ENDPOINTS

    table = load_scope_table()
    wrong = []
    for ep in ENDPOINTS:
        concrete = re.sub(r"\{[^}]+\}", "x", ep.path.replace("{version}", "3"))
        found = table.match(ep.method, concrete)
        if found is None or found.operation_id != ep.operation:
            wrong.append(f"{ep.method} {ep.path} ({ep.operation}) -> {found.operation_id if found else None}")
    assert ENDPOINTS
    assert not wrong, "\n".join(wrong)
