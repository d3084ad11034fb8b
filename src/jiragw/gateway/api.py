"""The management API under ``/api/v1`` (connections, keys, audit) and its OpenAPI page at ``/docs``.

Issue 5, "Audit, metrics, operations" and DESIGN.md, "Gateway URLs". A FastAPI
sub-application mounted at ``/api/v1``; its OpenAPI document is served at
``/api/v1/openapi.json`` and rendered, self-contained (no third-party assets),
at ``/docs`` by :mod:`jiragw.gateway.api_docs`.

The caller is a gateway key carrying :data:`~jiragw.gateway.ceiling.ADMIN_SCOPE`
(Bearer, or the Basic password). No key is a 401, a key without the scope a
403 ``permission_denied``; ``/whoami`` answers any valid key. Handlers are thin:
the work is done by :mod:`jiragw.gateway.key_admin` and
:mod:`jiragw.broker.manage`. Every mutating call is audited as ``api.*`` with
the admin key as actor. Errors are ``{"error": {"code", "message"}}`` with the
stable codes; validation errors are 400 ``invalid_input`` (never 422 or 500).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPBearer
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jiragw import __version__
from jiragw.broker import list_connections, remove_connection, revoke_connection, show_connection
from jiragw.errors import InvalidInput, JiragwError, PermissionDenied
from jiragw.gateway import api_docs
from jiragw.gateway.api_models import (
    CONNECTION_NAME,
    TEXT,
    AuditEventOut,
    AuditPage,
    ConnectionOut,
    ConnectionTest,
    ErrorBody,
    ErrorDetail,
    KeyCreate,
    KeyCreated,
    KeyOut,
    PresetOut,
    WhoAmI,
)
from jiragw.gateway.audit import Event
from jiragw.gateway.metrics import Metrics
from jiragw.gateway.responses import api_error
from jiragw.gateway.state import Gateway
from jiragw.keys import ADMIN_SCOPE, PRESETS, create_key, is_admin, list_keys, preset_scopes, revoke_key
from jiragw.store import AuditFilter, KeyRecord, Tx, resolve_audit_filter

__all__ = ["PREFIX", "build_api", "routes"]

PREFIX = "/api/v1"
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Invalid input (invalid_input and its refinements)."),
        (401, "No gateway key, or an invalid, expired or revoked one."),
        (403, f"The key lacks the {ADMIN_SCOPE} scope (permission_denied)."),
        (404, "No such connection or key (not_found)."),
    )
}
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="gatewayKey",
    description=f"A gateway key (jgw_...) with the {ADMIN_SCOPE} scope; also accepted as the Basic password.",
)

ConnectionParam = Annotated[str, Path(pattern=CONNECTION_NAME, description="A connection name.")]
KeyRef = Annotated[str, Path(min_length=1, max_length=128, pattern=TEXT, description="A key id or its name.")]
TextQuery = Annotated[str | None, Query(min_length=1, max_length=255, pattern=TEXT)]


def _utc(value: datetime, what: str) -> datetime:
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(f"{what} is out of range") from exc


@contextlib.contextmanager
def _audited(gw: Gateway, key: KeyRecord, action: str, method: str, target: str) -> Iterator[None]:
    """Record one ``api.*`` event for the block, with its outcome (and error code if it raised)."""
    started = time.perf_counter()
    status, code = 200, None
    try:
        yield
    except JiragwError as exc:
        status, code = exc.status, exc.code
        raise
    finally:
        gw.audit.record(
            Event(
                action=action,
                actor=f"key:{key.id}",
                outcome="ok" if code is None else "error",
                at=gw.now(),
                key_id=key.id,
                method=method,
                target=target,
                status_code=status,
                latency_ms=int((time.perf_counter() - started) * 1000),
                error_code=code,
            )
        )


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


Gw = Annotated[Gateway, Depends(_gateway)]


async def _caller(request: Request, _: Annotated[Any, Depends(_bearer)]) -> KeyRecord:
    gw: Gateway = request.app.state.gateway
    return await gw.authenticate(request.headers.get("authorization"))


async def _admin(request: Request, key: Annotated[KeyRecord, Depends(_caller)]) -> KeyRecord:
    if not is_admin(key):
        gw: Gateway = request.app.state.gateway
        gw.metrics.denials.labels("permission_denied").inc()
        raise PermissionDenied(f"this key lacks the {ADMIN_SCOPE} scope needed by the management API")
    return key


Caller = Annotated[KeyRecord, Depends(_caller)]
Admin = Annotated[KeyRecord, Depends(_admin)]


def _names(tx: Tx) -> dict[str, str]:
    return {c.id: c.name for c in tx.connections.list()}


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

    # -- errors ---------------------------------------------------------------------------

    @api.exception_handler(JiragwError)
    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, JiragwError)
        return api_error(exc)

    @api.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return api_error(InvalidInput(_validation_message(exc), details={"fields": _fields(exc)}))

    @api.exception_handler(HTTPException)
    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = ErrorBody(error=ErrorDetail(code=code, message=str(exc.detail)))
        return JSONResponse(
            body.model_dump(exclude_none=True), status_code=exc.status_code, headers=exc.headers
        )

    # -- who am I -------------------------------------------------------------------------

    @api.get("/whoami", tags=["keys"], summary="The calling key (any valid key)")
    async def whoami(gw: Gw, key: Caller) -> WhoAmI:
        names = await gw.store.run(_names)
        return WhoAmI(key=KeyOut.of(key, gw.now(), names), admin=is_admin(key))

    # -- connections ----------------------------------------------------------------------

    @api.get("/connections", tags=["connections"], summary="Every connection and its status")
    async def connections_list(gw: Gw, key: Admin) -> list[ConnectionOut]:
        return [ConnectionOut.of(v) for v in await list_connections(gw.broker)]

    @api.get("/connections/{name}", tags=["connections"], summary="One connection")
    async def connections_show(gw: Gw, name: ConnectionParam, key: Admin) -> ConnectionOut:
        return ConnectionOut.of(await show_connection(gw.broker, name))

    @api.post("/connections/{name}/test", tags=["connections"], summary="Call Jira's myself with it")
    async def connections_test(gw: Gw, name: ConnectionParam, key: Admin) -> ConnectionTest:
        with _audited(gw, key, "api.connection.test", "POST", name):
            await show_connection(gw.broker, name)  # NotFound is the caller's error, not the test's
            try:
                me = await gw.broker.test(name)
            except JiragwError as exc:
                return ConnectionTest(
                    name=name, ok=False, error=ErrorDetail(code=exc.code, message=exc.message)
                )
        return ConnectionTest(
            name=name, ok=True, display_name=me.display_name, account_id=me.account_id, user=me.name
        )

    @api.post("/connections/{name}/revoke", tags=["connections"], summary="Revoke its grant (terminal)")
    async def connections_revoke(gw: Gw, name: ConnectionParam, key: Admin) -> ConnectionOut:
        with _audited(gw, key, "api.connection.revoke", "POST", name):
            await revoke_connection(gw.broker, name, reason=f"revoked through the API by key {key.id}")
        return ConnectionOut.of(await show_connection(gw.broker, name))

    @api.delete(
        "/connections/{name}",
        tags=["connections"],
        summary="Remove it (and its grant's secrets once unused)",
        status_code=204,
        response_class=Response,
    )
    async def connections_remove(gw: Gw, name: ConnectionParam, key: Admin) -> Response:
        with _audited(gw, key, "api.connection.remove", "DELETE", name):
            await remove_connection(gw.broker, name)
        return Response(status_code=204)

    # -- keys -----------------------------------------------------------------------------

    @api.get("/keys", tags=["keys"], summary="Every inbound key (never the key itself)")
    async def keys_list(gw: Gw, key: Admin) -> list[KeyOut]:
        records = await gw.store.call(list_keys)
        names = await gw.store.run(_names)
        now = gw.now()
        return [KeyOut.of(r, now, names) for r in records]

    @api.get("/keys/presets", tags=["keys"], summary="The ready-made scope ceilings")
    async def keys_presets(gw: Gw, key: Admin) -> list[PresetOut]:
        out = []
        for preset in PRESETS.values():
            scopes, read_only = preset_scopes(preset.name, gw.table)
            out.append(
                PresetOut(name=preset.name, label=preset.label, read_only=read_only, scopes=sorted(scopes))
            )
        return out

    @api.post(
        "/keys",
        tags=["keys"],
        summary="Create a key; the response carries it, once",
        status_code=201,
        responses={404: {"model": ErrorBody, "description": "A named connection does not exist."}},
    )
    async def keys_create(gw: Gw, body: KeyCreate, key: Admin, response: Response) -> KeyCreated:
        with _audited(gw, key, "api.key.create", "POST", body.name):
            if body.preset is not None and body.scopes is not None:
                raise InvalidInput("give a preset or scopes, not both")
            if body.expires_at is not None and body.expires_in_days is not None:
                raise InvalidInput("give expires_at or expires_in_days, not both")
            expires = _utc(body.expires_at, "expires_at") if body.expires_at is not None else None
            if body.expires_in_days is not None:
                expires = gw.now() + timedelta(days=body.expires_in_days)
            minted, record = await gw.store.call(
                create_key,
                name=body.name,
                connections=body.connections,
                created_by=f"key:{key.id}",
                preset=body.preset,
                scopes=body.scopes,
                read_only=body.read_only,
                expires_at=expires,
            )
        names = await gw.store.run(_names)
        out = KeyOut.of(record, gw.now(), names)
        response.headers["Location"] = f"{PREFIX}/keys/{record.id}"
        return KeyCreated(**out.model_dump(), key=minted.secret.reveal())

    @api.get("/keys/{ref}", tags=["keys"], summary="One key, by id or name")
    async def keys_show(gw: Gw, ref: KeyRef, key: Admin) -> KeyOut:
        record = await gw.store.run(lambda tx: tx.keys.find(ref))
        names = await gw.store.run(_names)
        return KeyOut.of(record, gw.now(), names)

    @api.post("/keys/{ref}/revoke", tags=["keys"], summary="Revoke a key, effective at once")
    async def keys_revoke(gw: Gw, ref: KeyRef, key: Admin) -> KeyOut:
        with _audited(gw, key, "api.key.revoke", "POST", ref):
            record = await gw.store.call(revoke_key, ref, actor=f"key:{key.id}")
            gw.forget_key(record.id)
        names = await gw.store.run(_names)
        return KeyOut.of(record, gw.now(), names)

    # -- audit ----------------------------------------------------------------------------

    @api.get("/audit", tags=["audit"], summary="Search the audit trail by cursor, oldest or newest first")
    async def audit_search(
        gw: Gw,
        key: Admin,
        actor: TextQuery = None,
        action: TextQuery = None,
        connection: Annotated[
            str | None, Query(min_length=1, max_length=64, pattern=TEXT, description="A name or id.")
        ] = None,
        key_id: TextQuery = None,
        outcome: TextQuery = None,
        since: Annotated[datetime | None, Query(description="ISO 8601 with a time zone.")] = None,
        after_id: Annotated[
            int | None,
            Query(ge=0, le=2**63 - 1, description="Only events after this id (order=oldest's cursor)."),
        ] = None,
        before_id: Annotated[
            int | None,
            Query(ge=0, le=2**63 - 1, description="Only events before this id (order=newest's cursor)."),
        ] = None,
        order: Annotated[
            Literal["oldest", "newest"],
            Query(description="oldest: follow the trail (tail -f style); newest: the latest first."),
        ] = "oldest",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> AuditPage:
        if since is not None and since.tzinfo is None:
            raise InvalidInput("since needs a time zone (e.g. 2024-01-01T00:00:00Z)")

        def read(tx: Tx) -> AuditPage:
            given = AuditFilter(
                actor=actor,
                action=action,
                key_id=key_id,
                outcome=outcome,
                since=_utc(since, "since") if since is not None else None,
                after_id=after_id,
                before_id=before_id,
            )
            flt = resolve_audit_filter(tx, given, connection=connection)
            oldest_first = order == "oldest"
            rows = tx.audit.search(flt, limit=limit, oldest_first=oldest_first)
            cursor = rows[-1].id if len(rows) == limit else None
            return AuditPage(
                events=[AuditEventOut.of(r) for r in rows],
                next_after_id=cursor if oldest_first else None,
                next_before_id=None if oldest_first else cursor,
            )

        return await gw.store.run(read)

    api.openapi = lambda: _openapi(api)  # type: ignore[method-assign]
    return api


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
        Route("/docs", api_docs.endpoint(lambda: api.openapi(), PREFIX + "/openapi.json"), methods=["GET"]),
    ]
