"""The invoker's failures, all in the shape contact flows and runbooks already know.

Salesforce's Node.js function failed with ``{success: false, status, statusText, errorCode,
errorMessage}``. Every failure here carries exactly that ``failure`` dict and its ``str()`` is the
JSON of it, so the Lambda error message a flow designer sees in the contact's logs is one parseable
object whose ``errorMessage`` says what to fix. This is the only place that builds that shape.
"""

from __future__ import annotations

import json
from typing import Any


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


class SecretsUnavailableError(InvokerError):
    """Secrets Manager could not be reached or refused the read (network, throttling, permissions)."""

    default_status = 503
    default_status_text = "Service Unavailable"
    default_error_code = "SECRETS_MANAGER_ERROR"
