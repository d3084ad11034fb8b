"""Inbound gateway keys: stored as SHA-256 only, with a scope ceiling, connections, expiry, revocation.

The key itself (``jgw_`` + 32 random bytes) is made and shown once by
:mod:`jiragw.keys.format`; this repository sees only its hash and a short
display prefix. A key carries 256 bits from a CSPRNG, so an unsalted SHA-256
is enough to store it (nothing to brute-force), and lookup by hash is one
indexed read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiragw.errors import InvalidInput, NotFound
from jiragw.store.models import GatewayKey

__all__ = ["ALL", "KeyRecord", "KeyRepo"]

ALL = "*"  # every scope / every connection


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One inbound key, without its secret."""

    id: str
    name: str
    prefix: str
    scopes: frozenset[str]
    read_only: bool
    connection_ids: frozenset[str]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def unrestricted(self) -> bool:
        """A key whose ceiling is every scope (it may call operations the table does not know)."""
        return ALL in self.scopes and not self.read_only

    def allows_connection(self, connection_id: str) -> bool:
        return ALL in self.connection_ids or connection_id in self.connection_ids

    def status(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _record(row: GatewayKey) -> KeyRecord:
    return KeyRecord(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=frozenset(row.scopes.split()),
        read_only=row.read_only,
        connection_ids=frozenset(row.connection_ids or ()),
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _check_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 128 or not name.isprintable():
        raise InvalidInput("a key needs a printable name of 1-128 characters")
    return name


class KeyRepo:
    """Creates, finds, lists and revokes inbound keys in the caller's session."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def create(
        self,
        *,
        name: str,
        key_hash: str,
        prefix: str,
        scopes: Iterable[str],
        read_only: bool,
        connection_ids: Iterable[str],
        created_by: str,
        expires_at: datetime | None = None,
    ) -> KeyRecord:
        scope_set = sorted(set(scopes))
        if not scope_set:
            raise InvalidInput("a key needs a scope ceiling (at least one scope, or '*')")
        conns = sorted(set(connection_ids))
        if not conns:
            raise InvalidInput("a key needs at least one connection (or '*')")
        now = self._clock()
        if expires_at is not None and expires_at <= now:
            raise InvalidInput("a key's expiry must be in the future")
        row = GatewayKey(
            name=_check_name(name),
            key_hash=key_hash,
            prefix=prefix,
            scopes=" ".join(scope_set),
            read_only=read_only,
            connection_ids=conns,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
        self._session.add(row)
        self._session.flush()
        return _record(row)

    def by_hash(self, key_hash: str) -> KeyRecord | None:
        row = self._session.scalars(select(GatewayKey).where(GatewayKey.key_hash == key_hash)).first()
        return _record(row) if row is not None else None

    def get(self, key_id: str) -> KeyRecord:
        row = self._session.get(GatewayKey, key_id)
        if row is None:
            raise NotFound("no such key")
        return _record(row)

    def find(self, ref: str) -> KeyRecord:
        """A key by id, or by name when exactly one key has it."""
        row = self._session.get(GatewayKey, ref)
        if row is None:
            rows = list(self._session.scalars(select(GatewayKey).where(GatewayKey.name == ref)))
            if len(rows) > 1:
                raise InvalidInput(f"{len(rows)} keys are named {ref!r}; use the key id")
            row = rows[0] if rows else None
        if row is None:
            raise NotFound("no such key")
        return _record(row)

    def list(self) -> list[KeyRecord]:
        rows = self._session.scalars(select(GatewayKey).order_by(GatewayKey.created_at, GatewayKey.id))
        return [_record(row) for row in rows]

    def revoke(self, key_id: str) -> KeyRecord:
        row = self._session.get(GatewayKey, key_id)
        if row is None:
            raise NotFound("no such key")
        if row.revoked_at is None:
            row.revoked_at = self._clock()
            self._session.flush()
        return _record(row)

    def touch(self, used: dict[str, datetime]) -> None:
        """Record last-used times (batched by the gateway, off the request path)."""
        for key_id, at in used.items():
            row = self._session.get(GatewayKey, key_id)
            if row is not None and (row.last_used_at is None or row.last_used_at < at):
                row.last_used_at = at
        self._session.flush()
