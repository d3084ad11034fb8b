"""Credential lifecycle: connect flows for the seven Atlassian methods, and credentials kept alive.

docs/architecture.md, layer ``broker/``, and "Authentication methods". Start from
:class:`Broker` (a :class:`~jiragw.store.Store` plus an injected
``httpx.AsyncClient``): the ``connect_*`` / ``start_*`` / ``finish_*`` flows
create grants and connections, :meth:`Broker.credentials_for` says what to put
on a request, its :class:`CredentialSession` (``Broker.session``) caches that
for every door and carries the 401 rule (:class:`SessionAuth`),
:meth:`Broker.request` sends one call through it, and
:func:`jiragw.broker.loopback.wait_for_callback` is the CLI's one-shot
callback listener.
"""

from __future__ import annotations

from jiragw.broker.broker import DEFAULT_LOCK_TIMEOUT, Broker
from jiragw.broker.connect_client_credentials import connect_client_credentials
from jiragw.broker.connect_oauth1 import finish_oauth1, finish_oauth1_oob, start_oauth1
from jiragw.broker.connect_oauth2 import (
    PendingAuthorization,
    finish_authorization,
    start_dc_oauth,
    start_oauth,
)
from jiragw.broker.connect_static import connect_api_token, connect_basic, connect_pat, reconnect_static
from jiragw.broker.connected import Connected, check_destinations
from jiragw.broker.credentials import Credentials, OAuth1Signer
from jiragw.broker.manage import (
    ConnectionView,
    list_connections,
    remove_connection,
    revoke_connection,
    show_connection,
)
from jiragw.broker.retry import RetryPolicy
from jiragw.broker.session import CredentialSession, SessionAuth

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "Broker",
    "Connected",
    "ConnectionView",
    "CredentialSession",
    "Credentials",
    "OAuth1Signer",
    "PendingAuthorization",
    "RetryPolicy",
    "SessionAuth",
    "check_destinations",
    "connect_api_token",
    "connect_basic",
    "connect_client_credentials",
    "connect_pat",
    "finish_authorization",
    "finish_oauth1",
    "finish_oauth1_oob",
    "list_connections",
    "reconnect_static",
    "remove_connection",
    "revoke_connection",
    "show_connection",
    "start_dc_oauth",
    "start_oauth",
    "start_oauth1",
]
