"""The API gateway's bearer check for ``/ex/jira/{cloudId}/...``: token, site, user and scopes.

Emulates ``api.atlassian.com`` in front of a Jira Cloud site as Atlassian's
"OAuth 2.0 (3LO) apps" guide and "Scopes for OAuth 2.0 (3LO) and Forge apps"
describe it (RFC 6750 §3.1 for the bearer failures): an unknown, revoked or
expired access token, a client-credentials token, or a site the grant does
not cover answers ``401 {"code": 401, "message": "Unauthorized"}``; a token
lacking the operation's scopes (all classic or all granular, per the scope
table) answers ``401 {"code": 401, "message": "Unauthorized; scope does not
match"}``, as the gateway does. Wired in by the app as ``AuthHooks.gateway_bearer``
and called by :func:`jiragw.sandbox.http.auth.authenticate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from ..http.auth import AuthResult
from ..http.errors import JiraHttpError
from ..state.model import Instance
from .scope_match import requirement, scopes_allow
from .state import oauth_state

if TYPE_CHECKING:
    from ..state.sandbox import Sandbox

__all__ = ["GatewayError", "gateway_bearer", "relative_path"]

UNAUTHORIZED = "Unauthorized"
SCOPE_MISMATCH = "Unauthorized; scope does not match"


class GatewayError(JiraHttpError):
    """An error answered by the API gateway itself (its body is not an ErrorCollection)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, [message], headers={"WWW-Authenticate": 'Bearer realm="api.atlassian.com"'})
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.http_status, "message": self.message}


def relative_path(request: Request) -> str:
    """The request path below ``/ex/jira/{cloudId}``."""
    parts = request.url.path.split("/", 4)  # ["", "ex", "jira", cloudId, rest]
    return "/" + (parts[4] if len(parts) > 4 else "")


def _refused(label: str, message: str = UNAUTHORIZED) -> AuthResult:
    return AuthResult(None, label, scheme="oauth2", error=GatewayError(401, message))


def gateway_bearer(sandbox: Sandbox, instance: Instance, request: Request, token: str) -> AuthResult:
    """Authenticate and authorise one gateway request carrying ``Bearer token`` (never raises)."""
    found = oauth_state(sandbox).cloud.access(token, sandbox.clock.time())
    if found is None:
        return _refused("oauth:unknown")
    grant = found.grant
    label = f"oauth:{grant.client_id[:64]}"
    if found.expired or grant.account_id is None or instance.cloud_id not in grant.resources:
        return _refused(label)
    user = instance.users.get(grant.account_id)
    if user is None or not user.active:
        return _refused(label)
    label = f"oauth:{user.email}"
    if not scopes_allow(requirement(request.method, relative_path(request)), grant.scopes):
        return AuthResult(
            user, label, scheme="oauth2", scopes=grant.scopes, error=GatewayError(401, SCOPE_MISMATCH)
        )
    return AuthResult(user, label, scheme="oauth2", scopes=grant.scopes)
