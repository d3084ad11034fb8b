"""Saved filters: CRUD, validation, visibility, favourites and filter/search, on Cloud and DC."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
DC = "/dc/corp/rest/api/2"
NOT_AVAILABLE = (
    "The selected filter is not available to you, perhaps it has been deleted or had its permissions changed."
)


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], base: str = CLOUD, **body: object
) -> dict:
    r = await client.post(
        f"{base}/filter", json={"name": "Mine", "jql": "project = PRJ", **body}, headers=headers
    )
    assert r.status_code == 200, r.text
    data: dict = r.json()
    return data


async def test_create_and_get_cloud(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await _create(client, alice, description="Open work", favourite=True)
    assert made["name"] == "Mine"
    assert made["jql"] == "project = PRJ"
    assert made["description"] == "Open work"
    assert made["owner"]["accountId"] == sandbox.sites["acme"].find_user("alice").account_id  # type: ignore[union-attr]
    assert made["favourite"] is True
    assert made["favouritedCount"] == 1
    assert made["self"].endswith(f"/rest/api/3/filter/{made['id']}")
    assert made["viewUrl"].endswith(f"/issues/?filter={made['id']}")
    assert made["searchUrl"].endswith("/rest/api/3/search/jql?jql=project%20%3D%20PRJ")
    assert made["sharePermissions"] == []
    assert made["editPermissions"] == []
    assert made["subscriptions"]["items"] == []
    got = await client.get(f"{CLOUD}/filter/{made['id']}", headers=alice)
    assert got.json() == made


async def test_dc_shape(client: httpx.AsyncClient, as_user: Auth) -> None:
    made = await _create(client, as_user("corp", "alice"), base=DC)
    assert made["owner"]["name"] == "alice"
    assert "accountId" not in made["owner"]
    assert made["searchUrl"].endswith("/rest/api/2/search?jql=project%20%3D%20PRJ")
    assert "requestId=" in made["viewUrl"]
    assert "description" not in made  # Jira leaves an empty description out


async def test_name_rules(client: httpx.AsyncClient, as_user: Auth) -> None:
    alice, bob = as_user("acme", "alice"), as_user("acme", "bob")
    await _create(client, alice)
    r = await client.post(f"{CLOUD}/filter", json={"name": "mine", "jql": "project = PRJ"}, headers=alice)
    assert r.status_code == 400
    assert r.json() == {
        "errorMessages": [],
        "errors": {"filterName": "Filter with same name already exists."},
    }
    await _create(client, bob)  # names are unique per owner only
    r = await client.post(f"{CLOUD}/filter", json={"jql": "project = PRJ"}, headers=alice)
    assert r.status_code == 400
    assert "filterName" in r.json()["errors"]


async def test_invalid_jql_is_reported_under_jql(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.post(
        f"{CLOUD}/filter", json={"name": "x", "jql": "project = = PRJ"}, headers=as_user("acme", "alice")
    )
    assert r.status_code == 400
    body = r.json()
    assert body["errorMessages"] == []
    assert body["errors"]["jql"].startswith("Error in the JQL Query")


async def test_unknown_and_private_filters_answer_400(client: httpx.AsyncClient, as_user: Auth) -> None:
    made = await _create(client, as_user("acme", "alice"))
    r = await client.get(f"{CLOUD}/filter/999999", headers=as_user("acme", "alice"))
    assert r.status_code == 400
    assert r.json()["errorMessages"] == [NOT_AVAILABLE]
    # A non-numeric id matches no resource at all (the path parameter is an int64).
    r = await client.get(f"{CLOUD}/filter/abc", headers=as_user("acme", "alice"))
    assert r.status_code == 404
    r = await client.get(f"{CLOUD}/filter/{made['id']}", headers=as_user("acme", "bob"))
    assert r.status_code == 400
    assert r.json()["errorMessages"] == [NOT_AVAILABLE]


async def test_sharing_makes_filters_visible(client: httpx.AsyncClient, as_user: Auth) -> None:
    alice, bob = as_user("acme", "alice"), as_user("acme", "bob")
    made = await _create(client, alice)
    r = await client.put(
        f"{CLOUD}/filter/{made['id']}",
        json={"name": "Mine", "sharePermissions": [{"type": "project", "project": {"id": "PRJ"}}]},
        headers=alice,
    )
    assert r.status_code == 200, r.text
    share = r.json()["sharePermissions"][0]
    assert share["type"] == "project"
    assert share["project"]["key"] == "PRJ"
    assert isinstance(share["id"], int)
    seen = await client.get(f"{CLOUD}/filter/{made['id']}", headers=bob)
    assert seen.status_code == 200
    # Seeing is not editing.
    r = await client.put(f"{CLOUD}/filter/{made['id']}", json={"name": "Hijacked"}, headers=bob)
    assert r.status_code == 400
    r = await client.put(
        f"{CLOUD}/filter/{made['id']}", json={"sharePermissions": [{"type": "nonsense"}]}, headers=alice
    )
    assert r.status_code == 400
    assert "sharePermissions" in r.json()["errors"]


async def test_update_and_delete(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await _create(client, alice)
    r = await client.put(
        f"{CLOUD}/filter/{made['id']}", json={"name": "Renamed", "jql": "project = PLAT"}, headers=alice
    )
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["jql"]) == ("Renamed", "project = PLAT")
    r = await client.put(f"{CLOUD}/filter/{made['id']}", json={"jql": "status = Nope"}, headers=alice)
    assert r.status_code == 400
    assert "jql" in r.json()["errors"]
    assert sandbox.sites["acme"].filters[int(made["id"])].jql == "project = PLAT"  # unchanged on failure
    bob = as_user("acme", "bob")
    assert (await client.delete(f"{CLOUD}/filter/{made['id']}", headers=bob)).status_code == 400
    assert (await client.delete(f"{CLOUD}/filter/{made['id']}", headers=alice)).status_code == 204
    assert (await client.get(f"{CLOUD}/filter/{made['id']}", headers=alice)).status_code == 400


def _board_filters(sandbox: Sandbox) -> set[str]:
    """The ids of the seeded boards' filters (shared with their projects, owned by the leads)."""
    return {str(b.filter_id) for b in sandbox.sites["acme"].boards.values()}


