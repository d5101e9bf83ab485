"""scv_certificate_check.handler: the daily check publishes CertificateDaysLeft as an EMF line for the expiry alarm."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest
from scv_certificate_check import handler
from scv_seeder import credentials
from scv_shared.secret_format import certificate_parameter_name

from tests.seeder.conftest import CC, Stack


def test_days_left_is_published_as_an_emf_metric(stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    stack.create(CertificateValidityDays="45")
    monkeypatch.setenv("CONTACT_CENTER_NAME", CC)
    monkeypatch.setenv("CERTIFICATE_PARAMETER_NAME", certificate_parameter_name(CC))
    result = handler.lambda_handler({}, None)
    assert result["certificateDaysLeft"] in (44, 45)
    (line,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ServiceCloudVoice/SalesforceRestApi"
    assert directive["Dimensions"] == [["ContactCenter"]]
    assert directive["Metrics"] == [{"Name": "CertificateDaysLeft", "Unit": "Count"}]
    assert line["ContactCenter"] == CC and line["CertificateDaysLeft"] == result["certificateDaysLeft"]


def test_an_expired_certificate_counts_negative_days() -> None:
    from datetime import datetime, timedelta

    pem = credentials.issue_certificate(credentials.generate_private_key(), "x", 1)
    assert handler.days_left(pem, datetime.now(UTC) + timedelta(days=3)) < 0


def test_the_check_reads_the_published_certificate_and_never_a_secret(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, aws_env: Any, capsys: Any
) -> None:
    """Its role has no right on the secret holding the key: Secrets Manager is never called."""
    stack.create(CertificateValidityDays="45")
    monkeypatch.setenv("CONTACT_CENTER_NAME", CC)
    monkeypatch.setenv("CERTIFICATE_PARAMETER_NAME", certificate_parameter_name(CC))
    aws_env.reset_counts()
    assert handler.lambda_handler({}, None)["certificateDaysLeft"] in (44, 45)
    assert aws_env.count("secretsmanager.GetSecretValue") == 0


def test_no_published_certificate_publishes_no_figure(
    monkeypatch: pytest.MonkeyPatch, aws_env: Any, capsys: Any
) -> None:
    monkeypatch.setenv("CONTACT_CENTER_NAME", "never-deployed")
    monkeypatch.setenv("CERTIFICATE_PARAMETER_NAME", certificate_parameter_name("never-deployed"))
    assert handler.lambda_handler({}, None)["certificateDaysLeft"] is None
    # one JSON line in the invoker's and the seeder's shape, saying what to do; no metric line
    (line,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert line["level"] == "WARNING" and line["service"] == "SalesforceCertificateCheck"
    assert "scvctl cert renew" in line["message"] and "_aws" not in line
