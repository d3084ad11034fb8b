"""Canary secrets never reach a DEBUG log line, an exception's text, or a raw dump of the database.

The canaries are the sandbox's real secrets: its demo users' API token,
password and PAT, the demo OAuth clients' secrets, and every code, access
token and refresh token the sandbox issued during the run (recorded as it
issues them), plus the OAuth 1.0a request token, verifier and private key.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import text

from jiragw.auth import oauth1
from jiragw.broker import (
    Broker,
    connect_api_token,
    connect_basic,
    connect_client_credentials,
    connect_pat,
    finish_authorization,
    finish_oauth1,
    start_dc_oauth,
    start_oauth,
    start_oauth1,
)
from jiragw.errors import JiragwError
from jiragw.sandbox import Sandbox
from jiragw.sandbox.oauth import oauth_state
from jiragw.sandbox.oauth.tokens import TokenStore
from jiragw.secrets import Secret
from jiragw.store import Store
from tests.broker.browser import consent
from tests.broker.conftest import ME, REDIRECT, SCOPES_3LO, Demo, SandboxClock
from tests.broker.test_connect import CONSUMER_KEY, register_consumer

pytestmark = pytest.mark.usefixtures("backend")
SECRET_PARAMS = ("code", "state", "oauth_token", "oauth_verifier")
BROWSER_GET = re.compile(r"^HTTP Request: GET \S+/authorize\?")


def record_issued(store: TokenStore, into: list[str]) -> None:
    """Keep every code and token ``store`` hands out (the sandbox itself keeps only digests)."""
    issue, code = store._issue, store.issue_code

    def issued(*args: Any, **kwargs: Any) -> Any:
        out = issue(*args, **kwargs)
        into.extend(t for t in (out.access_token, out.refresh_token) if t)
        return out

    def coded(**kwargs: Any) -> str:
        into.append(code(**kwargs))
        return into[-1]

    store._issue = issued  # type: ignore[method-assign]
    store.issue_code = coded  # type: ignore[method-assign]


async def _every_flow(
    broker: Broker, demo: Demo, sandbox: Sandbox, clock: SandboxClock, key: oauth1.RsaKeyPair
) -> tuple[list[str], list[str]]:
    """Run every method, a refresh, invalid_grant and failures; (exception texts, flow values seen)."""
    texts: list[str] = []
    seen: list[str] = []
    alice = demo.user()
    await connect_api_token(
        broker, name="a", site_url=demo.site, email=alice["email"], token=Secret(alice["api_token"])
    )
    await connect_basic(
        broker, name="b", dc_url=demo.dc, username=alice["name"], password=Secret(alice["password"])
    )
    await connect_pat(broker, name="c", dc_url=demo.dc, pat=Secret(alice["pat"]))
    cc_id, cc_secret = demo.app("2lo")
    await connect_client_credentials(
        broker,
        name="d",
        site_url=demo.site,
        api_url=demo.base,
        client_id=cc_id,
        client_secret=Secret(cc_secret),
    )
    client_id, client_secret = demo.app("3lo")
    pending = await start_oauth(
        broker,
        name="e",
        auth_url=demo.base,
        api_url=demo.base,
        client_id=client_id,
        scopes=SCOPES_3LO,
        redirect_uri=REDIRECT,
        initiator=ME,
    )
    query = await consent(broker.client, pending.url, account_id=alice["account_id"])
    seen += [v[0] for k, v in parse_qs(query).items() if k in SECRET_PARAMS]
    await finish_authorization(
        broker, query=query, initiator=ME, client_secret=Secret(client_secret), redirect_uri=REDIRECT
    )
    try:  # a replay: the error must not quote the code or the state
        await finish_authorization(
            broker, query=query, initiator=ME, client_secret=Secret(client_secret), redirect_uri=REDIRECT
        )
    except JiragwError as exc:
        texts += [str(exc), repr(exc), repr(exc.to_dict())]
    dc_id, dc_secret = demo.app("dc")
    pending = await start_dc_oauth(
        broker,
        name="f",
        dc_url=demo.dc,
        client_id=dc_id,
        scopes=["READ"],
        redirect_uri=REDIRECT,
        initiator=ME,
    )
    query = await consent(broker.client, pending.url, account_id=alice["account_id"])
    await finish_authorization(
        broker, query=query, initiator=ME, client_secret=Secret(dc_secret), redirect_uri=REDIRECT
    )
    await register_consumer(broker.client, demo, key.public_key_pem)
    pending = await start_oauth1(
        broker,
        name="g",
        dc_url=demo.dc,
        consumer_key=CONSUMER_KEY,
        private_key=key.private_key_pem,
        initiator=ME,
        callback_uri=REDIRECT,
    )
    query = await consent(broker.client, pending.url, account_id=alice["account_id"])
    seen += [v[0] for k, v in parse_qs(query).items() if k in SECRET_PARAMS]
    await finish_oauth1(broker, query=query, initiator=ME, private_key=key.private_key_pem)
    for name in "abcdefg":
        await broker.test(name)
    grants = await broker.db(lambda tx: tx.grants.list())
    seen += [s.reveal() for g in grants for s in (g.access_token, g.refresh_token) if s is not None]
    clock.advance(hours=2)
    await broker.test("e")  # refresh with rotation
    for store in (oauth_state(sandbox).cloud, oauth_state(sandbox).dc):
        for grant_id in list(store.grants):
            store.revoke(grant_id, "revoked by the canary test")
    clock.advance(hours=2)
    for name in ("e", "f"):
        try:
            await broker.test(name)
        except JiragwError as exc:
            texts += [str(exc), repr(exc), repr(exc.to_dict()), repr(exc.details)]
    return texts, seen


async def test_no_canary_in_logs_errors_or_database(
    broker: Broker,
    store: Store,
    demo: Demo,
    sandbox: Sandbox,
    clock: SandboxClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    issued: list[str] = []
    record_issued(oauth_state(sandbox).cloud, issued)
    record_issued(oauth_state(sandbox).dc, issued)
    key = oauth1.generate_key_pair()
    caplog.set_level(logging.DEBUG)
    texts, seen = await _every_flow(broker, demo, sandbox, clock, key)
    with store.engine.connect() as conn:
        dump = [
            repr(row)
            for table in ("grants", "connections", "oauth_states", "audit_events")
            for row in conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed table names
        ]
    assert len(dump) > 10
    assert any("reauth_required" in t for t in texts)
    assert len(issued) >= 8  # 3LO and DC codes, pairs, a refresh, a 2LO token
    alice = demo.user()
    # The scripted browser's own GET of the authorize URL is logged by httpx: that URL carries the
    # state or the OAuth 1.0a request token by protocol, and it is the user's browser, not jiragw.
    logs = [m for m in (r.getMessage() for r in caplog.records) if not BROWSER_GET.search(m)]
    pem_body = key.private_key_pem.reveal().splitlines()[5]
    canaries = [
        *issued,
        *seen,
        alice["api_token"],
        alice["password"],
        alice["pat"],
        *(a["client_secret"] for a in demo.raw["oauth_apps"]),
        pem_body,
        ME.reveal(),
    ]
    assert all(len(c) >= 16 for c in canaries), "a canary too short to be meaningful"
    haystacks = {"logs": "\n".join(logs), "errors": "\n".join(texts), "database": "\n".join(dump)}
    for where, haystack in haystacks.items():
        leaked = [c[:6] + "..." for c in canaries if c in haystack]
        assert leaked == [], f"secrets in {where}"
