"""The invoker's own HTTP pieces: compressed answers, multipart bodies, TLS it must refuse (framing: test_http11.py).

The multipart bodies are read back by werkzeug's parser (what the Salesforce emulator uses), so a body only
passes when a real multipart reader sees the parts, names and contents that were sent.
"""

from __future__ import annotations

import gzip
import http.server
import io
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scv_salesforce.bundling import index_trust_store
from werkzeug.formparser import parse_form_data

from tests.invoker.conftest import FakeContext, FunctionContainer
from tools.emulators.salesforce import SalesforceEmulator

BODY = b'{"records": [{"Name": "Yamada Taro"}]}'


class _EncodedAnswers(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: path -> (Content-Encoding, body)
    answers: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:
        encoding, body = self.answers[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def encoded_answers() -> Iterator[str]:
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    _EncodedAnswers.answers = {
        "/gzip": ("gzip", gzip.compress(BODY)),
        "/deflate": ("deflate", zlib.compress(BODY)),
        "/raw-deflate": ("deflate", raw_deflate.compress(BODY) + raw_deflate.flush()),
        "/broken": ("gzip", b"not gzip at all"),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EncodedAnswers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def modules(container: FunctionContainer) -> Any:
    return container.modules


def get(modules: Any, url: str, pool: Any = None) -> Any:
    transport = modules["scv_invoker.transport"]
    pool = pool or modules["scv_invoker.connections"].ConnectionPool.from_environment()
    request = transport.HttpRequest(method="GET", url=url, operation="the test server", idempotent=True)
    return transport.send(pool, request, transport.Budget(FakeContext(5000)))


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate"])
def test_compressed_answers_are_decoded(modules: Any, encoded_answers: str, path: str) -> None:
    assert get(modules, encoded_answers + path).content == BODY


def test_an_answer_that_lies_about_its_encoding_is_a_clear_connection_error(modules: Any, encoded_answers: str) -> None:
    with pytest.raises(modules["scv_invoker.errors"].SalesforceApiError) as raised:
        get(modules, encoded_answers + "/broken")
    assert raised.value.error_code == "CONNECTION_ERROR"
    assert "UndecodableBody" in str(raised.value)


def test_multipart_parts_arrive_whole_with_hostile_names_escaped(modules: Any) -> None:
    multipart = modules["scv_invoker.multipart"]
    hostile = 'contact"; filename="evil.sh\r\nX-Injected: 1'
    parts = [
        (
            "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
            ("transcript.txt", "こんにちは\r\n--boundary?".encode(), "text/plain"),
        ),
        (hostile, ("transcript.txt", b"", "text/plain")),
    ]
    body, content_type = multipart.encode(parts)
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    _, _, files = parse_form_data(environ)
    # werkzeug reads %22 back as a quote, as browsers' parsers do; CR and LF stay escaped, so no header was added
    arrived = hostile.replace("\r", "%0D").replace("\n", "%0A")
    assert list(files.keys()) == ["5ca32fbd-8f92-46af-92a5-6b0f970f0efe", arrived]
    assert files[arrived].filename == "transcript.txt"
    assert files["5ca32fbd-8f92-46af-92a5-6b0f970f0efe"].read() == "こんにちは\r\n--boundary?".encode()
    assert b"X-Injected: 1\r\n" not in body


def trust_only_the_bundle(connections: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*connections.CA_BUNDLE_VARIABLES, connections.CA_DIRECTORY_VARIABLE):
        monkeypatch.delenv(name, raising=False)


def test_an_org_with_a_certificate_nobody_trusts_is_refused(modules: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    trust_only_the_bundle(modules["scv_invoker.connections"], monkeypatch)
    with SalesforceEmulator(tls=True) as org, pytest.raises(modules["scv_invoker.errors"].SalesforceApiError) as raised:
        get(modules, org.base_url + "/services/data")
    assert raised.value.error_code == "CONNECTION_ERROR"
    assert "certificate verify failed" in str(raised.value)


def test_the_emulators_certificate_is_trusted_when_named_and_the_connection_is_kept(
    modules: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SalesforceEmulator(tls=True) as org:
        monkeypatch.setenv("SSL_CERT_FILE", str(org.ca_bundle_path))
        pool = modules["scv_invoker.connections"].ConnectionPool.from_environment()
        for _ in range(3):
            get(modules, org.rest_base() + "/limits", pool)
        counts = org.connection_counts()
        pool.close()
    assert (counts.tcp, counts.tls) == (1, 1)


def test_a_trust_store_directory_verifies_the_org(
    modules: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    connections = modules["scv_invoker.connections"]
    trust_only_the_bundle(connections, monkeypatch)
    with SalesforceEmulator(tls=True) as org:
        index_trust_store(org.ca_bundle_path, tmp_path / "trusted")
        monkeypatch.setenv(connections.CA_DIRECTORY_VARIABLE, str(tmp_path / "trusted"))
        answer = get(modules, org.base_url + "/services/data/")
        connections_made = org.connection_counts()
    # the org answered over a verified handshake (a chain nobody trusts fails with CONNECTION_ERROR, as above)
    assert answer.content and connections_made.tls == 1
