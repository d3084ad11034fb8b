"""Admin UI: sign in with a one-time link or the admin password, and sign out.

``GET /login/{token}`` consumes the link (single use, 15 minutes) and sets
the session cookie; a used or expired link gets a 410 page and no session.
``/login`` shows the password form when ``gw.admin_password_hash`` is set,
its CSRF token bound to a random pre-login cookie (double submit, since no
session exists yet). ``POST /logout`` ends the session. Sign-ins are audited.

Password guessing is throttled (:mod:`.throttle`): after 5 failed sign-ins
from one client address within 15 minutes, that address gets 429 with
``Retry-After`` for 30 seconds, doubling per further failure up to 15
minutes, and no password is checked meanwhile (not even a correct one); a
successful sign-in clears the address. At most 4 password checks run at once;
one more gets the same 429 at once. Each lockout is audited as
``admin.login``/``throttled`` with the client address (and, when a trusted
proxy forwarded the request, the proxy's own address as ``peer``). The client
address is the TCP peer's unless ``JIRAGW_TRUSTED_PROXIES`` names that peer
(:mod:`jiragw.gateway.forwarded`). Login links are not throttled.
"""

from __future__ import annotations

import asyncio
import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jiragw.gateway.admin.csrf import FIELD
from jiragw.gateway.admin.sessions import (
    clear_cookie,
    secure_cookies,
    session_token,
    set_cookie,
    start_session,
    verify_admin_password,
)
from jiragw.gateway.admin.throttle import LoginThrottle, Refusal
from jiragw.gateway.admin.web import AdminUI, Ctx, admin_page
from jiragw.gateway.forwarded import client_address, peer_address
from jiragw.secrets import Secret

__all__ = ["routes"]

_PRELOGIN = "jiragw_login"


def _audit(ui: AdminUI, actor: str, outcome: str, how: str) -> None:
    ui.audit("admin.login", actor=actor, outcome=outcome, detail={"via": how})


async def _signed_in(ui: AdminUI, request: Request, principal: str, how: str) -> Response:
    token = await ui.gw.store.call(start_session, principal)
    _audit(ui, f"admin:{principal}", "ok", how)
    response = ui.redirect("/")
    set_cookie(response, token, public_url=ui.gw.public_url, request=request)
    response.delete_cookie(_PRELOGIN, path="/login")
    return response


def login_link(ui: AdminUI) -> Route:
    async def endpoint(request: Request) -> Response:
        value = str(request.path_params["token"])
        if not 20 <= len(value) <= 128:
            principal = None
        else:
            principal = await ui.gw.store.run(lambda tx: tx.admin.consume_login(Secret(value)))
        if principal is None:
            _audit(ui, "anonymous", "denied", "link")
            return ui.message(
                None,
                "This login link cannot be used",
                "A login link works once and expires after 15 minutes. "
                "Ask for a new one (restart `jiragw serve`, or sign in with the admin password).",
                status=410,
                back="/login",
            )
        return await _signed_in(ui, request, principal, "link")

    return Route("/login/{token}", endpoint, methods=["GET"])


def _form(ui: AdminUI, request: Request, *, error: str = "", status: int = 200) -> Response:
    nonce = request.cookies.get(_PRELOGIN) or ""
    if not 20 <= len(nonce) <= 64:
        nonce = secrets.token_urlsafe(24)
    response = ui.render(
        "login.html",
        None,
        status=status,
        title="Sign in",
        password_login=ui.gw.admin_password_hash is not None,
        login_csrf=ui.csrf.token("prelogin:" + nonce),
        error=error,
    )
    response.set_cookie(
        _PRELOGIN,
        nonce,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(ui.gw.public_url, request),
    )
    return response


async def _verify(throttle: LoginThrottle, stored: str, password: str) -> bool:
    """Check ``password`` in a worker thread, holding the throttle's check slot until the thread is done.

    Shielded: if this request is cancelled, the scrypt call still runs to the
    end, and the slot must stay taken until it has, or the global guard would
    undercount.
    """
    check = asyncio.ensure_future(asyncio.to_thread(verify_admin_password, stored, password))
    check.add_done_callback(lambda _: throttle.release())
    return await asyncio.shield(check)


def _throttled(ui: AdminUI, request: Request, refusal: Refusal, *, prefix: str = "") -> Response:
    wait = refusal.retry_after
    when = f"{wait} second" if wait == 1 else f"{wait} seconds"
    if refusal.busy:
        error = f"Too many sign-in attempts at once; try again in {when}."
    else:
        error = f"Too many failed sign-ins from your address; try again in {when}."
    response = _form(ui, request, error=prefix + error, status=429)
    response.headers["Retry-After"] = str(wait)
    return response


def login_form(ui: AdminUI) -> Route:
    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            if await ui.session(request) is not None:
                return ui.redirect("/")
            return _form(ui, request)
        stored = ui.gw.admin_password_hash
        if stored is None:
            return _form(ui, request, error="Password sign-in is not enabled on this gateway.", status=403)
        form = await request.form(max_files=0, max_fields=10)
        nonce = request.cookies.get(_PRELOGIN) or ""
        token = form.get(FIELD)
        if not nonce or not ui.csrf.valid("prelogin:" + nonce, token if isinstance(token, str) else None):
            return _form(ui, request, error="The form expired; try again.", status=403)
        address = client_address(request.scope)
        refusal = ui.throttle.admit(address)
        if refusal is not None:
            return _throttled(ui, request, refusal)
        password = form.get("password")
        ok = await _verify(ui.throttle, stored, password if isinstance(password, str) else "")
        if ok:
            ui.throttle.succeeded(address)
            return await _signed_in(ui, request, "admin", "password")
        _audit(ui, "anonymous", "denied", "password")
        locked = ui.throttle.failed(address)
        if not locked:
            return _form(ui, request, error="Wrong password.", status=401)
        detail: dict[str, object] = {"via": "password", "retry_after": locked, "address": address}
        peer = peer_address(request.scope)
        if peer != address:  # behind a trusted proxy: the address it forwarded for, and the proxy
            detail["peer"] = peer
        ui.audit("admin.login", actor="anonymous", outcome="throttled", detail=detail)
        return _throttled(ui, request, Refusal(locked, busy=False), prefix="Wrong password. ")

    return Route("/login", endpoint, methods=["GET", "POST"])


async def logout(ui: AdminUI, ctx: Ctx) -> Response:
    token = session_token(ctx.request)
    if token is not None:
        await ui.gw.store.run(lambda tx: tx.admin.end_session(token))
    ui.audit("admin.logout", actor=ctx.session.actor)
    response = ui.redirect("/login")
    clear_cookie(response, public_url=ui.gw.public_url, request=ctx.request)
    return response


def routes(ui: AdminUI) -> list[BaseRoute]:
    return [login_link(ui), login_form(ui), Route("/logout", admin_page(ui, logout), methods=["POST"])]
