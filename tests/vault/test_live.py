"""``LiveKeyring``: a running process re-reads its keyring file after a rotation, once, single-flight."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from jiragw.errors import DecryptionFailed
from jiragw.secrets import Secret
from jiragw.vault import Keyring, LiveKeyring, peek_kid

AAD = "grants:row-1:access_token"


def _counting_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    loads: list[Path] = []
    real = Keyring.load.__func__  # type: ignore[attr-defined]

    def load(cls: type[Keyring], path: Path) -> Keyring:
        loads.append(path)
        return real(cls, path)  # type: ignore[no-any-return]

    monkeypatch.setattr(Keyring, "load", classmethod(load))
    return loads


def test_a_ring_read_from_a_file_remembers_it(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    assert Keyring.create_file(path).source == path
    assert Keyring.load(path).source == path
    assert Keyring.rotate(path).source == path
    assert Keyring.from_key(Secret(Keyring.new_key())).source is None


def test_a_value_under_a_rotated_key_reloads_the_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keyring.json"
    live = LiveKeyring(Keyring.create_file(path))
    rotated = Keyring.rotate(path)  # another process: `jiragw vault rotate`
    envelope = rotated.encrypt(Secret("canary-live-1"), AAD)  # ... and `jiragw vault rewrap`
    loads = _counting_loads(monkeypatch)
    assert live.decrypt(envelope, AAD) == Secret("canary-live-1")
    assert live.current.primary_kid == rotated.primary_kid  # new writes move to the new key too
    assert live.generation == 1
    assert live.decrypt(envelope, AAD) == Secret("canary-live-1")
    assert len(loads) == 1


def test_concurrent_misses_reload_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keyring.json"
    live = LiveKeyring(Keyring.create_file(path))
    envelope = Keyring.rotate(path).encrypt(Secret("canary-live-2"), AAD)
    loads = _counting_loads(monkeypatch)
    start = threading.Barrier(16)
    results: list[Secret] = []

    def worker() -> None:
        start.wait()
        results.append(live.decrypt(envelope, AAD))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [Secret("canary-live-2")] * 16
    assert len(loads) == 1


def test_an_unknown_key_with_an_unchanged_file_does_not_reread_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keyring.json"
    ring = Keyring.create_file(path)
    live = LiveKeyring(ring)
    foreign = Keyring.from_key(Secret(Keyring.new_key())).encrypt(Secret("x"), AAD)
    loads = _counting_loads(monkeypatch)
    for _ in range(50):
        with pytest.raises(DecryptionFailed, match="unknown key") as info:
            live.decrypt(foreign, AAD)
    assert loads == []  # the file's size, mtime and inode did not change: nothing to re-read
    for text in (ring.primary_kid, "row-1", AAD):
        assert text not in str(info.value)


def test_a_key_from_the_environment_cannot_be_reloaded_and_says_so() -> None:
    live = LiveKeyring(Keyring.from_key(Secret(Keyring.new_key())))
    other = Keyring.from_key(Secret(Keyring.new_key()))
    with pytest.raises(DecryptionFailed, match="JIRAGW_MASTER_KEY") as info:
        live.decrypt(other.encrypt(Secret("x"), AAD), AAD)
    assert other.primary_kid not in str(info.value)
    assert AAD not in str(info.value)
    assert live.reload() is False


def test_explicit_reload_moves_writes_to_the_new_primary(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    live = LiveKeyring(Keyring.create_file(path))
    assert live.reload() is False  # nothing changed
    rotated = Keyring.rotate(path)
    assert live.reload() is True
    assert live.current.primary_kid == rotated.primary_kid
    assert rotated.decrypt(live.encrypt(Secret("canary-live-3"), AAD), AAD) == Secret("canary-live-3")


def test_a_broken_file_keeps_the_ring_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    ring = Keyring.create_file(path)
    live = LiveKeyring(ring)
    envelope = ring.encrypt(Secret("canary-live-4"), AAD)
    foreign = Keyring.from_key(Secret(Keyring.new_key())).encrypt(Secret("x"), AAD)
    path.write_text("not json")  # mode stays 0600
    with pytest.raises(DecryptionFailed, match="unknown key"):
        live.decrypt(foreign, AAD)
    assert live.decrypt(envelope, AAD) == Secret("canary-live-4")


def test_a_write_after_a_rotation_uses_the_new_primary(tmp_path: Path) -> None:
    """An idle process must not seal a new value under the key `rotate` replaced (`retire` may drop it)."""
    path = tmp_path / "keyring.json"
    live = LiveKeyring(Keyring.create_file(path))
    rotated = Keyring.rotate(path)
    envelope = live.encrypt(Secret("canary-live-5"), AAD)
    assert peek_kid(envelope) == rotated.primary_kid
