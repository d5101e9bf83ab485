"""Seeder tests: the handler from lambda_src (tests/e2e run the same code from the bundle in cdk.out)
against moto's server over HTTP, with the two secrets created empty as CloudFormation creates them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
if str(LAMBDA_SRC) not in sys.path:
    sys.path.insert(0, str(LAMBDA_SRC))

from seeder import handler  # noqa: E402
from seeder.store import SecretStore  # noqa: E402

CC = "seedcc"


def properties(main_arn: str, access_arn: str, **overrides: str) -> dict[str, str]:
    return {
        "ServiceToken": "provider",
        "ContactCenter": CC,
        "MainSecretId": main_arn,
        "AccessSecretId": access_arn,
        "Subject": "integration@example.com",
        "Audience": "https://login.salesforce.com/",
        "ConsumerKey": "",
        "CertificateCommonName": "seedcc Salesforce JWT",
        "CertificateValidityDays": "365",
        "KeyRotation": "0",
        "CertificateRenewal": "0",
        "ActivatePendingKey": "false",
        "AdoptExisting": "false",
        "SettingsVersion": "v68.0",
        **overrides,
    }


class Stack:
    """The custom resource's lifecycle as CloudFormation drives it: Create, then Updates with old properties."""

    def __init__(self, client: Any, main_arn: str, access_arn: str) -> None:
        self.client = client
        self.main_arn = main_arn
        self.access_arn = access_arn
        self.current: dict[str, str] | None = None

    def create(self, **overrides: str) -> dict[str, Any]:
        self.current = properties(self.main_arn, self.access_arn, **overrides)
        return handler.on_event({"RequestType": "Create", "ResourceProperties": self.current}, None)

    def update(self, **overrides: str) -> dict[str, Any]:
        assert self.current is not None
        new = {**self.current, **overrides}
        event = {
            "RequestType": "Update",
            "PhysicalResourceId": f"{CC}-salesforce-secret-seed",
            "ResourceProperties": new,
            "OldResourceProperties": self.current,
        }
        result = handler.on_event(event, None)
        self.current = new
        return result

    def replay(self, event_type: str, old: dict[str, str], new: dict[str, str]) -> dict[str, Any]:
        event = {"RequestType": event_type, "ResourceProperties": new, "OldResourceProperties": old}
        return handler.on_event(event, None)

    @property
    def store(self) -> SecretStore:
        return SecretStore(self.client, CC, self.main_arn, self.access_arn)


@pytest.fixture
def stack(secrets_server: Any, secretsmanager_client: Any, monkeypatch: pytest.MonkeyPatch) -> Stack:
    for name, value in secrets_server.env().items():
        monkeypatch.setenv(name, value)
    main = secretsmanager_client.create_secret(Name=f"{CC}-salesforce-secret")["ARN"]
    access = secretsmanager_client.create_secret(Name=f"{CC}-salesforce-access-secret")["ARN"]
    return Stack(secretsmanager_client, main, access)
