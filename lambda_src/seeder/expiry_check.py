"""Daily certificate check: publish how many days the JWT certificate has left.

Salesforce appears to accept an expired certificate for the JWT bearer flow, but renewal before
expiry is the documented practice (the setup guide's renewal section), and an expired certificate
is the kind of surprise nobody wants during an incident. This publishes ``CertificateDaysLeft`` as an
Embedded Metric Format line (no CloudWatch API call); the stack's ``CertificateExpiry`` alarm fires N
days ahead, and also when no figure arrives (a missing certificate, or a check that stopped running).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from shared import telemetry

from seeder import public_certificate


def days_left(certificate_pem: str, now: datetime | None = None) -> int:
    """Whole days until the certificate's notAfter (negative once expired)."""
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    remaining = certificate.not_valid_after_utc - (now or datetime.now(UTC))
    return remaining.days


def emf_line(contact_center: str, days: int) -> str:
    """One EMF record: CloudWatch turns it into the CertificateDaysLeft metric of this contact center."""
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", telemetry.NAMESPACE)
    directive = telemetry.emf_directive(
        {telemetry.CERTIFICATE_DAYS_LEFT: "Count"}, [[telemetry.CONTACT_CENTER_DIMENSION]], namespace
    )
    return json.dumps(
        {
            "_aws": telemetry.emf_metadata(directive, timestamp_ms=int(time.time() * 1000)),
            telemetry.CONTACT_CENTER_DIMENSION: contact_center,
            telemetry.CERTIFICATE_DAYS_LEFT: days,
        }
    )


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Scheduled by EventBridge; reads only the published certificate (no right on the secret with the key)."""
    import boto3  # the Lambda runtime provides it

    contact_center = os.environ["CONTACT_CENTER_NAME"]
    parameter_name = os.environ["CERTIFICATE_PARAMETER_NAME"]
    certificate = public_certificate.read(boto3.client("ssm"), parameter_name)
    if not certificate:
        # No figure is published: the alarm treats missing data as breaching, which is the point.
        print(
            json.dumps(
                {
                    "level": "WARNING",
                    "message": f"{parameter_name} holds no certificate: deploy the stack (its seeder publishes "
                    "it) or run scvctl cert renew",
                }
            )
        )
        return {"contactCenter": contact_center, "certificateDaysLeft": None}
    days = days_left(certificate)
    print(emf_line(contact_center, days), flush=True)
    return {"contactCenter": contact_center, "certificateDaysLeft": days}
