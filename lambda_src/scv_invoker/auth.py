"""OAuth 2.0 JWT bearer flow: the access token every Salesforce request carries.

The token lives in the access secret and in this container's memory (through SecretsCache). A new
one is minted only when there is none or Salesforce rejected it and the access secret still holds
that same token (another container may already have minted a fresh one). Of the containers that meet the
same refused token at once, only the one that wins the claim in the access secret (SecretsCache.claim_refresh)
mints; the others read the token it stores. A refused sign-in is remembered in the access secret, so that no
container asks the token endpoint again before its time (sign_in.py). Minting signs a short-lived
RS256 assertion with the private key from the main secret, in the standard library (rs256.py says why), so
no invocation, warm, cold or minting, imports a cryptography library.

A refusal becomes the failure sign_in_failures.py words: Salesforce's error, plus what to fix.
"""

from __future__ import annotations

import time
from typing import Any

from scv_shared.secret_format import MainSecret, SignInRefusal

from scv_invoker import sign_in
from scv_invoker.connections import ConnectionPool, HttpResponse
from scv_invoker.errors import ConfigurationError, InvokerError, SalesforceApiError, salesforce_error
from scv_invoker.log import logger
from scv_invoker.secrets_cache import AccessState, Remembered, SecretsCache
from scv_invoker.settings import Settings
from scv_invoker.sign_in_failures import TokenRejection, auth_failure, remembered_failure
from scv_invoker.stats import InvocationStats
from scv_invoker.transport import Budget, HttpRequest, send

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: a container that lost the refresh claim reads the access secret after each of these pauses (longer in all than a
#: mint takes)
CLAIM_WAITS_SECONDS = (0.1, 0.2, 0.4, 0.8, 1.6)
#: what the waiting keeps for minting itself when the claimant stores nothing (a failed or frozen container)
MINT_RESERVE_SECONDS = 2.5
#: Salesforce accepts assertions that expire within 3 minutes
ASSERTION_LIFETIME_SECONDS = 170


class TokenProvider:
    """Hands out the access token; mints, stores and re-reads it as needed, and not while a refusal is remembered
    (invoker/sign_in.py)."""

    def __init__(self, settings: Settings, secrets: SecretsCache, connections: ConnectionPool) -> None:
        self._settings = settings
        self._secrets = secrets
        self._connections = connections
        #: the retry slot of the refusal this container last asked the token endpoint in (as its probe lease holder)
        self._last_probed_slot: int | None = None
        #: a refusal this container could not write into the access secret: it alone remembers it
        self._unwritten_refusal: SignInRefusal | None = None

    def current(self, budget: Budget, stats: InvocationStats) -> str:
        """The token to use now: from memory, else the access secret, else a new one."""
        state = self._access(budget, stats)
        if not state.token and state.refusal is None and self._secrets.reads_through_extension:
            # The extension caches for its own TTL: another container may have stored a token since. Ask
            # Secrets Manager itself before minting: a read costs far less than a mint.
            state = self._access(budget, stats, force=True)
        if state.token:
            stats.token_cache_hit = state.from_memory
            self._unwritten_refusal = None
            return state.token
        return self._mint_unless_refused(state, budget, stats)

    def after_unauthorized(self, rejected: str, budget: Budget, stats: InvocationStats) -> str:
        """A token Salesforce refused: take a newer one from the access secret; if it holds the same, mint only
        when this container wins the claim to refresh it, else wait for the token the winner stores."""
        stats.token_refreshes += 1
        state = self._access(budget, stats, force=True)
        if state.token and state.token != rejected:
            logger.info("using the access token another container stored")
            return state.token
        if state.refusal is not None:
            return self._mint_unless_refused(state, budget, stats)
        if not self._secrets.claim_refresh(rejected, budget, stats):
            token = self._token_from_claimant(rejected, budget, stats)
            if token:
                logger.info("using the access token the container refreshing it stored")
                return token
            logger.warning("the container that claimed the token refresh stored no token in time; minting one")
        return self.mint(budget, stats, replaces=state.version_id)

    def _access(self, budget: Budget, stats: InvocationStats, *, force: bool = False) -> AccessState:
        """The access secret; read again from Secrets Manager when memory holds a remembered refusal, so that a
        token stored or a reset made meanwhile (a fix, `scvctl token reset`) is seen at the next call."""
        state = self._secrets.access(budget, stats, force=force)
        if state.refusal is not None and state.from_memory:
            state = self._secrets.access(budget, stats, force=True)
        return state

    def _mint_unless_refused(self, state: AccessState, budget: Budget, stats: InvocationStats) -> str:
        """Mint, unless the access secret (or this container alone) remembers a refusal that this container may not
        ask again about now."""
        refusal = state.refusal or self._unwritten_refusal
        if refusal is None:
            return self.mint(budget, stats, replaces=state.version_id)
        now = sign_in.now()
        decision = sign_in.verdict(refusal, self._secrets.container_id, now, self._last_probed_slot)
        if decision is sign_in.SignInStep.TAKE_OVER:
            lease = refusal.leased_to(self._secrets.container_id, now)
            remembered = self._secrets.remember_refusal(lease, state.version_id, budget, stats)
            if remembered is not Remembered.ANOTHERS:
                logger.info("took over the probe lease of a refused sign-in; asking again from the next slot")
            self._unwritten_refusal = lease if remembered is Remembered.HERE_ONLY else None
        if decision is not sign_in.SignInStep.PROBE:
            raise remembered_failure(refusal, self._settings, stats)
        self._last_probed_slot = sign_in.probe_slot(refusal, now)
        logger.info("asking the token endpoint again after a refused sign-in (this container holds the probe lease)")
        return self.mint(budget, stats, replaces=None, probing=True)

    def _token_from_claimant(self, rejected: str, budget: Budget, stats: InvocationStats) -> str:
        """Reads the access secret after each of CLAIM_WAITS_SECONDS until the claimant's token is there, while
        enough time is left for this container to mint after all; "" when it never came. A refusal the claimant
        met and remembered meanwhile is this call's failure too."""
        for pause in CLAIM_WAITS_SECONDS:
            if not budget.allows(pause + MINT_RESERVE_SECONDS):
                break
            time.sleep(pause)
            state = self._access(budget, stats, force=True)
            if state.refusal is not None:
                raise remembered_failure(state.refusal, self._settings, stats)
            if state.token and state.token != rejected:
                return state.token
        return ""

    def mint(
        self, budget: Budget, stats: InvocationStats, *, replaces: str | None = None, probing: bool = False
    ) -> str:
        """A new token from the current key; on invalid_grant re-read the key once, then try a staged key. A
        refusal is remembered in the access secret, as the version after ``replaces`` (the one read), unless this
        mint was the probe of a refusal remembered already."""
        try:
            secret = self._secrets.main_secret(budget, stats)
            try:
                token = self._exchange(secret, budget, stats)
            except TokenRejection as rejection:
                token = self._recover(secret, rejection, budget, stats)
        except TokenRejection as rejection:
            stats.token_mint_failures += 1
            stats.sign_in_refused = True
            if not probing:
                self._remember(rejection, replaces, budget, stats)
            raise auth_failure(rejection, self._settings) from None
        except InvokerError:
            stats.token_mint_failures += 1
            raise
        self._unwritten_refusal = None
        self._secrets.store_access_token(token, budget, stats)
        return token

    def _remember(
        self, rejection: TokenRejection, replaces: str | None, budget: Budget, stats: InvocationStats
    ) -> None:
        now = sign_in.now()
        refusal = SignInRefusal(
            error=rejection.error,
            description=rejection.description,
            status=rejection.status,
            status_text=rejection.status_text,
            refused_at=now,
            prober="",
            probe_until=now,
        ).leased_to(self._secrets.container_id, now)
        remembered = self._secrets.remember_refusal(refusal, replaces, budget, stats)
        if remembered is not Remembered.ANOTHERS:
            self._last_probed_slot = 0  # the refusal itself was slot 0's request
        self._unwritten_refusal = refusal if remembered is Remembered.HERE_ONLY else None

    def _recover(self, secret: MainSecret, rejection: TokenRejection, budget: Budget, stats: InvocationStats) -> str:
        """A token despite ``rejection`` (a changed key document, a staged key), else the final TokenRejection."""
        if rejection.error != "invalid_grant":
            raise rejection
        current = self._secrets.main_secret(budget, stats, force=True)
        if current != secret:
            logger.info("the key document changed since it was cached; minting with the new one")
            try:
                return self._exchange(current, budget, stats)
            except TokenRejection as again:
                rejection = again
                if rejection.error != "invalid_grant":
                    raise
        if rejection.invalid_assertion:
            pending = self._secrets.pending_main_secret(budget, stats)
            if pending is not None and pending.private_key != current.private_key:
                logger.warning(
                    "the current key was rejected (invalid assertion); a key rotation is staged, minting with the "
                    "AWSPENDING key. Finish the rotation once the new certificate is in Salesforce",
                    extra={"pending_version": pending.version_id},
                )
                try:
                    return self._exchange(current.with_private_key(pending), budget, stats)
                except TokenRejection:
                    rejection.note = " (the staged AWSPENDING key was rejected too)"
                    raise rejection from None
        raise rejection

    def _exchange(self, secret: MainSecret, budget: Budget, stats: InvocationStats) -> str:
        """POST one signed assertion to the token endpoint."""
        unused = [self._assertion(secret)]  # a key that cannot sign fails here, before any request

        def form() -> dict[str, str]:
            # a fresh assertion (new jti) for a repeat: Salesforce rejects a replayed one
            return {"grant_type": GRANT_TYPE, "assertion": unused.pop() if unused else self._assertion(secret)}

        request = HttpRequest(
            method="POST",
            url=self._settings.auth_endpoint,
            operation="the Salesforce token endpoint",
            idempotent=True,  # a token request creates nothing; a repeat only mints another token
            headers={"Accept": "application/json"},
            data=form,
        )
        stats.token_requests += 1
        response = send(self._connections, request, budget, on_retry=lambda: _count_token_request(stats))
        body = _json(response)
        if response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("access_token"), str):
            stats.token_mints += 1
            logger.info("minted a new access token")
            return body["access_token"]
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            raise TokenRejection(
                response.status_code, response.reason or "", body["error"], str(body.get("error_description") or "")
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise salesforce_error(response.status_code, response.reason or "", body, request.operation)
        raise SalesforceApiError(
            f"the token endpoint answered {response.status_code} without a token: check SALESFORCE_AUTH_ENDPOINT "
            f"(it must be <org>/services/oauth2/token)",
            error_code="AUTHENTICATION_FAILED",
            status=response.status_code if response.status_code >= 400 else 502,
            status_text=response.reason or "",
        )

    def _assertion(self, secret: MainSecret) -> str:
        # imported at a container's first mint, not with the module: a cold start with the token cached never signs,
        # so it loads neither uuid nor the hashlib binding of OpenSSL's libcrypto that rs256 needs
        import uuid

        from scv_invoker import rs256

        now = int(time.time())
        claims = {
            "iss": secret.consumer_key,
            "sub": secret.subject,
            "aud": secret.audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        try:
            return rs256.encode(claims, secret.private_key)
        except rs256.UnusableKey as error:  # its text says what is wrong and never quotes the key
            raise ConfigurationError(
                f"the private key in {self._settings.main_secret_name} cannot sign ({error}): it must be an "
                f"unencrypted RSA private key in PEM (-----BEGIN PRIVATE KEY-----); redeploy the stack (its seeder "
                f"writes a new key) or run `scvctl key import {self._settings.scvctl_target}`",
                error_code="INVALID_PRIVATE_KEY",
            ) from None


def _count_token_request(stats: InvocationStats) -> None:
    stats.token_requests += 1


def _json(response: HttpResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
