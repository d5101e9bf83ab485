"""Amazon Connect integration: association, invoke permission and two sample contact flows.

The sample flows live as readable JSON in ``infra/connect/`` (Amazon Connect's flow language); the
function ARN is filled in at synth. ``sample_flow.json`` looks the caller up by phone with queryRecord,
copies the result into contact attributes and takes the error branch when the invoker fails.
``composite_flow.json`` does the same lookup and, for a caller Salesforce does not know, creates the
contact and the case and links the voice call in one composite invocation (one API call instead of three).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from .config import ContactCenter

SAMPLE_FLOW_FILE = Path(__file__).resolve().parent / "connect" / "sample_flow.json"
COMPOSITE_FLOW_FILE = SAMPLE_FLOW_FILE.with_name("composite_flow.json")
FUNCTION_ARN_PLACEHOLDER = "${InvokerFunctionArn}"


def load_sample_flow() -> dict[str, Any]:
    return json.loads(SAMPLE_FLOW_FILE.read_text(encoding="utf-8"))


def load_composite_flow() -> dict[str, Any]:
    return json.loads(COMPOSITE_FLOW_FILE.read_text(encoding="utf-8"))


def _fill(value: Any, function_arn: str) -> Any:
    """The flow document with every placeholder replaced by the function ARN (a CDK token at synth)."""
    if isinstance(value, dict):
        return {key: _fill(item, function_arn) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, function_arn) for item in value]
    return function_arn if value == FUNCTION_ARN_PLACEHOLDER else value


class ConnectIntegration(Construct):
    """Lets one Connect instance (and only it) call the invoker, and ships a sample flow that does."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        invocation_target: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        instance_arn = contact_center.connect_instance_arn
        assert instance_arn, "ConnectIntegration needs a Connect instance ARN"
        invocation_target.add_permission(
            "AllowConnectInstance",
            principal=iam.ServicePrincipal("connect.amazonaws.com"),
            action="lambda:InvokeFunction",
            source_arn=instance_arn,
            source_account=contact_center.connect_account,
        )
        self.association: connect.CfnIntegrationAssociation | None = None
        if contact_center.associate_with_connect:
            self.association = connect.CfnIntegrationAssociation(
                self,
                "LambdaAssociation",
                instance_id=instance_arn,
                integration_type="LAMBDA_FUNCTION",
                integration_arn=invocation_target.function_arn,
            )
        flow = _fill(load_sample_flow(), invocation_target.function_arn)
        self.sample_flow = connect.CfnContactFlow(
            self,
            "SampleFlow",
            instance_arn=instance_arn,
            name=f"{contact_center.name} Salesforce lookup sample",
            description="Sample: look the caller up in Salesforce with InvokeSalesforceRestApiFunction (queryRecord)",
            type="CONTACT_FLOW",
            state="ACTIVE",
            content=Stack.of(self).to_json_string(flow),
        )
        self.composite_sample_flow = connect.CfnContactFlow(
            self,
            "CompositeSampleFlow",
            instance_arn=instance_arn,
            name=f"{contact_center.name} Salesforce composite sample",
            description="Sample: for a new caller, create the contact and the case and link the voice call in one "
            "InvokeSalesforceRestApiFunction call (composite)",
            type="CONTACT_FLOW",
            state="ACTIVE",
            content=Stack.of(self).to_json_string(_fill(load_composite_flow(), invocation_target.function_arn)),
        )
        if self.association is not None:
            self.sample_flow.node.add_dependency(self.association)
            self.composite_sample_flow.node.add_dependency(self.association)
