"""Components and versions: create, read, list (plain and paginated), update, delete with issue moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from jiragw.sandbox import Sandbox
from jiragw.sandbox.state.model import Issue, Project

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
DC = "/dc/corp/rest/api/2"


def _project(sandbox: Sandbox, where: str = "acme") -> Project:
    inst = sandbox.sites.get(where) or sandbox.dcs[where]
    return inst.projects[min(inst.projects)]


def _issues(sandbox: Sandbox, project: Project, where: str = "acme") -> list[Issue]:
    inst = sandbox.sites.get(where) or sandbox.dcs[where]
    return sorted((i for i in inst.issues.values() if i.project_id == project.id), key=lambda i: i.id)


async def _component(
    client: httpx.AsyncClient, headers: dict[str, str], base: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{base}/component", json=body, headers=headers)


async def test_component_lifecycle_cloud(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _project(sandbox)
    admin = as_user("acme", "admin")
    carol = sandbox.sites["acme"].find_user("carol")
    assert carol is not None
    r = await _component(
        client,
        admin,
        CLOUD,
        project=project.key,
        name="Engine",
        description="Vroom",
        leadAccountId=carol.account_id,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["name"] == "Engine"
    assert made["project"] == project.key
    assert made["projectId"] == project.id
    assert made["lead"]["accountId"] == carol.account_id
    assert "leadAccountId" not in made  # write-only in the spec
    assert made["self"].endswith(f"/rest/api/3/component/{made['id']}")
    got = (await client.get(f"{CLOUD}/component/{made['id']}", headers=as_user("acme", "bob"))).json()
    assert got == made
    listed = (await client.get(f"{CLOUD}/project/{project.key}/components", headers=admin)).json()
    assert made["id"] in [c["id"] for c in listed]
    dup = await _component(client, admin, CLOUD, project=project.key, name="engine")
    assert dup.status_code == 400
    assert dup.json()["errors"] == {
        "name": "A component with the name engine already exists in this project."
    }
    r = await client.put(
        f"{CLOUD}/component/{made['id']}", json={"name": "Motor", "leadAccountId": None}, headers=admin
    )
    assert r.status_code == 200
    assert r.json()["name"] == "Motor"
    assert "lead" not in r.json()
    assert r.json()["description"] == "Vroom"


async def test_component_permissions_and_errors(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    project = _project(sandbox, "corp")
    r = await _component(client, as_user("corp", "alice"), DC, project=project.key, name="Mine")
    assert r.status_code == 403
    assert r.json()["errorMessages"] == [
        "You must have global or project administrator rights in order to modify components."
    ]
    admin = as_user("corp", "admin")
    r = await _component(client, admin, DC, project="NOPE", name="X")
    assert r.status_code == 404
    assert r.json()["errorMessages"] == ["No project could be found with key 'NOPE'."]
    r = await _component(client, admin, DC, project=project.key, name="X", leadUserName="ghost")
    assert r.json()["errors"] == {"leadUserName": "The user ghost does not exist."}
    r = await _component(client, admin, DC, project=project.key, name="Lead", leadUserName="dave")
    assert r.json()["lead"]["name"] == "dave"
    assert "accountId" not in r.json()["lead"]
    missing = await client.get(f"{DC}/component/424242", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["The component with id 424242 does not exist."]


async def test_components_paginated_and_delete_moves_issues(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    project = _project(sandbox)
    admin = as_user("acme", "admin")
    a = (await _component(client, admin, CLOUD, project=project.key, name="Alpha zone")).json()
    b = (await _component(client, admin, CLOUD, project=project.key, name="Beta zone")).json()
    issue = _issues(sandbox, project)[0]
    issue.component_ids = [int(a["id"])]
    page = await client.get(
        f"{CLOUD}/project/{project.key}/component",
        params={"query": "ZONE", "orderBy": "-name"},
        headers=admin,
    )
    values = page.json()["values"]
    assert [c["name"] for c in values] == ["Beta zone", "Alpha zone"]
    assert values[1]["issueCount"] == 1
    counts = (await client.get(f"{CLOUD}/component/{a['id']}/relatedIssueCounts", headers=admin)).json()
    assert counts["issueCount"] == 1
    r = await client.delete(f"{CLOUD}/component/{a['id']}", params={"moveIssuesTo": b["id"]}, headers=admin)
    assert r.status_code == 204
    assert issue.component_ids == [int(b["id"])]
    assert int(a["id"]) not in project.component_ids
    assert (await client.get(f"{CLOUD}/component/{a['id']}", headers=admin)).status_code == 404


async def _version(
    client: httpx.AsyncClient, headers: dict[str, str], base: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{base}/version", json=body, headers=headers)


async def test_version_lifecycle(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _project(sandbox, "corp")
    admin = as_user("corp", "admin")
    r = await _version(
        client,
        admin,
        DC,
        name="77.0",
        project=project.key,
        description="First",
        startDate="2010-06-01",
        releaseDate="2010-07-06",
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["name"] == "77.0"
    assert made["projectId"] == project.id
    assert made["releaseDate"] == "2010-07-06"
    assert made["userReleaseDate"] == "6/Jul/10"
    assert made["overdue"] is True
    assert (made["released"], made["archived"]) == (False, False)
    got = (await client.get(f"{DC}/version/{made['id']}", headers=as_user("corp", "bob"))).json()
    assert got == made
    listed = (await client.get(f"{DC}/project/{project.key}/versions", headers=admin)).json()
    assert made["id"] in [v["id"] for v in listed]
    r = await client.put(
        f"{DC}/version/{made['id']}", json={"released": True, "name": "77.0.1"}, headers=admin
    )
    assert r.status_code == 200
    assert r.json()["released"] is True
    assert r.json()["name"] == "77.0.1"
    assert "overdue" not in r.json()


async def test_version_validation_and_permission(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    project = _project(sandbox)
    admin = as_user("acme", "admin")
    assert (await _version(client, admin, CLOUD, name="77.2", projectId=project.id)).status_code == 201
    dup = await _version(client, admin, CLOUD, name="77.2", projectId=project.id)
    assert dup.json()["errors"] == {"name": "A version with this name already exists in this project."}
    r = await _version(client, admin, CLOUD, name="77.3")
    assert r.json()["errors"] == {"project": "Project must be specified to create a version."}
    r = await _version(client, admin, CLOUD, name="77.3", projectId=project.id, releaseDate="July 6th")
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"releaseDate"}
    r = await _version(
        client,
        admin,
        CLOUD,
        name="77.3",
        projectId=project.id,
        startDate="2020-02-02",
        releaseDate="2020-01-01",
    )
    assert r.json()["errors"] == {"startDate": "The start date must be before the release date."}
    # Jira Cloud refuses a non-administrator's version change with 400, not 403.
    r = await _version(client, as_user("acme", "alice"), CLOUD, name="77.4", projectId=project.id)
    assert r.status_code == 400
    assert r.json()["errorMessages"] == [
        "You must have global or project administrator rights in order to modify versions."
    ]
    missing = await client.get(f"{CLOUD}/version/999999", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["Could not find version for id '999999'"]


async def test_versions_paginated_and_delete_moves_issues(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    project = _project(sandbox)
    admin = as_user("acme", "admin")
    before = len(project.version_ids)
    old = (await _version(client, admin, CLOUD, name="Old77", projectId=project.id, released=True)).json()
    new = (await _version(client, admin, CLOUD, name="New77", projectId=project.id)).json()
    url = f"{CLOUD}/project/{project.key}/version"
    released = (await client.get(url, params={"status": "released", "query": "old77"}, headers=admin)).json()
    assert [v["name"] for v in released["values"]] == ["Old77"]
    everything = (await client.get(url, params={"maxResults": 100}, headers=admin)).json()
    assert everything["total"] == before + 2
    assert [v["name"] for v in everything["values"][-2:]] == ["Old77", "New77"]  # sequence order
    assert (await client.get(url, params={"status": "bogus"}, headers=admin)).status_code == 400
    issue = _issues(sandbox, project)[0]
    issue.fix_version_ids = [int(old["id"])]
    issue.version_ids = [int(old["id"])]
    counts = (await client.get(f"{CLOUD}/version/{old['id']}/relatedIssueCounts", headers=admin)).json()
    assert (counts["issuesFixedCount"], counts["issuesAffectedCount"]) == (1, 1)
    r = await client.delete(
        f"{CLOUD}/version/{old['id']}", params={"moveFixIssuesTo": new["id"]}, headers=admin
    )
    assert r.status_code == 204
    assert issue.fix_version_ids == [int(new["id"])]
    assert issue.version_ids == []
    assert int(old["id"]) not in project.version_ids
