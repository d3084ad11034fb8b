"""Users: get, search (Cloud query vs DC username), assignable search, bulk get, picker."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox
from jiragw.sandbox.state.model import Project, User

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
CLOUD2 = "/sites/acme/rest/api/2"
DC = "/dc/corp/rest/api/2"
GDPR = ["The query parameter 'username' is not supported in GDPR strict mode."]


def _user(sandbox: Sandbox, key: str, where: str = "acme") -> User:
    inst = sandbox.sites.get(where) or sandbox.dcs[where]
    user = inst.find_user(key)
    assert user is not None
    return user


def _project(sandbox: Sandbox, where: str = "acme") -> Project:
    inst = sandbox.sites.get(where) or sandbox.dcs[where]
    return inst.projects[min(inst.projects)]


async def test_get_user_cloud(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    bob = _user(sandbox, "bob")
    headers = as_user("acme", "alice")
    r = await client.get(f"{CLOUD}/user", params={"accountId": bob.account_id}, headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert (body["accountId"], body["displayName"], body["emailAddress"]) == (
        bob.account_id,
        "Bob Brown",
        bob.email,
    )
    assert "name" not in body
    assert body["groups"]["size"] == 1
    gdpr = await client.get(f"{CLOUD}/user", params={"username": "bob"}, headers=headers)
    assert gdpr.status_code == 400
    assert gdpr.json()["errorMessages"] == GDPR
    missing = await client.get(f"{CLOUD}/user", params={"accountId": "nope"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == [
        "Specified user does not exist or you do not have required permissions"
    ]
    assert (await client.get(f"{CLOUD}/user", headers=headers)).status_code == 400


async def test_get_user_dc(client: httpx.AsyncClient, as_user: Auth) -> None:
    headers = as_user("corp", "alice")
    by_name = (await client.get(f"{DC}/user", params={"username": "BOB"}, headers=headers)).json()
    by_key = (await client.get(f"{DC}/user", params={"key": "bob"}, headers=headers)).json()
    assert by_name == by_key
    assert (by_name["name"], by_name["key"]) == ("bob", "bob")
    assert "accountId" not in by_name
    missing = await client.get(f"{DC}/user", params={"username": "ghost"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["The user named 'ghost' does not exist"]
    missing = await client.get(f"{DC}/user", params={"key": "ghost"}, headers=headers)
    assert missing.json()["errorMessages"] == ["The user with the key 'ghost' does not exist"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("bob", ["Bob Brown"]),
        ("BRO", ["Bob Brown"]),  # a later word of the display name
        ("carol@", ["Carol Chen"]),  # an email prefix
        ("a", ["Ada Admin", "Alice Anders"]),
        ("zz", []),
    ],
)
async def test_find_users_cloud_query(
    client: httpx.AsyncClient, as_user: Auth, query: str, names: list[str]
) -> None:
    r = await client.get(f"{CLOUD}/user/search", params={"query": query}, headers=as_user("acme", "bob"))
    assert r.status_code == 200
    assert [u["displayName"] for u in r.json()] == names


async def test_find_users_cloud_rules(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    headers = as_user("acme", "bob")
    assert (await client.get(f"{CLOUD}/user/search", headers=headers)).status_code == 400
    gdpr = await client.get(f"{CLOUD}/user/search", params={"username": "bob"}, headers=headers)
    assert gdpr.json()["errorMessages"] == GDPR
    erin = _user(sandbox, "erin")
    exact = await client.get(f"{CLOUD}/user/search", params={"accountId": erin.account_id}, headers=headers)
    assert [u["accountId"] for u in exact.json()] == [erin.account_id]
    erin.active = False
    hidden = await client.get(f"{CLOUD}/user/search", params={"query": "erin"}, headers=headers)
    assert hidden.json() == []
    paged = await client.get(
        f"{CLOUD}/user/search",
        params={"query": "example.com", "startAt": 1, "maxResults": 2},
        headers=headers,
    )
    assert paged.json() == []  # the query matches prefixes, not the middle of an address
    empty = await client.get(f"{CLOUD}/user/search", params={"query": "", "accountId": ""}, headers=headers)
    assert empty.status_code == 400


@pytest.mark.parametrize("path", ["/users/search", "/users"])
async def test_all_users_cloud(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, path: str) -> None:
    headers = as_user("acme", "bob")
    everyone = sorted(sandbox.sites["acme"].users.values(), key=lambda u: u.display_name.lower())
    _user(sandbox, "erin").active = False
    r = await client.get(f"{CLOUD}{path}", headers=headers)
    assert r.status_code == 200
    assert [u["accountId"] for u in r.json()] == [u.account_id for u in everyone]
    assert {u["active"] for u in r.json()} == {True, False}  # inactive users are listed too
    r = await client.get(f"{CLOUD2}{path}", params={"startAt": 1, "maxResults": 2}, headers=headers)
    assert [u["accountId"] for u in r.json()] == [u.account_id for u in everyone[1:3]]
    assert (await client.get(f"{CLOUD}{path}")).status_code == 401
    # Data Center lists users through ``user/search`` instead.
    assert (await client.get(f"{DC}{path}", headers=as_user("corp", "bob"))).status_code == 404


async def test_find_users_dc_username(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    headers = as_user("corp", "bob")
    r = await client.get(f"{DC}/user/search", params={"username": "dav"}, headers=headers)
    assert [u["name"] for u in r.json()] == ["dave"]
    # DC matches usernames too ("viewer" is Victor Viewer's username and last name).
    r = await client.get(f"{DC}/user/search", params={"username": "outs"}, headers=headers)
    assert [u["name"] for u in r.json()] == ["outsider"]
    missing = await client.get(f"{DC}/user/search", params={"query": "dave"}, headers=headers)
    assert missing.status_code == 400
    assert missing.json()["errorMessages"] == ["The username query parameter was not provided"]
    _user(sandbox, "dave", "corp").active = False
    assert (await client.get(f"{DC}/user/search", params={"username": "dav"}, headers=headers)).json() == []
    inactive = await client.get(
        f"{DC}/user/search", params={"username": "dav", "includeInactive": "true"}, headers=headers
    )
    assert [u["active"] for u in inactive.json()] == [False]
    page = await client.get(
        f"{DC}/user/search", params={"username": "@example.com", "maxResults": 3}, headers=headers
    )
    assert page.json() == []


async def test_assignable_users(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    project = _project(sandbox)
    headers = as_user("acme", "bob")
    url = f"{CLOUD}/user/assignable/search"
    r = await client.get(url, params={"project": project.key}, headers=headers)
    names = [u["displayName"] for u in r.json()]
    assert names == ["Ada Admin", "Alice Anders", "Bob Brown", "Carol Chen", "Dave Diaz", "Erin Evans"]
    assert "Victor Viewer" not in names  # may browse, not work on issues
    r = await client.get(url, params={"issueKey": f"{project.key}-1", "query": "car"}, headers=headers)
    assert [u["displayName"] for u in r.json()] == ["Carol Chen"]
    missing = await client.get(url, params={"project": "NOPE"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["errorMessages"] == ["No project could be found with key 'NOPE'."]
    issue_missing = await client.get(url, params={"issueKey": "NOPE-1"}, headers=headers)
    assert issue_missing.status_code == 404
    assert (await client.get(url, headers=headers)).status_code == 400
    dc = await client.get(
        f"{DC}/user/assignable/search",
        params={"project": _project(sandbox, "corp").key, "username": "er"},
        headers=as_user("corp", "bob"),
    )
    assert [u["name"] for u in dc.json()] == ["erin"]


async def test_bulk_assignable_users(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    keys = ",".join(p.key for p in sandbox.sites["acme"].projects.values())
    url = f"{CLOUD}/user/assignable/multiProjectSearch"
    r = await client.get(url, params={"projectKeys": keys, "query": "d"}, headers=as_user("acme", "bob"))
    assert [u["displayName"] for u in r.json()] == ["Dave Diaz"]
    assert (await client.get(url, headers=as_user("acme", "bob"))).status_code == 400
    r = await client.get(url, params={"projectKeys": f"{keys},NOPE"}, headers=as_user("acme", "bob"))
    assert r.status_code == 404


async def test_bulk_get_users(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    ids = [_user(sandbox, k).account_id for k in ("bob", "carol")]
    r = await client.get(
        f"{CLOUD}/user/bulk",
        params=[("accountId", ids[0]), ("accountId", ids[1]), ("accountId", "nobody")],
        headers=as_user("acme", "alice"),
    )
    page = r.json()
    assert [u["accountId"] for u in page["values"]] == ids
    assert (page["total"], page["maxResults"]) == (2, 10)
    assert (await client.get(f"{CLOUD}/user/bulk", headers=as_user("acme", "alice"))).status_code == 400
    assert (await client.get(f"{DC}/user/bulk", headers=as_user("corp", "alice"))).status_code == 404


async def test_user_picker(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    r = await client.get(f"{CLOUD}/user/picker", params={"query": "bo"}, headers=as_user("acme", "alice"))
    found = r.json()
    assert found["total"] == 1
    assert found["header"] == "Showing 1 of 1 matching users"
    (bob,) = found["users"]
    assert bob["accountId"] == _user(sandbox, "bob").account_id
    assert bob["html"] == "<strong>Bo</strong>b Brown - <strong>bo</strong>b@example.com"
    dc = await client.get(
        f"{DC}/user/picker",
        params={"query": "a", "exclude": "admin", "maxResults": 1},
        headers=as_user("corp", "bob"),
    )
    picked = dc.json()
    assert [u["name"] for u in picked["users"]] == ["alice"]
    assert picked["header"] == f"Showing 1 of {picked['total']} matching users"
    assert (await client.get(f"{DC}/user/picker", headers=as_user("corp", "bob"))).status_code == 400


@pytest.mark.parametrize("where", ["acme", "corp"])
async def test_a_user_avatar_is_a_png_for_a_signed_in_caller(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, where: str
) -> None:
    prefix = "/sites/acme" if where == "acme" else "/dc/corp"
    api = CLOUD if where == "acme" else DC
    myself = await client.get(f"{api}/myself", headers=as_user(where, "alice"))
    url = myself.json()["avatarUrls"]["32x32"]
    assert url.startswith(f"http://sandbox.test{prefix}/secure/useravatar?")
    r = await client.get(url, headers=as_user(where, "alice"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(r.content[16:20], "big") == 32  # the IHDR width
    assert (await client.get(url, headers=as_user(where, "alice"))).content == r.content
    anonymous = await client.get(url)
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("size", "pixels"), [("xsmall", 16), ("large", 48), ("", 48), ("odd", 48), ("9999", 128)]
)
async def test_a_user_avatar_takes_jiras_size_names(
    client: httpx.AsyncClient, as_user: Auth, size: str, pixels: int
) -> None:
    r = await client.get(
        "/dc/corp/secure/useravatar",
        params={"avatarId": "nobody", "size": size},
        headers=as_user("corp", "alice"),
    )
    assert r.status_code == 200  # an unknown owner gets a default picture, as in Jira
    assert int.from_bytes(r.content[16:20], "big") == pixels
