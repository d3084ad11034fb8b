"""How fast the CLI starts: ``jiragw --help``, ``jiragw keys --help``, ``jiragw mcp`` up to ``initialize``.

Each case is a fresh process, compared with ``python -c pass`` measured in the
same run (the interpreter's own start-up, the floor). Targets: ``jiragw
--help`` and ``jiragw keys --help`` within 300 ms; ``jiragw mcp`` answering an
MCP ``initialize`` request over stdio within 700 ms, since agents start it on
every launch.

The help cases are timed with hyperfine when it is installed (``-N``, no
shell), else with a loop of subprocess runs; ``jiragw mcp`` is always timed
here, from spawning the process to reading its ``initialize`` answer on
stdout, then its stdin is closed and it exits. Wall times are judged against
the targets; the CPU column (user + system per run, the whole process) is
shown beside them because it moves less when other work shares the machine. For that case the benchmark
first makes a SQLite store and a master key in a temporary directory and
connects a sandbox Cloud site (in-process, API token) as ``demo``, as
``jiragw connect api-token`` would; nothing is served, since answering
``initialize`` calls no upstream.

    python benchmarks/cli_start.py [--runs 20] [--warmup 2] [--no-hyperfine]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from jiragw.broker import Broker
from jiragw.broker.connect_static import connect_api_token
from jiragw.config import Settings
from jiragw.sandbox import build_sandbox, create_app
from jiragw.sandbox.server import describe
from jiragw.secrets import Secret
from jiragw.store import Store
from jiragw.vault import Keyring

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "cli-start-benchmark", "version": "1"},
    },
}


@dataclass
class Figures:
    name: str
    seconds: list[float]
    cpu_seconds: float  # user + system per run, mean: less swayed by other load than wall time
    target_ms: float | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.seconds) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.seconds) * 1000


def jiragw_command() -> list[str]:
    """The ``jiragw`` console script next to this interpreter, else ``python -m jiragw.cli``."""
    script = Path(sys.executable).with_name("jiragw")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jiragw.cli"]


def prepare_store(directory: Path) -> dict[str, str]:
    """A store with one connection, ``demo``; the environment that opens it."""
    env = {
        "JIRAGW_DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "JIRAGW_MASTER_KEY": Keyring.new_key(),
    }
    sandbox = build_sandbox(projects=1, issues=2, seed=1)
    demo = describe(sandbox, "http://localhost")  # loopback: plain HTTP is allowed there
    alice = next(u for u in demo["users"] if u["name"] == "alice")

    async def connect() -> None:
        store = Store.from_settings(Settings.from_env(env))
        try:
            transport = httpx.ASGITransport(app=create_app(sandbox))
            async with httpx.AsyncClient(transport=transport) as client:
                await connect_api_token(
                    Broker(store, client),
                    name="demo",
                    site_url=demo["sites"]["acme"]["url"],
                    email=alice["email"],
                    token=Secret(alice["api_token"]),
                )
        finally:
            store.dispose()

    asyncio.run(connect())
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JIRAGW_")}
    return {**environ, **env}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def loop(run: Callable[[], float], runs: int, warmup: int) -> tuple[list[float], float]:
    """Wall seconds of each run, and the mean CPU seconds of one."""
    for _ in range(warmup):
        run()
    before = children_cpu()
    seconds = [run() for _ in range(runs)]
    return seconds, (children_cpu() - before) / runs


def timed_run(argv: list[str], env: dict[str, str]) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started

    return run


def timed_initialize(argv: list[str], env: dict[str, str]) -> Callable[[], float]:
    request = (json.dumps(INITIALIZE) + "\n").encode()

    def run() -> float:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.write(request)
        proc.stdin.flush()
        answer = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        proc.stdin.close()
        proc.wait(timeout=30)
        reply = json.loads(answer)
        if reply.get("id") != 1 or "result" not in reply:
            raise SystemExit(f"jiragw mcp did not answer initialize: {answer[:300]!r}")
        return elapsed

    return run


def hyperfine(
    commands: dict[str, list[str]], env: dict[str, str], runs: int, warmup: int
) -> dict[str, tuple[list[float], float]]:
    """Each command's wall times and mean CPU time by hyperfine (no shell), by name."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "times.json"
        argv = ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs)]
        argv += ["--export-json", str(out)]
        for name, command in commands.items():
            argv += ["--command-name", name, subprocess.list2cmdline(command)]
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        results = json.loads(out.read_text())["results"]
    return {r["command"]: (list(r["times"]), r["user"] + r["system"]) for r in results}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--no-hyperfine", action="store_true", help="time every case with the subprocess loop"
    )
    args = parser.parse_args()

    jiragw = jiragw_command()
    with tempfile.TemporaryDirectory(prefix="jiragw-cli-start-") as tmp:
        env = prepare_store(Path(tmp))
        simple = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "jiragw --help": [*jiragw, "--help"],
            "jiragw keys --help": [*jiragw, "keys", "--help"],
        }
        use_hyperfine = shutil.which("hyperfine") is not None and not args.no_hyperfine
        if use_hyperfine:
            times = hyperfine(simple, env, args.runs, args.warmup)
        else:
            times = {
                name: loop(timed_run(argv, env), args.runs, args.warmup) for name, argv in simple.items()
            }
        # The subprocess loop's own floor, for the mcp case's ratio.
        loop_floor = loop(timed_run(simple["python -c pass"], env), args.runs, args.warmup)
        mcp = loop(timed_initialize([*jiragw, "mcp", "--connection", "demo"], env), args.runs, args.warmup)

    targets = {"jiragw --help": 300.0, "jiragw keys --help": 300.0}
    rows = [Figures(name, wall, cpu, targets.get(name)) for name, (wall, cpu) in times.items()]
    floor = rows[0]
    mcp_row = Figures("jiragw mcp: initialize answered", *mcp, 700.0)
    loop_row = Figures("python -c pass (subprocess loop)", *loop_floor)

    tool = "hyperfine -N" if use_hyperfine else "subprocess loop"
    print(f"CLI start-up, {args.runs} runs each after {args.warmup} warm-up; help cases by {tool}")
    print(f"{'case':<36} {'median':>9} {'mean':>9} {'min':>9} {'cpu':>9} {'x python':>9}  target")
    for row, base in [*((r, floor) for r in rows), (loop_row, loop_row), (mcp_row, loop_row)]:
        verdict = ""
        if row.target_ms is not None:
            verdict = f"<= {row.target_ms:.0f} ms " + ("ok" if row.median_ms <= row.target_ms else "MISSED")
        ratio = row.median_ms / base.median_ms
        print(
            f"{row.name:<36} {row.median_ms:>7.0f}ms {row.mean_ms:>7.0f}ms {row.min_ms:>7.0f}ms"
            f" {row.cpu_seconds * 1000:>7.0f}ms {ratio:>8.1f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
