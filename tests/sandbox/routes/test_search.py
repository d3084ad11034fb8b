"""Issue search: Cloud's search/jql and approximate count, the removed Cloud search, DC's search."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from jiragw.sandbox import Sandbox, build_sandbox

Auth = Callable[[str, str], dict[str, str]]
CLOUD = "/sites/acme/rest/api/3"
DC = "/dc/corp/rest/api/2"
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."


TOTAL = 240


@pytest.fixture
def sandbox() -> Sandbox:
    """Enough issues for project PRJ alone to cross the 100-issue page cap."""
    return build_sandbox(projects=3, issues=TOTAL, seed=5)


def _ids(sandbox: Sandbox, where: str, *keys: str) -> set[str]:
    """Ids of the issues of projects ``keys`` on instance ``where``."""
    instance = sandbox.sites.get(where) or sandbox.dcs[where]
    pids = {p.id for p in instance.projects.values() if p.key in keys}
    return {str(i.id) for i in instance.issues.values() if i.project_id in pids}


async def _jql(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> httpx.Response:
    return await client.get(f"{CLOUD}/search/jql", params=params, headers=headers)


async def test_default_answer_is_bare_ids(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    r = await _jql(client, as_user("acme", "alice"), jql="project = PRJ")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"issues", "nextPageToken", "isLast"}
    assert body["isLast"] is False
    assert len(body["issues"]) == 50
    assert all(set(i) == {"id"} for i in body["issues"])
    prj = sandbox.sites["acme"].find_project("PRJ")
    assert prj is not None
    ids = {int(i["id"]) for i in body["issues"]}
    assert all(sandbox.sites["acme"].issues[i].project_id == prj.id for i in ids)


async def test_token_paging_walks_every_issue_once(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("acme", "alice")
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"jql": "project = PRJ ORDER BY key ASC", "maxResults": 40}
        if token:
            params["nextPageToken"] = token
        body = (await _jql(client, alice, **params)).json()
        seen += [i["id"] for i in body["issues"]]
        pages += 1
        token = body.get("nextPageToken")
        if body["isLast"]:
            assert token is None
            break
    expected = _ids(sandbox, "acme", "PRJ")
    assert pages == -(-len(expected) // 40)
    assert len(seen) == len(expected)
    assert set(seen) == expected


async def test_bad_tokens_are_refused(client: httpx.AsyncClient, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    first = (await _jql(client, alice, jql="project = PRJ", maxResults=5)).json()
    r = await _jql(client, alice, jql="project = PLAT", nextPageToken=first["nextPageToken"])
    assert r.status_code == 400
    r = await _jql(client, alice, jql="project = PRJ", nextPageToken="BOGUS")
    assert r.status_code == 400
    assert r.json()["errors"] == {}
    # An empty token is the first page.
    r = await _jql(client, alice, jql="project = PRJ", maxResults=5, nextPageToken="")
    assert r.json()["issues"] == first["issues"]


@pytest.mark.parametrize("jql", ["", "ORDER BY created DESC", "order by key"])
async def test_unbounded_jql_is_refused(client: httpx.AsyncClient, as_user: Auth, jql: str) -> None:
    r = await _jql(client, as_user("acme", "alice"), jql=jql)
    assert r.status_code == 400
    assert r.json() == {"errorMessages": [UNBOUNDED], "errors": {}}


async def test_invalid_jql_is_a_400(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await _jql(client, as_user("acme", "alice"), jql="project = = PRJ")
    assert r.status_code == 400
    assert r.json()["errorMessages"][0].startswith("Error in the JQL Query")


@pytest.mark.parametrize("size", [0, -1, 5001, "x"])
async def test_max_results_range(client: httpx.AsyncClient, as_user: Auth, size: object) -> None:
    r = await _jql(client, as_user("acme", "alice"), jql="project = PRJ", maxResults=size)
    assert r.status_code == 400


async def test_page_size_caps(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    jql = "project in (PRJ, PLAT)"
    ids_only = (await _jql(client, alice, jql=jql, maxResults=5000)).json()
    assert {i["id"] for i in ids_only["issues"]} == _ids(sandbox, "acme", "PRJ", "PLAT")
    assert ids_only["isLast"] is True
    full = (await _jql(client, alice, jql=jql, maxResults=5000, fields="*all")).json()
    assert len(full["issues"]) == 100
    assert full["isLast"] is False
    assert "summary" in full["issues"][0]["fields"]


async def test_cost_model_counts_full_issues(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-issue latency applies to issues returned with fields, not to bare ids."""
    import jiragw.sandbox.http.dispatch as http_module

    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(http_module, "asyncio", SimpleNamespace(sleep=record))
    sandbox.faults.latency_per_issue_ms = 10
    alice = as_user("acme", "alice")
    await _jql(client, alice, jql="project = PRJ", maxResults=7)
    assert delays == []
    await _jql(client, alice, jql="project = PRJ", fields="summary", maxResults=7)
    assert delays == [pytest.approx(0.07)]


