"""The ``jiragw`` Typer app: registers command groups and maps errors to exit codes.

A :class:`jiragw.errors.JiragwError` escaping a command prints
``error[<code>]: <message>`` on stderr (or the REST error object with
``--json``) and exits with the error's ``exit_code``.

Importing this module (and ``jiragw --help``, or a group's) loads Typer, Rich
and the command modules only: each command imports its machinery (the store,
the broker, the gateway, the MCP SDK, the sandbox) when it runs. A test checks
the import graph; ``benchmarks/cli_start.py`` measures the start time.
"""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape

from ..errors import JiragwError
from . import (
    audit_cmd,
    connect_cmd,
    connections_cmd,
    export_cmd,
    keys_cmd,
    mcp_cmd,
    sandbox_cmd,
    serve_cmd,
    vault_cmd,
)
from .command import App, Group, Lazy

__all__ = ["app", "main"]


class _Root(Group):
    # Their help texts name the Jira SDK's values, which --help need not import.
    lazy = {
        "devops": Lazy(
            "jiragw.cli.devops_cmd:devops", "Send build and deployment data to Jira (2LO connection)."
        ),
    }


app = App(
    cls=_Root,
    name="jiragw",
    help="jiragw: a self-hosted Jira gateway, and a local Jira sandbox to try it on.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("sandbox")(sandbox_cmd.sandbox)
app.command("serve")(serve_cmd.serve_command)
app.add_typer(connect_cmd.connect, name="connect")
app.add_typer(connections_cmd.connections, name="connections")
app.add_typer(vault_cmd.vault, name="vault")
app.command("export")(export_cmd.export_cmd)
app.command("mcp")(mcp_cmd.mcp_cmd)
app.add_typer(keys_cmd.keys, name="keys")
app.add_typer(audit_cmd.audit, name="audit")


@app.callback()
def _root() -> None:
    """jiragw: connect to Jira once, use it from anything."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, standalone_mode=True)
    except JiragwError as exc:
        if "--json" in args:
            sys.stderr.write(json.dumps(exc.to_dict()) + "\n")
        else:
            Console(stderr=True).print(
                f"[bold red]{escape(f'error[{exc.code}]')}[/]: {escape(exc.message)}", highlight=False
            )
        sys.exit(exc.exit_code)
