"""Connect flows for static credentials: Cloud API token, Data Center Basic password and PAT.

Implements issue 3, "Client side", first item: the credential is checked with
``GET /rest/api/{3,2}/myself`` (Atlassian, "Basic auth for REST APIs" and
"Using Personal Access Tokens"; RFC 7617, RFC 6750 §2.1) before anything is
stored; Basic with a password is accepted with the discouraged notice.
"""

from __future__ import annotations

from datetime import datetime

from jiragw.auth import static
from jiragw.auth.http import base_url
from jiragw.broker.broker import Broker
from jiragw.broker.connected import Connected, save_connections
from jiragw.broker.transport import send
from jiragw.secrets import Secret
from jiragw.store import Flavor, GrantMethod
from jiragw.store.connections import check_name

__all__ = ["connect_api_token", "connect_basic", "connect_pat"]


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
) -> Connected:
    check_name(name)
    site = base_url(url, what="the site URL")
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
    )


async def connect_api_token(
    broker: Broker, *, name: str, site_url: str, email: str, token: Secret
) -> Connected:
    """Jira Cloud: ``Basic base64(email:token)``, checked against ``/rest/api/3/myself``."""
    auth = static.api_token(email, token)
    return await _connect(
        broker, GrantMethod.API_TOKEN, name=name, url=site_url, auth=auth, secret=token, login=email
    )


async def connect_basic(
    broker: Broker, *, name: str, dc_url: str, username: str, password: Secret
) -> Connected:
    """Data Center with a password: works, and says it is discouraged (``Connected.notice``)."""
    auth = static.basic_password(username, password)
    return await _connect(
        broker, GrantMethod.BASIC, name=name, url=dc_url, auth=auth, secret=password, login=username
    )


async def connect_pat(
    broker: Broker, *, name: str, dc_url: str, pat: Secret, expires_at: datetime | None = None
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
    )
