"""The one-shot OAuth callback listener for CLI use without a gateway.

Issue 3, "Client side": ``jiragw connect oauth|dc-oauth|oauth1`` listens on
``http://127.0.0.1:{port}/v1/outbound/oauth/callback`` (RFC 8252 §7.3,
loopback redirection for native apps), serves exactly one request on that
path, hands its query to the flow's finish step and answers the browser with
a short page saying how it went. Requests for other paths get 404 and do not
end the wait. This module is the broker's only socket besides the injected
HTTP client, and it binds to loopback only.

The page never echoes the query (it carries the code and state): the browser
sees a fixed sentence and the error's stable code.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Final, Generic, TypeVar
from urllib.parse import urlsplit

from jiragw.config import CALLBACK_PATH, LOOPBACK_CALLBACK_PORT
from jiragw.errors import JiragwError

__all__ = ["DEFAULT_PORT", "LOOPBACK_HOST", "LoopbackListener"]

T = TypeVar("T")
DEFAULT_PORT: Final = LOOPBACK_CALLBACK_PORT
LOOPBACK_HOST: Final = "127.0.0.1"
_MAX_HEAD: Final = 16384
_REASONS: Final = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
}


class LoopbackListener(Generic[T]):
    """``async with LoopbackListener(port) as listener: result = await listener.serve_one(handle)``."""

    def __init__(self, port: int = DEFAULT_PORT, *, path: str = CALLBACK_PATH) -> None:
        self._port = port
        self._path = path
        self._server: asyncio.Server | None = None
        self._handle: Callable[[str], Awaitable[T]] | None = None
        self._done: asyncio.Future[T] | None = None

    @property
    def port(self) -> int:
        """The bound port (the real one when constructed with port 0)."""
        if self._server is None:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def redirect_uri(self) -> str:
        """The exact redirect URI to register and send: ``http://127.0.0.1:{port}{path}``."""
        return f"http://{LOOPBACK_HOST}:{self.port}{self._path}"

    async def __aenter__(self) -> LoopbackListener[T]:
        self._server = await asyncio.start_server(self._on_client, LOOPBACK_HOST, self._port)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def serve_one(self, handle: Callable[[str], Awaitable[T]]) -> T:
        """Wait for the callback, run ``handle(query)`` and return its result (or raise its error).

        Bound the wait with ``asyncio.timeout`` (the flow's state lives ten minutes).
        """
        self._handle = handle
        self._done = asyncio.get_running_loop().create_future()
        return await self._done

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        try:
            request_line = head[:_MAX_HEAD].split(b"\r\n", 1)[0].decode("latin-1")
            method, target, _ = request_line.split(" ", 2)
        except ValueError:
            await _answer(writer, 400, "Malformed request.")
            return
        parts = urlsplit(target)
        if parts.path != self._path or self._done is None or self._done.done():
            await _answer(writer, 404, "Nothing here.")
            return
        if method != "GET":
            await _answer(writer, 405, "Use GET.")
            return
        assert self._handle is not None
        try:
            result = await self._handle(parts.query)
        except JiragwError as exc:
            await _answer(
                writer, exc.status if 400 <= exc.status < 500 else 400, f"Not connected ({exc.code})."
            )
            if not self._done.done():
                self._done.set_exception(exc)
            return
        except Exception as exc:  # the CLI reports it; the browser gets a generic line
            await _answer(writer, 400, "Not connected (internal error).")
            if not self._done.done():
                self._done.set_exception(exc)
            return
        await _answer(writer, 200, "Connected. You can close this window and return to the terminal.")
        if not self._done.done():
            self._done.set_result(result)


async def _answer(writer: asyncio.StreamWriter, status: int, sentence: str) -> None:
    body = f"<!doctype html><title>jiragw</title><p>{html.escape(sentence)}</p>\n".encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
    ).encode("ascii")
    try:
        writer.write(head + body)
        await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
