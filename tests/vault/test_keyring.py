from __future__ import annotations

import base64
import logging
import pickle

import pytest

from jiragw.config import Settings
from jiragw.errors import DecryptionFailed, MasterKeyMissing
from jiragw.secrets import Secret
from jiragw.vault import Envelope, Keyring, aad_for, key_id
from jiragw.vault.envelope import NONCE_BYTES

CANARY = "rt-canary-9d81c0-secret-refresh-token"
AAD = "grants:3f7c:refresh_token"
KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode()


def _flip(envelope: str, index: int) -> str:
    parsed = Envelope.parse(envelope)
    raw = bytearray(parsed.nonce + parsed.ciphertext)
    raw[index] ^= 0x01
    return Envelope(parsed.kid, bytes(raw[:NONCE_BYTES]), bytes(raw[NONCE_BYTES:])).encode()


def _assert_clean(exc: BaseException, *keys: bytes) -> None:
    text = f"{exc} {exc!r} {exc.args}"
    assert CANARY not in text
    for key in keys:
        assert _b64(key) not in text
        assert key.hex() not in text


def test_round_trip_and_fresh_nonces() -> None:
    ring = Keyring([KEY_A])
    one = ring.encrypt(Secret(CANARY), AAD)
    two = ring.encrypt(Secret(CANARY), AAD)
    assert one != two
    assert Envelope.parse(one).nonce != Envelope.parse(two).nonce
    assert CANARY not in one
    assert ring.decrypt(one, AAD) == Secret(CANARY)
    assert ring.decrypt_bytes(two, AAD) == CANARY.encode()


def test_bytes_plaintext_and_non_text_values() -> None:
    ring = Keyring([KEY_A])
    blob = bytes(range(256))
    envelope = ring.encrypt(blob, AAD)
    assert ring.decrypt_bytes(envelope, AAD) == blob
    with pytest.raises(DecryptionFailed, match="not text"):
        ring.decrypt(envelope, AAD)


def test_empty_secret_round_trips() -> None:
    ring = Keyring([KEY_A])
    assert ring.decrypt(ring.encrypt(Secret(""), AAD), AAD) == Secret("")


@pytest.mark.parametrize(
    "index",
    [0, 5, NONCE_BYTES - 1, NONCE_BYTES, NONCE_BYTES + 10, -16, -1],
    ids=["nonce-first", "nonce-mid", "nonce-last", "ct-first", "ct-mid", "tag-first", "tag-last"],
)
def test_bit_flips_are_detected(index: int) -> None:
    ring = Keyring([KEY_A])
    envelope = ring.encrypt(Secret(CANARY), AAD)
    with pytest.raises(DecryptionFailed, match="failed authentication") as info:
        ring.decrypt(_flip(envelope, index), AAD)
    _assert_clean(info.value, KEY_A)


@pytest.mark.parametrize(
    "other",
    [
        "grants:3f7d:refresh_token",  # another row
        "grants:3f7c:access_token",  # another column
        "oauth_states:3f7c:refresh_token",  # another table
        "grants:3f7c:refresh_token ",
        "",
    ],
)
def test_wrong_aad_is_detected(other: str) -> None:
    ring = Keyring([KEY_A])
    envelope = ring.encrypt(Secret(CANARY), AAD)
    with pytest.raises(DecryptionFailed) as info:
        ring.decrypt(envelope, other)
    _assert_clean(info.value, KEY_A)


def test_kid_substitution_is_detected() -> None:
    # Re-label a ciphertext with another key id that the ring knows: GCM still refuses it.
    ring = Keyring([KEY_A, KEY_B])
    envelope = Envelope.parse(ring.encrypt(Secret(CANARY), AAD))
    forged = Envelope(key_id(KEY_B), envelope.nonce, envelope.ciphertext).encode()
    with pytest.raises(DecryptionFailed):
        ring.decrypt(forged, AAD)


def test_unknown_key() -> None:
    envelope = Keyring([KEY_B]).encrypt(Secret(CANARY), AAD)
    with pytest.raises(DecryptionFailed, match="unknown key") as info:
        Keyring([KEY_A]).decrypt(envelope, AAD)
    _assert_clean(info.value, KEY_A, KEY_B)


def test_retired_key_is_named_as_such() -> None:
    envelope = Keyring([KEY_B]).encrypt(Secret(CANARY), AAD)
    ring = Keyring([KEY_A], retired=[key_id(KEY_B)])
    with pytest.raises(DecryptionFailed, match="retired key"):
        ring.decrypt(envelope, AAD)


def test_truncation_at_every_length_fails() -> None:
    ring = Keyring([KEY_A])
    envelope = ring.encrypt(Secret(CANARY), AAD)
    for cut in range(len(envelope)):
        with pytest.raises(DecryptionFailed):
            ring.decrypt(envelope[:cut], AAD)


def test_primary_encrypts_and_every_key_decrypts() -> None:
    old = Keyring([KEY_A])
    envelope = old.encrypt(Secret(CANARY), AAD)
    both = Keyring([KEY_A, KEY_B], primary=key_id(KEY_B))
    assert both.primary_kid == key_id(KEY_B)
    assert set(both.kids) == {key_id(KEY_A), key_id(KEY_B)}
    assert both.decrypt(envelope, AAD) == Secret(CANARY)
    assert not both.is_current(envelope)
    fresh = both.encrypt(Secret(CANARY), AAD)
    assert both.is_current(fresh)
    assert Envelope.parse(fresh).kid == key_id(KEY_B)


def test_constructor_validation() -> None:
    with pytest.raises(MasterKeyMissing):
        Keyring([])
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring([b"short"])
    with pytest.raises(ValueError, match="primary"):
        Keyring([KEY_A], primary="0123456789abcdef")


def test_from_settings() -> None:
    ring = Keyring.from_settings(Settings.from_env({"JIRAGW_MASTER_KEY": _b64(KEY_A)}))
    assert ring.primary_kid == key_id(KEY_A)
    with pytest.raises(MasterKeyMissing):
        Keyring.from_settings(Settings.from_env({}))


def test_new_key_is_a_valid_distinct_master_key() -> None:
    one, two = Keyring.new_key(), Keyring.new_key()
    assert one != two
    assert len(base64.urlsafe_b64decode(one + "=")) == 32
    assert Keyring.from_key(Secret(one)).primary_kid != Keyring.from_key(Secret(two)).primary_kid


def test_keyring_never_shows_its_keys(caplog: pytest.LogCaptureFixture) -> None:
    ring = Keyring([KEY_A])
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("jiragw.test").debug("ring %s %r", ring, ring)
    for text in (repr(ring), str(ring), caplog.text):
        _assert_clean_text(text)
    with pytest.raises(TypeError):
        pickle.dumps(ring)


def _assert_clean_text(text: str) -> None:
    assert _b64(KEY_A) not in text
    assert KEY_A.hex() not in text
    assert key_id(KEY_A) in text or "Keyring" in text


def test_aad_for() -> None:
    assert aad_for("grants", "abc", "access_token") == "grants:abc:access_token"
    for bad in [("", "a", "b"), ("a:b", "c", "d"), ("a", "", "b"), ("a", "b", "c:d")]:
        with pytest.raises(ValueError, match="AAD"):
            aad_for(*bad)
