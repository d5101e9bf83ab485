"""Reading secrets through the Parameters and Secrets extension, and what happens when it is not there."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.invoker.conftest import connect_event, store_access_token

QUERY = connect_event("queryRecord", soql="SELECT Id FROM Account")


@pytest.fixture
def with_extension(new_container: Any, secrets_extension: Any) -> Any:
    """A container factory whose containers have the extension layer attached."""

    def start(**env: str | None) -> Any:
        return new_container(**{**secrets_extension.env(), **env})

    return start


def test_cold_with_cached_token_through_the_extension(
    with_extension: Any,
    secrets_extension: Any,
    secrets_server: Any,
    salesforce: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
) -> None:
    store_access_token(secretsmanager_client, cc_secrets, salesforce.issue_token())
    secrets_server.reset_counts()
    container = with_extension()
    container.ok(QUERY)
    assert [call.secret_id for call in secrets_extension.calls()] == [cc_secrets.access_secret_arn]
    assert secrets_server.count() == 1  # the extension's one upstream read
    assert salesforce.token_requests() == []
    secrets_server.reset_counts()
    container.ok(QUERY)
    assert len(secrets_extension.calls()) == 1  # warm: not even the extension
    assert secrets_server.count() == 0


def test_mint_reads_both_secrets_through_the_extension(
    with_extension: Any, secrets_extension: Any, cc_secrets: Any, salesforce: Any
) -> None:
    with_extension().ok(QUERY)
    assert [call.secret_id for call in secrets_extension.calls()] == [
        cc_secrets.access_secret_arn,
        cc_secrets.main_secret_arn,
    ]
    assert salesforce.mint_count == 1


def test_forced_reread_bypasses_the_extension(
    with_extension: Any, secrets_extension: Any, secrets_server: Any, salesforce: Any, cc_secrets: Any
) -> None:
    container = with_extension()
    container.ok(QUERY)
    extension_calls = len(secrets_extension.calls())
    salesforce.revoke_tokens()
    secrets_server.reset_counts()
    container.ok(QUERY)
    # the extension still caches the revoked token: the re-read after the 401 goes to Secrets Manager itself (and
    # so does the look for another container's claim of the refresh)
    assert len(secrets_extension.calls()) == extension_calls
    reads = [call for call in secrets_server.calls() if call.action == "GetSecretValue"]
    assert [call.secret_ids for call in reads] == [(cc_secrets.access_secret_arn,)] * 2
    assert salesforce.mint_count == 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_extension_falls_back_and_logs_once(
    new_container: Any, secrets_server: Any, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    container = new_container(
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=str(free_port()),
        AWS_SESSION_TOKEN="token",
        SECRETS_CACHE_TTL_SECONDS="0",
    )
    container.ok(QUERY)
    container.ok(QUERY)
    assert secrets_server.count("GetSecretValue") >= 3
    warnings = [line for line in capsys.readouterr().out.splitlines() if "secrets extension unusable" in line]
    assert len(warnings) == 1


def test_extension_refusing_the_session_token_falls_back(
    with_extension: Any, secrets_extension: Any, secrets_server: Any, salesforce: Any
) -> None:
    container = with_extension(AWS_SESSION_TOKEN="not-the-functions-token")
    container.ok(QUERY)
    assert {call.status for call in secrets_extension.calls()} == {401}
    assert salesforce.mint_count == 1


def test_extension_sees_a_new_token_after_its_own_ttl(
    with_extension: Any, secrets_extension: Any, salesforce: Any, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    """The invoker's TTL and the extension's cache together bound how stale a token can be."""
    secrets_extension.ttl_seconds = 0
    container = with_extension(SECRETS_CACHE_TTL_SECONDS="0")
    container.ok(QUERY)
    fresh = salesforce.issue_token()
    store_access_token(secretsmanager_client, cc_secrets, fresh)
    container.ok(QUERY)
    assert salesforce.data_requests()[-1].header("Authorization") == f"Bearer {fresh}"


def test_empty_token_from_the_extension_is_checked_before_minting(
    with_extension: Any, secrets_extension: Any, secrets_server: Any, salesforce: Any
) -> None:
    """The extension may still cache the empty token from before another container stored one."""
    with_extension().ok(QUERY)  # reads the empty token through the extension (now cached there), mints, stores
    assert salesforce.mint_count == 1
    secrets_server.reset_counts()
    with_extension().ok(QUERY)  # the extension answers "" from its cache: Secrets Manager itself has the token
    assert salesforce.mint_count == 1
    assert secrets_server.count("GetSecretValue") == 1
