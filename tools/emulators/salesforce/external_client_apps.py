"""External Client Apps: their Metadata API types and the Connect REST resources that give out the consumer key.

SCV contact centers made from Summer '26 on use an External Client App (ECA) instead of a connected app.
Its OAuth settings are split over metadata types, each a component whose ``externalClientApplication``
names the app (Salesforce's Metadata API Developer Guide):

* ``ExternalClientApplication`` (``label``, ``contactEmail``, ``distributionState``, ...);
* ``ExtlClntAppGlobalOauthSettings`` (``callbackUrl``, ``certificate`` (v60+), ``consumerKey``, ...): an
  update that carries ``consumerKey`` fails as a connected app's does, and a read leaves out the consumer
  key and secret (the "Metadata Secrets Protection" of External Client App Settings);
* ``ExtlClntAppOauthConfigurablePolicies`` (``permittedUsersPolicyType`` ``AdminApprovedPreAuthorized`` or
  ``AllSelfAuthorized``, ``commaSeparatedProfile``, ``commaSeparatedPermissionSet``);
* ``ExtlClntAppOauthSettings`` (``commaSeparatedOauthScopes``).

The SOAP calls are :mod:`~tools.emulators.salesforce.metadata`'s; this module keeps the apps and answers
for these types. The consumer key comes over REST: ``GET /apps/oauth/usage`` lists the apps
(``{"apps": [{"developerName", "identifier", "label"}]}``), ``/apps/oauth/credentials/{appId}`` their
consumers (``{"consumers": [{"id", "key", "name", "url"}]}``) and ``.../{consumerId}?part=key|secret|
keyandsecret`` the parts asked for (the key when ``part`` is left out). When "Allow access to External
Client App consumer secrets via REST API" is off for the app, the credentials resources answer 403
``FUNCTIONALITY_NOT_ENABLED``. The token endpoint accepts an ECA's assertions when they are signed with the
key of the certificate in its global settings and the subject's profile is pre-authorized by its policies
(``commaSeparatedProfile``; permission sets are not modeled).
"""

from __future__ import annotations

import copy
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce.ids import salesforce_id
from tools.emulators.salesforce.responses import NOT_FOUND, api_error, json_response

METADATA = "http://soap.sforce.com/2006/04/metadata"

APPLICATION = "ExternalClientApplication"
GLOBAL_OAUTH = "ExtlClntAppGlobalOauthSettings"
OAUTH_POLICIES = "ExtlClntAppOauthConfigurablePolicies"
OAUTH_SETTINGS = "ExtlClntAppOauthSettings"
#: each type and the suffix Salesforce's source format gives its component's fullName
COMPONENT_SUFFIXES = {
    APPLICATION: "",
    GLOBAL_OAUTH: "_glbloauth",
    OAUTH_POLICIES: "_oauthPlcy",
    OAUTH_SETTINGS: "_oauth",
}
ADMIN_APPROVED = "AdminApprovedPreAuthorized"
SECRET_FIELDS = ("consumerKey", "consumerSecret")

KEY_ACCESS_OFF = (403, "FUNCTIONALITY_NOT_ENABLED", "This feature is not currently enabled for this user.")


def _tag(name: str) -> str:
    return f"{{{METADATA}}}{name}"


@dataclass
class ExternalClientApp:
    """One ECA: its components (as a read returns them, without secrets) and what only the org knows."""

    name: str
    app_id: str
    consumer_id: str
    consumer_key: str
    consumer_secret: str
    key_access: bool
    components: dict[str, ET.Element]


def new_external_client_app(
    name: str,
    *,
    label: str,
    consumer_key: str,
    callback_url: str,
    scopes: Iterable[str],
    profiles: Iterable[str],
    certificate_pem: str | None,
    admin_approved: bool,
    consumer_key_access: bool,
    contact_email: str,
) -> ExternalClientApp:
    """An ECA as SCV's setup leaves it (no certificate unless given), with its components' fields."""
    fields: dict[str, list[tuple[str, str]]] = {
        APPLICATION: [
            ("contactEmail", contact_email),
            ("distributionState", "Local"),
            ("isProtected", "false"),
            ("label", label),
        ],
        GLOBAL_OAUTH: [
            ("callbackUrl", callback_url),
            *([("certificate", certificate_pem.strip())] if certificate_pem else []),
            ("externalClientApplication", name),
            ("isConsumerSecretOptional", "false"),
            ("isPkceRequired", "true"),
            ("isSecretRequiredForRefreshToken", "true"),
            ("label", label),
        ],
        OAUTH_POLICIES: [
            *([("commaSeparatedProfile", ", ".join(profiles))] if profiles else []),
            ("externalClientApplication", name),
            ("ipRelaxationPolicyType", "Enforce"),
            ("label", label),
            ("permittedUsersPolicyType", ADMIN_APPROVED if admin_approved else "AllSelfAuthorized"),
            ("refreshTokenPolicyType", "Infinite"),
        ],
        OAUTH_SETTINGS: [
            ("commaSeparatedOauthScopes", ", ".join(scopes)),
            ("externalClientApplication", name),
            ("label", label),
        ],
    }
    components = {}
    for metadata_type, values in fields.items():
        record = ET.Element(_tag("records"))
        ET.SubElement(record, _tag("fullName")).text = name + COMPONENT_SUFFIXES[metadata_type]
        for field_name, value in values:
            ET.SubElement(record, _tag(field_name)).text = value
        components[metadata_type] = record
    return ExternalClientApp(
        name=name,
        app_id=salesforce_id("ExternalClientApplication"),
        consumer_id=salesforce_id("ConnectedApplication"),
        consumer_key=consumer_key,
        consumer_secret=secrets.token_hex(32),
        key_access=consumer_key_access,
        components=components,
    )


