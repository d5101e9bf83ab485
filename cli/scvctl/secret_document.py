"""Changes to the main secret, done the way the setup guide says and never half-way.

The guide's rule is: after any change to ``${cc}-salesforce-secret``, empty the access token in
``${cc}-salesforce-access-secret``, or the function keeps using a token minted with the old values.
:func:`write_and_clear_token` does both, and first checks that the access secret can be read, so a
missing or unreadable access secret stops the command before the main secret is touched. The
documents are validated by the seeder's store (key, certificate, required keys) before any write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scv_seeder.store import Document, SecretStore
from scv_shared.secret_format import SecretKeys

from scvctl.errors import CliError

if TYPE_CHECKING:  # pragma: no cover
    from scvctl.config import ContactCenter


def require_current(store: SecretStore, contact_center: str) -> Document:
    """The main secret's current document; a CliError when the secret exists but has no value yet."""
    document = store.read_current()
    if document is None:
        raise CliError(
            f"secret {store.main_secret_id} has no value yet: deploy the stack (its seeder fills it), or adopt a key "
            f"made by hand with: scvctl key import {contact_center} --private-key server.key"
        )
    return document


def with_config_defaults(document: Document | None, contact_center: ContactCenter) -> Document:
    """A document with the subject and audience filled from the config where it lacks them (and an empty
    consumer key, which only ``scvctl consumer-key set`` stores).

    Used when adopting a key into a secret that is empty or was made by hand without every key.
    Values already in the secret win: they may have been set with scvctl since the last deploy.
    """
    keys = SecretKeys.for_contact_center(contact_center.name)
    filled = dict(document or {})
    filled.setdefault(keys.consumer_key, "")
    for key, value in (
        (keys.subject, contact_center.username),
        (keys.audience, contact_center.jwt_audience),
    ):
        if not filled.get(key):
            filled[key] = value
    return filled


def write_and_clear_token(store: SecretStore, document: Document) -> None:
    """Write the main secret and empty the cached access token; nothing is written if either is unusable."""
    store.read_token()  # the access secret must exist and be readable before the main secret changes
    store.write_current(document)
    store.clear_token()
