"""The seeder custom resource over its lifecycle (Create, Updates, rotation, activation, renewal, adoption,
Delete, failures): the end state in Secrets Manager, the token rule, idempotent replays, nothing leaked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.seeder.conftest import CC, KEYS, PHYSICAL_ID, SeederCode, Stack

DATA_KEYS = {
    "ReplacedSettings",
    "Certificate",
    "CertificateFingerprintSha256",
    "CertificateNotAfter",
    "PendingRotation",
    "CertificateIsNew",
}


def load_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def certificate_is_for(certificate_pem: str, private_key_pem: str) -> bool:
    public_key = load_certificate(certificate_pem).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    return public_key.public_numbers() == load_key(private_key_pem).public_key().public_numbers()


def key_body_lines(*pems: str) -> list[str]:
    return [line for pem in pems for line in pem.splitlines() if line and not line.startswith("-----")]


# --- Create ---------------------------------------------------------------------------------------------------


def test_create_writes_the_guides_four_keys_a_certificate_and_an_empty_token(stack: Stack) -> None:
    result = stack.create()
    document = stack.main_document()
    assert set(document) == {KEYS.consumer_key, KEYS.private_key, KEYS.subject, KEYS.audience, KEYS.certificate}
    assert document[KEYS.consumer_key] == ""
    assert document[KEYS.subject] == "integration@example.com"
    assert document[KEYS.audience] == "https://login.salesforce.com/"
    assert stack.token() == ""
    assert result["PhysicalResourceId"] == PHYSICAL_ID
    assert set(result["Data"]) == DATA_KEYS
    assert result["Data"]["PendingRotation"] == "false"
    assert result["Data"]["CertificateIsNew"] == "true"
    assert result["Data"]["Certificate"] == document[KEYS.certificate]


def test_the_key_is_an_unencrypted_pkcs8_rsa_2048_pem(stack: Stack) -> None:
    stack.create()
    pem = stack.main_document()[KEYS.private_key]
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n") and pem.rstrip().endswith("-----END PRIVATE KEY-----")
    assert load_key(pem).key_size == 2048


def test_the_certificate_is_self_signed_sha256_for_the_key_with_the_configured_name_and_validity(stack: Stack) -> None:
    result = stack.create(CertificateCommonName="Acme SCV JWT", CertificateValidityDays="730")
    document = stack.main_document()
    certificate = load_certificate(result["Data"]["Certificate"])
    assert certificate_is_for(result["Data"]["Certificate"], document[KEYS.private_key])
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    assert certificate.issuer == certificate.subject
    assert certificate.subject.rfc4514_string() == "CN=Acme SCV JWT"
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(  # self-signed: its own key verifies its signature
        certificate.signature, certificate.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA256()
    )
    now = datetime.now(UTC)
    assert now - timedelta(minutes=10) <= certificate.not_valid_before_utc <= now
    not_after = certificate.not_valid_after_utc
    assert now + timedelta(days=729, hours=23) <= not_after <= now + timedelta(days=730, minutes=1)
    data = result["Data"]
    fingerprint = certificate.fingerprint(hashes.SHA256())
    assert data["CertificateFingerprintSha256"] == ":".join(f"{b:02X}" for b in fingerprint)
    assert datetime.fromisoformat(data["CertificateNotAfter"]) == certificate.not_valid_after_utc


def test_sandbox_audience_comes_from_the_config_and_the_consumer_key_starts_empty(stack: Stack) -> None:
    stack.create(Audience="https://test.salesforce.com/")
    document = stack.main_document()
    assert document[KEYS.audience] == "https://test.salesforce.com/"
    assert document[KEYS.consumer_key] == ""


def test_a_retried_create_keeps_the_key_and_certificate_it_made(stack: Stack) -> None:
    first = stack.create()
    before = stack.main_document()
    again = stack.replay_last()
    assert stack.main_document() == before
    assert again == first


def test_an_existing_token_is_cleared_on_create(stack: Stack) -> None:
    stack.set_token("00D!left-over")
    stack.create()
    assert stack.token() == ""


# --- adoption of secrets made by hand per the guide --------------------------------------------------------------


def test_adoption_keeps_the_hand_made_key_and_makes_its_certificate_from_it(
    hand_made: Stack, test_key_pair: Any
) -> None:
    before = hand_made.main_document()
    result = hand_made.create(
        AdoptExisting="true", Subject="admin@example.com", Audience="https://test.salesforce.com/"
    )
    document = hand_made.main_document()
    assert {key: document[key] for key in before} == before  # the four keys as they were
    assert certificate_is_for(document[KEYS.certificate], test_key_pair.private_key_pem)
    assert result["Data"]["Certificate"] == document[KEYS.certificate]
    assert result["Data"]["CertificateIsNew"] == "true"
    assert hand_made.token() == "00D!by-hand"  # nothing it was issued for changed


def test_adoption_fills_only_what_is_missing(hand_made: Stack) -> None:
    hand_made.create(AdoptExisting="true", Subject="config@example.com")
    document = hand_made.main_document()
    assert document[KEYS.subject] == "admin@example.com"
    assert document[KEYS.consumer_key] == "3MVG9-by-hand"


def test_adoption_of_a_complete_secret_changes_nothing(
    seeder: SeederCode, aws_env: Any, secretsmanager_client: Any, test_key_pair: Any
) -> None:
    from tests.emulators.fixtures import make_contact_center_secrets

    main, access = make_contact_center_secrets(
        secretsmanager_client, CC, test_key_pair.private_key_pem, "3MVG9", "admin@example.com",
        "https://login.salesforce.com/", access_token="00D!cached", certificate_pem=test_key_pair.certificate_pem,
    )  # fmt: skip
    stack = Stack(seeder, secretsmanager_client, main, access)
    version = stack.current_version()
    result = stack.create(AdoptExisting="true")
    assert stack.current_version() == version
    assert result["Data"]["Certificate"] == test_key_pair.certificate_pem
    assert result["Data"]["CertificateIsNew"] == "false"
    assert stack.token() == "00D!cached"


def test_a_stored_certificate_of_another_key_is_replaced_by_one_for_the_key(
    seeder: SeederCode, aws_env: Any, secretsmanager_client: Any, test_key_pair: Any, other_rsa_key_pair: Any
) -> None:
    from tests.emulators.fixtures import make_contact_center_secrets

    main, access = make_contact_center_secrets(
        secretsmanager_client, CC, test_key_pair.private_key_pem, "3MVG9", "admin@example.com",
        "https://login.salesforce.com/", certificate_pem=other_rsa_key_pair.certificate_pem,
    )  # fmt: skip
    stack = Stack(seeder, secretsmanager_client, main, access)
    result = stack.create(AdoptExisting="true")
    assert certificate_is_for(stack.main_document()[KEYS.certificate], test_key_pair.private_key_pem)
    assert result["Data"]["CertificateIsNew"] == "true"


def test_an_encrypted_hand_made_key_fails_with_how_to_decrypt_it_and_is_left_alone(
    seeder: SeederCode, aws_env: Any, secretsmanager_client: Any
) -> None:
    from tests.emulators.fixtures import make_contact_center_secrets

    encrypted = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
        )
        .decode()
    )
    main, access = make_contact_center_secrets(
        secretsmanager_client, CC, encrypted, "3MVG9", "admin@example.com", "https://login.salesforce.com/"
    )
    stack = Stack(seeder, secretsmanager_client, main, access)
    before = stack.main_document()
    with pytest.raises(seeder.store.StoreError) as raised:
        stack.create(AdoptExisting="true")
    message = str(raised.value)
    assert main in message and "openssl rsa -in server.pass.key -out server.key" in message
    assert stack.main_document() == before


# --- Update: settings and the token -----------------------------------------------------------------------------


def test_changed_subject_and_audience_keep_the_key_and_clear_the_token(stack: Stack) -> None:
    stack.create()
    before = stack.main_document()
    stack.set_token("00D!cached")
    result = stack.update(Subject="other@example.com", Audience="https://acme.my.salesforce.com")
    document = stack.main_document()
    assert (document[KEYS.subject], document[KEYS.audience]) == ("other@example.com", "https://acme.my.salesforce.com")
    assert (document[KEYS.private_key], document[KEYS.certificate]) == (
        before[KEYS.private_key],
        before[KEYS.certificate],
    )
    assert stack.token() == ""
    assert result["Data"]["CertificateIsNew"] == "false"


def test_changed_api_settings_clear_the_token_and_leave_the_main_secret(stack: Stack) -> None:
    stack.create()
    version = stack.current_version()
    stack.set_token("00D!cached")
    stack.update(SettingsVersion="https://acme.my.salesforce.com/services/data/v69.0|https://acme/token")
    assert stack.token() == ""
    assert stack.current_version() == version


def test_an_unchanged_deploy_writes_nothing_and_keeps_the_token(stack: Stack, aws_env: Any) -> None:
    stack.create()
    stack.set_token("00D!cached")
    aws_env.reset_counts()
    stack.update()
    assert aws_env.count("PutSecretValue") == 0
    assert stack.token() == "00D!cached"


def test_a_consumer_key_set_later_survives_every_deploy(stack: Stack) -> None:
    stack.create()
    stack.store.write_current({**stack.main_document(), KEYS.consumer_key: "3MVG9-set-with-scvctl"})
    stack.update(Subject="other@example.com")
    stack.update(CertificateRenewal="1")
    stack.update(SettingsVersion="v69")
    stack.update(KeyRotation="1")
    stack.update(ActivatePendingKey="true")
    assert stack.main_document()[KEYS.consumer_key] == "3MVG9-set-with-scvctl"


def test_a_consumer_key_property_from_an_older_template_is_ignored(stack: Stack) -> None:
    """Templates never carry it now (it would sit there in plain text); one left in an old stack changes nothing."""
    stack.create()
    stack.store.write_current({**stack.main_document(), KEYS.consumer_key: "3MVG9-set-with-scvctl"})
    stack.update(ConsumerKey="3MVG9-from-an-old-template")
    assert stack.main_document()[KEYS.consumer_key] == "3MVG9-set-with-scvctl"


def test_a_subject_changed_with_scvctl_survives_deploys_that_do_not_change_it(stack: Stack) -> None:
    stack.create()
    stack.store.write_current({**stack.main_document(), KEYS.subject: "set-with-scvctl@example.com"})
    stack.update(SettingsVersion="v69")
    assert stack.main_document()[KEYS.subject] == "set-with-scvctl@example.com"


# --- certificate renewal -----------------------------------------------------------------------------------------


def test_renewal_makes_a_new_certificate_for_the_same_key_and_keeps_the_token(stack: Stack) -> None:
    first = stack.create()
    key = stack.main_document()[KEYS.private_key]
    stack.set_token("00D!cached")
    renewed = stack.update(CertificateRenewal="1", CertificateValidityDays="30")
    certificate = renewed["Data"]["Certificate"]
    assert certificate != first["Data"]["Certificate"]
    assert stack.main_document()[KEYS.certificate] == certificate
    assert stack.main_document()[KEYS.private_key] == key
    assert certificate_is_for(certificate, key)
    validity = load_certificate(certificate).not_valid_after_utc - datetime.now(UTC)
    assert timedelta(days=29) < validity <= timedelta(days=30)
    assert load_certificate(certificate).serial_number != load_certificate(first["Data"]["Certificate"]).serial_number
    assert renewed["Data"]["CertificateIsNew"] == "true"
    assert stack.token() == "00D!cached"


def test_a_replayed_renewal_keeps_the_certificate_it_made(stack: Stack) -> None:
    stack.create()
    renewed = stack.update(CertificateRenewal="1")
    again = stack.replay_last()
    assert again == renewed
    assert stack.main_document()[KEYS.certificate] == renewed["Data"]["Certificate"]


def test_renewal_during_a_staged_rotation_renews_the_current_key_and_shows_the_pending_one(stack: Stack) -> None:
    stack.create()
    staged = stack.update(KeyRotation="1")
    pending = stack.main_document("AWSPENDING")
    current_key = stack.main_document()[KEYS.private_key]
    before = stack.main_document()[KEYS.certificate]
    result = stack.update(CertificateRenewal="1")
    assert stack.main_document()[KEYS.certificate] != before
    assert certificate_is_for(stack.main_document()[KEYS.certificate], current_key)
    assert stack.main_document("AWSPENDING") == pending
    assert result["Data"]["Certificate"] == staged["Data"]["Certificate"] == pending[KEYS.certificate]


def test_a_rolled_back_renewal_does_not_renew_again(stack: Stack) -> None:
    stack.create()
    renewed = stack.update(CertificateRenewal="1")
    rolled_back = stack.update(CertificateRenewal="0")
    assert rolled_back["Data"]["Certificate"] == renewed["Data"]["Certificate"]


# --- key rotation and activation -----------------------------------------------------------------------------------


def test_rotation_stages_a_pending_key_and_leaves_the_current_one_in_use(stack: Stack) -> None:
    stack.create()
    stack.store.write_current({**stack.main_document(), KEYS.consumer_key: "3MVG9-set-with-scvctl"})
    current, version = stack.main_document(), stack.current_version()
    stack.set_token("00D!cached")
    rotated = stack.update(KeyRotation="1")
    assert stack.main_document() == current and stack.current_version() == version
    pending = stack.main_document("AWSPENDING")
    assert pending[KEYS.private_key] != current[KEYS.private_key]
    assert load_key(pending[KEYS.private_key]).key_size == 2048
    assert certificate_is_for(pending[KEYS.certificate], pending[KEYS.private_key])
    assert {k: pending[k] for k in (KEYS.consumer_key, KEYS.subject, KEYS.audience)} == {
        k: current[k] for k in (KEYS.consumer_key, KEYS.subject, KEYS.audience)
    }
    data = rotated["Data"]
    assert data["PendingRotation"] == "true"
    assert data["Certificate"] == pending[KEYS.certificate]  # the certificate to upload next
    assert data["CertificateIsNew"] == "true"
    assert stack.token() == "00D!cached"


def test_a_replayed_rotation_event_stages_the_same_key(stack: Stack) -> None:
    stack.create()
    first = stack.update(KeyRotation="1")
    staged = stack.main_document("AWSPENDING")
    again = stack.replay_last()
    assert stack.main_document("AWSPENDING") == staged
    assert again == first


def test_a_later_deploy_keeps_showing_the_pending_certificate(stack: Stack) -> None:
    stack.create()
    staged = stack.update(KeyRotation="1")
    later = stack.update(Subject="other@example.com")
    assert later["Data"]["Certificate"] == staged["Data"]["Certificate"]
    assert later["Data"]["PendingRotation"] == "true"
    assert stack.main_document("AWSPENDING")[KEYS.certificate] == staged["Data"]["Certificate"]


def test_a_rollback_unstages_the_rotation_and_a_redeploy_stages_the_same_key(stack: Stack) -> None:
    stack.create()
    stack.update(KeyRotation="1")
    staged = stack.main_document("AWSPENDING")
    rolled_back = stack.update(KeyRotation="0")  # CloudFormation rolling back a failed update
    assert not stack.has_pending()
    assert rolled_back["Data"]["PendingRotation"] == "false"
    redeployed = stack.update(KeyRotation="1")
    assert stack.main_document("AWSPENDING") == staged
    assert redeployed["Data"]["Certificate"] == staged[KEYS.certificate]


def test_a_second_rotation_replaces_the_staged_key(stack: Stack) -> None:
    stack.create()
    stack.update(KeyRotation="1")
    first = stack.main_document("AWSPENDING")[KEYS.private_key]
    stack.update(KeyRotation="2")
    assert stack.main_document("AWSPENDING")[KEYS.private_key] != first
    stages = stack.client.describe_secret(SecretId=stack.main_arn)["VersionIdsToStages"]
    assert sum("AWSPENDING" in labels for labels in stages.values()) == 1


def test_activation_promotes_the_pending_key_keeps_the_settings_and_clears_the_token(stack: Stack) -> None:
    stack.create()
    stack.store.write_current({**stack.main_document(), KEYS.consumer_key: "3MVG9-set-later"})
    stack.update(KeyRotation="1")
    pending = stack.main_document("AWSPENDING")
    stack.set_token("00D!cached")
    result = stack.update(ActivatePendingKey="true")
    current = stack.main_document()
    assert current[KEYS.private_key] == pending[KEYS.private_key]
    assert current[KEYS.certificate] == pending[KEYS.certificate] == result["Data"]["Certificate"]
    assert current[KEYS.consumer_key] == "3MVG9-set-later"
    assert current[KEYS.subject] == "integration@example.com"
    assert not stack.has_pending()
    assert result["Data"]["PendingRotation"] == "false"
    assert result["Data"]["CertificateIsNew"] == "false"  # uploaded when it was staged
    assert stack.token() == ""


def test_a_replayed_activation_changes_nothing(stack: Stack) -> None:
    stack.create()
    stack.update(KeyRotation="1")
    activated = stack.update(ActivatePendingKey="true")
    current, version = stack.main_document(), stack.current_version()
    assert stack.replay_last()["Data"] == activated["Data"]
    assert stack.main_document() == current and stack.current_version() == version


def test_activation_with_nothing_staged_changes_nothing(stack: Stack) -> None:
    stack.create()
    before = stack.main_document()
    stack.set_token("00D!cached")
    result = stack.update(ActivatePendingKey="true")
    assert stack.main_document() == before
    assert result["Data"]["PendingRotation"] == "false"
    assert stack.token() == "00D!cached"


def test_rotation_and_activation_in_one_deploy_replace_the_key(stack: Stack) -> None:
    stack.create()
    old_key = stack.main_document()[KEYS.private_key]
    result = stack.update(KeyRotation="1", ActivatePendingKey="true")
    current = stack.main_document()
    assert current[KEYS.private_key] != old_key
    assert result["Data"]["Certificate"] == current[KEYS.certificate]
    assert certificate_is_for(current[KEYS.certificate], current[KEYS.private_key])
    assert result["Data"]["CertificateIsNew"] == "true"
    assert not stack.has_pending()


def test_an_activation_left_on_never_promotes_a_key_staged_later(stack: Stack, seeder: SeederCode) -> None:
    # The staged certificate may not be in Salesforce yet: promoting it would stop every call until it is.
    stack.create()
    stack.update(KeyRotation="1")
    stack.update(ActivatePendingKey="true")  # activates rotation 1; the config keeps saying "true"
    in_use = stack.main_document()
    key, certificate = seeder.credentials.generate_key_pair("scvctl", 30)
    stack.store.stage_pending({**in_use, KEYS.private_key: key, KEYS.certificate: certificate}, "cli-1")
    shown = stack.update(Subject="other@example.com")
    assert stack.main_document()[KEYS.private_key] == in_use[KEYS.private_key]
    assert (shown["Data"]["PendingRotation"], shown["Data"]["Certificate"]) == ("true", certificate)
    rotated = stack.update(KeyRotation="2")  # a config rotation: staged, not activated
    assert stack.main_document()[KEYS.private_key] == in_use[KEYS.private_key]
    assert rotated["Data"]["PendingRotation"] == "true"
    staged = stack.main_document("AWSPENDING")[KEYS.private_key]
    stack.update(ActivatePendingKey="false")
    assert stack.has_pending()
    stack.update(ActivatePendingKey="true")  # turned on again: this deploy activates
    assert stack.main_document()[KEYS.private_key] == staged
    assert not stack.has_pending()


def test_a_rotation_staged_with_scvctl_is_shown_and_activated_by_a_deploy(stack: Stack, seeder: SeederCode) -> None:
    stack.create()
    key, certificate = seeder.credentials.generate_key_pair("scvctl", 30)
    stack.store.stage_pending({**stack.main_document(), KEYS.private_key: key, KEYS.certificate: certificate}, "cli-1")
    shown = stack.update(Subject="other@example.com")
    assert (shown["Data"]["Certificate"], shown["Data"]["PendingRotation"]) == (certificate, "true")
    stack.update(ActivatePendingKey="true")
    assert stack.main_document()[KEYS.private_key] == key
    assert stack.main_document()[KEYS.subject] == "other@example.com"


# --- Delete ---------------------------------------------------------------------------------------------------------


def test_delete_leaves_both_secrets_and_their_values(stack: Stack) -> None:
    stack.create()
    main, token = stack.main_document(), stack.token()
    assert stack.delete() == {"PhysicalResourceId": PHYSICAL_ID}
    assert stack.main_document() == main and stack.token() == token


def test_delete_never_fails_even_with_unusable_properties(seeder: SeederCode) -> None:
    result = seeder.handler.on_event(
        {"RequestType": "Delete", "PhysicalResourceId": "whatever-id", "ResourceProperties": {"Bogus": "1"}}, None
    )
    assert result == {"PhysicalResourceId": "whatever-id"}


# --- failures: FAILED at once, with the secret and the fix in the message ------------------------------------------


def test_a_missing_secret_names_the_secret_and_the_fix(stack: Stack, seeder: SeederCode) -> None:
    stack.main_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-salesforce-secret-AbCdEf"
    with pytest.raises(seeder.store.StoreError, match="nope-salesforce-secret-AbCdEf does not exist: deploy"):
        stack.create()


def test_a_main_secret_that_is_not_json_fails_and_is_left_as_it_was(stack: Stack, seeder: SeederCode) -> None:
    stack.client.put_secret_value(SecretId=stack.main_arn, SecretString="-----BEGIN PRIVATE KEY-----\nMIIE")
    with pytest.raises(seeder.store.StoreError, match="not valid JSON"):
        stack.create()
    assert stack.client.get_secret_value(SecretId=stack.main_arn)["SecretString"].startswith("-----BEGIN")


def test_an_access_secret_that_is_not_json_is_rewritten_with_an_empty_token(stack: Stack) -> None:
    stack.client.put_secret_value(SecretId=stack.access_arn, SecretString="not json")
    stack.create()
    assert stack.token() == ""


def test_access_denied_names_the_secret_and_what_to_check(stack: Stack, aws_env: Any, seeder: SeederCode) -> None:
    aws_env.fail_next("GetSecretValue", code="AccessDeniedException", message="not authorized")
    with pytest.raises(seeder.store.StoreError) as raised:
        stack.create()
    assert stack.main_arn in str(raised.value)
    assert "AccessDeniedException" in str(raised.value) and "role" in str(raised.value)


def test_a_kms_failure_while_writing_leaves_the_secrets_as_they_were(
    stack: Stack, aws_env: Any, seeder: SeederCode
) -> None:
    aws_env.fail_next("PutSecretValue", code="KMSAccessDeniedException", message="kms denied")
    with pytest.raises(seeder.store.StoreError, match="KMS key"):
        stack.create()
    assert stack.store.read_current() is None
    stack.create()  # the retry CloudFormation's next deploy makes succeeds
    assert stack.main_document()[KEYS.private_key]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"MainSecretId": ""}, "lacks the properties MainSecretId"),
        ({"CertificateValidityDays": "two years"}, "CertificateValidityDays must be a whole number"),
        ({"CertificateValidityDays": "0"}, "from 1 to 36500"),
        ({"CertificateValidityDays": "99999999"}, "from 1 to 36500"),
    ],
)
def test_bad_properties_fail_with_what_to_change(
    stack: Stack, seeder: SeederCode, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(seeder.handler.SeederError, match=message):
        stack.create(**overrides)


def test_an_unknown_request_type_fails(seeder: SeederCode) -> None:
    with pytest.raises(seeder.handler.SeederError, match="unknown RequestType"):
        seeder.handler.on_event({"RequestType": "Replace", "ResourceProperties": {}}, None)


# --- nothing secret leaves the function ------------------------------------------------------------------------------


def test_no_private_key_or_token_in_the_answers_or_the_logs(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.set_token("00D!secret-token")
    answers = [stack.create()]
    answers.append(stack.update(KeyRotation="1"))
    staged = stack.main_document("AWSPENDING")[KEYS.private_key]
    answers.append(stack.update(CertificateRenewal="1"))
    answers.append(stack.update(ActivatePendingKey="true"))
    with pytest.raises(Exception):  # noqa: B017,PT011 - any failure: its log line must be clean too
        stack.seeder.handler.on_event({"RequestType": "Create", "ResourceProperties": {"ContactCenter": CC}}, None)
    shown = json.dumps(answers) + capsys.readouterr().out
    assert "PRIVATE KEY" not in shown and "00D!secret-token" not in shown
    for line in key_body_lines(staged, stack.main_document("AWSPREVIOUS")[KEYS.private_key]):
        assert line not in shown
    for answer in answers:
        assert set(answer["Data"]) == DATA_KEYS


def test_logs_are_json_lines_naming_what_was_done(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.create()
    stack.update(KeyRotation="1")
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    seeded = [record for record in records if record["message"] == "seeded"]
    assert seeded[0]["actions"] == [
        "generated-key",
        "issued-certificate",
        "wrote-main-secret",
        "cleared-token",
        "published-certificate",
    ]
    assert seeded[1]["actions"] == ["staged-rotation", "published-certificate"]
    assert all(record["contact_center"] == CC for record in records)
    assert all(record["service"] == "SalesforceSecretSeeder" and record["level"] == "INFO" for record in records)
    assert all("Certificate" not in record for record in records)


def test_a_replay_after_a_crash_before_the_token_was_cleared_clears_it(stack: Stack) -> None:
    stack.create()
    # The first attempt of the Update wrote the main secret, then died before clearing the token.
    stack.store.write_current({**stack.main_document(), KEYS.subject: "other@example.com"})
    stack.set_token("00D!minted-for-the-old-subject")
    stack.update(Subject="other@example.com")  # the replay finds the main secret already as asked
    assert stack.token() == ""


def test_the_answer_fits_cloudformations_4096_byte_response(stack: Stack) -> None:
    result = stack.create(CertificateCommonName="x" * 64)
    response = {
        "Status": "SUCCESS",
        "Reason": "See the details in CloudWatch Log Stream: 2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
        "PhysicalResourceId": result["PhysicalResourceId"],
        "StackId": "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/" + "s" * 128 + "/" + "0" * 36,
        "RequestId": "0" * 36,
        "LogicalResourceId": "SecretSeederSeed" + "0" * 8,
        "Data": result["Data"],
    }
    assert len(json.dumps(response).encode()) < 4096


@pytest.mark.parametrize("trailing", ["\n", "\r", "\x00"], ids=["newline", "carriage-return", "NUL"])
@pytest.mark.parametrize("name", ["Subject", "Audience", "ConsumerKey", "CertificateCommonName"])
def test_a_property_with_a_trailing_control_character_is_refused_and_nothing_is_written(
    stack: Stack, seeder: SeederCode, name: str, trailing: str
) -> None:
    value = {"Subject": "user@example.com", "Audience": "https://login.salesforce.com/"}.get(name, "value")
    with pytest.raises(seeder.handler.SeederError, match=f"properties {name} hold a control character"):
        stack.create(**{name: value + trailing})
    assert stack.client.describe_secret(SecretId=stack.main_arn).get("VersionIdsToStages", {}) == {}


@pytest.mark.parametrize("trailing", ["\n", "\r", "\x00"], ids=["newline", "carriage-return", "NUL"])
def test_a_validity_with_a_trailing_control_character_is_refused(
    stack: Stack, seeder: SeederCode, trailing: str
) -> None:
    with pytest.raises(seeder.handler.SeederError, match="CertificateValidityDays must be a whole number"):
        stack.create(CertificateValidityDays="730" + trailing)


# --- the published certificate (readable without any right on the key) ----------------------------------------


def published_certificate(stack: Stack) -> str | None:
    import boto3

    try:
        return boto3.client("ssm").get_parameter(Name=f"/{CC}/salesforce/certificate")["Parameter"]["Value"]
    except Exception:
        return None


def test_every_deploy_publishes_the_certificate_in_use_not_a_pending_one(stack: Stack) -> None:
    stack.create()
    current = stack.main_document()[KEYS.certificate]
    assert published_certificate(stack) == current
    stack.update(KeyRotation="1")  # a staged key's certificate is shown, but not yet in use
    assert published_certificate(stack) == current
    stack.update(ActivatePendingKey="true")
    assert published_certificate(stack) == stack.main_document()[KEYS.certificate] != current


def test_an_existing_stack_publishes_on_its_next_deploy(stack: Stack) -> None:
    """Templates from before had no CertificateParameter: the new property makes the next deploy an Update."""
    stack.create(CertificateParameter="")
    import boto3

    boto3.client("ssm").delete_parameters(Names=[f"/{CC}/salesforce/certificate"])
    assert published_certificate(stack) is None
    stack.update(CertificateParameter=f"/{CC}/salesforce/certificate")
    assert published_certificate(stack) == stack.main_document()[KEYS.certificate]
