"""Kept HTTP/1.1 connections, one per origin, written on the standard library's socket and ssl.

Why not urllib3: on the cached-token cold path its import was most of the handler's, several times what
http.client and ssl cost (which urllib3 imports too), and a cold start pays it at every memory size (issue #17).
Why not http.client either: it imports the email package to read header fields, which was about a fifth of the
handler's import, and Lambda's CPU share at the cheapest memory sizes turns every instruction of a cold start into
time a caller waits (issue #30; benchmarks/RESULTS.md has the figures). What the invoker needs of HTTP/1.1 is
small and is all here: one kept connection per origin (calls within one invocation are sequential), verified TLS,
a request written whole, an answer framed as RFC 9112 §6.3 says (Content-Length, chunked, or until the server
closes), a connection the server closed while idle noticed before it is used, gzip/deflate answers decoded, and
one deadline for the whole request (a per-read socket timeout would let a server trickling its answer overrun any
budget). tests/invoker/test_http11.py holds the framing to scripted answers, byte for byte.

Connection errors are the standard library's own: OSError for refused, reset, unresolvable and TLS failures,
TimeoutError for timeouts. An answer that is not HTTP/1.1, or passes a limit below, is :class:`BrokenAnswer`; a
request this client will not write is :class:`InvalidRequest` (both OSError, so callers need one ``except``).
transport.py turns them into the invoker's errors; :class:`Dropped` marks a kept connection closed under a request.
"""

import functools
import json
import os
import select
import socket
import ssl
import time
import zlib
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

USER_AGENT = "scv-salesforce-rest-api-invoker/1"
#: the environment variables naming another trust store (PEM), first set wins; else certifi's bundle
CA_BUNDLE_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
#: the environment variable naming another trust store as a directory indexed by OpenSSL's subject hash
CA_DIRECTORY_VARIABLE = "SSL_CERT_DIR"
#: certifi's roots, one file per certificate named by its subject hash (infra/bundling.py writes it into the bundle):
#: OpenSSL reads only the roots a handshake needs, where loading certifi's whole bundle parses every one of them
#: (most of a cold start's CPU after the imports; benchmarks/RESULTS.md)
BUNDLED_TRUST_STORE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "trust_store")
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
#: the longest line of an answer's head, and the most header fields, read before giving up (http.client's limits)
MAX_LINE_BYTES = 65536
MAX_HEADER_FIELDS = 100
#: what one receive asks the socket for
_RECEIVE_BYTES = 65536
#: zlib's window bits that accept a gzip or a zlib header
_GZIP_OR_ZLIB = 32 + zlib.MAX_WBITS
_DEFAULT_PORTS = {"https": 443, "http": 80}
#: methods whose request states its length even without a body (RFC 9110 §8.6, as http.client does)
_METHODS_WITH_CONTENT = frozenset({"POST", "PUT", "PATCH"})
#: answers that never have a body (RFC 9110 §6.4.1); a 1xx is an interim answer, read past
_STATUSES_WITHOUT_CONTENT = frozenset({204, 304})
_END_OF_HEAD = (b"\r\n", b"\n")
_HEX_DIGITS = b"0123456789abcdefABCDEF"
#: http.client's wording, which transport.py's failure reasons recognise
REMOTE_CLOSED = "Remote end closed connection without response"


class ConnectTimeout(TimeoutError):
    """No connection (TCP and TLS) within the connect timeout."""


class Dropped(ConnectionError):
    """A kept connection was closed after the request was written, without an answer: it may have been read."""


class BrokenAnswer(OSError):
    """What came back is not an HTTP/1.1 answer, or passes a limit: the connection is closed."""


class UndecodableBody(BrokenAnswer):
    """The answer said gzip or deflate, but its body is not."""


class InvalidRequest(OSError):
    """A request this client will not write: an unsupported scheme, or a line break where one would split it."""


