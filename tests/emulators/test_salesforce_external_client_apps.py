"""The emulator's External Client Apps: their metadata types and credentials resources, as state the token
endpoint obeys.

Requests are written here by hand from Salesforce's documentation (the Metadata WSDL's envelope, the Connect
REST resources ``/apps/oauth/usage`` and ``/apps/oauth/credentials``), not with scvctl's client.
"""

# ruff: noqa: S314 - parses the local emulator's answers

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests

from tests.emulators.test_salesforce_metadata import ADMIN, ADMIN_PROFILE, SUBJECT, M, _call, _sign_in
from tools.emulators.salesforce import API_VERSION, INVALID_ASSERTION, NOT_ADMIN_APPROVED

ECA = "Acme_RestAPI_OAuth"
CONSUMER_KEY = "3MVG9-org-only-consumer-key"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
GLOBAL = ("ExtlClntAppGlobalOauthSettings", f"{ECA}_glbloauth")
POLICIES = ("ExtlClntAppOauthConfigurablePolicies", f"{ECA}_oauthPlcy")


@pytest.fixture
def eca_org(salesforce: Any) -> str:
    """An org shaped like a Summer '26 SCV one: an ECA without a certificate; an administrator."""
    salesforce.add_profile(ADMIN_PROFILE)
    salesforce.add_user(ADMIN, profile=ADMIN_PROFILE)
    salesforce.add_user(SUBJECT, profile=ADMIN_PROFILE)
    salesforce.add_external_client_app(ECA, label="Acme RestAPI OAuth", consumer_key=CONSUMER_KEY)
    return salesforce.issue_session(ADMIN)


def _read(salesforce: Any, session: str, component: tuple[str, str]) -> ET.Element:
    metadata_type, name = component
    body = f"<readMetadata><type>{metadata_type}</type><fullNames>{name}</fullNames></readMetadata>"
    answer = _call(salesforce, session, body)
    assert answer.status_code == 200, answer.text
    record = ET.fromstring(answer.content).find(f".//{{{M}}}result/{{{M}}}records")
    assert record is not None
    assert record.get(XSI_TYPE) == metadata_type
    return record


def _update(salesforce: Any, session: str, *records: tuple[str, ET.Element], all_or_none: bool) -> list[ET.Element]:
    call = ET.Element(f"{{{M}}}updateMetadata")
    for metadata_type, record in records:
        record.tag = f"{{{M}}}metadata"
        record.set(XSI_TYPE, metadata_type)
        call.append(record)
    header = f"<AllOrNoneHeader><allOrNone>{str(all_or_none).lower()}</allOrNone></AllOrNoneHeader>"
    answer = _call(salesforce, session, ET.tostring(call, encoding="unicode"), header)
    assert answer.status_code == 200, answer.text
    return list(ET.fromstring(answer.content).iter(f"{{{M}}}result"))


def _get(salesforce: Any, session: str, path: str, **params: str) -> requests.Response:
    return requests.get(
        f"{salesforce.rest_base()}{path}", params=params, headers={"Authorization": f"Bearer {session}"}, timeout=10
    )


def _consumer_url(salesforce: Any, session: str) -> str:
    (app,) = _get(salesforce, session, "/apps/oauth/usage").json()["apps"]
    assert app["developerName"] == ECA
    (consumer,) = _get(salesforce, session, f"/apps/oauth/credentials/{app['identifier']}").json()["consumers"]
    return f"/apps/oauth/credentials/{app['identifier']}/{consumer['id']}"


def test_list_and_read_give_the_components_without_the_consumer_key(salesforce: Any, eca_org: str) -> None:
    answer = _call(
        salesforce,
        eca_org,
        "<listMetadata><queries><type>ExtlClntAppGlobalOauthSettings</type></queries>"
        f"<asOfVersion>{API_VERSION}</asOfVersion></listMetadata>",
    )

    assert [e.text for e in ET.fromstring(answer.content).iter(f"{{{M}}}fullName")] == [GLOBAL[1]]
    record = _read(salesforce, eca_org, GLOBAL)
    assert record.findtext(f"{{{M}}}externalClientApplication") == ECA
    assert record.find(f"{{{M}}}consumerKey") is None
    assert record.find(f"{{{M}}}certificate") is None


