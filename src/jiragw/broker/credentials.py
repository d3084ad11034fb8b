"""What to put on a request for a connection: the answer of ``Broker.credentials_for``.

One shape for every method (DESIGN.md, "Auth methods", column "request
carries"): a ready ``Authorization`` value (Basic for API tokens and passwords,
Bearer for PATs and OAuth 2.0 access tokens), or an OAuth 1.0a signer that
signs each request with RSA-SHA1 (RFC 5849 §3.4.3, through
:func:`jiragw.auth.oauth1.sign_request`). The secret parts are
:class:`~jiragw.secrets.Secret`, so a ``repr`` of a credential shows masks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from jiragw.auth import oauth1
from jiragw.auth.http import header
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, GrantMethod

__all__ = ["REFRESHABLE", "Credentials", "OAuth1Signer"]

# Methods whose access token the broker can renew on its own (a 401 is worth one forced renewal).
REFRESHABLE = frozenset({GrantMethod.OAUTH2_3LO, GrantMethod.DC_OAUTH2, GrantMethod.CLIENT_CREDENTIALS})


@dataclass(frozen=True, slots=True)
class OAuth1Signer:
    """Consumer key, private key and access token of an OAuth 1.0a application link."""

    consumer_key: str
    private_key: Secret
    access_token: Secret

    def authorization(
        self, method: str, url: str, *, now: datetime, headers: Mapping[str, str], body: bytes | None
    ) -> Secret:
        signed = oauth1.sign_request(
            method,
            url,
            consumer_key=self.consumer_key,
            private_key=self.private_key,
            access_token=self.access_token,
            now=now,
            headers=headers,
            body=body,
        )
        return Secret(header(signed.headers, "Authorization") or "")


@dataclass(frozen=True, slots=True)
class Credentials:
    """A connection's usable credential, as of ``issued_for`` (the grant version it came from)."""

    connection: ConnectionRecord
    method: GrantMethod
    grant_version: int
    authorization: Secret | None = None
    signer: OAuth1Signer | None = None
    access_token: Secret | None = None
    expires_at: datetime | None = None
    issued_at: datetime | None = None  # when the access token was issued (its lifetime: until expires_at)

    @property
    def base_url(self) -> str:
        """Where REST calls for this connection go (site, DC base or ``/ex/jira/{cloudId}``)."""
        return self.connection.api_base_url

    @property
    def refreshable(self) -> bool:
        """Whether a 401 may be answered by one forced renewal of the access token."""
        return self.method in REFRESHABLE

    def headers(
        self,
        method: str,
        url: str,
        *,
        now: datetime,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> dict[str, str]:
        """``headers`` plus ``Authorization`` for this request (the wire form reveals the secret)."""
        out = dict(headers or {})
        if self.signer is not None:
            value = self.signer.authorization(method, url, now=now, headers=out, body=body)
        elif self.authorization is not None:
            value = self.authorization
        else:  # pragma: no cover - every constructor sets one of the two
            raise AssertionError("a credential without authorization")
        out["Authorization"] = value.reveal()
        return out
