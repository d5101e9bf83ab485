"""The Lambda functions a contact flow invokes, and the same flow made to invoke another one.

A flow's content is Amazon Connect's flow language (JSON). Its "Invoke AWS Lambda function" blocks name the
function in the parameter ``LambdaFunctionARN``: the function's ARN, bare or with a version or alias
(``...:function:acme-InvokeSalesforceRestApiFunction:active``), or a dynamic reference (``$.Attributes...``)
that names no function here. ``scvctl flows switch`` changes those ARNs and nothing else: the new content is
the old text with each quoted ARN string replaced, so an operator's diff of a backup against the flow shows
only the ARNs, and the result is checked to parse to the old document with just those strings changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: the flow-language parameter of the "Invoke AWS Lambda function" block
FUNCTION_ARN_PARAMETER = "LambdaFunctionARN"

_FUNCTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)


class FlowContentError(ValueError):
    """A flow's content is not the flow language's JSON, or would not stay intact when changed."""


@dataclass(frozen=True)
class FunctionArn:
    """A Lambda function ARN split into its parts; ``qualifier`` is the version or alias (None: bare)."""

    partition: str
    region: str
    account: str
    name: str
    qualifier: str | None = None

    @classmethod
    def parse(cls, text: str) -> FunctionArn | None:
        """The parts of a function ARN; None for anything else (a dynamic reference, a function name)."""
        match = _FUNCTION_ARN.fullmatch(text)
        if not match:
            return None
        return cls(match["partition"], match["region"], match["account"], match["name"], match["qualifier"])

    @property
    def unqualified(self) -> str:
        return f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:{self.name}"

    def is_function(self, other: FunctionArn) -> bool:
        """Whether both name the same function, whatever version or alias each points at."""
        return self.unqualified == other.unqualified

    def __str__(self) -> str:
        return self.unqualified + (f":{self.qualifier}" if self.qualifier else "")


def parse_flow(content: str, flow: str) -> Any:
    try:
        return json.loads(content)
    except ValueError as error:
        raise FlowContentError(f"flow {flow}: its content is not JSON ({error})") from None


def invoked_functions(document: Any) -> list[FunctionArn]:
    """Every function ARN the flow's ``LambdaFunctionARN`` parameters name, once each, in order."""
    found: list[FunctionArn] = []
    for value in _parameter_values(document):
        arn = FunctionArn.parse(value)
        if arn is not None and arn not in found:
            found.append(arn)
    return found


def _parameter_values(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == FUNCTION_ARN_PARAMETER and isinstance(item, str):
                yield item
            else:
                yield from _parameter_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parameter_values(item)


def repoint(content: str, replacements: Mapping[str, str], flow: str) -> str:
    """``content`` with each ARN string in ``replacements`` (old ARN → new ARN) replaced, the rest unchanged.

    Only whole JSON strings are replaced. The result must parse to the old document with those strings
    replaced and nothing else; should the text spell an ARN in another way (JSON escapes), the flow is left
    alone with a FlowContentError rather than rewritten by a serializer that would change its layout.
    """
    changed = content
    for old, new in replacements.items():
        changed = changed.replace(json.dumps(old), json.dumps(new))
    expected = _replaced(parse_flow(content, flow), replacements)
    if parse_flow(changed, flow) != expected or changed == content:
        raise FlowContentError(
            f"flow {flow}: its function ARNs could not be replaced as plain strings (the content spells them with "
            "JSON escapes?): change this flow in the flow designer"
        )
    return changed


def _replaced(value: Any, replacements: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _replaced(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, replacements) for item in value]
    if isinstance(value, str):
        return replacements.get(value, value)
    return value
