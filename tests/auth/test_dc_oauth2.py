from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from jiragw.auth.callback import new_state
from jiragw.auth.dc_oauth2 import (
    authorize_url,
    code_challenge,
    new_pkce,
    refresh_request,
    token_request,
    token_url,
)
from jiragw.errors import InvalidInput
from jiragw.secrets import Secret

from .conftest import CANARIES, assert_clean, secret

DC = "http://127.0.0.1:9000/dc/corp"
REDIRECT = "http://127.0.0.1:8765/v1/outbound/oauth/callback"


def test_rfc7636_appendix_b() -> None:
    verifier = Secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_new_pkce() -> None:
    pkce = new_pkce()
    verifier = pkce.verifier.reveal()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,128}", verifier)
    assert len(verifier) >= 43
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    assert pkce.challenge == digest
    assert "=" not in pkce.challenge
    assert pkce.method == "S256"
    assert verifier not in repr(pkce)
    assert new_pkce().verifier != pkce.verifier


@pytest.mark.parametrize("verifier", ["short", "x" * 129, "a" * 42 + "!", "é" * 50])
def test_code_challenge_rejects_bad_verifiers(verifier: str) -> None:
    with pytest.raises(InvalidInput) as info:
        code_challenge(Secret(verifier))
    assert verifier not in info.value.message


def test_authorize_url() -> None:
    state, pkce = new_state(), new_pkce()
    url = authorize_url(
        DC,
        client_id="cid",
        redirect_uri=REDIRECT,
        scopes=["READ", "WRITE"],
        state=state.value,
        challenge=pkce.challenge,
    )
    parts = urlsplit(url)
    assert parts.path == "/dc/corp/rest/oauth2/latest/authorize"
    assert parse_qsl(parts.query) == [
        ("client_id", "cid"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "READ WRITE"),
        ("state", state.value.reveal()),
        ("code_challenge", pkce.challenge),
        ("code_challenge_method", "S256"),
    ]
    assert pkce.verifier.reveal() not in url


@pytest.mark.parametrize("scopes", [[], ["read:jira-work"], ["READ", "DELETE"]])
def test_authorize_url_rejects_unknown_scopes(scopes: list[str]) -> None:
    with pytest.raises(InvalidInput):
        authorize_url(
            DC, client_id="c", redirect_uri=REDIRECT, scopes=scopes, state=Secret("s"), challenge="c"
        )


def test_token_request_is_form_encoded_with_verifier() -> None:
    verifier = secret("verifier")
    request = token_request(
        DC,
        client_id="cid",
        client_secret=secret("client_secret"),
        code=secret("code"),
        redirect_uri=REDIRECT,
        verifier=verifier,
    )
    assert (request.method, request.url) == ("POST", token_url(DC))
    assert request.url == "http://127.0.0.1:9000/dc/corp/rest/oauth2/latest/token"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body is not None
    assert parse_qs(request.body.decode()) == {
        "grant_type": ["authorization_code"],
        "client_id": ["cid"],
        "client_secret": [CANARIES["client_secret"]],
        "code": [CANARIES["code"]],
        "redirect_uri": [REDIRECT],
        "code_verifier": [CANARIES["verifier"]],
    }
    assert_clean(request)


def test_refresh_request() -> None:
    request = refresh_request(
        DC,
        client_id="cid",
        client_secret=secret("client_secret"),
        refresh_token=secret("refresh_token"),
        redirect_uri=REDIRECT,
    )
    assert request.body is not None
    assert parse_qs(request.body.decode()) == {
        "grant_type": ["refresh_token"],
        "client_id": ["cid"],
        "client_secret": [CANARIES["client_secret"]],
        "refresh_token": [CANARIES["refresh_token"]],
        "redirect_uri": [REDIRECT],
    }
    assert_clean(request)
    bare = refresh_request(DC, client_id="cid", client_secret=Secret("s"), refresh_token=Secret("r"))
    assert bare.body is not None
    assert b"redirect_uri" not in bare.body
