"""The adaptive concurrency limit (AIMD) and the shared per-connection budget, on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from jiragw.jira.limiter import AdaptiveLimit, ConnectionBudget


class FakeClock:
    """Time that only moves when a sleep asks it to."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def test_slow_start_doubles_per_window_until_the_first_sign_of_the_limit() -> None:
    limit = AdaptiveLimit(value=4.0, maximum=64.0)
    for _ in range(4):
        limit.on_success()
    assert limit.value == 8.0  # one window of 4 successes doubled it
    for _ in range(8):
        limit.on_success()
    assert limit.value == 16.0
    limit.on_near_limit()
    for _ in range(16):
        limit.on_success()
    assert 16.9 < limit.value < 17.0  # additive from here on


def test_a_rate_limit_ends_the_slow_start() -> None:
    limit = AdaptiveLimit(value=16.0)
    assert limit.on_rate_limited(now=0.0, window_end=1.0)
    assert limit.value == 8.0
    for _ in range(8):
        limit.on_success()
    assert 8.9 < limit.value < 9.0


def test_limit_grows_additively_while_calls_succeed() -> None:
    limit = AdaptiveLimit(value=4.0, maximum=64.0, slow_start=False)
    for _ in range(4):
        limit.on_success()
    assert 4.8 < limit.value < 5.0  # about one more slot per full window of successes
    for _ in range(5000):
        limit.on_success()
    assert limit.value == 64.0
    assert limit.slots == 64


def test_limit_halves_on_a_rate_limit_once_per_window() -> None:
    limit = AdaptiveLimit(value=16.0)
    assert limit.on_rate_limited(now=0.0, window_end=2.0)
    assert limit.value == 8.0
    # Other calls refused by the same window do not cut again.
    assert not limit.on_rate_limited(now=1.0, window_end=2.0)
    assert limit.value == 8.0
    assert limit.on_rate_limited(now=2.0, window_end=3.0)
    assert limit.value == 4.0


def test_limit_never_drops_below_its_minimum() -> None:
    limit = AdaptiveLimit(value=2.0, minimum=1.0)
    for t in range(10):
        limit.on_rate_limited(now=float(t), window_end=float(t))
    assert limit.value == 1.0
    assert limit.slots == 1


async def test_budget_caps_calls_in_flight() -> None:
    clock = FakeClock()
    budget = ConnectionBudget(AdaptiveLimit(value=2.0, maximum=2.0), clock=clock, sleep=clock.sleep)
    peak = 0
    release = asyncio.Event()

    async def call() -> None:
        nonlocal peak
        async with budget.slot():
            peak = max(peak, budget.in_flight)
            await release.wait()

    tasks = [asyncio.create_task(call()) for _ in range(5)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert budget.in_flight == 2
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 2
    assert budget.in_flight == 0


async def test_a_rate_limit_pauses_every_call_of_the_connection() -> None:
    clock = FakeClock()
    budget = ConnectionBudget(AdaptiveLimit(value=8.0), clock=clock, sleep=clock.sleep)
    budget.on_rate_limited(5.0)
    assert budget.paused_for() == 5.0
    assert budget.limit.value == 4.0
    started: list[float] = []

    async def call() -> None:
        async with budget.slot():
            started.append(clock.now)

    await asyncio.gather(*(call() for _ in range(3)))
    assert len(started) == 3
    assert all(t >= 1005.0 for t in started)
    assert budget.paused_for() == 0.0


async def test_a_longer_window_extends_the_pause_and_a_shorter_one_does_not_shrink_it() -> None:
    clock = FakeClock()
    budget = ConnectionBudget(clock=clock, sleep=clock.sleep)
    budget.on_rate_limited(5.0)
    budget.on_rate_limited(2.0)
    assert budget.paused_for() == 5.0
    budget.on_rate_limited(9.0)
    assert budget.paused_for() == 9.0


async def test_release_after_a_failure_frees_the_slot() -> None:
    clock = FakeClock()
    budget = ConnectionBudget(AdaptiveLimit(value=1.0, maximum=1.0), clock=clock, sleep=clock.sleep)
    with pytest.raises(RuntimeError):
        async with budget.slot():
            raise RuntimeError("boom")
    assert budget.in_flight == 0
    async with budget.slot():
        assert budget.in_flight == 1


def test_a_budget_can_be_built_outside_a_loop() -> None:
    budget = ConnectionBudget()
    assert budget.paused_for() == 0.0
    assert budget.limit.slots == 4
