"""SecretStore on moto: the operations scvctl and the seeder share, each validated before it writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.seeder.conftest import CC, KEYS, SeederCode, Stack


def document(seeder: SeederCode, **overrides: str) -> dict[str, str]:
    key, certificate = seeder.credentials.generate_key_pair("store test", 30)
    return {
        KEYS.consumer_key: "3MVG9",
        KEYS.private_key: key,
        KEYS.subject: "admin@example.com",
        KEYS.audience: "https://login.salesforce.com/",
        KEYS.certificate: certificate,
        **overrides,
    }


def rotated(seeder: SeederCode, base: dict[str, str]) -> dict[str, str]:
    key, certificate = seeder.credentials.generate_key_pair("rotated", 30)
    return {**base, KEYS.private_key: key, KEYS.certificate: certificate}


def test_empty_secrets_read_as_none(stack: Stack) -> None:
    store = stack.store
    assert store.read_current() is None
    assert store.read_pending() is None
    assert store.read_token() is None


def test_a_missing_secret_is_named_with_the_fix(stack: Stack, seeder: SeederCode) -> None:
    store = seeder.store.SecretStore(stack.client, CC, "nope-salesforce-secret", stack.access_arn)
    with pytest.raises(seeder.store.StoreError, match="nope-salesforce-secret does not exist: deploy"):
        store.read_current()


def test_a_value_that_is_not_json_is_a_secret_value_error(stack: Stack, seeder: SeederCode) -> None:
    stack.client.put_secret_value(SecretId=stack.main_arn, SecretString="[1, 2]")
    with pytest.raises(seeder.store.SecretValueError, match="must hold a JSON object"):
        stack.store.read_current()


def test_write_current_round_trips(stack: Stack, seeder: SeederCode) -> None:
    written = document(seeder)
    stack.store.write_current(written)
    assert stack.store.read_current() == written == stack.main_document()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({KEYS.subject: None}, "lacks"),
        ({KEYS.private_key: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"}, "not a PEM"),
        ({KEYS.certificate: "other"}, "not a PEM X.509"),
        ({KEYS.consumer_key: 3}, "must be strings"),
    ],
)
def test_nothing_invalid_is_written(stack: Stack, seeder: SeederCode, change: dict[str, Any], message: str) -> None:
    bad: dict[str, Any] = {k: v for k, v in document(seeder).items() if change.get(k, "") is not None}
    bad.update({k: v for k, v in change.items() if v is not None})
    with pytest.raises(seeder.store.StoreError, match=message):
        stack.store.write_current(bad)
    assert stack.store.read_current() is None


def test_a_certificate_of_another_key_is_refused(stack: Stack, seeder: SeederCode) -> None:
    one, other = document(seeder), document(seeder)
    with pytest.raises(seeder.store.StoreError, match="does not belong"):
        stack.store.write_current({**one, KEYS.certificate: other[KEYS.certificate]})


def test_stage_pending_leaves_current_alone_and_is_idempotent_per_rotation(stack: Stack, seeder: SeederCode) -> None:
    current = document(seeder)
    stack.store.write_current(current)
    version = stack.current_version()
    staged = rotated(seeder, current)
    first = stack.store.stage_pending(staged, "7")
    again = stack.store.stage_pending(rotated(seeder, current), "7")  # a replay with a freshly made key
    assert first == again
    assert stack.store.read_pending() == (first, staged)
    assert stack.current_version() == version and stack.main_document() == current


def test_a_newer_rotation_moves_the_pending_label(stack: Stack, seeder: SeederCode) -> None:
    current = document(seeder)
    stack.store.write_current(current)
    stack.store.stage_pending(rotated(seeder, current), "1")
    newer = rotated(seeder, current)
    version = stack.store.stage_pending(newer, "2")
    assert stack.store.read_pending() == (version, newer)
    stages = stack.client.describe_secret(SecretId=stack.main_arn)["VersionIdsToStages"]
    assert [v for v, labels in stages.items() if "AWSPENDING" in labels] == [version]


def test_a_discarded_rotation_asked_for_again_gets_its_first_key_back(stack: Stack, seeder: SeederCode) -> None:
    current = document(seeder)
    stack.store.write_current(current)
    staged = rotated(seeder, current)
    version = stack.store.stage_pending(staged, "1")
    assert stack.store.discard_pending(only_version_id=version)
    assert stack.store.read_pending() is None
    assert stack.store.stage_pending(rotated(seeder, current), "1") == version
    assert stack.store.read_pending() == (version, staged)


def test_the_same_document_staged_again_after_a_discard_is_staged(stack: Stack, seeder: SeederCode) -> None:
    # Secrets Manager silently ignores a PutSecretValue that repeats a version's token and value (no label
    # is attached), so re-staging the very same document must move the label, not rely on the put.
    current = document(seeder)
    stack.store.write_current(current)
    staged = rotated(seeder, current)
    version = stack.store.stage_pending(staged, "1")
    assert stack.store.discard_pending()
    assert stack.store.stage_pending(staged, "1") == version
    assert stack.store.read_pending() == (version, staged)


def test_staging_needs_a_current_key(stack: Stack, seeder: SeederCode) -> None:
    with pytest.raises(seeder.store.StoreError, match="no current key to rotate from"):
        stack.store.stage_pending(document(seeder), "1")


def test_discard_pending_only_discards_the_version_asked_for(stack: Stack, seeder: SeederCode) -> None:
    current = document(seeder)
    stack.store.write_current(current)
    version = stack.store.stage_pending(rotated(seeder, current), "1")
    assert not stack.store.discard_pending(only_version_id="00000000-0000-0000-0000-000000000000")
    assert stack.store.read_pending() is not None
    assert stack.store.discard_pending()
    assert not stack.store.discard_pending()
    assert stack.store.read_version(version) is not None  # unlabelled, still there


def test_promote_merges_the_current_settings_with_the_pending_key(stack: Stack, seeder: SeederCode) -> None:
    current = document(seeder)
    stack.store.write_current(current)
    staged = rotated(seeder, current)
    stack.store.stage_pending(staged, "1")
    stack.store.write_current({**current, KEYS.consumer_key: "3MVG9-changed-meanwhile", KEYS.subject: "new@x.com"})
    promoted = stack.store.promote_pending()
    assert promoted == {
        **current,
        KEYS.consumer_key: "3MVG9-changed-meanwhile",
        KEYS.subject: "new@x.com",
        KEYS.private_key: staged[KEYS.private_key],
        KEYS.certificate: staged[KEYS.certificate],
    }
    assert stack.main_document() == promoted
    assert stack.store.read_pending() is None


def test_promote_repeated_after_a_failure_half_way_writes_once(stack: Stack, seeder: SeederCode, aws_env: Any) -> None:
    current = document(seeder)
    stack.store.write_current(current)
    stack.store.stage_pending(rotated(seeder, current), "1")
    aws_env.fail_next("UpdateSecretVersionStage", code="AccessDeniedException", message="denied")
    with pytest.raises(seeder.store.StoreError, match="AccessDeniedException"):
        stack.store.promote_pending()  # the current document is written, the pending label stays
    promoted = stack.main_document()
    version = stack.current_version()
    assert stack.store.promote_pending() == promoted
    assert stack.current_version() == version
    assert stack.store.read_pending() is None


def test_promote_without_a_pending_key_says_how_to_stage_one(stack: Stack, seeder: SeederCode) -> None:
    stack.store.write_current(document(seeder))
    with pytest.raises(seeder.store.StoreError, match="no pending key to activate"):
        stack.store.promote_pending()


def test_clear_token_writes_the_documented_document(stack: Stack) -> None:
    stack.set_token("00D!cached")
    stack.store.clear_token()
    value = stack.client.get_secret_value(SecretId=stack.access_arn)["SecretString"]
    assert json.loads(value) == {KEYS.access_token: ""}
    assert stack.store.read_token() == ""


def test_errors_carry_the_aws_code_and_message_but_no_value(stack: Stack, seeder: SeederCode, aws_env: Any) -> None:
    aws_env.fail_next("PutSecretValue", code="DecryptionFailure", message="the key is disabled")
    with pytest.raises(seeder.store.StoreError) as raised:
        stack.store.clear_token()
    assert str(raised.value).startswith(f"secret {stack.access_arn}: DecryptionFailure: ")
    assert "the key is disabled" in str(raised.value)


def test_a_broken_pending_version_says_how_to_get_rid_of_it(stack: Stack, seeder: SeederCode) -> None:
    stack.store.write_current(document(seeder))
    stack.client.put_secret_value(SecretId=stack.main_arn, SecretString="{oops", VersionStages=["AWSPENDING"])
    with pytest.raises(seeder.store.SecretValueError, match="AWSPENDING version .*scvctl key discard"):
        stack.store.read_pending()


def test_keys_of_others_keep_their_json_values_and_text(stack: Stack, seeder: SeederCode) -> None:
    """SCV's other functions keep settings in the same secret, not all of them strings; ours must be strings."""
    foreign = {"scv-voicemail-enabled": True, "scv-alert": {"threshold": 3, "ratio": 0.25}, "scv-name": "東京"}
    stack.store.write_current({**document(seeder), **foreign})

    stored = stack.main_document()
    assert {key: stored[key] for key in foreign} == foreign
    raw = stack.client.get_secret_value(SecretId=stack.main_arn)["SecretString"]
    assert '"scv-name": "東京"' in raw  # as written, not as \\u escapes
