"""Salesforce's answer shapes every part of the org uses: JSON responses and the REST API's common errors.

Kept in one place so the token endpoint, the resources and the fault injection answer alike (the same
content type and error list shape ``[{"message", "errorCode"}]``) and a test can compare against the constants.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Request, Response

_JSON = "application/json;charset=UTF-8"

INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
REQUEST_LIMIT_EXCEEDED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
NOT_A_JSON_OBJECT = [{"message": "The request body is not a JSON object", "errorCode": "JSON_PARSER_ERROR"}]


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=dict(headers or {}), content_type=_JSON)


def api_error(status: int, error_code: str, message: str) -> Response:
    """The REST API's error shape: a list of one ``{"message", "errorCode"}``."""
    return json_response(status, [{"message": message, "errorCode": error_code}])


def json_object(request: Request) -> dict[str, Any] | None:
    """The request body as a JSON object; None when it is not one (Salesforce's JSON_PARSER_ERROR)."""
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def compressed_when_accepted(request: Request, response: Response) -> None:
    """gzip the answer's body when the request accepts gzip, as the REST API normally does (its docs: "Compression
    Headers"), and leave its length unsaid: the server then streams it chunked, as in the example of a compressed
    answer in Salesforce's Bulk API docs (``Content-Encoding: gzip`` with ``Transfer-Encoding: chunked``)."""
    body = response.get_data()
    if not body or request.method == "HEAD" or "gzip" not in request.headers.get("Accept-Encoding", "").lower():
        return
    response.set_data(gzip.compress(body))
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.automatically_set_content_length = False
    del response.headers["Content-Length"]
