"""Seeder tests: the seeder's code against moto's Secrets Manager server over HTTP, with the two secrets
created EMPTY as CloudFormation creates them (or filled by hand, as the setup guide has people do).

The code under test is imported through the ``seeder`` fixture from ``seeder_source_dir``: lambda_src by
default; point ``SEEDER_SOURCE_DIR`` at a bundle (``cdk.out/asset.<hash>``), or override the
``seeder_source_dir`` fixture, to run the same tests against what ships.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
if str(LAMBDA_SRC) not in sys.path:
    sys.path.insert(0, str(LAMBDA_SRC))

from scv_shared.secret_format import SecretKeys  # noqa: E402

CC = "seedcc"
KEYS = SecretKeys.for_contact_center(CC)
PHYSICAL_ID = f"{CC}-salesforce-secret-seed"
_PACKAGES = ("scv_seeder", "scv_shared")


@dataclass(frozen=True)
class SeederCode:
    """The seeder's modules as imported from one source directory."""

    source_dir: Path
    handler: ModuleType
    store: ModuleType
    credentials: ModuleType


def import_seeder(source_dir: Path) -> SeederCode:
    """Import ``seeder.*`` from ``source_dir`` without disturbing the copies other tests (scvctl) use."""
    if source_dir.resolve() == LAMBDA_SRC.resolve():
        modules = [importlib.import_module(f"seeder.{name}") for name in ("handler", "store", "credentials")]
        return SeederCode(source_dir, *modules)
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] in _PACKAGES}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(source_dir))
    try:
        modules = [importlib.import_module(f"seeder.{name}") for name in ("handler", "store", "credentials")]
    finally:
        sys.path.remove(str(source_dir))
        for name in [name for name in sys.modules if name.split(".")[0] in _PACKAGES]:
            del sys.modules[name]
        sys.modules.update(saved)
    assert Path(modules[0].__file__ or "").resolve().is_relative_to(source_dir.resolve()), modules[0].__file__
    return SeederCode(source_dir, *modules)


@pytest.fixture(scope="session")
def seeder_source_dir() -> Path:
    """Where the seeder's code comes from (a directory holding ``seeder/`` and ``shared/``)."""
    return Path(os.environ.get("SEEDER_SOURCE_DIR") or LAMBDA_SRC)


@pytest.fixture(scope="session")
def seeder(seeder_source_dir: Path) -> SeederCode:
    return import_seeder(seeder_source_dir)


def properties(main_arn: str, access_arn: str, **overrides: str) -> dict[str, str]:
    """The custom resource's properties as infra/seeder.py sends them (every value a string)."""
    return {
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider-framework-onEvent",
        "ContactCenter": CC,
        "MainSecretId": main_arn,
        "AccessSecretId": access_arn,
        "Subject": "integration@example.com",
        "Audience": "https://login.salesforce.com/",
        "CertificateCommonName": "seedcc Salesforce JWT",
        "CertificateValidityDays": "365",
        "KeyRotation": "0",
        "CertificateRenewal": "0",
        "ActivatePendingKey": "false",
        "AdoptExisting": "false",
        "SettingsVersion": "https://acme.my.salesforce.com/services/data/v68.0|https://acme.my.salesforce.com/services/oauth2/token",
        "CertificateParameter": f"/{CC}/salesforce/certificate",
        **overrides,
    }


class Stack:
    """The custom resource's lifecycle as CloudFormation drives it: Create, then Updates with old properties."""

    def __init__(self, seeder: SeederCode, client: Any, main_arn: str, access_arn: str) -> None:
        self.seeder = seeder
        self.client = client
        self.main_arn = main_arn
        self.access_arn = access_arn
        self.current: dict[str, str] | None = None
        self.events: list[dict[str, Any]] = []

    def send(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return self.seeder.handler.on_event(event, None)

    def create(self, **overrides: str) -> dict[str, Any]:
        self.current = properties(self.main_arn, self.access_arn, **overrides)
        return self.send(
            {"RequestType": "Create", "RequestId": f"req-{len(self.events)}", "ResourceProperties": self.current}
        )

    def update(self, **overrides: str) -> dict[str, Any]:
        assert self.current is not None
        new = {**self.current, **overrides}
        result = self.send(
            {
                "RequestType": "Update",
                "RequestId": f"req-{len(self.events)}",
                "PhysicalResourceId": PHYSICAL_ID,
                "ResourceProperties": new,
                "OldResourceProperties": self.current,
            }
        )
        self.current = new
        return result

    def replay_last(self) -> dict[str, Any]:
        """The last event once more (a retried invocation)."""
        return self.send(json.loads(json.dumps(self.events[-1])))

    def delete(self) -> dict[str, Any]:
        return self.send(
            {"RequestType": "Delete", "PhysicalResourceId": PHYSICAL_ID, "ResourceProperties": self.current or {}}
        )

    @property
    def store(self) -> Any:
        return self.seeder.store.SecretStore(self.client, CC, self.main_arn, self.access_arn)

    # -- what Secrets Manager holds ------------------------------------------------------------------

    def main_document(self, stage: str = "AWSCURRENT") -> dict[str, str]:
        return json.loads(self.client.get_secret_value(SecretId=self.main_arn, VersionStage=stage)["SecretString"])

    def has_pending(self) -> bool:
        stages = self.client.describe_secret(SecretId=self.main_arn).get("VersionIdsToStages", {})
        return any("AWSPENDING" in labels for labels in stages.values())

    def current_version(self) -> str:
        return self.client.get_secret_value(SecretId=self.main_arn)["VersionId"]

    def token(self) -> str:
        return json.loads(self.client.get_secret_value(SecretId=self.access_arn)["SecretString"])[KEYS.access_token]

    def set_token(self, value: str) -> None:
        self.client.put_secret_value(SecretId=self.access_arn, SecretString=json.dumps({KEYS.access_token: value}))


@pytest.fixture
def aws_env(secrets_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The handler's boto3 talks to moto (as the Lambda's would to Secrets Manager)."""
    for name, value in secrets_server.env().items():
        monkeypatch.setenv(name, value)
    return secrets_server


@pytest.fixture
def stack(seeder: SeederCode, aws_env: Any, secretsmanager_client: Any) -> Stack:
    """Both secrets created with no value, as the stack's AWS::SecretsManager::Secret resources are."""
    main = secretsmanager_client.create_secret(Name=f"{CC}-salesforce-secret")["ARN"]
    access = secretsmanager_client.create_secret(Name=f"{CC}-salesforce-access-secret")["ARN"]
    return Stack(seeder, secretsmanager_client, main, access)


@pytest.fixture
def hand_made(seeder: SeederCode, aws_env: Any, secretsmanager_client: Any, test_key_pair: Any) -> Stack:
    """Secrets made by hand per the setup guide (the four JSON keys, no certificate), a token cached."""
    from tests.emulators.fixtures import make_contact_center_secrets

    secrets = make_contact_center_secrets(
        secretsmanager_client,
        CC,
        private_key_pem=test_key_pair.private_key_pem,
        consumer_key="3MVG9-by-hand",
        subject="admin@example.com",
        audience="https://test.salesforce.com/",
        access_token="00D!by-hand",
    )
    return Stack(seeder, secretsmanager_client, secrets.main_secret_arn, secrets.access_secret_arn)
