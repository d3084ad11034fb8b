"""A controllable clock for the sandbox.

Everything time-dependent in the emulator (issue timestamps, ``now()`` in JQL,
token lifetimes, rate-limit windows) reads this clock, so tests can move time
forward through the admin endpoint instead of sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

__all__ = ["Clock"]


class Clock:
    """Wall-clock time plus an adjustable offset (never goes backwards on its own)."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self.offset = offset_seconds

    def time(self) -> float:
        """Seconds since the epoch, offset applied."""
        return time.time() + self.offset

    def monotonic(self) -> float:
        """A monotonic reading that also moves when the clock is advanced."""
        return time.monotonic() + self.offset

    def now(self) -> datetime:
        """The current aware UTC datetime, offset applied."""
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def advance(self, seconds: float) -> None:
        """Move time forward (or back, for negative values) by ``seconds``."""
        self.offset += seconds

    def advance_by(self, delta: timedelta) -> None:
        self.advance(delta.total_seconds())
