"""fetchDefaultVoicemailGreetingUrl and fetchAgentPhoneNumber, against the emulated org.

Each test named ``test_reference_*`` states what the Node.js function's own jest tests
(fetchDefaultVoicemailGreetingUrl.test.js, handler.test.js) expect of the same method.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.invoker.conftest import FunctionContainer, connect_event

AGENT_ARN = "arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-4000-8000-000000000000/agent/a-1"
GREETING_URL = "https://example.my.salesforce.com/greetings/drop-1.wav"


def log_messages(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_reference_missing_agent_arn_answers_success_without_any_request(
    container: FunctionContainer, salesforce: Any, secrets_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """jest: no agentARN → success, no GreetingUrl, neither secrets nor query touched, one error logged."""
    assert container.ok(connect_event("fetchDefaultVoicemailGreetingUrl")) == {"success": "true"}
    assert salesforce.requests == [] and secrets_server.count() == 0
    errors = [line for line in log_messages(capsys) if line["level"] == "ERROR"]
    assert [line["message"] for line in errors] == [
        "Couldn't find agentARN in event details parameters; no voicemail greeting looked up"
    ]


def test_reference_query_names_the_agent_and_the_filters(container: FunctionContainer, salesforce: Any) -> None:
    """jest: the SOQL selects VoiceMailGreeting2.GreetingUrl with Type='DROP', IsDefault = true, ExternalId = ARN."""
    container.ok(connect_event("fetchDefaultVoicemailGreetingUrl", agentARN="AGENT-XYZ"))
    [query] = salesforce.data_requests()
    soql = query.query["q"]
    assert "VoiceMailGreeting2.GreetingUrl" in soql and "FROM VoiceMailGreeting2Rep" in soql
    assert "VoiceMailGreeting2.Type='DROP'" in soql
    assert "IsDefault = true" in soql
    assert "RepId IN (SELECT ReferenceRecordId FROM CallCenterRoutingMap WHERE ExternalId = 'AGENT-XYZ')" in soql


def test_reference_greeting_url_on_success(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """jest: the URL comes back with success, and no error is logged. Read from Salesforce's nested answer."""
    rep = salesforce.add_routing_map(AGENT_ARN)
    salesforce.add_voicemail_greeting(rep, GREETING_URL)
    result = container.ok(connect_event("fetchDefaultVoicemailGreetingUrl", agentARN=AGENT_ARN))
    assert result == {"success": "true", "GreetingUrl": GREETING_URL}
    assert not [line for line in log_messages(capsys) if line["level"] == "ERROR"]


def test_only_the_agents_default_drop_greeting_counts(container: FunctionContainer, salesforce: Any) -> None:
    rep = salesforce.add_routing_map(AGENT_ARN)
    salesforce.add_voicemail_greeting(rep, "https://x/not-default.wav", default=False)
    salesforce.add_voicemail_greeting(rep, "https://x/other-type.wav", type="GREETING")
    salesforce.add_voicemail_greeting(salesforce.add_routing_map(AGENT_ARN + "-other"), "https://x/other-agent.wav")
    assert container.ok(connect_event("fetchDefaultVoicemailGreetingUrl", agentARN=AGENT_ARN)) == {"success": "true"}


def test_reference_no_greeting_answers_success_and_logs(
    container: FunctionContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    """jest: a query without GreetingUrl → success without it, "Couldn't find default voicemail greeting url"."""
    assert container.ok(connect_event("fetchDefaultVoicemailGreetingUrl", agentARN=AGENT_ARN)) == {"success": "true"}
    messages = [line["message"] for line in log_messages(capsys) if line["level"] == "ERROR"]
    assert "Couldn't find default voicemail greeting url from voicemail greeting" in messages
    assert AGENT_ARN not in json.dumps(messages)


def test_reference_salesforce_failure_answers_success_and_logs(
    container: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """jest: a rejected query → success without GreetingUrl, "Couldn't query voicemail greeting" logged."""
    salesforce.inject_malformed_query()
    assert container.ok(connect_event("fetchDefaultVoicemailGreetingUrl", agentARN=AGENT_ARN)) == {"success": "true"}
    [logged] = [line for line in log_messages(capsys) if line["message"].startswith("Couldn't query voicemail")]
    assert logged["errorCode"] == "MALFORMED_QUERY"


def test_a_hostile_agent_arn_stays_inside_its_literal(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.add_voicemail_greeting(salesforce.add_routing_map(AGENT_ARN), GREETING_URL)
    hostile = "x' OR ExternalId != '"
    assert container.ok(connect_event("fetchDefaultVoicemailGreetingUrl", agentARN=hostile)) == {"success": "true"}
    [query] = salesforce.data_requests()
    assert "ExternalId = 'x\\' OR ExternalId != \\''" in query.query["q"]


def test_reference_agent_phone_number_is_the_placeholder_without_any_request(
    container: FunctionContainer, salesforce: Any, secrets_server: Any
) -> None:
    """handler.test.js: fetchAgentPhoneNumber is called with the event only (no org); fetchAgentPhoneNumber.js
    answers {success: true, outboundPhoneNumber: ""}."""
    result = container.ok(connect_event("fetchAgentPhoneNumber", agentARN=AGENT_ARN))
    assert result == {"success": "true", "outboundPhoneNumber": ""}
    assert salesforce.requests == [] and secrets_server.count() == 0


def test_lambda_callers_get_the_reference_shapes(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.add_voicemail_greeting(salesforce.add_routing_map(AGENT_ARN), GREETING_URL)
    native = {"Details": {"Parameters": {"methodName": "fetchDefaultVoicemailGreetingUrl", "agentARN": AGENT_ARN}}}
    assert container.ok(native) == {"success": True, "GreetingUrl": GREETING_URL}
    native["Details"]["Parameters"]["methodName"] = "fetchAgentPhoneNumber"
    assert container.ok(native) == {"success": True, "outboundPhoneNumber": ""}
