"""Declarative models (SQLAlchemy 2, typed ``Mapped[...]``) for the credential broker.

The schema serves issue 3: a **grant** is one consent and its token pair (the
refresh lock and token rows belong to it), a **connection** is one grant x one
Jira site, an **OAuth state** is one pending authorization (RFC 6749 §10.12
CSRF protection: stored hashed, single use, bound to its initiator, with a TTL),
and **audit events** record what went through the doors.

Secret columns end in ``_enc`` and hold vault envelopes (never plaintext); they
are listed in :data:`jiragw.store.secret_columns.SECRET_COLUMNS` and only the
repositories read or write them. Row ids are client-generated UUIDs so the AAD
``table:row_id:column`` is known before the row is inserted.

Every schema change ships as an Alembic migration in ``store/migrations``;
``tests/store/test_migrations.py`` checks that models and migrations agree.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from jiragw.store.types import UTCDateTime, utcnow

__all__ = [
    "AdminToken",
    "AuditEvent",
    "Base",
    "Connection",
    "Flavor",
    "GatewayKey",
    "Grant",
    "GrantMethod",
    "GrantStatus",
    "OAuthState",
    "VaultCanary",
    "new_id",
]

# Named constraints make migrations reproducible on both backends (and let
# SQLite batch migrations find them again).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

URL_LENGTH = 2048


def new_id() -> str:
    """A fresh row id (UUID4 text)."""
    return str(uuid.uuid4())


class GrantMethod(enum.StrEnum):
    """The seven Atlassian auth methods (DESIGN.md, "Auth methods")."""

    API_TOKEN = "api_token"  # noqa: S105 - a method name, not a password
    BASIC = "basic"
    PAT = "pat"
    OAUTH2_3LO = "oauth2_3lo"
    CLIENT_CREDENTIALS = "client_credentials"
    OAUTH1 = "oauth1"
    DC_OAUTH2 = "dc_oauth2"


class GrantStatus(enum.StrEnum):
    """Lifecycle of a grant (issue 3, "Connection states")."""

    ACTIVE = "active"
    REFRESHING = "refreshing"
    REAUTH_REQUIRED = "reauth_required"
    REVOKED = "revoked"


class Flavor(enum.StrEnum):
    """Jira Cloud or Jira Server/Data Center."""

    CLOUD = "cloud"
    DC = "dc"


def _enum(cls: type[enum.StrEnum], name: str) -> SAEnum:
    # VARCHAR + CHECK rather than a native PG enum: adding a value later is a
    # plain constraint swap on both backends.
    return SAEnum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Grant(Base):
    """One consent / credential: static secret or token pair, plus its lifecycle."""

    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    method: Mapped[GrantMethod] = mapped_column(_enum(GrantMethod, "grant_method"))
    # Where tokens come from (auth.atlassian.com, a DC base) and where the API is.
    auth_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    api_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    # OAuth client id, or the OAuth 1.0a consumer key.
    client_id: Mapped[str | None] = mapped_column(String(255))
    # Login half of a static credential: the email (API token) or username (basic).
    login: Mapped[str | None] = mapped_column(String(255))
    client_secret_enc: Mapped[str | None] = mapped_column(Text)
    # OAuth 2.0 access token, or the OAuth 1.0a access token (oauth_token).
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    # API token, basic password or PAT.
    static_secret_enc: Mapped[str | None] = mapped_column(Text)
    oauth1_private_key_enc: Mapped[str | None] = mapped_column(Text)
    oauth1_token_secret_enc: Mapped[str | None] = mapped_column(Text)
    # The vault's seal over auth_url and api_url (jiragw.store.destinations).
    destination_enc: Mapped[str | None] = mapped_column(Text)
    token_type: Mapped[str | None] = mapped_column(String(32))
    # Granted scopes, space-separated as in OAuth (RFC 6749 §3.3).
    scopes: Mapped[str] = mapped_column(Text, default="")
    # When the access token (or a PAT with an expiry) stops working.
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Start of the rotating refresh-token family: Atlassian's 365-day absolute limit.
    refresh_family_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # After repeated 5xx/network failures: no refresh attempt before this time.
    cooldown_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[GrantStatus] = mapped_column(
        _enum(GrantStatus, "grant_status"), default=GrantStatus.ACTIVE
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic concurrency: bumped by the ORM on every update.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class Connection(Base):
    """One grant x one Jira site, under a unique name (``/jira/{name}``)."""

    __tablename__ = "connections"
    __table_args__ = (Index(None, "grant_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id", ondelete="RESTRICT"))
    flavor: Mapped[Flavor] = mapped_column(_enum(Flavor, "flavor"))
    site_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    site_name: Mapped[str | None] = mapped_column(String(255))
    cloud_id: Mapped[str | None] = mapped_column(String(64))
    # Base of REST calls: the site, a DC base, or api.atlassian.com/ex/jira/{cloudId}.
    api_base_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    # The vault's seal over grant_id, site_url, api_base_url and cloud_id (jiragw.store.destinations).
    destination_enc: Mapped[str | None] = mapped_column(Text)
    # Per-site scopes from accessible-resources, space-separated.
    scopes: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[str | None] = mapped_column(String(128))
    account_email: Mapped[str | None] = mapped_column(String(320))
    account_name: Mapped[str | None] = mapped_column(String(255))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OAuthState(Base):
    """One pending authorization; the state value itself is never stored, only its SHA-256."""

    __tablename__ = "oauth_states"
    __table_args__ = (Index(None, "expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[GrantMethod] = mapped_column(_enum(GrantMethod, "oauth_state_kind"))
    # SHA-256 of whatever binds the flow to who started it (session, CLI listener nonce).
    initiator_hash: Mapped[str] = mapped_column(String(64))
    # Set when re-authorizing an existing grant.
    grant_id: Mapped[str | None] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    redirect_to: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    scopes: Mapped[str] = mapped_column(Text, default="")
    pkce_verifier_enc: Mapped[str | None] = mapped_column(Text)
    request_token_enc: Mapped[str | None] = mapped_column(Text)
    request_token_secret_enc: Mapped[str | None] = mapped_column(Text)
    # Non-secret flow parameters (connection name, site, client id, ...).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VaultCanary(Base):
    """One sealed value written at first start; ``/readyz`` opens it to prove the keyring can."""

    __tablename__ = "vault_canary"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    value_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """One audited action. No foreign keys: the trail outlives what it mentions."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "at"), Index(None, "connection_id", "at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    connection_id: Mapped[str | None] = mapped_column(String(36))
    grant_id: Mapped[str | None] = mapped_column(String(36))
    target: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    outcome: Mapped[str] = mapped_column(String(32))
    status_code: Mapped[int | None] = mapped_column(Integer)
    # No detail is SQL NULL, not a JSON ``null`` (saves encoding one per proxied call).
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Gateway calls (proxy, MCP): which inbound key, what, how long, how big, which error code.
    key_id: Mapped[str | None] = mapped_column(String(36))
    method: Mapped[str | None] = mapped_column(String(16))
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    bytes_out: Mapped[int | None] = mapped_column(BigInteger)
    error_code: Mapped[str | None] = mapped_column(String(64))


class GatewayKey(Base):
    """An inbound gateway key (``jgw_...``): only its SHA-256 is stored, never the key."""

    __tablename__ = "gateway_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(128))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the key, for recognising it in lists (not enough to use it).
    prefix: Mapped[str] = mapped_column(String(16))
    # Scope ceiling, space-separated; "*" is unrestricted.
    scopes: Mapped[str] = mapped_column(Text, default="")
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Connection ids the key may use; ["*"] means every connection.
    connection_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdminToken(Base):
    """A one-time admin login link or an admin session; stored as SHA-256 only."""

    __tablename__ = "admin_tokens"
    __table_args__ = (Index(None, "expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # "login" | "session"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    principal: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
