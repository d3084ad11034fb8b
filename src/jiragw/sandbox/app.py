"""The sandbox's ASGI app: every emulated instance behind one port, by path prefix.

- ``/sites/{site}/...``  Cloud sites (REST v3 and v2)
- ``/dc/{dc}/...``       Data Center instances (REST v2)
- ``/ex/jira/{cloudId}/...``  the API gateway route for OAuth bearer tokens
- ``/_sandbox/...``      the admin endpoint (faults, counters, clock, OAuth clients)
- ``/authorize``, ``/oauth/token``, ``/oauth/token/accessible-resources``,
  ``/jira/{builds,deployments}/0.1/cloud/{cloudId}/...``, and the DC OAuth
  providers under ``/dc/{dc}``: the emulated OAuth servers (:mod:`.oauth`)

This is where the parts are wired together: the Jira route table
(:mod:`.routing`) authenticates OAuth callers through the OAuth servers'
checks, handed in as :class:`~.http.auth.AuthHooks`.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from .admin import admin_routes
from .http.auth import AuthHooks
from .oauth import dc_bearer, dc_oauth1, gateway_bearer, oauth_routes, oauth_state
from .routing import jira_routes
from .state.sandbox import Sandbox

__all__ = ["create_app"]

OAUTH_HOOKS = AuthHooks(gateway_bearer=gateway_bearer, dc_bearer=dc_bearer, dc_oauth1=dc_oauth1)


def create_app(sandbox: Sandbox) -> Starlette:
    """An ASGI app serving ``sandbox`` (usable with ``httpx.ASGITransport`` or uvicorn)."""
    cloud = jira_routes("cloud", OAUTH_HOOKS)
    dc = jira_routes("dc", OAUTH_HOOKS)
    oauth_state(sandbox)  # created now, with the seed's demo clients
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
