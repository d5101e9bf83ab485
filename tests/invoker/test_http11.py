"""The invoker's HTTP/1.1 (connections.py) against scripted answers: each test writes the server's bytes itself.

The emulators always answer with a Content-Length; real servers do not. Salesforce sends chunked answers,
proxies send interim answers and fold lines, and a broken peer sends anything. These tests hold the framing of
RFC 9112 to such bytes: what the body is, whether the connection is kept for the next request, and which error a
broken answer raises (a clear one, within the deadline, never a hang).
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.invoker.conftest import FunctionContainer

OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


class ScriptedServer:
    """Answers each request with the next scripted bytes (closing the connection after those marked so), and
    records the requests and how many connections were opened."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._script: list[tuple[bytes | None, bool]] = []
        self.requests: list[bytes] = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def answer(self, data: bytes | None, *, then_close: bool = False) -> None:
        """The next answer; None closes the connection without one."""
        self._script.append((data, then_close))

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            pending = b""
            while True:
                while b"\r\n\r\n" not in pending:
                    received = connection.recv(65536)
                    if not received:
                        return
                    pending += received
                head, _, pending = pending.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(pending) < length:
                    pending += connection.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + pending[:length])
                pending = pending[length:]
                data, then_close = self._script.pop(0)
                if data is None:
                    return
                connection.sendall(data)
                if then_close:
                    return


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


@pytest.fixture
def connections(container: FunctionContainer) -> Any:
    return container.modules["scv_invoker.connections"]


@pytest.fixture
def pool(connections: Any) -> Iterator[Any]:
    kept = connections.ConnectionPool()
    yield kept
    kept.close()


def request(pool: Any, url: str, method: str = "GET", **fields: Any) -> Any:
    arguments = {"headers": {}, "body": None, "connect_timeout": 2.0, "timeout": 2.0, **fields}
    return pool.request(method, url, **arguments)


def test_a_chunked_answer_is_joined_and_its_connection_kept(server: ScriptedServer, pool: Any) -> None:
    chunked = (
        OK_HEAD
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + b'5;name=value\r\n{"a":\r\n3\r\n 1}\r\n0\r\nTrailer: x\r\n\r\n'
    )
    server.answer(chunked)
    server.answer(OK_HEAD + b"Content-Length: 2\r\n\r\n{}")
    assert request(pool, server.url + "/first").json() == {"a": 1}
    assert request(pool, server.url + "/second").content == b"{}"
    assert server.connections == 1


def test_a_chunked_gzip_answer_is_decoded(server: ScriptedServer, pool: Any) -> None:
    body = gzip.compress(b'{"records": []}')
    server.answer(
        OK_HEAD
        + b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{len(body) - 4:x}\r\n".encode()
        + body[:-4]
        + b"\r\n4\r\n"
        + body[-4:]
        + b"\r\n0\r\n\r\n"
    )
    assert request(pool, server.url).json() == {"records": []}


def test_interim_answers_are_read_past(server: ScriptedServer, pool: Any) -> None:
    server.answer(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        + OK_HEAD
        + b"Content-Length: 2\r\n\r\n[]"
    )
    answer = request(pool, server.url, "POST", body=b"{}")
    assert (answer.status_code, answer.content, answer.headers.get("Link")) == (200, b"[]", None)


def test_header_fields_are_read_case_insensitively_folded_and_joined(server: ScriptedServer, pool: Any) -> None:
    server.answer(
        b"HTTP/1.1 201 Created\r\nSforce-Limit-Info: api-usage=1/15000\r\nX-Note: one\r\n two\r\nVary: a\r\nvary: b\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    answer = request(pool, server.url)
    assert (answer.status_code, answer.reason) == (201, "Created")
    assert answer.headers.get("sforce-limit-info") == answer.headers["SFORCE-LIMIT-INFO"] == "api-usage=1/15000"
    assert (answer.headers.get("X-Note"), answer.headers.get("Vary")) == ("one two", "a, b")
    assert "Content-Length" in answer.headers and answer.headers.get("Retry-After") is None


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        (OK_HEAD + b"Content-Length: 2\r\n\r\n{}", True),
        (OK_HEAD + b"Connection: close\r\nContent-Length: 2\r\n\r\n{}", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}", False),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}", True),
        (OK_HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n", False),
        (OK_HEAD + b"Content-Length: 2\r\n\r\n{}unasked", False),
    ],
    ids=["length", "close", "http-1.0", "http-1.0-keep-alive", "both-framings", "bytes-nobody-asked-for"],
)
def test_the_connection_is_kept_only_when_the_answer_allows_it(
    server: ScriptedServer, pool: Any, answer: bytes, kept: bool
) -> None:
    server.answer(answer)
    server.answer(OK_HEAD + b"Content-Length: 2\r\n\r\n[]")
    assert request(pool, server.url).content == b"{}"
    assert request(pool, server.url).content == b"[]"
    assert server.connections == (1 if kept else 2)


