"""The seeder custom resource (CDK Provider framework onEvent handler ``scv_seeder.handler.on_event``).

Create and Update run the seed (seed.py: what each step does, and why a replayed event ends in the same state)
on the properties (properties.py); Delete does nothing and never fails: both secrets are retained with the
stack's resources. The certificate in use is published where the stack says.

The answer holds the certificate (public) and facts about it, never the private key; the logs are JSON
lines naming what was done, never a value read from a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scv_shared import constants, public_certificate
from scv_shared.json_log import Logger
from scv_shared.public_certificate import PublicCertificateError
from scv_shared.secret_format import secret_name_prefix

from scv_seeder.credentials import CredentialError
from scv_seeder.properties import SeederError, SeedProperties
from scv_seeder.seed import seed
from scv_seeder.store import SecretStore, StoreError

PHYSICAL_ID_SUFFIX = "-salesforce-secret-seed"
logger = Logger(constants.SEEDER_SERVICE_NAME)


def physical_resource_id(contact_center: str, org: str = "") -> str:
    """Stable per contact center (and further org): CloudFormation never replaces the resource because of a
    property change."""
    return f"{secret_name_prefix(contact_center, org)}{PHYSICAL_ID_SUFFIX}"


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
        logger.info("delete: nothing to do, both secrets are retained", extra=log_fields)
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
    except (SeederError, StoreError, CredentialError, PublicCertificateError) as error:
        logger.error(str(error), extra={"error_type": type(error).__name__, **log_fields})
        raise
    shown = {name: value for name, value in outcome.data.items() if name != "Certificate"}
    logger.info("seeded", extra={"actions": outcome.actions, **shown, **log_fields})
    return {"PhysicalResourceId": physical_resource_id(new.contact_center, new.org), "Data": outcome.data}


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
