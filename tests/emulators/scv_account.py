"""Test AWS accounts for ``scvctl preflight`` and ``flows``, laid out as our users really have them.

Everything moto implements is made on moto's server over HTTP (the same server the CLI's boto3 reaches
through ``AWS_ENDPOINT_URL``): Lambda functions (create_function needs no Docker until invoked), their aliases
and tags, Secrets Manager secrets with tags and KMS keys, CloudWatch Logs groups, CloudFormation stacks.
moto does not implement Connect's ListLambdaFunctions, ListContactFlows, DescribeContactFlow or
UpdateContactFlowContent, so :class:`ConnectStub` answers those through botocore's Stubber, which checks every
request and every queued answer against Connect's API model.

The layouts (:class:`AccountBuilder`):

* ``empty()``: nothing of the contact center's;
* ``scv_provisioned()``: what Service Cloud Voice's stacks make: its Node.js function with the ``active`` alias
  and the stack-name tag, its secrets with more JSON keys than ours, the log group Lambda made on a first
  invocation, the function's association with the instance and two flows that invoke its alias;
* ``half_deployed()``: an earlier deploy of ours that failed and rolled back: the retained secrets, tagged with
  our stack's name, the log group its function wrote to, and the stack in ROLLBACK_COMPLETE;
* ``ours()``: our live stack and what it made (tagged with its name), its output ``InvokerFunctionArn``.

No secret is real: every value is made up here, and :attr:`Layout.secret_values` lists them so tests can check
that none is printed.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber
from shared.secret_format import SecretKeys, access_secret_name, main_secret_name

from tests.emulators.secrets import FAKE_CREDENTIALS, REGION

#: moto's account
ACCOUNT = "123456789012"
INSTANCE_ID = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"
#: the stack SCV's contact-center template is deployed as (any name but ours)
SCV_STACK_SUFFIX = "-SCV-ContactCenterStack"
SCV_ALIAS = "active"
STACK_NAME_TAG = "aws:cloudformation:stack-name"
#: the sample flow our stack ships: a real flow-language document, here pointed at the function under test
SAMPLE_FLOW = Path(__file__).resolve().parents[2] / "infra" / "connect" / "sample_flow.json"
_PLACEHOLDER = "${InvokerFunctionArn}"


def scv_extra_keys(cc: str) -> dict[str, str]:
    """JSON keys SCV's functions read from the main secret beyond the setup guide's (made-up values)."""
    return {
        f"{cc}-scrt-jwt-auth-private-key": "made-up-scrt-signing-key-not-a-real-key",
        f"{cc}-call-center-api-name": "TestCallCenter",
        f"{cc}-salesforce-org-id": "00D000000000001EAA",
    }


def flow_content(function_arn: str) -> str:
    """The sample flow's text with its Lambda block calling ``function_arn`` (formatting kept as shipped)."""
    return SAMPLE_FLOW.read_text(encoding="utf-8").replace(_PLACEHOLDER, function_arn)


@dataclass
class ContactFlow:
    id: str
    name: str
    content: str
    type: str = "CONTACT_FLOW"
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"{INSTANCE_ARN}/contact-flow/{self.id}"


@dataclass
class Layout:
    """What one layout put into the account (and what Connect will answer)."""

    associated: list[str] = field(default_factory=list)
    flows: list[ContactFlow] = field(default_factory=list)
    secret_values: list[str] = field(default_factory=list)
    scv_function_arn: str | None = None
    scv_alias_arn: str | None = None
    our_target_arn: str | None = None
    kms_key_arn: str | None = None


