"""Checks an Amazon Connect event before anything else happens.

Every mistake a flow can make (no methodName, an unknown one, a missing or non-string parameter, a
malformed value) becomes a BadRequestError that names the problem and the fix, raised before the
first Salesforce request: a broken flow costs no API call and no token.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from scv_invoker.errors import BadRequestError
from scv_invoker.methods import METHODS, Method
from scv_invoker.methods.base import is_utf8

#: the ``Name`` of every event Amazon Connect sends from an Invoke AWS Lambda function block
CONTACT_FLOW_EVENT = "ContactFlowEvent"
_EXAMPLE = '{"Details": {"Parameters": {"methodName": "queryRecord", "soql": "..."}}}'


class ConnectRequest(NamedTuple):
    """A validated event: the method to run, its parameters and the contact's data."""

    method: Method
    parameters: Mapping[str, str]
    contact_data: Mapping[str, Any]
    #: Amazon Connect's envelope (``Name: ContactFlowEvent`` or ContactData): the caller is a contact flow,
    #: which reads only a flat string map; otherwise another Lambda function (SCV's ContactDataSync,
    #: realtimeAlert) that parses the Node.js function's own answer shapes
    from_contact_flow: bool = True
    #: what the method's ``validate`` returned (MethodCall.checked)
    checked: Any = None


def shown_name(name: Any) -> str:
    """A parameter's name as a message or log line may show it: at most 64 characters, surrogates escaped."""
    if isinstance(name, str) and name.isascii() and len(name) <= 64:
        return name  # what nearly every name is: nothing to cut or escape
    return str(name)[:64].encode("utf-8", "backslashreplace").decode("utf-8")


def identify(event: Any) -> tuple[str | None, list[str]]:
    """The contact id, when the event has one, and the names of its parameters, sorted: for the log lines, even
    of a bad request (names only, never values)."""
    details = event.get("Details") if isinstance(event, dict) else None
    if not isinstance(details, dict):
        return None, []
    data = details.get("ContactData")
    contact_id = data.get("ContactId") if isinstance(data, dict) else None
    parameters = details.get("Parameters")
    return (
        contact_id[:128] if isinstance(contact_id, str) and is_utf8(contact_id) else None,
        sorted(map(shown_name, parameters)) if isinstance(parameters, dict) else [],
    )


def parse_event(event: Any) -> ConnectRequest:
    if not isinstance(event, dict):
        raise BadRequestError(
            f"the event must be a JSON object as Amazon Connect sends it, e.g. {_EXAMPLE}", error_code="INVALID_EVENT"
        )
    details = event.get("Details")
    if not isinstance(details, dict):
        raise BadRequestError(f"the event has no Details object: send e.g. {_EXAMPLE}", error_code="INVALID_EVENT")
    parameters = details.get("Parameters")
    if not isinstance(parameters, dict):
        raise BadRequestError(
            "the event has no Details.Parameters object: add the function's parameters (methodName first) in the "
            "contact flow's Invoke AWS Lambda function block",
            error_code="INVALID_EVENT",
        )
    contact_data = details.get("ContactData")
    from_contact_flow = event.get("Name") == CONTACT_FLOW_EVENT or isinstance(contact_data, dict)
    if not isinstance(contact_data, dict):
        contact_data = {}

    method_name = parameters.get("methodName")
    if method_name is None or method_name == "":
        raise BadRequestError(
            f"parameter methodName is missing: set it to one of {', '.join(METHODS)}", error_code="MISSING_PARAMETER"
        )
    if not isinstance(method_name, str) or method_name not in METHODS:
        shown = method_name[:64] if isinstance(method_name, str) else type(method_name).__name__
        raise BadRequestError(
            f"unknown methodName {shown!r}: use one of {', '.join(METHODS)} (names are case-sensitive)",
            error_code="UNKNOWN_METHOD",
        )
    method = METHODS[method_name]

    not_strings = sorted(shown_name(name) for name, value in parameters.items() if not isinstance(value, str))
    if not_strings:
        raise BadRequestError(
            f"parameters {', '.join(not_strings)} must be strings (Amazon Connect passes every value as text)",
            error_code="INVALID_PARAMETER",
        )
    # one check of all names and values together; which of them fail is looked up only when one does
    if not is_utf8("".join(map(str, parameters)) + "".join(parameters.values())):
        unencodable = sorted(
            shown_name(name) for name, value in parameters.items() if not (is_utf8(str(name)) and is_utf8(value))
        )
        raise BadRequestError(
            f"parameters {', '.join(unencodable)} hold a lone UTF-16 surrogate, which is not text: "
            "pass valid Unicode text (the flow or the calling code split a character in two)",
            error_code="INVALID_PARAMETER",
        )
    missing = [name for name in method.required if not parameters.get(name, "").strip()]
    if missing:
        raise BadRequestError(
            f"{method_name} needs parameter{'s' if len(missing) > 1 else ''} {', '.join(missing)}: add "
            f"{'them' if len(missing) > 1 else 'it'} in the contact flow's Invoke AWS Lambda function block "
            f"(a missing attribute arrives empty)",
            error_code="MISSING_PARAMETER",
        )
    checked = method.validate(parameters) if method.validate is not None else None
    return ConnectRequest(
        method=method,
        parameters=parameters,
        contact_data=contact_data,
        from_contact_flow=from_contact_flow,
        checked=checked,
    )
