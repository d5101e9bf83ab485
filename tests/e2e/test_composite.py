"""Fewer API calls per contact, over the shipped invoker bundle: the composite sample flow and upsertRecord."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scv_salesforce.connect import load_composite_flow

from tools.harness.deployment import LocalDeployment
from tools.harness.events import connect_event

pytestmark = pytest.mark.e2e

PHONE = "+81312345678"
CONTACT_ID = "6e0b1b5e-8f41-4b6e-9a55-2f1f3c1d2e3f"  # conftest.connect_event's contact


def flow_parameters(action: str, **contact: str) -> dict[str, str]:
    """An Invoke block's parameters of the composite sample flow, resolved as Connect resolves them."""
    (invoke,) = [a for a in load_composite_flow()["Actions"] if a["Identifier"] == action]
    resolved = {"$.CustomerEndpoint.Address": contact.get("phone", PHONE), "$.ContactId": CONTACT_ID}
    attributes = invoke["Parameters"]["LambdaInvocationAttributes"]
    return {key: resolved.get(value, value) for key, value in attributes.items()}


def seed_voice_call(deployment: LocalDeployment) -> str:
    """The VoiceCall Service Cloud Voice created for the contact, found by its VendorCallKey."""
    voice_call = deployment.salesforce.add_record("VoiceCall", {"VendorCallKey": CONTACT_ID})
    deployment.salesforce.set_query_result("FROM VoiceCall", [{"Id": voice_call}])
    return voice_call


def test_a_new_caller_is_created_and_linked_in_one_request(deployment: LocalDeployment) -> None:
    salesforce = deployment.salesforce
    voice_call = seed_voice_call(deployment)
    invoker = deployment.start_invoker()
    lookup = invoker.invoke(connect_event(flow_parameters("lookup-caller")))
    assert lookup.ok and lookup.payload == {}  # unknown caller: the flow takes the create branch
    before = len(salesforce.data_requests())

    result = invoker.invoke(connect_event(flow_parameters("create-caller-and-case")))

    assert result.ok, result.error
    [request] = salesforce.data_requests()[before:]
    assert (request.method, request.path.rsplit("/", 1)[1]) == ("POST", "composite")
    [contact], [case] = salesforce.records("Contact"), salesforce.records("Case")
    assert contact.fields["Phone"] == PHONE
    assert case.fields["ContactId"] == contact.id and case.fields["amazonconnect__AC_Contact_Id__c"] == CONTACT_ID
    assert salesforce.record(voice_call).fields["RelatedRecordId"] == case.id
    assert result.payload["newContact.recordId"] == contact.id and result.payload["newCase.recordId"] == case.id
    assert result.payload["success"] == "true" and result.payload["voiceCall.Id"] == voice_call
    assert all(isinstance(value, str) for value in result.payload.values())


def test_a_failing_second_step_keeps_nothing_and_names_the_step(deployment: LocalDeployment) -> None:
    salesforce = deployment.salesforce
    voice_call = seed_voice_call(deployment)
    salesforce.require_fields("Contact", "Email")
    result = deployment.start_invoker().invoke(connect_event(flow_parameters("create-caller-and-case")))

    assert not result.ok
    failure = result.failure
    assert (failure["errorCode"], failure["referenceId"], failure["rolledBack"]) == (
        "REQUIRED_FIELD_MISSING", "newContact", True
    )  # fmt: skip
    assert "step 'newContact' (createRecord) failed" in failure["errorMessage"]
    assert "nothing was kept" in failure["errorMessage"]
    assert salesforce.records("Contact") == [] and salesforce.records("Case") == []
    assert "RelatedRecordId" not in salesforce.record(voice_call).fields
    assert len(salesforce.data_requests()) == 1


def upsert_event() -> dict[str, Any]:
    return connect_event({"methodName": "upsertRecord", "objectApiName": "Case",
                          "externalIdField": "amazonconnect__AC_Contact_Id__c", "externalId": CONTACT_ID,
                          "Subject": "Call"})  # fmt: skip


