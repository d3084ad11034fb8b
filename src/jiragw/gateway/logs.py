"""Log output for ``jiragw serve``: one JSON object per line, secrets masked, and an access log.

DESIGN.md, invariants (no secret in a log line) and STYLE.md §7: secrets
travel as :class:`jiragw.secrets.Secret` and print masked; this module is the
second net. :class:`RedactingFilter` rewrites each record's message and
string extras, and the formatters run :func:`redact` once more over the
finished line (exception tracebacks included), masking:

- gateway keys (``jgw_...``), Atlassian API tokens (``ATATT...``), PEM private keys;
- ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and ``Set-Cookie`` values
  (as ``Name: value``, ``name=value`` or in a dict/JSON rendering);
- ``Bearer``/``Basic`` credentials wherever they appear;
- ``access_token``, ``refresh_token``, ``client_secret``, ``code``, ``password``,
  ``oauth_verifier``, ... in query strings and form bodies, and in JSON/dict text;
- the password of a URL's user info (``scheme://user:password@host``).

:class:`AccessLog` is a pure ASGI middleware (no ``BaseHTTPMiddleware``, so
streaming responses stay streaming) logging method, path without its query
string, status, latency and response bytes.
"""

from __future__ import annotations

import json as _json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import IO, Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLog", "JsonFormatter", "RedactingFilter", "TextFormatter", "configure_logging", "redact"]

MASK: Final = "[redacted]"
_QUOTE = r"""\\*["']"""  # a quote, maybe escaped (once in a repr, twice in a JSON-encoded repr)
# Secret-bearing parameter names: anywhere name=value appears, and only after ?/&/; for the ambiguous ones.
_SECRET_PARAMS = (
    "access_token|refresh_token|id_token|client_secret|code_verifier|password|passwd|api_token"  # noqa: S105
    "|oauth_verifier|oauth_token_secret|assertion|private_key"
)
_QUERY_ONLY = "code|token|secret|key"
_TOKEN = r"[A-Za-z0-9._~+/=-]"  # noqa: S105 - a character class, not a token
_RULES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL),
        MASK,
    ),
    # Header-style values, up to the end of the line or the closing quote.
    (
        re.compile(
            rf"(?i)\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key)({_QUOTE})?(\s*[:=]\s*)({_QUOTE})?"
            r"""[^"'\\\r\n]+"""
        ),
        rf"\1\2\3\4{MASK}",
    ),
    # A credential after its scheme: 8+ token characters, with a digit, capital or symbol past the first
    # (so "Basic authentication" stays readable).
    (
        re.compile(rf"\b(Bearer|Basic|Token)\s+(?={_TOKEN}{{8}})(?=.{_TOKEN}*[0-9A-Z._~+/=-]){_TOKEN}+"),
        rf"\1 {MASK}",
    ),
    (re.compile(r"\bjgw_[A-Za-z0-9_-]+"), f"jgw_{MASK}"),
    (re.compile(r"\bATATT[A-Za-z0-9_=-]+"), MASK),
    # name=value in query strings and form bodies.
    (re.compile(rf"(?i)(?<![^?&;\s])({_SECRET_PARAMS})=[^&#;\s\"'\\]*"), rf"\1={MASK}"),
    (re.compile(rf"(?i)(?<=[?&;])({_QUERY_ONLY})=[^&#;\s\"'\\]*"), rf"\1={MASK}"),
    # "name": "value" in JSON or repr text.
    (
        re.compile(rf"(?i)({_QUOTE}(?:{_SECRET_PARAMS}|{_QUERY_ONLY}){_QUOTE}\s*:\s*{_QUOTE})[^\"'\\]+"),
        rf"\1{MASK}",
    ),
    (re.compile(r"(://[^:/@\s]+:)[^@/\s]+@"), rf"\1{MASK}@"),
)
# Attributes every LogRecord has; anything else on a record is an ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def redact(text: str) -> str:
    """``text`` with every secret-shaped part replaced by :data:`MASK`."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message and string extras (attach it to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string still gets logged, as its raw text
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = redact(message), None
        for key, value in _extras(record).items():
            if isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, extras, ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        line = _json.dumps(entry, default=str, ensure_ascii=False)
        return redact(line)


class TextFormatter(logging.Formatter):
    """Human-readable lines for a terminal, redacted like the JSON ones."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = _extras(record)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return redact(line)


_INSTALLED: list[logging.Handler] = []
_CHATTY: Final = ("httpx", "httpcore")


def configure_logging(
    json: bool = True, level: int | str = logging.INFO, *, stream: IO[str] | None = None
) -> logging.Handler:
    """Route the root logger to one redacting handler on ``stream`` (stderr); idempotent."""
    root = logging.getLogger()
    for old in _INSTALLED:
        root.removeHandler(old)
    _INSTALLED.clear()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # httpx and httpcore log every upstream request at INFO (httpcore at DEBUG) with its full URL:
    # the query string carries JQL (data, not for logs), and the line costs time per proxied call,
    # which the audit trail already records.
    for chatty in _CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    _INSTALLED.append(handler)
    return handler


class AccessLog:
    """Pure ASGI middleware: one ``jiragw.access`` record per HTTP request, never the query string."""

    def __init__(self, app: ASGIApp, *, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.log = logger or logging.getLogger("jiragw.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, sent = 500, 0

        async def watch(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            latency_ms = round((time.perf_counter() - started) * 1000, 2)
            path = scope.get("path", "")
            self.log.info(
                "%s %s %s %.2fms",
                scope["method"],
                path,
                status,
                latency_ms,
                extra={
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "latency_ms": latency_ms,
                    "bytes": sent,
                },
            )
