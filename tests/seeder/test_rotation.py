"""scv_seeder.rotation: Secrets Manager's four steps over moto and the Salesforce emulator, with calls throughout.

Secrets Manager is played by the test (moto cannot invoke a rotation function): it calls each step with one
ClientRequestToken, as the service does. Between the steps the shipped invoker handler answers the guide's
query, each call signing in afresh, so a step that left Salesforce and the secret disagreeing would fail a call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from scv_seeder import metadata_xml
from scv_seeder.rotation import Rotation, RotationError, RotationSettings
from scv_shared.secret_format import SecretKeys
from scvctl.invoke import GUIDE_TEST_EVENT, LambdaAnswer

from tests.cli.conftest import LocalInvoker
from tests.emulators.fixtures import ContactCenterSecrets, make_contact_center_secrets
from tools.emulators.salesforce.metadata import CUSTOMIZE_APPLICATION, MODIFY_METADATA

CC = "rotcc"
KEYS = SecretKeys.for_contact_center(CC)
APP = "SCV_rotcc_Connected_App_for_RestAPI_OAuth"
CONSUMER_KEY = "3MVG9rotation-test-consumer-key"
SUBJECT = "integration@example.com"
ADMIN_PROFILE = "システム管理者"
PARAMETER = f"/{CC}/salesforce/certificate"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


@pytest.fixture(params=["connected app", "External Client App"])
def app_kind(request: pytest.FixtureRequest) -> str:
    """Contact centers made before Summer '26 have a connected app, later ones an External Client App."""
    return str(request.param)


def _add_app(salesforce: Any, app_kind: str, certificate_pem: str, profile: str) -> None:
    """SCV's app after `scvctl salesforce connect`: ``certificate_pem``, ``profile`` pre-authorized."""
    add = salesforce.add_connected_app if app_kind == "connected app" else salesforce.add_external_client_app
    add(
        APP,
        label="SCV rotcc Connected App for RestAPI OAuth",
        consumer_key=CONSUMER_KEY,
        certificate_pem=certificate_pem,
        admin_approved=True,
        profiles=[profile],
        scopes=["Api", "RefreshToken"],
    )


@pytest.fixture
def org(salesforce: Any, rsa_key_pair: Any, app_kind: str) -> Any:
    salesforce.add_profile(ADMIN_PROFILE)
    salesforce.add_user(SUBJECT, profile=ADMIN_PROFILE)
    _add_app(salesforce, app_kind, rsa_key_pair.certificate_pem, ADMIN_PROFILE)
    return salesforce


@pytest.fixture
def cc_secrets(secretsmanager_client: Any, rsa_key_pair: Any) -> ContactCenterSecrets:
    return make_contact_center_secrets(
        secretsmanager_client,
        CC,
        rsa_key_pair.private_key_pem,
        CONSUMER_KEY,
        SUBJECT,
        "https://login.salesforce.com/",
        certificate_pem=rsa_key_pair.certificate_pem,
    )


@pytest.fixture
def invoker(org: Any, secrets_server: Any, cc_secrets: ContactCenterSecrets) -> Iterator[LocalInvoker]:
    invoker = LocalInvoker(
        {
            **secrets_server.env(),
            **cc_secrets.env(),
            "SALESFORCE_REST_API_ENDPOINT_BASE": org.rest_base(),
            "SALESFORCE_AUTH_ENDPOINT": org.auth_endpoint,
            "CALL_CENTER_API_NAME": "TestCallCenter",
            "POWERTOOLS_SERVICE_NAME": "InvokeSalesforceRestApi",
        }
    )
    yield invoker
    invoker.close()


@pytest.fixture
def ssm(secrets_server: Any) -> Any:
    credentials = {key: value for key, value in secrets_server.env().items() if key.startswith("AWS_") and "KEY" in key}
    return boto3.client(
        "ssm",
        endpoint_url=secrets_server.endpoint_url,
        region_name=secrets_server.region,
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
    )


def _rotation(org: Any, secretsmanager_client: Any, ssm: Any, cc_secrets: ContactCenterSecrets, token: str) -> Rotation:
    settings = RotationSettings(
        contact_center=CC,
        access_secret_id=cc_secrets.access_secret_arn,
        auth_endpoint=org.auth_endpoint,
        api_version="68.0",
        certificate_parameter=PARAMETER,
        certificate_common_name=f"{CC} Salesforce JWT",
        certificate_validity_days=365,
        app_name=None,
    )
    return Rotation(settings, secretsmanager_client, ssm, cc_secrets.main_secret_arn, token)


