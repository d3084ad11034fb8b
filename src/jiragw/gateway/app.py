"""The gateway's ASGI app: route groups mounted on one Starlette app (docs/architecture.md).

- ``/healthz``, ``/readyz``, ``/metrics``         :mod:`jiragw.gateway.ops`
- ``/v1/outbound/oauth/{start,callback}``          :mod:`jiragw.gateway.oauth_routes`
- ``/jira/{connection}/...``                       :mod:`jiragw.gateway.proxy`
- ``/api/v1/...`` and ``/docs``                    :mod:`jiragw.gateway.api`
- ``/mcp``                                         :mod:`jiragw.gateway.mcp_mount`
- ``/`` (admin UI)                                 :mod:`jiragw.gateway.admin`

Errors no route handles (no such path, a wrong method, a crash) get the admin
UI's error pages on browser paths and JSON on the machine doors
(:mod:`jiragw.gateway.admin.error_pages`).

Proxy calls skip Starlette altogether (:class:`_GatewayApp`): its middleware
stack and its router (which tries each route's pattern in turn) cost about
20-30 us per request (measured in process); the proxy's routes stay
registered, so the app's route list still describes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from jiragw.gateway import admin, api, mcp_mount, oauth_routes, ops, proxy
from jiragw.gateway.audit_retention import AuditPruner
from jiragw.gateway.state import Gateway

__all__ = ["create_app"]

_PROXY_PREFIX = "/jira/"
_NAME_AT = len(_PROXY_PREFIX)


class _GatewayApp(Starlette):
    """Starlette, with ``/jira/{connection}...`` handed straight to the proxy's ASGI endpoint."""

    proxy: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        # Exactly what the proxy's routes match: a non-empty first segment after /jira/.
        if (
            scope["type"] == "http"
            and path.startswith(_PROXY_PREFIX)
            and path[_NAME_AT : _NAME_AT + 1] not in ("", "/")
            and not scope.get("root_path")
        ):
            scope["app"] = self
            await self.proxy(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(gw: Gateway) -> Starlette:
    """The gateway app over ``gw``; its lifespan runs the audit writer, the audit pruner (daily,
    ``JIRAGW_AUDIT_RETENTION_DAYS``) and the MCP session manager."""
    mcp_app = mcp_mount.build(gw)

    pruner = AuditPruner(gw.store, gw.settings.audit_retention_days)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gw.audit.start()
        pruner.start()
        try:
            async with mcp_mount.running(mcp_app):
                yield
        finally:
            await pruner.stop()
            await gw.audit.stop()  # the shutdown flush: queued reads and open denial counters

    jira = proxy.Proxy(gw)
    routes: list[BaseRoute] = [
        *ops.routes(gw),
        *oauth_routes.routes(gw),
        *proxy.routes(gw, jira),
        *api.routes(gw),
        *mcp_mount.routes(mcp_app),
        *admin.routes(gw),
    ]
    app = _GatewayApp(routes=routes, lifespan=lifespan, exception_handlers=admin.exception_handlers(gw))
    app.proxy = jira
    app.state.gateway = gw
    app.state.audit_pruner = pruner
    return app
