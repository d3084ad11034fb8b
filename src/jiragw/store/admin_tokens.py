"""Admin UI credentials: one-time login links and sessions, stored as SHA-256 only.

A login link is single use: consuming it marks it used in the same UPDATE
that checks it was unused, so two racing clicks cannot both log in. A session
lives until it expires or the admin logs out. Token values carry >= 256 bits
from a CSPRNG (made by the gateway), so an unsalted hash is enough.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from jiragw.secrets import Secret
from jiragw.store.models import AdminToken

__all__ = ["AdminTokenRepo", "token_hash"]

Kind = Literal["login", "session"]


def token_hash(value: Secret | str) -> str:
    text = value.reveal() if isinstance(value, Secret) else value
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AdminTokenRepo:
    """Issues, consumes and checks admin login links and sessions in the caller's session."""

    def __init__(self, session: Session, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def issue(self, kind: Kind, value: Secret, *, principal: str, ttl: timedelta) -> None:
        now = self._clock()
        self._session.add(
            AdminToken(
                kind=kind,
                token_hash=token_hash(value),
                principal=principal,
                created_at=now,
                expires_at=now + ttl,
            )
        )
        self._session.flush()

    def consume_login(self, value: Secret) -> str | None:
        """The principal of an unused, unexpired login link, which is used up; else None."""
        now = self._clock()
        digest = token_hash(value)
        result = self._session.execute(
            update(AdminToken)
            .where(
                AdminToken.token_hash == digest,
                AdminToken.kind == "login",
                AdminToken.used_at.is_(None),
                AdminToken.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return None
        return self._session.scalars(
            select(AdminToken.principal).where(AdminToken.token_hash == digest)
        ).one()

    def session_principal(self, value: Secret) -> str | None:
        """Who an unexpired session belongs to, or None."""
        row = self._session.scalars(
            select(AdminToken).where(AdminToken.token_hash == token_hash(value), AdminToken.kind == "session")
        ).first()
        if row is None or row.expires_at <= self._clock():
            return None
        return row.principal

    def end_session(self, value: Secret) -> None:
        self._session.execute(delete(AdminToken).where(AdminToken.token_hash == token_hash(value)))

    def purge_expired(self) -> int:
        result = self._session.execute(delete(AdminToken).where(AdminToken.expires_at <= self._clock()))
        return int(getattr(result, "rowcount", 0) or 0)
