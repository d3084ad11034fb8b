"""What a finished ``connect`` flow hands back, and the one place flows persist their result.

A flow ends with one grant and one or more connections (DESIGN.md: a grant is
one consent, a connection is one grant x one site), written in a single
transaction so that a failure leaves nothing half-stored (DESIGN.md,
"Invariants": nothing already stored is lost, nothing partial is added).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jiragw.auth.static import Identity
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, GrantMethod, Tx
from jiragw.store.secret_columns import GrantSecretField

if TYPE_CHECKING:
    from jiragw.broker.broker import Broker

__all__ = ["Connected", "save_connections"]


@dataclass(frozen=True, slots=True)
class Connected:
    """The result of a connect flow; ``notice`` is a warning to show once (e.g. Basic is discouraged)."""

    grant_id: str
    connections: tuple[ConnectionRecord, ...]
    identity: Identity | None = None
    notice: str | None = None
    scopes: tuple[str, ...] = field(default=())


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
) -> Connected:
    """Create the grant and its connections in one transaction, audited."""

    def write(tx: Tx) -> Connected:
        record = tx.grants.create(method, secrets=secrets, access_expires_at=expires_at, **grant)
        rows = tuple(tx.connections.create(grant_id=record.id, **c) for c in connections)
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
