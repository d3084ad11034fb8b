"""Dashboards: the system dashboard, listing pages, dashboard/search, CRUD and copy."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from jiragw.sandbox import Sandbox

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
DC = "/dc/corp/rest/api/2"


async def _create(client: httpx.AsyncClient, headers: dict[str, str], name: str, **body: object) -> dict:
    payload = {"name": name, "sharePermissions": [], "editPermissions": [], **body}
    r = await client.post(f"{CLOUD}/dashboard", json=payload, headers=headers)
    assert r.status_code == 200, r.text
    data: dict = r.json()
    return data


async def test_system_dashboard_exists_on_both_flavors(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.get(f"{CLOUD}/dashboard/10000", headers=as_user("acme", "bob"))
    assert r.status_code == 200
    d = r.json()
    assert d["id"] == "10000"
    assert d["name"] == "Default dashboard"
    assert d["systemDashboard"] is True
    assert d["isWritable"] is False
    assert "owner" not in d
    assert d["sharePermissions"] == [{"id": 10000, "type": "global"}]
    r = await client.get(f"{DC}/dashboard/10000", headers=as_user("corp", "bob"))
    assert r.json()["name"] == "System Dashboard"
    assert r.json()["view"].endswith("/secure/Dashboard.jspa?selectPageId=10000")
    assert "systemDashboard" not in r.json()


async def test_unknown_dashboard_is_404(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.get(f"{CLOUD}/dashboard/424242", headers=as_user("acme", "bob"))
    assert r.status_code == 404
    assert r.json()["errorMessages"] == ["The dashboard with id '424242' does not exist."]


async def test_create_update_delete(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice, bob = as_user("acme", "alice"), as_user("acme", "bob")
    made = await _create(client, alice, "Team board", description="Our work")
    assert made["owner"]["displayName"] == "Alice Anders"
    assert made["isWritable"] is True
    assert made["popularity"] == 0
    assert made["description"] == "Our work"
    assert made["view"].endswith(f"/jira/dashboards/{made['id']}")
    # Private: bob cannot see it until it is shared.
    assert (await client.get(f"{CLOUD}/dashboard/{made['id']}", headers=bob)).status_code == 404
    r = await client.put(
        f"{CLOUD}/dashboard/{made['id']}",
        json={"name": "Team board", "sharePermissions": [{"type": "loggedin"}], "editPermissions": []},
        headers=alice,
    )
    assert r.status_code == 200
    assert r.json()["sharePermissions"][0]["type"] == "loggedin"
    seen = await client.get(f"{CLOUD}/dashboard/{made['id']}", headers=bob)
    assert seen.status_code == 200
    assert seen.json()["isWritable"] is False
    r = await client.put(
        f"{CLOUD}/dashboard/{made['id']}",
        json={"name": "Mine now", "sharePermissions": [], "editPermissions": []},
        headers=bob,
    )
    assert r.status_code == 403
    r = await client.put(
        f"{CLOUD}/dashboard/10000",
        json={"name": "x", "sharePermissions": [], "editPermissions": []},
        headers=alice,
    )
    assert r.status_code == 403  # the system dashboard is not editable here
    assert (await client.delete(f"{CLOUD}/dashboard/{made['id']}", headers=alice)).status_code == 204
    assert int(made["id"]) not in sandbox.sites["acme"].dashboards


async def test_create_needs_a_name(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.post(
        f"{CLOUD}/dashboard",
        json={"sharePermissions": [], "editPermissions": []},
        headers=as_user("acme", "alice"),
    )
    assert r.status_code == 400
    assert "name" in r.json()["errors"]


async def test_edit_permission_grants_writes(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice, bob = as_user("acme", "alice"), as_user("acme", "bob")
    bob_id = sandbox.sites["acme"].find_user("bob").account_id  # type: ignore[union-attr]
    made = await _create(
        client, alice, "Shared", editPermissions=[{"type": "user", "user": {"accountId": bob_id}}]
    )
    r = await client.get(f"{CLOUD}/dashboard/{made['id']}", headers=bob)
    assert r.status_code == 200
    assert r.json()["isWritable"] is True
    assert r.json()["editPermissions"][0]["user"]["accountId"] == bob_id


async def test_get_all_dashboards_pages_and_filters(client: httpx.AsyncClient, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    for n in range(3):
        await _create(client, alice, f"Board {n}")
    r = await client.get(f"{CLOUD}/dashboard", params={"maxResults": 2}, headers=alice)
    page = r.json()
    assert page["total"] == 4
    assert page["startAt"] == 0
    assert page["maxResults"] == 2
    assert next(d["id"] for d in page["dashboards"]) == "10000"
    assert "next" in page
    assert "prev" not in page
    r = await client.get(f"{CLOUD}/dashboard", params={"startAt": 2, "maxResults": 2}, headers=alice)
    assert "prev" in r.json()
    assert "next" not in r.json()
    mine = (await client.get(f"{CLOUD}/dashboard", params={"filter": "my"}, headers=alice)).json()
    assert mine["total"] == 3
    favs = (await client.get(f"{CLOUD}/dashboard", params={"filter": "favourite"}, headers=alice)).json()
    assert favs["total"] == 0
    assert (
        await client.get(f"{CLOUD}/dashboard", params={"filter": "all"}, headers=alice)
    ).status_code == 400


async def test_dashboard_search(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    await _create(client, alice, "Zeta")
    await _create(client, alice, "alpha", description="first")
    r = await client.get(f"{CLOUD}/dashboard/search", headers=alice)
    page = r.json()
    assert [v["name"] for v in page["values"]] == ["alpha", "Default dashboard", "Zeta"]
    assert set(page["values"][0]) == {"id", "name", "self", "systemDashboard"}
    alice_id = sandbox.sites["acme"].find_user("alice").account_id  # type: ignore[union-attr]
    r = await client.get(
        f"{CLOUD}/dashboard/search",
        params={"accountId": alice_id, "expand": "description,owner", "orderBy": "-name"},
        headers=alice,
    )
    values = r.json()["values"]
    assert [v["name"] for v in values] == ["Zeta", "alpha"]
    assert values[1]["description"] == "first"
    assert values[0]["owner"]["accountId"] == alice_id
    r = await client.get(f"{CLOUD}/dashboard/search", params={"dashboardName": "ZET"}, headers=alice)
    assert [v["name"] for v in r.json()["values"]] == ["Zeta"]
    r = await client.get(
        f"{CLOUD}/dashboard/search", params={"accountId": alice_id, "owner": "alice"}, headers=alice
    )
    assert r.status_code == 400


async def test_copy_dashboard(client: httpx.AsyncClient, as_user: Auth) -> None:
    bob = as_user("acme", "bob")
    r = await client.post(
        f"{CLOUD}/dashboard/10000/copy",
        json={"name": "My copy", "sharePermissions": [], "editPermissions": []},
        headers=bob,
    )
    assert r.status_code == 200
    copy = r.json()
    assert copy["name"] == "My copy"
    assert copy["id"] != "10000"
    assert copy["owner"]["displayName"] == "Bob Brown"
    r = await client.post(
        f"{CLOUD}/dashboard/999999/copy",
        json={"name": "x", "sharePermissions": [], "editPermissions": []},
        headers=bob,
    )
    assert r.status_code == 404


async def test_dc_has_no_dashboard_writes(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.post(
        f"{DC}/dashboard",
        json={"name": "x", "sharePermissions": [], "editPermissions": []},
        headers=as_user("corp", "alice"),
    )
    assert r.status_code in (404, 405)
