"""The shipped seeder bundle over secrets Service Cloud Voice made (modes beside and companion adopt them).

SCV's main secret holds more JSON keys than the setup guide's four, and SCV's other functions read them. No
seeder path may lose or change one: Create (adoption), Update, key rotation, activation, certificate renewal
and Delete all run here through the bundle from cdk.out, in Lambda's Python, against moto.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from scv_shared.secret_format import PRODUCTION_AUDIENCE, SANDBOX_AUDIENCE, SecretKeys

from tests.e2e.scv_made import scv_document
from tools.emulators.credentials import generate_key_pair
from tools.harness.deployment import LocalDeployment

pytestmark = pytest.mark.e2e


@pytest.fixture
def scv_secrets(deployment: LocalDeployment) -> tuple[dict[str, str], dict[str, Any]]:
    """SCV's pair next to the example's, and the seed properties of a companion stack adopting it (the config
    states sandbox: true, SCV stored the production audience)."""
    client = deployment.secrets_server.client()
    contact_center = deployment.contact_center
    keys = SecretKeys.for_contact_center(contact_center)
    document = scv_document(contact_center, generate_key_pair().private_key_pem)
    main = client.create_secret(Name="scv-made-salesforce-secret", SecretString=json.dumps(document))["ARN"]
    access = client.create_secret(
        Name="scv-made-salesforce-access-secret", SecretString=json.dumps({keys.access_token: "00D!scv-token"})
    )["ARN"]
    properties = {
        **deployment.seed_properties,
        "MainSecretId": main,
        "AccessSecretId": access,
        "AdoptExisting": "true",
        "Audience": SANDBOX_AUDIENCE,
        "ExplicitSettings": "Subject,Audience",
        "CertificateParameter": "",
    }
    return properties, document


def _current(deployment: LocalDeployment, secret_id: str, stage: str = "AWSCURRENT") -> dict[str, Any]:
    response = deployment.secrets_server.client().get_secret_value(SecretId=secret_id, VersionStage=stage)
    return json.loads(response["SecretString"])


def _foreign(document: dict[str, Any], contact_center: str) -> dict[str, Any]:
    owned = set(SecretKeys.for_contact_center(contact_center)._asdict().values())
    return {key: value for key, value in document.items() if key not in owned}


def test_adopting_keeps_scvs_key_and_keys_and_replaces_the_stated_audience(
    deployment: LocalDeployment, scv_secrets: tuple[dict[str, str], dict[str, Any]]
) -> None:
    properties, scv = scv_secrets
    keys = SecretKeys.for_contact_center(deployment.contact_center)
    created = deployment.run_seeder("Create", properties)
    assert created.ok, created.error
    stored = _current(deployment, properties["MainSecretId"])
    assert _foreign(stored, deployment.contact_center) == _foreign(scv, deployment.contact_center)
    assert stored[keys.private_key] == scv[keys.private_key]  # SCV's key stays: no rotation was asked for
    assert stored[keys.consumer_key] == scv[keys.consumer_key]
    assert stored[keys.audience] == SANDBOX_AUDIENCE  # stated in the config: wins over the adopted one
    assert stored[keys.subject] == properties["Subject"]
    replaced = created.payload["Data"]["ReplacedSettings"]
    assert f"Audience {PRODUCTION_AUDIENCE} -> {SANDBOX_AUDIENCE}" in replaced and "Subject" in replaced
    logs = "\n".join(created.logs)
    assert "scv.integration@example.com" not in replaced + logs  # a username is not logged
    assert _current(deployment, properties["AccessSecretId"])[keys.access_token] == ""  # token reset
    assert "replaced-adopted-settings" in logs


def test_a_default_audience_never_overwrites_the_adopted_one(
    deployment: LocalDeployment, scv_secrets: tuple[dict[str, str], dict[str, Any]]
) -> None:
    properties, scv = scv_secrets
    keys = SecretKeys.for_contact_center(deployment.contact_center)
    stated_subject_only = {**properties, "Audience": SANDBOX_AUDIENCE, "ExplicitSettings": "Subject"}
    created = deployment.run_seeder("Create", stated_subject_only)
    assert created.ok, created.error
    assert _current(deployment, properties["MainSecretId"])[keys.audience] == scv[keys.audience]
    assert "Audience" not in created.payload["Data"]["ReplacedSettings"]


def test_no_seeder_path_loses_a_key_scv_wrote(
    deployment: LocalDeployment, scv_secrets: tuple[dict[str, str], dict[str, Any]]
) -> None:
    """Create, Update, rotation staged, activation, renewal, a rollback of a rotation and Delete."""
    properties, scv = scv_secrets
    contact_center, main = deployment.contact_center, properties["MainSecretId"]
    expected = _foreign(scv, contact_center)
    steps = [
        ("Create", {}),
        ("Update", {"Subject": "new.integration@example.com"}),
        ("Update", {"KeyRotation": "1"}),
        ("Update", {"ActivatePendingKey": "true"}),
        ("Update", {"CertificateRenewal": "1"}),
        ("Update", {"KeyRotation": "2"}),
        ("Update", {"KeyRotation": "1"}),  # CloudFormation rolling that rotation back
        ("Delete", {}),
    ]
    current = dict(properties)
    for number, (request_type, change) in enumerate(steps):
        new = {**current, **change}
        result = deployment.run_seeder(request_type, new, None if request_type == "Create" else current)
        assert result.ok, f"step {number} {request_type} {change}: {result.error}"
        assert _foreign(_current(deployment, main), contact_center) == expected, f"step {number} {change}"
        if change.get("KeyRotation") == "1" and number == 2:
            assert _foreign(_current(deployment, main, "AWSPENDING"), contact_center) == expected
        current = new
