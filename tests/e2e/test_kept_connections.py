"""Kept connections as the shipped bundle keeps them: over TLS, to an org that closes idle connections.

The bundle from cdk.out runs in a container under the runtime's Python and trusts the emulator's self-signed
certificate through SSL_CERT_DIR (tests only). The emulator counts TCP connections and TLS handshakes on the
wire: after a container's first call, a warm call opens none; when the org has closed the idle connection, the
next call opens exactly one, and a request that a closing connection swallowed is sent again only when
repeating it is safe. The org's answers come gzip-compressed and chunked, as Salesforce sends them.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from scv_shared.telemetry import SUCCEEDED_MESSAGE

from tools.emulators.salesforce import SalesforceEmulator
from tools.harness.container import InvocationRecord, LambdaContainer
from tools.harness.deployment import LocalDeployment
from tools.harness.events import SEED_CONSOLE_TEST_EVENT, connect_event

pytestmark = pytest.mark.e2e

CREATE_CASE = connect_event({"methodName": "createRecord", "objectApiName": "Case", "Subject": "once"})


@pytest.fixture
def tls_salesforce() -> Iterator[SalesforceEmulator]:
    with SalesforceEmulator(tls=True) as emulator:
        yield emulator


@pytest.fixture
def tls_deployment(
    deploy_example: Callable[..., LocalDeployment], tls_salesforce: SalesforceEmulator
) -> LocalDeployment:
    return deploy_example(salesforce=tls_salesforce)


@pytest.fixture
def warm_invoker(tls_deployment: LocalDeployment, tls_salesforce: SalesforceEmulator) -> LambdaContainer:
    """A container that trusts the org's certificate (the deployment names it) and has made its first call (token
    minted, connection open)."""
    invoker = tls_deployment.start_invoker()
    first = invoker.invoke(SEED_CONSOLE_TEST_EVENT)
    assert first.ok, first.error
    assert tls_salesforce.connection_counts().tls >= 1  # the bundle really spoke TLS
    return invoker


def invoke_counting(
    invoker: LambdaContainer, salesforce: SalesforceEmulator, event: dict[str, Any]
) -> tuple[InvocationRecord, tuple[int, int]]:
    """The invocation, and the (TCP connections, TLS handshakes) the org saw during it."""
    before = salesforce.connection_counts()
    result = invoker.invoke(event)
    after = salesforce.connection_counts()
    return result, (after.tcp - before.tcp, after.tls - before.tls)


def calls_of(salesforce: SalesforceEmulator, method: str) -> tuple[int, int]:
    """(answered, dropped) data requests of ``method``: a dropped one was on the wire but never processed."""
    answered = [request for request in salesforce.data_requests() if request.method == method]
    return len(answered), len([request for request in salesforce.dropped_requests() if request.method == method])


def test_warm_calls_open_no_connection(warm_invoker: LambdaContainer, tls_salesforce: SalesforceEmulator) -> None:
    for _ in range(3):
        result, opened = invoke_counting(warm_invoker, tls_salesforce, SEED_CONSOLE_TEST_EVENT)
        assert result.ok, result.error
        assert opened == (0, 0)


def test_the_orgs_gzip_chunked_answers_arrive_whole(
    warm_invoker: LambdaContainer, tls_salesforce: SalesforceEmulator
) -> None:
    """The bundle asks for compression and the org gzips its answer and sends it chunked, as Salesforce does: a
    record too large for one chunk, even compressed, arrives whole."""
    description = secrets.token_hex(2000)  # hex compresses to about half: still several chunks
    tls_salesforce.set_query_result("FROM Account", [{"Name": "山田商事", "Description": description}])
    result, opened = invoke_counting(warm_invoker, tls_salesforce, SEED_CONSOLE_TEST_EVENT)
    assert result.ok, result.error
    assert (result.payload["Name"], result.payload["Description"]) == ("山田商事", description)
    assert "gzip" in (tls_salesforce.data_requests()[-1].header("Accept-Encoding") or "")
    assert opened == (0, 0)  # the chunked answer ended where it said: the connection stayed kept


def test_a_connection_the_org_closed_while_idle_is_replaced_before_the_request(
    warm_invoker: LambdaContainer, tls_salesforce: SalesforceEmulator
) -> None:
    queries = functools.partial(calls_of, tls_salesforce, "GET")
    (answered, _) = queries()
    tls_salesforce.close_idle_connections()
    result, opened = invoke_counting(warm_invoker, tls_salesforce, SEED_CONSOLE_TEST_EVENT)
    assert result.ok, result.error
    assert opened == (1, 1)
    assert queries() == (answered + 1, 0)
    # noticed at checkout: nothing was sent on the closed connection, so there was no attempt to repeat
    [summary] = [line for line in result.json_logs() if line.get("message") == SUCCEEDED_MESSAGE]
    assert "salesforce_requests" not in summary  # a successful call's line leaves it out when it is one


def test_a_query_swallowed_by_a_closing_connection_is_sent_again_once(
    warm_invoker: LambdaContainer, tls_salesforce: SalesforceEmulator
) -> None:
    (answered, _) = calls_of(tls_salesforce, "GET")
    tls_salesforce.drop_next_request_on_kept_connection()
    result, opened = invoke_counting(warm_invoker, tls_salesforce, SEED_CONSOLE_TEST_EVENT)
    assert result.ok, result.error  # invisible to the flow
    assert opened == (1, 1)
    assert calls_of(tls_salesforce, "GET") == (answered + 1, 1)  # the swallowed one, and its repeat answered


def test_a_create_swallowed_by_a_closing_connection_is_never_sent_twice(
    warm_invoker: LambdaContainer, tls_salesforce: SalesforceEmulator
) -> None:
    (answered, _) = calls_of(tls_salesforce, "POST")
    tls_salesforce.drop_next_request_on_kept_connection()
    result = warm_invoker.invoke(CREATE_CASE)
    assert not result.ok
    assert result.failure["errorCode"] == "CONNECTION_ERROR"
    assert "it was not repeated, as it may have been processed" in result.failure["errorMessage"]
    assert calls_of(tls_salesforce, "POST") == (answered, 1)  # on the wire once, never again
    # the next call finds a new connection and works
    assert warm_invoker.invoke(SEED_CONSOLE_TEST_EVENT).ok
