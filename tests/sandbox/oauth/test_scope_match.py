"""The sandbox-side scope matcher, fed by a table of cases (scope_cases.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jiragw.sandbox.oauth.scope_match import all_granular_scopes, requirement, scopes_allow

CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "scope_cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_scope_cases(case: dict[str, Any]) -> None:
    req = requirement(case["method"], case["path"])
    assert scopes_allow(req, frozenset(case["granted"])) is case["allowed"]


def test_operation_ids_and_granular_universe() -> None:
    get_issue = requirement("GET", "/rest/api/3/issue/X-1")
    assert get_issue is not None
    assert get_issue.operation_id == "getIssue"
    assert requirement("GET", "/rest/api/3/issue/createmeta") != get_issue
    assert "read:issue:jira" in all_granular_scopes()
    # The full granular set of an operation allows it on its own.
    assert scopes_allow(get_issue, get_issue.granular)
