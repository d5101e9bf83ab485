"""``scvctl ... --org ORG``: every command acts on a further org's own secrets, never on the contact center's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scv_seeder import credentials

from tests.cli.conftest import CC, KEYS, LocalInvoker, RunCli
from tests.emulators.fixtures import ContactCenterSecrets, make_contact_center_secrets

ORG = "dr"
ORG_CONSUMER_KEY = "3MVG9cli-dr-consumer-key-0123456789abcdefABCDEF"


@pytest.fixture
def dr_secrets(secretsmanager_client: Any, other_rsa_key_pair: Any, cc_secrets: Any) -> ContactCenterSecrets:
    return make_contact_center_secrets(
        secretsmanager_client, CC, other_rsa_key_pair.private_key_pem, ORG_CONSUMER_KEY, "dr@example.com",
        "https://login.salesforce.com/", access_token="00Ddr!token", certificate_pem=other_rsa_key_pair.certificate_pem,
        org=ORG,
    )  # fmt: skip


def document(client: Any, secret_id: str) -> dict[str, str]:
    return json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])


def test_cert_show_reads_the_orgs_own_certificate(run_cli: RunCli, dr_secrets: Any, other_rsa_key_pair: Any) -> None:
    result = run_cli("cert", "show", CC, "--org", ORG)
    assert result.code == 0, result.err
    assert credentials.certificate_info(other_rsa_key_pair.certificate_pem).fingerprint_sha256 in result.out
    assert f"{CC}-{ORG}-salesforce-secret" in result.out


def test_consumer_key_set_writes_only_the_orgs_secret(
    run_cli: RunCli, dr_secrets: Any, cc_secrets: Any, secretsmanager_client: Any
) -> None:
    new_key = "3MVG9cli-new-dr-consumer-key-abcdefABCDEF0123456789"
    own_before = document(secretsmanager_client, cc_secrets.main_secret_arn)
    result = run_cli("consumer-key", "set", CC, "--org", ORG, stdin=new_key + "\n")
    assert result.code == 0, result.err
    assert document(secretsmanager_client, dr_secrets.main_secret_arn)[KEYS.consumer_key] == new_key
    assert document(secretsmanager_client, cc_secrets.main_secret_arn) == own_before


def test_an_undeclared_org_is_refused_with_the_declared_ones(run_cli: RunCli, cc_secrets: Any) -> None:
    result = run_cli("cert", "show", CC, "--org", "nope")
    assert result.code == 1
    assert "declares no org named 'nope' (its orgs: dr)" in result.err


def test_check_calls_the_function_with_the_orgs_secret_names(
    run_cli: RunCli, local_invoker: LocalInvoker, dr_secrets: Any
) -> None:
    run_cli("check", CC, "--org", ORG, invoker=local_invoker)
    [(_, event, _)] = local_invoker.calls
    parameters = event["Details"]["Parameters"]
    assert parameters["secretName"] == f"{CC}-{ORG}-salesforce-secret"
    assert parameters["accessTokenSecretName"] == f"{CC}-{ORG}-salesforce-access-secret"
    assert parameters["methodName"] == "queryRecord"
