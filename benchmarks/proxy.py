"""The Jira-compatible proxy's overhead: one small GET through the gateway vs straight to the upstream.

Issue 5, "Benchmark". The upstream is nginx (Debian's package) answering a
fixed JSON body at once, so it is never the bottleneck; the gateway is
``jiragw serve`` itself (one process, one worker) with a Data Center PAT
connection whose base URL is that nginx and a full-access gateway key; the
load comes from ``wrk`` in a separate process. Both are installed with
apt-get when missing.

Two measurements, each direct and proxied, in one run:

- latency: one connection issuing requests back to back (no queueing), so
  p50/p99 differences are the proxy's added latency per request;
- throughput: ``--connections`` concurrent connections, requests/s.

Run: ``scripts/bench proxy [--seconds 10] [--connections 32]``. Target: p50
added latency <= 1 ms and >= 2,000 requests/s through one worker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

MYSELF = {
    "self": "http://upstream/rest/api/2/user?username=bench",
    "key": "bench",
    "name": "bench",
    "emailAddress": "bench@example.com",
    "displayName": "Bench User",
    "active": True,
    "timeZone": "UTC",
}
PATH = "/rest/api/2/myself"
TARGET_ADDED_P50_MS = 1.0
TARGET_RPS = 2000.0


def ensure_tools() -> None:
    missing = [
        tool
        for tool in ("nginx", "wrk")
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists()
    ]
    if missing:
        print(f"installing {', '.join(missing)} with apt-get ...", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(["apt-get", "install", "-y", *missing], env=env, capture_output=True).returncode:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=True)
            subprocess.run(["apt-get", "install", "-y", *missing], env=env, capture_output=True, check=True)


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        with closing(socket.socket()) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"{what} did not start listening on {port}")


def start_nginx(stack: ExitStack, work: Path) -> str:
    port = free_port()
    body = json.dumps(MYSELF).replace("'", "\\'")
    conf = work / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type application/json;
            return 200 '{body}';
        }}
    }}
}}
"""
    )
    proc = subprocess.Popen(
        [nginx_binary(), "-c", str(conf), "-p", str(work), "-e", str(work / "nginx-error.log")]
    )
    stack.callback(_terminate, proc)
    wait_port(port, proc, "nginx")
    return f"http://127.0.0.1:{port}"


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def prepare_store(work: Path, upstream: str) -> tuple[dict[str, str], str]:
    """A database with one PAT connection (``bench``) to the upstream, and a full-access key."""
    import httpx

    from jiragw.broker import Broker
    from jiragw.broker.connect_static import connect_pat
    from jiragw.config import Settings
    from jiragw.keys import create_key
    from jiragw.secrets import Secret
    from jiragw.store import Store
    from jiragw.vault import Keyring

    env = {
        "JIRAGW_DATABASE_URL": f"sqlite:///{work / 'gateway.sqlite3'}",
        "JIRAGW_MASTER_KEY": Keyring.new_key(),
    }
    store = Store.from_settings(Settings.from_env(env))

    async def connect() -> None:
        async with httpx.AsyncClient() as client:
            broker = Broker(store, client, actor="bench")
            await connect_pat(broker, name="bench", dc_url=upstream, pat=Secret("bench-pat-" + "x" * 30))

    try:
        asyncio.run(connect())
        minted, _ = create_key(store, name="bench", connections=["bench"], created_by="bench", preset="full")
    finally:
        store.dispose()
    return env, minted.secret.reveal()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_gateway(stack: ExitStack, env: dict[str, str]) -> tuple[str, int]:
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("JIRAGW_")}
    full_env.update(env, JIRAGW_PUBLIC_URL=f"http://127.0.0.1:{port}")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jiragw.cli.app import main; main()",
            "serve",
            "--port",
            str(port),
            "--json",
        ],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    stack.callback(_terminate, proc)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the gateway did not start")
    url: str = json.loads(line)["url"]
    return url, proc.pid


@dataclass(frozen=True)
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, *, connections: int, seconds: int, key: str | None = None) -> Figures:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if key is not None:
        cmd += ["-H", f"Authorization: Bearer {key}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw non-2xx answers from {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    return Figures(rps, p50, p99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (throughput run)")
    args = parser.parse_args()
    ensure_tools()
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jiragw-bench-")))
        upstream = start_nginx(stack, work)
        env, key = prepare_store(work, upstream)
        gateway, pid = start_gateway(stack, env)
        direct_url, proxied_url = upstream + PATH, gateway + "/jira/bench" + PATH
        # Warm both paths (connection pools, caches) before measuring.
        wrk(proxied_url, connections=4, seconds=2, key=key)
        rows = {
            "latency, 1 connection": (
                wrk(direct_url, connections=1, seconds=args.seconds),
                wrk(proxied_url, connections=1, seconds=args.seconds, key=key),
            ),
        }
        direct = wrk(direct_url, connections=args.connections, seconds=args.seconds)
        # The gateway's own CPU per proxied request: a figure other load on the machine barely moves.
        before = cpu_seconds(pid)
        proxied = wrk(proxied_url, connections=args.connections, seconds=args.seconds, key=key)
        cpu_us = (cpu_seconds(pid) - before) / (proxied.rps * args.seconds) * 1e6
        rows[f"throughput, {args.connections} connections"] = (direct, proxied)
    print(
        f"GET {PATH} (nginx upstream), one gateway worker, wrk -t1, "
        f"{args.seconds}s per run, {os.cpu_count()} CPUs"
    )
    print(f"{'run':<28}{'path':<9}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, (direct, proxied) in rows.items():
        for label, fig in (("direct", direct), ("proxied", proxied)):
            print(f"{name:<28}{label:<9}{fig.rps:>10.0f}{fig.p50_ms:>10.3f}{fig.p99_ms:>10.3f}")
        added50, added99 = proxied.p50_ms - direct.p50_ms, proxied.p99_ms - direct.p99_ms
        print(
            f"{'':<28}{'added':<9}{'':>10}{added50:>10.3f}{added99:>10.3f}"
            f"   proxied/direct req/s = {proxied.rps / direct.rps:.3f}"
        )
    print(f"gateway CPU per proxied request (throughput run): {cpu_us:.0f} us")
    latency_direct, latency_proxied = rows["latency, 1 connection"]
    added = latency_proxied.p50_ms - latency_direct.p50_ms
    best_rps = max(proxied.rps for _, proxied in rows.values())
    print(
        f"target: p50 added <= {TARGET_ADDED_P50_MS} ms: {added:.3f} ms "
        f"({'met' if added <= TARGET_ADDED_P50_MS else 'MISSED'}); "
        f">= {TARGET_RPS:.0f} req/s through one worker: {best_rps:.0f} "
        f"({'met' if best_rps >= TARGET_RPS else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
