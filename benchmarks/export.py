"""Bulk export against peers: jiragw's ``export`` vs the PyPI ``jira`` and ``atlassian-python-api`` clients.

    python benchmarks/export.py --issues 20000 --projects 1

Issue 4, "Benchmark". Starts ``jiragw sandbox`` as a subprocess with Jira's
latency model (``--latency-ms 100 --latency-per-issue-ms 2``: 100 ms per
request plus 2 ms per issue returned with fields beyond id/key) and burst
limit (``--rate-limit 50``: a token bucket of 50 requests refilled at 50/s per
credential), then exports every issue of project PRJ with all navigable
fields, once per client, each in its own subprocess so that its peak RSS is
its own:

- ``jiragw``: :func:`jiragw.jira.export.export` (id pages + concurrent bulkfetch);
- ``jira``: ``JIRA(...).search_issues(jql, maxResults=False, fields="*navigable")``;
- ``atlassian``: ``Jira(..., cloud=True).enhanced_jql_get_list_of_tickets(jql, fields="*navigable")``.

Between runs the sandbox's request counters are reset (``DELETE
/_sandbox/counters``) and its rate-limit buckets refilled (``PATCH
/_sandbox/faults``), so each run starts alike. Printed: wall time, requests,
429s, peak RSS, issues (each must come exactly once) and the ratios against
jiragw.

The floor. No client can beat what the latency model and the burst budget
allow for the fewest requests that carry the data. With N issues, L the
latency per request, p the latency per issue with fields, B the bucket
(burst) size and r its refill rate:

- requests: R = ceil(N / 5000) id pages + ceil(N / 100) bulkfetch calls;
- the budget lets the first B go at once and then r per second, so the last
  request cannot leave before (R - B) / r seconds (0 when R <= B);
- the first bulkfetch cannot leave before the first id page answered (L),
  and the last one takes L + 100 p to answer after it left.

    floor = L + max(0, (R - B) / r) + (L + 100 p)

For N = 20,000: R = 4 + 200 = 204, floor = 0.1 + 3.08 + 0.3 = 3.48 s. It
ignores the sandbox's own CPU time (rendering 20,000 issues in one Python
process), which no client can avoid either: the table prints the sandbox's
CPU seconds spent during each run, a second lower bound when it exceeds the
floor.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import os
import resource
import subprocess
import sys
import time
from typing import Any

import httpx

JQL = "project = PRJ ORDER BY key"
RUNNERS = ("jiragw", "jira", "atlassian")
WIDTHS = (8, 9, 6, 12, 8, 5, 6, 11, 12)  # columns after the client's name


def floor_seconds(issues: int, latency: float, per_issue: float, burst: float) -> tuple[int, float]:
    """(requests, seconds): the fewest requests and the least time the model allows (see above)."""
    requests = math.ceil(issues / 5000) + math.ceil(issues / 100)
    budget_wait = max(0.0, (requests - burst) / burst)
    return requests, latency + budget_wait + latency + 100 * per_issue


# -- one run, in a subprocess of its own --------------------------------------------------------
async def _run_jiragw(site: str, email: str, token: str) -> list[str]:
    from jiragw.jira.context import ApiContext
    from jiragw.jira.export import export
    from jiragw.jira.transport import StaticCredentials, Transport
    from jiragw.secrets import Secret

    keys: list[str] = []
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=300.0, limits=limits) as client:
        ctx = ApiContext(Transport(client, StaticCredentials.basic(email, Secret(token))), site, "cloud")
        async for issue in export(ctx, JQL, fields=["*navigable"]):
            keys.append(issue["key"])  # streamed: only the key is kept
    return keys


def _run_jira(site: str, email: str, token: str) -> list[str]:
    from jira import JIRA

    client = JIRA(server=site, basic_auth=(email, token))
    issues = client.search_issues(JQL, maxResults=False, fields="*navigable")
    return [issue.key for issue in issues]


def _run_atlassian(site: str, email: str, token: str) -> list[str]:
    from atlassian import Jira

    client = Jira(url=site, username=email, password=token, cloud=True, backoff_and_retry=True)
    issues = client.enhanced_jql_get_list_of_tickets(JQL, fields="*navigable")
    return [issue["key"] for issue in issues]


def run_one(name: str, site: str, email: str, token: str) -> None:
    """Export with one client and print one JSON line: keys seen, wall time, peak RSS."""
    # Imports are not part of the export's time.
    importlib.import_module({"jiragw": "jiragw.jira.export", "jira": "jira", "atlassian": "atlassian"}[name])
    started = time.perf_counter()
    if name == "jiragw":
        keys = asyncio.run(_run_jiragw(site, email, token))
    elif name == "jira":
        keys = _run_jira(site, email, token)
    else:
        keys = _run_atlassian(site, email, token)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    ordered = keys == sorted(keys, key=lambda k: int(k.split("-")[1]))
    print(
        json.dumps(
            {"issues": len(keys), "unique": len(set(keys)), "ordered": ordered, "wall": wall, "rss": peak_mb}
        )
    )


# -- the comparison -----------------------------------------------------------------------------
class Sandbox:
    def __init__(self, args: argparse.Namespace) -> None:
        cmd = [sys.executable, "-m", "jiragw.cli", "sandbox", "--port", "0", "--json", "--seed", "1"]
        cmd += ["--projects", str(args.projects), "--issues", str(args.issues)]
        cmd += ["--latency-ms", str(args.latency_ms), "--latency-per-issue-ms", str(args.per_issue_ms)]
        cmd += ["--rate-limit", str(args.rate_limit)]
        self.rate_limit = args.rate_limit
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.info: dict[str, Any] = json.loads(self.proc.stdout.readline())
        self.admin = httpx.Client(
            base_url=self.info["admin_url"],
            headers={"Authorization": f"Bearer {self.info['admin_token']}"},
            timeout=60,
        )

    def cpu_seconds(self) -> float:
        """The sandbox process's CPU time so far (user + system)."""
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset(self) -> None:
        self.admin.delete("/counters").raise_for_status()
        self.admin.patch("/faults", json={"rate_limit": self.rate_limit}).raise_for_status()

    def counted(self) -> tuple[int, int]:
        rows = self.admin.get("/counters").raise_for_status().json()["counters"]
        site_rows = [r for r in rows if r["instance"] == "sites/acme"]
        return sum(r["count"] for r in site_rows), sum(r["count"] for r in site_rows if r["status"] == 429)

    def stop(self) -> None:
        self.admin.close()
        self.proc.terminate()
        self.proc.communicate(timeout=60)


