"""The methods a contact flow can call, by ``methodName``: one table, no if-chain.

Names, parameters and output keys are those of Salesforce's Node.js invokeSfRestApi function, so
existing contact flows work unchanged; deleteRecord, upsertRecord and composite are new.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from scv_invoker.methods.base import ContainerMemory, Method, MethodCall, check_object_api_name, check_record_id


def _deferred(module: str, function: str) -> Callable[..., Any]:
    """``function`` of scv_invoker.methods.<module>, imported at its first call: a new container imports the
    modules of the methods it runs, not of all of them (their patterns are compiled and their records built at
    import, which a cold start pays at the CPU share of a small memory size)."""

    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(f"scv_invoker.methods.{module}"), function)(*args)

    return call


_ALL = (
    # create a record; every other parameter is a field
    Method("createRecord", _deferred("records", "create_record"), ("objectApiName",), check_object_api_name),
    # update a record; every other parameter is a field
    Method("updateRecord", _deferred("records", "update_record"), ("objectApiName", "recordId"), check_record_id),
    # delete a record
    Method("deleteRecord", _deferred("records", "delete_record"), ("objectApiName", "recordId"), check_record_id),
    # create or update the record with this external id; every other parameter is a field
    Method(
        "upsertRecord",
        _deferred("records", "upsert_record"),
        ("objectApiName", "externalIdField", "externalId"),
        _deferred("records", "check_upsert"),
    ),
    # first record of a SOQL query (every record with allRecords=true)
    Method(
        "queryRecord",
        _deferred("query", "query_record"),
        ("soql",),
        _deferred("query", "validate_query"),
        native_flat=True,
    ),
    # first result of a SOSL search
    Method(
        "searchRecord",
        _deferred("query", "search_record"),
        ("sosl",),
        _deferred("query", "validate_search"),
        native_flat=True,
    ),
    # upload conversation transcripts
    Method(
        "uploadTranscript",
        _deferred("transcripts", "upload_transcript"),
        ("contactIdsPayloadMap",),
        _deferred("transcripts", "validate_upload"),
    ),
    # status of earlier transcript uploads
    Method("fetchUploadIdsStatus", _deferred("transcripts", "fetch_upload_ids_status"), ("uploadIds",), None),
    # publish a RealtimeAlertEvent
    Method("realtimeAlertEvent", _deferred("records", "realtime_alert_event"), (), None),
    # Field Service: the en-route engineer's phone for the caller
    Method(
        "SFSPhoneCallFlowQuery", _deferred("field_service", "sfs_phone_call_flow_query"), (), None, native_flat=True
    ),
    # the outbound caller id for an agent
    Method("fetchOutboundPhoneNumber", _deferred("outbound", "fetch_outbound_phone_number"), ("agentARN",), None),
    # placeholder, as in the Node.js function: always an empty outboundPhoneNumber
    Method("fetchAgentPhoneNumber", _deferred("outbound", "fetch_agent_phone_number"), (), None),
    # the URL of the agent's default voicemail drop greeting
    Method(
        "fetchDefaultVoicemailGreetingUrl", _deferred("voicemail", "fetch_default_voicemail_greeting_url"), (), None
    ),
)

METHODS: dict[str, Method] = {method.name: method for method in _ALL}
# several createRecord/updateRecord/upsertRecord/deleteRecord/queryRecord steps in one API call; a step's required
# parameters and checks are its method's in this table
METHODS["composite"] = Method(
    "composite", _deferred("composite", "run_composite"), ("requests",), _deferred("composite", "validate_composite")
)

__all__ = ["METHODS", "ContainerMemory", "MethodCall", "Method"]
