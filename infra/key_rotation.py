"""Key rotation without hands: Secrets Manager's schedule on the main secret and the function that rotates it.

With ``rotation_days`` set, Secrets Manager rotates ``${cc}-salesforce-secret`` every N days through
``scv_seeder.rotation`` (in the seeder's bundle: the key, certificate and store code are the seeder's): a new
key, its certificate uploaded to SCV's connected app as the subject, a test sign-in, then the switch. A
rotation that cannot finish (the subject may not change the app, Salesforce refuses) leaves the current
key in use and fails the function, which the ``KeyRotationFailed`` alarm reports.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct
from scv_shared import constants

from . import checkov
from .config import ContactCenter
from .lambda_function import python_function
from .secrets import ContactCenterSecrets

#: a rotation step signs in to Salesforce and reads and writes the app twice: far below this
_STEP_TIMEOUT_SECONDS = 120


class KeyRotation(Construct):
    """The rotation function (``function``), the schedule (``schedule``) and the ``KeyRotationFailed`` alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        rotation_days: int,
        secrets: ContactCenterSecrets,
        alarm_topic: sns.ITopic | None,
    ) -> None:
        super().__init__(scope, construct_id)
        parts = python_function(
            self,
            package="scv_seeder",
            handler="scv_seeder.rotation.on_rotation",
            description=f"Rotates the Salesforce JWT key of {contact_center.name} and uploads its certificate",
            role_description=f"{contact_center.name} key rotation: rotate the main secret, clear the token, "
            "publish the certificate, write own logs",
            timeout_seconds=_STEP_TIMEOUT_SECONDS,
            memory_size=512,
            log_retention_days=contact_center.log_retention_days,
            architecture=contact_center.architecture,
            environment={
                "CONTACT_CENTER_NAME": contact_center.name,
                "SALESFORCE_ACCESS_SECRET_ID": secrets.access_secret.secret_arn,
                "SALESFORCE_AUTH_ENDPOINT": contact_center.auth_endpoint,
                "SALESFORCE_API_VERSION": contact_center.api_version,
                "CERTIFICATE_PARAMETER_NAME": secrets.certificate_parameter_name,
                "CERTIFICATE_COMMON_NAME": contact_center.certificate_common_name,
                "CERTIFICATE_VALIDITY_DAYS": str(contact_center.certificate.validity_days),
                "POWERTOOLS_SERVICE_NAME": constants.KEY_ROTATION_SERVICE_NAME,
            },
        )
        self.function: lambda_.Function = parts.function
        checkov.skip(
            self.function,
            "CKV_AWS_116",
            "Invoked by Secrets Manager's rotation, which retries a failed step and records the failure on the "
            "secret; the KeyRotationFailed alarm reports it, so a queue would hold events nobody replays",
        )
        checkov.skip(self.function, "CKV_AWS_115", "Runs a few times per rotation, every few weeks: it floods nothing")
        # The seeder's rights exactly: read and write both secrets, move the main secret's stages, publish the
        # certificate.
        secrets.grant_seeder(parts.role)
        self.schedule = secrets.main_secret.add_rotation_schedule(
            "RotationSchedule",
            rotation_lambda=self.function,
            automatically_after=Duration.days(rotation_days),
        )
        Validations.of(parts.role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="CDK grants every rotation function secretsmanager:GetRandomPassword, an action without a "
                "resource (Resource * is the only form IAM accepts); this function does not call it",
            )
        )
        self.alarm = cloudwatch.Alarm(
            self,
            "KeyRotationFailed",
            metric=self.function.metric_errors(period=Duration.hours(1), statistic="Sum"),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=(
                f"A key rotation of {contact_center.name} stopped; the current key stays in use. The function's log "
                f"says why (e.g. the subject may not change the app): fix it, or `scvctl key rotate "
                f"{contact_center.name} --upload`"
            ),
        )
        if alarm_topic is not None:
            self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
            self.alarm.add_ok_action(cloudwatch_actions.SnsAction(alarm_topic))
