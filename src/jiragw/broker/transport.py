"""The broker's one I/O seam: send an :class:`~jiragw.auth.http.HttpRequest` through an injected client.

STYLE.md §1: every outbound call of the broker goes through the
``httpx.AsyncClient`` handed to :class:`~jiragw.broker.broker.Broker`; tests
swap its transport (``httpx.MockTransport``, ``httpx.ASGITransport``) or point
it at the sandbox. Network failures are translated here, once, into the error
tree (``raise ... from exc``): :class:`~jiragw.errors.TokenEndpointUnavailable`
for token endpoints (retryable, RFC 6749 §5.2 ``temporarily_unavailable``
semantics), :class:`~jiragw.errors.UpstreamUnavailable` otherwise. The debug
log line shows the request's masked ``repr`` only (DESIGN.md, "Invariants").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

from jiragw.auth.http import HttpRequest
from jiragw.errors import TokenEndpointUnavailable, UpstreamUnavailable

__all__ = ["Reply", "send"]

log = logging.getLogger("jiragw.broker")


@dataclass(frozen=True, slots=True)
class Reply:
    """A response as the sans-IO parsers take it: ``(status, headers, body)``."""

    status: int
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)


async def send(client: httpx.AsyncClient, request: HttpRequest, *, token_endpoint: bool = False) -> Reply:
    """Send ``request``; a transport failure raises the retryable error for its kind of endpoint."""
    log.debug("-> %r", request)
    try:
        response = await client.request(
            request.method, request.url, headers=dict(request.headers), content=request.body
        )
    except httpx.TransportError as exc:
        kind = type(exc).__name__
        # The exception text may quote the URL; the URL never holds a secret, but keep it out anyway.
        if token_endpoint:
            raise TokenEndpointUnavailable(f"the token endpoint could not be reached ({kind})") from exc
        raise UpstreamUnavailable(f"the upstream could not be reached ({kind})") from exc
    log.debug("<- %s %s", response.status_code, request.url.split("?", 1)[0])
    return Reply(response.status_code, dict(response.headers), response.content)
