"""scv_seeder.connected_app and external_client_app: the guide's edits to an app's records, a table of starting
points, and the files --apply saves."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from scv_seeder import connected_app, external_client_app, metadata_xml, oauth_app
from scv_seeder.connected_app import CALLBACK_URL, METADATA_NAMESPACE
from scv_seeder.metadata_xml import tag

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
    assert metadata_xml.changed_fields(record, changed) <= connected_app.INTENDED_FIELDS
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
    reread = connected_app.parse_saved(saved, "saved.xml")
    assert oauth_app.kind_of_file(reread, "saved.xml") is connected_app
    assert metadata_xml.changed_fields(stripped, reread) == set()


def _eca_bundle(global_fields: str) -> ET.Element:
    def component(name: str, fields: str) -> ET.Element:
        return ET.fromstring(  # noqa: S314 - the test's own XML
            f'<records xmlns="{METADATA_NAMESPACE}"><fullName>{name}</fullName>{fields}</records>'
        )

    owner = "<externalClientApplication>Eca</externalClientApplication><label>Eca</label>"
    return external_client_app.bundle(
        {
            external_client_app.APPLICATION: component("Eca", "<label>Eca</label>"),
            external_client_app.GLOBAL_OAUTH: component("Eca_glbloauth", global_fields + owner),
            external_client_app.OAUTH_POLICIES: component(
                "Eca_oauthPlcy", owner + "<permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType>"
            ),
            external_client_app.OAUTH_SETTINGS: component(
                "Eca_oauth", "<commaSeparatedOauthScopes>Api</commaSeparatedOauthScopes>" + owner
            ),
        }
    )


def test_an_external_client_app_gets_the_same_edits_and_its_key_never_leaves(rsa_key_pair: Any) -> None:
    app = _eca_bundle("<callbackUrl>https://x/cb</callbackUrl><consumerKey>ORGKEY</consumerKey>")

    changed, changes = external_client_app.planned(app, certificate_pem=rsa_key_pair.certificate_pem, profile=PROFILE)
    saved = external_client_app.as_file(changed)

    assert [change.field for change in changes] == [
        "Use digital signatures",
        "Permitted Users",
        "Callback URL",
        "Selected OAuth Scopes",
        "Profiles",
    ]
    assert metadata_xml.changed_fields(app, changed) == external_client_app.INTENDED_FIELDS
    global_order = _children(changed.find(tag(external_client_app.GLOBAL_OAUTH)))
    assert global_order.index("callbackUrl") < global_order.index("certificate") < global_order.index("consumerKey")
    assert "ORGKEY" not in saved
    reread = connected_app.parse_saved(saved, "saved.xml")
    assert oauth_app.kind_of_file(reread, "saved.xml") is external_client_app
    assert metadata_xml.changed_fields(external_client_app.without_consumer_key(changed), reread) == set()
    assert external_client_app.planned(changed, certificate_pem=rsa_key_pair.certificate_pem, profile=PROFILE)[1] == []
