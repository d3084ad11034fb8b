"""``jiragw connect {api-token,basic,pat,client-credentials,oauth,dc-oauth,oauth1}``.

Issue 3, "Client side" and DESIGN.md, "Public interface": every sub-command
takes ``--name``; a secret is read from stdin when stdin is not a terminal
(``printf %s "$TOKEN" | jiragw connect api-token ...``), from a hidden prompt
otherwise, and never from argv. The OAuth flows run the one-shot loopback
listener (:mod:`jiragw.broker.loopback`) and print (or ``--open``) the
authorize URL, which carries ``state`` but never a secret. The master key is
required up front (:class:`~jiragw.errors.MasterKeyMissing`). The broker, the
store and the HTTP client are imported when a command runs, not for ``--help``.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import typer

from ..config import LOOPBACK_CALLBACK_PORT, Settings
from ..errors import InvalidInput
from ..secrets import Secret
from .command import App

if TYPE_CHECKING:
    from ..broker import Broker, Connected, PendingAuthorization

__all__ = ["FLOW_TIMEOUT", "connect", "open_broker", "open_url", "read_secret", "run"]

T = TypeVar("T")
FLOW_TIMEOUT = 600.0  # the state's ten-minute TTL
connect = App(help="Connect jiragw to a Jira site or Data Center instance.")


def open_url(url: str) -> object:
    """The CLI's browser; tests replace it with one that consents on the sandbox."""
    import webbrowser

    return webbrowser.open(url)


def run(coro: Awaitable[T]) -> T:
    import asyncio

    async def main() -> T:
        return await coro

    return asyncio.run(main())


@asynccontextmanager
async def open_broker() -> AsyncIterator[tuple[Broker, Settings]]:
    """Settings from the environment, the store (refusing without a master key), one HTTP client."""
    import httpx

    from ..broker import Broker
    from ..store import Store

    settings = Settings.from_env()
    store = Store.from_settings(settings)
    try:
        async with httpx.AsyncClient(timeout=30.0) as client:
            yield Broker(store, client, actor="cli"), settings
    finally:
        store.dispose()


def read_secret(label: str) -> Secret:
    """A secret from stdin when piped, from a hidden prompt on a terminal; never from argv."""
    if sys.stdin is not None and not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = typer.prompt(label, hide_input=True)
    if not value:
        raise InvalidInput(f"{label} is empty")
    return Secret(value)


def _report(done: Connected, as_json: bool) -> None:
    from ..secure_urls import INSECURE_WARNING

    if done.notice:
        typer.echo(f"warning: {done.notice}", err=True)
    if any(c.allow_insecure_http for c in done.connections):
        typer.echo(f"warning: {INSECURE_WARNING}", err=True)
    if as_json:
        rows = [
            {
                "name": c.name,
                "site_url": c.site_url,
                "flavor": c.flavor.value,
                "allow_insecure_http": c.allow_insecure_http,
            }
            for c in done.connections
        ]
        typer.echo(json.dumps({"grant_id": done.grant_id, "connections": rows, "scopes": list(done.scopes)}))
        return
    for conn in done.connections:
        who = f" as {done.identity.display_name}" if done.identity else ""
        typer.echo(f"connected {conn.name} -> {conn.site_url}{who}")


async def _interactive(
    port: int,
    launch: bool,
    start: Callable[[str], Awaitable[PendingAuthorization]],
    finish: Callable[[str, str], Awaitable[Connected]],
) -> Connected:
    """Start a flow on the loopback redirect URI, show the URL, wait for the one callback."""
    import asyncio

    from ..broker import Connected
    from ..broker.loopback import LoopbackListener

    async with LoopbackListener[Connected](port) as listener:
        redirect = listener.redirect_uri
        pending = await start(redirect)
        typer.echo(f"Open this URL to authorize jiragw:\n{pending.url}", err=True)
        if launch:
            open_url(pending.url)
        async with asyncio.timeout(FLOW_TIMEOUT):
            return await listener.serve_one(lambda query: finish(query, redirect))


