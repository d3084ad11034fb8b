"""The audit writer (jiragw.gateway.audit) over a real store, SQLite and PostgreSQL: group commit,
the read window, counted anonymous denials, and the doors that commit before they answer."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jiragw.config import Settings
from jiragw.errors import AuditUnavailable, ConfigError
from jiragw.gateway import audit as audit_module
from jiragw.gateway.audit import ANONYMOUS_COUNTERS, AuditWriter, Event
from jiragw.store import AuditFilter, AuditRecord, Store

from .conftest import Env

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
    real = store.append_audit

    def broken(*args: Any, **kwargs: Any) -> int:  # the one call the writer commits through
        raise RuntimeError("database is locked")

    monkeypatch.setattr(store, "append_audit", broken)
    with pytest.raises(RuntimeError):
        await writer.flush()
    monkeypatch.setattr(store, "append_audit", real)

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


# -- durable records: committed before the caller goes on -------------------------------------------


async def test_commit_returns_once_the_event_is_stored(store: Store) -> None:
    writer = AuditWriter(store, interval=3600)
    writer.start()
    try:
        writer.record(_event(1))  # a read: queued, not yet written
        assert _stored(store) == []
        await writer.commit(_event(2, method="POST"))
        # Stored before commit returned, with the read queued before it (same transaction).
        assert [r.key_id for r in _stored(store)] == ["k1", "k2"]
    finally:
        await writer.stop()


async def test_commit_without_a_writer_task_commits_in_place(store: Store) -> None:
    writer = AuditWriter(store)
    await writer.commit(_event(1, method="DELETE"))
    assert [r.method for r in _stored(store)] == ["DELETE"]


async def test_events_that_arrive_during_a_commit_share_the_next_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: one transaction for all the events that queued while the previous one ran."""
    writer = AuditWriter(store, interval=3600)
    entered, gate = threading.Event(), threading.Event()
    batches: list[int] = []
    real = writer._write

    def slow_write(store: Store, events: list[Event], used: dict[str, datetime]) -> None:
        batches.append(len(events))
        if len(batches) == 1:
            entered.set()
            gate.wait(10)
        real(store, events, used)

    monkeypatch.setattr(writer, "_write", slow_write)
    writer.start()
    try:
        first = asyncio.create_task(writer.commit(_event(0, method="POST")))
        assert await asyncio.to_thread(entered.wait, 10)
        rest = [asyncio.create_task(writer.commit(_event(n, method="POST"))) for n in range(1, 50)]
        await asyncio.sleep(0)  # each task queues its event and waits for its commit
        gate.set()
        await asyncio.gather(first, *rest)
        assert batches == [1, 49]
        assert len(_stored(store)) == 50
    finally:
        gate.set()
        await writer.stop()


async def test_a_failed_commit_refuses_the_waiter_and_keeps_the_event(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = AuditWriter(store)
    real = store.append_audit

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "append_audit", broken)
    with pytest.raises(AuditUnavailable) as refused:
        await writer.commit(_event(1, method="PUT"))
    assert refused.value.status == 503
    assert refused.value.code == "audit_unavailable"
    monkeypatch.setattr(store, "append_audit", real)
    assert await writer.flush() == 1
    assert [r.method for r in _stored(store)] == ["PUT"]


async def test_a_read_is_committed_by_the_read_window_alone(store: Store) -> None:
    writer = AuditWriter(store, interval=0.05)
    writer.start()
    try:
        writer.record(_event(1))
        for _ in range(1000):  # give the writer turns until the window has closed and it committed
            if _stored(store):
                break
            await asyncio.sleep(0.01)
        assert [r.key_id for r in _stored(store)] == ["k1"]
    finally:
        await writer.stop()


def test_the_gateway_commits_reads_within_the_configured_window() -> None:
    assert Settings.from_env({}).audit_read_window_ms == 50
    assert Settings.from_env({"JIRAGW_AUDIT_READ_WINDOW_MS": "20"}).audit_read_window_ms == 20
    with pytest.raises(ConfigError, match="JIRAGW_AUDIT_READ_WINDOW_MS"):
        Settings.from_env({"JIRAGW_AUDIT_READ_WINDOW_MS": "-1"})


async def test_the_gateway_builds_its_writer_with_the_read_window(env: Env) -> None:
    assert env.gw.audit._interval == env.gw.settings.audit_read_window_ms / 1000 == 0.05


