from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from jiragw.auth import oauth2_3lo
from jiragw.auth.oauth2_3lo import (
    AccessibleResource,
    RefreshAction,
    accessible_resources_request,
    authorize_url,
    code_exchange_request,
    new_state,
    parse_accessible_resources,
    redirect_uri,
    refresh_decision,
    refresh_request,
)
from jiragw.errors import (
    AuthError,
    InvalidInput,
    RateLimited,
    ReauthRequired,
    TokenResponseInvalid,
    UpstreamError,
)

from .conftest import CANARIES, NOW, assert_clean, secret

AUTH = "https://auth.atlassian.com"
API = "https://api.atlassian.com"
REDIRECT = "https://gw.example/v1/outbound/oauth/callback"


def test_redirect_uri_is_public_url_plus_callback_path() -> None:
    assert redirect_uri("https://gw.example/") == REDIRECT
    assert redirect_uri("http://127.0.0.1:8765") == "http://127.0.0.1:8765/v1/outbound/oauth/callback"


def test_authorize_url_has_exactly_atlassians_parameters() -> None:
    state = new_state()
    url = authorize_url(
        AUTH,
        client_id="cid",
        scopes=["read:jira-work", "read:jira-user"],
        redirect_uri=REDIRECT,
        state=state.value,
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "auth.atlassian.com", "/authorize")
    assert parse_qsl(parts.query) == [
        ("audience", "api.atlassian.com"),
        ("client_id", "cid"),
        ("scope", "read:jira-work read:jira-user offline_access"),
        ("redirect_uri", REDIRECT),
        ("state", state.value.reveal()),
        ("response_type", "code"),
        ("prompt", "consent"),
    ]
    assert "%20" in parts.query  # space-separated scopes, percent-encoded


def test_authorize_url_without_refresh_and_dedup() -> None:
    url = authorize_url(
        AUTH,
        client_id="c",
        scopes=["read:me", "read:me"],
        redirect_uri=REDIRECT,
        state=secret("code"),
        refresh=False,
    )
    assert dict(parse_qsl(urlsplit(url).query))["scope"] == "read:me"
    url = authorize_url(
        AUTH, client_id="c", scopes=["offline_access", "read:me"], redirect_uri=REDIRECT, state=secret("code")
    )
    assert dict(parse_qsl(urlsplit(url).query))["scope"] == "offline_access read:me"


def test_authorize_url_never_carries_the_client_secret() -> None:
    # authorize_url has no client_secret parameter at all; the token requests carry it in the body only.
    url = authorize_url(
        AUTH, client_id="cid", scopes=["read:me"], redirect_uri=REDIRECT, state=new_state().value
    )
    assert "secret" not in url
    exchange = code_exchange_request(
        AUTH,
        client_id="cid",
        client_secret=secret("client_secret"),
        code=secret("code"),
        redirect_uri=REDIRECT,
    )
    assert CANARIES["client_secret"] not in exchange.url


@pytest.mark.parametrize("scopes", [[], ["has space"], [""], ["tab\there"]])
def test_authorize_url_rejects_bad_scopes(scopes: list[str]) -> None:
    with pytest.raises(InvalidInput):
        authorize_url(
            AUTH, client_id="c", scopes=scopes, redirect_uri=REDIRECT, state=new_state().value, refresh=False
        )


def test_code_exchange_request() -> None:
    request = code_exchange_request(
        AUTH,
        client_id="cid",
        client_secret=secret("client_secret"),
        code=secret("code"),
        redirect_uri=REDIRECT,
    )
    assert (request.method, request.url) == ("POST", "https://auth.atlassian.com/oauth/token")
    assert request.headers["Content-Type"] == "application/json"
    assert request.body is not None
    assert json.loads(request.body) == {
        "grant_type": "authorization_code",
        "client_id": "cid",
        "client_secret": CANARIES["client_secret"],
        "code": CANARIES["code"],
        "redirect_uri": REDIRECT,
    }
    assert_clean(request)


def test_refresh_request() -> None:
    request = refresh_request(
        AUTH + "/",
        client_id="cid",
        client_secret=secret("client_secret"),
        refresh_token=secret("refresh_token"),
    )
    assert request.url == "https://auth.atlassian.com/oauth/token"
    assert request.body is not None
    assert json.loads(request.body) == {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": CANARIES["client_secret"],
        "refresh_token": CANARIES["refresh_token"],
    }
    assert_clean(request)


