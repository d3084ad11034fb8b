"""The body of one OS process in the multi-process refresh tests (imported by ``spawn``)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import httpx

from jiragw.broker import Broker
from jiragw.store import Store
from jiragw.vault import Keyring


def hammer(
    db_url: str,
    keyring_path: str,
    name: str,
    tasks: int,
    barrier: Barrier,
    out: Any,
    crash: bool,
    clock_offset: float,
    frozen_at: float | None = None,
) -> None:
    """Open the store, wait for the other process, then make ``tasks`` concurrent credential calls.

    ``clock_offset`` is the sandbox clock's offset (seconds), so this process and
    the sandbox agree on when the access token expired. ``frozen_at`` (seconds
    since the epoch) stops this process's clock at that instant instead, so
    every process sees one instant however long the burst takes.
    """

    def die() -> None:
        os._exit(9)  # killed between the token response and the commit

    def now() -> datetime:
        if frozen_at is not None:
            return datetime.fromtimestamp(frozen_at, tz=UTC)
        return datetime.now(UTC) + timedelta(seconds=clock_offset)

    async def main() -> list[str]:
        store = Store.open(db_url, Keyring.load(Path(keyring_path)), run_migrations=False, clock=now)
        try:
            async with httpx.AsyncClient() as client:
                broker = Broker(store, client, after_token_response=die if crash else None)
                await asyncio.to_thread(barrier.wait)
                creds = await asyncio.gather(*(broker.credentials_for(name) for _ in range(tasks)))
                return [c.access_token.reveal() for c in creds if c.access_token]
        finally:
            store.dispose()

    out.put(asyncio.run(main()))
