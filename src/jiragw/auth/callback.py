"""The OAuth 2.0 ``state`` parameter and the authorization-code callback check.

Implements RFC 6749 §4.1.2 (authorization response), §4.1.2.1 (error
response) and §10.12 (CSRF protection through ``state``): ``state`` carries
at least 128 bits from a CSPRNG, only its SHA-256 is stored, it is single use
and lives ten minutes. Shared by Cloud 3LO (:mod:`jiragw.auth.oauth2_3lo`) and
the Data Center provider (:mod:`jiragw.auth.dc_oauth2`).

The checks run in a fixed order, state first, so that nothing the callback
says (not even an ``error``) is believed before it is proven to answer a flow
we started: missing state, wrong state, replayed state, expired state,
provider error, missing code.

Reading the query comes before all of that (RFC 6749 §4.1.2, RFC 5849 §2.2):
the redirect back carries single-valued parameters, so a repeated one is
refused (:func:`single_values`), and :func:`flow_key` finds the pending flow
by its ``state`` (or OAuth 1.0a ``oauth_token``) before anything else in the
query is read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from jiragw.errors import (
    CodeMissing,
    ConsentDenied,
    OAuthCallbackError,
    StateExpired,
    StateMismatch,
    StateMissing,
    StateReplayed,
)
from jiragw.secrets import Secret

__all__ = [
    "MAX_QUERY",
    "STATE_BYTES",
    "STATE_TTL",
    "NewState",
    "check_callback",
    "flow_key",
    "hash_state",
    "new_state",
    "single_values",
]

STATE_BYTES = 32  # 256 bits, twice the 128 the rules ask for
STATE_TTL = timedelta(minutes=10)
_MAX_PARAM = 4096
MAX_QUERY = 4 * _MAX_PARAM
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")
_ERROR_CODE = re.compile(r"^[a-z_]{1,64}$")


@dataclass(frozen=True, slots=True)
class NewState:
    """A fresh ``state``: the value goes in the authorize URL, only ``hash`` is stored."""

    value: Secret
    hash: str


def new_state() -> NewState:
    """A new ``state`` from the OS CSPRNG, with the SHA-256 hex digest to store."""
    value = secrets.token_urlsafe(STATE_BYTES)
    return NewState(Secret(value), hash_state(value))


def hash_state(value: str) -> str:
    """The SHA-256 hex digest under which a ``state`` value is stored."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def check_callback(
    query: str | Mapping[str, str],
    expected_state_hash: str,
    *,
    now: datetime,
    created_at: datetime,
    used: bool,
    ttl: timedelta = STATE_TTL,
) -> Secret:
    """The authorization ``code`` from a callback, or the precise :class:`OAuthCallbackError`.

    ``query`` is the raw query string or its already-decoded single values;
    ``expected_state_hash``, ``created_at`` and ``used`` describe the stored flow.
    """
    params = single_values(query) if isinstance(query, str) else dict(query)
    state = params.get("state")
    if not state:
        raise StateMissing("the callback carries no state")
    if len(state) > _MAX_PARAM or not hmac.compare_digest(
        hash_state(state).encode("ascii"), expected_state_hash.encode("ascii", "replace")
    ):
        raise StateMismatch("the callback's state does not match this flow")
    if used:
        raise StateReplayed("this state was already used")
    if now - created_at > ttl or now < created_at:
        raise StateExpired(f"the flow started more than {int(ttl.total_seconds())} s ago")
    error = params.get("error")
    if error is not None:
        code = error if _ERROR_CODE.match(error) else "unrecognised"
        if code == "access_denied":
            raise ConsentDenied("the user declined the consent screen", details={"oauth_error": code})
        raise OAuthCallbackError(
            f"the authorization server answered error {code!r}", details={"oauth_error": code}
        )
    code_value = params.get("code")
    if not code_value:
        raise CodeMissing("the callback carries no authorization code")
    if len(code_value) > _MAX_PARAM or not _PRINTABLE.match(code_value):
        raise OAuthCallbackError("the callback's authorization code is malformed")
    return Secret(code_value)


def single_values(query: str) -> dict[str, str]:
    """The query's parameters; :class:`OAuthCallbackError` when one repeats or the query is huge.

    A repeated parameter is an attack on the parser, not a choice to make.
    """
    if len(query) > MAX_QUERY:
        raise OAuthCallbackError("the callback query is too long")
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in params:
            raise OAuthCallbackError(f"the callback repeats the parameter {name[:32]!r}")
        params[name] = value
    return params


def flow_key(query: str) -> Secret | None:
    """The value that names the pending flow: ``state`` (OAuth 2.0) or ``oauth_token`` (OAuth 1.0a)."""
    params = single_values(query)
    value = params.get("state") or params.get("oauth_token")
    return Secret(value) if value else None
