"""The failure a Lambda answer carries, in one shape whichever function answered.

Two shapes are understood: this project's invoker (the invocation fails; ``errorMessage`` is the JSON of
``{success: false, status, statusText, errorCode, errorMessage}``) and Salesforce's original Node.js function,
which for queries answered the same object as a *successful* result (the guide's
``{"success": false, "status": 500}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scvctl.invoke import LambdaAnswer


@dataclass(frozen=True)
class Failure:
    """A failed invocation in the invoker's terms (empty strings where the answer did not say)."""

    status: int | str | None
    status_text: str
    error_code: str
    message: str
    error_type: str = ""

    def describe(self) -> str:
        status = f" ({self.status} {self.status_text})".replace(" )", ")") if self.status is not None else ""
        code = self.error_code or self.error_type or "error"
        return f"{code}{status}: {self.message}" if self.message else f"{code}{status}"


def failure_of(answer: LambdaAnswer) -> Failure | None:
    """The failure an answer carries, or None when the function succeeded."""
    payload = answer.payload
    if answer.function_error:
        if isinstance(payload, dict):
            message = payload.get("errorMessage")
            error_type = str(payload.get("errorType") or "")
            inner = _json_object(message)
            if inner is not None and _is_failure(inner):
                return _from_failure_object(inner, error_type)
            return Failure(None, "", "", str(message or ""), error_type or answer.function_error)
        return Failure(None, "", "", "" if payload is None else str(payload), answer.function_error)
    if isinstance(payload, dict) and _is_failure(payload):
        return _from_failure_object(payload, "")
    return None


def _is_failure(document: dict[str, Any]) -> bool:
    return document.get("success") in (False, "false", "False")


def _from_failure_object(document: dict[str, Any], error_type: str) -> Failure:
    return Failure(
        document.get("status"),
        str(document.get("statusText") or ""),
        str(document.get("errorCode") or ""),
        str(document.get("errorMessage") or ""),
        error_type,
    )


def _json_object(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
