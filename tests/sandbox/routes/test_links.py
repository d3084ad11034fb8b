"""Issue links and link types: create, read from both ends, delete, changelog, errors."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from jiragw.sandbox import Sandbox
from tests.sandbox.routes.test_issues import CLOUD, DC, create, pkey

Auth = Callable[[str, str], dict[str, str]]


async def test_link_read_delete(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    a = await create(client, alice, CLOUD, pkey(sandbox))
    b = await create(client, alice, CLOUD, pkey(sandbox))
    body = {"type": {"name": "Blocks"}, "inwardIssue": {"key": a["key"]}, "outwardIssue": {"key": b["key"]}}
    links = sandbox.sites["acme"].links
    before = len(links)
    r = await client.post(f"{CLOUD}/issueLink", json=body, headers=alice)
    assert r.status_code == 201
    link_id = r.headers["Location"].rsplit("/", 1)[1]
    again = await client.post(f"{CLOUD}/issueLink", json=body, headers=alice)
    assert again.status_code == 201
    assert len(links) == before + 1  # the same link is not made twice
    fa = (
        await client.get(f"{CLOUD}/issue/{a['key']}", params={"fields": "issuelinks"}, headers=alice)
    ).json()
    fb = (
        await client.get(f"{CLOUD}/issue/{b['key']}", params={"fields": "issuelinks"}, headers=alice)
    ).json()
    (la,) = fa["fields"]["issuelinks"]
    (lb,) = fb["fields"]["issuelinks"]
    assert la["outwardIssue"]["key"] == b["key"]
    assert "inwardIssue" not in la
    assert lb["inwardIssue"]["key"] == a["key"]
    assert set(lb["inwardIssue"]["fields"]) >= {"summary", "status", "issuetype"}
    got = (await client.get(f"{CLOUD}/issueLink/{link_id}", headers=alice)).json()
    assert (got["inwardIssue"]["key"], got["outwardIssue"]["key"]) == (a["key"], b["key"])
    assert got["type"]["outward"] == "blocks"
    log = (await client.get(f"{CLOUD}/issue/{a['key']}/changelog", headers=alice)).json()["values"]
    assert log[-1]["items"][0]["toString"] == f"This issue blocks {b['key']}"
    assert (await client.delete(f"{CLOUD}/issueLink/{link_id}", headers=alice)).status_code == 204
    assert (await client.get(f"{CLOUD}/issueLink/{link_id}", headers=alice)).status_code == 404
    fa = (
        await client.get(f"{CLOUD}/issue/{a['key']}", params={"fields": "issuelinks"}, headers=alice)
    ).json()
    assert fa["fields"]["issuelinks"] == []


async def test_link_errors(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    a = await create(client, alice, CLOUD, pkey(sandbox))
    before = dict(sandbox.sites["acme"].links)
    body = {"type": {"name": "Nope"}, "inwardIssue": {"key": a["key"]}, "outwardIssue": {"key": a["key"]}}
    r = await client.post(f"{CLOUD}/issueLink", json=body, headers=alice)
    assert r.status_code == 404
    body = {"type": {"name": "Blocks"}, "inwardIssue": {"key": a["key"]}, "outwardIssue": {"key": "NOPE-1"}}
    r = await client.post(f"{CLOUD}/issueLink", json=body, headers=alice)
    assert r.status_code == 404
    assert (await client.get(f"{CLOUD}/issueLink/abc", headers=alice)).status_code == 400
    assert sandbox.sites["acme"].links == before


async def test_link_types(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.get(f"{DC}/issueLinkType", headers=as_user("corp", "admin"))
    names = [t["name"] for t in r.json()["issueLinkTypes"]]
    assert names == sorted(names)
    assert "Blocks" in names
    one = (await client.get(f"{DC}/issueLinkType/10000", headers=as_user("corp", "admin"))).json()
    assert one == {
        "id": "10000",
        "name": "Blocks",
        "inward": "is blocked by",
        "outward": "blocks",
        "self": "http://sandbox.test/dc/corp/rest/api/2/issueLinkType/10000",
    }
    assert (await client.get(f"{DC}/issueLinkType/1", headers=as_user("corp", "admin"))).status_code == 404
