from __future__ import annotations

import random

import pytest

from jiragw.sandbox.state.faults import Faults


def test_no_faults_by_default() -> None:
    decision = Faults().decide("alice", now=0.0, wall=0.0)
    assert decision.status is None
    assert decision.delay == 0
    assert not decision.drop
    assert decision.headers == {}


def test_burst_budget_per_credential() -> None:
    faults = Faults(rate_limit=5)
    statuses = [faults.decide("alice", now=100.0, wall=0.0).status for _ in range(7)]
    assert statuses == [None] * 5 + [429, 429]
    # Another credential has its own bucket.
    assert faults.decide("bob", now=100.0, wall=0.0).status is None
    # After one second the bucket has refilled.
    assert faults.decide("alice", now=101.0, wall=0.0).status is None


def test_429_headers_like_jira() -> None:
    faults = Faults(rate_limit=1)
    faults.decide("alice", now=0.0, wall=1_700_000_000.0)
    decision = faults.decide("alice", now=0.0, wall=1_700_000_000.0)
    assert decision.status == 429
    h = decision.headers
    assert h["Retry-After"] == "1"
    assert h["X-RateLimit-Reset"] == "2023-11-14T22:13Z"
    assert h["RateLimit-Reason"] == "jira-burst-based"
    assert h["X-RateLimit-Limit"] == "1"
    assert h["X-RateLimit-Remaining"] == "0"
    assert h["X-RateLimit-NearLimit"] == "true"


def test_error_and_drop_rates_are_fractions() -> None:
    faults = Faults(error_rate=0.5, seed=3)
    outcomes = [faults.decide("c", now=0.0, wall=0.0).status for _ in range(400)]
    errors = sum(1 for s in outcomes if s in (500, 503))
    assert 150 < errors < 250
    always = Faults(drop_rate=1.0)
    assert always.decide("c", now=0.0, wall=0.0).drop


def test_latency_with_jitter_in_range() -> None:
    faults = Faults(latency_ms=100, latency_jitter_ms=50, latency_per_issue_ms=2, rng=random.Random(1))
    for _ in range(50):
        d = faults.decide("c", now=0.0, wall=0.0)
        assert 0.1 <= d.delay <= 0.15
        assert d.per_issue_delay == pytest.approx(0.002)


@pytest.mark.parametrize(
    "change",
    [
        {"latency_ms": -1},
        {"error_rate": 2},
        {"nope": 1},
        {"rate_limit": 0},
        {"latency_ms": "abc"},
        {"drop_rate": float("nan")},
    ],
)
def test_update_rejects_bad_values(change: dict[str, object]) -> None:
    faults = Faults()
    before = faults.settings()
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked by the admin API tests
        faults.update(change)
    assert faults.settings() == before


def test_update_then_disable_rate_limit() -> None:
    faults = Faults()
    faults.update({"rate_limit": 10, "latency_ms": 5})
    assert faults.settings()["rate_limit"] == 10
    faults.update({"rate_limit": None})
    assert faults.settings()["rate_limit"] is None


def test_update_is_all_or_nothing() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="error_rate"):
        faults.update({"latency_ms": 5, "error_rate": 2})
    assert faults.latency_ms == 0
