"""The broker as the SDK's :class:`~jiragw.jira.transport.CredentialProvider`.

The connection's credential comes from :meth:`jiragw.broker.Broker.credentials_for`
(the broker renews OAuth 2.0 access tokens before they expire) and is kept
until it is within a minute of expiring, so a burst of calls does not read
the store once per request; after a 401 the transport asks with
``force_refresh=True`` and the credential Jira refused is handed back as
``stale``, so the broker renews it once (issue 3, "Refresh"; issue 4,
"Transport and policy").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from jiragw.broker import Broker, Credentials
from jiragw.errors import InvalidInput

__all__ = ["BrokerCredentials"]

_EXPIRY_MARGIN = timedelta(seconds=60)


class BrokerCredentials:
    """Auth headers for the connection named ``connection``, from ``broker``."""

    def __init__(self, broker: Broker, connection: str) -> None:
        self.broker = broker
        self.connection = connection
        self._last: Credentials | None = None

    async def headers(self, force_refresh: bool = False) -> Mapping[str, str]:
        creds = self._last
        if force_refresh or creds is None or self._expiring(creds):
            stale = creds if force_refresh else None
            creds = await self.broker.credentials_for(self.connection, stale=stale)
            self._last = creds
        if creds.authorization is None:
            # OAuth 1.0a signs method and URL, which this header-only protocol does not carry.
            raise InvalidInput(
                f"connection {self.connection!r} signs each request (OAuth 1.0a); use Broker.request",
                details={"connection": self.connection},
            )
        return {"Authorization": creds.authorization.reveal()}

    def _expiring(self, creds: Credentials) -> bool:
        return creds.expires_at is not None and self.broker.now() >= creds.expires_at - _EXPIRY_MARGIN

    def __repr__(self) -> str:
        return f"BrokerCredentials({self.connection!r})"
