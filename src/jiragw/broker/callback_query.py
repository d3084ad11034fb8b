"""Reading an authorization callback's query before anything in it is believed.

RFC 6749 §4.1.2 / RFC 5849 §2.2: the redirect back carries single-valued
parameters. A repeated parameter is refused (it is an attack on the parser,
not a choice to make), and the flow's ``state`` (or OAuth 1.0a
``oauth_token``) is looked up first; nothing else is read until the stored
flow has been consumed.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from jiragw.errors import OAuthCallbackError
from jiragw.secrets import Secret

__all__ = ["MAX_QUERY", "flow_key", "single_values"]

MAX_QUERY = 16384


def single_values(query: str) -> dict[str, str]:
    """The query's parameters; :class:`OAuthCallbackError` when one repeats or the query is huge."""
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
