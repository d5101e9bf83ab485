"""A refused sign-in remembered across containers: token requests and access-secret writes counted on the emulators,
time moved by a controllable clock (each container's sign_in.now), never waited for."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from scv_invoker import sign_in
from scv_invoker.sign_in import SignInStep, verdict
from scv_shared.secret_format import (
    SIGN_IN_LEASE_GRACE_SECONDS,
    SIGN_IN_PROBE_LEASE_SECONDS,
    SIGN_IN_REFUSED_KEY,
    SIGN_IN_RETRY_SECONDS,
    SignInRefusal,
)

from tests.invoker.conftest import (
    USERNAME,
    FunctionContainer,
    access_token_in_secret,
    connect_event,
    store_access_token,
)
from tests.invoker.test_metrics import last_summary, metrics_of

QUERY = connect_event("queryRecord", soql="SELECT Id FROM Account")
START = 1_900_000_000.0


# ---------------------------------------------------------------------------------------------- the rules

RETRY = SIGN_IN_RETRY_SECONDS
LEASE = SIGN_IN_PROBE_LEASE_SECONDS
GRACE = SIGN_IN_LEASE_GRACE_SECONDS
REFUSED = SignInRefusal("invalid_grant", "inactive user", 400, "Bad Request", START, "me", START + LEASE)
VERDICTS = {
    # (prober, seconds after the refusal, last slot this container probed) -> verdict
    "the holder, within the refusal's own slot": ("me", 30, 0, SignInStep.REFUSE),
    "the holder, at the next slot": ("me", RETRY, 0, SignInStep.PROBE),
    "the holder, twice in one slot": ("me", RETRY + 30, 1, SignInStep.REFUSE),
    "the holder, a slot skipped": ("me", 3 * RETRY + 5, 1, SignInStep.PROBE),
    "the holder, last slot of the lease": ("me", LEASE - 1, LEASE // RETRY - 2, SignInStep.PROBE),
    "another container, any slot": ("other", RETRY, None, SignInStep.REFUSE),
    "the holder, its own lease ran out: it renews it": ("me", LEASE, LEASE // RETRY - 1, SignInStep.TAKE_OVER),
    "another container, lease ran out: the holder's to renew": ("other", LEASE, None, SignInStep.REFUSE),
    "another container, the grace ran out too": ("other", LEASE + GRACE, None, SignInStep.TAKE_OVER),
}


@pytest.mark.parametrize(("prober", "after", "last_slot", "expected"), VERDICTS.values(), ids=VERDICTS.keys())
def test_the_rules_of_a_remembered_refusal(prober: str, after: float, last_slot: int | None, expected: Any) -> None:
    assert verdict(REFUSED._replace(prober=prober), "me", START + after, last_slot) is expected


def test_a_lease_taken_over_probes_only_from_the_next_slot() -> None:
    taken = REFUSED.leased_to("me", START + LEASE + GRACE + 5)  # its slot began before the lease
    assert verdict(taken, "me", START + LEASE + GRACE + 10, None) is SignInStep.REFUSE
    assert verdict(taken, "me", START + LEASE + GRACE + RETRY, None) is SignInStep.PROBE


# ---------------------------------------------------------------------------------------------- in the containers


class Clock:
    """Wall-clock time for the refusal's rules of every container that ``drive`` was given."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = sign_in.now()
        self._monkeypatch = monkeypatch

    def drive(self, *containers: FunctionContainer) -> None:
        for container in containers:
            self._monkeypatch.setattr(container.module("sign_in"), "time", SimpleNamespace(time=lambda: self.now))

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def freeze_after_warm(containers: list[FunctionContainer], salesforce: Any) -> None:
    """Each container warm with one token, then the user frozen (its token revoked, every mint refused)."""
    for container in containers:
        container.ok(QUERY)
    salesforce.add_user(USERNAME, active=False)
    salesforce.revoke_tokens()


def access_writes(secrets_server: Any, cc_secrets: Any) -> int:
    return secrets_server.count("PutSecretValue", secret_id=cc_secrets.access_secret_arn)


def remembered(client: Any, cc_secrets: Any) -> dict[str, Any] | None:
    document = json.loads(client.get_secret_value(SecretId=cc_secrets.access_secret_arn)["SecretString"])
    return document.get(SIGN_IN_REFUSED_KEY)


