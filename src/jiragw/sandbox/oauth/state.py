"""Everything the emulated OAuth servers remember, kept on the :class:`Sandbox`.

:func:`oauth_state` returns the sandbox's :class:`OAuthState`, creating it on
first use with the demo clients derived from the sandbox seed (so a sandbox
loaded from a saved file gets the same demo clients back). Tokens, codes and
consents live in memory only and are never saved with the sandbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .apps import AppRegistry
from .scope_match import all_granular_scopes
from .tokens import TokenStore

if TYPE_CHECKING:
    from ..state.sandbox import Sandbox

__all__ = [
    "CONSENT_LIFETIME",
    "AccessToken1",
    "OAuth1Store",
    "OAuthState",
    "PendingConsent",
    "RequestToken",
    "oauth_state",
]

CONSENT_LIFETIME = 600.0


@dataclass(slots=True)
class PendingConsent:
    """An authorize request waiting for the user's decision, keyed by a one-time form nonce."""

    server: Literal["cloud", "dc", "oauth1"]
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    state: str | None
    expires_at: float
    dc: str | None = None
    challenge: str | None = None


@dataclass(slots=True)
class RequestToken:
    consumer_key: str
    dc: str
    callback: str
    expires_at: float
    verifier_digest: str | None = None
    account_id: str | None = None
    denied: bool = False


@dataclass(slots=True)
class AccessToken1:
    consumer_key: str
    dc: str
    account_id: str
    expires_at: float


@dataclass
class OAuth1Store:
    """OAuth 1.0a request and access tokens by digest, and the nonces seen (RFC 5849 §3.3)."""

    request_tokens: dict[str, RequestToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken1] = field(default_factory=dict)
    nonces: set[tuple[str, str, str, str]] = field(default_factory=set)


@dataclass
class OAuthState:
    apps: AppRegistry = field(default_factory=AppRegistry)
    cloud: TokenStore = field(default_factory=lambda: TokenStore("sbx"))
    dc: TokenStore = field(default_factory=lambda: TokenStore("dco"))
    oauth1: OAuth1Store = field(default_factory=OAuth1Store)
    consents: dict[str, PendingConsent] = field(default_factory=dict)
    # DevOps data by (cloud id, "builds"|"deployments", key tuple as string).
    devops: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def access_token_ttl(self) -> float:
        return self.cloud.access_ttl

    def set_access_token_ttl(self, seconds: float) -> None:
        if not 1 <= seconds <= 86400 * 30:
            raise ValueError("access_token_ttl must be between 1 second and 30 days")
        self.cloud.access_ttl = seconds
        self.dc.access_ttl = seconds

    def new_consent(self, consent: PendingConsent) -> str:
        nonce = secrets.token_urlsafe(24)
        self.consents[nonce] = consent
        return nonce

    def take_consent(self, nonce: str, now: float) -> PendingConsent | None:
        """The pending consent for ``nonce``, removed (single use); None when unknown or stale."""
        consent = self.consents.pop(nonce, None)
        for key in [k for k, c in self.consents.items() if c.expires_at <= now]:
            del self.consents[key]
        if consent is None or consent.expires_at <= now:
            return None
        return consent


def oauth_state(sandbox: Sandbox) -> OAuthState:
    """The sandbox's OAuth state (created with the seed's demo clients on first use)."""
    state = sandbox.oauth
    if state is None:
        state = OAuthState()
        state.apps.preregister(
            sandbox.seed, sorted(sandbox.dcs), all_granular_scopes(), credential_seed=sandbox.credential_seed
        )
        sandbox.oauth = state
    return state
