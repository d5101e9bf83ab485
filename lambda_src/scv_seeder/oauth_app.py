"""Which app the guide's edits go to, a connected app or an External Client App, and what both offer.

SCV made a connected app for contact centers before Summer '26 and an External Client App (ECA) after. The
modules scv_seeder.connected_app and scv_seeder.external_client_app make the same edits to either and offer
the same functions (:class:`AppKind`); :func:`find` picks the app and its module, so ``scvctl salesforce
connect``, ``scvctl key rotate --upload`` and the rotation function have one code path for both.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Protocol

from scv_seeder import connected_app, external_client_app
from scv_seeder.connected_app import Change, ConnectedAppError
from scv_seeder.metadata_api import MetadataApi


class AppKind(Protocol):
    """The functions scv_seeder.connected_app and scv_seeder.external_client_app both define."""

    KIND: str
    FILE_SUFFIX: str
    INTENDED_FIELDS: frozenset[str]
    CERTIFICATE_FIELDS: frozenset[str]

    def full_name(self, app: ET.Element) -> str: ...

    def label(self, app: ET.Element) -> str: ...

    def planned(self, app: ET.Element, *, certificate_pem: str, profile: str) -> tuple[ET.Element, list[Change]]: ...

    def with_certificate(self, app: ET.Element, certificate_pem: str) -> tuple[ET.Element, list[Change]]: ...

    def without_consumer_key(self, app: ET.Element) -> ET.Element: ...

    def read_consumer_key(self, api: MetadataApi, app: ET.Element) -> str: ...

    def apply_change(
        self, api: MetadataApi, before: ET.Element, changed: ET.Element, *, allowed: frozenset[str]
    ) -> ET.Element: ...

    def as_file(self, app: ET.Element) -> str: ...

    def is_file(self, document: ET.Element) -> bool: ...


KINDS: tuple[AppKind, ...] = (connected_app, external_client_app)


def find(api: MetadataApi, name: str | None, contact_center: str) -> tuple[AppKind, ET.Element]:
    """The connected app (``name``, else the one SCV made); when the org has none, the ECA (``name``, else the one
    named after SCV's mark or ``contact_center``). A ConnectedAppError when neither or several match."""
    try:
        return connected_app, connected_app.find_app(api, name)
    except ConnectedAppError as error:
        if error.code != "NOT_FOUND":
            raise
    return external_client_app, external_client_app.find_app(api, name, contact_center)


def kind_of_file(document: ET.Element, path: str) -> AppKind:
    """The kind of app a file ``--apply`` saved holds."""
    for kind in KINDS:
        if kind.is_file(document) and kind.full_name(document):
            return kind
    raise ConnectedAppError(
        f"{path} is not a connected app or External Client App saved with its fullName: give a file saved by --apply",
        code="BAD_FILE",
    )