class Headers(dict[str, str]):
    """An answer's header fields by lower-cased name, read case-insensitively with ``get`` or ``[]``; a field sent
    more than once holds its values joined by ", " (RFC 9110 §5.3)."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


class HttpResponse(NamedTuple):
    """An answer read whole, its body decoded, so its connection is free again before anyone looks at it."""

    status_code: int
    reason: str
    headers: Mapping[str, str]  # read with ``get``: case-insensitive on an answer (:class:`Headers`)
    content: bytes

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


Origin = tuple[str, str, int]


class ConnectionPool:
    """The container's connections: warm invocations reuse them, so only the first call pays TCP and TLS."""

    def __init__(self, ca_file: str | None = None, ca_directory: str | None = None) -> None:
        self._ca_file = ca_file
        self._ca_directory = ca_directory
        self._tls: ssl.SSLContext | None = None
        self._kept: dict[Origin, socket.socket] = {}

    @classmethod
    def from_environment(cls) -> "ConnectionPool":
        """Verified TLS against the PEM file named by the first of CA_BUNDLE_VARIABLES that is set (e.g. a test's
        self-signed emulator), else the directory CA_DIRECTORY_VARIABLE names, else the bundle's indexed trust store,
        else (sources run outside a bundle) certifi's bundle."""
        ca_file = next((os.environ[name] for name in CA_BUNDLE_VARIABLES if os.environ.get(name)), None)
        return cls.trusting(ca_file, os.environ.get(CA_DIRECTORY_VARIABLE))

    @classmethod
    def trusting(cls, ca_file: str | None, ca_directory: str | None = None) -> "ConnectionPool":
        """Verified TLS against the PEM file ``ca_file``, else the indexed directory ``ca_directory``, else the
        bundle's indexed trust store, else (sources run outside a bundle) certifi's bundle."""
        if ca_file:
            return cls(ca_file)
        bundled = BUNDLED_TRUST_STORE if os.path.isdir(BUNDLED_TRUST_STORE) else None
        return cls(None, ca_directory or bundled)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        connect_timeout: float,
        timeout: float,
    ) -> HttpResponse:
        """One request, no redirects followed, over within ``timeout`` seconds from now (connecting at most
        ``connect_timeout`` of them) however the server paces its bytes. Raises InvalidRequest (before connecting),
        ConnectTimeout, TimeoutError (no whole answer in time), Dropped, BrokenAnswer or another OSError; the
        connection is closed after any."""
        deadline = time.monotonic() + timeout
        parts = urlsplit(url)
        origin = _origin(parts.scheme, parts.netloc)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        message = _request_head(method, target, origin, headers, body) + (body or b"")
        connection, kept = self._checkout(origin, min(connect_timeout, timeout))
        try:
            connection.settimeout(_time_left(deadline))  # sending: sendall's timeout is its whole duration
            connection.sendall(message)
            response, closes = _read_answer(_AnswerReader(connection, deadline), method)
        except (BrokenPipeError, ConnectionResetError) as error:
            self._discard(origin)
            if kept:
                raise Dropped(str(error)) from error
            raise
        except BaseException:
            self._discard(origin)
            raise
        if closes:
            self._discard(origin)
        return response

    def close(self) -> None:
        for origin in list(self._kept):
            self._discard(origin)

    def _checkout(self, origin: Origin, connect_timeout: float) -> tuple[socket.socket, bool]:
        """The origin's kept connection when the server has not closed it meanwhile, else a new one."""
        connection = self._kept.get(origin)
        if connection is not None and not _closed_by_peer(connection):
            return connection, True
        self._discard(origin)
        connection = self._connect(origin, connect_timeout)
        self._kept[origin] = connection
        return connection, False

    def _connect(self, origin: Origin, connect_timeout: float) -> socket.socket:
        """TCP, and TLS for https, each step within ``connect_timeout``."""
        scheme, host, port = origin
        if scheme not in _DEFAULT_PORTS:
            raise InvalidRequest(f"unsupported URL scheme {scheme!r}: use https")
        wire_host = _wire_host(host)
        try:
            # typeshed says str; getaddrinfo takes bytes as well (socketmodule.c), and skips the IDNA codec for them
            connection = socket.create_connection((wire_host, port), timeout=connect_timeout)  # type: ignore[arg-type]
        except TimeoutError as error:
            raise ConnectTimeout(str(error)) from error
        try:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                connection = self._context().wrap_socket(connection, server_hostname=wire_host)
        except TimeoutError as error:
            connection.close()
            raise ConnectTimeout(str(error)) from error
        except BaseException:
            connection.close()
            raise
        return connection

    def _context(self) -> ssl.SSLContext:
        """Made at the first TLS connection (a plain-HTTP call never reads a trust store); it verifies the chain and
        the host name."""
        if self._tls is None:
            ca_file = self._ca_file
            if ca_file is None and self._ca_directory is None:
                import certifi

                ca_file = certifi.where()
            self._tls = ssl.create_default_context(cafile=ca_file, capath=self._ca_directory)
        return self._tls

    def _discard(self, origin: Origin) -> None:
        connection = self._kept.pop(origin, None)
        if connection is not None:
            connection.close()


