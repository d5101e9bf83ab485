"""scvctl key rotate / activate / discard / import against moto: end states, token clearing, bad keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scv_seeder import credentials

from tests.cli.conftest import (
    AUDIENCE,
    CC,
    CONSUMER_KEY,
    KEYS,
    USERNAME,
    RunCli,
    Secrets,
    assert_no_secret_values,
    in_mode,
)
from tests.cli.keys import OPENSSL, ec_key_pem, encrypted_pem, openssl_as_in_the_guide, pkcs1_pem, small_rsa_key_pem

TOKEN = "00Dcached!token-value"


# ------------------------------------------------------------------------------------------------ rotate


def test_rotate_stages_a_new_key_and_keeps_the_current_one(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any, tmp_path: Path
) -> None:
    out = tmp_path / "server.crt"

    result = run_cli("key", "rotate", CC, "--out", str(out))

    assert result.code == 0, result.err
    current, pending = secrets.current(), secrets.pending()
    assert pending is not None
    assert current[KEYS.private_key] == rsa_key_pair.private_key_pem  # still in use
    assert pending[KEYS.private_key] != rsa_key_pair.private_key_pem
    credentials.validate_key_pair(pending[KEYS.private_key], pending[KEYS.certificate])
    assert {k: pending[k] for k in (KEYS.consumer_key, KEYS.subject, KEYS.audience)} == {
        KEYS.consumer_key: CONSUMER_KEY,
        KEYS.subject: USERNAME,
        KEYS.audience: AUDIENCE,
    }
    assert out.read_text() == pending[KEYS.certificate]
    assert pending[KEYS.certificate].strip() in result.out
    assert f"scvctl key activate {CC}" in result.out
    assert secrets.token() == TOKEN  # the current key still works: its token too
    assert_no_secret_values(result.output, pending[KEYS.private_key], rsa_key_pair.private_key_pem, CONSUMER_KEY)


def test_in_mode_companion_rotate_says_scvs_function_needs_the_activation_right_after_the_upload(
    run_cli: RunCli, config_file: Path, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any
) -> None:
    in_mode(config_file, "companion")

    result = run_cli("key", "rotate", CC)

    assert result.code == 0, result.err
    assert secrets.current()[KEYS.private_key] == rsa_key_pair.private_key_pem  # SCV's calls go on with it
    assert secrets.pending() is not None
    assert "SCV's function knows nothing of the staged key" in result.out
    assert f"right after it run: scvctl key activate {CC}" in result.out
    assert "switches to the new key by itself" not in result.out


def test_rotate_refuses_to_replace_a_staged_rotation(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    run_cli("key", "rotate", CC)
    staged = secrets.pending()

    result = run_cli("key", "rotate", CC)

    assert result.code == 1
    assert "already staged" in result.err and f"scvctl key discard {CC}" in result.err
    assert secrets.pending() == staged


def test_activate_promotes_the_pending_key_and_clears_the_token(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets
) -> None:
    run_cli("key", "rotate", CC)
    staged = secrets.pending()
    assert staged is not None

    result = run_cli("key", "activate", CC)

    assert result.code == 0, result.err
    current = secrets.current()
    assert current[KEYS.private_key] == staged[KEYS.private_key]
    assert current[KEYS.certificate] == staged[KEYS.certificate]
    assert (current[KEYS.consumer_key], current[KEYS.subject], current[KEYS.audience]) == (
        CONSUMER_KEY,
        USERNAME,
        AUDIENCE,
    )
    assert secrets.pending() is None
    assert secrets.token() == ""
    assert credentials.certificate_info(staged[KEYS.certificate]).fingerprint_sha256 in result.out
    assert_no_secret_values(result.output, staged[KEYS.private_key])


def test_activate_keeps_a_consumer_key_set_after_the_rotation(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets
) -> None:
    run_cli("key", "rotate", CC)
    assert run_cli("consumer-key", "set", CC, stdin="3MVG9-set-after-rotate-0123456789").code == 0

    assert run_cli("key", "activate", CC).code == 0

    assert secrets.current()[KEYS.consumer_key] == "3MVG9-set-after-rotate-0123456789"


def test_activate_without_a_staged_key(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    result = run_cli("key", "activate", CC)

    assert result.code == 1
    assert "no key rotation is staged" in result.err
    assert secrets.token() == TOKEN


def test_discard_drops_the_staged_key(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any) -> None:
    assert run_cli("key", "discard", CC).out.startswith("No key rotation is staged")
    run_cli("key", "rotate", CC)

    result = run_cli("key", "discard", CC)

    assert result.code == 0
    assert secrets.pending() is None
    assert secrets.current()[KEYS.private_key] == rsa_key_pair.private_key_pem
    assert run_cli("key", "rotate", CC).code == 0  # a new rotation can start


def test_rotate_now_replaces_the_key_at_once(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any
) -> None:
    run_cli("key", "rotate", CC)  # a staged rotation is dropped too: it was made while the key leaked

    result = run_cli("key", "rotate", "--now", CC)

    assert result.code == 0, result.err
    current = secrets.current()
    assert current[KEYS.private_key] != rsa_key_pair.private_key_pem
    credentials.validate_key_pair(current[KEYS.private_key], current[KEYS.certificate])
    assert current[KEYS.consumer_key] == CONSUMER_KEY
    assert secrets.pending() is None
    assert secrets.token() == ""
    assert current[KEYS.certificate].strip() in result.out
    assert "NOW" in result.out
    assert_no_secret_values(result.output, current[KEYS.private_key], rsa_key_pair.private_key_pem)


# ------------------------------------------------------------------------------------------------ import


def test_import_adopts_a_pkcs1_key_with_its_certificate(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, other_rsa_key_pair: Any, tmp_path: Path
) -> None:
    key_file, cert_file = tmp_path / "server.key", tmp_path / "server.crt"
    key_file.write_text(pkcs1_pem(other_rsa_key_pair))
    cert_file.write_text(other_rsa_key_pair.certificate_pem)

    result = run_cli("key", "import", CC, "--private-key", str(key_file), "--certificate", str(cert_file))

    assert result.code == 0, result.err
    current = secrets.current()
    assert current[KEYS.private_key] == other_rsa_key_pair.private_key_pem  # stored as PKCS#8
    assert current[KEYS.private_key].startswith("-----BEGIN PRIVATE KEY-----")
    assert current[KEYS.certificate] == other_rsa_key_pair.certificate_pem
    assert current[KEYS.consumer_key] == CONSUMER_KEY
    assert secrets.token() == ""
    assert_no_secret_values(result.output, other_rsa_key_pair.private_key_pem, pkcs1_pem(other_rsa_key_pair))


def test_import_without_certificate_makes_one(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, other_rsa_key_pair: Any, tmp_path: Path
) -> None:
    key_file = tmp_path / "server.key"
    key_file.write_text(other_rsa_key_pair.private_key_pem)

    result = run_cli("key", "import", CC, "--private-key", str(key_file))

    assert result.code == 0, result.err
    current = secrets.current()
    credentials.validate_key_pair(other_rsa_key_pair.private_key_pem, current[KEYS.certificate])
    assert credentials.certificate_info(current[KEYS.certificate]).common_name == "testcc Salesforce JWT"
    assert current[KEYS.certificate].strip() in result.out


def test_import_drops_a_staged_rotation(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, other_rsa_key_pair: Any, tmp_path: Path
) -> None:
    run_cli("key", "rotate", CC)
    key_file = tmp_path / "server.key"
    key_file.write_text(other_rsa_key_pair.private_key_pem)

    assert run_cli("key", "import", CC, "--private-key", str(key_file)).code == 0

    assert secrets.pending() is None


def test_import_fills_an_empty_secret_from_the_config(
    run_cli: RunCli, secretsmanager_client: Any, secrets: Secrets, other_rsa_key_pair: Any, tmp_path: Path
) -> None:
    """Secrets created by CloudFormation but never seeded (or made by hand, empty)."""
    secretsmanager_client.create_secret(Name=f"{CC}-salesforce-secret")
    secretsmanager_client.create_secret(Name=f"{CC}-salesforce-access-secret")
    key_file = tmp_path / "server.key"
    key_file.write_text(other_rsa_key_pair.private_key_pem)

    result = run_cli("key", "import", CC, "--private-key", str(key_file))

    assert result.code == 0, result.err
    current = secrets.current()
    assert current[KEYS.subject] == USERNAME
    assert current[KEYS.audience] == AUDIENCE
    assert current[KEYS.consumer_key] == ""
    assert secrets.token() == ""


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_import_the_guides_openssl_files(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, tmp_path: Path) -> None:
    pass_key, key, crt = openssl_as_in_the_guide(tmp_path)

    encrypted = run_cli("key", "import", CC, "--private-key", str(pass_key), "--certificate", str(crt))
    assert encrypted.code == 1
    assert "encrypted" in encrypted.err

    result = run_cli("key", "import", CC, "--private-key", str(key), "--certificate", str(crt))

    assert result.code == 0, result.err
    credentials.validate_key_pair(secrets.current()[KEYS.private_key], secrets.current()[KEYS.certificate])
    assert_no_secret_values(result.output, key.read_text())


def _unchanged(secrets: Secrets, versions: int, document: dict[str, str]) -> None:
    assert secrets.version_count() == versions
    assert secrets.current() == document
    assert secrets.token() == TOKEN


@pytest.mark.parametrize(
    ("make_key", "message"),
    [
        (lambda pair: ec_key_pem(), "not RSA"),
        (lambda pair: small_rsa_key_pem(), "1024 bits; Salesforce needs at least 2048"),
        (lambda pair: encrypted_pem(pair), "the private key is encrypted"),
        (lambda pair: "not a key\n", "not a PEM private key"),
    ],
    ids=["ec", "rsa-1024", "encrypted", "garbage"],
)
def test_import_refuses_unusable_keys_before_writing(
    run_cli: RunCli,
    cc_secrets: Any,
    secrets: Secrets,
    other_rsa_key_pair: Any,
    tmp_path: Path,
    make_key: Any,
    message: str,
) -> None:
    versions, document = secrets.version_count(), secrets.current()
    key_file = tmp_path / "server.key"
    key_file.write_text(make_key(other_rsa_key_pair))

    result = run_cli("key", "import", CC, "--private-key", str(key_file))

    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.output
    _unchanged(secrets, versions, document)


def test_import_refuses_a_certificate_of_another_key(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any, other_rsa_key_pair: Any, tmp_path: Path
) -> None:
    versions, document = secrets.version_count(), secrets.current()
    key_file, cert_file = tmp_path / "server.key", tmp_path / "server.crt"
    key_file.write_text(other_rsa_key_pair.private_key_pem)
    cert_file.write_text(rsa_key_pair.certificate_pem)

    result = run_cli("key", "import", CC, "--private-key", str(key_file), "--certificate", str(cert_file))

    assert result.code == 1
    assert "the certificate does not belong to the private key" in result.err
    _unchanged(secrets, versions, document)


def test_import_missing_file(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, tmp_path: Path) -> None:
    result = run_cli("key", "import", CC, "--private-key", str(tmp_path / "nope.key"))

    assert result.code == 1
    assert "nope.key: no such file" in result.err
    assert secrets.token() == TOKEN
