"""The seeder custom resource: key pair, certificate and secret values made at deploy time.

Ships ``lambda_src/seeder`` behind CDK's Provider framework, which always answers CloudFormation
(a failing or crashing handler gives FAILED with its message within seconds, never an hour-long hang).
Replaces the setup guide's openssl, jq and ``aws secretsmanager`` steps. The private key never
leaves Secrets Manager: only the certificate, its fingerprint and expiry come back as attributes.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CustomResource, Stack, Validations
from aws_cdk import custom_resources as cr
from constructs import Construct

from .config import ContactCenter
from .constants import SEEDER_TIMEOUT_SECONDS
from .lambda_function import python_function, retained_days_log_group
from .secrets import ContactCenterSecrets

SEEDER_RESOURCE_TYPE = "Custom::SalesforceSecretSeed"


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
            package="seeder",
            handler="seeder.handler.on_event",
            description=f"Seeds the Salesforce JWT key pair and secrets of {contact_center.name}",
            role_description=f"{contact_center.name} secret seeder: write the two Salesforce secrets, write own logs",
            timeout_seconds=SEEDER_TIMEOUT_SECONDS,
            memory_size=512,
            log_retention_days=contact_center.log_retention_days,
        )
        self.function = parts.function
        secrets.grant_seeder(parts.role)
        provider_log_group = retained_days_log_group(self, "ProviderLogGroup", days=contact_center.log_retention_days)
        provider = cr.Provider(self, "Provider", on_event_handler=self.function, log_group=provider_log_group)
        self._acknowledge_provider_framework(provider)
        certificate = contact_center.certificate
        self.resource = CustomResource(
            self,
            "Seed",
            service_token=provider.service_token,
            resource_type=SEEDER_RESOURCE_TYPE,
            properties={
                "ContactCenter": contact_center.name,
                "MainSecretId": secrets.main_secret.secret_arn,
                "AccessSecretId": secrets.access_secret.secret_arn,
                "Subject": contact_center.username,
                "Audience": contact_center.jwt_audience,
                "CertificateCommonName": contact_center.certificate_common_name,
                "CertificateValidityDays": str(certificate.validity_days),
                "KeyRotation": str(certificate.key_rotation),
                "CertificateRenewal": str(certificate.renewal),
                "ActivatePendingKey": str(certificate.activate_pending_key).lower(),
                "AdoptExisting": str(contact_center.adopt_existing_secrets).lower(),
                # API settings the cached token was issued for: a change clears the token (as the guide requires).
                "SettingsVersion": f"{contact_center.rest_api_endpoint_base}|{contact_center.auth_endpoint}",
            },
        )

    def _acknowledge_provider_framework(self, provider: cr.Provider) -> None:
        """The Provider framework's own function is CDK's code; these are its accepted findings."""
        function_id = Stack.of(self).get_logical_id(self.function.node.default_child)  # type: ignore[arg-type]
        framework = provider.node.find_child("framework-onEvent")
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
    def pending_rotation(self) -> str:
        return self.resource.get_att_string("PendingRotation")
