"""Optional persistence: a sandbox's whole state in one SQLite file, so it survives restarts.

- :func:`save` writes every instance's entities (one row per user, project,
  component, version, issue, comment, changelog entry, link, filter,
  dashboard, board and sprint) plus the sandbox's seed, admin token, clock offset and fault
  settings, in **one transaction** that replaces the previous content. The
  file runs in WAL mode, so a crash mid-save leaves the last complete state.
- :func:`load` reads it back (``None`` when the file holds no saved state).
- :class:`WriteBehind` saves periodically when something changed, and once
  more on stop; the snapshot is taken on the event loop (a consistent view)
  and written to SQLite in a worker thread.

Rows are JSON (never pickle). The (de)serialisation of the model's dataclasses
is generic: driven by ``dataclasses.fields`` and the type hints, with a small
table for the types JSON lacks (datetime, date, RichText, sets, int keys).
Request counters and ``Sandbox.oauth`` (the OAuth servers' tokens and
consents, in memory only) are not saved. Tables are prefixed ``sandbox_`` so the file can
never clash with another application's tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import sqlite3
import types
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import orjson

from ...errors import SandboxError
from .clock import Clock
from .faults import Faults
from .model import (
    Board,
    ChangeHistory,
    Comment,
    Component,
    Dashboard,
    Filter,
    Instance,
    Issue,
    IssueLink,
    Project,
    RichText,
    Sprint,
    User,
    Version,
)
from .sandbox import Sandbox

__all__ = ["FORMAT", "Snapshot", "WriteBehind", "decoder", "encoder", "load", "save", "snapshot", "write"]

FORMAT = 1  # bump when a saved file can no longer be read by the decoders below

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]

# -- generic JSON codec for the model ------------------------------------------------------------

_PLAIN = (str, int, float, bool, type(None))
_RICH_TAG = "$richtext"  # marks RichText inside free-form JSON values (custom fields)


def _enc_rich(value: RichText) -> dict[str, str]:
    out = {}
    if value.adf is not None:
        out["adf"] = value.adf.decode()  # kept verbatim: the stored bytes come back byte for byte
    if value.wiki is not None:
        out["wiki"] = value.wiki
    return out


def _dec_rich(data: dict[str, str]) -> RichText:
    adf = data.get("adf")
    return RichText(adf=adf.encode() if adf is not None else None, wiki=data.get("wiki"))


def _enc_any(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, RichText):
        return {_RICH_TAG: _enc_rich(value)}
    if isinstance(value, dict):
        return {k: _enc_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_enc_any(v) for v in value]
    return value  # left to orjson (which refuses what JSON cannot hold)


def _dec_any(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _RICH_TAG in value:
            return _dec_rich(value[_RICH_TAG])
        return {k: _dec_any(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dec_any(v) for v in value]
    return value


# Types JSON has no form for: (encode, decode).
_TYPE_TABLE: dict[Any, tuple[Encode, Decode]] = {
    datetime: (datetime.isoformat, datetime.fromisoformat),
    date: (date.isoformat, date.fromisoformat),
    RichText: (_enc_rich, _dec_rich),
}


def _optional(codec: tuple[Encode | None, Decode | None]) -> tuple[Encode | None, Decode | None]:
    enc, dec = codec
    return (
        None if enc is None else (lambda v: None if v is None else enc(v)),
        None if dec is None else (lambda v: None if v is None else dec(v)),
    )


def _collection(origin: Any, item: Any) -> tuple[Encode | None, Decode | None]:
    enc, dec = _codec(item)
    make: Callable[[Iterable[Any]], Any] = origin
    if origin in (set, frozenset):  # sorted, so equal sets save to equal bytes
        return (
            (lambda v: sorted(v)) if enc is None else (lambda v: sorted(enc(x) for x in v)),
            (lambda v: make(v)) if dec is None else (lambda v: make(dec(x) for x in v)),
        )
    if origin is list:
        return (
            None if enc is None else (lambda v: [enc(x) for x in v]),
            None if dec is None else (lambda v: [dec(x) for x in v]),
        )
    return (
        (lambda v: list(v)) if enc is None else (lambda v: [enc(x) for x in v]),
        (lambda v: make(v)) if dec is None else (lambda v: make(dec(x) for x in v)),
    )


def _mapping(key: Any, value: Any) -> tuple[Encode | None, Decode | None]:
    venc, vdec = _codec(value)
    if key is str:
        return (
            None if venc is None else (lambda v: {k: venc(x) for k, x in v.items()}),
            None if vdec is None else (lambda v: {k: vdec(x) for k, x in v.items()}),
        )
    if key is not int:
        raise TypeError(f"no JSON form for dict keys of type {key!r}")
    ve: Encode = venc or (lambda x: x)
    vd: Decode = vdec or (lambda x: x)

    def encode(v: dict[int, Any]) -> dict[str, Any]:
        return {str(k): ve(x) for k, x in v.items()}

    def decode(v: dict[str, Any]) -> dict[int, Any]:
        return {int(k): vd(x) for k, x in v.items()}

    return encode, decode


@cache
def _codec(tp: Any) -> tuple[Encode | None, Decode | None]:
    """(encode, decode) for values of type ``tp``; ``None`` means "JSON as is"."""
    if tp in _PLAIN:
        return None, None
    if tp is Any:
        return _enc_any, _dec_any
    if tp in _TYPE_TABLE:
        return _TYPE_TABLE[tp]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return None, None
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no JSON form for the union {tp!r}")
        return _optional(_codec(inner[0]))
    if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return _collection(origin, args[0])
    if origin is dict:
        return _mapping(*args)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return encoder(tp), decoder(tp)
    raise TypeError(f"no JSON form for {tp!r}")


_REQUIRED: Any = object()  # stands for "this field has no default"


@cache
def _fields(cls: type, skip: frozenset[str]) -> list[tuple[str, Encode | None, Decode | None, Any]]:
    """(name, encode, decode, default) for each field of ``cls`` not in ``skip``."""
    hints = get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        default = _REQUIRED
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        out.append((f.name, *_codec(hints[f.name]), default))
    return out


def encoder(cls: type, skip: frozenset[str] = frozenset()) -> Encode:
    """A function turning a ``cls`` instance into JSON-able data.

    Fields in ``skip`` are left out, and so are fields equal to their default
    (most of an issue's lists are empty), which the decoder restores.
    """
    fields = _fields(cls, skip)

    def encode(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, enc, _, default in fields:
            value = getattr(obj, name)
            if default is not _REQUIRED and (value is default or value == default):
                continue
            out[name] = value if enc is None or value is None else enc(value)
        return out

    return encode


def decoder(cls: type, skip: frozenset[str] = frozenset()) -> Decode:
    """The inverse of :func:`encoder`: unknown keys are ignored, missing ones take their defaults."""
    fields = _fields(cls, skip)

    def decode(data: dict[str, Any]) -> Any:
        kwargs = {}
        for name, _, dec, _ in fields:
            if name in data:
                value = data[name]
                kwargs[name] = value if dec is None or value is None else dec(value)
        return cls(**kwargs)

    return decode


# -- the file's layout ---------------------------------------------------------------------------

# Top-level entities: (table, Instance attribute, class, fields kept out of the row).
# Comments and changelog entries get their own rows; text_cache is a cache.
_ENTITIES: tuple[tuple[str, str, type, frozenset[str]], ...] = (
    ("users", "users", User, frozenset()),
    ("projects", "projects", Project, frozenset()),
    ("components", "components", Component, frozenset()),
    ("versions", "versions", Version, frozenset()),
    ("issues", "issues", Issue, frozenset({"comments", "changelog", "text_cache"})),
    ("links", "links", IssueLink, frozenset()),
    ("filters", "filters", Filter, frozenset()),
    ("dashboards", "dashboards", Dashboard, frozenset()),
    ("boards", "boards", Board, frozenset()),
    ("sprints", "sprints", Sprint, frozenset()),
)
# Rows owned by an issue: (table, Issue attribute, class).
_CHILDREN: tuple[tuple[str, str, type], ...] = (
    ("comments", "comments", Comment),
    ("changelog", "changelog", ChangeHistory),
)
# The instance row keeps configuration (statuses, workflows, fields, ...) and
# counters; entity tables and the indexes rebuilt on load stay out of it.
_INSTANCE_SKIP = frozenset(
    [attr for _, attr, _, _ in _ENTITIES]
    + ["project_by_key", "issue_by_key", "user_by_email", "user_by_username"]
)
_ROW_TABLES = tuple(t for t, *_ in _ENTITIES) + tuple(t for t, *_ in _CHILDREN)
_SCHEMA = (
    "CREATE TABLE sandbox_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    "CREATE TABLE sandbox_instances (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
    " body TEXT NOT NULL)",
    *(
        f"CREATE TABLE sandbox_{t} (instance INTEGER NOT NULL, seq INTEGER PRIMARY KEY, owner TEXT NOT NULL,"
        " id TEXT NOT NULL, body TEXT NOT NULL)"
        for t in _ROW_TABLES
    ),
)
_ALL_TABLES = ("meta", "instances", *_ROW_TABLES)

Row = tuple[
    int, int, str, str, str
]  # instance seq, row seq (unique per table), owner id, entity id, JSON body


@dataclasses.dataclass(slots=True)
class Snapshot:
    """A sandbox's state encoded to rows, ready to write (no live objects left)."""

    meta: list[tuple[str, bytes]]
    instances: list[tuple[int, str, str, str]]
    rows: dict[str, Iterable[Row]]  # lists in a snapshot; generators while :func:`save` streams


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic collector: encoding or decoding makes millions of objects, none garbage,
    and the collector would rescan them over and over."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def snapshot(sandbox: Sandbox) -> Snapshot:
    """Encode the whole state; call it where nothing mutates the sandbox meanwhile (the event loop)."""
    with _no_gc():
        lazy = _snapshot(sandbox)
        return Snapshot(lazy.meta, lazy.instances, {t: list(rows) for t, rows in lazy.rows.items()})


def _snapshot(sandbox: Sandbox) -> Snapshot:
    """The state as rows, the entity rows produced lazily (streamed into SQLite by :func:`save`)."""
    dumps = orjson.dumps
    faults = {"settings": sandbox.faults.settings(), "seed": sandbox.faults.seed}
    meta = [
        ("format", dumps(FORMAT)),
        ("seed", dumps(sandbox.seed)),
        ("credential_seed", dumps(sandbox.credential_seed)),
        ("admin_token", dumps(sandbox.admin_token)),
        ("clock_offset", dumps(sandbox.clock.offset)),
        ("faults", dumps(faults)),
    ]
    encode_instance = encoder(Instance, _INSTANCE_SKIP)
    all_instances = sandbox.all_instances()
    instances: list[tuple[int, str, str, str]] = []
    for n, inst in enumerate(all_instances):
        instances.append((n, inst.kind, inst.name, dumps(encode_instance(inst)).decode()))

    def entities(attr: str, enc: Encode) -> Iterator[Row]:
        seq = 0
        for n, inst in enumerate(all_instances):
            for key, obj in getattr(inst, attr).items():
                yield n, seq, "", str(key), dumps(enc(obj)).decode()
                seq += 1

    def children(attr: str, enc: Encode) -> Iterator[Row]:
        seq = 0
        for n, inst in enumerate(all_instances):
            for issue in inst.issues.values():
                owner = str(issue.id)
                for child in getattr(issue, attr):
                    yield n, seq, owner, str(child.id), dumps(enc(child)).decode()
                    seq += 1

    rows: dict[str, Iterable[Row]] = {}
    for table, attr, cls, skip in _ENTITIES:
        rows[table] = entities(attr, encoder(cls, skip))
    for table, attr, cls in _CHILDREN:
        rows[table] = children(attr, encoder(cls))
    return Snapshot(meta, instances, rows)


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        con = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
    except sqlite3.Error as exc:
        raise SandboxError(f"cannot open the sandbox state file {path}: {exc}") from exc
    try:
        yield con
    except sqlite3.Error as exc:
        raise SandboxError(f"the sandbox state file {path} failed: {exc}") from exc
    finally:
        con.close()


def write(snap: Snapshot, path: Path) -> None:
    """Replace the file's content with ``snap`` in one transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _connect(path) as con:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: consistent after a crash, fast
        con.execute("BEGIN IMMEDIATE")
        try:
            for table in _ALL_TABLES:
                con.execute(f"DROP TABLE IF EXISTS sandbox_{table}")
            for ddl in _SCHEMA:
                con.execute(ddl)
            con.executemany("INSERT INTO sandbox_meta VALUES (?, ?)", snap.meta)
            con.executemany("INSERT INTO sandbox_instances VALUES (?, ?, ?, ?)", snap.instances)
            for table, rows in snap.rows.items():
                con.executemany(f"INSERT INTO sandbox_{table} VALUES (?, ?, ?, ?, ?)", rows)  # noqa: S608
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # keep the -wal file from growing


def save(sandbox: Sandbox, path: str | Path) -> None:
    """Save the sandbox's whole state to the SQLite file at ``path`` (created if absent).

    Rows are encoded as they are written, so the encoded state never sits in memory whole.
    """
    with _no_gc():
        write(_snapshot(sandbox), Path(path))


def load(path: str | Path) -> Sandbox | None:
    """The sandbox saved at ``path``, or ``None`` when there is no saved state there."""
    with _no_gc():
        return _load(Path(path))


def _load(path: Path) -> Sandbox | None:
    if not path.exists():
        return None
    with _connect(path) as con:
        found = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sandbox_meta'"
        ).fetchone()
        if found is None:
            return None
        meta = {k: orjson.loads(v) for k, v in con.execute("SELECT key, value FROM sandbox_meta")}
        if meta.get("format") != FORMAT:
            raise SandboxError(f"{path} holds sandbox state in format {meta.get('format')!r}, not {FORMAT}")
        faults = Faults(seed=int(meta["faults"]["seed"]))
        try:
            faults.update(meta["faults"]["settings"])
        except ValueError as exc:
            raise SandboxError(f"{path} holds invalid fault settings: {exc}") from exc
        sandbox = Sandbox(
            seed=int(meta["seed"]),
            # Files saved before credentials had a seed of their own derived them from the data seed.
            credential_seed=str(meta.get("credential_seed") or meta["seed"]),
            admin_token=str(meta["admin_token"]),
            clock=Clock(float(meta["clock_offset"])),
            faults=faults,
        )
        decode_instance = decoder(Instance, _INSTANCE_SKIP)
        by_seq: dict[int, Instance] = {}
        for seq, kind, name, body in con.execute(
            "SELECT seq, kind, name, body FROM sandbox_instances ORDER BY seq"
        ):
            inst: Instance = decode_instance(orjson.loads(body))
            by_seq[seq] = inst
            (sandbox.sites if kind == "cloud" else sandbox.dcs)[name] = inst
        present = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, attr, cls, skip in _ENTITIES:
            if f"sandbox_{table}" not in present:
                continue  # saved before this entity existed (boards, sprints): none of them
            dec = decoder(cls, skip)
            for seq, key, body in con.execute(
                f"SELECT instance, id, body FROM sandbox_{table} ORDER BY seq"  # noqa: S608
            ):
                _attach(by_seq[seq], attr, key, dec(orjson.loads(body)))
        for table, attr, cls in _CHILDREN:
            dec = decoder(cls)
            for seq, owner, body in con.execute(
                f"SELECT instance, owner, body FROM sandbox_{table} ORDER BY seq"  # noqa: S608
            ):
                getattr(by_seq[seq].issues[int(owner)], attr).append(dec(orjson.loads(body)))
    return sandbox


def _attach(inst: Instance, attr: str, key: str, obj: Any) -> None:
    """Put a loaded entity in its place, through the mutators that keep the indexes."""
    if isinstance(obj, User):
        inst.add_user(obj)
    elif isinstance(obj, Project):
        inst.add_project(obj)
    elif isinstance(obj, Issue):
        inst.add_issue(obj)
    else:
        getattr(inst, attr)[int(key)] = obj


# -- write-behind --------------------------------------------------------------------------------

_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteBehind:
    """Keeps the file at ``path`` in step with a running sandbox.

    ``start()`` (on the server's event loop) saves every ``interval`` seconds
    when something may have changed: a non-GET request was counted, or the
    clock, faults or admin token moved. ``stop()`` saves one last time.
    """

    def __init__(self, sandbox: Sandbox, path: str | Path, interval: float = 30.0) -> None:
        self.sandbox = sandbox
        self.path = Path(path)
        self.interval = interval
        self._saved: tuple[Any, ...] | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def fingerprint(self) -> tuple[Any, ...]:
        """A cheap summary that changes whenever the state may have changed."""
        sbx = self.sandbox
        writes = sum(n for key, n in sbx.counters.items() if key.method not in _READ_ONLY)
        faults = tuple(sorted(sbx.faults.settings().items()))
        instances = tuple((i.kind, i.name, i.next_id, len(i.issues)) for i in sbx.all_instances())
        return writes, sbx.clock.offset, faults, sbx.admin_token, instances

    async def flush(self, *, force: bool = False) -> bool:
        """Save now if anything changed since the last save (or ``force``); True when it wrote."""
        async with self._lock:
            mark = self.fingerprint()
            if not force and mark == self._saved:
                return False
            snap = snapshot(self.sandbox)  # on the loop: no request runs while we encode
            await asyncio.to_thread(write, snap, self.path)
            self._saved = mark
            return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)  # a period, not a synchronisation
            await self.flush()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-write-behind")

    async def stop(self) -> None:
        """Stop the periodic saves and save what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()
