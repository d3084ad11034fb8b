"""The outbound OAuth routes: ``/v1/outbound/oauth/start``, ``/callback`` and the site picker.

Issue 5, "Connect Jira Cloud (OAuth 2.0)", over the broker's flows
(:mod:`jiragw.broker.connect_oauth2`, :mod:`jiragw.broker.connect_oauth1`):

- ``POST /v1/outbound/oauth/start`` (admin session + CSRF token): Cloud 3LO,
  Data Center OAuth 2.0 (PKCE), OAuth 1.0a, or ``reauthorize=<connection>``;
  stores the pending flow bound to the admin session (the session token's
  hash is the initiator, RFC 6749 §10.12) and answers 303 to the consent page.
  The redirect URI is exactly :attr:`Gateway.callback_url`.
- ``GET /v1/outbound/oauth/callback``: only the session that started a flow can
  finish it; the store consumes the state before the code is read, so a
  tampered, replayed or foreign callback is a 4xx with zero token calls.
  A consent covering several sites ends on a site picker.
- ``POST /v1/outbound/oauth/sites``: keep the chosen sites, remove the others.

A re-authorization runs a fresh consent, then moves its tokens onto the old
grant (keeping connection ids, so keys bound to them keep working) and drops
the temporary grant, in one transaction. Every page here is ``no-store``
and ``no-referrer``: the callback URL carries a code.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jiragw.auth.callback import flow_key
from jiragw.broker import (
    Connected,
    PendingAuthorization,
    finish_authorization,
    finish_oauth1,
    remove_connection,
    start_dc_oauth,
    start_oauth,
    start_oauth1,
)
from jiragw.errors import InvalidInput, JiragwError, StateMismatch, StateMissing
from jiragw.gateway.admin.forms import connect_forms, sandbox_client_secret
from jiragw.gateway.admin.pages_connect import announce, form_page, insecure_allowed
from jiragw.gateway.admin.pending import Flow, Picker
from jiragw.gateway.admin.web import AdminUI, Ctx, admin_page, ui_for
from jiragw.gateway.state import Gateway
from jiragw.secrets import Secret
from jiragw.store import GrantMethod, GrantRecord, GrantStatus, Tx

__all__ = ["CALLBACK_PATH", "START_PATH", "routes"]

START_PATH = "/v1/outbound/oauth/start"
CALLBACK_PATH = "/v1/outbound/oauth/callback"
SITES_PATH = "/v1/outbound/oauth/sites"
_FORM_OF = {"3lo": "oauth", "dc": "dc-oauth"}


def _scopes(text: str) -> list[str]:
    return [s for s in text.replace(",", " ").split() if s]


def _state_of(pending: PendingAuthorization) -> str:
    params = dict(parse_qsl(urlsplit(pending.url).query))
    value = params.get("state") or params.get("oauth_token")
    if not value:
        raise InvalidInput("the authorize URL carries no state")
    return value


def _client_secret(ui: AdminUI, ctx: Ctx, client_id: str) -> Secret:
    given = ctx.field("client_secret") or sandbox_client_secret(ui.gw.sandbox_info, client_id)
    if not given:
        raise InvalidInput("the client secret is required")
    return Secret(given)


async def _start_new(ui: AdminUI, ctx: Ctx, kind: str) -> tuple[PendingAuthorization, Flow]:
    gw, owner = ui.gw, ctx.session.token_hash
    name, client_id = ctx.field("name"), ctx.field("client_id")
    if not client_id:
        raise InvalidInput("the client id is required")
    secret = _client_secret(ui, ctx, client_id)
    scopes = _scopes(ctx.field("scopes"))
    if not scopes:
        raise InvalidInput("choose at least one scope")
    if kind == "3lo":
        pending = await start_oauth(
            gw.broker,
            name=name,
            auth_url=gw.settings.atlassian_auth_url,
            api_url=gw.settings.atlassian_api_url,
            client_id=client_id,
            scopes=scopes,
            redirect_uri=gw.callback_url,
            initiator=Secret(owner),
        )
    else:
        dc_url = ctx.field("dc_url")
        if not dc_url.startswith(("http://", "https://")):
            raise InvalidInput("the Jira base URL must be an http(s) URL")
        pending = await start_dc_oauth(
            gw.broker,
            name=name,
            dc_url=dc_url,
            client_id=client_id,
            scopes=scopes,
            redirect_uri=gw.callback_url,
            initiator=Secret(owner),
            allow_insecure_http=insecure_allowed(ctx),
        )
    return pending, Flow("oauth2", owner, client_secret=secret, name=name)


async def _start_reauthorize(ui: AdminUI, ctx: Ctx, name: str) -> tuple[PendingAuthorization, Flow]:
    gw, owner = ui.gw, ctx.session.token_hash

    def read(tx: Tx) -> tuple[list[str], GrantRecord, bool]:
        conn = tx.connections.get_by_name(name)
        grant = tx.grants.get(conn.grant_id)
        sites = [c.cloud_id for c in tx.connections.list(grant_id=grant.id) if c.cloud_id]
        return sites, grant, conn.allow_insecure_http

    sites, grant, insecure = await gw.store.run(read)
    if grant.status is GrantStatus.REVOKED:
        raise InvalidInput("a revoked connection cannot be re-authorized; connect it again")
    if grant.client_secret is None or not grant.client_id:
        raise InvalidInput("this connection's grant holds no OAuth client to re-authorize with")
    temp = f"reauth-{secrets.token_hex(4)}"
    scopes = list(grant.scopes)
    if grant.method is GrantMethod.OAUTH2_3LO:
        if "offline_access" not in scopes:
            scopes.append("offline_access")
        pending = await start_oauth(
            gw.broker,
            name=temp,
            auth_url=grant.auth_url or gw.settings.atlassian_auth_url,
            api_url=grant.api_url or gw.settings.atlassian_api_url,
            client_id=grant.client_id,
            scopes=scopes,
            redirect_uri=gw.callback_url,
            initiator=Secret(owner),
            sites=sites,
            allow_insecure_http=insecure,
        )
    elif grant.method is GrantMethod.DC_OAUTH2:
        pending = await start_dc_oauth(
            gw.broker,
            name=temp,
            dc_url=grant.auth_url or "",
            client_id=grant.client_id,
            scopes=scopes,
            redirect_uri=gw.callback_url,
            initiator=Secret(owner),
            allow_insecure_http=insecure,
        )
    else:
        raise InvalidInput(f"a {grant.method.value} connection has no consent to re-run")
    flow = Flow("oauth2", owner, client_secret=grant.client_secret, reauthorize_grant=grant.id, name=name)
    return pending, flow


async def _start_oauth1(ui: AdminUI, ctx: Ctx) -> tuple[PendingAuthorization, Flow]:
    owner = ctx.session.token_hash
    draft = ui.pending.draft(ctx.field("draft"), owner)
    if draft is None:
        raise InvalidInput("this OAuth 1.0a setup expired; start again from the connect form")
    pending = await start_oauth1(
        ui.gw.broker,
        name=draft.name,
        dc_url=draft.dc_url,
        consumer_key=draft.consumer_key,
        private_key=draft.private_key,
        initiator=Secret(owner),
        callback_uri=ui.gw.callback_url,
        allow_insecure_http=draft.allow_insecure_http,
    )
    return pending, Flow("oauth1", owner, private_key=draft.private_key, name=draft.name)


async def start(ui: AdminUI, ctx: Ctx) -> Response:
    kind, reauthorize = ctx.field("kind"), ctx.field("reauthorize")
    try:
        if reauthorize:
            pending, flow = await _start_reauthorize(ui, ctx, reauthorize)
        elif kind == "oauth1":
            pending, flow = await _start_oauth1(ui, ctx)
        elif kind in _FORM_OF:
            pending, flow = await _start_new(ui, ctx, kind)
        else:
            raise InvalidInput("unknown kind of OAuth flow")
    except JiragwError as exc:
        status = exc.status if 400 <= exc.status < 500 else 502
        if kind in _FORM_OF and not reauthorize:
            key = _FORM_OF[kind]
            spec = connect_forms(ui.gw.sandbox_info)[key]
            return form_page(ui, ctx, key, spec, error=f"{exc.message} [{exc.code}]", status=status)
        return ui.message(
            ctx.session, "Could not start the authorization", f"{exc.message} [{exc.code}]", status=status
        )
    ui.pending.add_flow(_state_of(pending), flow)
    return ui.redirect(pending.url)


async def _finish(ui: AdminUI, ctx: Ctx, query: str, state: Secret, flow: Flow) -> Connected:
    initiator = Secret(ctx.session.token_hash)
    if flow.kind == "oauth1":
        assert flow.private_key is not None
        return await finish_oauth1(
            ui.gw.broker, query=query, initiator=initiator, private_key=flow.private_key
        )
    return await finish_authorization(
        ui.gw.broker,
        query=query,
        initiator=initiator,
        client_secret=flow.client_secret or Secret(""),
        redirect_uri=ui.gw.callback_url,
    )


def _merge(old_grant_id: str, done: Connected) -> Callable[[Tx], None]:
    """Move a fresh consent's tokens onto the grant being re-authorized; drop the temporary grant."""

    def write(tx: Tx) -> None:
        new = tx.grants.get(done.grant_id)
        assert new.access_token is not None
        tx.grants.store_tokens(
            old_grant_id,
            access_token=new.access_token,
            refresh_token=new.refresh_token,
            expires_at=new.access_expires_at,
            token_type=new.token_type,
            scopes=new.scopes or None,
            new_family=True,
        )
        for conn in tx.connections.list(grant_id=done.grant_id):
            tx.connections.delete(conn.id)
        tx.grants.delete(done.grant_id)

    return write


