"""``jiragw keys {create,list,revoke}``: inbound gateway keys from the command line.

The work is done by :mod:`jiragw.keys` (the one implementation the API and
admin UI share) over the local store. ``create`` prints the new key once (with
``--json``: one JSON object on the first stdout line, with ``"key"``); no
other command ever prints it, and nothing secret is read from argv. The key
administration and the store are imported when a command runs, not for
``--help``; the preset names in ``create --help`` are checked against the
presets themselves by the tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..config import Settings
from ..errors import InvalidInput
from .command import App

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["PRESET_NAMES", "keys", "open_store", "parse_duration"]

keys = App(help="Create, list and revoke inbound gateway keys (jgw_...).")
# For --help only, which must not load the scope table: the presets' names, in their order.
PRESET_NAMES = ("read-only", "read-write-work", "full", "admin")
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ACTOR = "cli"
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@contextmanager
def open_store() -> Iterator[Store]:
    """The local store the environment describes (``JIRAGW_DATABASE_URL``, master key)."""
    from ..store import Store

    store = Store.from_settings(Settings.from_env())
    try:
        yield store
    finally:
        store.dispose()


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``2w`` (a bare number is days)."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*([mhdw]?)\s*", text.lower())
    if match is None or int(match.group(1)) == 0:
        raise InvalidInput(f"--expires-in {text!r}: give a positive number with m, h, d or w (e.g. 30d)")
    return int(match.group(1)) * _UNITS[match.group(2) or "d"]


def _parse_when(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(f"--expires-at {text!r} is not an ISO 8601 date or time") from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _names(store: Store) -> dict[str, str]:
    with store.transaction() as tx:
        return {c.id: c.name for c in tx.connections.list()}


@keys.command("create")
def create_cmd(
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="A label for the key.")],
    connection: Annotated[
        list[str],
        typer.Option(
            "--connection", "-c", metavar="NAME", help="A connection it may use (repeat), or '*' for all."
        ),
    ],
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            metavar="PRESET",
            help=f"Scope ceiling preset: {', '.join(PRESET_NAMES)} (default read-only).",
        ),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope", metavar="SCOPE", help="A scope of a custom ceiling (repeat); instead of --preset."
        ),
    ] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Allow read operations only.")] = False,
    expires_in: Annotated[
        str | None, typer.Option("--expires-in", metavar="DURATION", help="Lifetime, e.g. 30d, 12h, 2w.")
    ] = None,
    expires_at: Annotated[
        str | None,
        typer.Option(
            "--expires-at", metavar="WHEN", help="Expiry as ISO 8601 (UTC when no offset is given)."
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Create a key and print it once; store it now, it cannot be shown again."""
    from ..keys import create_key, key_json

    if preset is not None and scope:
        raise InvalidInput("give --preset or --scope, not both")
    if expires_in is not None and expires_at is not None:
        raise InvalidInput("give --expires-in or --expires-at, not both")
    with open_store() as store:
        expires = None
        if expires_in is not None:
            expires = store.clock() + parse_duration(expires_in)
        elif expires_at is not None:
            expires = _parse_when(expires_at)
        minted, record = create_key(
            store,
            name=name,
            connections=connection,
            created_by=ACTOR,
            preset=None if scope else (preset or "read-only"),
            scopes=scope or None,
            read_only=True if read_only else None,
            expires_at=expires,
        )
        view = key_json(record, store.clock(), _names(store))
    secret = minted.secret.reveal()
    if as_json:
        typer.echo(json.dumps({**view, "key": secret}))
        return
    typer.echo(f"Created key {record.name} ({record.id}). It is shown only now; store it safely:\n")
    typer.echo(secret)
    typer.echo(
        "\nUse it as 'Authorization: Bearer <key>' (or as the Basic password) on /jira/{connection}/...",
        err=True,
    )


@keys.command("list")
def list_cmd(as_json: Json = False) -> None:
    """Every key: status, ceiling, connections, expiry and last use (never the key)."""
    from ..keys import key_json, list_keys

    with open_store() as store:
        now = store.clock()
        names = _names(store)
        views = [key_json(r, now, names) for r in list_keys(store)]
    if as_json:
        typer.echo(json.dumps(views))
        return
    table = Table("id", "name", "prefix", "status", "ceiling", "connections", "expires", "last used")
    for v in views:
        ceiling = ("read-only " if v["read_only"] else "") + (
            " ".join(v["scopes"]) if len(v["scopes"]) <= 3 else f"{len(v['scopes'])} scopes"
        )
        table.add_row(
            v["id"],
            v["name"],
            v["prefix"] + "…",
            v["status"],
            ceiling,
            ", ".join(v["connections"]),
            (v["expires_at"] or "never")[:19],
            (v["last_used_at"] or "")[:19],
        )
    Console().print(table)


@keys.command("revoke")
def revoke_cmd(
    ref: Annotated[str, typer.Argument(metavar="KEY", help="The key's id, or its name.")],
    as_json: Json = False,
) -> None:
    """Revoke a key (at once for this process; a running gateway notices within seconds)."""
    from ..keys import key_json, revoke_key

    with open_store() as store:
        record = revoke_key(store, ref, actor=ACTOR)
        view = key_json(record, store.clock(), _names(store))
    if as_json:
        typer.echo(json.dumps(view))
        return
    typer.echo(f"revoked {record.name} ({record.id})")
