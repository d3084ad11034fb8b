"""Through the proxy: the avatar links it writes into JSON answers are served, as images, by scope."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from tests.gateway.conftest import GATEWAY, SANDBOX, Env

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _png_size(body: bytes) -> tuple[int, int]:
    assert body.startswith(PNG_SIGNATURE)
    assert body[12:16] == b"IHDR"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


async def _audit_rows(env: Env) -> list[Any]:
    await env.gw.audit.flush()
    with env.store.transaction() as tx:
        return [e for e in reversed(tx.audit.tail(1000)) if e.action == "proxy"]


async def _my_avatar(env: Env, secret: str) -> str:
    myself = await env.client.get("/jira/corp/rest/api/2/myself", headers=_bearer(secret))
    assert myself.status_code == 200
    url: str = myself.json()["avatarUrls"]["48x48"]
    assert url.startswith(f"{GATEWAY}/jira/corp/secure/useravatar?")
    return url


async def test_a_read_only_key_fetches_the_rewritten_user_avatar_on_data_center(env: Env) -> None:
    conn = await env.connect_dc()
    secret, record = env.key(preset="read-only")
    url = await _my_avatar(env, secret)

    response = await env.client.get(url, headers=_bearer(secret))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert _png_size(response.content) == (48, 48)
    # The same picture Jira shows a signed-in user; without credentials Jira refuses it,
    # so the gateway put the connection's PAT on the request.
    direct = url.replace(f"{GATEWAY}/jira/corp", f"{SANDBOX}/dc/corp")
    pat = env.user()["pat"]
    assert (await env.gw.http.get(direct, headers=_bearer(pat))).content == response.content
    assert (await env.gw.http.get(direct)).status_code == 401

    rows = await _audit_rows(env)
    assert (rows[-1].outcome, rows[-1].status_code, rows[-1].error_code) == ("ok", 200, None)
    assert (rows[-1].key_id, rows[-1].connection_id) == (record.id, conn.id)
    assert rows[-1].target == "/secure/useravatar"
    assert rows[-1].bytes_out == len(response.content)


async def test_head_answers_the_image_headers_only(env: Env) -> None:
    await env.connect_dc()
    secret, _ = env.key(preset="read-only")
    response = await env.client.head(await _my_avatar(env, secret), headers=_bearer(secret))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == b""


async def test_a_read_write_work_key_fetches_a_project_avatar(env: Env) -> None:
    await env.connect_dc()
    secret, _ = env.key(preset="read-write-work")
    issue = await env.client.get("/jira/corp/rest/api/2/issue/PRJ-1", headers=_bearer(secret))
    url = issue.json()["fields"]["project"]["avatarUrls"]["24x24"]
    assert url.startswith(f"{GATEWAY}/jira/corp/secure/projectavatar?")
    response = await env.client.get(url, headers=_bearer(secret))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert _png_size(response.content) == (24, 24)


async def test_a_key_without_user_read_scope_is_refused_before_jira(env: Env) -> None:
    await env.connect_dc()
    reader, _ = env.key(preset="read-only")
    url = await _my_avatar(env, reader)
    work_only, _ = env.key(scopes=["read:jira-work"], read_only=True, name="work only")
    before = env.upstream_calls()

    response = await env.client.get(url, headers=_bearer(work_only))

    assert response.status_code == 403
    body = response.json()
    assert body["jiragw"]["code"] == "scope_denied"
    assert body["jiragw"]["details"]["missing_scopes"] == ["read:jira-user"]
    assert env.upstream_calls() == before
    rows = await _audit_rows(env)
    assert (rows[-1].outcome, rows[-1].error_code) == ("denied", "scope_denied")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_other_methods_on_an_avatar_are_405(env: Env, method: str) -> None:
    await env.connect_dc()
    secret, _ = env.key()  # even an unrestricted key: the path itself is read-only
    before = env.upstream_calls()
    response = await env.client.request(
        method, "/jira/corp/secure/useravatar?avatarId=alice", headers=_bearer(secret), content=b"x"
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    body = response.json()
    assert body["jiragw"]["code"] == "method_not_allowed"
    assert body["errors"] == {}
    assert env.upstream_calls() == before


@pytest.mark.parametrize(
    "path",
    [
        "/jira/corp/secure/admin/ViewApplicationProperties.jspa",
        "/jira/corp/secure/useravatar/x",
        "/jira/corp/secure/Dashboard.jspa",
    ],
)
async def test_the_rest_of_secure_stays_closed(env: Env, path: str) -> None:
    await env.connect_dc()
    secret, _ = env.key()
    response = await env.client.get(path, headers=_bearer(secret))
    assert response.status_code == 400
    assert response.json()["jiragw"]["code"] == "path_rejected"


async def test_a_cloud_site_serves_its_avatars_too(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key(preset="read-only")
    project = await env.client.get("/jira/acme/rest/api/2/project/PRJ", headers=_bearer(secret))
    url = project.json()["avatarUrls"]["16x16"]
    assert url.startswith(f"{GATEWAY}/jira/acme/secure/projectavatar?")
    response = await env.client.get(url, headers=_bearer(secret))
    assert response.status_code == 200
    assert _png_size(response.content) == (16, 16)
