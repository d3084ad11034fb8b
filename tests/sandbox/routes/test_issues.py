"""Issues: create, bulk create, get, bulk fetch, edit, delete, assign, changelog, properties, watchers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.state.model import Instance, Issue

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
CLOUD2 = "/sites/acme/rest/api/2"
DC = "/dc/corp/rest/api/2"
NOT_FOUND = {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}


def _adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def pkey(sandbox: Sandbox, where: str = "acme") -> str:
    inst = sandbox.sites.get(where) or sandbox.dcs[where]
    return inst.projects[min(inst.projects)].key


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], base: str, project: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "fields": {"project": {"key": project}, "issuetype": {"name": "Task"}, "summary": "New one", **fields}
    }
    r = await client.post(f"{base}/issue", json=body, headers=headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_create_then_get_cloud_v3(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    key = pkey(sandbox)
    made = await create(
        client, alice, CLOUD, key, description=_adf("Hello"), labels=["a", "b"], customfield_10016=5,
        customfield_10018={"value": "High"}, priority={"name": "High"}, duedate="2030-01-31",
    )  # fmt: skip
    assert set(made) == {"id", "key", "self"}
    assert made["key"].startswith(key + "-")
    assert made["self"].endswith(f"/rest/api/3/issue/{made['id']}")
    r = await client.get(f"{CLOUD}/issue/{made['key']}", headers=alice)
    assert r.status_code == 200
    f = r.json()["fields"]
    assert f["summary"] == "New one"
    assert f["description"] == _adf("Hello")
    assert f["labels"] == ["a", "b"]
    assert f["customfield_10016"] == 5
    assert f["customfield_10018"]["value"] == "High"
    assert f["customfield_10018"]["self"].endswith(f"/customFieldOption/{f['customfield_10018']['id']}")
    assert f["customfield_10017"] is None
    assert f["priority"]["name"] == "High"
    assert f["duedate"] == "2030-01-31"
    assert f["status"]["name"] == "To Do"
    assert f["status"]["statusCategory"]["key"] == "new"
    alice_id = sandbox.sites["acme"].find_user("alice").account_id  # type: ignore[union-attr]
    assert f["reporter"]["accountId"] == alice_id
    assert f["creator"]["accountId"] == alice_id
    assert f["resolution"] is None
    assert f["comment"]["comments"] == []
    assert f["comment"]["total"] == 0
    assert "parent" not in f
    assert f["subtasks"] == []
    assert f["watches"]["watchCount"] == 0
    # The same issue read over v2 has a wiki description.
    r2 = await client.get(f"{CLOUD2}/issue/{made['id']}", headers=alice)
    assert r2.json()["fields"]["description"] == "Hello"


async def test_create_dc_with_wiki_and_names(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    admin = as_user("corp", "admin")
    made = await create(
        client, admin, DC, pkey(sandbox, "corp"), description="*bold*", assignee={"name": "bob"}
    )
    r = await client.get(f"{DC}/issue/{made['key']}", headers=admin)
    f = r.json()["fields"]
    assert f["description"] == "*bold*"
    assert f["assignee"]["name"] == "bob"
    assert "accountId" not in f["assignee"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"summary": None}, {"summary": "You must specify a summary of the issue."}),
        ({"project": {"key": "NOPE"}}, {"project": "valid project is required"}),
        ({"issuetype": {"name": "Nope"}}, {"issuetype": "valid issue type is required"}),
        (
            {"foo": 1},
            {"foo": "Field 'foo' cannot be set. It is not on the appropriate screen, or unknown."},
        ),
        (
            {"status": {"id": "3"}},
            {"status": "Field 'status' cannot be set. It is not on the appropriate screen, or unknown."},
        ),
        ({"description": "a string"}, {"description": "Operation value must be an Atlassian Document"}),
        ({"customfield_10016": "five"}, {"customfield_10016": "Operation value must be a number"}),
        ({"customfield_10018": {"value": "Huge"}}, {"customfield_10018": "Option value 'Huge' is not valid"}),
        ({"labels": ["has space"]}, {"labels": "The label 'has space' contains spaces which is invalid."}),
        ({"priority": {"id": "99"}}, {"priority": "The priority selected is invalid."}),
        ({"duedate": "31/01/2030"}, {"duedate": "Error parsing date string: 31/01/2030"}),
    ],
)
async def test_create_validation_errors(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, fields: dict[str, Any], errors: dict[str, str]
) -> None:
    base = {"project": {"key": pkey(sandbox)}, "issuetype": {"name": "Task"}, "summary": "S"}
    body = {"fields": {k: v for k, v in {**base, **fields}.items() if v is not None}}
    before = len(sandbox.sites["acme"].issues)
    r = await client.post(f"{CLOUD}/issue", json=body, headers=as_user("acme", "alice"))
    assert r.status_code == 400
    assert r.json() == {"errorMessages": [], "errors": errors}
    assert len(sandbox.sites["acme"].issues) == before


async def test_create_requires_permission(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    body = {"fields": {"project": {"key": pkey(sandbox)}, "issuetype": {"name": "Task"}, "summary": "S"}}
    r = await client.post(f"{CLOUD}/issue", json=body, headers=as_user("acme", "viewer"))
    assert r.status_code == 403


async def test_subtask_needs_parent_and_is_listed(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("acme", "alice")
    key = pkey(sandbox)
    body = {"fields": {"project": {"key": key}, "issuetype": {"name": "Subtask"}, "summary": "Sub"}}
    r = await client.post(f"{CLOUD}/issue", json=body, headers=alice)
    assert r.status_code == 400
    assert "parent" in r.json()["errors"]
    parent = await create(client, alice, CLOUD, key)
    body["fields"]["parent"] = {"key": parent["key"]}
    r = await client.post(f"{CLOUD}/issue", json=body, headers=alice)
    assert r.status_code == 201
    sub = r.json()
    got = (await client.get(f"{CLOUD}/issue/{parent['key']}", headers=alice)).json()["fields"]
    assert [s["key"] for s in got["subtasks"]] == [sub["key"]]
    child = (await client.get(f"{CLOUD}/issue/{sub['key']}", headers=alice)).json()["fields"]
    assert child["parent"]["key"] == parent["key"]
    # Deleting a parent with subtasks needs deleteSubtasks=true.
    r = await client.delete(f"{CLOUD}/issue/{parent['key']}", headers=alice)
    assert r.status_code == 400
    r = await client.delete(
        f"{CLOUD}/issue/{parent['key']}", params={"deleteSubtasks": "true"}, headers=alice
    )
    assert r.status_code == 204
    for k in (parent["key"], sub["key"]):
        gone = await client.get(f"{CLOUD}/issue/{k}", headers=alice)
        assert gone.status_code == 404
        assert gone.json() == NOT_FOUND


async def test_an_epics_issues_are_children_not_subtasks(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("acme", "alice")
    key = pkey(sandbox)

    async def make(type_name: str, parent: str | None = None) -> str:
        fields: dict[str, object] = {"project": {"key": key}, "issuetype": {"name": type_name}}
        fields["summary"] = "x"
        if parent is not None:
            fields["parent"] = {"key": parent}
        r = await client.post(f"{CLOUD}/issue", json={"fields": fields}, headers=alice)
        assert r.status_code == 201, r.text
        return str(r.json()["key"])

    epic = await make("Epic")
    story = await make("Story", epic)
    got = (await client.get(f"{CLOUD}/issue/{epic}", headers=alice)).json()["fields"]
    assert got["subtasks"] == []  # Jira lists subtask-type children only
    # Deleting the epic needs no deleteSubtasks and leaves its story, without a parent.
    assert (await client.delete(f"{CLOUD}/issue/{epic}", headers=alice)).status_code == 204
    left = await client.get(f"{CLOUD}/issue/{story}", headers=alice)
    assert left.status_code == 200
    assert "parent" not in left.json()["fields"] or left.json()["fields"]["parent"] is None


async def test_bulk_create_reports_failed_elements(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    key = pkey(sandbox)
    good = {"fields": {"project": {"key": key}, "issuetype": {"name": "Task"}, "summary": "ok"}}
    bad = {"fields": {"project": {"key": key}, "issuetype": {"name": "Task"}}}
    r = await client.post(
        f"{CLOUD}/issue/bulk", json={"issueUpdates": [good, bad, good]}, headers=as_user("acme", "alice")
    )
    assert r.status_code == 201
    data = r.json()
    assert len(data["issues"]) == 2
    assert data["errors"] == [
        {
            "status": 400,
            "elementErrors": {
                "errorMessages": [],
                "errors": {"summary": "You must specify a summary of the issue."},
            },
            "failedElementNumber": 1,
        }
    ]
    r = await client.post(
        f"{CLOUD}/issue/bulk", json={"issueUpdates": [bad]}, headers=as_user("acme", "alice")
    )
    assert r.status_code == 400
    assert r.json()["issues"] == []
    r = await client.post(
        f"{CLOUD}/issue/bulk", json={"issueUpdates": [good] * 51}, headers=as_user("acme", "alice")
    )
    assert r.status_code == 400


async def test_get_unknown_and_hidden(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    r = await client.get(f"{CLOUD}/issue/NOPE-1", headers=as_user("acme", "alice"))
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    r = await client.get(f"{CLOUD}/issue/{pkey(sandbox)}-1", headers=as_user("acme", "outsider"))
    assert r.status_code == 404
    assert r.json() == NOT_FOUND


async def test_get_fields_and_expand(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD}/issue/{made['key']}"
    r = await client.get(url, params={"fields": "summary,nosuchfield,customfield_10016"}, headers=alice)
    assert set(r.json()["fields"]) == {"summary", "customfield_10016"}
    r = await client.get(url, params={"fields": "-description,-comment"}, headers=alice)
    fields = r.json()["fields"]
    assert "description" not in fields
    assert "comment" not in fields
    assert "summary" in fields
    r = await client.get(url, params={"fields": "summary", "expand": "names,schema"}, headers=alice)
    data = r.json()
    assert data["names"] == {"summary": "Summary"}
    assert data["schema"]["summary"]["type"] == "string"
    r = await client.get(
        url, params={"fields": "summary", "expand": "versionedRepresentations"}, headers=alice
    )
    data = r.json()
    assert "fields" not in data
    assert data["versionedRepresentations"] == {"summary": {"1": "New one"}}
    r = await client.get(
        url, params={"expand": "renderedFields,transitions,editmeta,changelog"}, headers=alice
    )
    data = r.json()
    assert {t["id"] for t in data["transitions"]} == {"21", "41"}
    assert data["editmeta"]["fields"]["summary"]["required"] is True
    assert data["changelog"]["histories"] == []
    assert "description" in data["renderedFields"]
    r = await client.get(url, params={"fields": "key"}, headers=alice)
    assert r.json()["fields"] == {}


async def test_edit_fields_and_update_ops(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox), labels=["x", "keep"])
    issue = sandbox.sites["acme"].find_issue(made["key"])
    assert issue is not None
    issue.text_cache = "stale"
    before = issue.updated
    sandbox.clock.advance(60)
    body = {
        "fields": {"summary": "Edited", "customfield_10018": {"value": "Low"}},
        "update": {
            "labels": [{"add": "y"}, {"remove": "x"}],
            "comment": [{"add": {"body": _adf("via edit")}}],
        },
    }
    r = await client.put(f"{CLOUD}/issue/{made['key']}", json=body, headers=alice)
    assert r.status_code == 204, r.text
    assert issue.summary == "Edited"
    assert issue.labels == ["keep", "y"]
    assert issue.updated > before
    assert issue.text_cache is None
    assert len(issue.comments) == 1
    r = await client.get(f"{CLOUD}/issue/{made['key']}/changelog", headers=alice)
    page = r.json()
    assert page["total"] == 1
    items = {i["field"]: i for i in page["values"][0]["items"]}
    assert items["summary"]["fromString"] == "New one"
    assert items["summary"]["toString"] == "Edited"
    assert items["labels"]["fromString"] == "x keep"
    assert items["labels"]["toString"] == "keep y"
    assert items["Customer Impact"]["toString"] == "Low"
    assert items["Customer Impact"]["fieldtype"] == "custom"
    r = await client.put(
        f"{CLOUD}/issue/{made['key']}",
        params={"returnIssue": "true"},
        json={"fields": {"summary": "Again"}},
        headers=alice,
    )
    assert r.status_code == 200
    assert r.json()["fields"]["summary"] == "Again"


async def test_edit_rejections(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    made = await create(client, as_user("acme", "alice"), CLOUD, pkey(sandbox))
    r = await client.put(
        f"{CLOUD}/issue/{made['key']}",
        json={"fields": {"resolution": {"name": "Done"}}},
        headers=as_user("acme", "alice"),
    )
    assert r.status_code == 400
    assert r.json()["errors"] == {
        "resolution": "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown."
    }
    r = await client.put(
        f"{CLOUD}/issue/{made['key']}", json={"fields": {"summary": "x"}}, headers=as_user("acme", "viewer")
    )
    assert r.status_code == 403


async def test_edit_v2_takes_wiki_strings(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    r = await client.put(
        f"{CLOUD2}/issue/{made['key']}", json={"fields": {"description": "h1. Title"}}, headers=alice
    )
    assert r.status_code == 204
    v3 = (await client.get(f"{CLOUD}/issue/{made['key']}", headers=alice)).json()["fields"]["description"]
    assert v3["content"][0]["type"] == "heading"
    r = await client.put(
        f"{CLOUD2}/issue/{made['key']}", json={"fields": {"description": _adf("x")}}, headers=alice
    )
    assert r.status_code == 400


async def test_assign_cloud_and_dc(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    bob = sandbox.sites["acme"].find_user("bob")
    assert bob is not None
    url = f"{CLOUD}/issue/{made['key']}/assignee"
    assert (await client.put(url, json={"accountId": bob.account_id}, headers=alice)).status_code == 204
    assert sandbox.sites["acme"].find_issue(made["key"]).assignee == bob.account_id  # type: ignore[union-attr]
    assert (await client.put(url, json={"accountId": None}, headers=alice)).status_code == 204
    assert sandbox.sites["acme"].find_issue(made["key"]).assignee is None  # type: ignore[union-attr]
    assert (await client.put(url, json={"accountId": "-1"}, headers=alice)).status_code == 204
    r = await client.put(url, json={"accountId": "nobody"}, headers=alice)
    assert r.status_code == 400
    assert (await client.put(url, json={}, headers=alice)).status_code == 400
    admin = as_user("corp", "admin")
    dc_made = await create(client, admin, DC, pkey(sandbox, "corp"))
    r = await client.put(f"{DC}/issue/{dc_made['key']}/assignee", json={"name": "carol"}, headers=admin)
    assert r.status_code == 204
    got = (
        await client.get(f"{DC}/issue/{dc_made['key']}", params={"expand": "changelog"}, headers=admin)
    ).json()
    assert got["fields"]["assignee"]["name"] == "carol"
    item = got["changelog"]["histories"][-1]["items"][0]
    assert (item["field"], item["to"], item["toString"]) == ("assignee", "carol", "Carol Chen")


async def test_changelog_is_cloud_only(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    r = await client.get(f"{DC}/issue/{pkey(sandbox, 'corp')}-1/changelog", headers=as_user("corp", "admin"))
    assert r.status_code == 404


async def test_bulk_fetch(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    a = await create(client, alice, CLOUD, pkey(sandbox))
    b = await create(client, alice, CLOUD, pkey(sandbox))
    body = {"issueIdsOrKeys": [b["key"], a["id"], "NOPE-1"], "fields": ["summary"], "expand": ["names"]}
    r = await client.post(f"{CLOUD}/issue/bulkfetch", json=body, headers=alice)
    assert r.status_code == 200
    data = r.json()
    assert [i["id"] for i in data["issues"]] == sorted([a["id"], b["id"]], key=int)
    assert all(set(i["fields"]) == {"summary"} for i in data["issues"])
    assert data["issues"][0]["names"] == {"summary": "Summary"}
    assert data["issueErrors"] == [
        {"id": "NOPE-1", "errorMessage": "Issue does not exist or you do not have permission to see it."}
    ]
    too_many = {"issueIdsOrKeys": [a["key"]] * 101}
    assert (await client.post(f"{CLOUD}/issue/bulkfetch", json=too_many, headers=alice)).status_code == 400
    assert (
        await client.post(f"{CLOUD}/issue/bulkfetch", json={"issueIdsOrKeys": []}, headers=alice)
    ).status_code == 400
    r = await client.post(f"{DC}/issue/bulkfetch", json=body, headers=as_user("corp", "admin"))
    assert r.status_code == 404


async def test_issue_properties(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD}/issue/{made['key']}/properties"
    assert (await client.put(f"{url}/flag", json={"on": True}, headers=alice)).status_code == 201
    assert (await client.put(f"{url}/flag", json={"on": False}, headers=alice)).status_code == 200
    assert (await client.get(f"{url}/flag", headers=alice)).json() == {"key": "flag", "value": {"on": False}}
    keys = (await client.get(url, headers=alice)).json()["keys"]
    assert [k["key"] for k in keys] == ["flag"]
    got = await client.get(
        f"{CLOUD}/issue/{made['key']}", params={"properties": "flag", "fields": "summary"}, headers=alice
    )
    assert got.json()["properties"] == {"flag": {"on": False}}
    assert (await client.delete(f"{url}/flag", headers=alice)).status_code == 204
    assert (await client.get(f"{url}/flag", headers=alice)).status_code == 404
    assert (await client.delete(f"{url}/flag", headers=alice)).status_code == 404


async def test_watchers(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD}/issue/{made['key']}/watchers"
    bob = sandbox.sites["acme"].find_user("bob")
    assert bob is not None
    assert (await client.post(url, json=bob.account_id, headers=alice)).status_code == 204
    assert (await client.post(url, headers=alice)).status_code == 204  # no body: the caller
    data = (await client.get(url, headers=alice)).json()
    assert data["watchCount"] == 2
    assert data["isWatching"] is True
    assert (await client.delete(url, params={"accountId": bob.account_id}, headers=alice)).status_code == 204
    assert (await client.delete(url, headers=alice)).status_code == 400
    data = (await client.get(url, headers=alice)).json()
    assert [w["accountId"] for w in data["watchers"]] == [sandbox.sites["acme"].find_user("alice").account_id]  # type: ignore[union-attr]


# -- the Sprint field (customfield_10021) on create and edit ---------------------
# Seeded board 1 (PRJ, the first project) has sprints 1-6 closed, 7 active, 8 and 9 future.
SPRINT = "customfield_10021"
CLOSED_SPRINT = "Issue can be assigned only active or future sprints."
SUBTASK_SPRINT = "The sprint of a sub-task cannot be set: it follows the sprint of its parent."
ROOTS = {"acme": CLOUD, "corp": DC}
SEARCH = {"acme": "/sites/acme/rest/api/2/search/jql", "corp": "/dc/corp/rest/api/2/search"}
WHERE = pytest.mark.parametrize("where", ["acme", "corp"])


def _instance(sandbox: Sandbox, where: str) -> Instance:
    return sandbox.sites.get(where) or sandbox.dcs[where]


def _parent_and_subtask(inst: Instance) -> tuple[Issue, Issue]:
    project = inst.projects[min(inst.projects)]
    for issue in sorted(inst.issues.values(), key=lambda i: i.id):
        subs = inst.subtasks(issue.id)
        if issue.project_id == project.id and issue.parent_id is None and subs:
            return issue, subs[0]
    raise AssertionError("the seed has no parent with a subtask in the first project")


async def _keys(client: httpx.AsyncClient, where: str, headers: dict[str, str], jql: str) -> set[str]:
    params: dict[str, str | int] = {"jql": jql, "fields": "key", "maxResults": 100}
    r = await client.get(SEARCH[where], params=params, headers=headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert not page.get("nextPageToken")  # one page holds them
    assert page.get("total", 0) <= 100
    return {i["key"] for i in page["issues"]}


async def _latest(client: httpx.AsyncClient, where: str, headers: dict[str, str], key: str) -> Any:
    """The issue's newest changelog entry as ``expand=changelog`` shows it (None: no entry)."""
    r = await client.get(f"{ROOTS[where]}/issue/{key}", params={"expand": "changelog"}, headers=headers)
    assert r.status_code == 200, r.text
    histories = r.json()["changelog"]["histories"]
    if not histories:
        return None
    return histories[0] if where == "acme" else histories[-1]  # Cloud lists newest first


