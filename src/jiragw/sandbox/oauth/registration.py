"""The admin endpoint's OAuth operations: register and list clients, change token lifetimes.

Backs ``/_sandbox/oauth/...`` (routed by :mod:`jiragw.sandbox.admin`, which
checks the admin token):

- ``POST /_sandbox/oauth/apps`` ``{name, kind: 3lo|2lo|dc, callback_urls, scopes, dc?}``
  -> the app with its ``client_secret`` (shown this once); ``GET`` lists apps without secrets;
- ``POST /_sandbox/oauth/consumers`` ``{dc, consumer_key, name?, public_key, callback_url?}``
  registers an OAuth 1.0a consumer (an application link); ``GET`` lists them;
- ``GET|PATCH /_sandbox/oauth/settings`` ``{access_token_ttl}`` (seconds).

:func:`describe_apps` is the ``oauth_apps`` part of ``jiragw sandbox --json``:
the pre-registered demo clients with their secrets, like the demo users' tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import InvalidInput
from .state import oauth_state

if TYPE_CHECKING:
    from ..state.sandbox import Sandbox

__all__ = ["apps", "consumers", "describe_apps", "settings"]


def _str_list(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name, [])
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{name} must be a list of strings")
    return value


def apps(sandbox: Sandbox, method: str, body: dict[str, Any]) -> Any:
    state = oauth_state(sandbox)
    if method == "POST":
        dc = body.get("dc")
        if dc is not None and dc not in sandbox.dcs:
            raise InvalidInput("dc must name a Data Center instance of the sandbox")
        app, secret = state.apps.register(
            name=str(body.get("name", "")),
            kind=body.get("kind", "3lo"),
            callback_urls=_str_list(body, "callback_urls"),
            scopes=_str_list(body, "scopes"),
            dc=dc,
        )
        return {**app.public(), "client_secret": secret}
    return {"apps": [app.public() for app in state.apps.apps.values()]}


def consumers(sandbox: Sandbox, method: str, body: dict[str, Any]) -> Any:
    state = oauth_state(sandbox)
    if method == "POST":
        dc = body.get("dc")
        if not isinstance(dc, str) or dc not in sandbox.dcs:
            raise InvalidInput("dc must name a Data Center instance of the sandbox")
        public_key = body.get("public_key")
        if not isinstance(public_key, str):
            raise InvalidInput("public_key (PEM) is required")
        callback = body.get("callback_url")
        consumer = state.apps.register_consumer(
            dc=dc,
            consumer_key=str(body.get("consumer_key", "")),
            name=str(body.get("name", "")),
            public_key_pem=public_key,
            callback_url=callback if isinstance(callback, str) else None,
        )
        return consumer.public()
    return {"consumers": [c.public() for c in state.apps.consumers.values()]}


def settings(sandbox: Sandbox, method: str, body: dict[str, Any]) -> Any:
    state = oauth_state(sandbox)
    if method == "PATCH" and "access_token_ttl" in body:
        ttl = body["access_token_ttl"]
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
            raise InvalidInput("access_token_ttl must be a number of seconds")
        try:
            state.set_access_token_ttl(float(ttl))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
    return {"access_token_ttl": state.access_token_ttl}


def describe_apps(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The demo clients with their secrets (deterministic from the seed)."""
    state = oauth_state(sandbox)
    out = []
    for client_id, secret in state.apps.demo_secrets.items():
        app = state.apps.apps[client_id]
        out.append({**app.public(), "client_secret": secret})
    return out
