"""fetchOutboundPhoneNumber and fetchAgentPhoneNumber: the numbers an agent's calls show.

fetchOutboundPhoneNumber: the number an agent's outbound call shows, from the SCV messaging channel.

Looks up the MessagingChannel (Voice, active) of CALL_CENTER_API_NAME's contact center that routes to
the agent (``agentARN``). Like the Node.js version, "no number" is a success without
``outboundPhoneNumber`` (the flow keeps its default caller id) and a Salesforce failure degrades to the
same answer, logged with its errorCode. Unlike it, a missing ``agentARN`` is a BadRequestError: that is
a flow mistake, caught before any request.
"""

from __future__ import annotations

from typing import Any

from scv_invoker.errors import ConfigurationError
from scv_invoker.log import logger
from scv_invoker.methods.base import MethodCall
from scv_invoker.methods.query import best_effort_first_record, render_soql

OUTBOUND_NUMBER_QUERY = (
    "SELECT MessagingPlatformKey FROM MessagingChannel "
    "WHERE MessageType='Voice' AND IsActive = true "
    "AND Id in (SELECT ChannelId FROM ContactCenterChannel "
    "WHERE ContactCenterChannel.ContactCenter.InternalName='{callCenterApiName}') "
    "AND SessionHandlerId in (SELECT ReferenceRecordId FROM CallCenterRoutingMap "
    "WHERE ExternalId='{agentARN}') "
    "LIMIT 1"
)


def fetch_outbound_phone_number(invocation: MethodCall) -> dict[str, Any]:
    call_center = invocation.settings.call_center_api_name
    if not call_center:
        raise ConfigurationError(
            "CALL_CENTER_API_NAME is not set: set `call_center_api_name` for this contact center in "
            "contact_centers.yaml (the SCV call center's API name) and redeploy",
            error_code="INVALID_CONFIGURATION",
        )
    record = best_effort_first_record(
        invocation,
        lambda: render_soql(
            OUTBOUND_NUMBER_QUERY, {"callCenterApiName": call_center, "agentARN": invocation.parameters["agentARN"]}
        ),
        degraded="fetchOutboundPhoneNumber found no number because a request failed",
    )
    if record is None:
        return {"success": True}
    number = record.get("MessagingPlatformKey")
    if not number:
        logger.warning("no active Voice messaging channel routes to this agent; no outbound number")
        return {"success": True}
    return {"success": True, "outboundPhoneNumber": number}


#: The Node.js function's answer: a placeholder there too ("TODO: fetch the agent phone number from contactID").
AGENT_PHONE_NUMBER_PLACEHOLDER = {"success": True, "outboundPhoneNumber": ""}


def fetch_agent_phone_number(invocation: MethodCall) -> dict[str, Any]:
    """Always ``{success: true, outboundPhoneNumber: ""}``, with no request, as the Node.js function answers.

    Service Cloud Voice's data model has no well-defined "agent phone number" to look up: the Lambda event
    of a contact names no agent, CallCenterRoutingMap leads from an agent ARN only to a Salesforce user or
    queue (whose Phone fields are personal numbers, not telephony ones), and the number an agent's calls
    show is the Voice messaging channel's, which fetchOutboundPhoneNumber already returns. See docs/INVOKER.md.
    """
    return dict(AGENT_PHONE_NUMBER_PLACEHOLDER)
