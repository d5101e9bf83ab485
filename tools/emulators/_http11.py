"""HTTP/1.1 with kept connections in front of a WSGI app: the request handler of every loopback server.

Why not werkzeug's development server: it answers ``Connection: close`` on every response, so a client's
connection pool is never used and keep-alive (what a warm Lambda saves on each call to Salesforce) cannot be
seen, counted or broken. This handler reads each request whole (``Content-Length`` or chunked), buffers the
app's answer and sends it with a ``Content-Length`` (chunked when the app left the length unsaid, as the
Salesforce emulator does for a compressed answer), then waits on the same connection for the next request
until the client closes it or the server cuts it.

What happens on the connection is told to a :class:`ConnectionEvents` (the server's bookkeeping), which
also decides whether a request on a kept connection is dropped unanswered.
"""

from __future__ import annotations

import io
import socket
import sys
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
_NO_BODY_STATUSES = {204, 304}
#: the size of each chunk of a streamed answer
CHUNK_BYTES = 1024
#: the environ key an app sets to have its answer sent one byte at a time, this many seconds apart (a trickling
#: server: every read gets a byte in time, the whole answer takes long)
TRICKLE_ENVIRON_KEY = "emulator.seconds_per_byte"


class ConnectionEvents(Protocol):
    """What the server keeps track of, told by the handler of each connection."""

    app: WsgiApp
    scheme: str

    def opened(self, handler: KeepAliveHandler) -> bool:
        """A new connection (TLS already wrapped by the server); False when it is not to be served."""
        ...

    def busy(self, handler: KeepAliveHandler) -> None:
        """A request started arriving: the connection is no longer idle."""
        ...

    def drop(self, handler: KeepAliveHandler, environ: dict[str, Any]) -> bool:
        """True when this request, the connection's ``handler.served + 1``-th, goes unanswered."""
        ...

    def send(self, handler: KeepAliveHandler, answer: bytes, *, keep: bool, seconds_per_byte: float = 0.0) -> None:
        """Write the answer (a byte at a time, ``seconds_per_byte`` apart, when given); with ``keep`` the
        connection counts as idle from then on."""
        ...

    def closed(self, handler: KeepAliveHandler) -> None: ...


class KeepAliveHandler(BaseHTTPRequestHandler):
    """One connection: requests answered in turn until either side closes it."""

    protocol_version = "HTTP/1.1"
    events: ConnectionEvents  # set on the per-server subclass
    served = 0  # requests answered (or dropped) on this connection so far

    def setup(self) -> None:
        self.served = 0
        self.usable = self.events.opened(self)
        super().setup()

    def handle(self) -> None:
        if self.usable:
            super().handle()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the peer or the server already cut the connection
        self.events.closed(self)
        self.request.close()  # the TLS socket, which socketserver does not know of (it closes the raw one)

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except OSError:
            self.raw_requestline = b""
        if not self.raw_requestline:
            self.close_connection = True
            return
        self.events.busy(self)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return  # parse_request answered the error itself
        body = self._read_body()
        if body is None:
            self.send_error(400, "Bad request body")
            self.close_connection = True
            return
        environ = self._environ(body)
        self.served += 1
        if self.events.drop(self, environ):
            self.close_connection = True  # read, never answered: the server closes the connection now
            return
        answer = self._answer(environ)
        try:
            pace = float(environ.get(TRICKLE_ENVIRON_KEY) or 0.0)
            self.events.send(self, answer, keep=not self.close_connection, seconds_per_byte=pace)
        except OSError:
            self.close_connection = True  # the client gave up waiting (a hang fault) or the server cut it

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the emulators log requests themselves, in a form that says what happened."""

    def _read_body(self) -> bytes | None:
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self._read_chunks()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        except (ValueError, OSError):
            return None

    def _read_chunks(self) -> bytes:
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0].strip(), 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(chunks)

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.events.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name in set(self.headers.keys()):
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = ",".join(self.headers.get_all(name, []))
        return environ

    def _answer(self, environ: dict[str, Any]) -> bytes:
        """The app's whole response as bytes on the wire: framed by Content-Length, or chunked when the app left
        its length unsaid (HTTP/1.1 only)."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            started[:] = [status, headers]
            return lambda data: chunks.append(data)

        chunks: list[bytes] = []
        result = self.events.app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        body = b"".join(chunks)
        code = int(status.split(" ", 1)[0])
        lines = [f"{self.protocol_version} {status}", f"Date: {self.date_time_string()}"]
        lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _HOP_BY_HOP]
        if code in _NO_BODY_STATUSES:
            body = b""
        elif self.command == "HEAD":
            length = next((value for name, value in headers if name.lower() == "content-length"), "0")
            lines.append(f"Content-Length: {length}")
            body = b""
        elif self.request_version != "HTTP/1.0" and not any(name.lower() == "content-length" for name, _ in headers):
            lines.append("Transfer-Encoding: chunked")  # an app that does not say its length streams its answer
            body = _chunked(body)
        else:
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _chunked(body: bytes) -> bytes:
    """``body`` in chunks of CHUNK_BYTES (RFC 9112 §7.1), so a client reads more than one chunk of a longer answer."""
    pieces = [body[start : start + CHUNK_BYTES] for start in range(0, len(body), CHUNK_BYTES)]
    return b"".join(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" for piece in pieces) + b"0\r\n\r\n"


def cut(connection: socket.socket) -> None:
    """Shut a connection down both ways, TLS or not, while its handler thread may be blocked reading it.

    ``socket.socket.shutdown`` is called unbound on purpose: ``SSLSocket.shutdown`` would first drop the TLS
    state the handler's blocked read is still using. The handler then reads end of file and ends.
    """
    try:
        socket.socket.shutdown(connection, socket.SHUT_RDWR)
    except OSError:
        pass  # the peer already closed it
