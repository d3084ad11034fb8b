"""The JQL syntax tree the parser builds and the compiler turns into closures."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "And",
    "Clause",
    "Empty",
    "FieldRef",
    "Func",
    "ListOperand",
    "Not",
    "Operand",
    "Or",
    "Query",
    "SortItem",
    "Terminal",
    "Value",
]


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field as written: a clause name, a quoted name, or ``cf[N]`` (``custom_id`` set)."""

    name: str
    pos: int
    custom_id: str | None = None

    @property
    def label(self) -> str:
        return f"cf[{self.custom_id}]" if self.custom_id is not None else self.name


@dataclass(frozen=True, slots=True)
class Value:
    text: str
    pos: int
    quoted: bool


@dataclass(frozen=True, slots=True)
class Empty:
    pos: int


@dataclass(frozen=True, slots=True)
class Func:
    name: str
    args: tuple[str, ...]
    pos: int

    def shown(self) -> str:
        return f"{self.name}({', '.join(self.args)})"


@dataclass(frozen=True, slots=True)
class ListOperand:
    items: tuple[Value | Empty | Func, ...]
    pos: int


Operand = Value | Empty | Func | ListOperand


@dataclass(frozen=True, slots=True)
class Terminal:
    field: FieldRef
    op: str  # "=", "!=", "<", "<=", ">", ">=", "~", "!~", "in", "not in", "is", "is not"
    operand: Operand


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Clause


Clause = Terminal | And | Or | Not


@dataclass(frozen=True, slots=True)
class SortItem:
    field: FieldRef
    descending: bool | None  # None: the field's default direction


@dataclass(frozen=True, slots=True)
class Query:
    where: Clause | None
    order_by: tuple[SortItem, ...] | None  # None: no ORDER BY clause
