from __future__ import annotations

from datetime import timedelta

from jiragw.store import Store

from .conftest import FakeClock


def test_append_and_tail(store: Store, clock: FakeClock) -> None:
    with store.transaction() as tx:
        first = tx.audit.append(
            "proxy.call", actor="key:k1", outcome="ok", connection_id="c1", status_code=200
        )
        clock.advance(seconds=1)
        second = tx.audit.append(
            "oauth.callback", actor="admin", outcome="denied", detail={"reason": "state_replayed"}
        )
    assert second > first
    with store.transaction() as tx:
        events = tx.audit.tail()
        assert [e.action for e in events] == ["oauth.callback", "proxy.call"]
        assert events[0].detail == {"reason": "state_replayed"}
        assert events[0].at == clock.now
        assert [e.id for e in tx.audit.tail(connection_id="c1")] == [first]
        assert len(tx.audit.tail(limit=1)) == 1


def test_append_many_writes_every_column_and_defaults_the_time(store: Store, clock: FakeClock) -> None:
    at = clock.now
    clock.advance(seconds=5)
    with store.transaction() as tx:
        written = tx.audit.append_many(
            [
                {
                    "action": "proxy",
                    "actor": "key:k1",
                    "outcome": "ok",
                    "at": at,
                    "key_id": "k1",
                    "connection_id": "c1",
                    "method": "GET",
                    "target": "/rest/api/3/issue/{issueIdOrKey}",
                    "status_code": 200,
                    "latency_ms": 3,
                    "bytes_out": 120,
                },
                {"action": "proxy", "actor": "anonymous", "outcome": "denied", "error_code": "key_invalid"},
                {"action": "admin", "actor": "admin", "outcome": "ok", "detail": {"what": "key.create"}},
            ]
        )
        assert tx.audit.append_many([]) == 0
    assert written == 3
    with store.transaction() as tx:
        admin, denied, ok = tx.audit.tail()
    assert (ok.at, ok.key_id, ok.connection_id, ok.method) == (at, "k1", "c1", "GET")
    assert (ok.target, ok.status_code, ok.latency_ms, ok.bytes_out) == (
        "/rest/api/3/issue/{issueIdOrKey}",
        200,
        3,
        120,
    )
    assert (denied.at, denied.outcome, denied.error_code, denied.key_id) == (
        clock.now,
        "denied",
        "key_invalid",
        None,
    )
    assert admin.detail == {"what": "key.create"}
    assert ok.id < denied.id < admin.id


def test_prune_deletes_only_what_is_past_retention_in_slices(store: Store, clock: FakeClock) -> None:
    now = clock.now
    with store.transaction() as tx:
        for days in (400, 366, 365.5, 364, 10, 0):
            tx.audit.append("proxy", actor="t", outcome="ok", at=now - timedelta(days=days), target=str(days))
    assert store.prune_audit(365, batch=2) == 3  # two slices: 2, then 1
    with store.transaction() as tx:
        kept = sorted(float(e.target or 0) for e in tx.audit.tail())
    assert kept == [0, 10, 364]
    assert store.prune_audit(365) == 0
    clock.advance(days=360)
    assert store.prune_audit(365) == 2  # the 10- and 364-day-old events are now past it


def test_append_audit_commits_events_in_chunks_on_a_plain_connection(store: Store, clock: FakeClock) -> None:
    events = [{"action": "proxy", "actor": f"key:k{n}", "outcome": "ok", "method": "GET"} for n in range(7)]
    assert store.append_audit(events, chunk=3) == 7
    with store.transaction() as tx:
        rows = list(reversed(tx.audit.tail()))
    assert [r.actor for r in rows] == [f"key:k{n}" for n in range(7)]
    assert all(r.at == clock.now for r in rows)
