"""Atlassian OAuth 2.0 client credentials (2LO) for the DevOps Builds and Deployments APIs.

Implements RFC 6749 §4.4 (client credentials grant) as Atlassian's "Integrating
with Jira Software Cloud" guide for OAuth credentials specifies it: a JSON
``POST {api_url}/oauth/token`` with ``audience=api.atlassian.com``; the token
is cached until ``expires_in`` (no refresh token, RFC 6749 §4.4.3); the site's
``cloudId`` comes from ``GET {site}/_edge/tenant_info``; builds and deployments
are sent to ``{api_url}/jira/{builds,deployments}/0.1/cloud/{cloudId}/bulk``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from jiragw.auth.http import HttpRequest, base_url, json_request, parse_json_body
from jiragw.auth.tokens import TokenSet, parse_token_response
from jiragw.errors import InvalidInput, NotFound, UpstreamError
from jiragw.secrets import Secret

__all__ = [
    "AUDIENCE",
    "CACHE_MARGIN",
    "DevOpsKind",
    "TokenSet",
    "bulk_request",
    "bulk_url",
    "cache_valid",
    "parse_tenant_info",
    "parse_token_response",
    "tenant_info_request",
    "token_request",
]

AUDIENCE = "api.atlassian.com"
CACHE_MARGIN = timedelta(seconds=30)
DevOpsKind = Literal["builds", "deployments"]
# A cloudId is a UUID; anything else must not reach a URL path.
_CLOUD_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$")


def token_request(api_url: str, *, client_id: str, client_secret: Secret) -> HttpRequest:
    """``POST {api_url}/oauth/token`` with ``grant_type=client_credentials`` (JSON body)."""
    if not client_id:
        raise InvalidInput("client_id is required")
    payload = {
        "audience": AUDIENCE,
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret.reveal(),
    }
    return json_request(
        "POST", f"{base_url(api_url, what='the API URL')}/oauth/token", payload, secret_body=True
    )


def cache_valid(token: TokenSet, now: datetime, *, margin: timedelta = CACHE_MARGIN) -> bool:
    """True while a cached 2LO token may still be used (until ``expires_in`` less ``margin``)."""
    return token.valid_at(now, margin)


def tenant_info_request(site_url: str) -> HttpRequest:
    """``GET {site}/_edge/tenant_info`` (unauthenticated) to learn the site's cloudId."""
    url = f"{base_url(site_url, what='the site URL')}/_edge/tenant_info"
    return HttpRequest("GET", url, {"Accept": "application/json"})


def parse_tenant_info(status: int, headers: Mapping[str, str], body: bytes) -> str:
    """The ``cloudId`` from a ``tenant_info`` answer."""
    if status == 404:
        raise NotFound("the site has no tenant_info: is it a Jira Cloud site?")
    if status != 200:
        raise UpstreamError(f"tenant_info answered HTTP {status}", details={"status": status})
    data = parse_json_body(body, what="tenant_info", error=UpstreamError)
    cloud_id = data.get("cloudId") if isinstance(data, dict) else None
    if not isinstance(cloud_id, str) or not _CLOUD_ID.match(cloud_id):
        raise UpstreamError("tenant_info answered without a well-formed cloudId")
    return cloud_id


def bulk_url(api_url: str, cloud_id: str, kind: DevOpsKind) -> str:
    """``{api_url}/jira/{kind}/0.1/cloud/{cloudId}/bulk``."""
    if kind not in ("builds", "deployments"):
        raise InvalidInput("kind must be 'builds' or 'deployments'")
    if not _CLOUD_ID.match(cloud_id):
        raise InvalidInput("the cloudId is malformed")
    return f"{base_url(api_url, what='the API URL')}/jira/{kind}/0.1/cloud/{cloud_id}/bulk"


def bulk_request(
    api_url: str, cloud_id: str, kind: DevOpsKind, access_token: Secret, payload: Mapping[str, Any]
) -> HttpRequest:
    """``POST`` a builds or deployments bulk payload with the 2LO token."""
    headers = {"Authorization": f"Bearer {access_token.reveal()}"}
    return json_request(
        "POST", bulk_url(api_url, cloud_id, kind), payload, secret_body=False, headers=headers
    )
