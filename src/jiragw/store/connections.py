"""Connections: one grant x one Jira site, under a unique name.

See docs/architecture.md, "Authentication methods".

The name is a path segment of the proxy (``/jira/{name}/...``), so it is
restricted to a URL-safe slug. Nothing here is secret; the credential lives on
the grant. Where that credential is sent is sealed, though
(:mod:`jiragw.store.destinations`): :meth:`ConnectionRepo.get_verified` is the
read to use before sending it, and every write of an address re-seals it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiragw.errors import Conflict, InvalidInput, NotFound
from jiragw.store.destinations import Sealer, check_seal, connection_destination, seal_destination
from jiragw.store.grants import join_scopes
from jiragw.store.models import Connection, Flavor, Grant, new_id

__all__ = ["NAME_PATTERN", "ConnectionRecord", "ConnectionRepo", "check_name"]

NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MAX_ERROR: Final = 2000
_TABLE: Final = "connections"


def check_name(name: str) -> str:
    """``name`` if it is a valid connection name, else :class:`InvalidInput`."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or name in {".", ".."}:
        raise InvalidInput(
            "a connection name is 1-64 characters: letters, digits, '.', '_' or '-', starting with "
            "a letter or digit"
        )
    return name


@dataclass(frozen=True, slots=True)
class ConnectionRecord:
    """A connection as callers see it."""

    id: str
    name: str
    grant_id: str
    flavor: Flavor
    site_url: str
    api_base_url: str
    site_name: str | None
    cloud_id: str | None
    scopes: tuple[str, ...]
    account_id: str | None
    account_email: str | None
    account_name: str | None
    last_used_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _record(row: Connection) -> ConnectionRecord:
    return ConnectionRecord(
        id=row.id,
        name=row.name,
        grant_id=row.grant_id,
        flavor=row.flavor,
        site_url=row.site_url,
        api_base_url=row.api_base_url,
        site_name=row.site_name,
        cloud_id=row.cloud_id,
        scopes=tuple(row.scopes.split()),
        account_id=row.account_id,
        account_email=row.account_email,
        account_name=row.account_name,
        last_used_at=row.last_used_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ConnectionRepo:
    """Reads and writes connections in the caller's session."""

    def __init__(self, session: Session, keys: Sealer, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._keys = keys
        self._clock = clock

    def _destination(self, row: Connection) -> bytes:
        return connection_destination(row.grant_id, row.site_url, row.api_base_url, row.cloud_id)

    def _seal(self, row: Connection) -> None:
        row.destination_enc = seal_destination(self._keys, _TABLE, row.id, self._destination(row))

    def _row(self, connection_id: str) -> Connection:
        row = self._session.get(Connection, connection_id)
        if row is None:
            raise NotFound(f"connection {connection_id} does not exist")
        return row

    def create(
        self,
        *,
        name: str,
        grant_id: str,
        flavor: Flavor,
        site_url: str,
        api_base_url: str,
        site_name: str | None = None,
        cloud_id: str | None = None,
        scopes: Iterable[str] = (),
        account_id: str | None = None,
        account_email: str | None = None,
        account_name: str | None = None,
    ) -> ConnectionRecord:
        """Insert a connection; Conflict if the name is taken, NotFound if the grant is not there."""
        check_name(name)
        if self._session.get(Grant, grant_id) is None:
            raise NotFound(f"grant {grant_id} does not exist")
        if self._session.scalar(select(Connection.id).where(Connection.name == name)) is not None:
            raise Conflict(f"a connection named {name!r} already exists")
        now = self._clock()
        row = Connection(
            id=new_id(),
            name=name,
            grant_id=grant_id,
            flavor=Flavor(flavor),
            site_url=site_url,
            api_base_url=api_base_url,
            site_name=site_name,
            cloud_id=cloud_id,
            scopes=join_scopes(scopes),
            account_id=account_id,
            account_email=account_email,
            account_name=account_name,
            created_at=now,
            updated_at=now,
        )
        self._seal(row)
        try:
            # A savepoint, so losing a race on the unique name leaves the caller's transaction usable.
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError as exc:
            raise Conflict(f"a connection named {name!r} already exists") from exc
        return _record(row)

    def get(self, connection_id: str) -> ConnectionRecord:
        """The connection with this id."""
        return _record(self._row(connection_id))

    def get_by_name(self, name: str) -> ConnectionRecord:
        """The connection with this name; NotFound otherwise."""
        row = self._session.scalar(select(Connection).where(Connection.name == name))
        if row is None:
            raise NotFound(f"no connection named {name!r}")
        return _record(row)

    def get_verified(self, name: str) -> ConnectionRecord:
        """The connection with this name, its addresses checked against their seal.

        The read to use before its credential is sent anywhere:
        :class:`~jiragw.errors.DestinationChanged` (or ``DecryptionFailed``) when
        the site or API address, grant or cloud id was changed outside jiragw.
        """
        row = self._session.scalar(select(Connection).where(Connection.name == name))
        if row is None:
            raise NotFound(f"no connection named {name!r}")
        what = f"connection {name!r}"
        check_seal(self._keys, _TABLE, row.id, self._destination(row), row.destination_enc, what=what)
        return _record(row)

    def list(self, *, grant_id: str | None = None) -> list[ConnectionRecord]:
        """Every connection (of one grant, if given), by name."""
        query = select(Connection).order_by(Connection.name)
        if grant_id is not None:
            query = query.where(Connection.grant_id == grant_id)
        return [_record(row) for row in self._session.scalars(query)]

    def mark_used(self, connection_id: str) -> None:
        """Stamp ``last_used_at`` and clear the last error (a call went through)."""
        row = self._row(connection_id)
        row.last_used_at = self._clock()
        row.last_error = None
        row.last_error_at = None
        self._session.flush()

    def touch(self, used: dict[str, datetime]) -> None:
        """Record last-used times in bulk (the gateway batches them off the request path)."""
        for connection_id, at in used.items():
            row = self._session.get(Connection, connection_id)
            if row is not None and (row.last_used_at is None or row.last_used_at < at):
                row.last_used_at = at
        self._session.flush()

    def record_error(self, connection_id: str, message: str) -> None:
        """Remember the last failure (the message must already be free of secrets)."""
        row = self._row(connection_id)
        row.last_error = message[:_MAX_ERROR]
        row.last_error_at = self._clock()
        self._session.flush()

    def rename(self, connection_id: str, name: str) -> ConnectionRecord:
        """Give the connection a new unique name."""
        check_name(name)
        row = self._row(connection_id)
        if row.name == name:
            return _record(row)
        if self._session.scalar(select(Connection.id).where(Connection.name == name)) is not None:
            raise Conflict(f"a connection named {name!r} already exists")
        try:
            with self._session.begin_nested():
                row.name = name
                row.updated_at = self._clock()
        except IntegrityError as exc:
            raise Conflict(f"a connection named {name!r} already exists") from exc
        return _record(row)

    def move(self, connection_id: str, *, site_url: str, api_base_url: str) -> ConnectionRecord:
        """Point the connection at a new address of the same site (its id, name and keys stay)."""
        row = self._row(connection_id)
        row.site_url = site_url
        row.api_base_url = api_base_url
        self._seal(row)
        row.updated_at = self._clock()
        self._session.flush()
        return _record(row)

    def delete(self, connection_id: str) -> None:
        """Remove the connection (its grant stays; the broker removes an unused grant)."""
        self._session.delete(self._row(connection_id))
        self._session.flush()
