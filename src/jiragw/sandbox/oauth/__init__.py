"""The sandbox's emulated Atlassian OAuth servers (the server side of every OAuth method).

- Atlassian's auth server and API gateway at the sandbox root: ``/authorize``
  (:mod:`.authorize`), ``/oauth/token`` (:mod:`.token_endpoint`),
  ``/oauth/token/accessible-resources`` (:mod:`.resources`), bearer tokens and
  scopes on ``/ex/jira/{cloudId}`` (:mod:`.gateway`), the DevOps builds and
  deployments APIs for 2LO (:mod:`.devops`), ``/sites/{site}/_edge/tenant_info``;
- Data Center providers on ``/dc/{dc}``: OAuth 1.0a (:mod:`.oauth1_provider`)
  and OAuth 2.0 with PKCE (:mod:`.dc_oauth2`);
- client registration through the admin endpoint (:mod:`.registration`).

:func:`install` hooks the bearer checks into :mod:`jiragw.sandbox.http.auth`;
:func:`oauth_routes` are mounted by :func:`jiragw.sandbox.app.create_app`
ahead of the instance mounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from .authorize import authorize_routes
from .dc_oauth2 import dc_bearer, dc_oauth2_routes
from .devops import devops_routes
from .gateway import gateway_bearer
from .oauth1_provider import dc_oauth1, oauth1_routes
from .resources import resources_routes
from .state import OAuthState, oauth_state
from .token_endpoint import token_routes

if TYPE_CHECKING:
    from ..state.sandbox import Sandbox

__all__ = ["OAuthState", "install", "oauth_routes", "oauth_state"]


def install(sandbox: Sandbox) -> None:
    """Create the OAuth state (demo clients from the seed) and install the bearer hooks."""
    oauth_state(sandbox)
    sandbox.extensions["bearer"] = gateway_bearer
    sandbox.extensions["dc_bearer"] = dc_bearer
    sandbox.extensions["dc_oauth1"] = dc_oauth1


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
