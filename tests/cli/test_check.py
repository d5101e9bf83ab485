"""scvctl check: the shipped invoker handler (lambda_src) in a Lambda-like process, over the Salesforce
emulator and moto, behind the Invoker seam; the diagnosis printed for each setup mistake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scvctl.invoke import GUIDE_TEST_EVENT, LambdaAnswer

from tests.cli.conftest import (
    CC,
    CONSUMER_KEY,
    FUNCTION_NAME,
    KEYS,
    OTHER_CC,
    USERNAME,
    FakeInvoker,
    LocalInvoker,
    RunCli,
    Secrets,
    assert_no_secret_values,
    in_mode,
)
from tools.emulators.salesforce import SANDBOX_AUDIENCE


def test_success_answers_the_guides_empty_result(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any, secrets: Secrets
) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])

    result = run_cli("check", CC, invoker=local_invoker)

    assert result.code == 0, result.output
    assert "Result: {}" in result.out
    assert "OK: the function signed in to Salesforce" in result.out
    assert local_invoker.calls == [(FUNCTION_NAME, GUIDE_TEST_EVENT, None)]
    assert salesforce.mint_count == 1
    assert secrets.token() in salesforce.valid_tokens  # minted and cached by the function
    assert_no_secret_values(result.output, rsa_key_pair.private_key_pem, CONSUMER_KEY, secrets.token())


def test_invalid_app_access(run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem)
    salesforce.add_user(USERNAME, approved=False)

    result = run_cli("check", CC, invoker=local_invoker)

    assert result.code == 1
    assert "invalid_app_access (400 BAD REQUEST): user is not admin approved to access this app" in result.out
    assert "Cause: the integration user is not pre-authorized" in result.out
    assert "Admin approved users are pre-authorized" in result.out
    assert "System Administrator" in result.out


def test_user_not_approved(run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem)  # the user is unknown to the app

    result = run_cli("check", CC, invoker=local_invoker)

    assert result.code == 1
    assert "user hasn't approved this consumer" in result.out
    assert f"scvctl subject set {CC} USERNAME" in result.out


def test_invalid_assertion_points_at_the_certificate(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, other_rsa_key_pair: Any, rsa_key_pair: Any
) -> None:
    from scv_seeder import credentials

    salesforce.register_app(CONSUMER_KEY, other_rsa_key_pair.certificate_pem, users=[USERNAME])

    result = run_cli("check", CC, invoker=local_invoker)

    assert result.code == 1
    assert "invalid_grant (400 BAD REQUEST): invalid assertion" in result.out
    assert "does not match the private key" in result.out
    assert f"scvctl cert export {CC} --out server.crt" in result.out
    fingerprint = credentials.certificate_info(rsa_key_pair.certificate_pem).fingerprint_sha256
    assert f"Certificates in Secrets Manager (compare with the app's):\n  current: SHA-256 {fingerprint}" in result.out


def test_audience_invalid(run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    salesforce.expected_audiences = {SANDBOX_AUDIENCE}  # a sandbox; the secret says production

    result = run_cli("check", CC, invoker=local_invoker)

    assert result.code == 1
    assert "audience is invalid" in result.out
    assert f"scvctl audience set {CC} --sandbox" in result.out

    assert run_cli("audience", "set", CC, "--sandbox").code == 0  # the fix works
    assert run_cli("check", CC, invoker=local_invoker).code == 0


def test_empty_consumer_key(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any, secrets: Secrets
) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    document = secrets.current()
    secrets.client.put_secret_value(
        SecretId=f"{CC}-salesforce-secret", SecretString=json.dumps({**document, KEYS.consumer_key: ""})
    )
    secrets.client.put_secret_value(
        SecretId=f"{CC}-salesforce-access-secret", SecretString=json.dumps({KEYS.access_token: ""})
    )

    result = run_cli("check", CC, invoker=local_invoker)

    assert result.code == 1
    assert "CONSUMER_KEY_NOT_SET" in result.out
    assert f"scvctl consumer-key set {CC}" in result.out

    assert run_cli("consumer-key", "set", CC, stdin=CONSUMER_KEY).code == 0  # the fix works
    # in a new container: a warm one keeps the secret it read (with the empty key) for secrets_cache_ttl_seconds
    local_invoker.cold_start()
    assert run_cli("check", CC, invoker=local_invoker).code == 0


def test_wrong_consumer_key(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any, secrets: Secrets
) -> None:
    salesforce.register_app("3MVG9-the-real-consumer-key-0123456789", rsa_key_pair.certificate_pem, users=[USERNAME])
    run_cli("token", "reset", CC)

    result = run_cli("check", CC, invoker=local_invoker)

    assert result.code == 1
    assert "invalid_client_id" in result.out
    assert f"scvctl consumer-key set {CC}" in result.out
    assert_no_secret_values(result.output, CONSUMER_KEY)


def test_salesforce_unreachable(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any
) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    salesforce.stop()
    try:
        result = run_cli("check", CC, invoker=local_invoker)
    finally:
        salesforce.start()

    assert result.code == 1
    assert "CONNECTION_ERROR" in result.out
    assert "status.salesforce.com" in result.out


def test_rotation_end_to_end(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any, secrets: Secrets, tmp_path: Path
) -> None:
    """The runbook: rotate, upload the new certificate, the function switches by itself, activate."""
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    assert run_cli("check", CC, invoker=local_invoker).code == 0
    certificate = tmp_path / "server.crt"

    assert run_cli("key", "rotate", CC, "--out", str(certificate)).code == 0
    salesforce.set_certificate(CONSUMER_KEY, certificate.read_text())  # the admin uploads it
    salesforce.revoke_tokens()  # the old token expires: the next call must sign in again

    switched = run_cli("check", CC, invoker=local_invoker)
    assert switched.code == 0, switched.output  # signed with the pending key
    assert any("pending" in line.lower() for line in local_invoker.logs)

    assert run_cli("key", "activate", CC).code == 0
    salesforce.revoke_tokens()
    assert run_cli("check", CC, invoker=local_invoker).code == 0
    assert secrets.pending() is None
    assert secrets.current()[KEYS.certificate] == certificate.read_text()


def test_rotate_now_breaks_until_the_certificate_is_uploaded(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any, tmp_path: Path
) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    certificate = tmp_path / "server.crt"
    assert run_cli("key", "rotate", "--now", CC, "--out", str(certificate)).code == 0
    salesforce.revoke_tokens()

    assert "invalid assertion" in run_cli("check", CC, invoker=local_invoker).out

    salesforce.set_certificate(CONSUMER_KEY, certificate.read_text())
    # the function remembers the refusal (it asks Salesforce again once a minute); a reset retries at once
    assert run_cli("token", "reset", CC).code == 0
    assert run_cli("check", CC, invoker=local_invoker).code == 0


def test_custom_event(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any, tmp_path: Path
) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    salesforce.set_query_result("FROM Account", [{"Name": "Sample Account for Entitlements"}])
    event = {"Details": {"Parameters": {"methodName": "queryRecord", "soql": "SELECT Name FROM Account"}}}
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event))

    result = run_cli("check", CC, "--event", str(event_file), invoker=local_invoker)

    assert result.code == 0, result.output
    assert "with queryRecord: SELECT Name FROM Account" in result.out
    assert '"Name": "Sample Account for Entitlements"' in result.out
    assert local_invoker.calls[0][1] == event


def test_an_event_of_another_method_is_reported_as_that_method(
    run_cli: RunCli, local_invoker: LocalInvoker, salesforce: Any, rsa_key_pair: Any, tmp_path: Path
) -> None:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    parameters = {"methodName": "createRecord", "objectApiName": "Case", "Subject": "From scvctl check"}
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps({"Details": {"Parameters": parameters}}))

    result = run_cli("check", CC, "--event", str(event_file), invoker=local_invoker)

    assert result.code == 0, result.output
    assert "OK: the function signed in to Salesforce (OAuth 2.0 JWT bearer flow) and ran createRecord." in result.out
    assert "ran the query" not in result.out


@pytest.mark.parametrize(("content", "message"), [("{not json", "is not JSON"), ("[1, 2]", "must hold a JSON object")])
def test_bad_event_file(run_cli: RunCli, cc_secrets: Any, tmp_path: Path, content: str, message: str) -> None:
    event_file = tmp_path / "event.json"
    event_file.write_text(content)
    invoker = FakeInvoker(LambdaAnswer({}))

    result = run_cli("check", CC, "--event", str(event_file), invoker=invoker)

    assert result.code == 1
    assert message in result.err
    assert invoker.calls == []


def test_the_live_alias_is_invoked_when_cold_starts_are_mitigated(run_cli: RunCli, secrets_server: Any) -> None:
    invoker = FakeInvoker(LambdaAnswer({}))

    result = run_cli("check", OTHER_CC, invoker=invoker)

    assert result.code == 0
    assert invoker.calls == [(f"{OTHER_CC}-InvokeSalesforceRestApiFunction", GUIDE_TEST_EVENT, "live")]
    assert f"Invoking {OTHER_CC}-InvokeSalesforceRestApiFunction:live" in result.out


def test_the_node_functions_stale_token_answer(run_cli: RunCli, cc_secrets: Any) -> None:
    """The guide's first failure example, as the original Node.js function answered it."""
    result = run_cli("check", CC, invoker=FakeInvoker(LambdaAnswer({"success": False, "status": 500})))

    assert result.code == 1
    assert "stale or malformed" in result.out
    assert f"scvctl token reset {CC}" in result.out


def test_in_mode_companion_check_invokes_scvs_function_as_its_flows_do(
    run_cli: RunCli, config_file: Path, secrets: Secrets
) -> None:
    """SCV's function answers in the same shapes as ours, so the same diagnosis applies."""
    in_mode(config_file, "companion")
    invoker = FakeInvoker(LambdaAnswer(payload={}, function_error=None))

    result = run_cli("check", CC, invoker=invoker)

    assert result.code == 0, result.output
    assert invoker.calls == [(f"{CC}-InvokeSalesforceRestApiFunction", GUIDE_TEST_EVENT, "active")]
    assert f"Invoking {CC}-InvokeSalesforceRestApiFunction:active" in result.out
