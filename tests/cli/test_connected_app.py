"""scvctl.connected_app: the guide's edits to a ConnectedApp record, a table of starting points."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from scv_seeder import connected_app
from scv_seeder.connected_app import CALLBACK_URL, METADATA_NAMESPACE, tag

PROFILE = "システム管理者"


def _record(oauth: str = "", rest: str = "") -> ET.Element:
    return ET.fromstring(  # noqa: S314 - the test's own XML
        f'<records xmlns="{METADATA_NAMESPACE}"><fullName>App</fullName><contactEmail>a@example.com</contactEmail>'
        f"<label>App</label>{oauth}<oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation>"
        f"<refreshTokenPolicy>infinite</refreshTokenPolicy></oauthPolicy>{rest}</records>"
    )


def _children(element: ET.Element) -> list[str]:
    return [child.tag.rpartition("}")[2] for child in element]


@pytest.mark.parametrize(
    ("oauth", "rest", "fields"),
    [
        (  # SCV's app: no certificate, self-authorize, one callback, api only, another profile
            "<oauthConfig><callbackUrl>https://x/cb</callbackUrl><consumerKey>K</consumerKey>"
            "<isAdminApproved>false</isAdminApproved><scopes>Api</scopes></oauthConfig>",
            "<profileName>Other</profileName>",
            ["Use digital signatures", "Permitted Users", "Callback URL", "Selected OAuth Scopes", "Profiles"],
        ),
        (  # no OAuth settings at all
            "",
            "",
            ["Use digital signatures", "Permitted Users", "Callback URL", "Selected OAuth Scopes", "Profiles"],
        ),
        (  # everything but the certificate already as the guide says
            f"<oauthConfig><callbackUrl>{CALLBACK_URL}</callbackUrl><consumerKey>K</consumerKey>"
            "<isAdminApproved>true</isAdminApproved><scopes>Api</scopes><scopes>RefreshToken</scopes></oauthConfig>",
            f"<profileName>{PROFILE}</profileName>",
            ["Use digital signatures"],
        ),
    ],
    ids=["scv-app", "no-oauth", "certificate-only"],
)
def test_the_plan_adds_what_is_missing_and_keeps_what_is_there(
    oauth: str, rest: str, fields: list[str], rsa_key_pair: Any
) -> None:
    record = _record(oauth, rest)

    changed, changes = connected_app.planned(record, certificate_pem=rsa_key_pair.certificate_pem, profile=PROFILE)

    assert [change.field for change in changes] == fields
    assert connected_app.changed_fields(record, changed) <= connected_app.INTENDED_FIELDS
    profiles = [element.text for element in changed.findall(tag("profileName"))]
    assert profiles[-1] == PROFILE and set(profiles) >= {e.text for e in record.findall(tag("profileName"))}
    assert CALLBACK_URL in changed.findtext(f"{tag('oauthConfig')}/{tag('callbackUrl')}").split()
    order = _children(changed)
    assert order.index("oauthConfig") < order.index("oauthPolicy") < order.index("profileName")  # the WSDL's order
    oauth_order = _children(changed.find(tag("oauthConfig")))
    assert oauth_order.index("callbackUrl") < oauth_order.index("certificate") < oauth_order.index("isAdminApproved")
    assert connected_app.planned(changed, certificate_pem=rsa_key_pair.certificate_pem, profile=PROFILE)[1] == []


def test_the_consumer_key_never_leaves_in_an_update_or_a_file(rsa_key_pair: Any) -> None:
    record = _record(
        "<oauthConfig><callbackUrl>https://x/cb</callbackUrl><consumerKey>ORGKEY</consumerKey></oauthConfig>"
    )

    stripped = connected_app.without_consumer_key(record)
    saved = connected_app.as_file(record)

    assert connected_app.consumer_key(record) == "ORGKEY"
    assert connected_app.consumer_key(stripped) == ""
    assert "ORGKEY" not in saved
    reread = connected_app.from_file(saved, "saved.xml")
    reread.tag = tag("records")
    assert connected_app.changed_fields(stripped, reread) == set()
