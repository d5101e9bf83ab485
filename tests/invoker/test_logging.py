"""Logs: one structured summary per invocation, names not values, and never a secret."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import pytest

from tests.invoker.conftest import CONTACT_ID, FunctionContainer, connect_event

SENSITIVE_VALUE = "Sensitive-Value-4711"


def json_lines(output: str) -> list[dict[str, Any]]:
    records = []
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def summaries(output: str) -> list[dict[str, Any]]:
    return [r for r in json_lines(output) if r.get("message") in ("invocation succeeded", "invocation failed")]


def key_body(pem: str) -> str:
    """A piece of the key's base64 body (the part that would leak)."""
    lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    return lines[len(lines) // 2]


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_no_secret_or_value_in_logs(
    new_container: Any,
    salesforce: Any,
    rsa_key_pair: Any,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    level: str,
) -> None:
    caplog.set_level(logging.DEBUG)  # whatever reaches the root logger is inspected too
    container = new_container(LOG_LEVEL=level)
    container.ok(connect_event("createRecord", objectApiName="Account", Name=SENSITIVE_VALUE))
    salesforce.revoke_tokens()
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Contact WHERE Phone = '{p}'", p=SENSITIVE_VALUE))
    container.fails(connect_event("updateRecord", objectApiName="Account", recordId="001000000000001AAA", X="y"))
    captured = capsys.readouterr()
    # every record that reached the logging system, except the emulators' own request log
    records = [str(record.__dict__) for record in caplog.records if not record.name.startswith("tools.emulators.")]
    output = captured.out + captured.err + "\n".join(records)
    tokens = {r.header("Authorization").split(" ", 1)[1] for r in salesforce.data_requests()}
    assertions = {r.form()["assertion"] for r in salesforce.token_requests()}
    assert len(tokens) == 2 and len(assertions) == 2
    assert key_body(rsa_key_pair.private_key_pem) not in output
    assert "PRIVATE KEY" not in output
    for secret in tokens | assertions:
        assert secret not in output
        assert secret.split("!")[-1][:20] not in output
    assert SENSITIVE_VALUE not in output
    assert len(summaries(output)) == 3
    # the parameters are named, never quoted (a success's line names them at DEBUG, a failure's always)
    assert summaries(output)[2]["parameters"] == ["X", "methodName", "objectApiName", "recordId"]
    if level == "DEBUG":
        assert summaries(output)[1]["parameters"] == ["methodName", "p", "soql"]
    attempts = [line for line in json_lines(captured.out) if line.get("message") == "http attempt"]
    if level == "DEBUG":
        assert {line["operation"] for line in attempts} >= {"Salesforce GET query", "the Salesforce token endpoint"}
        assert all(set(line) >= {"attempt", "status", "elapsed_ms", "timeout_s"} for line in attempts)
    else:
        assert attempts == []


def test_one_summary_line_per_invocation(container: FunctionContainer, capsys: pytest.CaptureFixture[str]) -> None:
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    container.fails(connect_event("unknown"))
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    lines = summaries(capsys.readouterr().out)
    assert [line["message"] for line in lines] == ["invocation succeeded", "invocation failed", "invocation succeeded"]
    first, failed, warm = lines
    assert first["level"] == "INFO"
    assert first["method"] == "queryRecord"
    assert first["contact_id"] == CONTACT_ID
    assert first["cold_start"] is True
    assert "salesforce_status" not in first and "salesforce_requests" not in first  # a plain call's: 200, one
    assert first["token_mints"] == 1
    assert first["api_usage"] >= 1 and "api_limit" not in first  # the limit is in the metrics (ApiLimit)
    assert isinstance(first["duration_ms"], float)
    assert failed["level"] == "ERROR"
    assert failed["error_code"] == "UNKNOWN_METHOD"
    assert failed["failure"]["errorCode"] == "UNKNOWN_METHOD"
    assert failed["cold_start"] is False and failed["secrets_manager_calls"] == 0  # a failure's line has every field
    assert failed["Errors"] == 1 and "_aws" in failed  # and its metrics
    assert "method" not in failed  # keys of one invocation do not leak into the next
    assert "cold_start" not in warm and "token_mints" not in warm  # what did not happen is left out


#: a plain warm successful call's line at INFO (one request, answered 200): what operators look for per call (the
#: contact, for the CallsPerContact rule; the method; the org's daily API usage; the duration). Its metrics are
#: written once a minute (test_metrics); another status or number of requests adds salesforce_status or
#: salesforce_requests (below), a degraded best-effort method its error_code, a retried request salesforce_retries
#: (test_resilience), a mint token_mints, a further org its name (test_orgs)
SUCCESS_LINE_FIELDS = {"level", "message", "contact_id", "method", "api_usage", "duration_ms"}
#: issue #30's goal for the bytes CloudWatch Logs ingests per successful call
SUCCESS_LINE_BYTES = 600


def test_a_successful_calls_line_holds_what_operators_look_for_and_nothing_else(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    capsys.readouterr()
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    output = capsys.readouterr().out
    [line] = summaries(output)
    assert set(line) == SUCCESS_LINE_FIELDS
    assert line["contact_id"] == CONTACT_ID and line["method"] == "queryRecord"
    assert len(output.strip().splitlines()) == 1  # the warm call's only line
    assert len(output.encode()) <= SUCCESS_LINE_BYTES


@pytest.mark.parametrize(
    ("event", "status", "requests"),
    [
        (connect_event("createRecord", objectApiName="Task", Subject="call"), 201, None),
        (connect_event("fetchAgentPhoneNumber"), None, 0),  # the placeholder asks Salesforce nothing
    ],
    ids=["created", "no request"],
)
def test_a_successful_calls_line_names_a_status_other_than_200_and_a_request_count_other_than_1(
    container: FunctionContainer,
    capsys: pytest.CaptureFixture[str],
    event: dict,
    status: int | None,
    requests: int | None,
) -> None:
    container.ok(event)
    [line] = summaries(capsys.readouterr().out)
    assert line.get("salesforce_status") == status and line.get("salesforce_requests") == requests


def test_a_successful_calls_line_with_its_optional_fields_is_within_the_byte_goal(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A long success's line: a container's first call, minting, whose best-effort method degraded; with a
    contact id as long as Connect's (a UUID)."""
    salesforce.inject_malformed_query()
    container.ok(connect_event("fetchOutboundPhoneNumber", agentARN="arn:aws:connect:x"))
    [line] = [line for line in capsys.readouterr().out.splitlines() if "invocation succeeded" in line]
    record = json.loads(line)
    assert len(record["contact_id"]) == len("5ca32fbd-8f92-46af-92a5-6b0f970f0efe")
    assert record["cold_start"] is True and record["token_mints"] == 1 and record["error_code"] == "MALFORMED_QUERY"
    assert len(line.encode()) + 1 <= SUCCESS_LINE_BYTES  # with its newline


def test_at_debug_a_successful_calls_line_has_every_field(
    new_container: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    container = new_container(LOG_LEVEL="DEBUG")
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    line = summaries(capsys.readouterr().out)[-1]
    assert {"request_id", "timestamp", "location", "parameters", "token_mints", "secrets_manager_calls"} <= set(line)
    assert line["parameters"] == ["methodName", "soql"] and line["token_mints"] == 1


def test_no_contact_data_no_contact_id(container: FunctionContainer, capsys: pytest.CaptureFixture[str]) -> None:
    container.ok(connect_event("queryRecord", contact_data={}, soql="SELECT Id FROM Account"))
    [line] = summaries(capsys.readouterr().out)
    assert "contact_id" not in line


def test_sdk_loggers_stay_quiet_and_root_is_untouched(new_container: Any) -> None:
    root = logging.getLogger()
    root_level, root_handlers = root.level, list(root.handlers)
    container = new_container(LOG_LEVEL="DEBUG")
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    assert logging.getLogger("botocore").level == logging.WARNING
    assert logging.getLogger("urllib3").level == logging.WARNING
    assert root.level == root_level
    assert root.handlers == root_handlers


def test_log_level_applies_to_the_invokers_logger(new_container: Any, capsys: pytest.CaptureFixture[str]) -> None:
    container = new_container(LOG_LEVEL="ERROR")
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    container.fails(connect_event("nope"))
    lines = json_lines(capsys.readouterr().out)
    assert [line["level"] for line in lines] == ["ERROR"]


def test_degraded_best_effort_method_is_logged(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    salesforce.inject_malformed_query()
    container.ok(connect_event("fetchOutboundPhoneNumber", agentARN="arn:aws:connect:x"))
    lines = json_lines(capsys.readouterr().out)
    assert any(line.get("errorCode") == "MALFORMED_QUERY" and line["level"] == "ERROR" for line in lines)
    assert summaries("\n".join(json.dumps(line) for line in lines))[-1]["error_code"] == "MALFORMED_QUERY"


def test_unexpected_error_is_reported_in_the_failure_shape_without_values(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug still fails the invocation in the documented shape; its log line says where, not what values."""
    methods = container.module("methods")
    broken = methods.Method("queryRecord", lambda invocation: {}[invocation.parameters["soql"]], ("soql",))
    methods.METHODS["queryRecord"] = broken
    outcome = container.fails(connect_event("queryRecord", soql=SENSITIVE_VALUE))
    assert outcome.error_type == "InvokerError"
    assert outcome.failure["status"] == 500
    assert outcome.failure["errorCode"] == "INTERNAL_ERROR"
    assert "unexpected KeyError" in outcome.failure["errorMessage"]
    output = capsys.readouterr().out
    assert SENSITIVE_VALUE not in output
    [line] = [line for line in json_lines(output) if line.get("message") == "unexpected error"]
    assert line["errorType"] == "KeyError"
    assert any("handler.py" in frame for frame in line["where"])
    assert summaries(output)[-1]["error_code"] == "INTERNAL_ERROR"


PHONE, EMAIL, NAME, RECORD_ID = "+81312345678", "taro.yamada@example.co.jp", "Taro Yamada", "003000000000001AAA"
SALESFORCE_ERRORS_QUOTING_PERSONAL_DATA = {
    "a query quoting the caller's number": (
        "/query",
        "MALFORMED_QUERY",
        f"\nSELECT Id FROM Contact WHERE Phone = '{PHONE}' LIMT 1\n ^\nERROR at Row:1:Column:50\nunexpected "
        f"token: '{PHONE}'",
    ),
    "a bare number in the echoed statement": (
        "/query",
        "MALFORMED_QUERY",
        "SELECT Id FROM Contact WHERE Phone = " + PHONE[1:] + " LIMT 1 ERROR at Row:1:Column:40",  # noqa: S608
    ),
    "an email": ("/sobjects", "INVALID_EMAIL_ADDRESS", f"Email: invalid email address: {EMAIL}"),
    "a name": ("/sobjects", "DUPLICATE_VALUE", f'duplicate value found: Name duplicates value "{NAME}"'),
    "a record id": ("/sobjects", "DUPLICATE_VALUE", f"duplicates value on record with id: {RECORD_ID}"),
}


@pytest.mark.parametrize(
    "path, error_code, message",
    SALESFORCE_ERRORS_QUOTING_PERSONAL_DATA.values(),
    ids=SALESFORCE_ERRORS_QUOTING_PERSONAL_DATA.keys(),
)
def test_personal_data_in_salesforce_errors_reaches_neither_the_log_nor_the_flow(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str], path: str, error_code: str,
    message: str,
) -> None:  # fmt: skip
    salesforce.inject_fault(path, status=400, body=[{"errorCode": error_code, "message": message}])
    event = (
        connect_event("queryRecord", soql="SELECT Id FROM Contact WHERE Phone = '{phone}'", phone=PHONE)
        if path == "/query"
        else connect_event("createRecord", objectApiName="Contact", LastName="Yamada", Email=EMAIL)
    )
    outcome = container.fails(event)
    returned = json.dumps(outcome.failure, ensure_ascii=False)
    logged = capsys.readouterr().out
    for personal in (PHONE, PHONE[1:], EMAIL, NAME, RECORD_ID):
        assert personal not in returned
        assert personal not in logged
    assert outcome.failure["errorCode"] == error_code
    [summary] = summaries(logged)
    assert summary["failure"]["errorCode"] == error_code


def test_a_redacted_message_keeps_what_an_administrator_needs(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_malformed_query(
        f"\nSELECT Id FROM Contact WHERE Phone = '{PHONE}' LIMT 1\nERROR at Row:1:Column:50"
    )
    failure = container.fails(connect_event("queryRecord", soql="SELECT Id FROM Contact")).failure
    assert failure["errorCode"] == "MALFORMED_QUERY"
    assert "WHERE Phone = '<redacted>' LIMT 1" in failure["errorMessage"]
    assert "Row:1:Column:50" in failure["errorMessage"]


def test_the_summary_fields_are_read_off_the_stats_without_a_deep_copy(
    new_container: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dataclasses.asdict`` deep-copies every value; a flat record of counts is read straight off its attributes,
    the counts still in the line."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("dataclasses.asdict called on the summary's path")

    monkeypatch.setattr(dataclasses, "asdict", refuse)
    container = new_container(LOG_LEVEL="DEBUG")
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    record = summaries(capsys.readouterr().out)[-1]
    assert record["salesforce_requests"] == 1 and record["secrets_cache_hits"] >= 0
    assert record["parameters"] == ["methodName", "soql"]


def test_a_long_salesforce_message_is_cut_before_it_is_redacted(container: FunctionContainer, salesforce: Any) -> None:
    """Only the start of the message is kept, and a literal the cut leaves open is redacted to the end."""
    message = "x" * 1990 + f" WHERE Phone = '{PHONE}' LIMT 1 " + "y" * 40_000
    salesforce.inject_malformed_query(message)
    failure = container.fails(connect_event("queryRecord", soql="SELECT Id FROM Contact")).failure
    text = failure["errorMessage"]
    assert len(text) < 2_500, "the message is cut to about 2,000 characters"
    assert PHONE[:5] not in text and PHONE.lstrip("+")[:5] not in text
    assert "truncated" in text