@WHERE
@pytest.mark.parametrize("form", ["fields", "update"])
async def test_setting_the_sprint_moves_the_issue_and_keeps_closed_history(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str, form: str
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    parent, sub = _parent_and_subtask(inst)
    parent.custom[SPRINT], sub.custom[SPRINT] = [1, 2, 7], [1, 2, 7]
    before = len(parent.changelog)
    body = {"fields": {SPRINT: 8}} if form == "fields" else {"update": {SPRINT: [{"set": "8"}]}}
    r = await client.put(f"{ROOTS[where]}/issue/{parent.key}", json=body, headers=alice)
    assert r.status_code == 204, r.text
    assert parent.custom[SPRINT] == [1, 2, 8]  # the active sprint replaced, the closed ones kept
    assert sub.custom[SPRINT] == [1, 2, 8]  # the subtask follows its parent
    assert len(parent.changelog) == before + 1
    (item,) = (await _latest(client, where, alice, parent.key))["items"]
    assert (item["field"], item["fieldId"], item["fieldtype"]) == ("Sprint", SPRINT, "custom")
    names = {s: inst.sprints[s].name for s in (1, 2, 7, 8)}
    assert (item["from"], item["fromString"]) == ("1, 2, 7", f"{names[1]}, {names[2]}, {names[7]}")
    assert (item["to"], item["toString"]) == ("1, 2, 8", f"{names[1]}, {names[2]}, {names[8]}")
    sub_item = (await _latest(client, where, alice, sub.key))["items"][0]
    assert (sub_item["from"], sub_item["to"]) == ("1, 2, 7", "1, 2, 8")
    # JQL sees the move at once.
    assert {parent.key, sub.key} <= await _keys(client, where, alice, "sprint = 8")
    assert not {parent.key, sub.key} & await _keys(client, where, alice, "sprint = 7")
    assert {parent.key, sub.key} <= await _keys(client, where, alice, "sprint = 1")
    # Setting the sprint it is already in changes nothing and records nothing.
    r = await client.put(f"{ROOTS[where]}/issue/{parent.key}", json={"fields": {SPRINT: 8}}, headers=alice)
    assert r.status_code == 204, r.text
    assert len(parent.changelog) == before + 1


@WHERE
async def test_setting_the_sprint_to_null_moves_the_issue_to_the_backlog(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    parent, sub = _parent_and_subtask(inst)
    parent.custom[SPRINT], sub.custom[SPRINT] = [3, 7], [3, 7]
    r = await client.put(f"{ROOTS[where]}/issue/{parent.key}", json={"fields": {SPRINT: None}}, headers=alice)
    assert r.status_code == 204, r.text
    assert (parent.custom[SPRINT], sub.custom[SPRINT]) == ([3], [3])
    item = (await _latest(client, where, alice, parent.key))["items"][0]
    assert (item["fieldId"], item["from"], item["to"]) == (SPRINT, "3, 7", "3")
    assert parent.key not in await _keys(client, where, alice, "sprint in openSprints()")
    assert parent.key in await _keys(client, where, alice, "sprint in closedSprints()")
    # With no closed sprint either, the field is empty.
    r = await client.put(
        f"{ROOTS[where]}/issue/{parent.key}", json={"update": {SPRINT: [{"set": 9}]}}, headers=alice
    )
    assert r.status_code == 204, r.text
    parent.custom[SPRINT] = [9]
    r = await client.put(
        f"{ROOTS[where]}/issue/{parent.key}", json={"update": {SPRINT: [{"set": None}]}}, headers=alice
    )
    assert r.status_code == 204, r.text
    assert SPRINT not in parent.custom
    got = await client.get(f"{ROOTS[where]}/issue/{parent.key}", params={"fields": SPRINT}, headers=alice)
    assert got.json()["fields"][SPRINT] is None


@WHERE
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2, CLOSED_SPRINT),
        (999, "Sprint with id 999 does not exist."),
        ("soon", "Number value expected as the Sprint id."),
        ([8], "Number value expected as the Sprint id."),
    ],
)
async def test_a_closed_or_unknown_sprint_is_a_field_error(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str, value: Any, message: str
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    parent, _ = _parent_and_subtask(inst)
    parent.custom[SPRINT] = [1, 7]
    before = len(parent.changelog)
    r = await client.put(
        f"{ROOTS[where]}/issue/{parent.key}",
        json={"fields": {SPRINT: value, "summary": "Changed"}},
        headers=alice,
    )
    assert r.status_code == 400, r.text
    assert r.json() == {"errorMessages": [], "errors": {SPRINT: message}}
    assert parent.custom[SPRINT] == [1, 7]
    assert parent.summary != "Changed"  # nothing of a refused edit is written
    assert len(parent.changelog) == before


@WHERE
@pytest.mark.parametrize("value", [8, None])
async def test_a_subtasks_sprint_cannot_be_set(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str, value: int | None
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    _, sub = _parent_and_subtask(inst)
    sub.custom[SPRINT] = [7]
    r = await client.put(f"{ROOTS[where]}/issue/{sub.key}", json={"fields": {SPRINT: value}}, headers=alice)
    assert r.status_code == 400, r.text
    assert r.json()["errors"] == {SPRINT: SUBTASK_SPRINT}
    assert sub.custom[SPRINT] == [7]
    # Nor on creating one.
    parent = inst.issues[sub.parent_id or 0]
    body = {
        "fields": {
            "project": {"id": str(parent.project_id)}, "issuetype": {"name": "Subtask"},
            "parent": {"key": parent.key}, "summary": "Sub", SPRINT: 8,
        }
    }  # fmt: skip
    r = await client.post(f"{ROOTS[where]}/issue", json=body, headers=alice)
    assert r.status_code == 400, r.text
    assert r.json()["errors"] == {SPRINT: SUBTASK_SPRINT}


@WHERE
async def test_creating_an_issue_in_a_sprint(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    key = pkey(sandbox, where)
    made = await create(client, alice, ROOTS[where], key, **{SPRINT: 7})
    issue = inst.issues[int(made["id"])]
    assert issue.custom[SPRINT] == [7]
    assert made["key"] in await _keys(client, where, alice, "sprint = 7")
    assert await _latest(client, where, alice, made["key"]) is None  # creation is no changelog entry
    body = {"fields": {"project": {"key": key}, "issuetype": {"name": "Task"}, "summary": "Late", SPRINT: 3}}
    r = await client.post(f"{ROOTS[where]}/issue", json=body, headers=alice)
    assert r.status_code == 400, r.text
    assert r.json()["errors"] == {SPRINT: CLOSED_SPRINT}
    # Bulk create refuses the closed sprint per element and creates the rest.
    ok = {"fields": {**body["fields"], SPRINT: 8}}
    r = await client.post(f"{ROOTS[where]}/issue/bulk", json={"issueUpdates": [ok, body]}, headers=alice)
    assert r.status_code == 201, r.text
    (good,), (bad,) = r.json()["issues"], r.json()["errors"]
    assert inst.issues[int(good["id"])].custom[SPRINT] == [8]
    assert bad["failedElementNumber"] == 1
    assert bad["elementErrors"]["errors"] == {SPRINT: CLOSED_SPRINT}


# -- a subtask takes its parent's sprint when it gets the parent ---------------------
def _standalone(inst: Instance, *exclude: Issue) -> list[Issue]:
    """Issues of the first project that can parent a subtask (no parent, not an epic, not a subtask)."""
    project = inst.projects[min(inst.projects)]
    return [
        i
        for i in sorted(inst.issues.values(), key=lambda i: i.id)
        if i.project_id == project.id
        and i.parent_id is None
        and inst.issue_types[i.issue_type_id].hierarchy_level == 0
        and i.id not in {e.id for e in exclude}
    ]


@WHERE
async def test_a_subtask_created_under_a_parent_takes_its_open_sprint(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    in_sprint, in_backlog = _standalone(inst)[:2]
    in_sprint.custom[SPRINT] = [1, 7]
    in_backlog.custom[SPRINT] = [2]  # closed history only: in the backlog
    made = {}
    for parent in (in_sprint, in_backlog):
        body = {
            "fields": {
                "project": {"id": str(parent.project_id)}, "issuetype": {"name": "Subtask"},
                "parent": {"key": parent.key}, "summary": "Sub",
            }
        }  # fmt: skip
        r = await client.post(f"{ROOTS[where]}/issue", json=body, headers=alice)
        assert r.status_code == 201, r.text
        made[parent.key] = inst.issues[int(r.json()["id"])]
    sub = made[in_sprint.key]
    assert sub.custom[SPRINT] == [7]  # the open sprint only: the parent's history is not the subtask's
    assert sub.key in await _keys(client, where, alice, "sprint = 7")
    assert sub.key not in await _keys(client, where, alice, "sprint = 1")
    assert await _latest(client, where, alice, sub.key) is None  # creation is no changelog entry
    assert SPRINT not in made[in_backlog.key].custom


@WHERE
async def test_a_reparented_subtask_takes_its_new_parents_open_sprint(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    old_parent, sub = _parent_and_subtask(inst)
    new_parent, backlog_parent = _standalone(inst, old_parent)[:2]
    old_parent.custom[SPRINT], sub.custom[SPRINT] = [2, 7], [2, 7]
    new_parent.custom[SPRINT] = [3, 8]
    backlog_parent.custom.pop(SPRINT, None)

    async def reparent(parent: Issue) -> None:
        body = {"fields": {"parent": {"key": parent.key}}}
        r = await client.put(f"{ROOTS[where]}/issue/{sub.key}", json=body, headers=alice)
        assert r.status_code == 204, r.text
        assert sub.parent_id == parent.id

    await reparent(new_parent)
    assert sub.custom[SPRINT] == [2, 8]  # its own closed sprint kept, the parent's open one taken
    items = {i["fieldId"]: i for i in (await _latest(client, where, alice, sub.key))["items"]}
    assert set(items) == {"parent", SPRINT}  # one entry: the parent change and the sprint it brought
    assert (items[SPRINT]["from"], items[SPRINT]["to"]) == ("2, 7", "2, 8")
    assert sub.key in await _keys(client, where, alice, "sprint = 8")
    assert sub.key not in await _keys(client, where, alice, "sprint = 7")
    assert sub.key in await _keys(client, where, alice, "sprint = 2")
    assert new_parent.custom[SPRINT] == [3, 8]  # the parent is not moved
    # Onto a parent in the backlog: the subtask leaves its open sprint too.
    await reparent(backlog_parent)
    assert sub.custom[SPRINT] == [2]
    assert sub.key not in await _keys(client, where, alice, "sprint in openSprints()")
    # The subtask then moves with its new parent.
    r = await client.put(
        f"{ROOTS[where]}/issue/{backlog_parent.key}", json={"fields": {SPRINT: 9}}, headers=alice
    )
    assert r.status_code == 204, r.text
    assert sub.custom[SPRINT] == [2, 9]


@WHERE
async def test_an_epics_child_does_not_take_the_epics_sprint(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    key = pkey(sandbox, where)
    epic = inst.issues[
        int((await create(client, alice, ROOTS[where], key, issuetype={"name": "Epic"}))["id"])
    ]
    epic.custom[SPRINT] = [7]
    made = await create(
        client, alice, ROOTS[where], key, issuetype={"name": "Story"}, parent={"key": epic.key}
    )
    story = inst.issues[int(made["id"])]
    assert story.parent_id == epic.id
    assert SPRINT not in story.custom
    other = inst.issues[int((await create(client, alice, ROOTS[where], key))["id"])]
    other.custom[SPRINT] = [8]
    r = await client.put(
        f"{ROOTS[where]}/issue/{other.key}", json={"fields": {"parent": {"key": epic.key}}}, headers=alice
    )
    assert r.status_code == 204, r.text
    assert (other.parent_id, other.custom[SPRINT]) == (epic.id, [8])


# -- the issue hierarchy on edit -------------------------------------------------------
NO_PARENT = "Issue type is a sub-task but parent issue key or id not specified."
WRONG_LEVEL = "Given parent work item does not belong to appropriate hierarchy."
OTHER_PROJECT = "A sub-task must be in the same project as its parent."
OWN_ANCESTOR = "An issue cannot be its own parent, nor the parent of an issue above it."


@WHERE
async def test_editing_the_parent_follows_the_hierarchy(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    inst, alice, root = _instance(sandbox, where), as_user(where, "alice"), ROOTS[where]
    parent, sub = _parent_and_subtask(inst)
    key = pkey(sandbox, where)
    other_key = next(p.key for p in inst.projects.values() if p.key != key)
    epic = (await create(client, alice, root, key, issuetype={"name": "Epic"}))["key"]
    story = (await create(client, alice, root, key, issuetype={"name": "Story"}, parent={"key": epic}))["key"]
    task = (await create(client, alice, root, key))["key"]
    elsewhere = (await create(client, alice, root, other_key))["key"]
    sibling = (
        await create(client, alice, root, key, issuetype={"name": "Subtask"}, parent={"key": parent.key})
    )["key"]

    cases: list[tuple[str, Any, str]] = [
        (sub.key, {"key": sibling}, WRONG_LEVEL),  # a subtask under a subtask
        (sub.key, {"key": epic}, WRONG_LEVEL),  # a subtask under an epic
        (sub.key, {"key": elsewhere}, OTHER_PROJECT),
        (sub.key, None, NO_PARENT),  # a subtask keeps a parent
        (story, {"key": task}, WRONG_LEVEL),  # a story under a standard issue
        (epic, {"key": story}, OWN_ANCESTOR),  # the epic under its own child
        (parent.key, {"key": sub.key}, OWN_ANCESTOR),  # an issue under its own subtask
        (task, {"key": task}, OWN_ANCESTOR),
    ]
    for ref, value, message in cases:
        issue = inst.find_issue(ref)
        assert issue is not None
        before = (issue.parent_id, len(issue.changelog))
        for body in ({"fields": {"parent": value}}, {"update": {"parent": [{"set": value}]}}):
            r = await client.put(f"{root}/issue/{ref}", json=body, headers=alice)
            assert r.status_code == 400, (ref, value, r.text)
            assert r.json() == {"errorMessages": [], "errors": {"parent": message}}, (ref, value)
            assert (issue.parent_id, len(issue.changelog)) == before

    # What the hierarchy allows still goes through: a subtask to another standard issue, a task to an epic.
    r = await client.put(f"{root}/issue/{sub.key}", json={"fields": {"parent": {"key": task}}}, headers=alice)
    assert r.status_code == 204, r.text
    r = await client.put(
        f"{root}/issue/{task}", json={"update": {"parent": [{"set": {"key": epic}}]}}, headers=alice
    )
    assert r.status_code == 204, r.text
    epic_issue, task_issue = inst.find_issue(epic), inst.find_issue(task)
    assert epic_issue is not None
    assert task_issue is not None
    assert (sub.parent_id, task_issue.parent_id) == (task_issue.id, epic_issue.id)
    # Changing the type alone is checked against the parent it keeps.
    r = await client.put(
        f"{root}/issue/{task}", json={"fields": {"issuetype": {"name": "Subtask"}}}, headers=alice
    )
    assert (r.status_code, r.json()["errors"]) == (400, {"parent": WRONG_LEVEL})


@WHERE
async def test_creating_follows_the_same_hierarchy(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    inst, alice, root = _instance(sandbox, where), as_user(where, "alice"), ROOTS[where]
    key = pkey(sandbox, where)
    other_key = next(p.key for p in inst.projects.values() if p.key != key)
    epic = (await create(client, alice, root, key, issuetype={"name": "Epic"}))["key"]
    elsewhere = (await create(client, alice, root, other_key))["key"]
    for parent, message in ((epic, WRONG_LEVEL), (elsewhere, OTHER_PROJECT), (None, NO_PARENT)):
        fields: dict[str, Any] = {"project": {"key": key}, "issuetype": {"name": "Subtask"}, "summary": "S"}
        if parent is not None:
            fields["parent"] = {"key": parent}
        r = await client.post(f"{root}/issue", json={"fields": fields}, headers=alice)
        assert r.status_code == 400, r.text
        assert r.json()["errors"] == {"parent": message}
