"""Admin UI: the Connections page, with Test and Remove, and a "Try it" panel.

Rows come from :func:`jiragw.broker.manage.list_connections` plus each
grant's last refresh time; Re-authorize posts to the OAuth start route
(:mod:`jiragw.gateway.oauth_routes`). Every action is audited as
``admin.connection.*`` with the admin as actor.

The "Try it" panel (:func:`try_it`) shows a ``curl`` call through the proxy,
the PyPI ``jira`` client and an MCP client configuration for the first
connection, with :data:`~jiragw.gateway.admin.pages_mcp.KEY_PLACEHOLDER` where
the key goes: a key is stored only as a hash, so no page can show it after
the one that created it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jiragw.broker.manage import list_connections, remove_connection
from jiragw.errors import JiragwError
from jiragw.gateway.admin.pages_mcp import KEY_PLACEHOLDER, http_config
from jiragw.gateway.admin.web import AdminUI, Ctx, admin_page
from jiragw.store import GrantMethod, Tx

__all__ = ["REAUTHORIZABLE", "routes", "try_it", "when"]

REAUTHORIZABLE = frozenset({GrantMethod.OAUTH2_3LO.value, GrantMethod.DC_OAUTH2.value})


def when(value: datetime | None) -> str:
    """A timestamp as the pages show it (UTC, minutes)."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


def _refreshed(tx: Tx) -> dict[str, str]:
    out: dict[str, str] = {}
    grants: dict[str, datetime | None] = {}
    for conn in tx.connections.list():
        if conn.grant_id not in grants:
            grants[conn.grant_id] = tx.grants.get(conn.grant_id).refreshed_at
        out[conn.name] = when(grants[conn.grant_id])
    return out


def try_it(public_url: str, connection: str, flavor: str) -> dict[str, str]:
    """Copy-paste snippets for ``connection``: curl through the proxy, the ``jira`` package, MCP."""
    server = f"{public_url}/jira/{connection}"
    version = "3" if flavor == "cloud" else "2"
    curl = f"curl -H 'Authorization: Bearer {KEY_PLACEHOLDER}' {server}/rest/api/{version}/myself"
    python = "\n".join(
        [
            "# pip install jira",
            "from jira import JIRA",
            "",
            f'jira = JIRA(server="{server}", token_auth="{KEY_PLACEHOLDER}")',
            'print(jira.myself()["displayName"])',
            'for issue in jira.search_issues("updated >= -30d ORDER BY updated DESC", maxResults=5):',
            "    print(issue.key, issue.fields.summary)",
        ]
    )
    return {"connection": connection, "curl": curl, "python": python, "mcp": http_config(public_url)}


async def connections_page(ui: AdminUI, ctx: Ctx) -> Response:
    views = await list_connections(ui.gw.broker)
    refreshed = await ui.gw.store.run(_refreshed)
    rows: list[dict[str, Any]] = [
        {
            **v.to_json(),
            "access_expires_at": when(v.access_expires_at),
            "reauthorize_by": when(v.reauthorize_by),
        }
        for v in views
    ]
    return ui.render(
        "connections.html",
        ctx.session,
        title="Connections",
        connections=rows,
        refreshed=refreshed,
        reauthorizable=REAUTHORIZABLE,
        try_it=try_it(ui.gw.public_url, views[0].name, views[0].flavor) if views else None,
        key_placeholder=KEY_PLACEHOLDER,
    )


async def _audit(
    ui: AdminUI, ctx: Ctx, action: str, outcome: str, conn_id: str | None, name: str, **extra: Any
) -> None:
    await ui.audit(
        action, actor=ctx.session.actor, outcome=outcome, connection_id=conn_id, target=name, **extra
    )


async def test_connection(ui: AdminUI, ctx: Ctx) -> Response:
    name = str(ctx.request.path_params["name"])
    try:
        conn = await ui.gw.broker.connection(name)
        identity = await ui.gw.broker.test(conn)
    except JiragwError as exc:
        await _audit(ui, ctx, "admin.connection.test", "error", None, name, error_code=exc.code)
        ui.flash(ctx.session, f"{name}: test failed - {exc.message} [{exc.code}]", "error")
    else:
        await _audit(ui, ctx, "admin.connection.test", "ok", conn.id, name)
        who = identity.display_name or identity.email or identity.name or identity.account_id or "?"
        ui.flash(ctx.session, f"{name}: works (signed in as {who})")
    return ui.redirect("/connections")


async def remove(ui: AdminUI, ctx: Ctx) -> Response:
    name = str(ctx.request.path_params["name"])
    try:
        conn = await ui.gw.broker.connection(name)
        await remove_connection(ui.gw.broker, name)
    except JiragwError as exc:
        ui.flash(ctx.session, f"{name}: not removed - {exc.message} [{exc.code}]", "error")
        return ui.redirect("/connections")
    await _audit(ui, ctx, "admin.connection.remove", "ok", conn.id, name)
    ui.flash(ctx.session, f"{name}: removed, with its stored credentials")
    return ui.redirect("/connections")


def routes(ui: AdminUI) -> list[BaseRoute]:
    page = admin_page(ui, connections_page)
    return [
        Route("/", page, methods=["GET"]),
        Route("/connections", page, methods=["GET"]),
        Route("/connections/{name}/test", admin_page(ui, test_connection), methods=["POST"]),
        Route("/connections/{name}/remove", admin_page(ui, remove), methods=["POST"]),
    ]
