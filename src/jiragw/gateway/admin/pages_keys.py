"""Admin UI: gateway keys - create (shown once), list, revoke.

Creation and revocation go through :mod:`jiragw.keys`, the one
implementation the API and CLI share; the admin is the ``created_by`` actor.
The plaintext key appears on exactly one ``no-store`` page, right after
creation, and nowhere else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jiragw.broker.manage import list_connections
from jiragw.errors import InvalidInput, JiragwError
from jiragw.gateway.admin.pages_connections import when
from jiragw.gateway.admin.pages_mcp import http_config
from jiragw.gateway.admin.web import AdminUI, Ctx, admin_page
from jiragw.keys import PRESETS, all_scopes, create_key, list_keys, preset_scopes, revoke_key
from jiragw.store import KeyRecord, Tx
from jiragw.store.keys import ALL

__all__ = ["ceiling_summary", "routes"]


def ceiling_summary(record: KeyRecord) -> str:
    """How the list names a key's ceiling: its preset's label, or a count of scopes."""
    for name, preset in PRESETS.items():
        scopes, read_only = preset_scopes(name)
        if record.scopes == scopes and record.read_only == read_only:
            return preset.label.split(" (")[0]
    what = "all scopes" if ALL in record.scopes else f"{len(record.scopes)} custom scopes"
    return f"read-only, {what}" if record.read_only else what


def _names(tx: Tx) -> dict[str, str]:
    return {c.id: c.name for c in tx.connections.list()}


async def _page(ui: AdminUI, ctx: Ctx, *, error: str = "", status: int = 200) -> Response:
    records = await ui.gw.store.call(list_keys)
    names = await ui.gw.store.run(_names)
    now = ui.gw.now()
    keys: list[dict[str, Any]] = [
        {
            "id": r.id,
            "name": r.name,
            "prefix": r.prefix,
            "status": r.status(now),
            "summary": ceiling_summary(r),
            "connections": sorted("all" if c == ALL else names.get(c, "(removed)") for c in r.connection_ids),
            "expires_at": when(r.expires_at),
            "last_used_at": when(r.last_used_at),
        }
        for r in reversed(records)
    ]
    values = {"name": ctx.field("name"), "expires_days": ctx.field("expires_days")} if ctx.form else {}
    return ui.render(
        "keys.html",
        ctx.session,
        status=status,
        title="Keys",
        keys=keys,
        connections=await list_connections(ui.gw.broker),
        presets=list(PRESETS.values()),
        scopes=all_scopes(),
        values=values,
        error=error,
    )


async def keys_page(ui: AdminUI, ctx: Ctx) -> Response:
    return await _page(ui, ctx)


def _expiry(ui: AdminUI, text: str) -> Any:
    if not text:
        return None
    try:
        days = int(text)
    except ValueError as exc:
        raise InvalidInput("the expiry is a number of days") from exc
    if not 1 <= days <= 3650:
        raise InvalidInput("the expiry is between 1 and 3650 days")
    return ui.gw.now() + timedelta(days=days)


async def create(ui: AdminUI, ctx: Ctx) -> Response:
    name, preset = ctx.field("name"), ctx.field("preset") or "read-only"
    try:
        if not name:
            raise InvalidInput("give the key a name")
        custom = preset == "custom"
        minted, record = await ui.gw.store.call(
            create_key,
            name=name,
            connections=ctx.fields("connections"),
            created_by=ctx.session.actor,
            preset=None if custom else preset,
            scopes=ctx.fields("scopes") if custom else None,
            read_only=(ctx.field("read_only") == "1") if custom else None,
            expires_at=_expiry(ui, ctx.field("expires_days")),
        )
    except JiragwError as exc:
        return await _page(
            ui, ctx, error=f"{exc.message} [{exc.code}]", status=exc.status if exc.status < 500 else 500
        )
    key = minted.secret.reveal()
    return ui.render(
        "key_created.html",
        ctx.session,
        title="Key created",
        name=record.name,
        key=key,
        public_url=ui.gw.public_url,
        mcp_json=http_config(ui.gw.public_url, key),
    )


async def revoke(ui: AdminUI, ctx: Ctx) -> Response:
    key_id = str(ctx.request.path_params["key_id"])
    try:
        record = await ui.gw.store.call(revoke_key, key_id, actor=ctx.session.actor)
    except JiragwError as exc:
        ui.flash(ctx.session, f"Not revoked: {exc.message} [{exc.code}]", "error")
        return ui.redirect("/keys")
    ui.gw.forget_key(record.id)
    ui.flash(ctx.session, f"Key {record.name} ({record.prefix}…) revoked.")
    return ui.redirect("/keys")


def routes(ui: AdminUI) -> list[BaseRoute]:
    return [
        Route("/keys", admin_page(ui, keys_page), methods=["GET"]),
        Route("/keys", admin_page(ui, create), methods=["POST"]),
        Route("/keys/{key_id}/revoke", admin_page(ui, revoke), methods=["POST"]),
    ]
