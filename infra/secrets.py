"""The two Secrets Manager secrets of a contact center.

Their names are a public contract (the setup guide, existing flows and runbooks use them). They are
created EMPTY: no secret value ever appears in a template; the seeder custom resource writes the
values at deploy time. Both are retained when the stack is deleted, so deleting a stack never loses
the key pair or the consumer key. A contact center whose secrets were made by hand per the setup
guide can adopt them instead (imported by name, left as they are).

Who can read a value: IAM alone would let any principal of the account whose policies allow
``secretsmanager:GetSecretValue`` on ``*`` read it (administrators, the CloudFormation execution role),
since the AWS managed key adds no check of its own. So each secret made here carries a resource policy
that denies GetSecretValue to every principal but the roles granted below (the invoker, the seeder) and
the config's break-glass role. An administrator can still replace the policy (PutResourcePolicy is not
denied), which CloudTrail records. Adopted secrets keep the policy they have: SCV's own function reads
them.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from scv_shared.secret_format import access_secret_name, certificate_parameter_name, main_secret_name

from . import checkov
from .config import construct_suffix

_NO_SCHEDULED_ROTATION = (
    "Not rotated on a Secrets Manager schedule: the key pair only works once its certificate is uploaded to "
    "Salesforce, so it is rotated by the operator (certificate.key_rotation in the config or `scvctl key rotate`, "
    "staged as AWSPENDING with no outage); the access token is replaced by the invoker whenever Salesforce expires it"
)


class ContactCenterSecrets(Construct):
    """``${cc}-salesforce-secret`` (key pair, consumer key, subject, audience) and
    ``${cc}-salesforce-access-secret`` (the cached token)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: str,
        encryption_key: kms.IKey | None,
        adopt_existing: bool,
        org: str | None = None,
    ) -> None:
        """``org``: a further org's pair ``${cc}-${org}-...`` instead of the contact center's own."""
        super().__init__(scope, construct_id)
        self.encryption_key = encryption_key
        self.org = org
        #: IAM statement ids must be unique within a policy: each org's statements carry its name
        self._sid_suffix = construct_suffix(org) if org else ""
        #: the roles granted a read of the values, the only ones restrict_reads lets read them
        self._readers: list[str] = []
        self.main_secret_name = main_secret_name(contact_center, org)
        self.access_secret_name = access_secret_name(contact_center, org)
        #: the public certificate in use, as a plain SSM parameter the seeder writes (readable without the key)
        self.certificate_parameter_name = certificate_parameter_name(contact_center, org)
        self.certificate_parameter_arn = Stack.of(self).format_arn(
            service="ssm", resource="parameter", resource_name=self.certificate_parameter_name.lstrip("/")
        )
        if adopt_existing:
            self.main_secret = secretsmanager.Secret.from_secret_name_v2(self, "MainSecret", self.main_secret_name)
            self.access_secret = secretsmanager.Secret.from_secret_name_v2(
                self, "AccessSecret", self.access_secret_name
            )
        else:
            self.main_secret = self._empty_secret(
                "MainSecret",
                self.main_secret_name,
                "Salesforce JWT bearer credentials (consumer key, private key, subject, audience) "
                "for the contact center's InvokeSalesforceRestApiFunction",
            )
            self.access_secret = self._empty_secret(
                "AccessSecret",
                self.access_secret_name,
                "Cached Salesforce OAuth access token of InvokeSalesforceRestApiFunction",
            )

    def _empty_secret(self, construct_id: str, name: str, description: str) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            secret_name=name,
            description=description,
            encryption_key=self.encryption_key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CDK generates a random password by default; these secrets start empty and the seeder fills them.
        cfn_secret = secret.node.default_child
        assert isinstance(cfn_secret, secretsmanager.CfnSecret)
        cfn_secret.add_property_deletion_override("GenerateSecretString")
        Validations.of(secret).acknowledge(Acknowledgment(id="AwsSolutions-SMG4", reason=_NO_SCHEDULED_ROTATION))
        if self.encryption_key is None:
            checkov.skip(
                secret,
                "CKV_AWS_149",
                "No customer managed key configured (kms_key_arn is empty): Secrets Manager encrypts with its AWS "
                "managed key, which any principal allowed GetSecretValue may use; the secret's resource policy "
                "(restrict_secret_reads) limits reading to this stack's functions and the break-glass role; set "
                "kms_key_arn to use your own key as well",
            )
        return secret

    def restrict_reads(self, *, break_glass_role_arn: str | None) -> None:
        """Deny GetSecretValue on each secret made here to every principal but the roles granted a read and the
        break-glass role (see the module docstring); adopted secrets are left as they are."""
        readers = [*self._readers, *([break_glass_role_arn] if break_glass_role_arn else [])]
        for secret in (self.main_secret, self.access_secret):
            secret.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="OnlyTheFunctionsAndBreakGlassReadTheValue",
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=["secretsmanager:GetSecretValue"],
                    resources=["*"],
                    conditions={"ArnNotEquals": {"aws:PrincipalArn": readers}},
                )
            )

    def grant_invoker(self, grantee: iam.IGrantable) -> None:
        """Read both secrets (the main one includes its pending key); write only the cached token."""
        self._allow(
            grantee, "ReadSalesforceSecrets", ["secretsmanager:GetSecretValue"], self.main_secret, self.access_secret
        )
        self._allow(grantee, "CacheAccessToken", ["secretsmanager:PutSecretValue"], self.access_secret)
        self._allow_key(grantee, ["kms:Decrypt", "kms:GenerateDataKey"])

    def grant_seeder(self, grantee: iam.IGrantable) -> None:
        """Read and write both secrets, and move version stages for key rotation; nothing else."""
        self._allow(
            grantee,
            "SeedSalesforceSecrets",
            ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue"],
            self.main_secret,
            self.access_secret,
        )
        self._allow(
            grantee,
            "StageRotatedKeys",
            ["secretsmanager:UpdateSecretVersionStage"],
            self.main_secret,
        )
        self._allow_key(grantee, ["kms:Decrypt", "kms:GenerateDataKey"])
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="PublishCertificate" + self._sid_suffix,
                actions=["ssm:PutParameter"],
                resources=[self.certificate_parameter_arn],
            )
        )

    def grant_certificate_check(self, grantee: iam.IGrantable) -> None:
        """Read the published certificate for the daily expiry check: no right on either secret or the key."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ReadCertificate" + self._sid_suffix,
                actions=["ssm:GetParameter"],
                resources=[self.certificate_parameter_arn],
            )
        )

    def _allow(self, grantee: iam.IGrantable, sid: str, actions: list[str], *secrets: secretsmanager.ISecret) -> None:
        role_arn = getattr(grantee, "role_arn", None)
        if "secretsmanager:GetSecretValue" in actions and role_arn and role_arn not in self._readers:
            self._readers.append(role_arn)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid=sid + self._sid_suffix, actions=actions, resources=[_arn_pattern(secret) for secret in secrets]
            )
        )

    def _allow_key(self, grantee: iam.IGrantable, actions: list[str]) -> None:
        """Use the customer-managed key, and only through Secrets Manager."""
        if self.encryption_key is None:
            return
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="UseSecretsKeyThroughSecretsManager" + self._sid_suffix,
                actions=actions,
                resources=[self.encryption_key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"secretsmanager.{Stack.of(self).region}.amazonaws.com"}
                },
            )
        )


def _arn_pattern(secret: secretsmanager.ISecret) -> str:
    """The full ARN of a secret made here; an imported secret's name plus Secrets Manager's 6-character suffix."""
    return secret.secret_full_arn or f"{secret.secret_arn}-??????"
