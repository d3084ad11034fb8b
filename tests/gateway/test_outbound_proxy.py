"""``jiragw.gateway.outbound_proxy``: the proxy for a URL, from HTTP(S)_PROXY, ALL_PROXY and NO_PROXY."""

from __future__ import annotations

import base64

import httpx
import pytest

from jiragw.errors import ConfigError
from jiragw.gateway.outbound_proxy import OutboundProxies

PROXY = "http://proxy.corp:3128"


def _via(environ: dict[str, str], url: str) -> str | None:
    proxy = OutboundProxies.from_env(environ).for_url(httpx.URL(url))
    return None if proxy is None else proxy.url


def test_nothing_set_means_direct() -> None:
    proxies = OutboundProxies.from_env({})
    assert not proxies.configured
    assert proxies.for_url(httpx.URL("https://acme.atlassian.net/rest/api/3/myself")) is None


@pytest.mark.parametrize(
    ("environ", "url", "expected"),
    [
        ({"HTTP_PROXY": PROXY}, "http://jira.corp/rest", PROXY),
        ({"HTTP_PROXY": PROXY}, "https://jira.corp/rest", None),  # https has its own variable
        ({"HTTPS_PROXY": PROXY}, "https://jira.corp/rest", PROXY),
        ({"HTTPS_PROXY": PROXY}, "http://jira.corp/rest", None),
        ({"ALL_PROXY": PROXY}, "https://jira.corp/rest", PROXY),
        ({"ALL_PROXY": PROXY, "HTTPS_PROXY": "http://other:1"}, "https://x.test/", "http://other:1"),
        ({"http_proxy": PROXY, "HTTP_PROXY": "http://upper:1"}, "http://x.test/", PROXY),  # lower case wins
        ({"HTTP_PROXY": "proxy.corp:3128"}, "http://x.test/", PROXY),  # no scheme: http://
        ({"HTTP_PROXY": "http://proxy.corp"}, "http://x.test/", "http://proxy.corp:80"),
        ({"HTTP_PROXY": ""}, "http://x.test/", None),
        # Loopback is not special: only NO_PROXY exempts it.
        ({"HTTP_PROXY": PROXY}, "http://127.0.0.1:9000/sites/acme", PROXY),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": ""}, "http://127.0.0.1:9000/", PROXY),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "127.0.0.1"}, "http://127.0.0.1:9000/", None),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "localhost"}, "http://127.0.0.1:9000/", PROXY),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "127.0.0.0/8"}, "http://127.0.0.2:9000/", None),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "::1"}, "http://[::1]:9000/", None),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "[::1]:9000"}, "http://[::1]:9000/", None),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "[::1]:9000"}, "http://[::1]:9001/", PROXY),
        ({"HTTP_PROXY": PROXY, "no_proxy": "*"}, "http://anything.test/", None),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "a.test, *"}, "http://anything.test/", None),
        # Names cover themselves and what lies under them, however the entry is spelled.
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "corp.example"}, "https://jira.corp.example/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "corp.example"}, "https://corp.example/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": ".corp.example"}, "https://corp.example/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "*.corp.example"}, "https://a.b.corp.example/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "CORP.example"}, "https://Jira.corp.EXAMPLE/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "corp.example"}, "https://notcorp.example/", PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "corp.example"}, "https://corp.example.evil.test/", PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "jira.corp:8443"}, "https://jira.corp:8443/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "jira.corp:8443"}, "https://jira.corp/", PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "jira.corp:443"}, "https://jira.corp/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "https://jira.corp"}, "https://jira.corp/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "10.0.0.0/8"}, "https://10.20.30.40/", None),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "10.0.0.0/8"}, "https://11.0.0.1/", PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "10.0.0.0/8"}, "https://ten.example/", PROXY),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": " , ,"}, "https://x.test/", PROXY),
    ],
)
def test_the_proxy_for_a_url(environ: dict[str, str], url: str, expected: str | None) -> None:
    assert _via(environ, url) == expected


def test_credentials_in_the_proxy_url_become_proxy_authorization() -> None:
    proxies = OutboundProxies.from_env({"HTTPS_PROXY": "http://me%40corp:pa%3Ass-canary-91@proxy.corp:3128"})
    proxy = proxies.for_url(httpx.URL("https://acme.atlassian.net/"))
    assert proxy is not None
    assert proxy.url == PROXY  # the URL keeps no credentials
    assert proxy.authorization is not None
    assert proxy.authorization.reveal() == "Basic " + base64.b64encode(b"me@corp:pa:ss-canary-91").decode()
    assert "canary" not in repr(proxy)


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"HTTPS_PROXY": "https://user:secret-canary-17@proxy.corp:3128"}, "HTTPS_PROXY"),
        ({"HTTP_PROXY": "socks5://user:secret-canary-17@proxy.corp:1080"}, "HTTP_PROXY"),
        ({"ALL_PROXY": "socks5h://user:secret-canary-17@proxy.corp:1080"}, "ALL_PROXY"),
        ({"HTTP_PROXY": "http://user:secret-canary-17@proxy.corp:notaport"}, "HTTP_PROXY"),
        ({"HTTP_PROXY": "http://user:secret-canary-17@:3128"}, "HTTP_PROXY"),
    ],
)
def test_an_unusable_proxy_is_refused_without_repeating_it(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        OutboundProxies.from_env(environ)
    assert caught.value.code == "config_error"
    assert variable in caught.value.message
    assert "canary" not in str(caught.value)
    assert "canary" not in repr(caught.value.__cause__)


def test_no_proxy_star_turns_every_proxy_off() -> None:
    assert not OutboundProxies.from_env({"HTTPS_PROXY": PROXY, "NO_PROXY": "*"}).configured
