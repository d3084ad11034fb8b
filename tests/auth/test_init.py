from __future__ import annotations

import importlib

import pytest

from jiragw.auth import METHODS, TokenEndpoint, method
from jiragw.errors import InvalidInput

CONNECT_NAMES = {"oauth", "api-token", "pat", "basic", "oauth1", "client-credentials", "dc-oauth"}


def test_table_covers_every_connect_subcommand() -> None:
    assert set(METHODS) == CONNECT_NAMES


@pytest.mark.parametrize("name", sorted(CONNECT_NAMES))
def test_each_method_names_a_real_module(name: str) -> None:
    entry = method(name)
    module = importlib.import_module(entry.module)
    assert module.__doc__
    assert module.__all__
    assert entry.flavor in {"cloud", "dc", "api"}
    assert (entry.token_endpoint is TokenEndpoint.NONE) == (entry.module == "jiragw.auth.static")


def test_refreshing_methods() -> None:
    assert {m.name for m in METHODS.values() if m.needs_refresh} == {"oauth", "dc-oauth"}
    assert [m.name for m in METHODS.values() if m.discouraged] == ["basic"]
    assert {m.name for m in METHODS.values() if m.interactive} == {"oauth", "oauth1", "dc-oauth"}


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        METHODS["x"] = METHODS["pat"]  # type: ignore[index]


def test_unknown_method() -> None:
    with pytest.raises(InvalidInput):
        method("kerberos")
