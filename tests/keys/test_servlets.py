"""The ceiling on Jira's avatar images, which the scope table does not list (keys/servlets.py)."""

from __future__ import annotations

import pytest

from jiragw.errors import OperationUnknown, ScopeDenied
from jiragw.keys import SERVLET_OPERATIONS, check, is_read, match_servlet
from jiragw.scopes import load_scope_table
from tests.keys.test_ceiling import key

USER_AVATAR = "/secure/useravatar"
PROJECT_AVATAR = "/secure/projectavatar"


@pytest.mark.parametrize("preset", ["read-only", "read-write-work", "full"])
@pytest.mark.parametrize("path", [USER_AVATAR, PROJECT_AVATAR])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_reading_presets_display_avatars(preset: str, path: str, method: str) -> None:
    op = check(key(preset), method, path)
    assert op is not None
    assert op.path == path


def test_the_user_avatar_needs_a_user_read_scope() -> None:
    work_only = key(scopes={"read:jira-work", "write:jira-work"})
    with pytest.raises(ScopeDenied) as denied:
        check(work_only, "GET", USER_AVATAR)
    assert denied.value.code == "scope_denied"
    assert denied.value.details["missing_scopes"] == ["read:jira-user"]
    assert check(work_only, "GET", PROJECT_AVATAR) is not None


def test_the_project_avatar_needs_a_work_read_scope() -> None:
    users_only = key(scopes={"read:jira-user"})
    with pytest.raises(ScopeDenied) as denied:
        check(users_only, "GET", PROJECT_AVATAR)
    assert denied.value.details["missing_scopes"] == ["read:jira-work"]
    assert check(users_only, "GET", USER_AVATAR) is not None


def test_granular_ceilings_need_the_owner_and_the_avatar_scope() -> None:
    assert check(key(scopes={"read:user:jira", "read:avatar:jira"}), "GET", USER_AVATAR) is not None
    assert check(key(scopes={"read:project:jira", "read:avatar:jira"}), "GET", PROJECT_AVATAR) is not None
    for scopes, path in [
        ({"read:avatar:jira"}, USER_AVATAR),
        ({"read:user:jira"}, USER_AVATAR),
        ({"read:user:jira", "read:avatar:jira"}, PROJECT_AVATAR),
    ]:
        with pytest.raises(ScopeDenied):
            check(key(scopes=scopes), "GET", path)


def test_the_admin_preset_reads_no_avatar() -> None:
    for path in (USER_AVATAR, PROJECT_AVATAR):
        with pytest.raises(ScopeDenied):
            check(key("admin"), "GET", path)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_no_rule_covers_another_method_or_path(method: str) -> None:
    assert match_servlet(method, USER_AVATAR) is None
    with pytest.raises(OperationUnknown):
        check(key("read-write-work"), method, USER_AVATAR)
    for path in ("/secure/useravatar/x", "/secure/admin", "/secure/UserAvatar"):
        assert match_servlet("GET", path) is None
        with pytest.raises(OperationUnknown):
            check(key("read-only"), "GET", path)


def test_a_query_does_not_change_the_match() -> None:
    assert match_servlet("get", USER_AVATAR + "?avatarId=1&size=48") == match_servlet("GET", USER_AVATAR)


def test_the_rules_are_reads_with_scopes_the_table_knows() -> None:
    """Reads (so read-only keys pass), naming only scopes a custom ceiling can choose."""
    table = load_scope_table()
    known = {s for op in table.operations for s in op.classic_scopes | op.granular_scopes}
    for op in SERVLET_OPERATIONS:
        assert is_read(op)
        assert op.classic_scopes
        assert op.granular_scopes
        assert op.classic_scopes | op.granular_scopes <= known
        assert table.match(op.method, op.path) is None  # outside the REST API, as the table says
