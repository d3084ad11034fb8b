"""Error bodies the gateway answers with, one mapping from the exception tree for every door.

- the management API, OAuth routes and ops: ``{"error": {"code", "message"[, "details"]}}``
  (STYLE.md §3);
- the Jira-compatible proxy: Jira's own ErrorCollection shape,
  ``{"errorMessages": ["..."], "errors": {}}``, so unmodified Jira clients
  show the message, plus ``"jiragw": {"code": ...}`` for scripts that want the
  stable code. ``WWW-Authenticate`` accompanies every 401, ``Allow`` every 405
  that knows its methods (RFC 9110 §15.5.6), ``Retry-After`` (whole seconds,
  rounded up) every 429, and every 503 of a busy connection, that knows when
  to try again. A proxy error also carries the proxy's security headers
  (:data:`jiragw.gateway.headers.SECURITY_HEADERS`), as every proxied answer does.
"""

from __future__ import annotations

import math

from starlette.responses import JSONResponse

from jiragw.errors import ConnectionBusy, JiragwError, MethodNotAllowed, RateLimited
from jiragw.gateway.headers import SECURITY_HEADERS

__all__ = ["api_error", "jira_error"]

_NO_STORE = {"Cache-Control": "no-store"}


def _headers(exc: JiragwError) -> dict[str, str]:
    headers = dict(_NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="jiragw"'
    if isinstance(exc, MethodNotAllowed) and exc.allowed:
        headers["Allow"] = ", ".join(exc.allowed)
    if isinstance(exc, RateLimited | ConnectionBusy) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(0, math.ceil(exc.retry_after)))
    return headers


_SECURITY = {name.decode("latin-1"): value.decode("latin-1") for name, value in SECURITY_HEADERS}


def api_error(exc: JiragwError) -> JSONResponse:
    return JSONResponse(exc.to_dict(), status_code=exc.status, headers=_headers(exc))


def jira_error(exc: JiragwError) -> JSONResponse:
    body = {
        "errorMessages": [f"{exc.message} [jiragw: {exc.code}]"],
        "errors": {},
        "jiragw": {"code": exc.code, **({"details": exc.details} if exc.details else {})},
    }
    return JSONResponse(body, status_code=exc.status, headers={**_headers(exc), **_SECURITY})
