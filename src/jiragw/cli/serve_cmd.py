"""``jiragw serve [--host --port] [--sandbox] [--json] [--certfile --keyfile]``: run the gateway.

See docs/architecture.md, "Public interface". Without ``--sandbox`` it serves
real Atlassian from the ``JIRAGW_*`` settings and refuses to start without a
master key or a public URL. With ``--sandbox`` it also runs a seeded sandbox,
lets its demo OAuth clients redirect to the gateway, keeps its own database
and keyring file under ``--data-dir``, and (unless ``--empty``) connects the
demo site and instance and mints a demo key, shown once.

Once the gateway accepts connections it prints its URL: with ``--json`` as
one JSON object on the first stdout line (human text then goes to stderr),
otherwise as Rich text. A one-time admin login link is issued and shown only
where it cannot end up in a log: in the human text when that goes to a
terminal, and anywhere (``admin_login_url`` in the JSON too) with
``--sandbox`` or ``--print-login-link``; otherwise none is issued at all.
``--certfile``/``--keyfile`` serve HTTPS. SIGINT and SIGTERM stop it cleanly
(exit 0) after the audit writer has flushed.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from ..gateway.server import Served

__all__ = ["serve_command"]


def _configure_logging(as_json: bool) -> None:
    from ..gateway.logs import configure_logging

    configure_logging(json=as_json, level="INFO")


def _print_human(console: Console, served: Served) -> None:
    console.print(f"[bold green]jiragw gateway[/] listening on [bold]{escape(served.url)}[/]")
    if served.admin_login_url:
        console.print(f"  Admin UI: {escape(served.admin_login_url)}  (one-time login link, 15 minutes)")
    else:
        console.print(
            f"  Admin UI: {escape(served.url)}/  (a one-time login link: --print-login-link;"
            " or set JIRAGW_ADMIN_PASSWORD)"
        )
    console.print(
        f"  Jira proxy: {escape(served.url)}/jira/<connection>/rest/api/...  (gateway key as Bearer)"
    )
    console.print(f"  MCP: {escape(served.url)}/mcp   Management API: {escape(served.url)}/api/v1  (/docs)")
    console.print(f"  Database: {escape(served.database)}")
    if served.master_key_file:
        made = "created now, mode 0600" if served.master_key_created else "mode 0600"
        console.print(f"  Master key file: {escape(served.master_key_file)}  ({made})")
    if served.sandbox is not None:
        info = served.sandbox
        console.print(f"[bold]Sandbox[/] on {escape(info['base_url'])}")
        for name, site in info["sites"].items():
            console.print(f"  Cloud site [cyan]{escape(name)}[/]: {escape(site['url'])}")
        for name, dc in info["dc"].items():
            console.print(f"  Data Center [cyan]{escape(name)}[/]: {escape(dc['url'])}")
        alice = next((u for u in info["users"] if u["name"] == "alice"), None)
        if alice is not None:
            console.print(
                f"  Demo user: {escape(alice['email'])}  API token {escape(alice['api_token'])}"
                f"  PAT {escape(alice['pat'])}"
            )
        _print_demo(console, served)
        # The CLI reads the same database and key through these two variables.
        console.print("To use the CLI against this gateway's database:")
        console.print(
            f"  export JIRAGW_DATABASE_URL={escape(shlex.quote(served.database))}"
            f" JIRAGW_MASTER_KEY_FILE={escape(shlex.quote(served.master_key_file or ''))}",
            soft_wrap=True,
        )
    console.print("Press Ctrl+C to stop.")


def _print_demo(console: Console, served: Served) -> None:
    if not served.demo_connections:
        return
    names = ", ".join(served.demo_connections)
    console.print(
        f"  Connected for you: [cyan]{escape(names)}[/]  (the OAuth flows: Admin UI > Connect Jira)"
    )
    first = served.demo_connections[0]
    if served.demo_key is not None:
        key = served.demo_key.reveal()
        console.print(
            f"  Demo gateway key (read/write work; {escape(names)}) - shown this once, keep it:\n"
            f"    [bold]{escape(key)}[/]"
        )
        console.print(
            f"  Try it: curl -H 'Authorization: Bearer {escape(key)}'"
            f" {escape(served.url)}/jira/{escape(first)}/rest/api/2/myself",
            soft_wrap=True,
        )
    elif served.demo_key_prefix:
        console.print(
            f"  Demo gateway key {escape(served.demo_key_prefix)}... exists from an earlier start"
            " (shown then); `jiragw keys revoke demo` and restart for a new one"
        )


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 8080,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Also run a seeded Jira sandbox and point the gateway at it (no Atlassian needed).",
        ),
    ] = False,
    sandbox_port: Annotated[int, typer.Option(help="The sandbox's loopback port (0 picks a free one).")] = 0,
    seed: Annotated[
        int | None,
        typer.Option(
            help="--sandbox: seed of its data and demo credentials (without it: data seed 0,"
            " random credentials at each start).",
            show_default=False,
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="--sandbox: where its database and master-key file live.", show_default=False),
    ] = None,
    empty: Annotated[
        bool,
        typer.Option(
            "--empty", help="--sandbox: start with no connection and no demo key (connect them yourself)."
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object on the first stdout line once serving.")
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log", help="Log one line per request (method, path without query, status, latency)."
        ),
    ] = False,
    print_login_link: Annotated[
        bool,
        typer.Option(
            "--print-login-link",
            help="Print the one-time admin login link even when the output is no terminal (and in --json).",
        ),
    ] = False,
    certfile: Annotated[
        Path | None,
        typer.Option(help="Serve HTTPS with this PEM certificate chain (and HSTS).", show_default=False),
    ] = None,
    keyfile: Annotated[
        Path | None,
        typer.Option(help="The private key of --certfile, when not in the same file.", show_default=False),
    ] = None,
) -> None:
    """Run the gateway: admin UI, OAuth connect flow, Jira-compatible proxy, MCP, management API."""
    import asyncio

    from ..errors import ConfigError
    from ..gateway.server import Tls, new_event_loop, serve

    if keyfile is not None and certfile is None:
        raise ConfigError("--keyfile needs --certfile")
    _configure_logging(as_json)
    console = Console(stderr=as_json, soft_wrap=True)
    # The link signs in as admin: printed where it cannot land in a log file, unless asked for.
    link_for_scripts = sandbox or print_login_link
    link_shown = link_for_scripts or (sys.stderr if as_json else sys.stdout).isatty()

    def ready(served: Served) -> None:
        if as_json:
            data = served.as_json()
            if not link_for_scripts:
                data["admin_login_url"] = None
            sys.stdout.write(json.dumps(data) + "\n")
            sys.stdout.flush()
        _print_human(console, served)

    # A Ctrl+C before the signal handlers are installed (while seeding the sandbox) ends quietly too.
    with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(
            serve(
                host=host,
                port=port,
                sandbox=sandbox,
                sandbox_port=sandbox_port,
                seed=seed,
                data_dir=data_dir,
                on_ready=ready,
                access_log=access_log,
                empty=empty,
                tls=Tls(certfile, keyfile) if certfile is not None else None,
                login_link=link_shown,
            )
        )
