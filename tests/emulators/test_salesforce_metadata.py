"""The emulator's Metadata API: connected apps as state the token endpoint obeys, in the WSDL's shapes.

Requests are written here by hand from Salesforce's Metadata WSDL (not with scvctl's client), so the
emulator is checked against the documented envelope rather than against the code it serves.
"""

# ruff: noqa: S314, S608 - parses the local emulator's answers; the SOQL literal is a constant

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import jwt
import pytest
import requests

from tools.emulators.salesforce import API_VERSION, INVALID_ASSERTION, JWT_BEARER_GRANT, NOT_ADMIN_APPROVED
from tools.emulators.salesforce.metadata import CUSTOMIZE_APPLICATION, MODIFY_METADATA

M = "http://soap.sforce.com/2006/04/metadata"
SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
APP = "SCV_Acme_Connected_App_for_RestAPI_OAuth"
CONSUMER_KEY = "3MVG9-org-only-consumer-key"
ADMIN = "admin@example.com"
SUBJECT = "integration@example.com"
ADMIN_PROFILE = "システム管理者"


def _call(salesforce: Any, session: str, body: str, headers: str = "") -> requests.Response:
    envelope = (
        f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAPENV}" xmlns="{M}"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<env:Header><SessionHeader><sessionId>{session}</sessionId></SessionHeader>{headers}</env:Header>"
        f"<env:Body>{body}</env:Body></env:Envelope>"
    )
    return requests.post(
        f"{salesforce.base_url}/services/Soap/m/{API_VERSION}",
        data=envelope.encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        timeout=10,
    )


def _read(salesforce: Any, session: str) -> ET.Element:
    answer = _call(
        salesforce, session, f"<readMetadata><type>ConnectedApp</type><fullNames>{APP}</fullNames></readMetadata>"
    )
    assert answer.status_code == 200, answer.text
    record = ET.fromstring(answer.content).find(f".//{{{M}}}result/{{{M}}}records")
    assert record is not None
    return record


def _update(salesforce: Any, session: str, record: ET.Element) -> ET.Element:
    record.tag = f"{{{M}}}metadata"
    record.set("{http://www.w3.org/2001/XMLSchema-instance}type", "ConnectedApp")
    call = ET.Element(f"{{{M}}}updateMetadata")
    call.append(record)
    answer = _call(salesforce, session, ET.tostring(call, encoding="unicode"))
    assert answer.status_code == 200, answer.text
    result = ET.fromstring(answer.content).find(f".//{{{M}}}result")
    assert result is not None
    return result


def _sign_in(salesforce: Any, key_pair: Any, username: str = SUBJECT) -> dict[str, Any]:
    claims = {
        "iss": CONSUMER_KEY,
        "sub": username,
        "aud": "https://login.salesforce.com",
        "exp": int(time.time()) + 60,
        "jti": uuid.uuid4().hex,
    }
    assertion = jwt.encode(claims, key_pair.private_key_pem, algorithm="RS256")
    answer = requests.post(
        salesforce.auth_endpoint, data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion}, timeout=10
    )
    return answer.json()


@pytest.fixture
def scv_org(salesforce: Any) -> str:
    """An org shaped like SCV's: its app without a certificate, a consumer key only the org knows; an admin."""
    salesforce.add_profile(ADMIN_PROFILE)
    salesforce.add_user(ADMIN, profile=ADMIN_PROFILE)
    salesforce.add_user(SUBJECT, profile=ADMIN_PROFILE)
    salesforce.add_connected_app(APP, label="SCV Acme Connected App for RestAPI OAuth", consumer_key=CONSUMER_KEY)
    return salesforce.issue_session(ADMIN)


def test_read_returns_the_record_with_its_consumer_key(salesforce: Any, scv_org: str) -> None:
    record = _read(salesforce, scv_org)

    assert record.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "ConnectedApp"
    assert record.findtext(f"{{{M}}}fullName") == APP
    assert record.findtext(f"{{{M}}}oauthConfig/{{{M}}}consumerKey") == CONSUMER_KEY
    assert record.find(f"{{{M}}}oauthConfig/{{{M}}}certificate") is None


def test_list_names_the_connected_apps(salesforce: Any, scv_org: str) -> None:
    answer = _call(
        salesforce,
        scv_org,
        "<listMetadata><queries><type>ConnectedApp</type></queries><asOfVersion>60.0</asOfVersion></listMetadata>",
    )

    names = [element.text for element in ET.fromstring(answer.content).iter(f"{{{M}}}fullName")]
    assert names == [APP]


