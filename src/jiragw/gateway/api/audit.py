"""``GET /audit``: search the audit trail by cursor, oldest or newest first (admin keys only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from jiragw.errors import InvalidInput
from jiragw.gateway.api.deps import Admin, Gw, utc
from jiragw.gateway.api.models import TEXT, AuditEventOut, AuditPage
from jiragw.store import AuditFilter, Tx, resolve_audit_filter

__all__ = ["router"]

router = APIRouter(tags=["audit"])

TextQuery = Annotated[str | None, Query(min_length=1, max_length=255, pattern=TEXT)]


@router.get("/audit", summary="Search the audit trail by cursor, oldest or newest first")
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
            since=utc(since, "since") if since is not None else None,
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
