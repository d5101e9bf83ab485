"""queryRecord and searchRecord: a SOQL/SOSL template from the flow, its placeholders filled safely.

The Node.js function pasted ``{name}`` placeholders raw (and only the last one), so a caller's input
could rewrite the query. Here templating renders every placeholder, escaped for its position.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scv_invoker import output, templating
from scv_invoker.errors import BadRequestError, InvokerError
from scv_invoker.log import logger
from scv_invoker.methods.base import MethodCall, check_boolean, encode_uri_component, is_true
from scv_invoker.salesforce import RestCall


def render_soql(template: str, parameters: Mapping[str, str]) -> str:
    try:
        return templating.render_soql(template, parameters)
    except templating.TemplateError as error:
        raise _template_error("soql", error) from None


def render_sosl(template: str, parameters: Mapping[str, str]) -> str:
    try:
        return templating.render_sosl(template, parameters)
    except templating.TemplateError as error:
        raise _template_error("sosl", error) from None


def _template_error(parameter: str, error: templating.TemplateError) -> BadRequestError:
    too_long = isinstance(error, templating.StatementTooLongError)
    return BadRequestError(f"{parameter}: {error}", error_code="QUERY_TOO_LONG" if too_long else "INVALID_TEMPLATE")


def validate_query(parameters: Mapping[str, str]) -> str:
    """Render before any request, so a bad template or value is a BadRequestError with no API call; the
    statement it renders is the one query_record sends (MethodCall.checked)."""
    check_boolean(parameters, "allRecords")
    return render_soql(parameters["soql"], parameters)


def validate_search(parameters: Mapping[str, str]) -> str:
    return render_sosl(parameters["sosl"], parameters)


def query_call(soql: str) -> RestCall:
    return RestCall("GET", "query/", query="q=" + encode_uri_component(soql))


def first_record_answer(status: int, body: Any) -> dict[str, Any]:
    """The first record of a query answer without its ``attributes``, {} when there is none."""
    records = body.get("records") if isinstance(body, dict) else None
    if not records or not isinstance(records[0], dict):
        return {}
    record = dict(records[0])
    record.pop("attributes", None)
    return record


def first_record(invocation: MethodCall, soql: str) -> dict[str, Any]:
    """The first record of a query without its ``attributes``, {} when there is none."""
    response = invocation.salesforce.send(query_call(soql))
    return first_record_answer(response.status, response.body)


def best_effort_first_record(
    invocation: MethodCall, soql: Callable[[], str], *, degraded: str
) -> dict[str, Any] | None:
    """The first record, or None when Salesforce failed: the Node.js function's best-effort methods
    (SFSPhoneCallFlowQuery, fetchOutboundPhoneNumber) never fail the call for that. The failure is logged
    and counted with its errorCode; a bad request still fails, as it is the flow's mistake.
    """
    try:
        return first_record(invocation, soql())
    except BadRequestError:
        raise
    except InvokerError as error:
        invocation.stats.error_code = error.error_code
        logger.error(degraded, extra={"errorCode": error.error_code, "status": error.status})
        return None


def query_record(invocation: MethodCall) -> dict[str, Any]:
    """The first record, flattened (``Owner.Name``); with ``allRecords="true"`` every returned record."""
    soql: str = invocation.checked  # validate_query rendered it
    if is_true(invocation.parameters, "allRecords"):
        body = invocation.salesforce.send(query_call(soql)).body
        return output.flatten_records(body if isinstance(body, dict) else {})
    return first_record(invocation, soql)


def search_record(invocation: MethodCall) -> dict[str, Any]:
    """The first search result as Salesforce returns it (``attributes`` included, as before), {} when none."""
    sosl: str = invocation.checked  # validate_search rendered it
    body = invocation.salesforce.get("search/", query="q=" + encode_uri_component(sosl)).body
    results = body.get("searchRecords") if isinstance(body, dict) else body
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        return {}
    return dict(results[0])
