"""How many calls a connection may have in flight, and when it may call again.

Two pieces, shared by every call made through one connection's transport:

- :class:`AdaptiveLimit`, sans-IO arithmetic: a slow start (+1 per success,
  so the limit doubles per window of calls) until the first rate-limit
  answer or near-limit warning, then additive increase while calls succeed
  and multiplicative decrease (halving) on a 429 (as in TCP congestion
  control, RFC 5681 section 3.1). Many calls refused by the same rate-limit
  window cut the limit once, not once each.
- :class:`ConnectionBudget`, the asyncio gate built on it: at most
  ``limit`` calls in flight, and none at all until a rate-limit window
  announced by the server has passed. When one call sees a 429, the others
  wait for the same window instead of each discovering it with a 429 of its
  own (Atlassian: "do not retry all queued requests at once").

The clock and the sleep function are injected, so tests move time by hand.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

__all__ = ["AdaptiveLimit", "ConnectionBudget"]


@dataclass(slots=True)
class AdaptiveLimit:
    """An AIMD concurrency limit with a slow start: ``+1`` per success until the first sign of
    the rate limit, ``+1/limit`` per success after it, halved on a rate-limit answer."""

    value: float = 4.0
    minimum: float = 1.0
    maximum: float = 64.0
    slow_start: bool = True
    _cut_until: float = float("-inf")

    @property
    def slots(self) -> int:
        """The whole number of calls allowed in flight now (at least one)."""
        return max(1, int(self.value))

    def on_success(self) -> None:
        # Slow start: +1 per success doubles the limit per window of calls, so a fresh
        # connection reaches the server's budget in a few round trips. After that,
        # +1/limit per success grows it by about one per full window.
        step = 1.0 if self.slow_start else 1.0 / self.value
        self.value = min(self.maximum, self.value + step)

    def on_near_limit(self) -> None:
        """The server warned that the budget is nearly spent: stop growing fast."""
        self.slow_start = False

    def on_rate_limited(self, now: float, window_end: float) -> bool:
        """Halve, unless this window already cut the limit; True when it was cut."""
        self.slow_start = False
        if now < self._cut_until:
            return False
        self.value = max(self.minimum, self.value / 2.0)
        self._cut_until = window_end
        return True


class ConnectionBudget:
    """The gate every call of one connection passes: concurrency slots plus a shared pause."""

    def __init__(
        self,
        limit: AdaptiveLimit | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limit = limit or AdaptiveLimit()
        self.clock = clock
        self.sleep = sleep
        self.resume_at = float("-inf")
        self.in_flight = 0
        self._changed: asyncio.Condition | None = None

    @property
    def _cond(self) -> asyncio.Condition:
        # Made lazily so that a budget can be built outside a running loop.
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    def paused_for(self) -> float:
        """Seconds left in the current rate-limit window (0 when calls may go)."""
        return max(0.0, self.resume_at - self.clock())

    async def acquire(self) -> None:
        """Wait for the rate-limit window to pass and for a free slot, then take it."""
        while True:
            wait = self.paused_for()
            if wait > 0:
                await self.sleep(wait)
                continue
            async with self._cond:
                if self.paused_for() > 0:
                    continue
                if self.in_flight < self.limit.slots:
                    self.in_flight += 1
                    return
                await self._cond.wait()

    async def release(self) -> None:
        """Give a slot back and let the waiting calls look again."""
        async with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """``async with budget.slot():`` around one upstream call."""
        await self.acquire()
        try:
            yield
        finally:
            await self.release()

    def on_success(self) -> None:
        self.limit.on_success()

    def on_near_limit(self) -> None:
        self.limit.on_near_limit()

    def on_rate_limited(self, wait: float) -> None:
        """A 429 asked for ``wait`` seconds: pause every call of the connection and cut the limit."""
        now = self.clock()
        end = now + wait
        self.resume_at = max(self.resume_at, end)
        self.limit.on_rate_limited(now, self.resume_at)
