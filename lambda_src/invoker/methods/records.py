"""Record methods: createRecord, updateRecord, deleteRecord and realtimeAlertEvent.

Every parameter that is not one of the method's own becomes a field of the record, as in the Node.js
function, so a flow adds a field by adding a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.orgs import ORG_SELECTION_PARAMETERS

from invoker.methods.base import Invocation, object_api_name
from invoker.salesforce import quote_segment

#: parameters that address the record (or the org) rather than being one of its fields
NON_FIELD_PARAMETERS = frozenset({"methodName", "objectApiName", "recordId", *ORG_SELECTION_PARAMETERS})


def record_fields(parameters: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in parameters.items() if name not in NON_FIELD_PARAMETERS}


def create_record(invocation: Invocation) -> dict[str, Any]:
    """POST sobjects/<Object> → ``{success, recordId}``."""
    obj = quote_segment(object_api_name(invocation.parameters))
    body = invocation.salesforce.post(f"sobjects/{obj}", json_body=record_fields(invocation.parameters)).body
    body = body if isinstance(body, dict) else {}
    return {"success": body.get("success", True), "recordId": body.get("id")}


def update_record(invocation: Invocation) -> dict[str, Any]:
    """PATCH sobjects/<Object>/<recordId> → ``{success: true}`` (Salesforce answers 204)."""
    parameters = invocation.parameters
    path = f"sobjects/{quote_segment(object_api_name(parameters))}/{quote_segment(parameters['recordId'])}"
    invocation.salesforce.patch(path, json_body=record_fields(parameters))
    return {"success": True}


def delete_record(invocation: Invocation) -> dict[str, Any]:
    """DELETE sobjects/<Object>/<recordId> → ``{success: true}`` (new: the Node.js function had no delete)."""
    parameters = invocation.parameters
    invocation.salesforce.delete(
        f"sobjects/{quote_segment(object_api_name(parameters))}/{quote_segment(parameters['recordId'])}"
    )
    return {"success": True}


def realtime_alert_event(invocation: Invocation) -> dict[str, Any]:
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
