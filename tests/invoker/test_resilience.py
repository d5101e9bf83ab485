"""A slow, failing or unreachable Salesforce: timeouts within the budget, at most one safe retry, no duplicates."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.invoker.conftest import CONNECT_BUDGET_MS, FunctionContainer, connect_event
from tests.invoker.test_metrics import flushed

QUERY = connect_event("queryRecord", soql="SELECT Id FROM Account")
CREATE = connect_event("createRecord", objectApiName="Account", Name="Once")


@pytest.fixture
def warm(container: FunctionContainer, salesforce: Any) -> FunctionContainer:
    """A container that already holds a token, so only the data request is under test."""
    container.ok(QUERY)
    return container


def data_requests_after(salesforce: Any, count_before: int) -> list[Any]:
    return salesforce.data_requests()[count_before:]


def summary_lines(output: str) -> list[dict[str, Any]]:
    lines = []
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and str(record.get("message", "")).startswith("invocation "):
            lines.append(record)
    return lines


def test_hanging_salesforce_times_out_within_the_budget(warm: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_fault("/query", delay_seconds=10)
    started = time.monotonic()
    outcome = warm.fails(QUERY, budget_ms=2000)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert elapsed_ms < 1900  # the function gives up before its own timeout, leaving time to report
    assert outcome.error_type == "SalesforceApiError"
    assert outcome.failure["status"] == 504
    assert outcome.failure["errorCode"] == "TIMEOUT"
    assert "did not answer within" in outcome.failure["errorMessage"]


def test_a_trickling_answer_ends_at_the_budget_and_the_summary_is_written(
    warm: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every read gets a byte well within any per-read timeout, the whole answer would take over 10 s: the request
    still ends at the invocation's budget, as a TIMEOUT the summary line reports."""
    salesforce.inject_fault("/query", seconds_per_byte=0.05)
    capsys.readouterr()
    outcome = warm.fails(QUERY, budget_ms=2000)
    assert outcome.duration_ms < 1900  # before the function's own timeout, leaving time to report
    assert outcome.failure["errorCode"] == "TIMEOUT"
    [summary] = summary_lines(capsys.readouterr().out)
    assert summary["message"] == "invocation failed" and summary["error_code"] == "TIMEOUT"


def test_timeout_on_create_is_not_repeated(warm: FunctionContainer, salesforce: Any) -> None:
    before = len(salesforce.data_requests())
    salesforce.inject_fault("/sobjects/Account", delay_seconds=10)
    outcome = warm.fails(CREATE, budget_ms=1500)
    assert outcome.failure["errorCode"] == "TIMEOUT"
    assert len(data_requests_after(salesforce, before)) == 1


def test_too_little_time_left_starts_no_request(warm: FunctionContainer, salesforce: Any) -> None:
    before = len(salesforce.requests)
    outcome = warm.fails(QUERY, budget_ms=500)
    assert outcome.failure["errorCode"] == "TIMEOUT"
    assert "not enough time left" in outcome.failure["errorMessage"]
    assert len(salesforce.requests) == before


