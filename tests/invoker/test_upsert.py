"""upsertRecord: one PATCH to the external-id path, safe to repeat, so it is repeated once when that helps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.invoker.conftest import CONNECT_BUDGET_MS, FunctionContainer, connect_event

UPSERT_PATH = "/sobjects/Contact/Caller_Key__c/"


def upsert(external_id: str = "c-1", **fields: str) -> dict[str, Any]:
    return connect_event(
        "upsertRecord", objectApiName="Contact", externalIdField="Caller_Key__c", externalId=external_id, **fields
    )


def data_patches(salesforce: Any) -> list[Any]:
    return [request for request in salesforce.data_requests() if request.method == "PATCH"]


def test_upsert_twice_keeps_one_record_created_then_updated(container: FunctionContainer, salesforce: Any) -> None:
    first = container.ok(upsert(LastName="Yamada"))
    second = container.ok(upsert(Phone="+81312345678"))

    assert first == {"success": "true", "recordId": first["recordId"], "created": "true"}
    assert second == {"success": "true", "recordId": first["recordId"], "created": "false"}
    [contact] = salesforce.records("Contact")
    assert contact.fields == {"LastName": "Yamada", "Caller_Key__c": "c-1", "Phone": "+81312345678"}
    requests = data_patches(salesforce)
    assert [r.path.split("/sobjects/")[1] for r in requests] == ["Contact/Caller_Key__c/c-1"] * 2
    assert requests[0].json() == {"LastName": "Yamada"}  # the addressing parameters are not fields


def test_the_external_id_is_one_escaped_path_segment(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(upsert("+81 3?x#y%z", LastName="x"))
    [request] = data_patches(salesforce)
    assert request.path.endswith(UPSERT_PATH + "+81 3?x#y%z")  # the emulator's decoded path: one segment
    [contact] = salesforce.records("Contact")
    assert contact.fields["Caller_Key__c"] == "+81 3?x#y%z"


@pytest.mark.parametrize(
    ("parameters", "names"),
    [
        ({"externalId": "../Account"}, "externalId"),
        ({"externalId": "a/b"}, "externalId"),
        ({"externalId": "a\\b"}, "externalId"),
        ({"externalId": ".."}, "externalId"),
        ({"externalId": "c-1\n"}, "externalId"),
        ({"externalId": " c-1"}, "externalId"),
        ({"externalId": "x" * 256}, "externalId"),
        ({"externalIdField": "Caller-Key"}, "externalIdField"),
        ({"externalIdField": "Caller_Key__c\n"}, "externalIdField"),
        ({"externalIdField": "Caller_Key__c/../Id"}, "externalIdField"),
        ({"objectApiName": "Contact/x"}, "objectApiName"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_bad_addressing_is_refused_before_any_request(
    container: FunctionContainer, salesforce: Any, parameters: dict[str, str], names: str
) -> None:
    event = upsert(LastName="x")
    event["Details"]["Parameters"].update(parameters)
    outcome = container.fails(event)
    assert (outcome.failure["status"], outcome.failure["errorCode"]) == (400, "INVALID_PARAMETER")
    assert outcome.failure["errorMessage"].startswith(names)
    assert salesforce.data_requests() == []


def test_missing_external_id_names_the_parameter(container: FunctionContainer, salesforce: Any) -> None:
    outcome = container.fails(upsert(""))
    assert outcome.failure["errorCode"] == "MISSING_PARAMETER" and "externalId" in outcome.failure["errorMessage"]
    assert salesforce.data_requests() == []


def test_an_ambiguous_timeout_is_repeated_once_and_leaves_one_record(
    container: FunctionContainer, salesforce: Any
) -> None:
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Contact"))  # the token is cached
    salesforce.inject_fault(UPSERT_PATH, delay_seconds=30, answer_late=True)
    result = container.ok(upsert(LastName="Yamada"), budget_ms=CONNECT_BUDGET_MS)  # about the function's deadline

    assert len(data_patches(salesforce)) == 2
    [contact] = salesforce.records("Contact")  # the first attempt created it, the repeat found it
    assert result == {"success": "true", "recordId": contact.id, "created": "false"}


def test_an_ambiguous_timeout_twice_fails_clearly(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Contact"))
    salesforce.inject_fault(UPSERT_PATH, delay_seconds=30, answer_late=True, times=2)
    outcome = container.fails(upsert(LastName="Yamada"), budget_ms=3000)
    assert outcome.failure["errorCode"] == "TIMEOUT"
    assert "repeated once" in outcome.failure["errorMessage"]
    assert len(data_patches(salesforce)) == 2 and len(salesforce.records("Contact")) == 1


def test_a_5xx_is_repeated_once(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_unavailable(path_contains=UPSERT_PATH)
    assert container.ok(upsert(LastName="Yamada"))["created"] == "true"
    assert len(data_patches(salesforce)) == 2 and len(salesforce.records("Contact")) == 1