async def _drop(ui: AdminUI, done: Connected) -> None:
    for conn in done.connections:
        try:
            await remove_connection(ui.gw.broker, conn.name)
        except JiragwError:
            continue


async def finish(ui: AdminUI, ctx: Ctx) -> Response:
    query = ctx.request.url.query
    try:
        state = flow_key(query)
        if state is None:
            raise StateMissing("the callback carries no state")
        flow = ui.pending.flow_for(state, ctx.session.token_hash)
        if flow is None:
            raise StateMismatch(
                "this callback matches no authorization started from this admin session "
                "(it may have expired or been started elsewhere)"
            )
        try:
            done = await _finish(ui, ctx, query, state, flow)
        finally:
            # Keep a secret-free tombstone: a replay then meets the store's state_replayed.
            ui.pending.add_flow(state, Flow(flow.kind, flow.owner, name=flow.name))
        if flow.reauthorize_grant is not None:
            try:
                await ui.gw.store.run(_merge(flow.reauthorize_grant, done), write=True)
            except JiragwError:
                await _drop(ui, done)
                raise
    except JiragwError as exc:
        await ui.audit("admin.oauth.callback", actor=ctx.session.actor, outcome="error", error_code=exc.code)
        status = exc.status if 400 <= exc.status < 500 else 502
        return ui.message(
            ctx.session, "Authorization failed", f"{exc.message} [{exc.code}]", status=status, back="/connect"
        )
    if flow.reauthorize_grant is not None:
        await ui.audit("admin.connection.reauthorize", actor=ctx.session.actor, target=flow.name)
        ui.flash(ctx.session, f"{flow.name}: re-authorized; the connection is active again.")
        return ui.redirect("/connections")
    await announce(ui, ctx, done, flow.kind)
    if len(done.connections) > 1:
        names = tuple(c.name for c in done.connections)
        labels = tuple(c.site_url for c in done.connections)
        picker_id = ui.pending.add_picker(Picker(ctx.session.token_hash, names, labels))
        return ui.render(
            "sites.html",
            ctx.session,
            title="Choose sites",
            picker_id=picker_id,
            choices=list(zip(names, labels, strict=True)),
        )
    return ui.redirect("/connections")


