"""The data the auth core hands to, and takes from, the one I/O seam.

Every builder in :mod:`jiragw.auth` returns an :class:`HttpRequest`: a frozen
description of one HTTP request (method, URL, headers, body) that the broker
sends through its injected ``httpx.AsyncClient``. Parsers take the response as
plain ``(status, headers, body bytes)``. Nothing here opens a socket (STYLE.md
§1-2, the oauthlib ``(url, headers, body)`` model).

The wire form necessarily holds revealed secrets, so :meth:`HttpRequest.__repr__`
masks the ``Authorization`` header (RFC 9110 §11.6.2) and any body flagged as
carrying a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

from jiragw.errors import InvalidInput, JiragwError, TokenResponseInvalid
from jiragw.secrets import MASK, mask_authorization

__all__ = [
    "SENSITIVE_HEADERS",
    "HttpRequest",
    "base_url",
    "form_request",
    "header",
    "json_request",
    "parse_json_body",
    "retry_after_seconds",
]

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One outbound HTTP request, as data. ``secret_body`` marks a body holding a secret."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    secret_body: bool = False

    def __repr__(self) -> str:
        shown = {
            name: (mask_authorization(value) if name.lower() in SENSITIVE_HEADERS else value)
            for name, value in self.headers.items()
        }
        if self.body is None:
            body = "None"
        elif self.secret_body:
            body = f"<{len(self.body)} bytes {MASK}>"
        else:
            body = repr(self.body)
        return f"HttpRequest(method={self.method!r}, url={self.url!r}, headers={shown!r}, body={body})"

    __str__ = __repr__


def base_url(url: str, *, what: str = "base URL") -> str:
    """Check an endpoint base URL (scheme, host, no credentials/query) and drop its trailing slash.

    A context path is kept, so ``http://127.0.0.1:9000/sites/acme`` stays a valid Jira base.
    """
    if not isinstance(url, str) or _CONTROL.search(url) or " " in url:
        raise InvalidInput(f"{what} is not a valid URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{what} must be an absolute http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(f"{what} must not carry credentials")
    if parts.query or parts.fragment:
        raise InvalidInput(f"{what} must not carry a query or fragment")
    return url.rstrip("/")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (RFC 9110 §5.1)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def json_request(
    method: str,
    url: str,
    payload: Mapping[str, Any],
    *,
    secret_body: bool,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    """A request with a JSON body (``Content-Type: application/json``)."""
    all_headers = {"Accept": "application/json", "Content-Type": "application/json", **(headers or {})}
    return HttpRequest(method, url, all_headers, orjson.dumps(dict(payload)), secret_body)


def form_request(
    method: str,
    url: str,
    body: str | Mapping[str, str],
    *,
    secret_body: bool,
    headers: Mapping[str, str] | None = None,
) -> HttpRequest:
    """A request with an ``application/x-www-form-urlencoded`` body."""
    text = body if isinstance(body, str) else urlencode(dict(body))
    all_headers = {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        **(headers or {}),
    }
    return HttpRequest(method, url, all_headers, text.encode("ascii"), secret_body)


def parse_json_body(body: bytes, *, what: str, error: type[JiragwError] = TokenResponseInvalid) -> Any:
    """Decode a JSON response body or raise ``error`` (never echoing the body, which may hold secrets)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise error(f"{what} answered a body that is not valid JSON") from exc


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds when given as a number (RFC 9110 §10.2.3), else ``None``."""
    value = header(headers, "Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
