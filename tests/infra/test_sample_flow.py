"""The sample contact flow: a valid flow-language document that calls the invoker within Connect's limit."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk.assertions import Template

from infra.connect import FUNCTION_ARN_PLACEHOLDER, load_sample_flow


def flow_document(template: Template) -> dict[str, Any]:
    """The Content of the synthesized flow, with CloudFormation's Fn::Join resolved around the ARN token."""
    (flow,) = template.find_resources("AWS::Connect::ContactFlow").values()
    content = flow["Properties"]["Content"]
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


def test_start_action_exists_and_every_transition_target_exists() -> None:
    flow = load_sample_flow()
    actions = actions_by_id(flow)
    assert flow["StartAction"] in actions
    for action in flow["Actions"]:
        for target in targets(action):
            assert target in actions, f"{action['Identifier']} goes to missing action {target}"


def test_every_action_is_reachable_from_the_start() -> None:
    flow = load_sample_flow()
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
    (raw,) = example.find_resources("AWS::Connect::ContactFlow").values()
    function_ids = [p["Fn::GetAtt"][0] for p in raw["Properties"]["Content"]["Fn::Join"][1] if isinstance(p, dict)]
    assert len(function_ids) == 1 and re.match(r"^InvokerFunction[0-9A-F]{8}$", function_ids[0])
