"""An External Client App as Salesforce metadata, ready for ``sf project deploy start``.

Since Spring '26 new connected apps cannot be created in most orgs; the External Client App (ECA) is
their successor and, unlike the Setup pages, it can be deployed from source. The bundle carries the
contact center's public certificate (``ExtlClntAppGlobalOauthSettings.certificate``, API 60.0+,
which enables the JWT bearer flow), only the api scope, a confidential client's settings, and the "Admin
approved users are pre-authorized" policy. Salesforce generates the consumer key on deploy; it is copied back with
``scvctl consumer-key set``.

XML is built with ElementTree so every value is escaped; the layout is an SFDX project (``force-app``
source format, ``sfdx-project.json``) plus a ``package.xml`` manifest.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from scv_seeder.metadata_api import METADATA_NAMESPACE

from scvctl.errors import CliError

#: an OAuth app must have a callback URL, though the JWT bearer flow never redirects: Salesforce's own success
#: page, so no program on a user's machine (the guide's http://localhost:1717) could catch an authorization code
CALLBACK_URL = "https://login.salesforce.com/services/oauth2/success"
#: metadata name of the one scope the JWT bearer flow needs (api). The guide also lists refresh_token, which this
#: flow never uses: it issues no refresh token, and "Admin approved users are pre-authorized" replaces the consent
#: that scope would carry
OAUTH_SCOPES = "Api"
#: a confidential client only: the consumer secret is required (never optional), PKCE is required for any
#: authorization-code request, and a refresh token (none is issued) would need the secret too
CONFIDENTIAL_CLIENT_SETTINGS = (
    ("isConsumerSecretOptional", "false"),
    ("isPkceRequired", "true"),
    ("isSecretRequiredForRefreshToken", "true"),
)
#: the certificate field of the global OAuth settings exists from API 60.0
MIN_API_VERSION = 60.0
SOURCE_ROOT = "force-app/main/default"
CONTACT_EMAIL_PLACEHOLDER = "change-me@example.com"

_DEVELOPER_NAME = re.compile(r"[A-Za-z](?!.*__)[A-Za-z0-9_]{0,39}(?<!_)")


@dataclass(frozen=True)
class AppSpec:
    """What the bundle describes; ``name`` is the ECA's API (developer) name."""

    name: str
    label: str
    description: str
    contact_email: str
    certificate_pem: str
    api_version: str
    profiles: tuple[str, ...] = field(default_factory=tuple)
    permission_sets: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not _DEVELOPER_NAME.fullmatch(self.name):
            raise CliError(
                f"--name {self.name!r} is not a Salesforce API name: start with a letter, use letters, digits and "
                "single underscores, no trailing underscore, at most 40 characters"
            )
        if "@" not in self.contact_email:
            raise CliError(f"--contact-email {self.contact_email!r} is not an email address")
        for kind, names in (("profile", self.profiles), ("permission set", self.permission_sets)):
            for name in names:
                if not name.strip() or "," in name:
                    raise CliError(f"{kind} name {name!r} must be non-empty and contain no comma")


def default_app_name(contact_center: str) -> str:
    """``<cc>_RestAPI`` with the characters an API name cannot have turned into single underscores."""
    base = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9]", "_", contact_center)).strip("_")
    return f"{base[:32]}_RestAPI"


def deploy_api_version(configured: str) -> str:
    """The contact center's API version, raised to 60.0 where the certificate field needs it."""
    return configured if float(configured) >= MIN_API_VERSION else f"{MIN_API_VERSION:.1f}"


def bundle_files(spec: AppSpec) -> dict[str, str]:
    """Relative path -> content of every metadata file (README.md is added by the caller)."""
    oauth, global_oauth, policies = f"{spec.name}_oauth", f"{spec.name}_glbloauth", f"{spec.name}_oauthPlcy"
    policy_fields: list[tuple[str, str]] = []
    if spec.permission_sets:
        policy_fields.append(("commaSeparatedPermissionSet", ",".join(spec.permission_sets)))
    if spec.profiles:
        policy_fields.append(("commaSeparatedProfile", ",".join(spec.profiles)))
    policy_fields += [
        ("externalClientApplication", spec.name),
        ("label", f"{spec.label} OAuth policies"),
        ("permittedUsersPolicyType", "AdminApprovedPreAuthorized"),
    ]
    return {
        "package.xml": _package(spec),
        "sfdx-project.json": _sfdx_project(spec),
        f"{SOURCE_ROOT}/externalClientApps/{spec.name}.eca-meta.xml": _document(
            "ExternalClientApplication",
            [
                ("contactEmail", spec.contact_email),
                ("description", spec.description),
                ("distributionState", "Local"),
                ("isProtected", "false"),
                ("label", spec.label),
            ],
        ),
        f"{SOURCE_ROOT}/extlClntAppOauthSettings/{oauth}.ecaOauth-meta.xml": _document(
            "ExtlClntAppOauthSettings",
            [
                ("commaSeparatedOauthScopes", OAUTH_SCOPES),
                ("externalClientApplication", spec.name),
                ("label", f"{spec.label} OAuth settings"),
            ],
        ),
        f"{SOURCE_ROOT}/extlClntAppGlobalOauthSets/{global_oauth}.ecaGlblOauth-meta.xml": _document(
            "ExtlClntAppGlobalOauthSettings",
            [
                ("callbackUrl", CALLBACK_URL),
                ("certificate", spec.certificate_pem.strip()),
                ("externalClientApplication", spec.name),
                *CONFIDENTIAL_CLIENT_SETTINGS,
                ("label", f"{spec.label} global OAuth settings"),
            ],
        ),
        f"{SOURCE_ROOT}/extlClntAppOauthPolicies/{policies}.ecaOauthPlcy-meta.xml": _document(
            "ExtlClntAppOauthConfigurablePolicies", policy_fields
        ),
    }


def _package(spec: AppSpec) -> str:
    root = ET.Element("Package", xmlns=METADATA_NAMESPACE)
    for type_name, member in (
        ("ExternalClientApplication", spec.name),
        ("ExtlClntAppGlobalOauthSettings", f"{spec.name}_glbloauth"),
        ("ExtlClntAppOauthConfigurablePolicies", f"{spec.name}_oauthPlcy"),
        ("ExtlClntAppOauthSettings", f"{spec.name}_oauth"),
    ):
        types = ET.SubElement(root, "types")
        ET.SubElement(types, "members").text = member
        ET.SubElement(types, "name").text = type_name
    ET.SubElement(root, "version").text = spec.api_version
    return _serialize(root)


def _sfdx_project(spec: AppSpec) -> str:
    project = {
        "packageDirectories": [{"path": "force-app", "default": True}],
        "name": spec.name,
        "namespace": "",
        "sourceApiVersion": spec.api_version,
    }
    return json.dumps(project, indent=2) + "\n"


def _document(root_tag: str, fields: list[tuple[str, str]]) -> str:
    root = ET.Element(root_tag, xmlns=METADATA_NAMESPACE)
    for tag, value in fields:
        ET.SubElement(root, tag).text = value
    return _serialize(root)


def _serialize(root: ET.Element) -> str:
    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