Name = Annotated[str, typer.Option("--name", metavar="NAME", help="Connection name (used in /jira/{name}).")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]
Port = Annotated[
    int,
    typer.Option("--callback-port", metavar="PORT", help="Loopback port of the one-shot callback listener."),
]
Open = Annotated[bool, typer.Option("--open", help="Open the authorize URL in a browser.")]
Email = Annotated[str, typer.Option("--email", metavar="EMAIL", help="Atlassian account email.")]
Username = Annotated[str, typer.Option("--username", metavar="USERNAME", help="Data Center username.")]
ClientId = Annotated[str, typer.Option("--client-id", metavar="ID", help="OAuth client id.")]
Scope = Annotated[list[str], typer.Option("--scope", metavar="SCOPE", help="Scope to request (repeatable).")]
Insecure = Annotated[
    bool,
    typer.Option(
        "--allow-insecure-http",
        help="Accept a plain http:// URL for a host other than this machine (credentials travel "
        "unencrypted; the connection is shown with a warning).",
    ),
]


@connect.command("api-token")
def api_token(
    name: Name,
    site: Annotated[str, typer.Option(metavar="URL", help="Cloud site URL.")],
    email: Email,
    allow_insecure_http: Insecure = False,
    as_json: Json = False,
) -> None:
    """Jira Cloud with an API token (read from stdin or a prompt)."""
    from ..broker import connect_api_token

    async def go() -> Connected:
        async with open_broker() as (broker, _):
            token = read_secret("API token")
            return await connect_api_token(
                broker,
                name=name,
                site_url=site,
                email=email,
                token=token,
                allow_insecure_http=allow_insecure_http,
            )

    _report(run(go()), as_json)


@connect.command("basic")
def basic(
    name: Name,
    url: Annotated[str, typer.Option(metavar="URL", help="Data Center base URL.")],
    username: Username,
    allow_insecure_http: Insecure = False,
    as_json: Json = False,
) -> None:
    """Data Center with a password (discouraged; prefer a PAT)."""
    from ..broker import connect_basic

    async def go() -> Connected:
        async with open_broker() as (broker, _):
            password = read_secret("Password")
            return await connect_basic(
                broker,
                name=name,
                dc_url=url,
                username=username,
                password=password,
                allow_insecure_http=allow_insecure_http,
            )

    _report(run(go()), as_json)


@connect.command("pat")
def pat(
    name: Name,
    url: Annotated[str, typer.Option(metavar="URL", help="Data Center base URL.")],
    expires: Annotated[datetime | None, typer.Option(help="When the PAT expires (ISO 8601, UTC).")] = None,
    allow_insecure_http: Insecure = False,
    as_json: Json = False,
) -> None:
    """Data Center with a personal access token."""
    from ..broker import connect_pat

    async def go() -> Connected:
        async with open_broker() as (broker, _):
            token = read_secret("Personal access token")
            when = expires.replace(tzinfo=expires.tzinfo or UTC) if expires else None
            return await connect_pat(
                broker,
                name=name,
                dc_url=url,
                pat=token,
                expires_at=when,
                allow_insecure_http=allow_insecure_http,
            )

    _report(run(go()), as_json)


@connect.command("client-credentials")
def client_credentials(
    name: Name,
    site: Annotated[str, typer.Option(metavar="URL", help="Cloud site URL.")],
    client_id: ClientId,
    allow_insecure_http: Insecure = False,
    as_json: Json = False,
) -> None:
    """OAuth 2.0 client credentials (2LO) for the DevOps builds and deployments APIs."""
    from ..broker import connect_client_credentials

    async def go() -> Connected:
        async with open_broker() as (broker, settings):
            secret = read_secret("Client secret")
            return await connect_client_credentials(
                broker,
                name=name,
                site_url=site,
                api_url=settings.atlassian_api_url,
                client_id=client_id,
                client_secret=secret,
                allow_insecure_http=allow_insecure_http,
            )

    _report(run(go()), as_json)


@connect.command("oauth")
def oauth(
    name: Name,
    client_id: ClientId,
    scope: Scope,
    site: Annotated[
        list[str] | None,
        typer.Option(metavar="SITE", help="Site to connect (name, URL or cloudId; default all)."),
    ] = None,
    callback_port: Port = LOOPBACK_CALLBACK_PORT,
    launch: Open = False,
    as_json: Json = False,
) -> None:
    """Jira Cloud with OAuth 2.0 (3LO): consent in a browser, one connection per chosen site."""
    from ..broker import finish_authorization, start_oauth

    async def go() -> Connected:
        async with open_broker() as (broker, settings):
            secret = read_secret("Client secret")
            me = Secret(secrets.token_urlsafe(32))

            async def start(redirect: str) -> PendingAuthorization:
                return await start_oauth(
                    broker,
                    name=name,
                    auth_url=settings.atlassian_auth_url,
                    api_url=settings.atlassian_api_url,
                    client_id=client_id,
                    scopes=scope,
                    redirect_uri=redirect,
                    initiator=me,
                    sites=site or (),
                )

            async def finish(query: str, redirect: str) -> Connected:
                return await finish_authorization(
                    broker, query=query, initiator=me, client_secret=secret, redirect_uri=redirect
                )

            return await _interactive(callback_port, launch, start, finish)

    _report(run(go()), as_json)


