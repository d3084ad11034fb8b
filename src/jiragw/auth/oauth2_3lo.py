"""Atlassian Cloud OAuth 2.0 (3LO): authorization code grant with rotating refresh tokens.

Implements RFC 6749 §4.1 (authorization code grant) and §6 (refresh) as
Atlassian's "OAuth 2.0 (3LO) apps" guide specifies them: the authorize URL at
``{auth_url}/authorize`` with ``audience=api.atlassian.com`` and
``prompt=consent``; code exchange and refresh at ``{auth_url}/oauth/token``
with a JSON body; ``offline_access`` to get a refresh token; rotating refresh
tokens with a 365-day absolute family lifetime; and
``{api_url}/oauth/token/accessible-resources`` to learn the sites a grant
covers. The callback and ``state`` rules live in :mod:`jiragw.auth.callback`,
token parsing in :mod:`jiragw.auth.tokens`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import quote, urlencode

from jiragw.auth.callback import STATE_TTL, NewState, check_callback, hash_state, new_state
from jiragw.auth.http import HttpRequest, base_url, json_request, parse_json_body, retry_after_seconds
from jiragw.auth.tokens import TokenSet, parse_token_response
from jiragw.errors import AuthError, InvalidInput, RateLimited, TokenResponseInvalid, UpstreamError
from jiragw.secrets import Secret

__all__ = [
    "AUDIENCE",
    "CALLBACK_PATH",
    "FAMILY_LIFETIME",
    "OFFLINE_ACCESS",
    "REFRESH_MARGIN",
    "STATE_TTL",
    "WARN_BEFORE",
    "AccessibleResource",
    "NewState",
    "RefreshAction",
    "RefreshDecision",
    "TokenSet",
    "accessible_resources_request",
    "authorize_url",
    "check_callback",
    "code_exchange_request",
    "hash_state",
    "new_state",
    "parse_accessible_resources",
    "parse_token_response",
    "redirect_uri",
    "refresh_decision",
    "refresh_request",
]

AUDIENCE = "api.atlassian.com"
CALLBACK_PATH = "/v1/outbound/oauth/callback"
OFFLINE_ACCESS = "offline_access"
REFRESH_MARGIN = timedelta(seconds=60)
FAMILY_LIFETIME = timedelta(days=365)
WARN_BEFORE = timedelta(days=14)


def redirect_uri(public_url: str) -> str:
    """The exact redirect URI registered with the app: ``JIRAGW_PUBLIC_URL`` + the callback path."""
    return base_url(public_url, what="the public URL") + CALLBACK_PATH


def _scope_param(scopes: Iterable[str], *, refresh: bool) -> str:
    wanted: list[str] = []
    for scope in scopes:
        if not scope or any(c.isspace() for c in scope) or not scope.isprintable():
            raise InvalidInput("a scope must be non-empty and contain no whitespace")
        if scope not in wanted:
            wanted.append(scope)
    if refresh and OFFLINE_ACCESS not in wanted:
        wanted.append(OFFLINE_ACCESS)
    if not wanted:
        raise InvalidInput("at least one scope is required")
    return " ".join(wanted)


def authorize_url(
    auth_url: str,
    *,
    client_id: str,
    scopes: Iterable[str],
    redirect_uri: str,
    state: Secret,
    refresh: bool = True,
) -> str:
    """The consent URL to send the user to. It carries ``state`` but never the client secret."""
    # Built here rather than by oauthlib's prepare_grant_uri, which refuses the plain-http
    # loopback endpoints of the sandbox; the parameter set is Atlassian's, in its documented order.
    if not client_id:
        raise InvalidInput("client_id is required")
    base_url(redirect_uri, what="the redirect URI")
    query = urlencode(
        [
            ("audience", AUDIENCE),
            ("client_id", client_id),
            ("scope", _scope_param(scopes, refresh=refresh)),
            ("redirect_uri", redirect_uri),
            ("state", state.reveal()),
            ("response_type", "code"),
            ("prompt", "consent"),
        ],
        quote_via=quote,
    )
    return f"{base_url(auth_url, what='the auth URL')}/authorize?{query}"


def _token_url(auth_url: str) -> str:
    return f"{base_url(auth_url, what='the auth URL')}/oauth/token"


def code_exchange_request(
    auth_url: str, *, client_id: str, client_secret: Secret, code: Secret, redirect_uri: str
) -> HttpRequest:
    """``POST {auth_url}/oauth/token`` exchanging ``code`` (JSON body, RFC 6749 §4.1.3)."""
    payload = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "client_secret": client_secret.reveal(),
        "code": code.reveal(),
        "redirect_uri": redirect_uri,
    }
    return json_request("POST", _token_url(auth_url), payload, secret_body=True)


def refresh_request(
    auth_url: str, *, client_id: str, client_secret: Secret, refresh_token: Secret
) -> HttpRequest:
    """``POST {auth_url}/oauth/token`` with ``grant_type=refresh_token`` (JSON body, RFC 6749 §6)."""
    payload = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "client_secret": client_secret.reveal(),
        "refresh_token": refresh_token.reveal(),
    }
    return json_request("POST", _token_url(auth_url), payload, secret_body=True)


@dataclass(frozen=True, slots=True)
class AccessibleResource:
    """One site a grant covers, from ``accessible-resources``."""

    id: str
    url: str
    name: str
    scopes: tuple[str, ...]
    avatar_url: str | None


def accessible_resources_request(api_url: str, access_token: Secret) -> HttpRequest:
    """``GET {api_url}/oauth/token/accessible-resources`` with the access token."""
    url = f"{base_url(api_url, what='the API URL')}/oauth/token/accessible-resources"
    headers = {"Accept": "application/json", "Authorization": f"Bearer {access_token.reveal()}"}
    return HttpRequest("GET", url, headers)


def parse_accessible_resources(
    status: int, headers: Mapping[str, str], body: bytes
) -> tuple[AccessibleResource, ...]:
    """Parse ``[{id, url, name, scopes, avatarUrl}]``; 401 means the access token is not accepted."""
    what = "accessible-resources"
    if status == 401:
        raise AuthError(f"{what} rejected the access token")
    if status == 429:
        raise RateLimited(f"{what} is rate limiting", retry_after=retry_after_seconds(headers))
    if status != 200:
        raise UpstreamError(f"{what} answered HTTP {status}", details={"status": status})
    data = parse_json_body(body, what=what)
    if not isinstance(data, list):
        raise TokenResponseInvalid(f"{what} answered something other than a JSON array")
    resources: list[AccessibleResource] = []
    for item in data:
        if not isinstance(item, dict):
            raise TokenResponseInvalid(f"{what} listed an entry that is not an object")
        rid, url, name, scopes = item.get("id"), item.get("url"), item.get("name"), item.get("scopes", [])
        avatar = item.get("avatarUrl")
        if not (isinstance(rid, str) and rid and isinstance(url, str) and isinstance(name, str)):
            raise TokenResponseInvalid(f"{what} listed an entry without id, url and name")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise TokenResponseInvalid(f"{what} listed scopes that are not strings")
        try:
            site = base_url(url, what="a resource URL")
        except InvalidInput as exc:
            raise TokenResponseInvalid(f"{what} listed a site URL that is not http(s)") from exc
        resources.append(
            AccessibleResource(rid, site, name, tuple(scopes), avatar if isinstance(avatar, str) else None)
        )
    return tuple(resources)


class RefreshAction(StrEnum):
    """What to do with a grant's access token now."""

    NOT_YET = "not_yet"
    REFRESH = "refresh"
    REAUTH = "reauth"


