"""Tokens and secrets: how many calls each path costs, 401 handling, minting, key rotation, auth errors."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from scv_invoker.auth import CLAIM_WAITS_SECONDS
from scv_shared.secret_format import (
    REFRESH_CLAIM_LIFETIME_SECONDS,
    REFRESH_CLAIM_STAGE,
    refresh_claim_document,
    refresh_claim_id,
)

from tests.invoker.conftest import (
    AUDIENCE,
    CONSUMER_KEY,
    CONTACT_CENTER,
    KEYS,
    USERNAME,
    FunctionContainer,
    access_token_in_secret,
    connect_event,
    store_access_token,
)
from tools.emulators import salesforce as sf

QUERY = connect_event("queryRecord", soql="SELECT Id FROM Account")


def main_document(private_key_pem: str, **overrides: str) -> str:
    document = {
        KEYS.consumer_key: CONSUMER_KEY,
        KEYS.private_key: private_key_pem,
        KEYS.subject: USERNAME,
        KEYS.audience: AUDIENCE,
        **overrides,
    }
    return json.dumps(document)


def put_main(client: Any, cc_secrets: Any, secret_string: str, *, stage: str = "AWSCURRENT") -> None:
    client.put_secret_value(SecretId=cc_secrets.main_secret_arn, SecretString=secret_string, VersionStages=[stage])


# ---------------------------------------------------------------------------------------------- call counts


def test_cold_mint_then_warm(
    container: FunctionContainer, salesforce: Any, secrets_server: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    container.ok(QUERY)
    assert salesforce.mint_count == 1
    assert len(salesforce.data_requests()) == 1
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.access_secret_arn) == 1
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.main_secret_arn) == 1
    assert secrets_server.count("PutSecretValue", secret_id=cc_secrets.access_secret_arn) == 1
    [claims] = salesforce.assertion_claims
    assert claims["iss"] == CONSUMER_KEY
    assert claims["sub"] == USERNAME
    assert claims["aud"] == AUDIENCE
    assert 0 < claims["exp"] - claims["iat"] <= 180
    assert claims["exp"] > time.time()
    assert claims["jti"]
    assert access_token_in_secret(secretsmanager_client, cc_secrets) in salesforce.valid_tokens

    secrets_server.reset_counts()
    before = len(salesforce.requests)
    container.ok(QUERY)
    assert secrets_server.count() == 0  # warm: no Secrets Manager call
    assert len(salesforce.requests) == before + 1  # warm: exactly one Salesforce request
    assert salesforce.mint_count == 1


def test_cold_with_cached_token_reads_only_the_access_secret(
    container: FunctionContainer, salesforce: Any, secrets_server: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    store_access_token(secretsmanager_client, cc_secrets, salesforce.issue_token())
    secrets_server.reset_counts()
    container.ok(QUERY)
    assert secrets_server.count() == 1
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.access_secret_arn) == 1
    assert salesforce.token_requests() == []
    assert len(salesforce.requests) == 1


def test_second_container_uses_the_first_ones_token(
    new_container: Any, salesforce: Any, secrets_server: Any, cc_secrets: Any
) -> None:
    first = new_container()
    first.ok(QUERY)
    assert salesforce.mint_count == 1
    secrets_server.reset_counts()
    second = new_container()
    second.ok(QUERY)
    assert salesforce.mint_count == 1
    assert secrets_server.count() == 1


def test_jti_unique_per_assertion(
    new_container: Any, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    for _ in range(3):
        store_access_token(secretsmanager_client, cc_secrets, "")
        new_container().ok(QUERY)
    jtis = [claims["jti"] for claims in salesforce.assertion_claims]
    assert len(jtis) == 3 and len(set(jtis)) == 3


def test_ttl_expiry_rereads_the_access_secret(
    new_container: Any, salesforce: Any, secrets_server: Any, cc_secrets: Any
) -> None:
    container = new_container(SECRETS_CACHE_TTL_SECONDS="0")
    container.ok(QUERY)
    secrets_server.reset_counts()
    container.ok(QUERY)
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.access_secret_arn) == 1
    assert salesforce.mint_count == 1


def test_token_cleared_by_the_stack_is_noticed_after_the_ttl(
    new_container: Any, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    container = new_container(SECRETS_CACHE_TTL_SECONDS="0")
    container.ok(QUERY)
    store_access_token(secretsmanager_client, cc_secrets, "")  # e.g. the seeder after an org change
    container.ok(QUERY)
    assert salesforce.mint_count == 2


def test_malformed_access_secret_is_overwritten(
    container: FunctionContainer, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    secretsmanager_client.put_secret_value(SecretId=cc_secrets.access_secret_arn, SecretString="not json")
    container.ok(QUERY)
    assert salesforce.mint_count == 1
    assert access_token_in_secret(secretsmanager_client, cc_secrets) in salesforce.valid_tokens


# ---------------------------------------------------------------------------------------------- 401


def test_401_with_the_same_token_in_the_secret_mints(
    container: FunctionContainer, salesforce: Any, secrets_server: Any, cc_secrets: Any
) -> None:
    container.ok(QUERY)
    salesforce.revoke_tokens()
    secrets_server.reset_counts()
    container.ok(QUERY)
    assert salesforce.mint_count == 2
    assert [r.method for r in salesforce.data_requests()] == ["GET", "GET", "GET"]  # 1st ok, 401, retried ok
    # the forced re-read and the look for a claim went to Secrets Manager; then the key (main secret, still
    # cached) was used to mint
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.access_secret_arn) == 2
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.main_secret_arn) == 0
    assert secrets_server.count("PutSecretValue") == 2  # the claim of the refresh, then the new token


def test_401_claims_the_refresh_in_the_access_secret_before_minting(
    container: FunctionContainer, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    refused = warm_then_revoke(container, salesforce, secretsmanager_client, cc_secrets)
    container.ok(QUERY)
    versions = secretsmanager_client.list_secret_version_ids(SecretId=cc_secrets.access_secret_arn)["Versions"]
    claims = [version for version in versions if REFRESH_CLAIM_STAGE in version.get("VersionStages", [])]
    assert [claim["VersionId"] for claim in claims] == [refresh_claim_id(refused)]
    assert refused not in refresh_claim_id(refused)
    assert access_token_in_secret(secretsmanager_client, cc_secrets) not in ("", refused)  # AWSCURRENT: the new one
    assert salesforce.mint_count == 1


def warm_then_revoke(container: FunctionContainer, salesforce: Any, client: Any, cc_secrets: Any) -> str:
    """The container warm with a token the access secret holds, then that token revoked: it is returned."""
    refused = salesforce.issue_token()
    store_access_token(client, cc_secrets, refused)
    container.ok(QUERY)
    salesforce.revoke_tokens()
    return refused


class ClaimantElsewhere:
    """Another container that claimed the refresh of ``refused``; ``finishes`` stores its new token the first
    time this container pauses to wait for it (None: it never stores one, as a container that failed)."""

    def __init__(
        self, client: Any, cc_secrets: Any, refused: str, finishes: str | None, *, age_seconds: float = 0
    ) -> None:
        client.put_secret_value(
            SecretId=cc_secrets.access_secret_arn,
            ClientRequestToken=refresh_claim_id(refused),
            SecretString=refresh_claim_document("another container", time.time() - age_seconds),
            VersionStages=[REFRESH_CLAIM_STAGE],
        )
        self.pauses: list[float] = []
        self._store = (lambda: store_access_token(client, cc_secrets, finishes)) if finishes else None

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self._store is not None:
            self._store()
            self._store = None


def wait_through(container: FunctionContainer, monkeypatch: pytest.MonkeyPatch, claimant: ClaimantElsewhere) -> None:
    """The container's pauses while it waits for a claimant go to ``claimant`` (no real sleeping)."""
    clock = SimpleNamespace(sleep=claimant.pause, time=time.time)
    monkeypatch.setattr(container.module("auth"), "time", clock)


