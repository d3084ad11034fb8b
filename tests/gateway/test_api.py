"""The management API ``/api/v1`` over the real store (SQLite and PostgreSQL) and the in-process sandbox."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from jiragw.keys import ADMIN_SCOPE

from .conftest import Env

pytestmark = pytest.mark.usefixtures("backend")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def admin_key(env: Env) -> str:
    secret, _ = env.key(preset="admin", name="admin")
    return secret


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return dict(body["error"])


def database_dump(env: Env) -> str:
    with env.store.engine.connect() as conn:
        return " ".join(
            str(row)
            for table in ("gateway_keys", "audit_events")
            for row in conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
        )


# -- auth ----------------------------------------------------------------------------------------


async def test_no_key_is_401_and_a_key_without_admin_is_403(env: Env) -> None:
    await env.connect_cloud()
    normal, _ = env.key(preset="full", name="worker")
    admin = admin_key(env)
    for path in ("/api/v1/connections", "/api/v1/keys", "/api/v1/audit", "/api/v1/keys/presets"):
        missing = await env.client.get(path)
        assert_error(missing, 401, "key_invalid")
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert_error(await env.client.get(path, headers=bearer("jgw_" + "x" * 43)), 401, "key_invalid")
        denied = assert_error(await env.client.get(path, headers=bearer(normal)), 403, "permission_denied")
        assert ADMIN_SCOPE in denied["message"]
        assert (await env.client.get(path, headers=bearer(admin))).status_code == 200
    # a key in the query string is never read
    assert_error(await env.client.get(f"/api/v1/keys?key={admin}"), 401, "key_invalid")


async def test_basic_password_carries_the_admin_key(env: Env) -> None:
    admin = admin_key(env)
    response = await env.client.get("/api/v1/keys", auth=("anyone", admin))
    assert response.status_code == 200


async def test_whoami_answers_any_valid_key(env: Env) -> None:
    normal, record = env.key(preset="read-only", name="reader")
    me = (await env.client.get("/api/v1/whoami", headers=bearer(normal))).json()
    assert me["admin"] is False
    assert me["key"]["id"] == record.id
    assert me["key"]["read_only"] is True
    assert "key" not in me["key"]
    me = (await env.client.get("/api/v1/whoami", headers=bearer(admin_key(env)))).json()
    assert me["admin"] is True
    assert me["key"]["scopes"] == [ADMIN_SCOPE]


async def test_an_admin_key_makes_no_jira_call(env: Env) -> None:
    await env.connect_cloud()
    admin = admin_key(env)
    before = env.upstream_calls()
    response = await env.client.get("/jira/acme/rest/api/3/myself", headers=bearer(admin))
    assert response.status_code >= 400
    assert env.upstream_calls() == before


# -- connections ---------------------------------------------------------------------------------


async def test_connections_list_show_test_revoke_delete(env: Env) -> None:
    await env.connect_cloud()
    await env.connect_dc()
    headers = bearer(admin_key(env))
    listed = (await env.client.get("/api/v1/connections", headers=headers)).json()
    assert [c["name"] for c in listed] == ["acme", "corp"]
    assert {c["status"] for c in listed} == {"active"}

    acme = (await env.client.get("/api/v1/connections/acme", headers=headers)).json()
    assert acme["method"] == "api_token"
    assert acme["site_url"] == env.demo["sites"]["acme"]["url"]
    assert_error(await env.client.get("/api/v1/connections/ghost", headers=headers), 404, "not_found")
    assert_error(await env.client.get("/api/v1/connections/bad name", headers=headers), 400, "invalid_input")
    assert_error(await env.client.get("/api/v1/connections/", headers=headers), 404, "not_found")

    tested = (await env.client.post("/api/v1/connections/acme/test", headers=headers)).json()
    assert tested["ok"] is True
    assert tested["display_name"] == env.user("alice")["display_name"]
    assert_error(await env.client.post("/api/v1/connections/ghost/test", headers=headers), 404, "not_found")

    revoked = await env.client.post("/api/v1/connections/corp/revoke", headers=headers)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    failed = (await env.client.post("/api/v1/connections/corp/test", headers=headers)).json()
    assert failed["ok"] is False
    assert failed["error"]["code"] == "revoked"
    again = await env.client.post("/api/v1/connections/corp/revoke", headers=headers)
    assert again.json()["status"] == "revoked"  # idempotent

    removed = await env.client.delete("/api/v1/connections/corp", headers=headers)
    assert removed.status_code == 204
    assert removed.content == b""
    assert_error(await env.client.get("/api/v1/connections/corp", headers=headers), 404, "not_found")
    assert_error(await env.client.delete("/api/v1/connections/corp", headers=headers), 404, "not_found")
    assert [c["name"] for c in (await env.client.get("/api/v1/connections", headers=headers)).json()] == [
        "acme"
    ]


# -- keys ----------------------------------------------------------------------------------------


async def test_a_created_key_is_shown_once_and_works(env: Env) -> None:
    await env.connect_cloud()
    headers = bearer(admin_key(env))
    created = await env.client.post(
        "/api/v1/keys",
        headers=headers,
        json={"name": "ci bot", "connections": ["acme"], "preset": "read-only", "expires_in_days": 30},
    )
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    body = created.json()
    secret = body["key"]
    assert re.fullmatch(r"jgw_[A-Za-z0-9_-]{43}", secret)
    assert secret.startswith(body["prefix"])
    assert created.headers["location"] == f"/api/v1/keys/{body['id']}"
    assert body["connections"] == ["acme"]
    assert body["read_only"] is True
    assert body["status"] == "active"
    assert body["expires_at"] is not None

    me = await env.client.get("/api/v1/whoami", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["key"]["id"] == body["id"]

    await env.gw.audit.flush()
    seen = [
        (await env.client.get("/api/v1/keys", headers=headers)).text,
        (await env.client.get(f"/api/v1/keys/{body['id']}", headers=headers)).text,
        (await env.client.get("/api/v1/keys/ci bot", headers=headers)).text,
        (await env.client.get("/api/v1/audit", headers=headers)).text,
        (await env.client.get("/docs")).text,
        database_dump(env),
    ]
    assert body["prefix"] in seen[0]
    for page in seen:
        assert secret not in page
    shown = (await env.client.get(f"/api/v1/keys/{body['id']}", headers=headers)).json()
    assert "key" not in shown
    assert shown["name"] == "ci bot"


async def test_key_creation_variants_and_input_errors(env: Env) -> None:
    await env.connect_cloud()
    headers = bearer(admin_key(env))

    async def create(payload: Any) -> httpx.Response:
        return await env.client.post("/api/v1/keys", headers=headers, json=payload)

    custom = await create(
        {"name": "c", "connections": ["*"], "scopes": ["read:jira-work"], "read_only": True}
    )
    assert custom.status_code == 201
    assert custom.json()["scopes"] == ["read:jira-work"]
    assert custom.json()["connections"] == ["*"]
    admin2 = await create({"name": "a2", "connections": ["*"], "preset": "admin"})
    assert admin2.json()["scopes"] == [ADMIN_SCOPE]
    later = await create(
        {
            "name": "dated",
            "connections": ["acme"],
            "preset": "full",
            "expires_at": "2999-01-01T00:00:00+02:00",
        }
    )
    assert later.json()["expires_at"].startswith("2998-12-31T22:00:00")

    key = {"name": "x", "connections": ["acme"]}
    cases: list[tuple[Any, int, str]] = [
        ({"connections": ["acme"], "preset": "full"}, 400, "invalid_input"),  # no name
        ({"name": "x", "connections": [], "preset": "full"}, 400, "invalid_input"),
        ({"name": "x", "connections": ["acme"]}, 400, "invalid_input"),  # no ceiling
        ({"name": "x", "connections": ["acme"], "preset": "root"}, 400, "invalid_input"),
        ({"name": "x", "connections": ["acme"], "scopes": ["root:everything"]}, 400, "invalid_input"),
        ({**key, "preset": "full", "scopes": ["read:jira-work"]}, 400, "invalid_input"),
        ({"name": "x", "connections": ["ghost"], "preset": "full"}, 404, "not_found"),
        ({"name": "x", "connections": ["a\u0000b"], "preset": "full"}, 400, "invalid_input"),
        ({"name": "a\u0000b", "connections": ["acme"], "preset": "full"}, 400, "invalid_input"),
        ({**key, "preset": "full", "expires_at": "2020-01-01T00:00:00Z"}, 400, "invalid_input"),
        ({**key, "preset": "full", "expires_at": "2999-01-01T00:00:00"}, 400, "invalid_input"),
        ({**key, "preset": "full", "expires_in_days": 0}, 400, "invalid_input"),
        ({**key, "preset": "full", "extra": 1}, 400, "invalid_input"),
        ("not an object", 400, "invalid_input"),
        ([], 400, "invalid_input"),
    ]  # fmt: skip
    for payload, status, code in cases:
        assert_error(await create(payload), status, code)
    raw = await env.client.post(
        "/api/v1/keys", headers={**headers, "content-type": "application/json"}, content=b"{not json"
    )
    assert_error(raw, 400, "invalid_input")
    names = sorted(k["name"] for k in (await env.client.get("/api/v1/keys", headers=headers)).json())
    assert names == ["a2", "admin", "c", "dated"]


async def test_revocation_takes_effect_at_once(env: Env) -> None:
    headers = bearer(admin_key(env))
    made = (
        await env.client.post(
            "/api/v1/keys", headers=headers, json={"name": "temp", "connections": ["*"], "preset": "full"}
        )
    ).json()
    secret = made["key"]
    assert (await env.client.get("/api/v1/whoami", headers=bearer(secret))).status_code == 200  # now cached
    revoked = await env.client.post("/api/v1/keys/temp/revoke", headers=headers)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revoked_at"] is not None
    assert_error(await env.client.get("/api/v1/whoami", headers=bearer(secret)), 401, "key_revoked")
    again = await env.client.post(f"/api/v1/keys/{made['id']}/revoke", headers=headers)
    assert again.status_code == 200  # idempotent
    assert_error(await env.client.post("/api/v1/keys/nope/revoke", headers=headers), 404, "not_found")
    assert_error(await env.client.get("/api/v1/keys/nope", headers=headers), 404, "not_found")


async def test_an_admin_key_can_revoke_itself(env: Env) -> None:
    headers = bearer(admin_key(env))
    assert (await env.client.post("/api/v1/keys/admin/revoke", headers=headers)).status_code == 200
    assert_error(await env.client.get("/api/v1/keys", headers=headers), 401, "key_revoked")


async def test_presets_are_listed(env: Env) -> None:
    presets = (await env.client.get("/api/v1/keys/presets", headers=bearer(admin_key(env)))).json()
    by_name = {p["name"]: p for p in presets}
    assert set(by_name) == {"read-only", "read-write-work", "full", "admin"}
    assert by_name["read-only"]["read_only"] is True
    assert all(s.startswith("read:") for s in by_name["read-only"]["scopes"])
    assert by_name["admin"]["scopes"] == [ADMIN_SCOPE]


# -- audit ---------------------------------------------------------------------------------------


async def test_mutations_are_audited_and_the_trail_is_searchable(env: Env) -> None:
    await env.connect_cloud()
    admin_secret, admin_record = env.key(preset="admin", name="admin")
    headers = bearer(admin_secret)
    normal, _ = env.key(preset="full", name="worker")
    await env.client.post(
        "/api/v1/keys", headers=headers, json={"name": "k1", "connections": ["acme"], "preset": "full"}
    )
    await env.client.post(
        "/api/v1/keys", headers=headers, json={"name": "k2", "connections": ["ghost"], "preset": "full"}
    )
    await env.client.post("/api/v1/keys/k1/revoke", headers=headers)
    await env.client.post("/api/v1/connections/acme/test", headers=headers)
    await env.client.post("/api/v1/keys/k1/revoke", headers=bearer(normal))  # denied: not admin
    await env.gw.audit.flush()

    async def search(**params: Any) -> dict[str, Any]:
        response = await env.client.get("/api/v1/audit", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    api_events = (await search(actor=f"key:{admin_record.id}"))["events"]
    actions = [(e["action"], e["outcome"], e["error_code"]) for e in api_events]
    assert ("api.key.create", "ok", None) in actions
    assert ("api.key.create", "error", "not_found") in actions
    assert ("api.key.revoke", "ok", None) in actions
    assert ("api.connection.test", "ok", None) in actions
    assert all(e["key_id"] == admin_record.id for e in api_events if e["action"].startswith("api."))
    ids = [e["id"] for e in api_events]
    assert ids == sorted(ids)

    only = (await search(action="api.key.revoke"))["events"]
    assert [e["target"] for e in only] == ["k1"]
    by_connection = (await search(connection="acme"))["events"]
    assert by_connection
    assert all(e["connection_id"] for e in by_connection)
    assert (await search(outcome="error", action="api.key.create"))["events"][0]["status_code"] == 404
    assert (await search(since="2999-01-01T00:00:00Z"))["events"] == []

    # the cursor walks every event exactly once
    everything = (await search(limit=1000))["events"]
    walked: list[int] = []
    cursor: int | None = None
    while True:
        page = await search(limit=2, **({"after_id": cursor} if cursor is not None else {}))
        walked += [e["id"] for e in page["events"]]
        cursor = page["next_after_id"]
        if cursor is None:
            break
    assert walked == [e["id"] for e in everything]

    # newest first, by the other cursor, walks the same events backwards
    newest = await search(order="newest", limit=3)
    assert [e["id"] for e in newest["events"]] == walked[::-1][:3]
    assert newest["next_after_id"] is None
    backwards: list[int] = []
    before: int | None = None
    while True:
        page = await search(order="newest", limit=2, **({"before_id": before} if before is not None else {}))
        backwards += [e["id"] for e in page["events"]]
        before = page["next_before_id"]
        assert page["next_after_id"] is None
        if before is None:
            break
    assert backwards == walked[::-1]
    window = await search(after_id=walked[0], before_id=walked[3])
    assert [e["id"] for e in window["events"]] == walked[1:3]

    for bad in (
        {"limit": 0},
        {"limit": 100000},
        {"after_id": -1},
        {"before_id": -1},
        {"order": "random"},
        {"since": "yesterday"},
        {"since": "2024-01-01T00:00:00"},
        {"actor": "a\x00"},
    ):
        assert_error(await env.client.get("/api/v1/audit", headers=headers, params=bad), 400, "invalid_input")


# -- the document and the page -------------------------------------------------------------------


async def test_openapi_document_and_docs_page(env: Env) -> None:
    doc = (await env.client.get("/api/v1/openapi.json")).json()
    assert doc["servers"] == [{"url": "/api/v1"}]
    operations = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    assert operations >= {
        ("GET", "/whoami"),
        ("GET", "/connections"),
        ("GET", "/connections/{name}"),
        ("POST", "/connections/{name}/test"),
        ("POST", "/connections/{name}/revoke"),
        ("DELETE", "/connections/{name}"),
        ("GET", "/keys"),
        ("POST", "/keys"),
        ("GET", "/keys/{ref}"),
        ("POST", "/keys/{ref}/revoke"),
        ("GET", "/audit"),
    }
    for item in doc["paths"].values():
        for op in item.values():
            assert "422" not in op["responses"]
            assert {"400", "401"} <= set(op["responses"])
    page = await env.client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    for path in (
        "/api/v1/keys",
        "/api/v1/connections/{name}/revoke",
        "/api/v1/audit",
        "/api/v1/openapi.json",
    ):
        assert path in html
    # self-contained: no script, no stylesheet or image from anywhere
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


async def test_unknown_api_paths_and_methods_use_the_error_shape(env: Env) -> None:
    headers = bearer(admin_key(env))
    assert_error(await env.client.get("/api/v1/nothing", headers=headers), 404, "not_found")
    assert_error(await env.client.put("/api/v1/keys", headers=headers), 405, "method_not_allowed")


async def test_api_answers_are_no_store_and_counted(env: Env) -> None:
    headers = bearer(admin_key(env))
    response = await env.client.get("/api/v1/keys", headers=headers)
    assert response.headers["cache-control"] == "no-store"
    await env.client.get("/api/v1/keys")
    metrics = env.gw.metrics.render().decode()
    assert 'jiragw_requests_total{door="api",method="GET",status="200"}' in metrics
    assert 'jiragw_requests_total{door="api",method="GET",status="401"}' in metrics
