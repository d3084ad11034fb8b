"""Running the gateway: settings -> store, upstream client, broker, :class:`Gateway` -> uvicorn.

Implements ``jiragw serve`` (docs/architecture.md, "Public interface"):
one process, one event loop, one uvicorn server for the gateway app, whose
lifespan runs the audit writer (so a clean shutdown flushes it).

- Production (:func:`production_settings`): the ``JIRAGW_*`` settings, refusing
  to start without a master key (:class:`~jiragw.errors.MasterKeyMissing`) or a
  public URL (:class:`~jiragw.errors.ConfigError`), since the OAuth
  ``redirect_uri`` must be exact.
- Sandbox mode (:func:`sandbox_settings` + :func:`serve`'s ``sandbox``): a seeded
  sandbox on its own loopback port in the same loop, its demo OAuth clients
  taught the gateway's callback URL, the Atlassian endpoints pointed at it, an
  SQLite store and a keyring file (mode 0600, created when missing) in a data
  directory of their own, so trying the sandbox never touches a real database;
  and, unless ``empty``, the demo connections and key of
  :mod:`jiragw.gateway.sandbox_demo`.

Both servers speak HTTP/1.1 through :mod:`jiragw.gateway.http_limits` (request
heads capped in size and time, connections capped); the gateway's limits and
trusted proxies are :class:`~jiragw.config.ServerOptions` from the environment,
and forwarded headers count only from those proxies (:mod:`jiragw.gateway.forwarded`).
With :class:`Tls` (``serve --certfile/--keyfile``) the gateway serves HTTPS and
every answer carries ``Strict-Transport-Security`` (:data:`HSTS`); on plain
HTTP none does.

Sockets are bound before the app is built, so ``--port 0`` still yields an
exact public URL. Signals are handled here (SIGINT/SIGTERM stop both servers,
gateway first so in-flight proxy calls still reach the sandbox; SIGHUP re-reads
the keyring file); uvicorn's own
signal capture is turned off because two servers share the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import platformdirs
import uvicorn
from sqlalchemy.engine import URL

from jiragw.broker import Broker
from jiragw.config import ServerOptions, Settings
from jiragw.errors import ConfigError, JiragwError, MasterKeyMissing
from jiragw.gateway.aiohttp_transport import AiohttpTransport
from jiragw.gateway.app import create_app
from jiragw.gateway.forwarded import trusting
from jiragw.gateway.http_limits import protocol_class
from jiragw.gateway.logs import AccessLog
from jiragw.gateway.outbound_proxy import OutboundProxies
from jiragw.gateway.sandbox_demo import DemoSetup, prepare_demo
from jiragw.gateway.state import Gateway
from jiragw.gateway.upstream import UpstreamClient
from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring

if TYPE_CHECKING:
    from jiragw.sandbox import Sandbox

__all__ = [
    "HSTS",
    "SANDBOX_DIR_NAME",
    "Served",
    "Tls",
    "bind",
    "bound_url",
    "build_gateway",
    "new_event_loop",
    "production_settings",
    "sandbox_settings",
    "serve",
    "upstream_client",
]

log = logging.getLogger("jiragw.serve")

SANDBOX_DIR_NAME = "sandbox"
_ADMIN_PASSWORD_ENV = "JIRAGW_ADMIN_PASSWORD"  # noqa: S105 - a variable name


@dataclass(frozen=True, slots=True)
class Served:
    """What a running gateway tells its operator (``jiragw serve --json``'s first line)."""

    url: str
    admin_login_url: str | None
    database: str
    master_key_file: str | None
    sandbox: dict[str, Any] | None
    master_key_created: bool = False
    # Sandbox mode: the demo connections ready to use, and the demo key when minted at this start
    # (shown this once; ``demo_key_prefix`` names it either way).
    demo_connections: tuple[str, ...] = ()
    demo_key: Secret | None = None
    demo_key_prefix: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "admin_login_url": self.admin_login_url,
            "sandbox": self.sandbox,
            "database": self.database,
            "master_key_file": self.master_key_file,
            "demo_connections": list(self.demo_connections),
            "demo_key": self.demo_key.reveal() if self.demo_key is not None else None,
        }


# -- settings ----------------------------------------------------------------------------------


