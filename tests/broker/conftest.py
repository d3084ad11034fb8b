"""Broker fixtures: the store fixtures of tests/store (SQLite and PostgreSQL), the real sandbox, a broker.

The broker's client reaches the sandbox in-process through ``httpx.ASGITransport``;
the store's clock reads the sandbox's clock, so advancing one moves both and a
token's expiry means the same instant on either side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from jiragw.broker import Broker, RetryPolicy, finish_authorization, start_oauth
from jiragw.sandbox import Sandbox, build_sandbox, create_app
from jiragw.sandbox.oauth import oauth_state
from jiragw.sandbox.oauth.apps import CLI_CALLBACK_URL, digest
from jiragw.sandbox.oauth.tokens import TokenStore
from jiragw.sandbox.server import describe
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, Store
from tests.broker.browser import consent
from tests.store.conftest import (  # noqa: F401 - fixtures reused, not redefined
    backend,
    db_url,
    keyring,
    keyring_path,
    pg_session_database,
    store,
)

BASE = "http://localhost"
REDIRECT = CLI_CALLBACK_URL
ME = Secret("cli-listener-nonce-0123456789")
SCOPES_3LO = ["read:jira-user", "read:jira-work"]


class SandboxClock:
    """The store's clock, reading the sandbox's: ``clock.now``, ``clock()``, ``clock.advance(minutes=1)``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    @property
    def now(self) -> datetime:
        return self.sandbox.clock.now()

    def __call__(self) -> datetime:
        return self.sandbox.clock.now()

    def advance(self, **delta: float) -> None:
        self.sandbox.clock.advance_by(timedelta(**delta))


@dataclass(frozen=True)
class Demo:
    """The sandbox's demo credentials, as ``jiragw sandbox --json`` prints them."""

    base: str
    raw: dict[str, Any]

    def app(self, kind: str) -> tuple[str, str]:
        found = next(a for a in self.raw["oauth_apps"] if a["kind"] == kind)
        return found["client_id"], found["client_secret"]

    def user(self, name: str = "alice") -> dict[str, Any]:
        return next(u for u in self.raw["users"] if u["name"] == name)

    @property
    def site(self) -> str:
        return str(self.raw["sites"]["acme"]["url"])

    @property
    def cloud_id(self) -> str:
        return str(self.raw["sites"]["acme"]["cloud_id"])

    @property
    def dc(self) -> str:
        return str(self.raw["dc"]["corp"]["url"])


def token_calls(sandbox: Sandbox, grant_type: str) -> int:
    """Token-endpoint calls the sandbox counted for ``grant_type`` (Cloud and DC servers)."""
    wanted = f"token:{grant_type}"
    return sum(n for key, n in sandbox.counters.items() if key.operation == wanted)


def refresh_uses(tokens: TokenStore) -> Counter[str]:
    """Record, by digest, every refresh token presented to ``tokens`` (the sandbox's own rules still run)."""
    seen: Counter[str] = Counter()
    original = tokens.refresh

    def counted(refresh_token: str, **kwargs: Any) -> Any:
        seen[digest(refresh_token)] += 1
        return original(refresh_token, **kwargs)

    tokens.refresh = counted  # type: ignore[method-assign]
    return seen


@pytest.fixture
def sandbox() -> Sandbox:
    """A small sandbox: site ``acme`` (Cloud) and ``corp`` (DC)."""
    return build_sandbox(projects=1, issues=3, seed=11)


@pytest.fixture
def clock(sandbox: Sandbox) -> SandboxClock:
    return SandboxClock(sandbox)


@pytest.fixture
def demo(sandbox: Sandbox) -> Demo:
    return Demo(BASE, describe(sandbox, BASE))


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandbox))) as client:
        yield client


@pytest.fixture
def cloud_refreshes(sandbox: Sandbox) -> Counter[str]:
    return refresh_uses(oauth_state(sandbox).cloud)


class Sleeps(list[float]):
    """Records retry sleeps instead of sleeping (the policy's delays are what is under test)."""

    def __init__(self) -> None:
        super().__init__()
        self.hook: Callable[[int], None] | None = None

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        if self.hook is not None:
            self.hook(len(self))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_broker(http: httpx.AsyncClient, sleeps: Sleeps) -> Callable[..., Broker]:
    def make(store_: Store, **kwargs: object) -> Broker:
        kwargs.setdefault("retry", RetryPolicy(attempts=3, base=0.1, cap=0.4, cooldown=timedelta(seconds=60)))
        return Broker(store_, http, sleep=sleeps, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def broker(store: Store, make_broker: Callable[..., Broker]) -> Broker:  # noqa: F811
    return make_broker(store)


async def connect_3lo(
    broker: Broker, demo: Demo, *, name: str = "acme", scopes: list[str] | None = None
) -> ConnectionRecord:
    """The whole 3LO dance through the sandbox's consent page; the one connection it creates."""
    client_id, client_secret = demo.app("3lo")
    pending = await start_oauth(
        broker,
        name=name,
        auth_url=demo.base,
        api_url=demo.base,
        client_id=client_id,
        scopes=scopes or SCOPES_3LO,
        redirect_uri=REDIRECT,
        initiator=ME,
    )
    query = await consent(broker.client, pending.url, account_id=demo.user()["account_id"])
    done = await finish_authorization(
        broker, query=query, initiator=ME, client_secret=Secret(client_secret), redirect_uri=REDIRECT
    )
    assert len(done.connections) == 1
    return done.connections[0]
