"""The setup guide's edits for an External Client App (ECA): the same change as scv_seeder.connected_app's,
made to the ECA's metadata components, and the consumer key read over the credentials REST resources.

SCV contact centers made from Summer '26 on have an ECA instead of a connected app. Its OAuth settings are
split over components whose ``externalClientApplication`` names the app (Salesforce's Metadata API
Developer Guide): ``ExtlClntAppGlobalOauthSettings`` (``callbackUrl``, ``certificate``, ``consumerKey``),
``ExtlClntAppOauthConfigurablePolicies`` (``permittedUsersPolicyType``, ``commaSeparatedProfile``) and
``ExtlClntAppOauthSettings`` (``commaSeparatedOauthScopes``); ``ExternalClientApplication`` holds the label.
Here the app is one element, the *bundle*: the root :data:`BUNDLE` holds one child per component, tagged with
its metadata type, so scv_seeder.connected_app's field comparison reads ``ExtlClntAppGlobalOauthSettings/
certificate`` as a field path. The components are updated in one all-or-none updateMetadata, without
``consumerKey``; the key comes from ``/apps/oauth/credentials/{appId}/{consumerId}?part=key`` (the key
only, never the secret), which refuses (``FUNCTIONALITY_NOT_ENABLED``) while the org does not allow it.

Which app: ``--app NAME`` (the ECA's API name), else the one ECA whose API name or label contains
connected_app.SCV_APP_MARK or the contact center's name. The functions mirror connected_app's, so
``scvctl salesforce connect``, ``scvctl key rotate --upload`` and the rotation function take either.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from scv_seeder.connected_app import (
    CALLBACK_URL,
    REQUIRED_SCOPES,
    SCV_APP_MARK,
    Change,
    ConnectedAppError,
)
from scv_seeder.credentials import fingerprint
from scv_seeder.metadata_api import METADATA_NAMESPACE, MetadataApi, MetadataApiError
from scv_seeder.metadata_xml import changed_fields, tag

KIND = "External Client App"
#: the suffix of the file ``--apply`` saves
FILE_SUFFIX = "externalClientAppBundle"
APPLICATION = "ExternalClientApplication"
GLOBAL_OAUTH = "ExtlClntAppGlobalOauthSettings"
OAUTH_POLICIES = "ExtlClntAppOauthConfigurablePolicies"
OAUTH_SETTINGS = "ExtlClntAppOauthSettings"
#: the components this module reads and may write, in the order they are updated
OAUTH_COMPONENTS = (GLOBAL_OAUTH, OAUTH_POLICIES, OAUTH_SETTINGS)
#: the root of a bundle (and of the file ``--apply`` saves)
BUNDLE = "ExternalClientAppBundle"
ADMIN_APPROVED = "AdminApprovedPreAuthorized"
#: the Setup switch the credentials resources need, as the English and the Japanese Setup name it
KEY_ACCESS_SETTING = (
    "Setup > External Client App Settings > 'Allow access to External Client App consumer secrets via REST API' "
    "(設定 > 外部クライアントアプリケーションの設定 >"
    "「REST API を介して外部クライアントアプリケーションのコンシューマーの秘密へのアクセスを許可」)"
)
#: the only fields ``salesforce connect`` may change; a read afterwards must differ in these alone
INTENDED_FIELDS = frozenset(
    {
        f"{GLOBAL_OAUTH}/callbackUrl",
        f"{GLOBAL_OAUTH}/certificate",
        f"{OAUTH_POLICIES}/permittedUsersPolicyType",
        f"{OAUTH_POLICIES}/commaSeparatedProfile",
        f"{OAUTH_SETTINGS}/commaSeparatedOauthScopes",
    }
)
#: a certificate upload (a key rotation) may change this field only
CERTIFICATE_FIELDS = frozenset({f"{GLOBAL_OAUTH}/certificate"})
_SECRET_FIELDS = ("consumerKey", "consumerSecret")


def bundle(components: dict[str, ET.Element]) -> ET.Element:
    """One element for the app: a child per component, tagged with its metadata type."""
    root = ET.Element(tag(BUNDLE))
    for metadata_type in (APPLICATION, *OAUTH_COMPONENTS):
        component = copy.deepcopy(components[metadata_type])
        component.tag = tag(metadata_type)
        component.attrib.clear()
        root.append(component)
    return root


def component(app: ET.Element, metadata_type: str) -> ET.Element:
    found = app.find(tag(metadata_type))
    if found is None:
        raise ConnectedAppError(f"External Client App {full_name(app)} has no {metadata_type}", code="NO_OAUTH")
    return found


def full_name(app: ET.Element) -> str:
    return app.findtext(f"{tag(APPLICATION)}/{tag('fullName')}") or ""


def label(app: ET.Element) -> str:
    return app.findtext(f"{tag(APPLICATION)}/{tag('label')}") or ""


def planned(app: ET.Element, *, certificate_pem: str, profile: str) -> tuple[ET.Element, list[Change]]:
    """The app with the guide's settings, and the changes that makes (empty when it has them all)."""
    changed, changes = with_certificate(app, certificate_pem)
    policies = component(changed, OAUTH_POLICIES)
    if policies.findtext(tag("permittedUsersPolicyType")) != ADMIN_APPROVED:
        _set(policies, "permittedUsersPolicyType", ADMIN_APPROVED)
        changes.append(
            Change("Permitted Users", "All users may self-authorize", "Admin approved users are pre-authorized")
        )

    global_oauth = component(changed, GLOBAL_OAUTH)
    callbacks = (global_oauth.findtext(tag("callbackUrl")) or "").split()
    if CALLBACK_URL not in callbacks:
        _set(global_oauth, "callbackUrl", "\n".join([*callbacks, CALLBACK_URL]))
        changes.append(Change("Callback URL", ", ".join(callbacks) or "(none)", ", ".join([*callbacks, CALLBACK_URL])))

    settings = component(changed, OAUTH_SETTINGS)
    scopes = _comma_separated(settings, "commaSeparatedOauthScopes")
    missing_scopes = [scope for scope in REQUIRED_SCOPES if scope not in scopes]
    if missing_scopes:
        _set(settings, "commaSeparatedOauthScopes", ",".join(scopes + missing_scopes))
        changes.append(
            Change("Selected OAuth Scopes", ", ".join(scopes) or "(none)", ", ".join(scopes + missing_scopes))
        )

    profiles = _comma_separated(policies, "commaSeparatedProfile")
    if profile not in profiles:
        _set(policies, "commaSeparatedProfile", ",".join([*profiles, profile]))
        changes.append(Change("Profiles", ", ".join(profiles) or "(none)", ", ".join([*profiles, profile])))
    return changed, changes


