"""A WSGI app served over real loopback HTTP/1.1 in a daemon thread, for every emulator here.

The code under test must talk to its doubles the way it talks to AWS and Salesforce: sockets, kept
connections (HTTP/1.1 keep-alive, :mod:`tools.emulators._http11`), optionally TLS, timeouts. So each
emulator is a WSGI app behind this threaded server on 127.0.0.1. What fault and connection tests rely on:

* ``stop()`` also cuts the connections clients keep open, so a stopped emulator is really unreachable: the
  next request fails with a connection error instead of being answered by a leftover handler thread.
* ``start()`` after ``stop()`` binds the same port again (and keeps the same TLS certificate), so a client
  configured with the old URL reconnects once the emulator is "back up".
* What happened on the wire is counted (:class:`ConnectionCounts`: TCP connections accepted, TLS handshakes
  completed), and the two things a kept connection can suffer are staged on demand: the server closing it
  while idle (:meth:`LoopbackServer.close_idle_connections`) and the race where a request arrives just as
  the server closes it (:meth:`LoopbackServer.drop_next_request_on_kept_connection`).
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.emulators._http11 import KeepAliveHandler, WsgiApp, cut
from tools.emulators.credentials import generate_tls_certificate

#: werkzeug's listen backlog, so a burst of connections (a benchmark's storm) is not refused
_LISTEN_BACKLOG = 128


@dataclass(frozen=True)
class ConnectionCounts:
    """What the server saw on the wire since it was made or its counts were reset."""

    tcp: int  # connections accepted
    tls: int  # TLS handshakes completed (0 without TLS)


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for handlers blocked on a client's kept connection
    allow_reuse_address = True
    request_queue_size = _LISTEN_BACKLOG


class _Tls:
    """A certificate made when the server is made (stable across restarts), and the PEM clients trust."""

    def __init__(self) -> None:
        pair = generate_tls_certificate()
        self._directory = tempfile.TemporaryDirectory(prefix="emulator-tls-")  # removed when collected or at exit
        self.ca_bundle_path = Path(self._directory.name) / "ca.pem"
        self.ca_bundle_path.write_text(pair.certificate_pem)
        key_path = Path(self._directory.name) / "key.pem"
        key_path.write_text(pair.private_key_pem)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.ca_bundle_path, key_path)


class LoopbackServer:
    """Serves one WSGI app on 127.0.0.1; port 0 on first start (the OS picks a free one).

    ``on_dropped`` receives the WSGI environ of each request dropped unanswered, for the emulator's log.
    """

    def __init__(
        self,
        app: WsgiApp,
        *,
        port: int = 0,
        tls: bool = False,
        on_dropped: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.app = app
        self.scheme = "https" if tls else "http"
        self._tls = _Tls() if tls else None
        self._on_dropped = on_dropped
        self._port = port
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connections: dict[KeepAliveHandler, _Kept] = {}
        self._counts = ConnectionCounts(tcp=0, tls=0)
        self._drop_next = False

    @property
    def port(self) -> int:
        """The bound port; stable across stop()/start() so clients keep their configured URL."""
        if not self._port:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ca_bundle_path(self) -> Path | None:
        """The PEM that verifies this server's certificate (SSL_CERT_FILE / REQUESTS_CA_BUNDLE); None without TLS."""
        return self._tls.ca_bundle_path if self._tls else None

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        # A handler class per server, so each reports to its own server.
        handler = type("Handler", (KeepAliveHandler,), {"events": self})
        server = _ThreadingServer(("127.0.0.1", self._port), handler)
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"loopback-{self._port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, and cut every open connection so clients see the server go away."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        thread.join(timeout=5)
        with self._lock:
            kept = list(self._connections.values())
        for connection in kept:
            cut(connection.socket)
        server.server_close()

    # -- what the tests see and stage ----------------------------------------------------------------------------

    def connection_counts(self) -> ConnectionCounts:
        with self._lock:
            return self._counts

    def reset_counts(self) -> None:
        """Zero the counts and disarm a staged drop; open connections stay open (a client may keep them)."""
        with self._lock:
            self._counts = ConnectionCounts(tcp=0, tls=0)
            self._drop_next = False

    def close_idle_connections(self) -> None:
        """Close every kept connection no request is on now, as a server does after its idle timeout.

        The close is sent before this returns, so the client's next request finds it closed and opens a new one.
        """
        with self._lock:
            kept = list(self._connections.values())
        for connection in kept:
            with connection.lock:  # waits for an answer being written: it is idle once written
                if connection.idle:
                    cut(connection.socket)

    def drop_next_request_on_kept_connection(self) -> None:
        """The next request that arrives on a reused connection is read, then the connection is closed unanswered."""
        with self._lock:
            self._drop_next = True

    # -- ConnectionEvents, called by each connection's handler -------------------------------------------------

    def opened(self, handler: KeepAliveHandler) -> bool:
        with self._lock:
            self._counts = ConnectionCounts(tcp=self._counts.tcp + 1, tls=self._counts.tls)
        if self._tls is not None:
            try:
                handler.request = self._tls.context.wrap_socket(handler.request, server_side=True)
            except (ssl.SSLError, OSError):
                return False  # e.g. a client that does not trust the certificate: no handshake completed
            with self._lock:
                self._counts = ConnectionCounts(tcp=self._counts.tcp, tls=self._counts.tls + 1)
        with self._lock:
            self._connections[handler] = _Kept(handler.request)
        return True

    def busy(self, handler: KeepAliveHandler) -> None:
        connection = self._kept(handler)
        with connection.lock:
            connection.idle = False

    def drop(self, handler: KeepAliveHandler, environ: dict[str, Any]) -> bool:
        with self._lock:
            dropped = self._drop_next and handler.served > 1
            self._drop_next = self._drop_next and not dropped
        if dropped and self._on_dropped is not None:
            self._on_dropped(environ)
        return dropped

    def send(self, handler: KeepAliveHandler, answer: bytes, *, keep: bool, seconds_per_byte: float = 0.0) -> None:
        connection = self._kept(handler)
        with connection.lock:
            connection.idle = keep  # before the last byte leaves, so a client that has its answer sees it idle
            pieces = [answer[i : i + 1] for i in range(len(answer))] if seconds_per_byte else [answer]
            for piece in pieces:
                handler.wfile.write(piece)
                handler.wfile.flush()
                if seconds_per_byte:
                    time.sleep(seconds_per_byte)  # ends when the client, past its deadline, closes (OSError)

    def closed(self, handler: KeepAliveHandler) -> None:
        with self._lock:
            self._connections.pop(handler, None)

    def _kept(self, handler: KeepAliveHandler) -> _Kept:
        with self._lock:
            return self._connections[handler]


class _Kept:
    """One open connection: its socket, and whether a request is on it (guarded by its own lock)."""

    def __init__(self, connection: socket.socket) -> None:
        self.socket = connection
        self.lock = threading.Lock()
        self.idle = True
