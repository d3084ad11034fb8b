"""The answers of the emulated OAuth servers other than success.

A leaf module: it imports nothing else of the sandbox, so every OAuth server
module can raise these; :func:`~.plumbing.oauth_route` turns them into the
response. Token endpoint errors carry RFC 6749 §5.2's body and
``Cache-Control: no-store`` (RFC 6749 §5.1).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from ...errors import SandboxError

__all__ = ["NO_STORE", "OAuthHttpError", "oauth_error"]

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthHttpError(SandboxError):
    """An answer of an emulated OAuth server other than success, with its exact body."""

    def __init__(
        self,
        status: int,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        media: str = "application/json",
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.http_status = status
        self.body = body
        self.headers = dict(headers or {})
        self.media = media

    def response(self) -> Response:
        content = self.body if isinstance(self.body, (bytes, str)) else orjson.dumps(self.body)
        return Response(content, status_code=self.http_status, headers=self.headers, media_type=self.media)


def oauth_error(status: int, error: str, description: str | None = None) -> OAuthHttpError:
    """RFC 6749 §5.2's error body ``{"error", "error_description"}``."""
    body = {"error": error, **({"error_description": description} if description else {})}
    return OAuthHttpError(status, body, headers=NO_STORE)
