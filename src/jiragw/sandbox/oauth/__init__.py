"""The sandbox's emulated Atlassian OAuth servers (the server side of every OAuth method).

- Atlassian's auth server and API gateway at the sandbox root: ``/authorize``
  (:mod:`.authorize`), ``/oauth/token`` (:mod:`.token_endpoint`),
  ``/oauth/token/accessible-resources`` (:mod:`.resources`), bearer tokens and
  scopes on ``/ex/jira/{cloudId}`` (:mod:`.gateway`), the DevOps builds and
  deployments APIs for 2LO (:mod:`.devops`), ``/sites/{site}/_edge/tenant_info``;
- Data Center providers on ``/dc/{dc}``: OAuth 1.0a (:mod:`.oauth1_provider`)
  and OAuth 2.0 with PKCE (:mod:`.dc_oauth2`);
- client registration through the admin endpoint (:mod:`.registration`).

:func:`oauth_routes` are mounted by :func:`jiragw.sandbox.app.create_app`
ahead of the instance mounts; the app also hands :func:`gateway_bearer`,
:func:`dc_bearer` and :func:`dc_oauth1` to the Jira routes' authentication
(:class:`jiragw.sandbox.http.auth.AuthHooks`).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from .authorize import authorize_routes
from .dc_oauth2 import dc_bearer, dc_oauth2_routes
from .devops import devops_routes
from .gateway import gateway_bearer
from .oauth1_provider import dc_oauth1, oauth1_routes
from .resources import resources_routes
from .state import OAuthState, oauth_state
from .token_endpoint import token_routes

__all__ = ["OAuthState", "dc_bearer", "dc_oauth1", "gateway_bearer", "oauth_routes", "oauth_state"]


def oauth_routes() -> list[BaseRoute]:
    """Every OAuth route; mount them before ``/sites/{site}`` and ``/dc/{dc}``."""
    return [
        *authorize_routes(),
        *token_routes(),
        *resources_routes(),
        *devops_routes(),
        *oauth1_routes(),
        *dc_oauth2_routes(),
    ]
