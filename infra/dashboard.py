"""``MonitoringDashboard``: one contact center's figures on one CloudWatch dashboard."""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct
from scv_shared import constants, telemetry
from scv_shared.orgs import DEFAULT_ORG

from .alarms import FunctionAlarms, InvokerAlarms, published_metric
from .certificate_check import CertificateCheck
from .config import ContactCenter
from .constants import CONNECT_TIME_LIMIT_SECONDS

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


class MonitoringDashboard(Construct):
    """Invocations, errors, latency against Connect's limit, throttles, the certificate and recent failures; with
    our invoker (``invoker_alarms`` given) also its own figures, and a graph per org.

    :param contact_center: the contact center (the dashboard's name, its log group and its orgs).
    :param function_alarms: the function's alarms, whose metrics are shown.
    :param certificate_check: the certificate check, whose days left are shown.
    :param invoker_alarms: our invoker's alarms. Default: none, SCV's function (Lambda's figures and its logs' error
        lines only).

    Attribute: ``dashboard``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        function_alarms: FunctionAlarms,
        certificate_check: CertificateCheck,
        invoker_alarms: InvokerAlarms | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._contact_center = contact_center.name
        ours = invoker_alarms is not None
        # "Default": CDK leaves it out of logical ids, so the dashboard keeps the id it had as the monitoring's child
        self.dashboard = cloudwatch.Dashboard(
            self, "Default", dashboard_name=constants.dashboard_name(contact_center.name)
        )
        invocations = self._metric(telemetry.INVOCATIONS, "Sum", "Invocations") if ours else function_alarms.invocations
        salesforce_latency = [self._metric(telemetry.SALESFORCE_LATENCY, "p99", "Salesforce latency p99 (ms)")]
        connect_limit = cloudwatch.HorizontalAnnotation(
            value=CONNECT_TIME_LIMIT_SECONDS * 1000, label="Connect gives up", color="#d62728"
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Invocations and errors",
                left=[invocations],
                right=[function_alarms.error_rate],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Latency vs Connect's 8 s limit (ms)",
                left=[function_alarms.p99, *(salesforce_latency if ours else [])],
                left_annotations=[connect_limit],
                width=8,
            ),
            cloudwatch.GraphWidget(title="Throttles", left=[function_alarms.throttles], width=8),
        )
        if invoker_alarms is not None:
            self._invoker_widgets(invoker_alarms)
        self.dashboard.add_widgets(
            cloudwatch.SingleValueWidget(title="Certificate days left", metrics=[certificate_check.days_left], width=8),
            cloudwatch.LogQueryWidget(
                title="Recent failures",
                log_group_names=[contact_center.log_group_name],
                query_lines=_FAILURES_QUERY if ours else _SCV_FAILURES_QUERY,
                width=16,
            ),
        )
        if contact_center.orgs:
            org_names = [DEFAULT_ORG, *(org.name for org in contact_center.orgs)]
            self.dashboard.add_widgets(*(self._org_widget(org) for org in org_names))

    def _metric(self, name: str, statistic: str, label: str, *, org: str | None = None) -> cloudwatch.Metric:
        return published_metric(self._contact_center, name, statistic, label, org=org)

    def _invoker_widgets(self, invoker_alarms: InvokerAlarms) -> None:
        """The figures our invoker publishes: API usage, token mints, cache hits, and calls failed at once because
        the integration is down (what the IntegrationDown alarm watches)."""
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Salesforce API usage",
                left=[invoker_alarms.api_usage],
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
            cloudwatch.GraphWidget(
                title="Integration down: calls refused sign-in or to an unavailable org",
                left=[invoker_alarms.sign_ins_refused, invoker_alarms.orgs_unavailable],
                width=8,
            ),
        )

    def _org_widget(self, org: str) -> cloudwatch.GraphWidget:
        """One org's calls, errors, token mints and why it is down, if it is (the invoker's metrics carry an Org
        dimension)."""

        def metric(name: str, label: str) -> cloudwatch.Metric:
            return self._metric(name, "Sum", label, org=org)

        return cloudwatch.GraphWidget(
            title=f"Org {org}: invocations, errors, token mints, integration down",
            left=[metric(telemetry.INVOCATIONS, "Invocations"), metric(telemetry.ERRORS, "Errors")],
            right=[
                metric(telemetry.TOKEN_MINTS, "Token mints"),
                metric(telemetry.TOKEN_MINT_FAILURES, "Mint failures"),
                metric(telemetry.SIGN_IN_REFUSED, "Refused sign-in"),
                metric(telemetry.ORG_UNAVAILABLE, "Org unavailable"),
            ],
            width=8,
        )