@pytest.mark.parametrize("status", [429, 500, 503])
def test_get_is_retried_once(
    warm: FunctionContainer, salesforce: Any, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(salesforce.data_requests())
    salesforce.inject_fault("/query", status=status, body=[{"errorCode": "X", "message": "try again"}])
    warm.ok(QUERY)
    assert len(data_requests_after(salesforce, before)) == 2
    assert summary_lines(capsys.readouterr().out)[-1]["salesforce_retries"] == 1


def test_get_failing_twice_fails(warm: FunctionContainer, salesforce: Any) -> None:
    before = len(salesforce.data_requests())
    salesforce.inject_unavailable(times=2, path_contains="/query")
    outcome = warm.fails(QUERY)
    assert outcome.failure["status"] == 503
    assert outcome.failure["errorCode"] == "SERVER_UNAVAILABLE"
    assert len(data_requests_after(salesforce, before)) == 2


def test_retry_after_is_honoured_when_it_fits(warm: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_rate_limit(retry_after_seconds=1)
    started = time.monotonic()
    warm.ok(QUERY)
    assert time.monotonic() - started >= 1.0


def test_retry_after_beyond_the_budget_is_not_waited_for(warm: FunctionContainer, salesforce: Any) -> None:
    before = len(salesforce.data_requests())
    salesforce.inject_rate_limit(retry_after_seconds=30)
    started = time.monotonic()
    outcome = warm.fails(QUERY, budget_ms=CONNECT_BUDGET_MS)
    assert time.monotonic() - started < 2
    assert outcome.failure["status"] == 429
    assert outcome.failure["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert len(data_requests_after(salesforce, before)) == 1


def test_patch_is_retried(warm: FunctionContainer, salesforce: Any) -> None:
    record_id = salesforce.add_record("Contact", {"LastName": "x"})
    salesforce.inject_unavailable(path_contains="/sobjects/Contact")
    warm.ok(connect_event("updateRecord", objectApiName="Contact", recordId=record_id, LastName="y"))
    assert salesforce.record(record_id).fields["LastName"] == "y"


@pytest.mark.parametrize(
    "event, path",
    [
        (CREATE, "/sobjects/Account"),
        (connect_event("realtimeAlertEvent", Message__c="x"), "/sobjects/RealtimeAlertEvent"),
        (connect_event("uploadTranscript", contactIdsPayloadMap='[["c-1", "x"]]'), "/connect/conversations/upload"),
    ],
    ids=["createRecord", "realtimeAlertEvent", "uploadTranscript"],
)
def test_creating_posts_are_never_retried(warm: FunctionContainer, salesforce: Any, event: Any, path: str) -> None:
    before = len(salesforce.data_requests())
    salesforce.inject_unavailable(path_contains=path)
    outcome = warm.fails(event)
    assert outcome.failure["status"] == 503
    assert len(data_requests_after(salesforce, before)) == 1


def test_unreachable_salesforce(warm: FunctionContainer, salesforce: Any) -> None:
    salesforce.stop()
    outcome = warm.fails(QUERY)
    assert outcome.failure["status"] == 502
    assert outcome.failure["errorCode"] == "CONNECTION_ERROR"
    assert "connection refused" in outcome.failure["errorMessage"]
    salesforce.start()
    warm.ok(QUERY)  # the same container recovers once Salesforce is back


def test_non_json_error_body(warm: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_fault("/query", status=502, body="<html>bad gateway</html>", times=2)
    outcome = warm.fails(QUERY)
    assert outcome.failure["status"] == 502
    assert outcome.failure["errorCode"] == "HTTP_502"
    assert "Salesforce answered 502" in outcome.failure["errorMessage"]


def test_malformed_query_error_shape(warm: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_malformed_query("unexpected token: 'FORM'")
    outcome = warm.fails(QUERY)
    assert outcome.failure == {
        "success": False,
        "status": 400,
        "statusText": outcome.failure["statusText"],
        "errorCode": "MALFORMED_QUERY",
        "errorMessage": "unexpected token: '<redacted>'",  # a quoted literal may be a caller's data
    }
    assert outcome.failure["statusText"].lower() == "bad request"


def test_api_usage_in_the_summary(warm: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    salesforce.api_usage = 1233
    warm.ok(QUERY)
    [summary] = summary_lines(capsys.readouterr().out)
    assert summary["api_usage"] == 1234
    [record] = flushed(warm, capsys)
    assert record["ApiUsage"] == 1234 and record["ApiLimit"] == salesforce.api_limit  # the limit is in the metrics


# ---------------------------------------------------------------------------------------------- Secrets Manager


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP endpoint that accepts connections and never answers: a hanging Secrets Manager."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for connection in held:
        connection.close()


@pytest.mark.parametrize("budget_ms", [8000, 2500])
def test_hanging_secrets_manager_fails_clearly_within_the_budget(
    new_container: Any, silent_endpoint: str, salesforce: Any, budget_ms: int
) -> None:
    container = new_container(AWS_ENDPOINT_URL_SECRETS_MANAGER=silent_endpoint)
    started = time.monotonic()
    outcome = container.fails(QUERY, budget_ms=budget_ms)
    elapsed_ms = (time.monotonic() - started) * 1000
    # one attempt and, when it still fits, one more; never past the function's deadline
    assert elapsed_ms < budget_ms - 200
    assert outcome.error_type == "SecretsUnavailableError"
    assert outcome.failure["errorCode"] == "SECRETS_MANAGER_ERROR"
    assert "did not answer in time" in outcome.failure["errorMessage"]
    assert salesforce.requests == []


def test_secrets_manager_throttled_once_is_retried(
    container: FunctionContainer, secrets_server: Any, salesforce: Any
) -> None:
    secrets_server.fail_next("GetSecretValue")
    container.ok(QUERY)
    # access secret: throttled + repeated; main secret (to mint); the token's write-back
    assert secrets_server.count("GetSecretValue") == 3
    assert secrets_server.count("PutSecretValue") == 1


def test_secrets_manager_throttled_twice_fails_after_two_attempts(
    container: FunctionContainer, secrets_server: Any
) -> None:
    secrets_server.fail_next("GetSecretValue", times=5)
    outcome = container.fails(QUERY)
    assert outcome.failure["errorCode"] == "SECRETS_MANAGER_ERROR"
    assert "tried twice" in outcome.failure["errorMessage"]
    assert secrets_server.count("GetSecretValue") == 2