def test_a_container_that_lost_the_claim_uses_the_winners_token_and_mints_none(
    container: FunctionContainer,
    salesforce: Any,
    secrets_server: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = warm_then_revoke(container, salesforce, secretsmanager_client, cc_secrets)
    winners = salesforce.issue_token()
    claimant = ClaimantElsewhere(secretsmanager_client, cc_secrets, refused, finishes=winners)
    wait_through(container, monkeypatch, claimant)
    secrets_server.reset_counts()
    container.ok(QUERY)
    assert salesforce.mint_count == 0
    # the claimant's own token is the one write: this container read the claim and wrote none to be refused
    assert [call.status for call in secrets_server.calls() if call.action == "PutSecretValue"] == [200]
    assert claimant.pauses == [CLAIM_WAITS_SECONDS[0]]
    assert salesforce.data_requests()[-1].header("Authorization") == f"Bearer {winners}"


@pytest.mark.parametrize(
    ("budget_ms", "pauses"),
    # with 3 s left, waiting at all would leave less than the mint's reserve: it mints at once
    [(120_000, list(CLAIM_WAITS_SECONDS)), (3_000, [])],
)
def test_a_claimant_that_never_stores_a_token_is_waited_for_a_bounded_time_then_minted_around(
    container: FunctionContainer,
    salesforce: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    monkeypatch: pytest.MonkeyPatch,
    budget_ms: int,
    pauses: list[float],
) -> None:
    refused = warm_then_revoke(container, salesforce, secretsmanager_client, cc_secrets)
    claimant = ClaimantElsewhere(secretsmanager_client, cc_secrets, refused, finishes=None)
    wait_through(container, monkeypatch, claimant)
    container.ok(QUERY, budget_ms=budget_ms)
    assert claimant.pauses == pauses
    assert salesforce.mint_count == 1
    assert access_token_in_secret(secretsmanager_client, cc_secrets) not in ("", refused)


def test_a_claim_older_than_its_lifetime_is_void_and_minted_around_at_once(
    container: FunctionContainer,
    salesforce: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same refused token met again long after its claimant failed: nobody waits for a token that never comes."""
    refused = warm_then_revoke(container, salesforce, secretsmanager_client, cc_secrets)
    claimant = ClaimantElsewhere(
        secretsmanager_client, cc_secrets, refused, finishes=None, age_seconds=REFRESH_CLAIM_LIFETIME_SECONDS + 5
    )
    wait_through(container, monkeypatch, claimant)
    container.ok(QUERY)
    assert claimant.pauses == []
    assert salesforce.mint_count == 1


def test_401_uses_a_token_another_container_stored(
    container: FunctionContainer, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    store_access_token(secretsmanager_client, cc_secrets, salesforce.issue_token())
    container.ok(QUERY)
    salesforce.revoke_tokens()
    fresh = salesforce.issue_token()
    store_access_token(secretsmanager_client, cc_secrets, fresh)  # another container minted meanwhile
    container.ok(QUERY)
    assert salesforce.mint_count == 0
    assert salesforce.data_requests()[-1].header("Authorization") == f"Bearer {fresh}"


def test_401_twice_fails_with_invalid_session(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(QUERY)
    salesforce.inject_session_expired(times=2)
    outcome = container.fails(QUERY)
    assert outcome.error_type == "SalesforceApiError"
    assert outcome.failure["status"] == 401
    assert outcome.failure["errorCode"] == "INVALID_SESSION_ID"
    assert "Session expired or invalid" in outcome.failure["errorMessage"]


def test_fresh_token_refused_is_reported_not_minted_again(
    container: FunctionContainer, salesforce: Any, secrets_server: Any
) -> None:
    """A token minted for this very request and refused means a setup problem, not a stale token."""
    salesforce.inject_session_expired(times=5)
    outcome = container.fails(QUERY)
    assert outcome.failure["status"] == 401
    assert outcome.failure["errorCode"] == "INVALID_SESSION_ID"
    assert "OAuth scopes" in outcome.failure["errorMessage"]
    assert salesforce.mint_count == 1
    assert len(salesforce.data_requests()) == 1


def test_401_on_create_is_repeated_once_and_creates_once(container: FunctionContainer, salesforce: Any) -> None:
    container.ok(QUERY)
    salesforce.revoke_tokens()
    result = container.ok(connect_event("createRecord", objectApiName="Account", Name="Once"))
    assert len(salesforce.records("Account")) == 1
    assert salesforce.record(result["recordId"]) is not None


# ---------------------------------------------------------------------------------------------- invalid_grant, rotation


def test_invalid_grant_rereads_the_key_once(
    container: FunctionContainer,
    salesforce: Any,
    secrets_server: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    other_rsa_key_pair: Any,
) -> None:
    container.ok(QUERY)  # the key document is now cached in the container
    # the key is replaced (rotation activated) and its certificate uploaded; the old token dies
    put_main(secretsmanager_client, cc_secrets, main_document(other_rsa_key_pair.private_key_pem))
    salesforce.set_certificate(CONSUMER_KEY, other_rsa_key_pair.certificate_pem)
    salesforce.revoke_tokens()
    secrets_server.reset_counts()
    container.ok(QUERY)
    assert salesforce.mint_count == 2
    assert len(salesforce.token_requests()) == 3  # first mint, cached key rejected, new key accepted
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.main_secret_arn) == 1


def test_invalid_grant_unchanged_key_fails_after_one_reread(
    container: FunctionContainer, salesforce: Any, secrets_server: Any, cc_secrets: Any
) -> None:
    salesforce.expected_audiences = {sf.SANDBOX_AUDIENCE}
    outcome = container.fails(QUERY)
    assert outcome.failure["errorCode"] == "invalid_grant"
    assert outcome.failure["status"] == 400
    assert outcome.failure["errorMessage"].startswith("audience is invalid: ")
    assert "https://test.salesforce.com/" in outcome.failure["errorMessage"]
    assert len(salesforce.token_requests()) == 1
    assert secrets_server.count("GetSecretValue", secret_id=cc_secrets.main_secret_arn) == 2  # read, re-read
    assert salesforce.data_requests() == []


def test_pending_key_is_used_when_the_current_one_is_rejected(
    container: FunctionContainer,
    salesforce: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    other_rsa_key_pair: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a rotation is staged and its certificate already uploaded; the consumer key in the pending document is stale
    put_main(
        secretsmanager_client,
        cc_secrets,
        main_document(other_rsa_key_pair.private_key_pem, **{KEYS.consumer_key: "stale"}),
        stage="AWSPENDING",
    )
    salesforce.set_certificate(CONSUMER_KEY, other_rsa_key_pair.certificate_pem)
    container.ok(QUERY)
    assert salesforce.mint_count == 1
    assert len(salesforce.token_requests()) == 2
    assert salesforce.assertion_claims[-1]["iss"] == CONSUMER_KEY  # current consumer key with the pending key
    assert "AWSPENDING" in capsys.readouterr().out


def test_pending_key_rejected_too(
    container: FunctionContainer,
    salesforce: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    other_rsa_key_pair: Any,
    rsa_key_pair: Any,
) -> None:
    put_main(secretsmanager_client, cc_secrets, main_document(other_rsa_key_pair.private_key_pem), stage="AWSPENDING")
    salesforce.register_app(CONSUMER_KEY, sf_certificate_of_a_third_key(), users=[USERNAME])
    outcome = container.fails(QUERY)
    assert outcome.failure["errorCode"] == "invalid_grant"
    message = outcome.failure["errorMessage"]
    assert message.startswith("invalid assertion: ")
    assert "Certificate output" in message
    assert "AWSPENDING key was rejected too" in message


def sf_certificate_of_a_third_key() -> str:
    from tools.emulators.credentials import generate_key_pair

    return generate_key_pair("third").certificate_pem


def test_no_pending_key_invalid_assertion(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.set_certificate(CONSUMER_KEY, sf_certificate_of_a_third_key())
    outcome = container.fails(QUERY)
    assert outcome.failure["errorCode"] == "invalid_grant"
    assert "does not match the private key" in outcome.failure["errorMessage"]
    assert len(salesforce.token_requests()) == 1


# ---------------------------------------------------------------------------------------------- auth error messages


AUTH_ERRORS = {
    "not admin approved": (sf.NOT_ADMIN_APPROVED, "not pre-authorized"),
    "not approved": (sf.USER_NOT_APPROVED, "not pre-authorized"),
    "invalid assertion": (sf.INVALID_ASSERTION, "upload the stack's Certificate output"),
    "audience": (sf.AUDIENCE_INVALID, "https://test.salesforce.com/"),
    "expired": (sf.EXPIRED_ASSERTION, "clock"),
    "client id": (sf.INVALID_CLIENT_ID, f"scvctl consumer-key set {CONTACT_CENTER}"),
    "inactive": (sf.INACTIVE_USER, "inactive or frozen"),
    "rate limit": (sf.RATE_LIMIT_EXCEEDED, "limits token requests"),
}


@pytest.mark.parametrize("error, hint", AUTH_ERRORS.values(), ids=AUTH_ERRORS.keys())
def test_auth_errors_are_actionable(container: FunctionContainer, salesforce: Any, error: Any, hint: str) -> None:
    salesforce.inject_token_error(error)
    outcome = container.fails(QUERY)
    assert outcome.error_type == "SalesforceApiError"
    failure = outcome.failure
    assert failure["success"] is False
    assert failure["status"] == 400
    assert failure["statusText"] == "BAD REQUEST" or failure["statusText"] == "Bad Request"
    assert failure["errorCode"] == error.error
    assert failure["errorMessage"].startswith(error.description + ": ")
    assert hint in failure["errorMessage"]
    assert salesforce.data_requests() == []


def test_real_user_states(new_container: Any, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any) -> None:
    salesforce.add_user(USERNAME, approved=False)
    assert new_container().fails(QUERY).failure["errorCode"] == "invalid_app_access"
    salesforce.add_user(USERNAME, active=False)
    store_access_token(secretsmanager_client, cc_secrets, "")  # forget the refusal, as `scvctl token reset` does
    assert new_container().fails(QUERY).failure["errorMessage"].startswith("inactive user: ")


def test_wrong_consumer_key(
    container: FunctionContainer, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any, rsa_key_pair: Any
) -> None:
    put_main(secretsmanager_client, cc_secrets, main_document(rsa_key_pair.private_key_pem, **{KEYS.consumer_key: "x"}))
    outcome = container.fails(QUERY)
    assert outcome.failure["errorCode"] == "invalid_client_id"
    assert "client identifier invalid" in outcome.failure["errorMessage"]


def test_token_endpoint_503_is_retried_with_a_fresh_assertion(container: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_unavailable(path_contains=sf.TOKEN_PATH)
    container.ok(QUERY)
    assert len(salesforce.token_requests()) == 2
    first, second = (request.form()["assertion"] for request in salesforce.token_requests())
    assert first != second


# ---------------------------------------------------------------------------------------------- broken secrets


def test_empty_consumer_key(
    container: FunctionContainer, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any, rsa_key_pair: Any
) -> None:
    put_main(secretsmanager_client, cc_secrets, main_document(rsa_key_pair.private_key_pem, **{KEYS.consumer_key: ""}))
    outcome = container.fails(QUERY)
    assert outcome.error_type == "ConfigurationError"
    assert outcome.failure["errorCode"] == "CONSUMER_KEY_NOT_SET"
    message = outcome.failure["errorMessage"]
    assert message.startswith("consumer key is empty: create the External Client App (or connected app)")
    assert f"`scvctl consumer-key set {CONTACT_CENTER}`" in message
    assert salesforce.requests == []


def test_a_consumer_key_set_after_a_failure_works_at_the_next_call(
    container: FunctionContainer, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any, rsa_key_pair: Any
) -> None:
    put_main(secretsmanager_client, cc_secrets, main_document(rsa_key_pair.private_key_pem, **{KEYS.consumer_key: ""}))
    assert container.fails(QUERY).failure["errorCode"] == "CONSUMER_KEY_NOT_SET"
    # the administrator runs `scvctl consumer-key set`: the warm container must not wait for its cache TTL
    put_main(secretsmanager_client, cc_secrets, main_document(rsa_key_pair.private_key_pem))
    assert container.ok(QUERY) == {}
    assert salesforce.mint_count == 1


@pytest.mark.parametrize(
    "secret_string, mentions",
    [
        ("not json at all", "not valid JSON"),
        ('["a list"]', "JSON object"),
        (json.dumps({KEYS.consumer_key: CONSUMER_KEY}), KEYS.private_key),
    ],
    ids=["not JSON", "not an object", "missing keys"],
)
def test_malformed_main_secret(
    container: FunctionContainer,
    salesforce: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    secret_string: str,
    mentions: str,
) -> None:
    put_main(secretsmanager_client, cc_secrets, secret_string)
    outcome = container.fails(QUERY)
    assert outcome.error_type == "ConfigurationError"
    assert outcome.failure["errorCode"] == "INVALID_SECRET"
    assert mentions in outcome.failure["errorMessage"]
    assert salesforce.requests == []


def test_private_key_that_cannot_sign(
    container: FunctionContainer, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    put_main(
        secretsmanager_client, cc_secrets, main_document("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----")
    )
    outcome = container.fails(QUERY)
    assert outcome.failure["errorCode"] == "INVALID_PRIVATE_KEY"
    assert "PEM" in outcome.failure["errorMessage"]
    assert salesforce.requests == []


def test_secret_not_found(new_container: Any, salesforce: Any) -> None:
    container = new_container(SALESFORCE_ACCESS_SECRET_ID="arn:aws:secretsmanager:us-east-1:123456789012:secret:gone")
    outcome = container.fails(QUERY)
    assert outcome.error_type == "ConfigurationError"
    assert outcome.failure["errorCode"] == "SECRET_NOT_FOUND"
    assert f"{CONTACT_CENTER}-salesforce-access-secret" in outcome.failure["errorMessage"]


def test_secrets_manager_throttled(container: FunctionContainer, secrets_server: Any) -> None:
    secrets_server.fail_next("GetSecretValue", times=5)
    outcome = container.fails(QUERY)
    assert outcome.error_type == "SecretsUnavailableError"
    assert outcome.failure["errorCode"] == "SECRETS_MANAGER_ERROR"
    assert "ThrottlingException" in outcome.failure["errorMessage"]


def test_failed_write_back_does_not_fail_the_invocation(
    container: FunctionContainer, salesforce: Any, secrets_server: Any
) -> None:
    secrets_server.fail_next("PutSecretValue", times=5, code="AccessDeniedException", message="denied")
    container.ok(QUERY)
    container.ok(QUERY)
    assert salesforce.mint_count == 1  # the token stayed in this container's memory
