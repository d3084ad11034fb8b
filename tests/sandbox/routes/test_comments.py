"""Comments: add, list (order, paging), get, update, delete, comment/list; v2 wiki vs v3 ADF."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox
from tests.sandbox.routes.test_issues import CLOUD, CLOUD2, DC, _adf, create, pkey

Auth = Callable[[str, str], dict[str, str]]


async def test_add_list_get_update_delete(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    issue = sandbox.sites["acme"].find_issue(made["key"])
    assert issue is not None
    url = f"{CLOUD}/issue/{made['key']}/comment"
    r = await client.post(url, json={"body": _adf("first")}, headers=alice)
    assert r.status_code == 201
    first = r.json()
    assert first["body"] == _adf("first")
    assert first["author"]["displayName"] == "Alice Anders"
    assert first["self"].endswith(f"/issue/{made['id']}/comment/{first['id']}")
    sandbox.clock.advance(5)
    r = await client.post(
        f"{CLOUD2}/issue/{made['key']}/comment", json={"body": "second *wiki*"}, headers=alice
    )
    assert r.status_code == 201
    second = r.json()
    assert second["body"] == "second *wiki*"
    page = (await client.get(url, headers=alice)).json()
    assert page["total"] == 2
    assert [c["id"] for c in page["comments"]] == [first["id"], second["id"]]
    assert page["comments"][1]["body"]["content"][0]["content"][1]["marks"] == [{"type": "strong"}]
    page = (await client.get(url, params={"orderBy": "-created", "maxResults": 1}, headers=alice)).json()
    assert [c["id"] for c in page["comments"]] == [second["id"]]
    assert page["maxResults"] == 1
    assert page["total"] == 2
    assert (await client.get(url, params={"orderBy": "author"}, headers=alice)).status_code == 400
    got = await client.get(f"{url}/{first['id']}", params={"expand": "renderedBody"}, headers=alice)
    assert got.json()["renderedBody"] == "<p>first</p>"
    issue.text_cache = "stale"
    r = await client.put(f"{url}/{first['id']}", json={"body": _adf("edited")}, headers=alice)
    assert r.status_code == 200
    assert r.json()["body"] == _adf("edited")
    assert issue.text_cache is None
    assert (await client.delete(f"{url}/{first['id']}", headers=alice)).status_code == 204
    r = await client.get(f"{url}/{first['id']}", headers=alice)
    assert r.status_code == 404
    assert [c.id for c in issue.comments] == [int(second["id"])]


async def test_comment_validation(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD}/issue/{made['key']}/comment"
    r = await client.post(url, json={"body": "plain string on v3"}, headers=alice)
    assert r.status_code == 400
    assert r.json()["errors"] == {"comment": "Operation value must be an Atlassian Document"}
    r = await client.post(f"{CLOUD2}/issue/{made['key']}/comment", json={"body": ""}, headers=alice)
    assert r.status_code == 400
    r = await client.post(url, json={"body": _adf("hi")}, headers=as_user("acme", "viewer"))
    assert r.status_code == 403
    r = await client.get(f"{CLOUD}/issue/NOPE-1/comment", headers=alice)
    assert r.status_code == 404


async def test_others_cannot_delete_without_permission(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD}/issue/{made['key']}/comment"
    cid = (await client.post(url, json={"body": _adf("mine")}, headers=alice)).json()["id"]
    r = await client.delete(f"{url}/{cid}", headers=as_user("acme", "bob"))  # bob lacks DELETE_ISSUES
    assert r.status_code == 400
    assert (await client.delete(f"{url}/{cid}", headers=as_user("acme", "admin"))).status_code == 204


async def test_comments_by_ids(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    made = await create(client, alice, CLOUD, pkey(sandbox))
    url = f"{CLOUD}/issue/{made['key']}/comment"
    ids = [(await client.post(url, json={"body": _adf(t)}, headers=alice)).json()["id"] for t in ("a", "b")]
    r = await client.post(f"{CLOUD}/comment/list", json={"ids": [int(ids[1]), 999999]}, headers=alice)
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["values"]] == [ids[1]]
    assert (await client.post(f"{CLOUD}/comment/list", json={"ids": []}, headers=alice)).status_code == 400
    r = await client.post(f"{DC}/comment/list", json={"ids": [1]}, headers=as_user("corp", "admin"))
    assert r.status_code == 404


async def test_dc_comment_is_wiki(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    admin = as_user("corp", "admin")
    made = await create(client, admin, DC, pkey(sandbox, "corp"))
    r = await client.post(f"{DC}/issue/{made['key']}/comment", json={"body": "h1. Hi"}, headers=admin)
    assert r.status_code == 201
    assert r.json()["body"] == "h1. Hi"
    assert r.json()["author"]["name"] == "admin"
    assert "jsdPublic" not in r.json()


@pytest.mark.parametrize(
    ("root", "where", "body"),
    [(CLOUD, "acme", _adf("x")), (CLOUD2, "acme", "x"), (DC, "corp", "x")],
    ids=["cloud-v3", "cloud-v2", "dc-v2"],
)
@pytest.mark.parametrize("empty", [{}, {"type": "", "value": ""}], ids=["braces", "blank"])
async def test_empty_visibility_means_none(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Auth,
    root: str,
    where: str,
    body: object,
    empty: dict[str, str],
) -> None:
    admin = as_user(where, "admin")
    made = await create(client, admin, root, pkey(sandbox, where))
    url = f"{root}/issue/{made['key']}/comment"
    r = await client.post(url, json={"body": body, "visibility": empty}, headers=admin)
    assert r.status_code == 201, r.text
    assert "visibility" not in r.json()
    restricted = {"type": "role", "value": "Administrators"}
    r = await client.post(url, json={"body": body, "visibility": restricted}, headers=admin)
    assert r.json()["visibility"]["value"] == "Administrators"
    # Editing with an empty visibility lifts the restriction.
    r = await client.put(f"{url}/{r.json()['id']}", json={"body": body, "visibility": empty}, headers=admin)
    assert r.status_code == 200, r.text
    assert "visibility" not in r.json()
    # A visibility that names only a type is still refused.
    r = await client.post(url, json={"body": body, "visibility": {"type": "role"}}, headers=admin)
    assert r.status_code == 400
