from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import utils

from jiragw.auth import oauth1
from jiragw.auth.http import HttpRequest
from jiragw.errors import JiragwError, OAuthCallbackError
from jiragw.secrets import Secret

from .conftest import CANARIES, NOW, assert_clean, secret

DC = "http://127.0.0.1:9000/dc/corp"
KEYS = oauth1.generate_key_pair()
OTHER_KEYS = oauth1.generate_key_pair()


class _Validator(RequestValidator):  # type: ignore[misc]
    """Server side as Jira's application link sees it: one consumer, known by its public key."""

    def __init__(self, public_key: str) -> None:
        super().__init__()
        self.public_key = public_key

    allowed_signature_methods = ("RSA-SHA1",)
    enforce_ssl = False

    def check_client_key(self, client_key: str) -> bool:
        return True

    def check_nonce(self, nonce: str) -> bool:
        return True

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == "jiragw-test"

    def validate_timestamp_and_nonce(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def get_rsa_key(self, client_key: str, request: Any) -> str:
        return self.public_key

    @property
    def dummy_client(self) -> str:
        return "dummy"


def _verify(request: HttpRequest, public_key: str = KEYS.public_key_pem) -> bool:
    endpoint = SignatureOnlyEndpoint(_Validator(public_key))
    body = request.body.decode() if request.body is not None else None
    valid, _ = endpoint.validate_request(request.url, request.method, body, dict(request.headers))
    return bool(valid)


def _oauth_params(request: HttpRequest) -> dict[str, str]:
    return {
        k: utils.unescape(v) for k, v in utils.parse_authorization_header(request.headers["Authorization"])
    }


def test_key_pair() -> None:
    private = serialization.load_pem_private_key(KEYS.private_key_pem.reveal().encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.key_size == 2048
    assert KEYS.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert oauth1.public_key_pem(KEYS.private_key_pem) == KEYS.public_key_pem
    assert "PRIVATE" not in repr(KEYS)
    assert KEYS.private_key_pem.reveal()[40:80] not in repr(KEYS)
    with pytest.raises(JiragwError):
        oauth1.generate_key_pair(1024)
    with pytest.raises(JiragwError) as info:
        oauth1.public_key_pem(Secret("-----BEGIN PRIVATE KEY-----\nnot a key\n"))
    assert "not a key" not in info.value.message


def test_consumer_key_suggestion() -> None:
    key = oauth1.suggest_consumer_key()
    assert key.startswith("jiragw-")
    assert len(key) == len("jiragw-") + 16
    assert oauth1.suggest_consumer_key() != key


def test_request_token_request_is_signed_and_verifies() -> None:
    now = datetime.now(UTC)
    request = oauth1.request_token_request(
        DC, consumer_key="jiragw-test", private_key=KEYS.private_key_pem, now=now
    )
    assert (request.method, request.url) == ("POST", f"{DC}/plugins/servlet/oauth/request-token")
    params = _oauth_params(request)
    assert params["oauth_signature_method"] == "RSA-SHA1"
    assert params["oauth_callback"] == "oob"
    assert params["oauth_timestamp"] == str(int(now.timestamp()))
    assert _verify(request)
    assert not _verify(request, OTHER_KEYS.public_key_pem)
    assert "oauth_signature" not in repr(request)


def test_timestamp_comes_from_now() -> None:
    request = oauth1.request_token_request(
        DC,
        consumer_key="jiragw-test",
        private_key=KEYS.private_key_pem,
        now=NOW,
        callback_uri="http://127.0.0.1:8765/cb",
    )
    params = _oauth_params(request)
    assert params["oauth_timestamp"] == str(int(NOW.timestamp()))
    assert params["oauth_callback"] == "http://127.0.0.1:8765/cb"


def test_authorize_url() -> None:
    url = oauth1.authorize_url(DC + "/", Secret("req tok/+"))
    parts = urlsplit(url)
    assert parts.path == "/dc/corp/plugins/servlet/oauth/authorize"
    assert parse_qsl(parts.query) == [("oauth_token", "req tok/+")]


def test_access_token_request_carries_verifier_and_verifies() -> None:
    request = oauth1.access_token_request(
        DC,
        consumer_key="jiragw-test",
        private_key=KEYS.private_key_pem,
        request_token=Secret("reqtok"),
        verifier=secret("verifier"),
        now=datetime.now(UTC),
    )
    assert request.url == f"{DC}/plugins/servlet/oauth/access-token"
    params = _oauth_params(request)
    assert params["oauth_token"] == "reqtok"
    assert params["oauth_verifier"] == CANARIES["verifier"]
    assert _verify(request)
    assert_clean(request)


def test_api_request_signature_covers_url_and_body() -> None:
    request = oauth1.sign_request(
        "post",
        f"{DC}/rest/api/2/search?jql=project%3DABC&maxResults=5",
        consumer_key="jiragw-test",
        private_key=KEYS.private_key_pem,
        access_token=secret("access_token"),
        now=datetime.now(UTC),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"fields=summary",
    )
    assert request.method == "POST"
    assert request.body == b"fields=summary"
    assert _oauth_params(request)["oauth_token"] == CANARIES["access_token"]
    assert _verify(request)
    tampered_url = HttpRequest(
        request.method, request.url.replace("ABC", "XYZ"), request.headers, request.body
    )
    assert not _verify(tampered_url)
    tampered_body = HttpRequest(request.method, request.url, request.headers, b"fields=description")
    assert not _verify(tampered_body)
    assert_clean(request)


def test_json_body_gets_a_body_hash_and_verifies() -> None:
    request = oauth1.sign_request(
        "POST",
        f"{DC}/rest/api/2/issue",
        consumer_key="jiragw-test",
        private_key=KEYS.private_key_pem,
        access_token=Secret("at"),
        now=datetime.now(UTC),
        headers={"Content-Type": "application/json"},
        body=b'{"fields":{}}',
    )
    assert "oauth_body_hash" in _oauth_params(request)
    assert _verify(request)


def test_signing_does_not_log_tokens(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        oauth1.sign_request(
            "GET",
            f"{DC}/rest/api/2/myself",
            consumer_key="jiragw-test",
            private_key=KEYS.private_key_pem,
            access_token=secret("access_token"),
            now=NOW,
        )
        oauth1.access_token_request(
            DC,
            consumer_key="jiragw-test",
            private_key=KEYS.private_key_pem,
            request_token=Secret("rt"),
            verifier=secret("verifier"),
            now=NOW,
        )
    assert CANARIES["access_token"] not in caplog.text
    assert CANARIES["verifier"] not in caplog.text


def test_bad_private_key_is_a_clean_error() -> None:
    bogus = Secret("-----BEGIN PRIVATE KEY-----\n" + CANARIES["password"] + "\n-----END PRIVATE KEY-----\n")
    with pytest.raises(JiragwError) as info:
        oauth1.sign_request(
            "GET", f"{DC}/x", consumer_key="c", private_key=bogus, access_token=Secret("a"), now=NOW
        )
    assert_clean(info.value)


def test_parse_request_token() -> None:
    body = b"oauth_token=reqtok&oauth_token_secret=s3cr3t&oauth_callback_confirmed=true"
    token = oauth1.parse_token_response(200, {}, body, request_token=True)
    assert token.token.reveal() == "reqtok"
    assert token.token_secret is not None
    assert token.token_secret.reveal() == "s3cr3t"
    assert token.callback_confirmed is True
    assert "reqtok" not in repr(token)
    assert "s3cr3t" not in repr(token)


def test_parse_access_token() -> None:
    body = f"oauth_token={CANARIES['access_token']}&oauth_token_secret=x".encode()
    token = oauth1.parse_token_response(200, {}, body)
    assert token.token.reveal() == CANARIES["access_token"]
    assert token.callback_confirmed is None
    assert_clean(token)


@pytest.mark.parametrize(
    ("status", "headers", "body", "code"),
    [
        (401, {}, b"oauth_problem=token_rejected", "reauth_required"),
        (401, {}, b"oauth_problem=token_expired&oauth_problem_advice=x", "reauth_required"),
        (401, {}, b"oauth_problem=permission_denied", "consent_denied"),
        (401, {}, b"oauth_problem=consumer_key_unknown", "oauth1_consumer_rejected"),
        (
            401,
            {},
            b"oauth_problem=signature_invalid&oauth_signature_base_string=CANARY-auth-code-91bd",
            "oauth1_signature_rejected",
        ),
        (
            401,
            {},
            b"oauth_problem=timestamp_refused&oauth_acceptable_timestamps=1-2",
            "oauth1_timestamp_refused",
        ),
        (401, {}, b"oauth_problem=nonce_used", "oauth1_timestamp_refused"),
        (401, {}, b"oauth_problem=parameter_absent", "oauth1_problem"),
        (401, {}, b"oauth_problem=CANARY-auth-code-91bd", "oauth1_problem"),
        (
            401,
            {"WWW-Authenticate": 'OAuth realm="x", oauth_problem="token_rejected"'},
            b"",
            "reauth_required",
        ),
        (401, {}, b"", "oauth1_problem"),
        (200, {}, b"oauth_token_secret=x", "token_response_invalid"),
        (200, {}, b"oauth_token=t&oauth_callback_confirmed=false", "token_response_invalid"),
        (200, {}, b"\xff\xfe", "token_response_invalid"),
        (503, {}, b"", "token_endpoint_unavailable"),
        (429, {}, b"", "rate_limited"),
    ],
)
def test_parse_problems(status: int, headers: dict[str, str], body: bytes, code: str) -> None:
    with pytest.raises(JiragwError) as info:
        oauth1.parse_token_response(status, headers, body, request_token=True)
    assert info.value.code == code
    assert_clean(info.value)


def test_callback() -> None:
    verifier = oauth1.check_callback(f"oauth_token=rt&oauth_verifier={CANARIES['verifier']}", Secret("rt"))
    assert verifier.reveal() == CANARIES["verifier"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("oauth_verifier=v", "state_missing"),
        ("oauth_token=other&oauth_verifier=v", "state_mismatch"),
        ("oauth_token=rt", "code_missing"),
        ("oauth_token=rt&oauth_verifier=denied", "consent_denied"),
        ("oauth_token=rt&oauth_token=rt&oauth_verifier=v", "callback_invalid"),
    ],
)
def test_callback_errors(query: str, code: str) -> None:
    with pytest.raises(OAuthCallbackError) as info:
        oauth1.check_callback(query, Secret("rt"))
    assert info.value.code == code
