"""moto's Secrets Manager counts calls from any process; the fake extension authenticates, caches and forwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError, EndpointConnectionError
from scv_shared.secret_format import SecretKeys, missing_keys

from tests.emulators.fixtures import make_contact_center_secrets
from tools.emulators.credentials import KeyPair
from tools.emulators.secrets import TOKEN_HEADER, FakeSecretsExtension, MotoSecretsServer

SECRET = "acme-salesforce-secret"


def read(extension: FakeSecretsExtension, token: str | None = None, **params: str) -> requests.Response:
    """GET /secretsmanager/get as a function does, with its session token unless another is given."""
    headers = {TOKEN_HEADER: extension.session_token if token is None else token}
    url = f"http://127.0.0.1:{extension.port}/secretsmanager/get"
    return requests.get(url, params={"secretId": SECRET, **params}, headers=headers, timeout=5)


def test_calls_are_counted_by_action_and_secret(secrets_server: MotoSecretsServer, secretsmanager_client: Any) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="v1")
    secretsmanager_client.create_secret(Name="other", SecretString="v")
    secretsmanager_client.get_secret_value(SecretId=SECRET)
    secretsmanager_client.batch_get_secret_value(SecretIdList=[SECRET, "other"])

    assert secrets_server.count() == 4
    assert secrets_server.count("CreateSecret") == 2
    assert secrets_server.count("secretsmanager.GetSecretValue", secret_id=SECRET) == 1
    assert secrets_server.count("BatchGetSecretValue", secret_id="other") == 1
    assert {call.status for call in secrets_server.calls()} == {200}

    secrets_server.reset_counts()
    assert secrets_server.calls() == []


def test_calls_from_another_process_are_counted(secrets_server: MotoSecretsServer, secretsmanager_client: Any) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="from-moto")
    script = (
        f"import boto3; print(boto3.client('secretsmanager').get_secret_value(SecretId={SECRET!r})['SecretString'])"
    )
    env = {"PATH": os.environ.get("PATH", ""), **secrets_server.env()}

    output = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)

    assert output.stdout.strip() == "from-moto"
    assert secrets_server.count("GetSecretValue") == 1


def test_injected_failures_answer_the_next_calls(secrets_server: MotoSecretsServer, secretsmanager_client: Any) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="v1")
    client = secrets_server.client(retries={"total_max_attempts": 1})
    secrets_server.fail_next("GetSecretValue", 2)

    for _ in range(2):
        with pytest.raises(ClientError) as raised:
            client.get_secret_value(SecretId=SECRET)
        assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert client.get_secret_value(SecretId=SECRET)["SecretString"] == "v1"
    assert [call.injected for call in secrets_server.calls() if call.action == "GetSecretValue"] == [True, True, False]


def test_reset_backend_deletes_every_secret(secrets_server: MotoSecretsServer, secretsmanager_client: Any) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="v1")

    secrets_server.reset_backend()

    assert secretsmanager_client.list_secrets()["SecretList"] == []


def test_a_stopped_server_is_unreachable_until_started_again(
    secrets_server: MotoSecretsServer, secretsmanager_client: Any
) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="kept")
    client = secrets_server.client(retries={"total_max_attempts": 1}, connect_timeout=1)

    secrets_server.stop()
    with pytest.raises(EndpointConnectionError):
        client.get_secret_value(SecretId=SECRET)
    secrets_server.start()

    assert client.get_secret_value(SecretId=SECRET)["SecretString"] == "kept"


def test_the_extension_requires_the_session_token(secrets_extension: FakeSecretsExtension) -> None:
    assert read(secrets_extension, token="").status_code == 401
    assert read(secrets_extension, token="someone-else").status_code == 401
    assert secrets_extension.env() == {
        "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(secrets_extension.port),
        "AWS_SESSION_TOKEN": secrets_extension.session_token,
    }


def test_the_extension_answers_get_secret_value_and_caches_it(
    secrets_extension: FakeSecretsExtension, secrets_server: MotoSecretsServer, secretsmanager_client: Any
) -> None:
    created = secretsmanager_client.create_secret(Name=SECRET, SecretString="v1")

    first = read(secrets_extension)
    secretsmanager_client.put_secret_value(SecretId=SECRET, SecretString="v2")
    second = read(secrets_extension)

    body = first.json()
    assert first.status_code == 200 and second.json() == body
    assert (body["ARN"], body["Name"], body["SecretString"]) == (created["ARN"], SECRET, "v1")
    assert body["VersionId"] == created["VersionId"] and body["VersionStages"] == ["AWSCURRENT"]
    assert body["CreatedDate"].endswith("Z")
    assert secrets_server.count("GetSecretValue") == 1
    assert [call.cache_hit for call in secrets_extension.calls()] == [False, True]


def test_the_extension_cache_expires_after_its_ttl(
    secrets_extension: FakeSecretsExtension, secrets_server: MotoSecretsServer, secretsmanager_client: Any
) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="v1")
    secrets_extension.ttl_seconds = 0.2

    read(secrets_extension)
    secretsmanager_client.put_secret_value(SecretId=SECRET, SecretString="v2")
    time.sleep(0.25)

    assert read(secrets_extension).json()["SecretString"] == "v2"
    assert secrets_server.count("GetSecretValue") == 2


def test_a_zero_ttl_disables_the_cache(
    secrets_extension: FakeSecretsExtension, secrets_server: MotoSecretsServer, secretsmanager_client: Any
) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="v1")
    secrets_extension.ttl_seconds = 0

    read(secrets_extension)
    read(secrets_extension)

    assert secrets_server.count("GetSecretValue") == 2


def test_the_extension_reads_version_stages_and_passes_errors_through(
    secrets_extension: FakeSecretsExtension, secrets_server: MotoSecretsServer, secretsmanager_client: Any
) -> None:
    secretsmanager_client.create_secret(Name=SECRET, SecretString="current")
    secretsmanager_client.put_secret_value(SecretId=SECRET, SecretString="pending", VersionStages=["AWSPENDING"])
    secrets_server.fail_next("GetSecretValue")

    throttled = read(secrets_extension)
    pending = read(secrets_extension, versionStage="AWSPENDING")
    missing = read(secrets_extension, secretId="no-such-secret")

    assert (throttled.status_code, throttled.text) == (400, "ThrottlingException: Rate exceeded")
    assert (pending.json()["SecretString"], pending.json()["VersionStages"]) == ("pending", ["AWSPENDING"])
    assert missing.status_code in (400, 404) and "ResourceNotFoundException" in missing.text


def test_the_extension_answers_500_when_secrets_manager_is_unreachable(
    secrets_extension: FakeSecretsExtension, secrets_server: MotoSecretsServer
) -> None:
    secrets_server.stop()

    assert read(secrets_extension).status_code == 500


def test_contact_center_secrets_follow_the_documented_format(secretsmanager_client: Any, rsa_key_pair: KeyPair) -> None:
    keys = SecretKeys.for_contact_center("acme")

    created = make_contact_center_secrets(
        secretsmanager_client,
        "acme",
        rsa_key_pair.private_key_pem,
        "KEY",
        "user@example.com",
        "https://login.salesforce.com/",
    )

    main = json.loads(secretsmanager_client.get_secret_value(SecretId=created.main_secret_arn)["SecretString"])
    access = json.loads(secretsmanager_client.get_secret_value(SecretId=created.access_secret_arn)["SecretString"])
    assert missing_keys(main, keys.required_main_keys) == []
    assert main[keys.private_key].startswith("-----BEGIN PRIVATE KEY-----") and keys.certificate not in main
    assert access == {keys.access_token: ""}
    assert created.env()["SALESFORCE_SECRET_ID"].endswith(
        ":secret:acme-salesforce-secret-" + created.main_secret_arn[-6:]
    )


def test_contact_center_secrets_unpack_as_arns_and_can_carry_a_certificate_and_token(
    secretsmanager_client: Any, test_key_pair: KeyPair
) -> None:
    keys = SecretKeys.for_contact_center("beta")

    main_arn, access_arn = make_contact_center_secrets(
        secretsmanager_client,
        "beta",
        private_key_pem=test_key_pair.private_key_pem,
        consumer_key="KEY",
        subject="user@example.com",
        audience="https://test.salesforce.com/",
        access_token="00D!cached",
        certificate_pem=test_key_pair.certificate_pem,
    )

    main = json.loads(secretsmanager_client.get_secret_value(SecretId=main_arn)["SecretString"])
    access = json.loads(secretsmanager_client.get_secret_value(SecretId=access_arn)["SecretString"])
    assert main[keys.certificate] == test_key_pair.certificate_pem
    assert access == {keys.access_token: "00D!cached"}
