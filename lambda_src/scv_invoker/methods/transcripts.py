"""uploadTranscript and fetchUploadIdsStatus: Service Cloud Voice's conversation upload API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scv_invoker.errors import BadRequestError
from scv_invoker.methods.base import MethodCall, encode_uri_component, is_utf8

UPLOAD_PATH = "connect/conversations/upload"
#: Salesforce requires a file name on every part of the upload
TRANSCRIPT_FILENAME = "transcripts.txt"

_SHAPE = 'a JSON list of [contactId, payload] pairs, e.g. [["<contact id>", "<transcript JSON>"]]'


def transcript_pairs(parameters: Mapping[str, str]) -> dict[str, str]:
    """``contactIdsPayloadMap`` as contact id → payload (a repeated id keeps its last payload, like a JS Map)."""
    try:
        pairs = json.loads(parameters["contactIdsPayloadMap"])
    except ValueError as error:
        raise BadRequestError(
            f"contactIdsPayloadMap is not valid JSON ({getattr(error, 'msg', 'parse error')}): it must be {_SHAPE}"
        ) from None
    except RecursionError:
        raise BadRequestError(f"contactIdsPayloadMap is nested too deeply to be {_SHAPE}") from None
    if not isinstance(pairs, list) or not pairs:
        raise BadRequestError(f"contactIdsPayloadMap must be {_SHAPE} with at least one pair")
    result: dict[str, str] = {}
    for index, pair in enumerate(pairs):
        if (not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str) or not pair[0]
                or not isinstance(pair[1], str) or not is_utf8(pair[0]) or not is_utf8(pair[1])):  # fmt: skip
            raise BadRequestError(
                f"contactIdsPayloadMap item {index} must be a [contactId, payload] pair of strings (valid Unicode): "
                f"it must be {_SHAPE}"
            )
        result[pair[0]] = pair[1]
    return result


def validate_upload(parameters: Mapping[str, str]) -> None:
    transcript_pairs(parameters)


def upload_transcript(invocation: MethodCall) -> Any:
    """One multipart POST, a part per contact named by its id; Salesforce's JSON answer as it came.

    A POST that creates uploads is never repeated after a failure, so a transcript is never uploaded twice.
    """
    parts = [
        (contact_id, (TRANSCRIPT_FILENAME, payload.encode("utf-8"), "text/plain"))
        for contact_id, payload in transcript_pairs(invocation.parameters).items()
    ]
    return invocation.salesforce.post(UPLOAD_PATH, files=parts).body


def fetch_upload_ids_status(invocation: MethodCall) -> Any:
    """GET the status of earlier uploads; Salesforce's JSON answer as it came."""
    query = "uploadIds=" + encode_uri_component(invocation.parameters["uploadIds"])
    return invocation.salesforce.get(UPLOAD_PATH, query=query).body
