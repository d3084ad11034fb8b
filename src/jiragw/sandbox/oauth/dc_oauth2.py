"""Jira Data Center as OAuth 2.0 provider: authorization code with PKCE, refresh, bearer tokens.

Implements RFC 6749 §4.1 and §6 with RFC 7636 (PKCE; ``S256`` only, the
verifier checked at the token endpoint) at the endpoints of Atlassian's
"Jira Data Center OAuth 2.0 provider API": ``/rest/oauth2/latest/authorize``
(consent page, redirect with ``code``/``state`` or ``error=access_denied``)
and ``/rest/oauth2/latest/token`` (form body, RFC 6749 §5.2 errors with
status 400). Access tokens are accepted as ``Bearer`` on the instance's REST
API through :attr:`AuthHooks.dc_bearer <jiragw.sandbox.http.auth.AuthHooks>`; they carry their own prefix,
so a personal access token is never mistaken for one. DC scopes: ``READ``
allows reading only; ``WRITE``, ``ADMIN`` and ``SYSTEM_ADMIN`` allow writing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..http.auth import AuthResult
from ..http.errors import JiraHttpError
from ..state.model import Instance
from .apps import DC_SCOPES, AppKind, OAuthApp
from .authorize import demo_consenters, form_fields, redirect_with
from .errors import NO_STORE, OAuthHttpError, oauth_error
from .pages import ConsentPage, error_page
from .plumbing import Call, json_reply, oauth_route, read_params
from .state import CONSENT_LIFETIME, PendingConsent, oauth_state
from .token_endpoint import authenticate_client, exchange

if TYPE_CHECKING:
    from ..state.sandbox import Sandbox

__all__ = ["dc_bearer", "dc_oauth2_routes"]

_DC_KIND: tuple[AppKind, ...] = ("dc",)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_SCOPES = frozenset({"WRITE", "ADMIN", "SYSTEM_ADMIN"})


def _instance(call: Call) -> Instance:
    instance = call.sandbox.dcs.get(call.request.path_params["dc"])
    if instance is None:
        raise OAuthHttpError(404, {"errorMessages": ["Not found."], "errors": {}})
    return instance


def _app_for(call: Call, client_id: str, dc: str) -> OAuthApp | None:
    app = call.oauth.apps.get(client_id)
    return app if app is not None and app.kind == "dc" and app.dc == dc else None


async def _authorize(call: Call) -> Response:
    instance = _instance(call)
    q = call.request.query_params
    app = _app_for(call, q.get("client_id", ""), instance.name)
    if app is None:
        return error_page("Invalid client", "The client_id is not registered on this Jira instance.")
    call.credential = f"client:{app.client_id[:64]}"
    redirect_uri = q.get("redirect_uri", "")
    if redirect_uri not in app.callback_urls:
        return error_page("Invalid redirect", "The redirect_uri is not the one registered for this client.")
    extra = {"state": q["state"]} if "state" in q else {}
    if q.get("response_type") != "code":
        return redirect_with(redirect_uri, {"error": "unsupported_response_type", **extra})
    challenge = q.get("code_challenge")
    if challenge is not None and (
        q.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128
    ):
        return redirect_with(
            redirect_uri,
            {"error": "invalid_request", "error_description": "code_challenge_method must be S256", **extra},
        )
    scopes = tuple(dict.fromkeys(q.get("scope", "READ").split()))
    if not scopes or not set(scopes) <= (app.scopes & set(DC_SCOPES)):
        return redirect_with(redirect_uri, {"error": "invalid_scope", **extra})
    nonce = call.oauth.new_consent(
        PendingConsent(
            "dc",
            app.client_id,
            redirect_uri,
            frozenset(scopes),
            q.get("state"),
            call.now + CONSENT_LIFETIME,
            dc=instance.name,
            challenge=challenge,
        )
    )
    return ConsentPage(
        action=f"/dc/{instance.name}/rest/oauth2/latest/authorize",
        server_name=f"Jira ({instance.name})",
        app_name=app.name,
        scopes=scopes,
        users=demo_consenters(call, list(instance.users.values())),
        nonce=nonce,
    ).render()


async def _decision(call: Call) -> Response:
    instance = _instance(call)
    form = await form_fields(call)
    pending = call.oauth.take_consent((form.get("nonce") or [""])[0], call.now)
    if pending is None or pending.server != "dc" or pending.dc != instance.name:
        return error_page(
            "Something went wrong", "This authorization request has expired or was already used."
        )
    call.credential = f"client:{pending.client_id[:64]}"
    extra = {"state": pending.state} if pending.state is not None else {}
    user = instance.users.get((form.get("user") or [""])[0])
    if (form.get("decision") or [""])[0] != "allow" or user is None or not user.active:
        return redirect_with(pending.redirect_uri, {"error": "access_denied", **extra})
    call.credential = user.username
    code = call.oauth.dc.issue_code(
        client_id=pending.client_id,
        redirect_uri=pending.redirect_uri,
        account_id=user.account_id,
        resources=(instance.name,),
        # A DC token can always be refreshed: the provider has no offline_access scope.
        scopes=pending.scopes | {"offline_access"},
        now=call.now,
        challenge=pending.challenge,
    )
    return redirect_with(pending.redirect_uri, {"code": code, **extra})


async def _token(call: Call) -> Response:
    instance = _instance(call)
    params = await read_params(call.request)
    grant_type = params.get("grant_type", "")
    call.operation = (
        f"token:{grant_type}" if grant_type in ("authorization_code", "refresh_token") else "token"
    )
    if grant_type not in ("authorization_code", "refresh_token"):
        raise oauth_error(400, "unsupported_grant_type", "The grant type is not supported.")
    app = authenticate_client(call, params, _DC_KIND)
    if app.dc != instance.name:
        raise oauth_error(401, "invalid_client", "Client authentication failed.")
    issued = exchange(call, app, params, call.oauth.dc, resources=(instance.name,), invalid_grant_status=400)
    body = issued.body()
    body["scope"] = " ".join(s for s in str(body["scope"]).split() if s != "offline_access")
    return json_reply(body, headers=NO_STORE)


def dc_bearer(sandbox: Sandbox, instance: Instance, request: Request, token: str) -> AuthResult | None:
    """A DC request with ``Bearer <OAuth 2.0 access token>``; None when the value is no such token."""
    store = oauth_state(sandbox).dc
    if not token.startswith(f"{store.prefix}_at_"):
        return None
    found = store.access(token, sandbox.clock.time())
    headers = {"WWW-Authenticate": 'Bearer realm="protected-area", error="invalid_token"'}
    if found is None or found.expired or instance.name not in found.grant.resources:
        return AuthResult(
            None,
            "oauth2:rejected",
            scheme="oauth2",
            error=JiraHttpError(401, ["The access token is invalid or expired."], headers=headers),
        )
    user = instance.users.get(found.grant.account_id or "")
    if user is None or not user.active:
        return AuthResult(
            None,
            "oauth2:rejected",
            scheme="oauth2",
            error=JiraHttpError(401, ["User is inactive."], headers=headers),
        )
    label = f"oauth2:{user.username}"
    if request.method not in _READ_METHODS and not (found.grant.scopes & _WRITE_SCOPES):
        error = JiraHttpError(403, ["The access token's scope does not allow this request."])
        return AuthResult(user, label, scheme="oauth2", scopes=found.grant.scopes, error=error)
    return AuthResult(user, label, scheme="oauth2", scopes=found.grant.scopes)


def dc_oauth2_routes() -> list[Route]:
    base = "/dc/{dc}/rest/oauth2/latest"

    def label(request: Request) -> str:
        return f"dc/{request.path_params['dc']}"

    return [
        oauth_route(
            f"{base}/authorize", _authorize, methods=["GET"], instance=label, operation="oauth2.authorize"
        ),
        oauth_route(
            f"{base}/authorize",
            _decision,
            methods=["POST"],
            instance=label,
            operation="oauth2.authorize.decision",
        ),
        oauth_route(f"{base}/token", _token, methods=["POST"], instance=label, operation="oauth2.token"),
    ]
