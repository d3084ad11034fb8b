"""The one-shot loopback callback listener: right path served once, other paths 404, errors as 4xx."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from jiragw.broker.loopback import LoopbackListener
from jiragw.errors import StateMismatch


async def test_serves_the_callback_once() -> None:
    async with LoopbackListener[str](0) as listener, httpx.AsyncClient() as client:
        assert listener.redirect_uri.startswith("http://127.0.0.1:")
        assert listener.redirect_uri.endswith("/v1/outbound/oauth/callback")

        async def handle(query: str) -> str:
            return query

        waiting = listener.serve_one(handle)
        base = listener.redirect_uri.rsplit("/v1/", 1)[0]

        task = asyncio.ensure_future(waiting)
        other = await client.get(f"{base}/favicon.ico")
        assert other.status_code == 404
        ok = await client.get(listener.redirect_uri + "?code=canary-code-1&state=s")
        assert ok.status_code == 200
        assert "canary-code-1" not in ok.text
        assert await task == "code=canary-code-1&state=s"
        again = await client.get(listener.redirect_uri + "?code=x&state=s")
        assert again.status_code == 404


async def test_an_error_answers_4xx_and_raises() -> None:
    async with LoopbackListener[str](0) as listener, httpx.AsyncClient() as client:

        async def handle(query: str) -> str:
            raise StateMismatch("the callback's state does not match this flow")

        task = asyncio.ensure_future(listener.serve_one(handle))
        answer = await client.get(listener.redirect_uri + "?state=forged")
        assert answer.status_code == 400
        assert "state_mismatch" in answer.text
        with pytest.raises(StateMismatch):
            await task
