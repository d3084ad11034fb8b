"""``jiragw export JQL [--connection NAME]``: every issue a query finds, as JSON Lines or CSV.

The issues come from :func:`jiragw.jira.export.export` (concurrent, in JQL
order, bounded memory) and are written as they arrive. JSON Lines carries each
issue as Jira sent it; CSV flattens the chosen fields to readable strings
(:func:`jiragw.jira.export.as_text`). A Rich progress bar (issues/s, ETA) is
drawn on stderr when stderr is a terminal, and nothing when it is piped.
Without ``--connection``, :mod:`jiragw.cli.connection_choice` picks it.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .connect_cmd import open_broker, run
from .connection_choice import ConnectionOption, connection_for

__all__ = ["export_cmd"]

# CSV needs columns; without --fields these are the ones people read.
CSV_DEFAULT_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "priority",
    "assignee",
    "reporter",
    "created",
    "updated",
)


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


class _Rate(ProgressColumn):
    """Issues per second, from Rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} issues/s" if speed else "-- issues/s")


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    if not show:
        yield None
        return
    bar = Progress(
        TextColumn("export"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = bar.add_task("export", total=None)

    def update(done: int, total: int | None) -> None:
        if total is not None:
            bar.update(task, completed=done, total=total)
        else:
            bar.update(task, completed=done)

    with bar:
        yield update


class _Writer:
    """Issues to ``out`` as JSON Lines, or as CSV rows of ``key`` plus ``fields``."""

    def __init__(self, out: IO[bytes], fmt: Format, fields: list[str]) -> None:
        from ..jira.export import as_text

        self.as_text = as_text
        self.out = out
        self.fmt = fmt
        self.fields = fields
        if fmt is Format.csv:
            self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
            self.csv = csv.writer(self.text)
            self.csv.writerow(["key", *fields])

    def write(self, issue: dict[str, Any]) -> None:
        if self.fmt is Format.jsonl:
            self.out.write(orjson.dumps(issue) + b"\n")
            return
        values = issue.get("fields") or {}
        self.csv.writerow([issue.get("key", ""), *(self.as_text(values.get(f)) for f in self.fields)])

    def close(self) -> None:
        if self.fmt is Format.csv:
            self.text.flush()
            self.text.detach()
        self.out.flush()


def _fields(raw: str, fmt: Format) -> list[str]:
    from ..jira.export import DEFAULT_FIELDS

    chosen = [f.strip() for f in raw.split(",") if f.strip()]
    if chosen:
        return chosen
    return list(CSV_DEFAULT_FIELDS if fmt is Format.csv else DEFAULT_FIELDS)


async def _export(
    jql: str, given: str | None, fmt: Format, fields: list[str], out: IO[bytes], show: bool
) -> int:
    import httpx

    from ..jira.broker_credentials import BrokerCredentials
    from ..jira.context import ApiContext
    from ..jira.export import count, export
    from ..jira.transport import Transport

    async with open_broker() as (broker, settings):
        connection = await connection_for(broker, settings, given)
        conn = await broker.connection(connection)
        async with httpx.AsyncClient(timeout=60.0, limits=httpx.Limits(max_connections=64)) as client:
            transport = Transport(client, BrokerCredentials(broker, connection), base_url=conn.api_base_url)
            ctx = ApiContext(transport, conn.api_base_url, "cloud" if conn.flavor == "cloud" else "dc")
            writer = _Writer(out, fmt, fields)
            written = 0
            with _progress(show) as progress:
                estimate = await count(ctx, jql) if progress is not None else None

                def report(done: int, total: int | None) -> None:
                    if progress is not None:
                        progress(done, total if total is not None else estimate)

                async for issue in export(ctx, jql, fields=fields, progress=report):
                    writer.write(issue)
                    written += 1
            writer.close()
            return written


def export_cmd(
    jql: Annotated[str, typer.Argument(help="The JQL query; its ORDER BY is the output order.")],
    connection: ConnectionOption = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="jsonl (issues as Jira sends them) or csv.")
    ] = (Format.jsonl),
    fields: Annotated[
        str,
        typer.Option(
            "--fields",
            metavar="FIELDS",
            help="Comma-separated field ids (default: all navigable; csv: common).",
        ),
    ] = "",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export every issue JQL finds, in order, as JSON Lines or CSV."""
    chosen = _fields(fields, fmt)
    show = Console(stderr=True).is_terminal
    if out is None:
        written = run(_export(jql, connection, fmt, chosen, sys.stdout.buffer, show))
    else:
        with out.open("wb") as handle:
            written = run(_export(jql, connection, fmt, chosen, handle, show))
    if show:
        Console(stderr=True).print(f"{written} issues exported", highlight=False)
