"""What every method gets and is: the MethodCall it runs with, and its entry in the METHODS table."""

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import quote

from scv_invoker.errors import BadRequestError
from scv_invoker.salesforce import InvocationSalesforceClient
from scv_invoker.settings import Settings
from scv_invoker.stats import InvocationStats
from scv_invoker.ttl_cache import TtlCache

_OBJECT_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


class ContainerMemory:
    """Method-level state that outlives one invocation (one per container)."""

    def __init__(self) -> None:
        self.org_settings: TtlCache[str] = TtlCache(300.0)


class MethodCall(NamedTuple):
    """Everything one method call may use: its parameters, the contact, and the Salesforce client bound to this
    invocation."""

    parameters: Mapping[str, str]
    contact_data: Mapping[str, Any]
    salesforce: InvocationSalesforceClient
    settings: Settings
    memory: ContainerMemory
    stats: InvocationStats
    #: what ``validate`` worked out from the parameters (queryRecord: its rendered SOQL), so run never redoes it
    checked: Any = None


class Method(NamedTuple):
    """One ``methodName``: its parameters and what it does.

    ``required`` parameters are checked by the handler (present, non-empty strings) and ``validate``
    checks their form; both run before any Salesforce request, so a flow's mistake costs no API call.
    What ``validate`` returns reaches ``run`` as ``MethodCall.checked`` (a query is rendered once, to check it).
    ``run`` returns the answer in JSON types. A contact flow always gets it as a flat string map; a Lambda
    caller gets it as the Node.js function returned it: flattened with JSON types (``flat()``) when
    ``native_flat``, else as it is (Salesforce's JSON as it came for the upload methods).
    """

    name: str
    run: Callable[[MethodCall], Any]
    required: tuple[str, ...] = ()
    validate: Callable[[Mapping[str, str]], Any] | None = None
    native_flat: bool = False


def encode_uri_component(value: str) -> str:
    """JavaScript's encodeURIComponent, which the Node.js function used for query strings."""
    return quote(value, safe="-_.!~*'()")


def object_api_name(parameters: Mapping[str, str]) -> str:
    """``objectApiName`` as the Node.js function's formatObjectApiName wrote it: first letter upper, rest lower.

    Salesforce resolves sObject names case-insensitively, so ``my_object__c`` and ``My_object__c`` are the
    same object; the form is kept so recorded requests and logs look the same as before.
    """
    value = parameters["objectApiName"]
    return value[:1].upper() + value[1:].lower()


def is_utf8(text: str) -> bool:
    """False for a string holding a lone surrogate (``"\\ud800"``), which no UTF-8 request or log line can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_object_api_name(parameters: Mapping[str, str]) -> None:
    if not _OBJECT_API_NAME.fullmatch(parameters["objectApiName"]):
        raise BadRequestError(
            "objectApiName must be an sObject API name (letters, digits and underscores, e.g. Account or "
            "VoiceCall or My_Object__c)"
        )


def check_record_id(parameters: Mapping[str, str]) -> None:
    check_object_api_name(parameters)
    if not _RECORD_ID.fullmatch(parameters["recordId"]):
        raise BadRequestError("recordId must be a Salesforce record id (15 or 18 letters and digits)")


def check_boolean(parameters: Mapping[str, str], name: str) -> None:
    value = parameters.get(name)
    if value is not None and value.strip().lower() not in ("true", "false", ""):
        raise BadRequestError(f'{name} must be "true" or "false"')


def is_true(parameters: Mapping[str, str], name: str) -> bool:
    return parameters.get(name, "").strip().lower() == "true"
