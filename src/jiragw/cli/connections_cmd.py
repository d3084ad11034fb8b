"""``jiragw connections {list,show,test,remove}``: what is connected, and whether it works.

DESIGN.md, "Public interface"; issue 3, "Connection states" (each row shows the
grant's status with the reason and time of its last change). ``test`` calls
``myself`` through the broker (refreshing and applying the 401 rule as any
call would). ``--json`` prints data as JSON; nothing printed holds a secret.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from .command import App
from .connect_cmd import open_broker, run

if TYPE_CHECKING:
    from ..broker import ConnectionView

__all__ = ["connections"]

connections = App(help="List, inspect, test and remove connections.")
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _human(view: ConnectionView) -> str:
    reason = f" ({view.status_reason})" if view.status_reason else ""
    warning = f" warning: {view.insecure_warning}" if view.insecure_warning else ""
    return f"{view.name}: {view.method} {view.flavor} {view.site_url} [{view.status}{reason}]{warning}"


@connections.command("list")
def list_cmd(as_json: Json = False) -> None:
    """Every connection with its method, site and status."""
    from ..broker import list_connections

    async def go() -> list[ConnectionView]:
        async with open_broker() as (broker, _):
            return await list_connections(broker)

    views = run(go())
    if as_json:
        typer.echo(json.dumps([v.to_json() for v in views]))
        return
    table = Table("name", "method", "flavor", "site", "status", "since")
    for v in views:
        since = v.status_changed_at.isoformat(timespec="seconds") if v.status_changed_at else ""
        status = v.status
        if v.lifetime_warning and v.reauthorize_by is not None:
            status += f" (re-authorize by {v.reauthorize_by.date().isoformat()})"
        if v.insecure_warning:
            status += f" (warning: {v.insecure_warning})"
        table.add_row(v.name, v.method, v.flavor, v.site_url, status, since)
    Console().print(table)


@connections.command("show")
def show_cmd(name: str, as_json: Json = False) -> None:
    """One connection in full (scopes, expiry, last use, last error)."""
    from ..broker import show_connection

    async def go() -> ConnectionView:
        async with open_broker() as (broker, _):
            return await show_connection(broker, name)

    view = run(go())
    if as_json:
        typer.echo(json.dumps(view.to_json()))
        return
    for key, value in view.to_json().items():
        typer.echo(f"{key}: {value if value is not None else ''}")


@connections.command("test")
def check_cmd(name: str, as_json: Json = False) -> None:
    """Call ``myself`` with the connection's credential."""

    async def go() -> dict[str, str | None]:
        async with open_broker() as (broker, _):
            me = await broker.test(name)
            return {
                "name": name,
                "display_name": me.display_name,
                "account_id": me.account_id,
                "user": me.name,
            }

    result = run(go())
    if as_json:
        typer.echo(json.dumps({"ok": True, **result}))
        return
    typer.echo(f"{name}: ok, authenticated as {result['display_name']}")


@connections.command("remove")
def remove_cmd(
    name: str, yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False
) -> None:
    """Delete the connection (and its grant and sealed secrets once unused)."""
    from ..broker import remove_connection

    if not yes:
        typer.confirm(f"Remove connection {name}?", abort=True)

    async def go() -> None:
        async with open_broker() as (broker, _):
            await remove_connection(broker, name)

    run(go())
    typer.echo(f"removed {name}")
