"""Jira Data Center as OAuth 1.0a provider (application links), on oauthlib's server endpoints.

Implements RFC 5849 §2.1-§2.3 (temporary credentials, resource owner
authorization, token credentials) and §3.2 (verifying signed requests) with
RSA-SHA1 (§3.4.3) against the consumer's registered public key, at Jira's
``/plugins/servlet/oauth/{request-token,authorize,access-token}``; failures
are reported as Jira does, with ``oauth_problem`` (the OAuth Problem
Reporting extension) in a form body and in ``WWW-Authenticate``. Access
tokens are valid for five years, as Jira's are. oauthlib's
``RequestTokenEndpoint``, ``AuthorizationEndpoint``, ``AccessTokenEndpoint``
and ``ResourceEndpoint`` do the protocol; :class:`SandboxValidator` is the
storage they consult (tokens kept as digests, nonces remembered).
"""

from __future__ import annotations

import logging
import re
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth1 import (  # type: ignore[import-untyped,unused-ignore]
    AccessTokenEndpoint,
    AuthorizationEndpoint,
    RequestTokenEndpoint,
    RequestValidator,
    ResourceEndpoint,
)
from oauthlib.oauth1.rfc5849 import errors as oauth1_errors  # type: ignore[import-untyped,unused-ignore]
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..http.auth import AuthResult
from ..http.errors import JiraHttpError
from ..state.model import Instance
from .apps import digest
from .authorize import demo_consenters, form_fields
from .errors import OAuthHttpError
from .pages import ConsentPage, error_page
from .plumbing import Call, oauth_route
from .state import CONSENT_LIFETIME, AccessToken1, OAuthState, PendingConsent, RequestToken, oauth_state

if TYPE_CHECKING:
    from ..state.sandbox import Sandbox

__all__ = ["ACCESS_TOKEN_LIFETIME", "SandboxValidator", "dc_oauth1", "oauth1_routes"]

ACCESS_TOKEN_LIFETIME = 5 * 365 * 86400.0
REQUEST_TOKEN_LIFETIME = 600.0
_SAFE = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII without spaces
_FORM = "application/x-www-form-urlencoded"

# oauthlib logs the signature base string (tokens, verifier) at DEBUG when a signature
# does not verify: those records are credentials and never leave the logger.
_SIGNATURE_LOGGER = logging.getLogger("oauthlib.oauth1.rfc5849.signature")


class _DropDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


if not any(isinstance(f, _DropDebug) for f in _SIGNATURE_LOGGER.filters):
    _SIGNATURE_LOGGER.addFilter(_DropDebug())


