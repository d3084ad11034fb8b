"""Bounded, jittered retries for token endpoints, then a cooldown.

Issue 3, "Refresh": 5xx and network errors from a token endpoint get a few
retries with "full jitter" exponential backoff (each delay drawn uniformly from
``[0, min(cap, base * 2**n)]``), after which the grant cools down and no
refresh is attempted before ``cooldown_until``. ``invalid_grant`` is never
retried (it is terminal, RFC 6749 §5.2). Pure: the caller passes the random
source and performs the sleeps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["DEFAULT_POLICY", "RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` calls in all (so ``attempts - 1`` retries), then ``cooldown``."""

    attempts: int = 3
    base: float = 0.25
    cap: float = 2.0
    cooldown: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base < 0 or self.cap < 0:
            raise ValueError("attempts must be >= 1; base and cap must be >= 0")

    def delays(self, rng: random.Random | None = None) -> list[float]:
        """The sleeps between attempts (``attempts - 1`` of them), full jitter."""
        draw = (rng or random.Random()).uniform
        return [draw(0.0, min(self.cap, self.base * 2**n)) for n in range(self.attempts - 1)]


DEFAULT_POLICY = RetryPolicy()
