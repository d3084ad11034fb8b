"""The conformance harness itself: it must reject what the spec forbids and accept what Jira sends."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conformance.oas import Allowance, Spec, format_checker, load_allowances, load_spec
from tests.conftest import SPEC_DIR, need_shared

pytestmark = pytest.mark.spec

SERVER_INFO: dict[str, Any] = {
    "baseUrl": "https://acme.atlassian.net",
    "version": "1001.0.0-SNAPSHOT",
    "versionNumbers": [1001, 0, 0],
    "deploymentType": "Cloud",
    "buildNumber": 100290,
    "buildDate": "2025-12-01T00:00:00.000+0000",
    "serverTime": "2026-01-31T09:15:00.000+0000",
    "scmInfo": "0c7e1c5b2d",
    "serverTitle": "Jira",
}


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(need_shared(SPEC_DIR / "jira-platform-swagger-v3.v3.json"))


def test_valid_body_passes(spec: Spec) -> None:
    assert spec.problems("getServerInfo", 200, SERVER_INFO) == []


def test_unknown_property_is_rejected_where_additional_properties_is_false(spec: Spec) -> None:
    problems = spec.problems("getServerInfo", 200, {**SERVER_INFO, "bogus": 1})
    assert [p.path for p in problems] == ["$"]
    assert "bogus" in problems[0].message


def test_wrong_type_is_located(spec: Spec) -> None:
    problems = spec.problems("getServerInfo", 200, {**SERVER_INFO, "versionNumbers": ["9"]})
    assert [p.path for p in problems] == ["$.versionNumbers[0]"]


def test_refs_resolve_into_components(spec: Spec) -> None:
    # getCurrentUser's schema is a $ref to User, whose avatarUrls is a $ref to AvatarUrlsBean.
    user = {"accountId": "5b10ac8d82e05b22cc7d4ef5", "avatarUrls": {"48x48": "not a uri"}}
    problems = spec.problems("getCurrentUser", 200, user)
    assert [p.path for p in problems] == ["$.avatarUrls['48x48']"]


def test_read_only_properties_are_allowed_in_responses(spec: Spec) -> None:
    # User.accountType, active and displayName are readOnly.
    user = {"accountId": "x", "accountType": "atlassian", "active": True, "displayName": "X"}
    assert spec.problems("getCurrentUser", 200, user) == []


def test_null_is_rejected_unless_nullable(spec: Spec) -> None:
    problems = spec.problems("getServerInfo", 200, {**SERVER_INFO, "serverTitle": None})
    assert problems
    assert {p.path for p in problems} == {"$.serverTitle"}


@pytest.mark.parametrize(
    ("fmt", "value", "ok"),
    [
        ("date-time", "2024-01-31T09:15:00.000+0000", True),  # Jira's own format
        ("date-time", "2024-01-31T09:15:00Z", True),
        ("date-time", "2024-01-31 09:15", False),
        ("date", "2024-01-31", True),
        ("date", "31/01/2024", False),
        ("uri", "https://acme.atlassian.net/rest/api/3/issue/1", True),
        ("uri", "/rest/api/3/issue/1", False),
        ("int32", 2**31, False),
        ("int64", 10001, True),
        ("uuid", "11223344-5566-7788-99aa-bbccddeeff00", True),
        ("uuid", "nope", False),
    ],
)
def test_formats(fmt: str, value: object, ok: bool) -> None:
    assert format_checker().conforms(value, fmt) is ok


def test_operation_facts(spec: Spec) -> None:
    assert spec.operation("createIssue").success_statuses == {201}
    assert spec.operation("deleteIssue").success_statuses == {204}
    assert spec.operation("getIssue").path == "/rest/api/3/issue/{issueIdOrKey}"
    with pytest.raises(KeyError, match="noSuchOperation"):
        spec.operation("noSuchOperation")


def test_allowance_drops_only_what_it_names(spec: Spec) -> None:
    body = {**SERVER_INFO, "bogus": 1, "serverTitle": None}
    allowance = Allowance(
        ("getServerInfo",), ("dc-v2",), re.compile(r"\$"), re.compile("'bogus' was unexpected"), "test"
    )
    on_dc = spec.errors("getServerInfo", 200, body, "dc-v2", [allowance])
    assert {p.path for p in on_dc} == {"$.serverTitle"}
    on_cloud = spec.errors("getServerInfo", 200, body, "cloud-v3", [allowance])
    assert {p.path for p in on_cloud} == {"$", "$.serverTitle"}


def test_committed_allowances_are_explained() -> None:
    for allowance in load_allowances():
        assert len(allowance.reason) > 20, allowance
        assert allowance.operations
        assert allowance.targets
        # An allowance that matches every message of every path would loosen the validator globally.
        assert not (allowance.path.pattern in (".*", "") and allowance.message.pattern in (".*", ""))
