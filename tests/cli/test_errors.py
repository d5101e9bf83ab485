"""Bad input ends in one clear message and a non-zero status, never a traceback, and writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import CC, OTHER_CC, RunCli, Secrets

NO_CREDENTIALS = "no AWS credentials: set AWS_PROFILE (or --profile) or run aws configure / aws sso login"

EVERY_COMMAND = [
    ["cert", "show"],
    ["cert", "export", "--out", "-"],
    ["cert", "renew"],
    ["key", "rotate"],
    ["key", "rotate", "--now"],
    ["key", "activate"],
    ["key", "discard"],
    ["consumer-key", "set"],
    ["subject", "set", "{cc}", "user@example.com"],
    ["audience", "set", "--sandbox"],
    ["token", "reset"],
    ["check"],
    ["salesforce-metadata", "--out", "{tmp}/sf"],
]


def _argv(template: list[str], cc: str, tmp_path: Path) -> list[str]:
    argv = [part.format(cc=cc, tmp=tmp_path) for part in template]
    if "{cc}" not in template:
        argv.insert(2 if argv[0] not in ("check", "salesforce-metadata") else 1, cc)
    return argv


def _assert_clean_failure(result: Any, message: str, *, quiet: bool = True) -> None:
    assert result.code == 1, result.output
    assert result.out == "" or not quiet
    assert result.err.startswith("scvctl: error: ")
    assert message in result.err
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1  # one line


@pytest.mark.parametrize("template", EVERY_COMMAND, ids=lambda argv: " ".join(argv[:2]))
def test_unknown_contact_center_lists_the_known_ones(
    run_cli: RunCli, tmp_path: Path, template: list[str], secrets_server: Any
) -> None:
    result = run_cli(*_argv(template, "nosuchcc", tmp_path), stdin="3MVG9-value-0123456789")

    assert result.code == 1
    assert f"known: {CC}, {OTHER_CC}" in result.err
    assert "Traceback" not in result.err
    assert secrets_server.count() == 0  # AWS is not even called


@pytest.mark.parametrize("template", EVERY_COMMAND, ids=lambda argv: " ".join(argv[:2]))
def test_missing_secret(run_cli: RunCli, tmp_path: Path, template: list[str]) -> None:
    result = run_cli(*_argv(template, CC, tmp_path), stdin="3MVG9-value-0123456789")

    if template == ["check"]:  # Lambda (moto's, here) is asked for a function that was never deployed
        _assert_clean_failure(result, f"function {CC}-InvokeSalesforceRestApiFunction not found: deploy", quiet=False)
        return
    _assert_clean_failure(result, "does not exist")


@pytest.mark.parametrize("template", EVERY_COMMAND, ids=lambda argv: " ".join(argv[:2]))
def test_no_aws_credentials(
    run_cli: RunCli, tmp_path: Path, template: list[str], monkeypatch: pytest.MonkeyPatch, secrets_server: Any
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

    result = run_cli(*_argv(template, CC, tmp_path), stdin="3MVG9-value-0123456789")

    _assert_clean_failure(result, NO_CREDENTIALS)
    assert secrets_server.count() == 0


def test_unknown_aws_profile(run_cli: RunCli, cc_secrets: Any) -> None:
    result = run_cli("cert", "show", CC, "--profile", "nosuchprofile")

    _assert_clean_failure(result, "AWS profile 'nosuchprofile' (from --profile) not found")


@pytest.mark.parametrize("variable", ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
def test_an_unknown_aws_profile_from_the_environment_is_named(
    run_cli: RunCli, cc_secrets: Any, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "prod")

    _assert_clean_failure(run_cli("cert", "show", CC), f"AWS profile 'prod' (from {variable}) not found")
    preflight = run_cli("preflight", CC)
    assert preflight.code == 2  # the account could not be read
    assert f"AWS profile 'prod' (from {variable}) not found" in preflight.err


def test_no_region(run_cli: RunCli, cc_secrets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    _assert_clean_failure(run_cli("cert", "show", CC), "no AWS region")
    assert run_cli("cert", "show", CC, "--region", "us-east-1").code == 0  # the option after the name works


def test_secret_without_a_value(run_cli: RunCli, secretsmanager_client: Any) -> None:
    secretsmanager_client.create_secret(Name=f"{CC}-salesforce-secret")
    secretsmanager_client.create_secret(Name=f"{CC}-salesforce-access-secret")

    result = run_cli("cert", "show", CC)

    _assert_clean_failure(result, f"secret {CC}-salesforce-secret has no value yet")
    assert "scvctl key import" in result.err


def test_secret_that_is_not_json(run_cli: RunCli, secretsmanager_client: Any) -> None:
    secretsmanager_client.create_secret(Name=f"{CC}-salesforce-secret", SecretString="-----BEGIN PRIVATE KEY-----")
    secretsmanager_client.create_secret(Name=f"{CC}-salesforce-access-secret", SecretString="{}")

    result = run_cli("cert", "show", CC)

    _assert_clean_failure(result, "is not valid JSON")
    assert "PRIVATE KEY" not in result.err


def test_access_denied_is_named(run_cli: RunCli, cc_secrets: Any, secrets_server: Any) -> None:
    secrets_server.fail_next("GetSecretValue", status=400, code="AccessDeniedException", message="denied")

    result = run_cli("cert", "show", CC)

    _assert_clean_failure(result, "AccessDeniedException")


def test_expired_credentials_say_so(run_cli: RunCli, cc_secrets: Any, secrets_server: Any) -> None:
    secrets_server.fail_next("GetSecretValue", status=400, code="ExpiredTokenException", message="expired")

    result = run_cli("cert", "show", CC)

    _assert_clean_failure(result, "aws sso login")


def test_invalid_config_file(run_cli: RunCli, config_file: Path) -> None:
    config_file.write_text("contact_centers:\n  - name: 1bad\n")

    result = run_cli("cert", "show", CC)

    assert result.code == 1
    assert str(config_file) in result.err
    assert "Traceback" not in result.err


def test_missing_config_file(run_cli: RunCli, tmp_path: Path) -> None:
    from scvctl.main import main

    result_code = main(["--config", str(tmp_path / "none.yaml"), "cert", "show", CC])

    assert result_code == 1


def test_usage_errors_exit_2(run_cli: RunCli) -> None:
    assert run_cli("cert").code == 2
    assert run_cli("cert", "show").code == 2
    assert run_cli("nosuch").code == 2
    assert run_cli("cert", "show", CC, "--bogus").code == 2
    assert run_cli("--help").code == 0


def test_nothing_is_written_when_a_command_fails(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, secrets_server: Any
) -> None:
    """A Secrets Manager failure on the first write leaves both secrets as they were."""
    before, token = secrets.current(), secrets.token()
    secrets_server.fail_next("PutSecretValue", times=10, status=400, code="InvalidRequestException", message="no")

    result = run_cli("subject", "set", CC, "someone@example.com")

    _assert_clean_failure(result, "InvalidRequestException")
    assert secrets.current() == before
    assert secrets.token() == token
