"""The retry rules, as pure decisions (no clock, no network)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from jiragw.jira.policy import RetryPolicy, backoff_delay, decide, is_idempotent, near_limit, server_wait

POLICY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=8.0, min_wait=1.0, max_wait=120.0)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC).timestamp()


def rng() -> random.Random:
    return random.Random(1)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("GET", True),
        ("head", True),
        ("PUT", True),
        ("DELETE", True),
        ("OPTIONS", True),
        ("POST", False),
        ("PATCH", False),
    ],
)
def test_idempotent_methods(method: str, expected: bool) -> None:
    assert is_idempotent(method) is expected


def test_backoff_doubles_up_to_the_cap_with_jitter_in_range() -> None:
    r = rng()
    for attempt, raw in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (6, 8.0), (20, 8.0)]:
        for _ in range(50):
            delay = backoff_delay(attempt, POLICY, r)
            assert 0.7 * raw <= delay <= 1.3 * raw


def test_backoff_jitter_spreads_the_waits() -> None:
    r = rng()
    delays = {round(backoff_delay(3, POLICY, r), 6) for _ in range(20)}
    assert len(delays) > 10


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"Retry-After": "0"}, 0.0),
        ({"X-RateLimit-Reset": "2026-11-23T10:00:30Z"}, 30.0),
        ({"X-RateLimit-Reset": "2026-11-23T10:01Z"}, 60.0),
        ({"X-RateLimit-Reset": "2026-11-23T10:00:45.000+00:00"}, 45.0),
        ({"X-RateLimit-Reset": "2026-11-23T09:59Z"}, 0.0),  # already past
        ({"Retry-After": "3", "X-RateLimit-Reset": "2026-11-23T10:01Z"}, 3.0),  # Retry-After wins
        ({"Retry-After": "soon", "X-RateLimit-Reset": "2026-11-23T10:00:10Z"}, 10.0),
        ({"Retry-After": "Mon, 23 Nov 2026 10:00:12 GMT"}, 12.0),
        ({"Retry-After": "Mon, 23 Nov 2026 09:00:00 GMT"}, 0.0),
        ({"Retry-After": "-4"}, None),
        ({"Retry-After": "nan"}, None),
        ({"X-RateLimit-Reset": "tomorrow"}, None),
        ({}, None),
    ],
)
def test_server_wait(headers: dict[str, str], expected: float | None) -> None:
    wait = server_wait(headers, NOW)
    if expected is None:
        assert wait is None
    else:
        assert wait == pytest.approx(expected)


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_429_is_retried_for_every_method_after_retry_after(method: str) -> None:
    verdict = decide(method, 1, policy=POLICY, rng=rng(), now=NOW, status=429, headers={"Retry-After": "5"})
    assert verdict.retry
    assert verdict.delay == 5.0


def test_retry_after_zero_never_becomes_a_hot_loop() -> None:
    verdict = decide("GET", 1, policy=POLICY, rng=rng(), now=NOW, status=429, headers={"Retry-After": "0"})
    assert verdict.retry
    assert verdict.delay == POLICY.min_wait


def test_429_uses_the_reset_timestamp_when_there_is_no_retry_after() -> None:
    headers = {"X-RateLimit-Reset": "2026-11-23T10:00:20Z"}
    verdict = decide("GET", 1, policy=POLICY, rng=rng(), now=NOW, status=429, headers=headers)
    assert verdict.delay == pytest.approx(20.0)


def test_429_without_headers_backs_off_exponentially() -> None:
    first = decide("GET", 1, policy=POLICY, rng=rng(), now=NOW, status=429)
    third = decide("GET", 3, policy=POLICY, rng=rng(), now=NOW, status=429)
    assert first.retry
    assert third.retry
    assert POLICY.min_wait <= first.delay <= 1.3
    assert 0.7 * 2.0 <= third.delay <= 1.3 * 2.0


def test_a_far_away_reset_is_capped() -> None:
    verdict = decide(
        "GET", 1, policy=POLICY, rng=rng(), now=NOW, status=429, headers={"Retry-After": "86400"}
    )
    assert verdict.delay == POLICY.max_wait


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_for_idempotent_methods_only(status: int) -> None:
    for method in ("GET", "PUT", "DELETE"):
        assert decide(method, 1, policy=POLICY, rng=rng(), now=NOW, status=status).retry
    for method in ("POST", "PATCH"):
        verdict = decide(method, 1, policy=POLICY, rng=rng(), now=NOW, status=status)
        assert not verdict.retry
        assert "non-idempotent" in verdict.reason


def test_503_honours_retry_after() -> None:
    verdict = decide("GET", 1, policy=POLICY, rng=rng(), now=NOW, status=503, headers={"Retry-After": "4"})
    assert verdict.delay == 4.0


def test_network_errors_are_retried_for_idempotent_methods_only() -> None:
    assert decide("GET", 2, policy=POLICY, rng=rng(), now=NOW, network_error=True).retry
    assert not decide("POST", 1, policy=POLICY, rng=rng(), now=NOW, network_error=True).retry


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 501])
def test_client_errors_are_not_retried(status: int) -> None:
    assert not decide("GET", 1, policy=POLICY, rng=rng(), now=NOW, status=status).retry


def test_attempts_are_bounded() -> None:
    assert decide("GET", 4, policy=POLICY, rng=rng(), now=NOW, status=429).retry
    verdict = decide("GET", 5, policy=POLICY, rng=rng(), now=NOW, status=429)
    assert not verdict.retry
    assert verdict.reason == "attempts exhausted"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-RateLimit-NearLimit": "true"}, True),
        ({"x-ratelimit-nearlimit": "TRUE"}, True),
        ({"X-RateLimit-NearLimit": "false"}, False),
        ({}, False),
    ],
)
def test_near_limit(headers: dict[str, str], expected: bool) -> None:
    assert near_limit(headers) is expected
