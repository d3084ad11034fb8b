"""The in-process half of the single-flight refresh (issue 3, "Refresh").

One refresh per grant at a time inside a process: an ``asyncio.Lock`` per
(event loop, grant) queues the tasks of one loop without tying up worker
threads, and a ``threading.Lock`` per grant, taken in the worker thread that
then takes the database lock, queues threads running other loops. The
cross-process half is the database lock (:meth:`jiragw.store.Store.lock_grant`).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import Counter

__all__ = ["GrantLocks"]


class GrantLocks:
    """Lock tables keyed by grant id; entries live as long as the process (grants are few)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._threads: dict[str, threading.Lock] = {}
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
            weakref.WeakKeyDictionary()
        )
        self._in_flight: Counter[str] = Counter()

    def task_lock(self, grant_id: str) -> asyncio.Lock:
        """The lock queueing this event loop's tasks for ``grant_id``."""
        loop = asyncio.get_running_loop()
        with self._guard:
            table = self._loops.setdefault(loop, {})
            return table.setdefault(grant_id, asyncio.Lock())

    def thread_lock(self, grant_id: str) -> threading.Lock:
        """The lock queueing this process's threads for ``grant_id``."""
        with self._guard:
            return self._threads.setdefault(grant_id, threading.Lock())

    def enter(self, grant_id: str) -> None:
        """Mark a refresh of ``grant_id`` as in flight (for the ``refreshing`` status)."""
        with self._guard:
            self._in_flight[grant_id] += 1

    def leave(self, grant_id: str) -> None:
        with self._guard:
            self._in_flight[grant_id] -= 1
            if self._in_flight[grant_id] <= 0:
                del self._in_flight[grant_id]

    def refreshing(self, grant_id: str) -> bool:
        """Whether a refresh of ``grant_id`` is in flight in this process."""
        with self._guard:
            return self._in_flight[grant_id] > 0
