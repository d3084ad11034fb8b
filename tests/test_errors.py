from __future__ import annotations

import pytest

from jiragw import errors
from jiragw.errors import JiragwError, error_for_code


def _classes() -> list[type[JiragwError]]:
    return [getattr(errors, name) for name in errors.__all__ if isinstance(getattr(errors, name), type)]


def test_codes_are_unique_and_stable() -> None:
    codes = [cls.code for cls in _classes()]
    assert len(codes) == len(set(codes))
    for cls in _classes():
        assert error_for_code(cls.code) is cls


def test_every_class_is_documented_in_the_tree_docstring() -> None:
    doc = errors.__doc__ or ""
    for cls in _classes():
        assert cls.__name__ in doc
        assert cls.code in doc


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (errors.InvalidJql, 400),
        (errors.NotFound, 404),
        (errors.ReauthRequired, 401),
        (errors.ScopeDenied, 403),
        (errors.RateLimited, 429),
        (errors.Conflict, 409),
        (errors.UpstreamUnavailable, 503),
    ],
)
def test_status_and_rest_body(cls: type[JiragwError], status: int) -> None:
    exc = cls("something went wrong", details={"field": "x"})
    assert exc.status == status
    assert exc.to_dict() == {
        "error": {"code": cls.code, "message": "something went wrong", "details": {"field": "x"}}
    }


def test_unknown_code_maps_to_root() -> None:
    assert error_for_code("no_such_code") is JiragwError


def test_rate_limited_carries_retry_after() -> None:
    exc = errors.RateLimited("slow down", retry_after=2.5)
    assert exc.retry_after == 2.5
    assert isinstance(exc, JiragwError)
