"""Caps on the proxy's calls in flight, per connection and per key, so one cannot stall the rest.

Every connection's calls share the gateway's one upstream client and its
connection pool (:mod:`jiragw.gateway.aiohttp_transport`, 512 sockets as
``jiragw serve`` builds it). Without a cap, a few hundred slow calls through
one connection take every pooled socket and every other connection's calls
queue behind them. So a call holds one slot of its key and one of its
connection from just before it goes upstream until its answer has been
streamed back (the pooled socket is busy exactly that long), and a call that
finds no free slot is refused at once, before anything goes upstream:

- its key has :attr:`InFlight.per_key` calls in flight: 429 ``key_busy``
  (the caller's own concurrency; ``JIRAGW_MAX_INFLIGHT_PER_KEY``, default 32);
- its connection has :attr:`InFlight.per_connection` calls in flight: 503
  ``connection_busy`` (``JIRAGW_MAX_INFLIGHT_PER_CONNECTION``, default 64),

both with ``Retry-After`` (:data:`RETRY_AFTER` seconds). Refusing rather than
queueing keeps the wait out of the gateway: a queue per connection would hold
the caller's socket and memory as long as the slow upstream keeps it.

The default per-connection cap is an eighth of the pool, so at least eight
connections must be saturated at once before the pool itself is full. The
counters are plain integers in dicts, touched only from the event loop's
thread: taking and returning a slot is two dict operations each, and an idle
key or connection holds no entry.
"""

from __future__ import annotations

from typing import Final

from jiragw.errors import ConnectionBusy, KeyBusy

__all__ = ["DEFAULT_PER_CONNECTION", "DEFAULT_PER_KEY", "RETRY_AFTER", "InFlight"]

DEFAULT_PER_CONNECTION: Final = 64
DEFAULT_PER_KEY: Final = 32
RETRY_AFTER: Final = 1.0


class InFlight:
    """Counters of calls in flight per key and per connection, with their caps."""

    __slots__ = ("_connections", "_keys", "per_connection", "per_key")

    def __init__(self, per_connection: int = DEFAULT_PER_CONNECTION, per_key: int = DEFAULT_PER_KEY) -> None:
        if per_connection < 1 or per_key < 1:
            raise ValueError("in-flight caps must be at least 1")
        self.per_connection = per_connection
        self.per_key = per_key
        self._keys: dict[str, int] = {}
        self._connections: dict[str, int] = {}

    def acquire(self, key_id: str, connection_id: str) -> None:
        """Take a slot of the key and one of the connection, or raise without taking either."""
        keys, connections = self._keys, self._connections
        held = keys.get(key_id, 0)
        if held >= self.per_key:
            raise KeyBusy(
                f"this key already has {self.per_key} calls in flight through the gateway; "
                "wait for one to finish",
                retry_after=RETRY_AFTER,
            )
        busy = connections.get(connection_id, 0)
        if busy >= self.per_connection:
            raise ConnectionBusy(
                "the connection has as many calls in flight as the gateway allows; retry shortly",
                retry_after=RETRY_AFTER,
            )
        keys[key_id] = held + 1
        connections[connection_id] = busy + 1

    def release(self, key_id: str, connection_id: str) -> None:
        """Return the slots :meth:`acquire` took."""
        _give_back(self._keys, key_id)
        _give_back(self._connections, connection_id)

    def in_flight(self, *, key_id: str | None = None, connection_id: str | None = None) -> int:
        """Calls in flight for one key or one connection (for tests and metrics)."""
        if key_id is not None:
            return self._keys.get(key_id, 0)
        if connection_id is not None:
            return self._connections.get(connection_id, 0)
        return sum(self._connections.values())


def _give_back(counts: dict[str, int], ident: str) -> None:
    left = counts.get(ident, 0) - 1
    if left > 0:
        counts[ident] = left
    else:
        counts.pop(ident, None)
