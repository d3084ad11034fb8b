"""Atlassian's token endpoint, ``POST /oauth/token``: code exchange, refresh, client credentials.

Implements RFC 6749 §3.2 (JSON or form body; Atlassian's guides send JSON),
§2.3.1 (client secret in the body or HTTP Basic), §4.1.3 (authorization code),
§4.4 (client credentials, Atlassian's 2LO for the DevOps APIs) and §6
(refresh, with the rotation rules of :mod:`.tokens`). Error statuses follow
Atlassian where it documents them: ``403 {"error": "invalid_grant",
"error_description": "Unknown or invalid refresh token."}`` for a dead refresh
token, ``401 invalid_client``, ``400 unsupported_grant_type``. Each call is
counted as operation ``token:{grant_type}`` with credential ``client:{client_id}``.
The Data Center provider (:mod:`.dc_oauth2`) reuses :func:`exchange`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection

from starlette.responses import Response
from starlette.routing import Route

from .apps import AppKind, OAuthApp
from .errors import NO_STORE, oauth_error
from .plumbing import Call, json_reply, oauth_route, read_params
from .tokens import InvalidGrant, Issued, TokenStore

__all__ = ["GRANT_TYPES", "authenticate_client", "exchange", "token_routes"]

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


def _basic_credentials(call: Call) -> tuple[str, str] | None:
    scheme, _, value = call.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, secret) if sep else None


def authenticate_client(call: Call, params: dict[str, str], kinds: Collection[AppKind]) -> OAuthApp:
    """The calling client (RFC 6749 §2.3.1), or ``401 invalid_client``."""
    basic = _basic_credentials(call)
    client_id, secret = basic if basic else (params.get("client_id", ""), params.get("client_secret", ""))
    app = call.oauth.apps.authenticate(client_id, secret) if client_id and secret else None
    call.credential = f"client:{client_id[:64]}" if app is not None else "client:unknown"
    if app is None or app.kind not in kinds:
        raise oauth_error(401, "invalid_client", "Client authentication failed.")
    return app


def exchange(
    call: Call,
    app: OAuthApp,
    params: dict[str, str],
    store: TokenStore,
    *,
    resources: tuple[str, ...],
    invalid_grant_status: int = 403,
) -> Issued:
    """Run the grant named by ``grant_type`` for an authenticated ``app``.

    ``invalid_grant`` answers 403 as Atlassian's auth server does; the DC provider
    passes RFC 6749 §5.2's 400.
    """
    grant_type = params.get("grant_type", "")
    try:
        if grant_type == "authorization_code":
            code, redirect_uri = params.get("code", ""), params.get("redirect_uri", "")
            if not code or not redirect_uri:
                raise oauth_error(400, "invalid_request", "code and redirect_uri are required.")
            return store.redeem_code(
                code,
                client_id=app.client_id,
                redirect_uri=redirect_uri,
                now=call.now,
                verifier=params.get("code_verifier"),
            )
        if grant_type == "refresh_token":
            refresh_token = params.get("refresh_token", "")
            if not refresh_token:
                raise oauth_error(400, "invalid_request", "refresh_token is required.")
            return store.refresh(refresh_token, client_id=app.client_id, now=call.now)
        if grant_type == "client_credentials":
            if app.kind != "2lo":
                raise oauth_error(400, "unauthorized_client", "The client cannot use this grant type.")
            return store.issue_client_credentials(
                client_id=app.client_id, resources=resources, scopes=app.scopes, now=call.now
            )
    except InvalidGrant as exc:
        raise oauth_error(invalid_grant_status, "invalid_grant", exc.description) from None
    raise oauth_error(400, "unsupported_grant_type", "The grant type is not supported.")


async def _token(call: Call) -> Response:
    params = await read_params(call.request)
    grant_type = params.get("grant_type", "")
    call.operation = f"token:{grant_type}" if grant_type in GRANT_TYPES else "token:unsupported"
    if grant_type not in GRANT_TYPES:
        raise oauth_error(400, "unsupported_grant_type", "The grant type is not supported.")
    app = authenticate_client(call, params, ("3lo", "2lo"))
    if (
        grant_type == "client_credentials"
        and params.get("audience", "api.atlassian.com") != "api.atlassian.com"
    ):
        raise oauth_error(403, "access_denied", "Unknown audience.")
    sites = tuple(inst.cloud_id for inst in call.sandbox.sites.values())
    issued = exchange(call, app, params, call.oauth.cloud, resources=sites)
    return json_reply(issued.body(), headers=NO_STORE)


def token_routes() -> list[Route]:
    return [oauth_route("/oauth/token", _token, methods=["POST"], instance="auth", operation="token")]
