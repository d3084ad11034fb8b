"""Retry, backoff and rate-limit decisions for Jira calls, as pure functions over data.

The transport (:mod:`jiragw.jira.transport`) asks :func:`decide` what to do
after each attempt and carries the answer out; nothing here sleeps, reads a
clock or does I/O, so every rule is tested with plain values.

The rules follow Atlassian's rate-limiting guidance for Jira Cloud
("Rate limiting", developer.atlassian.com/cloud/jira/platform/rate-limiting):

- a 429 is retried whatever the method (the request was not processed),
  after ``Retry-After`` seconds, else until ``X-RateLimit-Reset`` (an ISO 8601
  timestamp), else after a capped exponential backoff with jitter x[0.7, 1.3];
- a wait is never shorter than :attr:`RetryPolicy.min_wait`, so
  ``Retry-After: 0`` cannot turn into a hot loop;
- 5xx answers and network errors are retried only for idempotent methods
  (GET, HEAD, PUT, DELETE, OPTIONS): a POST or PATCH may have been applied.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRYABLE_STATUSES",
    "RetryDecision",
    "RetryPolicy",
    "backoff_delay",
    "decide",
    "is_idempotent",
    "near_limit",
    "server_wait",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# 5xx answers worth another try: the server (or a proxy in front of it) failed transiently.
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The knobs of :func:`decide`; the defaults suit Jira Cloud and Data Center alike."""

    max_attempts: int = 6  # attempts in all, the first included
    base_delay: float = 0.5  # seconds before the second attempt (before jitter)
    max_delay: float = 30.0  # cap of the exponential backoff (before jitter)
    min_wait: float = 1.0  # floor of any rate-limit wait, even after ``Retry-After: 0``
    max_wait: float = 300.0  # cap on a server-announced wait (a bogus reset far away)
    jitter: tuple[float, float] = (0.7, 1.3)


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """Whether to try again, after how many seconds, and why (for logs and errors)."""

    retry: bool
    delay: float = 0.0
    reason: str = ""


def is_idempotent(method: str) -> bool:
    """True for methods whose repetition cannot change the outcome (RFC 9110, section 9.2.2)."""
    return method.upper() in IDEMPOTENT_METHODS


def backoff_delay(attempt: int, policy: RetryPolicy, rng: random.Random) -> float:
    """The wait after failed attempt number ``attempt`` (1-based): capped doubling, jittered."""
    raw = min(policy.max_delay, policy.base_delay * 2.0 ** max(0, attempt - 1))
    low, high = policy.jitter
    return raw * rng.uniform(low, high)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _parse_reset(value: str) -> datetime | None:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _retry_after_seconds(value: str, now: float) -> float | None:
    """``Retry-After`` is delay-seconds or an HTTP-date (RFC 9110, section 10.2.3)."""
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, moment.timestamp() - now)
    return seconds if seconds >= 0 and seconds == seconds else None  # NaN is no answer


def near_limit(headers: Mapping[str, str]) -> bool:
    """Jira's ``X-RateLimit-NearLimit: true``: under 20% of the budget is left, so do not speed up."""
    value = _header(headers, "X-RateLimit-NearLimit")
    return value is not None and value.strip().lower() == "true"


def server_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asks us to wait, from ``Retry-After`` or ``X-RateLimit-Reset``.

    ``now`` is the wall clock (seconds since the epoch), needed for the reset
    timestamp. ``None`` when neither header is present or readable.
    """
    retry_after = _header(headers, "Retry-After")
    if retry_after is not None:
        seconds = _retry_after_seconds(retry_after, now)
        if seconds is not None:
            return seconds
    reset = _header(headers, "X-RateLimit-Reset")
    if reset is not None:
        moment = _parse_reset(reset)
        if moment is not None:
            return max(0.0, moment.timestamp() - now)
    return None


def decide(
    method: str,
    attempt: int,
    *,
    policy: RetryPolicy,
    rng: random.Random,
    now: float,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    network_error: bool = False,
) -> RetryDecision:
    """What to do after attempt number ``attempt`` (1-based) of ``method`` failed.

    Give either the answer's ``status`` and ``headers`` or ``network_error=True``.
    ``now`` is the wall clock, used for ``X-RateLimit-Reset``.
    """
    if attempt >= policy.max_attempts:
        return RetryDecision(False, reason="attempts exhausted")
    headers = headers or {}
    if status == 429:
        wait = server_wait(headers, now)
        if wait is None:
            wait = backoff_delay(attempt, policy, rng)
        return RetryDecision(True, min(policy.max_wait, max(policy.min_wait, wait)), "rate limited")
    idempotent = is_idempotent(method)
    if network_error:
        if not idempotent:
            return RetryDecision(False, reason="network error on a non-idempotent request")
        return RetryDecision(True, backoff_delay(attempt, policy, rng), "network error")
    if status is not None and status in RETRYABLE_STATUSES:
        if not idempotent:
            return RetryDecision(False, reason=f"{status} on a non-idempotent request")
        wait = server_wait(headers, now)
        delay = backoff_delay(attempt, policy, rng) if wait is None else max(policy.min_wait, wait)
        return RetryDecision(True, min(policy.max_wait, delay), f"server error {status}")
    return RetryDecision(False, reason="not retryable")
