"""composite: the steps go out as one Composite request; every mistake is refused before it, naming its step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.invoker.conftest import CONTACT_ID, FunctionContainer, connect_event

PHONE = "+81312345678"
#: the sample flow's new-caller sequence: find the voice call, create the contact and the case, link them
STEPS = [
    {"referenceId": "voiceCall", "method": "queryRecord",
     "soql": "SELECT Id FROM VoiceCall WHERE VendorCallKey = '{contactId}' LIMIT 1"},
    {"referenceId": "newContact", "method": "createRecord", "objectApiName": "Contact",
     "LastName": "Caller {phone}", "Phone": "{phone}"},
    {"referenceId": "newCase", "method": "createRecord", "objectApiName": "Case", "Subject": "Call from {phone}",
     "ContactId": "@{newContact.id}", "amazonconnect__AC_Contact_Id__c": "{contactId}"},
    {"referenceId": "link", "method": "updateRecord", "objectApiName": "VoiceCall",
     "recordId": "@{voiceCall.records[0].Id}", "RelatedRecordId": "@{newCase.id}"},
]  # fmt: skip


def composite(steps: list[dict[str, str]] | str, **parameters: str) -> dict[str, Any]:
    requests = steps if isinstance(steps, str) else json.dumps(steps)
    return connect_event("composite", requests=requests, **{"phone": PHONE, "contactId": CONTACT_ID, **parameters})


def step(reference_id: str, method: str = "createRecord", **parameters: str) -> dict[str, str]:
    if method == "createRecord":
        parameters = {"objectApiName": "Task", "Subject": "x", **parameters}
    return {"referenceId": reference_id, "method": method, **parameters}


@pytest.fixture
def voice_call(salesforce: Any) -> str:
    record_id = salesforce.add_record("VoiceCall", {"VendorCallKey": CONTACT_ID})
    salesforce.set_query_result("FROM VoiceCall", [{"Id": record_id}])
    return record_id


def test_the_sample_sequence_is_one_request_with_references(
    container: FunctionContainer, salesforce: Any, voice_call: str
) -> None:
    result = container.ok(composite(STEPS))

    [request] = salesforce.data_requests()
    assert request.method == "POST" and request.path.endswith("/composite")
    sent = request.json()
    assert sent["allOrNone"] is True
    base = request.path.removesuffix("/composite")
    assert [(s["method"], s["url"], s["referenceId"]) for s in sent["compositeRequest"]] == [
        ("GET", f"{base}/query/?q=SELECT%20Id%20FROM%20VoiceCall%20WHERE%20VendorCallKey%20%3D%20'{CONTACT_ID}'"
                "%20LIMIT%201", "voiceCall"),
        ("POST", f"{base}/sobjects/Contact", "newContact"),
        ("POST", f"{base}/sobjects/Case", "newCase"),
        ("PATCH", f"{base}/sobjects/Voicecall/@{{voiceCall.records[0].Id}}", "link"),
    ]  # fmt: skip
    assert sent["compositeRequest"][2]["body"]["ContactId"] == "@{newContact.id}"
    [contact], [case] = salesforce.records("Contact"), salesforce.records("Case")
    assert contact.fields == {"LastName": f"Caller {PHONE}", "Phone": PHONE}
    assert case.fields["ContactId"] == contact.id and case.fields["amazonconnect__AC_Contact_Id__c"] == CONTACT_ID
    assert salesforce.record(voice_call).fields["RelatedRecordId"] == case.id
    assert result == {
        "success": "true",
        "voiceCall.Id": voice_call,
        "newContact.success": "true",
        "newContact.recordId": contact.id,
        "newCase.success": "true",
        "newCase.recordId": case.id,
        "link.success": "true",
    }


def test_placeholders_are_escaped_as_queryrecord_escapes_them(container: FunctionContainer, salesforce: Any) -> None:
    hostile = "' OR Name != '"
    steps = [step("found", "queryRecord", soql="SELECT Id FROM Contact WHERE Phone = '{phone}'"),
             step("note", Subject="{phone}")]  # fmt: skip
    container.ok(composite(steps, phone=hostile))
    [request] = salesforce.data_requests()
    query, create = request.json()["compositeRequest"]
    assert "Phone%20%3D%20'%5C'%20OR%20Name%20!%3D%20%5C''" in query["url"]  # \' kept inside the literal
    assert create["body"] == {"Subject": hostile}  # a field takes the value as it is (JSON escapes it)


def test_a_failing_step_with_all_or_none_keeps_nothing_and_names_the_step(
    container: FunctionContainer, salesforce: Any, voice_call: str
) -> None:
    salesforce.require_fields("Case", "Origin")
    outcome = container.fails(composite(STEPS))

    failure = outcome.failure
    assert (failure["status"], failure["errorCode"]) == (400, "REQUIRED_FIELD_MISSING")
    assert (failure["referenceId"], failure["rolledBack"]) == ("newCase", True)
    assert failure["errorMessage"].startswith("step 'newCase' (createRecord) failed: Required fields are missing")
    assert "nothing was kept" in failure["errorMessage"]
    assert salesforce.records("Contact") == [] and salesforce.records("Case") == []
    assert "RelatedRecordId" not in salesforce.record(voice_call).fields
    assert len(salesforce.data_requests()) == 1


def test_without_all_or_none_what_ran_is_kept_and_the_failure_named(
    container: FunctionContainer, salesforce: Any, voice_call: str
) -> None:
    salesforce.require_fields("Case", "Origin")
    result = container.ok(composite(STEPS, allOrNone="false"))

    [contact] = salesforce.records("Contact")
    assert result["success"] == "false"
    assert (result["failedReferenceId"], result["errorCode"], result["rolledBack"]) == (
        "newCase", "REQUIRED_FIELD_MISSING", "false"
    )  # fmt: skip
    assert result["newContact.recordId"] == contact.id
    assert result["newCase.success"] == "false"
    assert result["link.errorCode"] == "PROCESSING_HALTED"  # it needed the case


def test_an_upsert_step_answers_created(container: FunctionContainer, salesforce: Any) -> None:
    upsert = step("caller", "upsertRecord", objectApiName="Contact", externalIdField="Caller_Key__c",
                  externalId="{contactId}", LastName="x")  # fmt: skip
    first = container.ok(composite([upsert]))
    second = container.ok(composite([upsert]))
    assert (first["caller.created"], second["caller.created"]) == ("true", "false")
    assert first["caller.recordId"] == second["caller.recordId"]
    assert len(salesforce.records("Contact")) == 1


REFUSED = {
    "not JSON": ("[{", "requests is not valid JSON"),
    "not a list": ('{"referenceId": "a"}', "requests must be a non-empty JSON list"),
    "empty": ("[]", "requests must be a non-empty JSON list"),
    "26 steps": ([step(f"s{i}") for i in range(26)], "requests has 26 steps"),
    "6 queries": ([step(f"q{i}", "queryRecord", soql="SELECT Id FROM Case") for i in range(6)],
                  "step 6 ('q5') is query number 6"),
    "a step not an object": ([step("a"), "x"], "step 2 is not a JSON object"),
    "no referenceId": ([{"method": "createRecord", "objectApiName": "Task"}], "step 1 needs a referenceId"),
    "bad referenceId": ([step("1st")], "step 1 ('1st') needs a referenceId"),
    "referenceId like an answer key": ([step("success")], "step 1 ('success'): referenceId 'success' is a key"),
    "duplicate referenceId": ([step("a"), step("a")], "step 2 ('a'): referenceId 'a' is used by an earlier step"),
    "unknown method": ([step("a", "searchRecord", sosl="FIND {x}")], "step 1 ('a'): method 'searchRecord' cannot"),
    "no method": ([{"referenceId": "a"}], "step 1 ('a'): method missing cannot be a step"),
    "reference to a later step": ([step("a", WhatId="@{b.id}"), step("b")],
                                  "step 1 ('a'): WhatId: @{b.id} refers to 'b', which is a later step"),
    "reference to an unknown step": ([step("a", WhatId="@{zz.id}")], "refers to 'zz', which is no step"),
    "reference to a step without a result": (
        [step("u", "updateRecord", objectApiName="Task", recordId="00T000000000001"), step("a", WhatId="@{u.id}")],
        "step 'u' (updateRecord) has no result to refer to"),
    "reference to a field a create has not": ([step("a"), step("b", WhatId="@{a.records[0].Id}")],
                                              "refer to e.g. @{a.id}"),
    "unterminated reference": ([step("a"), step("b", WhatId="@{a.id")], "unterminated reference"),
    "not a reference": ([step("a"), step("b", WhatId="@{a}")], "@{a} is not a reference"),
    "reference as the object": ([step("a"), step("b", objectApiName="@{a.id}")], "objectApiName cannot be a reference"),
    "part of a record id": ([step("a"), step("b", "updateRecord", objectApiName="Task", recordId="x@{a.id}")],
                            "recordId must be a whole reference"),
    "missing placeholder": ([step("a", Subject="{missing}")], "no parameter named missing"),
    "a value adding a reference": ([step("a"), step("b", Subject="{evil}")], "contains @{"),
    "not text": ([{"referenceId": "a", "method": "createRecord", "objectApiName": "Task", "Priority": 1}],
                 "Priority must be text"),
    "allRecords in a step": ([step("q", "queryRecord", soql="SELECT Id FROM Case", allRecords="true")],
                             "takes only soql, not allRecords"),
    "missing objectApiName": ([{"referenceId": "a", "method": "createRecord", "Subject": "x"}],
                              "step 1 ('a'): createRecord needs objectApiName"),
    "bad record id": ([step("a", "deleteRecord", objectApiName="Task", recordId="../x")],
                      "step 1 ('a'): recordId must be a Salesforce record id"),
    "bad external id": ([step("a", "upsertRecord", objectApiName="Contact", externalIdField="K__c", externalId="a/b")],
                        "step 1 ('a'): externalId must be"),
    "soql outside quotes": ([step("q", "queryRecord", soql="SELECT Id FROM Case WHERE Id = {phone}")],
                            "step 1 ('q'): soql: placeholder {phone} is outside any quoted literal"),
}  # fmt: skip


@pytest.mark.parametrize(("steps", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_broken_list_is_refused_before_any_request(
    container: FunctionContainer, salesforce: Any, steps: Any, message: str
) -> None:
    outcome = container.fails(composite(steps, evil="@{a.id}", phone="+81 3"))
    assert outcome.failure["status"] == 400
    assert message in outcome.failure["errorMessage"], outcome.failure["errorMessage"]
    assert salesforce.data_requests() == []


def test_all_or_none_must_be_a_boolean(container: FunctionContainer, salesforce: Any) -> None:
    outcome = container.fails(composite([step("a")], allOrNone="maybe"))
    assert 'allOrNone must be "true" or "false"' in outcome.failure["errorMessage"]
    assert salesforce.data_requests() == []


def test_each_step_is_rendered_once_per_call(
    container: FunctionContainer, salesforce: Any, voice_call: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before the request parses and renders the steps; run sends those steps, never a second render."""
    templating = container.module("templating")
    renders: list[str] = []
    real_render = templating._render
    monkeypatch.setattr(templating, "_render", lambda t, *a, **k: renders.append(t) or real_render(t, *a, **k))
    container.ok(composite(STEPS))
    assert renders == [s["soql"] for s in STEPS if "soql" in s]
