"""Authorization codes, access tokens and rotating refresh-token families.

Implements RFC 6749 §4.1.2 (codes: single use, short-lived, bound to the
client and redirect URI; a replayed code revokes what it issued, §10.5),
§5.1 (token responses) and §6 (refresh), with RFC 7636 §4.6 (PKCE S256
check) and Atlassian's documented rotating refresh tokens
("Implementing the Refresh Token Flow"): every refresh answers a new refresh
token and disables the one sent; a disabled token used again within the
reuse leeway is tolerated; used after it, the whole family (grant) is
revoked; a family dies after 90 days without a refresh and 365 days after
consent. Times are sandbox-clock seconds passed in by the caller; tokens are
kept only as SHA-256 digests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from .apps import digest

__all__ = [
    "ABSOLUTE_LIFETIME",
    "CODE_LIFETIME",
    "INACTIVITY_LIMIT",
    "REUSE_LEEWAY",
    "AccessGrant",
    "Grant",
    "InvalidGrant",
    "Issued",
    "TokenStore",
]

CODE_LIFETIME = 600.0
REUSE_LEEWAY = 600.0
INACTIVITY_LIMIT = 90 * 86400.0
ABSOLUTE_LIFETIME = 365 * 86400.0
OFFLINE_ACCESS = "offline_access"


class InvalidGrant(Exception):
    """A code or refresh token that cannot be exchanged (``description`` is safe to show)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(slots=True)
class Grant:
    """One consent: a token family. Access and refresh tokens belong to it."""

    id: str
    client_id: str
    account_id: str | None  # None for client-credentials tokens
    resources: tuple[str, ...]  # cloud ids (Cloud) or the DC instance name
    scopes: frozenset[str]
    created_at: float
    last_refresh_at: float
    refreshable: bool
    revoked: bool = False
    revoked_reason: str = ""

    def alive(self, now: float) -> bool:
        return not self.revoked and now < self.created_at + ABSOLUTE_LIFETIME


@dataclass(slots=True)
class Issued:
    """A token response (RFC 6749 §5.1); the tokens are plaintext exactly once, here."""

    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None

    def body(self) -> dict[str, object]:
        out: dict[str, object] = {
            "access_token": self.access_token,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
            "scope": self.scope,
        }
        if self.refresh_token is not None:
            out["refresh_token"] = self.refresh_token
        return out


@dataclass(slots=True)
class AccessGrant:
    """What a presented access token resolves to."""

    grant: Grant
    expired: bool


@dataclass(slots=True)
class _Code:
    client_id: str
    redirect_uri: str
    account_id: str
    resources: tuple[str, ...]
    scopes: frozenset[str]
    expires_at: float
    challenge: str | None
    used_by: str | None = None  # the grant it was exchanged for


@dataclass(slots=True)
class _Access:
    grant_id: str
    expires_at: float


@dataclass(slots=True)
class _Refresh:
    grant_id: str
    superseded_at: float | None = None


