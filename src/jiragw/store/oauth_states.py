"""Pending OAuth authorizations: ``state`` stored hashed, single use, initiator-bound, with a TTL.

Implements the state handling of RFC 6749 §10.12 (CSRF) and the OAuth 2.0
Security BCP (RFC 9700 §4.7): the state value is never stored, only its
SHA-256 (it carries >= 128 bits from a CSPRNG, so an unsalted hash is enough);
the flow is bound to whoever started it (the SHA-256 of a session or CLI
listener nonce, compared in constant time); consuming a state marks it used
in the same statement that checks it was unused, so two racing callbacks
cannot both succeed. A presentation from the wrong initiator or for the wrong
flow is refused without burning the state, so a forged callback cannot cancel
the legitimate user's flow; it cannot complete it either. The PKCE verifier
(RFC 7636) and the OAuth 1.0a request token and its secret are sealed by the vault like every other secret.

Failures raise the callback errors of :mod:`jiragw.errors` (``state_missing``,
``state_mismatch``, ``state_replayed``, ``state_expired``), all 4xx, before any
token-endpoint call.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from jiragw.errors import StateExpired, StateMismatch, StateMissing, StateReplayed
from jiragw.secrets import Secret
from jiragw.store.grants import join_scopes
from jiragw.store.models import GrantMethod, OAuthState, new_id
from jiragw.store.secret_columns import SECRET_COLUMNS, SecretCodec, column_for

__all__ = ["DEFAULT_STATE_TTL", "MIN_STATE_LENGTH", "OAuthStateRecord", "OAuthStateRepo", "hash_value"]

_TABLE = "oauth_states"
DEFAULT_STATE_TTL: Final = timedelta(minutes=10)
# 22 base64url characters carry 132 bits: shorter states are refused outright.
MIN_STATE_LENGTH: Final = 22


def hash_value(value: Secret | str) -> str:
    """Hex SHA-256 of a state or initiator value."""
    text = value.reveal() if isinstance(value, Secret) else value
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class OAuthStateRecord:
    """A consumed (or just created) pending authorization, secrets decrypted."""

    id: str
    kind: GrantMethod
    grant_id: str | None
    redirect_uri: str | None
    redirect_to: str | None
    scopes: tuple[str, ...]
    params: dict[str, Any] = field(compare=False)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    pkce_verifier: Secret | None = None
    request_token: Secret | None = None
    request_token_secret: Secret | None = None


class OAuthStateRepo:
    """Creates and consumes pending authorizations in the caller's session."""

    def __init__(self, session: Session, codec: SecretCodec, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._codec = codec
        self._clock = clock

    def _record(self, row: OAuthState) -> OAuthStateRecord:
        secrets = {
            f: self._codec.open(_TABLE, row.id, f, getattr(row, column_for(f)))
            for f in SECRET_COLUMNS[_TABLE]
        }
        return OAuthStateRecord(
            id=row.id,
            kind=row.kind,
            grant_id=row.grant_id,
            redirect_uri=row.redirect_uri,
            redirect_to=row.redirect_to,
            scopes=tuple(row.scopes.split()),
            params=dict(row.params),
            created_at=row.created_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
            **secrets,
        )

    def create(
        self,
        *,
        state: Secret,
        kind: GrantMethod,
        initiator: Secret | str,
        ttl: timedelta = DEFAULT_STATE_TTL,
        grant_id: str | None = None,
        redirect_uri: str | None = None,
        redirect_to: str | None = None,
        scopes: Iterable[str] = (),
        pkce_verifier: Secret | None = None,
        request_token: Secret | None = None,
        request_token_secret: Secret | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> OAuthStateRecord:
        """Store a pending authorization for ``state`` (which must be long and random)."""
        if len(state) < MIN_STATE_LENGTH:
            raise ValueError(f"a state must be at least {MIN_STATE_LENGTH} characters of CSPRNG output")
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        now = self._clock()
        row = OAuthState(
            id=new_id(),
            state_hash=hash_value(state),
            kind=GrantMethod(kind),
            initiator_hash=hash_value(initiator),
            grant_id=grant_id,
            redirect_uri=redirect_uri,
            redirect_to=redirect_to,
            scopes=join_scopes(scopes),
            params=dict(params or {}),
            created_at=now,
            expires_at=now + ttl,
        )
        sealed = {
            "pkce_verifier": pkce_verifier,
            "request_token": request_token,
            "request_token_secret": request_token_secret,
        }
        for name, value in sealed.items():
            setattr(row, column_for(name), self._codec.seal(_TABLE, row.id, name, value))
        self._session.add(row)
        self._session.flush()
        return self._record(row)

    def consume(
        self,
        state: Secret | None,
        *,
        initiator: Secret | str,
        kind: GrantMethod | None = None,
    ) -> OAuthStateRecord:
        """Check and burn ``state``: the pending authorization, or a callback error (4xx).

        The caller should commit right away, before the token call, so that a
        replay racing this callback finds the state used.
        """
        if state is None or not state:
            raise StateMissing("the callback carries no state")
        row = self._session.scalar(select(OAuthState).where(OAuthState.state_hash == hash_value(state)))
        if row is None:
            raise StateMismatch("the callback's state was not issued by this gateway")
        if row.used_at is not None:
            raise StateReplayed("the callback's state was already used")
        now = self._clock()
        if now >= row.expires_at:
            raise StateExpired("the authorization took too long; start again")
        if not hmac.compare_digest(row.initiator_hash, hash_value(initiator)):
            raise StateMismatch("the callback's state belongs to another session")
        if kind is not None and row.kind != kind:
            raise StateMismatch("the callback's state belongs to another kind of flow")
        burned = self._session.execute(
            update(OAuthState)
            .where(OAuthState.id == row.id, OAuthState.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(burned, "rowcount", 0) != 1:
            raise StateReplayed("the callback's state was already used")
        self._session.refresh(row)
        return self._record(row)

    def purge(self, *, used_older_than: timedelta = timedelta(days=1)) -> int:
        """Delete expired states and states used more than ``used_older_than`` ago; returns the count."""
        now = self._clock()
        result = self._session.execute(
            delete(OAuthState).where(
                or_(OAuthState.expires_at < now, OAuthState.used_at < now - used_older_than)
            )
        )
        return int(getattr(result, "rowcount", 0))
