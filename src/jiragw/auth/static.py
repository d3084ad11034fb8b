"""Static credentials: Cloud API token, Data Center Basic password, Data Center PAT.

Implements the ``Authorization`` header forms Atlassian documents for these
methods: HTTP Basic (RFC 7617 §2, UTF-8 per §2.1) with ``email:api_token`` on
Cloud ("Basic auth for REST APIs") or ``username:password`` on legacy Data
Center (accepted, but flagged as discouraged), and a Bearer personal access
token on Data Center (RFC 6750 §2.1; "Using Personal Access Tokens"). A
connection is tested by ``GET /rest/api/3/myself`` (Cloud) or
``/rest/api/2/myself`` (Data Center).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from jiragw.auth.http import HttpRequest, base_url, header, parse_json_body
from jiragw.errors import AuthError, InvalidInput, PermissionDenied, RateLimited, UpstreamError
from jiragw.secrets import Secret

__all__ = [
    "BASIC_PASSWORD_NOTICE",
    "DeprecationNotice",
    "Flavor",
    "Identity",
    "StaticAuth",
    "api_token",
    "basic_password",
    "myself_request",
    "myself_url",
    "parse_myself",
    "personal_access_token",
]

_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class Flavor(StrEnum):
    """Which Jira a base URL points at."""

    CLOUD = "cloud"
    DC = "dc"


@dataclass(frozen=True, slots=True)
class DeprecationNotice:
    """A warning to show (once, at connect time) that a method is discouraged."""

    code: str
    message: str


BASIC_PASSWORD_NOTICE = DeprecationNotice(
    "basic_auth_discouraged",
    "Basic authentication with a password is discouraged by Atlassian and may be blocked by CAPTCHA "
    "after failed logins; prefer a personal access token.",
)


@dataclass(frozen=True, slots=True)
class StaticAuth:
    """A ready ``Authorization`` header value plus what the broker should know about it."""

    method: Literal["api_token", "basic_password", "pat"]
    flavor: Flavor
    authorization: Secret
    notice: DeprecationNotice | None = None
    expires_at: datetime | None = None

    def headers(self) -> dict[str, str]:
        """The header to put on a request (the wire form: it reveals the secret)."""
        return {"Authorization": self.authorization.reveal()}

    def expired(self, now: datetime) -> bool:
        """True once an expiring PAT is past its date."""
        return self.expires_at is not None and now >= self.expires_at


def _basic(user: str, password: Secret, *, user_label: str) -> Secret:
    if not user or ":" in user or _HEADER_UNSAFE.search(user):
        # RFC 7617 §2: the user-id cannot contain a colon.
        raise InvalidInput(f"{user_label} must be non-empty and contain no colon or control character")
    if not password or _HEADER_UNSAFE.search(password.reveal()):
        raise InvalidInput("the secret must be non-empty and contain no control character")
    raw = f"{user}:{password.reveal()}".encode()
    return Secret("Basic " + base64.b64encode(raw).decode("ascii"))


def api_token(email: str, token: Secret) -> StaticAuth:
    """Cloud API token: ``Basic base64(email:token)``."""
    return StaticAuth("api_token", Flavor.CLOUD, _basic(email, token, user_label="the email"))


def basic_password(username: str, password: Secret) -> StaticAuth:
    """Data Center Basic password: works, but carries :data:`BASIC_PASSWORD_NOTICE`."""
    authorization = _basic(username, password, user_label="the username")
    return StaticAuth("basic_password", Flavor.DC, authorization, notice=BASIC_PASSWORD_NOTICE)


def personal_access_token(pat: Secret, *, expires_at: datetime | None = None) -> StaticAuth:
    """Data Center personal access token: ``Bearer PAT`` (RFC 6750 §2.1 b64token syntax)."""
    if not re.fullmatch(r"[A-Za-z0-9\-._~+/]+=*", pat.reveal()):
        raise InvalidInput("the personal access token is not a valid bearer token")
    return StaticAuth("pat", Flavor.DC, Secret("Bearer " + pat.reveal()), expires_at=expires_at)


def myself_url(site_url: str, flavor: Flavor) -> str:
    """The URL that tests a connection: REST v3 on Cloud, v2 on Data Center."""
    version = "3" if flavor is Flavor.CLOUD else "2"
    return f"{base_url(site_url, what='the site URL')}/rest/api/{version}/myself"


def myself_request(site_url: str, auth: StaticAuth) -> HttpRequest:
    """``GET .../myself`` carrying ``auth``."""
    headers = {"Accept": "application/json", **auth.headers()}
    return HttpRequest("GET", myself_url(site_url, auth.flavor), headers)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a credential authenticates as: ``account_id`` on Cloud, ``name``/``key`` on DC."""

    display_name: str
    account_id: str | None = None
    name: str | None = None
    email: str | None = None


def parse_myself(status: int, headers: Mapping[str, str], body: bytes) -> Identity:
    """Parse a ``myself`` answer; 401/403/429 become precise errors."""
    if status == 401:
        reason = (header(headers, "X-Seraph-LoginReason") or "").upper()
        details = {"reason": "captcha_required"} if "AUTHENTICATION_DENIED" in reason else {}
        raise AuthError("Jira rejected the credential", details=details)
    if status == 403:
        raise PermissionDenied("the credential may not read its own user")
    if status == 429:
        raise RateLimited("Jira is rate limiting")
    if status != 200:
        raise UpstreamError(f"myself answered HTTP {status}", details={"status": status})
    data = parse_json_body(body, what="myself", error=UpstreamError)
    if not isinstance(data, dict):
        raise UpstreamError("myself answered something other than a JSON object")
    display = data.get("displayName")
    account_id = data.get("accountId")
    name = data.get("name")
    email = data.get("emailAddress")
    if not isinstance(display, str) or not (isinstance(account_id, str) or isinstance(name, str)):
        raise UpstreamError("myself answered without displayName and accountId or name")
    return Identity(
        display_name=display,
        account_id=account_id if isinstance(account_id, str) else None,
        name=name if isinstance(name, str) else None,
        email=email if isinstance(email, str) else None,
    )