def test_an_answer_without_framing_runs_until_the_server_closes(server: ScriptedServer, pool: Any) -> None:
    server.answer(OK_HEAD + b"\r\n" + b"x" * 200_000, then_close=True)
    server.answer(OK_HEAD + b"Content-Length: 2\r\n\r\n[]")
    assert request(pool, server.url).content == b"x" * 200_000
    assert request(pool, server.url).content == b"[]"
    assert server.connections == 2


@pytest.mark.parametrize(("method", "status"), [("HEAD", 200), ("GET", 204), ("GET", 304)])
def test_answers_without_a_body_do_not_wait_for_one(
    server: ScriptedServer, pool: Any, method: str, status: int
) -> None:
    server.answer(f"HTTP/1.1 {status} X\r\nContent-Length: 10\r\n\r\n".encode())
    server.answer(OK_HEAD + b"Content-Length: 2\r\n\r\n[]")
    assert request(pool, server.url, method).content == b""
    assert request(pool, server.url).content == b"[]"
    assert server.connections == 1


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "status line"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "not a header field"),
        (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", "longer than 65536 bytes"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", "more than 100 header fields"),
        (OK_HEAD + b"Content-Length: 2, 2\r\n\r\n{}", "Content-Length"),
        (OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", "not hexadecimal"),
        (OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n", "longer than its size"),
        (OK_HEAD + b"Content-Length: 10\r\n\r\n{}", "closed before the whole answer"),
        (OK_HEAD + b"Content-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", "does not decompress"),
    ],
    ids=[
        "not-http",
        "status-code",
        "header-line",
        "long-line",
        "many-fields",
        "length",
        "chunk-size",
        "chunk-data",
        "short-body",
        "encoding",
    ],  # fmt: skip
)
def test_a_broken_answer_is_a_clear_error_and_its_connection_closed(
    server: ScriptedServer, pool: Any, connections: Any, answer: bytes, says: str
) -> None:
    server.answer(answer, then_close=True)
    server.answer(OK_HEAD + b"Content-Length: 2\r\n\r\n[]")
    with pytest.raises(connections.BrokenAnswer, match=says):
        request(pool, server.url)
    assert request(pool, server.url).content == b"[]"
    assert server.connections == 2


def test_no_answer_on_a_new_connection_is_a_reset_and_on_a_kept_one_a_drop(
    server: ScriptedServer, pool: Any, connections: Any
) -> None:
    server.answer(None)
    with pytest.raises(ConnectionResetError, match=connections.REMOTE_CLOSED):
        request(pool, server.url)
    server.answer(OK_HEAD + b"Content-Length: 2\r\n\r\n[]")
    server.answer(None)
    request(pool, server.url)
    with pytest.raises(connections.Dropped):
        request(pool, server.url)


def test_a_server_that_never_finishes_its_answer_times_out_at_the_deadline(server: ScriptedServer, pool: Any) -> None:
    server.answer(OK_HEAD + b"Content-Length: 10\r\n\r\n{")
    with pytest.raises(TimeoutError):
        request(pool, server.url, timeout=0.3)


def test_the_request_names_its_host_and_length_once(server: ScriptedServer, pool: Any) -> None:
    for _ in range(3):
        server.answer(OK_HEAD + b"Content-Length: 0\r\n\r\n")
    port = server.url.rsplit(":", 1)[1]
    request(pool, server.url + "/services/data?q=1", "POST")
    request(pool, server.url + "/", "PATCH", headers={"host": "signed.example"}, body=b"{}")
    request(pool, server.url + "/")
    posted, patched, got = (message.split(b"\r\n") for message in server.requests)
    assert posted[0] == b"POST /services/data?q=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{port}".encode() in posted and b"Content-Length: 0" in posted
    assert [line for line in patched if line.lower().startswith(b"host:")] == [b"host: signed.example"]
    assert b"Content-Length: 2" in patched and patched[-1] == b"{}"
    assert not [line for line in got if line.lower().startswith(b"content-length")]


@pytest.mark.parametrize(
    ("url_tail", "headers"),
    [
        ("/a b", {}),
        ("/caf\u00e9", {}),
        ("/", {"X-Contact": "1\r\nX-Injected: yes"}),
        ("/", {"X-Name\n": "1"}),
        ("/", {"X-Name": "\u5c71\u7530"}),
    ],
    ids=["space", "non-ascii-target", "value-line-break", "name-line-break", "non-latin-1-value"],
)
def test_a_request_that_would_be_split_or_misread_is_refused_before_connecting(
    server: ScriptedServer, pool: Any, connections: Any, url_tail: str, headers: dict[str, str]
) -> None:
    with pytest.raises(connections.InvalidRequest):
        request(pool, server.url + url_tail, headers=headers)
    assert server.connections == 0


def test_the_host_header_brackets_ipv6_and_names_only_other_ports(connections: Any) -> None:
    assert connections.host_header("https", "example.my.salesforce.com", 443) == "example.my.salesforce.com"
    assert connections.host_header("http", "localhost", 2773) == "localhost:2773"
    assert connections.host_header("https", "::1", 8443) == "[::1]:8443"