class AccountBuilder:
    """Lays out one contact center's account on moto's server at ``endpoint_url``."""

    def __init__(self, endpoint_url: str, cc: str, stack_name: str) -> None:
        self.cc = cc
        self.stack_name = stack_name
        self.scv_stack = f"{cc}{SCV_STACK_SUFFIX}"
        self._endpoint_url = endpoint_url
        self.keys = SecretKeys.for_contact_center(cc)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self._endpoint_url,
            region_name=REGION,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    # ---------------------------------------------------------------------------------------- layouts

    def empty(self) -> Layout:
        return Layout()

    def scv_provisioned(self, *, customer_kms_key: bool = False, flows: int = 2) -> Layout:
        layout = Layout()
        function_name = f"{self.cc}-InvokeSalesforceRestApiFunction"
        scv_tags = {STACK_NAME_TAG: self.scv_stack}
        layout.scv_function_arn, layout.scv_alias_arn = self.function(
            function_name, "nodejs20.x", scv_tags, alias=SCV_ALIAS, role="SCVInvokeSalesforceRestApiFunctionRole"
        )
        if customer_kms_key:
            layout.kms_key_arn = self.client("kms").create_key(Description="SCV secrets")["KeyMetadata"]["Arn"]
        extra = scv_extra_keys(self.cc)
        self.secrets(layout, scv_tags, extra_main=extra, kms_key_arn=layout.kms_key_arn)
        self.log_group(f"/aws/lambda/{function_name}", {})
        layout.associated = [layout.scv_alias_arn]
        layout.flows = [
            ContactFlow(f"00000000-0000-4000-8000-00000000000{number}", f"SCV inbound {number}", flow_content(arn))
            for number, arn in zip(range(1, flows + 1), [layout.scv_alias_arn, layout.scv_function_arn], strict=False)
        ]
        return layout

    def half_deployed(self, function_name: str, *, stack_status: str | None = "ROLLBACK_COMPLETE") -> Layout:
        """``stack_status`` None: the failed stack was deleted since, leaving what it retained."""
        layout = Layout()
        self.secrets(layout, {STACK_NAME_TAG: self.stack_name})
        self.log_group(f"/aws/lambda/{function_name}", {})
        if stack_status:
            self.stack(stack_status)
        return layout

    def ours(self, function_name: str, *, live_alias: bool = False, secrets: bool = True) -> Layout:
        """``secrets=False``: beside SCV's function, over SCV's secrets (already laid out)."""
        layout = Layout()
        tags = {STACK_NAME_TAG: self.stack_name}
        arn, alias_arn = self.function(function_name, "python3.13", tags, alias="live" if live_alias else None)
        layout.our_target_arn = alias_arn or arn
        if secrets:
            self.secrets(layout, tags)
        self.log_group(f"/aws/lambda/{function_name}", tags)
        self.stack(outputs={"InvokerFunctionArn": layout.our_target_arn})
        return layout

    # ---------------------------------------------------------------------------------------- resources

    def function(
        self, name: str, runtime: str, tags: Mapping[str, str], *, alias: str | None = None, role: str = "TestRole"
    ) -> tuple[str, str | None]:
        """A function (code that is never run) and optionally an alias on its first version: (ARN, alias ARN)."""
        iam = self.client("iam")
        try:
            role_arn = iam.get_role(RoleName=role)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            statement = {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
            trust = {"Statement": [statement]}
            role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("index.js", "exports.handler = async () => ({});\n")
        lambda_ = self.client("lambda")
        created = lambda_.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role_arn,
            Handler="index.handler",
            Code={"ZipFile": code.getvalue()},
            Tags=dict(tags),
            Publish=True,
        )
        alias_arn = None
        if alias:
            alias_arn = lambda_.create_alias(FunctionName=name, Name=alias, FunctionVersion=created["Version"])[
                "AliasArn"
            ]
        return created["FunctionArn"], alias_arn

    def secrets(
        self,
        layout: Layout,
        tags: Mapping[str, str],
        *,
        extra_main: Mapping[str, str] | None = None,
        kms_key_arn: str | None = None,
        org: str | None = None,
    ) -> None:
        """The main and access secrets in the documented format, plus ``extra_main`` keys (made-up values)."""
        keys = self.keys
        main = {
            keys.consumer_key: f"3MVG9made-up-consumer-key-{self.cc}{org or ''}",
            keys.private_key: "-----BEGIN PRIVATE KEY-----\nmadeupnotarealkeybody\n-----END PRIVATE KEY-----\n",
            keys.subject: "integration@example.com",
            keys.audience: "https://login.salesforce.com/",
            **(extra_main or {}),
        }
        access = {keys.access_token: "00Dmadeup!access-token-value"}
        secrets = self.client("secretsmanager")
        tag_list = [{"Key": key, "Value": value} for key, value in tags.items()]
        for name, document in ((main_secret_name(self.cc, org), main), (access_secret_name(self.cc, org), access)):
            arguments: dict[str, Any] = {"Name": name, "SecretString": json.dumps(document), "Tags": tag_list}
            if kms_key_arn:
                arguments["KmsKeyId"] = kms_key_arn
            secrets.create_secret(**arguments)
            layout.secret_values += [value for value in document.values() if len(value) > 12]

    def log_group(self, name: str, tags: Mapping[str, str]) -> None:
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name, **({"tags": dict(tags)} if tags else {}))

    def stack(self, status: str = "CREATE_COMPLETE", *, outputs: Mapping[str, str] | None = None) -> None:
        """Our stack, holding one stand-in resource; ``ROLLBACK_COMPLETE`` as after a failed first deploy."""
        template = {
            "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in (outputs or {}).items()},
        }
        cloudformation = self.client("cloudformation")
        cloudformation.create_stack(StackName=self.stack_name, TemplateBody=json.dumps(template))
        if status != "CREATE_COMPLETE":
            _set_stack_status(self.stack_name, status)