def host_header(scheme: str, host: str, port: int | None) -> str:
    """The Host field for ``host``: the port only when it is not the scheme's default, an IPv6 address bracketed."""
    name = f"[{host}]" if ":" in host else host
    return name if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{name}:{port}"


def _wire_host(host: str) -> bytes:
    """The host name as DNS and TLS's SNI read it. Given as bytes, neither the socket nor the ssl module encodes it
    again with the IDNA codec, whose import would weigh on every first call (an ASCII name is its own IDNA form)."""
    return host.encode("ascii") if host.isascii() else host.encode("idna")


def _request_head(method: str, target: str, origin: Origin, headers: Mapping[str, str], body: bytes | None) -> bytes:
    """The request line and header fields (RFC 9112 §3, §5): Host unless given (a signed request brings its own),
    the default fields under the given ones, and the length of any content."""
    fields = {**DEFAULT_HEADERS, **headers}
    names = {name.lower() for name in fields}
    if "host" not in names:
        fields = {"Host": host_header(*origin), **fields}
    if "content-length" not in names and (body is not None or method in _METHODS_WITH_CONTENT):
        fields["Content-Length"] = str(len(body or b""))
    if not target.isascii() or any(character in target for character in " \r\n\0"):
        raise InvalidRequest("a request target with spaces, line breaks or non-ASCII characters: quote it")
    for name, value in fields.items():
        if any(character in f"{name}{value}" for character in "\r\n\0"):
            raise InvalidRequest(f"a line break in the request's {name.lower()} field would split the request")
    lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in fields.items())]
    try:
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidRequest("a header field with characters outside ISO-8859-1: encode it first") from None


