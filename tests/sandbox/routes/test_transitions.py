"""Transitions: listing (with screen fields), performing, resolution handling, errors."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from jiragw.sandbox import Sandbox
from tests.sandbox.routes.test_issues import (
    CLOSED_SPRINT,
    CLOUD,
    CLOUD2,
    DC,
    ROOTS,
    SPRINT,
    SUBTASK_SPRINT,
    WHERE,
    _instance,
    _keys,
    _latest,
    _parent_and_subtask,
    create,
    pkey,
)

Auth = Callable[[str, str], dict[str, str]]


async def test_list_transitions(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD}/issue/{made['key']}/transitions"
    data = (await client.get(url, headers=alice)).json()
    by_id = {t["id"]: t for t in data["transitions"]}
    assert set(by_id) == {"21", "41"}  # from To Do: In Progress and Done (review needs In Progress)
    assert by_id["41"]["to"]["statusCategory"]["key"] == "done"
    assert by_id["41"]["hasScreen"] is True
    assert "fields" not in by_id["41"]
    data = (
        await client.get(url, params={"expand": "transitions.fields", "transitionId": "41"}, headers=alice)
    ).json()
    assert [t["id"] for t in data["transitions"]] == ["41"]
    resolution = data["transitions"][0]["fields"]["resolution"]
    assert resolution["required"] is False
    assert "Done" in [v["name"] for v in resolution["allowedValues"]]
    viewer = (await client.get(url, headers=as_user("acme", "viewer"))).json()
    assert viewer["transitions"] == []


async def test_transition_to_done_and_back(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    issue = sandbox.sites["acme"].find_issue(made["key"])
    assert issue is not None
    url = f"{CLOUD}/issue/{made['key']}/transitions"
    r = await client.post(url, json={"transition": {"id": "41"}}, headers=alice)
    assert r.status_code == 204, r.text
    f = (await client.get(f"{CLOUD}/issue/{made['key']}", headers=alice)).json()["fields"]
    assert f["status"]["name"] == "Done"
    assert f["resolution"]["name"] == "Done"
    assert f["resolutiondate"] is not None
    assert issue.text_cache is None
    r = await client.post(url, json={"transition": {"id": "11"}}, headers=alice)
    assert r.status_code == 204
    f = (await client.get(f"{CLOUD}/issue/{made['key']}", headers=alice)).json()["fields"]
    assert f["status"]["name"] == "To Do"
    assert f["resolution"] is None
    assert f["resolutiondate"] is None
    log = (await client.get(f"{CLOUD}/issue/{made['key']}/changelog", headers=alice)).json()["values"]
    assert [[(i["field"], i["fromString"], i["toString"]) for i in h["items"]] for h in log] == [
        [("status", "To Do", "Done"), ("resolution", None, "Done")],
        [("status", "Done", "To Do"), ("resolution", "Done", None)],
    ]


async def test_transition_with_resolution_and_comment(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    admin = as_user("corp", "admin")
    made = await create(client, admin, DC, pkey(sandbox, "corp"))
    body = {
        "transition": {"id": "41"},
        "fields": {"resolution": {"name": "Won't Do"}},
        "update": {"comment": [{"add": {"body": "Closing *now*"}}]},
    }
    r = await client.post(f"{DC}/issue/{made['key']}/transitions", json=body, headers=admin)
    assert r.status_code == 204, r.text
    f = (await client.get(f"{DC}/issue/{made['key']}", headers=admin)).json()["fields"]
    assert f["resolution"]["name"] == "Won't Do"
    assert f["comment"]["comments"][0]["body"] == "Closing *now*"


async def test_transition_errors(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD2}/issue/{made['key']}/transitions"
    r = await client.post(
        url, json={"transition": {"id": "31"}}, headers=alice
    )  # review only from In Progress
    assert r.status_code == 400
    assert r.json() == {"errorMessages": ["Transition id '31' is not valid for this issue."], "errors": {}}
    r = await client.post(url, json={}, headers=alice)
    assert r.status_code == 400
    r = await client.post(url, json={"transition": {"id": "21"}, "fields": {"summary": "x"}}, headers=alice)
    assert r.status_code == 400
    assert "summary" in r.json()["errors"]
    r = await client.post(url, json={"transition": {"id": "21"}}, headers=as_user("acme", "viewer"))
    assert r.status_code == 400
    issue = sandbox.sites["acme"].find_issue(made["key"])
    assert issue is not None
    assert issue.status_id == "10000"
    assert issue.changelog == []


@WHERE
async def test_a_transition_screen_setting_the_sprint_follows_the_sprint_rules(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    """The Sprint field on a transition moves the issue as the Agile API and an edit do."""
    inst, alice = _instance(sandbox, where), as_user(where, "alice")
    parent, sub = _parent_and_subtask(inst)
    parent.custom[SPRINT], sub.custom[SPRINT] = [1, 7], [1, 7]
    url = f"{ROOTS[where]}/issue/{parent.key}/transitions"
    first = (await client.get(url, headers=alice)).json()["transitions"][0]
    status, entries = parent.status_id, len(parent.changelog)
    # A closed sprint: a field error, and the transition does not happen either.
    r = await client.post(url, json={"transition": {"id": first["id"]}, "fields": {SPRINT: 2}}, headers=alice)
    assert r.status_code == 400, r.text
    assert r.json() == {"errorMessages": [], "errors": {SPRINT: CLOSED_SPRINT}}
    assert (parent.status_id, parent.custom[SPRINT], len(parent.changelog)) == (status, [1, 7], entries)
    # An open sprint: the issue moves (history kept), its subtask with it, in the transition's entry.
    r = await client.post(url, json={"transition": {"id": first["id"]}, "fields": {SPRINT: 8}}, headers=alice)
    assert r.status_code == 204, r.text
    assert parent.status_id == first["to"]["id"]
    assert (parent.custom[SPRINT], sub.custom[SPRINT]) == ([1, 8], [1, 8])
    items = {i["fieldId"]: i for i in (await _latest(client, where, alice, parent.key))["items"]}
    assert {"status", SPRINT} <= set(items)
    assert (items[SPRINT]["from"], items[SPRINT]["to"]) == ("1, 7", "1, 8")
    assert {parent.key, sub.key} <= await _keys(client, where, alice, "sprint = 8")
    # A subtask's own transition cannot set its sprint.
    sub_url = f"{ROOTS[where]}/issue/{sub.key}/transitions"
    sub_first = (await client.get(sub_url, headers=alice)).json()["transitions"][0]
    sub_status = sub.status_id
    r = await client.post(
        sub_url, json={"transition": {"id": sub_first["id"]}, "fields": {SPRINT: 9}}, headers=alice
    )
    assert r.status_code == 400, r.text
    assert r.json()["errors"] == {SPRINT: SUBTASK_SPRINT}
    assert (sub.status_id, sub.custom[SPRINT]) == (sub_status, [1, 8])
