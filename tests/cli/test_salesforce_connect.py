"""scvctl salesforce connect (and key rotate --upload): from an org shaped like SCV's to a working queryRecord.

The org is the Salesforce emulator with its Metadata API: SCV's connected app without a certificate, a
consumer key only the org knows, a Japanese administrator profile. The proof is the shipped invoker
handler answering the guide's query (``scvctl check`` through the LocalInvoker), the emulator's update
count and two reads of the app compared field by field.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from scv_seeder import connected_app, metadata_xml
from scv_seeder.metadata_api import MetadataApi
from scvctl.invoke import GUIDE_TEST_EVENT, LambdaAnswer

from tests.cli.conftest import (
    CC,
    CONSUMER_KEY,
    FUNCTION_NAME,
    KEYS,
    FakeInvoker,
    LocalInvoker,
    RunCli,
    Secrets,
    assert_no_secret_values,
)
from tests.cli.salesforce_org import (
    ADMIN,
    ADMIN_PROFILE,
    EXISTING_CALLBACK,
    add_people,
    admin_session,
    connect,
    no_profile_rights,
    no_rights,
)

APP = "SCV_testcc_Connected_App_for_RestAPI_OAuth"
ORG_CONSUMER_KEY = "3MVG9org-only-consumer-key-of-scv-0123456789"


@pytest.fixture
def scv_org(salesforce: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """SCV's org; the administrator's token in SF_ACCESS_TOKEN; the working directory a fresh one (build/)."""
    add_people(salesforce)
    salesforce.add_connected_app(
        APP,
        label="SCV testcc Connected App for RestAPI OAuth",
        consumer_key=ORG_CONSUMER_KEY,
        callback_url=EXISTING_CALLBACK,
        profiles=["Custom: Integration"],
    )
    return admin_session(salesforce, monkeypatch, tmp_path)


def test_a_dry_run_shows_each_change_and_changes_nothing(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, secrets: Secrets, tmp_path: Path
) -> None:
    result = connect(run_cli, salesforce)

    assert result.code == 0, result.output
    for field in ("Use digital signatures", "Permitted Users", "Callback URL", "Selected OAuth Scopes", "Profiles"):
        assert field in result.out
    assert f"Custom: Integration -> Custom: Integration, {ADMIN_PROFILE}" in result.out
    assert "--apply" in result.out
    assert salesforce.metadata_updates == 0
    assert secrets.current()[KEYS.consumer_key] == CONSUMER_KEY
    assert not (tmp_path / "build").exists()


def test_apply_leaves_a_working_query_record_and_changes_only_the_intended_fields(
    run_cli: RunCli,
    salesforce: Any,
    scv_org: str,
    local_invoker: LocalInvoker,
    secrets: Secrets,
    rsa_key_pair: Any,
    tmp_path: Path,
) -> None:
    before = salesforce.connected_app(APP)

    result = connect(run_cli, salesforce, "--apply", invoker=local_invoker)

    assert result.code == 0, result.output
    assert "OK: the function signed in to Salesforce" in result.out
    assert salesforce.mint_count == 1
    assert salesforce.metadata_updates == 1
    after = salesforce.connected_app(APP)
    assert metadata_xml.changed_fields(before, after) == connected_app.INTENDED_FIELDS
    assert connected_app.consumer_key(after) == ORG_CONSUMER_KEY  # the org's own, untouched
    assert secrets.current()[KEYS.consumer_key] == ORG_CONSUMER_KEY
    oauth = after.find(metadata_xml.tag("oauthConfig"))
    assert [e.text for e in oauth.findall(metadata_xml.tag("scopes"))] == ["Api", "RefreshToken"]
    assert oauth.findtext(metadata_xml.tag("callbackUrl")).split() == [
        EXISTING_CALLBACK,
        "http://localhost:1717/OauthRedirect",
    ]
    assert [e.text for e in after.findall(metadata_xml.tag("profileName"))] == ["Custom: Integration", ADMIN_PROFILE]
    (saved,) = (tmp_path / "build" / "salesforce" / CC).glob(f"{APP}-*.connectedApp-meta.xml")
    assert "<certificate>" not in saved.read_text()  # as it was read: no certificate yet
    assert_no_secret_values(
        result.output + saved.read_text(), scv_org, ORG_CONSUMER_KEY, CONSUMER_KEY, rsa_key_pair.private_key_pem
    )

    again = connect(run_cli, salesforce, "--apply", invoker=local_invoker)

    assert again.code == 0, again.output
    assert "nothing to change" in again.out
    assert salesforce.metadata_updates == 1


def test_restore_puts_the_saved_app_back(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, tmp_path: Path
) -> None:
    before = salesforce.connected_app(APP)
    assert connect(run_cli, salesforce, "--apply", invoker=FakeInvoker(LambdaAnswer({}))).code == 0
    (saved,) = (tmp_path / "build" / "salesforce" / CC).glob("*.xml")

    result = connect(run_cli, salesforce, "--restore", str(saved))

    assert result.code == 0, result.output
    assert metadata_xml.changed_fields(before, salesforce.connected_app(APP)) == set()


def test_the_sf_cli_login_is_read_and_its_token_never_shown(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SF_ACCESS_TOKEN")
    answer = {
        "status": 0,
        "result": {
            "id": salesforce.org_id,
            "apiVersion": "64.0",
            "accessToken": scv_org,
            "instanceUrl": salesforce.base_url,
            "username": ADMIN,
            "clientId": "PlatformCLI",
            "connectedStatus": "Connected",
            "alias": "scv-admin",
        },
    }
    _fake_sf(tmp_path, monkeypatch, answer, status=0)

    result = run_cli("salesforce", "connect", CC, "--target-org", "scv-admin")

    assert result.code == 0, result.output
    assert f"Connected app {APP}" in result.out
    assert_no_secret_values(result.output, scv_org)


def test_an_expired_sf_cli_login_names_the_login_command(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_sf(
        tmp_path,
        monkeypatch,
        {"status": 1, "name": "NoAuthInfoFound", "message": "No authorization information found for scv-admin."},
        status=1,
    )

    result = run_cli("salesforce", "connect", CC, "--target-org", "scv-admin")

    assert result.code == 1
    assert result.err.count("\n") == 1
    assert "sf org login web --alias scv-admin" in result.err


def _fake_sf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any], *, status: int) -> None:
    """A stand-in ``sf`` on PATH printing ``sf org display --json``'s documented answer."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "sf"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(answer)}\nEOF\nexit {status}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def _second_app(salesforce: Any) -> None:
    salesforce.add_connected_app(
        "SCV_other_Connected_App_for_RestAPI_OAuth",
        label="SCV other Connected App for RestAPI OAuth",
        consumer_key="3MVG9x",
    )