def with_certificate(app: ET.Element, certificate_pem: str) -> tuple[ET.Element, list[Change]]:
    """The app with another certificate only (a key rotation's upload)."""
    changed = copy.deepcopy(app)
    global_oauth = component(changed, GLOBAL_OAUTH)
    current = (global_oauth.findtext(tag("certificate")) or "").strip()
    if "".join(current.split()) == "".join(certificate_pem.split()):
        return changed, []
    _set(global_oauth, "certificate", certificate_pem.strip())
    return changed, [Change("Use digital signatures", fingerprint(current), fingerprint(certificate_pem))]


def without_consumer_key(app: ET.Element) -> ET.Element:
    """The app as an update may carry it (and a file may keep it): no consumerKey, no consumerSecret."""
    stripped = copy.deepcopy(app)
    for child in stripped:
        for name in _SECRET_FIELDS:
            for element in child.findall(tag(name)):
                child.remove(element)
    return stripped


def find_app(api: MetadataApi, name: str | None, contact_center: str) -> ET.Element:
    """The ECA named ``name``, else the one whose API name or label contains SCV's mark or ``contact_center``."""
    where = api.instance_url
    names = [name] if name else api.list_metadata(APPLICATION)
    applications = api.read_metadata(APPLICATION, names)
    if name and name not in applications:
        raise ConnectedAppError(
            f"no connected app or External Client App named {name} in {where}: check --app against the API name "
            f"in Setup > App Manager or External Client App Manager, or leave --app out",
            code="NOT_FOUND",
        )
    marks = (SCV_APP_MARK.lower(), contact_center.lower())
    matches = [
        app_name
        for app_name, record in sorted(applications.items())
        if name
        or any(
            mark in app_name.replace("_", " ").lower() or mark in (record.findtext(tag("label")) or "").lower()
            for mark in marks
        )
    ]
    if not matches:
        raise ConnectedAppError(
            f"no connected app or External Client App named '... {SCV_APP_MARK}' or after contact center "
            f"{contact_center} in {where}: pass --app NAME (its API name in Setup > App Manager or External Client "
            "App Manager), or check that the session is the contact center's org",
            code="NOT_FOUND",
        )
    if len(matches) > 1:
        raise ConnectedAppError(
            f"several External Client Apps match '{SCV_APP_MARK}' or {contact_center} ({', '.join(matches)}): "
            "choose one with --app NAME",
            code="SEVERAL",
        )
    return _read_bundle(api, matches[0], applications[matches[0]])


