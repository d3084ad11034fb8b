"""Test helpers for the proxy: raw ASGI calls, a recording upstream, and live servers on loopback ports.

- :func:`asgi_call` sends one request to an ASGI app with the exact raw path
  given (httpx normalises ``..`` away before sending, which would hide the
  very inputs the hostile table is about).
- :class:`Recorder` wraps the sandbox app and remembers each request's
  headers; it can add headers to every answer (``Set-Cookie`` and friends).
- :class:`LiveGateway` serves a sandbox (``BackgroundServer``) and a gateway
  in front of it with uvicorn, each on a free loopback port, for the sync
  ``requests``-based PyPI clients.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token, connect_pat
from jiragw.config import Settings
from jiragw.gateway import Gateway, create_app
from jiragw.keys import create_key
from jiragw.sandbox import Sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.secrets import Secret
from jiragw.store import AuditRecord, Store
from jiragw.vault import Keyring


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode()
        return next((v.decode("latin-1") for k, v in self.headers if k.lower() == wanted), None)


async def asgi_call(
    app: ASGIApp,
    method: str,
    raw_path: bytes,
    *,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    body: list[bytes] | None = None,
) -> RawResponse:
    """One HTTP request straight into ``app``; ``body`` chunks are sent with ``more_body``."""
    chunks = list(body or [b""])
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": [(k.lower(), v) for k, v in (headers or [])] + [(b"host", b"gw.test")],
        "client": ("127.0.0.1", 50000),
        "server": ("gw.test", 80),
        "state": {},
    }
    sent: list[Message] = []
    pending = list(chunks)

    async def receive() -> Message:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        await asyncio.Event().wait()  # no more input: wait like a quiet client would
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return RawResponse(start["status"], list(start.get("headers", [])), data)


@dataclass
class Recorder:
    """An ASGI wrapper that records request headers and adds ``extra`` headers to each answer."""

    app: ASGIApp
    extra: list[tuple[bytes, bytes]] = field(default_factory=list)
    seen: list[dict[str, list[str]]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            got: dict[str, list[str]] = {}
            for name, value in scope["headers"]:
                got.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
            self.seen.append(got)

            async def send_extra(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *self.extra]}
                await send(message)

            await self.app(scope, receive, send_extra)
            return
        await self.app(scope, receive, send)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveGateway:
    """A sandbox and a gateway in front of it, both served by uvicorn on loopback ports.

    Connections ``acme`` (Cloud, API token) and ``corp`` (DC, PAT) belong to
    alice; :meth:`key` mints gateway keys.
    """

    def __init__(self, sandbox: Sandbox, data_dir: Path) -> None:
        self.sandbox = sandbox
        self._sandbox_server = BackgroundServer(sandbox)
        self._data_dir = data_dir
        self.url = ""
        self.demo: dict[str, Any] = {}
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self._settings: Settings | None = None
        self._port = 0
        self.store: Store | None = None
        self.gw: Gateway | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        sandbox_url = self._sandbox_server.start()
        self.demo = describe(self.sandbox, sandbox_url)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        keyring = Keyring.create_file(self._data_dir / "keyring.json")
        db_url = f"sqlite:///{self._data_dir / 'gateway.sqlite3'}"
        self.store = store = Store.open(db_url, keyring)
        asyncio.run(self._connect(store))
        self._settings = Settings(
            database_url=db_url,
            public_url=self.url,
            atlassian_auth_url=sandbox_url,
            atlassian_api_url=sandbox_url,
        )
        self._port = port
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._serve()), name="jiragw-gw", daemon=True
        )
        self._thread.start()
        started = threading.Event()
        while not (self._server is not None and self._server.started) and self._thread.is_alive():
            started.wait(0.01)  # uvicorn flips ``started`` from its thread; nothing to wait on but the flag
        if self._server is None or not self._server.started:
            raise RuntimeError("the gateway server did not start")

    async def _serve(self) -> None:
        """In the server thread: the gateway's upstream client lives and dies in this loop."""
        assert self.store is not None
        self.loop = asyncio.get_running_loop()
        async with httpx.AsyncClient(timeout=30) as upstream:
            broker = Broker(self.store, upstream, actor="gateway")
            self.gw = Gateway(
                settings=self._settings, store=self.store, broker=broker, http=upstream, public_url=self.url
            )
            config = uvicorn.Config(
                create_app(self.gw),
                host="127.0.0.1",
                port=self._port,
                log_level="warning",
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=2,
            )
            self._server = uvicorn.Server(config)
            await self._server.serve()

    async def _connect(self, store: Store) -> None:
        alice = next(u for u in self.demo["users"] if u["name"] == "alice")
        async with httpx.AsyncClient(timeout=30) as client:
            broker = Broker(store, client, actor="test")
            await connect_api_token(
                broker,
                name="acme",
                site_url=self.demo["sites"]["acme"]["url"],
                email=alice["email"],
                token=Secret(alice["api_token"]),
            )
            await connect_pat(
                broker, name="corp", dc_url=self.demo["dc"]["corp"]["url"], pat=Secret(alice["pat"])
            )

    def key(self, preset: str = "full") -> str:
        assert self.store is not None
        minted, _ = create_key(
            self.store, name=f"live {preset}", connections=["*"], created_by="test", preset=preset
        )
        return minted.secret.reveal()

    def audit_rows(self) -> list[AuditRecord]:
        """The gateway's proxy audit rows, oldest first, once its buffer is flushed (in its own loop)."""
        assert self.loop is not None
        assert self.gw is not None
        assert self.store is not None
        asyncio.run_coroutine_threadsafe(self.gw.audit.flush(), self.loop).result(timeout=30)
        with self.store.transaction() as tx:
            return [row for row in reversed(tx.audit.tail(10_000)) if row.action == "proxy"]

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sandbox_server.stop()
        if self.store is not None:
            self.store.dispose()

    def running(self) -> Iterator[LiveGateway]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
