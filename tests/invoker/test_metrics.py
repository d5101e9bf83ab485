"""Metrics: Embedded Metric Format records in the log, no API call. A failure's summary line carries its own; the
successful calls' are written once a minute per method, each metric's values as an array."""

from __future__ import annotations

import json
import numbers
from typing import Any

import pytest

from tests.invoker.conftest import CONTACT_CENTER, FunctionContainer, connect_event
from tests.invoker.test_logging import json_lines, summaries

NAMESPACE = "ServiceCloudVoice/SalesforceRestApi"
UNITS = {"Count", "Milliseconds", "Percent"}
QUERY = connect_event("queryRecord", soql="SELECT Id FROM Account")


def metrics_of(record: dict[str, Any]) -> dict[str, Any]:
    """Metric name → value (a number, or an array of numbers) for every metric the record's EMF directives declare,
    after checking the record is EMF as CloudWatch reads it: the namespace, each dimension a string member of the
    record, each metric a member with a unit, at most 100 values to a metric."""
    metadata = record["_aws"]
    assert isinstance(metadata["Timestamp"], int)
    found = {}
    for directive in metadata["CloudWatchMetrics"]:
        assert directive["Namespace"] == NAMESPACE
        for dimension_set in directive["Dimensions"]:
            assert all(isinstance(record[dimension], str) for dimension in dimension_set)
        for metric in directive["Metrics"]:
            assert metric["Unit"] in UNITS
            value = record[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= 100 and all(isinstance(v, numbers.Real) for v in values)
            found[metric["Name"]] = value
    return found


def last_summary(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return summaries(capsys.readouterr().out)[-1]


def metrics_records(output: str) -> list[dict[str, Any]]:
    return [line for line in json_lines(output) if line.get("message") == "metrics"]


def flushed(container: FunctionContainer, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """What the container writes when Lambda ends it (the SIGTERM handler's action)."""
    capsys.readouterr()
    container.handler_module.flush_metrics()
    return metrics_records(capsys.readouterr().out)


class MinuteClock:
    """The wall clock of the invoker's metrics module, moved by the test."""

    def __init__(self, container: FunctionContainer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_796_000_000.0 - 1_796_000_000.0 % 60 + 5  # five seconds into a minute
        module = container.module("metrics")

        class Time:
            time = self.time

        monkeypatch.setattr(module, "time", Time)

    def time(self) -> float:
        return self.now


def test_a_warm_call_reports_one_request_and_cache_hits(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    container.ok(QUERY)
    container.ok(QUERY)
    [record] = flushed(container, capsys)
    assert record["ContactCenter"] == CONTACT_CENTER and record["Method"] == "queryRecord"
    values = metrics_of(record)
    # the counts summed, the API usage figures at their maximum: what the alarms and the dashboard read
    assert values["Invocations"] == 2
    assert values["SalesforceRequests"] == 2
    assert len(values["SalesforceLatency"]) == 2 and min(values["SalesforceLatency"]) > 0  # every value: percentiles
    assert values["TokenMints"] == 1  # the cold call's
    assert values["TokenCacheHits"] == 1  # the warm call's
    assert values["ApiUsage"] == 2 and values["ApiLimit"] == 15000
    assert values["ApiUsagePercent"] == pytest.approx(200 / 15000, abs=0.01)
    # a count of 0 is left out: the alarms and the dashboard sum or take the maximum, where it is the same figure
    assert not {"Errors", "TokenMintFailures", "SignInRefused", "OrgUnavailable", "ErrorsByCode"} & values.keys()
    dimension_sets = [d["Dimensions"] for d in record["_aws"]["CloudWatchMetrics"]]
    assert dimension_sets == [[["ContactCenter"], ["ContactCenter", "Method"]], [["ContactCenter"]]]
    assert "Org" not in record  # the contact center's own org alone: per org would repeat per contact center
    assert flushed(container, capsys) == []  # written once


def test_a_401_refresh_counts_a_mint(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    container.ok(QUERY)
    salesforce.revoke_tokens()
    container.ok(QUERY)
    [record] = flushed(container, capsys)
    values = metrics_of(record)
    assert values["TokenMints"] == 2
    assert values["SalesforceRequests"] == 3
    assert "Errors" not in values


def test_the_successful_calls_of_a_minute_are_written_by_the_first_call_of_a_later_one_and_sum_to_the_calls(
    new_container: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At DEBUG every call's line has its own figures: the minute's record holds exactly those."""
    container = new_container(LOG_LEVEL="DEBUG")
    clock = MinuteClock(container, monkeypatch)
    minute_started_ms = int(clock.now // 60 * 60_000)
    for _ in range(5):
        container.ok(QUERY)
        clock.now += 9
    output = capsys.readouterr().out
    assert metrics_records(output) == []  # still the same minute
    calls = summaries(output)
    container.fails(connect_event("unknown"))  # a failure writes its own metrics and leaves the minute's alone
    assert metrics_records(capsys.readouterr().out) == []
    clock.now += 60
    container.ok(connect_event("createRecord", objectApiName="Account", Name="x"))
    [record] = metrics_records(capsys.readouterr().out)
    assert record["_aws"]["Timestamp"] == minute_started_ms  # the minute the calls were made in
    values = metrics_of(record)
    assert record["Method"] == "queryRecord" and values["Invocations"] == 5
    assert values["SalesforceRequests"] == sum(call["salesforce_requests"] for call in calls)
    assert values["SalesforceLatency"] == [call["salesforce_latency_ms"] for call in calls]
    assert values["SecretsCacheHits"] == sum(call["secrets_cache_hits"] for call in calls)
    assert values["SecretsManagerCalls"] == sum(call["secrets_manager_calls"] for call in calls)
    assert values["ApiUsage"] == max(call["api_usage"] for call in calls)
    assert values["ApiLimit"] == max(call["api_limit"] for call in calls)
    [later] = flushed(container, capsys)
    assert later["Method"] == "createRecord" and later["_aws"]["Timestamp"] == minute_started_ms + 60_000


def test_a_failure_in_a_later_minute_writes_the_earlier_minutes_record_too(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = MinuteClock(container, monkeypatch)
    container.ok(QUERY)
    clock.now += 60
    container.fails(connect_event("queryRecord"))
    output = capsys.readouterr().out
    [record] = metrics_records(output)
    assert metrics_of(record)["Invocations"] == 1
    assert metrics_of(summaries(output)[-1])["Errors"] == 1  # and its own, on its line


def test_a_method_whose_latencies_reach_100_values_is_written_at_once(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    MinuteClock(container, monkeypatch)
    for _ in range(99):
        container.ok(QUERY)
    assert metrics_records(capsys.readouterr().out) == []
    container.ok(QUERY)
    [record] = metrics_records(capsys.readouterr().out)
    values = metrics_of(record)
    assert len(values["SalesforceLatency"]) == 100 and values["Invocations"] == 100
    assert flushed(container, capsys) == []


def test_one_record_per_method(container: FunctionContainer, capsys: pytest.CaptureFixture[str]) -> None:
    container.ok(QUERY)
    container.ok(connect_event("createRecord", objectApiName="Account", Name="x"))
    container.ok(QUERY)
    records = flushed(container, capsys)
    assert {record["Method"]: metrics_of(record)["Invocations"] for record in records} == {
        "queryRecord": 2,
        "createRecord": 1,
    }


def test_the_metrics_are_written_at_any_log_level(new_container: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """LOG_LEVEL quiets diagnostics; the alarms' and the dashboard's figures stay."""
    container = new_container(LOG_LEVEL="ERROR")
    container.ok(QUERY)
    assert capsys.readouterr().out == ""
    [record] = flushed(container, capsys)
    assert metrics_of(record)["Invocations"] == 1


def test_an_error_is_counted_by_its_code_at_once(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    container.fails(connect_event("queryRecord"))
    record = last_summary(capsys)
    values = metrics_of(record)
    assert values["Errors"] == 1 and values["ErrorsByCode"] == 1 and values["Invocations"] == 1
    assert record["ErrorCode"] == "MISSING_PARAMETER"
    assert [["ContactCenter", "ErrorCode"]] in [d["Dimensions"] for d in record["_aws"]["CloudWatchMetrics"]]
    assert flushed(container, capsys) == []  # nothing held back


def test_a_token_mint_failure_is_counted(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    salesforce.expected_audiences = {"https://test.salesforce.com/"}
    container.fails(QUERY)
    values = metrics_of(last_summary(capsys))
    assert values["TokenMintFailures"] == 1 and "TokenMints" not in values
    assert "ApiUsage" not in values  # no Salesforce data response, no usage figure


def test_a_record_is_one_json_line(container: FunctionContainer, capsys: pytest.CaptureFixture[str]) -> None:
    """EMF wants the log event to be the JSON object alone: no prefix, nothing after it."""
    container.ok(QUERY)
    capsys.readouterr()
    container.handler_module.flush_metrics()
    [line] = capsys.readouterr().out.splitlines()
    assert isinstance(json.loads(line), dict) and line.startswith("{") and line.endswith("}")
