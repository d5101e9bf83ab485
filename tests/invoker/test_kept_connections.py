"""Kept connections: reused across warm invocations, and a server closing one never makes a create go twice.

A real HTTP/1.1 keep-alive server on a socket (the emulators answer every request, so they cannot close a
kept connection at the wrong moment) counts the requests it read on each connection. It can close a
connection right after answering (the pool must notice at checkout) or read a request and close without
answering: the race where the request was written to a connection the server had just dropped.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.invoker.conftest import FakeContext, FunctionContainer


@dataclass
class KeepAliveServer:
    """Answers ``{"ok": true}`` on kept connections; ``requests_per_connection`` lists what each one carried."""

    port: int = 0
    requests_per_connection: list[list[str]] = field(default_factory=list)
    #: the next request read is not answered: its connection is closed instead
    drop_next_unanswered: bool = False
    #: the next answer is followed by closing its connection (set ``closed`` when done)
    close_after_next_answer: bool = False
    closed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/data"

    def serve(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        with self.lock:
            seen: list[str] = []
            self.requests_per_connection.append(seen)
        while True:
            request_line = reader.readline()
            if not request_line:
                return
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            reader.read(length)
            with self.lock:
                seen.append(request_line.decode("latin-1").split(" ", 1)[0])
                drop, self.drop_next_unanswered = self.drop_next_unanswered, False
                close, self.close_after_next_answer = self.close_after_next_answer, False
            if drop:
                connection.shutdown(socket.SHUT_RDWR)
                return
            body = b'{"ok": true}'
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            if close:
                connection.shutdown(socket.SHUT_RDWR)
                self.closed.set()
                return


@pytest.fixture
def server() -> Iterator[KeepAliveServer]:
    state = KeepAliveServer()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            state.serve(self.request)

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as tcp:
        tcp.daemon_threads = True
        state.port = tcp.server_address[1]
        thread = threading.Thread(target=tcp.serve_forever, daemon=True)
        thread.start()
        yield state
        tcp.shutdown()


@pytest.fixture
def transport(container: FunctionContainer) -> Any:
    return container.modules["scv_invoker.transport"]


@pytest.fixture
def pool(container: FunctionContainer) -> Iterator[Any]:
    """The container's connections, made as the function makes them."""
    connections = container.modules["scv_invoker.connections"].ConnectionPool.from_environment()
    yield connections
    connections.close()


def call(transport: Any, pool: Any, server: KeepAliveServer, method: str, *, idempotent: bool) -> Any:
    request = transport.HttpRequest(method=method, url=server.url, operation="the test server", idempotent=idempotent)
    return transport.send(pool, request, transport.Budget(FakeContext(5000)))


def test_warm_calls_reuse_one_kept_connection(transport: Any, pool: Any, server: KeepAliveServer) -> None:
    for _ in range(3):
        assert call(transport, pool, server, "GET", idempotent=True).json() == {"ok": True}
    assert server.requests_per_connection == [["GET", "GET", "GET"]]


def test_connection_closed_between_calls_is_replaced_at_checkout(
    transport: Any, pool: Any, server: KeepAliveServer
) -> None:
    server.close_after_next_answer = True
    call(transport, pool, server, "POST", idempotent=False)
    assert server.closed.wait(5)
    assert call(transport, pool, server, "POST", idempotent=False).json() == {"ok": True}
    assert server.requests_per_connection == [["POST"], ["POST"]]


def test_idempotent_request_on_a_dropped_kept_connection_is_sent_again_on_a_new_one(
    transport: Any, pool: Any, server: KeepAliveServer
) -> None:
    call(transport, pool, server, "GET", idempotent=True)
    server.drop_next_unanswered = True
    retries: list[None] = []
    request = transport.HttpRequest(method="GET", url=server.url, operation="the test server", idempotent=True)
    answer = transport.send(pool, request, transport.Budget(FakeContext(5000)), on_retry=lambda: retries.append(None))
    assert answer.json() == {"ok": True}
    assert server.requests_per_connection == [["GET", "GET"], ["GET"]]
    assert retries == []  # not the one retry: the server never saw the dropped request through


def test_create_on_a_dropped_kept_connection_is_never_sent_twice(
    transport: Any, pool: Any, server: KeepAliveServer
) -> None:
    call(transport, pool, server, "GET", idempotent=True)
    server.drop_next_unanswered = True
    with pytest.raises(transport.SalesforceApiError) as raised:
        call(transport, pool, server, "POST", idempotent=False)
    assert raised.value.error_code == "CONNECTION_ERROR"
    assert "remote end closed connection" in str(raised.value)
    assert "it was not repeated, as it may have been processed" in str(raised.value)
    assert server.requests_per_connection == [["GET", "POST"]]
    assert call(transport, pool, server, "GET", idempotent=True).json() == {"ok": True}
    assert server.requests_per_connection == [["GET", "POST"], ["GET"]]
