"""The Composite resource (``POST composite``): subrequests in order, as one API call and optionally one transaction.

Each subrequest is routed like a request of its own (the caller hands in its router, so this module knows no
resource). ``@{ref.path}`` in a subrequest's URL or body string values is replaced by that value of an earlier
result (``ref.id``, ``ref.records[0].Id``); a reference to a failed or unknown step, or to a value the
result lacks, fails that subrequest. With ``allOrNone`` the first failure rolls every change back, the failed
subrequest keeps its error and every other answers :data:`ROLLED_BACK`; without it the others run. The
failed-reference error's wording is this emulator's reading of the REST API guide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce.responses import api_error
from tools.emulators.salesforce.shapes import DATA_PREFIX

PROCESSING_HALTED = "PROCESSING_HALTED"
#: what every other subrequest of a failed allOrNone Composite request answers (Salesforce's wording)
ROLLED_BACK = [
    {
        "errorCode": PROCESSING_HALTED,
        "message": "The transaction was rolled back since another operation in the same transaction failed.",
    }
]
#: Salesforce's limits for one Composite request
COMPOSITE_MAX_SUBREQUESTS = 25
COMPOSITE_MAX_QUERIES = 5
_REFERENCE = re.compile(r"@\{([^{}]*)\}")
_REFERENCE_ELEMENT = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>[0-9]+)\])?")

#: answers one subrequest as the REST API would (404 for a URL that is no resource)
Router = Callable[[Request], Response]


def refusal(body: Mapping[str, Any] | None) -> Response | None:
    """The 400 a Composite request gets before any subrequest runs: no subrequests, or beyond the limits."""
    subrequests = body.get("compositeRequest") if body is not None else None
    if not isinstance(subrequests, list) or not subrequests:
        return api_error(400, "INVALID_API_INPUT", "compositeRequest must be a non-empty list of subrequests")
    queries = sum("/query" in str(sub.get("url", "")) for sub in subrequests if isinstance(sub, dict))
    if len(subrequests) > COMPOSITE_MAX_SUBREQUESTS or queries > COMPOSITE_MAX_QUERIES:
        message = (
            f"A composite request can have at most {COMPOSITE_MAX_SUBREQUESTS} subrequests and "
            f"{COMPOSITE_MAX_QUERIES} queries; this one has {len(subrequests)} and {queries}"
        )
        return api_error(400, "LIMIT_EXCEEDED", message)
    return None


def run(
    subrequests: list[Any], *, all_or_none: bool, route: Router, rollback: Callable[[], None], version: str
) -> list[dict[str, Any]]:
    """``compositeResponse``: every subrequest's result in order (the caller holds the records meanwhile)."""
    results: list[dict[str, Any]] = []
    outcomes: dict[str, tuple[int, Any]] = {}
    failed_at: int | None = None
    for index, sub in enumerate(subrequests):
        reference_id = str(sub.get("referenceId", "")) if isinstance(sub, dict) else ""
        if failed_at is not None and all_or_none:
            results.append(_subresult(400, ROLLED_BACK, reference_id))
            continue
        status, answer, headers = _subrequest(sub, outcomes, route, version)
        outcomes[reference_id] = (status, answer)
        results.append(_subresult(status, answer, reference_id, headers))
        if status >= 400 and failed_at is None:
            failed_at = index
    if failed_at is not None and all_or_none:
        rollback()
        results = [
            result if index == failed_at else _subresult(400, ROLLED_BACK, result["referenceId"])
            for index, result in enumerate(results)
        ]
    return results


def _subrequest(
    sub: Any, outcomes: Mapping[str, tuple[int, Any]], route: Router, version: str
) -> tuple[int, Any, dict[str, str]]:
    if not isinstance(sub, dict) or not isinstance(sub.get("url"), str) or not isinstance(sub.get("method"), str):
        return 400, [{"message": "A subrequest needs a method and a url", "errorCode": "INVALID_API_INPUT"}], {}
    try:
        url = _resolve_references(sub["url"], outcomes)
        body = _resolve_references(sub.get("body"), outcomes)
    except LookupError as error:
        return 400, [{"message": str(error), "errorCode": PROCESSING_HALTED}], {}
    data = json.dumps(body) if body is not None else None
    builder = EnvironBuilder(path=url, method=sub["method"].upper(), data=data, content_type="application/json")
    subrequest = Request(builder.get_environ())
    response = route(subrequest)
    answer = json.loads(response.get_data()) if response.get_data() else None
    headers = {}
    if response.status_code == 201 and isinstance(answer, dict) and "id" in answer:
        resource = subrequest.path.split("/", 4)[-1].strip("/")  # sobjects/<Object> after /services/data/vNN.N/
        headers["Location"] = f"{DATA_PREFIX}v{version}/{resource}/{answer['id']}"
    return response.status_code, answer, headers


def _subresult(status: int, body: Any, reference_id: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One entry of ``compositeResponse``, in Salesforce's shape."""
    return {"body": body, "httpHeaders": dict(headers or {}), "httpStatusCode": status, "referenceId": reference_id}


def _resolve_references(value: Any, outcomes: Mapping[str, tuple[int, Any]]) -> Any:
    """``value`` with every ``@{ref.path}`` in its strings replaced by that value of an earlier subrequest's result."""
    if isinstance(value, dict):
        return {key: _resolve_references(item, outcomes) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_references(item, outcomes) for item in value]
    if not isinstance(value, str):
        return value
    return _REFERENCE.sub(lambda match: str(_reference_value(match.group(1), outcomes)), value)


def _reference_value(reference: str, outcomes: Mapping[str, tuple[int, Any]]) -> Any:
    name, _, path = reference.partition(".")
    status, current = outcomes.get(name, (0, None))
    invalid = (
        f"Invalid reference specified. No value for {reference} found in {name}. Provided referenceId ('{name}') "
        "must be a valid reference to an earlier subrequest that succeeded"
    )
    if not 200 <= status < 300 or not path:
        raise LookupError(invalid)
    for element in path.split("."):
        match = _REFERENCE_ELEMENT.fullmatch(element)
        if match is None or not isinstance(current, dict) or match.group("name") not in current:
            raise LookupError(invalid)
        current = current[match.group("name")]
        if match.group("index") is not None:
            index = int(match.group("index"))
            if not isinstance(current, list) or index >= len(current):
                raise LookupError(invalid)
            current = current[index]
    if current is None or isinstance(current, (dict, list)):
        raise LookupError(invalid)
    return current
