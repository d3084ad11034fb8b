"""Who is calling an emulated Jira: Basic and Bearer authentication as Jira does it.

- Cloud sites: ``Basic base64(email:api_token)``. A password instead of a
  token is refused, as Cloud refuses it; Bearer is not accepted on a site URL
  (OAuth tokens go through ``api.atlassian.com/ex/jira/{cloudId}``, checked by
  :attr:`AuthHooks.gateway_bearer`).
- Data Center: ``Basic base64(username:password)`` and ``Bearer <PAT>``;
  with the OAuth emulation wired in also ``Bearer <OAuth 2.0 access token>``
  (a bearer value that is no PAT goes to :attr:`AuthHooks.dc_bearer`) and
  RSA-SHA1 signed ``OAuth ...`` requests (:attr:`AuthHooks.dc_oauth1`).

The OAuth servers (:mod:`jiragw.sandbox.oauth`) sit above this module; the app
(:func:`jiragw.sandbox.app.create_app`) hands their checks in as
:class:`AuthHooks`, so authentication never reaches up to find them.

Failures answer 401 with Jira's headers (``WWW-Authenticate``,
``X-Seraph-LoginReason``). Credential labels used in counters and rate-limit
buckets name the user, never the secret.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from ..state.model import Instance, User
from ..state.sandbox import Sandbox
from .errors import JiraHttpError

__all__ = [
    "AuthHooks",
    "AuthResult",
    "BearerAuthenticator",
    "DcBearerAuthenticator",
    "DcOAuth1Authenticator",
    "authenticate",
]


@dataclass(slots=True)
class AuthResult:
    user: User | None
    label: str  # for counters and rate-limit buckets: never a secret
    scheme: str = "none"  # "basic", "pat", "oauth2", ...
    scopes: frozenset[str] | None = None  # OAuth scopes, when the credential carries them
    error: JiraHttpError | None = None
    challenge: dict[str, str] = field(default_factory=dict)


# The API gateway's check of a ``/ex/jira/{cloudId}`` bearer value (the request is
# passed so that the hook can check the operation's scopes).
BearerAuthenticator = Callable[[Sandbox, Instance, Request, str], AuthResult]
# A DC bearer value that is no PAT; None when it is no OAuth token either.
DcBearerAuthenticator = Callable[[Sandbox, Instance, Request, str], "AuthResult | None"]
# A DC request signed with OAuth 1.0a (``Authorization: OAuth ...``).
DcOAuth1Authenticator = Callable[[Sandbox, Instance, Request], AuthResult]


@dataclass(frozen=True, slots=True)
class AuthHooks:
    """The emulated OAuth servers' checks, wired in by the app; without them only Basic and PAT work."""

    gateway_bearer: BearerAuthenticator | None = None
    dc_bearer: DcBearerAuthenticator | None = None
    dc_oauth1: DcOAuth1Authenticator | None = None


def _eq(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _challenge(instance: Instance, request: Request) -> dict[str, str]:
    if instance.kind == "cloud":
        return {"WWW-Authenticate": 'OAuth realm="' + str(request.base_url).rstrip("/") + '"'}
    return {"WWW-Authenticate": 'Basic realm="protected-area"'}


def _failed(instance: Instance, request: Request, label: str, message: str) -> AuthResult:
    headers = {**_challenge(instance, request), "X-Seraph-LoginReason": "AUTHENTICATED_FAILED"}
    return AuthResult(None, label, error=JiraHttpError(401, [message], headers=headers))


def authenticate(
    sandbox: Sandbox, instance: Instance, request: Request, *, via_gateway: bool, hooks: AuthHooks
) -> AuthResult:
    """Authenticate one request against ``instance`` (never raises)."""
    header = request.headers.get("authorization", "")
    if not header:
        return AuthResult(None, "anonymous", challenge=_challenge(instance, request))
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if via_gateway:
        return _gateway_bearer(sandbox, instance, request, scheme, value, hooks)
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return _failed(instance, request, "invalid", "Invalid Basic authentication header.")
        login, sep, secret = decoded.partition(":")
        if not sep:
            return _failed(instance, request, "invalid", "Invalid Basic authentication header.")
        return _basic(instance, request, login, secret)
    if scheme == "bearer" and instance.kind == "dc":
        for user in instance.users.values():
            if user.pat and _eq(user.pat, value):
                if not user.active:
                    return _failed(instance, request, f"pat:{user.username}", "User is inactive.")
                return AuthResult(user, f"pat:{user.username}", scheme="pat")
        if hooks.dc_bearer is not None:
            hooked = hooks.dc_bearer(sandbox, instance, request, value)
            if hooked is not None:
                return hooked
        return _failed(instance, request, "pat:unknown", "Invalid personal access token.")
    if scheme == "oauth" and instance.kind == "dc" and hooks.dc_oauth1 is not None:
        return hooks.dc_oauth1(sandbox, instance, request)
    return _failed(instance, request, f"{scheme}:unsupported", "Unsupported authentication scheme.")


def _basic(instance: Instance, request: Request, login: str, secret: str) -> AuthResult:
    user = instance.find_user(login)
    if instance.kind == "cloud":
        # Cloud logs in by email with an API token; passwords are refused.
        if user is None or user.email.lower() != login.lower() or not _eq(user.api_token, secret):
            return _failed(
                instance, request, "basic:unknown", "Client must be authenticated to access this resource."
            )
        label = user.email
    else:
        if user is None or user.username.lower() != login.lower() or not _eq(user.password, secret):
            return _failed(
                instance, request, "basic:unknown", "Client must be authenticated to access this resource."
            )
        label = user.username
    if not user.active:
        return _failed(instance, request, label, "User is inactive.")
    return AuthResult(user, label, scheme="basic")


def _gateway_bearer(
    sandbox: Sandbox, instance: Instance, request: Request, scheme: str, value: str, hooks: AuthHooks
) -> AuthResult:
    if scheme != "bearer" or hooks.gateway_bearer is None:
        return _failed(
            instance, request, "gateway:unsupported", "Client must be authenticated to access this resource."
        )
    return hooks.gateway_bearer(sandbox, instance, request, value)
