"""The management API's request and response bodies (pydantic), the source of its OpenAPI document.

Connections, keys and audit under ``/api/v1``. Nothing here holds a secret
except :class:`KeyCreated`, the one response that carries a new key's
plaintext, once. Strings that reach the database are constrained (no control
characters, bounded length) so hostile input is a 400, never a database error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from jiragw.broker import ConnectionView
from jiragw.keys import PRESETS, key_json
from jiragw.store import KeyRecord
from jiragw.store.audit import AuditRecord

__all__ = [
    "AuditEventOut",
    "AuditPage",
    "ConnectionName",
    "ConnectionOut",
    "ConnectionTest",
    "ErrorBody",
    "ErrorDetail",
    "KeyCreate",
    "KeyCreated",
    "KeyOut",
    "PresetOut",
    "Text",
    "WhoAmI",
]

# Mirrors jiragw.store.connections.NAME_PATTERN, plus "*" (every connection) where a key binds.
CONNECTION_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
ConnectionName = Annotated[str, Field(pattern=CONNECTION_NAME, examples=["acme"])]
ConnectionRef = Annotated[str, Field(pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$", examples=["*"])]
# Free text that is compared with stored values: no control characters (PostgreSQL refuses NUL).
TEXT = r"^[^\x00-\x1f\x7f]+$"
Text = Annotated[str, Field(min_length=1, max_length=255, pattern=TEXT)]
ScopeName = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
PresetName = Literal["read-only", "read-write-work", "full", "admin"]
assert set(PresetName.__args__) == set(PRESETS)  # type: ignore[attr-defined]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Model):
    code: str = Field(description="Stable machine-readable code (see jiragw.errors).")
    message: str
    details: dict[str, Any] | None = None


class ErrorBody(_Model):
    error: ErrorDetail


class ConnectionOut(_Model):
    name: str
    method: str
    flavor: str
    site_url: str
    api_base_url: str
    cloud_id: str | None
    status: str = Field(description="active, refreshing, reauth_required or revoked.")
    status_reason: str | None
    status_changed_at: datetime | None
    scopes: list[str]
    access_expires_at: datetime | None
    account: str | None
    last_used_at: datetime | None
    last_error: str | None
    reauthorize_by: datetime | None
    lifetime_warning: bool
    allow_insecure_http: bool = Field(
        default=False, description="The operator allowed plain HTTP to a remote host for this connection."
    )
    insecure_warning: str | None = Field(
        default=None, description="Set when credentials travel to Jira unencrypted (plain HTTP allowed)."
    )

    @classmethod
    def of(cls, view: ConnectionView) -> ConnectionOut:
        return cls.model_validate(view.to_json())


class ConnectionTest(_Model):
    name: str
    ok: bool
    display_name: str | None = None
    account_id: str | None = None
    user: str | None = None
    error: ErrorDetail | None = Field(
        default=None, description="Why the test failed (the connection's own error)."
    )


class KeyOut(_Model):
    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it; never the key.")
    status: Literal["active", "expired", "revoked"]
    read_only: bool
    scopes: list[str]
    connections: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, record: KeyRecord, now: datetime, names: dict[str, str]) -> KeyOut:
        return cls.model_validate(key_json(record, now, names))


class KeyCreated(KeyOut):
    key: str = Field(description="The new key. Shown in this response only; it cannot be read again.")


class KeyCreate(_Model):
    name: str = Field(min_length=1, max_length=128, pattern=TEXT)
    connections: list[ConnectionRef] = Field(min_length=1, max_length=100, description="Names, or ['*'].")
    preset: PresetName | None = Field(default=None, description="A ready-made ceiling; or give scopes.")
    scopes: list[ScopeName] | None = Field(default=None, max_length=500, description="A custom ceiling.")
    read_only: bool | None = None
    expires_at: AwareDatetime | None = None
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class PresetOut(_Model):
    name: str
    label: str
    read_only: bool
    scopes: list[str]


class AuditEventOut(_Model):
    id: int
    at: datetime
    actor: str
    action: str
    outcome: str
    connection_id: str | None
    grant_id: str | None
    target: str | None
    status_code: int | None
    key_id: str | None
    method: str | None
    latency_ms: int | None
    bytes_out: int | None
    error_code: str | None
    detail: dict[str, Any] | None

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEventOut:
        return cls.model_validate(record.to_json())


class AuditPage(_Model):
    events: list[AuditEventOut] = Field(description="Oldest first, or newest first with order=newest.")
    next_after_id: int | None = Field(
        description="With order=oldest, the after_id of the next page; null at the end and with newest."
    )
    next_before_id: int | None = Field(
        description="With order=newest, the before_id of the next page; null at the end and with oldest."
    )


class WhoAmI(_Model):
    key: KeyOut
    admin: bool = Field(description="Whether this key may call the rest of the management API.")
