"""Per-container view of the two secrets: the access token on every cold path, the key only to mint.

A warm invocation reads no secret at all. A cold container with a valid cached token reads only the
access secret (one call); the main secret (private key, consumer key, subject, audience) is read
only when a token has to be minted. Entries expire after SECRETS_CACHE_TTL_SECONDS so a rotated key
or a token cleared by the stack is picked up.

This module decides what to read and when; the parts do one job each: ttl_cache (memory that expires),
secrets_extension (the Parameters and Secrets extension: local HTTP),
secrets_sdk (Secrets Manager's API itself, through secrets_api, imported on first use),
secrets_retry (repeats and error messages)
and shared/secret_format (what the documents must hold). Forced re-reads (after a 401 or invalid_grant)
go to Secrets Manager directly, because the extension may serve the very value that just failed from its
own cache. Writes (a new token) and the AWSPENDING read always go to Secrets Manager itself.
"""

import functools
import os
import time
from collections.abc import Callable
from enum import Enum
from typing import NamedTuple

from scv_shared import secret_format
from scv_shared import secrets_manager_errors as sm
from scv_shared.secret_format import MainSecret, SecretFormatError, SignInRefusal

from scv_invoker import secrets_retry
from scv_invoker.connections import ConnectionPool
from scv_invoker.errors import ConfigurationError, InvokerError
from scv_invoker.log import logger
from scv_invoker.secrets_extension import SecretsExtension, SecretValue
from scv_invoker.secrets_sdk import SecretsManagerSdk
from scv_invoker.settings import Settings
from scv_invoker.stats import InvocationStats
from scv_invoker.transport import Budget
from scv_invoker.ttl_cache import TtlCache


class AccessState(NamedTuple):
    """The access secret as read: its token, the refusal it remembers, its version, and whether memory answered."""

    token: str
    refusal: SignInRefusal | None
    version_id: str | None
    from_memory: bool


class Remembered(Enum):
    """What came of writing a refusal into the access secret."""

    WRITTEN = "written: this container holds the probe lease"
    ANOTHERS = "another container's record came first: it holds the lease"
    HERE_ONLY = "the write failed: only this container knows, and it holds the lease itself"


