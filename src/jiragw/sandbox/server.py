"""Serving the sandbox on a real port: uvicorn, readiness, and the description JSON.

:func:`describe` is the object ``jiragw sandbox --json`` prints (base URLs,
instances, demo credentials, admin endpoint, the demo OAuth clients). :func:`serve` runs uvicorn and
calls ``on_ready(base_url)`` once the socket accepts connections.
:class:`BackgroundServer` runs the same in a thread, for tests and for
embedding the sandbox next to another server.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import uvicorn

from .app import create_app
from .oauth.registration import describe_apps
from .state.sandbox import Sandbox

__all__ = ["BackgroundServer", "describe", "serve"]


def describe(sandbox: Sandbox, base_url: str) -> dict[str, Any]:
    """The sandbox's URLs and demo credentials as one JSON-able object."""
    base = base_url.rstrip("/")
    any_instance = next(iter(sandbox.all_instances()), None)
    users = []
    if any_instance is not None:
        for user in any_instance.users.values():
            users.append(
                {
                    "email": user.email,
                    "name": user.username,
                    "display_name": user.display_name,
                    "account_id": user.account_id,
                    "api_token": user.api_token,
                    "password": user.password,
                    "pat": user.pat,
                    "permissions": sorted(user.permissions),
                }
            )
    return {
        "base_url": base,
        "auth_url": base,
        "api_url": base,
        "sites": {
            name: {"url": f"{base}/sites/{name}", "cloud_id": inst.cloud_id}
            for name, inst in sandbox.sites.items()
        },
        "dc": {name: {"url": f"{base}/dc/{name}"} for name in sandbox.dcs},
        "users": users,
        "admin_url": f"{base}/_sandbox",
        "admin_token": sandbox.admin_token,
        "seed": sandbox.seed,
        "oauth_apps": describe_apps(sandbox),
    }


def _config(sandbox: Sandbox, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(sandbox),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )


def _bound_url(server: uvicorn.Server, host: str) -> str:
    sock = server.servers[0].sockets[0]
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - a display choice, not a bind
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


async def serve(
    sandbox: Sandbox,
    host: str,
    port: int,
    on_ready: Callable[[str], Awaitable[None] | None],
) -> None:
    """Serve until cancelled or interrupted; ``on_ready(base_url)`` once accepting."""
    server = uvicorn.Server(_config(sandbox, host, port))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task  # re-raises the startup error (port in use, ...)
            return
        await asyncio.sleep(0.01)
    maybe = on_ready(_bound_url(server, host))
    if maybe is not None:
        await maybe
    await task


class BackgroundServer:
    """The sandbox served by uvicorn in a daemon thread on a free loopback port."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self._server = uvicorn.Server(_config(sandbox, host, port))
        self._host = host
        self._thread = threading.Thread(target=self._server.run, name="jiragw-sandbox", daemon=True)
        self.base_url = ""

    def start(self, timeout: float = 10.0) -> str:
        self._thread.start()
        ready = threading.Event()
        # uvicorn flips ``started`` from its own thread; poll it with a short wait.
        for _ in range(int(timeout / 0.01)):
            if self._server.started:
                ready.set()
                break
            if not self._thread.is_alive():
                break
            ready.wait(0.01)
        if not ready.is_set():
            raise RuntimeError("the sandbox server did not start")
        self.base_url = _bound_url(self._server, self._host)
        return self.base_url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        url = self.start()
        try:
            yield url
        finally:
            self.stop()
