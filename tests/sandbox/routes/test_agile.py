"""Agile 1.0 board and sprint reads on Cloud and DC: paging, filters, permissions, issue searches."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.state.model import Instance

Auth = Callable[[str, str], dict[str, str]]
ROOTS = {"acme": "/sites/acme/rest/agile/1.0", "corp": "/dc/corp/rest/agile/1.0"}
SPRINT = "customfield_10021"


def _inst(sandbox: Sandbox, where: str) -> Instance:
    return sandbox.sites.get(where) or sandbox.dcs[where]


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_boards_list_filters_and_pages(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice = ROOTS[where], as_user(where, "alice")
    r = await client.get(f"{root}/board", headers=alice)
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 3
    assert page["isLast"] is True
    assert [b["name"] for b in page["values"]] == ["PRJ board", "PLAT board", "MOB board"]
    assert [b["type"] for b in page["values"]] == ["scrum", "kanban", "scrum"]
    first = page["values"][0]
    assert first["self"].endswith(f"{root}/board/{first['id']}")
    assert first["location"]["projectKey"] == "PRJ"
    assert ("isPrivate" in first) is (where == "acme")

    r = await client.get(f"{root}/board", params={"maxResults": 2, "startAt": 1}, headers=alice)
    assert [b["name"] for b in r.json()["values"]] == ["PLAT board", "MOB board"]
    assert r.json()["isLast"] is True
    r = await client.get(f"{root}/board", params={"maxResults": 1}, headers=alice)
    assert r.json()["isLast"] is False
    assert r.json()["maxResults"] == 1
    r = await client.get(f"{root}/board", params={"type": "kanban"}, headers=alice)
    assert [b["name"] for b in r.json()["values"]] == ["PLAT board"]
    r = await client.get(f"{root}/board", params={"name": "mob"}, headers=alice)
    assert [b["name"] for b in r.json()["values"]] == ["MOB board"]
    project = _inst(sandbox, where).find_project("PLAT")
    assert project is not None
    for ref in ("PLAT", "plat", str(project.id)):
        r = await client.get(f"{root}/board", params={"projectKeyOrId": ref}, headers=alice)
        assert [b["name"] for b in r.json()["values"]] == ["PLAT board"]
    r = await client.get(f"{root}/board", params={"projectKeyOrId": "NOPE"}, headers=alice)
    assert r.json()["values"] == []
    r = await client.get(f"{root}/board", params={"type": "wall"}, headers=alice)
    assert r.status_code == 400
    assert r.json()["errorMessages"]


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_board_and_configuration(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice = ROOTS[where], as_user(where, "alice")
    board = (await client.get(f"{root}/board/1", headers=alice)).json()
    assert board["name"] == "PRJ board"
    config = (await client.get(f"{root}/board/1/configuration", headers=alice)).json()
    saved = _inst(sandbox, where).boards[1].filter_id
    assert config["filter"]["id"] == str(saved)
    assert config["filter"]["self"].endswith(f"/rest/api/2/filter/{saved}")
    assert [c["name"] for c in config["columnConfig"]["columns"]] == ["To Do", "In Progress", "Done"]
    in_progress = {s["id"] for s in config["columnConfig"]["columns"][1]["statuses"]}
    assert in_progress == {"3", "10001"}
    assert config["estimation"]["field"]["fieldId"] == "customfield_10016"
    kanban = (await client.get(f"{root}/board/2/configuration", headers=alice)).json()
    assert "subQuery" in kanban
    assert "estimation" not in kanban
    # The board's filter is an ordinary saved filter the caller can read.
    r = await client.get(f"{root.replace('/rest/agile/1.0', '/rest/api/2')}/filter/{saved}", headers=alice)
    assert r.status_code == 200


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_sprints_of_a_board(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice = ROOTS[where], as_user(where, "alice")
    page = (await client.get(f"{root}/board/1/sprint", headers=alice)).json()
    states = [s["state"] for s in page["values"]]
    assert states == ["closed"] * 6 + ["active", "future", "future"]
    assert page["total"] == 9
    assert all(s["originBoardId"] == 1 for s in page["values"])
    closed = page["values"][0]
    assert {"startDate", "endDate", "completeDate", "createdDate", "goal"} <= set(closed)
    assert closed["startDate"].endswith("Z" if where == "acme" else "+00:00")
    assert "startDate" not in page["values"][-1]
    r = await client.get(f"{root}/board/1/sprint", params={"state": "active,future"}, headers=alice)
    assert [s["state"] for s in r.json()["values"]] == ["active", "future", "future"]
    r = await client.get(f"{root}/board/1/sprint", params={"state": "open"}, headers=alice)
    assert r.status_code == 400
    r = await client.get(f"{root}/board/2/sprint", headers=alice)  # kanban
    assert r.status_code == 400
    assert r.json() == {"errorMessages": ["The board does not support sprints"], "errors": {}}
    one = (await client.get(f"{root}/sprint/{closed['id']}", headers=alice)).json()
    assert one == closed


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_hidden_and_missing_boards_and_sprints_are_404(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root = ROOTS[where]
    outsider = as_user(where, "outsider")  # may browse no project
    assert (await client.get(f"{root}/board", headers=outsider)).json()["values"] == []
    for path in ("/board/1", "/board/1/sprint", "/board/1/issue", "/sprint/1", "/sprint/1/issue"):
        r = await client.get(root + path, headers=outsider)
        assert r.status_code == 404, path
        assert r.json()["errorMessages"]
    alice = as_user(where, "alice")
    for path in ("/board/999", "/board/x", "/sprint/999", "/board/999/configuration"):
        assert (await client.get(root + path, headers=alice)).status_code == 404, path
    r = await client.get(f"{root}/board")
    assert r.status_code == 401


async def test_a_board_whose_filter_is_private_is_hidden(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    inst = sandbox.sites["acme"]
    board = inst.boards[1]
    saved = inst.filters[board.filter_id]
    admin = inst.find_user("admin")
    assert admin is not None
    saved.owner, saved.share_permissions = admin.account_id, []
    root = ROOTS["acme"]
    bob, admin_h = as_user("acme", "bob"), as_user("acme", "admin")
    assert (await client.get(f"{root}/board/1", headers=bob)).status_code == 404
    assert (await client.get(f"{root}/sprint/1", headers=bob)).status_code == 404
    assert [b["id"] for b in (await client.get(f"{root}/board", headers=bob)).json()["values"]] == [2, 3]
    assert (await client.get(f"{root}/board/1", headers=admin_h)).status_code == 200


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_issues_of_a_sprint_and_a_board(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice = ROOTS[where], as_user(where, "alice")
    inst = _inst(sandbox, where)
    active = next(s for s in inst.sprints.values() if s.state == "active" and s.board_id == 1)
    expected = {i.key for i in inst.issues.values() if active.id in i.custom.get(SPRINT, ())}
    assert expected
    r = await client.get(
        f"{root}/sprint/{active.id}/issue", params={"fields": "summary,customfield_10021"}, headers=alice
    )
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == len(expected)
    assert {i["key"] for i in page["issues"]} == expected
    issue = page["issues"][0]
    assert set(issue["fields"]) == {"summary", SPRINT}
    assert issue["self"].split("/rest/")[1].startswith("api/2/issue/")
    value = issue["fields"][SPRINT][-1]
    if where == "acme":
        assert value["id"] == active.id
        assert value["state"] == "active"
    else:
        assert f"[id={active.id},rapidViewId=1,state=ACTIVE," in value

    r = await client.get(f"{root}/sprint/{active.id}/issue", params={"jql": "status = Done"}, headers=alice)
    assert {i["key"] for i in r.json()["issues"]} == {
        k for k in expected if inst.statuses[inst.issues[inst.issue_by_key[k]].status_id].name == "Done"
    }
    project = inst.find_project("PRJ")
    assert project is not None
    in_project = sorted(
        (i for i in inst.issues.values() if i.project_id == project.id), key=lambda i: i.created
    )
    r = await client.get(
        f"{root}/board/1/issue", params={"maxResults": 5, "fields": "summary"}, headers=alice
    )
    page = r.json()
    assert page["total"] == len(in_project)
    assert [i["key"] for i in page["issues"]] == [i.key for i in in_project[:5]]  # the filter's order
    r = await client.get(
        f"{root}/board/1/issue",
        params={"jql": "issuetype = Bug ORDER BY key DESC", "fields": "issuetype"},
        headers=alice,
    )
    keys = [i["key"] for i in r.json()["issues"]]
    assert keys == sorted(keys, key=lambda k: int(k.split("-")[1]), reverse=True)
    assert all(i["fields"]["issuetype"]["name"] == "Bug" for i in r.json()["issues"])
    r = await client.get(f"{root}/board/1/issue", params={"jql": "project = = ("}, headers=alice)
    assert r.status_code == 400


async def test_platform_search_by_sprint(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    inst = sandbox.dcs["corp"]
    expected = {i.key for i in inst.issues.values() if 1 in i.custom.get(SPRINT, ())}
    r = await client.get(
        "/dc/corp/rest/api/2/search",
        params={"jql": "sprint = 1", "fields": "key"},
        headers=as_user("corp", "bob"),
    )
    assert r.status_code == 200
    assert {i["key"] for i in r.json()["issues"]} == expected


async def test_setting_the_sprint_field_on_an_issue(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("acme", "alice")
    future = next(s for s in sandbox.sites["acme"].sprints.values() if s.state == "future")
    url = "/sites/acme/rest/api/2/issue/PRJ-1"
    r = await client.put(url, json={"fields": {SPRINT: future.id}}, headers=alice)
    assert r.status_code == 204, r.text
    fields = (await client.get(url, params={"fields": SPRINT}, headers=alice)).json()["fields"]
    assert [s["id"] for s in fields[SPRINT]] == [future.id]
    r = await client.put(url, json={"fields": {SPRINT: 999}}, headers=alice)
    assert r.status_code == 400
    r = await client.put(url, json={"fields": {SPRINT: "soon"}}, headers=alice)
    assert r.status_code == 400


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_latest_is_an_alias_of_1_0(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice = ROOTS[where], as_user(where, "alice")
    latest = root.replace("/rest/agile/1.0", "/rest/agile/latest")
    for path, params in (
        ("/board", {"type": "scrum"}),
        ("/board/1", {}),
        ("/board/1/configuration", {}),
        ("/board/1/sprint", {"state": "active"}),
        ("/sprint/7", {}),
        ("/sprint/7/issue", {"fields": "summary", "maxResults": 5}),
    ):
        want = await client.get(root + path, params=params, headers=alice)
        got = await client.get(latest + path, params=params, headers=alice)
        assert (got.status_code, want.status_code) == (200, 200), path
        assert got.json() == want.json(), path
    # Errors and anonymous callers are answered the same way, and only 1.0 and latest exist.
    assert (await client.get(f"{latest}/board/999", headers=alice)).status_code == 404
    assert (await client.get(f"{latest}/board")).status_code == 401
    r = await client.get(root.replace("/rest/agile/1.0", "/rest/agile/2.0") + "/board", headers=alice)
    assert r.status_code == 404
    assert r.json()["errorMessages"][0].startswith("No resource found")


async def _epic_of(
    client: httpx.AsyncClient, inst: Instance, headers: dict[str, str]
) -> tuple[int, list[str]]:
    """A new epic in project PRJ with two standard issues as its children, made through the API."""
    api = ROOTS[inst.name].replace("agile/1.0", "api/2")
    new = {"fields": {"project": {"key": "PRJ"}, "issuetype": {"id": "10004"}, "summary": "Epic of tests"}}
    r = await client.post(f"{api}/issue", json=new, headers=headers)
    assert r.status_code == 201, r.text
    epic_key = r.json()["key"]
    prj = inst.find_project("PRJ")
    assert prj is not None
    ordered = sorted(inst.issues.values(), key=lambda i: i.id)
    standard = [i for i in ordered if i.project_id == prj.id and i.issue_type_id in ("10001", "10002")]
    children = [standard[0].key, standard[1].key]
    for key in children:
        body = {"fields": {"parent": {"key": epic_key}}}
        r = await client.put(f"{api}/issue/{key}", json=body, headers=headers)
        assert r.status_code == 204, r.text
    epic = inst.find_issue(epic_key)
    assert epic is not None
    return epic.id, children


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_agile_issue_has_agile_fields(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice, inst = ROOTS[where], as_user(where, "alice"), _inst(sandbox, where)
    epic_id, children = await _epic_of(client, inst, alice)
    child = inst.find_issue(children[0])
    assert child is not None
    r = await client.get(f"{root}/issue/{child.key}", headers=alice)
    assert r.status_code == 200
    body = r.json()
    assert body["key"] == child.key
    assert body["self"].endswith(f"/rest/api/2/issue/{child.id}")
    fields = body["fields"]
    assert fields["epic"]["id"] == epic_id
    assert fields["epic"]["self"].endswith(f"{root}/epic/{epic_id}")
    assert fields["flagged"] is False
    states = {inst.sprints[s].state: s for s in child.custom.get(SPRINT) or ()}
    open_sprint = states.get("active", states.get("future"))
    assert (fields["sprint"] or {}).get("id") == open_sprint
    closed = [s for s in child.custom.get(SPRINT) or () if inst.sprints[s].state == "closed"]
    assert [s["id"] for s in fields["closedSprints"]] == closed
    assert "summary" in fields
    assert "comment" not in fields  # navigable fields by default, as the spec says
    # Asked for by name, or left out.
    r = await client.get(f"{root}/issue/{child.id}", params={"fields": "summary,epic"}, headers=alice)
    assert set(r.json()["fields"]) == {"summary", "epic"}
    assert (await client.get(f"{root}/issue/NOPE-1", headers=alice)).status_code == 404
    outsider = as_user(where, "outsider")
    assert (await client.get(f"{root}/issue/{child.key}", headers=outsider)).status_code == 404


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_board_sprint_issues_and_backlog(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice, inst = ROOTS[where], as_user(where, "alice"), _inst(sandbox, where)
    active = next(s for s in inst.sprints.values() if s.board_id == 1 and s.state == "active")
    via_board = (await client.get(f"{root}/board/1/sprint/{active.id}/issue", headers=alice)).json()
    via_sprint = (await client.get(f"{root}/sprint/{active.id}/issue", headers=alice)).json()
    assert via_board == via_sprint
    assert via_board["total"] > 0
    assert all(i["fields"]["sprint"]["id"] == active.id for i in via_board["issues"])
    # A sprint of another board, or a board the caller cannot see, is not found.
    other = next((s for s in inst.sprints.values() if s.board_id != 1), None)
    if other is not None:
        r = await client.get(f"{root}/board/1/sprint/{other.id}/issue", headers=alice)
        assert r.status_code == 404
    r = await client.get(f"{root}/board/1/sprint/{active.id}/issue", headers=as_user(where, "outsider"))
    assert r.status_code == 404

    prj = inst.find_project("PRJ")
    assert prj is not None
    backlog = (await client.get(f"{root}/board/1/backlog", params={"maxResults": 1000}, headers=alice)).json()
    planned = {s.id for s in inst.sprints.values() if s.state != "closed"}
    expected = {
        i.key
        for i in inst.issues.values()
        if i.project_id == prj.id
        and inst.statuses[i.status_id].category != "done"
        and not planned & set(i.custom.get(SPRINT) or ())
    }
    assert backlog["total"] == len(expected) > 0
    assert {i["key"] for i in backlog["issues"]} == expected
    assert all(i["fields"]["sprint"] is None for i in backlog["issues"])
    narrowed = await client.get(f"{root}/board/1/backlog", params={"jql": "issuetype = Bug"}, headers=alice)
    assert all(i["fields"]["issuetype"]["name"] == "Bug" for i in narrowed.json()["issues"])


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_epics_and_board_projects(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice, inst = ROOTS[where], as_user(where, "alice"), _inst(sandbox, where)
    epic_id, children = await _epic_of(client, inst, alice)
    epic = inst.issues[epic_id]
    page = (await client.get(f"{root}/board/1/epic", headers=alice)).json()
    assert epic_id in [e["id"] for e in page["values"]]
    assert {"maxResults", "startAt", "total", "isLast", "values"} <= set(page)
    assert all(inst.issues[e["id"]].project_id == epic.project_id for e in page["values"])
    for done in ("true", "false"):
        some = (await client.get(f"{root}/board/1/epic", params={"done": done}, headers=alice)).json()
        assert all(e["done"] is (done == "true") for e in some["values"])
    one = (await client.get(f"{root}/epic/{epic.key}", headers=alice)).json()
    assert one == next(e for e in page["values"] if e["id"] == epic_id)
    assert one["summary"] == epic.summary
    assert (await client.get(f"{root}/epic/{children[0]}", headers=alice)).status_code == 404  # not an epic
    assert (await client.get(f"{root}/epic/{epic_id}", headers=as_user(where, "outsider"))).status_code == 404
    issues = (await client.get(f"{root}/epic/{epic_id}/issue", headers=alice)).json()
    assert sorted(i["key"] for i in issues["issues"]) == sorted(children)
    assert all(i["fields"]["epic"]["id"] == epic_id for i in issues["issues"])

    on_board = (await client.get(f"{root}/board/1/epic/{epic_id}/issue", headers=alice)).json()
    assert sorted(i["key"] for i in on_board["issues"]) == sorted(children)
    on_kanban = (await client.get(f"{root}/board/2/epic/{epic_id}/issue", headers=alice)).json()
    assert on_kanban["issues"] == []  # the PLAT board's filter holds none of PRJ's issues
    child = inst.find_issue(children[0])
    assert child is not None
    r = await client.get(f"{root}/board/1/epic/{child.id}/issue", headers=alice)
    assert r.status_code == 404  # not an epic

    projects = (await client.get(f"{root}/board/1/project", headers=alice)).json()
    assert [p["key"] for p in projects["values"]] == ["PRJ"]
    assert projects["total"] == 1
    assert (await client.get(f"{root}/board/999/project", headers=alice)).status_code == 404
