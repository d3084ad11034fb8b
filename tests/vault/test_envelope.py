from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jiragw.errors import DecryptionFailed
from jiragw.secrets import Secret
from jiragw.vault import Envelope, Keyring, key_id, peek_kid
from jiragw.vault.envelope import NONCE_BYTES, TAG_BYTES

HOSTILE = json.loads((Path(__file__).with_name("hostile_envelopes.json")).read_text())["cases"]
KEY = bytes(range(32))


def test_key_id_is_stable_and_key_specific() -> None:
    assert key_id(KEY) == key_id(bytes(range(32)))
    assert key_id(KEY) != key_id(bytes(32))
    assert len(key_id(KEY)) == 16
    assert int(key_id(KEY), 16) >= 0
    # Pinned: a key id must never change between releases, or stored values stop decrypting.
    assert key_id(KEY) == "479a05a4a26f2088"


def test_shape() -> None:
    ring = Keyring([KEY])
    text = ring.encrypt(Secret("hello"), "t:1:c")
    version, kid, payload = text.split(".")
    assert version == "v1"
    assert kid == key_id(KEY) == ring.primary_kid
    parsed = Envelope.parse(text)
    assert len(parsed.nonce) == NONCE_BYTES
    assert len(parsed.ciphertext) == len("hello") + TAG_BYTES
    assert parsed.encode() == text
    assert "=" not in payload
    assert peek_kid(text) == kid


@pytest.mark.parametrize("case", HOSTILE, ids=[c["name"] for c in HOSTILE])
def test_hostile_envelopes_fail_closed(case: dict[str, Any]) -> None:
    ring = Keyring([KEY])
    good = ring.encrypt(Secret("plaintext-token-value"), "t:1:c")
    payload = good.split(".")[2]
    envelope = case["envelope"].format(kid=ring.primary_kid, payload=payload, huge="A" * 70_000)
    with pytest.raises(DecryptionFailed) as info:
        ring.decrypt(envelope, "t:1:c")
    assert "plaintext-token-value" not in str(info.value)
    assert payload not in str(info.value)


def test_peek_kid_of_garbage_is_none() -> None:
    assert peek_kid("garbage") is None
    assert peek_kid("v1.0123456789abcdef.") is None


def test_non_canonical_base64_is_refused() -> None:
    ring = Keyring([KEY])
    good = ring.encrypt(b"x", "t:1:c")
    prefix, payload = good.rsplit(".", 1)
    # 12 + 1 + 16 = 29 bytes -> 39 characters, the last one carrying 2 unused low bits.
    assert len(payload) % 4 == 3
    last = payload[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 1]
    with pytest.raises(DecryptionFailed, match="canonical"):
        ring.decrypt_bytes(f"{prefix}.{payload[:-1]}{twin}", "t:1:c")


def test_known_answer_from_an_earlier_release_still_decrypts() -> None:
    # Recorded once with the v1 format; guards against accidental format or AAD changes.
    stored = "v1.479a05a4a26f2088.5rke_Cjn73590ATj7lZ-nmGp8e4Ag1QQDhlUZxZV8ojkQy878L_6hw"
    aad = "grants:00000000-0000-4000-8000-000000000000:access_token"
    assert Keyring([KEY]).decrypt(stored, aad) == Secret("known answer")