def _time_left(deadline: float) -> float:
    """Seconds until ``deadline``; TimeoutError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the answer did not arrive whole before the request's deadline")
    return left


class _AnswerReader:
    """The socket as an answer is read from it, each receive allowed only the time left until the request's
    deadline: a per-read timeout would let a server that sends a byte at a time keep the call alive past any
    budget."""

    def __init__(self, connection: socket.socket, deadline: float) -> None:
        self._connection = connection
        self._deadline = deadline
        self._buffer = bytearray()
        self._received = 0

    @property
    def leftover(self) -> bool:
        """Bytes arrived after the answer: the server is no longer in step with the requests."""
        return bool(self._buffer)

    def line(self) -> bytes:
        """The next line, its line break included."""
        searched = 0
        while (end := self._buffer.find(b"\n", searched)) < 0:
            if len(self._buffer) > MAX_LINE_BYTES:
                raise BrokenAnswer(f"a line of the answer's head is longer than {MAX_LINE_BYTES} bytes")
            searched = len(self._buffer)
            self._receive_more()
        if end >= MAX_LINE_BYTES:
            raise BrokenAnswer(f"a line of the answer's head is longer than {MAX_LINE_BYTES} bytes")
        return self._take(end + 1)

    def exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._receive_more()
        return self._take(size)

    def until_closed(self) -> bytes:
        while self._receive():
            pass
        return self._take(len(self._buffer))

    def _take(self, size: int) -> bytes:
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken

    def _receive(self) -> bool:
        """Whatever the server has sent, waiting at most until the deadline; False when it has closed."""
        self._connection.settimeout(_time_left(self._deadline))
        received = self._connection.recv(_RECEIVE_BYTES)
        self._buffer += received
        self._received += len(received)
        return bool(received)

    def _receive_more(self) -> None:
        if not self._receive():
            if not self._received:
                raise ConnectionResetError(REMOTE_CLOSED)
            raise BrokenAnswer("the connection closed before the whole answer arrived")


def _read_answer(reader: _AnswerReader, method: str) -> tuple[HttpResponse, bool]:
    """The final answer to the request written, read whole, and whether its connection ends with it."""
    version, status, reason = _status_line(reader.line())
    headers = _header_fields(reader)
    while 100 <= status < 200:  # interim answers (100 Continue, 103 Early Hints) come before the final one
        version, status, reason = _status_line(reader.line())
        headers = _header_fields(reader)
    connection = {token.strip().lower() for token in headers.get("Connection", "").split(",")}
    closes = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
    transfer_coding = headers.get("Transfer-Encoding")
    if method == "HEAD" or status in _STATUSES_WITHOUT_CONTENT:
        content = b""
    elif transfer_coding is not None:
        if transfer_coding.rsplit(",", 1)[-1].strip().lower() == "chunked":
            content = _chunked(reader)
        else:  # RFC 9112 §6.3: any other final coding runs until the server closes
            content, closes = reader.until_closed(), True
        closes = closes or "Content-Length" in headers  # both framings: one was not meant (request smuggling)
    elif "Content-Length" in headers:
        content = reader.exactly(_content_length(headers["Content-Length"]))
    else:
        content, closes = reader.until_closed(), True
    encoding = (headers.get("Content-Encoding") or "").strip().lower()
    return HttpResponse(status, reason, headers, _decoded(content, encoding)), closes or reader.leftover


def _status_line(line: bytes) -> tuple[str, int, str]:
    version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not (code.isascii() and code.isdigit()):
        raise BrokenAnswer("the answer does not start with an HTTP/1.1 status line")
    return version, int(code), reason.strip()


def _header_fields(reader: _AnswerReader) -> Headers:
    """Fields up to the empty line; an obsolete folded line continues the field before it (RFC 9112 §5.2)."""
    headers = Headers()
    name = ""
    for _ in range(MAX_HEADER_FIELDS + 1):
        line = reader.line()
        if line in _END_OF_HEAD:
            return headers
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and name:
            headers[name] = f"{headers[name]} {text.strip()}"
            continue
        field, colon, value = text.partition(":")
        if not colon or not field or field != field.strip():
            raise BrokenAnswer("a line of the answer's head is not a header field (name: value)")
        name = field.lower()
        value = value.strip()
        headers[name] = value if name not in headers else f"{headers[name]}, {value}"
    raise BrokenAnswer(f"the answer has more than {MAX_HEADER_FIELDS} header fields")


def _chunked(reader: _AnswerReader) -> bytes:
    """A chunked body (RFC 9112 §7.1): chunks until the one of size 0, then trailer fields, read and ignored."""
    chunks = []
    while size := _chunk_size(reader.line()):
        chunks.append(reader.exactly(size))
        if reader.line() not in _END_OF_HEAD:
            raise BrokenAnswer("a chunk is longer than its size line says")
    _header_fields(reader)
    return b"".join(chunks)


def _chunk_size(line: bytes) -> int:
    digits = line.split(b";", 1)[0].strip()  # after ";" come chunk extensions, which mean nothing here
    if not digits or digits.translate(None, _HEX_DIGITS):
        raise BrokenAnswer("a chunk size line that is not hexadecimal")
    return int(digits, 16)


def _content_length(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise BrokenAnswer("a Content-Length that is not one number")
    return int(value)


@functools.lru_cache(maxsize=16)
def _origin(scheme: str, netloc: str) -> Origin:
    """(scheme, host, port) of a URL's netloc: a container talks to a few origins, so each is parsed once."""
    parts = urlsplit(f"{scheme}://{netloc}")
    return scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(scheme, 0)


def _closed_by_peer(connection: socket.socket) -> bool:
    """An idle kept connection that is readable has been closed by the server (or sent what was never asked)."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _decoded(content: bytes, encoding: str) -> bytes:
    """The body as sent before compression; what we asked for in Accept-Encoding."""
    try:
        if encoding == "gzip" or (encoding == "deflate" and content[:1] == b"\x78"):
            return zlib.decompress(content, _GZIP_OR_ZLIB)
        if encoding == "deflate":  # raw deflate, as some servers send it
            return zlib.decompress(content, -zlib.MAX_WBITS)
    except zlib.error as error:
        raise UndecodableBody(f"a {encoding} answer that does not decompress ({error})") from None
    return content