async def pick_sites(ui: AdminUI, ctx: Ctx) -> Response:
    picker = ui.pending.take_picker(ctx.field("picker"), ctx.session.token_hash)
    if picker is None:
        return ui.message(
            ctx.session,
            "Site choice expired",
            "Manage the connections from the list instead.",
            back="/connections",
        )
    keep = set(ctx.fields("keep"))
    if not keep & set(picker.names):
        ui.pending.pickers.put(ctx.field("picker"), picker)
        return ui.message(
            ctx.session,
            "Choose a site",
            "Keep at least one site (or remove the connections from the list).",
            back="/connections",
        )
    for name in picker.names:
        if name in keep:
            continue
        try:
            conn = await ui.gw.broker.connection(name)
            await remove_connection(ui.gw.broker, name)
        except JiragwError:
            continue
        await ui.audit("admin.connection.remove", actor=ctx.session.actor, connection_id=conn.id, target=name)
    kept = ", ".join(n for n in picker.names if n in keep)
    ui.flash(ctx.session, f"Kept: {kept}.")
    return ui.redirect("/connections")


def routes(gw: Gateway) -> list[BaseRoute]:
    ui = ui_for(gw)

    async def unauthenticated_callback(request: Request) -> Response:
        session = await ui.session(request)
        if session is None:
            return ui.message(
                None,
                "Sign in first",
                "This authorization was not started from a signed-in admin session of this gateway.",
                status=401,
                back="/login",
            )
        return await finish(ui, Ctx(request, session, None))

    return [
        Route(START_PATH, admin_page(ui, start), methods=["POST"]),
        Route(CALLBACK_PATH, unauthenticated_callback, methods=["GET"]),
        Route(SITES_PATH, admin_page(ui, pick_sites), methods=["POST"]),
    ]
