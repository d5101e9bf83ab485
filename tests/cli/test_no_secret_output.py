"""Across a whole session of commands, nothing scvctl prints contains a secret value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scvctl.invoke import LambdaAnswer

from tests.cli.conftest import CC, CONSUMER_KEY, KEYS, FakeInvoker, RunCli, Secrets

NEW_CONSUMER_KEY = "3MVG9-a-new-consumer-key-for-the-sweep-0123456789"


def test_a_full_session_prints_no_secret_value(
    run_cli: RunCli, cc_secrets: Any, secrets: Secrets, rsa_key_pair: Any, other_rsa_key_pair: Any, tmp_path: Path
) -> None:
    key_file = tmp_path / "server.key"
    key_file.write_text(other_rsa_key_pair.private_key_pem)
    invoker = FakeInvoker(LambdaAnswer({}))
    session = [
        ("cert", "show", CC),
        ("cert", "export", CC, "--out", str(tmp_path / "a.crt")),
        ("cert", "renew", CC),
        ("key", "rotate", CC),
        ("cert", "show", CC),
        ("salesforce-metadata", CC, "--out", str(tmp_path / "sf"), "--pending"),
        ("key", "activate", CC),
        ("key", "rotate", "--now", CC),
        ("key", "import", CC, "--private-key", str(key_file)),
        ("subject", "set", CC, "someone@example.com"),
        ("audience", "set", CC, "--sandbox"),
        ("token", "reset", CC),
        ("check", CC),
    ]
    printed: list[str] = []
    secret_values = {rsa_key_pair.private_key_pem, CONSUMER_KEY, NEW_CONSUMER_KEY, "00Dcached!token-value"}
    for argv in session:
        result = run_cli(*argv, invoker=invoker)
        assert result.code == 0, (argv, result.err)
        printed.append(result.output)
        secret_values.add(secrets.current()[KEYS.private_key])
        pending = secrets.pending()
        if pending:
            secret_values.add(pending[KEYS.private_key])
    result = run_cli("consumer-key", "set", CC, stdin=NEW_CONSUMER_KEY)
    assert result.code == 0
    printed.append(result.output)
    written = "".join(path.read_text() for path in tmp_path.rglob("*") if path.is_file() and path != key_file)

    for text in (*printed, written):
        assert "PRIVATE KEY" not in text
        for value in secret_values:
            assert value not in text
            for line in value.splitlines():
                if len(line) > 20 and not line.startswith("-----"):
                    assert line not in text
