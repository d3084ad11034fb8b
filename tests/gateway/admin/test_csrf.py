"""CSRF tokens: bound to one session, unforgeable without the process key, compared safely."""

from __future__ import annotations

from jiragw.gateway.admin.csrf import CsrfGuard


def test_tokens_are_bound_to_the_session_and_the_key() -> None:
    guard = CsrfGuard(b"k" * 32)
    token = guard.token("session-a")
    assert guard.valid("session-a", token)
    assert not guard.valid("session-b", token)
    assert not CsrfGuard(b"j" * 32).valid("session-a", token)  # another process, another key
    assert token == CsrfGuard(b"k" * 32).token("session-a")  # deterministic: no storage needed


def test_malformed_tokens_are_refused() -> None:
    guard = CsrfGuard()
    for presented in (None, "", "x", "é" * 43, "A" * 10_000, guard.token("s") + "="):
        assert not guard.valid("s", presented)
