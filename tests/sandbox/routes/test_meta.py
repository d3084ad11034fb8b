"""Priorities, statuses, status categories, issue types and resolutions (lists, lookups, Cloud searches)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
DC = "/dc/corp/rest/api/2"


async def test_priorities(client: httpx.AsyncClient, as_user: Auth) -> None:
    cloud = (await client.get(f"{CLOUD}/priority", headers=as_user("acme", "viewer"))).json()
    assert [p["name"] for p in cloud] == ["Highest", "High", "Medium", "Low", "Lowest"]
    assert [p["name"] for p in cloud if p["isDefault"]] == ["Medium"]
    assert cloud[0]["statusColor"] == "#d04437"
    dc = (await client.get(f"{DC}/priority", headers=as_user("corp", "viewer"))).json()
    assert "isDefault" not in dc[0]
    one = (await client.get(f"{DC}/priority/2", headers=as_user("corp", "viewer"))).json()
    assert one["name"] == "High"
    assert one["self"].endswith("/rest/api/2/priority/2")
    missing = await client.get(f"{CLOUD}/priority/77", headers=as_user("acme", "viewer"))
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["The priority with id '77' does not exist"]


async def test_search_priorities_cloud_only(client: httpx.AsyncClient, as_user: Auth) -> None:
    headers = as_user("acme", "bob")
    page = (await client.get(f"{CLOUD}/priority/search", params={"maxResults": 2}, headers=headers)).json()
    assert [p["id"] for p in page["values"]] == ["1", "2"]
    assert (page["total"], page["isLast"]) == (5, False)
    named = (
        await client.get(f"{CLOUD}/priority/search", params={"priorityName": "low"}, headers=headers)
    ).json()
    assert [p["name"] for p in named["values"]] == ["Low", "Lowest"]
    default = await client.get(f"{CLOUD}/priority/search", params={"onlyDefault": "true"}, headers=headers)
    assert [p["name"] for p in default.json()["values"]] == ["Medium"]
    assert (await client.get(f"{DC}/priority/search", headers=as_user("corp", "bob"))).status_code == 404


@pytest.mark.parametrize("ref", ["3", "in progress", "In Progress"])
async def test_status_by_id_or_name(client: httpx.AsyncClient, as_user: Auth, ref: str) -> None:
    r = await client.get(f"{CLOUD}/status/{ref}", headers=as_user("acme", "bob"))
    assert r.status_code == 200
    assert (r.json()["id"], r.json()["name"]) == ("3", "In Progress")
    assert r.json()["statusCategory"]["key"] == "indeterminate"


async def test_statuses_and_categories(client: httpx.AsyncClient, as_user: Auth) -> None:
    headers = as_user("corp", "bob")
    statuses = (await client.get(f"{DC}/status", headers=headers)).json()
    assert [s["name"] for s in statuses] == ["To Do", "In Progress", "In Review", "Done"]
    assert (await client.get(f"{DC}/status/Nope", headers=headers)).status_code == 404
    categories = (await client.get(f"{DC}/statuscategory", headers=headers)).json()
    assert [(c["id"], c["key"]) for c in categories] == [
        (1, "undefined"),
        (2, "new"),
        (4, "indeterminate"),
        (3, "done"),
    ]
    by_key = (await client.get(f"{DC}/statuscategory/done", headers=headers)).json()
    by_id = (await client.get(f"{DC}/statuscategory/3", headers=headers)).json()
    assert by_key == by_id
    assert by_key["colorName"] == "green"
    assert (await client.get(f"{DC}/statuscategory/9", headers=headers)).status_code == 404


async def test_issue_types(client: httpx.AsyncClient, as_user: Auth) -> None:
    cloud = (await client.get(f"{CLOUD}/issuetype", headers=as_user("acme", "bob"))).json()
    assert [t["name"] for t in cloud] == ["Task", "Bug", "Story", "Epic", "Subtask"]
    assert [t["hierarchyLevel"] for t in cloud] == [0, 0, 0, 1, -1]
    dc = (await client.get(f"{DC}/issuetype/10005", headers=as_user("corp", "bob"))).json()
    assert dc["subtask"] is True
    assert "hierarchyLevel" not in dc
    missing = await client.get(f"{DC}/issuetype/1", headers=as_user("corp", "bob"))
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["The issue type with id '1' does not exist."]


async def test_resolutions(client: httpx.AsyncClient, as_user: Auth) -> None:
    headers = as_user("acme", "bob")
    listed = (await client.get(f"{CLOUD}/resolution", headers=headers)).json()
    assert [r["name"] for r in listed] == ["Done", "Won't Do", "Duplicate", "Cannot Reproduce"]
    one = (await client.get(f"{CLOUD}/resolution/10002", headers=headers)).json()
    assert one == listed[2]
    assert (await client.get(f"{CLOUD}/resolution/5", headers=headers)).status_code == 404
    page = (
        await client.get(f"{CLOUD}/resolution/search", params={"id": "10000,10003"}, headers=headers)
    ).json()
    assert [r["name"] for r in page["values"]] == ["Done", "Cannot Reproduce"]
    assert all(r["default"] is False for r in page["values"])
    assert (await client.get(f"{DC}/resolution/search", headers=as_user("corp", "bob"))).status_code == 404


async def test_metadata_needs_a_login(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{CLOUD}/priority")
    assert r.status_code == 401
