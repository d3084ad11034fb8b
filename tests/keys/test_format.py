"""Gateway keys without I/O: minting, hashing, recognising, reading one from a header (keys/format.py)."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiragw.keys import KEY_PREFIX, hash_key, key_from_authorization, looks_like_key, mint_key
from jiragw.secrets import Secret

# A well-formed key nobody minted: 43 base64url characters after the prefix, "canary" inside.
CANARY = "jgw_canary" + "Q" * 31 + "-_09aZ"
assert len(CANARY) == len(KEY_PREFIX) + 43


def basic(user_and_password: str | bytes) -> str:
    raw = user_and_password.encode() if isinstance(user_and_password, str) else user_and_password
    return "Basic " + base64.b64encode(raw).decode("ascii")


# -- minting -------------------------------------------------------------------------------------


def test_a_minted_key_is_the_prefix_and_43_base64url_characters() -> None:
    minted = mint_key()
    value = minted.secret.reveal()
    assert re.fullmatch(r"jgw_[A-Za-z0-9_-]{43}", value)
    # 32 random bytes are 43 base64url characters without padding
    assert len(value) - len(KEY_PREFIX) == 43
    assert looks_like_key(value)


def test_minted_keys_differ() -> None:
    values = {mint_key().secret.reveal() for _ in range(200)}
    assert len(values) == 200
    # the random part is not a counter: keys share no long common prefix beyond "jgw_"
    assert len({v[: len(KEY_PREFIX) + 8] for v in values}) == 200


def test_a_minted_key_carries_its_hash_and_an_8_character_display_prefix() -> None:
    minted = mint_key()
    value = minted.secret.reveal()
    assert minted.key_hash == hash_key(value)
    assert minted.prefix == value[:12]
    assert minted.prefix.startswith(KEY_PREFIX)
    assert len(minted.prefix) == len(KEY_PREFIX) + 8


def test_a_minted_key_does_not_print_its_secret() -> None:
    minted = mint_key()
    value = minted.secret.reveal()
    for shown in (repr(minted), str(minted), f"{minted}", repr(minted.secret), str(minted.secret)):
        assert value not in shown
        assert value[len(minted.prefix) :] not in shown
    assert isinstance(minted.secret, Secret)


# -- hashing -------------------------------------------------------------------------------------


def test_hash_key_is_hex_sha256() -> None:
    # FIPS 180-2 test vector for "abc"
    assert hash_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_hash_key_takes_a_secret_or_its_plain_value() -> None:
    assert hash_key(Secret(CANARY)) == hash_key(CANARY)
    assert hash_key(CANARY) != hash_key(CANARY[:-1] + "x")
    assert CANARY not in hash_key(CANARY)
    assert re.fullmatch(r"[0-9a-f]{64}", hash_key(CANARY))


# -- recognising ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "jgw_",
        KEY_PREFIX + "a" * 42,  # one short
        KEY_PREFIX + "a" * 44,  # one long
        "JGW_" + "a" * 43,  # the prefix is case-sensitive
        "jgx_" + "a" * 43,
        "a" * 47,
        KEY_PREFIX + "a" * 42 + "=",  # padding is not base64url's unpadded form
        KEY_PREFIX + "a" * 42 + "+",  # standard base64, not base64url
        KEY_PREFIX + "a" * 42 + "/",
        KEY_PREFIX + "a" * 42 + "é",
        " " + CANARY,
        CANARY + " ",
        CANARY + "\n",  # a regex `$` would accept the newline
        CANARY + "\r\n",
        "\n" + CANARY,
    ],
)
def test_looks_like_key_refuses_anything_but_the_exact_format(value: str) -> None:
    assert not looks_like_key(value)


def test_looks_like_key_accepts_the_format() -> None:
    assert looks_like_key(CANARY)
    assert looks_like_key(KEY_PREFIX + "-" * 43)


# -- reading the Authorization header ------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        f"Bearer {CANARY}",
        f"bearer {CANARY}",
        f"BEARER {CANARY}",
        f"  Bearer   {CANARY}  ",
        basic(f"anyone:{CANARY}"),
        basic(f":{CANARY}"),  # no user name
        basic(f"alice@example.com:{CANARY}"),
        "basic " + basic(f"u:{CANARY}").split(" ", 1)[1],
    ],
)
def test_the_key_is_read_from_bearer_or_the_basic_password(header: str) -> None:
    secret = key_from_authorization(header)
    assert isinstance(secret, Secret)
    assert secret.reveal() == CANARY


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        "Bearer",
        "Bearer ",
        CANARY,  # no scheme
        f"Token {CANARY}",
        f"Digest {CANARY}",
        f"Bearer{CANARY}",
        f"Bearer\t{CANARY}",  # the scheme is separated by a space
        f"Bearer {CANARY} extra",
        f"Bearer {CANARY}x",
        f"Bearer {CANARY[:-1]}",
        f"Bearer {CANARY.upper()}",
        f"Bearer {basic(f'u:{CANARY}')}",
        "Basic",
        "Basic !!!",
        "Basic " + base64.b64encode(CANARY.encode()).decode(),  # no colon: no password part
        basic(f"{CANARY}:"),  # the key as the user name, not the password
        basic(f"u:{CANARY}\n"),  # decoded password with a trailing newline
        basic(f"u:{CANARY} "),
        basic(f"u:{CANARY}:more"),
        basic(b"u:\xff\xfe" + CANARY.encode()),  # not UTF-8
        basic(f"u:{CANARY}")[:-2],  # truncated base64
        basic(f"u:{CANARY}") + "é",  # non-ASCII in the base64 text
        "Basic " + base64.urlsafe_b64encode(b"u:" + CANARY.encode() + b"\xfb\xff").decode(),
    ],
)
def test_malformed_headers_carry_no_key(header: str | None) -> None:
    assert key_from_authorization(header) is None


@given(st.text(max_size=200))
def test_no_header_makes_it_raise_and_whatever_it_returns_is_a_key(header: str) -> None:
    for candidate in (header, "Bearer " + header, "Basic " + header):
        found = key_from_authorization(candidate)
        assert found is None or looks_like_key(found.reveal())


@given(st.binary(max_size=120))
def test_any_basic_payload_is_read_or_refused_without_raising(payload: bytes) -> None:
    found = key_from_authorization(basic(payload))
    assert found is None or looks_like_key(found.reveal())


def test_the_key_read_from_a_header_does_not_print_itself() -> None:
    for header in (f"Bearer {CANARY}", basic(f"me:{CANARY}")):
        secret = key_from_authorization(header)
        assert secret is not None
        for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret])):
            assert CANARY not in shown
            assert "canary" not in shown
