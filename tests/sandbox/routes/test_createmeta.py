"""Create metadata: Cloud's issueTypes/fields pages, DC's values pages, and the old createmeta."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from jiragw.sandbox import Sandbox
from jiragw.sandbox.state.model import Project

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
DC = "/dc/corp/rest/api/2"


def _project(sandbox: Sandbox, where: str = "acme") -> Project:
    inst = sandbox.sites.get(where) or sandbox.dcs[where]
    return inst.projects[min(inst.projects)]


async def test_cloud_issue_types_page(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _project(sandbox)
    url = f"{CLOUD}/issue/createmeta/{project.key}/issuetypes"
    page = (await client.get(url, params={"maxResults": 2}, headers=as_user("acme", "bob"))).json()
    assert set(page) == {"startAt", "maxResults", "total", "issueTypes"}
    assert page["total"] == len(project.issue_type_ids)
    assert [t["name"] for t in page["issueTypes"]] == ["Task", "Bug"]
    over = await client.get(url, params={"maxResults": 201}, headers=as_user("acme", "bob"))
    assert over.status_code == 400
    assert over.json()["errorMessages"] == ["Parameter 'maxResults' must not exceed the limit '200'"]


async def test_dc_pages_are_values_pages(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _project(sandbox, "corp")
    headers = as_user("corp", "bob")
    types = (await client.get(f"{DC}/issue/createmeta/{project.id}/issuetypes", headers=headers)).json()
    assert types["isLast"] is True
    assert [t["id"] for t in types["values"]] == project.issue_type_ids
    fields = (
        await client.get(f"{DC}/issue/createmeta/{project.key}/issuetypes/10001", headers=headers)
    ).json()
    by_id = {f["fieldId"]: f for f in fields["values"]}
    assert by_id["summary"]["required"] is True
    assert by_id["summary"]["operations"] == ["set"]
    assert by_id["description"]["required"] is False
    assert "parent" in by_id
    assert by_id["parent"]["required"] is False
    assert by_id["labels"]["operations"] == ["add", "set", "remove"]
    assert by_id["assignee"]["autoCompleteUrl"].endswith(
        f"/user/assignable/search?project={project.key}&username="
    )
    assert fields["total"] == len(fields["values"])


async def test_cloud_fields_allowed_values(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    project = _project(sandbox)
    url = f"{CLOUD}/issue/createmeta/{project.key}/issuetypes/10005"  # subtask
    page = (await client.get(url, params={"maxResults": 200}, headers=as_user("acme", "bob"))).json()
    by_id = {f["fieldId"]: f for f in page["fields"]}
    assert by_id["parent"]["required"] is True
    assert by_id["parent"]["schema"] == {"type": "issuelink", "system": "parent"}
    assert [v["key"] for v in by_id["project"]["allowedValues"]] == [project.key]
    assert [v["id"] for v in by_id["issuetype"]["allowedValues"]] == ["10005"]
    assert by_id["priority"]["hasDefaultValue"] is True
    assert by_id["priority"]["defaultValue"]["name"] == "Medium"
    impact = by_id["customfield_10018"]
    assert [o["value"] for o in impact["allowedValues"]] == ["None", "Low", "Medium", "High", "Critical"]
    assert by_id["customfield_10016"]["schema"]["type"] == "number"
    missing = await client.get(
        f"{CLOUD}/issue/createmeta/{project.key}/issuetypes/4", headers=as_user("acme", "bob")
    )
    assert missing.status_code == 404


async def test_viewer_may_create_nothing(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _project(sandbox)
    viewer = as_user("acme", "viewer")
    page = (await client.get(f"{CLOUD}/issue/createmeta/{project.key}/issuetypes", headers=viewer)).json()
    assert page["issueTypes"] == []
    assert page["total"] == 0
    hidden = await client.get(
        f"{CLOUD}/issue/createmeta/{project.key}/issuetypes", headers=as_user("acme", "outsider")
    )
    assert hidden.status_code == 404
    old = (await client.get(f"{CLOUD}/issue/createmeta", headers=viewer)).json()
    assert old == {"expand": "projects", "projects": []}


async def test_old_createmeta(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _project(sandbox, "corp")
    headers = as_user("corp", "bob")
    url = f"{DC}/issue/createmeta"
    everything = (await client.get(url, headers=headers)).json()
    assert {p["key"] for p in everything["projects"]} == {
        p.key for p in sandbox.dcs["corp"].projects.values()
    }
    assert "fields" not in everything["projects"][0]["issuetypes"][0]
    chosen = await client.get(
        url,
        params={
            "projectKeys": f"{project.key},NOPE",
            "issuetypeNames": "bug",
            "expand": "projects.issuetypes.fields",
        },
        headers=headers,
    )
    (entry,) = chosen.json()["projects"]
    assert entry["key"] == project.key
    (bug,) = entry["issuetypes"]
    assert bug["name"] == "Bug"
    assert bug["fields"]["summary"]["required"] is True
    assert "fieldId" not in bug["fields"]["summary"]
    by_id = await client.get(
        url, params={"projectIds": project.id, "issuetypeIds": "10001,10003"}, headers=headers
    )
    assert [t["id"] for t in by_id.json()["projects"][0]["issuetypes"]] == ["10001", "10003"]
