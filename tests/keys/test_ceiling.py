"""Least-privilege decisions on the scope table, without a network (keys/ceiling.py, keys/presets.py)."""

from __future__ import annotations

import pytest

from jiragw.errors import OperationUnknown, ReadOnlyKey, ScopeDenied
from jiragw.keys import check, is_read, preset_scopes
from jiragw.scopes import load_scope_table
from jiragw.store import KeyRecord
from tests.store.conftest import key_record


def key(preset: str | None = None, scopes: set[str] | None = None, read_only: bool = False) -> KeyRecord:
    if preset is not None:
        ceiling, read_only = preset_scopes(preset)
    else:
        ceiling = frozenset(scopes or ())
    return key_record(ceiling, read_only=read_only)


OPEN_READS = ["/rest/api/2/serverInfo", "/rest/api/3/serverInfo", "/rest/agile/1.0/board"]


@pytest.mark.parametrize("path", OPEN_READS)
@pytest.mark.parametrize("preset", ["read-only", "read-write-work", "full"])
def test_reads_the_spec_guards_with_no_scope_are_open_to_every_key(path: str, preset: str) -> None:
    op = check(key(preset), "GET", path)
    assert op is not None
    assert not op.classic_scopes
    assert not op.granular_scopes


def test_a_write_with_no_documented_scope_is_refused_to_restricted_keys() -> None:
    table = load_scope_table()
    unscoped_write = next(
        op
        for op in table.operations
        if op.method == "DELETE" and not op.classic_scopes and not op.granular_scopes
    )
    concrete = unscoped_write.path.replace("{", "x").replace("}", "")
    with pytest.raises(ReadOnlyKey):
        check(key("read-only"), "DELETE", concrete)
    with pytest.raises(ScopeDenied):
        check(key("read-write-work"), "DELETE", concrete)
    assert check(key("full"), "DELETE", concrete) == unscoped_write


def test_read_only_refuses_writes_but_allows_searching_by_post() -> None:
    ro = key("read-only")
    assert check(ro, "POST", "/rest/api/3/search/jql") is not None
    assert check(ro, "GET", "/rest/api/2/issue/PLAT-1") is not None
    for method, path in [
        ("POST", "/rest/api/3/issue"),
        ("PUT", "/rest/api/2/issue/PLAT-1"),
        ("POST", "/rest/api/latest/issue/PLAT-1/transitions"),
        ("POST", "/rest/api/3/issue/PLAT-1/comment"),
        ("DELETE", "/rest/api/3/issue/PLAT-1"),
    ]:
        with pytest.raises(ReadOnlyKey) as denied:
            check(ro, method, path)
        assert denied.value.details["operation"]


def test_a_denial_names_the_missing_scope() -> None:
    with pytest.raises(ScopeDenied) as denied:
        check(key(scopes={"read:jira-user"}), "GET", "/rest/api/3/issue/PLAT-1")
    assert "read:jira-work" in denied.value.message
    assert denied.value.details["missing_scopes"]


def test_work_keys_cannot_administer_projects() -> None:
    rw = key("read-write-work")
    assert check(rw, "POST", "/rest/api/3/issue") is not None
    with pytest.raises(ScopeDenied) as denied:
        check(rw, "POST", "/rest/api/3/project")
    # the smallest gap: the classic admin scope, or the granular project-write scope
    assert denied.value.details["missing_scopes"] in (["manage:jira-configuration"], ["write:project:jira"])


def test_unknown_operations_only_for_unrestricted_keys() -> None:
    assert check(key("full"), "GET", "/rest/api/3/not-a-thing/at-all/really") is None
    with pytest.raises(OperationUnknown):
        check(key("read-write-work"), "GET", "/rest/api/3/not-a-thing/at-all/really")
    with pytest.raises(OperationUnknown):
        check(key(scopes={"*"}, read_only=True), "GET", "/rest/x/y")


def test_read_is_every_scope_a_read_scope() -> None:
    table = load_scope_table()
    search = table.match("POST", "/rest/api/3/search/jql")
    create = table.match("POST", "/rest/api/3/issue")
    assert search is not None
    assert create is not None
    assert is_read(search)
    assert not is_read(create)


