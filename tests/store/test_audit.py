from __future__ import annotations

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
