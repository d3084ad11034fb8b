"""RawPathRoute: matching on the encoded path, one encoded segment per parameter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Match, Mount, Route

from jiragw.sandbox.http.rawpath import RawPathRoute, raw_route_path


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse(request.path_params)


def _app() -> Starlette:
    return Starlette(
        routes=[
            RawPathRoute("/raw/{name}/items/{number:int}", _echo, methods=["GET"]),
            Route("/plain/{name}/items/{number:int}", _echo),
            Mount("/under/{site}", routes=[RawPathRoute("/raw/{name}", _echo)]),
        ]
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t") as c:
        yield c


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/raw/team%2Fapp/items/3", "team/app"),
        ("/raw/a%2Fb%2Fc/items/3", "a/b/c"),
        ("/raw/plain/items/3", "plain"),
        ("/raw/caf%C3%A9%20bar/items/3", "café bar"),
        ("/raw/100%25/items/3", "100%"),
        ("/raw/team%2fapp/items/3?x=%2F", "team/app"),
    ],
)
async def test_an_encoded_segment_is_one_decoded_parameter(
    client: httpx.AsyncClient, path: str, name: str
) -> None:
    r = await client.get(path)
    assert r.status_code == 200
    assert r.json() == {"name": name, "number": 3}


async def test_a_bare_slash_is_still_a_separator(client: httpx.AsyncClient) -> None:
    assert (await client.get("/raw/team/app/items/3")).status_code == 404
    assert (await client.get("/raw/team%2Fapp/items/x")).status_code == 404
    # The method check still applies once the path matched.
    assert (await client.post("/raw/team%2Fapp/items/3")).status_code == 405


async def test_starlettes_own_route_splits_on_the_decoded_slash(client: httpx.AsyncClient) -> None:
    """Why RawPathRoute exists: the same request misses a plain Route."""
    assert (await client.get("/plain/team%2Fapp/items/3")).status_code == 404
    assert (await client.get("/plain/team/items/3")).json() == {"name": "team", "number": 3}


async def test_inside_a_mount_the_prefix_is_cut_from_the_raw_path(client: httpx.AsyncClient) -> None:
    r = await client.get("/under/acme%20co/raw/team%2Fapp")
    assert r.status_code == 200
    assert r.json() == {"site": "acme co", "name": "team/app"}


def test_without_raw_path_the_decoded_path_is_used() -> None:
    route = RawPathRoute("/raw/{name}", _echo)
    scope = {"type": "http", "method": "GET", "path": "/raw/team", "root_path": ""}
    match, child = route.matches(scope)
    assert match is Match.FULL
    assert child["path_params"] == {"name": "team"}
    assert raw_route_path(scope) is None


@pytest.mark.parametrize(
    ("raw", "root", "expected"),
    [
        (b"/a%2Fb/c", "", "/a%2Fb/c"),
        (b"/a%2Fb/c?q=1", "", "/a%2Fb/c"),
        (b"/mnt%20x/a%2Fb", "/mnt x", "/a%2Fb"),
        (b"/mnt", "/mnt", ""),
        # A root_path the raw path does not start with (a proxy cut it off) is left alone.
        (b"/a%2Fb", "/proxy", "/a%2Fb"),
    ],
)
def test_raw_route_path(raw: bytes, root: str, expected: str) -> None:
    assert raw_route_path({"type": "http", "raw_path": raw, "root_path": root}) == expected
