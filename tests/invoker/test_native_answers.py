"""Lambda-to-Lambda callers (no Connect envelope) get the Node.js function's answer shapes; contact flows
keep the flat string map.

SCV's own ContactDataSync function invokes the function with ``{"Details": {"Parameters": {...}}}`` only
(no ``Name: ContactFlowEvent``, no ContactData) and parses Salesforce's JSON as it came.
"""

from __future__ import annotations

import json
from typing import Any

from tests.invoker.conftest import CONTACT_ID, FunctionContainer, connect_event


def lambda_event(method: str, **parameters: str) -> dict[str, Any]:
    """What ContactDataSync and realtimeAlert send: parameters only, as their sfRestApi.js builds them."""
    return {"Details": {"Parameters": {"methodName": method, **parameters}}}


def test_contact_data_sync_upload_gets_salesforces_json_as_it_came(
    container: FunctionContainer, salesforce: Any
) -> None:
    pairs = json.dumps([["contact-1", '{"type": "conversation"}'], ["contact-2", "second"]])
    answer = container.ok(lambda_event("uploadTranscript", contactIdsPayloadMap=pairs))
    uploads = salesforce.uploads
    assert answer == {
        "uploads": [
            {"conversationIdentifier": "contact-1", "uploadId": uploads[0].upload_id},
            {"conversationIdentifier": "contact-2", "uploadId": uploads[1].upload_id},
        ]
    }


def test_contact_data_sync_status_keeps_lists_and_nulls(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(lambda_event("uploadTranscript", contactIdsPayloadMap=json.dumps([["c-1", "x"]])))
    upload_id = salesforce.uploads[0].upload_id
    answer = container.ok(lambda_event("fetchUploadIdsStatus", uploadIds=f"{upload_id},unknown-id"))
    assert answer == {
        "statuses": [
            {"uploadId": upload_id, "conversationIdentifier": "c-1", "status": "Completed"},
            {"uploadId": "unknown-id", "conversationIdentifier": None, "status": "NotFound"},
        ]
    }


def test_the_same_call_from_a_contact_flow_stays_a_flat_string_map(
    container: FunctionContainer, salesforce: Any
) -> None:
    container.ok(lambda_event("uploadTranscript", contactIdsPayloadMap=json.dumps([["c-1", "x"]])))
    upload_id = salesforce.uploads[0].upload_id
    flat = container.ok(connect_event("fetchUploadIdsStatus", uploadIds=f"{upload_id},unknown-id"))
    assert flat["statuses.0.status"] == "Completed"
    assert flat["statuses.1.conversationIdentifier"] == ""
    assert all(isinstance(value, str) for value in flat.values())


def test_a_flow_event_without_contact_data_is_still_a_flow(container: FunctionContainer, salesforce: Any) -> None:
    """``Name: ContactFlowEvent`` alone marks a contact flow (a flow may run without contact data in tests)."""
    salesforce.set_query_result("FROM Opportunity", [{"Amount": 1500.0}])
    answer = container.ok(connect_event("queryRecord", contact_data={}, soql="SELECT Amount FROM Opportunity"))
    assert answer == {"Amount": "1500"}


def test_contact_data_without_the_name_is_still_a_flow(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_query_result("FROM Opportunity", [{"Amount": 1500.0}])
    event = {"Details": {"ContactData": {"ContactId": CONTACT_ID}, "Parameters": {
        "methodName": "queryRecord", "soql": "SELECT Amount FROM Opportunity"}}}  # fmt: skip
    assert container.ok(event) == {"Amount": "1500"}


def test_query_for_a_lambda_caller_is_flattened_with_json_types(container: FunctionContainer, salesforce: Any) -> None:
    """The Node.js function returned ``flat(record)``: dotted keys, numbers and booleans as JSON."""
    salesforce.set_query_result(
        "FROM Contact", [{"Name": "Ada", "Owner": {"Name": "Bob"}, "Age__c": 36, "Score__c": 1500.0, "Vip__c": True,
                          "Fax": None, "Tags__c": []}]
    )  # fmt: skip
    answer = container.ok(lambda_event("queryRecord", soql="SELECT Name FROM Contact"))
    assert answer["Owner.Name"] == "Bob"
    assert answer["Age__c"] == 36 and answer["Score__c"] == 1500 and isinstance(answer["Score__c"], int)
    assert answer["Vip__c"] is True and answer["Fax"] is None and answer["Tags__c"] == []
    assert answer["Owner.attributes.type"] == "User"


def test_create_and_alert_answers_keep_their_types(container: FunctionContainer, salesforce: Any) -> None:
    created = container.ok(lambda_event("createRecord", objectApiName="Case", Subject="x"))
    assert created["success"] is True and salesforce.record(created["recordId"]) is not None
    alert = container.ok(lambda_event("realtimeAlertEvent", AlertType__c="Escalation"))
    assert alert["success"] is True
    assert alert["errors"][0]["statusCode"] == "OPERATION_ENQUEUED"  # a list of objects, as Salesforce sent it


def test_field_service_answer_for_a_lambda_caller(container: FunctionContainer) -> None:
    """No contact data, so no caller number: ANONYMOUS, with statusCode a number as the Node.js function had it."""
    answer = container.ok(lambda_event("SFSPhoneCallFlowQuery"))
    assert answer == {"success": True, "statusCode": 200, "status": "ANONYMOUS"}
