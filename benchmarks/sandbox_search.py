"""Serve a large sandbox with the real command and time JQL searches over it.

    python benchmarks/sandbox_search.py --issues 100000 --projects 20

Starts ``jiragw sandbox --json`` as a subprocess, reads its first stdout line,
pages through several searches (Cloud search/jql, DC legacy search) and prints
wall times, the time until the server accepted connections, and its RSS.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

QUERIES = (
    ("project = PRJ ORDER BY key", "id", 5000),
    (
        "status = 'In Progress' AND assignee = currentUser() ORDER BY updated DESC",
        "summary,status,assignee",
        100,
    ),
    ("created >= -30d ORDER BY priority DESC, key", "*navigable", 100),
)


def _rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def _pages(client: httpx.Client, url: str, jql: str, fields: str, size: int, limit: int) -> tuple[int, int]:
    count, pages, token = 0, 0, None
    while pages < limit:
        params: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": size}
        if token:
            params["nextPageToken"] = token
        body = client.get(url + "/rest/api/3/search/jql", params=params).raise_for_status().json()
        count, pages, token = count + len(body["issues"]), pages + 1, body.get("nextPageToken")
        if body.get("isLast") or not token:
            break
    return count, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--max-pages", type=int, default=50)
    args = parser.parse_args()
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "jiragw.cli", "sandbox", "--port", "0", "--json"]
    cmd += ["--projects", str(args.projects), "--issues", str(args.issues), "--seed", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        ready = time.perf_counter() - started
        instances = len(info["sites"]) + len(info["dc"])
        print(f"ready after {ready:.1f}s ({instances} instances x {args.issues:,} issues)")
        print(f"RSS at ready: {_rss_mb(proc.pid)} MB")
        alice = next(u for u in info["users"] if u["name"] == "alice")
        site = info["sites"]["acme"]["url"]
        with httpx.Client(auth=(alice["email"], alice["api_token"]), timeout=300) as client:
            for jql, fields, size in QUERIES:
                t = time.perf_counter()
                count, pages = _pages(client, site, jql, fields, size, args.max_pages)
                took = time.perf_counter() - t
                print(f"{took:7.2f}s  {count:6d} issues / {pages:3d} pages  fields={fields}  {jql}")
            dc = info["dc"]["corp"]["url"] + "/rest/api/2/search"
            t = time.perf_counter()
            body = client.get(
                dc,
                params={"jql": "project = PRJ ORDER BY key", "maxResults": 1000},
                auth=(alice["name"], alice["password"]),
            ).json()
            took = time.perf_counter() - t
            print(f"{took:7.2f}s  DC legacy search: {len(body['issues'])} of total {body['total']}")
        print(f"RSS after searches: {_rss_mb(proc.pid)} MB")
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


if __name__ == "__main__":
    main()