class SecretsCache:
    """The container's view of one org's main and access secrets."""

    def __init__(
        self, settings: Settings, connections: ConnectionPool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._keys = settings.secret_keys
        self._memory: TtlCache[SecretValue] = TtlCache(settings.secrets_cache_ttl_seconds, clock)
        self._extension = SecretsExtension(settings.extension_port, settings.session_token, connections)
        self._sdk = SecretsManagerSdk()
        #: this container's name in a refresh claim and a probe lease (random: it only has to differ from other
        #: containers')
        self.container_id = os.urandom(8).hex()
        self._main_name = settings.main_secret_name
        self._access_name = settings.access_secret_name

    @property
    def reads_through_extension(self) -> bool:
        """Reads go through the extension, whose own cache may be up to its TTL old."""
        return self._extension.usable

    # ----------------------------------------------------------------- the access token

    def access(self, budget: Budget, stats: InvocationStats, *, force: bool = False) -> AccessState:
        """What the access secret holds: its token ("" when none), the refusal it remembers while there is no
        token (invoker/sign_in.py), and the version read."""
        value, hit = self._read(self._settings.access_secret_id, self._access_name, budget, stats, force=force)
        try:
            token = _parsed_access_token(value.secret_string, self._keys)
        except SecretFormatError as error:
            logger.warning(f"{error}; minting a new token", extra={"secret": self._access_name})
            token = ""
        refusal = None if token else secret_format.parse_sign_in_refusal(value.secret_string)
        return AccessState(token, refusal, value.version_id, hit)

    def store_access_token(self, token: str, budget: Budget, stats: InvocationStats) -> None:
        """Remember a new token here and write it to the access secret for the other containers (the new document
        forgets any refusal the old one remembered).

        A failed write is logged, not raised: the token works for this container, the others mint their own.
        """
        document = secret_format.access_secret_document(self._keys, token)
        self._memory.put(self._settings.access_secret_id, SecretValue(document, None))
        try:
            self._sdk.write(
                self._settings.access_secret_id, document, budget, stats, "writing the new token to the access secret"
            )
        except Exception as error:  # noqa: BLE001 - any SDK failure is only a missed write-back
            logger.warning(
                "could not write the new access token to the access secret; other containers will mint their own",
                extra={"secret": self._access_name, "error": sm.error_code(error)},
            )

    def remember_refusal(
        self, refusal: SignInRefusal, replaces: str | None, budget: Budget, stats: InvocationStats
    ) -> Remembered:
        """Write ``refusal`` as the access secret's current document, as the one version that may follow version
        ``replaces`` (the one this container read); what came of it (when another container's record came first,
        this container's memory then holds that one)."""
        document = secret_format.access_secret_document(self._keys, "", refusal)
        what = "remembering the refused sign-in in the access secret"
        successor = secret_format.successor_version_id(replaces) if replaces else None
        try:
            if successor is None:  # the version read is unknown: an unconditional write
                self._sdk.write(self._settings.access_secret_id, document, budget, stats, what)
                written = True
            else:
                written = self._sdk.claim(
                    self._settings.access_secret_id,
                    successor,
                    document,
                    secret_format.CURRENT_STAGE,
                    budget,
                    stats,
                    what=what,
                )
        except Exception as error:  # noqa: BLE001 - the refusal stands, remembered here only
            logger.warning(
                "could not remember the refused sign-in in the access secret; this container remembers it alone",
                extra={"secret": self._access_name, "error": sm.error_code(error)},
            )
            return Remembered.HERE_ONLY
        if written:
            self._memory.put(self._settings.access_secret_id, SecretValue(document, successor))
            return Remembered.WRITTEN
        try:
            self._read(self._settings.access_secret_id, self._access_name, budget, stats, force=True)
        except InvokerError:
            pass  # the next call reads it
        return Remembered.ANOTHERS

    def claim_refresh(self, refused_token: str, budget: Budget, stats: InvocationStats) -> bool:
        """Whether this container mints the successor of ``refused_token``. The first container to claim it
        does; the others wait for the token it stores, so a revocation costs the org one mint, not one per
        container. A container reads the claim before it writes one, so only containers that meet the refused token
        at the same moment race with a write. A claim that cannot be made at all, or one so old that its container
        must have failed, lets this container mint, as before claims existed."""
        claim_id = secret_format.refresh_claim_id(refused_token)
        claimant = secret_format.refresh_claim_document(self.container_id, time.time())
        try:
            claimed_at = self._claimed_at(claim_id, budget, stats)
            if claimed_at is None:
                if self._sdk.claim(
                    self._settings.access_secret_id,
                    claim_id,
                    claimant,
                    secret_format.REFRESH_CLAIM_STAGE,
                    budget,
                    stats,
                    what="claiming the token refresh in the access secret",
                ):
                    return True
                claimed_at = self._claimed_at(claim_id, budget, stats) or 0.0
        except Exception as error:  # noqa: BLE001 - without a claim this container mints, as it always could
            logger.warning(
                "could not claim the token refresh in the access secret; minting without a claim",
                extra={"secret": self._access_name, "error": sm.error_code(error)},
            )
            return True
        return time.time() - claimed_at > secret_format.REFRESH_CLAIM_LIFETIME_SECONDS

    def _claimed_at(self, claim_id: str, budget: Budget, stats: InvocationStats) -> float | None:
        """When the claim ``claim_id`` was made; None when there is none yet (0.0, void, when it does not say)."""
        try:
            value = self._sdk.read(
                self._settings.access_secret_id, self._access_name, budget, stats, version_id=claim_id
            )
        except InvokerError as error:
            if error.error_code == secrets_retry.NOT_FOUND_ERROR_CODE:
                return None  # no version with that id: nobody claimed the refresh
            raise
        return secret_format.refresh_claimed_at(value.secret_string) or 0.0

    # ----------------------------------------------------------------- the main secret

    def main_secret(self, budget: Budget, stats: InvocationStats, *, force: bool = False) -> MainSecret:
        """The current key document, validated; ``force`` reads Secrets Manager itself."""
        value, _ = self._read(self._settings.main_secret_id, self._main_name, budget, stats, force=force)
        try:
            return self._parse_main(value, secret_format.CURRENT_STAGE)
        except ConfigurationError:
            if force:
                raise
            # The copy in memory (or in the extension's cache) is unusable, but the operator may have fixed
            # the secret since (`scvctl consumer-key set`, `key import`): ask Secrets Manager itself once
            # before failing, so a fix works at the next call instead of after the cache TTL.
            value, _ = self._read(self._settings.main_secret_id, self._main_name, budget, stats, force=True)
            return self._parse_main(value, secret_format.CURRENT_STAGE)

    def pending_main_secret(self, budget: Budget, stats: InvocationStats) -> MainSecret | None:
        """The AWSPENDING document of a staged key rotation, None when there is none (or it is unusable)."""
        budget.timeouts("reading the staged (AWSPENDING) key from Secrets Manager")
        try:
            stats.secrets_manager_calls += 1
            response = self._sdk.client(budget).get_secret_value(
                SecretId=self._settings.main_secret_id, VersionStage=secret_format.PENDING_STAGE
            )
        except Exception as error:  # noqa: BLE001 - no staged key is the usual case, any failure means none
            code = sm.error_code(error)
            if code != sm.NOT_FOUND_CODE:
                logger.warning("could not read the staged key", extra={"secret": self._main_name, "error": code})
            return None
        value = SecretValue(response.get("SecretString"), response.get("VersionId"))
        try:
            return self._parse_main(value, secret_format.PENDING_STAGE)
        except ConfigurationError as error:
            logger.warning(
                "the staged key is unusable", extra={"secret": self._main_name, "error": error.error_message}
            )
            return None

    def _parse_main(self, value: SecretValue, stage: str) -> MainSecret:
        try:
            return secret_format.parse_main_secret(
                f"{self._main_name} ({stage})",
                value.secret_string,
                value.version_id,
                self._keys,
                self._settings.scvctl_target,
            )
        except SecretFormatError as error:
            raise ConfigurationError(str(error), error_code=error.error_code) from None

    # ----------------------------------------------------------------- reading

    def _read(
        self, secret_id: str, name: str, budget: Budget, stats: InvocationStats, *, force: bool
    ) -> tuple[SecretValue, bool]:
        def load() -> SecretValue:
            value = None
            if not force and self._extension.usable:
                value = self._extension.read(secret_id, budget, stats)
            return value or self._sdk.read(secret_id, name, budget, stats)

        value, hit = self._memory.get_or_load(secret_id, load, force=force)
        if hit:
            stats.secrets_cache_hits += 1
        return value, hit


#: the token of an access secret's document: a warm call reads the same document as the last one, so it is
#: decoded once per document (a malformed one raises each time, and is never cached)
_parsed_access_token = functools.lru_cache(maxsize=8)(secret_format.parse_access_token)
