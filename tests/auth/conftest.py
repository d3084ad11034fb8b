"""Canary secrets: distinctive values that must never show up in a repr, str or exception text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jiragw.secrets import Secret

CANARIES = {
    "client_secret": "CANARY-client-secret-7f3a",
    "code": "CANARY-auth-code-91bd",
    "access_token": "CANARY-access-token-c0de",
    "refresh_token": "CANARY-refresh-token-5e11",
    "api_token": "CANARY-api-token-ab12",
    "password": "CANARY-password-4433",
    "pat": "CANARYpatTOKEN0042",
    "verifier": "CANARY-verifier-" + "v" * 40,
}

NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)


def secret(name: str) -> Secret:
    return Secret(CANARIES[name])


def assert_clean(*objects: object) -> None:
    """No canary (nor its base64 form of a Basic header) appears in repr/str of any object."""
    for obj in objects:
        texts = [repr(obj), str(obj)]
        if isinstance(obj, BaseException):
            texts.append(repr(getattr(obj, "details", "")))
        for text in texts:
            for value in CANARIES.values():
                assert value not in text, f"canary leaked: {text}"


@pytest.fixture
def now() -> datetime:
    return NOW
