"""Admin UI: the audit trail, filterable by actor, action, connection, key and outcome.

Reads :meth:`jiragw.store.AuditRepo.search`; a connection may be given by
name or id, a key by name or id. Events hold no secrets or bodies, so the
page shows them as stored.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jiragw.gateway.admin.pages_connections import when
from jiragw.gateway.admin.web import AdminUI, Ctx, admin_page
from jiragw.store import AuditFilter, Tx, resolve_audit_filter

__all__ = ["LIMIT", "routes"]

LIMIT = 200
_FILTERS = ("actor", "action", "connection", "key", "outcome")


def _search(given: dict[str, str]) -> Any:
    def read(tx: Tx) -> tuple[list[dict[str, Any]], str]:
        flt = resolve_audit_filter(
            tx,
            AuditFilter(
                actor=given["actor"] or None, action=given["action"] or None, outcome=given["outcome"] or None
            ),
            connection=given["connection"] or None,
            key=given["key"] or None,
            key_must_exist=False,
        )
        conns = {c.id: c.name for c in tx.connections.list()}
        keys = {k.id: f"{k.name} ({k.prefix}…)" for k in tx.keys.list()}
        events = [
            {
                **e.to_json(),
                "at": when(e.at),
                "connection": conns.get(e.connection_id, e.connection_id) if e.connection_id else "",
                "key": keys.get(e.key_id, e.key_id) if e.key_id else "",
            }
            for e in tx.audit.search(flt, limit=LIMIT)
        ]
        return events, ""

    return read


async def audit_page(ui: AdminUI, ctx: Ctx) -> Response:
    params = ctx.request.query_params
    given = {name: params.get(name, "").strip()[:200] for name in _FILTERS}
    await ui.gw.audit.flush()
    events, error = await ui.gw.store.run(_search(given))
    return ui.render(
        "audit.html", ctx.session, title="Audit", filters=given, events=events, limit=LIMIT, error=error
    )


def routes(ui: AdminUI) -> list[BaseRoute]:
    return [Route("/audit", admin_page(ui, audit_page), methods=["GET"])]
