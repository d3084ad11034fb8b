"""What ``jiragw serve --sandbox`` sets up so that a first run works by itself.

Unless ``--empty`` is given, the gateway in sandbox mode starts with:

- the demo Cloud site ``acme`` connected with a demo user's API token, and the
  Data Center instance ``corp`` with the same user's personal access token, both
  through the broker's ordinary connect flows (so they are checked with
  ``myself`` and stored encrypted like any other connection);
- a demo gateway key named ``demo`` (the "read/write work" preset, both
  connections), whose secret is handed back once, to be shown on the terminal.

Every start on the same data directory is idempotent. The sandbox listens on a
new port at each start (and another ``--seed`` gives other credentials), so an
existing demo connection that no longer matches is reconnected in place
(:func:`jiragw.broker.reconnect_static`): its id stays, and every key bound to
it keeps working. A name taken by a connection of another method is left alone.
An active demo key is never minted again (its secret was shown when it was
made and is stored only as a hash); revoking it makes the next start mint a
fresh one. See docs/architecture.md, "The sandbox".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from jiragw.broker import Broker, connect_api_token, connect_pat, reconnect_static
from jiragw.errors import NotFound
from jiragw.keys import create_key
from jiragw.secrets import Secret
from jiragw.store import ConnectionRecord, GrantMethod, GrantRecord, Store, Tx

__all__ = [
    "DEMO_KEY_CREATOR",
    "DEMO_KEY_NAME",
    "DEMO_KEY_PRESET",
    "DEMO_USER",
    "DemoSetup",
    "DemoSpec",
    "demo_specs",
    "prepare_demo",
]

log = logging.getLogger("jiragw.serve")

DEMO_USER = "alice"
DEMO_KEY_NAME = "demo"
DEMO_KEY_CREATOR = "jiragw serve --sandbox"
DEMO_KEY_PRESET = "read-write-work"


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """One demo connection: its name, method, the sandbox URL and the demo user's credential."""

    name: str
    method: GrantMethod
    url: str
    login: str | None
    secret: Secret


@dataclass(frozen=True, slots=True)
class DemoSetup:
    """What a start prepared: the demo connections ready to use, and the key minted now (if any)."""

    connections: tuple[str, ...]
    key: Secret | None = None  # only when minted at this start: show it once, then drop it
    key_prefix: str | None = None  # the demo key's display prefix, minted now or earlier
    skipped: tuple[str, ...] = ()  # demo names taken by connections of another kind


def demo_specs(sandbox_info: Mapping[str, Any]) -> tuple[DemoSpec, ...]:
    """The demo connections for a sandbox described by ``sandbox_info`` (``describe``'s object)."""
    user = next((u for u in sandbox_info.get("users", ()) if u.get("name") == DEMO_USER), None)
    if user is None:
        return ()
    specs: list[DemoSpec] = []
    sites = sandbox_info.get("sites", {})
    if "acme" in sites:
        specs.append(
            DemoSpec(
                "acme", GrantMethod.API_TOKEN, sites["acme"]["url"], user["email"], Secret(user["api_token"])
            )
        )
    dcs = sandbox_info.get("dc", {})
    if "corp" in dcs:
        specs.append(DemoSpec("corp", GrantMethod.PAT, dcs["corp"]["url"], None, Secret(user["pat"])))
    return tuple(specs)


def _existing(tx: Tx, name: str) -> tuple[ConnectionRecord, GrantRecord] | None:
    try:
        conn = tx.connections.get_by_name(name)
    except NotFound:
        return None
    return conn, tx.grants.get(conn.grant_id)


def _is_current(spec: DemoSpec, conn: ConnectionRecord, grant: GrantRecord) -> bool:
    secret = grant.static_secret.reveal() if grant.static_secret is not None else None
    return (
        conn.site_url == spec.url.rstrip("/") and grant.login == spec.login and secret == spec.secret.reveal()
    )


def _same_site(spec: DemoSpec, conn: ConnectionRecord) -> bool:
    """The demo site at another address: same method checked by the caller, same path (``/sites/acme``)."""
    return urlsplit(conn.site_url).path.rstrip("/") == urlsplit(spec.url).path.rstrip("/")


async def _ensure_connection(broker: Broker, spec: DemoSpec) -> bool:
    """Connect ``spec`` or bring its connection up to date; False when the name is someone else's."""
    found = await broker.store.run(lambda tx: _existing(tx, spec.name))
    if found is None:
        if spec.method is GrantMethod.API_TOKEN:
            await connect_api_token(
                broker, name=spec.name, site_url=spec.url, email=spec.login or "", token=spec.secret
            )
        else:
            await connect_pat(broker, name=spec.name, dc_url=spec.url, pat=spec.secret)
        return True
    conn, grant = found
    if grant.method is not spec.method or grant.login != spec.login or not _same_site(spec, conn):
        return False
    if not _is_current(spec, conn, grant):
        await reconnect_static(broker, name=spec.name, url=spec.url, secret=spec.secret)
    return True


def _active_demo_key(store: Store, now: datetime) -> str | None:
    """The display prefix of an active demo key from an earlier start, if there is one."""
    with store.transaction() as tx:
        for k in tx.keys.list():
            if k.name == DEMO_KEY_NAME and k.created_by == DEMO_KEY_CREATOR and k.status(now) == "active":
                return k.prefix
    return None


def _mint_demo_key(store: Store, connections: tuple[str, ...]) -> tuple[Secret, str]:
    minted, record = create_key(
        store,
        name=DEMO_KEY_NAME,
        connections=connections,
        created_by=DEMO_KEY_CREATOR,
        preset=DEMO_KEY_PRESET,
    )
    return minted.secret, record.prefix


async def prepare_demo(broker: Broker, store: Store, sandbox_info: Mapping[str, Any]) -> DemoSetup:
    """Connect the demo site and instance, and mint the demo key unless an active one exists."""
    ready: list[str] = []
    skipped: list[str] = []
    for spec in demo_specs(sandbox_info):
        if await _ensure_connection(broker, spec):
            ready.append(spec.name)
        else:
            log.warning("demo connection %s not set up: the name is taken by another connection", spec.name)
            skipped.append(spec.name)
    names = tuple(ready)
    if not names:
        return DemoSetup(names, skipped=tuple(skipped))
    existing = await store.call(_active_demo_key, broker.now())
    if existing is not None:
        return DemoSetup(names, key_prefix=existing, skipped=tuple(skipped))
    key, prefix = await store.call(_mint_demo_key, names)
    return DemoSetup(names, key, prefix, tuple(skipped))