@cache
def _dummy_public_key() -> str:
    """A key for oauthlib's constant-time path when the consumer is unknown (never matches)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


# How far a request's oauth_timestamp may be from the server's clock (oauthlib's default window).
TIMESTAMP_WINDOW = 600


class SandboxValidator(RequestValidator):  # type: ignore[misc]
    """oauthlib's storage hooks over the sandbox's OAuth 1.0a state for one DC instance."""

    def __init__(self, oauth: OAuthState, dc: str, now: float) -> None:
        super().__init__()
        self.oauth = oauth
        self.store = oauth.oauth1
        self.dc = dc
        self.now = now
        self.problem: str | None = None  # the oauth_problem to report when a check fails

    # The sandbox serves plain http on loopback; Jira behind TLS would keep this on.
    # Scoped to this validator rather than OAUTHLIB_INSECURE_TRANSPORT, which is process-wide.
    @property
    def enforce_ssl(self) -> bool:
        return False

    # oauthlib compares oauth_timestamp with the real time; the sandbox's clock is
    # controllable, so that check is widened out and done against the sandbox clock
    # in validate_timestamp_and_nonce (reported as Jira does: timestamp_refused).
    @property
    def timestamp_lifetime(self) -> int:
        return 10**12

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        return ("RSA-SHA1",)

    @property
    def dummy_client(self) -> str:
        return "dummy-consumer"

    @property
    def dummy_request_token(self) -> str:
        return "dummy-request-token"

    @property
    def dummy_access_token(self) -> str:
        return "dummy-access-token"

    # Jira accepts consumer keys, tokens and nonces of any printable shape.
    def check_client_key(self, client_key: str) -> bool:
        return bool(_SAFE.match(client_key))

    def check_request_token(self, request_token: str) -> bool:
        return bool(_SAFE.match(request_token))

    def check_access_token(self, request_token: str) -> bool:
        return bool(_SAFE.match(request_token))

    def check_nonce(self, nonce: str) -> bool:
        return bool(_SAFE.match(nonce))

    def check_verifier(self, verifier: str) -> bool:
        return bool(_SAFE.match(verifier))

    def _fail(self, problem: str) -> bool:
        self.problem = self.problem or problem
        return False

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return (self.dc, client_key) in self.oauth.apps.consumers or self._fail("consumer_key_unknown")

    def get_rsa_key(self, client_key: str, request: Any) -> str:
        consumer = self.oauth.apps.consumers.get((self.dc, client_key))
        return consumer.public_key_pem if consumer else _dummy_public_key()

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return ""

    def get_request_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return ""

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return ""

    def _request_token(self, token: str) -> RequestToken | None:
        entry = self.store.request_tokens.get(digest(token))
        if entry is None or entry.dc != self.dc or entry.expires_at <= self.now:
            return None
        return entry

    def validate_request_token(self, client_key: str, token: str, request: Any) -> bool:
        entry = self._request_token(token)
        ok = entry is not None and entry.consumer_key == client_key and not entry.denied
        return ok or self._fail("token_rejected")

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        entry = self.store.access_tokens.get(digest(token))
        if entry is None or entry.dc != self.dc or entry.consumer_key != client_key:
            return self._fail("token_rejected")
        return entry.expires_at > self.now or self._fail("token_expired")

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Any,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        try:
            skew = abs(self.now - int(timestamp))
        except ValueError:
            return self._fail("parameter_rejected")
        if skew > TIMESTAMP_WINDOW:
            return self._fail("timestamp_refused")
        key = (client_key, timestamp, nonce, digest(request_token or access_token or ""))
        if key in self.store.nonces:
            return self._fail("nonce_used")
        self.store.nonces.add(key)
        return True

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Any) -> bool:
        return redirect_uri == "oob" or redirect_uri.startswith(("http://", "https://"))

    def validate_requested_realms(self, client_key: str, realms: list[str], request: Any) -> bool:
        return True

    def validate_realms(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def get_default_realms(self, client_key: str, request: Any) -> list[str]:
        return []

    def get_realms(self, token: str, request: Any) -> list[str]:
        return []

    def verify_realms(self, token: str, realms: list[str], request: Any) -> bool:
        return True

    def verify_request_token(self, token: str, request: Any) -> bool:
        return self._request_token(token) is not None

    def get_redirect_uri(self, token: str, request: Any) -> str:
        entry = self._request_token(token)
        return entry.callback if entry else "oob"

    def validate_verifier(self, client_key: str, token: str, verifier: str, request: Any) -> bool:
        entry = self._request_token(token)
        ok = (
            entry is not None
            and entry.verifier_digest is not None
            and entry.verifier_digest == digest(verifier)
        )
        if ok and entry is not None:
            request.account_id = entry.account_id
        return ok or self._fail("token_rejected")

    def invalidate_request_token(self, client_key: str, request_token: str, request: Any) -> None:
        self.store.request_tokens.pop(digest(request_token), None)

    def save_request_token(self, token: dict[str, str], request: Any) -> None:
        self.store.request_tokens[digest(token["oauth_token"])] = RequestToken(
            request.client_key, self.dc, request.redirect_uri or "oob", self.now + REQUEST_TOKEN_LIFETIME
        )

    def save_verifier(self, token: str, verifier: dict[str, str], request: Any) -> None:
        entry = self._request_token(token)
        if entry is not None:
            entry.verifier_digest = digest(verifier["oauth_verifier"])
            entry.account_id = verifier.get("account_id")

    def save_access_token(self, token: dict[str, str], request: Any) -> None:
        self.store.access_tokens[digest(token["oauth_token"])] = AccessToken1(
            request.client_key,
            self.dc,
            getattr(request, "account_id", None) or "",
            self.now + ACCESS_TOKEN_LIFETIME,
        )


def _problem_response(status: int, problem: str, realm: str) -> Response:
    body = urlencode({"oauth_problem": problem})
    headers = {"WWW-Authenticate": f'OAuth realm="{realm}", oauth_problem="{problem}"'}
    return Response(body, status_code=status, headers=headers, media_type=_FORM)


def _problem_for(exc: Exception, validator: SandboxValidator) -> str:
    text = str(getattr(exc, "description", "") or "")
    if "imestamp" in text:
        return "timestamp_refused"
    if isinstance(exc, oauth1_errors.InvalidSignatureMethodError):
        return "signature_method_rejected"
    return validator.problem or "parameter_rejected"


async def _endpoint(call: Call, kind: str) -> Response:
    dc = call.request.path_params["dc"]
    if dc not in call.sandbox.dcs:
        raise OAuthHttpError(404, {"errorMessages": ["Not found."], "errors": {}})
    validator = SandboxValidator(call.oauth, dc, call.now)
    body = await call.request.body() if _FORM in call.request.headers.get("content-type", "") else b""
    headers = dict(call.request.headers)
    uri = str(call.request.url)
    realm = f"{call.root()}/dc/{dc}"
    endpoint: Any = (
        RequestTokenEndpoint(validator) if kind == "request-token" else AccessTokenEndpoint(validator)
    )
    create = (
        endpoint.create_request_token_response
        if kind == "request-token"
        else endpoint.create_access_token_response
    )
    try:
        out_headers, out_body, status = create(
            uri, call.request.method, body.decode("utf-8", "replace"), headers
        )
    except oauth1_errors.OAuth1Error as exc:
        return _problem_response(400, _problem_for(exc, validator), realm)
    consumer = call.request.headers.get("authorization", "")
    match = re.search(r'oauth_consumer_key="([^"]{1,64})"', consumer)
    call.credential = f"consumer:{match.group(1)}" if match else "consumer:unknown"
    if status != 200:
        return _problem_response(401, validator.problem or "signature_invalid", realm)
    return Response(out_body, status_code=200, headers=out_headers, media_type=_FORM)


async def _request_token(call: Call) -> Response:
    return await _endpoint(call, "request-token")


async def _access_token(call: Call) -> Response:
    return await _endpoint(call, "access-token")


async def _authorize_page(call: Call) -> Response:
    dc = call.request.path_params["dc"]
    instance = call.sandbox.dcs.get(dc)
    token = call.request.query_params.get("oauth_token", "")
    validator = SandboxValidator(call.oauth, dc, call.now)
    entry = validator._request_token(token) if token else None
    if instance is None or entry is None:
        return error_page("Request token invalid", "The request token is unknown, used or expired.")
    consumer = call.oauth.apps.consumers[(dc, entry.consumer_key)]
    nonce = call.oauth.new_consent(
        PendingConsent(
            "oauth1", entry.consumer_key, entry.callback, frozenset(), token, call.now + CONSENT_LIFETIME, dc
        )
    )
    return ConsentPage(
        action=f"/dc/{dc}/plugins/servlet/oauth/authorize",
        server_name=f"Jira ({dc})",
        app_name=consumer.name,
        scopes=("read and write data in Jira as you",),
        users=demo_consenters(call, list(instance.users.values())),
        nonce=nonce,
    ).render()


async def _authorize_decision(call: Call) -> Response:
    dc = call.request.path_params["dc"]
    form = await form_fields(call)
    pending = call.oauth.take_consent((form.get("nonce") or [""])[0], call.now)
    instance = call.sandbox.dcs.get(dc)
    if (
        pending is None
        or pending.server != "oauth1"
        or pending.dc != dc
        or instance is None
        or not pending.state
    ):
        return error_page(
            "Request token invalid", "This authorization request has expired or was already used."
        )
    token = pending.state
    validator = SandboxValidator(call.oauth, dc, call.now)
    entry = validator._request_token(token)
    user = instance.users.get((form.get("user") or [""])[0])
    if entry is None:
        return error_page("Request token invalid", "The request token is unknown, used or expired.")
    if (form.get("decision") or [""])[0] != "allow" or user is None or not user.active:
        entry.denied = True
        if entry.callback == "oob":
            return error_page("Access denied", "You denied access to the application.", 200)
        sep = "&" if "?" in entry.callback else "?"
        query = urlencode({"oauth_token": token, "oauth_verifier": "denied"})
        return RedirectResponse(entry.callback + sep + query, status_code=302)
    call.credential = user.username
    endpoint = AuthorizationEndpoint(validator)
    uri = f"{call.root()}/dc/{dc}/plugins/servlet/oauth/authorize?{urlencode({'oauth_token': token})}"
    headers, body, status = endpoint.create_authorization_response(
        uri, credentials={"account_id": user.account_id}
    )
    if status == 302:
        return RedirectResponse(headers["Location"], status_code=302)
    # Out of band: Jira shows the verification code for the user to copy into the app.
    verifier = dict(re.findall(r"([^&=]+)=([^&]*)", body)).get("oauth_verifier", "")
    return HTMLResponse(
        "<!doctype html><title>Access approved</title>"
        f"<p>Your verification code is <b>{escape(verifier)}</b></p>",
        headers={"Cache-Control": "no-store"},
    )


def dc_oauth1(sandbox: Sandbox, instance: Instance, request: Request) -> AuthResult:
    """Authenticate a DC REST request signed with an OAuth 1.0a access token (never raises)."""
    state = oauth_state(sandbox)
    validator = SandboxValidator(state, instance.name, sandbox.clock.time())
    realm = str(request.base_url).rstrip("/") + f"/dc/{instance.name}"
    # The body is not read here (authentication is synchronous): Jira's REST bodies are JSON,
    # which RFC 5849 §3.4.1.3 leaves out of the signature anyway.
    try:
        valid, checked = ResourceEndpoint(validator).validate_protected_resource_request(
            str(request.url), request.method, "", dict(request.headers)
        )
    except oauth1_errors.OAuth1Error as exc:
        valid, checked, validator.problem = False, None, _problem_for(exc, validator)
    entry = state.oauth1.access_tokens.get(digest(checked.resource_owner_key)) if valid and checked else None
    user = instance.users.get(entry.account_id) if entry else None
    if user is None or not user.active:
        problem = validator.problem or "signature_invalid"
        headers = {"WWW-Authenticate": f'OAuth realm="{realm}", oauth_problem="{problem}"'}
        error = JiraHttpError(401, [f"OAuth authentication failed: {problem}"], headers=headers)
        return AuthResult(None, "oauth1:rejected", scheme="oauth1", error=error)
    return AuthResult(user, f"oauth1:{user.username}", scheme="oauth1")


def oauth1_routes() -> list[Route]:
    base = "/dc/{dc}/plugins/servlet/oauth"

    def label(request: Request) -> str:
        return f"dc/{request.path_params['dc']}"

    return [
        oauth_route(
            f"{base}/request-token",
            _request_token,
            methods=["POST"],
            instance=label,
            operation="oauth1.request-token",
        ),
        oauth_route(
            f"{base}/access-token",
            _access_token,
            methods=["POST"],
            instance=label,
            operation="oauth1.access-token",
        ),
        oauth_route(
            f"{base}/authorize",
            _authorize_page,
            methods=["GET"],
            instance=label,
            operation="oauth1.authorize",
        ),
        oauth_route(
            f"{base}/authorize",
            _authorize_decision,
            methods=["POST"],
            instance=label,
            operation="oauth1.authorize.decision",
        ),
    ]
