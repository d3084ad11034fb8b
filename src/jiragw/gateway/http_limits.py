"""uvicorn's httptools protocol with limits on the request head and on connections.

uvicorn bounds neither the size of a request's head nor the time it may take
to arrive when it parses with httptools (its ``h11_max_incomplete_event_size``
covers the h11 parser only): httptools keeps an unfinished header value in
memory whatever its size, and a connection that never finishes its headers
stays open. :func:`protocol_class` builds the subclass ``jiragw serve`` hands
uvicorn, with the :class:`~jiragw.config.ServerOptions` of the run:

- **Head size.** While a request's head (request line and headers) is
  incomplete, the parser is fed at most ``max_head`` bytes of it; a head that
  needs more gets ``431`` and the connection is closed. A request line longer
  than ``max_line`` gets ``414``, a header line longer than that ``431``
  (RFC 9110 §15.5.15, RFC 6585 §5). The parser never holds more than one
  head's budget. Bytes are counted per read: a head that begins in the same
  read as the end of a previous request (pipelining) counts that read's
  earlier bytes too, which can only make the limit stricter.
- **Head timeout.** A timer armed when a connection opens, and when the first
  byte of each later request arrives, closes the connection (``408`` when part
  of a head came) unless its headers are complete within ``header_timeout``.
  Idle keep-alive connections are closed by uvicorn's ``timeout_keep_alive``.
- **Connections.** Beyond ``max_connections`` open connections, a new one
  gets ``503`` and is closed before anything is read from it.

Every refusal is written directly on the transport with ``Connection: close``
(and the server's default headers, so HSTS too): no application code runs.
The connection then closes its sending side and reads (and drops) at most
:data:`LINGER_BYTES` more for at most :data:`LINGER_SECONDS` before closing:
closing with unread bytes would send a TCP reset, which can destroy the
answer before the client reads it.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from jiragw.config import ServerOptions

__all__ = ["LINGER_BYTES", "LINGER_SECONDS", "LimitedHttpToolsProtocol", "protocol_class"]

LINGER_BYTES = 256 * 1024
LINGER_SECONDS = 2.0


class _HeadTooLarge(Exception):
    """Raised inside a parser callback to stop parsing; the status is kept on the protocol."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` with the head size, head timeout and connection limits above."""

    options: ClassVar[ServerOptions] = ServerOptions()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = True  # the bytes that come next belong to a request's head
        self._head_bytes = 0  # bytes of the open head fed so far
        self._line = 0  # bytes of the open head's unfinished line
        self._first_line = True  # that line is the request line
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: HTTPStatus | None = None
        self._refused = False
        self._linger = LINGER_BYTES

    # -- connections -----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.options.max_connections:
            self._refuse(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # -- bytes in --------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused:  # lingering after a refusal: drop, up to a bound
            self._linger -= len(data)
            if self._linger < 0:
                self.transport.close()
            return
        while data and not self._refused:
            if self._head_open:
                if self._head_timer is None:
                    self._arm()
                room = self.options.max_head - self._head_bytes
                piece, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
            else:  # a body: uvicorn's flow control bounds it
                piece, data = data, b""
            super().data_received(piece)
            if self.transport.is_closing() or self.transport.get_protocol() is not self:
                return
            if self._head_open:
                self._count(piece)

    def _count(self, piece: bytes) -> None:
        """Account for ``piece``, fed while a head is still open; refuse past a limit."""
        self._head_bytes += len(piece)
        end = piece.rfind(b"\n")
        if end < 0:
            self._line += len(piece)
        else:
            self._line = len(piece) - end - 1
            self._first_line = False
        if self._line > self.options.max_line:
            self._refuse(HTTPStatus.REQUEST_URI_TOO_LONG if self._first_line else _FIELDS_TOO_LARGE)
        elif self._head_bytes >= self.options.max_head:
            self._refuse(_FIELDS_TOO_LARGE)

    # -- parser callbacks ------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.options.max_line:
            self._stop(HTTPStatus.REQUEST_URI_TOO_LONG)

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(name) + len(value) > self.options.max_line:
            self._stop(_FIELDS_TOO_LARGE)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._head_bytes = self._line = 0
        self._first_line = True
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_open = True

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers any parser error with 400; one raised by _stop gets its own status.
        if self._refusal is not None:
            self._refuse(self._refusal)
        else:
            super().send_400_response(msg)

    def _stop(self, status: HTTPStatus) -> None:
        self._refusal = status
        raise _HeadTooLarge(status.phrase)

    # -- the head timer --------------------------------------------------------------------------

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.options.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm()  # a pipelined head waits behind a response still being written
            return
        if self._head_bytes:
            self._refuse(HTTPStatus.REQUEST_TIMEOUT)
        elif not self.transport.is_closing():
            self._refused = True
            self.transport.close()

    # -- refusing --------------------------------------------------------------------------------

    def _refuse(self, status: HTTPStatus) -> None:
        """Answer ``status`` with a short text body and close (lingering), once."""
        if self._refused:
            return
        self._refused = True
        self._disarm()
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head behind a response still being written: an answer now would
            # interleave with it, so the connection just ends (the app's writes are dropped).
            self.cycle.disconnected = True
            self.transport.close()
            return
        body = status.phrase.encode("ascii")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: text/plain; charset=utf-8\r\n")
        head.append(b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._head_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:  # TLS cannot half-close
            self.transport.close()


_FIELDS_TOO_LARGE = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE


def protocol_class(options: ServerOptions) -> type[LimitedHttpToolsProtocol]:
    """A :class:`LimitedHttpToolsProtocol` bound to ``options`` (uvicorn makes one per connection)."""
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"options": options})
