"""Connect flows with an authorization code: Cloud 3LO and the Data Center OAuth 2.0 provider (PKCE).

Implements issue 3, "Client side": RFC 6749 §4.1 with the ``state`` rules of
§10.12 (CSPRNG, stored hashed, bound to the initiator, single use, 10-minute
TTL; :mod:`jiragw.store.oauth_states`), Atlassian's 3LO parameters and
``accessible-resources`` (one connection per chosen site, granted scopes
stored), and for Data Center RFC 7636 PKCE S256 with the verifier sealed in
the pending flow. :func:`finish_authorization` checks a callback in a fixed
order - state consumed first, then the redirect URI, then ``error``, then the
code - so a tampered callback costs zero token-endpoint calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jiragw.auth import dc_oauth2, oauth2_3lo
from jiragw.auth.callback import check_callback, flow_key, hash_state, new_state
from jiragw.auth.tokens import parse_token_response
from jiragw.broker.broker import Broker
from jiragw.broker.connected import Connected, check_destinations, save_connections
from jiragw.broker.transport import send
from jiragw.errors import InvalidInput, StateMismatch
from jiragw.secrets import Secret
from jiragw.store import Flavor, GrantMethod, OAuthStateRecord
from jiragw.store.connections import check_name

__all__ = ["PendingAuthorization", "finish_authorization", "start_dc_oauth", "start_oauth"]


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """A started flow: send the user to ``url``. It carries ``state``, never a secret."""

    url: str = ""
    kind: GrantMethod = GrantMethod.OAUTH2_3LO
    state_id: str = ""


async def start_oauth(
    broker: Broker,
    *,
    name: str,
    auth_url: str,
    api_url: str,
    client_id: str,
    scopes: Iterable[str],
    redirect_uri: str,
    initiator: Secret,
    sites: Sequence[str] = (),
    refresh: bool = True,
    allow_insecure_http: bool = False,
) -> PendingAuthorization:
    """Store a pending Cloud 3LO flow and build its authorize URL (``prompt=consent``)."""
    check_name(name)
    check_destinations(
        {"the auth URL": auth_url, "the API URL": api_url}, allow_insecure_http=allow_insecure_http
    )
    state = new_state()
    wanted = list(scopes)
    url = oauth2_3lo.authorize_url(
        auth_url,
        client_id=client_id,
        scopes=wanted,
        redirect_uri=redirect_uri,
        state=state.value,
        refresh=refresh,
    )
    params = {
        "name": name,
        "client_id": client_id,
        "auth_url": auth_url,
        "api_url": api_url,
        "sites": list(sites),
        "allow_insecure_http": allow_insecure_http,
    }
    record = await broker.store.run(
        lambda tx: tx.states.create(
            state=state.value,
            kind=GrantMethod.OAUTH2_3LO,
            initiator=initiator,
            redirect_uri=redirect_uri,
            scopes=wanted,
            params=params,
        )
    )
    return PendingAuthorization(url, GrantMethod.OAUTH2_3LO, record.id)


async def start_dc_oauth(
    broker: Broker,
    *,
    name: str,
    dc_url: str,
    client_id: str,
    scopes: Iterable[str],
    redirect_uri: str,
    initiator: Secret,
    allow_insecure_http: bool = False,
) -> PendingAuthorization:
    """Store a pending Data Center flow with a fresh PKCE verifier (sealed) and build its URL."""
    check_name(name)
    check_destinations({"the Data Center URL": dc_url}, allow_insecure_http=allow_insecure_http)
    state, pkce = new_state(), dc_oauth2.new_pkce()
    wanted = list(scopes)
    url = dc_oauth2.authorize_url(
        dc_url,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=wanted,
        state=state.value,
        challenge=pkce.challenge,
    )
    params = {
        "name": name,
        "client_id": client_id,
        "dc_url": dc_url.rstrip("/"),
        "allow_insecure_http": allow_insecure_http,
    }
    record = await broker.store.run(
        lambda tx: tx.states.create(
            state=state.value,
            kind=GrantMethod.DC_OAUTH2,
            initiator=initiator,
            redirect_uri=redirect_uri,
            scopes=wanted,
            pkce_verifier=pkce.verifier,
            params=params,
        )
    )
    return PendingAuthorization(url, GrantMethod.DC_OAUTH2, record.id)


async def finish_authorization(
    broker: Broker, *, query: str, initiator: Secret, client_secret: Secret, redirect_uri: str
) -> Connected:
    """Check the callback (burning its state), exchange the code once, store grant and connections."""
    state = flow_key(query)
    # Consume and commit before anything else: a replay racing this callback finds the state used.
    flow = await broker.store.run(lambda tx: tx.states.consume(state, initiator=initiator), write=True)
    if flow.kind not in (GrantMethod.OAUTH2_3LO, GrantMethod.DC_OAUTH2):
        raise StateMismatch("the callback's state belongs to another kind of flow")
    if flow.redirect_uri != redirect_uri:
        raise StateMismatch("the callback arrived at a redirect URI this flow did not send")
    assert state is not None
    code = check_callback(
        query, hash_state(state.reveal()), now=broker.now(), created_at=flow.created_at, used=False
    )
    if flow.kind is GrantMethod.OAUTH2_3LO:
        return await _finish_3lo(broker, flow, code, client_secret)
    return await _finish_dc(broker, flow, code, client_secret)


async def _finish_3lo(
    broker: Broker, flow: OAuthStateRecord, code: Secret, client_secret: Secret
) -> Connected:
    p: dict[str, Any] = flow.params
    insecure = bool(p.get("allow_insecure_http", False))
    check_destinations(
        {"the auth URL": p["auth_url"], "the API URL": p["api_url"]}, allow_insecure_http=insecure
    )
    request = oauth2_3lo.code_exchange_request(
        p["auth_url"],
        client_id=p["client_id"],
        client_secret=client_secret,
        code=code,
        redirect_uri=flow.redirect_uri or "",
    )
    reply = await send(broker.client, request, token_endpoint=True)
    tokens = parse_token_response(reply.status, reply.headers, reply.body, now=broker.now())
    reply = await send(
        broker.client, oauth2_3lo.accessible_resources_request(p["api_url"], tokens.access_token)
    )
    resources = oauth2_3lo.parse_accessible_resources(reply.status, reply.headers, reply.body)
    chosen = [r for r in resources if not p["sites"] or {r.id, r.name, r.url} & set(p["sites"])]
    if not chosen:
        raise InvalidInput("the consent covers none of the chosen sites", details={"sites": list(p["sites"])})
    api = p["api_url"].rstrip("/")
    many = len(chosen) > 1
    connections = [
        {
            "name": f"{p['name']}-{r.name}"[:64] if many else p["name"],
            "flavor": Flavor.CLOUD,
            "site_url": r.url,
            "site_name": r.name,
            "cloud_id": r.id,
            "api_base_url": f"{api}/ex/jira/{r.id}",
            "scopes": r.scopes,
        }
        for r in chosen
    ]
    return await save_connections(
        broker,
        GrantMethod.OAUTH2_3LO,
        secrets={
            "client_secret": client_secret,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
        },
        grant={
            "auth_url": p["auth_url"],
            "api_url": api,
            "client_id": p["client_id"],
            "token_type": tokens.token_type,
            "scopes": tokens.scopes or flow.scopes,
            "refresh_family_started_at": broker.now(),
        },
        connections=connections,
        expires_at=tokens.expires_at,
        allow_insecure_http=insecure,
    )


async def _finish_dc(
    broker: Broker, flow: OAuthStateRecord, code: Secret, client_secret: Secret
) -> Connected:
    p: dict[str, Any] = flow.params
    if flow.pkce_verifier is None:
        raise StateMismatch("the pending Data Center flow lost its PKCE verifier")
    insecure = bool(p.get("allow_insecure_http", False))
    check_destinations({"the Data Center URL": p["dc_url"]}, allow_insecure_http=insecure)
    request = dc_oauth2.token_request(
        p["dc_url"],
        client_id=p["client_id"],
        client_secret=client_secret,
        code=code,
        redirect_uri=flow.redirect_uri or "",
        verifier=flow.pkce_verifier,
    )
    reply = await send(broker.client, request, token_endpoint=True)
    tokens = parse_token_response(reply.status, reply.headers, reply.body, now=broker.now())
    return await save_connections(
        broker,
        GrantMethod.DC_OAUTH2,
        secrets={
            "client_secret": client_secret,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
        },
        grant={
            "auth_url": p["dc_url"],
            "api_url": p["dc_url"],
            "client_id": p["client_id"],
            "token_type": tokens.token_type,
            "scopes": tokens.scopes or flow.scopes,
            "refresh_family_started_at": broker.now(),
        },
        connections=[
            {
                "name": p["name"],
                "flavor": Flavor.DC,
                "site_url": p["dc_url"],
                "api_base_url": p["dc_url"],
                "scopes": tokens.scopes or flow.scopes,
            }
        ],
        expires_at=tokens.expires_at,
        allow_insecure_http=insecure,
    )
