"""The broker as the SDK's :class:`~jiragw.jira.transport.CredentialProvider`.

A thin adapter over the broker's :class:`~jiragw.broker.session.CredentialSession`,
which every door shares: the connection's credential comes from its cache
(so a burst of calls does not read the store once per request, and a
revocation made elsewhere is seen within seconds); after a 401 the transport
asks with ``force_refresh=True`` and the credential Jira refused is handed to
:meth:`~jiragw.broker.session.CredentialSession.renewed`, so the broker renews
it once.
"""

from __future__ import annotations

from collections.abc import Mapping

from jiragw.broker import Broker, Credentials
from jiragw.broker.session import CredentialSession
from jiragw.errors import InvalidInput

__all__ = ["BrokerCredentials"]


class BrokerCredentials:
    """Auth headers for the connection named ``connection``, from ``broker``'s credential session."""

    def __init__(self, broker: Broker, connection: str) -> None:
        self.broker = broker
        self.connection = connection
        self._session = CredentialSession.of(broker)
        self._last: Credentials | None = None

    async def headers(self, force_refresh: bool = False) -> Mapping[str, str]:
        if force_refresh and self._last is not None:
            creds = await self._session.renewed(self._last, self.connection)
        else:
            creds = await self._session.credentials(self.connection)
        self._last = creds
        if creds.authorization is None:
            # OAuth 1.0a signs method and URL, which this header-only protocol does not carry.
            raise InvalidInput(
                f"connection {self.connection!r} signs each request (OAuth 1.0a); use Broker.request",
                details={"connection": self.connection},
            )
        return {"Authorization": creds.authorization.reveal()}

    def __repr__(self) -> str:
        return f"BrokerCredentials({self.connection!r})"
