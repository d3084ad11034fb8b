"""The JQL builder: output checked against the sandbox's JQL parser and compiler.

Hostile values (tests/jira/jql_hostile_values.json) go into every operand
position; the parsed query must have exactly the structure built, and every
value must come back unchanged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiragw.jira import jql
from jiragw.jira.jql import Clause, field, fn, order_by, quote
from jiragw.sandbox import build_sandbox
from jiragw.sandbox.jql import ast as q
from jiragw.sandbox.jql import compile_jql
from jiragw.sandbox.jql.lexer import tokenize
from jiragw.sandbox.jql.parser import parse
from jiragw.sandbox.state.model import Instance

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
HOSTILE: list[str] = json.loads((Path(__file__).parent / "jql_hostile_values.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def inst() -> Instance:
    return build_sandbox(projects=1, issues=5, seed=3).sites["acme"]


def shape(node: Any) -> Any:
    """The parser's tree without source positions, in the builder's vocabulary."""
    if isinstance(node, q.Terminal):
        return ("term", node.field.label, node.op.upper(), shape(node.operand))
    if isinstance(node, q.And):
        return ("and", tuple(shape(c) for c in node.children))
    if isinstance(node, q.Or):
        return ("or", tuple(shape(c) for c in node.children))
    if isinstance(node, q.Not):
        return ("not", shape(node.child))
    if isinstance(node, q.Value):
        return ("value", node.text)
    if isinstance(node, q.Empty):
        return ("empty",)
    if isinstance(node, q.Func):
        return ("func", node.name, node.args)
    if isinstance(node, q.ListOperand):
        return ("list", tuple(shape(i) for i in node.items))
    raise AssertionError(node)


def parsed(clause: Clause | jql.Query) -> q.Query:
    return parse(str(clause))


def test_example_from_docstring() -> None:
    built = (field("project").eq("PRJ") & field("labels").in_(["a", "b"])).order_by(field("created").desc())
    assert str(built) == 'project = "PRJ" AND labels IN ("a", "b") ORDER BY created DESC'


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v)[:40] for v in HOSTILE])
def test_quote_round_trips_through_the_lexer(value: str) -> None:
    tokens = tokenize(quote(value))
    assert [(t.kind, t.text) for t in tokens[:-1]] == [("string", value)]
    assert tokens[-1].kind == "eof"


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v)[:40] for v in HOSTILE])
def test_hostile_values_cannot_restructure(inst: Instance, value: str) -> None:
    built = (
        field("project").eq("PRJ") & (field("summary").contains(value) | field("labels").in_([value, "x"]))
    ) | ~field("labels").eq(value)
    query = parsed(built.order_by("key", field("created").asc()))
    assert shape(query.where) == (
        "or",
        (
            (
                "and",
                (
                    ("term", "project", "=", ("value", "PRJ")),
                    (
                        "or",
                        (
                            ("term", "summary", "~", ("value", value)),
                            ("term", "labels", "IN", ("list", (("value", value), ("value", "x")))),
                        ),
                    ),
                ),
            ),
            ("not", ("term", "labels", "=", ("value", value))),
        ),
    )
    assert query.order_by is not None
    assert [(s.field.label, s.descending) for s in query.order_by] == [("key", None), ("created", False)]
    # Structure aside, the real compiler accepts it (names resolved, operators allowed).
    compile_jql(inst, str(field("labels").eq(value) | field("labels").not_in([value])), user=None, now=NOW)


@pytest.mark.parametrize("name", ["Story Points", "order", "select", 'we"ird\\', "cf[10010]", "project"])
def test_field_names_are_quoted_when_not_plain(name: str) -> None:
    query = parsed(field(name).is_not_empty())
    assert shape(query.where) == ("term", name, "IS NOT", ("empty",))


def test_operators_and_functions() -> None:
    built = (
        field("assignee").eq(fn("currentUser"))
        & field("created").ge(fn("startOfDay", "-1d"))
        & field("priority").ne(3)
        & field("duedate").lt("2024-01-01")
        & field("duedate").le("2024-02-01")
        & field("updated").gt("-2w")
        & field("summary").not_contains("x")
        & field("status").not_in(["Done", fn("currentUser")])
        & field("labels").is_empty()
    )
    assert shape(parsed(built).where) == (
        "and",
        (
            ("term", "assignee", "=", ("func", "currentUser", ())),
            ("term", "created", ">=", ("func", "startOfDay", ("-1d",))),
            ("term", "priority", "!=", ("value", "3")),
            ("term", "duedate", "<", ("value", "2024-01-01")),
            ("term", "duedate", "<=", ("value", "2024-02-01")),
            ("term", "updated", ">", ("value", "-2w")),
            ("term", "summary", "!~", ("value", "x")),
            ("term", "status", "NOT IN", ("list", (("value", "Done"), ("func", "currentUser", ())))),
            ("term", "labels", "IS", ("empty",)),
        ),
    )


def test_order_by_alone() -> None:
    query = parsed(order_by(field("priority").desc(), "Story Points"))
    assert query.where is None
    assert query.order_by is not None
    sorts = [(s.field.label, s.descending) for s in query.order_by]
    assert sorts == [("priority", True), ("Story Points", None)]


def test_rejects_what_cannot_be_written_safely() -> None:
    with pytest.raises(ValueError, match="function name"):
        fn("currentUser() OR 1=1")
    with pytest.raises(ValueError, match="at least one"):
        field("labels").in_([])
    with pytest.raises(TypeError):
        field("labels").eq(True)
    with pytest.raises(TypeError):
        field("labels").eq(1.5)  # type: ignore[arg-type]


def _expected(clause: Clause) -> Any:
    if isinstance(clause, jql.Terminal):
        return ("term", clause.field, clause.op, shape(parse(f"x = {clause.operand}").where)[3])  # type: ignore[index]
    if isinstance(clause, jql.And):
        return ("and", tuple(_expected(c) for c in clause.children))
    if isinstance(clause, jql.Or):
        return ("or", tuple(_expected(c) for c in clause.children))
    assert isinstance(clause, jql.Not)
    return ("not", _expected(clause.child))


_names = st.sampled_from(["labels", "summary"])
_terms = st.builds(lambda name, value: field(name).eq(value), _names, st.text())
_clauses = st.recursive(
    _terms,
    lambda inner: st.one_of(
        st.builds(lambda a, b: a & b, inner, inner),
        st.builds(lambda a, b: a | b, inner, inner),
        st.builds(lambda a: ~a, inner),
    ),
    max_leaves=8,
)


@given(_clauses)
def test_any_built_tree_parses_to_itself(clause: Clause) -> None:
    assert shape(parsed(clause).where) == _expected(clause)
