"""SFSPhoneCallFlowQuery: route a Field Service customer's call to the engineer on the way to them.

The caller's number (Details.ContactData.CustomerEndpoint.Address) is matched against the contact of
an appointment whose assigned resource is en route; the flow branches on ``status``:
ANONYMOUS (no usable number), PHONE_NOT_FOUND, or TRANSFER_CALL with ``engPhone``.

Like the Node.js version this method never fails the invocation: a Salesforce error degrades to
PHONE_NOT_FOUND (the call goes the normal way) and is logged with its errorCode. The org's
ApptAssistantStatus setting is remembered per container, so a warm call makes one Salesforce request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scv_invoker.methods.base import MethodCall
from scv_invoker.methods.query import best_effort_first_record, first_record, render_soql

#: the Node.js version's rule, as intended: 8-20 characters, an optional leading +, then digits only
_PHONE = re.compile(r"\+?[0-9]+")
DEFAULT_APPOINTMENT_STATUS = "En Route"
_STATUS_CACHE_KEY = "FieldServiceOrgSettings.ApptAssistantStatus"

STATUS_QUERY = "SELECT ApptAssistantStatus FROM FieldServiceOrgSettings"
ENGINEER_QUERY = (
    "SELECT ServiceResource.RelatedRecord.Phone FROM AssignedResource "
    "WHERE (LocationStatus in ('EnRoute', 'LastMile')) "
    "AND (ServiceAppointment.Status='{appointmentStatus}') "
    "AND (ServiceAppointment.Contact.Phone='{customerPhone}') "
    "ORDER BY AssignedResourceNumber DESC LIMIT 1"
)

ANONYMOUS = {"success": True, "statusCode": 200, "status": "ANONYMOUS"}
NOT_FOUND_MESSAGE = "Assign resource not found or no phone in AssignedResource record"


def is_valid_phone_number(value: str) -> bool:
    return 8 <= len(value) <= 20 and bool(_PHONE.fullmatch(value))


def caller_number(contact_data: Mapping[str, Any]) -> str:
    endpoint = contact_data.get("CustomerEndpoint")
    address = endpoint.get("Address") if isinstance(endpoint, dict) else None
    return address if isinstance(address, str) else ""


def phone_not_found(message: str) -> dict[str, Any]:
    return {"success": True, "statusCode": 200, "msg": message, "status": "PHONE_NOT_FOUND"}


def appointment_status(invocation: MethodCall) -> str:
    """FieldServiceOrgSettings.ApptAssistantStatus, "En Route" when unset; cached per container."""
    cached = invocation.memory.org_settings.get(_STATUS_CACHE_KEY)
    if cached is not None:
        return cached
    record = first_record(invocation, STATUS_QUERY)
    status = record.get("ApptAssistantStatus")
    status = status if isinstance(status, str) and status else DEFAULT_APPOINTMENT_STATUS
    invocation.memory.org_settings.put(_STATUS_CACHE_KEY, status)
    return status


def sfs_phone_call_flow_query(invocation: MethodCall) -> dict[str, Any]:
    phone = caller_number(invocation.contact_data)
    if not phone or phone == "anonymous" or not is_valid_phone_number(phone):
        return dict(ANONYMOUS)
    record = best_effort_first_record(
        invocation,
        lambda: render_soql(
            ENGINEER_QUERY, {"appointmentStatus": appointment_status(invocation), "customerPhone": phone}
        ),
        degraded="SFSPhoneCallFlowQuery degraded to PHONE_NOT_FOUND after a failure",
    )
    if record is None:
        return phone_not_found("getInfo() exception")
    resource = record.get("ServiceResource")
    related = resource.get("RelatedRecord") if isinstance(resource, dict) else None
    engineer_phone = related.get("Phone") if isinstance(related, dict) else None
    if not engineer_phone:
        return phone_not_found(NOT_FOUND_MESSAGE)
    return {"success": True, "status": "TRANSFER_CALL", "statusCode": 200, "engPhone": engineer_phone}
