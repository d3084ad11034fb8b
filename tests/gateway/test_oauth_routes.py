# ruff: noqa: F811 - the admin fixtures are imported from tests/gateway/admin/conftest.py
"""The outbound OAuth routes driven like a browser: start, the sandbox consent page, callback, site picker.

Covers Cloud 3LO (one site, several sites with the picker, re-authorization),
Data Center OAuth 2.0 and OAuth 1.0a, and every way a callback can be wrong
(tampered, missing or repeated state, replay, another admin's session, no
session, consent denied): each is a 4xx page with zero token-endpoint calls.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from jiragw.gateway.admin.pending import FLOW_TTL
from jiragw.sandbox import Sandbox
from jiragw.store import GrantStatus
from jiragw.store.models import OAuthState
from tests.gateway.admin.client import AdminClient, consent_to
from tests.gateway.admin.conftest import admin, sandbox, stranger, ui_env  # noqa: F401 - shared fixtures
from tests.gateway.conftest import GATEWAY, Env
from tests.store.conftest import FakeClock

START = "/v1/outbound/oauth/start"


def token_calls(sb: Sandbox) -> int:
    return sum(n for key, n in sb.counters.items() if key.operation.startswith("token"))


def app_of(env: Env, kind: str) -> dict[str, Any]:
    return next(a for a in env.demo["oauth_apps"] if a["kind"] == kind)


def cloud_id(env: Env, site: str) -> str:
    return str(env.demo["sites"][site]["cloud_id"])


async def start_3lo(env: Env, admin: AdminClient, name: str = "acme", **extra: str) -> str:
    """POST the Cloud OAuth form; the authorize URL the gateway redirects to."""
    form = {"kind": "3lo", "name": name, "scopes": "read:jira-work read:jira-user offline_access"}
    form |= {"client_id": app_of(env, "3lo")["client_id"], "client_secret": "", **extra}
    response = await admin.post(START, form)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == GATEWAY
    return f"{parts.path}?{parts.query}"


async def connect_one_site(env: Env, admin: AdminClient, name: str = "acme") -> httpx.Response:
    url = await start_3lo(env, admin, name)
    location = await consent_to(env.gw.http, url, sites=[cloud_id(env, "acme")])
    return await admin.get(callback_path(location))


async def test_cloud_oauth_connects_one_site(ui_env: Env, admin: AdminClient) -> None:
    url = await start_3lo(ui_env, admin)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(ui_env.demo["auth_url"] + "/authorize?")
    assert query["redirect_uri"] == [ui_env.gw.callback_url]
    assert "offline_access" in query["scope"][0]

    location = await consent_to(ui_env.gw.http, url, sites=[cloud_id(ui_env, "acme")])
    done = await admin.get(callback_path(location))
    assert done.status_code == 303
    assert done.headers["location"] == "/connections"
    assert done.headers["cache-control"] == "no-store"
    assert done.headers["referrer-policy"] == "no-referrer"

    page = await admin.follow(done)
    assert "Connected: acme." in page.text
    assert re.search(r'<span class="badge active">active</span>', page.text)
    conn = await ui_env.broker.connection("acme")
    assert conn.cloud_id == cloud_id(ui_env, "acme")
    await ui_env.gw.audit.flush()  # see the note in tests/gateway/admin/client.py
    assert (await ui_env.broker.test("acme")).account_id
    secret = app_of(ui_env, "3lo")["client_secret"]
    assert all(secret not in p for p in admin.pages)


async def test_several_sites_end_on_the_site_picker(ui_env: Env, admin: AdminClient) -> None:
    url = await start_3lo(ui_env, admin, "multi")
    location = await consent_to(ui_env.gw.http, url)  # both sites stay ticked
    picker = await admin.get(callback_path(location))
    assert picker.status_code == 200
    assert picker.headers["cache-control"] == "no-store"
    assert "multi-acme" in picker.text
    assert "multi-beta" in picker.text
    picker_id = re.search(r'name="picker" value="([^"]+)"', picker.text)
    assert picker_id

    kept = await admin.post(
        "/v1/outbound/oauth/sites", {"picker": unescape(picker_id.group(1)), "keep": ["multi-beta"]}
    )
    assert kept.status_code == 303
    names = [v.name for v in await ui_env.broker.db(lambda tx: tx.connections.list())]
    assert names == ["multi-beta"]
    again = await admin.post(
        "/v1/outbound/oauth/sites", {"picker": picker_id.group(1), "keep": ["multi-beta"]}
    )
    assert again.status_code == 400  # a picker is used once


def tampered(location: str, **changes: str) -> str:
    parts = urlsplit(location)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return f"{parts.path}?{urlencode(params)}"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"state": "x" * 43}, "state_mismatch"),
        ({"state": ""}, "state_missing"),
        ({"code": ""}, "code_missing"),
        ({"error": "access_denied"}, "consent_denied"),
    ],
)
async def test_tampered_callbacks_are_refused_without_token_calls(
    ui_env: Env,
    admin: AdminClient,
    change: dict[str, str],
    code: str,
) -> None:
    url = await start_3lo(ui_env, admin)
    location = await consent_to(ui_env.gw.http, url, sites=[cloud_id(ui_env, "acme")])
    before = token_calls(ui_env.sandbox)
    response = await admin.get(tampered(location, **change))
    assert 400 <= response.status_code < 500
    assert code in response.text
    assert response.headers["cache-control"] == "no-store"
    assert token_calls(ui_env.sandbox) == before
    assert await ui_env.broker.db(lambda tx: tx.connections.list()) == []


async def test_repeated_state_replay_and_consent_denied(ui_env: Env, admin: AdminClient) -> None:
    url = await start_3lo(ui_env, admin)
    location = await consent_to(ui_env.gw.http, url, sites=[cloud_id(ui_env, "acme")])
    state = parse_qs(urlsplit(location).query)["state"][0]
    doubled = await admin.get(callback_path(location) + "&state=" + state)
    assert doubled.status_code == 400

    assert (await admin.get(callback_path(location))).status_code == 303
    calls = token_calls(ui_env.sandbox)
    replay = await admin.get(callback_path(location))
    assert replay.status_code == 400
    assert "state_replayed" in replay.text
    assert token_calls(ui_env.sandbox) == calls

    denied_url = await start_3lo(ui_env, admin, "other")
    denied = await consent_to(ui_env.gw.http, denied_url, decision="deny")
    page = await admin.get(callback_path(denied))
    assert page.status_code == 403
    assert "consent_denied" in page.text


async def test_only_the_initiating_session_can_finish(
    ui_env: Env,
    admin: AdminClient,
    stranger: AdminClient,
) -> None:
    url = await start_3lo(ui_env, admin)
    location = await consent_to(ui_env.gw.http, url, sites=[cloud_id(ui_env, "acme")])
    calls = token_calls(ui_env.sandbox)

    anonymous = await stranger.get(callback_path(location))
    assert anonymous.status_code == 401
    await stranger.login()  # another admin session
    foreign = await stranger.get(callback_path(location))
    assert foreign.status_code == 400
    assert token_calls(ui_env.sandbox) == calls

    mine = await admin.get(callback_path(location))  # the rightful flow was not burnt
    assert mine.status_code == 303
    assert (await ui_env.broker.connection("acme")).name == "acme"


async def test_a_flow_left_past_its_ttl_cannot_be_finished(ui_env: Env, admin: AdminClient) -> None:
    now = [1000.0]
    ui_env.gw.monotonic = lambda: now[0]  # the admin UI's pending flows follow the gateway's clock
    url = await start_3lo(ui_env, admin)
    location = await consent_to(ui_env.gw.http, url, sites=[cloud_id(ui_env, "acme")])
    calls = token_calls(ui_env.sandbox)

    now[0] += FLOW_TTL + 1
    late = await admin.get(callback_path(location))
    assert late.status_code == 400
    assert "state_mismatch" in late.text
    assert token_calls(ui_env.sandbox) == calls


async def test_start_needs_a_session_and_csrf(ui_env: Env, admin: AdminClient, stranger: AdminClient) -> None:
    form = {"kind": "3lo", "name": "acme", "scopes": "read:jira-work", "client_id": "x"}
    assert (await stranger.client.post(START, data=form)).status_code == 303  # to /login
    assert (await admin.post(START, form, csrf="forged")).status_code == 403
    stored = await ui_env.broker.db(
        lambda tx: tx.session.scalar(select(func.count()).select_from(OAuthState))
    )
    assert stored == 0


async def test_start_errors_re_render_the_form_without_the_secret(ui_env: Env, admin: AdminClient) -> None:
    response = await admin.post(
        START,
        {
            "kind": "3lo",
            "name": "bad name!",
            "scopes": "read:jira-work",
            "client_id": "c",
            "client_secret": "CANARY-S",
        },
    )
    assert response.status_code == 400
    assert "invalid_input" in response.text
    assert "CANARY-S" not in response.text
    assert 'value="c"' in response.text  # the rest of the form is kept


async def test_reauthorize_revives_the_same_connection(ui_env: Env, admin: AdminClient) -> None:
    await connect_one_site(ui_env, admin)
    conn = await ui_env.broker.connection("acme")
    await ui_env.broker.db(
        lambda tx: tx.grants.set_status(conn.grant_id, GrantStatus.REAUTH_REQUIRED, reason="test")
    )
    listing = await admin.get("/connections")
    assert "reauth_required" in listing.text
    assert "Re-authorize" in listing.text

    response = await admin.post(START, {"reauthorize": "acme"})
    assert response.status_code == 303
    location = await consent_to(ui_env.gw.http, response.headers["location"])
    done = await admin.get(callback_path(location))
    assert done.status_code == 303
    page = await admin.follow(done)
    assert "re-authorized" in page.text

    rows = await ui_env.broker.db(lambda tx: tx.connections.list())
    assert [(c.id, c.name) for c in rows] == [(conn.id, "acme")]
    grant = await ui_env.broker.db(lambda tx: tx.grants.get(conn.grant_id))
    assert grant.status is GrantStatus.ACTIVE
    assert len(await ui_env.broker.db(lambda tx: tx.grants.list())) == 1
    await ui_env.gw.audit.flush()  # see the note in tests/gateway/admin/client.py
    assert (await ui_env.broker.test("acme")).account_id


async def test_data_center_oauth2(ui_env: Env, admin: AdminClient) -> None:
    dc_app = next(a for a in ui_env.demo["oauth_apps"] if a["kind"] == "dc")
    form = {
        "kind": "dc",
        "name": "corp",
        "dc_url": ui_env.demo["dc"]["corp"]["url"],
        "client_id": dc_app["client_id"],
        "client_secret": "",
        "scopes": "WRITE",
    }
    response = await admin.post(START, form)
    assert response.status_code == 303, response.text
    location = await consent_to(ui_env.gw.http, response.headers["location"])
    done = await admin.get(callback_path(location))
    assert done.status_code == 303, done.text
    await ui_env.gw.audit.flush()  # see the note in tests/gateway/admin/client.py
    assert (await ui_env.broker.test("corp")).name
    assert all(dc_app["client_secret"] not in p for p in admin.pages)


async def test_oauth1_application_link(ui_env: Env, admin: AdminClient, clock: FakeClock) -> None:
    clock.now = datetime.now(UTC)  # the sandbox checks OAuth 1.0a timestamps against the real time
    await admin.login()  # the fixture's session was made on the old clock
    page = await admin.post(
        "/connect/oauth1",
        {"name": "corp1", "dc_url": ui_env.demo["dc"]["corp"]["url"], "consumer_key": "jiragw-ui-test"},
        from_page="/connect/oauth1",
    )
    assert page.status_code == 200, page.text
    public_key = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1))  # type: ignore[union-attr]
    assert "BEGIN PUBLIC KEY" in public_key
    assert "PRIVATE KEY" not in page.text
    assert ui_env.gw.callback_url in page.text
    registered = await ui_env.gw.http.post(
        f"{ui_env.demo['base_url']}/_sandbox/oauth/consumers",
        json={"dc": "corp", "consumer_key": "jiragw-ui-test", "public_key": public_key},
        headers={"Authorization": f"Bearer {ui_env.demo['admin_token']}"},
    )
    assert registered.status_code == 200, registered.text

    draft = re.search(r'name="draft" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = await admin.post(START, {"kind": "oauth1", "draft": unescape(draft)})
    assert response.status_code == 303, response.text
    location = await consent_to(ui_env.gw.http, response.headers["location"])
    done = await admin.get(callback_path(location))
    assert done.status_code == 303, done.text
    await ui_env.gw.audit.flush()  # see the note in tests/gateway/admin/client.py
    assert (await ui_env.broker.test("corp1")).name
    assert all("PRIVATE KEY" not in p for p in admin.pages)
