"""The seeder custom resource's properties as CloudFormation sends them (every value a string), checked and typed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scv_shared import constants

from scv_seeder.credentials import MAX_VALIDITY_DAYS

#: a property written into a secret or a certificate: one line of text, no control character (a line break or
#: NUL would reach the JWT's claims or the certificate's subject as it is)
_ONE_LINE = re.compile(r"[^\x00-\x1f\x7f]*")
_TEXT_PROPERTIES = ("ContactCenter", "Subject", "Audience", "ConsumerKey", "CertificateCommonName")


class SeederError(ValueError):
    """The event cannot be acted on; the message says what to change."""


@dataclass(frozen=True)
class SeedProperties:
    """The custom resource's properties (all strings in CloudFormation), as infra/seeder.py sends them."""

    contact_center: str
    #: a further org's name ("" for the contact center's own): only the physical id depends on it, the
    #: JSON keys stay the contact center's
    org: str
    main_secret_id: str
    access_secret_id: str
    subject: str
    audience: str
    common_name: str
    validity_days: int
    key_rotation: str
    certificate_renewal: str
    activate_pending_key: bool
    adopt_existing: bool
    settings_version: str
    #: the settings the config states rather than defaults (``Subject``, ``Audience``): on adopting
    #: secrets they replace the stored values; "" from a template older than that: none
    explicit_settings: tuple[str, ...] = ()
    #: where the certificate in use is published ("" from a template older than that: nothing is published)
    certificate_parameter: str = ""

    @classmethod
    def parse(cls, properties: Mapping[str, Any]) -> SeedProperties:
        def text(name: str, default: str = "") -> str:
            value = properties.get(name, default)
            return default if value is None else str(value)

        absent = [name for name in ("ContactCenter", "MainSecretId", "AccessSecretId") if not text(name)]
        if absent:
            raise SeederError(
                f"the custom resource lacks the properties {', '.join(absent)}: deploy it with this project's stack"
            )
        multiline = [name for name in _TEXT_PROPERTIES if not _ONE_LINE.fullmatch(text(name))]
        if multiline:
            raise SeederError(
                f"the properties {', '.join(multiline)} hold a control character (a line break or NUL): "
                "fix them in the contact-center config"
            )
        validity = text("CertificateValidityDays", str(constants.CERTIFICATE_VALIDITY_DAYS))
        if not (validity.isascii() and validity.isdigit()) or not 1 <= int(validity) <= MAX_VALIDITY_DAYS:
            raise SeederError(
                f"CertificateValidityDays must be a whole number of days from 1 to {MAX_VALIDITY_DAYS}, "
                f"not {validity!r}: "
                "fix certificate.validity_days in the contact-center config"
            )
        contact_center = text("ContactCenter")
        return cls(
            contact_center=contact_center,
            org=text("Org"),
            main_secret_id=text("MainSecretId"),
            access_secret_id=text("AccessSecretId"),
            subject=text("Subject"),
            audience=text("Audience"),
            common_name=text("CertificateCommonName") or constants.certificate_common_name(contact_center),
            validity_days=int(validity),
            key_rotation=text("KeyRotation", "0"),
            certificate_renewal=text("CertificateRenewal", "0"),
            activate_pending_key=text("ActivatePendingKey", "false").lower() == "true",
            adopt_existing=text("AdoptExisting", "false").lower() == "true",
            settings_version=text("SettingsVersion"),
            explicit_settings=tuple(name for name in text("ExplicitSettings").split(",") if name),
            certificate_parameter=text("CertificateParameter"),
        )