async def test_a_proxied_write_and_a_denial_are_stored_before_their_answer(env: Env) -> None:
    await env.connect_cloud()
    secret, _ = env.key()
    read_only, _ = env.key(name="reader", preset="read-only")
    written = await env.client.post(
        "/jira/acme/rest/api/3/issue/PRJ-1/comment",
        json={"body": _doc("audited before answered")},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert written.status_code == 201
    rows = _proxy_rows(env.store)  # no flush: the answer came after the commit
    assert [(r.method, r.status_code, r.outcome) for r in rows] == [("POST", 201, "ok")]
    assert rows[0].bytes_out == len(written.content)
    denied = await env.client.delete(
        "/jira/acme/rest/api/3/issue/PRJ-1", headers={"Authorization": f"Bearer {read_only}"}
    )
    assert denied.status_code == 403
    assert [(r.method, r.outcome, r.error_code) for r in _proxy_rows(env.store)][-1] == (
        "DELETE",
        "denied",
        "read_only",
    )
    denied_read = await env.client.get(
        "/jira/nowhere/rest/api/3/myself", headers={"Authorization": f"Bearer {secret}"}
    )
    assert denied_read.status_code == 403
    assert _proxy_rows(env.store)[-1].error_code == "connection_denied"


async def test_an_admin_action_through_the_api_is_stored_before_its_answer(env: Env) -> None:
    admin, _ = env.key(name="admin", preset="admin")
    created = await env.client.post(
        "/api/v1/keys",
        json={"name": "made", "connections": ["*"], "preset": "read-only"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert created.status_code == 201
    assert [r.action for r in _stored(env.store) if r.action.startswith("api.")] == ["api.key.create"]


async def test_a_proxy_write_is_refused_when_its_record_cannot_be_stored(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    await env.connect_cloud()
    secret, _ = env.key()

    async def unavailable(event: Event) -> None:
        raise AuditUnavailable("the audit record of this call could not be stored; it was not answered")

    monkeypatch.setattr(env.gw.audit, "commit", unavailable)
    answer = await env.client.put(
        "/jira/acme/rest/api/3/issue/PRJ-1",
        json={"fields": {"summary": "x"}},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 503
    assert answer.json()["jiragw"]["code"] == "audit_unavailable"


# -- anonymous denials: counted per source and minute ------------------------------------------------


async def test_two_thousand_anonymous_denials_make_a_few_counted_rows(env: Env) -> None:
    await env.connect_cloud()
    clock = env.store.clock
    unknown = [f"Bearer jgw_{n:043d}" for n in range(50)]
    for n in range(2_000):
        if n == 1_000:
            clock.advance(minutes=1)  # type: ignore[attr-defined]
        headers = {} if n % 2 else {"Authorization": unknown[n % 50]}
        answer = await env.client.get("/jira/acme/rest/api/3/myself", headers=headers)
        assert answer.status_code == 401
    await env.gw.audit.flush()
    rows = [r for r in _proxy_rows(env.store) if r.actor == "anonymous"]
    assert 0 < len(rows) < 200
    assert sum(r.detail["count"] for r in rows if r.detail) == 2_000
    assert {(r.outcome, r.status_code, r.error_code) for r in rows} == {("denied", 401, "key_invalid")}
    windows = sorted({r.detail["window"]["start"] for r in rows if r.detail})
    assert len(windows) == 2
    first = next(r for r in rows if r.detail and r.detail["window"]["start"] == windows[0])
    assert first.detail is not None
    assert first.detail["source"] == "127.0.0.1"
    assert first.detail["window"]["end"] > first.detail["window"]["start"]
    assert all(not any(k[4:] in json.dumps(r.to_json(), default=str) for k in unknown) for r in rows)


async def test_a_counter_is_written_once_its_minute_has_passed(store: Store) -> None:
    writer = AuditWriter(store, interval=0.01)
    writer.start()
    try:
        for _ in range(5):
            writer.anonymous_denial("proxy", "192.0.2.7", 401, "key_invalid")
        await writer.commit(_event(1, method="POST"))  # a commit does not close the current minute
        assert [r.actor for r in _stored(store)] == ["key:k1"]
        store.clock.advance(minutes=1)  # type: ignore[attr-defined]
        for _ in range(1000):  # the writer's next rounds close the minute
            if len(_stored(store)) == 2:
                break
            await asyncio.sleep(0.01)
        row = _stored(store)[-1]
        assert (row.actor, row.outcome, row.error_code) == ("anonymous", "denied", "key_invalid")
        assert row.detail is not None
        assert (row.detail["count"], row.detail["source"]) == (5, "192.0.2.7")
    finally:
        await writer.stop()


async def test_stop_writes_the_open_counters(store: Store) -> None:
    writer = AuditWriter(store)
    writer.start()
    writer.anonymous_denial("mcp", "198.51.100.1", 401, "key_revoked")
    await writer.stop()
    (row,) = _stored(store)
    assert (row.action, row.error_code) == ("mcp", "key_revoked")
    assert row.detail is not None
    assert row.detail["count"] == 1


async def test_the_counters_are_bounded_whatever_the_sources(store: Store) -> None:
    writer = AuditWriter(store)
    for n in range(ANONYMOUS_COUNTERS + 500):
        writer.anonymous_denial("proxy", f"2001:db8::{n:x}", 401, "key_invalid")
    assert len(writer._anonymous) == ANONYMOUS_COUNTERS + 1  # the rest share one "*" counter
    await writer.flush()
    rows = _stored(store)
    assert sum(r.detail["count"] for r in rows if r.detail) == ANONYMOUS_COUNTERS + 500
    shared = next(r for r in rows if r.detail and r.detail["source"] == "*")
    assert shared.detail is not None
    assert shared.detail["count"] == 500


def _doc(text: str) -> dict[str, Any]:
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


def _proxy_rows(store: Store) -> list[AuditRecord]:
    return [r for r in _stored(store) if r.action == "proxy"]
