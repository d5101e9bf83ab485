"""Lambda's Invoke API over loopback HTTP, answered by a shipped bundle running in a local container.

moto can create functions but not run them without Docker, and ``scvctl check`` must call the function
the way it calls Lambda: boto3's ``invoke`` (RequestResponse) through ``AWS_ENDPOINT_URL_LAMBDA``. This
serves ``POST /2015-03-31/functions/<name>/invocations`` for the functions it is given, with Lambda's
answer shape: the payload as the body, ``X-Amz-Function-Error: Unhandled`` and the error document when
the handler raised, ``ResourceNotFoundException`` for any other name. It also answers the read calls
``scvctl preflight`` and ``flows`` make about those functions (GetFunction, ListAliases, GetAlias) from
their :class:`FunctionFacts`, as the deployed stack would have them. Used by `make try`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from tools.emulators._aws_api import AwsApiStandIn
from tools.harness.container import LambdaContainer

_INVOCATIONS_PATH = "/2015-03-31/functions/"


@dataclass(frozen=True)
class FunctionFacts:
    """What GetFunction, ListAliases and GetAlias answer about one function."""

    arn: str
    runtime: str
    tags: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


class LambdaInvokeEmulator(AwsApiStandIn):
    """Invoke for the named functions; each one's container is started on its first call and kept warm
    (whoever made it stops it: e.g. the ContainerPool it came from). The read calls answer for the functions
    ``facts`` describes."""

    endpoint_variable = "AWS_ENDPOINT_URL_LAMBDA"

    def __init__(
        self,
        functions: dict[str, Callable[[], LambdaContainer]],
        *,
        facts: Mapping[str, FunctionFacts] | None = None,
        port: int = 0,
    ) -> None:
        self._start = functions
        self._facts = dict(facts or {})
        self._containers: dict[str, LambdaContainer] = {}
        self._lock = threading.Lock()  # one invocation at a time per process, as one Lambda container does
        super().__init__(port=port)

    def _answer(self, request: Request) -> Response:
        path = request.path
        if request.method == "GET" and path.startswith(_INVOCATIONS_PATH):
            return self._read(unquote(path.removeprefix(_INVOCATIONS_PATH)).split("/"))
        if request.method != "POST" or not path.startswith(_INVOCATIONS_PATH) or not path.endswith("/invocations"):
            return _error(404, "UnknownOperationException", f"{request.method} {path} is not emulated")
        name = unquote(path.removeprefix(_INVOCATIONS_PATH).removesuffix("/invocations")).split(":")[0]
        if name not in self._start:
            return _error(404, "ResourceNotFoundException", f"Function not found: {name}")
        try:
            event = json.loads(request.get_data() or b"null")
        except ValueError:
            return _error(400, "InvalidRequestContentException", "Could not parse request body into json")
        with self._lock:
            if name not in self._containers:
                self._containers[name] = self._start[name]()
            result = self._containers[name].invoke(event)
        if result.ok:
            return Response(json.dumps(result.payload), status=200, content_type="application/json")
        return Response(
            json.dumps(result.error), status=200, content_type="application/json",
            headers={"X-Amz-Function-Error": "Unhandled"},
        )  # fmt: skip

    def _read(self, parts: list[str]) -> Response:
        """GetFunction (``<name>``), ListAliases (``<name>/aliases``), GetAlias (``<name>/aliases/<alias>``)."""
        name = parts[0].split(":")[0]
        facts = self._facts.get(name)
        if facts is None:
            return _error(404, "ResourceNotFoundException", f"Function not found: {name}")
        if len(parts) == 1:
            configuration = {"FunctionName": name, "FunctionArn": facts.arn, "Runtime": facts.runtime}
            return _json({"Configuration": configuration, "Tags": dict(facts.tags)})
        if parts[1:] == ["aliases"]:
            return _json({"Aliases": [_alias(facts, alias) for alias in facts.aliases]})
        if len(parts) == 3 and parts[1] == "aliases" and parts[2] in facts.aliases:
            return _json(_alias(facts, parts[2]))
        return _error(404, "ResourceNotFoundException", f"Alias not found: {'/'.join(parts)}")


def _alias(facts: FunctionFacts, alias: str) -> dict[str, str]:
    return {"AliasArn": f"{facts.arn}:{alias}", "Name": alias, "FunctionVersion": "1"}


def _json(document: dict[str, Any]) -> Response:
    return Response(json.dumps(document), status=200, content_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return Response(
        json.dumps({"Type": "User", "message": message}), status=status, content_type="application/json",
        headers={"X-Amzn-ErrorType": code},
    )  # fmt: skip
