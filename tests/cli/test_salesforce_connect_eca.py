"""scvctl salesforce connect (and key rotate --upload) for an External Client App: a Summer '26 SCV org.

The org is the Salesforce emulator: no connected app, SCV's External Client App named after the contact
center without a certificate, a consumer key only the org knows (given out over the credentials resource),
a Japanese administrator profile. The proof is the shipped invoker handler answering the guide's query
(``scvctl check`` through the LocalInvoker), the emulator's update count, the requests it received, and
two reads of the app's components compared field by field.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from scv_seeder import external_client_app, metadata_xml
from scv_seeder.external_client_app import GLOBAL_OAUTH, OAUTH_POLICIES, OAUTH_SETTINGS
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
    ADMIN_PROFILE,
    EXISTING_CALLBACK,
    add_people,
    admin_session,
    connect,
    no_profile_rights,
    no_rights,
)

APP = "testcc_RestAPI_OAuth"
ORG_CONSUMER_KEY = "3MVG9eca-org-only-consumer-key-0123456789"


@pytest.fixture
def scv_org(salesforce: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """SCV's Summer '26 org; the administrator's token in SF_ACCESS_TOKEN; a fresh working directory."""
    add_people(salesforce)
    salesforce.add_external_client_app(
        APP,
        label="testcc RestAPI OAuth",
        consumer_key=ORG_CONSUMER_KEY,
        callback_url=EXISTING_CALLBACK,
        profiles=["Custom: Integration"],
    )
    return admin_session(salesforce, monkeypatch, tmp_path)


def _read(salesforce: Any) -> ET.Element:
    """The app as the command reads it, one bundle of its components."""
    return external_client_app.bundle(salesforce.external_client_app(APP))


def _credential_parts(salesforce: Any) -> list[str]:
    """The ``part`` of every request for one consumer's credentials (absent: the key)."""
    return [
        request.query.get("part", "(none)")
        for request in salesforce.requests
        if "/apps/oauth/credentials/" in request.path and request.path.count("/") > 7
    ]


def test_a_dry_run_shows_each_change_and_changes_nothing(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, secrets: Secrets, tmp_path: Path
) -> None:
    result = connect(run_cli, salesforce)

    assert result.code == 0, result.output
    assert f"External Client App {APP}" in result.out
    for field in ("Use digital signatures", "Permitted Users", "Callback URL", "Selected OAuth Scopes", "Profiles"):
        assert field in result.out
    assert f"Custom: Integration -> Custom: Integration, {ADMIN_PROFILE}" in result.out
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
    before = _read(salesforce)

    result = connect(run_cli, salesforce, "--apply", invoker=local_invoker)

    assert result.code == 0, result.output
    assert "OK: the function signed in to Salesforce" in result.out
    assert salesforce.mint_count == 1
    assert salesforce.metadata_updates == 3  # the three OAuth components, in one all-or-none call
    after = _read(salesforce)
    assert metadata_xml.changed_fields(before, after) == external_client_app.INTENDED_FIELDS
    assert secrets.current()[KEYS.consumer_key] == ORG_CONSUMER_KEY
    assert set(_credential_parts(salesforce)) == {"key"}  # the key only, never the secret
    components = salesforce.external_client_app(APP)
    policies = components[OAUTH_POLICIES]
    assert policies.findtext(metadata_xml.tag("commaSeparatedProfile")) == f"Custom: Integration,{ADMIN_PROFILE}"
    assert policies.findtext(metadata_xml.tag("permittedUsersPolicyType")) == "AdminApprovedPreAuthorized"
    assert components[OAUTH_SETTINGS].findtext(metadata_xml.tag("commaSeparatedOauthScopes")) == "Api,RefreshToken"
    assert components[GLOBAL_OAUTH].findtext(metadata_xml.tag("callbackUrl")).split() == [
        EXISTING_CALLBACK,
        "http://localhost:1717/OauthRedirect",
    ]
    (saved,) = (tmp_path / "build" / "salesforce" / CC).glob(f"{APP}-*.externalClientAppBundle-meta.xml")
    assert "<certificate>" not in saved.read_text()  # as it was read: no certificate yet
    assert_no_secret_values(
        result.output + saved.read_text(), scv_org, ORG_CONSUMER_KEY, CONSUMER_KEY, rsa_key_pair.private_key_pem
    )

    again = connect(run_cli, salesforce, "--apply", invoker=local_invoker)

    assert again.code == 0, again.output
    assert "nothing to change" in again.out
    assert salesforce.metadata_updates == 3


