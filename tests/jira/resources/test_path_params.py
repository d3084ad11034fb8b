"""Every path parameter of every resource method arrives as exactly one encoded segment.

The walk introspects the resource classes: each public method is called once
with plain values (numbers) in every id-like parameter, and then with a
hostile value in one of them, through an ``httpx.MockTransport`` that records
the raw request target. Every path the hostile call sends is made of plain
segments and at most the hostile value, percent-encoded as one segment, in
the place where the plain call had its number. With the connection's base given to the
transport, no request leaves the API prefix: a value with dot segments is
refused before it is sent.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from jiragw.errors import InvalidInput, JiragwError, PathRejected
from jiragw.jira.containment import SDK_PREFIXES
from jiragw.jira.context import ApiContext
from jiragw.jira.resources.agile import AgileResource
from jiragw.jira.resources.comments import CommentsResource
from jiragw.jira.resources.dashboards import DashboardsResource
from jiragw.jira.resources.devops import DevOpsResource
from jiragw.jira.resources.fields import FieldsResource
from jiragw.jira.resources.filters import FiltersResource
from jiragw.jira.resources.issues import IssuesResource
from jiragw.jira.resources.projects import ProjectsResource
from jiragw.jira.resources.users import UsersResource
from jiragw.jira.transport import StaticCredentials, Transport
from jiragw.jira.urlpath import segment

RESOURCES: tuple[type, ...] = (
    AgileResource,
    CommentsResource,
    DashboardsResource,
    DevOpsResource,
    FieldsResource,
    FiltersResource,
    IssuesResource,
    ProjectsResource,
    UsersResource,
)
BASE = "https://jira.test/ctx"
PLAIN = "10001"  # every id-like parameter not under test
MARK = "10002"  # the parameter under test, in the plain call
HOSTILE: list[str] = json.loads((Path(__file__).parent / "hostile_path_values.json").read_text())["values"]
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")
MAX_REQUESTS = 4  # enough to see a method's paths; stops pagination over the canned answer


class Enough(Exception):
    """Raised by the recorder once it has seen enough of a method's requests."""


class Recorder:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if len(self.paths) >= MAX_REQUESTS:
            raise Enough
        self.paths.append(request.url.raw_path.decode("ascii").split("?", 1)[0])
        return httpx.Response(200, json={})


def _id_like(annotation: Any) -> bool:
    return str(annotation).replace(" ", "") in {"str", "str|int", "int|str"}


def methods() -> list[tuple[type, str, str]]:
    """(resource class, method name, id-like parameter) for every public coroutine or async generator."""
    found = []
    for cls in RESOURCES:
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or not (
                inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)
            ):
                continue
            for param in list(inspect.signature(fn).parameters.values())[1:]:
                if param.default is inspect.Parameter.empty and _id_like(param.annotation):
                    found.append((cls, name, param.name))
    return found


def _arguments(fn: Callable[..., Any], hostile: tuple[str, str] | None) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in list(inspect.signature(fn).parameters.values())[1:]:
        if param.default is not inspect.Parameter.empty:
            continue
        text = str(param.annotation).replace(" ", "")
        if _id_like(param.annotation):
            value: Any = hostile[1] if hostile and hostile[0] == param.name else PLAIN
        elif text == "int":
            value = 1
        elif text.startswith(("Sequence[", "list[")):
            value = [PLAIN]
        elif text.startswith(("Mapping[", "dict[")):
            value = {}
        else:
            value = None
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    return args, kwargs


async def _call(cls: type, name: str, hostile: tuple[str, str] | None, *, contained: bool) -> Recorder:
    recorder = Recorder()
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder.handler)) as client:
        transport = Transport(
            client, StaticCredentials({"Authorization": "Bearer t"}), base_url=BASE if contained else None
        )
        ctx = ApiContext(transport, BASE, "dc")
        resource = cls(ctx, cloud_id="abc-123") if cls is DevOpsResource else cls(ctx)
        fn = getattr(resource, name)
        args, kwargs = _arguments(getattr(cls, name), hostile)
        try:
            result = fn(*args, **kwargs)
            if inspect.isasyncgen(result):
                async for _ in result:
                    pass
            else:
                await result
        except (Enough, JiragwError, KeyError, TypeError, ValueError, AttributeError):
            pass  # the canned answer is not what the method reads; the requests are what count
    return recorder


