"""Record methods: createRecord, updateRecord, deleteRecord, upsertRecord and realtimeAlertEvent.

Every parameter that is not one of the method's own becomes a field of the record, as in the Node.js
function, so a flow adds a field by adding a parameter. Each record method is a request builder (``*_call``)
and an answer shaper (``*_answer``), so ``composite`` sends the same requests as subrequests and reads their
answers the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from scv_shared.orgs import ORG_SELECTION_PARAMETERS

from scv_invoker.errors import BadRequestError
from scv_invoker.methods.base import MethodCall, check_object_api_name, object_api_name
from scv_invoker.salesforce import RestCall, quote_segment

#: parameters that address the record (or the org) rather than being one of its fields
NON_FIELD_PARAMETERS = frozenset({"methodName", "objectApiName", "recordId", *ORG_SELECTION_PARAMETERS})
#: upsertRecord's parameters that address the record (the external id goes in the path, not the body)
UPSERT_ADDRESS_PARAMETERS = frozenset({"externalIdField", "externalId"})

_FIELD_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: an external id is one path segment: printable, no slash or backslash, not a dot segment
_EXTERNAL_ID = re.compile(r"[^\x00-\x1f\x7f/\\]{1,255}")

#: a path segment as the request carries it; composite passes one that keeps a reference (``@{ref.id}``) as is
Segment = Callable[[str], str]


def record_fields(parameters: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in parameters.items() if name not in NON_FIELD_PARAMETERS}


def _record_path(parameters: Mapping[str, str], segment: Segment, *keys: str) -> str:
    return "/".join(["sobjects", segment(object_api_name(parameters)), *(segment(parameters[key]) for key in keys)])


def create_call(parameters: Mapping[str, str], segment: Segment = quote_segment) -> RestCall:
    return RestCall("POST", _record_path(parameters, segment), body=record_fields(parameters))


def update_call(parameters: Mapping[str, str], segment: Segment = quote_segment) -> RestCall:
    return RestCall("PATCH", _record_path(parameters, segment, "recordId"), body=record_fields(parameters))


def delete_call(parameters: Mapping[str, str], segment: Segment = quote_segment) -> RestCall:
    return RestCall("DELETE", _record_path(parameters, segment, "recordId"))


def upsert_call(parameters: Mapping[str, str], segment: Segment = quote_segment) -> RestCall:
    """PATCH sobjects/<Object>/<externalIdField>/<externalId>: Salesforce creates the record when no record has
    that external id and updates it when one has, so repeating it after a timeout cannot make a duplicate."""
    fields = {name: value for name, value in record_fields(parameters).items() if name not in UPSERT_ADDRESS_PARAMETERS}
    path = _record_path(parameters, segment, "externalIdField", "externalId")
    return RestCall("PATCH", path, body=fields, repeat_after_timeout=True)


def created_answer(status: int, body: Any) -> dict[str, Any]:
    """``{success, recordId}`` from Salesforce's ``{id, success, errors}``."""
    body = body if isinstance(body, dict) else {}
    return {"success": body.get("success", True), "recordId": body.get("id")}


def upserted_answer(status: int, body: Any) -> dict[str, Any]:
    """``{success, recordId, created}``: 201 with ``created: true`` for a new record, 200 with ``created: false``
    for an updated one (API 46.0 and later; earlier versions answered an update with 204 and no body)."""
    body = body if isinstance(body, dict) else {}
    return {
        "success": body.get("success", True),
        "recordId": body.get("id", ""),
        "created": body.get("created", status == 201),
    }


def done_answer(status: int, body: Any) -> dict[str, Any]:
    """``{success: true}`` for an update or delete (Salesforce answers 204, no body)."""
    return {"success": True}


def create_record(invocation: MethodCall) -> dict[str, Any]:
    """POST sobjects/<Object> → ``{success, recordId}``."""
    response = invocation.salesforce.send(create_call(invocation.parameters))
    return created_answer(response.status, response.body)


def update_record(invocation: MethodCall) -> dict[str, Any]:
    """PATCH sobjects/<Object>/<recordId> → ``{success: true}``."""
    response = invocation.salesforce.send(update_call(invocation.parameters))
    return done_answer(response.status, response.body)


def delete_record(invocation: MethodCall) -> dict[str, Any]:
    """DELETE sobjects/<Object>/<recordId> → ``{success: true}`` (new: the Node.js function had no delete)."""
    response = invocation.salesforce.send(delete_call(invocation.parameters))
    return done_answer(response.status, response.body)


def upsert_record(invocation: MethodCall) -> dict[str, Any]:
    """PATCH by external id → ``{success, recordId, created}`` (new); repeated once after a timeout or a 5xx."""
    response = invocation.salesforce.send(upsert_call(invocation.parameters))
    return upserted_answer(response.status, response.body)


def check_upsert(parameters: Mapping[str, str]) -> None:
    """The object, the external id field's API name, and an external id that stays one path segment."""
    check_object_api_name(parameters)
    if not _FIELD_API_NAME.fullmatch(parameters["externalIdField"]):
        raise BadRequestError(
            "externalIdField must be the API name of a field marked External ID (letters, digits and underscores, "
            "e.g. Contact_Key__c)"
        )
    external_id = parameters["externalId"]
    if not _EXTERNAL_ID.fullmatch(external_id) or not external_id.strip(".") or external_id != external_id.strip():
        raise BadRequestError(
            "externalId must be 1 to 255 printable characters without a slash, a backslash, a line break or "
            "surrounding spaces, and not only dots (it becomes one segment of the request's path)"
        )


def realtime_alert_event(invocation: MethodCall) -> dict[str, Any]:
    """Publish a RealtimeAlertEvent platform event → ``{success, id, errors}``.

    A successful publish also carries an ``errors`` entry with statusCode OPERATION_ENQUEUED; it is
    passed through as Salesforce sent it.
    """
    fields = {
        name: value
        for name, value in invocation.parameters.items()
        if name != "methodName" and name not in ORG_SELECTION_PARAMETERS
    }
    body = invocation.salesforce.post("sobjects/RealtimeAlertEvent", json_body=fields).body
    body = body if isinstance(body, dict) else {}
    return {"success": body.get("success", True), "id": body.get("id"), "errors": body.get("errors", [])}
