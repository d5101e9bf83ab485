"""``CertificateCheck``: a daily Lambda (lambda_src/scv_certificate_check) that publishes the days left on the
Salesforce JWT certificate, and the alarm on that figure."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct
from scv_shared import telemetry

from . import checkov
from .alarms import add_alarm, published_metric
from .config import ContactCenter
from .lambda_function import python_function
from .secrets import ContactCenterSecrets


class CertificateCheck(Construct):
    """Daily: read the published certificate (no right on the key's secret), publish its days left (EMF);
    alarm when they fall under the configured warning, or when the check stops reporting.

    :param contact_center: the contact center whose certificate is checked.
    :param secrets: its secrets (the check reads only the certificate they publish).
    :param topic: where the alarm notifies. Default: nowhere.

    Attributes: ``function``, ``days_left`` (the metric), ``alarm``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        secrets: ContactCenterSecrets,
        topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = self._function(contact_center, secrets)
        events.Rule(
            self,
            "DailyCertificateCheck",
            schedule=events.Schedule.rate(Duration.days(1)),
            targets=[targets.LambdaFunction(self.function, retry_attempts=2)],
        )
        self.days_left = published_metric(
            contact_center.name,
            telemetry.CERTIFICATE_DAYS_LEFT,
            "Minimum",
            "Certificate days left",
            period=Duration.days(1),
        )
        warning_days = contact_center.monitoring.certificate_expiry_warning_days
        self.alarm = add_alarm(
            self,
            "CertificateExpiry",
            self.days_left,
            warning_days,
            f"The JWT certificate expires in under {warning_days} days: "
            "run `scvctl cert renew` and upload the new certificate",
            topic=topic,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            missing_data=cloudwatch.TreatMissingData.BREACHING,
            on_one_datapoint=True,
        )

    def _function(self, contact_center: ContactCenter, secrets: ContactCenterSecrets) -> lambda_.Function:
        parts = python_function(
            self,
            id_prefix="CertificateCheck",
            package="scv_certificate_check",
            handler="scv_certificate_check.handler.lambda_handler",
            description=f"Publishes the days left on the Salesforce JWT certificate of {contact_center.name}",
            role_description=f"{contact_center.name} certificate check: read the published certificate, write own logs",
            timeout_seconds=30,
            memory_size=256,
            log_retention_days=contact_center.log_retention_days,
            architecture=contact_center.architecture,
            environment={
                "CONTACT_CENTER_NAME": contact_center.name,
                "CERTIFICATE_PARAMETER_NAME": secrets.certificate_parameter_name,
                "POWERTOOLS_METRICS_NAMESPACE": telemetry.NAMESPACE,
            },
        )
        function = parts.function
        checkov.skip(
            function,
            "CKV_AWS_116",
            "Scheduled daily by EventBridge (retried twice): a run that fails publishes no figure, which the "
            "CertificateExpiry alarm treats as breaching, so a failure is noticed without a queue",
        )
        checkov.skip(function, "CKV_AWS_115", "Runs once a day: it cannot flood anything")
        secrets.grant_certificate_check(parts.role)
        return function
