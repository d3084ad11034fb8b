"""Bytes an agent pays: jiragw's MCP answers against mcp-atlassian's, on the same sandbox site.

Serves a seeded sandbox on a loopback port, connects jiragw to its Cloud site
with an API token, and runs the PyPI package ``mcp-atlassian`` (pinned in the
``bench`` extra) over stdio against the same site with the same token. It
needs ``mcp`` 1.x, which cannot share a virtualenv with jiragw (``mcp`` 2.x),
so it lives in its own: ``--atlassian`` names its executable
(default ``/tmp/bench-atl/bin/mcp-atlassian``, which the script creates when missing:
``python -m venv /tmp/bench-atl && /tmp/bench-atl/bin/pip install 'mcp-atlassian==0.23.1'``).

mcp-atlassian decides Cloud or Server/Data Center from the URL's host name:
only ``*.atlassian.net`` is Cloud, and a Server/DC client searches with
``GET /rest/api/2/search``, which a Cloud site (real or emulated) answers as
removed. So that it speaks the Cloud APIs to the Cloud site, the benchmark
names the same loopback sandbox ``acme.atlassian.net`` in ``/etc/hosts`` for
the run (root only; the line is removed afterwards) and gives mcp-atlassian
``JIRA_URL=http://acme.atlassian.net:PORT/sites/acme``. The sandbox itself is
not changed: it serves the site by path, whatever the host name.

Measured, as the JSON-RPC ``result`` each client receives (UTF-8 bytes):
``tools/list``; "get issue X"; "search JQL J, 20 results"; and, so that no
single issue is picked, "get issue" on each of the 20 (sum, and the worst
ratio of one answer to its peer). Each jiragw answer is checked to carry the
facts (key, summary, status, assignee, priority, type, dates, description,
every comment). Targets (issue 6): ``tools/list`` <= 20 KB, and
each answer <= 1/3 of mcp-atlassian's. Prints a table, the ratios, and the
upstream requests each call made (the sandbox's counters, by operation).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from mcp import Client, StdioServerParameters

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token
from jiragw.jira.resources import from_jira_text
from jiragw.mcp.access import Access, for_local
from jiragw.mcp.server import build_server
from jiragw.sandbox import Sandbox, build_sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring

JQL = "project = PRJ ORDER BY key"  # 44 issues in the seeded site: a full page of 20
CLOUD_HOST = "acme.atlassian.net"
HOSTS = Path("/etc/hosts")


def size(result: Any) -> int:
    return len(json.dumps(result.model_dump(by_alias=True, exclude_none=True, mode="json")).encode())


def text_of(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


def facts(issue: dict[str, Any], comments: bool) -> dict[str, str]:
    """What an answer about ``issue`` must mention (raw Jira JSON in)."""
    f = issue["fields"]
    out = {
        "key": issue["key"],
        "summary": f["summary"],
        "status": f["status"]["name"],
        "type": f["issuetype"]["name"],
        "priority": (f.get("priority") or {}).get("name", ""),
        "assignee": (f.get("assignee") or {}).get("displayName", ""),
        "created": f["created"][:10],
        "updated": f["updated"][:10],
    }
    description = from_jira_text_plain(f.get("description"))
    if description:
        out["description"] = description.splitlines()[0][:40]
    if comments and (f.get("comment") or {}).get("comments"):
        for i, c in enumerate(f["comment"]["comments"]):
            out[f"comment {i + 1}"] = from_jira_text_plain(c["body"]).splitlines()[0][:30]
    return {k: v for k, v in out.items() if v}


def from_jira_text_plain(value: Any) -> str:
    class _Ctx:
        adf = True

    return from_jira_text(_Ctx(), value) if value else ""  # type: ignore[arg-type]


def missing(answer: str, wanted: dict[str, str]) -> list[str]:
    return [k for k, v in wanted.items() if v not in answer]


class Calls:
    """The sandbox's request counters, as the operations each measured call caused."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.seen: dict[str, Counter[str]] = {}

    async def measure(self, label: str, call: Callable[[], Awaitable[Any]]) -> Any:
        before = Counter(dict(self.sandbox.counters))
        result = await call()
        after = Counter(dict(self.sandbox.counters))
        ops: Counter[str] = Counter()
        for key, n in (after - before).items():
            ops[f"{key.method} {key.operation} {key.status}"] += n
        self.seen[label] = ops
        return result

    def line(self, label: str) -> str:
        ops = self.seen.get(label)
        if ops is None:
            return "not measured"
        return ", ".join(f"{op} x{n}" for op, n in sorted(ops.items())) or "none"


