"""Connect flow for Jira Data Center OAuth 1.0a (RSA-SHA1 application links).

Implements RFC 5849 §2 over :mod:`jiragw.auth.oauth1`: request token (with a
callback URL or ``oob``) → the user authorizes at Jira → the verifier comes
back on the callback (or is pasted, for ``oob``) → access token. The request
token names the pending flow the way ``state`` does for OAuth 2.0: stored
hashed, bound to the initiator, single use, 10-minute TTL, and the callback's
``oauth_token`` must match it before the verifier is read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from jiragw.auth import oauth1
from jiragw.auth.callback import flow_key
from jiragw.broker.broker import Broker
from jiragw.broker.connect_oauth2 import PendingAuthorization
from jiragw.broker.connected import Connected, check_destinations, save_connections
from jiragw.broker.transport import send
from jiragw.errors import StateMismatch, TokenResponseInvalid
from jiragw.secrets import Secret
from jiragw.store import Flavor, GrantMethod
from jiragw.store.connections import check_name
from jiragw.store.oauth_states import MIN_STATE_LENGTH

__all__ = ["finish_oauth1", "finish_oauth1_oob", "start_oauth1"]


async def start_oauth1(
    broker: Broker,
    *,
    name: str,
    dc_url: str,
    consumer_key: str,
    private_key: Secret,
    initiator: Secret,
    callback_uri: str = oauth1.OOB,
    allow_insecure_http: bool = False,
) -> PendingAuthorization:
    """Get a request token and store the pending flow; the URL is where the user authorizes."""
    check_name(name)
    dc = dc_url.rstrip("/")
    check_destinations({"the Data Center URL": dc}, allow_insecure_http=allow_insecure_http)
    request = oauth1.request_token_request(
        dc, consumer_key=consumer_key, private_key=private_key, now=broker.now(), callback_uri=callback_uri
    )
    reply = await send(broker.client, request, token_endpoint=True)
    token = oauth1.parse_token_response(reply.status, reply.headers, reply.body, request_token=True)
    if len(token.token) < MIN_STATE_LENGTH:
        raise TokenResponseInvalid("the request token is too short to name a flow safely")
    params = {
        "name": name,
        "dc_url": dc,
        "consumer_key": consumer_key,
        "allow_insecure_http": allow_insecure_http,
    }
    record = await broker.store.run(
        lambda tx: tx.states.create(
            state=token.token,
            kind=GrantMethod.OAUTH1,
            initiator=initiator,
            redirect_uri=callback_uri,
            request_token=token.token,
            request_token_secret=token.token_secret,
            params=params,
        )
    )
    return PendingAuthorization(oauth1.authorize_url(dc, token.token), GrantMethod.OAUTH1, record.id)


async def finish_oauth1(broker: Broker, *, query: str, initiator: Secret, private_key: Secret) -> Connected:
    """Check the callback (burning the flow), trade the verifier for an access token, store it."""
    key = flow_key(query)
    flow = await broker.store.run(
        lambda tx: tx.states.consume(key, initiator=initiator, kind=GrantMethod.OAUTH1), write=True
    )
    if flow.request_token is None:
        raise StateMismatch("the pending OAuth 1.0a flow lost its request token")
    verifier = oauth1.check_callback(query, flow.request_token)
    p: dict[str, Any] = flow.params
    insecure = bool(p.get("allow_insecure_http", False))
    check_destinations({"the Data Center URL": p["dc_url"]}, allow_insecure_http=insecure)
    request = oauth1.access_token_request(
        p["dc_url"],
        consumer_key=p["consumer_key"],
        private_key=private_key,
        request_token=flow.request_token,
        verifier=verifier,
        now=broker.now(),
    )
    reply = await send(broker.client, request, token_endpoint=True)
    token = oauth1.parse_token_response(reply.status, reply.headers, reply.body)
    return await save_connections(
        broker,
        GrantMethod.OAUTH1,
        secrets={
            "access_token": token.token,
            "oauth1_token_secret": token.token_secret,
            "oauth1_private_key": private_key,
        },
        grant={"auth_url": p["dc_url"], "api_url": p["dc_url"], "client_id": p["consumer_key"]},
        connections=[
            {"name": p["name"], "flavor": Flavor.DC, "site_url": p["dc_url"], "api_base_url": p["dc_url"]}
        ],
        allow_insecure_http=insecure,
    )


async def finish_oauth1_oob(
    broker: Broker, *, request_token: Secret, verifier: Secret, initiator: Secret, private_key: Secret
) -> Connected:
    """The ``oob`` variant: the user pastes the verifier Jira showed them."""
    query = urlencode({"oauth_token": request_token.reveal(), "oauth_verifier": verifier.reveal()})
    return await finish_oauth1(broker, query=query, initiator=initiator, private_key=private_key)
