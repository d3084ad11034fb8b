"""Fault injection and Jira's burst rate limit, as data plus pure decisions.

:class:`Faults` holds the knobs (set at start, changed at run time through
the admin endpoint); :meth:`Faults.decide` looks at one request and returns
what should happen to it (:class:`Decision`), without sleeping or doing I/O,
so the request wrapper in :mod:`jiragw.sandbox.http.dispatch` carries it out.

The rate limit follows Atlassian's burst model: a token bucket per
credential holding ``rate_limit`` requests and refilled at ``rate_limit``
per second. A request finding the bucket empty gets 429 with ``Retry-After``
(whole seconds), ``X-RateLimit-Reset`` (ISO 8601, ``yyyy-MM-ddTHH:mmZ``),
``X-RateLimit-Limit``, ``X-RateLimit-Remaining``, ``X-RateLimit-NearLimit``
and ``RateLimit-Reason: jira-burst-based``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Decision", "Faults", "TokenBucket"]

_SETTABLE = (
    "latency_ms",
    "latency_jitter_ms",
    "latency_per_issue_ms",
    "rate_limit",
    "error_rate",
    "drop_rate",
)


@dataclass(slots=True)
class TokenBucket:
    capacity: float
    tokens: float
    stamp: float

    def take(self, now: float, rate: float) -> float:
        """Take one token; returns 0 when granted, else seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / rate


@dataclass(slots=True)
class Decision:
    """What to do with one request before (and after) the handler runs."""

    delay: float = 0.0  # seconds to wait before answering
    per_issue_delay: float = 0.0  # seconds per issue returned with fields beyond id/key
    status: int | None = None  # answer this status instead of running the handler
    drop: bool = False  # abort the connection mid-response
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Faults:
    """The sandbox's fault and limit settings; every value is changeable at run time."""

    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    latency_per_issue_ms: float = 0.0
    rate_limit: float | None = None  # burst budget: requests per second per credential
    error_rate: float = 0.0  # fraction of requests answered 500/503
    drop_rate: float = 0.0  # fraction of requests whose connection is dropped
    seed: int = 0
    rng: random.Random = field(default_factory=random.Random)
    buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng.seed(self.seed)

    def settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SETTABLE}

    def update(self, values: dict[str, Any]) -> None:
        """Apply admin changes all-or-nothing; unknown names or bad values raise ``ValueError``."""
        staged: dict[str, float | None] = {}
        for name, value in values.items():
            if name not in _SETTABLE:
                raise ValueError(f"unknown fault setting {name!r}")
            if name == "rate_limit" and value is None:
                staged[name] = None
                continue
            number = float(value)
            if number < 0 or not math.isfinite(number):
                raise ValueError(f"{name} must be a finite number >= 0")
            if name in ("error_rate", "drop_rate") and number > 1:
                raise ValueError(f"{name} is a fraction between 0 and 1")
            if name == "rate_limit" and number == 0:
                raise ValueError("rate_limit must be > 0 (or null to disable)")
            staged[name] = number
        for name, value in staged.items():
            setattr(self, name, value)
        if "rate_limit" in staged:
            self.buckets.clear()

    def decide(self, credential: str, now: float, wall: float) -> Decision:
        """Decide the fate of one request from ``credential`` at monotonic ``now`` (epoch ``wall``)."""
        decision = Decision()
        jitter = self.rng.uniform(0, self.latency_jitter_ms) if self.latency_jitter_ms else 0.0
        decision.delay = (self.latency_ms + jitter) / 1000.0
        decision.per_issue_delay = self.latency_per_issue_ms / 1000.0
        if self.rate_limit is not None:
            limit = self.rate_limit
            bucket = self.buckets.get(credential)
            if bucket is None:
                bucket = self.buckets[credential] = TokenBucket(limit, limit, now)
            wait = bucket.take(now, limit)
            remaining = max(0, math.floor(bucket.tokens))
            decision.headers["X-RateLimit-Limit"] = str(math.ceil(limit))
            decision.headers["X-RateLimit-Remaining"] = str(remaining)
            if remaining < 0.2 * limit:
                decision.headers["X-RateLimit-NearLimit"] = "true"
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                reset = wall + retry_after
                decision.status = 429
                decision.headers["Retry-After"] = str(retry_after)
                decision.headers["X-RateLimit-Reset"] = datetime.fromtimestamp(reset, UTC).strftime(
                    "%Y-%m-%dT%H:%MZ"
                )
                decision.headers["RateLimit-Reason"] = "jira-burst-based"
                return decision
        if self.error_rate and self.rng.random() < self.error_rate:
            decision.status = self.rng.choice((500, 503))
            if decision.status == 503:
                decision.headers["Retry-After"] = "1"
            return decision
        if self.drop_rate and self.rng.random() < self.drop_rate:
            decision.drop = True
        return decision
