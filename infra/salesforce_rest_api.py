"""``SalesforceRestApi``: everything one contact center needs, as one construct a CDK app adds to a stack.

Reading this file tells the architecture: two secrets, a seeder that fills them, the invoker that reads
them, the Connect integration that calls the invoker, and the monitoring that watches it. In an account
Service Cloud Voice provisioned (the config's ``mode``), the secrets are SCV's and are adopted; ``beside``
runs our invoker under its own name next to SCV's function, ``companion`` ships no invoker and watches
SCV's function instead, whose credentials the seeder keeps. This repository's
``ContactCenterStack`` is one consumer; a platform team's own stack is another, with its own naming,
tags, permissions boundary, KMS key and alarm topic.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnOutput, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from .config import ContactCenter, Org
from .connect import ConnectIntegration
from .invoker import SalesforceInvoker
from .key_rotation import KeyRotation
from .monitoring import Monitoring
from .role_names import RoleNamePrefix
from .secrets import ContactCenterSecrets
from .seeder import SecretSeeder


class SalesforceRestApi(Construct):
    """``${cc}-salesforce-secret``, ``${cc}-salesforce-access-secret``, the seeder,
    ``${cc}-InvokeSalesforceRestApiFunction``, its Connect integration and its monitoring.

    :param contact_center: the validated contact center (``ContactCenter(...)`` or ``load_config(path).find(name)``).
    :param encryption_key: KMS key of both secrets. Default: the config's ``kms_key_arn``, else Secrets
        Manager's AWS managed key.
    :param alarm_topic: where alarms are sent. Default: the config's ``monitoring`` settings.
    :param permissions_boundary: applied to every role this construct creates. Default: none.
    :param role_name_prefix: every role is named ``<prefix><cc>-<unit>``, for accounts whose policies
        match on role names. Default: CloudFormation generates the names.
    :param tags: added to every taggable resource of this construct. Default: none.

    Attributes: ``function`` (SCV's, imported by name, in mode companion), ``role`` (None in mode companion),
    ``main_secret``, ``access_secret``, ``dashboard``, and the certificate outputs ``certificate_pem``,
    ``certificate_fingerprint``, ``certificate_not_after``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        encryption_key: kms.IKey | None = None,
        alarm_topic: sns.ITopic | None = None,
        permissions_boundary: iam.IManagedPolicy | None = None,
        role_name_prefix: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if encryption_key is None and contact_center.kms_key_arn:
            encryption_key = kms.Key.from_key_arn(self, "SecretsKey", contact_center.kms_key_arn)
        self.secrets = ContactCenterSecrets(
            self,
            "Secrets",
            contact_center=contact_center.name,
            encryption_key=encryption_key,
            adopt_existing=contact_center.adopts_secrets,
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
                adopt_existing=contact_center.adopts_secrets,
            )
            for org in contact_center.orgs
        }
        for org in contact_center.orgs:
            self.seeder.add_org(org, self.org_secrets[org.name])
        self.invoker: SalesforceInvoker | None = None
        if contact_center.ships_function:
            self.invoker = SalesforceInvoker(
                self, "Invoker", contact_center=contact_center, secrets=self.secrets, org_secrets=self.org_secrets
            )
            # The invoker must never run against secrets the seeder has not filled yet.
            self.invoker.function.node.add_dependency(self.seeder.resource, *self.seeder.org_resources.values())
            watched: lambda_.IFunction = self.invoker.function
        else:
            watched = lambda_.Function.from_function_name(self, "ScvFunction", contact_center.function_name)
            self.node.add_metadata(
                "note", "mode companion: SCV's function and its Connect association stay as SCV made them"
            )

        self.connect: ConnectIntegration | None = None
        if self.invoker is not None and contact_center.connect_instance_arn:
            self.connect = ConnectIntegration(
                self,
                "Connect",
                contact_center=contact_center,
                invocation_target=self.invoker.invocation_target,
            )
        elif self.invoker is not None:
            self.node.add_metadata(
                "note", "no connect_instance_arn configured: association, permission and sample flow are skipped"
            )

        self.monitoring = Monitoring(
            self,
            "Monitoring",
            contact_center=contact_center,
            function=watched,
            secrets=self.secrets,
            alarm_topic=alarm_topic,
        )
        self.key_rotation: KeyRotation | None = None
        if contact_center.rotation_days:
            self.key_rotation = KeyRotation(
                self,
                "KeyRotation",
                contact_center=contact_center,
                rotation_days=contact_center.rotation_days,
                secrets=self.secrets,
                alarm_topic=self.monitoring.topic,
            )
        # after every unit that reads a secret has been granted its read: the policy names exactly those roles
        if contact_center.restrict_secret_reads:
            for secret_pair in (self.secrets, *self.org_secrets.values()):
                secret_pair.restrict_reads(break_glass_role_arn=contact_center.break_glass_role_arn)
        self._outputs(contact_center)

        if permissions_boundary is not None:
            iam.PermissionsBoundary.of(self).apply(permissions_boundary)
        if role_name_prefix:
            RoleNamePrefix.of(self, prefix=role_name_prefix, contact_center=contact_center.name)
        for key, value in (tags or {}).items():
            Tags.of(self).add(key, value)

    @property
    def function(self) -> lambda_.IFunction:
        return self.invoker.function if self.invoker else self.monitoring.function

    @property
    def role(self) -> iam.IRole | None:
        return self.invoker.role if self.invoker else None

    @property
    def main_secret(self) -> secretsmanager.ISecret:
        return self.secrets.main_secret

    @property
    def access_secret(self) -> secretsmanager.ISecret:
        return self.secrets.access_secret

    @property
    def dashboard(self) -> cloudwatch.Dashboard:
        return self.monitoring.dashboard

    @property
    def certificate_pem(self) -> str:
        return self.seeder.certificate_pem

    @property
    def certificate_fingerprint(self) -> str:
        return self.seeder.certificate_fingerprint

    @property
    def certificate_not_after(self) -> str:
        return self.seeder.certificate_not_after

    def _outputs(self, contact_center: ContactCenter) -> None:
        if self.invoker is not None:
            CfnOutput(
                self,
                "InvokerFunctionArn",
                value=self.invoker.invocation_target.function_arn,
                description="Call this from contact flows (Invoke AWS Lambda function block)",
            )
        else:
            CfnOutput(
                self,
                "ScvFunctionName",
                value=contact_center.function_name,
                description="SCV's function, whose credentials this stack keeps and whose figures it watches",
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
        CfnOutput(
            self,
            "ReplacedSettings",
            value=self.seeder.replaced_settings,
            description="what the config replaced in the secret on the last seed (an adopted subject or audience)",
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
        CfnOutput(self, f"{prefix}ReplacedSettings", value=self.seeder.org_attribute(org, "ReplacedSettings"))
