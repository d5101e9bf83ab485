"""Metrics: each invocation's summary line is also an Embedded Metric Format record (no extra API call)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.invoker.conftest import CONTACT_CENTER, FunctionContainer, connect_event
from tests.invoker.test_logging import summaries


def metrics_of(record: dict[str, Any]) -> dict[str, Any]:
    """Metric name → value for every metric the record's EMF directives declare, with their dimensions."""
    found = {}
    for directive in record["_aws"]["CloudWatchMetrics"]:
        assert directive["Namespace"] == "ServiceCloudVoice/SalesforceRestApi"
        for dimension_set in directive["Dimensions"]:
            assert all(dimension in record for dimension in dimension_set)
        for metric in directive["Metrics"]:
            found[metric["Name"]] = record[metric["Name"]]
    return found


def last_summary(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return summaries(capsys.readouterr().out)[-1]


def test_a_warm_call_reports_one_request_and_cache_hits(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    first = metrics_of(last_summary(capsys))
    assert first["TokenMints"] == 1 and "TokenCacheHits" not in first
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    record = last_summary(capsys)
    assert record["ContactCenter"] == CONTACT_CENTER and record["Method"] == "queryRecord"
    values = metrics_of(record)
    assert values["Invocations"] == 1
    assert values["SalesforceRequests"] == 1
    assert values["SalesforceLatency"] > 0
    assert values["TokenCacheHits"] == 1 and values["SecretsCacheHits"] >= 1
    assert (values["ApiUsage"], values["ApiLimit"]) == (2, 15000)
    assert values["ApiUsagePercent"] == pytest.approx(100 * 2 / 15000, abs=0.01)
    # a count of 0 is left out: the alarms and the dashboard sum or take the maximum, where it is the same figure
    assert not {"Errors", "TokenMints", "TokenMintFailures", "SecretsManagerCalls", "SignInRefused"} & values.keys()
    dimension_sets = [d["Dimensions"] for d in record["_aws"]["CloudWatchMetrics"]]
    assert [["ContactCenter"], ["ContactCenter", "Method"]] in dimension_sets
    assert [["ContactCenter"]] in dimension_sets
    assert "Org" not in record  # the contact center's own org alone: per org would repeat per contact center


def test_a_401_refresh_counts_a_mint(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    salesforce.revoke_tokens()
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    values = metrics_of(last_summary(capsys))
    assert values["TokenMints"] == 1
    assert values["SalesforceRequests"] == 2
    assert "Errors" not in values


def test_an_error_is_counted_by_its_code(container: FunctionContainer, capsys: pytest.CaptureFixture[str]) -> None:
    container.fails(connect_event("queryRecord"))
    record = last_summary(capsys)
    values = metrics_of(record)
    assert values["Errors"] == 1 and values["ErrorsByCode"] == 1
    assert record["ErrorCode"] == "MISSING_PARAMETER"
    assert [["ContactCenter", "ErrorCode"]] in [d["Dimensions"] for d in record["_aws"]["CloudWatchMetrics"]]


def test_a_token_mint_failure_is_counted(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    salesforce.expected_audiences = {"https://test.salesforce.com/"}
    container.fails(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    values = metrics_of(last_summary(capsys))
    assert values["TokenMintFailures"] == 1 and "TokenMints" not in values
    assert "ApiUsage" not in values  # no Salesforce data response, no usage figure


def test_the_emf_directives_are_built_once_per_container_only_values_and_timestamp_change(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    telemetry = container.module("metrics").telemetry
    built: list[str] = []
    real_directive = telemetry.emf_directive
    monkeypatch.setattr(telemetry, "emf_directive", lambda *a, **k: built.append("x") or real_directive(*a, **k))
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))  # cold: a mint, secret reads
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    first = last_summary(capsys)
    assert len(built) == 4  # per method, per contact center; for the cold call's shape and the warm one's
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    second = last_summary(capsys)
    assert len(built) == 4
    assert second["_aws"]["CloudWatchMetrics"] == first["_aws"]["CloudWatchMetrics"]
