"""Salesforce API calls and invocations per contact: the five-step sample sequence against the composite flow.

A contact center's binding limit is often the org's daily API allowance, not Lambda. This counts, for a caller
Salesforce does not know yet, what each way of handling the call costs on the stage of benchmarks/stage.py
(the shipped invoker bundle, the Salesforce emulator on loopback, a cached token):

- ``five steps``: the sequence of AWS's public SCV REST sample flow, one invocation per step: look up an open
  case by phone, look up the contact, create the contact, create the case (``amazonconnect__AC_Contact_Id__c``),
  link the VoiceCall. The VoiceCall's id is given to the last step, so no lookup of it is counted.
- ``composite flow``: infra/connect/composite_flow.json as Connect runs it for that caller: its lookup, then its
  composite step (find the VoiceCall, create the contact and the case, link them: one Composite request).

API calls are the org's own counter (what ``Sforce-Limit-Info`` reports and the daily allowance is charged), so a
Composite request counts once, as Salesforce counts it. Each contact is checked (contact, case, link) so a count
cannot come from a run that did not do the work. Counts only: they do not depend on the machine.

Run from the repository root after ``make synth``: ``.venv/bin/python -m benchmarks.api_calls``. It prints a
Markdown table; benchmarks/RESULTS.md holds the measured table with its reading.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scv_salesforce.connect import load_composite_flow

from benchmarks.stage import Stage, open_stage

CONTACTS = 10


@dataclass(frozen=True)
class Cost:
    """What handling the contacts cost, summed."""

    label: str
    contacts: int
    invocations: int
    api_calls: int
    wire_requests: int
    token_requests: int

    def row(self) -> str:
        per = [value / self.contacts for value in (self.invocations, self.api_calls, self.wire_requests)]
        return (
            f"| {self.label} | {self.contacts} | "
            + " | ".join(f"{value:g}" for value in per)
            + (f" | {self.token_requests} |")
        )


def _event(parameters: dict[str, str], contact_id: str, phone: str) -> dict[str, Any]:
    """An Invoke AWS Lambda function block's event (Connect's shape)."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {"ContactId": contact_id, "Channel": "VOICE",
                            "CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"}},
            "Parameters": parameters,
        },
    }  # fmt: skip


def _five_steps(call: Callable[[dict[str, str]], dict[str, str]], contact_id: str, phone: str, voice_call: str) -> None:
    call(
        {
            "methodName": "queryRecord",
            "phone": phone,
            "soql": "SELECT Id, CaseNumber FROM Case WHERE ContactPhone = '{phone}' AND IsClosed = false LIMIT 1",
        }
    )
    call(
        {
            "methodName": "queryRecord",
            "phone": phone,
            "soql": "SELECT Id, Name FROM Contact WHERE Phone = '{phone}' ORDER BY LastModifiedDate DESC LIMIT 1",
        }
    )
    contact = call(
        {"methodName": "createRecord", "objectApiName": "Contact", "LastName": f"Caller {phone}", "Phone": phone}
    )
    case = call(
        {
            "methodName": "createRecord",
            "objectApiName": "Case",
            "Origin": "Phone",
            "Subject": "Call",
            "ContactId": contact["recordId"],
            "amazonconnect__AC_Contact_Id__c": contact_id,
        }
    )
    call({"methodName": "updateRecord", "objectApiName": "VoiceCall", "recordId": voice_call,
          "RelatedRecordId": case["recordId"]})  # fmt: skip


def _composite_flow(call: Callable[[dict[str, str]], dict[str, str]], contact_id: str, phone: str, _: str) -> None:
    invokes = {a["Identifier"]: a for a in load_composite_flow()["Actions"] if a["Type"] == "InvokeLambdaFunction"}
    resolved = {"$.CustomerEndpoint.Address": phone, "$.ContactId": contact_id}
    for action in ("lookup-caller", "create-caller-and-case"):  # the path of a caller Salesforce does not know
        attributes = invokes[action]["Parameters"]["LambdaInvocationAttributes"]
        answer = call({key: resolved.get(value, value) for key, value in attributes.items()})
        if action == "lookup-caller" and answer:
            raise AssertionError(f"the lookup found the caller, so the flow would not create: {answer}")


def _measure(stage: Stage, label: str, handle: Callable[..., None], contacts: int, *, first_caller: int) -> Cost:
    salesforce = stage.salesforce
    salesforce.set_query_result("FROM Contact", [])  # a new caller
    container = stage.start_container()
    invocations = 0
    try:
        container.invoke(_event({"methodName": "queryRecord", "soql": "SELECT Id FROM Account LIMIT 1"}, "warm", ""))
        before_usage, before_wire = salesforce.api_usage, len(salesforce.data_requests())
        before_tokens = len(salesforce.token_requests())
        for index in range(contacts):
            contact_id, phone = str(uuid.uuid4()), f"+8150{first_caller + index:08d}"  # a new caller each time
            voice_call = salesforce.add_record("VoiceCall", {"VendorCallKey": contact_id})
            salesforce.set_query_result(f"VendorCallKey = '{contact_id}'", [{"Id": voice_call}])

            def call(parameters: dict[str, str], contact_id: str = contact_id, phone: str = phone) -> dict[str, str]:
                nonlocal invocations
                invocations += 1
                result = container.invoke(_event(parameters, contact_id, phone))
                if not result.ok:
                    raise RuntimeError(f"{label}: {parameters['methodName']} failed: {result.error}")
                return result.payload

            handle(call, contact_id, phone, voice_call)
            _check_contact(stage, contact_id, phone, voice_call)
        return Cost(
            label,
            contacts,
            invocations,
            api_calls=salesforce.api_usage - before_usage,
            wire_requests=len(salesforce.data_requests()) - before_wire,
            token_requests=len(salesforce.token_requests()) - before_tokens,
        )
    finally:
        stage.close_containers([container])


def _check_contact(stage: Stage, contact_id: str, phone: str, voice_call: str) -> None:
    """The contact, its case and the link exist, so the counts are of work actually done."""
    salesforce = stage.salesforce
    (contact,) = [record for record in salesforce.records("Contact") if record.fields.get("Phone") == phone]
    (case,) = [r for r in salesforce.records("Case") if r.fields.get("amazonconnect__AC_Contact_Id__c") == contact_id]
    linked = salesforce.record(voice_call)
    if case.fields.get("ContactId") != contact.id or linked is None or linked.fields.get("RelatedRecordId") != case.id:
        raise AssertionError(f"contact {contact_id}: the case or the voice call link is wrong")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api_calls", description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=CONTACTS, help="new callers per variant")
    args = parser.parse_args(argv)
    with open_stage() as stage:
        costs = [
            _measure(stage, "five steps (AWS sample sequence)", _five_steps, args.contacts, first_caller=0),
            _measure(
                stage,
                "composite flow (infra/connect/composite_flow.json)",
                _composite_flow,
                args.contacts,
                first_caller=args.contacts,
            ),
        ]
    print("| variant (new caller) | contacts | invocations per contact | API calls per contact "
          "| requests on the wire per contact | token requests |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    for cost in costs:
        print(cost.row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
