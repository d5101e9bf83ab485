"""Kept HTTP/1.1 connections, one per origin, on the standard library's http.client.

Why not urllib3: on the cached-token cold path its import was most of the handler's, several times what
http.client and ssl cost (which urllib3 imports too), and a cold start pays it at every memory size (issue #17;
benchmarks/RESULTS.md has the figures). What the invoker needed from urllib3 is small and is all here: one kept
connection per origin (calls within one invocation are sequential), verified TLS, a connection the server
closed while idle noticed before it is used, gzip/deflate answers decoded, and one deadline for the whole request
(http.client's socket timeout is per read: a server trickling its answer would overrun any budget).

Connection errors are the standard library's own: OSError for refused, reset, unresolvable and TLS failures,
TimeoutError for timeouts, http.client.HTTPException for a broken answer. transport.py turns them into the
invoker's errors; :class:`Dropped` marks a kept connection that was closed under a request.
"""

import functools
import http.client
import io
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
#: zlib's window bits that accept a gzip or a zlib header
_GZIP_OR_ZLIB = 32 + zlib.MAX_WBITS


class ConnectTimeout(TimeoutError):
    """No connection (TCP and TLS) within the connect timeout."""


class Dropped(ConnectionError):
    """A kept connection was closed after the request was written, without an answer: it may have been read."""


class HttpResponse(NamedTuple):
    """An answer read whole, its body decoded, so its connection is free again before anyone looks at it."""

    status_code: int
    reason: str
    headers: http.client.HTTPMessage | Mapping[str, str]  # read with ``get``: case-insensitive on an answer
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
        self._kept: dict[Origin, http.client.HTTPConnection] = {}

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
        ``connect_timeout`` of them) however the server paces its bytes. Raises ConnectTimeout, TimeoutError (no
        whole answer in time), Dropped, OSError or http.client.HTTPException; the connection is closed after any."""
        deadline = time.monotonic() + timeout
        parts = urlsplit(url)
        origin = _origin(parts.scheme, parts.netloc)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection, kept = self._checkout(origin, min(connect_timeout, timeout))
        try:
            assert connection.sock is not None
            connection.sock.settimeout(_time_left(deadline))  # sending: sendall's timeout is its whole duration
            connection.response_class = functools.partial(_DeadlineResponse, deadline=deadline)  # type: ignore[assignment]
            connection.request(method, target, body=body, headers={**DEFAULT_HEADERS, **headers})
            response = connection.getresponse()
            content = response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
            self._discard(origin)
            if kept:
                raise Dropped(str(error)) from error
            raise
        except BaseException:
            self._discard(origin)
            raise
        if response.will_close:
            self._discard(origin)
        encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
        return HttpResponse(response.status, response.reason or "", response.headers, _decoded(content, encoding))

    def close(self) -> None:
        for origin in list(self._kept):
            self._discard(origin)

    def _checkout(self, origin: Origin, connect_timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        """The origin's kept connection when the server has not closed it meanwhile, else a new one."""
        connection = self._kept.get(origin)
        if connection is not None and connection.sock is not None and not _closed_by_peer(connection.sock):
            return connection, True
        self._discard(origin)
        scheme, host, port = origin
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=self._context())
        elif scheme == "http":
            connection = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        else:
            raise http.client.InvalidURL(f"unsupported URL scheme {scheme!r}: use https")
        try:
            connection.connect()
        except TimeoutError as error:
            connection.close()
            raise ConnectTimeout(str(error)) from error
        except BaseException:
            connection.close()
            raise
        self._kept[origin] = connection
        return connection, False

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


def _time_left(deadline: float) -> float:
    """Seconds until ``deadline``; TimeoutError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the answer did not arrive whole before the request's deadline")
    return left


class _DeadlineReader(io.RawIOBase):
    """The socket as a response reads it, each receive allowed only the time left until the request's deadline:
    a per-read timeout would let a server that sends a byte at a time keep the call alive past any budget."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(_time_left(self._deadline))
        return self._sock.recv_into(buffer)


class _DeadlineResponse(http.client.HTTPResponse):
    """http.client's response reading through a :class:`_DeadlineReader` (status line, headers and body alike)."""

    def __init__(self, sock: socket.socket, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp.close()  # the plain file http.client made; the socket stays open
        self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))


@functools.lru_cache(maxsize=16)
def _origin(scheme: str, netloc: str) -> Origin:
    """(scheme, host, port) of a URL's netloc: a container talks to a few origins, so each is parsed once."""
    parts = urlsplit(f"{scheme}://{netloc}")
    return scheme, parts.hostname or "", parts.port or (443 if scheme == "https" else 80)


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle kept connection that is readable has been closed by the server (or sent what was never asked)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class UndecodableBody(http.client.HTTPException):
    """The answer said gzip or deflate, but its body is not."""


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
