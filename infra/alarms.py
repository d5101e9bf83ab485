"""The alarms of a contact center's function, before callers notice: ``FunctionAlarms`` on Lambda's own figures
(any function, ours or SCV's) and ``InvokerAlarms`` on the figures only our invoker publishes (Embedded Metric
Format log lines, named in scv_shared.telemetry). Every alarm notifies the alarm topic, when there is one, on
entering and on leaving the alarm state.
"""

from __future__ import annotations

import json

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct
from scv_shared import telemetry

from .config import ContactCenter
from .config import Monitoring as MonitoringSettings
from .constants import CONNECT_TIME_LIMIT_SECONDS

FIVE_MINUTES = Duration.minutes(5)


def published_metric(
    contact_center: str,
    name: str,
    statistic: str,
    label: str,
    *,
    org: str | None = None,
    period: Duration = FIVE_MINUTES,
) -> cloudwatch.Metric:
    """One of the figures our functions publish, per contact center (and per org, when ``org`` is given)."""
    dimensions = {telemetry.CONTACT_CENTER_DIMENSION: contact_center}
    if org is not None:
        dimensions[telemetry.ORG_DIMENSION] = org
    return cloudwatch.Metric(
        namespace=telemetry.NAMESPACE,
        metric_name=name,
        dimensions_map=dimensions,
        statistic=statistic,
        period=period,
        label=label,
    )


def add_alarm(
    scope: Construct,
    construct_id: str,
    metric: cloudwatch.IMetric,
    threshold: float,
    description: str,
    *,
    topic: sns.ITopic | None,
    comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    on_one_datapoint: bool = False,
) -> cloudwatch.Alarm:
    """An alarm on two datapoints of three (a blip is no incident), or on one (``on_one_datapoint``: a daily
    figure, or a condition that is an incident the first time it is seen)."""
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        comparison_operator=comparison,
        evaluation_periods=1 if on_one_datapoint else 3,
        datapoints_to_alarm=1 if on_one_datapoint else 2,
        treat_missing_data=missing_data,
        alarm_description=description,
    )
    if topic is not None:
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
        alarm.add_ok_action(cloudwatch_actions.SnsAction(topic))
    return alarm


