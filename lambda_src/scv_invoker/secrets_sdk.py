"""GetSecretValue and PutSecretValue within the invocation's budget: each attempt gets what is left, at most
SDK_ATTEMPT_SECONDS, as one deadline for the whole request.

The calls are secrets_api.py's (the standard library, no boto3: that module says why), over one kept
connection per container, imported and made at the first call: a container whose token comes from the
extension never loads the client or connects. A slow Secrets Manager cannot run the function past Connect's
deadline, and a read that failed in a way worth repeating is repeated once when an attempt still fits
(secrets_retry.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scv_shared import secrets_manager_errors as sm

from scv_invoker.secrets_extension import SecretValue
from scv_invoker.secrets_retry import with_one_retry
from scv_invoker.stats import InvocationStats
from scv_invoker.transport import Budget

if TYPE_CHECKING:  # pragma: no cover
    from scv_invoker.secrets_api import SecretsManagerApi

#: the longest one Secrets Manager attempt may take, connecting included, when the budget allows it
SDK_ATTEMPT_SECONDS = 2.0
#: connecting never takes longer than this (nor than the attempt)
SDK_CONNECT_TIMEOUT_SECONDS = 1.0


class SecretsManagerSdk:
    """GetSecretValue and PutSecretValue within the invocation's budget, counted in its stats."""

    def __init__(self) -> None:
        self._api: SecretsManagerApi | None = None

    def read(
        self,
        secret_id: str,
        name: str,
        budget: Budget,
        stats: InvocationStats,
        *,
        stage: str | None = None,
        version_id: str | None = None,
    ) -> SecretValue:
        """One version (``version_id``, else ``stage``, else AWSCURRENT), repeated once when worth it; an
        InvokerError otherwise."""
        stage_argument = {"VersionId": version_id} if version_id else {"VersionStage": stage} if stage else {}

        def attempt() -> SecretValue:
            budget.timeouts(f"reading secret {name} from Secrets Manager")
            stats.secrets_manager_calls += 1
            response = self.client(budget).get_secret_value(SecretId=secret_id, **stage_argument)
            return SecretValue(response.get("SecretString"), response.get("VersionId"))

        return with_one_retry(attempt, budget, name=name, secret_id=secret_id)

    def write(self, secret_id: str, secret_string: str, budget: Budget, stats: InvocationStats, what: str) -> None:
        """One PutSecretValue, never repeated (raises a secrets_api.SecretsManagerError)."""
        budget.timeouts(what)
        stats.secrets_manager_calls += 1
        self.client(budget).put_secret_value(SecretId=secret_id, SecretString=secret_string)

    def claim(
        self,
        secret_id: str,
        claim_id: str,
        claimant: str,
        stage: str,
        budget: Budget,
        stats: InvocationStats,
        *,
        what: str,
    ) -> bool:
        """Create the version ``claim_id`` of the secret under ``stage``, holding ``claimant``: True for the one
        caller that created it (or the same claimant again), False when another claimant's version has that id.

        Secrets Manager refuses a ClientRequestToken already used with a different value (ResourceExistsException),
        which makes this a compare-and-set every container of every account region sees at once.
        """
        budget.timeouts(what)
        stats.secrets_manager_calls += 1
        try:
            self.client(budget).put_secret_value(
                SecretId=secret_id, ClientRequestToken=claim_id, SecretString=claimant, VersionStages=[stage]
            )
        except Exception as error:
            if sm.error_code(error) == sm.EXISTS_CODE:
                return False
            raise
        return True

    def client(self, budget: Budget) -> BudgetedClient:
        """The calls, each attempt fitting in the time ``budget`` leaves."""
        if self._api is None:
            from scv_invoker.secrets_api import SecretsManagerApi

            self._api = SecretsManagerApi()
        timeout = min(SDK_ATTEMPT_SECONDS, budget.remaining_seconds())
        return BudgetedClient(self._api, min(SDK_CONNECT_TIMEOUT_SECONDS, timeout), timeout)


class BudgetedClient:
    """The two actions with boto3's keyword arguments and answers, each one attempt with these timeouts."""

    def __init__(self, api: SecretsManagerApi, connect_timeout: float, timeout: float) -> None:
        self._api = api
        self._timeouts = {"connect_timeout": connect_timeout, "timeout": timeout}

    def get_secret_value(self, **parameters: Any) -> dict[str, Any]:
        return self._api.call("GetSecretValue", parameters, **self._timeouts)

    def put_secret_value(self, **parameters: Any) -> dict[str, Any]:
        return self._api.call("PutSecretValue", parameters, **self._timeouts)
