"""The Lambda Invoke stand-in answers boto3's invoke as Lambda does: payload, FunctionError, not found."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.emulators.lambda_invoke import LambdaInvokeEmulator
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
