"""The Salesforce emulator's connections behave like a real org's: kept, TLS once per connection, closable, breakable.

The invoker's connection reuse (what a warm Lambda saves) and its handling of a kept connection the server
closed are only testable if the emulator keeps connections and counts them, so these tests count on the wire.
"""

from __future__ import annotations

import gzip
import http.client
import json
import logging
import ssl
from collections.abc import Iterator

import pytest
import urllib3

from tools.emulators.salesforce import NOT_FOUND, ConnectionCounts, SalesforceEmulator

PATH = "/services/data/v68.0/no-such-resource"  # 401 without a token: any answer shows the connection served it


@pytest.fixture(scope="module")
def tls_org() -> Iterator[SalesforceEmulator]:
    with SalesforceEmulator(tls=True) as salesforce:
        yield salesforce


def port(org: SalesforceEmulator) -> int:
    return int(org.base_url.rsplit(":", 1)[1])


def pool(org: SalesforceEmulator) -> urllib3.HTTPConnectionPool:
    """One kept connection at most, no retries: a broken connection shows as an error, not a silent retry."""
    return urllib3.HTTPConnectionPool("127.0.0.1", port(org), maxsize=1, retries=False)


def test_requests_share_one_kept_tcp_connection(salesforce: SalesforceEmulator) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port(salesforce), timeout=5)
    try:
        for _ in range(3):
            connection.request("GET", "/not-an-api-path")
            response = connection.getresponse()
            assert response.status == 404
            assert response.getheader("Connection") is None  # not "close": the server keeps it
            response.read()
    finally:
        connection.close()
    assert salesforce.connection_counts() == ConnectionCounts(tcp=1, tls=0)
    assert len(salesforce.requests) == 3


def test_tls_handshake_is_counted_once_per_connection(tls_org: SalesforceEmulator) -> None:
    tls_org.reset()
    assert tls_org.base_url.startswith("https://127.0.0.1:")
    assert tls_org.ca_bundle_path is not None
    context = ssl.create_default_context(cafile=str(tls_org.ca_bundle_path))
    tls_port = port(tls_org)
    for _ in range(2):
        connection = http.client.HTTPSConnection("127.0.0.1", tls_port, context=context, timeout=5)
        try:
            for _ in range(2):
                connection.request("GET", PATH)
                response = connection.getresponse()
                assert response.status == 401
                response.read()
        finally:
            connection.close()
    assert tls_org.connection_counts() == ConnectionCounts(tcp=2, tls=2)
    assert len(tls_org.requests) == 4


def test_ca_bundle_is_none_without_tls(salesforce: SalesforceEmulator) -> None:
    assert salesforce.ca_bundle_path is None
    assert salesforce.base_url.startswith("http://127.0.0.1:")


def test_closing_idle_connections_makes_the_client_open_a_new_one(salesforce: SalesforceEmulator) -> None:
    client = pool(salesforce)
    assert client.request("GET", "/nothing").status == 404
    assert salesforce.connection_counts().tcp == 1
    salesforce.close_idle_connections()
    assert client.request("GET", "/nothing").status == 404  # urllib3 sees the close and reconnects
    assert salesforce.connection_counts().tcp == 2
    client.close()


def test_dropped_request_on_kept_connection_is_logged_and_unanswered(
    salesforce: SalesforceEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    client = pool(salesforce)
    assert client.request("GET", "/first").status == 404
    salesforce.drop_next_request_on_kept_connection()
    with caplog.at_level(logging.INFO, logger="tools.emulators.salesforce"):
        with pytest.raises(urllib3.exceptions.ProtocolError):
            client.request("GET", "/second?x=1")
    assert any("GET /second?x=1 -> dropped" in message for message in caplog.messages)
    assert [request.path for request in salesforce.requests] == ["/first"]  # never reached the salesforce
    [dropped] = salesforce.dropped_requests()  # but it was on the wire
    assert (dropped.method, dropped.path, dropped.query) == ("GET", "/second", {"x": "1"})
    response = client.request("GET", "/third")  # only one request is dropped
    assert response.status == 404 and response.json() == NOT_FOUND
    assert salesforce.connection_counts().tcp == 2
    client.close()


def test_first_request_on_a_new_connection_is_not_dropped(salesforce: SalesforceEmulator) -> None:
    salesforce.drop_next_request_on_kept_connection()
    client = pool(salesforce)
    assert client.request("GET", "/first").status == 404
    client.close()


def test_reset_clears_counts_and_a_staged_drop(salesforce: SalesforceEmulator) -> None:
    client = pool(salesforce)
    assert client.request("GET", "/first").status == 404
    salesforce.drop_next_request_on_kept_connection()
    salesforce.reset()
    assert salesforce.connection_counts() == ConnectionCounts(tcp=0, tls=0)
    assert client.request("GET", "/second").status == 404  # the kept connection survives reset, undropped
    assert salesforce.connection_counts() == ConnectionCounts(tcp=0, tls=0)
    client.close()


def test_an_answer_is_gzip_and_chunked_only_when_the_request_accepts_gzip(salesforce: SalesforceEmulator) -> None:
    """As the REST API answers (its docs' "Compression Headers"): compressed on request, its length unsaid."""
    connection = http.client.HTTPConnection("127.0.0.1", port(salesforce), timeout=5)
    try:
        connection.request("GET", PATH, headers={"Accept-Encoding": "gzip, deflate"})
        compressed = connection.getresponse()
        body = compressed.read()
        connection.request("GET", PATH)  # http.client says Accept-Encoding: identity
        plain = connection.getresponse()
        plain_body = plain.read()
    finally:
        connection.close()
    assert (compressed.getheader("Content-Encoding"), compressed.getheader("Transfer-Encoding")) == ("gzip", "chunked")
    assert compressed.getheader("Content-Length") is None
    assert json.loads(gzip.decompress(body)) == json.loads(plain_body)
    assert plain.getheader("Content-Encoding") is None and plain.getheader("Content-Length") == str(len(plain_body))
    assert salesforce.connection_counts().tcp == 1  # the chunked answer ended where it said: the connection was kept