def _read_bundle(api: MetadataApi, app_name: str, application: ET.Element) -> ET.Element:
    components = {APPLICATION: application}
    for metadata_type in OAUTH_COMPONENTS:
        records = api.read_metadata(metadata_type, api.list_metadata(metadata_type))
        owned = [record for record in records.values() if record.findtext(tag("externalClientApplication")) == app_name]
        if len(owned) != 1:
            raise ConnectedAppError(
                f"External Client App {app_name} has {len(owned) or 'no'} {metadata_type} components: enable its "
                "OAuth settings in Setup > External Client App Manager, then run this again",
                code="NO_OAUTH",
            )
        components[metadata_type] = owned[0]
    return bundle(components)


def read_consumer_key(api: MetadataApi, app: ET.Element) -> str:
    """The ECA's consumer key from the credentials resources, asking for the key only (never the secret).

    A ConnectedAppError ``KEY_ACCESS`` when the org refuses (the Setup switch :data:`KEY_ACCESS_SETTING`).
    """
    name = full_name(app)
    try:
        listed = api.get("/apps/oauth/usage").get("apps", [])
        app_id = next((entry.get("identifier") for entry in listed if entry.get("developerName") == name), None)
        if not app_id:
            raise ConnectedAppError(
                f"the OAuth usage resource does not list External Client App {name}: check that its OAuth "
                "settings are enabled",
                code="NOT_FOUND",
            )
        consumers = api.get(f"/apps/oauth/credentials/{app_id}").get("consumers", [])
        if len(consumers) != 1:
            raise ConnectedAppError(
                f"External Client App {name} has {len(consumers)} OAuth consumers, not one: copy the consumer key in "
                f"Setup and run `scvctl consumer-key set`",
                code="NOT_FOUND",
            )
        answer = api.get(f"/apps/oauth/credentials/{app_id}/{consumers[0]['id']}", {"part": "key"})
    except MetadataApiError as error:
        if error.code == "FUNCTIONALITY_NOT_ENABLED":
            raise ConnectedAppError(
                f"Salesforce does not give out the consumer key of External Client App {name} ({error.message}): "
                f"turn on {KEY_ACCESS_SETTING} and run this again",
                code="KEY_ACCESS",
            ) from None
        raise
    return str(answer.get("key") or "").strip()


def apply_change(api: MetadataApi, before: ET.Element, changed: ET.Element, *, allowed: frozenset[str]) -> ET.Element:
    """Write the components that differ (all or none, without the consumer key) and read the app back.

    A ConnectedAppError ``REFUSED`` when Salesforce refused (nothing changed), ``READ_BACK`` when the read
    differs from ``before`` in more than ``allowed`` or misses part of the change.
    """
    name = full_name(before)
    stripped, unchanged = without_consumer_key(changed), without_consumer_key(before)
    updates = [
        (metadata_type, component(stripped, metadata_type))
        for metadata_type in OAUTH_COMPONENTS
        if changed_fields(component(unchanged, metadata_type), component(stripped, metadata_type))
    ]
    failure = api.update_metadata(updates) if updates else None
    if failure is not None:
        raise ConnectedAppError(
            f"Salesforce refused the update of {name} ({failure.status_code}: {failure.message}); the app is unchanged",
            code="REFUSED",
        )
    application = api.read_metadata(APPLICATION, [name]).get(name)
    if application is None:
        raise ConnectedAppError(f"External Client App {name} could not be read back after the update", code="READ_BACK")
    after = _read_bundle(api, name, application)
    unexpected = changed_fields(before, after) - allowed
    not_applied = changed_fields(stripped, without_consumer_key(after))
    if unexpected or not_applied:
        raise ConnectedAppError(
            f"External Client App {name} read back differs from the intended change in "
            f"{', '.join(sorted(unexpected | not_applied))}",
            code="READ_BACK",
        )
    return after


def as_file(app: ET.Element) -> str:
    """The bundle as a document (what ``--restore`` reads back), without the consumer key."""
    document = without_consumer_key(app)
    ET.indent(document, space="    ")
    body = ET.tostring(document, encoding="unicode", default_namespace=METADATA_NAMESPACE)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def is_file(document: ET.Element) -> bool:
    return document.tag == tag(BUNDLE)


def _comma_separated(parent: ET.Element, name: str) -> list[str]:
    return [value.strip() for value in (parent.findtext(tag(name)) or "").split(",") if value.strip()]


def _set(parent: ET.Element, name: str, value: str) -> None:
    """Set a field, adding it where the WSDL's sequence (alphabetical after fullName) puts it."""
    element = parent.find(tag(name))
    if element is None:
        element = ET.Element(tag(name))
        local = [child.tag.rpartition("}")[2] for child in parent]
        position = sum(1 for child_name in local if child_name == "fullName" or child_name < name)
        parent.insert(position, element)
    element.text = value