def test_the_credentials_resource_gives_the_part_asked_for(salesforce: Any, eca_org: str) -> None:
    url = _consumer_url(salesforce, eca_org)

    assert _get(salesforce, eca_org, url, part="key").json().keys() == {"id", "key"}
    assert _get(salesforce, eca_org, url, part="key").json()["key"] == CONSUMER_KEY
    assert _get(salesforce, eca_org, url).json().keys() == {"id", "key"}
    assert "secret" in _get(salesforce, eca_org, url, part="keyandsecret").json()


def test_with_consumer_key_access_off_the_credentials_are_refused(salesforce: Any, eca_org: str) -> None:
    url = _consumer_url(salesforce, eca_org)
    salesforce.set_consumer_key_access(ECA, False)

    answer = _get(salesforce, eca_org, url, part="key")

    assert answer.status_code == 403
    assert answer.json()[0]["errorCode"] == "FUNCTIONALITY_NOT_ENABLED"


def test_a_global_settings_update_with_the_consumer_key_fails(salesforce: Any, eca_org: str, rsa_key_pair: Any) -> None:
    record = _read(salesforce, eca_org, GLOBAL)
    ET.SubElement(record, f"{{{M}}}certificate").text = rsa_key_pair.certificate_pem
    ET.SubElement(record, f"{{{M}}}consumerKey").text = CONSUMER_KEY

    (result,) = _update(salesforce, eca_org, (GLOBAL[0], record), all_or_none=False)

    assert result.findtext(f"{{{M}}}errors/{{{M}}}message") == "You cannot provide a Consumer Key"
    assert salesforce.metadata_updates == 0


def test_an_all_or_none_update_with_one_refusal_writes_nothing(
    salesforce: Any, eca_org: str, rsa_key_pair: Any
) -> None:
    salesforce.add_profile("Metadata Deployer", ("ModifyMetadata", "CustomizeApplication"))
    salesforce.add_user("deployer@example.com", profile="Metadata Deployer")
    session = salesforce.issue_session("deployer@example.com")
    global_settings = _read(salesforce, session, GLOBAL)
    ET.SubElement(global_settings, f"{{{M}}}certificate").text = rsa_key_pair.certificate_pem
    policies = _read(salesforce, session, POLICIES)
    ET.SubElement(policies, f"{{{M}}}commaSeparatedProfile").text = ADMIN_PROFILE  # needs Manage Profiles

    results = _update(salesforce, session, (GLOBAL[0], global_settings), (POLICIES[0], policies), all_or_none=True)

    assert [r.findtext(f"{{{M}}}errors/{{{M}}}statusCode") for r in results] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "INSUFFICIENT_ACCESS",
    ]
    assert salesforce.metadata_updates == 0
    assert _read(salesforce, session, GLOBAL).find(f"{{{M}}}certificate") is None


def test_the_token_endpoint_follows_the_ecas_certificate_and_policies(
    salesforce: Any, eca_org: str, rsa_key_pair: Any, other_rsa_key_pair: Any
) -> None:
    assert _sign_in(salesforce, rsa_key_pair)["error_description"] == INVALID_ASSERTION.description  # no certificate
    global_settings = _read(salesforce, eca_org, GLOBAL)
    ET.SubElement(global_settings, f"{{{M}}}certificate").text = rsa_key_pair.certificate_pem
    _update(salesforce, eca_org, (GLOBAL[0], global_settings), all_or_none=True)
    assert _sign_in(salesforce, rsa_key_pair)["error_description"] == NOT_ADMIN_APPROVED.description

    policies = _read(salesforce, eca_org, POLICIES)
    policies.find(f"{{{M}}}permittedUsersPolicyType").text = "AdminApprovedPreAuthorized"
    ET.SubElement(policies, f"{{{M}}}commaSeparatedProfile").text = f"Custom: Other, {ADMIN_PROFILE}"
    _update(salesforce, eca_org, (POLICIES[0], policies), all_or_none=True)

    assert "access_token" in _sign_in(salesforce, rsa_key_pair)
    assert _sign_in(salesforce, other_rsa_key_pair)["error_description"] == INVALID_ASSERTION.description
    assert salesforce.metadata_updates == 2
