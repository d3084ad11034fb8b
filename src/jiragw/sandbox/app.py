"""The sandbox's ASGI app: every emulated instance behind one port, by path prefix.

- ``/sites/{site}/...``  Cloud sites (REST v3 and v2)
- ``/dc/{dc}/...``       Data Center instances (REST v2)
- ``/ex/jira/{cloudId}/...``  the API gateway route for OAuth bearer tokens
- ``/_sandbox/...``      the admin endpoint (faults, counters, clock, OAuth clients)
- ``/authorize``, ``/oauth/token``, ``/oauth/token/accessible-resources``,
  ``/jira/{builds,deployments}/0.1/cloud/{cloudId}/...``, and the DC OAuth
  providers under ``/dc/{dc}``: the emulated OAuth servers (:mod:`.oauth`)
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from .admin import admin_routes
from .http.dispatch import build_routes
from .oauth import install as install_oauth
from .oauth import oauth_routes
from .state.sandbox import Sandbox

__all__ = ["create_app"]


def create_app(sandbox: Sandbox) -> Starlette:
    """An ASGI app serving ``sandbox`` (usable with ``httpx.ASGITransport`` or uvicorn)."""
    cloud = build_routes("cloud")
    dc = build_routes("dc")
    install_oauth(sandbox)
    routes: list[BaseRoute] = [
        Mount("/_sandbox", routes=admin_routes()),
        *oauth_routes(),  # before the mounts: some live under /sites/{site} and /dc/{dc}
        Mount("/sites/{site}", routes=cloud),
        Mount("/dc/{dc}", routes=dc),
        Mount("/ex/jira/{cloudId}", routes=cloud),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = sandbox
    return app
