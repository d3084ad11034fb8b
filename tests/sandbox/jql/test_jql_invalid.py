"""Hostile and invalid queries (tests/sandbox/jql/invalid_queries.json): Jira's exact error, 400.

Entries with a ``message`` must fail with exactly that message; entries with
``null`` must fail with some :class:`JqlError`. A hypothesis test then feeds
random text and random token soup: compiling may succeed or raise JqlError,
never anything else.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiragw.sandbox.http.errors import JiraHttpError
from jiragw.sandbox.jql import JqlError, compile_jql
from jiragw.sandbox.state.model import Instance

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "invalid_queries.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[repr(c["jql"])[:60] for c in CASES])
def test_invalid_query(inst: Instance, case: dict[str, Any]) -> None:
    with pytest.raises(JqlError) as info:
        compile_jql(inst, case["jql"], user=inst.find_user("alice"), now=NOW)
    err = info.value
    assert isinstance(err, JiraHttpError)
    assert err.http_status == 400
    assert err.body()["errors"] == {}
    assert err.error_messages
    if case["message"] is not None:
        assert err.error_messages == [case["message"]]


def test_all_validation_errors_reported_together(inst: Instance) -> None:
    with pytest.raises(JqlError) as info:
        compile_jql(inst, "a = b AND c = d AND project = NOPE", user=None, now=NOW)
    assert info.value.error_messages == [
        "Field 'a' does not exist or you do not have permission to view it.",
        "Field 'c' does not exist or you do not have permission to view it.",
        "The value 'NOPE' does not exist for the field 'project'.",
    ]


def test_deep_nesting_is_an_error_not_a_crash(inst: Instance) -> None:
    with pytest.raises(JqlError):
        compile_jql(inst, "(" * 5000 + "project = PRJ" + ")" * 5000, user=None, now=NOW)
    with pytest.raises(JqlError):
        compile_jql(inst, "NOT " * 5000 + "project = PRJ", user=None, now=NOW)


_TOKENS = st.sampled_from(
    [
        "project",
        "status",
        "assignee",
        "created",
        "summary",
        "text",
        "labels",
        "key",
        "cf[10016]",
        '"Story Points"',
        "filter",
        "=",
        "!=",
        "<",
        ">=",
        "~",
        "!~",
        "in",
        "not",
        "is",
        "empty",
        "null",
        "and",
        "or",
        "&&",
        "||",
        "!",
        "(",
        ")",
        ",",
        "order",
        "by",
        "asc",
        "desc",
        "PRJ",
        "PRJ-1",
        "-1d",
        '"2024-01-31"',
        "currentUser()",
        "startOfDay(-1)",
        "now()",
        "'x y'",
        "*",
        "@",
        ".",
        "\\",
        '"',
        "'",
        "700",
        "Done",
        "\n",
        "foo(",
        "EMPTY",
        "was",
        "cf[",
        "\\u00",
        "🙂",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_TOKENS, max_size=14).map(" ".join))
def test_token_soup_only_raises_jql_error(inst: Instance, jql: str) -> None:
    try:
        q = compile_jql(inst, jql, user=inst.find_user("alice"), now=NOW)
    except JqlError as exc:
        messages = exc.error_messages
    else:
        q.search(inst.issues.values())
        return
    assert messages


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_random_text_only_raises_jql_error(inst: Instance, jql: str) -> None:
    try:
        q = compile_jql(inst, jql, user=None, now=NOW)
    except JqlError:
        return
    q.search(inst.issues.values())
