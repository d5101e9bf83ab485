"""A flow's mistake is a BadRequestError naming the problem and the fix, before any Salesforce request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.invoker.conftest import FunctionContainer, connect_event

BAD_EVENTS: dict[str, tuple[Any, str, str]] = {
    "not an object": ("just a string", "INVALID_EVENT", "JSON object"),
    "a list": ([{"Details": {}}], "INVALID_EVENT", "JSON object"),
    "no Details": ({"Name": "ContactFlowEvent"}, "INVALID_EVENT", "Details"),
    "no Parameters": ({"Details": {"ContactData": {}}}, "INVALID_EVENT", "Details.Parameters"),
    "Parameters not an object": ({"Details": {"Parameters": "x"}}, "INVALID_EVENT", "Details.Parameters"),
    "no methodName": (connect_event(soql="SELECT Id FROM Account"), "MISSING_PARAMETER", "methodName"),
    "empty methodName": (connect_event(""), "MISSING_PARAMETER", "methodName"),
    "unknown method": (connect_event("dropTable"), "UNKNOWN_METHOD", "createRecord"),
    "wrong case": (connect_event("queryrecord", soql="x"), "UNKNOWN_METHOD", "case-sensitive"),
    "number value": (connect_event("createRecord", objectApiName="Account", Count=3), "INVALID_PARAMETER", "Count"),
    "null value": (connect_event("createRecord", objectApiName="Account", Name=None), "INVALID_PARAMETER", "Name"),
    "create without object": (connect_event("createRecord", Name="x"), "MISSING_PARAMETER", "objectApiName"),
    "update without id": (connect_event("updateRecord", objectApiName="Case"), "MISSING_PARAMETER", "recordId"),
    "delete without both": (connect_event("deleteRecord"), "MISSING_PARAMETER", "objectApiName, recordId"),
    "query without soql": (connect_event("queryRecord"), "MISSING_PARAMETER", "soql"),
    "query with blank soql": (connect_event("queryRecord", soql="   "), "MISSING_PARAMETER", "soql"),
    "search without sosl": (connect_event("searchRecord"), "MISSING_PARAMETER", "sosl"),
    "upload without map": (connect_event("uploadTranscript"), "MISSING_PARAMETER", "contactIdsPayloadMap"),
    "status without ids": (connect_event("fetchUploadIdsStatus"), "MISSING_PARAMETER", "uploadIds"),
    "outbound without agent": (connect_event("fetchOutboundPhoneNumber"), "MISSING_PARAMETER", "agentARN"),
    "object name with a slash": (
        connect_event("createRecord", objectApiName="Account/../query", Name="x"),
        "INVALID_PARAMETER",
        "objectApiName",
    ),
    "record id path traversal": (
        connect_event("updateRecord", objectApiName="Account", recordId="../query?q=x"),
        "INVALID_PARAMETER",
        "recordId",
    ),
    "record id wrong length": (
        connect_event("deleteRecord", objectApiName="Account", recordId="001abc"),
        "INVALID_PARAMETER",
        "recordId",
    ),
    "allRecords not boolean": (
        connect_event("queryRecord", soql="SELECT Id FROM Case", allRecords="yes"),
        "INVALID_PARAMETER",
        "allRecords",
    ),
    "upload map not JSON": (
        connect_event("uploadTranscript", contactIdsPayloadMap="{not json"),
        "INVALID_PARAMETER",
        "not valid JSON",
    ),
    "upload map an object": (
        connect_event("uploadTranscript", contactIdsPayloadMap='{"c-1": "x"}'),
        "INVALID_PARAMETER",
        "[contactId, payload]",
    ),
    "upload map empty": (
        connect_event("uploadTranscript", contactIdsPayloadMap="[]"),
        "INVALID_PARAMETER",
        "at least one pair",
    ),
    "upload pair of three": (
        connect_event("uploadTranscript", contactIdsPayloadMap='[["c-1", "x", "y"]]'),
        "INVALID_PARAMETER",
        "item 0",
    ),
    "upload payload not a string": (
        connect_event("uploadTranscript", contactIdsPayloadMap='[["c-1", {"a": 1}]]'),
        "INVALID_PARAMETER",
        "item 0",
    ),
}


@pytest.mark.parametrize("event, code, mentions", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_bad_request(
    container: FunctionContainer, salesforce: Any, secrets_server: Any, event: Any, code: str, mentions: str
) -> None:
    outcome = container.fails(event)
    assert outcome.error_type == "BadRequestError"
    failure = outcome.failure
    assert failure["success"] is False
    assert failure["status"] == 400
    assert failure["statusText"] == "Bad Request"
    assert failure["errorCode"] == code
    assert mentions in failure["errorMessage"]
    assert salesforce.requests == []  # no data request, not even a token
    assert secrets_server.count() == 0


def test_template_without_its_parameter_is_a_bad_request(container: FunctionContainer, salesforce: Any) -> None:
    outcome = container.fails(connect_event("queryRecord", soql="SELECT Id FROM Contact WHERE Phone = '{phone}'"))
    assert outcome.error_type == "BadRequestError"
    assert outcome.failure["errorCode"] == "INVALID_TEMPLATE"
    assert "phone" in outcome.failure["errorMessage"]
    assert salesforce.requests == []


def test_error_message_is_the_failure_json(container: FunctionContainer) -> None:
    outcome = container.fails(connect_event("nope"))
    assert set(outcome.failure) == {"success", "status", "statusText", "errorCode", "errorMessage"}
    assert outcome.error.failure == outcome.failure  # type: ignore[union-attr]
