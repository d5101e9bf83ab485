"""The invoker's failures, all in the shape contact flows and runbooks already know.

Salesforce's Node.js function failed with ``{success: false, status, statusText, errorCode,
errorMessage}``. Every failure here carries exactly that ``failure`` dict and its ``str()`` is the
JSON of it, so the Lambda error message a flow designer sees in the contact's logs is one parseable
object whose ``errorMessage`` says what to fix. This is the only place that builds that shape.
"""

from __future__ import annotations

import json
from typing import Any

from scv_invoker.redaction import redact


class InvokerError(Exception):
    """Base of every failure the handler raises (the flow then takes its error branch)."""

    default_status = 500
    default_status_text = "Internal Server Error"
    default_error_code = "INVOKER_ERROR"

    def __init__(
        self,
        error_message: str,
        *,
        error_code: str | None = None,
        status: int | None = None,
        status_text: str | None = None,
    ) -> None:
        self.status = self.default_status if status is None else status
        self.status_text = self.default_status_text if status_text is None else status_text
        self.error_code = error_code or self.default_error_code
        self.error_message = error_message
        super().__init__(error_message)

    @property
    def failure(self) -> dict[str, Any]:
        """The anchor-compatible failure object."""
        return {
            "success": False,
            "status": self.status,
            "statusText": self.status_text,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
        }

    def __str__(self) -> str:
        return json.dumps(self.failure, ensure_ascii=False)


class BadRequestError(InvokerError):
    """The event or a parameter is wrong: the contact flow must change. No Salesforce data request was made."""

    default_status = 400
    default_status_text = "Bad Request"
    default_error_code = "INVALID_PARAMETER"


class ConfigurationError(InvokerError):
    """The function's environment or secrets are not set up: an operator must fix the deployment."""

    default_status = 500
    default_status_text = "Configuration Error"
    default_error_code = "CONFIGURATION_ERROR"


class SalesforceApiError(InvokerError):
    """Salesforce (or the way to it) answered with an error, or did not answer in time."""

    default_status = 502
    default_status_text = "Bad Gateway"
    default_error_code = "SALESFORCE_ERROR"
    #: the request got no answer at all (it timed out, or its connection failed): what the org's circuit breaker
    #: counts (invoker/breaker.py); transport.py sets it
    no_answer = False


class SecretsUnavailableError(InvokerError):
    """Secrets Manager could not be reached or refused the read (network, throttling, permissions)."""

    default_status = 503
    default_status_text = "Service Unavailable"
    default_error_code = "SECRETS_MANAGER_ERROR"


#: extra guidance for Salesforce error codes whose message does not say what to do
_SALESFORCE_HINTS = {
    "INVALID_SESSION_ID": "a fresh token was refused too: check the app's OAuth scopes include 'api' and that "
    "SALESFORCE_REST_API_ENDPOINT_BASE is the org the token was minted for",
    "REQUEST_LIMIT_EXCEEDED": "the org's API request limit is used up or requests come too fast (see api_usage in "
    "the invoker's logs)",
    "API_DISABLED_FOR_ORG": "the org's edition or the user's profile does not allow API access ('API Enabled')",
    "INSUFFICIENT_ACCESS": "grant the integration user access to this object/record (profile or permission set)",
    "INSUFFICIENT_ACCESS_OR_READONLY": "grant the integration user edit access to this object/record",
    "NOT_FOUND": "check the object API name and record id the contact flow passes",
    "SERVER_UNAVAILABLE": "Salesforce is unavailable (maintenance or overload): see status.salesforce.com and retry",
}


def salesforce_error(status: int, status_text: str, body: Any, operation: str) -> SalesforceApiError:
    """Salesforce's answer in the Node.js function's shape: data errors arrive as ``[{errorCode, message}]``,
    OAuth errors as ``{error, error_description}``; anything else is named by its HTTP status. The message is
    redacted (invoker/redaction.py): it goes to the log and to the flow, and may quote a caller's data."""
    error_code: Any = None
    message: Any = None
    if isinstance(body, list) and body and isinstance(body[0], dict):
        error_code, message = body[0].get("errorCode"), body[0].get("message")
    elif isinstance(body, dict):
        if "error" in body:
            error_code, message = body.get("error"), body.get("error_description")
        else:
            error_code, message = body.get("errorCode"), body.get("message")
    code = str(error_code) if error_code else f"HTTP_{status}"
    text = redact(str(message)) if message else f"Salesforce answered {status} {status_text} to {operation}".rstrip()
    hint = _SALESFORCE_HINTS.get(code)
    if hint:
        text = f"{text} ({hint})"
    return SalesforceApiError(text, error_code=code, status=status, status_text=status_text)


class CompositeStepError(SalesforceApiError):
    """A step of a Composite request failed. The failure object also names the step (``referenceId``) and says
    whether Salesforce rolled the other steps back (``rolledBack``), so the log shows what was kept."""

    def __init__(self, error: SalesforceApiError, *, reference_id: str, method: str, rolled_back: bool) -> None:
        kept = "Salesforce rolled every step back, nothing was kept" if rolled_back else "earlier steps were kept"
        super().__init__(
            f"step {reference_id!r} ({method}) failed: {error.error_message}; {kept}",
            error_code=error.error_code,
            status=error.status,
            status_text=error.status_text,
        )
        self.reference_id = reference_id
        self.rolled_back = rolled_back

    @property
    def failure(self) -> dict[str, Any]:
        return {**super().failure, "referenceId": self.reference_id, "rolledBack": self.rolled_back}
