"""Every method against the emulated org: the requests it sends and the flat answers contact flows read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.invoker.conftest import CALL_CENTER_API_NAME, CONTACT_ID, FunctionContainer, connect_event

SEED_EVENT = {
    "Details": {
        "Parameters": {"methodName": "queryRecord", "soql": "SELECT Name FROM Account Where Id='000000000000000'"}
    }
}


def test_seed_console_event_returns_empty_map(container: FunctionContainer, salesforce: Any) -> None:
    """The console test event the stack documents (no ContactData) answers {} when nothing matches."""
    assert container.ok(SEED_EVENT) == {}
    [query] = salesforce.data_requests()
    assert query.query["q"] == "SELECT Name FROM Account Where Id='000000000000000'"


def test_create_record(container: FunctionContainer, salesforce: Any) -> None:
    result = container.ok(connect_event("createRecord", objectApiName="account", Name="Acme", Phone="+81312345678"))
    assert result["success"] == "true"
    record = salesforce.record(result["recordId"])
    assert record is not None and record.sobject == "Account"
    assert record.fields == {"Name": "Acme", "Phone": "+81312345678"}
    [request] = salesforce.data_requests()
    assert request.method == "POST" and request.path.endswith("/sobjects/Account")
    assert set(result) == {"success", "recordId"}


def test_object_api_name_normalized_like_the_node_function(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(connect_event("createRecord", objectApiName="vOICEcALL", CallType="Inbound"))
    assert salesforce.data_requests()[0].path.endswith("/sobjects/Voicecall")


def test_update_record(container: FunctionContainer, salesforce: Any) -> None:
    record_id = salesforce.add_record("Contact", {"LastName": "Lovelace"})
    result = container.ok(
        connect_event("updateRecord", objectApiName="Contact", recordId=record_id, Description="called")
    )
    assert result == {"success": "true"}
    assert salesforce.record(record_id).fields == {"LastName": "Lovelace", "Description": "called"}
    [request] = salesforce.data_requests()
    assert request.method == "PATCH"
    assert request.json() == {"Description": "called"}  # methodName, objectApiName, recordId are not fields


def test_delete_record(container: FunctionContainer, salesforce: Any) -> None:
    record_id = salesforce.add_record("Case", {"Subject": "x"})
    assert container.ok(connect_event("deleteRecord", objectApiName="case", recordId=record_id)) == {"success": "true"}
    assert salesforce.record(record_id) is None


def test_update_missing_record_fails_with_salesforce_error(container: FunctionContainer) -> None:
    outcome = container.fails(connect_event("updateRecord", objectApiName="Contact", recordId="003000000000001AAA"))
    assert outcome.error_type == "SalesforceApiError"
    assert outcome.failure["status"] == 404
    assert outcome.failure["errorCode"] == "NOT_FOUND"
    assert outcome.failure["success"] is False


def test_query_record_first_record_flattened(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_query_result(
        "FROM Contact",
        [
            {"Id": "0035g00000AAAAAAAA", "Name": "Ada", "Owner": {"Name": "Bob"}, "Age__c": 36, "Vip__c": True},
            {"Id": "0035g00000BBBBBBBB", "Name": "Grace"},
        ],
    )
    result = container.ok(connect_event("queryRecord", soql="SELECT Id, Name, Owner.Name FROM Contact"))
    assert result["Id"] == "0035g00000AAAAAAAA"
    assert result["Name"] == "Ada"
    assert result["Owner.Name"] == "Bob"
    assert result["Age__c"] == "36"
    assert result["Vip__c"] == "true"
    assert not any(key.startswith("attributes") for key in result)  # the top-level attributes are dropped
    assert all(isinstance(value, str) for value in result.values())


def test_query_placeholders_are_rendered_and_escaped(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(
        connect_event(
            "queryRecord",
            soql="SELECT Id FROM Contact WHERE Phone = '{phone}' AND LastName = '{name}'",
            phone="+81312345678",
            name="O'Brien' OR Name LIKE '%",
        )
    )
    soql = salesforce.data_requests()[0].query["q"]
    assert "+81312345678" in soql
    assert "LastName = 'O\\'Brien\\' OR Name LIKE \\'%'" in soql
    assert "{" not in soql


def test_query_all_records_opt_in(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_query_result("FROM Case", [{"Subject": "a"}, {"Subject": "b"}])
    result = container.ok(connect_event("queryRecord", soql="SELECT Subject FROM Case", allRecords="true"))
    assert result["totalSize"] == "2"
    assert result["returnedSize"] == "2"
    assert result["truncated"] == "false"
    assert "a" in result.values() and "b" in result.values()


def test_query_no_record_returns_empty(container: FunctionContainer) -> None:
    assert container.ok(connect_event("queryRecord", soql="SELECT Id FROM Lead")) == {}


def test_search_record_keeps_anchor_shape(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_search_result("FIND {Acme}", [{"Id": "0015g00000AAAAAAAA", "Name": "Acme"}])
    result = container.ok(connect_event("searchRecord", sosl="FIND {Acme} RETURNING Account(Id, Name)"))
    assert result["Id"] == "0015g00000AAAAAAAA"
    assert result["Name"] == "Acme"
    assert result["attributes.type"] == "Account"  # the Node.js function kept attributes for search results
    request = salesforce.data_requests()[0]
    assert request.path.endswith("/search") or request.path.endswith("/search/")


def test_search_record_none(container: FunctionContainer) -> None:
    assert container.ok(connect_event("searchRecord", sosl="FIND {nothing} RETURNING Account(Id)")) == {}


def test_upload_transcript_multipart(container: FunctionContainer, salesforce: Any) -> None:
    pairs = [["contact-1", '{"transcript": [1]}'], ["contact-2", "second"]]
    result = container.ok(connect_event("uploadTranscript", contactIdsPayloadMap=json.dumps(pairs)))
    uploads = salesforce.uploads
    assert [(upload.contact_id, upload.filename, upload.content) for upload in uploads] == [
        ("contact-1", "transcripts.txt", b'{"transcript": [1]}'),
        ("contact-2", "transcripts.txt", b"second"),
    ]
    assert result["uploads.0.conversationIdentifier"] == "contact-1"
    assert result["uploads.1.uploadId"] == uploads[1].upload_id


def test_fetch_upload_ids_status(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(connect_event("uploadTranscript", contactIdsPayloadMap=json.dumps([["c-1", "x"]])))
    upload_id = salesforce.uploads[0].upload_id
    result = container.ok(connect_event("fetchUploadIdsStatus", uploadIds=f"{upload_id},unknown-id"))
    assert result["statuses.0.status"] == "Completed"
    assert result["statuses.1.status"] == "NotFound"
    request = salesforce.data_requests()[-1]
    assert request.method == "GET" and request.query["uploadIds"] == f"{upload_id},unknown-id"


def test_realtime_alert_event(container: FunctionContainer, salesforce: Any) -> None:
    result = container.ok(
        connect_event("realtimeAlertEvent", ContactId__c=CONTACT_ID, Message__c="customer is upset", Severity__c="1")
    )
    assert result["success"] == "true"
    assert result["id"]
    assert result["errors.0.statusCode"] == "OPERATION_ENQUEUED"
    [event] = salesforce.published_events
    assert event.fields == {"ContactId__c": CONTACT_ID, "Message__c": "customer is upset", "Severity__c": "1"}


# ---------------------------------------------------------------------------------------------- SFSPhoneCallFlowQuery


def sfs_event(address: str | None) -> dict[str, Any]:
    contact: dict[str, Any] = {"ContactId": CONTACT_ID}
    if address is not None:
        contact["CustomerEndpoint"] = {"Address": address, "Type": "TELEPHONE_NUMBER"}
    return connect_event("SFSPhoneCallFlowQuery", contact_data=contact)


@pytest.mark.parametrize("address", [None, "anonymous", "+8131", "+81-3-1234-5678", "{0,1}12345678", "+" + "1" * 20])
def test_sfs_anonymous_without_request(container: FunctionContainer, salesforce: Any, address: str | None) -> None:
    result = container.ok(sfs_event(address))
    assert result == {"success": "true", "statusCode": "200", "status": "ANONYMOUS"}
    assert salesforce.data_requests() == []


def test_sfs_transfer_call(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_query_result("FROM FieldServiceOrgSettings", [{"ApptAssistantStatus": "Dispatched"}])
    salesforce.set_query_result(
        "FROM AssignedResource", [{"ServiceResource": {"RelatedRecord": {"Phone": "+819011112222"}}}]
    )
    result = container.ok(sfs_event("+81312345678"))
    assert result == {"success": "true", "status": "TRANSFER_CALL", "statusCode": "200", "engPhone": "+819011112222"}
    engineer_query = salesforce.data_requests()[1].query["q"]
    assert "ServiceAppointment.Status='Dispatched'" in engineer_query
    assert "ServiceAppointment.Contact.Phone='+81312345678'" in engineer_query


def test_sfs_phone_not_found_and_default_status(container: FunctionContainer, salesforce: Any) -> None:
    result = container.ok(sfs_event("0312345678"))
    assert result == {
        "success": "true",
        "statusCode": "200",
        "msg": "Assign resource not found or no phone in AssignedResource record",
        "status": "PHONE_NOT_FOUND",
    }
    assert "ServiceAppointment.Status='En Route'" in salesforce.data_requests()[1].query["q"]


def test_sfs_warm_call_makes_one_request(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_query_result("FROM FieldServiceOrgSettings", [{"ApptAssistantStatus": "En Route"}])
    container.ok(sfs_event("+81312345678"))
    assert len(salesforce.data_requests()) == 2
    container.ok(sfs_event("+81312345679"))
    assert len(salesforce.data_requests()) == 3  # ApptAssistantStatus came from the container's memory


def test_sfs_degrades_on_salesforce_error(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_malformed_query(times=2)
    result = container.ok(sfs_event("+81312345678"))
    assert result == {
        "success": "true",
        "statusCode": "200",
        "msg": "getInfo() exception",
        "status": "PHONE_NOT_FOUND",
    }


# ---------------------------------------------------------------------------------- fetchOutboundPhoneNumber


AGENT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/def"


def test_fetch_outbound_phone_number(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_query_result("FROM MessagingChannel", [{"MessagingPlatformKey": "+815011112222"}])
    result = container.ok(connect_event("fetchOutboundPhoneNumber", agentARN=AGENT_ARN))
    assert result == {"success": "true", "outboundPhoneNumber": "+815011112222"}
    soql = salesforce.data_requests()[0].query["q"]
    assert f"InternalName='{CALL_CENTER_API_NAME}'" in soql
    assert f"ExternalId='{AGENT_ARN}'" in soql


def test_fetch_outbound_phone_number_not_found(container: FunctionContainer) -> None:
    assert container.ok(connect_event("fetchOutboundPhoneNumber", agentARN=AGENT_ARN)) == {"success": "true"}


def test_fetch_outbound_escapes_agent_arn(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(connect_event("fetchOutboundPhoneNumber", agentARN="x' OR ExternalId != '"))
    soql = salesforce.data_requests()[0].query["q"]
    assert "ExternalId='x\\' OR ExternalId != \\''" in soql


@pytest.mark.parametrize(
    ("method", "parameter", "template", "filled"),
    [
        ("queryRecord", "soql", "SELECT Id FROM Contact WHERE Phone = '{phone}'", "Phone = '+81312345678'"),
        ("searchRecord", "sosl", "FIND {{phone}} RETURNING Contact(Id)", "FIND {\\+81312345678}"),
    ],
)
def test_a_template_is_rendered_once_per_call_and_that_statement_is_sent(
    container: FunctionContainer,
    salesforce: Any,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    parameter: str,
    template: str,
    filled: str,
) -> None:
    """The check before any request renders the template; the method sends what it rendered, not a second render."""
    templating = container.module("templating")
    renders: list[str] = []
    real_render = templating._render
    monkeypatch.setattr(templating, "_render", lambda t, *a, **k: renders.append(t) or real_render(t, *a, **k))
    container.ok(connect_event(method, **{parameter: template, "phone": "+81312345678"}))
    assert renders == [template]
    assert filled in salesforce.data_requests()[-1].query["q"]
