"""scvctl cert show / export / renew against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scv_seeder import credentials
from scvctl.console import expiry_text

from tests.cli.conftest import CC, CONSUMER_KEY, KEYS, ROOT, RunCli, Secrets, assert_no_secret_values


def test_show_prints_the_certificate_fingerprint_and_days_left(
    run_cli: RunCli, cc_secrets: Any, rsa_key_pair: Any
) -> None:
    result = run_cli("cert", "show", CC)

    info = credentials.certificate_info(rsa_key_pair.certificate_pem)
    assert result.code == 0, result.err
    assert rsa_key_pair.certificate_pem.strip() in result.out
    assert info.fingerprint_sha256 in result.out
    assert f"Expires:     {expiry_text(info)}" in result.out
    assert "No key rotation staged." in result.out
    assert_no_secret_values(result.output, rsa_key_pair.private_key_pem, CONSUMER_KEY, "00Dcached!token-value")


def test_show_includes_a_staged_rotation(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    assert run_cli("key", "rotate", CC).code == 0
    pending = secrets.pending()
    assert pending is not None

    result = run_cli("cert", "show", CC)

    assert result.code == 0
    assert "Pending certificate" in result.out
    assert pending[KEYS.certificate].strip() in result.out
    assert credentials.certificate_info(pending[KEYS.certificate]).fingerprint_sha256 in result.out
    assert_no_secret_values(result.output, pending[KEYS.private_key])


def test_export_writes_the_current_certificate(
    run_cli: RunCli, cc_secrets: Any, rsa_key_pair: Any, tmp_path: Path
) -> None:
    out = tmp_path / "server.crt"

    result = run_cli("cert", "export", CC, "--out", str(out))

    assert result.code == 0, result.err
    assert out.read_text() == rsa_key_pair.certificate_pem
    assert "Wrote the current certificate" in result.out


def test_export_to_stdout_prints_only_the_pem(run_cli: RunCli, cc_secrets: Any, rsa_key_pair: Any) -> None:
    result = run_cli("cert", "export", CC, "--out", "-")

    assert result.code == 0
    assert result.out == rsa_key_pair.certificate_pem


def test_export_pending(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, tmp_path: Path) -> None:
    out = tmp_path / "pending.crt"
    assert run_cli("cert", "export", CC, "--pending", "--out", str(out)).code == 1  # nothing staged yet
    assert not out.exists()
    run_cli("key", "rotate", CC)

    result = run_cli("cert", "export", CC, "--pending", "--out", str(out))

    assert result.code == 0
    pending = secrets.pending()
    assert pending is not None
    assert out.read_text() == pending[KEYS.certificate]


def test_renew_keeps_the_key_and_consumer_key(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any, tmp_path: Path
) -> None:
    before = secrets.current()

    result = run_cli("cert", "renew", CC, "--days", "90", "--out", str(tmp_path / "renewed.crt"))

    assert result.code == 0, result.err
    after = secrets.current()
    assert after[KEYS.private_key] == before[KEYS.private_key] == rsa_key_pair.private_key_pem
    assert after[KEYS.consumer_key] == CONSUMER_KEY
    assert after[KEYS.certificate] != before[KEYS.certificate]
    credentials.validate_key_pair(after[KEYS.private_key], after[KEYS.certificate])
    info = credentials.certificate_info(after[KEYS.certificate])
    expected_end = datetime.now(UTC) + timedelta(days=90)
    assert abs(datetime.fromisoformat(info.not_after) - expected_end) < timedelta(minutes=10)
    assert info.common_name == "testcc Salesforce JWT"  # certificate.common_name from the config
    assert secrets.token() == "00Dcached!token-value"  # same key: tokens stay valid
    assert (tmp_path / "renewed.crt").read_text() == after[KEYS.certificate]
    assert after[KEYS.certificate].strip() in result.out
    assert "Upload it in place of the old one" in result.out
    assert_no_secret_values(result.output, rsa_key_pair.private_key_pem, CONSUMER_KEY)


def test_renew_uses_the_configured_validity(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    assert run_cli("cert", "renew", CC).code == 0

    info = credentials.certificate_info(secrets.current()[KEYS.certificate])
    assert 363 <= info.days_left <= 365  # certificate.validity_days: 365


def test_renew_refuses_a_bad_validity(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    versions = secrets.version_count()

    result = run_cli("cert", "renew", CC, "--days", "0")

    assert result.code == 2
    assert "--days must be between 1 and 3650" in result.err
    assert secrets.version_count() == versions


def test_a_hand_made_secret_without_certificate_gets_one_from_renew(
    run_cli: RunCli, secretsmanager_client: Any, rsa_key_pair: Any, secrets: Secrets
) -> None:
    from tests.emulators.fixtures import make_contact_center_secrets

    make_contact_center_secrets(
        secretsmanager_client, CC, rsa_key_pair.private_key_pem, CONSUMER_KEY, "integration@example.com",
        "https://login.salesforce.com/",
    )  # fmt: skip

    show = run_cli("cert", "show", CC)
    assert show.code == 0
    assert "none stored" in show.out
    export = run_cli("cert", "export", CC, "--out", "-")
    assert export.code == 1
    assert "cert renew" in export.err

    assert run_cli("cert", "renew", CC).code == 0
    credentials.validate_key_pair(rsa_key_pair.private_key_pem, secrets.current()[KEYS.certificate])


def published(secrets: Secrets) -> str | None:
    import boto3

    try:
        return boto3.client("ssm").get_parameter(Name=f"/{CC}/salesforce/certificate")["Parameter"]["Value"]
    except Exception:
        return None


def test_show_reads_the_published_certificate_without_the_secret(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, other_rsa_key_pair: Any
) -> None:
    """What the seeder published is shown, and the main secret's current version is not read for it."""
    import boto3

    boto3.client("ssm").put_parameter(
        Name=f"/{CC}/salesforce/certificate", Value=other_rsa_key_pair.certificate_pem, Type="String"
    )
    result = run_cli("cert", "show", CC)

    assert result.code == 0, result.err
    assert f"parameter /{CC}/salesforce/certificate" in result.out
    assert credentials.certificate_info(other_rsa_key_pair.certificate_pem).fingerprint_sha256 in result.out
    # docs/SCVCTL.md's real sessions of cert show begin with the line the command prints
    sessions = (ROOT / "docs" / "SCVCTL.md").read_text(encoding="utf-8").split("$ scvctl cert show example-cc\n")[1:]
    first_line = result.out.splitlines()[0].replace(CC, "example-cc")
    assert sessions and all(session.splitlines()[0] == first_line for session in sessions)


