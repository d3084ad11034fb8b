"""What every management API router shares: the caller's key, the gateway, the audit of a call.

:data:`Caller` is any valid gateway key, :data:`Admin` one carrying
:data:`jiragw.keys.ADMIN_SCOPE`; :func:`audited` records one ``api.*`` event
for a mutating call, with its outcome.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from jiragw.errors import InvalidInput, JiragwError, PermissionDenied
from jiragw.gateway.audit import Event
from jiragw.gateway.state import Gateway
from jiragw.keys import ADMIN_SCOPE, is_admin
from jiragw.store import KeyRecord, Tx

__all__ = ["PREFIX", "Admin", "Caller", "Gw", "audited", "names", "utc"]

PREFIX = "/api/v1"

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="gatewayKey",
    description=f"A gateway key (jgw_...) with the {ADMIN_SCOPE} scope; also accepted as the Basic password.",
)


def utc(value: datetime, what: str) -> datetime:
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(f"{what} is out of range") from exc


def names(tx: Tx) -> dict[str, str]:
    """Connection names by id (a key names its connections by id)."""
    return {c.id: c.name for c in tx.connections.list()}


@contextlib.asynccontextmanager
async def audited(gw: Gateway, key: KeyRecord, action: str, method: str, target: str) -> AsyncIterator[None]:
    """Record one ``api.*`` event for the block, with its outcome (and error code if it raised);
    it is committed when the block has ended, before the call is answered."""
    started = time.perf_counter()
    status, code = 200, None
    try:
        yield
    except JiragwError as exc:
        status, code = exc.status, exc.code
        raise
    finally:
        await gw.audit.commit(
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
