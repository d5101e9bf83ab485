"""Daily certificate check: publish how many days the JWT certificate has left.

Salesforce appears to accept an expired certificate for the JWT bearer flow, but renewal before
expiry is the documented practice (the setup guide's renewal section), and an expired certificate
is the kind of surprise nobody wants during an incident. This publishes ``CertificateDaysLeft`` as an
Embedded Metric Format log line (no CloudWatch API call); the stack's ``CertificateExpiry`` alarm fires N
days ahead, and also when no figure arrives (a missing certificate, or a check that stopped running).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from scv_shared import constants, public_certificate, telemetry
from scv_shared.json_log import Logger

logger = Logger(constants.CERTIFICATE_CHECK_SERVICE_NAME)


def days_left(certificate_pem: str, now: datetime | None = None) -> int:
    """Whole days until the certificate's notAfter (negative once expired)."""
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    remaining = certificate.not_valid_after_utc - (now or datetime.now(UTC))
    return remaining.days


def emf_fields(contact_center: str, days: int, namespace: str) -> dict[str, Any]:
    """The keys that make a log line the CertificateDaysLeft metric of this contact center."""
    directive = telemetry.emf_directive(
        {telemetry.CERTIFICATE_DAYS_LEFT: "Count"}, [[telemetry.CONTACT_CENTER_DIMENSION]], namespace
    )
    return {
        "_aws": telemetry.emf_metadata(directive, timestamp_ms=int(time.time() * 1000)),
        telemetry.CONTACT_CENTER_DIMENSION: contact_center,
        telemetry.CERTIFICATE_DAYS_LEFT: days,
    }


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Scheduled by EventBridge; reads only the published certificate (no right on the secret with the key)."""
    import boto3  # the Lambda runtime provides it

    contact_center = os.environ["CONTACT_CENTER_NAME"]
    parameter_name = os.environ["CERTIFICATE_PARAMETER_NAME"]
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", telemetry.NAMESPACE)
    certificate = public_certificate.read(boto3.client("ssm"), parameter_name)
    if not certificate:
        # No figure is published: the alarm treats missing data as breaching, which is the point.
        logger.warning(
            f"{parameter_name} holds no certificate: deploy the stack (its seeder publishes it) "
            "or run scvctl cert renew"
        )
        return {"contactCenter": contact_center, "certificateDaysLeft": None}
    days = days_left(certificate)
    logger.info("certificate days left", extra=emf_fields(contact_center, days, namespace))
    return {"contactCenter": contact_center, "certificateDaysLeft": days}
