"""The invoker's own Secrets Manager client against moto's server: the calls and answers boto3 would get, the
ClientRequestToken compare-and-set the refresh claim relies on, and every failure read by the shared error
table as botocore's would be. Imported from the container's code (``--invoker-source`` tests a bundle)."""

from __future__ import annotations

import importlib
import json
import socket
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from scv_shared import secrets_manager_errors as sm

from tests.invoker.conftest import FunctionContainer, connect_event

SECRET_NAME = "testcc-api-test"
TIMEOUTS = {"connect_timeout": 1.0, "timeout": 5.0}
SECRET_ACCESS_KEY = "api-test-secret-access-key/EXAMPLE"
SESSION_TOKEN = "api-test-session-token//EXAMPLE=="


@pytest.fixture
def secrets_api(container: FunctionContainer) -> ModuleType:
    """The container's module (imported at its first Secrets Manager call, so not yet by the handler)."""
    return importlib.import_module("scv_invoker.secrets_api")


@pytest.fixture
def api(secrets_api: ModuleType, secrets_server: Any) -> Any:
    return secrets_api.SecretsManagerApi(secrets_server.env())


@pytest.fixture
def secret(secretsmanager_client: Any, secrets_server: Any) -> dict[str, str]:
    """A secret with two versions: {"first": AWSPREVIOUS version id, "second": AWSCURRENT version id}."""
    first = secretsmanager_client.create_secret(Name=SECRET_NAME, SecretString="one")["VersionId"]
    second = secretsmanager_client.put_secret_value(SecretId=SECRET_NAME, SecretString="two")["VersionId"]
    secrets_server.reset_counts()
    return {"first": first, "second": second}


def failure(api: Any, action: str, parameters: dict[str, Any], **timeouts: float) -> Any:
    """The SecretsManagerError ``action`` raised."""
    with pytest.raises(Exception) as raised:
        api.call(action, parameters, **{**TIMEOUTS, **timeouts})
    assert type(raised.value).__name__ == "SecretsManagerError", raised.value
    return raised.value


def test_get_secret_value_reads_by_stage_and_by_version_id(
    api: Any, secret: dict[str, str], secrets_server: Any
) -> None:
    current = api.call("GetSecretValue", {"SecretId": SECRET_NAME}, **TIMEOUTS)
    assert (current["SecretString"], current["VersionId"]) == ("two", secret["second"])
    previous = api.call("GetSecretValue", {"SecretId": SECRET_NAME, "VersionStage": "AWSPREVIOUS"}, **TIMEOUTS)
    assert previous["SecretString"] == "one"
    by_id = api.call("GetSecretValue", {"SecretId": SECRET_NAME, "VersionId": secret["first"]}, **TIMEOUTS)
    assert (by_id["SecretString"], by_id["VersionStages"]) == ("one", ["AWSPREVIOUS"])
    assert secrets_server.count("GetSecretValue", secret_id=SECRET_NAME) == 3


def test_put_secret_value_makes_the_new_current_version(
    api: Any, secret: dict[str, str], secretsmanager_client: Any
) -> None:
    document = json.dumps({"token": "00Dxx!AQ", "note": "システム管理者"}, ensure_ascii=False)
    written = api.call("PutSecretValue", {"SecretId": SECRET_NAME, "SecretString": document}, **TIMEOUTS)
    read = secretsmanager_client.get_secret_value(SecretId=SECRET_NAME)
    assert (read["SecretString"], read["VersionId"]) == (document, written["VersionId"])


def test_a_client_request_token_is_a_compare_and_set(
    api: Any, secret: dict[str, str], secretsmanager_client: Any
) -> None:
    """The refresh claim: the first value under a token wins; the same value again is the same claim; another
    value is refused with ResourceExistsException, which the shared table names EXISTS_CODE."""
    claim = {"SecretId": SECRET_NAME, "ClientRequestToken": "c0ffee00-0000-4000-8000-000000000001"}
    staged = {**claim, "VersionStages": ["SCVCLAIM"]}
    first = api.call("PutSecretValue", {**staged, "SecretString": "container-a"}, **TIMEOUTS)
    again = api.call("PutSecretValue", {**staged, "SecretString": "container-a"}, **TIMEOUTS)
    assert first["VersionId"] == again["VersionId"] == claim["ClientRequestToken"]
    refused = failure(api, "PutSecretValue", {**staged, "SecretString": "container-b"})
    assert sm.error_code(refused) == sm.EXISTS_CODE and sm.http_status(refused) == 400
    assert not sm.is_retryable(refused)
    assert "container-b" not in str(refused)
    held = secretsmanager_client.get_secret_value(SecretId=SECRET_NAME, VersionStage="SCVCLAIM")["SecretString"]
    assert held == "container-a"


def test_a_missing_secret_is_resource_not_found(api: Any) -> None:
    missing = failure(api, "GetSecretValue", {"SecretId": "no-such-secret"})
    assert sm.error_code(missing) == sm.NOT_FOUND_CODE and not sm.is_retryable(missing)
    assert sm.error_message(missing) == "Secrets Manager can't find the specified secret."


INJECTED = {
    "access denied": (400, "AccessDeniedException", False),
    "throttled": (400, "ThrottlingException", True),
    "Secrets Manager's 5xx": (500, "InternalServiceError", True),
    "an unknown 503": (503, "SomethingNew", True),
}


