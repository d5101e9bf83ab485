"""Secrets Manager through boto3: a pool of clients, one per read timeout, each made at its first use.

Importing boto3 costs about 200 ms, so nothing here is imported before a call needs it: a container whose
token comes from the extension never loads it. botocore's per-attempt timeouts are fixed per client, so the
longest read timeout whose attempt still fits in the time left picks the client: a slow Secrets Manager
cannot run the function past Connect's deadline. Usually only the longest is ever made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scv_shared import secrets_manager_errors as sm

from scv_invoker.secrets_extension import SecretValue
from scv_invoker.secrets_retry import with_one_retry
from scv_invoker.stats import InvocationStats
from scv_invoker.transport import Budget

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_secretsmanager import SecretsManagerClient

#: the connect timeout is min(SDK_CONNECT_TIMEOUT_SECONDS, read timeout)
SDK_CONNECT_TIMEOUT_SECONDS = 1.0
SDK_READ_TIMEOUTS_SECONDS = (2.0, 1.0, 0.5, 0.25)


def sdk_read_timeout(remaining_seconds: float) -> float:
    """The longest read timeout whose whole attempt (connect + read) fits in ``remaining_seconds``."""
    for read_timeout in SDK_READ_TIMEOUTS_SECONDS:
        if min(SDK_CONNECT_TIMEOUT_SECONDS, read_timeout) + read_timeout <= remaining_seconds:
            return read_timeout
    return SDK_READ_TIMEOUTS_SECONDS[-1]


class SecretsManagerSdk:
    """GetSecretValue and PutSecretValue within the invocation's budget, counted in its stats."""

    def __init__(self) -> None:
        self._clients: dict[float, SecretsManagerClient] = {}

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
        """One PutSecretValue, never repeated (raises the SDK's own error)."""
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

    def client(self, budget: Budget) -> SecretsManagerClient:
        """A client whose attempt fits in the time left, kept for the container's life."""
        read_timeout = sdk_read_timeout(budget.remaining_seconds())
        client = self._clients.get(read_timeout)
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "secretsmanager",
                config=Config(
                    connect_timeout=min(SDK_CONNECT_TIMEOUT_SECONDS, read_timeout),
                    read_timeout=read_timeout,
                    retries={"total_max_attempts": 1, "mode": "standard"},
                ),
            )
            self._clients[read_timeout] = client
        return client