def test_every_command_that_changes_the_certificate_in_use_publishes_it(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets
) -> None:
    assert run_cli("cert", "renew", CC).code == 0
    assert published(secrets) == secrets.current()[KEYS.certificate]
    assert run_cli("key", "rotate", CC).code == 0
    assert published(secrets) == secrets.current()[KEYS.certificate]  # staged, not in use yet
    assert run_cli("key", "activate", CC).code == 0
    assert published(secrets) == secrets.current()[KEYS.certificate]
    assert run_cli("key", "rotate", CC, "--now").code == 0
    assert published(secrets) == secrets.current()[KEYS.certificate]


NOT_AFTER = datetime(2028, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before_expiry", "expected"),
    [
        (timedelta(days=730) - timedelta(seconds=5), "(730 days left)"),  # a fresh 730-day certificate
        (timedelta(days=31), "(31 days left)"),
        (timedelta(days=30), "(30 days left: renew soon with scvctl cert renew)"),
        (timedelta(days=1, hours=2), "(1 day left: renew soon"),
        (timedelta(hours=3), "(less than a day left: renew soon"),
        (-timedelta(seconds=5), "(EXPIRED less than a day ago: Salesforce may still accept it"),  # openssl -days 0
        (-timedelta(days=1, hours=1), "(EXPIRED 1 day ago:"),
        (-timedelta(days=10), "(EXPIRED 10 days ago:"),
    ],
)
def test_expiry_is_counted_as_a_person_reads_it(before_expiry: timedelta, expected: str) -> None:
    info = credentials.CertificateInfo("AB:CD", NOT_AFTER.isoformat(), "cc", 0)
    assert expiry_text(info, now=NOT_AFTER - before_expiry).startswith(f"{NOT_AFTER.isoformat()} {expected}")


def test_a_certificate_renewed_for_730_days_shows_730_days_left(run_cli: RunCli, cc_secrets: Any) -> None:
    assert run_cli("cert", "renew", CC, "--days", "730").code == 0
    assert "(730 days left)" in run_cli("cert", "show", CC).out
