"""Jira Data Center as OAuth 2.0 provider: authorization code + PKCE S256, refresh.

Implements RFC 6749 §4.1 and §6 with RFC 7636 (PKCE, method ``S256``) at the
endpoints of Atlassian's "Jira Data Center OAuth 2.0 provider API":
``{dc}/rest/oauth2/latest/authorize`` and ``{dc}/rest/oauth2/latest/token``
(form-encoded, RFC 6749 §4.1.3). oauthlib's ``WebApplicationClient`` prepares
the token request bodies and derives the code challenge; the verifier comes
from the OS CSPRNG (RFC 7636 §4.1, §7.1). The callback is checked by
:func:`jiragw.auth.callback.check_callback`, responses parsed by
:func:`jiragw.auth.tokens.parse_token_response`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from oauthlib.oauth2 import WebApplicationClient  # type: ignore[import-untyped,unused-ignore]

from jiragw.auth.callback import check_callback
from jiragw.auth.http import HttpRequest, base_url, form_request
from jiragw.auth.tokens import TokenSet, parse_token_response
from jiragw.errors import InvalidInput
from jiragw.secrets import Secret

__all__ = [
    "CHALLENGE_METHOD",
    "DC_SCOPES",
    "Pkce",
    "TokenSet",
    "authorize_url",
    "check_callback",
    "code_challenge",
    "new_pkce",
    "parse_token_response",
    "refresh_request",
    "token_request",
    "token_url",
]

CHALLENGE_METHOD = "S256"
DC_SCOPES = ("READ", "WRITE", "ADMIN", "SYSTEM_ADMIN")
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1


@dataclass(frozen=True, slots=True)
class Pkce:
    """A PKCE pair: the verifier stays with the flow (secret), the challenge goes in the URL."""

    verifier: Secret
    challenge: str
    method: str = CHALLENGE_METHOD


def code_challenge(verifier: Secret) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` without padding (RFC 7636 §4.2)."""
    if not _VERIFIER.match(verifier.reveal()):
        raise InvalidInput("a PKCE verifier is 43-128 characters of [A-Za-z0-9-._~]")
    challenge: str = WebApplicationClient("").create_code_challenge(verifier.reveal(), CHALLENGE_METHOD)
    return challenge


def new_pkce() -> Pkce:
    """A fresh verifier (64 random bytes, 86 characters) and its S256 challenge."""
    verifier = Secret(secrets.token_urlsafe(64))
    return Pkce(verifier, code_challenge(verifier))


def _dc(dc_url: str) -> str:
    return f"{base_url(dc_url, what='the Data Center URL')}/rest/oauth2/latest"


def token_url(dc_url: str) -> str:
    """``{dc}/rest/oauth2/latest/token``."""
    return f"{_dc(dc_url)}/token"


def authorize_url(
    dc_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Iterable[str],
    state: Secret,
    challenge: str,
) -> str:
    """The consent URL: code flow with ``code_challenge`` and ``code_challenge_method=S256``."""
    if not client_id:
        raise InvalidInput("client_id is required")
    base_url(redirect_uri, what="the redirect URI")
    wanted = list(dict.fromkeys(scopes))
    if not wanted or any(s not in DC_SCOPES for s in wanted):
        raise InvalidInput(f"Data Center scopes are among {', '.join(DC_SCOPES)}")
    query = urlencode(
        [
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("scope", " ".join(wanted)),
            ("state", state.reveal()),
            ("code_challenge", challenge),
            ("code_challenge_method", CHALLENGE_METHOD),
        ],
        quote_via=quote,
    )
    return f"{_dc(dc_url)}/authorize?{query}"


def token_request(
    dc_url: str,
    *,
    client_id: str,
    client_secret: Secret,
    code: Secret,
    redirect_uri: str,
    verifier: Secret,
) -> HttpRequest:
    """``POST {dc}/rest/oauth2/latest/token``: the code exchange with ``code_verifier``."""
    body = WebApplicationClient(client_id).prepare_request_body(
        code=code.reveal(),
        redirect_uri=redirect_uri,
        code_verifier=verifier.reveal(),
        client_secret=client_secret.reveal(),
        include_client_id=True,
    )
    return form_request("POST", token_url(dc_url), body, secret_body=True)


def refresh_request(
    dc_url: str,
    *,
    client_id: str,
    client_secret: Secret,
    refresh_token: Secret,
    redirect_uri: str | None = None,
) -> HttpRequest:
    """``POST {dc}/rest/oauth2/latest/token`` with ``grant_type=refresh_token``."""
    extra = {"redirect_uri": redirect_uri} if redirect_uri else {}
    body = WebApplicationClient(client_id).prepare_refresh_body(
        refresh_token=refresh_token.reveal(),
        client_id=client_id,
        client_secret=client_secret.reveal(),
        **extra,
    )
    return form_request("POST", token_url(dc_url), body, secret_body=True)