class FunctionAlarms(Construct):
    """Errors, latency near Connect's limit, throttles and the invocation rate, from Lambda's own metrics.

    :param function: the watched function, ours or SCV's.
    :param settings: the config's thresholds.
    :param topic: where the alarms notify. Default: nowhere (the alarms still show in the console).
    :param invocation_rate_hint: appended to the invocation-rate alarm's description: where to find the
        contacts behind a flood. Default: nothing.

    Attributes: the metrics the dashboard shows, ``error_rate``, ``p99``, ``throttles``, ``invocations``, and
    ``alarms``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        settings: MonitoringSettings,
        topic: sns.ITopic | None = None,
        invocation_rate_hint: str = "",
    ) -> None:
        super().__init__(scope, construct_id)
        errors = function.metric_errors(period=FIVE_MINUTES, statistic="Sum")
        self.invocations = function.metric_invocations(period=FIVE_MINUTES, statistic="Sum")
        self.error_rate = cloudwatch.MathExpression(
            expression="IF(invocations > 0, 100 * errors / invocations, 0)",
            using_metrics={"errors": errors, "invocations": self.invocations},
            label="Error rate (%)",
            period=FIVE_MINUTES,
        )
        self.p99 = function.metric_duration(period=FIVE_MINUTES, statistic="p99", label="Duration p99 (ms)")
        self.throttles = function.metric_throttles(period=FIVE_MINUTES, statistic="Sum")
        invocation_rate = function.metric_invocations(
            period=Duration.minutes(1), statistic="Sum", label="Invocations per minute"
        )
        self.alarms = [
            add_alarm(
                self,
                "ErrorRate",
                self.error_rate,
                settings.error_rate_percent,
                f"More than {settings.error_rate_percent}% of invocations failed: "
                "contact flows take their error branch",
                topic=topic,
            ),
            add_alarm(
                self,
                "LatencyNearConnectLimit",
                self.p99,
                settings.p99_duration_ms,
                f"p99 duration above {settings.p99_duration_ms} ms: Connect gives up at "
                f"{CONNECT_TIME_LIMIT_SECONDS * 1000} ms",
                topic=topic,
            ),
            add_alarm(
                self,
                "Throttles",
                self.throttles,
                0,
                "Invocations were throttled (account or reserved concurrency)",
                topic=topic,
            ),
            add_alarm(
                self,
                "InvocationRate",
                invocation_rate,
                settings.invocations_per_minute,
                f"More than {settings.invocations_per_minute} invocations a minute: a call flood or a looping flow "
                f"is spending the org's daily API allowance{invocation_rate_hint}",
                topic=topic,
            ),
        ]


class InvokerAlarms(Construct):
    """Salesforce API usage, token mint failures, the integration being down and a looping flow: figures only
    our invoker publishes, so only a stack that ships it adds these.

    :param contact_center: the contact center (its name is the metrics' dimension, its log group the looping-flow
        rule's source).
    :param topic: where the alarms notify. Default: nowhere.

    Attributes: ``api_usage``, ``sign_ins_refused`` and ``orgs_unavailable`` (for the dashboard),
    ``calls_per_contact_rule`` and ``alarms``.
    """

    #: appended to the invocation-rate alarm's description when these alarms watch the function
    INVOCATION_RATE_HINT = " (see the CallsPerContact rule for the contacts)"

    def __init__(
        self, scope: Construct, construct_id: str, *, contact_center: ContactCenter, topic: sns.ITopic | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        settings = contact_center.monitoring
        name = contact_center.name
        self.api_usage = published_metric(
            name, telemetry.API_USAGE_PERCENT, "Maximum", "Salesforce API usage (% of daily limit)"
        )
        self.sign_ins_refused = published_metric(name, telemetry.SIGN_IN_REFUSED, "Sum", "Calls refused sign-in")
        self.orgs_unavailable = published_metric(name, telemetry.ORG_UNAVAILABLE, "Sum", "Calls to an unavailable org")
        self.calls_per_contact_rule = self._calls_per_contact_rule(contact_center)
        calls_per_contact = cloudwatch.MathExpression(
            expression=f"INSIGHT_RULE_METRIC('{self.calls_per_contact_rule.rule_name}', 'MaxContributorValue')",
            using_metrics={},
            label="Most invocations by one contact (5 min)",
            period=FIVE_MINUTES,
        )
        self.alarms = [
            add_alarm(
                self,
                "ApiUsage",
                self.api_usage,
                settings.api_usage_percent,
                f"Salesforce API usage above {settings.api_usage_percent}% of the org's daily limit",
                topic=topic,
            ),
            add_alarm(
                self,
                "TokenMintFailures",
                published_metric(name, telemetry.TOKEN_MINT_FAILURES, "Sum", "Token mint failures"),
                0,
                "Salesforce refused the JWT bearer token request: run `scvctl check` for the fix",
                topic=topic,
            ),
            add_alarm(
                self,
                "IntegrationDown",
                cloudwatch.MathExpression(
                    expression="FILL(refused, 0) + FILL(unavailable, 0)",
                    using_metrics={"refused": self.sign_ins_refused, "unavailable": self.orgs_unavailable},
                    label="Calls failed by a refused sign-in or an unavailable org",
                    period=FIVE_MINUTES,
                ),
                1,
                "The integration is down: calls fail at once because Salesforce refused the sign-in (check that "
                "the integration user is active and not frozen, the certificate and the consumer key, then run "
                "`scvctl token reset`) or because an org is not answering (Salesforce's status, the network); the "
                "dashboard shows which org",
                topic=topic,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                on_one_datapoint=True,
            ),
            add_alarm(
                self,
                "CallsPerContact",
                calls_per_contact,
                settings.calls_per_contact,
                f"One contact made more than {settings.calls_per_contact} invocations in 5 minutes: a contact flow "
                "loops (its contact id is the top contributor of the CallsPerContact Contributor Insights rule)",
                topic=topic,
                on_one_datapoint=True,
            ),
        ]

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
