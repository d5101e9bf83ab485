"""The sample contact flows: valid flow-language documents that call the invoker within Connect's limit."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Template
from scv_salesforce.connect import FUNCTION_ARN_PLACEHOLDER, load_composite_flow, load_sample_flow

FLOWS = {"sample": load_sample_flow, "composite": load_composite_flow}


def synthesized_flow(template: Template, name_suffix: str) -> dict[str, Any]:
    """The ContactFlow resource whose name ends with ``name_suffix``."""
    flows = template.find_resources("AWS::Connect::ContactFlow").values()
    (flow,) = [flow for flow in flows if flow["Properties"]["Name"].endswith(name_suffix)]
    return flow


def flow_document(template: Template, name_suffix: str = "lookup sample") -> dict[str, Any]:
    """The Content of the synthesized flow, with CloudFormation's Fn::Join resolved around the ARN token."""
    content = synthesized_flow(template, name_suffix)["Properties"]["Content"]
    parts = content["Fn::Join"][1]
    text = "".join(part if isinstance(part, str) else "FUNCTION_ARN" for part in parts)
    return json.loads(text)


def actions_by_id(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {action["Identifier"]: action for action in flow["Actions"]}


def targets(action: dict[str, Any]) -> list[str]:
    transitions = action.get("Transitions", {})
    found = [transitions["NextAction"]] if "NextAction" in transitions else []
    found += [branch["NextAction"] for key in ("Errors", "Conditions") for branch in transitions.get(key, [])]
    return found


@pytest.mark.parametrize("load", FLOWS.values(), ids=FLOWS.keys())
def test_start_action_exists_and_every_transition_target_exists(load: Any) -> None:
    flow = load()
    actions = actions_by_id(flow)
    assert flow["StartAction"] in actions
    for action in flow["Actions"]:
        for target in targets(action):
            assert target in actions, f"{action['Identifier']} goes to missing action {target}"


@pytest.mark.parametrize("load", FLOWS.values(), ids=FLOWS.keys())
def test_every_action_is_reachable_from_the_start(load: Any) -> None:
    flow = load()
    actions = actions_by_id(flow)
    seen, todo = set(), [flow["StartAction"]]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(targets(actions[current]))
    assert seen == set(actions)


def test_lambda_invocation_fits_connects_limit_and_validates_a_string_map() -> None:
    (invoke,) = [a for a in load_sample_flow()["Actions"] if a["Type"] == "InvokeLambdaFunction"]
    params = invoke["Parameters"]
    assert int(params["InvocationTimeLimitSeconds"]) <= 8
    assert params["ResponseValidation"] == {"ResponseType": "STRING_MAP"}
    assert params["LambdaFunctionARN"] == FUNCTION_ARN_PLACEHOLDER
    attributes = params["LambdaInvocationAttributes"]
    assert attributes["methodName"] == "queryRecord"
    # the caller's number goes in as a templated parameter inside a quoted literal, never pasted raw
    assert "'{phone}'" in attributes["soql"]
    assert attributes["phone"] == "$.CustomerEndpoint.Address"


def test_lambda_errors_take_the_error_branch() -> None:
    actions = actions_by_id(load_sample_flow())
    (invoke,) = [a for a in actions.values() if a["Type"] == "InvokeLambdaFunction"]
    (error_branch,) = invoke["Transitions"]["Errors"]
    assert error_branch["ErrorType"] == "NoMatchingError"
    assert actions[error_branch["NextAction"]]["Type"] == "MessageParticipant"
    # the success path copies the result into contact attributes
    assert actions[invoke["Transitions"]["NextAction"]]["Type"] == "UpdateContactAttributes"


def test_synthesized_flow_calls_this_stacks_function(example: Template) -> None:
    flow = flow_document(example)
    (invoke,) = [a for a in flow["Actions"] if a["Type"] == "InvokeLambdaFunction"]
    assert invoke["Parameters"]["LambdaFunctionARN"] == "FUNCTION_ARN"
    raw = synthesized_flow(example, "lookup sample")
    function_ids = [p["Fn::GetAtt"][0] for p in raw["Properties"]["Content"]["Fn::Join"][1] if isinstance(p, dict)]
    assert len(function_ids) == 1 and re.match(r"^InvokerFunction[0-9A-F]{8}$", function_ids[0])


# --- the composite variant ---------------------------------------------------------------------------------------


def invocations(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Identifier"]: a for a in flow["Actions"] if a["Type"] == "InvokeLambdaFunction"}


def test_composite_variant_creates_contact_case_and_link_in_one_invocation() -> None:
    flow = load_composite_flow()
    calls = invocations(flow)
    assert [c["Parameters"]["LambdaInvocationAttributes"]["methodName"] for c in calls.values()] == [
        "queryRecord", "composite"
    ]  # fmt: skip
    attributes = calls["create-caller-and-case"]["Parameters"]["LambdaInvocationAttributes"]
    steps = json.loads(attributes["requests"])
    assert [(s["method"], s.get("objectApiName")) for s in steps] == [
        ("queryRecord", None), ("createRecord", "Contact"), ("createRecord", "Case"), ("updateRecord", "VoiceCall")
    ]  # fmt: skip
    # Salesforce's Composite limits (the invoker checks them too; tests/e2e runs these steps through the bundle)
    assert len(steps) <= 25 and sum(s["method"] == "queryRecord" for s in steps) <= 5
    new_contact, new_case, link = steps[1:]
    assert new_case["ContactId"] == f"@{{{new_contact['referenceId']}.id}}"
    assert new_case["amazonconnect__AC_Contact_Id__c"] == "{contactId}"
    assert link["RelatedRecordId"] == f"@{{{new_case['referenceId']}.id}}"
    assert link["recordId"] == f"@{{{steps[0]['referenceId']}.records[0].Id}}"
    # every placeholder the steps use is a parameter of the invocation, filled from the contact
    placeholders = set(re.findall(r"(?<!@)\{([A-Za-z_]+)\}", attributes["requests"]))
    assert placeholders == {"phone", "contactId"}
    assert (attributes["phone"], attributes["contactId"]) == ("$.CustomerEndpoint.Address", "$.ContactId")
    for call in calls.values():
        assert int(call["Parameters"]["InvocationTimeLimitSeconds"]) <= 8
        assert call["Parameters"]["ResponseValidation"] == {"ResponseType": "STRING_MAP"}
        assert call["Parameters"]["LambdaFunctionARN"] == FUNCTION_ARN_PLACEHOLDER
        assert actions_by_id(flow)[call["Transitions"]["Errors"][0]["NextAction"]]["Type"] == "MessageParticipant"


def test_composite_variant_creates_only_for_a_caller_salesforce_does_not_know() -> None:
    actions = actions_by_id(load_composite_flow())
    check = actions[actions["lookup-caller"]["Transitions"]["NextAction"]]
    assert check["Type"] == "Compare" and check["Parameters"]["ComparisonValue"] == "$.External.Id"
    (known,) = check["Transitions"]["Conditions"]
    assert known["Condition"] == {"Operator": "TextStartsWith", "Operands": ["003"]}  # a Contact id
    assert actions[known["NextAction"]]["Type"] == "UpdateContactAttributes"
    (unknown,) = check["Transitions"]["Errors"]
    assert (unknown["ErrorType"], unknown["NextAction"]) == ("NoMatchingCondition", "create-caller-and-case")
    remember = actions[actions["create-caller-and-case"]["Transitions"]["NextAction"]]
    # the answer's keys hold a dot, so the flow reads them in brackets
    assert remember["Parameters"]["Attributes"]["salesforceCaseId"] == "$.External.['newCase.recordId']"


def test_both_flows_are_synthesized_with_this_stacks_function(example: Template) -> None:
    for suffix in ("lookup sample", "composite sample"):
        flow = flow_document(example, suffix)
        assert {a["Parameters"]["LambdaFunctionARN"] for a in invocations(flow).values()} == {"FUNCTION_ARN"}
    composite = synthesized_flow(example, "composite sample")
    assert composite["Properties"]["Type"] == "CONTACT_FLOW"
