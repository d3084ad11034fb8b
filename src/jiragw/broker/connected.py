"""What a finished ``connect`` flow hands back, and the one place flows persist their result.

A flow ends with one grant and one or more connections (DESIGN.md: a grant is
one consent, a connection is one grant x one site), written in a single
transaction so that a failure leaves nothing half-stored (DESIGN.md,
"Invariants": nothing already stored is lost, nothing partial is added).

Every flow passes :func:`check_destinations` before its first request: each
address a credential will be sent to must be HTTPS or loopback
(:mod:`jiragw.secure_urls`) unless the operator allowed plain HTTP for this
connection, and :func:`save_connections` checks what it stores once more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jiragw.auth.static import Identity
from jiragw.secrets import Secret
from jiragw.secure_urls import require_https
from jiragw.store import ConnectionRecord, GrantMethod, Tx
from jiragw.store.secret_columns import GrantSecretField

if TYPE_CHECKING:
    from jiragw.broker.broker import Broker

__all__ = ["Connected", "check_destinations", "save_connections"]


@dataclass(frozen=True, slots=True)
class Connected:
    """The result of a connect flow; ``notice`` is a warning to show once (e.g. Basic is discouraged)."""

    grant_id: str
    connections: tuple[ConnectionRecord, ...]
    identity: Identity | None = None
    notice: str | None = None
    scopes: tuple[str, ...] = field(default=())


def check_destinations(destinations: Mapping[str, str | None], *, allow_insecure_http: bool) -> None:
    """The HTTPS rule for every address (``{what: url}``) a flow sends a credential to, before it does."""
    for what, url in destinations.items():
        if url is not None:
            require_https(url, what=what, allow_insecure_http=allow_insecure_http)


async def save_connections(
    broker: Broker,
    method: GrantMethod,
    *,
    secrets: Mapping[GrantSecretField, Secret | None],
    grant: Mapping[str, Any],
    connections: Sequence[Mapping[str, Any]],
    identity: Identity | None = None,
    notice: str | None = None,
    expires_at: datetime | None = None,
    allow_insecure_http: bool = False,
) -> Connected:
    """Create the grant and its connections in one transaction, audited.

    ``allow_insecure_http`` is stored on each connection (and shown as a warning).
    """
    check_destinations(
        {
            "the auth URL": grant.get("auth_url"),
            "the API URL": grant.get("api_url"),
            **{f"the API base of {c['name']}": c["api_base_url"] for c in connections},
        },
        allow_insecure_http=allow_insecure_http,
    )

    def write(tx: Tx) -> Connected:
        record = tx.grants.create(method, secrets=secrets, access_expires_at=expires_at, **grant)
        rows = tuple(
            tx.connections.create(grant_id=record.id, allow_insecure_http=allow_insecure_http, **c)
            for c in connections
        )
        for row in rows:
            tx.audit.append(
                "connection.create",
                actor=broker.actor,
                outcome="ok",
                connection_id=row.id,
                grant_id=record.id,
                target=row.site_url,
                detail={"method": method.value},
            )
        return Connected(record.id, rows, identity, notice, record.scopes)

    return await broker.store.run(write, write=True)
