"""Monitoring of one contact center: alarms before callers notice, and a dashboard.

A failing invoker is silent from the caller's side (the flow just takes its error branch), so the operator
needs to see trouble coming. ``Monitoring`` composes the units that do that, each in its own module: the alarm
topic (infra/alarm_topic.py), the daily certificate check (infra/certificate_check.py), the alarms of the
function and those on our invoker's own figures (infra/alarms.py) and the dashboard (infra/dashboard.py).
"""

from __future__ import annotations

from typing import TypeVar

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from .alarm_topic import AlarmTopic
from .alarms import FunctionAlarms, InvokerAlarms
from .certificate_check import CertificateCheck
from .config import ContactCenter
from .dashboard import MonitoringDashboard
from .secrets import ContactCenterSecrets

_Unit = TypeVar("_Unit", bound=Construct)


class Monitoring(Construct):
    """Alarms (optionally notifying an SNS topic), the certificate expiry check and a dashboard.

    :param contact_center: the contact center; its ``monitoring`` settings hold the thresholds and the topic.
    :param function: ours, or SCV's in mode companion (watched through Lambda's own metrics only: the invoker's
        EMF figures, API usage, token mints, refused sign-ins and calls per contact, are ours alone).
    :param secrets: the contact center's secrets (the certificate check reads the certificate they publish).
    :param alarm_topic: an existing topic for the alarms. Default: the config's ``monitoring`` settings.

    Attributes: ``function``, ``topic``, ``certificate_check``, ``function_alarms``, ``invoker_alarms`` (None for
    SCV's function), ``dashboard``.
    """

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
        super().__init__(scope, construct_id)
        self.function = function
        self.topic = alarm_topic or self._alarm_topic(contact_center)
        # "Default" keeps the check's logical ids (its role's cdk-nag acknowledgment names its log group's id).
        self.certificate_check = CertificateCheck(
            self, "Default", contact_center=contact_center, secrets=secrets, topic=self.topic
        )
        self.invoker_alarms = None
        if contact_center.ships_function:
            self.invoker_alarms = _keep_logical_ids(
                InvokerAlarms(self, "InvokerAlarms", contact_center=contact_center, topic=self.topic)
            )
        self.function_alarms = _keep_logical_ids(
            FunctionAlarms(
                self,
                "FunctionAlarms",
                function=function,
                settings=contact_center.monitoring,
                topic=self.topic,
                invocation_rate_hint=InvokerAlarms.INVOCATION_RATE_HINT if self.invoker_alarms else "",
            )
        )
        self.dashboard = MonitoringDashboard(
            self,
            "Dashboard",
            contact_center=contact_center,
            function_alarms=self.function_alarms,
            certificate_check=self.certificate_check,
            invoker_alarms=self.invoker_alarms,
        ).dashboard

    def _alarm_topic(self, contact_center: ContactCenter) -> sns.ITopic | None:
        """The config's adopted topic (used as it is), the topic this stack creates, or none."""
        settings = contact_center.monitoring
        if settings.alarm_topic_arn:
            return sns.Topic.from_topic_arn(self, "AlarmTopic", settings.alarm_topic_arn)
        if not settings.create_alarm_topic:
            return None
        return AlarmTopic(
            self,
            "AlarmTopic",
            display_name=f"{contact_center.name} Salesforce REST API alarms",
            email=settings.alarm_email,
        ).topic


def _keep_logical_ids(unit: _Unit) -> _Unit:
    """Give the unit's resources the logical ids they had as this construct's own children, before the units
    existed: an alarm whose logical id changes is replaced, and loses its history. CDK leaves a path component
    named "Default" out of logical ids, but only one child can have that name; the unit is left out the same way
    here, with CDK's own rule computing the id (``Names.unique_id`` of the same path, stack-relative)."""
    stack = cdk.Stack.of(unit)
    for element in unit.node.find_all():
        if isinstance(element, cdk.CfnElement):
            scopes = element.node.scopes
            below_stack = scopes[[scope.node.path for scope in scopes].index(stack.node.path) + 1 :]
            path = [scope.node.id for scope in below_stack if scope.node.path != unit.node.path]
            element.override_logical_id(_logical_id(path))
    return unit


def _logical_id(path: list[str]) -> str:
    """The logical id CDK gives a resource at ``path`` below its stack."""
    node: Construct = cdk.App()
    for construct_id in path:
        node = Construct(node, construct_id)
    return cdk.Names.unique_id(node)
