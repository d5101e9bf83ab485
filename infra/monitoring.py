"""Monitoring of one contact center: alarms before callers notice, and a dashboard.

A failing invoker is silent from the caller's side (the flow just takes its error branch), so the
operator needs to see trouble coming: errors, latency creeping toward Connect's 8 s limit, throttles,
Salesforce API quota, token mints failing and the certificate nearing expiry. The invoker publishes
its figures as Embedded Metric Format log lines (no API call on the hot path); a daily check of the
certificate publishes its days left the same way.
"""

from __future__ import annotations

import json

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct
from scv_shared import constants, telemetry
from scv_shared.orgs import DEFAULT_ORG

from . import checkov
from .config import ContactCenter
from .constants import CONNECT_TIME_LIMIT_SECONDS
from .lambda_function import python_function
from .secrets import ContactCenterSecrets

_FIVE_MINUTES = Duration.minutes(5)
#: our invoker's JSON lines carry a level
_FAILURES_QUERY = [
    "fields @timestamp, method, errorCode, status, message",
    "filter level = 'ERROR'",
    "sort @timestamp desc",
    "limit 20",
]
#: SCV's Node.js function logs free text; its failures mention an error
_SCV_FAILURES_QUERY = [
    "fields @timestamp, @message",
    "filter @message like /(?i)error/",
    "sort @timestamp desc",
    "limit 20",
]


