"""Audit retention: the gateway deletes audit events older than ``JIRAGW_AUDIT_RETENTION_DAYS``.

Once at start and then once a day, in the background, in slices
(:meth:`jiragw.store.Store.prune_audit`), so the trail stays bounded without
an operator's chore; ``jiragw audit prune`` does the same on demand. Every
gateway process prunes: deleting what another process already deleted costs
one empty query. A retention of 0 days keeps every event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from jiragw.store import Store

__all__ = ["PRUNE_EVERY", "AuditPruner"]

log = logging.getLogger("jiragw.audit")

PRUNE_EVERY: Final = 24 * 3600.0  # seconds between two prunings


class AuditPruner:
    """Runs :meth:`Store.prune_audit` at start and every ``every`` seconds while the gateway runs."""

    def __init__(self, store: Store, retention_days: int, *, every: float = PRUNE_EVERY) -> None:
        self._store = store
        self.retention_days = retention_days
        self._every = every
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0  # prunings done (tests wait on :attr:`pruned`)
        self.pruned = asyncio.Event()

    async def prune_once(self) -> int:
        """Delete what is past retention now; returns how many events were deleted."""
        if self.retention_days <= 0:
            return 0
        deleted = await self._store.call(Store.prune_audit, self.retention_days)
        if deleted:
            log.info("pruned %d audit events older than %d days", deleted, self.retention_days)
        return deleted

    def start(self) -> None:
        if self._task is None and self.retention_days > 0:
            self._task = asyncio.create_task(self._run(), name="jiragw-audit-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.prune_once()
            except Exception:  # a failed round is retried at the next one
                log.exception("audit pruning failed; will try again")
            self.rounds += 1
            self.pruned.set()
            await asyncio.sleep(self._every)
