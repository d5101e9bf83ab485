"""The methods a contact flow can call, by ``methodName``: one table, no if-chain.

Names, parameters and output keys are those of Salesforce's Node.js invokeSfRestApi function, so
existing contact flows work unchanged; deleteRecord, upsertRecord and composite are new.
"""

from __future__ import annotations

from scv_invoker.methods.base import ContainerMemory, Method, MethodCall, check_object_api_name, check_record_id
from scv_invoker.methods.composite import composite_method
from scv_invoker.methods.field_service import sfs_phone_call_flow_query
from scv_invoker.methods.outbound import fetch_agent_phone_number, fetch_outbound_phone_number
from scv_invoker.methods.query import query_record, search_record, validate_query, validate_search
from scv_invoker.methods.records import (
    check_upsert,
    create_record,
    delete_record,
    realtime_alert_event,
    update_record,
    upsert_record,
)
from scv_invoker.methods.transcripts import fetch_upload_ids_status, upload_transcript, validate_upload
from scv_invoker.methods.voicemail import fetch_default_voicemail_greeting_url

_ALL = (
    # create a record; every other parameter is a field
    Method("createRecord", create_record, ("objectApiName",), check_object_api_name),
    # update a record; every other parameter is a field
    Method("updateRecord", update_record, ("objectApiName", "recordId"), check_record_id),
    # delete a record
    Method("deleteRecord", delete_record, ("objectApiName", "recordId"), check_record_id),
    # create or update the record with this external id; every other parameter is a field
    Method("upsertRecord", upsert_record, ("objectApiName", "externalIdField", "externalId"), check_upsert),
    # first record of a SOQL query (every record with allRecords=true)
    Method("queryRecord", query_record, ("soql",), validate_query, native_flat=True),
    # first result of a SOSL search
    Method("searchRecord", search_record, ("sosl",), validate_search, native_flat=True),
    # upload conversation transcripts
    Method("uploadTranscript", upload_transcript, ("contactIdsPayloadMap",), validate_upload),
    # status of earlier transcript uploads
    Method("fetchUploadIdsStatus", fetch_upload_ids_status, ("uploadIds",), None),
    # publish a RealtimeAlertEvent
    Method("realtimeAlertEvent", realtime_alert_event, (), None),
    # Field Service: the en-route engineer's phone for the caller
    Method("SFSPhoneCallFlowQuery", sfs_phone_call_flow_query, (), None, native_flat=True),
    # the outbound caller id for an agent
    Method("fetchOutboundPhoneNumber", fetch_outbound_phone_number, ("agentARN",), None),
    # placeholder, as in the Node.js function: always an empty outboundPhoneNumber
    Method("fetchAgentPhoneNumber", fetch_agent_phone_number, (), None),
    # the URL of the agent's default voicemail drop greeting
    Method("fetchDefaultVoicemailGreetingUrl", fetch_default_voicemail_greeting_url, (), None),
)

METHODS: dict[str, Method] = {method.name: method for method in _ALL}
# its steps are the record and query methods above, with their required parameters and checks
METHODS["composite"] = composite_method(METHODS)

__all__ = ["METHODS", "ContainerMemory", "MethodCall", "Method"]
