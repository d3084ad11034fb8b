"""Connect flows for static credentials: Cloud API token, Data Center Basic password and PAT.

The credential is checked with ``GET /rest/api/{3,2}/myself`` (Atlassian,
"Basic auth for REST APIs" and "Using Personal Access Tokens"; RFC 7617,
RFC 6750 §2.1) before anything is stored; Basic with a password is accepted
with the discouraged notice. :func:`reconnect_static` gives an existing
connection a new address or secret, checked the same way, keeping its id (so
the gateway keys bound to it keep working). See docs/architecture.md, "Auth
methods".
"""

from __future__ import annotations

from datetime import datetime

from jiragw.auth import static
from jiragw.auth.http import base_url
from jiragw.broker.broker import Broker
from jiragw.broker.connected import Connected, check_destinations, save_connections
from jiragw.broker.status import check_transition
from jiragw.broker.transport import send
from jiragw.errors import InvalidInput
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, Flavor, GrantMethod, GrantRecord, GrantStatus, Tx
from jiragw.store.connections import check_name

__all__ = ["connect_api_token", "connect_basic", "connect_pat", "reconnect_static"]


async def _myself(broker: Broker, site: str, auth: static.StaticAuth) -> static.Identity:
    reply = await send(broker.client, static.myself_request(site, auth))
    return static.parse_myself(reply.status, reply.headers, reply.body)


async def _connect(
    broker: Broker,
    method: GrantMethod,
    *,
    name: str,
    url: str,
    auth: static.StaticAuth,
    secret: Secret,
    login: str | None,
    expires_at: datetime | None = None,
    allow_insecure_http: bool = False,
) -> Connected:
    check_name(name)
    site = base_url(url, what="the site URL")
    check_destinations({"the site URL": site}, allow_insecure_http=allow_insecure_http)
    identity = await _myself(broker, site, auth)
    flavor = Flavor.CLOUD if auth.flavor is static.Flavor.CLOUD else Flavor.DC
    return await save_connections(
        broker,
        method,
        secrets={"static_secret": secret},
        grant={"api_url": site, "login": login},
        connections=[
            {
                "name": name,
                "flavor": flavor,
                "site_url": site,
                "api_base_url": site,
                "account_id": identity.account_id,
                "account_email": identity.email,
                "account_name": identity.name or identity.display_name,
            }
        ],
        identity=identity,
        notice=auth.notice.message if auth.notice else None,
        expires_at=expires_at,
        allow_insecure_http=allow_insecure_http,
    )


async def connect_api_token(
    broker: Broker,
    *,
    name: str,
    site_url: str,
    email: str,
    token: Secret,
    allow_insecure_http: bool = False,
) -> Connected:
    """Jira Cloud: ``Basic base64(email:token)``, checked against ``/rest/api/3/myself``."""
    auth = static.api_token(email, token)
    return await _connect(
        broker,
        GrantMethod.API_TOKEN,
        name=name,
        url=site_url,
        auth=auth,
        secret=token,
        login=email,
        allow_insecure_http=allow_insecure_http,
    )


async def connect_basic(
    broker: Broker,
    *,
    name: str,
    dc_url: str,
    username: str,
    password: Secret,
    allow_insecure_http: bool = False,
) -> Connected:
    """Data Center with a password: works, and says it is discouraged (``Connected.notice``)."""
    auth = static.basic_password(username, password)
    return await _connect(
        broker,
        GrantMethod.BASIC,
        name=name,
        url=dc_url,
        auth=auth,
        secret=password,
        login=username,
        allow_insecure_http=allow_insecure_http,
    )


async def connect_pat(
    broker: Broker,
    *,
    name: str,
    dc_url: str,
    pat: Secret,
    expires_at: datetime | None = None,
    allow_insecure_http: bool = False,
) -> Connected:
    """Data Center personal access token (``Bearer``), with its optional expiry."""
    auth = static.personal_access_token(pat, expires_at=expires_at)
    return await _connect(
        broker,
        GrantMethod.PAT,
        name=name,
        url=dc_url,
        auth=auth,
        secret=pat,
        login=None,
        expires_at=expires_at,
        allow_insecure_http=allow_insecure_http,
    )


def _static_auth(grant: GrantRecord, secret: Secret) -> static.StaticAuth:
    if grant.method is GrantMethod.API_TOKEN:
        return static.api_token(grant.login or "", secret)
    if grant.method is GrantMethod.BASIC:
        return static.basic_password(grant.login or "", secret)
    if grant.method is GrantMethod.PAT:
        return static.personal_access_token(secret, expires_at=grant.access_expires_at)
    raise InvalidInput(
        f"only an API token, Basic or PAT connection can be reconnected this way, not {grant.method.value}"
    )


async def reconnect_static(
    broker: Broker, *, name: str, url: str, secret: Secret, allow_insecure_http: bool = False
) -> Connected:
    """Point the static-credential connection ``name`` at ``url`` with ``secret`` (its login stays).

    Checked with ``myself`` before anything changes, like a new connection; the
    connection keeps its id and name, so keys bound to it keep working. For a
    site that moved (a sandbox restarted on another port) or a rotated token.
    The HTTPS rule applies as to a new connection, and ``allow_insecure_http``
    replaces the stored permission.
    """

    def read(tx: Tx) -> tuple[ConnectionRecord, GrantRecord]:
        conn = tx.connections.get_by_name(name)
        return conn, tx.grants.get(conn.grant_id)

    conn, grant = await broker.store.run(read)
    auth = _static_auth(grant, secret)
    site = base_url(url, what="the site URL")
    check_destinations({"the site URL": site}, allow_insecure_http=allow_insecure_http)
    identity = await _myself(broker, site, auth)

    def write(tx: Tx) -> Connected:
        current = tx.grants.get(grant.id)
        tx.grants.set_secrets(grant.id, {"static_secret": secret})
        tx.grants.set_api_url(grant.id, site)
        if current.status is not GrantStatus.ACTIVE:
            check_transition(current.status, GrantStatus.ACTIVE)
            tx.grants.set_status(grant.id, GrantStatus.ACTIVE, reason="reconnected")
        row = tx.connections.move(
            conn.id, site_url=site, api_base_url=site, allow_insecure_http=allow_insecure_http
        )
        tx.audit.append(
            "connection.update",
            actor=broker.actor,
            outcome="ok",
            connection_id=row.id,
            grant_id=grant.id,
            target=row.site_url,
            detail={"method": grant.method.value},
        )
        return Connected(grant.id, (row,), identity, auth.notice.message if auth.notice else None)

    return await broker.store.run(write, write=True)
