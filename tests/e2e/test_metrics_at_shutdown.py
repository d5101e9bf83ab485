"""The shipped invoker bundle in a container process: the successful calls' metrics of the last minute are written
when the process receives SIGTERM (what Lambda sends the runtime before it ends an environment that has an
external extension), and the signal still ends the process."""

from __future__ import annotations

import json
import signal

from tests.invoker.test_metrics import metrics_of
from tools.harness.deployment import LocalDeployment
from tools.harness.events import SEED_CONSOLE_TEST_EVENT


def test_sigterm_writes_the_minutes_metrics_and_ends_the_container(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    calls = 3
    for _ in range(calls):
        result = invoker.invoke(SEED_CONSOLE_TEST_EVENT)
        assert result.ok, result.error
        assert [line for line in result.json_logs() if line.get("message") == "metrics"] == []  # held back
    status, lines = invoker.terminate()
    assert status == -signal.SIGTERM  # ended by the signal, as it would be without the handler
    [record] = [json.loads(line) for line in lines]
    assert record["message"] == "metrics" and record["ContactCenter"] == deployment.contact_center
    values = metrics_of(record)
    assert values["Invocations"] == calls and len(values["SalesforceLatency"]) == calls
    assert values["SalesforceRequests"] == len(deployment.salesforce.data_requests())
