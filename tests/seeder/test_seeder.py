"""The seeder custom resource: key, certificate and secret values at deploy time, idempotent, never leaked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from seeder import credentials, handler
from seeder.store import StoreError
from shared.secret_format import SecretKeys

from tests.seeder.conftest import CC, Stack

KEYS = SecretKeys.for_contact_center(CC)


def main_document(stack: Stack, stage: str = "AWSCURRENT") -> dict[str, str]:
    return json.loads(stack.client.get_secret_value(SecretId=stack.main_arn, VersionStage=stage)["SecretString"])


def token(stack: Stack) -> str:
    return json.loads(stack.client.get_secret_value(SecretId=stack.access_arn)["SecretString"])[KEYS.access_token]


def set_token(stack: Stack, value: str) -> None:
    stack.client.put_secret_value(SecretId=stack.access_arn, SecretString=json.dumps({KEYS.access_token: value}))


def public_numbers_of(private_key_pem: str) -> Any:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return key.public_key().public_numbers()


# --- Create -----------------------------------------------------------------------------------------------


def test_create_writes_the_four_keys_a_certificate_and_an_empty_token(stack: Stack) -> None:
    result = stack.create()
    document = main_document(stack)
    assert set(document) == {KEYS.consumer_key, KEYS.private_key, KEYS.subject, KEYS.audience, KEYS.certificate}
    assert document[KEYS.consumer_key] == ""
    assert document[KEYS.subject] == "integration@example.com"
    assert document[KEYS.audience] == "https://login.salesforce.com/"
    key = serialization.load_pem_private_key(document[KEYS.private_key].encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert document[KEYS.private_key].startswith("-----BEGIN PRIVATE KEY-----")
    certificate = x509.load_pem_x509_certificate(result["Data"]["Certificate"].encode())
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    assert certificate.issuer == certificate.subject
    certificate.public_key().verify(  # self-signed: its own key verifies its signature
        certificate.signature,
        certificate.tbs_certificate_bytes,
        padding.PKCS1v15(),
        certificate.signature_hash_algorithm,
    )
    validity = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=365) <= validity <= timedelta(days=365, minutes=10)
    assert certificate.subject.rfc4514_string() == "CN=seedcc Salesforce JWT"
    assert token(stack) == ""
    assert result["PhysicalResourceId"] == f"{CC}-salesforce-secret-seed"
    data = result["Data"]
    assert data["PendingRotation"] == "false"
    assert data["CertificateFingerprintSha256"] == ":".join(
        f"{b:02X}" for b in certificate.fingerprint(hashes.SHA256())
    )
    assert datetime.fromisoformat(data["CertificateNotAfter"]) > datetime.now(UTC) + timedelta(days=364)


def test_sandbox_audience_and_consumer_key_from_the_config(stack: Stack) -> None:
    stack.create(Audience="https://test.salesforce.com/", ConsumerKey="3MVG9-config")
    document = main_document(stack)
    assert document[KEYS.audience] == "https://test.salesforce.com/"
    assert document[KEYS.consumer_key] == "3MVG9-config"


def test_a_retried_create_keeps_the_key_it_made(stack: Stack) -> None:
    first = stack.create()
    key = main_document(stack)[KEYS.private_key]
    again = stack.create()
    assert main_document(stack)[KEYS.private_key] == key
    assert again["Data"]["Certificate"] == first["Data"]["Certificate"]


def test_nothing_secret_in_the_answer_or_the_logs(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    result = stack.create(ConsumerKey="3MVG9-config")
    stack.update(KeyRotation="1")
    key_lines = [
        line
        for pem in (main_document(stack)[KEYS.private_key], main_document(stack, "AWSPENDING")[KEYS.private_key])
        for line in pem.splitlines()
        if line and not line.startswith("-----")
    ]
    shown = json.dumps(result) + capsys.readouterr().out
    assert "PRIVATE KEY" not in shown
    for line in key_lines:
        assert line not in shown


# --- Update ------------------------------------------------------------------------------------------------


def test_changed_settings_keep_the_key_and_clear_the_token(stack: Stack) -> None:
    stack.create()
    key = main_document(stack)[KEYS.private_key]
    set_token(stack, "00D!cached")
    stack.update(Subject="other@example.com", Audience="https://acme.my.salesforce.com")
    document = main_document(stack)
    assert (document[KEYS.subject], document[KEYS.audience]) == ("other@example.com", "https://acme.my.salesforce.com")
    assert document[KEYS.private_key] == key
    assert token(stack) == ""


def test_changed_api_settings_clear_the_token(stack: Stack) -> None:
    stack.create()
    set_token(stack, "00D!cached")
    stack.update(SettingsVersion="v69.0")
    assert token(stack) == ""


def test_an_unchanged_deploy_keeps_the_token(stack: Stack) -> None:
    stack.create()
    set_token(stack, "00D!cached")
    stack.update()
    assert token(stack) == "00D!cached"


def test_a_consumer_key_set_later_survives_every_deploy(stack: Stack) -> None:
    stack.create()
    document = main_document(stack)
    stack.store.write_current({**document, KEYS.consumer_key: "3MVG9-set-with-scvctl"})
    stack.update(Subject="other@example.com")
    stack.update(CertificateRenewal="1")
    assert main_document(stack)[KEYS.consumer_key] == "3MVG9-set-with-scvctl"


def test_a_consumer_key_changed_in_the_config_is_written(stack: Stack) -> None:
    stack.create(ConsumerKey="3MVG9-old")
    stack.update(ConsumerKey="3MVG9-new")
    assert main_document(stack)[KEYS.consumer_key] == "3MVG9-new"


def test_renewal_issues_a_new_certificate_for_the_same_key_and_keeps_the_token(stack: Stack) -> None:
    first = stack.create()
    key = main_document(stack)[KEYS.private_key]
    set_token(stack, "00D!cached")
    renewed = stack.update(CertificateRenewal="1", CertificateValidityDays="30")
    assert renewed["Data"]["Certificate"] != first["Data"]["Certificate"]
    assert main_document(stack)[KEYS.private_key] == key
    certificate = x509.load_pem_x509_certificate(renewed["Data"]["Certificate"].encode())
    assert certificate.public_key().public_numbers() == public_numbers_of(key)
    assert token(stack) == "00D!cached"


# --- key rotation ------------------------------------------------------------------------------------------


def test_rotation_stages_a_pending_key_and_leaves_the_current_one_in_use(stack: Stack) -> None:
    stack.create(ConsumerKey="3MVG9-config")
    current = main_document(stack)
    set_token(stack, "00D!cached")
    rotated = stack.update(KeyRotation="1")
    assert main_document(stack) == current
    pending = main_document(stack, "AWSPENDING")
    assert pending[KEYS.private_key] != current[KEYS.private_key]
    assert rotated["Data"]["PendingRotation"] == "true"
    assert rotated["Data"]["Certificate"] == pending[KEYS.certificate]  # the certificate to upload
    assert token(stack) == "00D!cached"


def test_a_replayed_rotation_event_stages_the_same_key(stack: Stack) -> None:
    stack.create()
    old = dict(stack.current or {})
    stack.update(KeyRotation="1")
    staged = main_document(stack, "AWSPENDING")[KEYS.private_key]
    stack.replay("Update", old, stack.current or {})
    assert main_document(stack, "AWSPENDING")[KEYS.private_key] == staged


def test_activation_promotes_the_pending_key_and_clears_the_token(stack: Stack) -> None:
    stack.create()
    stack.store.write_current({**main_document(stack), KEYS.consumer_key: "3MVG9-set-later"})
    stack.update(KeyRotation="1")
    pending = main_document(stack, "AWSPENDING")
    set_token(stack, "00D!cached")
    result = stack.update(ActivatePendingKey="true")
    current = main_document(stack)
    assert current[KEYS.private_key] == pending[KEYS.private_key]
    assert current[KEYS.certificate] == pending[KEYS.certificate]
    assert current[KEYS.consumer_key] == "3MVG9-set-later"
    assert result["Data"]["PendingRotation"] == "false"
    assert stack.store.read_pending() is None
    assert token(stack) == ""


# --- adoption of hand-made secrets --------------------------------------------------------------------------


def test_adoption_keeps_a_hand_made_key_and_fills_only_what_is_missing(
    secretsmanager_client: Any, secrets_server: Any, monkeypatch: pytest.MonkeyPatch, rsa_key_pair: Any
) -> None:
    for name, value in secrets_server.env().items():
        monkeypatch.setenv(name, value)
    hand_made = {  # the guide's four keys, pasted by hand; no certificate key
        KEYS.consumer_key: "3MVG9-by-hand",
        KEYS.private_key: rsa_key_pair.private_key_pem,
        KEYS.subject: "admin@example.com",
        KEYS.audience: "https://test.salesforce.com/",
    }
    main = secretsmanager_client.create_secret(Name=f"{CC}-salesforce-secret", SecretString=json.dumps(hand_made))
    access = secretsmanager_client.create_secret(
        Name=f"{CC}-salesforce-access-secret", SecretString=json.dumps({KEYS.access_token: "00D!by-hand"})
    )
    stack = Stack(secretsmanager_client, main["ARN"], access["ARN"])
    result = stack.create(
        AdoptExisting="true", ConsumerKey="", Subject="admin@example.com", Audience="https://test.salesforce.com/"
    )
    document = main_document(stack)
    assert {k: document[k] for k in hand_made} == hand_made
    certificate = x509.load_pem_x509_certificate(document[KEYS.certificate].encode())
    assert certificate.public_key().public_numbers() == public_numbers_of(rsa_key_pair.private_key_pem)
    assert result["Data"]["CertificateIsNew"] == "true"
    assert token(stack) == "00D!by-hand"  # nothing changed that would invalidate it


# --- Delete and failures -------------------------------------------------------------------------------------


def test_delete_leaves_both_secrets_and_their_values(stack: Stack) -> None:
    stack.create()
    before = main_document(stack)
    result = handler.on_event(
        {
            "RequestType": "Delete",
            "PhysicalResourceId": f"{CC}-salesforce-secret-seed",
            "ResourceProperties": stack.current,
        },
        None,
    )
    assert result == {"PhysicalResourceId": f"{CC}-salesforce-secret-seed"}
    assert main_document(stack) == before


def test_a_missing_secret_fails_with_what_to_do(stack: Stack) -> None:
    stack.main_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-salesforce-secret-AbCdEf"
    with pytest.raises(StoreError, match="does not exist: deploy the contact center's stack"):
        stack.create()


def test_a_secret_that_is_not_json_fails_and_is_left_as_it_was(stack: Stack) -> None:
    stack.client.put_secret_value(SecretId=stack.main_arn, SecretString="-----BEGIN PRIVATE KEY-----\nMIIE")
    with pytest.raises(StoreError, match="not valid JSON"):
        stack.create()
    assert stack.client.get_secret_value(SecretId=stack.main_arn)["SecretString"].startswith("-----BEGIN")


def test_missing_properties_fail_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="lacks the property 'MainSecretId'"):
        handler.on_event({"RequestType": "Create", "ResourceProperties": {"ContactCenter": CC}}, None)


# --- credentials --------------------------------------------------------------------------------------------


def test_key_validation_refuses_what_salesforce_cannot_use() -> None:
    ec_key = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    with pytest.raises(credentials.CredentialError, match="not RSA"):
        credentials.validate_key_pair(ec_key)
    small = (
        rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the weak key is the point
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    with pytest.raises(credentials.CredentialError, match="1024 bits"):
        credentials.validate_key_pair(small)
    encrypted = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
        )
        .decode()
    )
    with pytest.raises(credentials.CredentialError, match="openssl rsa"):
        credentials.validate_key_pair(encrypted)
    key, other = credentials.generate_private_key(), credentials.generate_private_key()
    with pytest.raises(credentials.CredentialError, match="does not belong"):
        credentials.validate_key_pair(key, credentials.issue_certificate(other, "x", 1))