def test_restore_puts_the_saved_app_back(
    run_cli: RunCli, salesforce: Any, scv_org: str, cc_secrets: Any, tmp_path: Path
) -> None:
    before = _read(salesforce)
    assert connect(run_cli, salesforce, "--apply", invoker=FakeInvoker(LambdaAnswer({}))).code == 0
    (saved,) = (tmp_path / "build" / "salesforce" / CC).glob("*.xml")

    result = connect(run_cli, salesforce, "--restore", str(saved))

    assert result.code == 0, result.output
    assert metadata_xml.changed_fields(before, _read(salesforce)) == set()


def _key_access_off(salesforce: Any) -> None:
    salesforce.set_consumer_key_access(APP, False)


def _second_app(salesforce: Any) -> None:
    salesforce.add_external_client_app(
        "SCV_other_Connected_App_for_RestAPI_OAuth", label="SCV other Connected App for RestAPI OAuth", consumer_key="x"
    )


@pytest.mark.parametrize(
    ("arrange", "messages"),
    [
        (
            _key_access_off,
            (
                "Allow access to External Client App consumer secrets via REST API",
                "REST API を介して外部クライアントアプリケーションのコンシューマーの秘密へのアクセスを許可",
            ),
        ),
        (lambda salesforce: salesforce.revoke_tokens(), ("the Salesforce session is expired or invalid",)),
        (_second_app, ("several External Client Apps match", "--app NAME")),
        (no_rights, ("may not change connected apps",)),
        (no_profile_rights, ("Salesforce refused the update of", "the app is unchanged")),
    ],
    ids=["consumer-key-access-off", "bad-session", "several-candidates", "missing-permissions", "no-right-on-profiles"],
)
def test_each_refusal_is_one_line_and_leaves_the_org_unchanged(
    run_cli: RunCli,
    salesforce: Any,
    scv_org: str,
    cc_secrets: Any,
    secrets: Secrets,
    arrange: Any,
    messages: tuple[str, ...],
) -> None:
    before = _read(salesforce)
    arrange(salesforce)

    result = connect(run_cli, salesforce, "--apply")

    assert result.code == 1, result.output
    assert result.err.count("\n") == 1, result.err
    for message in messages:
        assert message in result.err
    assert salesforce.metadata_updates == 0
    assert metadata_xml.changed_fields(before, _read(salesforce)) == set()
    assert secrets.current()[KEYS.consumer_key] == CONSUMER_KEY
    assert_no_secret_values(result.output, scv_org)


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
    updates = salesforce.metadata_updates
    answers = []

    def call() -> None:
        for token in salesforce.valid_tokens - {scv_org}:  # each call signs in afresh: which key is accepted now
            salesforce.revoke_token(token)
        answers.append(local_invoker.invoke(FUNCTION_NAME, GUIDE_TEST_EVENT))

    upload = MetadataApi.update_metadata

    def upload_between_calls(client: MetadataApi, records: Any) -> Any:
        call()  # the old certificate, the new key staged
        failure = upload(client, records)
        call()  # the new certificate, the new key still staged
        return failure

    monkeypatch.setattr(MetadataApi, "update_metadata", upload_between_calls)

    result = run_cli("key", "rotate", CC, "--upload", "--instance-url", salesforce.base_url)
    call()  # the new key current

    assert result.code == 0, result.output
    assert answers == [LambdaAnswer({})] * 3
    assert salesforce.metadata_updates == updates + 1  # the global OAuth settings alone
    current = secrets.current()[KEYS.certificate]
    assert current != old_certificate
    assert secrets.pending() is None
    stored = salesforce.external_client_app(APP)[GLOBAL_OAUTH].findtext(metadata_xml.tag("certificate"))
    assert "".join(stored.split()) == "".join(current.split())
    assert_no_secret_values(result.output, scv_org)
