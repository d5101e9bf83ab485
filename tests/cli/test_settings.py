"""scvctl consumer-key set / subject set / audience set / token reset against moto."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from scv_shared.secret_format import (
    SIGN_IN_REFUSED_KEY,
    SignInRefusal,
    access_secret_document,
    access_secret_name,
    parse_sign_in_refusal,
)

from tests.cli.conftest import CC, CONSUMER_KEY, KEYS, USERNAME, RunCli, Secrets, assert_no_secret_values

TOKEN = "00Dcached!token-value"
NEW_KEY = "3MVG9NEW.consumer_key-from-the-External-Client-App-0123456789"


def test_consumer_key_from_stdin(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any) -> None:
    result = run_cli("consumer-key", "set", CC, stdin=NEW_KEY + "\n")

    assert result.code == 0, result.err
    assert secrets.current()[KEYS.consumer_key] == NEW_KEY
    assert secrets.current()[KEYS.private_key] == rsa_key_pair.private_key_pem
    assert secrets.token() == ""
    assert f"({len(NEW_KEY)} characters, not shown)" in result.out
    assert_no_secret_values(result.output, NEW_KEY, CONSUMER_KEY, TOKEN, rsa_key_pair.private_key_pem)


def test_consumer_key_from_a_hidden_prompt(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    result = run_cli("consumer-key", "set", CC, tty_input=NEW_KEY)

    assert result.code == 0, result.err
    assert secrets.current()[KEYS.consumer_key] == NEW_KEY
    assert_no_secret_values(result.output, NEW_KEY)


def test_the_prompt_is_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    from scvctl import secret_input

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []
    monkeypatch.setattr(secret_input.getpass, "getpass", lambda prompt="": prompts.append(prompt) or NEW_KEY)

    assert secret_input.read_secret_value("consumer key", Terminal()) == NEW_KEY
    assert prompts == ["consumer key (input hidden): "]


@pytest.mark.parametrize(
    "argv",
    [
        ["consumer-key", "set", CC, NEW_KEY],
        ["consumer-key", "set", NEW_KEY, CC],
        ["consumer-key", "set", CC, f"--value={NEW_KEY}"],
        ["consumer-key", "set", CC, "--value", NEW_KEY],
        ["consumer-key", "set", NEW_KEY],
    ],
    ids=["after-cc", "before-cc", "option-equals", "option", "instead-of-cc"],
)
def test_consumer_key_is_refused_on_the_command_line_and_never_echoed(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, argv: list[str]
) -> None:
    result = run_cli(*argv, stdin=NEW_KEY)

    assert result.code in (1, 2)
    assert NEW_KEY not in result.output
    assert secrets.current()[KEYS.consumer_key] == CONSUMER_KEY
    assert secrets.token() == TOKEN


def test_consumer_key_on_the_command_line_says_how_to_pass_it(run_cli: RunCli, cc_secrets: Any) -> None:
    result = run_cli("consumer-key", "set", CC, NEW_KEY)

    assert result.code == 2
    assert "never taken on the command line" in result.err


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "no consumer key given"),
        ("   \n", "no consumer key given"),
        ("two words", "does not look like"),
        ("3MVG9-new-consumer-key\x00", "does not look like"),
        ("3MVG9-new-consumer-key\x00\n", "does not look like"),
    ],
)
def test_consumer_key_bad_input_writes_nothing(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, stdin: str, message: str
) -> None:
    versions = secrets.version_count()

    result = run_cli("consumer-key", "set", CC, stdin=stdin)

    assert result.code == 1
    assert message in result.err
    assert secrets.version_count() == versions
    assert secrets.token() == TOKEN


def test_consumer_key_unchanged_writes_nothing(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    versions = secrets.version_count()

    result = run_cli("consumer-key", "set", CC, stdin=CONSUMER_KEY)

    assert result.code == 0
    assert "nothing changed" in result.out
    assert secrets.version_count() == versions


def test_consumer_key_with_a_missing_access_secret_writes_nothing(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, secretsmanager_client: Any
) -> None:
    secretsmanager_client.delete_secret(SecretId=f"{CC}-salesforce-access-secret", ForceDeleteWithoutRecovery=True)
    versions = secrets.version_count()

    result = run_cli("consumer-key", "set", CC, stdin=NEW_KEY)

    assert result.code == 1
    assert f"secret {CC}-salesforce-access-secret does not exist" in result.err
    assert secrets.version_count() == versions
    assert secrets.current()[KEYS.consumer_key] == CONSUMER_KEY


def test_subject_set(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    result = run_cli("subject", "set", CC, "other.user@example.com.uat")

    assert result.code == 0, result.err
    assert secrets.current()[KEYS.subject] == "other.user@example.com.uat"
    assert secrets.current()[KEYS.consumer_key] == CONSUMER_KEY
    assert secrets.token() == ""
    assert f"{USERNAME} -> other.user@example.com.uat" in result.out
    assert "contact_centers.yaml says username" in result.err


def test_subject_set_refuses_a_non_username(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    result = run_cli("subject", "set", CC, "not a username")

    assert result.code == 2
    assert "is not a Salesforce username" in result.err
    assert secrets.current()[KEYS.subject] == USERNAME
    assert secrets.token() == TOKEN


@pytest.mark.parametrize(
    ("option", "audience"),
    [
        (["--sandbox"], "https://test.salesforce.com/"),
        (["--production"], "https://login.salesforce.com/"),
        (["--url", "https://acme--uat.sandbox.my.salesforce.com"], "https://acme--uat.sandbox.my.salesforce.com"),
    ],
)
def test_audience_set(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, option: list[str], audience: str) -> None:
    run_cli("audience", "set", CC, "--url", "https://acme.my.salesforce.com")  # so that every case is a change
    run_cli("token", "reset", CC)
    assert secrets.token() == ""
    secrets.client.put_secret_value(
        SecretId=f"{CC}-salesforce-access-secret", SecretString=f'{{"{KEYS.access_token}": "{TOKEN}"}}'
    )

    result = run_cli("audience", "set", CC, *option)

    assert result.code == 0, result.err
    assert secrets.current()[KEYS.audience] == audience
    assert secrets.token() == ""


@pytest.mark.parametrize(
    "option",
    [["--url", "http://acme.my.salesforce.com"], ["--url", "https://acme.my.salesforce.com/path"], []],
    ids=["http", "path", "none"],
)
def test_audience_set_refuses_bad_input(run_cli: RunCli, cc_secrets: Any, secrets: Secrets, option: list[str]) -> None:
    result = run_cli("audience", "set", CC, *option)

    assert result.code == 2
    assert secrets.current()[KEYS.audience] == "https://login.salesforce.com/"
    assert secrets.token() == TOKEN


def test_audience_options_are_exclusive(run_cli: RunCli, cc_secrets: Any) -> None:
    result = run_cli("audience", "set", CC, "--sandbox", "--production")

    assert result.code == 2
    assert "not allowed with argument" in result.err


def test_token_reset(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    result = run_cli("token", "reset", CC)

    assert result.code == 0
    assert secrets.token() == ""
    assert TOKEN not in result.output


def test_token_reset_forgets_a_refused_sign_in(run_cli: RunCli, cc_secrets: Any, secrets: Secrets) -> None:
    """The invoker remembers a refusal in the access secret until a token or a reset replaces the document."""
    refusal = SignInRefusal("invalid_grant", "inactive user", 400, "Bad Request", 1.0, "a-container", 721.0)
    secrets.client.put_secret_value(
        SecretId=access_secret_name(CC), SecretString=access_secret_document(KEYS, "", refusal)
    )
    assert parse_sign_in_refusal(secrets.client.get_secret_value(SecretId=access_secret_name(CC))["SecretString"])

    assert run_cli("token", "reset", CC).code == 0
    document = secrets.client.get_secret_value(SecretId=access_secret_name(CC))["SecretString"]
    assert parse_sign_in_refusal(document) is None
    assert SIGN_IN_REFUSED_KEY not in json.loads(document)


@pytest.mark.parametrize("trailing", ["\n", "\r", "\x00"], ids=["newline", "carriage-return", "NUL"])
def test_subject_set_refuses_a_trailing_control_character_or_strips_it(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, trailing: str
) -> None:
    """Never stored with it: a NUL is refused, a line break at the end is stripped like any whitespace."""
    result = run_cli("subject", "set", CC, "other.user@example.com" + trailing)

    assert trailing not in secrets.current()[KEYS.subject]
    if result.code == 0:
        assert secrets.current()[KEYS.subject] == "other.user@example.com"
    else:
        assert "is not a Salesforce username" in result.err


@pytest.mark.parametrize("trailing", ["\n", "\r", "\x00"], ids=["newline", "carriage-return", "NUL"])
def test_audience_set_never_stores_a_trailing_control_character(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, trailing: str
) -> None:
    run_cli("audience", "set", CC, "--url", "https://acme.my.salesforce.com" + trailing)

    assert trailing not in secrets.current()[KEYS.audience]