@connect.command("dc-oauth")
def dc_oauth(
    name: Name,
    url: Annotated[str, typer.Option(metavar="URL", help="Data Center base URL.")],
    client_id: ClientId,
    scope: Scope,
    callback_port: Port = LOOPBACK_CALLBACK_PORT,
    launch: Open = False,
    allow_insecure_http: Insecure = False,
    as_json: Json = False,
) -> None:
    """Data Center as OAuth 2.0 provider: authorization code with PKCE S256."""
    from ..broker import finish_authorization, start_dc_oauth

    async def go() -> Connected:
        async with open_broker() as (broker, _):
            secret = read_secret("Client secret")
            me = Secret(secrets.token_urlsafe(32))

            async def start(redirect: str) -> PendingAuthorization:
                return await start_dc_oauth(
                    broker,
                    name=name,
                    dc_url=url,
                    client_id=client_id,
                    scopes=scope,
                    redirect_uri=redirect,
                    initiator=me,
                    allow_insecure_http=allow_insecure_http,
                )

            async def finish(query: str, redirect: str) -> Connected:
                return await finish_authorization(
                    broker, query=query, initiator=me, client_secret=secret, redirect_uri=redirect
                )

            return await _interactive(callback_port, launch, start, finish)

    _report(run(go()), as_json)


def _private_key(path: Path | None, consumer_key: str) -> Secret:
    from ..auth import oauth1

    if path is not None:
        key = Secret(path.read_text(encoding="ascii"))
        oauth1.public_key_pem(key)  # a clean InvalidInput for a bad file
        return key
    pair = oauth1.generate_key_pair()
    typer.echo("Paste into Jira's application link (incoming authentication):", err=True)
    typer.echo(f"  consumer key: {consumer_key}\n  public key:\n{pair.public_key_pem}", err=True)
    if sys.stdin is not None and sys.stdin.isatty():
        typer.prompt("Press Enter once the application link is saved", default="", show_default=False)
    return pair.private_key_pem


@connect.command("oauth1")
def oauth1_cmd(
    name: Name,
    url: Annotated[str, typer.Option(metavar="URL", help="Data Center base URL.")],
    consumer_key: Annotated[
        str | None, typer.Option(metavar="KEY", help="Consumer key (default: a new one).")
    ] = None,
    private_key_file: Annotated[
        Path | None, typer.Option(metavar="FILE", help="PEM private key (default: generate).")
    ] = None,
    oob: Annotated[bool, typer.Option("--oob", help="No callback: paste the verifier Jira shows.")] = False,
    callback_port: Port = LOOPBACK_CALLBACK_PORT,
    launch: Open = False,
    allow_insecure_http: Insecure = False,
    as_json: Json = False,
) -> None:
    """Data Center OAuth 1.0a (RSA-SHA1 application link)."""
    from ..auth import oauth1
    from ..broker import finish_oauth1, finish_oauth1_oob, start_oauth1

    key_name = consumer_key or oauth1.suggest_consumer_key()

    async def go() -> Connected:
        async with open_broker() as (broker, _):
            key = _private_key(private_key_file, key_name)
            me = Secret(secrets.token_urlsafe(32))
            common: dict[str, Any] = {
                "name": name,
                "dc_url": url,
                "consumer_key": key_name,
                "private_key": key,
                "allow_insecure_http": allow_insecure_http,
            }
            if oob:
                pending = await start_oauth1(broker, initiator=me, **common)
                typer.echo(f"Open this URL to authorize jiragw:\n{pending.url}", err=True)
                if launch:
                    open_url(pending.url)
                token = Secret(parse_qs(urlsplit(pending.url).query)["oauth_token"][0])
                verifier = read_secret("Verifier shown by Jira")
                return await finish_oauth1_oob(
                    broker, request_token=token, verifier=verifier, initiator=me, private_key=key
                )

            async def start(redirect: str) -> PendingAuthorization:
                return await start_oauth1(broker, initiator=me, callback_uri=redirect, **common)

            async def finish(query: str, redirect: str) -> Connected:
                return await finish_oauth1(broker, query=query, initiator=me, private_key=key)

            return await _interactive(callback_port, launch, start, finish)

    _report(run(go()), as_json)
