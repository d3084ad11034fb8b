"""``jiragw.sandbox.seeding.build``: demo credentials follow a credential seed of their own."""

from __future__ import annotations

from jiragw.sandbox.seeding import build_sandbox, demo_users, random_credential_seed


def _secrets(seed: int, credential_seed: str | None = None) -> list[tuple[str, str, str]]:
    return [(u.api_token, u.password, u.pat) for u in demo_users(seed, credential_seed)]


def test_the_default_credential_seed_is_the_data_seed() -> None:
    assert _secrets(5) == _secrets(5, "5")
    assert build_sandbox(projects=0, issues=0, seed=5).credential_seed == "5"


def test_a_credential_seed_changes_only_the_credentials() -> None:
    other = random_credential_seed()
    assert all(a != b for a, b in zip(_secrets(5), _secrets(5, other), strict=True))
    assert [u.account_id for u in demo_users(5)] == [u.account_id for u in demo_users(5, other)]
    plain = build_sandbox(projects=1, issues=5, seed=5)
    keyed = build_sandbox(projects=1, issues=5, seed=5, credential_seed=other)
    assert keyed.credential_seed == other
    assert plain.sites["acme"].cloud_id == keyed.sites["acme"].cloud_id
    assert plain.sites["acme"].issues == keyed.sites["acme"].issues
    alice = keyed.sites["acme"].find_user("alice")
    assert alice is not None
    assert (alice.api_token, alice.password, alice.pat) == next(
        s for u, s in zip(demo_users(5, other), _secrets(5, other), strict=True) if u.username == "alice"
    )


def test_random_credential_seeds_differ() -> None:
    seeds = {random_credential_seed() for _ in range(8)}
    assert len(seeds) == 8
    assert all(len(s) == 32 for s in seeds)
