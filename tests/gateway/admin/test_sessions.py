"""Sign-in: one-time links (single use, expiry), the session cookie, password login (throttled), sign-out."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.responses import Response

from jiragw.gateway.admin import pages_login
from jiragw.gateway.admin.sessions import (
    COOKIE,
    hash_admin_password,
    issue_login_link,
    set_cookie,
    verify_admin_password,
)
from jiragw.gateway.admin.web import ui_for
from jiragw.secrets import Secret
from tests.gateway.admin.client import AdminClient, csrf_of
from tests.gateway.conftest import GATEWAY, Env
from tests.store.conftest import FakeClock


def _cookie(response: object) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    headers = response.headers  # type: ignore[attr-defined]
    found = headers.get_list("set-cookie") if hasattr(headers, "get_list") else headers.getlist("set-cookie")
    for header in found:
        jar.load(header)
    return jar


async def test_login_link_is_single_use_and_sets_a_locked_down_cookie(
    ui_env: Env, stranger: AdminClient
) -> None:
    link = issue_login_link(ui_env.store, GATEWAY)
    token = urlsplit(link).path.rsplit("/", 1)[1]
    assert link.startswith(f"{GATEWAY}/login/")
    assert len(token) >= 43
    with ui_env.store.transaction() as tx:  # only the hash is stored
        assert tx.admin.session_principal(Secret(token)) is None

    first = await stranger.client.get(urlsplit(link).path)
    assert first.status_code == 303
    assert first.headers["location"] == "/"
    assert first.headers["cache-control"] == "no-store"
    assert first.headers["referrer-policy"] == "no-referrer"
    morsel = _cookie(first)[COOKIE]
    assert morsel["httponly"]
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"
    assert not morsel["secure"]  # the public URL is http here
    assert morsel.value != token
    assert (await stranger.client.get("/connections")).status_code == 200

    stranger.client.cookies.clear()
    again = await stranger.client.get(urlsplit(link).path)
    assert again.status_code == 410
    assert "once" in again.text
    assert token not in again.text
    assert COOKIE not in _cookie(again)
    assert (await stranger.client.get("/connections")).status_code == 303


async def test_expired_login_link_gives_no_session(
    ui_env: Env, stranger: AdminClient, clock: FakeClock
) -> None:
    link = issue_login_link(ui_env.store, GATEWAY)
    clock.advance(minutes=16)
    response = await stranger.client.get(urlsplit(link).path)
    assert response.status_code == 410
    assert COOKIE not in _cookie(response)


@pytest.mark.parametrize("path", ["/login/short", "/login/" + "x" * 43, "/login/" + "y" * 500])
async def test_unknown_login_links_are_refused(stranger: AdminClient, path: str) -> None:
    response = await stranger.client.get(path)
    assert response.status_code == 410
    assert COOKIE not in _cookie(response)


def test_cookie_is_secure_behind_https() -> None:
    response = Response()
    set_cookie(response, Secret("t" * 43), public_url="https://gw.example.com")
    morsel = _cookie(response)[COOKIE]
    assert morsel["secure"]
    assert morsel["httponly"]


def test_admin_password_hash_round_trip() -> None:
    stored = hash_admin_password("correct horse")
    assert stored.startswith("scrypt$")
    assert "correct horse" not in stored
    assert verify_admin_password(stored, "correct horse")
    assert not verify_admin_password(stored, "correct horsE")
    assert not verify_admin_password("garbage", "correct horse")
    assert not verify_admin_password("md5$1$1$1$aa$bb", "x")
    assert hash_admin_password("same") != hash_admin_password("same")  # salted
    with pytest.raises(ValueError, match="empty"):
        hash_admin_password("")


async def test_password_login(ui_env: Env, stranger: AdminClient) -> None:
    ui_env.gw.admin_password_hash = hash_admin_password("hunter2-canary")
    form = await stranger.client.get("/login")
    assert form.status_code == 200
    assert 'type="password"' in form.text
    csrf = csrf_of(form.text)

    wrong = await stranger.client.post("/login", data={"csrf": csrf, "password": "nope"})
    assert wrong.status_code == 401
    assert COOKIE not in _cookie(wrong)
    forged = await stranger.client.post("/login", data={"csrf": "forged", "password": "hunter2-canary"})
    assert forged.status_code == 403
    assert COOKIE not in _cookie(forged)

    ok = await stranger.client.post("/login", data={"csrf": csrf, "password": "hunter2-canary"})
    assert ok.status_code == 303
    assert COOKIE in _cookie(ok)
    assert "hunter2-canary" not in ok.text + wrong.text + forged.text
    assert (await stranger.client.get("/connections")).status_code == 200


async def test_password_form_is_off_without_a_password(stranger: AdminClient) -> None:
    page = await stranger.client.get("/login")
    assert page.status_code == 200
    assert 'type="password"' not in page.text
    refused = await stranger.client.post("/login", data={"csrf": "x", "password": "x"})
    assert refused.status_code == 403


async def test_logout_needs_csrf_and_ends_the_session(ui_env: Env, admin: AdminClient) -> None:
    session = Secret(admin.client.cookies[COOKIE])
    refused = await admin.post("/logout", csrf="wrong")
    assert refused.status_code == 403
    assert (await admin.client.get("/connections")).status_code == 200

    out = await admin.post("/logout")
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    with ui_env.store.transaction() as tx:
        assert tx.admin.session_principal(session) is None
    admin.client.cookies.set(COOKIE, session.reveal())  # a stolen copy of the cookie no longer works
    assert (await admin.client.get("/connections")).status_code == 303


async def test_sessions_expire(ui_env: Env, admin: AdminClient, clock: FakeClock) -> None:
    clock.advance(hours=12, seconds=1)
    response = await admin.client.get("/keys")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


async def test_sign_ins_are_audited(ui_env: Env, admin: AdminClient, stranger: AdminClient) -> None:
    await stranger.client.get("/login/" + "z" * 43)
    await ui_env.gw.audit.flush()
    with ui_env.store.transaction() as tx:
        events = [(e.action, e.outcome, e.actor) for e in tx.audit.tail(20)]
    assert ("admin.login", "ok", "admin:admin") in events
    assert ("admin.login", "denied", "anonymous") in events


def _fake_monotonic(env: Env) -> list[float]:
    now = [5000.0]
    env.gw.monotonic = lambda: now[0]
    return now


async def test_password_guessing_locks_the_address_out(ui_env: Env, stranger: AdminClient) -> None:
    ui_env.gw.admin_password_hash = hash_admin_password("hunter2-canary")
    now = _fake_monotonic(ui_env)
    csrf = csrf_of((await stranger.client.get("/login")).text)

    for _ in range(4):
        wrong = await stranger.client.post("/login", data={"csrf": csrf, "password": "nope"})
        assert wrong.status_code == 401
        assert "retry-after" not in wrong.headers
    fifth = await stranger.client.post("/login", data={"csrf": csrf, "password": "nope"})
    assert fifth.status_code == 429
    assert fifth.headers["retry-after"] == "30"
    assert "Wrong password." in fifth.text

    now[0] += 10
    right = await stranger.client.post("/login", data={"csrf": csrf, "password": "hunter2-canary"})
    assert right.status_code == 429  # the right password is not even checked during a lockout
    assert right.headers["retry-after"] == "20"
    assert "Too many failed sign-ins from your address; try again in 20 seconds." in right.text
    assert 'type="password"' in right.text  # the login page, re-rendered
    assert right.headers["cache-control"] == "no-store"
    assert COOKIE not in _cookie(right)
    assert (await stranger.client.get("/connections")).status_code == 303

    now[0] += 20
    ok = await stranger.client.post("/login", data={"csrf": csrf, "password": "hunter2-canary"})
    assert ok.status_code == 303
    assert COOKIE in _cookie(ok)
    assert (await stranger.client.get("/connections")).status_code == 200

    await ui_env.gw.audit.flush()
    with ui_env.store.transaction() as tx:
        logins = [(e.outcome, e.detail) for e in tx.audit.tail(20) if e.action == "admin.login"]
    # The address that was locked out is on record (httpx.ASGITransport calls from 127.0.0.1).
    assert logins.count(("throttled", {"via": "password", "retry_after": 30, "address": "127.0.0.1"})) == 1
    assert [o for o, _ in logins].count("throttled") == 1  # the refused attempt is not audited again
    assert [o for o, _ in logins].count("denied") == 5


async def test_login_links_are_not_throttled(ui_env: Env, stranger: AdminClient) -> None:
    ui_env.gw.admin_password_hash = hash_admin_password("hunter2-canary")
    _fake_monotonic(ui_env)
    csrf = csrf_of((await stranger.client.get("/login")).text)
    for _ in range(5):
        await stranger.client.post("/login", data={"csrf": csrf, "password": "nope"})
    assert (await stranger.client.post("/login", data={"csrf": csrf, "password": "x"})).status_code == 429
    response = await stranger.login()
    assert COOKIE in _cookie(response)


async def test_at_most_four_password_checks_run_at_once(
    ui_env: Env, stranger: AdminClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui_env.gw.admin_password_hash = hash_admin_password("hunter2-canary")
    throttle = ui_for(ui_env.gw).throttle
    gate = threading.Event()

    def held_check(stored: str, password: str) -> bool:
        assert gate.wait(timeout=30), "the test never opened the gate"
        return False

    monkeypatch.setattr(pages_login, "verify_admin_password", held_check)
    csrf = csrf_of((await stranger.client.get("/login")).text)

    def attempt() -> asyncio.Task[httpx.Response]:
        return asyncio.create_task(stranger.client.post("/login", data={"csrf": csrf, "password": "nope"}))

    async def until(condition: Callable[[], bool]) -> None:
        for _ in range(3000):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition not reached")

    running = [attempt() for _ in range(4)]
    try:
        await until(lambda: throttle.in_flight == 4)
        busy = await stranger.client.post("/login", data={"csrf": csrf, "password": "hunter2-canary"})
        assert busy.status_code == 429
        assert busy.headers["retry-after"] == "1"
        assert "try again in 1 second." in busy.text
        assert COOKIE not in _cookie(busy)

        # A cancelled request (the client went away) keeps its slot until its check has really finished.
        running[0].cancel()
        with pytest.raises(asyncio.CancelledError):
            await running[0]
        assert throttle.in_flight == 4
        assert (await stranger.client.post("/login", data={"csrf": csrf, "password": "x"})).status_code == 429
    finally:
        gate.set()
    answers = await asyncio.gather(*running[1:])
    assert [a.status_code for a in answers] == [401, 401, 401]
    await until(lambda: throttle.in_flight == 0)
    assert throttle.retry_after("127.0.0.1") == 0  # busy refusals were not counted as failures
