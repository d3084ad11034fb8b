"""The management API's FastAPI application: its routers, error contract, OpenAPI document and mount.

:func:`build_api` assembles one router per resource and maps every error to
``{"error": {"code", "message"}}``; :func:`routes` gives it its gateway and
mounts it at :data:`~jiragw.gateway.api.deps.PREFIX`, next to ``/docs``.
"""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jiragw import __version__
from jiragw.errors import InvalidInput, JiragwError
from jiragw.gateway.api import audit, connections, docs, keys, whoami
from jiragw.gateway.api.deps import PREFIX
from jiragw.gateway.api.models import ErrorBody, ErrorDetail
from jiragw.gateway.metrics import Metrics
from jiragw.gateway.responses import api_error
from jiragw.gateway.state import Gateway
from jiragw.keys import ADMIN_SCOPE

__all__ = ["build_api", "routes"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Invalid input (invalid_input and its refinements)."),
        (401, "No gateway key, or an invalid, expired or revoked one."),
        (403, f"The key lacks the {ADMIN_SCOPE} scope (permission_denied)."),
        (404, "No such connection or key (not_found)."),
    )
}
# In this order in the OpenAPI document.
_ROUTERS = (whoami.router, connections.router, keys.router, audit.router)


def build_api() -> FastAPI:
    """The FastAPI sub-application; :func:`routes` gives it its gateway and mounts it at :data:`PREFIX`."""
    api = FastAPI(
        title="jiragw management API",
        version=__version__,
        description="Connections, inbound keys and the audit trail of a jiragw gateway.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=_ERRORS,
        redirect_slashes=False,
    )
    api.add_exception_handler(JiragwError, _on_error)
    api.add_exception_handler(RequestValidationError, _on_invalid)
    api.add_exception_handler(HTTPException, _on_http)
    for router in _ROUTERS:
        api.include_router(router)
    api.openapi = lambda: _openapi(api)  # type: ignore[method-assign]
    return api


async def _on_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JiragwError)
    return api_error(exc)


async def _on_invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return api_error(InvalidInput(_validation_message(exc), details={"fields": _fields(exc)}))


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    body = ErrorBody(error=ErrorDetail(code=code, message=str(exc.detail)))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=exc.status_code, headers=exc.headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid input: " + "; ".join(parts)


def _fields(exc: RequestValidationError) -> list[str]:
    # Locations only: the rejected values themselves may be secrets.
    return [".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()[:20]]


def _openapi(api: FastAPI) -> dict[str, Any]:
    """FastAPI's document with our error contract: 400 ``ErrorBody`` instead of 422, and the API prefix."""
    if api.openapi_schema is not None:
        return api.openapi_schema
    doc = get_openapi(
        title=api.title,
        version=api.version,
        description=api.description,
        routes=api.routes,
        servers=[{"url": PREFIX}],
    )
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            responses = operation.get("responses", {})
            responses.pop("422", None)
    schemas = doc.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    api.openapi_schema = doc
    return doc


class _ApiDoor:
    """Pure ASGI: counts the API's requests and latency, and marks every answer ``no-store``."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_marked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).setdefault("cache-control", "no-store")
            await send(message)

        try:
            await self.app(scope, receive, send_marked)
        finally:
            self.metrics.requests.labels("api", scope["method"], str(status)).inc()
            self.metrics.latency.labels("api").observe(time.perf_counter() - started)


class _ApiMount(Mount):
    """A mount whose pattern also matches paths holding a decoded newline (``%0A``).

    Starlette's pattern uses ``.``, which stops at a newline; such paths would
    fall through to other route groups instead of getting the API's own 404/400.
    """

    def __init__(self, path: str, app: ASGIApp) -> None:
        super().__init__(path, app=app)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)


def routes(gw: Gateway) -> list[BaseRoute]:
    """``/api/v1/...`` and ``/docs``."""
    api = build_api()
    api.state.gateway = gw
    return [
        _ApiMount(PREFIX, _ApiDoor(api, gw.metrics)),
        Route("/docs", docs.endpoint(lambda: api.openapi(), PREFIX + "/openapi.json"), methods=["GET"]),
    ]
