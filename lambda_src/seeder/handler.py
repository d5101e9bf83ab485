"""The seeder custom resource (CDK Provider framework onEvent handler).

Create: a new key pair and certificate, the four JSON keys of the setup guide, an empty access token.
Update: changed settings are written (the key is kept) and the token cleared; a bumped ``KeyRotation``
stages a new key as pending; ``ActivatePendingKey`` promotes it; a bumped ``CertificateRenewal`` issues a
new certificate for the same key. A value the config leaves empty (the consumer key before the app
exists) never blanks what is stored, so a consumer key set with scvctl survives every deploy. Delete
leaves both secrets as they are (they are retained). Replays end in the same state. The answer carries
the certificate (public) and never the private key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seeder.credentials import certificate_info, generate_private_key, issue_certificate
from seeder.store import Document, SecretStore

PHYSICAL_ID_SUFFIX = "-salesforce-secret-seed"


@dataclass(frozen=True)
class SeedProperties:
    """The custom resource's properties (all strings in CloudFormation)."""

    contact_center: str
    main_secret_id: str
    access_secret_id: str
    subject: str
    audience: str
    consumer_key: str
    common_name: str
    validity_days: int
    key_rotation: str
    certificate_renewal: str
    activate_pending_key: bool
    adopt_existing: bool
    settings_version: str

    @classmethod
    def parse(cls, properties: Mapping[str, Any]) -> SeedProperties:
        try:
            return cls(
                contact_center=properties["ContactCenter"],
                main_secret_id=properties["MainSecretId"],
                access_secret_id=properties["AccessSecretId"],
                subject=properties.get("Subject", ""),
                audience=properties.get("Audience", ""),
                consumer_key=properties.get("ConsumerKey", ""),
                common_name=properties.get("CertificateCommonName") or f"{properties['ContactCenter']} Salesforce JWT",
                validity_days=int(properties.get("CertificateValidityDays", "730")),
                key_rotation=str(properties.get("KeyRotation", "0")),
                certificate_renewal=str(properties.get("CertificateRenewal", "0")),
                activate_pending_key=str(properties.get("ActivatePendingKey", "false")).lower() == "true",
                adopt_existing=str(properties.get("AdoptExisting", "false")).lower() == "true",
                settings_version=properties.get("SettingsVersion", ""),
            )
        except KeyError as missing:
            raise ValueError(
                f"the custom resource lacks the property {missing}: redeploy with this project's stack"
            ) from None
        except ValueError:
            raise ValueError("CertificateValidityDays must be a whole number of days") from None


def on_event(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    request_type = event["RequestType"]
    properties = SeedProperties.parse(event["ResourceProperties"])
    physical_id = f"{properties.contact_center}{PHYSICAL_ID_SUFFIX}"
    _log("seeder event", request_type=request_type, contact_center=properties.contact_center)
    if request_type == "Delete":
        return {"PhysicalResourceId": event.get("PhysicalResourceId", physical_id)}
    old = SeedProperties.parse(event["OldResourceProperties"]) if "OldResourceProperties" in event else None
    import boto3  # provided by the Lambda runtime; only a real event needs it

    store = SecretStore(
        boto3.client("secretsmanager"),
        properties.contact_center,
        properties.main_secret_id,
        properties.access_secret_id,
    )
    data = seed(store, properties, old)
    _log("seeded", contact_center=properties.contact_center, **{k: v for k, v in data.items() if k != "Certificate"})
    return {"PhysicalResourceId": physical_id, "Data": data}


def seed(store: SecretStore, new: SeedProperties, old: SeedProperties | None) -> dict[str, str]:
    """Bring the secrets to what the properties ask for; returns the custom resource's attributes."""
    keys = store.keys
    current = store.read_current() or {}
    document: Document = dict(current)
    certificate_is_new = False
    if not document.get(keys.private_key):
        document[keys.private_key] = generate_private_key()
        document.pop(keys.certificate, None)
    if not document.get(keys.certificate) or (old is not None and old.certificate_renewal != new.certificate_renewal):
        document[keys.certificate] = issue_certificate(document[keys.private_key], new.common_name, new.validity_days)
        certificate_is_new = True
    for key, value, old_value in (
        (keys.subject, new.subject, old.subject if old else None),
        (keys.audience, new.audience, old.audience if old else None),
        (keys.consumer_key, new.consumer_key, old.consumer_key if old else None),
    ):
        # The config wins when it changed since the last deploy or the secret lacks the value; an empty
        # config value never blanks a stored one (the consumer key is often set later with scvctl).
        if value and (not document.get(key) or (old_value is not None and old_value != value)):
            document[key] = value
        document.setdefault(key, "")
    identity_changed = any(document.get(k) != current.get(k) for k in (keys.private_key, *keys.required_main_keys))
    settings_changed = old is not None and old.settings_version != new.settings_version
    if document != current:
        store.write_current(document)

    pending = store.read_pending()
    if old is not None and old.key_rotation != new.key_rotation:
        rotated_key = generate_private_key()
        rotated = {
            **document,
            keys.private_key: rotated_key,
            keys.certificate: issue_certificate(rotated_key, new.common_name, new.validity_days),
        }
        store.stage_pending(rotated, new.key_rotation)
        pending = store.read_pending()  # a replayed event keeps the key it staged the first time
    activated = False
    if new.activate_pending_key and pending is not None:
        document = store.promote_pending()
        pending, activated = None, True

    if identity_changed or settings_changed or activated or store.read_token() is None:
        store.clear_token()

    shown = pending[1][keys.certificate] if pending is not None else document[keys.certificate]
    info = certificate_info(shown)
    return {
        "Certificate": shown,
        "CertificateFingerprintSha256": info.fingerprint_sha256,
        "CertificateNotAfter": info.not_after,
        "PendingRotation": "true" if pending is not None else "false",
        "CertificateIsNew": "true" if certificate_is_new or pending is not None or activated else "false",
    }


def _log(message: str, **fields: Any) -> None:
    """One JSON line (no secret values are ever passed here)."""
    print(json.dumps({"level": "INFO", "message": message, **fields}), file=sys.stdout, flush=True)