def test_upsert_twice_with_the_same_external_id_keeps_one_record(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    first, second = invoker.invoke(upsert_event()), invoker.invoke(upsert_event())
    assert first.ok and second.ok
    [case] = deployment.salesforce.records("Case")
    assert (first.payload["created"], second.payload["created"]) == ("true", "false")
    assert first.payload["recordId"] == second.payload["recordId"] == case.id


def test_an_ambiguous_timeout_on_upsert_is_repeated_once_and_leaves_one_record(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    assert invoker.invoke(connect_event({"methodName": "queryRecord", "soql": "SELECT Id FROM Case"})).ok  # token
    deployment.salesforce.inject_fault("/sobjects/Case/", delay_seconds=30, answer_late=True, method="PATCH")
    result = invoker.invoke(upsert_event(), timeout_ms=deployment.invoker_timeout_ms)  # about the deadline

    assert result.ok, result.error
    patches = [r for r in deployment.salesforce.data_requests() if r.method == "PATCH"]
    assert len(patches) == 2
    [case] = deployment.salesforce.records("Case")
    assert result.payload == {"success": "true", "recordId": case.id, "created": "false"}


def composite_event(steps: Any, **parameters: str) -> dict[str, Any]:
    requests = steps if isinstance(steps, str) else json.dumps(steps)
    return connect_event({"methodName": "composite", "requests": requests, "phone": PHONE, **parameters})


TASK = {"method": "createRecord", "objectApiName": "Task", "Subject": "x"}
QUERY = {"method": "queryRecord", "soql": "SELECT Id FROM Case"}
REFUSED = {
    "malformed list": (composite_event('[{"referenceId": "a",'), "requests is not valid JSON"),
    "26 steps": (composite_event([{**TASK, "referenceId": f"t{i}"} for i in range(26)]), "requests has 26 steps"),
    "6 queries": (composite_event([{**QUERY, "referenceId": f"q{i}"} for i in range(6)]), "step 6 ('q5')"),
    "unknown method": (composite_event([{**TASK, "referenceId": "a", "method": "uploadTranscript"}]),
                       "step 1 ('a'): method 'uploadTranscript' cannot be a step"),
    "reference to a later step": (
        composite_event([{**TASK, "referenceId": "a", "WhatId": "@{b.id}"}, {**TASK, "referenceId": "b"}]),
        "step 1 ('a'): WhatId: @{b.id} refers to 'b', which is a later step"),
    "reference to an unknown step": (composite_event([{**TASK, "referenceId": "a", "WhatId": "@{zz.id}"}]),
                                     "step 1 ('a'): WhatId: @{zz.id} refers to 'zz', which is no step"),
    "upsert external id with traversal": (
        connect_event({"methodName": "upsertRecord", "objectApiName": "Case", "externalIdField": "Key__c",
                       "externalId": "../../sobjects/User"}), "externalId must be"),
    "upsert external id with a trailing newline": (
        connect_event({"methodName": "upsertRecord", "objectApiName": "Case", "externalIdField": "Key__c",
                       "externalId": "c-1\n"}), "externalId must be"),
    "upsert external id field with a trailing newline": (
        connect_event({"methodName": "upsertRecord", "objectApiName": "Case", "externalIdField": "Key__c\n",
                       "externalId": "c-1"}), "externalIdField must be"),
}  # fmt: skip


@pytest.mark.parametrize(("event", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_input_sends_no_request(deployment: LocalDeployment, event: dict[str, Any], message: str) -> None:
    result = deployment.start_invoker().invoke(event)
    assert not result.ok
    assert (result.failure["status"], result.failure["success"]) == (400, False)
    assert message in result.failure["errorMessage"], result.failure["errorMessage"]
    assert deployment.salesforce.data_requests() == []