def _set_stack_status(stack_name: str, status: str) -> None:
    """moto has no failing deploys: set the state a rolled-back first deploy leaves (moto runs in this process)."""
    from moto.backends import get_backend

    for stack in get_backend("cloudformation")[ACCOUNT][REGION].stacks.values():
        if stack.name == stack_name:
            stack.status = status


class ConnectStub:
    """A real boto3 Connect client whose answers are queued on botocore's Stubber, in the order the CLI asks.

    Stubber checks each request's parameters (``expected_params``) and each answer against Connect's model.
    """

    def __init__(self) -> None:
        self.client = boto3.client(
            "connect",
            region_name=REGION,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        self.stubber = Stubber(self.client)
        self.stubber.activate()

    def associations(self, functions: list[str], *, instance_id: str = INSTANCE_ID) -> None:
        self.stubber.add_response("list_lambda_functions", {"LambdaFunctions": functions}, {"InstanceId": instance_id})

    def no_instance(self, *, instance_id: str = INSTANCE_ID) -> None:
        self.stubber.add_client_error(
            "list_lambda_functions",
            "ResourceNotFoundException",
            "Instance not found",
            404,
            expected_params={"InstanceId": instance_id},
        )

    def flows(self, flows: list[ContactFlow]) -> None:
        """ListContactFlows, then DescribeContactFlow of each flow."""
        summaries = [
            {
                "Id": flow.id,
                "Arn": flow.arn,
                "Name": flow.name,
                "ContactFlowType": flow.type,
                "ContactFlowState": "ACTIVE",
                "ContactFlowStatus": "PUBLISHED",
            }
            for flow in flows
        ]
        self.stubber.add_response(
            "list_contact_flows", {"ContactFlowSummaryList": summaries}, {"InstanceId": INSTANCE_ID}
        )
        for flow in flows:
            described = {
                "Arn": flow.arn,
                "Id": flow.id,
                "Name": flow.name,
                "Type": flow.type,
                "State": "ACTIVE",
                "Status": "PUBLISHED",
                "Content": flow.content,
                "Tags": flow.tags,
            }
            self.stubber.add_response(
                "describe_contact_flow",
                {"ContactFlow": described},
                {"InstanceId": INSTANCE_ID, "ContactFlowId": flow.id},
            )

    def update(self, flow_id: str, content: str) -> None:
        self.stubber.add_response(
            "update_contact_flow_content",
            {},
            {"InstanceId": INSTANCE_ID, "ContactFlowId": flow_id, "Content": content},
        )

    def update_fails(self, flow_id: str, content: str, code: str = "InvalidContactFlowException") -> None:
        self.stubber.add_client_error(
            "update_contact_flow_content",
            code,
            "The flow is not valid",
            400,
            expected_params={"InstanceId": INSTANCE_ID, "ContactFlowId": flow_id, "Content": content},
        )

    def assert_all_asked(self) -> None:
        self.stubber.assert_no_pending_responses()
