"""The README's claims that code can check: its SDK example runs, its tool count and presets are real.

The "Use the SDK from Python" snippet is executed as written, against
``jiragw serve --sandbox`` run in-process (its ``GATEWAY`` and ``KEY`` lines
swapped for the run's URL and demo key), in a worker thread because the
synchronous client blocks while the gateway answers on this test's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from pathlib import Path

import pytest

from jiragw.gateway.server import Served, serve
from jiragw.keys import PRESETS
from jiragw.mcp.tools import ALL_TOOLS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _python_block_after(heading: str) -> str:
    section = README.split(heading, 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, f"no python block after {heading!r}"
    return found.group(1)


async def test_the_sdk_example_runs_against_the_sandbox(tmp_path: Path) -> None:
    snippet = _python_block_after("### Use the SDK from Python")
    stop = asyncio.Event()
    got: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve(port=0, sandbox=True, data_dir=tmp_path, environ={}, on_ready=got.set_result, stop=stop)
    )
    try:
        done, _ = await asyncio.wait({got, task}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            await task
        served = got.result()
        assert served.demo_key is not None
        code, gateway = re.subn(r'(?m)^GATEWAY = ".*?"', f"GATEWAY = {served.url!r}", snippet)
        code, key = re.subn(r'(?m)^KEY = ".*?"', f"KEY = {served.demo_key.reveal()!r}", code)
        assert gateway == key == 1, "the snippet defines GATEWAY and KEY on lines of their own"
        out = io.StringIO()

        def run() -> None:
            with contextlib.redirect_stdout(out):
                exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the README's own example

        await asyncio.to_thread(run)
    finally:
        stop.set()
        await task
    lines = out.getvalue().splitlines()
    assert len(lines) == 6, lines  # five issues, then the NotFound
    assert all(re.match(r"[A-Z][A-Z0-9]+-\d+ \S", line) for line in lines[:5])
    assert lines[5] == "no such issue: not_found"


def test_the_mcp_tool_count_is_the_real_one() -> None:
    said = re.search(r"(\d+) compact tools", README)
    assert said, "the README says how many MCP tools there are"
    assert int(said.group(1)) == len(ALL_TOOLS)


@pytest.mark.parametrize("preset", re.findall(r"--preset ([a-z-]+)", README))
def test_presets_in_the_readme_exist(preset: str) -> None:
    assert preset in PRESETS
