"""The HTTPS rule as pure functions: https anywhere, plain HTTP to this machine only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jiragw.errors import InsecureUrl, InvalidInput
from jiragw.secure_urls import is_loopback_host, is_secure_url, require_https

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "broker" / "hostile_urls.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_hostile_url_table(case: dict[str, Any]) -> None:
    assert is_secure_url(case["url"]) is case["secure"]
    if case["secure"]:
        require_https(case["url"], what="the site URL")
        return
    with pytest.raises(InsecureUrl) as caught:
        require_https(case["url"], what="the site URL")
    require_https(case["url"], what="the site URL", allow_insecure_http=True)  # the operator's override
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert (error.code, error.status) == ("insecure_url", 400)
    assert "must use https" in error.message
    assert "--allow-insecure-http" in error.message


def test_the_refusal_does_not_echo_the_url() -> None:
    canary = "CANARY-c2VjcmV0LXRva2Vu"
    with pytest.raises(InsecureUrl) as caught:
        require_https(f"http://jira.example.com/{canary}", what="the site URL")
    assert canary not in str(caught.value)
    assert canary not in repr(caught.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("127.0.0.1", True), ("::1", True), ("[::1]", True), (None, False), ("", False)],
)
def test_loopback_hosts(host: str | None, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback
