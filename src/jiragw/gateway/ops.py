"""Operations endpoints: ``/healthz``, ``/readyz``, ``/metrics`` (docs/architecture.md, "Operations").

- ``/healthz``: the process answers (200 ``{"status": "ok"}``); no I/O.
- ``/readyz``: the gateway can serve: the database answers ``SELECT 1``
  within :data:`READY_TIMEOUT` (run in a worker thread), and the master key
  is loaded (the keyring has its primary key and it encrypts) and opens what
  is stored: the vault canary (:meth:`jiragw.store.Store.check_canary`; a
  value under a key not yet loaded re-reads the keyring file first). 503 otherwise,
  naming the failing checks; a failure is described by its exception type
  only, since driver messages can carry a database URL.
- ``/metrics``: :meth:`jiragw.gateway.metrics.Metrics.render`, with the
  connections-by-status gauge read from the store at scrape time. Open by
  default; with ``JIRAGW_METRICS_REQUIRE_KEY=1`` only a gateway key with the
  admin scope (:data:`jiragw.keys.ADMIN_SCOPE`, the "admin" preset) may read
  it: 401 without a valid key, 403 with another key, as on the management API.

Building these routes also connects the broker's refresh outcomes to the
``jiragw_token_refreshes`` counter (unless something else already listens).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import func, select, text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from jiragw.errors import JiragwError, PermissionDenied, StoreError
from jiragw.gateway.metrics import CONTENT_TYPE, Metrics
from jiragw.gateway.responses import api_error
from jiragw.gateway.state import Gateway
from jiragw.keys import ADMIN_SCOPE, is_admin
from jiragw.store import GrantStatus, Store
from jiragw.store.models import Connection, Grant

__all__ = ["READY_TIMEOUT", "connection_counts", "readiness", "routes"]

READY_TIMEOUT = 2.0
_NO_STORE = {"Cache-Control": "no-store"}


def _database(store: Store) -> None:
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _master_key(store: Store) -> None:
    ring = store.keyring
    if ring is None or ring.primary_kid not in ring.kids:
        raise LookupError("no primary master key")
    ring.encrypt(b"readyz", "readyz")
    try:
        store.check_canary()
    except StoreError:
        return  # the database check names that failure; this one is about the key


async def _check(fn: Callable[[Store], None], store: Store, seconds: float) -> str:
    try:
        await asyncio.wait_for(store.call(fn), seconds)
    except TimeoutError:
        return f"timed out after {seconds:g}s"
    except Exception as exc:  # any failure means not ready; its type names it, its text may hold a URL
        return f"failed ({type(exc).__name__})"
    return "ok"


async def readiness(gw: Gateway, *, seconds: float = READY_TIMEOUT) -> dict[str, str]:
    """Each readiness check's outcome: ``"ok"`` or why not."""
    database, master_key = await asyncio.gather(
        _check(_database, gw.store, seconds), _check(_master_key, gw.store, seconds)
    )
    return {"database": database, "master_key": master_key}


def connection_counts(store: Store) -> dict[str, int]:
    """Connections by their grant's status (every persisted status present, zero when none)."""
    counts = {s.value: 0 for s in GrantStatus if s is not GrantStatus.REFRESHING}
    query = select(Grant.status, func.count(Connection.id)).join(Grant, Connection.grant_id == Grant.id)
    with store.transaction() as tx:
        for status, n in tx.session.execute(query.group_by(Grant.status)):
            counts[str(getattr(status, "value", status))] = int(n)
    return counts


def _count_refreshes(metrics: Metrics) -> Callable[[str], None]:
    def count(outcome: str) -> None:
        metrics.refreshes.labels(outcome).inc()

    return count


def routes(gw: Gateway) -> list[BaseRoute]:
    if gw.broker.on_refresh is None:
        gw.broker.on_refresh = _count_refreshes(gw.metrics)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers=_NO_STORE)

    async def readyz(request: Request) -> Response:
        checks = await readiness(gw)
        failed = sorted(name for name, outcome in checks.items() if outcome != "ok")
        body: dict[str, object] = {"status": "unavailable" if failed else "ok", "checks": checks}
        if failed:
            body["failed"] = failed
        return JSONResponse(body, status_code=503 if failed else 200, headers=_NO_STORE)

    async def metrics(request: Request) -> Response:
        if gw.settings.metrics_require_key:
            try:
                key = await gw.authenticate(request.headers.get("authorization"))
                if not is_admin(key):
                    raise PermissionDenied(f"this key lacks the {ADMIN_SCOPE} scope the metrics need")
            except JiragwError as exc:
                gw.metrics.denials.labels(exc.code).inc()
                return api_error(exc)
        try:
            counts = await asyncio.wait_for(gw.store.call(connection_counts), READY_TIMEOUT)
        except Exception:  # a scrape still answers (with the last gauge values) when the database does not
            counts = {}
        for status, n in counts.items():
            gw.metrics.connections.labels(status).set(n)
        return Response(gw.metrics.render(), media_type=CONTENT_TYPE, headers=_NO_STORE)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
