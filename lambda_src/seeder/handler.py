"""The seeder custom resource (CDK Provider framework onEvent handler ``seeder.handler.on_event``).

It does at deploy time what the setup guide does by hand (openssl key and certificate, jq, put-secret-value,
"clear the access token"), and it is safe to run again: every decision is taken from the event and the
stored state, so a replayed event ends in the same state.

Create
    No private key stored: a new RSA-2048 key and certificate, the four JSON keys of the guide plus the
    certificate, and an empty access token. A key already stored (a retried Create, or secrets made by
    hand and adopted with ``AdoptExisting``) is kept untouched; only missing JSON keys are filled, and a
    missing certificate is made FROM THAT KEY (the old ``server.crt`` stays valid: same key).
Update
    ``Subject`` or ``Audience`` changed since the last deploy is written (key and certificate kept) and the
    token cleared; so is a changed ``SettingsVersion``. A value left empty or unchanged never overwrites a
    stored one. The consumer key is never a property (a template keeps its properties in plain text): it
    starts empty and is set with ``scvctl consumer-key set``, and every deploy keeps it. ``KeyRotation``
    bumped: a new key and certificate are staged as ``AWSPENDING`` (calls go on with the current key;
    ``Data.Certificate`` is the pending certificate to upload).
    ``ActivatePendingKey`` turned to "true" by this deploy, with a key staged (by this deploy's
    ``KeyRotation`` or earlier, e.g. by ``scvctl key rotate``): it is promoted and the token cleared. Only
    the deploy that turns it on activates: a "true" left in the config never promotes a key staged later,
    whose certificate may not be in Salesforce yet (that would stop every call until it is uploaded).
    ``CertificateRenewal`` bumped: a new certificate for the CURRENT key (a staged key already has a fresh
    one); the token is kept, since the key did not change. A counter that goes down (CloudFormation rolling
    back a failed update) unstages the rotation the failed update staged and renews nothing.
Delete
    Nothing: both secrets are retained with the stack's resources. Never fails.

The answer holds the certificate (public) and facts about it, never the private key; the logs are JSON
lines naming what was done, never a value read from a secret.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.secret_format import secret_name_prefix

from seeder import public_certificate
from seeder.credentials import (
    MAX_VALIDITY_DAYS,
    CredentialError,
    certificate_info,
    certificate_matches_key,
    generate_key_pair,
    generate_private_key,
    issue_certificate,
    load_certificate,
    load_private_key,
    public_key_fingerprint,
    renew_certificate,
)
from seeder.store import Document, SecretStore, SecretValueError, StoreError

PHYSICAL_ID_SUFFIX = "-salesforce-secret-seed"
DEFAULT_VALIDITY_DAYS = 730
#: a property written into a secret or a certificate: one line of text, no control character (a line break or
#: NUL would reach the JWT's claims or the certificate's subject as it is)
_ONE_LINE = re.compile(r"[^\x00-\x1f\x7f]*")
_TEXT_PROPERTIES = ("ContactCenter", "Subject", "Audience", "ConsumerKey", "CertificateCommonName")


def physical_resource_id(contact_center: str, org: str = "") -> str:
    """Stable per contact center (and further org): CloudFormation never replaces the resource because of a
    property change."""
    return f"{secret_name_prefix(contact_center, org)}{PHYSICAL_ID_SUFFIX}"


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
        validity = text("CertificateValidityDays", str(DEFAULT_VALIDITY_DAYS))
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
            common_name=text("CertificateCommonName") or f"{contact_center} Salesforce JWT",
            validity_days=int(validity),
            key_rotation=text("KeyRotation", "0"),
            certificate_renewal=text("CertificateRenewal", "0"),
            activate_pending_key=text("ActivatePendingKey", "false").lower() == "true",
            adopt_existing=text("AdoptExisting", "false").lower() == "true",
            settings_version=text("SettingsVersion"),
            certificate_parameter=text("CertificateParameter"),
        )


@dataclass
class SeedOutcome:
    """The custom resource's attributes and the names of the steps taken (for the log)."""

    data: dict[str, str]
    actions: list[str] = field(default_factory=list)
    #: the certificate of the key in use (``data["Certificate"]`` is the pending one during a rotation)
    current_certificate: str = ""