@dataclass
class TokenStore:
    """All codes, grants and tokens of one authorization server."""

    prefix: str  # token prefix, e.g. "sbx" (Cloud) or "dco" (DC): tells PATs from OAuth tokens
    access_ttl: float = 3600.0
    grants: dict[str, Grant] = field(default_factory=dict)
    _codes: dict[str, _Code] = field(default_factory=dict)
    _access: dict[str, _Access] = field(default_factory=dict)
    _refresh: dict[str, _Refresh] = field(default_factory=dict)

    # -- codes (RFC 6749 §4.1.2) ------------------------------------------
    def issue_code(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        account_id: str,
        resources: tuple[str, ...],
        scopes: frozenset[str],
        now: float,
        challenge: str | None = None,
    ) -> str:
        code = f"{self.prefix}_ac_" + secrets.token_urlsafe(32)
        self._codes[digest(code)] = _Code(
            client_id, redirect_uri, account_id, resources, scopes, now + CODE_LIFETIME, challenge
        )
        return code

    def redeem_code(
        self, code: str, *, client_id: str, redirect_uri: str, now: float, verifier: str | None = None
    ) -> Issued:
        entry = self._codes.get(digest(code))
        if entry is None or not hmac.compare_digest(entry.client_id, client_id):
            raise InvalidGrant("Invalid authorization code")
        if entry.used_by is not None:
            # RFC 6749 §4.1.2: a replayed code should revoke the tokens it issued.
            self.revoke(entry.used_by, "authorization code replayed")
            raise InvalidGrant("Invalid authorization code")
        if now >= entry.expires_at:
            raise InvalidGrant("Authorization code has expired")
        if entry.redirect_uri != redirect_uri:
            raise InvalidGrant("redirect_uri does not match the authorization request")
        if entry.challenge is not None and not _pkce_ok(entry.challenge, verifier):
            raise InvalidGrant("PKCE verification failed")
        grant = self._new_grant(
            client_id, entry.account_id, entry.resources, entry.scopes, now, OFFLINE_ACCESS in entry.scopes
        )
        entry.used_by = grant.id
        return self._issue(grant, now, with_refresh=grant.refreshable)

    # -- client credentials (RFC 6749 §4.4) -----------------------------
    def issue_client_credentials(
        self, *, client_id: str, resources: tuple[str, ...], scopes: frozenset[str], now: float
    ) -> Issued:
        grant = self._new_grant(client_id, None, resources, scopes, now, refreshable=False)
        return self._issue(grant, now, with_refresh=False)

    # -- refresh (RFC 6749 §6, Atlassian's rotation) ---------------------
    def refresh(self, refresh_token: str, *, client_id: str, now: float) -> Issued:
        unknown = "Unknown or invalid refresh token."
        entry = self._refresh.get(digest(refresh_token))
        if entry is None:
            raise InvalidGrant(unknown)
        grant = self.grants[entry.grant_id]
        if not hmac.compare_digest(grant.client_id, client_id) or not grant.alive(now):
            raise InvalidGrant(unknown)
        if now >= grant.last_refresh_at + INACTIVITY_LIMIT:
            self.revoke(grant.id, "inactive for 90 days")
            raise InvalidGrant(unknown)
        if entry.superseded_at is not None and now > entry.superseded_at + REUSE_LEEWAY:
            self.revoke(grant.id, "a rotated refresh token was reused after the leeway")
            raise InvalidGrant(unknown)
        # Rotate: every refresh token of the family still current is superseded now, so exactly
        # one stays current and a token reused inside the leeway starts a fresh leeway for the rest.
        for other in self._refresh.values():
            if other.grant_id == grant.id and other.superseded_at is None:
                other.superseded_at = now
        grant.last_refresh_at = now
        return self._issue(grant, now, with_refresh=True)

    # -- access tokens ----------------------------------------------------
    def access(self, token: str, now: float) -> AccessGrant | None:
        """The grant behind ``token`` (``None`` when unknown or revoked)."""
        entry = self._access.get(digest(token))
        if entry is None:
            return None
        grant = self.grants[entry.grant_id]
        if grant.revoked:
            return None
        return AccessGrant(grant, expired=now >= entry.expires_at or not grant.alive(now))

    def revoke(self, grant_id: str, reason: str) -> None:
        grant = self.grants.get(grant_id)
        if grant is not None and not grant.revoked:
            grant.revoked = True
            grant.revoked_reason = reason

    # -- internals ----------------------------------------------------------
    def _new_grant(
        self,
        client_id: str,
        account_id: str | None,
        resources: tuple[str, ...],
        scopes: frozenset[str],
        now: float,
        refreshable: bool,
    ) -> Grant:
        grant = Grant(secrets.token_hex(8), client_id, account_id, resources, scopes, now, now, refreshable)
        self.grants[grant.id] = grant
        return grant

    def _issue(self, grant: Grant, now: float, *, with_refresh: bool) -> Issued:
        access = f"{self.prefix}_at_" + secrets.token_urlsafe(32)
        self._access[digest(access)] = _Access(grant.id, now + self.access_ttl)
        refresh = None
        if with_refresh:
            refresh = f"{self.prefix}_rt_" + secrets.token_urlsafe(32)
            self._refresh[digest(refresh)] = _Refresh(grant.id)
        ttl = max(int(self.access_ttl), 1)
        return Issued(access, ttl, " ".join(sorted(grant.scopes)), refresh)


def _pkce_ok(challenge: str, verifier: str | None) -> bool:
    """RFC 7636 §4.6 with S256: BASE64URL(SHA256(verifier)) == challenge."""
    if not verifier or not 43 <= len(verifier) <= 128:
        return False
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
    return hmac.compare_digest(computed.rstrip(b"=").decode(), challenge)
