"""The setup guide's connected-app edits as one change to the app's Metadata API record, and the proof of it.

The record is the ``ConnectedApp`` that ``readMetadata`` returns (Salesforce's Metadata WSDL). An update
writes the whole component, so the change is made to what was read and touches only the fields the guide
edits (:data:`INTENDED_FIELDS`); metadata_xml's ``changed_fields`` compares two reads, field by field, and
:func:`apply_change` proves with a second read that the update did that and nothing else.
The consumer key is the org's: it is read from the record, never sent back (Salesforce refuses an update
that carries it: "You cannot provide a Consumer Key"), and never written to a file.

One home for ``scvctl salesforce connect``, ``scvctl key rotate --upload`` and the rotation function
(scv_seeder.rotation), so a manual and a scheduled upload are the same code. The edits are pure functions
over ElementTree elements (namespace-qualified tags); :func:`find_app` and :func:`apply_change` take the
Metadata API client (scv_seeder.metadata_api).
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from scv_seeder.credentials import fingerprint
from scv_seeder.metadata_api import METADATA_NAMESPACE, MetadataApi
from scv_seeder.metadata_xml import changed_fields, insert, set_text, strip_whitespace, tag, texts

#: the setup guide's callback URL (unused by the JWT bearer flow, but an OAuth app must have one)
CALLBACK_URL = "http://localhost:1717/OauthRedirect"
#: what the name or label of the connected app SCV made contains
SCV_APP_MARK = "Connected App for RestAPI OAuth"
KIND = "connected app"
#: the suffix of the file ``--apply`` saves (``<name>-<time>.connectedApp-meta.xml``)
FILE_SUFFIX = "connectedApp"

#: the connected app's fields in the WSDL's order (``ConnectedApp``), where an added one must go
APP_FIELDS = (
    "fullName", "attributes", "canvas", "canvasConfig", "contactEmail", "contactPhone", "description", "iconUrl",
    "infoUrl", "ipRanges", "label", "logoUrl", "mobileAppConfig", "mobileStartUrl", "oauthConfig", "oauthPolicy",
    "permissionSetName", "plugin", "pluginExecutionUser", "profileName", "samlConfig", "sessionPolicy", "startUrl",
)  # fmt: skip
#: ``ConnectedAppOauthConfig``'s fields in the WSDL's order
OAUTH_FIELDS = (
    "assetTokenConfig", "callbackUrl", "certificate", "consumerKey", "consumerSecret", "idTokenConfig",
    "isAdminApproved", "isClientCredentialEnabled", "isCodeCredentialEnabled", "isCodeCredentialPostOnly",
    "isConsumerSecretOptional", "isIntrospectAllTokens", "isNamedUserJwtEnabled", "isPkceRequired",
    "isRefreshTokenRotationEnabled", "isSecretRequiredForRefreshToken", "isSecretRequiredForTokenExchange",
    "isTokenExchangeEnabled", "oauthClientCredentialUser", "scopes", "singleLogoutUrl",
)  # fmt: skip
#: the guide's scopes, api and refresh_token/offline_access, as ``ConnectedAppOauthAccessScope`` names them
REQUIRED_SCOPES = ("Api", "RefreshToken")
#: the only fields ``salesforce connect`` may change; a read afterwards must differ in these alone
INTENDED_FIELDS = frozenset(
    {"oauthConfig/callbackUrl", "oauthConfig/certificate", "oauthConfig/isAdminApproved", "oauthConfig/scopes",
     "profileName"}
)  # fmt: skip


#: a certificate upload (a key rotation) may change this field only
CERTIFICATE_FIELDS = frozenset({"oauthConfig/certificate"})


class ConnectedAppError(ValueError):
    """The app cannot be found or changed as asked; the message names the app and the fix. ``code``:
    ``NOT_FOUND``, ``SEVERAL``, ``NO_OAUTH``, ``REFUSED`` (Salesforce refused the update: nothing changed),
    ``READ_BACK`` (the update took, but a read differs from the intended change), ``BAD_FILE``,
    ``KEY_ACCESS`` (the org does not give out an External Client App's consumer key)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Change:
    """One field the command changes, as the administrator reads it in Setup (no secret in it)."""

    field: str
    before: str
    after: str

    def describe(self) -> str:
        return f"{self.field}: {self.before} -> {self.after}"


def planned(record: ET.Element, *, certificate_pem: str, profile: str) -> tuple[ET.Element, list[Change]]:
    """The record with the guide's settings, and the changes that makes (empty when it has them all)."""
    app = copy.deepcopy(record)
    oauth = app.find(tag("oauthConfig"))
    if oauth is None:
        oauth = insert(app, "oauthConfig", APP_FIELDS)
    changes: list[Change] = []

    current = (oauth.findtext(tag("certificate")) or "").strip()
    if _normalized(current) != _normalized(certificate_pem):
        set_text(oauth, "certificate", certificate_pem.strip(), OAUTH_FIELDS)
        changes.append(Change("Use digital signatures", fingerprint(current), fingerprint(certificate_pem)))

    if oauth.findtext(tag("isAdminApproved")) != "true":
        set_text(oauth, "isAdminApproved", "true", OAUTH_FIELDS)
        changes.append(
            Change("Permitted Users", "All users may self-authorize", "Admin approved users are pre-authorized")
        )

    callbacks = (oauth.findtext(tag("callbackUrl")) or "").split()
    if CALLBACK_URL not in callbacks:
        set_text(oauth, "callbackUrl", "\n".join([*callbacks, CALLBACK_URL]), OAUTH_FIELDS)
        changes.append(Change("Callback URL", ", ".join(callbacks) or "(none)", ", ".join([*callbacks, CALLBACK_URL])))

    scopes = texts(oauth, "scopes")
    missing_scopes = [scope for scope in REQUIRED_SCOPES if scope not in scopes]
    for scope in missing_scopes:
        insert(oauth, "scopes", OAUTH_FIELDS).text = scope
    if missing_scopes:
        changes.append(
            Change("Selected OAuth Scopes", ", ".join(scopes) or "(none)", ", ".join(scopes + missing_scopes))
        )

    profiles = texts(app, "profileName")
    if profile not in profiles:
        insert(app, "profileName", APP_FIELDS).text = profile
        changes.append(Change("Profiles", ", ".join(profiles) or "(none)", ", ".join([*profiles, profile])))
    return app, changes


def with_certificate(record: ET.Element, certificate_pem: str) -> tuple[ET.Element, list[Change]]:
    """The record with another certificate only (a key rotation's upload)."""
    app = copy.deepcopy(record)
    oauth = app.find(tag("oauthConfig"))
    if oauth is None:
        raise ConnectedAppError(
            f"connected app {full_name(record)} has no OAuth settings: run `scvctl salesforce connect` first",
            code="NO_OAUTH",
        )
    current = (oauth.findtext(tag("certificate")) or "").strip()
    if _normalized(current) == _normalized(certificate_pem):
        return app, []
    set_text(oauth, "certificate", certificate_pem.strip(), OAUTH_FIELDS)
    return app, [Change("Use digital signatures", fingerprint(current), fingerprint(certificate_pem))]


def full_name(record: ET.Element) -> str:
    return record.findtext(tag("fullName")) or ""


def label(record: ET.Element) -> str:
    return record.findtext(tag("label")) or ""


def consumer_key(record: ET.Element) -> str:
    return (record.findtext(f"{tag('oauthConfig')}/{tag('consumerKey')}") or "").strip()


def without_consumer_key(record: ET.Element) -> ET.Element:
    """The record as an update may carry it (and a file may keep it): no consumerKey, no consumerSecret."""
    app = copy.deepcopy(record)
    oauth = app.find(tag("oauthConfig"))
    for name in ("consumerKey", "consumerSecret"):
        element = oauth.find(tag(name)) if oauth is not None else None
        if oauth is not None and element is not None:
            oauth.remove(element)
    return app


def as_file(record: ET.Element) -> str:
    """The record as a ``ConnectedApp`` document (what ``--restore`` reads back), without the consumer key."""
    document = without_consumer_key(record)
    document.tag = tag("ConnectedApp")
    document.attrib.clear()
    ET.indent(document, space="    ")
    body = ET.tostring(document, encoding="unicode", default_namespace=METADATA_NAMESPACE)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def parse_saved(text: str, path: str) -> ET.Element:
    """A file ``--apply`` saved (a connected app's or an External Client App's), its layout undone."""
    try:
        document = ET.fromstring(text.encode())  # noqa: S314 - a file --apply wrote (see metadata_api on XML)
    except ET.ParseError as error:
        raise ConnectedAppError(
            f"{path} is not XML ({error}): give a file saved by `scvctl salesforce connect --apply`", code="BAD_FILE"
        ) from None
    strip_whitespace(document)
    return document


def is_file(document: ET.Element) -> bool:
    return document.tag == tag("ConnectedApp")


def read_consumer_key(api: MetadataApi, record: ET.Element) -> str:
    """The consumer key, which a connected app's read carries (the session is not needed)."""
    return consumer_key(record)


def find_app(api: MetadataApi, name: str | None = None) -> ET.Element:
    """The app named ``name``, else the one app whose name or label contains :data:`SCV_APP_MARK`."""
    where = api.instance_url
    if name:
        record = api.read_connected_apps([name]).get(name)
        if record is None:
            raise ConnectedAppError(
                f"no connected app named {name} in {where}: check --app against the API name in Setup > App Manager, "
                f"or leave --app out to find the '{SCV_APP_MARK}' app",
                code="NOT_FOUND",
            )
        return record
    mark = SCV_APP_MARK.lower()
    records = api.read_connected_apps(api.list_connected_apps())
    matches = [
        record
        for app_name, record in sorted(records.items())
        if mark in app_name.replace("_", " ").lower() or mark in label(record).lower()
    ]
    if not matches:
        raise ConnectedAppError(
            f"no connected app named '... {SCV_APP_MARK}' in {where}: pass --app NAME (its API name in Setup > App "
            "Manager), or check that the session is the contact center's org",
            code="NOT_FOUND",
        )
    if len(matches) > 1:
        names = ", ".join(full_name(record) for record in matches)
        raise ConnectedAppError(
            f"several connected apps match '{SCV_APP_MARK}' ({names}): choose one with --app NAME", code="SEVERAL"
        )
    return matches[0]


def apply_change(api: MetadataApi, before: ET.Element, changed: ET.Element, *, allowed: frozenset[str]) -> ET.Element:
    """Write ``changed`` (without its consumer key) and read the app back: the record as the org now has it.

    A ConnectedAppError ``REFUSED`` when Salesforce refused (the app is unchanged), ``READ_BACK`` when the
    read differs from ``before`` in more than ``allowed`` or misses part of the change.
    """
    name = full_name(before)
    failure = api.update_connected_app(without_consumer_key(changed))
    if failure is not None:
        raise ConnectedAppError(
            f"Salesforce refused the update of {name} ({failure.status_code}: {failure.message}); the app is unchanged",
            code="REFUSED",
        )
    after = api.read_connected_apps([name]).get(name)
    if after is None:
        raise ConnectedAppError(f"connected app {name} could not be read back after the update", code="READ_BACK")
    unexpected = changed_fields(before, after) - allowed
    not_applied = changed_fields(without_consumer_key(changed), without_consumer_key(after))
    if unexpected or not_applied:
        raise ConnectedAppError(
            f"connected app {name} read back differs from the intended change in "
            f"{', '.join(sorted(unexpected | not_applied))}",
            code="READ_BACK",
        )
    return after


def _normalized(certificate_pem: str) -> str:
    return "".join(certificate_pem.split())
