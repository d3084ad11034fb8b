"""Brute-force protection for the admin password sign-in: a sans-IO, in-memory login throttle.

Two guards, both answered with "too many attempts, retry after N seconds":

- **Per client address.** After :data:`MAX_FAILURES` failed sign-ins within
  :data:`WINDOW`, the address is locked out for :data:`FIRST_LOCKOUT`; each
  further failure doubles the lockout, up to :data:`MAX_LOCKOUT`. Attempts
  refused during a lockout check no password, so they neither count nor
  extend it. Failures older than :data:`WINDOW` are forgotten; an address that
  has been locked out keeps its back-off level until it has gone a whole
  :data:`WINDOW` past the end of its lockout without failing (otherwise a
  capped lockout as long as the window would reset the back-off every time).
  A successful sign-in forgets the address at once.
- **Globally.** At most :data:`MAX_IN_FLIGHT` password checks (scrypt, 32 MiB
  each) run at once; one more is refused immediately rather than queued, so
  parallel guessing cannot monopolise the CPU or memory.

At most :data:`MAX_TRACKED` addresses are remembered; the one whose last
failure is oldest is dropped first. (An attacker with more addresses than that
escapes the per-address guard, never the global one.)

No I/O: time comes from the injected monotonic clock, and every call is
expected on the event loop's thread, so there is no locking.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "BUSY_RETRY_AFTER",
    "FIRST_LOCKOUT",
    "MAX_FAILURES",
    "MAX_IN_FLIGHT",
    "MAX_LOCKOUT",
    "MAX_TRACKED",
    "WINDOW",
    "LoginThrottle",
    "Refusal",
]

MAX_FAILURES = 5  # failed sign-ins from one address, within WINDOW, that start a lockout
WINDOW = 15 * 60.0  # seconds a failure is remembered
FIRST_LOCKOUT = 30  # seconds; doubled per further failure
MAX_LOCKOUT = 15 * 60  # seconds; the back-off's cap
MAX_IN_FLIGHT = 4  # password checks running at once, all addresses together
MAX_TRACKED = 10_000  # addresses remembered at once
BUSY_RETRY_AFTER = 1  # seconds to wait when the global guard refuses


@dataclass(slots=True)
class _Record:
    failures: deque[float] = field(default_factory=deque)  # times of failures within WINDOW
    level: int = 0  # lockouts in the current streak; 0 while not yet locked out
    locked_until: float = 0.0


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a sign-in attempt may not check a password now, and for how many whole seconds."""

    retry_after: int
    busy: bool  # True: the global guard (too many checks at once), not this address's lockout


def _lockout(level: int) -> int:
    return min(FIRST_LOCKOUT << min(level - 1, 16), MAX_LOCKOUT)


class LoginThrottle:
    """The throttle of one gateway process.

    Per attempt: :meth:`admit`; if it returns ``None`` a check slot is held, so
    :meth:`release` it once the password check is over, then report the result
    with :meth:`failed` or :meth:`succeeded`.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_tracked: int = MAX_TRACKED,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self._clock = clock
        self._max_tracked = max_tracked
        self._max_in_flight = max_in_flight
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Password checks admitted and not yet released."""
        return self._in_flight

    @property
    def tracked(self) -> int:
        """Addresses currently remembered."""
        return len(self._records)

    def retry_after(self, address: str) -> int:
        """Whole seconds until ``address`` may try again; 0 when it is not locked out."""
        now = self._clock()
        record = self._live(address, now)
        if record is None or record.locked_until <= now:
            return 0
        return math.ceil(record.locked_until - now)

    def admit(self, address: str) -> Refusal | None:
        """``None`` and a held check slot if ``address`` may check a password now; else why not."""
        wait = self.retry_after(address)
        if wait:
            return Refusal(wait, busy=False)
        if self._in_flight >= self._max_in_flight:
            return Refusal(BUSY_RETRY_AFTER, busy=True)
        self._in_flight += 1
        return None

    def release(self) -> None:
        """Free the check slot :meth:`admit` took."""
        if self._in_flight <= 0:
            raise RuntimeError("LoginThrottle.release() without a matching admit()")
        self._in_flight -= 1

    def failed(self, address: str) -> int:
        """Record a wrong password from ``address``; the lockout it starts, in seconds (0: none)."""
        now = self._clock()
        record = self._live(address, now)
        if record is None:
            record = _Record()
        record.failures.append(now)
        if record.level or len(record.failures) >= MAX_FAILURES:
            record.level += 1
            started = _lockout(record.level)
            record.locked_until = now + started
        else:
            started = 0
        self._records[address] = record
        self._records.move_to_end(address)
        while len(self._records) > self._max_tracked:
            self._records.popitem(last=False)
        return started

    def succeeded(self, address: str) -> None:
        """A correct password from ``address``: forget its failures and back-off."""
        self._records.pop(address, None)

    def _live(self, address: str, now: float) -> _Record | None:
        """``address``'s record with old failures pruned; dropped (``None``) once nothing is left of it."""
        record = self._records.get(address)
        if record is None:
            return None
        while record.failures and now - record.failures[0] >= WINDOW:
            record.failures.popleft()
        over = now >= record.locked_until + WINDOW if record.level else not record.failures
        if over:
            del self._records[address]
            return None
        return record
