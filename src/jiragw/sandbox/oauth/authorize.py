"""Atlassian's ``/authorize``: the consent page and the redirect back with a code.

Implements RFC 6749 §4.1.1-§4.1.2 and §4.1.2.1 as Atlassian's "OAuth 2.0
(3LO) apps" guide describes the authorization URL (``audience=api.atlassian.com``,
``client_id``, ``scope``, ``redirect_uri``, ``state``, ``response_type=code``,
``prompt``). An unknown client or a ``redirect_uri`` that is not exactly one of
the app's callback URLs gets an error page and never a redirect (§4.1.2.1,
§10.6); other errors are redirected as ``error=...&state=...``. The consent
form posts back to ``/authorize`` with the demo user, the sites and the
decision, naming the pending request by a one-time nonce.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..state.model import User
from .pages import ConsentPage, error_page
from .plumbing import Call, oauth_route
from .state import CONSENT_LIFETIME, PendingConsent

__all__ = ["AUDIENCE", "authorize_routes", "demo_consenters", "form_fields", "redirect_with"]

AUDIENCE = "api.atlassian.com"
_MAX_FORM = 16 * 1024


def redirect_with(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    """A 302 to ``redirect_uri`` with ``params`` added to its query (RFC 6749 §4.1.2)."""
    sep = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + sep + urlencode(params), status_code=302)


async def form_fields(call: Call) -> dict[str, list[str]]:
    """A urlencoded form body as name -> values (repeated names kept in order)."""
    raw = await call.request.body()
    fields: dict[str, list[str]] = {}
    if len(raw) > _MAX_FORM:
        return fields
    for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    return fields


def demo_consenters(call: Call, users: list[User]) -> tuple[tuple[str, str], ...]:
    """The demo users who can consent: (account id, label), active ones only."""
    return tuple((u.account_id, f"{u.display_name} <{u.email}>") for u in users if u.active)


def _first_users(call: Call) -> list[User]:
    site = next(iter(call.sandbox.sites.values()), None)
    return list(site.users.values()) if site is not None else []


async def _authorize(call: Call) -> Response:
    q = call.request.query_params
    client_id = q.get("client_id", "")
    app = call.oauth.apps.get(client_id)
    call.credential = f"client:{client_id[:64]}" if app else "client:unknown"
    if app is None or app.kind != "3lo":
        return error_page("Something went wrong", "The app is not registered (unknown client_id).")
    redirect_uri = q.get("redirect_uri", "")
    if redirect_uri not in app.callback_urls:
        return error_page(
            "Something went wrong",
            "The redirect_uri does not match any callback URL registered for this app.",
        )
    state = q.get("state")
    extra = {"state": state} if state is not None else {}
    if q.get("response_type") != "code":
        return redirect_with(redirect_uri, {"error": "unsupported_response_type", **extra})
    if q.get("audience") != AUDIENCE:
        return redirect_with(
            redirect_uri, {"error": "invalid_request", "error_description": "audience is required", **extra}
        )
    scopes = tuple(dict.fromkeys(q.get("scope", "").split()))
    if not scopes or not set(scopes) <= app.scopes:
        return redirect_with(
            redirect_uri,
            {"error": "invalid_scope", "error_description": "scope is not configured for the app", **extra},
        )
    nonce = call.oauth.new_consent(
        PendingConsent(
            "cloud", client_id, redirect_uri, frozenset(scopes), state, call.now + CONSENT_LIFETIME
        )
    )
    sites = tuple(
        (inst.cloud_id, f"{name} ({call.root()}/sites/{name})") for name, inst in call.sandbox.sites.items()
    )
    return ConsentPage(
        action="/authorize",
        server_name="Atlassian",
        app_name=app.name,
        scopes=scopes,
        users=demo_consenters(call, _first_users(call)),
        nonce=nonce,
        sites=sites,
    ).render()


async def _consent(call: Call) -> Response:
    form = await form_fields(call)
    pending = call.oauth.take_consent((form.get("nonce") or [""])[0], call.now)
    if pending is None or pending.server != "cloud":
        return error_page(
            "Something went wrong", "This authorization request has expired or was already used."
        )
    call.credential = f"client:{pending.client_id[:64]}"
    extra = {"state": pending.state} if pending.state is not None else {}
    if (form.get("decision") or [""])[0] != "allow":
        return redirect_with(
            pending.redirect_uri,
            {"error": "access_denied", "error_description": "The user denied the request.", **extra},
        )
    account_id = (form.get("user") or [""])[0]
    user = next((u for u in _first_users(call) if u.account_id == account_id and u.active), None)
    known = {inst.cloud_id for inst in call.sandbox.sites.values()}
    picked = tuple(dict.fromkeys(s for s in form.get("site", []) if s in known))
    if user is None or not picked:
        return error_page("Something went wrong", "Choose a user and at least one site.")
    call.credential = user.email
    code = call.oauth.cloud.issue_code(
        client_id=pending.client_id,
        redirect_uri=pending.redirect_uri,
        account_id=user.account_id,
        resources=picked,
        scopes=pending.scopes,
        now=call.now,
    )
    return redirect_with(pending.redirect_uri, {"code": code, **extra})


def authorize_routes() -> list[Route]:
    return [
        oauth_route("/authorize", _authorize, methods=["GET"], instance="auth", operation="authorize"),
        oauth_route("/authorize", _consent, methods=["POST"], instance="auth", operation="authorize.consent"),
    ]
