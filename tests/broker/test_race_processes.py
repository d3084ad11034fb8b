"""Two OS processes, 50 calls on one expired grant: one refresh call at the sandbox; a kill mid-refresh.

The sandbox is served on a loopback port (``BackgroundServer``) in this process;
each worker is a ``spawn``ed interpreter with its own engine and locks, reaching
the sandbox over TCP. Time moves through the sandbox's admin endpoint, and token
calls are read from its counters. Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from jiragw.broker import Broker
from jiragw.errors import ReauthRequired
from jiragw.sandbox import Sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.store import GrantRecord, GrantStatus, Store, Tx
from jiragw.vault import Keyring
from tests.broker import race_worker
from tests.broker.conftest import Demo, connect_3lo

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("backend")]
TRIALS = 3
CTX = multiprocessing.get_context("spawn")


@pytest.fixture
def served(sandbox: Sandbox) -> Iterator[Demo]:
    with BackgroundServer(sandbox).running() as url:
        yield Demo(url, describe(sandbox, url))


@pytest.fixture
async def admin(served: Demo) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {served.raw['admin_token']}"}
    async with httpx.AsyncClient(base_url=f"{served.base}/_sandbox", headers=headers) as client:
        yield client


async def _refresh_calls(admin: httpx.AsyncClient) -> int:
    r = await admin.get("/counters", params={"operation": "token:refresh_token"})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


async def _advance(admin: httpx.AsyncClient, seconds: float) -> float:
    """Move the sandbox clock; its offset, which the workers' clocks apply too."""
    r = await admin.post("/clock", json={"advance_seconds": seconds})
    assert r.status_code == 200, r.text
    return float(r.json()["offset_seconds"])


def _run(
    db_url: str,
    keyring_path: Path,
    name: str,
    offset: float,
    *,
    procs: int,
    tasks: int,
    crash: bool = False,
    frozen_at: datetime | None = None,
) -> list[list[str]]:
    barrier, out = CTX.Barrier(procs), CTX.Queue()
    frozen = frozen_at.timestamp() if frozen_at is not None else None
    args = (db_url, str(keyring_path), name, tasks, barrier, out, crash, offset, frozen)
    workers = [CTX.Process(target=race_worker.hammer, args=args) for _ in range(procs)]
    for w in workers:
        w.start()
    results = [] if crash else [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [9 if crash else 0] * procs
    return results


async def _connected(store: Store, demo: Demo, name: str) -> str:
    async with httpx.AsyncClient() as client:
        return (await connect_3lo(Broker(store, client), demo, name=name)).name


async def test_fifty_calls_two_processes_one_refresh(
    store: Store,
    db_url: str,
    keyring_path: Path,
    served: Demo,
    admin: httpx.AsyncClient,
    cloud_refreshes: Counter[str],
) -> None:
    figures = []
    for trial in range(TRIALS):
        name = await _connected(store, served, f"race{trial}")
        offset = await _advance(admin, 3600 + 300)  # every access token issued so far has expired
        before = await _refresh_calls(admin)
        results = _run(db_url, keyring_path, name, offset, procs=2, tasks=25)
        figures.append(await _refresh_calls(admin) - before)
        assert sum(len(r) for r in results) == 50
        assert len({t for r in results for t in r}) == 1
    print(
        f"\nrefresh race ({store.dialect}): {TRIALS} trials x 2 processes x 25 tasks; token calls {figures}"
    )
    assert figures == [1] * TRIALS
    assert sorted(cloud_refreshes.values()) == [1] * TRIALS  # no refresh token presented twice


async def _grant(store: Store, name: str) -> GrantRecord:
    def read(tx: Tx) -> GrantRecord:
        return tx.grants.get(tx.connections.get_by_name(name).grant_id)

    return await store.run(read)


@pytest.mark.parametrize("ttl", [5, 40, 3600])
async def test_one_token_call_per_expiry_whatever_the_token_lifetime(
    store: Store,
    db_url: str,
    keyring_path: Path,
    served: Demo,
    admin: httpx.AsyncClient,
    cloud_refreshes: Counter[str],
    ttl: int,
) -> None:
    """3 processes x 25 calls, each process's clock stopped at one instant: mid-life, then at two expiries.

    A token that lives less than the renewal margin was renewed by every call
    (75 token calls per expiry, each rotating the refresh token).
    """
    r = await admin.patch("/oauth/settings", json={"access_token_ttl": ttl})
    assert r.status_code == 200, r.text
    name = await _connected(store, served, f"ttl{ttl}")
    issued = await _grant(store, name)
    assert issued.access_expires_at is not None
    assert issued.created_at is not None
    before = await _refresh_calls(admin)
    mid_life = issued.created_at + (issued.access_expires_at - issued.created_at) / 2
    results = _run(db_url, keyring_path, name, 0, procs=3, tasks=25, frozen_at=mid_life)
    assert await _refresh_calls(admin) == before  # nothing due half-way through its life
    assert issued.access_token is not None
    assert {t for r in results for t in r} == {issued.access_token.reveal()}
    figures = []
    for _ in range(2):
        grant = await _grant(store, name)
        assert grant.access_expires_at is not None
        before = await _refresh_calls(admin)
        results = _run(db_url, keyring_path, name, 0, procs=3, tasks=25, frozen_at=grant.access_expires_at)
        figures.append(await _refresh_calls(admin) - before)
        assert sum(len(r) for r in results) == 75
        assert len({t for r in results for t in r}) == 1
    print(f"\nshort-lived tokens ({store.dialect}, ttl {ttl} s): 3 x 25 calls; token calls {figures}")
    assert figures == [1, 1]
    assert sorted(cloud_refreshes.values()) == [1, 1]  # no refresh token presented twice


@pytest.mark.parametrize("minutes_later", [5, 11], ids=["within_leeway", "after_leeway"])
async def test_killed_between_token_response_and_commit(
    store: Store,
    db_url: str,
    keyring_path: Path,
    served: Demo,
    admin: httpx.AsyncClient,
    minutes_later: int,
) -> None:
    name = await _connected(store, served, "acme")
    offset = await _advance(admin, 3600 + 300)
    _run(db_url, keyring_path, name, offset, procs=1, tasks=5, crash=True)
    assert await _refresh_calls(admin) == 1  # the sandbox rotated; the new tokens died with the process
    await _advance(admin, minutes_later * 60)
    survivor = Store.open(db_url, Keyring.load(keyring_path), run_migrations=False, clock=store.clock)
    try:
        async with httpx.AsyncClient() as client:
            broker = Broker(survivor, client)
            if minutes_later < 10:
                creds = await broker.credentials_for(name)  # the old refresh token, reused in the leeway
                assert (await broker.test(name)).account_id == served.user()["account_id"]
                assert (await broker.credentials_for(name)).access_token == creds.access_token
            else:
                for _ in range(3):  # terminal, and no loop: one call in all
                    with pytest.raises(ReauthRequired):
                        await broker.credentials_for(name)
                conn = await broker.connection(name)
                grant = await broker.db(lambda tx: tx.grants.get(conn.grant_id))
                assert grant.status is GrantStatus.REAUTH_REQUIRED
    finally:
        survivor.dispose()
    assert await _refresh_calls(admin) == 2
