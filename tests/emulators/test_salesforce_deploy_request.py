"""The emulator's REST deploy (``/metadata/deployRequest``): a zip in, a deploy result out, the same checks as
the SOAP update. The request is built here by hand in the shape Salesforce documents (multipart ``json`` and
``file`` parts; the zip in source format with package.xml)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
import requests

from tests.emulators.test_salesforce_metadata import ADMIN, ADMIN_PROFILE, APP, CONSUMER_KEY, M

PACKAGE = (
    f'<?xml version="1.0" encoding="UTF-8"?><Package xmlns="{M}"><types><members>*</members>'
    "<name>ConnectedApp</name></types><version>68.0</version></Package>"
)


@pytest.fixture
def session(salesforce: Any) -> str:
    salesforce.add_profile(ADMIN_PROFILE)
    salesforce.add_user(ADMIN, profile=ADMIN_PROFILE)
    salesforce.add_connected_app(APP, label="SCV Acme Connected App for RestAPI OAuth", consumer_key=CONSUMER_KEY)
    return str(salesforce.issue_session(ADMIN))


def _app_file(certificate_pem: str, *, with_consumer_key: bool = False) -> bytes:
    key = f"<consumerKey>{CONSUMER_KEY}</consumerKey>" if with_consumer_key else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ConnectedApp xmlns="{M}"><contactEmail>a@example.com</contactEmail>'
        f"<label>SCV Acme Connected App for RestAPI OAuth</label><oauthConfig><callbackUrl>https://x/cb</callbackUrl>"
        f"<certificate>{certificate_pem}</certificate>{key}<isAdminApproved>false</isAdminApproved>"
        "<scopes>Api</scopes></oauthConfig><oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation>"
        "<refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy></ConnectedApp>"
    ).encode()


def _deploy(salesforce: Any, session: str, app_file: bytes, **deploy_options: Any) -> dict[str, Any]:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("package.xml", PACKAGE)
        files.writestr(f"connectedApps/{APP}.connectedApp", app_file)
    base = f"{salesforce.rest_base()}/metadata/deployRequest"
    headers = {"Authorization": f"Bearer {session}"}
    posted = requests.post(
        base,
        files={
            "json": (None, json.dumps({"deployOptions": deploy_options}), "application/json"),
            "file": ("deploy.zip", archive.getvalue(), "application/zip"),
        },
        headers=headers,
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["deployResult"]["status"] == "Pending"
    answer = requests.get(
        f"{base}/{posted.json()['id']}", params={"includeDetails": "true"}, headers=headers, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["deployResult"])


def _certificate(salesforce: Any) -> str | None:
    return salesforce.connected_app(APP).findtext(f"{{{M}}}oauthConfig/{{{M}}}certificate")


def test_a_deploy_writes_the_app_and_keeps_the_orgs_consumer_key(
    salesforce: Any, session: str, rsa_key_pair: Any
) -> None:
    result = _deploy(salesforce, session, _app_file(rsa_key_pair.certificate_pem))

    assert (result["status"], result["success"], result["numberComponentsDeployed"]) == ("Succeeded", True, 1)
    assert result["details"]["componentSuccesses"][0]["componentType"] == "ConnectedApp"
    assert _certificate(salesforce) is not None
    assert salesforce.connected_app(APP).findtext(f"{{{M}}}oauthConfig/{{{M}}}consumerKey") == CONSUMER_KEY


def test_a_deploy_with_the_consumer_key_fails_with_salesforces_message(
    salesforce: Any, session: str, rsa_key_pair: Any
) -> None:
    result = _deploy(salesforce, session, _app_file(rsa_key_pair.certificate_pem, with_consumer_key=True))

    assert (result["status"], result["success"]) == ("Failed", False)
    (failure,) = result["details"]["componentFailures"]
    assert (failure["fullName"], failure["problem"]) == (APP, "You cannot provide a Consumer Key")
    assert _certificate(salesforce) is None
    assert salesforce.metadata_updates == 0


def test_a_check_only_deploy_validates_and_writes_nothing(salesforce: Any, session: str, rsa_key_pair: Any) -> None:
    result = _deploy(salesforce, session, _app_file(rsa_key_pair.certificate_pem), checkOnly=True)

    assert (result["status"], result["numberComponentsDeployed"]) == ("Succeeded", 0)
    assert _certificate(salesforce) is None
    assert salesforce.metadata_updates == 0
