"""The in-flight caps, without a network: per key 429, per connection 503, both with Retry-After."""

from __future__ import annotations

import pytest

from jiragw.errors import ConnectionBusy, KeyBusy
from jiragw.gateway.inflight import RETRY_AFTER, InFlight
from jiragw.gateway.responses import jira_error


def test_a_key_past_its_cap_is_429_and_takes_no_connection_slot() -> None:
    caps = InFlight(per_connection=10, per_key=2)
    caps.acquire("k", "a")
    caps.acquire("k", "b")
    with pytest.raises(KeyBusy) as busy:
        caps.acquire("k", "a")
    assert (busy.value.status, busy.value.code, busy.value.retry_after) == (429, "key_busy", RETRY_AFTER)
    assert caps.in_flight(connection_id="a") == 1
    caps.acquire("other", "a")  # another key is not held back by this one


def test_a_connection_past_its_cap_is_503_and_takes_no_key_slot() -> None:
    caps = InFlight(per_connection=2, per_key=10)
    caps.acquire("k1", "a")
    caps.acquire("k2", "a")
    with pytest.raises(ConnectionBusy) as busy:
        caps.acquire("k3", "a")
    refused = (busy.value.status, busy.value.code, busy.value.retry_after)
    assert refused == (503, "connection_busy", RETRY_AFTER)
    assert caps.in_flight(key_id="k3") == 0
    caps.acquire("k3", "b")  # another connection is not held back by this one


def test_released_slots_are_free_again_and_idle_entries_vanish() -> None:
    caps = InFlight(per_connection=1, per_key=1)
    for _ in range(3):
        caps.acquire("k", "a")
        caps.release("k", "a")
    assert caps.in_flight() == 0
    assert caps.in_flight(key_id="k") == caps.in_flight(connection_id="a") == 0
    assert not caps._keys  # nothing kept per idle key or connection
    assert not caps._connections


def test_caps_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        InFlight(per_connection=0)
    with pytest.raises(ValueError, match="at least 1"):
        InFlight(per_key=0)


@pytest.mark.parametrize("exc", [KeyBusy("busy", retry_after=0.2), ConnectionBusy("busy", retry_after=1.0)])
def test_both_refusals_carry_retry_after(exc: KeyBusy | ConnectionBusy) -> None:
    response = jira_error(exc)
    assert response.headers["retry-after"] == "1"
    assert response.headers["x-content-type-options"] == "nosniff"
