"""Audit trail skeleton: append-only events for what went through the doors (DESIGN.md, invariants).

Only the storage lives here; the gateway decides what to record. Events name
connections and grants by id without foreign keys, so the trail survives
their removal. ``detail`` must hold no secrets (the gateway's redaction runs first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from jiragw.store.models import AuditEvent

__all__ = ["AUDIT_TABLE", "AuditFilter", "AuditRecord", "AuditRepo", "audit_rows"]

# Declarative mapping types ``__table__`` as a FromClause; it is this Table.
_TABLE: Final = cast(Table, AuditEvent.__table__)
AUDIT_TABLE: Final = _TABLE

# Every column an event may set (the id is the database's).
_APPEND_COLUMNS = (
    "at",
    "actor",
    "action",
    "outcome",
    "connection_id",
    "grant_id",
    "target",
    "status_code",
    "detail",
    "key_id",
    "method",
    "latency_ms",
    "bytes_out",
    "error_code",
)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit event."""

    id: int
    at: datetime
    actor: str
    action: str
    outcome: str
    connection_id: str | None
    grant_id: str | None
    target: str | None
    status_code: int | None
    detail: dict[str, Any] | None = field(compare=False)
    key_id: str | None = None
    method: str | None = None
    latency_ms: int | None = None
    bytes_out: int | None = None
    error_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (ISO time)."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "outcome": self.outcome,
            "connection_id": self.connection_id,
            "grant_id": self.grant_id,
            "target": self.target,
            "status_code": self.status_code,
            "key_id": self.key_id,
            "method": self.method,
            "latency_ms": self.latency_ms,
            "bytes_out": self.bytes_out,
            "error_code": self.error_code,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What :meth:`AuditRepo.search` selects; every field optional."""

    actor: str | None = None
    action: str | None = None
    connection_id: str | None = None
    key_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    after_id: int | None = None  # only events with a larger id (paging oldest first)
    before_id: int | None = None  # only events with a smaller id (paging newest first)


class AuditRepo:
    """Appends and reads audit events in the caller's session."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def append(
        self,
        action: str,
        *,
        actor: str,
        outcome: str,
        connection_id: str | None = None,
        grant_id: str | None = None,
        target: str | None = None,
        status_code: int | None = None,
        detail: Mapping[str, Any] | None = None,
        at: datetime | None = None,
        key_id: str | None = None,
        method: str | None = None,
        latency_ms: int | None = None,
        bytes_out: int | None = None,
        error_code: str | None = None,
    ) -> int:
        """Record an event; returns its id."""
        row = AuditEvent(
            at=at or self._clock(),
            key_id=key_id,
            method=method,
            latency_ms=latency_ms,
            bytes_out=bytes_out,
            error_code=error_code,
            actor=actor,
            action=action,
            outcome=outcome,
            connection_id=connection_id,
            grant_id=grant_id,
            target=target,
            status_code=status_code,
            detail=dict(detail) if detail is not None else None,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def append_many(self, events: Iterable[Mapping[str, Any]]) -> int:
        """Record many events in one ``executemany`` (no ORM objects); returns how many.

        Each mapping holds :meth:`append`'s arguments by name (``action``,
        ``actor`` and ``outcome`` required); ``at`` defaults to now. The gateway's
        audit writer flushes its batches through here: at thousands of proxied
        calls per second, building ORM rows in its worker thread held the GIL
        long enough to slow the event loop down.
        """
        rows = audit_rows(events, self._clock)
        if rows:
            # The table, not the entity: Core's executemany, without the ORM's bulk-insert layer.
            self._session.execute(insert(_TABLE), rows)
        return len(rows)

    def delete_before(self, cutoff: datetime, *, limit: int) -> int:
        """Delete up to ``limit`` of the oldest events older than ``cutoff``; returns how many.

        In slices, so that pruning a large trail never holds the database's
        write lock (SQLite) for long: the caller repeats until fewer come back.
        """
        ids = select(AuditEvent.id).where(AuditEvent.at < cutoff).order_by(AuditEvent.id).limit(limit)
        chosen = list(self._session.scalars(ids))
        if not chosen:
            return 0
        self._session.execute(delete(_TABLE).where(_TABLE.c.id.in_(chosen)))
        return len(chosen)

    def tail(self, limit: int = 100, *, connection_id: str | None = None) -> list[AuditRecord]:
        """The newest ``limit`` events (of one connection, if given), newest first."""
        return self.search(AuditFilter(connection_id=connection_id), limit=limit)

    def search(self, flt: AuditFilter, *, limit: int = 100, oldest_first: bool = False) -> list[AuditRecord]:
        """Events matching ``flt``: the newest ``limit``, or with ``oldest_first`` the oldest ones."""
        order = AuditEvent.id.asc() if oldest_first else AuditEvent.id.desc()
        query = select(AuditEvent).order_by(order).limit(max(1, min(limit, 10_000)))
        for column, value in (
            (AuditEvent.actor, flt.actor),
            (AuditEvent.action, flt.action),
            (AuditEvent.connection_id, flt.connection_id),
            (AuditEvent.key_id, flt.key_id),
            (AuditEvent.outcome, flt.outcome),
        ):
            if value is not None:
                query = query.where(column == value)
        if flt.since is not None:
            query = query.where(AuditEvent.at >= flt.since)
        if flt.after_id is not None:
            query = query.where(AuditEvent.id > flt.after_id)
        if flt.before_id is not None:
            query = query.where(AuditEvent.id < flt.before_id)
        return [_record(row) for row in self._session.scalars(query)]


def audit_rows(events: Iterable[Mapping[str, Any]], clock: Callable[[], datetime]) -> list[dict[str, Any]]:
    """The insert parameters of events given as :meth:`AuditRepo.append`'s arguments by name."""
    rows: list[dict[str, Any]] = []
    for event in events:
        row = {column: event.get(column) for column in _APPEND_COLUMNS}
        row["action"], row["actor"], row["outcome"] = event["action"], event["actor"], event["outcome"]
        if row["at"] is None:
            row["at"] = clock()
        if row["detail"] is not None:
            row["detail"] = dict(row["detail"])
        rows.append(row)
    return rows


def _record(row: AuditEvent) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        outcome=row.outcome,
        connection_id=row.connection_id,
        grant_id=row.grant_id,
        target=row.target,
        status_code=row.status_code,
        detail=row.detail,
        key_id=row.key_id,
        method=row.method,
        latency_ms=row.latency_ms,
        bytes_out=row.bytes_out,
        error_code=row.error_code,
    )
