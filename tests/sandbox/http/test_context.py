"""The request plumbing's query parsing: an empty list parameter is ignored, as Jira ignores it.

Every operation that reads a list-valued query parameter (``type``, ``state``,
``id``, ``keys``, ``expand``, ``fields``, ...) through ``Ctx.query_list`` is
listed below; each must answer ``?name=`` exactly as it answers without it.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from jiragw.sandbox import Sandbox

Auth = Callable[[str, str], dict[str, str]]
CLOUD, DC = "/sites/acme", "/dc/corp"
V3, V2, AGILE = "/rest/api/3", "/rest/api/2", "/rest/agile/1.0"

# (instance root, path under it, list parameter, other query parameters). ``{version}``,
# ``{sprint}`` and ``{comment}`` are filled with ids from the seeded instance.
CASES: list[tuple[str, str, str, dict[str, str]]] = [
    (CLOUD, AGILE + "/board", "type", {}),
    (DC, AGILE + "/board", "type", {}),
    (CLOUD, AGILE + "/board/1/sprint", "state", {}),
    (DC, AGILE + "/board/1/sprint", "state", {}),
    (CLOUD, AGILE + "/board/1/issue", "fields", {}),
    (CLOUD, AGILE + "/board/1/issue", "expand", {}),
    (CLOUD, AGILE + "/sprint/{sprint}/issue", "fields", {}),
    (CLOUD, V3 + "/priority/search", "id", {}),
    (CLOUD, V3 + "/resolution/search", "id", {}),
    (CLOUD, V3 + "/user/assignable/multiProjectSearch", "projectKeys", {}),
    (CLOUD, V3 + "/user/bulk", "accountId", {}),
    (CLOUD, V3 + "/user/picker", "exclude", {"query": "a"}),
    (CLOUD, V3 + "/user/picker", "excludeAccountIds", {"query": "a"}),
    (CLOUD, V3 + "/filter/search", "id", {}),
    (CLOUD, V3 + "/filter/search", "expand", {}),
    (CLOUD, V3 + "/dashboard/search", "expand", {}),
    (CLOUD, V3 + "/project", "expand", {}),
    (DC, V2 + "/project", "expand", {}),
    (CLOUD, V3 + "/project/search", "id", {}),
    (CLOUD, V3 + "/project/search", "keys", {}),
    (CLOUD, V3 + "/project/search", "typeKey", {}),
    (CLOUD, V3 + "/project/search", "status", {}),
    (CLOUD, V3 + "/project/recent", "expand", {}),
    (CLOUD, V3 + "/project/PRJ", "expand", {}),
    (CLOUD, V3 + "/project/PRJ/versions", "expand", {}),
    (CLOUD, V3 + "/project/PRJ/version", "status", {}),
    (DC, V2 + "/project/PRJ/version", "status", {}),
    (CLOUD, V3 + "/version/{version}", "expand", {}),
    (CLOUD, V3 + "/field/search", "type", {}),
    (CLOUD, V3 + "/field/search", "id", {}),
    (CLOUD, V3 + "/issue/PRJ-1", "fields", {}),
    (CLOUD, V3 + "/issue/PRJ-1", "expand", {}),
    (CLOUD, V3 + "/issue/PRJ-1", "properties", {}),
    (DC, V2 + "/issue/PRJ-1", "fields", {}),
    (CLOUD, V3 + "/issue/PRJ-1/transitions", "expand", {}),
    (CLOUD, V3 + "/issue/PRJ-1/comment", "expand", {}),
    (CLOUD, V3 + "/issue/PRJ-1/comment/{comment}", "expand", {}),
    (CLOUD, V3 + "/issue/createmeta", "projectKeys", {}),
    (CLOUD, V3 + "/issue/createmeta", "projectIds", {}),
    (CLOUD, V3 + "/issue/createmeta", "issuetypeIds", {}),
    (CLOUD, V3 + "/issue/createmeta", "issuetypeNames", {}),
    (CLOUD, V3 + "/issue/createmeta", "expand", {}),
    (DC, V2 + "/issue/createmeta", "projectKeys", {}),
    (CLOUD, V3 + "/search/jql", "fields", {"jql": "project = PRJ"}),
    (CLOUD, V3 + "/search/jql", "properties", {"jql": "project = PRJ"}),
    (CLOUD, V3 + "/search", "fields", {"jql": "project = PRJ"}),
    (CLOUD, V3 + "/search", "expand", {"jql": "project = PRJ"}),
    (DC, V2 + "/search", "fields", {"jql": "project = PRJ"}),
]


def _fill(sandbox: Sandbox, root: str, path: str) -> str:
    instance = sandbox.sites["acme"] if root == CLOUD else sandbox.dcs["corp"]
    issue = instance.find_issue("PRJ-1")
    assert issue is not None
    ids = {
        "version": min(instance.versions) if "{version}" in path else 0,
        "sprint": min(s.id for s in instance.sprints.values() if s.board_id == 1),
        "comment": issue.comments[0].id if "{comment}" in path else 0,
    }
    return path.format(**ids)


@pytest.mark.parametrize(("root", "path", "name", "extra"), CASES, ids=lambda c: str(c))
async def test_empty_list_parameter_is_ignored(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Auth,
    root: str,
    path: str,
    name: str,
    extra: dict[str, str],
) -> None:
    alice = as_user("acme" if root == CLOUD else "corp", "alice")
    url = root + _fill(sandbox, root, path)
    absent = await client.get(url, params=extra, headers=alice)
    for empty in ("", ",", " "):
        given = await client.get(url, params={**extra, name: empty}, headers=alice)
        assert (given.status_code, _content(given)) == (absent.status_code, _content(absent))


def _content(response: httpx.Response) -> object:
    """The JSON body without the page links that echo the request's own query string."""
    body = response.json()
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in _ECHOED}
    return body


_ECHOED = frozenset({"self", "nextPage", "prev", "next"})


async def test_empty_filters_leave_boards_and_sprints(client: httpx.AsyncClient, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    boards = await client.get(f"{CLOUD}{AGILE}/board?type=&name=", headers=alice)
    assert boards.json()["total"] == 3
    sprints = await client.get(f"{CLOUD}{AGILE}/board/1/sprint?state=", headers=alice)
    assert sprints.json()["total"] > 0