class Monitoring(Construct):
    """Alarms (optionally notifying an SNS topic), the certificate expiry check and a dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        function: lambda_.IFunction,
        secrets: ContactCenterSecrets,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        """``function``: ours, or SCV's in mode companion (watched through Lambda's own metrics only: the
        invoker's EMF figures, API usage, token mints and calls per contact, are ours alone).
        ``alarm_topic``: an existing topic for the alarms; default: the config's ``monitoring`` settings."""
        super().__init__(scope, construct_id)
        self.function = function
        ours = contact_center.ships_function
        settings = self._settings = contact_center.monitoring
        self._dimensions = {telemetry.CONTACT_CENTER_DIMENSION: contact_center.name}
        self.topic = alarm_topic or self._alarm_topic(contact_center)
        self.certificate_check = self._certificate_check(contact_center, secrets)

        errors = function.metric_errors(period=_FIVE_MINUTES, statistic="Sum")
        invocations = function.metric_invocations(period=_FIVE_MINUTES, statistic="Sum")
        error_rate = cloudwatch.MathExpression(
            expression="IF(invocations > 0, 100 * errors / invocations, 0)",
            using_metrics={"errors": errors, "invocations": invocations},
            label="Error rate (%)",
            period=_FIVE_MINUTES,
        )
        p99 = function.metric_duration(period=_FIVE_MINUTES, statistic="p99", label="Duration p99 (ms)")
        throttles = function.metric_throttles(period=_FIVE_MINUTES, statistic="Sum")
        api_usage = self._metric(telemetry.API_USAGE_PERCENT, "Maximum", "Salesforce API usage (% of daily limit)")
        mint_failures = self._metric(telemetry.TOKEN_MINT_FAILURES, "Sum", "Token mint failures")
        days_left = self._metric(
            telemetry.CERTIFICATE_DAYS_LEFT, "Minimum", "Certificate days left", period=Duration.days(1)
        )
        invocation_rate = function.metric_invocations(
            period=Duration.minutes(1), statistic="Sum", label="Invocations per minute"
        )
        self.calls_per_contact_rule = self._calls_per_contact_rule(contact_center) if ours else None

        self.alarms = [
            self._alarm(
                "ErrorRate",
                error_rate,
                settings.error_rate_percent,
                f"More than {settings.error_rate_percent}% of invocations failed: "
                "contact flows take their error branch",
            ),
            self._alarm(
                "LatencyNearConnectLimit",
                p99,
                settings.p99_duration_ms,
                f"p99 duration above {settings.p99_duration_ms} ms: Connect gives up at "
                f"{CONNECT_TIME_LIMIT_SECONDS * 1000} ms",
            ),
            self._alarm("Throttles", throttles, 0, "Invocations were throttled (account or reserved concurrency)"),
            *self._invoker_alarms(api_usage, mint_failures, ours=ours),
            self._alarm(
                "InvocationRate",
                invocation_rate,
                settings.invocations_per_minute,
                f"More than {settings.invocations_per_minute} invocations a minute: a call flood or a looping flow "
                "is spending the org's daily API allowance"
                + (" (see the CallsPerContact rule for the contacts)" if ours else ""),
            ),
            *self._calls_per_contact_alarms(),
            self._alarm(
                "CertificateExpiry",
                days_left,
                settings.certificate_expiry_warning_days,
                f"The JWT certificate expires in under {settings.certificate_expiry_warning_days} days: "
                "run `scvctl cert renew` and upload the new certificate",
                comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                missing_data=cloudwatch.TreatMissingData.BREACHING,
                period_days=True,
            ),
        ]
        self.dashboard = self._dashboard(
            contact_center,
            error_rate,
            p99,
            throttles,
            api_usage,
            days_left,
            invocations=self._metric(telemetry.INVOCATIONS, "Sum", "Invocations") if ours else invocations,
        )

    def _invoker_alarms(
        self, api_usage: cloudwatch.IMetric, mint_failures: cloudwatch.IMetric, *, ours: bool
    ) -> list[cloudwatch.Alarm]:
        """On the figures only our invoker publishes (SCV's function publishes none of them)."""
        if not ours:
            return []
        settings = self._settings
        return [
            self._alarm(
                "ApiUsage",
                api_usage,
                settings.api_usage_percent,
                f"Salesforce API usage above {settings.api_usage_percent}% of the org's daily limit",
            ),
            self._alarm(
                "TokenMintFailures",
                mint_failures,
                0,
                "Salesforce refused the JWT bearer token request: run `scvctl check` for the fix",
            ),
        ]

    def _calls_per_contact_alarms(self) -> list[cloudwatch.Alarm]:
        """A looping flow, seen in our summary lines (one per invocation, with the contact id)."""
        if self.calls_per_contact_rule is None:
            return []
        settings = self._settings
        calls_per_contact = cloudwatch.MathExpression(
            expression=f"INSIGHT_RULE_METRIC('{self.calls_per_contact_rule.rule_name}', 'MaxContributorValue')",
            using_metrics={},
            label="Most invocations by one contact (5 min)",
            period=_FIVE_MINUTES,
        )
        return [
            self._alarm(
                "CallsPerContact",
                calls_per_contact,
                settings.calls_per_contact,
                f"One contact made more than {settings.calls_per_contact} invocations in 5 minutes: a contact flow "
                "loops (its contact id is the top contributor of the CallsPerContact Contributor Insights rule)",
                evaluation_periods=1,
            )
        ]

    def _metric(self, name: str, statistic: str, label: str, *, period: Duration = _FIVE_MINUTES) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=telemetry.NAMESPACE,
            metric_name=name,
            dimensions_map=self._dimensions,
            statistic=statistic,
            period=period,
            label=label,
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        *,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
        period_days: bool = False,
        evaluation_periods: int | None = None,
    ) -> cloudwatch.Alarm:
        """Two datapoints of three by default; a daily figure, or ``evaluation_periods=1``, alarms on one."""
        once = period_days or evaluation_periods == 1
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=1 if once else 3,
            datapoints_to_alarm=1 if once else 2,
            treat_missing_data=missing_data,
            alarm_description=description,
        )
        if self.topic is not None:
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.topic))
            alarm.add_ok_action(cloudwatch_actions.SnsAction(self.topic))
        return alarm

    def _calls_per_contact_rule(self, contact_center: ContactCenter) -> cloudwatch.CfnInsightRule:
        """Invocations per contact id, counted by CloudWatch Contributor Insights from the summary lines.

        A contact id is unbounded in number, so it is no metric dimension (each value would be a custom metric
        of its own); it is a property of every summary line instead, and this rule counts the lines per id
        across all containers, keeps the top contributors and publishes the largest count as a metric.
        """
        body = {
            "Schema": {"Name": "CloudWatchLogRule", "Version": 1},
            "LogGroupNames": [contact_center.log_group_name],
            "LogFormat": "JSON",
            "Contribution": {
                "Keys": [f"$.{telemetry.CONTACT_ID_PROPERTY}"],
                "Filters": [{"Match": "$.message", "In": list(telemetry.SUMMARY_MESSAGES)}],
            },
            "AggregateOn": "Count",
        }
        return cloudwatch.CfnInsightRule(
            self,
            "CallsPerContactRule",
            rule_name=f"{contact_center.name}-InvokerCallsPerContact",
            rule_state="ENABLED",
            rule_body=json.dumps(body),
        )

    def _alarm_topic(self, contact_center: ContactCenter) -> sns.ITopic | None:
        settings = contact_center.monitoring
        if settings.alarm_topic_arn:
            return sns.Topic.from_topic_arn(self, "AlarmTopic", settings.alarm_topic_arn)
        if not settings.create_alarm_topic:
            return None
        topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name=f"{contact_center.name} Salesforce REST API alarms",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        if settings.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(settings.alarm_email))
        return topic

    def _certificate_check(self, contact_center: ContactCenter, secrets: ContactCenterSecrets) -> lambda_.Function:
        """Daily: read the published certificate (no right on the key's secret), publish its days left (EMF)."""
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
        events.Rule(
            self,
            "DailyCertificateCheck",
            schedule=events.Schedule.rate(Duration.days(1)),
            targets=[targets.LambdaFunction(function, retry_attempts=2)],
        )
        return function

    def _dashboard(
        self,
        contact_center: ContactCenter,
        error_rate: cloudwatch.IMetric,
        p99: cloudwatch.IMetric,
        throttles: cloudwatch.IMetric,
        api_usage: cloudwatch.IMetric,
        days_left: cloudwatch.IMetric,
        *,
        invocations: cloudwatch.IMetric,
    ) -> cloudwatch.Dashboard:
        """In mode companion, only Lambda's own figures of SCV's function and its logs' error lines."""
        ours = contact_center.ships_function
        salesforce_latency = [self._metric(telemetry.SALESFORCE_LATENCY, "p99", "Salesforce latency p99 (ms)")]
        if not ours:
            salesforce_latency = []
        connect_limit = cloudwatch.HorizontalAnnotation(
            value=CONNECT_TIME_LIMIT_SECONDS * 1000, label="Connect gives up", color="#d62728"
        )
        dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=constants.dashboard_name(contact_center.name)
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Invocations and errors",
                left=[invocations],
                right=[error_rate],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Latency vs Connect's 8 s limit (ms)",
                left=[p99, *salesforce_latency],
                left_annotations=[connect_limit],
                width=8,
            ),
            cloudwatch.GraphWidget(title="Throttles", left=[throttles], width=8),
        )
        if ours:
            self._invoker_widgets(dashboard, api_usage)
        dashboard.add_widgets(
            cloudwatch.SingleValueWidget(title="Certificate days left", metrics=[days_left], width=8),
            cloudwatch.LogQueryWidget(
                title="Recent failures",
                log_group_names=[contact_center.log_group_name],
                query_lines=_FAILURES_QUERY if ours else _SCV_FAILURES_QUERY,
                width=16,
            ),
        )
        if contact_center.orgs:
            org_names = [DEFAULT_ORG, *(org.name for org in contact_center.orgs)]
            dashboard.add_widgets(*(self._org_widget(org) for org in org_names))
        return dashboard

    def _invoker_widgets(self, dashboard: cloudwatch.Dashboard, api_usage: cloudwatch.IMetric) -> None:
        """The figures our invoker publishes: API usage, token mints, cache hits."""
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Salesforce API usage",
                left=[api_usage],
                right=[self._metric(telemetry.API_USAGE, "Maximum", "API requests used today")],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Auth: token mints and failures",
                left=[
                    self._metric(telemetry.TOKEN_MINTS, "Sum", "Token mints"),
                    self._metric(telemetry.TOKEN_MINT_FAILURES, "Sum", "Token mint failures"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Caches (hits per 5 min)",
                left=[
                    self._metric(telemetry.TOKEN_CACHE_HITS, "Sum", "Token cache hits"),
                    self._metric(telemetry.SECRETS_CACHE_HITS, "Sum", "Secrets cache hits"),
                    self._metric(telemetry.SECRETS_MANAGER_CALLS, "Sum", "Secrets Manager calls"),
                ],
                width=8,
            ),
        )

    def _org_widget(self, org: str) -> cloudwatch.GraphWidget:
        """One org's calls, errors and token mints (the invoker's metrics carry an Org dimension)."""
        dimensions = {**self._dimensions, telemetry.ORG_DIMENSION: org}

        def metric(name: str, label: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=telemetry.NAMESPACE,
                metric_name=name,
                dimensions_map=dimensions,
                statistic="Sum",
                period=_FIVE_MINUTES,
                label=label,
            )

        return cloudwatch.GraphWidget(
            title=f"Org {org}: invocations, errors, token mints",
            left=[metric(telemetry.INVOCATIONS, "Invocations"), metric(telemetry.ERRORS, "Errors")],
            right=[
                metric(telemetry.TOKEN_MINTS, "Token mints"),
                metric(telemetry.TOKEN_MINT_FAILURES, "Mint failures"),
            ],
            width=8,
        )
