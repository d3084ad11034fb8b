"""``jiragw.gateway.server``: settings checks, sandbox-mode files, socket URLs, a served run in-process."""

from __future__ import annotations

import asyncio
import contextlib
import io
import ipaddress
import json
import logging
import os
import re
import shlex
import signal
import socket
import ssl
import stat
import sys
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import text

from jiragw.broker import session as session_module
from jiragw.config import CALLBACK_PATH, Settings
from jiragw.errors import AuthError, ConfigError, MasterKeyMissing
from jiragw.gateway.admin.pages_connections import try_it
from jiragw.gateway.admin.pages_mcp import KEY_PLACEHOLDER
from jiragw.gateway.server import (
    HSTS,
    Served,
    Tls,
    bind,
    bound_url,
    build_gateway,
    production_settings,
    sandbox_settings,
    serve,
    upstream_client,
)
from jiragw.store import KeyRecord, Store
from jiragw.vault import Keyring

from .servers import free_port


def test_production_needs_a_master_key() -> None:
    with pytest.raises(MasterKeyMissing, match="JIRAGW_MASTER_KEY"):
        production_settings({"JIRAGW_PUBLIC_URL": "https://gw.example.com"})


def test_production_needs_a_public_url() -> None:
    with pytest.raises(ConfigError, match="JIRAGW_PUBLIC_URL") as caught:
        production_settings({"JIRAGW_MASTER_KEY": Keyring.new_key()})
    assert caught.value.code == "config_error"