@dataclass(frozen=True, slots=True)
class RefreshDecision:
    """The decision, when to look again, and whether to warn that the family is ageing out."""

    action: RefreshAction
    refresh_at: datetime | None
    family_expires_at: datetime
    warn_lifetime: bool


def refresh_decision(
    expires_at: datetime | None,
    now: datetime,
    family_started_at: datetime,
    *,
    margin: timedelta = REFRESH_MARGIN,
    lifetime: timedelta = FAMILY_LIFETIME,
    warn_before: timedelta = WARN_BEFORE,
) -> RefreshDecision:
    """Refresh ``margin`` before expiry; warn ``warn_before`` the absolute lifetime ends; reauth after.

    ``family_started_at`` is the time of the consent that started the refresh-token family.
    """
    family_expires_at = family_started_at + lifetime
    warn = now >= family_expires_at - warn_before
    if now >= family_expires_at:
        return RefreshDecision(RefreshAction.REAUTH, None, family_expires_at, True)
    if expires_at is None:
        return RefreshDecision(RefreshAction.NOT_YET, None, family_expires_at, warn)
    refresh_at = expires_at - margin
    action = RefreshAction.REFRESH if now >= refresh_at else RefreshAction.NOT_YET
    return RefreshDecision(action, refresh_at, family_expires_at, warn)
