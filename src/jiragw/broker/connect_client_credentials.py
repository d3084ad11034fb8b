"""Connect flow for OAuth 2.0 client credentials (2LO), the DevOps Builds/Deployments credential.

Implements RFC 6749 §4.4 as Atlassian's "OAuth credentials for Jira Software
Cloud" integration uses it: the site's ``cloudId`` from
``{site}/_edge/tenant_info``, a token from ``{api_url}/oauth/token`` with
``audience=api.atlassian.com``, cached on the grant until ``expires_in``
(renewed by the broker's single-flight path like any other access token).
"""

from __future__ import annotations

from jiragw.auth import client_credentials
from jiragw.auth.http import base_url
from jiragw.auth.tokens import parse_token_response
from jiragw.broker.broker import Broker
from jiragw.broker.connected import Connected, check_destinations, save_connections
from jiragw.broker.transport import send
from jiragw.secrets import Secret
from jiragw.store import Flavor, GrantMethod
from jiragw.store.connections import check_name

__all__ = ["connect_client_credentials"]


async def connect_client_credentials(
    broker: Broker,
    *,
    name: str,
    site_url: str,
    api_url: str,
    client_id: str,
    client_secret: Secret,
    allow_insecure_http: bool = False,
) -> Connected:
    """Learn the site's cloudId, fetch a first token (proving the credential), store both."""
    check_name(name)
    site = base_url(site_url, what="the site URL")
    api = base_url(api_url, what="the API URL")
    check_destinations({"the site URL": site, "the API URL": api}, allow_insecure_http=allow_insecure_http)
    reply = await send(broker.client, client_credentials.tenant_info_request(site))
    cloud_id = client_credentials.parse_tenant_info(reply.status, reply.headers, reply.body)
    request = client_credentials.token_request(api, client_id=client_id, client_secret=client_secret)
    reply = await send(broker.client, request, token_endpoint=True)
    tokens = parse_token_response(reply.status, reply.headers, reply.body, now=broker.now())
    return await save_connections(
        broker,
        GrantMethod.CLIENT_CREDENTIALS,
        secrets={"client_secret": client_secret, "access_token": tokens.access_token},
        grant={
            "api_url": api,
            "client_id": client_id,
            "token_type": tokens.token_type,
            "scopes": tokens.scopes,
        },
        connections=[
            {
                "name": name,
                "flavor": Flavor.CLOUD,
                "site_url": site,
                "api_base_url": api,
                "cloud_id": cloud_id,
                "scopes": tokens.scopes,
            }
        ],
        expires_at=tokens.expires_at,
        allow_insecure_http=allow_insecure_http,
    )
