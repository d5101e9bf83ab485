"""Names and defaults the stack, the functions and scvctl must agree on, each typed once.

A value here is read on more than one side: infra/ writes it into the template (a function's environment,
an alias, a dashboard), a function or scvctl reads it back or states it to the operator. Changing one
here changes every side at once; typing it again anywhere else is how they used to drift.
"""

from __future__ import annotations

#: the certificate the seeder issues when the config says nothing (infra/config/'s default, the seeder's
#: fallback when the property is absent)
CERTIFICATE_VALIDITY_DAYS = 730
#: the longest validity the config and ``scvctl cert renew --days`` accept (ten years)
CERTIFICATE_MAX_VALIDITY_DAYS = 3650

#: the published alias Connect calls when cold starts are mitigated (infra/invoker.py makes it, scvctl check
#: invokes it)
LIVE_ALIAS = "live"

#: the ``service`` of every JSON log line of each function (infra sets POWERTOOLS_SERVICE_NAME to it, log
#: queries and runbooks filter by it)
INVOKER_SERVICE_NAME = "InvokeSalesforceRestApi"
SEEDER_SERVICE_NAME = "SalesforceSecretSeeder"
CERTIFICATE_CHECK_SERVICE_NAME = "SalesforceCertificateCheck"
KEY_ROTATION_SERVICE_NAME = "SalesforceKeyRotation"


def certificate_common_name(contact_center: str, org: str | None = None) -> str:
    """The default subject CN of a contact center's certificate (or of one further org's), as the seeder
    issues it and as scvctl issues a renewal, so both name the same certificate the same way."""
    owner = f"{contact_center} {org}" if org else contact_center
    return f"{owner} Salesforce JWT"


def stack_name(contact_center: str) -> str:
    """The contact center's CloudFormation stack; stack names allow no underscore, contact-center names may."""
    return f"{contact_center.replace('_', '-')}-SalesforceRestApi"


def dashboard_name(contact_center: str) -> str:
    """The CloudWatch dashboard of the contact center: named as its stack, so the console lists them together."""
    return stack_name(contact_center)