def production_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """``Settings.from_env()``, refused without a master key or a public URL."""
    settings = Settings.from_env(environ)
    if settings.master_key is None and settings.master_key_file is None:
        raise MasterKeyMissing(
            "no master key: set JIRAGW_MASTER_KEY (from `jiragw vault new-key`) or JIRAGW_MASTER_KEY_FILE;"
            " or try `jiragw serve --sandbox`"
        )
    if settings.public_url is None:
        raise ConfigError(
            "no public URL: set JIRAGW_PUBLIC_URL to the URL people and Atlassian reach the gateway at"
            " (e.g. https://jira-gw.example.com); the OAuth callback is derived from it"
        )
    return settings


def sandbox_settings(data_dir: Path, *, public_url: str, sandbox_url: str) -> tuple[Settings, bool]:
    """Settings for sandbox mode under ``data_dir``; and whether the keyring file was created now."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file = data_dir / "master.key"
    created = False
    if not key_file.exists():
        try:
            Keyring.create_file(key_file)
            created = True
        except ConfigError:
            # Another process created it between the check and the write: use theirs.
            if not key_file.exists():
                raise
    database = URL.create("sqlite+pysqlite", database=str(data_dir / "jiragw.sqlite3"))
    settings = Settings(
        database_url=database.render_as_string(hide_password=False),
        master_key_file=key_file,
        public_url=public_url,
        atlassian_auth_url=sandbox_url,
        atlassian_api_url=sandbox_url,
    )
    return settings, created


def default_sandbox_dir() -> Path:
    """``<user data dir>/sandbox``: beside, never inside, the default production database."""
    return Path(platformdirs.user_data_dir("jiragw")) / SANDBOX_DIR_NAME


# -- the pieces ----------------------------------------------------------------------------------


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (about twice asyncio's speed per request), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # not on Windows
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def upstream_client(environ: Mapping[str, str] | None = None) -> httpx.AsyncClient:
    """The one shared client for every upstream call: no redirects followed, no cookies kept,
    a generous pool, aiohttp's engine under httpx (see :mod:`jiragw.gateway.aiohttp_transport`),
    and the forward proxies of ``environ``, by default the process's
    (see :mod:`jiragw.gateway.outbound_proxy`)."""
    proxies = OutboundProxies.from_env(os.environ if environ is None else environ)
    return UpstreamClient(
        transport=AiohttpTransport(max_connections=512, keepalive_expiry=30.0, proxies=proxies),
        timeout=httpx.Timeout(60.0, connect=10.0, pool=30.0),
        follow_redirects=False,
    )


def build_gateway(
    settings: Settings,
    store: Store,
    http: httpx.AsyncClient,
    *,
    sandbox_info: dict[str, Any] | None = None,
    admin_password: str | None = None,
) -> Gateway:
    """The :class:`Gateway` over an opened store and client (``settings.public_url`` must be set)."""
    if settings.public_url is None:
        raise ConfigError("the gateway needs a public URL")
    gw = Gateway(
        settings=settings,
        store=store,
        broker=Broker(store, http, actor="gateway"),
        http=http,
        public_url=settings.public_url,
        sandbox_info=sandbox_info,
    )
    if admin_password:
        from jiragw.gateway.admin.sessions import hash_admin_password

        gw.admin_password_hash = hash_admin_password(admin_password)
    return gw


def bind(host: str, port: int) -> socket.socket:
    """A bound (not yet listening) TCP socket; ``port`` 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when proto says TCP,
    # and without it a response written in two parts waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def bound_url(sock: socket.socket, host: str, *, https: bool = False) -> str:
    """``http(s)://host:port`` for a bound socket (a wildcard host shown as loopback)."""
    port = sock.getsockname()[1]
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"{'https' if https else 'http'}://{shown}:{port}"


class _Server(uvicorn.Server):
    """uvicorn with a readiness event and without its own signal capture (two servers, one loop)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.ready.set()


HSTS = "max-age=31536000"


@dataclass(frozen=True, slots=True)
class Tls:
    """The certificate chain and key ``serve --certfile/--keyfile`` serves HTTPS with."""

    certfile: Path
    keyfile: Path | None = None

    def check(self) -> None:
        """Load the pair once, so a wrong path or a mismatched key is a ConfigError before binding."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(self.certfile, self.keyfile)
        except (OSError, ssl.SSLError) as exc:
            # Names the files, never their contents.
            raise ConfigError(
                f"cannot load the TLS certificate {self.certfile}"
                + (f" and key {self.keyfile}" if self.keyfile else "")
                + f": {getattr(exc, 'strerror', None) or exc.__class__.__name__}"
            ) from exc


