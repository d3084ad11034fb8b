"""Audit trail skeleton: append-only events for what went through the doors (DESIGN.md, invariants).

Only the storage lives here; the gateway decides what to record. Events name
connections and grants by id without foreign keys, so the trail survives
their removal. ``detail`` must hold no secrets (the gateway's redaction runs first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiragw.store.models import AuditEvent

__all__ = ["AuditRecord", "AuditRepo"]


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
    ) -> int:
        """Record an event; returns its id."""
        row = AuditEvent(
            at=self._clock(),
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

    def tail(self, limit: int = 100, *, connection_id: str | None = None) -> list[AuditRecord]:
        """The newest ``limit`` events (of one connection, if given), newest first."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if connection_id is not None:
            query = query.where(AuditEvent.connection_id == connection_id)
        return [
            AuditRecord(
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
            )
            for row in self._session.scalars(query)
        ]