@pytest.mark.parametrize(
    ("arrange", "extra", "message"),
    [
        (
            lambda salesforce: salesforce.revoke_tokens(),
            (),
            "the Salesforce session is expired or invalid: sign in again",
        ),
        (lambda salesforce: None, ("--app", "Nope"), "no connected app or External Client App named Nope"),
        (_second_app, (), "several connected apps match"),
        (no_rights, (), "may not change connected apps"),
        (no_profile_rights, (), "Salesforce refused the update of"),
    ],
    ids=["expired-session", "missing-app", "several-apps", "missing-permissions", "no-right-on-profiles"],
)
def test_each_refusal_is_one_line_and_leaves_the_org_unchanged(
    run_cli: RunCli,
    salesforce: Any,
    scv_org: str,
    cc_secrets: Any,
    secrets: Secrets,
    arrange: Any,
    extra: tuple[str, ...],
    message: str,
) -> None:
    before = salesforce.connected_app(APP)
    arrange(salesforce)

    result = connect(run_cli, salesforce, "--apply", *extra)

    assert result.code == 1, result.output
    assert result.err.count("\n") == 1, result.err
    assert message in result.err
    assert salesforce.metadata_updates == 0
    assert metadata_xml.changed_fields(before, salesforce.connected_app(APP)) == set()
    assert secrets.current()[KEYS.consumer_key] == CONSUMER_KEY
    assert_no_secret_values(result.output, scv_org)


def test_without_a_token_it_names_the_variable(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SF_ACCESS_TOKEN")

    result = connect(run_cli, salesforce)

    assert result.code == 1
    assert "SF_ACCESS_TOKEN" in result.err


def test_key_rotate_upload_is_one_command_and_calls_keep_working(
    run_cli: RunCli,
    salesforce: Any,
    scv_org: str,
    local_invoker: LocalInvoker,
    secrets: Secrets,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert connect(run_cli, salesforce, "--apply", invoker=local_invoker).code == 0
    old_certificate = secrets.current()[KEYS.certificate]
    answers = []

    def call() -> None:
        for token in salesforce.valid_tokens - {scv_org}:  # each call signs in afresh: which key is accepted now
            salesforce.revoke_token(token)
        answers.append(local_invoker.invoke(FUNCTION_NAME, GUIDE_TEST_EVENT))

    upload = MetadataApi.update_connected_app

    def upload_between_calls(client: MetadataApi, record: Any) -> Any:
        call()  # the old certificate, the new key staged
        failure = upload(client, record)
        call()  # the new certificate, the new key still staged
        return failure

    monkeypatch.setattr(MetadataApi, "update_connected_app", upload_between_calls)
    mints = salesforce.mint_count

    result = run_cli("key", "rotate", CC, "--upload", "--instance-url", salesforce.base_url)
    call()  # the new key current

    assert result.code == 0, result.output
    assert answers == [LambdaAnswer({})] * 3
    assert salesforce.mint_count == mints + 3
    current = secrets.current()[KEYS.certificate]
    assert current != old_certificate
    assert secrets.pending() is None
    stored = salesforce.connected_app(APP).findtext(
        f"{metadata_xml.tag('oauthConfig')}/{metadata_xml.tag('certificate')}"
    )
    assert "".join(stored.split()) == "".join(current.split())
    assert_no_secret_values(result.output, scv_org)


def test_key_rotate_upload_without_rights_keeps_the_old_key(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, secrets: Secrets
) -> None:
    before = secrets.current()
    no_rights(salesforce)

    result = run_cli("key", "rotate", CC, "--upload", "--instance-url", salesforce.base_url)

    assert result.code == 1
    assert "may not change connected apps" in result.err
    assert secrets.current() == before
    assert secrets.pending() is None
    assert salesforce.metadata_updates == 0