def test_rotating_refresh_replaces_the_old_token() -> None:
    body = json.dumps({"access_token": "new-a", "refresh_token": "new-r", "expires_in": 3600}).encode()
    tokens = oauth2_3lo.parse_token_response(
        200, {}, body, now=NOW, previous_refresh_token=secret("refresh_token")
    )
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.reveal() == "new-r"
    assert tokens.rotated
    with pytest.raises(ReauthRequired):
        oauth2_3lo.parse_token_response(403, {}, b'{"error":"invalid_grant"}', now=NOW)


def test_accessible_resources() -> None:
    request = accessible_resources_request(API, secret("access_token"))
    assert request.url == "https://api.atlassian.com/oauth/token/accessible-resources"
    assert request.headers["Authorization"] == f"Bearer {CANARIES['access_token']}"
    assert_clean(request)
    body = json.dumps(
        [
            {
                "id": "1324a887-45db-1bf4-1e99-ef0ff456d421",
                "url": "https://acme.atlassian.net",
                "name": "acme",
                "scopes": ["read:jira-work", "offline_access"],
                "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png",
            },
            {"id": "x2", "url": "http://127.0.0.1:9000/sites/beta/", "name": "beta", "scopes": []},
        ]
    ).encode()
    resources = parse_accessible_resources(200, {}, body)
    assert resources[0] == AccessibleResource(
        "1324a887-45db-1bf4-1e99-ef0ff456d421",
        "https://acme.atlassian.net",
        "acme",
        ("read:jira-work", "offline_access"),
        "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png",
    )
    assert resources[1].url == "http://127.0.0.1:9000/sites/beta"
    assert resources[1].avatar_url is None
    assert parse_accessible_resources(200, {}, b"[]") == ()


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, b"", AuthError),
        (429, b"", RateLimited),
        (500, b"", UpstreamError),
        (200, b"{}", TokenResponseInvalid),
        (200, b"[1]", TokenResponseInvalid),
        (200, b'[{"id": "a", "url": "https://x"}]', TokenResponseInvalid),
        (200, b'[{"id": "a", "url": "javascript:alert(1)", "name": "n"}]', TokenResponseInvalid),
        (200, b'[{"id": "a", "url": "https://x", "name": "n", "scopes": "read"}]', TokenResponseInvalid),
        (200, b"not json", TokenResponseInvalid),
    ],
)
def test_accessible_resources_errors(status: int, body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_accessible_resources(status, {}, body)


FAMILY = NOW - timedelta(days=100)


@pytest.mark.parametrize(
    ("expires_in", "family_start", "action", "warn"),
    [
        (timedelta(seconds=61), FAMILY, RefreshAction.NOT_YET, False),
        (timedelta(seconds=60), FAMILY, RefreshAction.REFRESH, False),
        (timedelta(seconds=-10), FAMILY, RefreshAction.REFRESH, False),
        (timedelta(hours=1), NOW - timedelta(days=351), RefreshAction.NOT_YET, True),
        (timedelta(hours=1), NOW - timedelta(days=350, seconds=-1), RefreshAction.NOT_YET, False),
        (timedelta(hours=1), NOW - timedelta(days=365), RefreshAction.REAUTH, True),
        (None, FAMILY, RefreshAction.NOT_YET, False),
    ],
)
def test_refresh_decision(
    expires_in: timedelta | None, family_start: object, action: RefreshAction, warn: bool
) -> None:
    expires_at = None if expires_in is None else NOW + expires_in
    decision = refresh_decision(expires_at, NOW, family_start)  # type: ignore[arg-type]
    assert decision.action is action
    assert decision.warn_lifetime is warn
    assert decision.family_expires_at == family_start + timedelta(days=365)  # type: ignore[operator]
    if expires_at is not None and action is not RefreshAction.REAUTH:
        assert decision.refresh_at == expires_at - timedelta(seconds=60)


def test_refresh_decision_configurable() -> None:
    decision = refresh_decision(
        NOW + timedelta(minutes=4),
        NOW,
        NOW - timedelta(days=300),
        margin=timedelta(minutes=5),
        warn_before=timedelta(days=90),
    )
    assert decision.action is RefreshAction.REFRESH
    assert decision.warn_lifetime