def test_presets_take_jira_softwares_work_scopes_but_not_board_administration() -> None:
    ro, rw = key("read-only"), key("read-write-work")
    reads = ["/rest/agile/1.0/board/7/sprint", "/rest/agile/1.0/sprint/3", "/rest/agile/1.0/sprint/3/issue"]
    for path in reads:
        assert check(ro, "GET", path) is not None
        assert check(rw, "GET", path) is not None
    writes = [
        ("POST", "/rest/agile/1.0/sprint"),
        ("POST", "/rest/agile/1.0/sprint/3"),
        ("POST", "/rest/agile/1.0/sprint/3/issue"),
        ("POST", "/rest/agile/1.0/backlog/issue"),
        ("DELETE", "/rest/agile/1.0/sprint/3"),
    ]
    for method, path in writes:
        with pytest.raises(ReadOnlyKey):
            check(ro, method, path)
        assert check(rw, method, path) is not None
    for preset in (ro, rw):  # board administration stays out of both
        with pytest.raises(ScopeDenied) as denied:
            check(preset, "GET", "/rest/agile/1.0/board/7/configuration")
        assert all(".admin:" in s for s in denied.value.details["missing_scopes"])


def test_the_admin_preset_holds_the_management_scope_alone() -> None:
    assert preset_scopes("admin") == (frozenset({"jiragw:admin"}), False)


@pytest.mark.parametrize("path", OPEN_READS)
@pytest.mark.parametrize(
    "ceiling",
    [
        key("admin"),  # the management API alone
        key(scopes={"write:jira-work"}),  # writes only
        key(scopes={"write:board-scope:jira-software", "write:sprint:jira-software"}),
        key(scopes=set()),
    ],
    ids=["admin", "write-work", "write-software", "empty"],
)
def test_open_reads_need_a_key_that_may_read_jira(path: str, ceiling: KeyRecord) -> None:
    with pytest.raises(ScopeDenied) as denied:
        check(ceiling, "GET", path)
    assert denied.value.details["operation"]


@pytest.mark.parametrize("path", OPEN_READS)
def test_any_one_read_scope_opens_the_open_reads(path: str) -> None:
    for scopes in ({"read:jira-user"}, {"read:sprint:jira-software"}, {"*"}):
        assert check(key(scopes=scopes), "GET", path) is not None
    assert check(key(scopes={"*"}, read_only=True), "GET", path) is not None


BOARD_ADMINISTRATION = [("POST", "/rest/agile/1.0/board"), ("DELETE", "/rest/agile/1.0/board/7")]


@pytest.mark.parametrize(("method", "path"), BOARD_ADMINISTRATION)
def test_creating_and_deleting_boards_is_administration(method: str, path: str) -> None:
    rw = key("read-write-work")
    with pytest.raises(ScopeDenied) as denied:
        check(rw, method, path)
    assert all(".admin:" in s for s in denied.value.details["missing_scopes"])
    assert denied.value.details["missing_scopes"]
    # the work it shares its spec scope with stays work
    assert check(rw, "POST", "/rest/agile/1.0/board/7/issue") is not None
    assert check(rw, "POST", "/rest/agile/1.0/backlog/issue") is not None
    # unrestricted keys, and ceilings holding the board administration scopes, may
    assert check(key("full"), method, path) is not None
    admin_scopes = set(rw.scopes) | {
        "write:board-scope.admin:jira-software",
        "delete:board-scope.admin:jira-software",
    }
    assert check(key(scopes=admin_scopes), method, path) is not None


def test_keys_minted_with_the_old_work_ceiling_lose_board_administration_too() -> None:
    """The rule is applied when a call is checked: a stored ceiling that spells out every scope
    the spec asks for board create/delete is still refused without the administration scope."""
    table = load_scope_table()
    spec = {op.operation_id: op for op in table.operations}
    stored = set(preset_scopes("read-write-work")[0])
    assert spec["createBoard"].granular_scopes <= stored  # by the spec's scopes alone it would pass
    assert spec["deleteBoard"].granular_scopes <= stored
    for method, path in BOARD_ADMINISTRATION:
        with pytest.raises(ScopeDenied):
            check(key(scopes=stored), method, path)
