"""Every ``--help`` reads as command-line help: flags take no value, values show a usual metavar."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer.main
from typer import _click
from typer.core import TyperGroup, TyperOption

from jiragw.cli.app import app, main
from jiragw.cli.command import Group
from jiragw.cli.keys_cmd import PRESET_NAMES
from jiragw.keys import PRESETS

TYPER_NOTATION = re.compile(r"<(bool|str|int|float|path|datetime|list\[[^\]]*\])[^>]*>")


def _commands(
    command: _click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], _click.Command]]:
    yield path, command
    if isinstance(command, TyperGroup):
        ctx = _click.Context(command)
        for name in sorted(command.list_commands(ctx)):
            _, sub, _ = command.resolve_command(ctx, [name])  # imports a lazy group
            assert sub is not None
            yield from _commands(sub, (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))


def _help(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_the_walk_finds_every_group_and_command() -> None:
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "keys", "keys create", "connect oauth", "mcp", "export", "devops build", "serve"} <= paths
    assert len(paths) >= 25


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "jiragw")
def test_help_shows_flags_as_flags_and_usual_metavars(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one row per parameter
    monkeypatch.setenv("TERMINAL_WIDTH", "300")
    out = _help(path, capsys)
    assert TYPER_NOTATION.search(out) is None, out
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage

    command = dict(COMMANDS)[path]
    ctx = _click.Context(command)
    for param in command.get_params(ctx):
        if not (isinstance(param, TyperOption) and param.is_flag) or param.hidden:
            continue
        row = next(line for line in out.splitlines() if re.search(rf"{re.escape(param.opts[0])}\b", line))
        after = row.split(param.opts[0], 1)[1].replace("│", " ").split()
        first_word = (param.help or "").split()[:1]
        # Next to a flag: its short form, or straight away its help text.
        assert not after or after[0].startswith("-") or after[:1] == first_word, row


def test_options_that_take_values_show_a_metavar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setenv("TERMINAL_WIDTH", "300")
    create = _help(("keys", "create"), capsys)
    assert re.search(r"--scope\s+SCOPE\s", create)
    assert re.search(r"--name\s+NAME\s", create)
    assert re.search(r"--read-only\s+Allow read", create)
    export = _help(("export",), capsys)
    assert re.search(r"Usage: .*export \[OPTIONS\] JQL\s", export)
    assert re.search(r"--format\s+-f\s+\[jsonl\|csv\]", export)
    assert re.search(r"--fields\s+FIELDS\s", export)
    tail = _help(("audit", "tail"), capsys)
    assert re.search(r"--lines\s+-n\s+INTEGER RANGE", tail) or re.search(r"--lines\s+-n\s+INTEGER", tail)


def test_a_lazy_group_is_listed_with_its_own_help() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, Group)
    assert root.lazy
    for name, lazy in root.lazy.items():
        loaded = lazy.load(name)
        assert loaded.help is not None
        assert loaded.help.splitlines()[0] == lazy.help
        assert loaded.name == name


def test_keys_create_help_names_every_preset() -> None:
    assert tuple(PRESETS) == PRESET_NAMES