def on_event(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Provider framework entry point: returns the physical id and Data, or raises with what to fix."""
    request_type = event.get("RequestType")
    raw = event.get("ResourceProperties") or {}
    contact_center = str(raw.get("ContactCenter") or "")
    org = str(raw.get("Org") or "")
    log_fields = {
        "request_type": request_type,
        "request_id": event.get("RequestId"),
        "logical_resource_id": event.get("LogicalResourceId"),
        "contact_center": contact_center,
        "org": org or None,
    }
    if request_type == "Delete":
        # Before any parsing: a Delete that fails leaves the stack stuck in DELETE_FAILED / ROLLBACK_FAILED.
        _log("INFO", "delete: nothing to do, both secrets are retained", **log_fields)
        return {"PhysicalResourceId": event.get("PhysicalResourceId") or physical_resource_id(contact_center, org)}
    if request_type not in ("Create", "Update"):
        raise SeederError(f"unknown RequestType {request_type!r}: expected Create, Update or Delete")
    try:
        new = SeedProperties.parse(raw)
        old_raw = event.get("OldResourceProperties") if request_type == "Update" else None
        old = SeedProperties.parse(old_raw) if old_raw else None
        store = SecretStore(_secrets_manager_client(), new.contact_center, new.main_secret_id, new.access_secret_id)
        outcome = seed(store, new, old)
        if new.certificate_parameter:
            public_certificate.publish(_ssm_client(), new.certificate_parameter, outcome.current_certificate)
            outcome.actions.append("published-certificate")
    except (SeederError, StoreError, CredentialError) as error:
        _log("ERROR", str(error), error_type=type(error).__name__, **log_fields)
        raise
    shown = {name: value for name, value in outcome.data.items() if name != "Certificate"}
    _log("INFO", "seeded", actions=outcome.actions, **shown, **log_fields)
    return {"PhysicalResourceId": physical_resource_id(new.contact_center, new.org), "Data": outcome.data}


def seed(store: SecretStore, new: SeedProperties, old: SeedProperties | None) -> SeedOutcome:
    """Bring the secrets to what the properties ask for (``old`` is None on Create)."""
    keys = store.keys
    actions: list[str] = []
    before = store.read_current() or {}
    document: Document = dict(before)
    certificate_is_new = old is None and not new.adopt_existing  # a new stack's certificate is not in Salesforce yet

    # 1. The key: made once, never replaced here (a rotation goes through AWSPENDING).
    if not document.get(keys.private_key):
        document[keys.private_key] = generate_private_key()
        document.pop(keys.certificate, None)
        actions.append("generated-key")
    private_key = document[keys.private_key]
    _check_stored_key(store, private_key)

    # 2. The certificate of the current key: made if missing or not this key's, renewed when asked.
    renewal_requested = old is not None and _bumped(old.certificate_renewal, new.certificate_renewal)
    renewal_version = None
    if renewal_requested:
        certificate_is_new = True
        renewal_version = store.version_id(
            f"renewal={new.certificate_renewal};key={public_key_fingerprint(private_key)}"
        )
        if store.read_version(renewal_version) is not None:  # a replay: this renewal was written already
            renewal_version = None
            actions.append("renewal-already-written")
    if not _certificate_fits(private_key, document.get(keys.certificate)):
        document[keys.certificate] = issue_certificate(private_key, new.common_name, new.validity_days)
        certificate_is_new = True
        actions.append("issued-certificate")
    elif renewal_version is not None:
        document[keys.certificate] = renew_certificate(private_key, new.common_name, new.validity_days)
        actions.append("renewed-certificate")

    # 3. Settings: the config wins when it changed since the last deploy or the secret lacks the value;
    # an empty config value never blanks a stored one. The consumer key is only ever set with scvctl.
    document.setdefault(keys.consumer_key, "")
    config_changed = False
    for key, value, old_value in (
        (keys.subject, new.subject, old.subject if old else None),
        (keys.audience, new.audience, old.audience if old else None),
    ):
        changed = bool(value) and old_value is not None and old_value != value
        if value and (changed or not document.get(key)):
            document[key] = value
        document.setdefault(key, "")
        config_changed = config_changed or changed
    # Judged from the event as well as from what was stored: a replay after a crash between writing the
    # main secret and clearing the token still clears it.
    identity_changed = config_changed or any(document.get(k) != before.get(k) for k in keys.required_main_keys)
    settings_changed = old is not None and old.settings_version != new.settings_version
    if document != before:
        store.write_current(document, version_id=renewal_version)
        actions.append("wrote-main-secret")

    # 4. Rotation: stage a new key as AWSPENDING (current untouched), or unstage it on a rollback.
    pending = store.read_pending()
    if old is not None and old.key_rotation != new.key_rotation:
        if _bumped(old.key_rotation, new.key_rotation):
            rotated_key, rotated_certificate = generate_key_pair(new.common_name, new.validity_days)
            rotated = {**document, keys.private_key: rotated_key, keys.certificate: rotated_certificate}
            store.stage_pending(rotated, new.key_rotation)  # a replay finds its first key staged
            certificate_is_new = True
            actions.append("staged-rotation")
        elif store.discard_pending(only_version_id=store.rotation_version_id(old.key_rotation, private_key)):
            actions.append("unstaged-rolled-back-rotation")
        pending = store.read_pending()

    # 5. Activation: the staged key becomes current, with the current consumer key, subject and audience.
    activated = False
    activation_requested = new.activate_pending_key and (old is None or not old.activate_pending_key)
    if new.activate_pending_key and not activation_requested and pending is not None:
        actions.append("kept-pending-key-activate-was-already-true")
    if activation_requested and pending is not None:
        document = store.promote_pending()
        pending, activated = None, True
        actions.append("activated-pending-key")
        if not document.get(keys.certificate):  # staged by hand without one
            document[keys.certificate] = issue_certificate(
                document[keys.private_key], new.common_name, new.validity_days
            )
            store.write_current(document)
            certificate_is_new = True
            actions.append("issued-certificate")

    # 6. The token: cleared whenever what it was issued for changed (as the guide requires), kept otherwise.
    if identity_changed or settings_changed or activated or _token_unset(store):
        store.clear_token()
        actions.append("cleared-token")

    shown = document[keys.certificate]
    if pending is not None:
        if pending[1].get(keys.certificate):
            shown = pending[1][keys.certificate]
        else:
            actions.append("pending-key-has-no-certificate")
    info = certificate_info(shown)
    return SeedOutcome(
        data={
            "Certificate": shown,
            "CertificateFingerprintSha256": info.fingerprint_sha256,
            "CertificateNotAfter": info.not_after,
            "PendingRotation": "true" if pending is not None else "false",
            "CertificateIsNew": "true" if certificate_is_new else "false",
        },
        actions=actions,
        current_certificate=document[keys.certificate],
    )


def _bumped(old: str, new: str) -> bool:
    """A counter went up (a request); down is CloudFormation rolling back (or a revert): undo, do not redo."""
    if old == new:
        return False
    try:
        return int(new) > int(old)
    except ValueError:
        return True


def _check_stored_key(store: SecretStore, private_key: str) -> None:
    try:
        load_private_key(private_key)
    except CredentialError as error:
        raise StoreError(
            f"secret {store.main_secret_id}: the stored {store.keys.private_key} cannot be used: {error}; "
            "then put it back with 'scvctl key import'"
        ) from None


def _certificate_fits(private_key: str, certificate: str | None) -> bool:
    """A stored certificate that is readable and carries this key's public key (else a new one is made)."""
    if not certificate:
        return False
    try:
        load_certificate(certificate)
    except CredentialError:
        return False
    return certificate_matches_key(private_key, certificate)


def _token_unset(store: SecretStore) -> bool:
    """The access secret has no token entry, or no readable value (it is only a cache: rewriting it is safe)."""
    try:
        return store.read_token() is None
    except SecretValueError:
        return True


def _secrets_manager_client() -> Any:
    """boto3 comes with the Lambda runtime; imported here so that parsing and Delete never need it."""
    import boto3
    from botocore.config import Config

    # Worst case 3 x (3 s + 10 s) per call: a stuck call fails the deploy with a message well within the timeout.
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
    return boto3.client("secretsmanager", config=config)


def _ssm_client() -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
    return boto3.client("ssm", config=config)


def _log(level: str, message: str, **fields: Any) -> None:
    """One JSON line on stdout (CloudWatch Logs). Callers pass names and public facts, never secret values."""
    print(json.dumps({"level": level, "message": message, **fields}, default=str), file=sys.stdout, flush=True)
