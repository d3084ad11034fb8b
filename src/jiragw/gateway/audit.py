"""Audit events written in batches, off the request path.

Request handlers call :meth:`AuditWriter.record` (a list append, no I/O);
a background task flushes the batch to the store in a worker thread every
``interval`` seconds or when ``batch_size`` events are waiting, and once more
on shutdown. Events hold no bodies and no secrets: callers pass path
templates, ids, status codes and error codes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from jiragw.store import Store

__all__ = ["AuditWriter", "Event"]

log = logging.getLogger("jiragw.audit")


@dataclass(frozen=True, slots=True)
class Event:
    action: str
    actor: str
    outcome: str
    at: datetime
    key_id: str | None = None
    connection_id: str | None = None
    method: str | None = None
    target: str | None = None
    status_code: int | None = None
    latency_ms: int | None = None
    bytes_out: int | None = None
    error_code: str | None = None
    detail: dict[str, Any] | None = None


_EVENT_FIELDS = tuple(f.name for f in fields(Event))
# Events per executemany: bounds how long the writer thread holds the GIL in one go.
_CHUNK = 48


class AuditWriter:
    """Buffers audit events and key last-used times; flushes them in batches."""

    def __init__(
        self,
        store: Store,
        *,
        interval: float = 0.5,
        batch_size: int = 500,
        on_touch: Callable[[dict[str, datetime]], None] | None = None,
    ) -> None:
        self._store = store
        self._interval = interval
        self._batch_size = batch_size
        self._on_touch = on_touch
        self._events: list[Event] = []
        self._used: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def record(self, event: Event) -> None:
        self._events.append(event)
        if len(self._events) >= self._batch_size:
            self._wake.set()

    def key_used(self, key_id: str, at: datetime) -> None:
        self._used["key:" + key_id] = at

    def connection_used(self, connection_id: str, at: datetime) -> None:
        self._used["conn:" + connection_id] = at

    def start(self) -> None:
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="jiragw-audit")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # a failed flush must not kill the writer; the batch is retried
                log.exception("audit flush failed; will retry")

    async def flush(self) -> int:
        """Write what is buffered now; returns the number of events written."""
        async with self._lock:
            events, self._events = self._events, []
            used, self._used = self._used, {}
            if not events and not used:
                return 0
            try:
                await self._store.call(self._write, events, used)
            except BaseException:
                self._events[:0] = events  # keep them for the next try
                for key_id, at in used.items():
                    self._used.setdefault(key_id, at)
                raise
            return len(events)

    def _write(self, store: Store, events: list[Event], used: dict[str, datetime]) -> None:
        if events:
            # One transaction, one executemany per chunk, no ORM objects. Preparing a row's
            # parameters is Python run under the GIL, and the event loop waits for the GIL while
            # this thread runs; in chunks, the thread lets go (inside SQLite) every ~0.3 ms
            # instead of once per batch (about 8 ms per 1,000 events).
            with store.transaction() as tx:
                for start in range(0, len(events), _CHUNK):
                    chunk = events[start : start + _CHUNK]
                    tx.audit.append_many([{name: getattr(e, name) for name in _EVENT_FIELDS} for e in chunk])
        if used and self._on_touch is not None:
            self._on_touch(used)