async def measure_jiragw(demo: dict[str, Any], key: str, more: list[str], calls: Calls) -> dict[str, Any]:
    alice = next(u for u in demo["users"] if u["name"] == "alice")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/db.sqlite3", Keyring.create_file(Path(tmp) / "master.key"))
        try:
            async with httpx.AsyncClient(timeout=30.0) as http:
                broker = Broker(store, http)
                site = demo["sites"]["acme"]["url"]
                await connect_api_token(
                    broker, name="acme", site_url=site, email=alice["email"], token=Secret(alice["api_token"])
                )
                access = for_local(("acme",), broker=broker)

                async def fixed(ctx: Any) -> Access:
                    return access

                async with Client(build_server(fixed)) as client:
                    search_args = {"jql": JQL, "limit": 20, "fields": ["description"]}
                    return {
                        "tools": await calls.measure("jiragw tools", client.list_tools),
                        "issue": await calls.measure(
                            "jiragw issue", lambda: client.call_tool("get_issue", {"key": key})
                        ),
                        "search": await calls.measure(
                            "jiragw search", lambda: client.call_tool("search_issues", search_args)
                        ),
                        "issue again": await calls.measure(
                            "jiragw issue again", lambda: client.call_tool("get_issue", {"key": key})
                        ),
                        "issues": [await client.call_tool("get_issue", {"key": k}) for k in more],
                    }
        finally:
            store.dispose()


@contextlib.contextmanager
def cloud_host_name() -> Iterator[str]:
    """``acme.atlassian.net`` resolving to 127.0.0.1 for the run (an ``/etc/hosts`` line, removed after)."""
    line = f"127.0.0.1 {CLOUD_HOST}  # jiragw benchmarks/mcp_size.py\n"
    try:
        resolved = socket.gethostbyname(CLOUD_HOST)
    except OSError:
        resolved = None
    if resolved == "127.0.0.1":
        yield CLOUD_HOST
        return
    original = HOSTS.read_text()
    HOSTS.write_text(original + ("" if original.endswith("\n") else "\n") + line)
    try:
        yield CLOUD_HOST
    finally:
        # Remove only our line: anything else written meanwhile stays.
        HOSTS.write_text("".join(x for x in HOSTS.read_text().splitlines(keepends=True) if x != line))


def on_host(url: str, host: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}"))


async def measure_atlassian(
    exe: str, demo: dict[str, Any], key: str, more: list[str], site_url: str, calls: Calls
) -> dict[str, Any]:
    alice = next(u for u in demo["users"] if u["name"] == "alice")
    host = urlsplit(site_url).hostname or ""
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), host, "127.0.0.1", "localhost"]))
    env = {
        **os.environ,
        "JIRA_URL": site_url,
        "JIRA_USERNAME": alice["email"],
        "JIRA_API_TOKEN": alice["api_token"],
        "TOOLSETS": "all",
        "NO_PROXY": no_proxy,
        "no_proxy": no_proxy,
    }
    out: dict[str, Any] = {}
    params = StdioServerParameters(command=exe, args=["--transport", "stdio"], env=env)
    async with Client(params) as client:
        out["tools"] = await calls.measure("mcp-atlassian tools", client.list_tools)
        out["issue"] = await calls.measure(
            "mcp-atlassian issue", lambda: client.call_tool("jira_get_issue", {"issue_key": key})
        )
        out["search"] = await calls.measure(
            "mcp-atlassian search", lambda: client.call_tool("jira_search", {"jql": JQL, "limit": 20})
        )
        out["issues"] = [await client.call_tool("jira_get_issue", {"issue_key": k}) for k in more]
    return out


PEER = "mcp-atlassian==0.23.1"  # the version the `bench` extra pins


