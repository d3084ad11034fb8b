from __future__ import annotations

import logging
import pickle

import pytest

from jiragw.secrets import MASK, Secret, mask_authorization

CANARY = "canary-7f3a9c-do-not-print"


def test_masked_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret(CANARY)
    rendered = [str(secret), repr(secret), f"{secret}", f"{secret!r}", "%s" % (secret,), str([secret])]  # noqa: UP031 - %-formatting is what logging uses
    assert all(CANARY not in text for text in rendered)
    assert MASK in str(secret)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("jiragw.test").debug("token is %s / %r", secret, secret)
    assert CANARY not in caplog.text
    with pytest.raises(ValueError, match=r"bad token \*\*\*$"):
        raise ValueError(f"bad token {secret}")


def test_reveal_and_equality() -> None:
    assert Secret(CANARY).reveal() == CANARY
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert len(Secret("abc")) == 3
    assert not Secret("")


def test_refuses_to_pickle() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(CANARY))


def test_only_strings() -> None:
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Bearer abc.def", "Bearer ***"), ("Basic dXNlcjpwYXNz", "Basic ***"), ("rawtoken", "***")],
)
def test_mask_authorization(header: str, expected: str) -> None:
    assert mask_authorization(header) == expected
