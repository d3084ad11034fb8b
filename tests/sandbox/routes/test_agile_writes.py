"""Agile 1.0 sprint writes on Cloud and DC: create, update, start, complete, delete, move issues.

Seeded board 1 (``PRJ``) is scrum with sprints 1-6 closed, 7 active, 8 future
with dates and 9 future without; board 2 (``PLAT``) is kanban. ``admin``
manages sprints (``ADMINISTER``); ``alice`` may schedule issues but not manage
sprints; ``viewer`` may only browse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.state.model import Instance, Issue
from jiragw.sandbox.state.persist import load, save

Auth = Callable[[str, str], dict[str, str]]
ROOTS = {"acme": "/sites/acme/rest/agile/1.0", "corp": "/dc/corp/rest/agile/1.0"}
SEARCH = {"acme": "/sites/acme/rest/api/2/search/jql", "corp": "/dc/corp/rest/api/2/search"}
SPRINT = "customfield_10021"
WHERE = pytest.mark.parametrize("where", ["acme", "corp"])


def _inst(sandbox: Sandbox, where: str) -> Instance:
    return sandbox.sites.get(where) or sandbox.dcs[where]


def _ids(issue: Issue) -> list[int]:
    return list(issue.custom.get(SPRINT, ()))


def _parent_with_subtasks(inst: Instance, project: str = "PRJ") -> Issue:
    found = inst.find_project(project)
    assert found is not None
    return next(
        i
        for i in sorted(inst.issues.values(), key=lambda i: i.id)
        if i.project_id == found.id and i.parent_id is None and inst.subtasks(i.id)
    )


async def _search(client: httpx.AsyncClient, where: str, headers: dict[str, str], jql: str) -> set[str]:
    """Every key ``jql`` finds (Cloud pages by token, DC by ``startAt``)."""
    keys: set[str] = set()
    params: dict[str, str | int] = {"jql": jql, "fields": "key", "maxResults": 100}
    while True:
        r = await client.get(SEARCH[where], params=params, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        keys |= {i["key"] for i in page["issues"]}
        if page.get("nextPageToken"):
            params["nextPageToken"] = page["nextPageToken"]
        elif "startAt" in page and page["startAt"] + len(page["issues"]) < page["total"]:
            params["startAt"] = page["startAt"] + len(page["issues"])
        else:
            return keys


# -- createSprint ----------------------------------------------------------------
@WHERE
async def test_create_a_sprint(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, admin = ROOTS[where], as_user(where, "admin")
    body = {
        "name": "  Hardening  ",
        "originBoardId": 1,
        "startDate": "2031-04-11T15:22:00.000+10:00",
        "endDate": "2031-04-25T15:22:00.000+10:00",
        "goal": "No open bugs",
    }
    r = await client.post(f"{root}/sprint", json=body, headers=admin)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["name"] == "Hardening"  # trimmed
    assert made["state"] == "future"
    assert made["originBoardId"] == 1
    assert made["goal"] == "No open bugs"
    assert made["id"] == 19  # after the 18 seeded sprints of the two scrum boards
    assert made["self"].endswith(f"{root}/sprint/19")
    assert made["startDate"] == (
        "2031-04-11T05:22:00.000Z" if where == "acme" else "2031-04-11T05:22:00.000+00:00"
    )
    assert "completeDate" not in made
    assert (await client.get(f"{root}/sprint/19", headers=admin)).json() == made
    listed = (await client.get(f"{root}/board/1/sprint", params={"state": "future"}, headers=admin)).json()
    assert [s["id"] for s in listed["values"]] == [8, 9, 19]
    stored = _inst(sandbox, where).sprints[19]
    assert stored.start_date == datetime(2031, 4, 11, 5, 22, tzinfo=UTC)

    bare = await client.post(f"{root}/sprint", json={"name": "Later", "originBoardId": 1}, headers=admin)
    assert bare.status_code == 201
    assert {"startDate", "endDate"}.isdisjoint(bare.json())
    assert bare.json()["goal"] == ""


@WHERE
async def test_create_sprint_errors(client: httpx.AsyncClient, as_user: Auth, where: str) -> None:
    root, admin = ROOTS[where], as_user(where, "admin")

    async def create(body: object, who: str = "admin") -> httpx.Response:
        return await client.post(f"{root}/sprint", json=body, headers=as_user(where, who))

    r = await create({"name": "K", "originBoardId": 2})  # kanban
    assert (r.status_code, r.json()) == (
        400,
        {"errorMessages": ["The board does not support sprints"], "errors": {}},
    )
    assert (await create({"name": "X", "originBoardId": 999})).status_code == 404
    assert (await create({"name": "X", "originBoardId": 1}, "outsider")).status_code == 404  # cannot see it
    r = await create({"name": "X", "originBoardId": 1}, "alice")
    assert r.status_code == 403
    assert "Manage sprints" in r.json()["errorMessages"][0]
    r = await create({"originBoardId": 1})
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"name"}
    assert (await create({"name": "   ", "originBoardId": 1})).status_code == 400
    assert (await create({"name": "x" * 256, "originBoardId": 1})).status_code == 400
    r = await create({"name": "X"})
    assert (r.status_code, set(r.json()["errors"])) == (400, {"originBoardId"})
    r = await create({"name": "X", "originBoardId": 1, "startDate": "next monday"})
    assert (r.status_code, set(r.json()["errors"])) == (400, {"startDate"})
    r = await create(
        {
            "name": "X",
            "originBoardId": 1,
            "startDate": "2031-01-10T00:00:00Z",
            "endDate": "2031-01-01T00:00:00Z",
        }
    )
    assert (r.status_code, set(r.json()["errors"])) == (400, {"endDate"})
    assert (await create(["not", "an", "object"])).status_code == 400
    r = await client.post(f"{root}/sprint", json={"name": "X", "originBoardId": 1})
    assert r.status_code == 401
    listed = (await client.get(f"{root}/board/1/sprint", headers=admin)).json()
    assert listed["total"] == 9  # nothing was created by the failures


# -- moveIssuesToSprintAndRank / moveIssuesToBacklog -------------------------------------
@WHERE
async def test_move_issues_into_a_sprint_and_back(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice = ROOTS[where], as_user(where, "alice")
    inst = _inst(sandbox, where)
    parent = _parent_with_subtasks(inst)
    subs = inst.subtasks(parent.id)
    other = inst.find_issue("PRJ-2") if parent.key != "PRJ-2" else inst.find_issue("PRJ-3")
    assert other is not None
    assert other.parent_id is None
    closed_before = [s for s in _ids(parent) if inst.sprints[s].state == "closed"]

    r = await client.post(
        f"{root}/sprint/8/issue", json={"issues": [parent.key, str(other.id)]}, headers=alice
    )
    assert r.status_code == 204, r.text
    assert _ids(parent) == [*closed_before, 8]  # its open sprint replaced, its history kept
    assert all(_ids(s)[-1] == 8 and 7 not in _ids(s) for s in subs)  # subtasks follow their parent
    assert _ids(other)[-1] == 8
    in_8 = await _search(client, where, alice, "sprint = 8")
    assert {parent.key, other.key, *(s.key for s in subs)} <= in_8
    assert parent.key not in await _search(client, where, alice, "sprint = 7")
    page = (await client.get(f"{root}/sprint/8/issue", params={"fields": SPRINT}, headers=alice)).json()
    assert parent.key in {i["key"] for i in page["issues"]}
    last = parent.changelog[-1]
    change = last.items[0]
    assert (change.field, change.field_id, change.fieldtype) == ("Sprint", SPRINT, "custom")
    assert change.to_value is not None
    assert change.to_value.endswith("8")
    assert change.to_string is not None
    assert change.to_string.endswith("PRJ Sprint 8")
    fields = (
        await client.get(f"{root.split('/rest/')[0]}/rest/api/2/issue/{parent.key}", headers=alice)
    ).json()
    value = fields["fields"][SPRINT][-1]
    assert (value["id"] if where == "acme" else value.split("[id=")[1].split(",")[0]) in (8, "8")

    # Moving again into the same sprint changes nothing, and writes no changelog entry.
    entries = len(parent.changelog)
    r = await client.post(f"{root}/sprint/8/issue", json={"issues": [parent.key]}, headers=alice)
    assert r.status_code == 204
    assert len(parent.changelog) == entries

    r = await client.post(f"{root}/backlog/issue", json={"issues": [parent.key]}, headers=alice)
    assert r.status_code == 204, r.text
    assert _ids(parent) == closed_before
    assert all(8 not in _ids(s) for s in subs)
    assert parent.key not in await _search(client, where, alice, "sprint in openSprints()")
    assert parent.key not in await _search(client, where, alice, "sprint = 8")
    # An issue in no sprint at all stays there.
    r = await client.post(f"{root}/backlog/issue", json={"issues": [parent.key]}, headers=alice)
    assert r.status_code == 204


@WHERE
async def test_move_issues_errors(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root = ROOTS[where]
    inst = _inst(sandbox, where)
    parent = _parent_with_subtasks(inst)
    sub = inst.subtasks(parent.id)[0]
    before = {i.id: _ids(i) for i in inst.issues.values()}

    async def move(path: str, issues: object, who: str = "alice") -> httpx.Response:
        return await client.post(f"{root}{path}", json={"issues": issues}, headers=as_user(where, who))

    r = await move("/sprint/1/issue", [parent.key])  # closed
    assert r.status_code == 400
    assert r.json()["errorMessages"] == ["Issues can only be moved to future or active sprints."]
    assert (await move("/sprint/999/issue", [parent.key])).status_code == 404
    assert (await move("/sprint/8/issue", [parent.key], "outsider")).status_code == 404
    for path in ("/sprint/8/issue", "/backlog/issue"):
        r = await move(path, [parent.key], "viewer")
        assert r.status_code == 403, path
        assert (await move(path, ["PRJ-99999"])).status_code == 400
        assert (await move(path, [])).status_code == 400
        assert (await move(path, "PRJ-1")).status_code == 400
        assert (await move(path, [f"PRJ-{n}" for n in range(1, 52)])).status_code == 400
        r = await move(path, [sub.key])
        assert r.status_code == 400
        assert sub.key in r.json()["errorMessages"][0]
    # One bad issue moves none of them.
    assert (await move("/sprint/8/issue", [parent.key, "NOPE-1"])).status_code == 400
    assert {i.id: _ids(i) for i in inst.issues.values()} == before
    assert (await client.post(f"{root}/backlog/issue", json={"issues": [parent.key]})).status_code == 401


@WHERE
async def test_only_subtasks_follow_an_issue_between_sprints(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, alice = ROOTS[where], as_user(where, "alice")
    inst = _inst(sandbox, where)
    base = f"{root.split('/rest/')[0]}/rest/api/2/issue"

    async def make(type_name: str, parent: Issue | None = None) -> Issue:
        fields: dict[str, object] = {
            "project": {"key": "PRJ"},
            "issuetype": {"name": type_name},
            "summary": "x",
        }
        if parent is not None:
            fields["parent"] = {"key": parent.key}
        r = await client.post(base, json={"fields": fields}, headers=alice)
        assert r.status_code == 201, r.text
        return inst.issues[int(r.json()["id"])]

    async def move(path: str, *issues: Issue) -> httpx.Response:
        return await client.post(f"{root}{path}", json={"issues": [i.key for i in issues]}, headers=alice)

    epic = await make("Epic")
    story = await make("Story", epic)
    sub = await make("Subtask", story)
    assert (story.parent_id, sub.parent_id) == (epic.id, story.id)
    assert [c.id for c in inst.children_of(epic.id)] == [story.id]  # the story is the epic's child ...
    assert not inst.subtasks(epic.id)  # ... not its subtask
    # ... and is scheduled on its own, taking its subtask along.
    assert (await move("/sprint/7/issue", story)).status_code == 204
    assert (_ids(epic), _ids(story), _ids(sub)) == ([], [7], [7])
    # Moving the epic leaves its child where it is, and writes nothing on it.
    entries = (len(story.changelog), len(sub.changelog))
    assert (await move("/sprint/8/issue", epic)).status_code == 204
    assert (_ids(epic), _ids(story), _ids(sub)) == ([8], [7], [7])
    in_8 = await _search(client, where, alice, "sprint = 8")
    assert epic.key in in_8
    assert not {story.key, sub.key} & in_8
    assert {story.key, sub.key} <= await _search(client, where, alice, "sprint = 7")
    assert (await move("/backlog/issue", epic)).status_code == 204
    assert (_ids(epic), _ids(story), _ids(sub)) == ([], [7], [7])
    assert (len(story.changelog), len(sub.changelog)) == entries
    # The story goes to the backlog with its subtask; the subtask alone is refused either way.
    assert (await move("/backlog/issue", story)).status_code == 204
    assert (_ids(story), _ids(sub)) == ([], [])
    for path in ("/sprint/8/issue", "/backlog/issue"):
        r = await move(path, sub)
        assert r.status_code == 400, path
        assert r.json()["errorMessages"] == [f"Issue '{sub.key}' is a subtask: it moves with its parent."]
    # Both kinds of issue together: the epic and its story each where they are sent.
    assert (await move("/sprint/8/issue", epic, story)).status_code == 204
    assert (_ids(epic), _ids(story), _ids(sub)) == ([8], [8], [8])
    r = await move("/sprint/1/issue", story)  # closed
    assert r.json()["errorMessages"] == ["Issues can only be moved to future or active sprints."]
    assert _ids(story) == [8]


# -- updateSprint / partiallyUpdateSprint ----------------------------------------------
@WHERE
async def test_rename_and_reschedule(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, admin = ROOTS[where], as_user(where, "admin")
    sprint = _inst(sandbox, where).sprints[8]
    start, end = sprint.start_date, sprint.end_date

    r = await client.post(f"{root}/sprint/8", json={"name": "Renamed", "goal": "Ship it"}, headers=admin)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["name"], got["goal"], got["state"]) == ("Renamed", "Ship it", "future")
    assert (sprint.start_date, sprint.end_date) == (start, end)  # a partial update keeps the rest

    # A full update sets what it leaves out to null: dates cleared, goal emptied.
    r = await client.put(f"{root}/sprint/8", json={"name": "Full"}, headers=admin)
    assert r.status_code == 200, r.text
    assert {"startDate", "endDate"}.isdisjoint(r.json())
    assert r.json()["goal"] == ""
    r = await client.put(f"{root}/sprint/8", json={"goal": "no name"}, headers=admin)
    assert (r.status_code, set(r.json()["errors"])) == (400, {"name"})

    r = await client.put(
        f"{root}/sprint/8",
        json={"name": "Full", "startDate": "2031-01-01T09:00:00Z", "endDate": "2031-01-15T09:00:00Z"},
        headers=admin,
    )
    assert r.json()["endDate"].startswith("2031-01-15T09:00:00.000")
    # completeDate cannot be set by hand; other read-only fields are ignored too.
    r = await client.post(
        f"{root}/sprint/8", json={"completeDate": "2031-02-01T00:00:00Z", "originBoardId": 3}, headers=admin
    )
    assert r.status_code == 200
    assert "completeDate" not in r.json()
    assert r.json()["originBoardId"] == 1

    r = await client.post(f"{root}/sprint/8", json={"name": "X"}, headers=as_user(where, "alice"))
    assert r.status_code == 403
    assert (
        await client.post(f"{root}/sprint/8", json={"name": "X"}, headers=as_user(where, "outsider"))
    ).status_code == 404
    assert (await client.post(f"{root}/sprint/999", json={"name": "X"}, headers=admin)).status_code == 404
    r = await client.post(f"{root}/sprint/8", json={"startDate": "soon"}, headers=admin)
    assert (r.status_code, set(r.json()["errors"])) == (400, {"startDate"})
    r = await client.post(f"{root}/sprint/8", json={"endDate": "2030-12-01T00:00:00Z"}, headers=admin)
    assert (r.status_code, set(r.json()["errors"])) == (400, {"endDate"})
    r = await client.post(f"{root}/sprint/8", json={"state": "started"}, headers=admin)
    assert (r.status_code, set(r.json()["errors"])) == (400, {"state"})
    assert sprint.name == "Full"


@WHERE
async def test_start_and_complete_sprints(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, admin = ROOTS[where], as_user(where, "admin")
    inst = _inst(sandbox, where)
    done = {k for k, s in inst.statuses.items() if s.category == "done"}
    in_7 = [i for i in inst.issues.values() if 7 in _ids(i)]
    unfinished = {i.key for i in in_7 if i.status_id not in done}
    assert unfinished

    async def state(sprint: int, value: str) -> httpx.Response:
        return await client.post(f"{root}/sprint/{sprint}", json={"state": value}, headers=admin)

    r = await state(8, "active")  # sprint 7 is still active
    assert r.status_code == 400
    assert "only be one active sprint" in r.json()["errorMessages"][0]
    assert (await state(8, "closed")).status_code == 400  # future -> closed is no transition
    assert (await state(7, "future")).status_code == 400
    assert (
        await client.post(f"{root}/sprint/7", json={"state": "closed"}, headers=as_user(where, "alice"))
    ).status_code == 403

    r = await state(7, "closed")
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["state"] == "closed"
    now = sandbox.clock.now()
    assert inst.sprints[7].complete_date is not None
    assert abs((inst.sprints[7].complete_date - now).total_seconds()) < 60
    assert "completeDate" in closed
    # Every issue keeps the closed sprint in its history; the unfinished ones are now in the backlog.
    bob = as_user(where, "bob")
    assert await _search(client, where, bob, "sprint = 7") == {i.key for i in in_7}
    assert not unfinished & await _search(client, where, bob, "sprint in openSprints()")
    assert unfinished <= await _search(client, where, bob, "sprint in closedSprints()")
    r = await client.post(f"{root}/sprint/7", json={"name": "Too late"}, headers=admin)
    assert (r.status_code, r.json()["errorMessages"]) == (400, ["Closed sprints cannot be updated."])
    assert (await state(7, "active")).status_code == 400

    r = await state(9, "active")  # no dates yet
    assert r.status_code == 400
    assert "start date and an end date" in r.json()["errorMessages"][0]
    r = await client.post(
        f"{root}/sprint/9",
        json={"state": "ACTIVE", "startDate": "2031-03-01T09:00:00Z", "endDate": "2031-03-15T09:00:00Z"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "active"
    assert (await state(8, "active")).status_code == 400  # 9 is active now
    # An active sprint keeps its dates: a full update without them is refused.
    r = await client.put(f"{root}/sprint/9", json={"name": "No dates", "state": "active"}, headers=admin)
    assert r.status_code == 400
    assert inst.sprints[9].state == "active"
    assert inst.sprints[9].name != "No dates"


@WHERE
async def test_completing_refuses_a_done_parent_with_open_subtasks(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, admin = ROOTS[where], as_user(where, "admin")
    inst = _inst(sandbox, where)
    done = next(k for k, s in inst.statuses.items() if s.category == "done")
    todo = next(k for k, s in inst.statuses.items() if s.category == "new")
    parent = _parent_with_subtasks(inst)
    r = await client.post(f"{root}/sprint/7/issue", json={"issues": [parent.key]}, headers=admin)
    assert r.status_code == 204, r.text
    subs = inst.subtasks(parent.id)
    parent.status_id = done
    for sub in subs:
        sub.status_id = done
    subs[0].status_id = todo

    r = await client.post(f"{root}/sprint/7", json={"state": "closed"}, headers=admin)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["errors"] == {}
    (message,) = body["errorMessages"]
    assert parent.key in message
    assert "sub-tasks" in message
    assert inst.sprints[7].state == "active"
    assert inst.sprints[7].complete_date is None

    subs[0].status_id = done  # all of its subtasks done: the sprint completes
    r = await client.post(f"{root}/sprint/7", json={"state": "closed"}, headers=admin)
    assert r.status_code == 200, r.text
    assert inst.sprints[7].state == "closed"


# -- deleteSprint --------------------------------------------------------------------
@WHERE
async def test_delete_a_future_sprint(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, admin = ROOTS[where], as_user(where, "admin")
    inst = _inst(sandbox, where)
    in_8 = [i for i in inst.issues.values() if 8 in _ids(i)]
    assert in_8
    assert (await client.delete(f"{root}/sprint/8", headers=as_user(where, "alice"))).status_code == 403
    assert (await client.delete(f"{root}/sprint/8", headers=as_user(where, "outsider"))).status_code == 404
    r = await client.delete(f"{root}/sprint/8", headers=admin)
    assert r.status_code == 204, r.text
    assert not r.content
    assert 8 not in inst.sprints
    assert all(8 not in _ids(i) for i in in_8)
    assert (await client.get(f"{root}/sprint/8", headers=admin)).status_code == 404
    assert (await client.delete(f"{root}/sprint/8", headers=admin)).status_code == 404
    keys = {i.key for i in in_8}
    assert not keys & await _search(client, where, admin, "sprint in openSprints()")


@WHERE
async def test_delete_active_and_closed_sprints(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    root, admin = ROOTS[where], as_user(where, "admin")
    inst = _inst(sandbox, where)
    in_7 = [i for i in inst.issues.values() if 7 in _ids(i)]
    for sprint in (7, 1):
        r = await client.delete(f"{root}/sprint/{sprint}", headers=admin)
        if where == "acme":  # Cloud deletes sprints in any state
            assert r.status_code == 204, r.text
            assert sprint not in inst.sprints
        else:  # Data Center only future ones
            assert r.status_code == 400
            assert r.json()["errorMessages"]
            assert sprint in inst.sprints
    assert all((7 in _ids(i)) is (where == "corp") for i in in_7)


@WHERE
async def test_sprint_writes_through_latest(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    latest = ROOTS[where].replace("/rest/agile/1.0", "/rest/agile/latest")
    admin = as_user(where, "admin")
    r = await client.post(f"{latest}/sprint", json={"name": "Via latest", "originBoardId": 1}, headers=admin)
    assert r.status_code == 201, r.text
    made = r.json()
    sprint = _inst(sandbox, where).sprints[made["id"]]
    assert (sprint.name, sprint.state) == ("Via latest", "future")
    r = await client.post(f"{latest}/sprint/{made['id']}", json={"goal": "Aliased"}, headers=admin)
    assert r.status_code == 200, r.text
    assert sprint.goal == "Aliased"
    r = await client.post(f"{latest}/sprint/{made['id']}/issue", json={"issues": ["PRJ-1"]}, headers=admin)
    assert r.status_code == 204, r.text
    issue = _inst(sandbox, where).find_issue("PRJ-1")
    assert issue is not None
    assert _ids(issue)[-1] == made["id"]


# -- persistence ---------------------------------------------------------------------
async def test_sprint_writes_survive_a_restart(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, tmp_path: Path
) -> None:
    root, admin = ROOTS["acme"], as_user("acme", "admin")
    made = (
        await client.post(f"{root}/sprint", json={"name": "Kept", "originBoardId": 1}, headers=admin)
    ).json()
    r = await client.post(f"{root}/sprint/{made['id']}/issue", json={"issues": ["PRJ-1"]}, headers=admin)
    assert r.status_code == 204
    assert (await client.post(f"{root}/sprint/7", json={"state": "closed"}, headers=admin)).status_code == 200
    save(sandbox, tmp_path / "state.db")
    loaded = load(tmp_path / "state.db")
    assert loaded is not None
    inst = loaded.sites["acme"]
    assert inst.sprints[made["id"]].name == "Kept"
    assert inst.sprints[7].state == "closed"
    assert inst.sprints[7].complete_date == sandbox.sites["acme"].sprints[7].complete_date
    issue = inst.find_issue("PRJ-1")
    assert issue is not None
    assert _ids(issue)[-1] == made["id"]
    assert inst.sprint_seq == made["id"]
