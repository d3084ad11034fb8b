"""The gateway's shared state: store, broker, upstream client, scope table, key cache, audit, metrics.

One :class:`Gateway` per process, built by ``jiragw serve`` (or a test) and
handed to :func:`jiragw.gateway.app.create_app`. Route modules read what they
need from it; nothing in here does request parsing.

Key lookups are cached for a few seconds so a busy proxy does not read the
database per request; a revocation through this process drops the entry at
once, and other processes see it within :data:`KEY_CACHE_TTL`. The cache is
two bounded LRUs: keys that exist (at most :data:`KEY_CACHE_SIZE`) and
well-formed keys that do not (at most :data:`UNKNOWN_KEY_CACHE_SIZE`), so a
flood of made-up keys costs a database read each but no memory beyond the
bound, and never pushes a real key out.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import httpx

from jiragw.broker import Broker
from jiragw.broker.session import CredentialSession
from jiragw.config import Settings
from jiragw.errors import KeyExpired, KeyInvalid, KeyRevoked
from jiragw.gateway.audit import AuditWriter
from jiragw.gateway.metrics import Metrics
from jiragw.keys import hash_key, key_from_authorization
from jiragw.scopes import ScopeTable, load_scope_table
from jiragw.store import KeyRecord, Store

__all__ = ["KEY_CACHE_SIZE", "KEY_CACHE_TTL", "UNKNOWN_KEY_CACHE_SIZE", "Gateway"]

V = TypeVar("V")

KEY_CACHE_TTL = 5.0
KEY_CACHE_SIZE = 4096  # keys that exist: bounded by what administrators minted
UNKNOWN_KEY_CACHE_SIZE = 1024  # made-up keys: anyone can show any number of them


@dataclass
class Gateway:
    """Everything the gateway's routes share."""

    settings: Settings
    store: Store
    broker: Broker
    http: httpx.AsyncClient
    public_url: str
    table: ScopeTable = field(default_factory=load_scope_table)
    audit: AuditWriter = field(init=False)
    metrics: Metrics = field(default_factory=Metrics)
    # ``--sandbox``: the sandbox's describe() object, shown in the admin UI and --json.
    sandbox_info: dict[str, Any] | None = None
    # Admin password login (hash only), when JIRAGW_ADMIN_PASSWORD is set.
    admin_password_hash: str | None = None
    max_body_bytes: int = 10 * 1024 * 1024
    monotonic: Callable[[], float] = time.monotonic
    _keys: OrderedDict[str, tuple[float, KeyRecord]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _unknown: OrderedDict[str, float] = field(default_factory=OrderedDict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.audit = AuditWriter(
            self.store,
            interval=self.settings.audit_read_window_ms / 1000,
            on_touch=self._touch_used,
            now=self.now,
        )
        # Every door of the gateway (proxy, MCP, API) shares the broker's one credential session,
        # on the gateway's clocks (late-bound, so a test swapping ``monotonic`` is obeyed).
        self.broker.session = CredentialSession(self.broker, now=self.now, monotonic=lambda: self.monotonic())
        self.public_url = self.public_url.rstrip("/")

    @property
    def callback_url(self) -> str:
        return self.public_url + "/v1/outbound/oauth/callback"

    def now(self) -> datetime:
        return self.store.clock()

    # -- inbound keys ------------------------------------------------------------------------

    async def authenticate(self, authorization: str | None) -> KeyRecord:
        """The active key an ``Authorization`` header carries; :class:`KeyInvalid` & co. otherwise."""
        secret = key_from_authorization(authorization)
        if secret is None:
            raise KeyInvalid("a gateway key is required (Bearer jgw_..., or as the Basic password)")
        digest = hash_key(secret)
        record = await self._lookup(digest)
        if record is None:
            raise KeyInvalid("the gateway key is not valid")
        status = record.status(self.now())
        if status == "revoked":
            raise KeyRevoked("the gateway key was revoked")
        if status == "expired":
            raise KeyExpired("the gateway key has expired")
        self.audit.key_used(record.id, self.now())
        return record

    async def _lookup(self, digest: str) -> KeyRecord | None:
        """The key stored under ``digest``, through the two LRUs (fresh for :data:`KEY_CACHE_TTL`)."""
        now = self.monotonic()
        hit = self._keys.get(digest)
        if hit is not None and now - hit[0] < KEY_CACHE_TTL:
            self._keys.move_to_end(digest)
            return hit[1]
        seen = self._unknown.get(digest)
        if seen is not None and now - seen < KEY_CACHE_TTL:
            self._unknown.move_to_end(digest)
            return None
        record = await self.broker.db(lambda tx: tx.keys.by_hash(digest))
        if record is None:
            self._keys.pop(digest, None)
            _put(self._unknown, digest, now, UNKNOWN_KEY_CACHE_SIZE)
        else:
            self._unknown.pop(digest, None)
            _put(self._keys, digest, (now, record), KEY_CACHE_SIZE)
        return record

    def forget_key(self, key_id: str) -> None:
        """Drop a key from the cache (after revocation)."""
        for digest, (_, record) in list(self._keys.items()):
            if record.id == key_id:
                del self._keys[digest]

    def _touch_used(self, used: dict[str, datetime]) -> None:
        """Last-used times of keys (``key:ID``) and connections (``conn:ID``), batched by the audit writer."""
        keys = {k[4:]: at for k, at in used.items() if k.startswith("key:")}
        conns = {k[5:]: at for k, at in used.items() if k.startswith("conn:")}
        with self.store.transaction(immediate=True) as tx:
            tx.keys.touch(keys)
            tx.connections.touch(conns)


def _put(cache: OrderedDict[str, V], digest: str, value: V, limit: int) -> None:
    """Insert as the most recently used entry, dropping the least recently used past ``limit``."""
    cache[digest] = value
    cache.move_to_end(digest)
    while len(cache) > limit:
        cache.popitem(last=False)