def _config(
    app: Any, *, lifespan: str, options: ServerOptions | None = None, tls: Tls | None = None
) -> uvicorn.Config:
    options = options or ServerOptions()
    return uvicorn.Config(
        app,
        lifespan=lifespan,  # type: ignore[arg-type]
        access_log=False,
        log_config=None,  # keep the process's logging set-up (JSON lines, redaction)
        log_level="warning",
        # httptools (C) with limits on the request head and on connections (jiragw.gateway.http_limits).
        http=protocol_class(options),
        timeout_keep_alive=options.keep_alive_timeout,
        # Forwarded headers are applied by jiragw.gateway.forwarded, for trusted proxies only.
        proxy_headers=False,
        timeout_graceful_shutdown=5,
        server_header=False,
        headers=[("Strict-Transport-Security", HSTS)] if tls is not None else [],
        ssl_certfile=tls.certfile if tls is not None else None,
        ssl_keyfile=tls.keyfile if tls is not None else None,
    )


@contextlib.asynccontextmanager
async def _running(server: _Server, sock: socket.socket) -> AsyncIterator[asyncio.Task[None]]:
    """Serve ``sock`` from entry (once it accepts connections) to exit (graceful shutdown)."""
    task = asyncio.create_task(server.serve(sockets=[sock]))
    ready = asyncio.create_task(server.ready.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if not server.ready.is_set():
        ready.cancel()
        try:
            await task
        except SystemExit as exc:  # uvicorn exits when the app's lifespan startup fails
            raise ConfigError("the server failed to start (see the log above)") from exc
        raise ConfigError("the server stopped while starting")
    try:
        yield task
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.contextmanager
def _signals(stop: asyncio.Event) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    handled = (signal.SIGINT, signal.SIGTERM)
    for sig in handled:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


@contextlib.contextmanager
def _reload_keys_on_hangup(store: Store) -> Iterator[None]:
    """SIGHUP re-reads the keyring file (after ``jiragw vault rotate``), off the event loop."""
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Future[None]] = set()

    def reload() -> None:
        try:
            changed = store.reload_keyring()
        except JiragwError as exc:
            log.warning("SIGHUP: master keyring not reloaded (%s)", exc.code)
            return
        log.info("SIGHUP: master keyring %s", "reloaded" if changed else "unchanged")

    def on_hangup() -> None:
        future = loop.run_in_executor(None, reload)
        pending.add(future)
        future.add_done_callback(pending.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hangup)
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


def _login_link(store: Store, public_url: str) -> str | None:
    try:
        from jiragw.gateway.admin.sessions import issue_login_link
    except ImportError:  # the admin UI is optional at this layer
        return None
    return issue_login_link(store, public_url)


async def _demo(gw: Gateway, store: Store) -> DemoSetup:
    """The first-run demo; a failure to set it up is reported, and the gateway serves without it."""
    assert gw.sandbox_info is not None
    try:
        return await prepare_demo(gw.broker, store, gw.sandbox_info)
    except JiragwError as exc:
        log.warning("the demo connections and key were not set up: %s [%s]", exc.message, exc.code)
        return DemoSetup(())


# -- the run -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sandboxed:
    sandbox: Sandbox
    server: _Server
    sock: socket.socket
    url: str

    def teach_callback(self, callback_url: str) -> None:
        """Let the demo 3LO and DC OAuth 2.0 clients redirect to the gateway's exact callback."""
        from jiragw.sandbox.oauth import oauth_state

        for app in oauth_state(self.sandbox).apps.apps.values():
            if app.kind in ("3lo", "dc") and callback_url not in app.callback_urls:
                app.callback_urls = (*app.callback_urls, callback_url)

    def describe(self) -> dict[str, Any]:
        from jiragw.sandbox.server import describe

        return describe(self.sandbox, self.url)


