"""Reading a secret through the AWS Parameters and Secrets Lambda Extension: local HTTP, no boto3.

The extension answers from its own memory or after one Secrets Manager call, so a cold container reads
its access token without importing boto3 (~200 ms). Any failure here is not the invocation's: the reader
answers None and the caller reads Secrets Manager itself. A reader that cannot work in this container
(no session token, nothing listening) turns itself off once, with one warning.
"""

from typing import Any, NamedTuple
from urllib.parse import quote

from scv_invoker.connections import ConnectionPool
from scv_invoker.errors import InvokerError
from scv_invoker.log import logger
from scv_invoker.stats import InvocationStats
from scv_invoker.transport import Budget, HttpRequest, send

#: the extension answers from memory or after one Secrets Manager call
EXTENSION_TIMEOUT_SECONDS = 2.0


class SecretValue(NamedTuple):
    """One version of a secret as read: its SecretString and VersionId (either may be absent)."""

    secret_string: str | None
    version_id: str | None


class SecretsExtension:
    """The extension on ``port``, authenticated with the function's session token."""

    def __init__(self, port: int | None, session_token: str, connections: ConnectionPool) -> None:
        self._port = port
        self._session_token = session_token
        self._connections = connections
        self.usable = port is not None

    def read(self, secret_id: str, budget: Budget, stats: InvocationStats) -> SecretValue | None:
        """The secret's current value, or None to read Secrets Manager directly."""
        if not self._session_token:
            self._disable("AWS_SESSION_TOKEN is not set")
            return None
        request = HttpRequest(
            method="GET",
            url=f"http://localhost:{self._port}/secretsmanager/get?secretId={quote(secret_id, safe='')}",
            operation="the Parameters and Secrets extension",
            idempotent=False,  # a failure falls back to Secrets Manager instead of retrying
            headers={"X-Aws-Parameters-Secrets-Token": self._session_token},
            max_seconds=EXTENSION_TIMEOUT_SECONDS,
        )
        stats.secrets_extension_reads += 1
        try:
            response = send(self._connections, request, budget)
        except InvokerError as error:
            if error.error_code == "CONNECTION_ERROR":
                self._disable("not reachable")
            else:
                logger.warning("the secrets extension did not answer; reading Secrets Manager directly",
                               extra={"error": error.error_code})  # fmt: skip
            return None
        if response.status_code != 200:
            logger.warning(
                "the secrets extension refused the read; reading Secrets Manager directly",
                extra={"status": response.status_code},
            )
            return None
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            logger.warning("the secrets extension answered without a JSON object; reading Secrets Manager directly")
            return None
        return SecretValue(body.get("SecretString"), body.get("VersionId"))

    def _disable(self, reason: str) -> None:
        """Logged once per container: every later read of this container goes to Secrets Manager."""
        self.usable = False
        logger.warning("secrets extension unusable, reading Secrets Manager directly", extra={"reason": reason})
