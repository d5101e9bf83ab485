"""Hostile values from a contact flow (the outside audit's categories): every one is a clear 400 that
names the parameter, sent to no one. Trailing line breaks and NULs, deep nesting, lone surrogates and
values past Salesforce's documented limits."""

from __future__ import annotations

from typing import Any

import pytest

from tests.invoker.conftest import CONTACT_ID, FunctionContainer, connect_event

RECORD_ID = "003000000000001AAA"
#: what a value may end in that ``re.match`` with ``$`` let through (``$`` matches before a final newline)
TRAILING = {"newline": "\n", "carriage return": "\r", "NUL": "\x00"}


def assert_bad_request(outcome: Any, parameter: str, salesforce: Any) -> dict[str, Any]:
    assert outcome.error_type == "BadRequestError", outcome.error
    failure = outcome.failure
    assert failure["status"] == 400
    assert parameter in failure["errorMessage"]
    assert salesforce.data_requests() == []
    return failure


@pytest.mark.parametrize("trailing", TRAILING.values(), ids=TRAILING.keys())
@pytest.mark.parametrize("method", ["createRecord", "updateRecord", "deleteRecord"])
def test_an_object_name_with_a_trailing_control_character_is_refused(
    container: FunctionContainer, salesforce: Any, method: str, trailing: str
) -> None:
    outcome = container.fails(connect_event(method, objectApiName="Contact" + trailing, recordId=RECORD_ID))
    assert_bad_request(outcome, "objectApiName", salesforce)


@pytest.mark.parametrize("trailing", TRAILING.values(), ids=TRAILING.keys())
@pytest.mark.parametrize("method", ["updateRecord", "deleteRecord"])
def test_a_record_id_with_a_trailing_control_character_is_refused(
    container: FunctionContainer, salesforce: Any, method: str, trailing: str
) -> None:
    salesforce.add_record("Contact", {"LastName": "Kept"}, record_id=RECORD_ID)
    outcome = container.fails(connect_event(method, objectApiName="Contact", recordId=RECORD_ID + trailing))
    assert_bad_request(outcome, "recordId", salesforce)
    assert salesforce.record(RECORD_ID) is not None


@pytest.mark.parametrize("trailing", TRAILING.values(), ids=TRAILING.keys())
def test_a_caller_number_with_a_trailing_control_character_never_reaches_the_query(
    container: FunctionContainer, salesforce: Any, trailing: str
) -> None:
    contact = {"ContactId": CONTACT_ID, "CustomerEndpoint": {"Address": "+81312345678" + trailing}}
    result = container.ok(connect_event("SFSPhoneCallFlowQuery", contact_data=contact))
    assert result["status"] == "ANONYMOUS"
    assert salesforce.data_requests() == []


def test_a_deeply_nested_transcript_map_is_a_bad_request(container: FunctionContainer, salesforce: Any) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    outcome = container.fails(connect_event("uploadTranscript", contactIdsPayloadMap=nested))
    failure = assert_bad_request(outcome, "contactIdsPayloadMap", salesforce)
    assert "nested too deeply" in failure["errorMessage"]


SURROGATE_EVENTS = {
    "query template": (connect_event("queryRecord", soql="SELECT Id FROM Case WHERE Subject = '\ud800'"), "soql"),
    "query value": (
        connect_event("queryRecord", soql="SELECT Id FROM Case WHERE Subject = '{s}'", s="x\ud800"),
        "s",
    ),
    "record field": (connect_event("createRecord", objectApiName="Case", Subject="\udfff"), "Subject"),
    "field name": (connect_event("createRecord", objectApiName="Case", **{"Sub\ud800ject": "x"}), "Sub\\ud800ject"),
    "upload ids": (connect_event("fetchUploadIdsStatus", uploadIds="a\ud800"), "uploadIds"),
    "transcript": (
        connect_event("uploadTranscript", contactIdsPayloadMap='[["c-1", "\ud800"]]'),
        "contactIdsPayloadMap",
    ),
}


@pytest.mark.parametrize("event, parameter", SURROGATE_EVENTS.values(), ids=SURROGATE_EVENTS.keys())
def test_a_lone_surrogate_is_a_bad_request_naming_the_parameter(
    container: FunctionContainer, salesforce: Any, capsys: Any, event: Any, parameter: str
) -> None:
    outcome = container.fails(event)
    failure = assert_bad_request(outcome, parameter, salesforce)
    assert "surrogate" in failure["errorMessage"]
    str(outcome.error).encode("utf-8")  # what Lambda sends back must be UTF-8
    assert "Logging error" not in capsys.readouterr().err


def test_a_lone_surrogate_escaped_in_the_transcript_json_is_a_bad_request(
    container: FunctionContainer, salesforce: Any
) -> None:
    outcome = container.fails(connect_event("uploadTranscript", contactIdsPayloadMap='[["c-1", "\\ud800"]]'))
    assert_bad_request(outcome, "contactIdsPayloadMap", salesforce)


def test_an_answer_over_connects_limit_gives_its_advice_once(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_query_result("FROM Case", [{"Description": "x" * 40_000}])
    outcome = container.fails(connect_event("queryRecord", soql="SELECT Description FROM Case"))
    failure = outcome.failure
    assert failure["errorCode"] == "RESPONSE_TOO_LARGE"
    assert failure["errorMessage"].count("select fewer fields") == 1, failure["errorMessage"]


def test_a_one_megabyte_value_is_refused_before_anything_is_sent(container: FunctionContainer, salesforce: Any) -> None:
    event = connect_event("queryRecord", soql="SELECT Id FROM Contact WHERE Phone = '{p}'", p="'" * 1_000_000)
    failure = assert_bad_request(container.fails(event), "soql", salesforce)
    assert failure["errorCode"] == "QUERY_TOO_LONG"
    assert "100,000 characters" in failure["errorMessage"]
    assert salesforce.requests == []


@pytest.mark.parametrize(
    "event",
    [
        connect_event("queryRecord", soql="SELECT Id FROM Contact WHERE Name = '{n}'", n="山田" * 1_500),
        connect_event("searchRecord", sosl="FIND {{{n}}} RETURNING Contact(Id)", n="x y " * 2_000),
        connect_event("fetchUploadIdsStatus", uploadIds=",".join(["0Zz000000000001AAA"] * 900)),
    ],
    ids=["soql", "sosl", "uploadIds"],
)
def test_a_request_uri_past_salesforces_limit_is_refused_before_any_token(
    container: FunctionContainer, salesforce: Any, event: dict[str, Any]
) -> None:
    outcome = container.fails(event)
    assert outcome.error_type == "BadRequestError", outcome.error
    failure = outcome.failure
    assert failure["status"] == 400
    assert failure["errorCode"] == "REQUEST_TOO_LONG"
    assert "16,384 bytes" in failure["errorMessage"]
    assert salesforce.requests == []  # no request, not even for a token


def test_a_request_uri_just_within_the_limit_is_sent(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Contact WHERE Name = '{n}'", n="x" * 14_000))
    assert len(salesforce.data_requests()) == 1
