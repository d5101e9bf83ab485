"""composite: several record steps in one Salesforce Composite request, which counts as one API call.

A flow that creates the caller's contact, opens a case for it and links the voice call makes three
invocations, three API calls and three waits in the caller's ear; as one composite step it is one of each.
``requests`` is a JSON list of steps ``{"referenceId": ..., "method": ..., <that method's parameters>}``, the
method one of :data:`STEP_KINDS`. A step is built by the same request builder and read by the same answer
shaper as the method on its own (records.py, query.py), so a step behaves as the method does.

A contact flow can pass only a static text or a whole attribute as one parameter, so a step's values may hold
``{name}`` placeholders, filled from the invocation's other parameters by templating.py: a ``soql`` as
queryRecord fills it, every other value as text (it lands in a JSON string). ``@{ref.id}`` (or
``@{ref.records[0].Id}`` for a query) is Salesforce's own reference to an earlier step's result; Salesforce
fills it in. A parameter value is never allowed to add one.

Everything is checked before the one request, each problem named by its step: the list's form, at most
:data:`MAX_STEPS` steps and :data:`MAX_QUERIES` queries (Salesforce's limits), each step's method and
parameters (the method's own checks), and every reference (to an earlier step that has a result). A broken
list costs no API call.

``allOrNone`` (default ``"true"``): a failing step makes Salesforce roll every step back, and the invocation
fails naming that step. With ``"false"`` the steps that can run are kept; the answer then says ``success``
``"false"`` and names the failed step, so the flow still gets the ids of what was created.

The steps are checked and built in composite_steps.py; this module sends them and reads the answer.
"""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any

from scv_invoker.errors import CompositeStepError, SalesforceApiError, salesforce_error
from scv_invoker.methods.base import MethodCall, check_boolean
from scv_invoker.methods.composite_steps import Step, parse_steps

#: the error Salesforce gives the steps it did not run because an earlier one failed
PROCESSING_HALTED = "PROCESSING_HALTED"


def validate_composite(parameters: Mapping[str, str]) -> list[Step]:
    from scv_invoker.methods import METHODS  # the table this method is an entry of

    check_boolean(parameters, "allOrNone")
    return parse_steps(parameters, METHODS)


def run_composite(invocation: MethodCall) -> dict[str, Any]:
    steps: list[Step] = invocation.checked  # validate_composite parsed them, rendering each step once
    all_or_none = invocation.parameters.get("allOrNone", "").strip().lower() != "false"
    base = invocation.salesforce.base_path
    subrequests = [
        {
            "method": step.call.method,
            "url": f"{base}/{step.call.relative_url()}",
            "referenceId": step.reference_id,
            **({"body": step.call.body} if step.call.body is not None else {}),
        }
        for step in steps
    ]
    body = {"allOrNone": all_or_none, "compositeRequest": subrequests}
    response = invocation.salesforce.post("composite", json_body=body)
    answer = _answer(steps, response.body, all_or_none)
    if answer.get("errorCode"):
        invocation.stats.error_code = str(answer["errorCode"])
    return answer


def _answer(steps: list[Step], body: Any, all_or_none: bool) -> dict[str, Any]:
    """Each step's answer under its referenceId; a failure names its step (see the module docstring)."""
    results = body.get("compositeResponse") if isinstance(body, dict) else None
    by_reference = {result.get("referenceId"): result for result in results or [] if isinstance(result, dict)}
    answer: dict[str, Any] = {"success": True}
    failures: list[tuple[Step, SalesforceApiError]] = []
    for step in steps:
        result = by_reference.get(step.reference_id, {})
        status = result.get("httpStatusCode")
        status = status if isinstance(status, int) else 502
        if 200 <= status < 300:
            answer[step.reference_id] = step.kind.answer(status, result.get("body"))
            continue
        operation = f"Salesforce {step.call.method} {step.call.path.split('/', 1)[0]}"
        error = salesforce_error(status, _status_text(status), result.get("body"), operation)
        failures.append((step, error))
        answer[step.reference_id] = {
            "success": False,
            "errorCode": error.error_code,
            "errorMessage": error.error_message,
        }
    if not failures:
        return answer
    # the step that failed, not one Salesforce halted because of it
    step, error = next(((s, e) for s, e in failures if e.error_code != PROCESSING_HALTED), failures[0])
    if all_or_none:
        raise CompositeStepError(error, reference_id=step.reference_id, method=step.method, rolled_back=True)
    return {
        **answer,
        "success": False,
        "failedReferenceId": step.reference_id,
        "errorCode": error.error_code,
        "errorMessage": error.error_message,
        "rolledBack": False,
    }


def _status_text(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
