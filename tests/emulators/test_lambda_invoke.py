"""The Lambda Invoke stand-in answers boto3's invoke as Lambda does: payload, FunctionError, not found."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.emulators.lambda_invoke import FunctionFacts, LambdaInvokeEmulator
from tools.harness.container import InvocationRecord


class ScriptedContainer:
    """Answers every event with ``answer(event)``; counts how often it was started."""

    starts = 0

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        type(self).starts += 1

    def invoke(self, event: Any) -> InvocationRecord:
        return self.answer(event)


def lambda_client(emulator: LambdaInvokeEmulator) -> Any:
    return boto3.client(
        "lambda", endpoint_url=emulator.endpoint_url, region_name="ap-northeast-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


def test_payload_error_and_unknown_function() -> None:
    def answer(event: Any) -> InvocationRecord:
        if event.get("fail"):
            return InvocationRecord(ok=False, error={"errorMessage": "boom", "errorType": "SalesforceApiError"})
        return InvocationRecord(ok=True, payload={"echo": event})

    functions = {"cc-InvokeSalesforceRestApiFunction": lambda: ScriptedContainer(answer)}
    with LambdaInvokeEmulator(functions) as emulator:  # type: ignore[arg-type]
        client = lambda_client(emulator)
        ok = client.invoke(FunctionName="cc-InvokeSalesforceRestApiFunction", Payload=b'{"a": 1}', Qualifier="live")
        failed = client.invoke(FunctionName="cc-InvokeSalesforceRestApiFunction", Payload=b'{"fail": true}')
        with pytest.raises(ClientError) as missing:
            client.invoke(FunctionName="other-InvokeSalesforceRestApiFunction", Payload=b"{}")

    assert json.loads(ok["Payload"].read()) == {"echo": {"a": 1}} and "FunctionError" not in ok
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "SalesforceApiError"
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert ScriptedContainer.starts == 1  # warm between invocations


def test_read_calls_answer_from_the_functions_facts() -> None:
    """What scvctl preflight and flows read: GetFunction (ARN, runtime, tags), ListAliases, GetAlias; unknown
    names and aliases are not found, as on Lambda."""
    name = "cc-InvokeSalesforceRestApiFunction"
    arn = f"arn:aws:lambda:ap-northeast-1:111111111111:function:{name}"
    facts = {name: FunctionFacts(arn, "python3.13", {"aws:cloudformation:stack-name": "cc-stack"}, ("live",))}
    with LambdaInvokeEmulator({}, facts=facts) as emulator:
        client = lambda_client(emulator)
        function = client.get_function(FunctionName=name)
        aliases = client.list_aliases(FunctionName=name)["Aliases"]
        alias = client.get_alias(FunctionName=name, Name="live")
        missing = []
        for call in (
            lambda: client.get_function(FunctionName="other"),
            lambda: client.get_alias(FunctionName=name, Name="active"),
        ):
            with pytest.raises(ClientError) as raised:
                call()
            missing.append(raised.value.response["Error"]["Code"])

    assert function["Configuration"]["FunctionArn"] == arn
    assert function["Configuration"]["Runtime"] == "python3.13"
    assert function["Tags"] == {"aws:cloudformation:stack-name": "cc-stack"}
    assert [entry["AliasArn"] for entry in aliases] == [alias["AliasArn"]] == [f"{arn}:live"]
    assert missing == ["ResourceNotFoundException", "ResourceNotFoundException"]
