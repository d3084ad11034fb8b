"""``jiragw.gateway.aiohttp_transport`` under ``UpstreamClient``: plain httpx behaviour, byte for byte.

A raw asyncio server stands in for Jira so the exact request bytes can be
read and broken answers can be sent.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from jiragw.gateway.aiohttp_transport import AiohttpTransport
from jiragw.gateway.server import upstream_client
from jiragw.gateway.upstream import UpstreamClient

from .forward_proxy import tinyproxy

Answer = Callable[["Seen", asyncio.StreamWriter], Awaitable[None]]


@dataclass
class Seen:
    head: list[str]
    body: bytes

    @property
    def target(self) -> str:
        return self.head[0].split(" ")[1]

    def headers(self, name: str) -> list[str]:
        wanted = name.lower() + ":"
        return [line.split(":", 1)[1].strip() for line in self.head[1:] if line.lower().startswith(wanted)]


@dataclass
class RawServer:
    answer: Answer
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                head = raw.decode("latin-1").split("\r\n")[:-2]
                length = next(
                    (int(v.split(":")[1]) for v in head if v.lower().startswith("content-length:")), 0
                )
                seen = Seen(head, await reader.readexactly(length) if length else b"")
                self.seen.append(seen)
                await self.answer(seen, writer)
                await writer.drain()
        except ConnectionError:
            return
        finally:
            writer.close()


def ok(body: bytes = b'{"ok": true}', *extra: str) -> Answer:
    async def answer(seen: Seen, writer: asyncio.StreamWriter) -> None:
        lines = ["HTTP/1.1 200 OK", "Content-Type: application/json", f"Content-Length: {len(body)}", *extra]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    return answer


@pytest.fixture
async def raw() -> AsyncIterator[Callable[[Answer], Awaitable[RawServer]]]:
    servers: list[asyncio.Server] = []

    async def start(answer: Answer) -> RawServer:
        state = RawServer(answer)
        server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
        servers.append(server)
        state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return state

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def client(timeout: float = 5.0) -> httpx.AsyncClient:
    return UpstreamClient(transport=AiohttpTransport(), timeout=timeout, follow_redirects=False)


async def test_the_request_goes_out_as_httpx_built_it(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    server = await raw(ok())
    target = "/sites/acme/rest/api/2/search/%7Ex?jql=project%3DX%20AND%20summary~%22a+b%22&x=%2F"
    async with client() as http:
        request = http.build_request(
            "POST",
            server.url + target,
            headers=[(b"x-trace", b"one"), (b"x-trace", b"two"), (b"content-type", b"application/json")],
            content=b'{"a": 1}',
        )
        response = await http.send(request)
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    seen = server.seen[0]
    assert seen.head[0] == f"POST {target} HTTP/1.1"
    assert seen.headers("x-trace") == ["one", "two"]
    assert seen.headers("content-length") == ["8"]
    assert seen.headers("host") == [server.url.removeprefix("http://")]
    assert seen.headers("user-agent") == [http.headers["user-agent"]]
    assert seen.headers("accept-encoding") == [http.headers["accept-encoding"]]
    assert seen.headers("cookie") == []
    assert seen.body == b'{"a": 1}'


async def test_a_streamed_request_body_is_sent_whole(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    server = await raw(ok())

    async def parts() -> AsyncIterator[bytes]:
        yield b"first,"
        yield b"second"

    async with client() as http:
        response = await http.post(server.url + "/upload", content=parts())
    assert response.status_code == 200
    assert server.seen[0].body == b"first,second"
    assert server.seen[0].headers("transfer-encoding") == []


async def test_the_answer_is_raw_and_its_headers_kept(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    document = json.dumps({"key": "ACME-1"}).encode()
    packed = gzip.compress(document)
    server = await raw(ok(packed, "Content-Encoding: gzip", "X-Seen: a", "X-Seen: b"))
    async with client() as http:
        streamed = await http.send(http.build_request("GET", server.url + "/x"), stream=True)
        raw_bytes = b"".join([chunk async for chunk in streamed.aiter_raw()])
        await streamed.aclose()
        decoded = await http.get(server.url + "/x")
    assert raw_bytes == packed
    assert streamed.headers.get_list("x-seen") == ["a", "b"]
    assert streamed.http_version == "HTTP/1.1"
    assert streamed.reason_phrase == "OK"
    assert decoded.json() == {"key": "ACME-1"}
    assert server.connections == 1  # the connection was pooled and reused


async def test_no_cookie_is_kept_between_requests(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    server = await raw(ok(b"{}", "Set-Cookie: JSESSIONID=alice-session; Path=/"))
    async with client() as http:
        first = await http.get(server.url + "/rest/api/2/myself")
        await http.get(server.url + "/rest/api/2/myself")
        assert len(http.cookies) == 0
        with pytest.raises(ValueError, match="no cookies"):
            http.cookies = {"a": "b"}
    assert first.headers["set-cookie"].startswith("JSESSIONID=")
    assert [s.headers("cookie") for s in server.seen] == [[], []]
    with pytest.raises(ValueError, match="no cookies"):
        UpstreamClient(cookies={"a": "b"})


async def test_redirects_are_handed_back(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    async def moved(seen: Seen, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.test/\r\nContent-Length: 0\r\n\r\n")

    server = await raw(moved)
    async with client() as http:
        response = await http.get(server.url + "/x")
    assert response.status_code == 302
    assert response.headers["location"] == "http://elsewhere.test/"
    assert len(server.seen) == 1


async def test_an_unread_answer_closes_its_connection(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    server = await raw(ok(b"x" * 300_000))
    async with client() as http:
        response = await http.send(http.build_request("GET", server.url + "/big"), stream=True)
        await response.aclose()
        again = await http.get(server.url + "/big")
    assert len(again.content) == 300_000
    assert server.connections == 2


async def test_cannot_connect_is_a_connect_error() -> None:
    sock_server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = sock_server.sockets[0].getsockname()[1]
    sock_server.close()
    await sock_server.wait_closed()
    async with client() as http:
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get(f"http://127.0.0.1:{port}/x")
    assert caught.value.request.url.port == port


async def test_a_silent_server_is_a_read_timeout(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    async def silent(seen: Seen, writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    server = await raw(silent)
    async with client(timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(server.url + "/x")


@pytest.mark.parametrize(
    ("answer", "where"),
    [
        (b"", "head"),  # closed without answering
        (b"NOT HTTP AT ALL\r\n\r\n", "head"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "body"),
    ],
)
async def test_broken_answers_are_protocol_errors(
    raw: Callable[[Answer], Awaitable[RawServer]], answer: bytes, where: str
) -> None:
    async def broken(seen: Seen, writer: asyncio.StreamWriter) -> None:
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await raw(broken)
    heads: list[int] = []

    async def fetch(http: httpx.AsyncClient) -> None:
        response = await http.send(http.build_request("GET", server.url + "/x"), stream=True)
        heads.append(response.status_code)
        await response.aread()

    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await fetch(http)
    assert heads == ([200] if where == "body" else [])


async def test_the_served_client_uses_this_transport(raw: Callable[[Answer], Awaitable[RawServer]]) -> None:
    server = await raw(ok())
    async with upstream_client() as http:
        assert isinstance(http, UpstreamClient)
        assert not http.follow_redirects
        response = await http.get(server.url + "/x")
    assert response.json() == {"ok": True}
    transport = AiohttpTransport()
    await transport.aclose()  # closing one never used is fine


async def test_an_environment_proxy_carries_the_request(
    raw: Callable[[Answer], Awaitable[RawServer]], tmp_path: Path
) -> None:
    server = await raw(ok())
    with tinyproxy(tmp_path) as proxy:
        async with upstream_client({"HTTP_PROXY": proxy.url, "NO_PROXY": ""}) as http:
            response = await http.get(server.url + "/via/proxy?x=%2F")
        assert response.json() == {"ok": True}
        assert proxy.requests() == [f"GET {server.url}/via/proxy?x=%2F"]
    assert server.seen[0].target == "/via/proxy?x=%2F"


async def test_no_proxy_sends_directly(raw: Callable[[Answer], Awaitable[RawServer]], tmp_path: Path) -> None:
    server = await raw(ok())
    with tinyproxy(tmp_path) as proxy:
        async with upstream_client({"HTTP_PROXY": proxy.url, "NO_PROXY": "example.com,127.0.0.1"}) as http:
            response = await http.get(server.url + "/direct")
        assert response.json() == {"ok": True}
        assert proxy.requests() == []
    assert server.seen[0].target == "/direct"


async def test_proxy_credentials_from_the_url(
    raw: Callable[[Answer], Awaitable[RawServer]], tmp_path: Path
) -> None:
    server = await raw(ok())
    with tinyproxy(tmp_path, basic_auth=("gw", "pw-canary-5")) as proxy:
        async with upstream_client({"HTTP_PROXY": proxy.url}) as http:
            refused = await http.get(server.url + "/no-credentials")
        with_auth = proxy.url.replace("http://", "http://gw:pw-canary-5@")
        async with upstream_client({"HTTP_PROXY": with_auth}) as http:
            allowed = await http.get(server.url + "/credentials")
    assert refused.status_code == 407
    assert allowed.status_code == 200
    assert [s.target for s in server.seen] == ["/credentials"]
    # The proxy's credentials are for the proxy: never forwarded to the upstream.
    assert server.seen[0].headers("proxy-authorization") == []


async def test_https_goes_through_a_connect_tunnel(
    raw: Callable[[Answer], Awaitable[RawServer]], tmp_path: Path
) -> None:
    server = await raw(ok())
    target = server.url.replace("http://", "https://")
    with tinyproxy(tmp_path, connect_port=443) as proxy:
        async with upstream_client({"HTTPS_PROXY": proxy.url}) as http:
            # This tinyproxy tunnels to port 443 only: its refusal proves the tunnel was asked of it.
            with pytest.raises(httpx.ProxyError):
                await http.get(target + "/tunnel")
        assert proxy.requests() == [f"CONNECT {target.removeprefix('https://')}"]
    assert server.seen == []


async def test_proxy_credentials_go_with_the_connect(
    raw: Callable[[Answer], Awaitable[RawServer]], tmp_path: Path
) -> None:
    server = await raw(ok())
    target = server.url.replace("http://", "https://") + "/tunnel"
    statuses = []
    with tinyproxy(tmp_path, basic_auth=("gw", "pw-canary-6"), connect_port=443) as proxy:
        for url in (proxy.url, proxy.url.replace("http://", "http://gw:pw-canary-6@")):
            async with upstream_client({"HTTPS_PROXY": url}) as http:
                with pytest.raises(httpx.ProxyError) as caught:
                    await http.get(target)
            assert "canary" not in str(caught.value)
            statuses.append(getattr(caught.value.__cause__, "status", None))
    # Without credentials the proxy asks for them; with them it gets as far as its port rule.
    assert statuses == [407, 403]


async def test_forwarded_requests_do_not_reuse_a_connection_the_proxy_closed(
    raw: Callable[[Answer], Awaitable[RawServer]], tmp_path: Path
) -> None:
    """tinyproxy closes after each answer while announcing keep-alive: a POST after a GET must not fail."""
    server = await raw(ok())
    with tinyproxy(tmp_path) as proxy:
        async with upstream_client({"HTTP_PROXY": proxy.url}) as http:
            statuses = []
            for n in range(3):
                statuses.append((await http.get(f"{server.url}/read/{n}")).status_code)
                statuses.append((await http.post(f"{server.url}/write/{n}", content=b"{}")).status_code)
        assert statuses == [200] * 6
        assert len(proxy.requests()) == 6