def compare(args: argparse.Namespace) -> None:
    print(f"starting the sandbox: {args.issues:,} issues x {args.projects} project(s) ...", flush=True)
    started = time.perf_counter()
    sandbox = Sandbox(args)
    print(f"ready after {time.perf_counter() - started:.1f}s", flush=True)
    try:
        alice = next(u for u in sandbox.info["users"] if u["name"] == "alice")
        site = sandbox.info["sites"]["acme"]["url"]
        results: dict[str, dict[str, Any]] = {}
        for name in args.runners.split(","):
            sandbox.reset()
            cpu = sandbox.cpu_seconds()
            cmd = [sys.executable, __file__, "--run", name, "--site", site, "--email", alice["email"]]
            proc = subprocess.run(cmd, input=alice["api_token"], capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                print(f"{name}: failed\n{proc.stderr[-2000:]}", flush=True)
                continue
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["requests"], result["429s"] = sandbox.counted()
            result["server_cpu"] = sandbox.cpu_seconds() - cpu
            results[name] = result
            print(f"{name}: done in {result['wall']:.1f}s", flush=True)
    finally:
        sandbox.stop()
    requests, floor = floor_seconds(
        args.issues_in_project, args.latency_ms / 1000, args.per_issue_ms / 1000, args.rate_limit
    )
    base = results.get("jiragw")
    print()
    head = (
        "wall s",
        "requests",
        "429s",
        "peak RSS MB",
        "issues",
        "once",
        "order",
        "server CPU",
        "wall/jiragw",
    )
    print(f"{'client':<10} " + " ".join(f"{h:>{w}}" for h, w in zip(head, WIDTHS, strict=True)), "wall/floor")
    for name, r in results.items():
        ratio = f"{r['wall'] / base['wall']:.1f}x" if base else "-"
        cells = (
            f"{r['wall']:.2f}",
            r["requests"],
            r["429s"],
            f"{r['rss']:.0f}",
            r["issues"],
            "yes" if r["unique"] == r["issues"] else "NO",
            "yes" if r["ordered"] else "NO",
            f"{r['server_cpu']:.1f}s",
            ratio,
        )
        row = " ".join(f"{c:>{w}}" for c, w in zip(cells, WIDTHS, strict=True))
        print(f"{name:<10} {row} {r['wall'] / floor:>9.2f}x")
    print(
        f"\nfloor: {floor:.2f}s for {requests} requests "
        f"(L + max(0, (R - B)/r) + L + 100p with L={args.latency_ms:g}ms, p={args.per_issue_ms:g}ms, "
        f"B=r={args.rate_limit:g}/s)"
    )
    if base:
        peers = [r["wall"] for n, r in results.items() if n != "jiragw"]
        if peers:
            fastest = min(peers) / base["wall"]
            print(f"jiragw vs fastest peer: {fastest:.1f}x faster; vs floor: {base['wall'] / floor:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=20_000, help="issues per instance")
    parser.add_argument("--projects", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--per-issue-ms", type=float, default=2.0)
    parser.add_argument("--rate-limit", type=float, default=50.0)
    parser.add_argument("--runners", default=",".join(RUNNERS))
    parser.add_argument("--run", choices=RUNNERS, help=argparse.SUPPRESS)
    parser.add_argument("--site", help=argparse.SUPPRESS)
    parser.add_argument("--email", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_one(args.run, args.site, args.email, sys.stdin.readline().strip())  # the token, never in argv
        return
    args.issues_in_project = args.issues // args.projects
    compare(args)


if __name__ == "__main__":
    main()