def test_production_settings_when_complete(tmp_path: Path) -> None:
    key = Keyring.new_key()
    settings = production_settings(
        {
            "JIRAGW_MASTER_KEY": key,
            "JIRAGW_PUBLIC_URL": "https://gw.example.com/",
            "JIRAGW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    assert settings.oauth_callback_url == "https://gw.example.com" + CALLBACK_PATH
    assert key not in repr(settings)


def test_sandbox_settings_create_the_key_file_once(tmp_path: Path) -> None:
    data = tmp_path / "nested" / "sandbox"
    first, created = sandbox_settings(data, public_url="http://127.0.0.1:1", sandbox_url="http://127.0.0.1:2")
    assert created
    assert first.master_key_file == data / "master.key"
    assert stat.S_IMODE((data / "master.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    ring = Keyring.load(data / "master.key")
    again, created_again = sandbox_settings(
        data, public_url="http://127.0.0.1:1", sandbox_url="http://127.0.0.1:2"
    )
    assert not created_again
    assert Keyring.load(data / "master.key").primary_kid == ring.primary_kid
    assert again.database_url == first.database_url
    assert again.atlassian_auth_url == again.atlassian_api_url == "http://127.0.0.1:2"
    assert again.oauth_callback_url == "http://127.0.0.1:1" + CALLBACK_PATH


def test_sandbox_settings_refuse_a_readable_key_file(tmp_path: Path) -> None:
    sandbox_settings(tmp_path, public_url="http://127.0.0.1:1", sandbox_url="http://127.0.0.1:2")
    (tmp_path / "master.key").chmod(0o644)
    settings, _ = sandbox_settings(
        tmp_path, public_url="http://127.0.0.1:1", sandbox_url="http://127.0.0.1:2"
    )
    assert settings.master_key_file is not None
    with pytest.raises(ConfigError, match="chmod 600"):
        Keyring.load(settings.master_key_file)


@pytest.mark.parametrize(
    ("host", "shown"),
    [("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"), ("::1", "[::1]")],  # noqa: S104
)
def test_bound_url(host: str, shown: str) -> None:
    if ":" in host and not socket.has_ipv6:
        pytest.fail("this machine has no IPv6 loopback")
    sock = bind(host, 0)
    try:
        assert bound_url(sock, host) == f"http://{shown}:{sock.getsockname()[1]}"
    finally:
        sock.close()


async def test_accepted_connections_get_tcp_nodelay() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP; without it, two-part writes stall."""
    sock = bind("127.0.0.1", 0)
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = writer.get_extra_info("socket")
        accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        assert await accepted != 0
        writer.close()
        await writer.wait_closed()


def test_bind_a_port_in_use_is_a_config_error() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1"):
            bind("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()


async def test_serve_refuses_before_binding_without_a_master_key() -> None:
    async def never(served: Served) -> None:
        raise AssertionError("must not start")

    with pytest.raises(MasterKeyMissing):
        await serve(port=0, environ={"JIRAGW_PUBLIC_URL": "https://gw.example.com"}, on_ready=never)


class Run:
    def __init__(self, served: Served, stop: asyncio.Event, task: asyncio.Task[None]) -> None:
        self.served = served
        self.stop = stop
        self.task = task


@pytest.fixture
async def sandbox_run(tmp_path: Path) -> AsyncIterator[Run]:
    stop = asyncio.Event()
    got: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve(port=0, sandbox=True, data_dir=tmp_path, environ={}, on_ready=got.set_result, stop=stop)
    )
    done, _ = await asyncio.wait({got, task}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        await task  # surfaces the startup error
    run = Run(got.result(), stop, task)
    try:
        yield run
    finally:
        stop.set()
        await task


async def test_sandbox_mode_serves_both_and_stops_cleanly(sandbox_run: Run, tmp_path: Path) -> None:
    served = sandbox_run.served
    assert served.master_key_created
    assert served.master_key_file == str(tmp_path / "master.key")
    assert served.database.endswith(str(tmp_path / "jiragw.sqlite3"))
    assert served.sandbox is not None
    info = served.sandbox
    async with httpx.AsyncClient() as client:
        alice = next(u for u in info["users"] if u["name"] == "alice")
        me = await client.get(
            info["sites"]["acme"]["url"] + "/rest/api/3/myself", auth=(alice["email"], alice["api_token"])
        )
        assert me.status_code == 200
        gateway = await client.get(served.url + "/")
        assert gateway.status_code < 500
        # The sandbox's consent page accepts the gateway's exact callback for the demo 3LO app.
        app = next(a for a in info["oauth_apps"] if a["kind"] == "3lo")
        query = {
            "audience": "api.atlassian.com",
            "client_id": app["client_id"],
            "scope": "read:jira-work offline_access",
            "redirect_uri": served.url + CALLBACK_PATH,
            "state": "s" * 32,
            "response_type": "code",
            "prompt": "consent",
        }
        consent = await client.get(info["auth_url"] + "/authorize?" + urlencode(query))
        assert consent.status_code == 200, consent.text
        query["redirect_uri"] = "http://127.0.0.1:1" + CALLBACK_PATH
        elsewhere = await client.get(info["auth_url"] + "/authorize?" + urlencode(query))
        assert elsewhere.status_code == 400
    sandbox_run.stop.set()
    await sandbox_run.task
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(served.url + "/")
        with pytest.raises(httpx.ConnectError):
            await client.get(info["base_url"] + "/_sandbox/healthz")


async def test_sandbox_mode_login_link_is_for_this_gateway(sandbox_run: Run) -> None:
    link = sandbox_run.served.admin_login_url
    assert link is not None
    assert link.startswith(sandbox_run.served.url + "/login/")
    assert len(link.rsplit("/", 1)[1]) >= 43  # >= 256 bits, base64url


@pytest.mark.parametrize("access_log", [False, True])
async def test_access_log_only_when_asked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, access_log: bool
) -> None:
    environ = {
        "JIRAGW_MASTER_KEY": Keyring.new_key(),
        "JIRAGW_PUBLIC_URL": "https://gw.example.com",
        "JIRAGW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    port = free_port()
    stop = asyncio.Event()
    got: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
    caplog.set_level(logging.INFO, logger="jiragw.access")
    task = asyncio.create_task(
        serve(port=port, environ=environ, on_ready=got.set_result, stop=stop, access_log=access_log)
    )
    try:
        done, _ = await asyncio.wait({got, task}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            await task
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/healthz?code=code-canary-1234")
        assert answer.status_code == 200
    finally:
        stop.set()
        await task
    access = [r for r in caplog.records if r.name == "jiragw.access"]
    if not access_log:
        assert access == []
        return
    (record,) = access
    assert record.getMessage().startswith("GET /healthz 200 ")
    assert "code-canary-1234" not in caplog.text


@contextlib.asynccontextmanager
async def _served(data_dir: Path, **options: Any) -> AsyncIterator[Served]:
    """``serve --sandbox`` on ``data_dir`` from ready to a clean stop."""
    stop = asyncio.Event()
    got: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve(
            port=0, sandbox=True, data_dir=data_dir, environ={}, on_ready=got.set_result, stop=stop, **options
        )
    )
    done, _ = await asyncio.wait({got, task}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        await task
    try:
        yield got.result()
    finally:
        stop.set()
        await task


async def _proxied_myself(served: Served, key: str, connection: str, version: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(
            f"{served.url}/jira/{connection}/rest/api/{version}/myself",
            headers={"Authorization": f"Bearer {key}"},
        )


def _keys_and_connections(served: Served) -> tuple[list[KeyRecord], list[str]]:
    store = Store.from_settings(
        Settings(database_url=served.database, master_key_file=Path(served.master_key_file or ""))
    )
    try:
        with store.transaction() as tx:
            return tx.keys.list(), [c.id for c in tx.connections.list()]
    finally:
        store.dispose()


async def test_sandbox_mode_starts_connected_with_a_working_demo_key(sandbox_run: Run) -> None:
    served = sandbox_run.served
    assert served.demo_connections == ("acme", "corp")
    assert served.demo_key is not None
    key = served.demo_key.reveal()
    assert served.as_json()["demo_key"] == key
    assert served.as_json()["demo_connections"] == ["acme", "corp"]
    assert (await _proxied_myself(served, key, "acme", "3")).status_code == 200
    assert (await _proxied_myself(served, key, "corp", "2")).status_code == 200


async def test_sandbox_mode_empty_has_no_connection_and_no_key(tmp_path: Path) -> None:
    async with _served(tmp_path, empty=True) as served:
        assert served.demo_connections == ()
        assert served.demo_key is None
        assert served.as_json()["demo_key"] is None
        assert _keys_and_connections(served) == ([], [])


async def test_sandbox_mode_restart_is_idempotent(tmp_path: Path) -> None:
    async with _served(tmp_path) as first:
        assert first.demo_key is not None
        key = first.demo_key.reveal()
        keys, connections = _keys_and_connections(first)
    async with _served(tmp_path) as second:
        # A new sandbox port: the demo connections follow it, nothing is added, the key still works.
        assert second.sandbox is not None
        assert first.sandbox is not None
        assert second.sandbox["base_url"] != first.sandbox["base_url"]
        assert second.demo_connections == ("acme", "corp")
        assert second.demo_key is None
        assert second.demo_key_prefix == first.demo_key_prefix
        assert second.as_json()["demo_key"] is None
        assert _keys_and_connections(second) == (keys, connections)
        assert (await _proxied_myself(second, key, "acme", "3")).status_code == 200


async def test_the_try_it_snippets_work_with_the_demo_key(sandbox_run: Run) -> None:
    """The Connections page's curl and Python snippets, run as shown with the placeholder filled in."""
    served = sandbox_run.served
    assert served.demo_key is not None
    key = served.demo_key.reveal()
    snippets = try_it(served.url, "acme", "cloud")
    curl = await asyncio.create_subprocess_exec(
        *shlex.split(snippets["curl"].replace(KEY_PLACEHOLDER, key)),
        "--silent",
        "--fail",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await curl.communicate()
    assert curl.returncode == 0
    assert json.loads(out)["emailAddress"] == "alice@example.com"

    printed = io.StringIO()

    def run_python() -> None:
        with contextlib.redirect_stdout(printed):
            exec(snippets["python"].replace(KEY_PLACEHOLDER, key), {})  # noqa: S102 - the page's own snippet

    await asyncio.to_thread(run_python)
    lines = printed.getvalue().splitlines()
    assert lines[0] == next(u for u in served.sandbox["users"] if u["name"] == "alice")["display_name"]
    assert 2 <= len(lines) <= 6  # recently updated issues, five at most
    assert all(re.match(r"[A-Z][A-Z0-9]+-\d+ ", line) for line in lines[1:])


async def test_a_failed_demo_set_up_does_not_stop_the_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def refuse(*args: Any) -> None:
        raise AuthError("the demo user was refused")

    monkeypatch.setattr("jiragw.gateway.server.prepare_demo", refuse)
    async with _served(tmp_path) as served:
        assert served.demo_connections == ()
        assert served.demo_key is None
        async with httpx.AsyncClient() as client:
            assert (await client.get(served.url + "/healthz")).status_code == 200
    assert "the demo connections and key were not set up: the demo user was refused" in caplog.text


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made here with ``cryptography``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jiragw test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certfile, keyfile


@contextlib.asynccontextmanager
async def _production(tmp_path: Path, port: int, **options: Any) -> AsyncIterator[Served]:
    environ = {
        "JIRAGW_MASTER_KEY": Keyring.new_key(),
        # Plain HTTP on purpose: on HTTPS the cookie is Secure whatever the public URL says.
        "JIRAGW_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "JIRAGW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    stop = asyncio.Event()
    got: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve(port=port, environ=environ, on_ready=got.set_result, stop=stop, **options)
    )
    try:
        done, _ = await asyncio.wait({got, task}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            await task
        yield got.result()
    finally:
        stop.set()
        await task


async def test_https_with_hsts_and_secure_cookies(tmp_path: Path) -> None:
    certfile, keyfile = _self_signed(tmp_path)
    port = free_port()
    trust = ssl.create_default_context(cafile=str(certfile))
    async with _production(tmp_path, port, tls=Tls(certfile, keyfile)) as served:
        assert served.admin_login_url is not None
        async with httpx.AsyncClient(base_url=f"https://127.0.0.1:{port}", verify=trust) as client:
            health = await client.get("/healthz")
            assert health.status_code == 200
            assert health.headers["strict-transport-security"] == HSTS == "max-age=31536000"
            login = await client.get(urlsplit(served.admin_login_url).path)
            assert login.status_code == 303
            cookie = login.headers["set-cookie"]
            assert cookie.startswith("jiragw_admin=")
            assert "secure" in cookie.lower()
            refused = await client.get("/healthz", headers={"X-Long": "a" * 20_000})
            assert refused.status_code == 431
            assert refused.headers["strict-transport-security"] == HSTS
        async with httpx.AsyncClient() as plain:
            with pytest.raises(httpx.HTTPError):
                await plain.get(f"http://127.0.0.1:{port}/healthz")


async def test_plain_http_sends_no_hsts_and_no_secure_cookie(tmp_path: Path) -> None:
    port = free_port()
    async with _production(tmp_path, port) as served, httpx.AsyncClient() as client:
        assert served.admin_login_url is not None
        health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200
        assert "strict-transport-security" not in health.headers
        login = await client.get(served.admin_login_url)
        assert login.status_code == 303
        assert "secure" not in login.headers["set-cookie"].lower()


async def test_no_login_link_is_issued_unless_asked(tmp_path: Path) -> None:
    async with _production(tmp_path, free_port(), login_link=False) as served:
        assert served.admin_login_url is None
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}", None)  # type: ignore[arg-type]
    try:
        with store.transaction() as tx:
            assert tx.session.execute(text("SELECT count(*) FROM admin_tokens")).scalar_one() == 0
    finally:
        store.dispose()


async def test_a_certificate_that_does_not_load_is_a_config_error_before_binding(tmp_path: Path) -> None:
    (tmp_path / "garbage.pem").write_text("not a certificate")
    port = free_port()
    for tls in (Tls(tmp_path / "missing.pem"), Tls(tmp_path / "garbage.pem")):
        with pytest.raises(ConfigError, match="cannot load the TLS certificate"):
            async with _production(tmp_path, port, tls=tls):
                raise AssertionError("must not start")


def test_bound_url_on_https() -> None:
    sock = bind("127.0.0.1", 0)
    try:
        assert bound_url(sock, "0.0.0.0", https=True) == f"https://127.0.0.1:{sock.getsockname()[1]}"  # noqa: S104
    finally:
        sock.close()


def _alice(served: Served) -> dict[str, Any]:
    assert served.sandbox is not None
    return dict(next(u for u in served.sandbox["users"] if u["name"] == "alice"))


async def test_sandbox_mode_credentials_are_new_at_each_start_and_the_demo_follows(tmp_path: Path) -> None:
    async with _served(tmp_path) as first:
        assert first.demo_key is not None
        key = first.demo_key.reveal()
        before = _alice(first)
    async with _served(tmp_path) as second:
        after = _alice(second)
        assert second.sandbox is not None
        for field in ("api_token", "pat", "password"):
            assert after[field] != before[field]
        assert after["account_id"] == before["account_id"]  # the data keeps the default seed
        # The demo connections were reconnected with the new credentials: the old key works on both.
        assert (await _proxied_myself(second, key, "acme", "3")).status_code == 200
        assert (await _proxied_myself(second, key, "corp", "2")).status_code == 200
        async with httpx.AsyncClient() as client:
            stale = await client.get(
                second.sandbox["sites"]["acme"]["url"] + "/rest/api/3/myself",
                auth=(before["email"], before["api_token"]),
            )
        assert stale.status_code == 401


async def test_sandbox_mode_with_a_seed_keeps_its_credentials(tmp_path: Path) -> None:
    async with _served(tmp_path / "a", seed=3) as first:
        before = _alice(first)
    async with _served(tmp_path / "b", seed=3) as second:
        assert _alice(second) == before


async def test_token_calls_go_through_the_environment_proxy(tmp_path: Path) -> None:
    """The broker's token calls share the served upstream client, and so its forward proxy."""
    from jiragw.broker import connect_client_credentials
    from jiragw.sandbox import build_sandbox
    from jiragw.sandbox.server import BackgroundServer, describe
    from jiragw.secrets import Secret

    from .forward_proxy import tinyproxy

    sandbox = build_sandbox(projects=1, issues=1, seed=3)
    with BackgroundServer(sandbox).running() as base, tinyproxy(tmp_path / "proxy") as proxy:
        info = describe(sandbox, base)
        app = next(a for a in info["oauth_apps"] if a["kind"] == "2lo")
        settings, _ = sandbox_settings(tmp_path / "data", public_url="http://127.0.0.1:1", sandbox_url=base)
        store = Store.from_settings(settings)
        try:
            async with upstream_client({"HTTP_PROXY": proxy.url}) as http:
                gw = build_gateway(settings, store, http)
                await connect_client_credentials(
                    gw.broker,
                    name="devops",
                    site_url=info["sites"]["acme"]["url"],
                    api_url=info["api_url"],
                    client_id=app["client_id"],
                    client_secret=Secret(app["client_secret"]),
                )
        finally:
            store.dispose()
        assert f"POST {base}/oauth/token" in proxy.requests()


async def _jiragw_cli(served: Served, *args: str) -> None:
    """``jiragw ARGS`` in another process, on the served gateway's database and keyring file."""
    environ = {
        **os.environ,
        "JIRAGW_DATABASE_URL": served.database,
        "JIRAGW_MASTER_KEY_FILE": served.master_key_file or "",
    }
    environ.pop("JIRAGW_MASTER_KEY", None)
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("jiragw")),
        *args,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


async def test_key_rotation_reaches_a_running_gateway(
    sandbox_run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rotate + rewrap + retire in the CLI: proxied calls go on without a restart; SIGHUP re-reads too."""
    monkeypatch.setattr(session_module, "CREDENTIAL_TTL", 0.0)  # every call re-reads its credential
    hangups: list[Store] = []
    reloaded = threading.Event()
    original = Store.reload_keyring

    def reload_keyring(self: Store) -> bool:
        changed = original(self)
        hangups.append(self)
        reloaded.set()
        return changed

    monkeypatch.setattr(Store, "reload_keyring", reload_keyring)
    served = sandbox_run.served
    assert served.demo_key is not None
    assert served.master_key_file is not None
    key = served.demo_key.reveal()
    path = Path(served.master_key_file)
    old = Keyring.load(path).primary_kid
    assert (await _proxied_myself(served, key, "acme", "3")).status_code == 200

    await _jiragw_cli(served, "vault", "rotate")
    await _jiragw_cli(served, "vault", "rewrap")
    await _jiragw_cli(served, "vault", "retire", old)
    for connection, version in (("acme", "3"), ("corp", "2")):
        response = await _proxied_myself(served, key, connection, version)
        assert response.status_code == 200, response.text
    async with httpx.AsyncClient() as client:
        assert (await client.get(served.url + "/readyz")).status_code == 200

    newest = Keyring.rotate(path).primary_kid  # no rewrap: only SIGHUP tells the gateway
    os.kill(os.getpid(), signal.SIGHUP)
    assert await asyncio.to_thread(reloaded.wait, 10)
    assert [store.keyring.primary_kid for store in hangups] == [newest]
    assert (await _proxied_myself(served, key, "acme", "3")).status_code == 200
