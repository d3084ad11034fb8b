"""Which connection a command works on when ``--connection`` is not given.

One rule for every command that works on one connection (``export``, ``mcp``,
``devops ...``): the flag, else ``JIRAGW_CONNECTION``
(:attr:`jiragw.config.Settings.connection`), else the only connection there
is. With none, or several and no choice, the command fails with
:class:`~jiragw.errors.ConnectionRequired`, whose message and details name
the connections to choose from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from ..config import Settings
from ..errors import ConnectionRequired

if TYPE_CHECKING:
    from ..broker import Broker

__all__ = ["CONNECTION_HELP", "ConnectionOption", "choose_connection", "connection_for"]

CONNECTION_HELP = "Default: JIRAGW_CONNECTION, else the only connection there is."
ConnectionOption = Annotated[
    str | None,
    typer.Option("--connection", "-c", metavar="NAME", help=f"The connection to use. {CONNECTION_HELP}"),
]


def choose_connection(given: str | None, default: str | None, names: Sequence[str]) -> str:
    """``given``, else ``default``, else the one name in ``names``; ConnectionRequired otherwise."""
    if given:
        return given
    if default:
        return default
    if len(names) == 1:
        return names[0]
    if not names:
        raise ConnectionRequired(
            "no connection yet: add one with `jiragw connect ...`", details={"connections": []}
        )
    raise ConnectionRequired(
        f"several connections ({', '.join(names)}): choose one with --connection NAME or JIRAGW_CONNECTION",
        details={"connections": list(names)},
    )


async def connection_for(broker: Broker, settings: Settings, given: str | None) -> str:
    """The connection's name by :func:`choose_connection`; the store is read only when needed."""
    if given or settings.connection:
        return choose_connection(given, settings.connection, ())
    from ..broker import list_connections

    return choose_connection(None, None, [view.name for view in await list_connections(broker)])
