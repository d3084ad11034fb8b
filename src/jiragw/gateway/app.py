"""The gateway's ASGI app: route groups mounted on one Starlette app (DESIGN.md, "Gateway URLs").

- ``/healthz``, ``/readyz``, ``/metrics``         :mod:`jiragw.gateway.ops`
- ``/v1/outbound/oauth/{start,callback}``          :mod:`jiragw.gateway.oauth_routes`
- ``/jira/{connection}/...``                       :mod:`jiragw.gateway.proxy`
- ``/api/v1/...`` and ``/docs``                    :mod:`jiragw.gateway.api`
- ``/mcp``                                         :mod:`jiragw.gateway.mcp_mount`
- ``/`` (admin UI)                                 :mod:`jiragw.gateway.admin`
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from jiragw.gateway import admin, api, mcp_mount, oauth_routes, ops, proxy
from jiragw.gateway.state import Gateway

__all__ = ["create_app"]


def create_app(gw: Gateway) -> Starlette:
    """The gateway app over ``gw``; its lifespan runs the audit writer (and the MCP session manager)."""
    mcp_app = mcp_mount.build(gw)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gw.audit.start()
        try:
            async with mcp_mount.running(mcp_app):
                yield
        finally:
            await gw.audit.stop()

    routes: list[BaseRoute] = [
        *ops.routes(gw),
        *oauth_routes.routes(gw),
        *proxy.routes(gw),
        *api.routes(gw),
        *mcp_mount.routes(mcp_app),
        *admin.routes(gw),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = gw
    return app