def _prepare_sandbox(port: int, seed: int | None) -> _Sandboxed:
    # Imported here: the gateway proper never depends on the emulator.
    from jiragw.sandbox import build_sandbox
    from jiragw.sandbox import create_app as sandbox_app
    from jiragw.sandbox.seeding import random_credential_seed

    # Without a seed, the demo credentials are new at each start (the demo connections follow them).
    creds = random_credential_seed() if seed is None else None
    sbx = build_sandbox(
        sites=["acme"], dcs=["corp"], projects=3, issues=300, seed=seed or 0, credential_seed=creds
    )
    # The seeded data lives as long as the process; keep it out of full GC passes.
    gc.freeze()
    sock = bind("127.0.0.1", port)
    server = _Server(_config(sandbox_app(sbx), lifespan="off"))
    return _Sandboxed(sbx, server, sock, bound_url(sock, "127.0.0.1"))


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    sandbox: bool = False,
    sandbox_port: int = 0,
    seed: int | None = None,
    data_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    on_ready: Callable[[Served], Awaitable[None] | None],
    stop: asyncio.Event | None = None,
    access_log: bool = False,
    empty: bool = False,
    tls: Tls | None = None,
    login_link: bool = True,
) -> None:
    """Serve until SIGINT/SIGTERM (or ``stop`` is set); ``on_ready`` once the gateway accepts connections.

    ``access_log`` adds one ``jiragw.access`` line per request (never the query string). In
    sandbox mode the demo connections and key are set up (:mod:`jiragw.gateway.sandbox_demo`)
    unless ``empty``; the sandbox's demo credentials derive from ``seed`` when given, else are random.
    ``tls`` serves HTTPS (with HSTS on every answer); ``login_link`` issues a one-time admin
    login link for ``on_ready`` (none is stored otherwise). The server's connection limits and
    trusted proxies are :class:`~jiragw.config.ServerOptions` from the environment, in either mode.
    """
    env = os.environ if environ is None else environ
    options = ServerOptions.from_env(env)
    if tls is not None:
        tls.check()
    stop = stop or asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        sbx: _Sandboxed | None = None
        created = False
        if sandbox:
            sbx = _prepare_sandbox(sandbox_port, seed)
            stack.callback(sbx.sock.close)
            sock = stack.enter_context(contextlib.closing(bind(host, port)))
            settings, created = sandbox_settings(
                data_dir or default_sandbox_dir(),
                public_url=bound_url(sock, host, https=tls is not None),
                sandbox_url=sbx.url,
            )
        else:
            settings = production_settings(env)
            sock = stack.enter_context(contextlib.closing(bind(host, port)))
        store = Store.from_settings(settings)
        stack.callback(store.dispose)
        http = await stack.enter_async_context(upstream_client(env))
        if sbx is not None:
            await stack.enter_async_context(_running(sbx.server, sbx.sock))
        gw = build_gateway(settings, store, http, admin_password=env.get(_ADMIN_PASSWORD_ENV) or None)
        demo = DemoSetup(())
        if sbx is not None:
            sbx.teach_callback(gw.callback_url)
            gw.sandbox_info = sbx.describe()
            if not empty:
                demo = await _demo(gw, store)
        stack.enter_context(_signals(stop))
        stack.enter_context(_reload_keys_on_hangup(store))
        # Exits before the sandbox's: in-flight proxy calls still reach it.
        app: Any = create_app(gw)
        if access_log:
            app = AccessLog(app)
        config = _config(trusting(app, options.trusted_proxies), lifespan="on", options=options, tls=tls)
        gateway = await stack.enter_async_context(_running(_Server(config), sock))
        link = await store.call(_login_link, gw.public_url) if login_link else None
        served = Served(
            url=gw.public_url,
            admin_login_url=link,
            database=settings.database_url_redacted,
            master_key_file=str(settings.master_key_file) if settings.master_key_file else None,
            sandbox=gw.sandbox_info,
            master_key_created=created,
            demo_connections=demo.connections,
            demo_key=demo.key,
            demo_key_prefix=demo.key_prefix,
        )
        # Everything built so far (app, routes, scope table, models) lives as long as the process:
        # out of the collector's sight, a full collection no longer walks it (~0.1 ms per proxied call).
        gc.freeze()
        maybe = on_ready(served)
        if maybe is not None:
            await maybe
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait({waiter, gateway}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
