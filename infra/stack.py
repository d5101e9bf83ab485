"""The component stack: everything one contact center needs, in one deployable unit.

Reading this file tells the architecture: two secrets, a seeder that fills them, the invoker that
reads them, the Connect integration that calls the invoker, and the monitoring that watches it.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.config import ContactCenter, Org
from infra.connect import ConnectIntegration
from infra.invoker import SalesforceInvoker
from infra.monitoring import Monitoring
from infra.secrets import ContactCenterSecrets
from infra.seeder import SecretSeeder


class ContactCenterStack(Stack):
    """One contact center: ``${cc}-salesforce-secret``, ``${cc}-salesforce-access-secret``, the seeder,
    ``${cc}-InvokeSalesforceRestApiFunction`` and its Connect integration."""

    def __init__(self, scope: Construct, construct_id: str, *, contact_center: ContactCenter, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Service Cloud Voice: Salesforce REST API from Amazon Connect ({contact_center.name})",
            **kwargs,
        )
        encryption_key = (
            kms.Key.from_key_arn(self, "SecretsKey", contact_center.kms_key_arn) if contact_center.kms_key_arn else None
        )
        self.secrets = ContactCenterSecrets(
            self,
            "Secrets",
            contact_center=contact_center.name,
            encryption_key=encryption_key,
            adopt_existing=contact_center.adopt_existing_secrets,
        )
        self.seeder = SecretSeeder(self, "Seeder", contact_center=contact_center, secrets=self.secrets)
        # Each further org: its own secret pair, filled by its own seed resource.
        self.org_secrets = {
            org.name: ContactCenterSecrets(
                self,
                f"Org{org.construct_suffix}Secrets",
                contact_center=contact_center.name,
                org=org.name,
                encryption_key=encryption_key,
                adopt_existing=contact_center.adopt_existing_secrets,
            )
            for org in contact_center.orgs
        }
        for org in contact_center.orgs:
            self.seeder.add_org(org, self.org_secrets[org.name])
        self.invoker = SalesforceInvoker(
            self, "Invoker", contact_center=contact_center, secrets=self.secrets, org_secrets=self.org_secrets
        )
        # The invoker must never run against secrets the seeder has not filled yet.
        self.invoker.function.node.add_dependency(self.seeder.resource, *self.seeder.org_resources.values())

        self.connect: ConnectIntegration | None = None
        if contact_center.connect_instance_arn:
            self.connect = ConnectIntegration(
                self,
                "Connect",
                contact_center=contact_center,
                invocation_target=self.invoker.invocation_target,
            )
        else:
            self.node.add_metadata(
                "note", "no connect_instance_arn configured: association, permission and sample flow are skipped"
            )

        self.monitoring = Monitoring(
            self, "Monitoring", contact_center=contact_center, function=self.invoker.function, secrets=self.secrets
        )
        self._outputs(contact_center)

    def _outputs(self, contact_center: ContactCenter) -> None:
        CfnOutput(
            self,
            "InvokerFunctionArn",
            value=self.invoker.invocation_target.function_arn,
            description="Call this from contact flows (Invoke AWS Lambda function block)",
        )
        CfnOutput(self, "SalesforceSecretArn", value=self.secrets.main_secret.secret_arn)
        CfnOutput(self, "SalesforceAccessSecretArn", value=self.secrets.access_secret.secret_arn)
        CfnOutput(
            self,
            "Certificate",
            value=self.seeder.certificate_pem,
            description="Upload to the External Client App / connected app (Use digital signatures); "
            "`scvctl cert export` writes it to a file",
        )
        CfnOutput(self, "CertificateFingerprintSha256", value=self.seeder.certificate_fingerprint)
        CfnOutput(self, "CertificateNotAfter", value=self.seeder.certificate_not_after)
        CfnOutput(
            self,
            "PendingKeyRotation",
            value=self.seeder.pending_rotation,
            description="true while a rotated key waits for its certificate to be uploaded "
            "(the Certificate output is then the pending one)",
        )
        for org in contact_center.orgs:
            self._org_outputs(org)
        CfnOutput(self, "DashboardName", value=self.monitoring.dashboard.dashboard_name)
        if not contact_center.connect_instance_arn:
            CfnOutput(
                self,
                "ConnectIntegration",
                value="skipped: set connect_instance_arn in the config to associate the function "
                "and create the sample flow",
            )

    def _org_outputs(self, org: Org) -> None:
        """A further org's secrets and certificate, named Org<Name>...: what `scvctl --org` and its admin need."""
        prefix = f"Org{org.construct_suffix}"
        secrets = self.org_secrets[org.name]
        CfnOutput(self, f"{prefix}SalesforceSecretArn", value=secrets.main_secret.secret_arn)
        CfnOutput(self, f"{prefix}SalesforceAccessSecretArn", value=secrets.access_secret.secret_arn)
        CfnOutput(
            self,
            f"{prefix}Certificate",
            value=self.seeder.org_attribute(org, "Certificate"),
            description=f"Upload to org {org.name}'s External Client App (`scvctl cert export <cc> --org {org.name}`)",
        )
        CfnOutput(
            self,
            f"{prefix}CertificateFingerprintSha256",
            value=self.seeder.org_attribute(org, "CertificateFingerprintSha256"),
        )
        CfnOutput(self, f"{prefix}CertificateNotAfter", value=self.seeder.org_attribute(org, "CertificateNotAfter"))
        CfnOutput(self, f"{prefix}PendingKeyRotation", value=self.seeder.org_attribute(org, "PendingRotation"))
