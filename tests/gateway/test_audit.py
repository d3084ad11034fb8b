"""The batched audit writer (jiragw.gateway.audit) over a real store, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jiragw.gateway import audit as audit_module
from jiragw.gateway.audit import AuditWriter, Event
from jiragw.store import AuditFilter, AuditRecord, Store

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _event(n: int, **changes: Any) -> Event:
    fields: dict[str, Any] = {
        "action": "proxy",
        "actor": f"key:k{n}",
        "outcome": "ok",
        "at": T0 + timedelta(milliseconds=n),
        "key_id": f"k{n}",
        "connection_id": "c1",
        "method": "GET",
        "target": f"/rest/api/3/issue/{n}",
        "status_code": 200,
        "latency_ms": n % 7,
        "bytes_out": 100 + n,
        **changes,
    }
    return Event(**fields)


def _stored(store: Store) -> list[AuditRecord]:
    with store.transaction() as tx:
        return tx.audit.search(AuditFilter(), limit=10_000, oldest_first=True)


async def test_a_flush_writes_every_event_in_order_across_chunks(store: Store) -> None:
    writer = AuditWriter(store)
    count = audit_module._CHUNK * 3 + 5  # several executemany chunks and a partial one
    for n in range(count):
        writer.record(_event(n))

    assert await writer.flush() == count
    assert await writer.flush() == 0  # nothing written twice

    rows = _stored(store)
    assert [r.target for r in rows] == [f"/rest/api/3/issue/{n}" for n in range(count)]
    last = rows[-1]
    n = count - 1
    assert (last.actor, last.key_id, last.connection_id, last.method) == (f"key:k{n}", f"k{n}", "c1", "GET")
    assert (last.status_code, last.latency_ms, last.bytes_out) == (200, n % 7, 100 + n)
    assert last.at == T0 + timedelta(milliseconds=n)
    assert last.detail is None
    assert last.error_code is None


async def test_detail_and_error_code_are_kept(store: Store) -> None:
    writer = AuditWriter(store)
    writer.record(
        _event(1, outcome="denied", status_code=403, error_code="scope_denied", detail={"scope": "x"})
    )
    await writer.flush()
    (row,) = _stored(store)
    assert (row.outcome, row.status_code, row.error_code, row.detail) == (
        "denied",
        403,
        "scope_denied",
        {"scope": "x"},
    )


async def test_a_failed_flush_loses_nothing_and_the_retry_writes_each_event_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    touched: list[dict[str, datetime]] = []
    writer = AuditWriter(store, on_touch=touched.append)
    for n in range(3):
        writer.record(_event(n))
    writer.key_used("k1", T0)
    real = store.transaction

    @contextmanager
    def broken() -> Iterator[Any]:
        raise RuntimeError("database is locked")
        yield  # pragma: no cover

    monkeypatch.setattr(store, "transaction", broken)
    with pytest.raises(RuntimeError):
        await writer.flush()
    monkeypatch.setattr(store, "transaction", real)

    writer.record(_event(3))  # arrived while the first flush was failing
    writer.key_used("k1", T0 + timedelta(seconds=1))  # newer than the one kept for the retry
    assert await writer.flush() == 4
    assert [r.key_id for r in _stored(store)] == ["k0", "k1", "k2", "k3"]
    assert touched == [{"key:k1": T0 + timedelta(seconds=1)}]


async def test_last_used_times_reach_on_touch_latest_per_key_and_connection(store: Store) -> None:
    touched: list[dict[str, datetime]] = []
    writer = AuditWriter(store, on_touch=touched.append)
    writer.key_used("k1", T0)
    writer.key_used("k1", T0 + timedelta(seconds=2))
    writer.connection_used("c1", T0 + timedelta(seconds=1))
    assert await writer.flush() == 0  # no events, but the times are passed on
    assert touched == [{"key:k1": T0 + timedelta(seconds=2), "conn:c1": T0 + timedelta(seconds=1)}]
    await writer.flush()
    assert len(touched) == 1  # nothing new, nothing passed on


async def test_a_full_batch_wakes_the_writer_before_its_interval(store: Store) -> None:
    writer = AuditWriter(store, interval=3600, batch_size=10)
    writer.start()
    try:
        for n in range(10):
            writer.record(_event(n))
        for _ in range(500):  # the writer runs in this loop: give it turns until it has written
            if len(_stored(store)) == 10:
                break
            await asyncio.sleep(0.01)
        assert len(_stored(store)) == 10
    finally:
        await writer.stop()


async def test_stop_flushes_what_is_buffered(store: Store) -> None:
    writer = AuditWriter(store, interval=3600)
    writer.start()
    writer.record(_event(1))
    await writer.stop()
    assert [r.key_id for r in _stored(store)] == ["k1"]
