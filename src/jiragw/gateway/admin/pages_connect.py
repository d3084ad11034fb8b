"""Admin UI: the Connect Jira forms for the methods without a redirect, and OAuth 1.0a's first step.

API token, PAT, Basic and client credentials post here and call the broker's
``connect_*`` flows (each checks the credential before storing it). OAuth
2.0 (Cloud and DC) forms post to ``/v1/outbound/oauth/start``. OAuth 1.0a
first generates the RSA key pair and shows what to paste into Jira's
application link; its private key stays in :mod:`.pending` until the admin
clicks Authorize. A secret is read from the form once and never rendered:
a failed attempt re-renders the form with the other values only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jiragw.auth.oauth1 import generate_key_pair
from jiragw.broker import (
    Connected,
    check_destinations,
    connect_api_token,
    connect_basic,
    connect_client_credentials,
    connect_pat,
)
from jiragw.errors import InvalidInput, JiragwError
from jiragw.gateway.admin.forms import INSECURE_FIELD, FormSpec, connect_forms, sandbox_client_secret
from jiragw.gateway.admin.pending import Draft
from jiragw.gateway.admin.web import AdminUI, Ctx, admin_page
from jiragw.secrets import Secret
from jiragw.store.connections import check_name

__all__ = ["announce", "routes"]


def _secret(ctx: Ctx, name: str) -> Secret:
    value = ctx.field(name)
    if not value:
        raise InvalidInput(f"the {name.replace('_', ' ')} is required")
    return Secret(value)


def insecure_allowed(ctx: Ctx) -> bool:
    """Whether the admin ticked "Allow plain HTTP" on the form."""
    return bool(ctx.field(INSECURE_FIELD))


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput("the expiry must be a date (YYYY-MM-DD)") from exc


async def _api_token(ui: AdminUI, ctx: Ctx) -> Connected:
    return await connect_api_token(
        ui.gw.broker,
        name=ctx.field("name"),
        site_url=ctx.field("site_url"),
        email=ctx.field("email"),
        token=_secret(ctx, "token"),
        allow_insecure_http=insecure_allowed(ctx),
    )


async def _pat(ui: AdminUI, ctx: Ctx) -> Connected:
    return await connect_pat(
        ui.gw.broker,
        name=ctx.field("name"),
        dc_url=ctx.field("dc_url"),
        pat=_secret(ctx, "pat"),
        expires_at=_date(ctx.field("expires")),
        allow_insecure_http=insecure_allowed(ctx),
    )


async def _basic(ui: AdminUI, ctx: Ctx) -> Connected:
    return await connect_basic(
        ui.gw.broker,
        name=ctx.field("name"),
        dc_url=ctx.field("dc_url"),
        username=ctx.field("username"),
        password=_secret(ctx, "password"),
        allow_insecure_http=insecure_allowed(ctx),
    )


async def _client_credentials(ui: AdminUI, ctx: Ctx) -> Connected:
    client_id = ctx.field("client_id")
    given = ctx.field("client_secret") or sandbox_client_secret(ui.gw.sandbox_info, client_id)
    if not given:
        raise InvalidInput("the client secret is required")
    return await connect_client_credentials(
        ui.gw.broker,
        name=ctx.field("name"),
        site_url=ctx.field("site_url"),
        api_url=ui.gw.settings.atlassian_api_url,
        client_id=client_id,
        client_secret=Secret(given),
        allow_insecure_http=insecure_allowed(ctx),
    )


_CONNECTORS: dict[str, Callable[[AdminUI, Ctx], Awaitable[Connected]]] = {
    "api-token": _api_token,
    "pat": _pat,
    "basic": _basic,
    "client-credentials": _client_credentials,
}


async def announce(ui: AdminUI, ctx: Ctx, done: Connected, method: str) -> None:
    """Audit a new connection made from the UI and tell the admin on the next page."""
    for conn in done.connections:
        await ui.audit(
            "admin.connection.create",
            actor=ctx.session.actor,
            connection_id=conn.id,
            target=conn.name,
            detail={"method": method},
        )
    names = ", ".join(c.name for c in done.connections)
    ui.flash(ctx.session, f"Connected: {names}.")
    if done.notice:
        ui.flash(ctx.session, done.notice, "warn")


def form_page(
    ui: AdminUI, ctx: Ctx, key: str, spec: FormSpec, *, error: str = "", status: int = 200
) -> Response:
    # Re-render what was typed, except secrets.
    values = {f.name: ctx.field(f.name) for f in spec.fields if f.kind != "password"} if ctx.form else {}
    return ui.render(
        "connect_form.html",
        ctx.session,
        status=status,
        title=spec.title,
        spec=spec,
        values=values,
        error=error,
    )


async def index(ui: AdminUI, ctx: Ctx) -> Response:
    return ui.render(
        "connect_index.html", ctx.session, title="Connect Jira", forms=connect_forms(ui.gw.sandbox_info)
    )


async def show_form(ui: AdminUI, ctx: Ctx) -> Response:
    key = str(ctx.request.path_params["method"])
    spec = connect_forms(ui.gw.sandbox_info).get(key)
    if spec is None:
        return ui.message(
            ctx.session, "Unknown method", "There is no such connect form.", status=404, back="/connect"
        )
    return form_page(ui, ctx, key, spec)


async def submit(ui: AdminUI, ctx: Ctx) -> Response:
    key = str(ctx.request.path_params["method"])
    spec = connect_forms(ui.gw.sandbox_info).get(key)
    if spec is None or (key not in _CONNECTORS and key != "oauth1"):
        return ui.message(
            ctx.session, "Unknown method", "There is no such connect form.", status=404, back="/connect"
        )
    try:
        if key == "oauth1":
            return await _oauth1_link(ui, ctx)
        done = await _CONNECTORS[key](ui, ctx)
    except JiragwError as exc:
        await ui.audit(
            "admin.connection.create",
            actor=ctx.session.actor,
            outcome="error",
            target=ctx.field("name")[:64],
            error_code=exc.code,
            detail={"method": key},
        )
        status = exc.status if 400 <= exc.status < 500 else 502
        return form_page(ui, ctx, key, spec, error=f"{exc.message} [{exc.code}]", status=status)
    await announce(ui, ctx, done, key)
    return ui.redirect("/connections")


async def _oauth1_link(ui: AdminUI, ctx: Ctx) -> Response:
    name, dc_url, consumer_key = check_name(ctx.field("name")), ctx.field("dc_url"), ctx.field("consumer_key")
    if not dc_url.startswith(("http://", "https://")):
        raise InvalidInput("the Jira base URL must be an http(s) URL")
    if not consumer_key:
        raise InvalidInput("the consumer key is required")
    insecure = insecure_allowed(ctx)
    check_destinations({"the Jira base URL": dc_url}, allow_insecure_http=insecure)
    pair = await asyncio.to_thread(generate_key_pair)
    draft = Draft(
        ctx.session.token_hash,
        name,
        dc_url.rstrip("/"),
        consumer_key,
        pair.private_key_pem,
        pair.public_key_pem,
        allow_insecure_http=insecure,
    )
    draft_id = ui.pending.add_draft(draft)
    return ui.render(
        "oauth1_link.html",
        ctx.session,
        title="OAuth 1.0a application link",
        draft=draft,
        draft_id=draft_id,
        public_url=ui.gw.public_url,
        callback_url=ui.gw.callback_url,
    )


def routes(ui: AdminUI) -> list[BaseRoute]:
    return [
        Route("/connect", admin_page(ui, index), methods=["GET"]),
        Route("/connect/{method}", admin_page(ui, show_form), methods=["GET"]),
        Route("/connect/{method}", admin_page(ui, submit), methods=["POST"]),
    ]
