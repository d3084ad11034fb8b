"""OAuth 2.0 token responses, shared by 3LO, client credentials and the DC provider.

Implements the client side of RFC 6749 §5.1 (successful response) and §5.2
(error response), with refresh-token rotation as Atlassian does it (a refresh
answer carries a new refresh token that replaces the old one; RFC 6749 §6, and
OAuth 2.0 Security BCP §4.14.2). oauthlib's ``parse_token_response`` validates
the body and raises its per-error exception; we translate that exception into
our tree here, once. Expiry is made absolute from the caller's ``now``: no
clock is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from oauthlib.oauth2.rfc6749.errors import OAuth2Error  # type: ignore[import-untyped,unused-ignore]
from oauthlib.oauth2.rfc6749.parameters import parse_token_response as _oauthlib_parse  # type: ignore[import-untyped,unused-ignore]

from jiragw.auth.http import parse_json_body, retry_after_seconds
from jiragw.errors import (
    ConsentDenied,
    JiragwError,
    OAuthClientRejected,
    RateLimited,
    ReauthRequired,
    ScopeDenied,
    TokenEndpointUnavailable,
    TokenResponseInvalid,
    UpstreamError,
)
from jiragw.secrets import Secret

__all__ = ["BEARER", "OAUTH_ERRORS", "TokenSet", "error_for_oauth_error", "parse_token_response"]

BEARER = "Bearer"
_ERROR_CODE = re.compile(r"^[a-z_]{1,64}$")
_MAX_EXPIRES_IN = 10 * 366 * 86400  # beyond any real token; keeps datetime arithmetic in range

# RFC 6749 §5.2 error codes (plus the two §4.1.2.1 ones a server may reuse) -> our class.
# invalid_grant is terminal: the grant is dead and only a new consent revives it.
OAUTH_ERRORS: Mapping[str, type[JiragwError]] = {
    "invalid_grant": ReauthRequired,
    "invalid_client": OAuthClientRejected,
    "unauthorized_client": OAuthClientRejected,
    "invalid_scope": ScopeDenied,
    "access_denied": ConsentDenied,
    "server_error": TokenEndpointUnavailable,
    "temporarily_unavailable": TokenEndpointUnavailable,
    "invalid_request": TokenResponseInvalid,
    "unsupported_grant_type": TokenResponseInvalid,
}


@dataclass(frozen=True, slots=True)
class TokenSet:
    """A parsed token response. ``refresh_token`` is the one to store (rotated or kept)."""

    access_token: Secret
    token_type: str
    issued_at: datetime
    expires_at: datetime | None
    refresh_token: Secret | None
    scopes: tuple[str, ...]
    rotated: bool

    def valid_at(self, now: datetime, margin: timedelta = timedelta(0)) -> bool:
        """True while the access token is still usable ``margin`` ahead of ``now``."""
        return self.expires_at is None or now + margin < self.expires_at


def error_for_oauth_error(error: str, *, what: str) -> JiragwError:
    """Our exception for an RFC 6749 ``error`` code. The provider's description is never copied."""
    code = error if _ERROR_CODE.match(error) else "unrecognised"
    cls = OAUTH_ERRORS.get(code, UpstreamError)
    return cls(f"{what} answered error {code!r}", details={"oauth_error": code})


def parse_token_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    previous_refresh_token: Secret | None = None,
    what: str = "token endpoint",
) -> TokenSet:
    """Parse a token endpoint answer into a :class:`TokenSet`, or raise the precise error.

    5xx and ``temporarily_unavailable`` raise :class:`TokenEndpointUnavailable`
    (retryable); ``invalid_grant`` raises :class:`ReauthRequired` (terminal);
    429 raises :class:`RateLimited` with ``retry_after``.
    """
    if status == 429:
        raise RateLimited(f"{what} is rate limiting", retry_after=retry_after_seconds(headers))
    if status >= 500:
        raise TokenEndpointUnavailable(f"{what} answered HTTP {status}", details={"status": status})
    data = parse_json_body(body, what=what)
    if not isinstance(data, dict):
        raise TokenResponseInvalid(f"{what} answered a JSON {type(data).__name__}, not an object")
    if "error" in data:
        error = data["error"]
        raise error_for_oauth_error(error if isinstance(error, str) else "", what=what)
    if status != 200:
        raise TokenResponseInvalid(f"{what} answered HTTP {status} without an OAuth error")
    _check_types(data, what)
    try:
        parsed = _oauthlib_parse(body.decode("utf-8"), scope=None)
    except OAuth2Error as exc:
        raise error_for_oauth_error(exc.error or "", what=what) from exc
    except (ValueError, TypeError) as exc:
        raise TokenResponseInvalid(f"{what} answered a malformed token response") from exc

    token_type = str(parsed.get("token_type", BEARER))
    if token_type.lower() != BEARER.lower():
        raise TokenResponseInvalid(f"{what} issued a token of unsupported type {token_type[:32]!r}")
    expires_in = parsed.get("expires_in")
    new_refresh = parsed.get("refresh_token")
    return TokenSet(
        access_token=Secret(parsed["access_token"]),
        token_type=BEARER,
        issued_at=now,
        expires_at=None if expires_in is None else now + timedelta(seconds=int(expires_in)),
        refresh_token=Secret(new_refresh) if new_refresh else previous_refresh_token,
        scopes=tuple(parsed.get("scope") or ()),
        rotated=bool(new_refresh) and previous_refresh_token is not None,
    )


def _check_types(data: Mapping[str, object], what: str) -> None:
    """Reject shapes oauthlib would accept loosely (``True`` as ``expires_in``, numbers as tokens)."""
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise TokenResponseInvalid(f"{what} answered without an access token")
    refresh = data.get("refresh_token")
    if refresh is not None and not isinstance(refresh, str):
        raise TokenResponseInvalid(f"{what} answered a refresh token that is not a string")
    expires_in = data.get("expires_in")
    if expires_in is not None and (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, int)
        or not 0 < expires_in <= _MAX_EXPIRES_IN
    ):
        raise TokenResponseInvalid(f"{what} answered an expires_in that is not a positive integer")
    scope = data.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise TokenResponseInvalid(f"{what} answered a scope that is not a string")
    token_type = data.get("token_type")
    if token_type is not None and not isinstance(token_type, str):
        raise TokenResponseInvalid(f"{what} answered a token_type that is not a string")
