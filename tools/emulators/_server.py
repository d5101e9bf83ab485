"""A WSGI app served over real loopback HTTP in a daemon thread, for every emulator here.

The code under test must talk to its doubles the way it talks to AWS and Salesforce: sockets, HTTP/1.1
keep-alive, timeouts. So each emulator is a WSGI app behind werkzeug's threaded server on
127.0.0.1. Two details matter for fault tests:

* ``stop()`` also closes connections that clients hold open (keep-alive), so a stopped emulator is
  really unreachable: the next request fails with a connection error instead of being answered by a
  leftover handler thread.
* ``start()`` after ``stop()`` binds the same port again, so a client configured with the old URL
  reconnects once the emulator is "back up".
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """Request handler that tracks its connection and does not print an access log line per request.

    The emulators log requests themselves, in a form that says what happened (and only when asked).
    """

    def setup(self) -> None:
        super().setup()
        connections: set[socket.socket] = self.server.open_connections  # type: ignore[attr-defined]
        connections.add(self.connection)

    def finish(self) -> None:
        connections: set[socket.socket] = self.server.open_connections  # type: ignore[attr-defined]
        connections.discard(self.connection)
        super().finish()

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class LoopbackServer:
    """Serves one WSGI app on 127.0.0.1; port 0 on first start (the OS picks a free one)."""

    def __init__(self, app: Any, *, port: int = 0) -> None:
        self._app = app
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port; stable across stop()/start() so clients keep their configured URL."""
        if not self._port:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        # A fresh handler class per server: werkzeug sets protocol_version (HTTP/1.1 for threaded
        # servers) on the class it is given, and the connection set must not be shared.
        handler = type("Handler", (_QuietHandler,), {})
        server = make_server("127.0.0.1", self._port, self._app, threaded=True, request_handler=handler)
        server.open_connections = set()  # type: ignore[attr-defined]
        self._port = server.server_port
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
        for connection in list(server.open_connections):  # type: ignore[attr-defined]
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the peer already closed it
        server.server_close()
