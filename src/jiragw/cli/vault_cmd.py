"""``jiragw vault {new-key,rotate,rewrap,retire}``: the master keys of the secrets at rest.

``new-key`` prints a fresh 32-byte base64url key
(for ``JIRAGW_MASTER_KEY``); ``rotate`` adds a new primary key to the keyring
file (``JIRAGW_MASTER_KEY_FILE``) so new writes use it while old ciphertexts
still read; ``rewrap`` re-encrypts every stored secret under the primary key;
``retire KID`` removes an old key once nothing is left under it (secrets,
address seals and the canary all count).

A running gateway needs no restart after ``rotate`` and ``rewrap``: it re-reads
the keyring file when it meets a value under a key it has not loaded, and on
SIGHUP.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..config import Settings
from ..errors import ConfigError
from .command import App

__all__ = ["vault"]

vault = App(help="Master keys: new key, rotate, rewrap, retire.")
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _keyfile(settings: Settings) -> Path:
    if settings.master_key_file is None:
        raise ConfigError("rotate, rewrap and retire work on a keyring file: set JIRAGW_MASTER_KEY_FILE")
    return settings.master_key_file


@vault.command("new-key")
def new_key() -> None:
    """Print a fresh master key (32 random bytes, base64url) for JIRAGW_MASTER_KEY."""
    from ..vault import Keyring

    typer.echo(Keyring.new_key())


@vault.command("rotate")
def rotate(as_json: Json = False) -> None:
    """Add a new primary key to the keyring file; old keys still decrypt."""
    from ..vault import Keyring

    ring = Keyring.rotate(_keyfile(Settings.from_env()))
    if as_json:
        typer.echo(json.dumps({"primary": ring.primary_kid, "kids": list(ring.kids)}))
    else:
        typer.echo(f"new primary key {ring.primary_kid}; run `jiragw vault rewrap` next")


@vault.command("rewrap")
def rewrap(as_json: Json = False) -> None:
    """Re-encrypt every stored secret under the primary key."""
    from ..store import Store

    settings = Settings.from_env()
    store = Store.from_settings(settings)
    try:
        result = store.rewrap_all()
        usage = store.count_by_kid()
    finally:
        store.dispose()
    if as_json:
        out = {"rewrapped": result.rewrapped, "current": result.current, "rebound": result.rebound}
        typer.echo(json.dumps({**out, "by_kid": usage}))
    else:
        typer.echo(
            f"re-encrypted {result.total_rewrapped} value(s); {result.current} already current; "
            f"{result.rebound} address seal(s) and canary re-sealed"
        )


@vault.command("retire")
def retire(kid: str) -> None:
    """Remove an old key from the keyring file (refused while values are still under it)."""
    from ..store import Store
    from ..vault import Keyring

    settings = Settings.from_env()
    path = _keyfile(settings)
    store = Store.from_settings(settings)
    try:
        usage = store.key_usage()
    finally:
        store.dispose()
    Keyring.retire(path, kid, usage=usage)
    typer.echo(f"retired key {kid}")