async def test_favourites_and_my_filters(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice, bob = as_user("acme", "alice"), as_user("acme", "bob")
    seeded = _board_filters(sandbox)
    a = await _create(client, alice, sharePermissions=[{"type": "global"}])
    b = await _create(client, bob, name="Bob's")
    assert (await client.get(f"{CLOUD}/filter/favourite", headers=bob)).json() == []
    r = await client.put(f"{CLOUD}/filter/{a['id']}/favourite", headers=bob)
    assert r.status_code == 200
    assert r.json()["favourite"] is True
    assert r.json()["favouritedCount"] == 1
    favs = (await client.get(f"{CLOUD}/filter/favourite", headers=bob)).json()
    assert [f["id"] for f in favs] == [a["id"]]
    mine = (await client.get(f"{CLOUD}/filter/my", headers=bob)).json()
    assert [f["id"] for f in mine if f["id"] not in seeded] == [b["id"]]
    both = (await client.get(f"{CLOUD}/filter/my", params={"includeFavourites": "true"}, headers=bob)).json()
    assert sorted(f["id"] for f in both if f["id"] not in seeded) == sorted([a["id"], b["id"]])
    r = await client.delete(f"{CLOUD}/filter/{a['id']}/favourite", headers=bob)
    assert r.status_code == 200
    assert r.json()["favourite"] is False
    assert (await client.get(f"{CLOUD}/filter/favourite", headers=bob)).json() == []


async def test_filter_search_paginates_and_expands(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice, bob = as_user("acme", "alice"), as_user("acme", "bob")
    seeded = _board_filters(sandbox)  # shared with their projects: alice sees them too
    for name in ("Charlie", "alpha", "Bravo"):
        await _create(client, alice, name=name)
    await _create(client, bob, name="Hidden")  # private to bob
    r = await client.get(f"{CLOUD}/filter/search", params={"maxResults": 2}, headers=alice)
    page = r.json()
    assert page["total"] == 3 + len(seeded)
    assert page["isLast"] is False
    assert "nextPage" in page
    assert [v["name"] for v in page["values"]] == ["alpha", "Bravo"]
    assert set(page["values"][0]) == {"expand", "self", "id", "name"}
    r = await client.get(
        f"{CLOUD}/filter/search",
        params={"filterName": "ARL", "expand": "owner,jql,favourite", "orderBy": "-name"},
        headers=alice,
    )
    values = r.json()["values"]
    assert [v["name"] for v in values] == ["Charlie"]
    assert {"owner", "jql", "favourite"} <= set(values[0])
    assert "viewUrl" not in values[0]
    r = await client.get(f"{CLOUD}/filter/search", params={"orderBy": "colour"}, headers=alice)
    assert r.status_code == 400
    r = await client.get(f"{CLOUD}/filter/search", params={"expand": "nope"}, headers=alice)
    assert r.status_code == 400


@pytest.mark.parametrize("path", ["/filter/search", "/filter/my"])
async def test_cloud_only_listings_are_absent_on_dc(
    client: httpx.AsyncClient, as_user: Auth, path: str
) -> None:
    r = await client.get(f"{DC}{path}", headers=as_user("corp", "alice"))
    assert r.status_code in (400, 404)  # /filter/{id} with a non-numeric id, or no route
