"""Grants: one consent or credential and its lifecycle, with secrets sealed by the vault.

See docs/architecture.md, "Authentication methods".

Callers hand in and get back :class:`~jiragw.secrets.Secret` values; the
ciphertext and its AAD never leave this module. A grant's secrets are opened
only after its addresses (``auth_url``, ``api_url``: where its tokens and
client secret are sent) match their seal (:mod:`jiragw.store.destinations`);
every write of an address re-seals them. Writes that race with the
refresh path take an ``expected_version`` and fail with
:class:`~jiragw.errors.Conflict` when the row moved on (optimistic concurrency
on the ORM-managed ``version`` column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from jiragw.errors import Conflict, NotFound
from jiragw.secrets import Secret
from jiragw.store.destinations import check_seal, grant_destination, seal_destination
from jiragw.store.models import Connection, Grant, GrantMethod, GrantStatus, new_id
from jiragw.store.secret_columns import SECRET_COLUMNS, GrantSecretField, SecretCodec, column_for

__all__ = ["GrantRecord", "GrantRepo"]

_TABLE = "grants"


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """A grant as callers see it: secrets decrypted into ``Secret`` values."""

    id: str
    method: GrantMethod
    status: GrantStatus
    version: int
    auth_url: str | None = None
    api_url: str | None = None
    client_id: str | None = None
    login: str | None = None
    client_secret: Secret | None = None
    access_token: Secret | None = None
    refresh_token: Secret | None = None
    static_secret: Secret | None = None
    oauth1_private_key: Secret | None = None
    oauth1_token_secret: Secret | None = None
    token_type: str | None = None
    scopes: tuple[str, ...] = ()
    access_expires_at: datetime | None = None
    refresh_family_started_at: datetime | None = None
    refreshed_at: datetime | None = None
    cooldown_until: datetime | None = None
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    created_at: datetime | None = field(default=None, compare=False)
    updated_at: datetime | None = field(default=None, compare=False)


def join_scopes(scopes: Iterable[str]) -> str:
    """Space-separated, de-duplicated, order kept (RFC 6749 §3.3 scope syntax)."""
    out: list[str] = []
    for scope in scopes:
        if not scope or any(c.isspace() for c in scope):
            raise ValueError("a scope is a non-empty token without spaces")
        if scope not in out:
            out.append(scope)
    return " ".join(out)


class GrantRepo:
    """Reads and writes grants in the caller's session (the caller owns the transaction)."""

    def __init__(self, session: Session, codec: SecretCodec, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._codec = codec
        self._clock = clock

    def _record(self, row: Grant) -> GrantRecord:
        destination = grant_destination(row.auth_url, row.api_url)
        check_seal(
            self._codec.keyring,
            _TABLE,
            row.id,
            destination,
            row.destination_enc,
            what=lambda: self._what(row.id),
        )
        secrets = {
            f: self._codec.open(_TABLE, row.id, f, getattr(row, column_for(f)))
            for f in SECRET_COLUMNS[_TABLE]
        }
        return GrantRecord(
            id=row.id,
            method=row.method,
            status=row.status,
            version=row.version,
            auth_url=row.auth_url,
            api_url=row.api_url,
            client_id=row.client_id,
            login=row.login,
            token_type=row.token_type,
            scopes=tuple(row.scopes.split()),
            access_expires_at=row.access_expires_at,
            refresh_family_started_at=row.refresh_family_started_at,
            refreshed_at=row.refreshed_at,
            cooldown_until=row.cooldown_until,
            status_reason=row.status_reason,
            status_changed_at=row.status_changed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            **secrets,
        )

    def _seal(self, row: Grant, values: Mapping[GrantSecretField, Secret | None]) -> None:
        for name, value in values.items():
            if name not in SECRET_COLUMNS[_TABLE]:
                raise ValueError(f"{name!r} is not a secret field of grants")
            setattr(row, column_for(name), self._codec.seal(_TABLE, row.id, name, value))

    def _what(self, grant_id: str) -> str:
        """The grant as an operator knows it: by the connections that use it."""
        names = self._session.scalars(
            select(Connection.name).where(Connection.grant_id == grant_id).order_by(Connection.name)
        ).all()
        if not names:
            return "a grant no connection uses"
        return "the credential of connection " + ", ".join(repr(n) for n in names)

    def _seal_destination(self, row: Grant) -> None:
        destination = grant_destination(row.auth_url, row.api_url)
        row.destination_enc = seal_destination(self._codec.keyring, _TABLE, row.id, destination)

    def _row(self, grant_id: str, *, lock: bool = False, expected_version: int | None = None) -> Grant:
        row = self._session.get(Grant, grant_id, with_for_update=lock or None, populate_existing=lock)
        if row is None:
            raise NotFound(f"grant {grant_id} does not exist")
        if expected_version is not None and row.version != expected_version:
            raise Conflict(
                f"grant {grant_id} changed (version {row.version}, expected {expected_version})",
                details={"grant_id": grant_id, "version": row.version},
            )
        return row

    def _flush(self, row: Grant) -> GrantRecord:
        row.updated_at = self._clock()
        try:
            self._session.flush()
        except StaleDataError as exc:
            raise Conflict(
                f"grant {row.id} was changed by someone else", details={"grant_id": row.id}
            ) from exc
        return self._record(row)

    def create(
        self,
        method: GrantMethod,
        *,
        secrets: Mapping[GrantSecretField, Secret | None] | None = None,
        auth_url: str | None = None,
        api_url: str | None = None,
        client_id: str | None = None,
        login: str | None = None,
        token_type: str | None = None,
        scopes: Iterable[str] = (),
        access_expires_at: datetime | None = None,
        refresh_family_started_at: datetime | None = None,
    ) -> GrantRecord:
        """Insert a new active grant; secrets are sealed under its fresh id."""
        now = self._clock()
        row = Grant(
            id=new_id(),
            method=GrantMethod(method),
            auth_url=auth_url,
            api_url=api_url,
            client_id=client_id,
            login=login,
            token_type=token_type,
            scopes=join_scopes(scopes),
            access_expires_at=access_expires_at,
            refresh_family_started_at=refresh_family_started_at,
            status=GrantStatus.ACTIVE,
            status_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        self._seal(row, secrets or {})
        self._seal_destination(row)
        self._session.add(row)
        return self._flush(row)

    def get(self, grant_id: str, *, lock: bool = False) -> GrantRecord:
        """The grant, re-read from the database; ``lock`` takes ``SELECT ... FOR UPDATE`` on PostgreSQL."""
        return self._record(self._row(grant_id, lock=lock))

    def list(self) -> list[GrantRecord]:
        """Every grant, oldest first."""
        rows = self._session.scalars(select(Grant).order_by(Grant.created_at, Grant.id))
        return [self._record(row) for row in rows]

    def set_secrets(
        self,
        grant_id: str,
        values: Mapping[GrantSecretField, Secret | None],
        *,
        expected_version: int | None = None,
    ) -> GrantRecord:
        """Replace (or clear, with ``None``) some secret fields."""
        row = self._row(grant_id, expected_version=expected_version)
        self._seal(row, values)
        return self._flush(row)

    def set_api_url(self, grant_id: str, api_url: str) -> GrantRecord:
        """Record the new address the grant's credential is used at (a moved site)."""
        row = self._row(grant_id)
        row.api_url = api_url
        self._seal_destination(row)
        return self._flush(row)

    def store_tokens(
        self,
        grant_id: str,
        *,
        access_token: Secret,
        expires_at: datetime | None,
        refresh_token: Secret | None = None,
        token_type: str | None = "Bearer",  # noqa: S107 - the OAuth token type, not a secret
        scopes: Iterable[str] | None = None,
        new_family: bool = False,
        expected_version: int | None = None,
    ) -> GrantRecord:
        """Record a token response: new access token, rotated refresh token (kept if absent), active.

        ``new_family`` marks a fresh consent (code exchange), restarting the
        365-day absolute refresh-token lifetime; a refresh keeps the family start.
        """
        now = self._clock()
        row = self._row(grant_id, expected_version=expected_version)
        values: dict[GrantSecretField, Secret | None] = {"access_token": access_token}
        if refresh_token is not None:
            values["refresh_token"] = refresh_token
        self._seal(row, values)
        row.token_type = token_type
        row.access_expires_at = expires_at
        row.refreshed_at = now
        row.cooldown_until = None
        if scopes is not None:
            row.scopes = join_scopes(scopes)
        if new_family or row.refresh_family_started_at is None:
            row.refresh_family_started_at = now
        if row.status is not GrantStatus.ACTIVE:
            row.status, row.status_reason, row.status_changed_at = GrantStatus.ACTIVE, None, now
        return self._flush(row)

    def set_status(
        self,
        grant_id: str,
        status: GrantStatus,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> GrantRecord:
        """Move the grant to ``status`` with a reason (no secrets in it); records the time of change."""
        row = self._row(grant_id, expected_version=expected_version)
        row.status = GrantStatus(status)
        row.status_reason = reason
        row.status_changed_at = self._clock()
        return self._flush(row)

    def set_cooldown(self, grant_id: str, until: datetime | None) -> GrantRecord:
        """No refresh attempt before ``until`` (``None`` lifts the cooldown)."""
        row = self._row(grant_id)
        row.cooldown_until = until
        return self._flush(row)

    def delete(self, grant_id: str) -> None:
        """Delete the grant; Conflict while connections still use it."""
        row = self._row(grant_id)
        used = self._session.scalar(select(Connection.id).where(Connection.grant_id == grant_id).limit(1))
        if used is not None:
            raise Conflict(f"grant {grant_id} is still used by connections; remove them first")
        self._session.delete(row)
        self._session.flush()
