from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from jiragw.config import Settings
from jiragw.errors import ConfigError, Conflict, DecryptionFailed, MasterKeyMissing, NotFound
from jiragw.secrets import Secret
from jiragw.vault import Keyring, key_id

HOSTILE = json.loads(Path(__file__).with_name("hostile_keyfiles.json").read_text())["cases"]
KEY = bytes(range(32))
KEY_TEXT = base64.urlsafe_b64encode(KEY).rstrip(b"=").decode()
CANARY = "at-canary-0c4f2e"
AAD = "grants:g1:access_token"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_create_writes_a_private_file_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "keyring.json"
    ring = Keyring.create_file(path, key=Secret(KEY_TEXT))
    assert _mode(path) == 0o600
    doc = json.loads(path.read_text())
    assert doc["jiragw_keyring"] == 1
    assert doc["primary"] == key_id(KEY) == ring.primary_kid
    assert [k["kid"] for k in doc["keys"]] == [key_id(KEY)]
    assert Keyring.load(path).primary_kid == ring.primary_kid
    with pytest.raises(ConfigError, match="already exists"):
        Keyring.create_file(path)


def test_from_settings_with_a_file(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    created = Keyring.create_file(path)
    loaded = Keyring.from_settings(Settings.from_env({"JIRAGW_MASTER_KEY_FILE": str(path)}))
    assert loaded.primary_kid == created.primary_kid
    assert loaded.decrypt(created.encrypt(Secret(CANARY), AAD), AAD) == Secret(CANARY)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_loose_modes_are_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "keyring.json"
    Keyring.create_file(path)
    path.chmod(mode)
    with pytest.raises(ConfigError, match="chmod 600"):
        Keyring.load(path)


def test_missing_file_and_symlink(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyMissing):
        Keyring.load(tmp_path / "absent.json")
    real = tmp_path / "real.json"
    Keyring.create_file(real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(ConfigError, match="cannot be opened"):
        Keyring.load(link)


@pytest.mark.parametrize("case", HOSTILE, ids=[c["name"] for c in HOSTILE])
def test_hostile_keyring_files(tmp_path: Path, case: dict[str, Any]) -> None:
    path = tmp_path / "keyring.json"
    if "bytes_hex" in case:
        data = bytes.fromhex(case["bytes_hex"])
    else:
        data = case["text"].replace("{key}", KEY_TEXT).replace("{kid}", key_id(KEY)).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    with pytest.raises(ConfigError, match=case["message"]) as info:
        Keyring.load(path)
    assert KEY_TEXT not in str(info.value)


def test_rotate_adds_a_primary_and_old_keys_still_decrypt(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    first = Keyring.create_file(path)
    old = first.encrypt(Secret(CANARY), AAD)
    second = Keyring.rotate(path)
    assert second.primary_kid != first.primary_kid
    assert set(second.kids) == {first.primary_kid, second.primary_kid}
    assert second.decrypt(old, AAD) == Secret(CANARY)
    assert Keyring.load(path).primary_kid == second.primary_kid
    assert _mode(path) == 0o600
    third = Keyring.rotate(path)
    assert len(set(third.kids)) == 3
    assert not list(tmp_path.glob(".*.tmp"))


def test_retire_refuses_primary_unknown_and_in_use(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    first = Keyring.create_file(path)
    with pytest.raises(Conflict, match="primary"):
        Keyring.retire(path, first.primary_kid, usage={})
    Keyring.rotate(path)
    with pytest.raises(NotFound):
        Keyring.retire(path, "0123456789abcdef", usage={})
    with pytest.raises(Conflict, match="still encrypts 2") as info:
        Keyring.retire(path, first.primary_kid, usage={first.primary_kid: 2})
    assert info.value.details == {"kid": first.primary_kid, "remaining": 2}
    assert first.primary_kid in Keyring.load(path).kids


def test_retire_removes_the_key_and_remembers_its_id(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    first = Keyring.create_file(path)
    leftover = first.encrypt(Secret(CANARY), AAD)
    Keyring.rotate(path)
    ring = Keyring.retire(path, first.primary_kid, usage={first.primary_kid: 0})
    assert first.primary_kid not in ring.kids
    doc = json.loads(path.read_text())
    assert [r["kid"] for r in doc["retired"]] == [first.primary_kid]
    assert first.primary_kid not in [k["kid"] for k in doc["keys"]]
    with pytest.raises(DecryptionFailed, match="retired key") as info:
        Keyring.load(path).decrypt(leftover, AAD)
    assert CANARY not in str(info.value)
