"""How a failed Secrets Manager call is repeated and what the invocation is told when it still fails.

The client (secrets_api.py) makes one attempt per call, as only the invocation knows its deadline: a read is
repeated once after a throttle, a 5xx or a network failure, and only when an attempt still fits in the time
left. What the codes mean is the shared table's (shared/secrets_manager_errors.py); this module words it as
the invoker's failure shape, naming the secret and the fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from scv_shared import secrets_manager_errors as sm

from scv_invoker.errors import ConfigurationError, InvokerError, SecretsUnavailableError
from scv_invoker.transport import Budget

T = TypeVar("T")

#: a failed read is repeated once when an attempt with at least this much time still fits
SDK_RETRY_MIN_SECONDS = 1.0
SDK_RETRY_DELAY_SECONDS = 0.1
#: the errorCode of a secret (or a version of it) that does not exist
NOT_FOUND_ERROR_CODE = "SECRET_NOT_FOUND"


def with_one_retry(call: Callable[[], T], budget: Budget, *, name: str, secret_id: str) -> T:
    """``call()``, repeated once when that is worth it and fits; an InvokerError naming ``name`` otherwise."""
    attempt = 0
    while True:
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - every SDK failure is mapped below
            if attempt == 0 and sm.is_retryable(error) and budget.allows(SDK_RETRY_MIN_SECONDS):
                attempt += 1
                time.sleep(SDK_RETRY_DELAY_SECONDS)
                continue
            raise secrets_error(error, name, secret_id, repeated=attempt > 0) from None


def secrets_error(error: BaseException, name: str, secret_id: str, *, repeated: bool = False) -> InvokerError:
    code = sm.error_code(error)
    tried = " (tried twice)" if repeated else ""
    if code == sm.NOT_FOUND_CODE:
        return ConfigurationError(
            f"secret {name} was not found (id {secret_id}): deploy the stack, or fix SALESFORCE_SECRET_ID / "
            f"SALESFORCE_ACCESS_SECRET_ID",
            error_code=NOT_FOUND_ERROR_CODE,
        )
    if code in sm.ACCESS_DENIED_CODES:
        return ConfigurationError(
            f"the function may not read secret {name} ({code}): its role needs secretsmanager:GetSecretValue on the "
            f"secret (and kms:Decrypt on its key); redeploy the stack",
            error_code="SECRET_ACCESS_DENIED",
        )
    if code in sm.CREDENTIAL_CODES:
        return ConfigurationError(
            f"Secrets Manager rejected the function's credentials ({code}) reading secret {name}",
            error_code="SECRET_ACCESS_DENIED",
        )
    if code in sm.TIMEOUT_CODES:
        return SecretsUnavailableError(
            f"Secrets Manager did not answer in time reading secret {name} ({code}){tried}: the function gives up "
            f"before Amazon Connect's 8 s. Check Secrets Manager's health and the function's network path to it "
            f"(VPC endpoint or NAT)",
            error_code="SECRETS_MANAGER_ERROR",
        )
    return SecretsUnavailableError(
        f"could not read secret {name} from Secrets Manager ({code}){tried}; retry, and check Secrets Manager's "
        f"health and the function's network path to it",
        error_code="SECRETS_MANAGER_ERROR",
    )
