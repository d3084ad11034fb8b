"""The vault seen through a running gateway: key rotation without restart, readiness, address seals.

- ``jiragw vault rotate && jiragw vault rewrap`` in another process (the CLI,
  a real subprocess): the next proxied call succeeds without a restart.
- ``/readyz`` is not ready when the keyring cannot open the stored canary.
- A decryption failure or a changed address answers with a stable code and no
  internal ids (key ids, row ids, AAD) in the body; a changed address makes no
  upstream call at all.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, select, update

from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring, aad_for

from .conftest import Env

pytestmark = pytest.mark.usefixtures("backend")

JIRAGW = str(Path(sys.executable).with_name("jiragw"))


async def cli(env: Env, keyring_path: Path, *args: str) -> str:
    """Run ``jiragw ARGS`` in another process against this gateway's database and keyring file."""
    environ = {
        **os.environ,
        "JIRAGW_DATABASE_URL": env.store.engine.url.render_as_string(hide_password=False),
        "JIRAGW_MASTER_KEY_FILE": str(keyring_path),
    }
    environ.pop("JIRAGW_MASTER_KEY", None)
    proc = await asyncio.create_subprocess_exec(
        JIRAGW, *args, env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def myself(env: Env, key: str, connection: str = "acme") -> Any:
    return await env.client.get(
        f"/jira/{connection}/rest/api/3/myself", headers={"Authorization": f"Bearer {key}"}
    )


def _internal_ids(env: Env) -> list[str]:
    ids: list[str] = list(env.store.keyring.kids)
    with env.store.transaction() as tx:
        for conn in tx.connections.list():
            ids += [conn.id, conn.grant_id, f"grants:{conn.grant_id}", f"connections:{conn.id}"]
    return ids


async def test_rotate_and_rewrap_in_another_process_need_no_restart(env: Env, keyring_path: Path) -> None:
    await env.connect_cloud()
    key, _ = env.key()
    assert (await myself(env, key)).status_code == 200
    old = env.store.keyring.primary_kid

    await cli(env, keyring_path, "vault", "rotate")
    await cli(env, keyring_path, "vault", "rewrap")
    await cli(env, keyring_path, "vault", "retire", old)
    env.gw.broker.session.forget()  # what the credential cache's few seconds would do

    response = await myself(env, key)
    assert response.status_code == 200, response.text
    assert env.store.keyring.primary_kid != old  # re-read from the file, once
    ready = await env.client.get("/readyz")
    assert ready.status_code == 200, ready.text


async def test_readyz_is_not_ready_when_the_keyring_cannot_open_the_canary(env: Env) -> None:
    assert (await env.client.get("/readyz")).status_code == 200
    wrong = Keyring.from_key(Secret(Keyring.new_key()))
    env.gw.store = Store(env.store.engine, wrong)
    response = await env.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["master_key"]
    assert body["checks"]["database"] == "ok"
    for kid in (*env.store.keyring.kids, wrong.primary_kid):
        assert kid not in response.text


@pytest.mark.parametrize("how", ["unknown_key", "tampered"])
async def test_a_decryption_failure_shows_no_internal_ids(env: Env, how: str) -> None:
    conn = await env.connect_cloud()
    key, _ = env.key()
    ids = _internal_ids(env)
    grants = Table("grants", MetaData(), autoload_with=env.store.engine)
    if how == "unknown_key":  # a value under a key the keyring file does not hold (a botched restore)
        foreign = Keyring.from_key(Secret(Keyring.new_key()))
        ids.append(foreign.primary_kid)
        value = foreign.encrypt(Secret("canary-foreign"), aad_for("grants", conn.grant_id, "static_secret"))
    else:  # the right key, the wrong bytes
        with env.store.engine.connect() as db:
            stored = db.execute(
                select(grants.c.static_secret_enc).where(grants.c.id == conn.grant_id)
            ).scalar_one()
        value = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with env.store.engine.begin() as db:
        db.execute(update(grants).where(grants.c.id == conn.grant_id).values(static_secret_enc=value))
    env.gw.broker.session.forget()
    before = env.upstream_calls()
    response = await myself(env, key)
    assert response.status_code == 500
    assert response.json()["jiragw"]["code"] == "decryption_failed"
    assert env.upstream_calls() == before
    for internal in ids:
        assert internal not in response.text
    assert "canary-foreign" not in response.text


@pytest.mark.parametrize(("table", "column"), [("connections", "api_base_url"), ("grants", "api_url")])
async def test_a_changed_address_sends_the_credential_nowhere(env: Env, table: str, column: str) -> None:
    conn = await env.connect_cloud()
    key, _ = env.key()
    assert (await myself(env, key)).status_code == 200
    ids = _internal_ids(env)
    row_id = conn.id if table == "connections" else conn.grant_id
    t = Table(table, MetaData(), autoload_with=env.store.engine)
    with env.store.engine.begin() as db:
        db.execute(update(t).where(t.c.id == row_id).values({column: "http://evil.test/sites/acme"}))
    env.gw.broker.session.forget()
    before = env.upstream_calls()

    response = await myself(env, key)
    assert response.status_code == 500
    assert response.json()["jiragw"]["code"] == "destination_changed"
    assert env.upstream_calls() == before  # every host is the sandbox here: nothing was sent anywhere
    for internal in ids:
        assert internal not in response.text