async def test_post_with_fields_and_names(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.post(
        f"{CLOUD}/search/jql",
        json={"jql": "project = PLAT", "fields": ["summary", "status"], "expand": "names", "maxResults": 3},
        headers=as_user("acme", "alice"),
    )
    body = r.json()
    assert r.status_code == 200
    assert len(body["issues"]) == 3
    issue = body["issues"][0]
    assert set(issue["fields"]) == {"summary", "status"}
    assert issue["key"].startswith("PLAT-")
    assert "names" not in issue
    assert body["names"] == {"summary": "Summary", "status": "Status"}


async def test_v2_search_jql_and_filter_clause(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("acme", "alice")
    r = await client.post(
        "/sites/acme/rest/api/3/filter", json={"name": "Mobile", "jql": "project = MOB"}, headers=alice
    )
    fid = r.json()["id"]
    r = await client.get(
        "/sites/acme/rest/api/2/search/jql",
        params={"jql": f"filter = {fid}", "fields": "summary,description", "maxResults": 100},
        headers=alice,
    )
    issues = r.json()["issues"]
    assert {i["id"] for i in issues} == _ids(sandbox, "acme", "MOB")
    assert all(i["key"].startswith("MOB-") for i in issues)
    assert all(isinstance(i["fields"]["description"], (str, type(None))) for i in issues)  # v2: wiki strings


async def test_caller_without_browse_finds_nothing(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await _jql(client, as_user("acme", "outsider"), jql="project = PRJ")
    assert r.status_code == 200
    assert r.json() == {"issues": [], "isLast": True}
    r = await client.post(
        f"{CLOUD}/search/approximate-count",
        json={"jql": "project = PRJ"},
        headers=as_user("acme", "outsider"),
    )
    assert r.json() == {"count": 0}


async def test_approximate_count(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("acme", "alice")
    r = await client.post(
        f"{CLOUD}/search/approximate-count", json={"jql": "project in (PRJ, MOB)"}, headers=alice
    )
    assert r.status_code == 200
    assert r.json() == {"count": len(_ids(sandbox, "acme", "PRJ", "MOB"))}
    r = await client.post(f"{CLOUD}/search/approximate-count", json={"jql": "order by key"}, headers=alice)
    assert r.status_code == 400
    assert r.json()["errorMessages"] == [UNBOUNDED]


@pytest.mark.parametrize("version", ["2", "3", "latest"])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_cloud_legacy_search_is_gone(
    client: httpx.AsyncClient, as_user: Auth, version: str, method: str
) -> None:
    kwargs: dict[str, Any] = {"json": {"jql": "project = PRJ"}} if method == "POST" else {}
    r = await client.request(
        method, f"/sites/acme/rest/api/{version}/search", headers=as_user("acme", "alice"), **kwargs
    )
    assert r.status_code == 410
    assert r.json()["errorMessages"][0].startswith("The requested API has been removed.")


async def test_dc_search_pages_with_total(client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth) -> None:
    alice = as_user("corp", "alice")
    total = len(_ids(sandbox, "corp", "PRJ"))
    r = await client.get(f"{DC}/search", params={"jql": "project = PRJ", "startAt": total - 5}, headers=alice)
    body = r.json()
    assert (body["startAt"], body["maxResults"], body["total"]) == (total - 5, 50, total)
    assert len(body["issues"]) == 5
    issue = body["issues"][0]
    assert "summary" in issue["fields"]
    assert "comment" not in issue["fields"]
    # An empty query is every issue (DC allows unbounded searches); maxResults caps at 1000.
    r = await client.get(f"{DC}/search", params={"maxResults": 5000, "fields": "id"}, headers=alice)
    body = r.json()
    assert body["total"] == TOTAL
    assert body["maxResults"] == 1000


async def test_dc_search_post_with_expands(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.post(
        f"{DC}/search",
        json={"jql": "project = PLAT", "fields": ["summary"], "expand": ["names", "schema"], "maxResults": 2},
        headers=as_user("corp", "alice"),
    )
    body = r.json()
    assert r.status_code == 200
    assert body["names"] == {"summary": "Summary"}
    assert body["schema"]["summary"]["type"] == "string"


async def test_dc_validate_query(client: httpx.AsyncClient, as_user: Auth) -> None:
    alice = as_user("corp", "alice")
    jql = "project = NOSUCH"
    r = await client.get(f"{DC}/search", params={"jql": jql}, headers=alice)
    assert r.status_code == 400
    for mode in ("warn", "false"):
        r = await client.get(f"{DC}/search", params={"jql": jql, "validateQuery": mode}, headers=alice)
        assert r.status_code == 200
        assert r.json()["warningMessages"]
        assert r.json()["total"] == 0
    r = await client.get(f"{DC}/search", params={"jql": jql, "validateQuery": "none"}, headers=alice)
    assert r.status_code == 200
    assert "warningMessages" not in r.json()
    # Syntax errors stay errors whatever the mode.
    r = await client.get(
        f"{DC}/search", params={"jql": "project = = X", "validateQuery": "none"}, headers=alice
    )
    assert r.status_code == 400
    r = await client.get(
        f"{DC}/search", params={"jql": "project = PRJ", "validateQuery": "True"}, headers=alice
    )
    assert r.status_code == 200


def _dc_ids(sandbox: Sandbox, keep: Callable[[Any], bool]) -> set[str]:
    """Ids of the DC instance's issues that ``keep`` (given the issue) accepts."""
    return {str(i.id) for i in sandbox.dcs["corp"].issues.values() if keep(i)}


def _in_projects(sandbox: Sandbox, *keys: str) -> Callable[[Any], bool]:
    pids = {p.id for p in sandbox.dcs["corp"].projects.values() if p.key in keys}
    return lambda i: i.project_id in pids


def _assigned_to(sandbox: Sandbox, who: str) -> Callable[[Any], bool]:
    user = sandbox.dcs["corp"].find_user(who)
    assert user is not None
    return lambda i: i.assignee == user.account_id


_NOPE = "The value 'NOPE' does not exist for the field 'project'."
_NOBODY = "The value 'nobody' does not exist for the field 'assignee'."
_BOGUS = "The value 'Bogus' does not exist for the field 'status'."


@pytest.mark.parametrize(
    ("jql", "expected", "warnings"),
    [
        ("project in (PLAT, NOPE)", lambda s: _in_projects(s, "PLAT"), [_NOPE]),
        ("project = NOPE OR assignee = alice", lambda s: _assigned_to(s, "alice"), [_NOPE]),
        ("project = NOPE", lambda s: lambda i: False, [_NOPE]),
        ("project != NOPE", lambda s: lambda i: True, [_NOPE]),
        ("project not in (PLAT, NOPE)", lambda s: _in_projects(s, "PRJ", "MOB"), [_NOPE]),
        (
            "assignee in (alice, nobody) AND status not in (Bogus, Done)",
            lambda s: (
                lambda i: _assigned_to(s, "alice")(i) and s.dcs["corp"].statuses[i.status_id].name != "Done"
            ),
            [_NOBODY, _BOGUS],
        ),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_dc_lenient_validation_evaluates_the_valid_rest(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    as_user: Auth,
    jql: str,
    expected: Callable[[Sandbox], Callable[[Any], bool]],
    warnings: list[str],
    method: str,
) -> None:
    """validateQuery=warn|none: an invalid value matches nothing, the rest of the query runs."""
    alice = as_user("corp", "alice")
    want = _dc_ids(sandbox, expected(sandbox))
    assert 0 < len(want) < TOTAL or jql in ("project = NOPE", "project != NOPE")
    for mode, listed in (("warn", warnings), ("false", warnings), ("none", None)):
        params = {"jql": jql, "validateQuery": mode, "maxResults": 1000, "fields": "id"}
        if method == "GET":
            r = await client.get(f"{DC}/search", params=params, headers=alice)
        else:
            r = await client.post(f"{DC}/search", json={**params, "fields": ["id"]}, headers=alice)
        assert r.status_code == 200, r.text
        body = r.json()
        assert {i["id"] for i in body["issues"]} == want
        assert body["total"] == len(want)
        assert body.get("warningMessages") == listed
    r = await client.get(f"{DC}/search", params={"jql": jql}, headers=alice)
    assert r.status_code == 400
    assert r.json()["errorMessages"] == warnings


async def test_dc_lenient_search_pages_like_a_strict_one(
    client: httpx.AsyncClient, sandbox: Sandbox, as_user: Auth
) -> None:
    alice = as_user("corp", "alice")
    base = {"maxResults": 10, "startAt": 5, "fields": "id"}
    strict = await client.get(
        f"{DC}/search", params={**base, "jql": "project = PLAT ORDER BY key"}, headers=alice
    )
    lenient = await client.get(
        f"{DC}/search",
        params={**base, "jql": "project in (PLAT, NOPE) ORDER BY key", "validateQuery": "warn"},
        headers=alice,
    )
    assert lenient.json()["issues"] == strict.json()["issues"]
    assert (
        lenient.json()["total"]
        == strict.json()["total"]
        == len(_dc_ids(sandbox, _in_projects(sandbox, "PLAT")))
    )


async def test_dc_has_no_enhanced_search(client: httpx.AsyncClient, as_user: Auth) -> None:
    r = await client.get(
        f"{DC}/search/jql", params={"jql": "project = PRJ"}, headers=as_user("corp", "alice")
    )
    assert r.status_code == 404