WALK = methods()


def test_the_walk_reaches_every_resource() -> None:
    walked = {cls for cls, _, _ in WALK}
    # FieldsResource and UsersResource put no caller value into a path; every other one does.
    assert walked >= set(RESOURCES) - {FieldsResource, UsersResource}
    names = {f"{cls.__name__}.{name}" for cls, name, _ in WALK}
    assert {
        "IssuesResource.get",
        "IssuesResource.edit",
        "CommentsResource.edit",
        "ProjectsResource.create_fields",
        "DevOpsResource.get_deployment",
        "AgileResource.sprint",
    } <= names
    assert len(WALK) >= 40


@pytest.mark.parametrize(("cls", "name", "param"), WALK, ids=[f"{c.__name__}.{n}.{p}" for c, n, p in WALK])
async def test_a_hostile_path_parameter_is_one_encoded_segment(cls: type, name: str, param: str) -> None:
    plain = set((await _call(cls, name, (param, MARK), contained=False)).paths)
    for value in HOSTILE:
        encoded = segment(value)
        assert unquote(encoded) == value
        assert encoded not in {".", ".."}
        assert "/" not in encoded
        for got in (await _call(cls, name, (param, value), contained=False)).paths:
            assert got.startswith(tuple("/ctx" + p for p in SDK_PREFIXES)), got
            segments = got.split("/")[1:]
            odd = [seg for seg in segments if not _PLAIN_SEGMENT.fullmatch(seg) or seg in {".", ".."}]
            assert odd in ([], [encoded]), (value, got)  # nothing but plain segments and the one value
            if encoded in segments and not _PLAIN_SEGMENT.fullmatch(encoded):
                assert segments.count(encoded) == 1, (value, got)
                # the value sits exactly where the plain call had its number
                assert "/" + "/".join(MARK if seg == encoded else seg for seg in segments) in plain, got


@pytest.mark.parametrize(("cls", "name", "param"), WALK, ids=[f"{c.__name__}.{n}.{p}" for c, n, p in WALK])
async def test_no_request_leaves_the_api_prefix(cls: type, name: str, param: str) -> None:
    for value in HOSTILE:
        sent = (await _call(cls, name, (param, value), contained=True)).paths
        for got in sent:
            decoded = unquote(unquote(got))
            assert decoded.startswith(tuple("/ctx" + p for p in SDK_PREFIXES)), got
            assert not {".", ".."} & set(decoded.replace("\\", "/").split("/")), got


async def test_dot_segments_in_an_id_are_refused_before_sending() -> None:
    for value in ("..", "X-1/../../../../pat/latest/tokens?", "PRJ-1/../PRJ-2", "a\\..\\b"):
        recorder = await _call(IssuesResource, "get", ("key", value), contained=True)
        assert recorder.paths == [], value
    for value in ("..", "PRJ-1/../PRJ-2"):
        async with httpx.AsyncClient(transport=httpx.MockTransport(Recorder().handler)) as client:
            transport = Transport(client, StaticCredentials({"Authorization": "Bearer t"}), base_url=BASE)
            issues = IssuesResource(ApiContext(transport, BASE, "dc"))
            with pytest.raises(PathRejected):
                await issues.edit(value, summary="moved")


async def test_an_empty_id_is_refused() -> None:
    recorder = Recorder()
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder.handler)) as client:
        transport = Transport(client, StaticCredentials({"Authorization": "Bearer t"}))
        with pytest.raises(InvalidInput):
            await IssuesResource(ApiContext(transport, BASE, "dc")).get("")
    assert recorder.paths == []
