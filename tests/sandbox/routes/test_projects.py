"""Projects: list, search, recent, get, create, update (re-keying), delete, statuses, roles, issue types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.state.model import Instance

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
CLOUD2 = "/sites/acme/rest/api/2"
DC = "/dc/corp/rest/api/2"
ADMIN_ONLY = ["You must have global administrator rights in order to modify projects."]


def _inst(sandbox: Sandbox, where: str) -> Instance:
    return sandbox.sites.get(where) or sandbox.dcs[where]


def _first(sandbox: Sandbox, where: str = "acme") -> Any:
    inst = _inst(sandbox, where)
    return inst.projects[min(inst.projects)]


@pytest.mark.parametrize(("where", "base"), [("acme", CLOUD), ("corp", DC)])
async def test_list_projects_sorted_by_name(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str, base: str
) -> None:
    r = await client.get(f"{base}/project", headers=as_user(where, "alice"))
    assert r.status_code == 200
    listed = r.json()
    inst = _inst(sandbox, where)
    assert [p["key"] for p in listed] == [
        p.key for p in sorted(inst.projects.values(), key=lambda p: p.name.lower())
    ]
    assert all(isinstance(p["id"], str) for p in listed)
    assert "lead" not in listed[0]
    expanded = await client.get(f"{base}/project", params={"expand": "lead"}, headers=as_user(where, "alice"))
    lead = expanded.json()[0]["lead"]
    assert ("accountId" in lead) is (where == "acme")
    assert ("name" in lead) is (where == "corp")
    recent = await client.get(f"{base}/project", params={"recent": 1}, headers=as_user(where, "alice"))
    assert len(recent.json()) == 1


async def test_outsider_sees_no_projects(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    r = await client.get(f"{CLOUD}/project", headers=as_user("acme", "outsider"))
    assert r.json() == []
    key = _first(sandbox).key
    r = await client.get(f"{CLOUD}/project/{key}", headers=as_user("acme", "outsider"))
    assert r.status_code == 404
    assert r.json() == {"errorMessages": [f"No project could be found with key '{key}'."], "errors": {}}


@pytest.mark.parametrize(("where", "base"), [("acme", CLOUD), ("corp", DC)])
async def test_get_project_by_key_and_id(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str, base: str
) -> None:
    project = _first(sandbox, where)
    headers = as_user(where, "bob")
    by_key = (await client.get(f"{base}/project/{project.key.lower()}", headers=headers)).json()
    by_id = (await client.get(f"{base}/project/{project.id}", headers=headers)).json()
    assert by_key == by_id
    assert by_key["id"] == str(project.id)
    assert by_key["key"] == project.key
    assert by_key["self"].endswith(f"/rest/api/{base[-1]}/project/{project.id}")
    assert [t["name"] for t in by_key["issueTypes"]] == ["Task", "Bug", "Story", "Epic", "Subtask"]
    assert by_key["roles"]["Administrators"].endswith(f"/project/{project.id}/role/10002")
    assert by_key["assigneeType"] == project.assignee_type
    assert len(by_key["components"]) == len(project.component_ids)
    assert len(by_key["versions"]) == len(project.version_ids)
    assert set(by_key["avatarUrls"]) == {"48x48", "24x24", "16x16", "32x32"}
    assert ("accountId" in by_key["lead"]) is (where == "acme")
    assert ("simplified" in by_key) is (where == "acme")
    missing = await client.get(f"{base}/project/99999", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["No project could be found with id '99999'."]


async def test_search_projects_pages_filters_and_orders(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    headers = as_user("acme", "alice")
    keys = sorted(p.key for p in sandbox.sites["acme"].projects.values())
    page = (await client.get(f"{CLOUD}/project/search", params={"maxResults": 2}, headers=headers)).json()
    assert [p["key"] for p in page["values"]] == keys[:2]
    assert page["total"] == len(keys)
    assert page["isLast"] is False
    assert "startAt=2" in page["nextPage"]
    desc = (await client.get(f"{CLOUD}/project/search", params={"orderBy": "-key"}, headers=headers)).json()
    assert [p["key"] for p in desc["values"]] == keys[::-1]
    one = await client.get(
        f"{CLOUD}/project/search",
        params={"keys": keys[1].lower(), "expand": "lead,description,insight"},
        headers=headers,
    )
    (found,) = one.json()["values"]
    assert found["key"] == keys[1]
    assert "displayName" in found["lead"]
    assert found["insight"]["totalIssueCount"] == sum(
        1 for i in sandbox.sites["acme"].issues.values() if i.key.startswith(keys[1] + "-")
    )
    project = _first(sandbox)
    by_name = await client.get(
        f"{CLOUD}/project/search", params={"query": project.name[1:4].upper()}, headers=headers
    )
    assert project.key in [p["key"] for p in by_name.json()["values"]]
    assert (
        await client.get(f"{CLOUD}/project/search", params={"orderBy": "x"}, headers=headers)
    ).status_code == 400
    archived = await client.get(f"{CLOUD}/project/search", params={"status": "archived"}, headers=headers)
    assert archived.json()["total"] == 0
    # Editing projects needs administrators; alice is none.
    edit = await client.get(f"{CLOUD}/project/search", params={"action": "edit"}, headers=headers)
    assert edit.json()["total"] == 0
    assert (await client.get(f"{DC}/project/search", headers=as_user("corp", "alice"))).status_code == 404


async def test_recent_and_roles(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    headers = as_user("corp", "bob")
    recent = (await client.get(f"{DC}/project/recent", headers=headers)).json()
    assert {p["key"] for p in recent} == {p.key for p in sandbox.dcs["corp"].projects.values()}
    project = _first(sandbox, "corp")
    roles = (await client.get(f"{DC}/project/{project.key}/role", headers=headers)).json()
    assert set(roles) == {"Administrators", "Developers", "Users"}


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], base: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{base}/project", json=body, headers=headers)


async def test_create_project_cloud_and_dc(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    acme = sandbox.sites["acme"]
    lead = acme.find_user("carol")
    assert lead is not None
    r = await _create(
        client,
        as_user("acme", "admin"),
        CLOUD,
        key="NEW1",
        name="New One",
        projectTypeKey="business",
        leadAccountId=lead.account_id,
        description="Fresh",
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["key"] == "NEW1"
    assert isinstance(made["id"], int)
    assert made["self"].endswith(f"/rest/api/3/project/{made['id']}")
    got = (await client.get(f"{CLOUD}/project/NEW1", headers=as_user("acme", "bob"))).json()
    assert got["lead"]["accountId"] == lead.account_id
    assert got["projectTypeKey"] == "business"
    assert got["description"] == "Fresh"
    r = await _create(
        client,
        as_user("corp", "admin"),
        DC,
        key="NEW1",
        name="New One",
        lead="carol",
        projectTemplateKey="com.atlassian.servicedesk:simplified-it-service-desk",
    )
    assert r.status_code == 201, r.text
    project = sandbox.dcs["corp"].find_project("NEW1")
    assert project is not None
    assert project.project_type_key == "service_desk"


async def test_create_project_needs_admin(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = sandbox.sites["acme"].find_user("alice")
    assert alice is not None
    r = await _create(
        client, as_user("acme", "alice"), CLOUD, key="NOPE", name="Nope", leadAccountId=alice.account_id
    )
    assert r.status_code == 403
    assert r.json() == {"errorMessages": ADMIN_ONLY, "errors": {}}
    assert sandbox.sites["acme"].find_project("NOPE") is None


_BAD_KEY = (
    "Project keys must start with an uppercase letter, followed by one or more uppercase alphanumeric "
    "characters."
)
# (request body beyond the lead, field in error, Jira's message)
_INVALID: list[tuple[dict[str, Any], str, str]] = [
    ({"key": "lower", "name": "Lower"}, "projectKey", _BAD_KEY),
    ({"key": "1AB", "name": "Digit"}, "projectKey", _BAD_KEY),
    (
        {"key": "ABCDEFGHIJK", "name": "Long"},
        "projectKey",
        "The project key must not exceed 10 characters in length.",
    ),
    (
        {"key": "CON", "name": "Device"},
        "projectKey",
        "This keyword is invalid as it is a reserved word on this operating system.",
    ),
    ({"key": "ZZ", "name": ""}, "projectName", "You must specify a valid project name."),
    (
        {"key": "ZZ", "name": "Z" * 81},
        "projectName",
        "The project name must not exceed 80 characters in length.",
    ),
    (
        {"key": "ZZ", "name": "Ok", "projectTypeKey": "rocket"},
        "projectTypeKey",
        "The project type 'rocket' is invalid.",
    ),
]


@pytest.mark.parametrize(("body", "field", "message"), _INVALID)
async def test_create_project_validation(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, body: dict[str, Any], field: str, message: str
) -> None:
    admin = sandbox.sites["acme"].find_user("admin")
    assert admin is not None
    r = await _create(client, as_user("acme", "admin"), CLOUD, leadAccountId=admin.account_id, **body)
    assert r.status_code == 400
    assert r.json() == {"errorMessages": [], "errors": {field: message}}


async def test_create_project_duplicates_and_lead(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    existing = _first(sandbox)
    admin = as_user("acme", "admin")
    r = await _create(client, admin, CLOUD, key=existing.key, name=existing.name.upper())
    assert r.json()["errors"] == {
        "projectKey": f"Project '{existing.name}' uses this project key.",
        "projectName": "A project with that name already exists.",
        "projectLead": "You must specify a valid project lead.",
    }
    # Cloud names the lead by account id; a username is not one.
    r = await _create(client, admin, CLOUD, key="QQ", name="Quux", leadAccountId="carol")
    assert r.json()["errors"] == {
        "projectLead": "The user you have specified as project lead does not exist."
    }
    r = await _create(client, as_user("corp", "admin"), DC, key="QQ", name="Quux", lead="nobody")
    assert r.json()["errors"] == {
        "projectLead": "The user you have specified as project lead does not exist."
    }


async def test_update_project_renames_key_and_issues(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    inst = sandbox.sites["acme"]
    project = _first(sandbox)
    old_key = project.key
    issue = inst.find_issue(f"{old_key}-1")
    assert issue is not None
    r = await client.put(
        f"{CLOUD2}/project/{old_key}",
        json={"key": "RENAMED", "name": "Renamed", "description": "New words"},
        headers=as_user("acme", "admin"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["key"], body["name"], body["description"]) == ("RENAMED", "Renamed", "New words")
    assert issue.key == "RENAMED-1"
    assert inst.find_issue(f"{old_key}-1") is issue  # old keys keep resolving
    assert inst.find_project(old_key) is project
    clash = await client.put(
        f"{CLOUD}/project/RENAMED", json={"name": "x" * 81}, headers=as_user("acme", "admin")
    )
    assert clash.status_code == 400
    assert project.name == "Renamed"
    denied = await client.put(
        f"{CLOUD}/project/RENAMED", json={"name": "Mine"}, headers=as_user("acme", "alice")
    )
    assert denied.status_code == 403
    assert denied.json()["errorMessages"] == ADMIN_ONLY


async def test_delete_project_removes_its_issues(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    inst = sandbox.dcs["corp"]
    project = _first(sandbox, "corp")
    assert any(i.project_id == project.id for i in inst.issues.values())
    denied = await client.delete(f"{DC}/project/{project.key}", headers=as_user("corp", "alice"))
    assert denied.status_code == 403
    r = await client.delete(f"{DC}/project/{project.key}", headers=as_user("corp", "admin"))
    assert r.status_code == 204
    assert inst.find_project(project.key) is None
    assert not any(i.project_id == project.id for i in inst.issues.values())
    gone = await client.get(f"{DC}/project/{project.key}", headers=as_user("corp", "admin"))
    assert gone.status_code == 404


async def test_project_statuses(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _first(sandbox)
    r = await client.get(f"{CLOUD}/project/{project.key}/statuses", headers=as_user("acme", "bob"))
    assert r.status_code == 200
    listed = r.json()
    assert [t["name"] for t in listed] == ["Task", "Bug", "Story", "Epic", "Subtask"]
    assert listed[4]["subtask"] is True
    assert [s["name"] for s in listed[0]["statuses"]] == ["To Do", "In Progress", "In Review", "Done"]
    assert listed[0]["statuses"][3]["statusCategory"]["key"] == "done"


async def test_issue_types_for_project(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _first(sandbox)
    headers = as_user("acme", "bob")
    url = f"{CLOUD}/issuetype/project"
    listed = (await client.get(url, params={"projectId": project.id}, headers=headers)).json()
    assert [t["id"] for t in listed] == project.issue_type_ids
    epics = (await client.get(url, params={"projectId": project.id, "level": 1}, headers=headers)).json()
    assert [t["name"] for t in epics] == ["Epic"]
    assert (await client.get(url, headers=headers)).status_code == 400
    missing = await client.get(url, params={"projectId": 1}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["No project could be found with id '1'."]
    assert (await client.get(f"{DC}/issuetype/project", headers=as_user("corp", "bob"))).status_code == 404


@pytest.mark.parametrize(("where", "base"), [("acme", CLOUD), ("corp", DC)])
async def test_a_project_avatar_is_a_png_for_a_signed_in_caller(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str, base: str
) -> None:
    project = _first(sandbox, where)
    got = await client.get(f"{base}/project/{project.key}", headers=as_user(where, "alice"))
    url = got.json()["avatarUrls"]["48x48"]
    r = await client.get(url, headers=as_user(where, "alice"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert (await client.get(url)).status_code == 401
    other_url = url.replace(f"avatarId={project.id}", "avatarId=1")
    other = await client.get(other_url, headers=as_user(where, "alice"))
    assert other.content != r.content  # one picture per project