def component_names(app: ExternalClientApp, metadata_type: str) -> str:
    return app.name + COMPONENT_SUFFIXES[metadata_type]


def token_endpoint_view(app: ExternalClientApp) -> tuple[str | None, list[str] | None]:
    """(certificate PEM, pre-authorized profile names) the token endpoint checks; None profiles: nobody."""
    certificate = app.components[GLOBAL_OAUTH].findtext(_tag("certificate"))
    policies = app.components[OAUTH_POLICIES]
    if policies.findtext(_tag("permittedUsersPolicyType")) != ADMIN_APPROVED:
        return certificate, None
    profiles = [name.strip() for name in (policies.findtext(_tag("commaSeparatedProfile")) or "").split(",")]
    return certificate, [name for name in profiles if name]


def update_refusal(metadata_type: str, record: ET.Element) -> tuple[str, str] | None:
    """Salesforce's reason to refuse an ECA component's update for what it carries (statusCode, message)."""
    if metadata_type == GLOBAL_OAUTH and record.find(_tag("consumerKey")) is not None:
        return ("FIELD_INTEGRITY_EXCEPTION", "You cannot provide a Consumer Key")
    if not (record.findtext(_tag("externalClientApplication")) or "").strip() and metadata_type != APPLICATION:
        return ("REQUIRED_FIELD_MISSING", "Required field is missing: externalClientApplication")
    if metadata_type == GLOBAL_OAUTH and not (record.findtext(_tag("callbackUrl")) or "").strip():
        return ("REQUIRED_FIELD_MISSING", "Required field is missing: callbackUrl")
    return None


def stored(record: ET.Element) -> ET.Element:
    """An update's record as a read returns it: tag ``records``, no xsi:type, no secrets."""
    copied = copy.deepcopy(record)
    copied.tag = _tag("records")
    copied.attrib.clear()
    for name in SECRET_FIELDS:
        for element in copied.findall(_tag(name)):
            copied.remove(element)
    return copied


def profiles_of(metadata_type: str, record: ET.Element | None) -> list[str]:
    if metadata_type != OAUTH_POLICIES or record is None:
        return []
    text = record.findtext(_tag("commaSeparatedProfile")) or ""
    return sorted(name.strip() for name in text.split(",") if name.strip())


def oauth_apps_resource(apps: list[ExternalClientApp], request: Request, parts: list[str], base: str) -> Response:
    """``/apps/oauth/usage``, ``/apps/oauth/credentials/{appId}`` and ``.../{consumerId}`` (GET)."""
    if parts == ["apps", "oauth", "usage"]:
        listed: list[dict[str, Any]] = [
            {
                "developerName": app.name,
                "identifier": app.app_id,
                "label": app.components[APPLICATION].findtext(_tag("label")),
                "type": APPLICATION,
            }
            for app in sorted(apps, key=lambda app: app.name)
        ]
        return json_response(200, {"apps": listed, "currentPageUrl": f"{base}/apps/oauth/usage", "nextPageUrl": None})
    app = next((app for app in apps if len(parts) > 3 and app.app_id[:15] == parts[3][:15]), None)
    if parts[:3] != ["apps", "oauth", "credentials"] or app is None or len(parts) > 5:
        return json_response(404, NOT_FOUND)
    if not app.key_access:
        return api_error(*KEY_ACCESS_OFF)
    url = f"{base}/apps/oauth/credentials/{app.app_id}/{app.consumer_id}"
    if len(parts) == 4:
        consumer = {"id": app.consumer_id, "key": app.consumer_key, "name": app.name, "url": url}
        return json_response(200, {"consumers": [consumer]})
    if parts[4][:15] != app.consumer_id[:15]:
        return json_response(404, NOT_FOUND)
    part = request.args.get("part", "key").lower()
    if part not in ("key", "secret", "keyandsecret"):
        return api_error(400, "INVALID_INPUT", f"Invalid value for part: {part}")
    answer: dict[str, Any] = {"id": app.consumer_id}
    if part in ("key", "keyandsecret"):
        answer["key"] = app.consumer_key
    if part in ("secret", "keyandsecret"):
        answer["secret"] = app.consumer_secret
    return json_response(200, answer)