def test_an_update_with_the_consumer_key_fails_and_changes_nothing(
    salesforce: Any, scv_org: str, rsa_key_pair: Any
) -> None:
    record = _read(salesforce, scv_org)
    ET.SubElement(record.find(f"{{{M}}}oauthConfig"), f"{{{M}}}certificate").text = rsa_key_pair.certificate_pem

    result = _update(salesforce, scv_org, record)

    assert result.findtext(f"{{{M}}}success") == "false"
    assert result.findtext(f"{{{M}}}errors/{{{M}}}message") == "You cannot provide a Consumer Key"
    assert salesforce.metadata_updates == 0
    assert _read(salesforce, scv_org).find(f"{{{M}}}oauthConfig/{{{M}}}certificate") is None


def test_the_token_endpoint_follows_the_apps_certificate_and_profiles(
    salesforce: Any, scv_org: str, rsa_key_pair: Any, other_rsa_key_pair: Any
) -> None:
    assert _sign_in(salesforce, rsa_key_pair)["error_description"] == INVALID_ASSERTION.description  # no certificate
    record = _read(salesforce, scv_org)
    oauth = record.find(f"{{{M}}}oauthConfig")
    oauth.remove(oauth.find(f"{{{M}}}consumerKey"))
    ET.SubElement(oauth, f"{{{M}}}certificate").text = rsa_key_pair.certificate_pem
    assert _update(salesforce, scv_org, record).findtext(f"{{{M}}}success") == "true"
    assert _sign_in(salesforce, rsa_key_pair)["error_description"] == NOT_ADMIN_APPROVED.description

    record = _read(salesforce, scv_org)
    record.find(f"{{{M}}}oauthConfig").remove(record.find(f"{{{M}}}oauthConfig/{{{M}}}consumerKey"))
    record.find(f"{{{M}}}oauthConfig/{{{M}}}isAdminApproved").text = "true"
    ET.SubElement(record, f"{{{M}}}profileName").text = ADMIN_PROFILE
    assert _update(salesforce, scv_org, record).findtext(f"{{{M}}}success") == "true"

    assert "access_token" in _sign_in(salesforce, rsa_key_pair)
    assert _sign_in(salesforce, other_rsa_key_pair)["error_description"] == INVALID_ASSERTION.description
    assert _read(salesforce, scv_org).findtext(f"{{{M}}}oauthConfig/{{{M}}}consumerKey") == CONSUMER_KEY  # the org's


@pytest.mark.parametrize(
    ("permissions", "fault"),
    [((), "sf:INSUFFICIENT_ACCESS"), ((MODIFY_METADATA, CUSTOMIZE_APPLICATION), None)],
)
def test_a_session_without_the_rights_is_refused(
    salesforce: Any, scv_org: str, permissions: tuple[str, ...], fault: str | None
) -> None:
    salesforce.add_profile("Standard User", permissions)
    salesforce.add_user("agent@example.com", profile="Standard User")
    session = salesforce.issue_session("agent@example.com")
    if fault:
        answer = _call(salesforce, session, "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")
        assert answer.status_code == 500
        assert ET.fromstring(answer.content).findtext(".//faultcode") == fault
        return
    record = _read(salesforce, session)  # may read, may not change the profiles
    record.find(f"{{{M}}}oauthConfig").remove(record.find(f"{{{M}}}oauthConfig/{{{M}}}consumerKey"))
    ET.SubElement(record, f"{{{M}}}profileName").text = ADMIN_PROFILE
    result = _update(salesforce, session, record)
    assert result.findtext(f"{{{M}}}errors/{{{M}}}statusCode") == "INSUFFICIENT_ACCESS"
    assert salesforce.metadata_updates == 0


def test_an_invalid_session_gets_the_soap_fault(salesforce: Any, scv_org: str) -> None:
    salesforce.revoke_tokens()

    answer = _call(salesforce, scv_org, "<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>")

    assert answer.status_code == 500
    assert ET.fromstring(answer.content).findtext(".//faultcode") == "sf:INVALID_SESSION_ID"


def test_the_user_query_gives_the_localized_profile_name(salesforce: Any, scv_org: str) -> None:
    answer = requests.get(
        f"{salesforce.rest_base()}/query",
        params={"q": f"SELECT Id, Profile.Name FROM User WHERE Username = '{SUBJECT}'"},
        headers={"Authorization": f"Bearer {scv_org}"},
        timeout=10,
    )

    (record,) = answer.json()["records"]
    assert record["Profile"]["Name"] == ADMIN_PROFILE
    assert record["attributes"]["type"] == "User"
