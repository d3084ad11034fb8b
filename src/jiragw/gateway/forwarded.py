"""Who is on the other end: ``X-Forwarded-For``/``-Proto`` honoured from trusted proxies only.

uvicorn trusts forwarded headers from 127.0.0.1 by default, so anything on the
gateway's host could pick the client address the login throttle counts.
``jiragw serve`` turns uvicorn's own handling off and wraps the app with
:func:`trusting` instead: with no trusted proxy (``JIRAGW_TRUSTED_PROXIES``
unset, the default) the headers are ignored and the client is the TCP peer;
with some, uvicorn's ``ProxyHeadersMiddleware`` applies them for those peers
only, and the TCP peer is kept in the scope under :data:`PEER` so audit
records can name both (:func:`peer_address`).
"""

from __future__ import annotations

from typing import Any, Final

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

__all__ = ["PEER", "client_address", "peer_address", "trusting"]

PEER: Final = "jiragw.peer"


def trusting(app: ASGIApp, proxies: tuple[str, ...]) -> ASGIApp:
    """``app`` honouring forwarded headers from ``proxies`` (IPs or CIDR networks) only; as is without any."""
    if not proxies:
        return app
    forwarded: Any = ProxyHeadersMiddleware(app, trusted_hosts=list(proxies))  # type: ignore[arg-type]

    async def keep_peer(scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if client:
            scope[PEER] = client[0]
        await forwarded(scope, receive, send)

    return keep_peer


def client_address(scope: Scope) -> str:
    """The client's address: the TCP peer, or what a trusted proxy said it forwarded for."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def peer_address(scope: Scope) -> str:
    """The TCP peer's address, whatever any forwarded header said."""
    peer = scope.get(PEER)
    return str(peer) if peer else client_address(scope)
