"""Running the deployed function once, the way the setup guide's console test does.

:class:`Invoker` is the seam: ``scvctl check`` talks to it, :class:`LambdaInvoker` implements it with
``lambda:InvokeFunction`` (RequestResponse), and the tests replace it with the shipped handler running
locally against the Salesforce emulator and moto, since real Lambda invocation needs AWS (or Docker).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import ClientError

from scvctl.errors import CliError

#: the setup guide's console test event: an Id that matches nothing, so a working setup answers {}
GUIDE_TEST_EVENT: dict[str, Any] = {
    "Details": {
        "Parameters": {
            "methodName": "queryRecord",
            "soql": "SELECT Name FROM Account Where Id='000000000000000'",
        }
    }
}


@dataclass(frozen=True)
class LambdaAnswer:
    """What Lambda answered one invocation of the deployed function: the payload (parsed JSON) and
    ``FunctionError`` ("Unhandled") if it failed. Not the invoker's own per-call types: this is the CLI's view
    from outside."""

    payload: Any
    function_error: str | None = None


class Invoker(Protocol):
    """Invokes a function synchronously and returns its answer (failures of the function are answers too)."""

    def invoke(self, function_name: str, event: Mapping[str, Any], *, qualifier: str | None = None) -> LambdaAnswer: ...


class LambdaInvoker:
    """``lambda:InvokeFunction`` with InvocationType RequestResponse, through the user's session."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def invoke(self, function_name: str, event: Mapping[str, Any], *, qualifier: str | None = None) -> LambdaAnswer:
        arguments: dict[str, Any] = {
            "FunctionName": function_name,
            "InvocationType": "RequestResponse",
            "Payload": json.dumps(event).encode(),
        }
        if qualifier:
            arguments["Qualifier"] = qualifier
        try:
            response = self._client.invoke(**arguments)
        except ClientError as error:
            raise _invoke_error(function_name, qualifier, error) from None
        raw = response["Payload"].read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return LambdaAnswer(payload, response.get("FunctionError"))


def _invoke_error(function_name: str, qualifier: str | None, error: ClientError) -> CliError:
    code = error.response.get("Error", {}).get("Code", "")
    target = f"{function_name}:{qualifier}" if qualifier else function_name
    if code == "ResourceNotFoundException":
        return CliError(
            f"function {target} not found: deploy the contact center's stack (make deploy CONTACT_CENTER=<name>), "
            "or pass --region / --profile for the account and region it is in"
        )
    if code in ("AccessDeniedException", "AccessDenied"):
        return CliError(f"your AWS identity may not invoke {target}: it needs lambda:InvokeFunction on it")
    if code == "TooManyRequestsException":
        return CliError(f"{target} is throttled (its concurrency is used up): try again in a moment")
    message = error.response.get("Error", {}).get("Message", "")
    return CliError(f"invoking {target} failed: {code}: {message}")
