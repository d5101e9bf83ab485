"""The seeder custom resource: key pair, certificate and secret values made at deploy time.

Ships ``lambda_src/scv_seeder`` behind CDK's Provider framework, which always answers CloudFormation
(a failing or crashing handler gives FAILED with its message within seconds, never an hour-long hang).
Replaces the setup guide's openssl, jq and ``aws secretsmanager`` steps. The private key never
leaves Secrets Manager: only the certificate, its fingerprint and expiry come back as attributes.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CustomResource, Stack, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from constructs import Construct

from . import checkov
from .config import ContactCenter, Org, SalesforceOrg
from .constants import SEEDER_TIMEOUT_SECONDS
from .lambda_function import python_function, retained_days_log_group
from .secrets import ContactCenterSecrets

SEEDER_RESOURCE_TYPE = "Custom::SalesforceSecretSeed"
_SYNCHRONOUS_FOR_CLOUDFORMATION = (
    "Runs for CloudFormation through CDK's Provider framework, which reports every failure to the stack "
    "(the deploy fails with the message); a dead-letter queue would hold events nobody replays"
)
_RUNS_ONLY_DURING_A_DEPLOY = (
    "Runs only during a deploy, one event at a time: it cannot flood anything, and a reservation would take from "
    "the account's unreserved concurrency for nothing"
)


class SecretSeeder(Construct):
    """Fills the contact center's secrets; exposes the certificate to upload to Salesforce."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        secrets: ContactCenterSecrets,
    ) -> None:
        super().__init__(scope, construct_id)
        parts = python_function(
            self,
            package="scv_seeder",
            handler="scv_seeder.handler.on_event",
            description=f"Seeds the Salesforce JWT key pair and secrets of {contact_center.name}",
            role_description=f"{contact_center.name} secret seeder: write the two Salesforce secrets, write own logs",
            timeout_seconds=SEEDER_TIMEOUT_SECONDS,
            memory_size=512,
            log_retention_days=contact_center.log_retention_days,
            architecture=contact_center.architecture,
        )
        self.function = parts.function
        checkov.skip(self.function, "CKV_AWS_116", _SYNCHRONOUS_FOR_CLOUDFORMATION)
        checkov.skip(self.function, "CKV_AWS_115", _RUNS_ONLY_DURING_A_DEPLOY)
        self._role = parts.role
        secrets.grant_seeder(parts.role)
        provider_log_group = retained_days_log_group(self, "ProviderLogGroup", days=contact_center.log_retention_days)
        self._provider = cr.Provider(self, "Provider", on_event_handler=self.function, log_group=provider_log_group)
        self._acknowledge_provider_framework(self._provider)
        if contact_center.architecture != "x86_64":  # Lambda's default; the framework has no setting of its own
            framework = self._provider.node.find_child("framework-onEvent").node.default_child
            assert isinstance(framework, lambda_.CfnFunction)
            framework.add_property_override("Architectures", [contact_center.architecture])  # Node.js: either runs
        self._contact_center = contact_center
        self.resource = self._seed("Seed", contact_center, secrets, None)
        #: one seed resource per further org, by org name (same function and provider)
        self.org_resources: dict[str, CustomResource] = {}

    def add_org(self, org: Org, secrets: ContactCenterSecrets) -> CustomResource:
        """Seed a further org's secrets: its own key pair, certificate and consumer key."""
        secrets.grant_seeder(self._role)
        resource = self._seed(f"Seed{org.construct_suffix}", org, secrets, org)
        self.org_resources[org.name] = resource
        return resource

    def _seed(
        self, construct_id: str, salesforce: SalesforceOrg, secrets: ContactCenterSecrets, org: Org | None
    ) -> CustomResource:
        contact_center = self._contact_center
        certificate = salesforce.certificate
        common_name = contact_center.org_certificate_common_name(org) if org else contact_center.certificate_common_name
        return CustomResource(
            self,
            construct_id,
            service_token=self._provider.service_token,
            resource_type=SEEDER_RESOURCE_TYPE,
            properties={
                "ContactCenter": contact_center.name,
                **({"Org": org.name} if org else {}),
                "MainSecretId": secrets.main_secret.secret_arn,
                "AccessSecretId": secrets.access_secret.secret_arn,
                "Subject": salesforce.username,
                "Audience": salesforce.jwt_audience,
                "CertificateCommonName": common_name,
                "CertificateValidityDays": str(certificate.validity_days),
                "KeyRotation": str(certificate.key_rotation),
                "CertificateRenewal": str(certificate.renewal),
                "ActivatePendingKey": str(certificate.activate_pending_key).lower(),
                "AdoptExisting": str(contact_center.adopts_secrets).lower(),
                # What the config states (not defaults): these replace an adopted secret's values on Create.
                "ExplicitSettings": ",".join(salesforce.explicit_settings),
                # API settings the cached token was issued for: a change clears the token (as the guide requires).
                "SettingsVersion": f"{salesforce.rest_api_endpoint_base}|{salesforce.auth_endpoint}",
                # New in an existing stack's next deploy, so that deploy is an Update that publishes it.
                "CertificateParameter": secrets.certificate_parameter_name,
            },
        )

    def _acknowledge_provider_framework(self, provider: cr.Provider) -> None:
        """The Provider framework's own function is CDK's code; these are its accepted findings."""
        function_id = Stack.of(self).get_logical_id(self.function.node.default_child)  # type: ignore[arg-type]
        framework = provider.node.find_child("framework-onEvent")
        for check_id, reason in (
            checkov.NO_VPC,
            ("CKV_AWS_173", "CDK's Provider framework: its environment holds the seeder function's name only"),
            ("CKV_AWS_116", _SYNCHRONOUS_FOR_CLOUDFORMATION),
            ("CKV_AWS_115", _RUNS_ONLY_DURING_A_DEPLOY),
        ):
            checkov.skip(framework, check_id, reason)
        Validations.of(framework).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                reason="CDK's Provider framework function writes only its own logs with the basic execution role; "
                "it handles no secret (it relays the seeder's response, which holds only the public certificate)",
            )
        )
        Validations.of(framework).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
                reason="The framework may invoke any version of the seeder function (the :* suffix), and nothing else",
            )
        )

    @property
    def certificate_pem(self) -> str:
        return self.resource.get_att_string("Certificate")

    @property
    def certificate_fingerprint(self) -> str:
        return self.resource.get_att_string("CertificateFingerprintSha256")

    @property
    def certificate_not_after(self) -> str:
        return self.resource.get_att_string("CertificateNotAfter")

    @property
    def replaced_settings(self) -> str:
        return self.resource.get_att_string("ReplacedSettings")

    @property
    def pending_rotation(self) -> str:
        return self.resource.get_att_string("PendingRotation")

    def org_attribute(self, org: Org, name: str) -> str:
        """An attribute of a further org's seed (Certificate, CertificateFingerprintSha256, ...)."""
        return self.org_resources[org.name].get_att_string(name)
