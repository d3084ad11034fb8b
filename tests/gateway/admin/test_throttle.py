"""The login throttle's policy on a fake clock: lockout, back-off, window, memory bound, concurrency."""

from __future__ import annotations

import pytest

from jiragw.gateway.admin.throttle import (
    BUSY_RETRY_AFTER,
    FIRST_LOCKOUT,
    MAX_FAILURES,
    MAX_IN_FLIGHT,
    MAX_LOCKOUT,
    WINDOW,
    LoginThrottle,
    Refusal,
)

ADDR = "203.0.113.7"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle(clock)


def fail(throttle: LoginThrottle, address: str = ADDR, times: int = 1) -> list[int]:
    """``times`` admitted attempts with a wrong password; the lockout each one started."""
    started = []
    for _ in range(times):
        assert throttle.admit(address) is None
        throttle.release()
        started.append(throttle.failed(address))
    return started


def test_the_policy_is_the_documented_one() -> None:
    assert (MAX_FAILURES, WINDOW, FIRST_LOCKOUT, MAX_LOCKOUT, MAX_IN_FLIGHT) == (5, 900.0, 30, 900, 4)


def test_fifth_failure_locks_the_address_out(throttle: LoginThrottle, clock: Clock) -> None:
    assert fail(throttle, times=4) == [0, 0, 0, 0]
    assert throttle.retry_after(ADDR) == 0
    assert fail(throttle) == [30]

    assert throttle.retry_after(ADDR) == 30
    assert throttle.admit(ADDR) == Refusal(30, busy=False)
    assert throttle.in_flight == 0  # a refusal holds no slot
    clock.advance(29.5)
    assert throttle.admit(ADDR) == Refusal(1, busy=False)  # rounded up to whole seconds
    clock.advance(0.5)
    assert throttle.retry_after(ADDR) == 0
    assert throttle.admit(ADDR) is None


def test_other_addresses_are_not_locked_out(throttle: LoginThrottle) -> None:
    fail(throttle, times=5)
    assert throttle.admit("198.51.100.1") is None


def test_refused_attempts_neither_count_nor_extend_the_lockout(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, times=5)
    for _ in range(50):
        assert throttle.admit(ADDR) == Refusal(30, busy=False)
    clock.advance(30)
    assert fail(throttle) == [60]  # one level up, not fifty


def test_back_off_doubles_per_further_failure_and_is_capped(throttle: LoginThrottle, clock: Clock) -> None:
    started = fail(throttle, times=5)
    for _ in range(7):
        clock.advance(started[-1])
        started += fail(throttle)
    assert started[4:] == [30, 60, 120, 240, 480, 900, 900, 900]
    assert throttle.retry_after(ADDR) == MAX_LOCKOUT


def test_a_failure_from_a_check_already_running_when_the_lockout_began_extends_it(
    throttle: LoginThrottle,
) -> None:
    fail(throttle, times=4)
    assert throttle.admit(ADDR) is None
    assert throttle.admit(ADDR) is None  # two checks in flight from one address
    throttle.release()
    throttle.release()
    assert throttle.failed(ADDR) == 30
    assert throttle.failed(ADDR) == 60
    assert throttle.retry_after(ADDR) == 60


def test_failures_older_than_the_window_are_forgotten(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, times=4)
    clock.advance(WINDOW)
    assert fail(throttle) == [0]  # the first four have aged out
    assert throttle.retry_after(ADDR) == 0


def test_failures_just_inside_the_window_still_count(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, times=4)
    clock.advance(WINDOW - 0.5)
    assert fail(throttle) == [30]


def test_the_window_slides(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, times=2)
    clock.advance(600)
    fail(throttle, times=2)
    clock.advance(300)  # the first two are now 900 s old
    assert fail(throttle) == [0]
    assert fail(throttle) == [0]
    assert fail(throttle) == [30]  # two from 300 s ago and three now


