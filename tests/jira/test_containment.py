"""Containment of the final URL: whatever an id held, a request stays inside the connection's APIs."""

from __future__ import annotations

import httpx
import pytest

from jiragw.errors import PathRejected
from jiragw.gateway import paths as proxy_paths
from jiragw.jira import containment
from jiragw.jira.containment import allowed_prefixes, contain_url

DC = "https://jira.corp/dc/corp"
EX = "https://api.example/ex/jira/abc-123"


def built(url: str) -> str:
    """``url`` as httpx builds it (dot segments normalised away, as on the wire)."""
    return str(httpx.Request("GET", url).url)


@pytest.mark.parametrize(
    "url",
    [
        f"{DC}/rest/api/2/issue/ABC-1",
        f"{DC}/rest/api/2/issue/a%2Fb%3Fc",  # an encoded '/' inside one segment stays one segment
        f"{DC}/rest/agile/1.0/sprint/3/issue?x=1",
        f"{EX}/rest/api/3/myself",
        "https://api.example/jira/builds/0.1/cloud/abc-123/pipelines/p/builds/1",
        "https://jira.corp/jira/rest/api/2/field".replace("/jira/", "/jira/", 1),
    ],
)
def test_inside_the_api_is_allowed(url: str) -> None:
    base = "https://jira.corp/jira" if url.startswith("https://jira.corp/jira/") else DC
    base = EX if url.startswith("https://api.example") else base
    contain_url(base, built(url))


@pytest.mark.parametrize(
    "url",
    [
        # get_issue {"key": "X-1/../../../../pat/latest/tokens?"} as the old SDK built it
        f"{DC}/rest/api/2/issue/X-1/../../../../pat/latest/tokens?",
        f"{DC}/rest/api/2/issue/X-1%2F..%2F..%2F..%2F..%2Fpat%2Flatest%2Ftokens%3F",
        f"{DC}/rest/api/2/issue/PRJ-1%2F..%2FPRJ-2",
        f"{DC}/rest/api/2/issue/%2e%2e/%2e%2e/%2e%2e/pat/latest/tokens",
        f"{DC}/rest/api/2/issue/%252e%252e/x",
        f"{DC}/rest/api/2/issue/..;/..;/x",
        f"{DC}/rest/api/2/issue/a%5C..%5C..%5Cx",
        f"{DC}/rest/api/2//evil",
        f"{DC}/rest/pat/latest/tokens",
        f"{DC}/plugins/servlet/oauth/access-token",
        "https://jira.corp/rest/api/2/issue/ABC-1",  # outside the connection's context path
        "https://evil.example/dc/corp/rest/api/2/issue/ABC-1",
        "http://jira.corp/dc/corp/rest/api/2/issue/ABC-1",
        "https://api.example/rest/api/3/myself",  # beside an /ex/jira site: only the DevOps APIs
    ],
)
def test_outside_the_api_is_refused(url: str) -> None:
    base = EX if url.startswith("https://api.example") else DC
    with pytest.raises(PathRejected) as caught:
        contain_url(base, built(url))
    assert "tokens" not in caught.value.message
    assert "evil" not in caught.value.message


def test_the_gateway_site_root_carries_only_the_devops_apis() -> None:
    assert allowed_prefixes(EX) == (
        *("/ex/jira/abc-123" + p for p in containment.SDK_PREFIXES),
        "/jira/builds/0.1/",
        "/jira/deployments/0.1/",
    )


def test_the_proxy_uses_the_same_rules() -> None:
    # One idea, one home: the proxy's path containment is built on these functions.
    assert proxy_paths.API_PREFIXES is containment.API_PREFIXES
    assert proxy_paths.MAX_DECODES == containment.MAX_DECODES
    assert proxy_paths.decode_fully is containment.decode_fully
    assert proxy_paths.check_segments is containment.check_segments