@pytest.mark.parametrize(("status", "code", "retryable"), INJECTED.values(), ids=INJECTED.keys())
def test_an_aws_error_is_read_as_botocores_would_be(
    api: Any, secret: dict[str, str], secrets_server: Any, status: int, code: str, retryable: bool
) -> None:
    secrets_server.fail_next("GetSecretValue", status=status, code=code, message=f"{code} for {SECRET_NAME}")
    error = failure(api, "GetSecretValue", {"SecretId": SECRET_NAME})
    assert (sm.error_code(error), sm.http_status(error), sm.is_retryable(error)) == (code, status, retryable)
    assert sm.error_message(error) == f"{code} for {SECRET_NAME}"
    assert (code in sm.ACCESS_DENIED_CODES) == (code == "AccessDeniedException")


@pytest.fixture
def never_answering() -> Iterator[str]:
    """A port whose connections the kernel accepts and nobody ever reads or answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def refusing() -> str:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_no_answer_in_time_is_a_read_timeout_worth_a_retry(
    secrets_api: ModuleType, secrets_server: Any, never_answering: str
) -> None:
    api = secrets_api.SecretsManagerApi({**secrets_server.env(), "AWS_ENDPOINT_URL_SECRETS_MANAGER": never_answering})
    error = failure(api, "GetSecretValue", {"SecretId": SECRET_NAME}, timeout=0.3)
    assert (sm.error_code(error), sm.http_status(error)) == ("ReadTimeoutError", 0)
    assert sm.error_code(error) in sm.TIMEOUT_CODES and sm.is_retryable(error)


def test_a_refused_connection_is_an_endpoint_connection_error(
    secrets_api: ModuleType, secrets_server: Any, refusing: str
) -> None:
    api = secrets_api.SecretsManagerApi({**secrets_server.env(), "AWS_ENDPOINT_URL_SECRETS_MANAGER": refusing})
    error = failure(api, "GetSecretValue", {"SecretId": SECRET_NAME})
    assert sm.error_code(error) == "EndpointConnectionError" and sm.is_retryable(error)


@pytest.mark.parametrize("missing", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
def test_no_credentials_is_a_credentials_error_and_nothing_is_sent(
    secrets_api: ModuleType, secrets_server: Any, missing: str
) -> None:
    environ = {name: value for name, value in secrets_server.env().items() if name != missing}
    api = secrets_api.SecretsManagerApi(environ)
    error = failure(api, "GetSecretValue", {"SecretId": SECRET_NAME})
    assert sm.error_code(error) == "NoCredentialsError" and sm.error_code(error) in sm.CREDENTIAL_CODES
    assert secrets_server.count() == 0


MOTO, DEAD = "http://127.0.0.1:5000", "http://127.0.0.1:9"
ENDPOINTS = {
    "the service's variable first": ({"AWS_ENDPOINT_URL_SECRETS_MANAGER": MOTO, "AWS_ENDPOINT_URL": DEAD}, MOTO),
    "then the general one": ({"AWS_ENDPOINT_URL": MOTO}, MOTO),
    "both ignored when told": (
        {"AWS_ENDPOINT_URL_SECRETS_MANAGER": MOTO, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
        "https://secretsmanager.ap-northeast-1.amazonaws.com/",
    ),
    "else the region's": ({}, "https://secretsmanager.ap-northeast-1.amazonaws.com/"),
}


@pytest.mark.parametrize(("variables", "expected"), ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_the_endpoint_is_chosen_as_botocore_chooses_it(
    secrets_api: ModuleType, variables: dict[str, str], expected: str
) -> None:
    assert secrets_api.endpoint_url(variables, "ap-northeast-1") == expected
    assert secrets_api.endpoint_url({}, "cn-north-1") == "https://secretsmanager.cn-north-1.amazonaws.com.cn/"


def test_the_environment_variables_reach_the_server(secrets_api: ModuleType, secrets_server: Any, secret: Any) -> None:
    environ = {**secrets_server.env(), "AWS_ENDPOINT_URL": DEAD}
    api = secrets_api.SecretsManagerApi(environ)
    assert api.call("GetSecretValue", {"SecretId": SECRET_NAME}, **TIMEOUTS)["SecretString"] == "two"
    del environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"]
    error = failure(api, "GetSecretValue", {"SecretId": SECRET_NAME})
    assert sm.error_code(error) == "EndpointConnectionError"


def test_a_minting_container_at_debug_logs_no_credentials_or_signature(
    new_container: Any, secrets_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The token's write-back and the claim are signed calls: none of their secrets reaches a log line."""
    container = new_container(
        LOG_LEVEL="DEBUG", AWS_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY, AWS_SESSION_TOKEN=SESSION_TOKEN
    )
    container.ok(connect_event("queryRecord", soql="SELECT Id FROM Account"))
    assert secrets_server.count("PutSecretValue") >= 1
    output = "".join(capsys.readouterr())
    assert "http attempt" in output  # DEBUG lines were written
    for secret in (SECRET_ACCESS_KEY, SESSION_TOKEN, "Signature=", "AWS4-HMAC-SHA256"):
        assert secret not in output