def test_back_off_is_forgotten_a_window_after_the_lockout_ends(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, times=5)
    clock.advance(30 + WINDOW - 1)
    assert fail(throttle) == [60]  # still the same streak
    clock.advance(60 + WINDOW)
    assert fail(throttle, times=4) == [0, 0, 0, 0]  # a fresh start
    assert fail(throttle) == [30]


def test_back_off_survives_a_capped_lockout(throttle: LoginThrottle, clock: Clock) -> None:
    """The cap equals the window: waiting one lockout out must not reset the back-off."""
    started = fail(throttle, times=5)
    while started[-1] < MAX_LOCKOUT:
        clock.advance(started[-1])
        started += fail(throttle)
    clock.advance(MAX_LOCKOUT)
    assert fail(throttle) == [MAX_LOCKOUT]


def test_success_clears_the_address(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, times=4)
    throttle.succeeded(ADDR)
    assert throttle.tracked == 0
    assert fail(throttle, times=4) == [0, 0, 0, 0]

    assert fail(throttle) == [30]
    clock.advance(30)
    throttle.succeeded(ADDR)  # e.g. a check admitted before the lockout, with the right password
    assert throttle.retry_after(ADDR) == 0
    assert fail(throttle) == [0]  # back-off level gone too


def test_forgotten_addresses_free_their_memory(throttle: LoginThrottle, clock: Clock) -> None:
    fail(throttle, "a", times=2)
    fail(throttle, "b", times=5)
    assert throttle.tracked == 2
    clock.advance(WINDOW)
    assert throttle.retry_after("a") == 0
    assert throttle.tracked == 1  # "b" is still inside its post-lockout window
    clock.advance(30)
    assert throttle.retry_after("b") == 0
    assert throttle.tracked == 0


def test_memory_is_bounded_by_evicting_the_oldest(clock: Clock) -> None:
    throttle = LoginThrottle(clock, max_tracked=3)
    fail(throttle, "a", times=4)
    fail(throttle, "b", times=4)
    for i in range(100):
        fail(throttle, f"10.0.0.{i}")
        assert throttle.tracked <= 3
    # "a" and "b" were evicted: their fifth failure is their first again.
    assert fail(throttle, "a") == [0]
    assert fail(throttle, "b") == [0]


def test_eviction_spares_the_most_recently_failing(clock: Clock) -> None:
    throttle = LoginThrottle(clock, max_tracked=3)
    fail(throttle, "a", times=3)
    fail(throttle, "b", times=4)
    fail(throttle, "a")  # now "b" is the oldest
    fail(throttle, "c")
    fail(throttle, "d")  # evicts "b"
    assert throttle.tracked == 3
    assert fail(throttle, "a") == [30]
    assert fail(throttle, "b") == [0]


def test_at_most_four_checks_in_flight(throttle: LoginThrottle) -> None:
    for i in range(MAX_IN_FLIGHT):
        assert throttle.admit(f"192.0.2.{i}") is None
    assert throttle.in_flight == MAX_IN_FLIGHT
    assert throttle.admit("192.0.2.99") == Refusal(BUSY_RETRY_AFTER, busy=True)
    assert throttle.admit("192.0.2.0") == Refusal(BUSY_RETRY_AFTER, busy=True)
    assert throttle.tracked == 0  # a busy refusal is nobody's failure

    throttle.release()
    assert throttle.admit("192.0.2.99") is None
    assert throttle.admit("192.0.2.98") == Refusal(BUSY_RETRY_AFTER, busy=True)
    for _ in range(MAX_IN_FLIGHT):
        throttle.release()
    assert throttle.in_flight == 0


def test_a_lockout_answers_before_the_concurrency_guard(throttle: LoginThrottle) -> None:
    fail(throttle, times=5)
    for i in range(MAX_IN_FLIGHT):
        assert throttle.admit(f"192.0.2.{i}") is None
    assert throttle.admit(ADDR) == Refusal(30, busy=False)


def test_release_without_admit_is_a_bug(throttle: LoginThrottle) -> None:
    with pytest.raises(RuntimeError, match="without a matching admit"):
        throttle.release()
