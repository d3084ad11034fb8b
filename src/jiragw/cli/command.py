"""The Typer classes every ``jiragw`` group and command is built from, for help that reads as usual.

Typer prints a value type after every parameter in its own notation
(``--read-only <bool>``, ``--scope <list[str]>``, ``{jql}``), so a flag reads
as if it took a value. Commands and groups made through :class:`App` show a
flag with no value, and an option or argument by a metavar in the usual
command-line form: the one it declares (``NAME``, ``SCOPE``), else its type's
(``TEXT``, ``INTEGER``, ``PATH``, ``[jsonl|csv]``); an argument is named in
capitals (``JQL``), in brackets when optional.

A group may also name sub-groups by import path (:class:`Lazy`): its help lists
them from a one-line text, and their module is imported only when one of
them runs or shows its own help. That keeps a command whose help texts need
a heavy import (the Jira SDK, say) out of ``jiragw --help``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any, ClassVar, TypeVar, get_args

import typer
import typer.main
from typer import _click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

__all__ = ["App", "Command", "Group", "Lazy"]

F = TypeVar("F", bound=Callable[..., Any])

_TYPE_METAVARS: dict[type, str] = {
    str: "TEXT",
    int: "INTEGER",
    float: "FLOAT",
    bool: "BOOLEAN",
    datetime: "DATETIME",
}


def _type_metavar(param: TyperOption) -> str:
    desc = param.type_descriptor
    if desc.choices is not None:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices) + "]"
    annotation: Any = desc.annotation
    if desc.is_list or desc.is_tuple:
        annotation = get_args(annotation)[0]
    if desc.is_path or (isinstance(annotation, type) and issubclass(annotation, PurePath)):
        return "PATH"
    if isinstance(annotation, type):
        return _TYPE_METAVARS.get(annotation, annotation.__name__.upper())
    return "VALUE"


class _Option(TyperOption):
    """An option shown as ``--name METAVAR``, or bare when it is a flag."""

    def display_type_rich(self, ctx: _click.Context) -> str | None:
        if self.is_flag:
            return None
        return self.metavar if self.metavar is not None else _type_metavar(self)

    def process_value(self, ctx: _click.Context, value: Any) -> Any:
        # Typer coerces a flag left unset (None) through a pydantic adapter, which costs a
        # pydantic import in every sub-command's --help. A flag that passes no value to
        # the command (--help) needs no coercion; its callback still runs.
        if self.is_bool_flag and value is None and not self.expose_value:
            return value if self.callback is None else self.callback(ctx, self, value)
        return super().process_value(ctx, value)


class _Argument(TyperArgument):
    """An argument shown by its metavar (its name in capitals); the name is the whole label."""

    @property
    def display_name_raw(self) -> str:
        return self.metavar if self.metavar is not None else (self.name or "").upper()

    def display_type_rich(self, ctx: _click.Context) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")


def _usual(params: list[_click.Parameter]) -> list[_click.Parameter]:
    # Typer builds its parameter objects itself and offers no hook to choose their
    # class; parsing stays theirs, only the help rendering methods differ.
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
    return params


class Command(TyperCommand):
    """A command whose help shows flags as flags and values by metavar."""

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        return _usual(super().get_params(ctx))


@dataclass(frozen=True, slots=True)
class Lazy:
    """A sub-group by import path (``"package.module:attribute"``, a :class:`App`) and its one-line help."""

    target: str
    help: str

    def load(self, name: str) -> _click.Command:
        module, attribute = self.target.split(":")
        group = typer.main.get_group(getattr(importlib.import_module(module), attribute))
        group.name = name
        return group


class _Unloaded(TyperGroup):
    """What a group's help lists for a :class:`Lazy` sub-group not imported yet."""


class Group(TyperGroup):
    """A group whose own options render as :class:`Command`'s do, with :attr:`lazy` sub-groups."""

    lazy: ClassVar[dict[str, Lazy]] = {}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, lazy in self.lazy.items():
            self.commands.setdefault(name, _Unloaded(name=name, help=lazy.help))

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        return _usual(super().get_params(ctx))

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        if args and isinstance(self.commands.get(args[0]), _Unloaded):
            self.commands[args[0]] = self.lazy[args[0]].load(args[0])
        return super().resolve_command(ctx, args)


class App(typer.Typer):
    """A Typer app whose groups and commands are :class:`Group` and :class:`Command`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("no_args_is_help", True)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", Command)
        decorate: Callable[[F], F] = super().command(*args, **kwargs)
        return decorate
