"""``jiragw sandbox``: run the Jira emulator alone and print how to reach it.

The emulator is imported when the command runs, not for ``--help``.

Its consent page asks for no login and its demo credentials give full access
to the emulated Jira, so the command listens on loopback only, unless the
operator passes ``--allow-remote`` (and is warned on stderr); and the demo
credentials are random at each start unless ``--seed`` is given, which makes
them reproducible (the data is seeded by the default seed either way).
"""

from __future__ import annotations

import gc
import ipaddress
import json
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..errors import InvalidInput, RemoteNotAllowed, SandboxError

if TYPE_CHECKING:
    from ..sandbox.state import Sandbox

__all__ = ["is_loopback_host", "sandbox"]

_DEFAULT_SEED = 0


def is_loopback_host(host: str) -> bool:
    """Whether binding ``host`` keeps the port on this machine (``localhost`` or a loopback address)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def _check_host(host: str, allow_remote: bool) -> None:
    if is_loopback_host(host):
        return
    if not allow_remote:
        raise RemoteNotAllowed(
            f"the sandbox listens on loopback only, and {host!r} is not a loopback address:"
            " anyone who reaches it can use its demo credentials and its consent page asks for no login;"
            " pass --allow-remote to listen there anyway"
        )
    sys.stderr.write(
        f"WARNING: the sandbox listens on {host}, reachable from other machines. Anyone who reaches it"
        " can use its demo credentials and admin token, and its OAuth consent page asks for no login."
        " Run it on a trusted network only.\n"
    )
    sys.stderr.flush()


def _print_human(console: Console, info: dict[str, Any], load_seconds: float) -> None:
    console.print(f"[bold green]jiragw sandbox[/] listening on [bold]{info['base_url']}[/]")
    for name, site in info["sites"].items():
        console.print(f"  Cloud site [cyan]{name}[/]: {site['url']}  (cloudId {site['cloud_id']})")
    for name, dc in info["dc"].items():
        console.print(f"  Data Center [cyan]{name}[/]: {dc['url']}")
    console.print(f"  Admin endpoint: {info['admin_url']}  (Bearer {info['admin_token']})")
    for app in info.get("oauth_apps", []):
        console.print(
            f"  OAuth app [cyan]{app['name']}[/] ({app['kind']}): client_id {app['client_id']}"
            f"  client_secret {app['client_secret']}"
        )
    table = Table(title="Demo users (Cloud: email + API token; DC: name + password, or PAT)")
    for col in ("email", "name", "api_token", "password", "pat"):
        table.add_column(col)
    for user in info["users"]:
        table.add_row(user["email"], user["name"], user["api_token"], user["password"], user["pat"])
    console.print(table)
    console.print(f"Seeded in {load_seconds:.1f}s. Press Ctrl+C to stop.")


def sandbox(
    host: Annotated[
        str, typer.Option(help="Interface to bind: a loopback address, or any with the flag below.")
    ] = "127.0.0.1",
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote", help="Allow a --host other than loopback (the sandbox has no real login)."
        ),
    ] = False,
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 9000,
    site: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Cloud site name (repeatable).")
    ] = None,
    dc: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Data Center instance name (repeatable).")
    ] = None,
    projects: Annotated[int, typer.Option(help="Projects per instance.")] = 3,
    issues: Annotated[int, typer.Option(help="Issues per instance.")] = 300,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seed for the generated data and the demo credentials (without it: data seed 0,"
            " random credentials at each start).",
            show_default=False,
        ),
    ] = None,
    latency_ms: Annotated[float, typer.Option(help="Fixed latency added to every request.")] = 0.0,
    latency_jitter_ms: Annotated[float, typer.Option(help="Random extra latency, 0..this.")] = 0.0,
    latency_per_issue_ms: Annotated[
        float, typer.Option(help="Extra latency per issue returned with fields beyond id/key.")
    ] = 0.0,
    rate_limit: Annotated[
        float | None, typer.Option(help="Burst budget: requests per second per credential.")
    ] = None,
    error_rate: Annotated[float, typer.Option(help="Fraction of requests answered 500/503.")] = 0.0,
    drop_rate: Annotated[float, typer.Option(help="Fraction of connections dropped mid-response.")] = 0.0,
    access_token_ttl: Annotated[
        float, typer.Option(help="Lifetime of OAuth access tokens in seconds (Atlassian: 3600).")
    ] = 3600.0,
    state: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="SQLite file to load state from and save it to on exit."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object on the first stdout line.")
    ] = False,
) -> None:
    """Run the Jira sandbox: emulated Cloud sites and Data Center instances on one port."""
    import asyncio

    from ..sandbox.oauth import oauth_state
    from ..sandbox.server import describe, serve

    _check_host(host, allow_remote)
    if projects < 0 or issues < 0:
        raise InvalidInput("--projects and --issues must be >= 0")
    if issues and not projects:
        raise InvalidInput("--issues needs at least one project (--projects >= 1)")
    started = time.perf_counter()
    sbx = _load_or_build(state, site or ["acme"], dc or ["corp"], projects, issues, seed)
    try:
        sbx.faults.update(
            {
                "latency_ms": latency_ms,
                "latency_jitter_ms": latency_jitter_ms,
                "latency_per_issue_ms": latency_per_issue_ms,
                "rate_limit": rate_limit,
                "error_rate": error_rate,
                "drop_rate": drop_rate,
            }
        )
        oauth_state(sbx).set_access_token_ttl(access_token_ttl)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    load_seconds = time.perf_counter() - started
    # The seeded data lives as long as the process: keep it out of the cyclic GC's
    # full collections, which otherwise stall requests for ~0.5 s per 100k issues.
    gc.freeze()
    console = Console(stderr=as_json)

    writer = None
    if state is not None:
        from ..sandbox.state.persist import WriteBehind

        writer = WriteBehind(sbx, state, interval=5.0)

    def ready(base_url: str) -> None:
        info = describe(sbx, base_url)
        if writer is not None:
            writer.start()
        if as_json:
            sys.stdout.write(json.dumps(info) + "\n")
            sys.stdout.flush()
        else:
            _print_human(console, info, load_seconds)

    async def run() -> None:
        # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal to the
        # handler that was installed before it; a no-op one lets us save state and exit 0.
        signal.signal(signal.SIGTERM, lambda signum, frame: None)
        try:
            await serve(sbx, host, port, ready)
        finally:
            if writer is not None:
                # Saves whatever changed since the last periodic save.
                await writer.stop()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise SandboxError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _load_or_build(
    state: Path | None, sites: list[str], dcs: list[str], projects: int, issues: int, seed: int | None
) -> Sandbox:
    """The saved state when ``state`` holds one, else a new sandbox.

    Without an explicit ``seed`` the data follows the default seed and the credentials are random.
    """
    from ..sandbox.seeding import build_sandbox, random_credential_seed

    if state is not None and state.exists():
        from ..sandbox.state import persist

        loaded = persist.load(state)
        if loaded is not None:
            return loaded
    return build_sandbox(
        sites=sites,
        dcs=dcs,
        projects=projects,
        issues=issues,
        seed=_DEFAULT_SEED if seed is None else seed,
        credential_seed=random_credential_seed() if seed is None else None,
    )
