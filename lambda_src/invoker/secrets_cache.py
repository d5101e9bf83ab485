"""Per-container cache of the two secrets: the access token on every cold path, the key only to mint.

A warm invocation reads no secret at all. A cold container with a valid cached token reads only the
access secret (one call); the main secret (private key, consumer key, subject, audience) is read
only when a token has to be minted. Entries expire after SECRETS_CACHE_TTL_SECONDS so a rotated key
or a token cleared by the stack is picked up.

Reads go through the AWS Parameters and Secrets Lambda Extension when it is attached (local HTTP, no
boto3 import on the cold path); forced re-reads (after a 401 or invalid_grant) go to Secrets Manager
directly, because the extension may serve the very value that just failed from its own cache.
Writes (a new token) and the AWSPENDING read always use boto3, imported on first use.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from shared import secret_format

from invoker.errors import ConfigurationError, InvokerError, SecretsUnavailableError
from invoker.log import logger
from invoker.settings import Settings
from invoker.stats import InvocationStats
from invoker.transport import Budget, HttpRequest, send

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_secretsmanager import SecretsManagerClient

#: the extension answers from memory or after one Secrets Manager call
EXTENSION_TIMEOUT_SECONDS = 2.0
#: botocore's per-attempt timeouts: the longest read timeout whose attempt fits in the time left is used
#: (one client per timeout, made on first use), so a slow Secrets Manager cannot run the function past
#: its deadline; the connect timeout is min(SDK_CONNECT_TIMEOUT_SECONDS, read timeout)
SDK_CONNECT_TIMEOUT_SECONDS = 1.0
SDK_READ_TIMEOUTS_SECONDS = (2.0, 1.0, 0.5, 0.25)
#: a failed read is repeated once (botocore's own retries are off: they ignore the deadline) when an
#: attempt with at least this much time still fits
SDK_RETRY_MIN_SECONDS = 1.0
SDK_RETRY_DELAY_SECONDS = 0.1
#: failures worth one more attempt: throttling, Secrets Manager's 5xx, and the network
_SDK_RETRYABLE = frozenset({
    "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
    "InternalServiceError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
    "RequestTimeout", "RequestTimeoutException",
    "ReadTimeoutError", "ConnectTimeoutError", "EndpointConnectionError", "ConnectionClosedError",
})  # fmt: skip
_SDK_TIMEOUTS = frozenset({"ReadTimeoutError", "ConnectTimeoutError"})


def consumer_key_missing_message(scvctl_target: str) -> str:
    return (
        "consumer key is empty: create the External Client App (or connected app) with the certificate from the "
        f"stack output, then run `scvctl consumer-key set {scvctl_target}`"
    )


@dataclass(frozen=True)
class MainSecret:
    """What minting a token needs. ``repr`` never shows the private key."""

    consumer_key: str
    private_key: str = field(repr=False)
    subject: str
    audience: str
    version_id: str | None = None

    def with_private_key(self, other: MainSecret) -> MainSecret:
        """This document's consumer key, subject and audience with ``other``'s key (a staged rotation
        carries the new key; the current document carries the settings activation will keep)."""
        return MainSecret(self.consumer_key, other.private_key, self.subject, self.audience, other.version_id)


@dataclass
class _Entry:
    secret_string: str | None
    version_id: str | None
    read_at: float


class SecretsCache:
    """The container's view of the main and access secrets."""

    def __init__(
        self, settings: Settings, session: requests.Session, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._keys = settings.secret_keys
        self._session = session
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._clients: dict[float, SecretsManagerClient] = {}
        self._extension_usable = settings.extension_port is not None
        self._main_name = settings.main_secret_name
        self._access_name = settings.access_secret_name

    @property
    def reads_through_extension(self) -> bool:
        """Reads go through the extension, whose own cache may be up to its TTL old."""
        return self._extension_usable

    # ----------------------------------------------------------------- the access token

    def access_token(self, budget: Budget, stats: InvocationStats, *, force: bool = False) -> tuple[str, bool]:
        """The token in the access secret ("" when none) and whether it came from this container's memory."""
        entry, hit = self._read(self._settings.access_secret_id, budget, stats, force=force)
        return self._parse_access(entry.secret_string), hit

    def store_access_token(self, token: str, budget: Budget, stats: InvocationStats) -> None:
        """Remember a new token here and write it to the access secret for the other containers.

        A failed write is logged, not raised: the token works for this container, the others mint their own.
        """
        document = json.dumps({self._keys.access_token: token})
        self._entries[self._settings.access_secret_id] = _Entry(document, None, self._clock())
        try:
            budget.timeouts("writing the new token to the access secret")
            stats.secrets_manager_calls += 1
            self._sdk(budget).put_secret_value(SecretId=self._settings.access_secret_id, SecretString=document)
        except Exception as error:  # noqa: BLE001 - any SDK failure is only a missed write-back
            logger.warning(
                "could not write the new access token to the access secret; other containers will mint their own",
                extra={"secret": self._access_name, "error": _sdk_error_code(error)},
            )

    def _parse_access(self, secret_string: str | None) -> str:
        """The access secret is a cache: a malformed one is treated as empty (the next mint overwrites it)."""
        if not secret_string:
            return ""
        try:
            document = json.loads(secret_string)
        except ValueError:
            logger.warning("the access secret is not JSON; minting a new token", extra={"secret": self._access_name})
            return ""
        token = document.get(self._keys.access_token) if isinstance(document, dict) else None
        if not isinstance(token, str):
            logger.warning(
                "the access secret lacks its token key; minting a new token",
                extra={"secret": self._access_name, "key": self._keys.access_token},
            )
            return ""
        return token.strip()

    # ----------------------------------------------------------------- the main secret

    def main_secret(self, budget: Budget, stats: InvocationStats, *, force: bool = False) -> MainSecret:
        """The current key document, validated; ``force`` reads Secrets Manager itself."""
        entry, _ = self._read(self._settings.main_secret_id, budget, stats, force=force)
        try:
            return self._parse_main(entry.secret_string, entry.version_id, secret_format.CURRENT_STAGE)
        except ConfigurationError:
            if force:
                raise
            # The copy in memory (or in the extension's cache) is unusable, but the operator may have fixed
            # the secret since (`scvctl consumer-key set`, `key import`): ask Secrets Manager itself once
            # before failing, so a fix works at the next call instead of after the cache TTL.
            entry, _ = self._read(self._settings.main_secret_id, budget, stats, force=True)
            return self._parse_main(entry.secret_string, entry.version_id, secret_format.CURRENT_STAGE)

    def pending_main_secret(self, budget: Budget, stats: InvocationStats) -> MainSecret | None:
        """The AWSPENDING document of a staged key rotation, None when there is none (or it is unusable)."""
        budget.timeouts("reading the staged (AWSPENDING) key from Secrets Manager")
        try:
            stats.secrets_manager_calls += 1
            response = self._sdk(budget).get_secret_value(
                SecretId=self._settings.main_secret_id, VersionStage=secret_format.PENDING_STAGE
            )
        except Exception as error:  # noqa: BLE001
            code = _sdk_error_code(error)
            if code != "ResourceNotFoundException":
                logger.warning("could not read the staged key", extra={"secret": self._main_name, "error": code})
            return None
        try:
            return self._parse_main(
                response.get("SecretString"), response.get("VersionId"), secret_format.PENDING_STAGE
            )
        except ConfigurationError as error:
            logger.warning(
                "the staged key is unusable", extra={"secret": self._main_name, "error": error.error_message}
            )
            return None

    def _parse_main(self, secret_string: str | None, version_id: str | None, stage: str) -> MainSecret:
        label = f"{self._main_name} ({stage})"
        try:
            document = secret_format.parse_secret_document(label, secret_string)
        except secret_format.SecretFormatError as error:
            raise ConfigurationError(str(error), error_code="INVALID_SECRET") from None
        missing = secret_format.missing_keys(document, self._keys.required_main_keys)
        if missing:
            raise ConfigurationError(
                f"secret {label} lacks {', '.join(missing)}: deploy the stack (its seeder writes the document) "
                f"or run `scvctl key import {self._settings.scvctl_target}`",
                error_code="INVALID_SECRET",
            )
        consumer_key = document[self._keys.consumer_key].strip()
        if not consumer_key:
            raise ConfigurationError(
                consumer_key_missing_message(self._settings.scvctl_target), error_code="CONSUMER_KEY_NOT_SET"
            )
        empty = [key for key in (self._keys.private_key, self._keys.subject, self._keys.audience)
                 if not document[key].strip()]  # fmt: skip
        if empty:
            raise ConfigurationError(
                f"secret {label} has an empty {', '.join(empty)}: redeploy the stack with the subject and audience "
                f"set in contact_centers.yaml, or run `scvctl key import {self._settings.scvctl_target}`",
                error_code="INVALID_SECRET",
            )
        return MainSecret(
            consumer_key=consumer_key,
            private_key=document[self._keys.private_key],
            subject=document[self._keys.subject].strip(),
            audience=document[self._keys.audience].strip(),
            version_id=version_id,
        )

    # ----------------------------------------------------------------- reading

    def _read(self, secret_id: str, budget: Budget, stats: InvocationStats, *, force: bool) -> tuple[_Entry, bool]:
        entry = self._entries.get(secret_id)
        if not force and entry is not None and self._clock() - entry.read_at < self._settings.secrets_cache_ttl_seconds:
            stats.secrets_cache_hits += 1
            return entry, True
        value: tuple[str | None, str | None] | None = None
        if not force and self._extension_usable:
            value = self._read_through_extension(secret_id, budget, stats)
        if value is None:
            value = self._read_through_sdk(secret_id, budget, stats)
        entry = _Entry(value[0], value[1], self._clock())
        self._entries[secret_id] = entry
        return entry, False

    def _read_through_extension(
        self, secret_id: str, budget: Budget, stats: InvocationStats
    ) -> tuple[str | None, str | None] | None:
        """(SecretString, VersionId) from the extension; None to fall back to Secrets Manager."""
        session_token = os.environ.get("AWS_SESSION_TOKEN", "")
        if not session_token:
            self._disable_extension("AWS_SESSION_TOKEN is not set")
            return None
        request = HttpRequest(
            method="GET",
            url=f"http://localhost:{self._settings.extension_port}/secretsmanager/get"
            f"?secretId={quote(secret_id, safe='')}",
            operation="the Parameters and Secrets extension",
            idempotent=False,  # a failure falls back to Secrets Manager instead of retrying
            headers={"X-Aws-Parameters-Secrets-Token": session_token},
            max_seconds=EXTENSION_TIMEOUT_SECONDS,
        )
        stats.secrets_extension_reads += 1
        try:
            response = send(self._session, request, budget)
        except InvokerError as error:
            if error.error_code == "CONNECTION_ERROR":
                self._disable_extension("not reachable")
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
        return body.get("SecretString"), body.get("VersionId")

    def _disable_extension(self, reason: str) -> None:
        """Logged once per container: every later read of this container goes to Secrets Manager."""
        self._extension_usable = False
        logger.warning("secrets extension unusable, reading Secrets Manager directly", extra={"reason": reason})

    def _read_through_sdk(
        self, secret_id: str, budget: Budget, stats: InvocationStats
    ) -> tuple[str | None, str | None]:
        """GetSecretValue, repeated once after a throttle, 5xx or network failure when the time left allows."""
        name = self._main_name if secret_id == self._settings.main_secret_id else self._access_name
        attempt = 0
        while True:
            budget.timeouts(f"reading secret {name} from Secrets Manager")
            stats.secrets_manager_calls += 1
            try:
                response = self._sdk(budget).get_secret_value(SecretId=secret_id)
            except Exception as error:  # noqa: BLE001
                retryable = _sdk_error_code(error) in _SDK_RETRYABLE or _sdk_status(error) >= 500
                if retryable and attempt == 0 and budget.allows(SDK_RETRY_MIN_SECONDS):
                    attempt += 1
                    time.sleep(SDK_RETRY_DELAY_SECONDS)
                    continue
                raise _secrets_error(error, name, secret_id, repeated=attempt > 0) from None
            return response.get("SecretString"), response.get("VersionId")

    def _sdk(self, budget: Budget) -> SecretsManagerClient:
        """A boto3 client whose attempt fits in the time left (importing boto3 costs ~200 ms: first use only).

        Clients are kept per read timeout for the container's life; usually only the longest is ever made.
        """
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


def sdk_read_timeout(remaining_seconds: float) -> float:
    """The longest read timeout whose whole attempt (connect + read) fits in ``remaining_seconds``."""
    for read_timeout in SDK_READ_TIMEOUTS_SECONDS:
        if min(SDK_CONNECT_TIMEOUT_SECONDS, read_timeout) + read_timeout <= remaining_seconds:
            return read_timeout
    return SDK_READ_TIMEOUTS_SECONDS[-1]


def _sdk_error_code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__


def _sdk_status(error: BaseException) -> int:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if isinstance(status, int):
            return status
    return 0


def _secrets_error(error: BaseException, name: str, secret_id: str, *, repeated: bool = False) -> InvokerError:
    code = _sdk_error_code(error)
    tried = " (tried twice)" if repeated else ""
    if code == "ResourceNotFoundException":
        return ConfigurationError(
            f"secret {name} was not found (id {secret_id}): deploy the stack, or fix SALESFORCE_SECRET_ID / "
            f"SALESFORCE_ACCESS_SECRET_ID",
            error_code="SECRET_NOT_FOUND",
        )
    if code in ("AccessDeniedException", "DecryptionFailure", "AccessDenied"):
        return ConfigurationError(
            f"the function may not read secret {name} ({code}): its role needs secretsmanager:GetSecretValue on the "
            f"secret (and kms:Decrypt on its key); redeploy the stack",
            error_code="SECRET_ACCESS_DENIED",
        )
    if code in ("UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
                "NoCredentialsError"):  # fmt: skip
        return ConfigurationError(
            f"Secrets Manager rejected the function's credentials ({code}) reading secret {name}",
            error_code="SECRET_ACCESS_DENIED",
        )
    if code in _SDK_TIMEOUTS:
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
