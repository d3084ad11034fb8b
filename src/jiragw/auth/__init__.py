"""The sans-IO protocol core for every Atlassian auth method.

One module per method (DESIGN.md, "Auth methods"): each builds
:class:`~jiragw.auth.http.HttpRequest` values, parses ``(status, headers,
body)`` answers and makes decisions, with no socket, storage or clock of its
own. :data:`METHODS` lists the methods as data, so the broker, the CLI and the
admin UI can enumerate them without branching on names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from jiragw.auth.http import HttpRequest
from jiragw.errors import InvalidInput

__all__ = ["METHODS", "AuthMethod", "HttpRequest", "TokenEndpoint", "method"]


class TokenEndpoint(StrEnum):
    """Which kind of token endpoint a method talks to, if any."""

    NONE = "none"
    ATLASSIAN_AUTH = "atlassian_auth"  # {auth_url}/oauth/token, JSON body
    ATLASSIAN_API = "atlassian_api"  # {api_url}/oauth/token, JSON body
    DC_OAUTH1 = "dc_oauth1"  # {dc}/plugins/servlet/oauth/{request-token,access-token}, form answers
    DC_OAUTH2 = "dc_oauth2"  # {dc}/rest/oauth2/latest/token, form body


@dataclass(frozen=True, slots=True)
class AuthMethod:
    """One auth method, as the ``jiragw connect`` sub-command names it."""

    name: str
    flavor: str  # "cloud", "dc" or "api" (api.atlassian.com)
    module: str
    needs_refresh: bool
    token_endpoint: TokenEndpoint
    interactive: bool  # needs a browser consent step
    discouraged: bool = False


_TABLE = (
    AuthMethod("api-token", "cloud", "jiragw.auth.static", False, TokenEndpoint.NONE, False),
    AuthMethod("basic", "dc", "jiragw.auth.static", False, TokenEndpoint.NONE, False, discouraged=True),
    AuthMethod("pat", "dc", "jiragw.auth.static", False, TokenEndpoint.NONE, False),
    AuthMethod("oauth", "api", "jiragw.auth.oauth2_3lo", True, TokenEndpoint.ATLASSIAN_AUTH, True),
    AuthMethod(
        "client-credentials",
        "api",
        "jiragw.auth.client_credentials",
        False,
        TokenEndpoint.ATLASSIAN_API,
        False,
    ),
    AuthMethod("oauth1", "dc", "jiragw.auth.oauth1", False, TokenEndpoint.DC_OAUTH1, True),
    AuthMethod("dc-oauth", "dc", "jiragw.auth.dc_oauth2", True, TokenEndpoint.DC_OAUTH2, True),
)

METHODS: Mapping[str, AuthMethod] = MappingProxyType({m.name: m for m in _TABLE})


def method(name: str) -> AuthMethod:
    """The method called ``name`` (as ``jiragw connect NAME`` spells it)."""
    try:
        return METHODS[name]
    except KeyError:
        raise InvalidInput(f"unknown auth method {name[:40]!r}; known: {', '.join(METHODS)}") from None
