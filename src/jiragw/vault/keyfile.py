"""The keyring file (``JIRAGW_MASTER_KEY_FILE``): several master keys, one primary.

Format (JSON, UTF-8, mode 0600)::

    {
      "jiragw_keyring": 1,
      "primary": "<kid>",
      "keys": [{"kid": "<kid>", "key": "<base64url 32 bytes>", "created_at": "<ISO 8601 UTC>"}],
      "retired": [{"kid": "<kid>", "retired_at": "<ISO 8601 UTC>"}]
    }

``kid`` is stored for the operator's benefit and checked against the key on
load, so a hand-edited file with a wrong id fails loudly. ``retired`` keeps
only the ids of keys that were removed, so a leftover ciphertext says
"retired key" rather than "unknown key". The file is refused when group or
others may read it; it is rewritten atomically (temp file + rename) under an
exclusive ``flock`` so two concurrent ``vault rotate`` runs cannot drop a key.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from jiragw.config import decode_master_key
from jiragw.errors import ConfigError, MasterKeyMissing
from jiragw.secrets import Secret
from jiragw.vault.envelope import key_id

__all__ = [
    "FORMAT_VERSION",
    "KeyEntry",
    "KeyfileData",
    "locked",
    "now_iso",
    "read_keyfile",
    "write_keyfile",
]

FORMAT_VERSION: Final = 1
_MAX_FILE: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One key of the file; ``key`` is kept out of ``repr``."""

    kid: str
    key: bytes = field(repr=False)
    created_at: str


@dataclass(frozen=True, slots=True)
class KeyfileData:
    """The parsed file: keys by id (file order), the primary id, retired ids with their dates."""

    primary: str
    keys: dict[str, KeyEntry]
    retired: dict[str, str]


def now_iso() -> str:
    """The current UTC time as ISO 8601 with a ``Z``, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _check_mode(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"keyring file {path} is not a regular file")
    if os.name == "posix" and st.st_mode & 0o077:
        raise ConfigError(
            f"keyring file {path} is accessible by group or others "
            f"(mode {stat.S_IMODE(st.st_mode):04o}); run: chmod 600 {path}"
        )


def _fail(path: Path, what: str) -> ConfigError:
    return ConfigError(f"keyring file {path}: {what}")


def _parse(path: Path, doc: Any) -> KeyfileData:
    if not isinstance(doc, dict) or doc.get("jiragw_keyring") != FORMAT_VERSION:
        raise _fail(path, f'not a jiragw keyring (expected "jiragw_keyring": {FORMAT_VERSION})')
    keys: dict[str, KeyEntry] = {}
    raw_keys = doc.get("keys")
    if not isinstance(raw_keys, list) or not raw_keys:
        raise _fail(path, '"keys" must be a non-empty list')
    for index, item in enumerate(raw_keys):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise _fail(path, f'keys[{index}] must be an object with a string "key"')
        raw = decode_master_key(Secret(item["key"]), what=f"keyring file {path}: keys[{index}].key")
        kid = key_id(raw)
        if item.get("kid", kid) != kid:
            raise _fail(path, f"keys[{index}].kid does not match its key (expected {kid})")
        if kid in keys:
            raise _fail(path, f"keys[{index}] duplicates key {kid}")
        created = item.get("created_at", "")
        keys[kid] = KeyEntry(kid=kid, key=raw, created_at=created if isinstance(created, str) else "")
    primary = doc.get("primary")
    if not isinstance(primary, str) or primary not in keys:
        raise _fail(path, '"primary" must be the kid of one of its keys')
    retired: dict[str, str] = {}
    raw_retired = doc.get("retired", [])
    if not isinstance(raw_retired, list):
        raise _fail(path, '"retired" must be a list')
    for index, item in enumerate(raw_retired):
        if not isinstance(item, dict) or not isinstance(item.get("kid"), str):
            raise _fail(path, f'retired[{index}] must be an object with a string "kid"')
        if item["kid"] in keys:
            raise _fail(path, f"retired[{index}] names a key that is still present")
        when = item.get("retired_at", "")
        retired[item["kid"]] = when if isinstance(when, str) else ""
    return KeyfileData(primary=primary, keys=keys, retired=retired)


def read_keyfile(path: Path) -> KeyfileData:
    """Load and validate the keyring file; ConfigError (MasterKeyMissing if absent) on any problem."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError as exc:
        raise MasterKeyMissing(f"keyring file {path} does not exist") from exc
    except OSError as exc:
        raise ConfigError(f"keyring file {path} cannot be opened: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        _check_mode(path, os.fstat(handle.fileno()))
        data = handle.read(_MAX_FILE + 1)
    if len(data) > _MAX_FILE:
        raise _fail(path, "too large")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        # Position only: the JSON text holds key material.
        raise _fail(path, "not valid UTF-8 JSON") from exc
    return _parse(path, doc)


def _render(data: KeyfileData) -> bytes:
    doc = {
        "jiragw_keyring": FORMAT_VERSION,
        "primary": data.primary,
        "keys": [
            {
                "kid": entry.kid,
                "key": base64.urlsafe_b64encode(entry.key).rstrip(b"=").decode("ascii"),
                "created_at": entry.created_at,
            }
            for entry in data.keys.values()
        ],
        "retired": [{"kid": kid, "retired_at": when} for kid, when in data.retired.items()],
    }
    return (json.dumps(doc, indent=2) + "\n").encode("utf-8")


def write_keyfile(path: Path, data: KeyfileData, *, create: bool = False) -> None:
    """Atomically (re)write the file with mode 0600; ``create`` refuses to overwrite."""
    if create and path.exists():
        raise ConfigError(f"keyring file {path} already exists; refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_render(data))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock (``<file>.lock`` beside it) for a read-modify-write of the file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
