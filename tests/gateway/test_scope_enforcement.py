"""Least privilege through the proxy: the key's ceiling decides before any upstream call (issue 5)."""

from __future__ import annotations

import pytest

from jiragw.keys import preset_scopes
from jiragw.scopes import load_scope_table
from tests.gateway.conftest import Env

VERSIONS = ("2", "3", "latest")
# (method, path under /rest/api/{v}, operationId the denial must name)
WRITES = [
    ("POST", "/issue", "createIssue"),
    ("PUT", "/issue/PRJ-1", "editIssue"),
    ("POST", "/issue/PRJ-1/transitions", "doTransition"),
    ("POST", "/issue/PRJ-1/comment", "addComment"),
    ("PUT", "/issue/PRJ-1/comment/10000", "updateComment"),
    ("DELETE", "/issue/PRJ-1/comment/10000", "deleteComment"),
    ("DELETE", "/issue/PRJ-1", "deleteIssue"),
    ("POST", "/issue/PRJ-1/worklog", "addWorklog"),
    ("POST", "/issueLink", "linkIssues"),
    ("POST", "/project", "createProject"),
]


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("connection", ["acme", "corp"])
async def test_a_read_only_key_cannot_write_through_any_path(env: Env, connection: str) -> None:
    await (env.connect_cloud() if connection == "acme" else env.connect_dc())
    secret, _ = env.key(preset="read-only")
    before = env.upstream_calls()
    for version in VERSIONS:
        for method, path, operation in WRITES:
            url = f"/jira/{connection}/rest/api/{version}{path}"
            response = await env.client.request(method, url, headers=_auth(secret), json={"fields": {}})
            assert response.status_code == 403, (method, url)
            body = response.json()
            assert body["jiragw"]["code"] == "read_only", (method, url)
            assert body["jiragw"]["details"]["operation"] == operation
            assert operation in body["errorMessages"][0]
    assert env.upstream_calls() == before


async def test_a_read_only_key_can_read_and_search_with_post(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key(preset="read-only")
    before = env.upstream_calls()
    search = await env.client.post(
        "/jira/acme/rest/api/3/search/jql",
        headers=_auth(secret),
        json={"jql": "project = PRJ", "maxResults": 5, "fields": ["summary"]},
    )
    assert search.status_code == 200, search.text
    assert search.json()["issues"]
    issue = await env.client.get(
        f"/jira/acme/rest/api/2/issue/{search.json()['issues'][0]['key']}", headers=_auth(secret)
    )
    assert issue.status_code == 200
    assert env.upstream_calls() == before + 2


@pytest.mark.parametrize(("connection", "version"), [("acme", "3"), ("corp", "2")])
async def test_read_write_work_creates_issues_but_not_projects(
    env: Env, connection: str, version: str
) -> None:
    await (env.connect_cloud() if connection == "acme" else env.connect_dc())
    secret, record = env.key(preset="read-write-work")
    assert record.scopes == preset_scopes("read-write-work")[0]
    fields = {"project": {"key": "PRJ"}, "summary": "Allowed", "issuetype": {"name": "Task"}}
    created = await env.client.post(
        f"/jira/{connection}/rest/api/{version}/issue", headers=_auth(secret), json={"fields": fields}
    )
    assert created.status_code == 201, created.text
    assert created.json()["key"].startswith("PRJ-")

    before = env.upstream_calls()
    project = await env.client.post(
        f"/jira/{connection}/rest/api/{version}/project",
        headers=_auth(secret),
        json={"key": "NEW", "name": "New", "projectTypeKey": "software", "leadAccountId": "x"},
    )
    assert project.status_code == 403
    denial = project.json()["jiragw"]
    assert denial["code"] == "scope_denied"
    op = load_scope_table().match("POST", "/rest/api/3/project")
    assert op is not None
    assert denial["details"]["operation"] == op.operation_id
    missing = denial["details"]["missing_scopes"]
    assert missing
    assert set(missing) <= op.classic_scopes | op.granular_scopes
    assert not set(missing) <= record.scopes
    assert all(scope in project.json()["errorMessages"][0] for scope in missing)
    assert env.upstream_calls() == before


async def test_unknown_operations_need_a_full_key(env: Env) -> None:
    await env.connect_dc()
    restricted, _ = env.key(preset="read-write-work")
    full, _ = env.key(preset="full")
    path = "/jira/corp/rest/api/2/no-such-resource/42"
    assert load_scope_table().match("GET", "/rest/api/2/no-such-resource/42") is None

    before = env.upstream_calls()
    refused = await env.client.get(path, headers=_auth(restricted))
    assert refused.status_code == 403
    assert refused.json()["jiragw"]["code"] == "operation_unknown"
    assert env.upstream_calls() == before

    passed = await env.client.get(path, headers=_auth(full))
    assert passed.status_code == 404  # Jira's own answer: the call went through
    assert env.upstream_calls() == before + 1
