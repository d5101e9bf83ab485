"""fetchDefaultVoicemailGreetingUrl: the URL of an agent's default voicemail drop greeting.

Service Cloud Voice keeps an agent's pre-recorded voicemail greetings as VoiceMailGreeting2 records, linked
to the agent (the rep) by VoiceMailGreeting2Rep; CallCenterRoutingMap links the agent's Amazon Connect ARN
(ExternalId) to that Salesforce user (ReferenceRecordId). The query is the Node.js function's, with the
ARN escaped as a SOQL literal. Salesforce nests a relationship field in its answer
(``{"VoiceMailGreeting2": {"GreetingUrl": ...}}``), so the URL is read from there (the Node.js function read
a flat ``GreetingUrl``, which only its own mocks return).

Like the Node.js function this method never fails the call: no ``agentARN`` (no request at all), a
Salesforce failure or no greeting all answer ``{success: true}`` without ``GreetingUrl``, so the flow
plays its default greeting; each is logged (without the ARN).
"""

from __future__ import annotations

from typing import Any

from scv_invoker.log import logger
from scv_invoker.methods.base import MethodCall
from scv_invoker.methods.query import best_effort_first_record, render_soql

DEFAULT_GREETING_QUERY = (
    "SELECT VoiceMailGreeting2.GreetingUrl FROM VoiceMailGreeting2Rep "
    "WHERE VoiceMailGreeting2.Type='DROP' "
    "AND RepId IN (SELECT ReferenceRecordId FROM CallCenterRoutingMap WHERE ExternalId = '{agentARN}') "
    "AND IsDefault = true "
    "LIMIT 1"
)


def fetch_default_voicemail_greeting_url(invocation: MethodCall) -> dict[str, Any]:
    agent_arn = invocation.parameters.get("agentARN", "").strip()
    if not agent_arn:
        logger.error("Couldn't find agentARN in event details parameters; no voicemail greeting looked up")
        return {"success": True}
    record = best_effort_first_record(
        invocation,
        lambda: render_soql(DEFAULT_GREETING_QUERY, {"agentARN": agent_arn}),
        degraded="Couldn't query voicemail greeting to find greeting url",
    )
    if record is None:
        return {"success": True}
    greeting = record.get("VoiceMailGreeting2")
    url = greeting.get("GreetingUrl") if isinstance(greeting, dict) else None
    if not isinstance(url, str) or not url:
        logger.error("Couldn't find default voicemail greeting url from voicemail greeting")
        return {"success": True}
    return {"success": True, "GreetingUrl": url}