def _current(secretsmanager_client: Any, cc_secrets: ContactCenterSecrets) -> dict[str, str]:
    import json

    return json.loads(secretsmanager_client.get_secret_value(SecretId=cc_secrets.main_secret_arn)["SecretString"])


def _app_certificate(org: Any) -> str:
    if org.connected_app(APP) is not None:
        text = org.connected_app(APP).findtext(f"{metadata_xml.tag('oauthConfig')}/{metadata_xml.tag('certificate')}")
    else:
        text = org.external_client_app(APP)["ExtlClntAppGlobalOauthSettings"].findtext(metadata_xml.tag("certificate"))
    return "".join((text or "").split())


def _call(org: Any, invoker: LocalInvoker) -> LambdaAnswer:
    """The guide's query, with every token revoked first: the call has to sign in with the key Salesforce accepts."""
    org.revoke_tokens()
    return invoker.invoke("rotcc-InvokeSalesforceRestApiFunction", GUIDE_TEST_EVENT)


def test_a_scheduled_rotation_uploads_the_new_certificate_with_calls_running_throughout(
    org: Any, invoker: LocalInvoker, secretsmanager_client: Any, ssm: Any, cc_secrets: ContactCenterSecrets
) -> None:
    old = _current(secretsmanager_client, cc_secrets)
    rotation = _rotation(org, secretsmanager_client, ssm, cc_secrets, str(uuid.uuid4()))
    answers = [_call(org, invoker)]
    mints = org.mint_count

    for step in STEPS:
        rotation.run(step)
        answers.append(_call(org, invoker))

    assert answers == [LambdaAnswer({})] * 5
    assert org.mint_count == mints + 4 + 2  # each call, and the sign-ins of setSecret (old key) and testSecret (new)
    new = _current(secretsmanager_client, cc_secrets)
    assert new[KEYS.private_key] != old[KEYS.private_key]
    assert {key: new[key] for key in (KEYS.consumer_key, KEYS.subject, KEYS.audience)} == {
        key: old[key] for key in (KEYS.consumer_key, KEYS.subject, KEYS.audience)
    }
    assert _app_certificate(org) == "".join(new[KEYS.certificate].split())
    assert org.metadata_updates == 1
    stages = secretsmanager_client.describe_secret(SecretId=cc_secrets.main_secret_arn)["VersionIdsToStages"]
    assert stages[rotation.token] == ["AWSCURRENT"]
    assert ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"].strip() == new[KEYS.certificate].strip()
    for step in STEPS:  # Secrets Manager may repeat a step: nothing changes
        rotation.run(step)
    assert org.metadata_updates == 1


def test_a_subject_that_may_not_change_the_app_stops_the_rotation_and_keeps_the_key(
    org: Any,
    app_kind: str,
    invoker: LocalInvoker,
    secretsmanager_client: Any,
    ssm: Any,
    cc_secrets: ContactCenterSecrets,
) -> None:
    org.add_profile(ADMIN_PROFILE, (MODIFY_METADATA, CUSTOMIZE_APPLICATION))  # no right on profiles...
    org.add_profile("Integration", ())
    org.add_user(SUBJECT, profile="Integration")  # ...and the subject no Metadata API at all
    _add_app(org, app_kind, _current(secretsmanager_client, cc_secrets)[KEYS.certificate], "Integration")
    old = _current(secretsmanager_client, cc_secrets)
    rotation = _rotation(org, secretsmanager_client, ssm, cc_secrets, str(uuid.uuid4()))
    rotation.run("createSecret")

    with pytest.raises(RotationError, match="the current key stays in use"):
        rotation.run("setSecret")

    assert _current(secretsmanager_client, cc_secrets) == old
    stages = secretsmanager_client.describe_secret(SecretId=cc_secrets.main_secret_arn)["VersionIdsToStages"]
    assert "AWSPENDING" not in [stage for version in stages.values() for stage in version]
    assert org.metadata_updates == 0
    assert _call(org, invoker) == LambdaAnswer({})
