"""The response invariants: user identity per flavor, self links, page consistency."""

from __future__ import annotations

from tests.conformance.invariants import paging_problems, self_link_problems, user_identity_problems

AVATARS = {"48x48": "https://x/a.png"}
CLOUD_USER = {"accountId": "5b10", "displayName": "Bob", "avatarUrls": AVATARS}
DC_USER = {"name": "bob", "key": "bob", "displayName": "Bob", "avatarUrls": AVATARS}


def test_each_flavor_accepts_its_own_users() -> None:
    assert user_identity_problems({"fields": {"assignee": CLOUD_USER}}, "cloud") == []
    assert user_identity_problems([{"author": DC_USER}], "dc") == []


def test_users_of_the_other_flavor_are_located() -> None:
    found = user_identity_problems({"fields": {"assignee": DC_USER, "reporter": CLOUD_USER}}, "cloud")
    assert [(p.path, p.message) for p in found] == [
        ("$.fields.assignee", "cloud user lacks ['accountId']"),
        ("$.fields.assignee", "cloud user must not carry ['key', 'name']"),
    ]
    found = user_identity_problems({"values": [CLOUD_USER]}, "dc")
    assert {p.path for p in found} == {"$.values[0]"}


def test_projects_are_not_users() -> None:
    project = {"key": "PRJ", "name": "Project", "avatarUrls": AVATARS}
    assert user_identity_problems(project, "cloud") == []


BASE = "http://sandbox.test/sites/acme"


def test_self_links_follow_the_caller() -> None:
    body = {
        "self": BASE + "/rest/api/2/issue/10001",
        "fields": {"status": {"self": BASE + "/rest/api/3/status/1"}},
        "values": [{"self": "http://elsewhere/rest/api/2/project/1"}],
        "nextPage": BASE + "/rest/api/2/project/search?startAt=2",
        "avatarUrls": {"48x48": BASE + "/secure/useravatar?avatarId=1"},
    }
    found = self_link_problems(body, BASE, "2")
    assert [p.path for p in found] == ["$.fields.status.self", "$.values[0].self"]
    assert self_link_problems({"self": BASE + "/rest/api/3/myself"}, BASE, "3") == []


def test_pages_are_consistent() -> None:
    good = {
        "self": "x",
        "startAt": 0,
        "maxResults": 2,
        "total": 5,
        "isLast": False,
        "nextPage": "y",
        "values": [1, 2],
    }
    assert paging_problems(good) == []
    assert paging_problems({"startAt": 4, "maxResults": 2, "total": 5, "values": [1]}) == []
    too_many = {"startAt": 0, "maxResults": 1, "total": 5, "values": [1, 2]}
    assert [p.path for p in paging_problems(too_many)] == ["$.values"]
    past_total = {"startAt": 4, "maxResults": 5, "total": 5, "issues": [1, 2]}
    assert [p.message for p in paging_problems(past_total)] == ["startAt 4 + 2 items exceeds total 5"]
    assert [p.path for p in paging_problems({**good, "isLast": True})] == ["$.nextPage"]
    no_next = {k: v for k, v in good.items() if k != "nextPage"}
    assert len(paging_problems(no_next)) == 1
    assert paging_problems({"maxResults": 3}) == []  # not a page of items
    assert paging_problems({"startAt": 500, "maxResults": 3, "total": 4, "comments": []}) == []
