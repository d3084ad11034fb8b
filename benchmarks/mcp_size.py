"""Bytes an agent pays: jiragw's MCP answers against mcp-atlassian's, on the same sandbox site.

Serves a seeded sandbox on a loopback port, connects jiragw to its Cloud site
with an API token, and runs the PyPI package ``mcp-atlassian`` (pinned in the
``bench`` extra) over stdio against the same site with the same token. It
needs ``mcp`` 1.x, which cannot share a virtualenv with jiragw (``mcp`` 2.x),
so it lives in its own: ``--atlassian`` names its executable
(default ``/tmp/bench-atl/bin/mcp-atlassian``; make it with
``python -m venv /tmp/bench-atl && /tmp/bench-atl/bin/pip install 'mcp-atlassian==0.23.1'``).

Measured, as the JSON-RPC ``result`` each client receives (UTF-8 bytes):
``tools/list``; "get issue X"; "search JQL J, 20 results". Each jiragw answer
is checked to carry the facts (key, summary, status, assignee, priority, type,
dates, description, comments). Targets (issue 6): ``tools/list`` <= 20 KB, and
each answer <= 1/3 of mcp-atlassian's. Prints a table and the ratios; a call
mcp-atlassian cannot make against the sandbox is reported with its error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from mcp import Client, StdioServerParameters

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token
from jiragw.jira.resources import from_jira_text
from jiragw.mcp.access import Access, for_local
from jiragw.mcp.server import build_server
from jiragw.sandbox import build_sandbox
from jiragw.sandbox.server import BackgroundServer, describe
from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring

JQL = "project = PLAT ORDER BY key"


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
        last = f["comment"]["comments"][-1]
        out["comment"] = from_jira_text_plain(last["body"]).splitlines()[0][:30]
    return {k: v for k, v in out.items() if v}


def from_jira_text_plain(value: Any) -> str:
    class _Ctx:
        adf = True

    return from_jira_text(_Ctx(), value) if value else ""  # type: ignore[arg-type]


def missing(answer: str, wanted: dict[str, str]) -> list[str]:
    return [k for k, v in wanted.items() if v not in answer]


async def measure_jiragw(url: str, demo: dict[str, Any], key: str) -> dict[str, Any]:
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
                    tools = await client.list_tools()
                    issue = await client.call_tool("get_issue", {"key": key})
                    search = await client.call_tool(
                        "search_issues", {"jql": JQL, "limit": 20, "fields": ["description"]}
                    )
                    return {"tools": tools, "issue": issue, "search": search}
        finally:
            store.dispose()


async def measure_atlassian(exe: str, demo: dict[str, Any], key: str) -> dict[str, Any]:
    alice = next(u for u in demo["users"] if u["name"] == "alice")
    env = {
        **os.environ,
        "JIRA_URL": demo["sites"]["acme"]["url"],
        "JIRA_USERNAME": alice["email"],
        "JIRA_API_TOKEN": alice["api_token"],
        "TOOLSETS": "all",
    }
    out: dict[str, Any] = {}
    params = StdioServerParameters(command=exe, args=["--transport", "stdio"], env=env)
    async with Client(params) as client:
        out["tools"] = await client.list_tools()
        out["issue"] = await client.call_tool("jira_get_issue", {"issue_key": key})
        out["search"] = await client.call_tool("jira_search", {"jql": JQL, "limit": 20})
    return out


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--atlassian", default="/tmp/bench-atl/bin/mcp-atlassian")  # noqa: S108 - a path, not a temp file
    args = parser.parse_args()
    sandbox = build_sandbox(projects=2, issues=60, seed=7)
    with BackgroundServer(sandbox).running() as url:
        demo = describe(sandbox, url)
        alice = next(u for u in demo["users"] if u["name"] == "alice")
        async with httpx.AsyncClient(auth=(alice["email"], alice["api_token"]), timeout=30) as http:
            site = demo["sites"]["acme"]["url"]
            found = (
                await http.get(f"{site}/rest/api/3/search/jql", params={"jql": JQL, "fields": "comment"})
            ).json()
            key = next(i["key"] for i in found["issues"] if i["fields"]["comment"]["comments"])
            raw_issue = (await http.get(f"{site}/rest/api/3/issue/{key}")).json()
            page = await http.get(
                f"{site}/rest/api/3/search/jql", params={"jql": JQL, "maxResults": 20, "fields": "*all"}
            )
            raw_page = page.json()["issues"]
        ours = await measure_jiragw(url, demo, key)
        try:
            theirs = await measure_atlassian(args.atlassian, demo, key)
        except Exception as exc:  # report, do not hide: which call failed and why
            print(f"mcp-atlassian could not be measured: {type(exc).__name__}: {exc}", file=sys.stderr)
            theirs = {}
    wanted_issue = facts(raw_issue, comments=True)
    gaps = {"issue": missing(text_of(ours["issue"]), wanted_issue)}
    gaps["search"] = sorted(
        {g for raw in raw_page for g in missing(text_of(ours["search"]), facts(raw, False))}
    )
    print(f"sandbox site acme, issue {key}, JQL {JQL!r}, mcp-atlassian {args.atlassian}")
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
    tools_theirs = len(theirs["tools"].tools) if "tools" in theirs else "n/a"
    print(f"tools: jiragw {len(ours['tools'].tools)}, mcp-atlassian {tools_theirs}")
    print(f"facts missing from jiragw answers: {gaps}")
    return 0 if ok and not any(gaps.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