def test_a_refusal_is_remembered_for_every_container_a_new_one_too(
    new_container: Any,
    salesforce: Any,
    secrets_server: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = new_container(), new_container()
    clock.drive(first, second)
    freeze_after_warm([first, second], salesforce)
    tokens_before, writes_before = len(salesforce.token_requests()), access_writes(secrets_server, cc_secrets)

    fresh = first.fails(QUERY).failure
    assert fresh["errorCode"] == "invalid_grant" and fresh["errorMessage"].startswith("inactive user: ")
    assert metrics_of(last_summary(capsys))["SignInRefused"] == 1
    assert remembered(secretsmanager_client, cc_secrets)["error"] == "invalid_grant"

    # the warm one, a Connect retry in the first, and a new container: the same error, no token request
    third = new_container()
    clock.drive(third)
    for container in (second, first, third):
        again = container.fails(QUERY).failure
        assert again["errorCode"] == "invalid_grant"
        assert again["errorMessage"].startswith("inactive user: ")
        assert "remembered" in again["errorMessage"] and "scvctl token reset" in again["errorMessage"]
        values = metrics_of(last_summary(capsys))
        assert values["SignInRefused"] == 1 and "OrgUnavailable" not in values  # a 0 is left out
    assert len(salesforce.token_requests()) - tokens_before == 1
    assert access_writes(secrets_server, cc_secrets) - writes_before == 2  # the refresh claim, the refusal


def test_recovery_without_an_operator_within_two_minutes_of_the_fix(
    new_container: Any, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any, clock: Clock
) -> None:
    holder, other = new_container(), new_container()
    clock.drive(holder, other)
    freeze_after_warm([holder, other], salesforce)
    holder.fails(QUERY)
    other.fails(QUERY)
    tokens = len(salesforce.token_requests())

    clock.advance(SIGN_IN_RETRY_SECONDS)
    other.fails(QUERY)  # not its lease
    holder.fails(QUERY)  # its probe: still frozen
    holder.fails(QUERY)  # one probe per slot
    assert len(salesforce.token_requests()) == tokens + 1

    salesforce.add_user(USERNAME, active=True)  # the administrator unfreezes the user
    clock.advance(SIGN_IN_RETRY_SECONDS)
    holder.ok(QUERY)  # the probe mints and stores the token
    assert remembered(secretsmanager_client, cc_secrets) is None
    other.ok(QUERY)  # reads the stored token: no mint of its own
    assert len(salesforce.token_requests()) == tokens + 2
    assert salesforce.mint_count == 2  # the first warm-up, the probe


def test_an_idle_lease_holder_is_taken_over_by_one_container(
    new_container: Any, salesforce: Any, secrets_server: Any, cc_secrets: Any, clock: Clock
) -> None:
    holder, first, second = new_container(), new_container(), new_container()
    clock.drive(holder, first, second)
    freeze_after_warm([holder, first, second], salesforce)
    holder.fails(QUERY)  # then it gets no more calls
    tokens, writes = len(salesforce.token_requests()), access_writes(secrets_server, cc_secrets)

    clock.advance(SIGN_IN_PROBE_LEASE_SECONDS)
    first.fails(QUERY)  # the lease ran out, but it is the holder's to renew for a while: no write
    assert access_writes(secrets_server, cc_secrets) == writes
    clock.advance(SIGN_IN_LEASE_GRACE_SECONDS)
    first.fails(QUERY)  # the holder left it unrenewed: taken over, one write, no token request yet
    second.fails(QUERY)  # sees the new lease: not its own
    assert access_writes(secrets_server, cc_secrets) == writes + 1
    assert len(salesforce.token_requests()) == tokens
    clock.advance(SIGN_IN_RETRY_SECONDS)
    second.fails(QUERY)
    first.fails(QUERY)  # the new holder probes
    assert len(salesforce.token_requests()) == tokens + 1


def test_a_reset_token_lets_the_next_calls_sign_in(
    new_container: Any, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any, clock: Clock
) -> None:
    warm = new_container()
    clock.drive(warm)
    freeze_after_warm([warm], salesforce)
    warm.fails(QUERY)
    salesforce.add_user(USERNAME, active=True)
    store_access_token(secretsmanager_client, cc_secrets, "")  # what `scvctl token reset` writes

    new_container().ok(QUERY)  # a new container at once
    warm.ok(QUERY)  # and a warm one
    assert access_token_in_secret(secretsmanager_client, cc_secrets) in salesforce.valid_tokens


def test_an_hour_of_a_frozen_user_costs_a_token_request_a_minute_and_five_writes(
    new_container: Any, salesforce: Any, secrets_server: Any, clock: Clock
) -> None:
    """Four containers each called every 20 s for an hour (time from the clock): a token request per minute at
    most; the refresh claim, the refusal and the holder's three renewals are the only PutSecretValue calls, to either
    secret, refused ones included; and no call waits for anything but a read."""
    containers = [new_container() for _ in range(4)]
    clock.drive(*containers)
    freeze_after_warm(containers, salesforce)
    tokens, writes = len(salesforce.token_requests()), secrets_server.count("PutSecretValue")
    slowest_ms = 0.0
    for _ in range(3600 // 20):
        for container in containers:
            outcome = container.fails(QUERY)
            assert outcome.failure["errorCode"] == "invalid_grant"
            slowest_ms = max(slowest_ms, outcome.duration_ms)
        clock.advance(20)
    assert len(salesforce.token_requests()) - tokens <= 60
    assert secrets_server.count("PutSecretValue") - writes <= 5
    assert slowest_ms < 3000  # generous: a loaded machine; the claimant's waits alone would be 3.1 s


def test_a_refusal_that_cannot_be_written_is_still_remembered_by_its_container(
    container: FunctionContainer, salesforce: Any, secrets_server: Any, clock: Clock
) -> None:
    clock.drive(container)
    salesforce.add_user(USERNAME, active=False)
    secrets_server.fail_next("PutSecretValue", times=5, code="AccessDeniedException", message="denied")
    for _ in range(3):
        assert container.fails(QUERY).failure["errorCode"] == "invalid_grant"
        clock.advance(SIGN_IN_RETRY_SECONDS / 4)  # its re-reads find nothing remembered in the access secret
    assert len(salesforce.token_requests()) == 1
    clock.advance(SIGN_IN_RETRY_SECONDS)
    container.fails(QUERY)  # its own probe, in the next slot
    assert len(salesforce.token_requests()) == 2