def ensure_peer(executable: Path) -> None:
    """Create the peer's own virtualenv (it needs mcp 1.x, jiragw has 2.x) when it is not there yet."""
    if executable.exists():
        return
    venv = executable.parent.parent
    print(f"installing {PEER} into {venv} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", PEER], check=True)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--atlassian", default="/tmp/bench-atl/bin/mcp-atlassian")  # noqa: S108 - a path, not a temp file
    args = parser.parse_args()
    ensure_peer(Path(args.atlassian))
    sandbox = build_sandbox(projects=2, issues=60, seed=7)
    calls = Calls(sandbox)
    with BackgroundServer(sandbox).running() as url, contextlib.ExitStack() as stack:
        demo = describe(sandbox, url)
        alice = next(u for u in demo["users"] if u["name"] == "alice")
        site = demo["sites"]["acme"]["url"]
        async with httpx.AsyncClient(auth=(alice["email"], alice["api_token"]), timeout=30) as http:
            found = (
                await http.get(f"{site}/rest/api/3/search/jql", params={"jql": JQL, "fields": "comment"})
            ).json()
            key = next(i["key"] for i in found["issues"] if len(i["fields"]["comment"]["comments"]) > 1)
            raw_issue = (await http.get(f"{site}/rest/api/3/issue/{key}")).json()
            page = await http.get(
                f"{site}/rest/api/3/search/jql", params={"jql": JQL, "maxResults": 20, "fields": "*all"}
            )
            raw_page = page.json()["issues"]
            more = [i["key"] for i in raw_page]
            raw_more = [(await http.get(f"{site}/rest/api/3/issue/{k}")).json() for k in more]
        ours = await measure_jiragw(demo, key, more, calls)
        try:
            their_site = on_host(site, stack.enter_context(cloud_host_name()))
        except PermissionError:
            print(f"cannot name the sandbox {CLOUD_HOST} in {HOSTS} (not root): mcp-atlassian sees Server/DC")
            their_site = site
        try:
            theirs = await measure_atlassian(args.atlassian, demo, key, more, their_site, calls)
        except Exception as exc:  # report, do not hide: which call failed and why
            print(f"mcp-atlassian could not be measured: {type(exc).__name__}: {exc}", file=sys.stderr)
            theirs = {}
    wanted_issue = facts(raw_issue, comments=True)
    gaps = {"issue": missing(text_of(ours["issue"]), wanted_issue)}
    gaps["issues"] = sorted(
        {
            f"{raw['key']} {g}"
            for raw, a in zip(raw_more, ours["issues"], strict=True)
            for g in missing(text_of(a), facts(raw, True))
        }
    )
    gaps["search"] = sorted(
        {g for raw in raw_page for g in missing(text_of(ours["search"]), facts(raw, False))}
    )
    print(f"sandbox site acme, issue {key}, JQL {JQL!r}, mcp-atlassian {args.atlassian} at {their_site}")
    print(f"{'answer':<14}{'jiragw B':>10}{'mcp-atlassian B':>18}{'ratio':>8}  target")
    ok = True
    for name, target in (("tools", None), ("issue", 1 / 3), ("search", 1 / 3)):
        mine = size(ours[name])
        other = theirs.get(name)
        if other is not None and getattr(other, "is_error", False):
            print(f"  mcp-atlassian {name} failed: {text_of(other)[:300]}")
        their_bytes = size(other) if other is not None else None
        ratio = mine / their_bytes if their_bytes else None
        label = {"tools": "tools/list", "issue": "get issue", "search": "search (20)"}[name]
        goal = "<= 20480 B" if target is None else "<= 1/3"
        met = mine <= 20480 if target is None else (ratio is not None and ratio <= target)
        ok = ok and met
        shown = f"{their_bytes:>18}" if their_bytes else f"{'n/a':>18}"
        ratio_s = f"{ratio:>8.3f}" if ratio else f"{'n/a':>8}"
        print(f"{label:<14}{mine:>10}{shown}{ratio_s}  {goal} {'ok' if met else 'MISSED'}")
    if theirs.get("issues"):
        # Not one chosen issue: get issue on each of the page's 20, each answer against its peer.
        pairs = [(size(a), size(b)) for a, b in zip(ours["issues"], theirs["issues"], strict=True)]
        worst, worst_key = max((a / b, k) for (a, b), k in zip(pairs, more, strict=True))
        mine_sum, their_sum = sum(a for a, _ in pairs), sum(b for _, b in pairs)
        label = f"get issue x{len(pairs)}"
        print(
            f"{label:<14}{mine_sum:>10}{their_sum:>18}{mine_sum / their_sum:>8.3f}"
            f"  <= 1/3 each: worst {worst:.3f} ({worst_key}) {'ok' if worst <= 1 / 3 else 'MISSED'}"
        )
        ok = ok and worst <= 1 / 3
    tools_theirs = len(theirs["tools"].tools) if "tools" in theirs else "n/a"
    print(f"tools: jiragw {len(ours['tools'].tools)}, mcp-atlassian {tools_theirs}")
    if "search" in theirs and not theirs["search"].is_error:
        got = len(json.loads(text_of(theirs["search"])).get("issues", []))
        mine_hits = len((ours["search"].structured_content or {})["issues"])
        print(f"search hits: jiragw {mine_hits}, mcp-atlassian {got}")
    print("upstream requests per call (sandbox counters: method operation status x count):")
    for label in sorted(calls.seen):
        print(f"  {label}: {calls.line(label)}")
    print(f"facts missing from jiragw answers: {gaps}")
    return 0 if ok and not any(gaps.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
