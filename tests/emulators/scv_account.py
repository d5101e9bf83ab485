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
from scv_shared.secret_format import SecretKeys, access_secret_name, main_secret_name

from tests.e2e.moto_stack import LAMBDA_TRUST
from tests.e2e.scv_made import SCV_ALIAS, SCV_STACK, provision_scv_contact_center, scv_document
from tools.emulators.secrets import FAKE_CREDENTIALS, REGION

#: moto's account
ACCOUNT = "123456789012"
INSTANCE_ID = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"
_ROLE = "TestFunctionRole"
#: stands in for the key in SCV's secret: preflight and flows never use it
_MADE_UP_KEY = "-----BEGIN PRIVATE KEY-----\nmadeupnotarealkeybody\n-----END PRIVATE KEY-----\n"
STACK_NAME_TAG = "aws:cloudformation:stack-name"
#: the sample flow our stack ships: a real flow-language document, here pointed at the function under test
SAMPLE_FLOW = Path(__file__).resolve().parents[2] / "infra" / "connect" / "sample_flow.json"
_PLACEHOLDER = "${InvokerFunctionArn}"


def _distinctive(value: Any) -> bool:
    """A value a no-secret check can look for: long enough not to occur in a key name by chance (SCV's made-up
    scrt key's body is ``scrt``, part of the key name ``${cc}-scrt-jwt-auth-private-key``)."""
    if not isinstance(value, str):
        return False
    body = [line for line in value.splitlines() if line and not line.startswith("-----")]
    return len(value) > 12 and all(len(line) >= 8 for line in body)


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
    #: the saved version when it differs from the published content (unpublished changes), else None
    draft: str | None = None

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
        self.scv_stack = SCV_STACK.format(cc=cc)
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
        """SCV's resources as tests/e2e/scv_made.py lays them out (one layout of SCV for every test), plus what
        Connect holds: the association of its alias and ``flows`` flows invoking it (the alias, then the bare ARN)."""
        services = ("iam", "lambda", "secretsmanager", "logs")
        scv = provision_scv_contact_center({name: self.client(name) for name in services}, self.cc, _MADE_UP_KEY)
        layout = Layout()
        function = self.client("lambda").get_function(FunctionName=scv.function_name)["Configuration"]
        layout.scv_function_arn = function["FunctionArn"]
        layout.scv_alias_arn = f"{layout.scv_function_arn}:{SCV_ALIAS}"
        layout.secret_values = [value for value in scv_document(self.cc, _MADE_UP_KEY).values() if _distinctive(value)]
        if customer_kms_key:
            layout.kms_key_arn = self.client("kms").create_key(Description="SCV secrets")["KeyMetadata"]["Arn"]
            for name in (scv.main_secret, scv.access_secret):
                self.client("secretsmanager").update_secret(SecretId=name, KmsKeyId=layout.kms_key_arn)
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
        self, name: str, runtime: str, tags: Mapping[str, str], *, alias: str | None = None
    ) -> tuple[str, str | None]:
        """A function (code that is never run) and optionally an alias on its first version: (ARN, alias ARN)."""
        iam = self.client("iam")
        try:
            role_arn = iam.get_role(RoleName=_ROLE)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            role_arn = iam.create_role(RoleName=_ROLE, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
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

    def secrets(self, layout: Layout, tags: Mapping[str, str], *, org: str | None = None) -> None:
        """The main and access secrets in the documented format (made-up values)."""
        keys = self.keys
        main = {
            keys.consumer_key: f"3MVG9made-up-consumer-key-{self.cc}{org or ''}",
            keys.private_key: _MADE_UP_KEY,
            keys.subject: "integration@example.com",
            keys.audience: "https://login.salesforce.com/",
        }
        access = {keys.access_token: "00Dmadeup!access-token-value"}
        secrets = self.client("secretsmanager")
        tag_list = [{"Key": key, "Value": value} for key, value in tags.items()]
        for name, document in ((main_secret_name(self.cc, org), main), (access_secret_name(self.cc, org), access)):
            secrets.create_secret(Name=name, SecretString=json.dumps(document), Tags=tag_list)
            layout.secret_values += [value for value in document.values() if _distinctive(value)]

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
            self.describe(flow)

    def describe(self, flow: ContactFlow) -> None:
        """DescribeContactFlow of the published flow, then of its ``$SAVED`` version (the draft, if any)."""
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
            "describe_contact_flow", {"ContactFlow": described}, {"InstanceId": INSTANCE_ID, "ContactFlowId": flow.id}
        )
        saved = {**described, "Status": "SAVED" if flow.draft is not None else "PUBLISHED"}
        saved["Content"] = flow.content if flow.draft is None else flow.draft
        self.stubber.add_response(
            "describe_contact_flow",
            {"ContactFlow": saved},
            {"InstanceId": INSTANCE_ID, "ContactFlowId": f"{flow.id}:$SAVED"},
        )

    def unpublished(self, flow: ContactFlow) -> None:
        """ListContactFlows names a saved, never published flow, which DescribeContactFlow then refuses."""
        summary = {
            "Id": flow.id,
            "Arn": flow.arn,
            "Name": flow.name,
            "ContactFlowType": flow.type,
            "ContactFlowState": "ACTIVE",
            "ContactFlowStatus": "SAVED",
        }
        self.stubber.add_response(
            "list_contact_flows", {"ContactFlowSummaryList": [summary]}, {"InstanceId": INSTANCE_ID}
        )
        self.stubber.add_client_error(
            "describe_contact_flow",
            "ContactFlowNotPublishedException",
            "The contact flow has not been published",
            400,
            expected_params={"InstanceId": INSTANCE_ID, "ContactFlowId": flow.id},
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
