"""A synthesized template's named resources created on moto, the way CloudFormation would create them.

Only the resource types whose names can collide with what Service Cloud Voice made are created: secrets, log
groups, roles and functions (moto's Lambda creates functions without Docker), and the secrets' resource policies
(which must land on the stack's own secrets only, never on SCV's). Each is created through the AWS
API with the template's properties, so a name SCV already took fails exactly as CloudFormation's create would
("already exists"), and nothing of SCV's is touched. Everything else of the template (alarms, the custom
resource, Connect) is left out: the seeder is run from its shipped bundle by the tests themselves.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

#: the trust policy of a function's role
LAMBDA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@dataclass
class AppliedStack:
    """What was created (logical id → physical name) and what failed (logical id → AWS's error code and name)."""

    created: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def apply_template(template: Mapping[str, Any], clients: Mapping[str, Any], *, stack_name: str) -> AppliedStack:
    """Create the template's secrets, log groups, roles, functions and secrets' resource policies in that order (a
    function needs its role and its log group, a policy its secret and the roles it names); ``clients`` by
    service: secretsmanager, logs, iam, lambda."""
    applied = AppliedStack()
    resources = template["Resources"]
    creators: dict[str, Callable[[str, dict[str, Any]], str]] = {
        "AWS::SecretsManager::Secret": lambda logical, props: _secret(clients["secretsmanager"], props, stack_name),
        "AWS::Logs::LogGroup": lambda logical, props: _log_group(clients["logs"], logical, props, stack_name),
        "AWS::IAM::Role": lambda logical, props: _role(clients["iam"], logical, stack_name),
        "AWS::Lambda::Function": lambda logical, props: _function(clients, logical, props, applied, stack_name),
        "AWS::SecretsManager::ResourcePolicy": lambda logical, props: _secret_policy(
            clients["secretsmanager"], props, applied
        ),
    }
    for resource_type, create in creators.items():
        for logical, resource in resources.items():
            if resource["Type"] != resource_type:
                continue
            try:
                applied.created[logical] = create(logical, resource.get("Properties", {}))
            except ClientError as error:
                applied.failed[logical] = f"{error.response['Error']['Code']}: {_name(resource)}"
    return applied


def _name(resource: Mapping[str, Any]) -> str:
    properties = resource.get("Properties", {})
    return str(properties.get("Name") or properties.get("LogGroupName") or properties.get("FunctionName") or "")


def _tags(stack_name: str) -> dict[str, str]:
    return {"aws:cloudformation:stack-name": stack_name}


def _secret(client: Any, properties: Mapping[str, Any], stack_name: str) -> str:
    client.create_secret(
        Name=properties["Name"], Tags=[{"Key": key, "Value": value} for key, value in _tags(stack_name).items()]
    )
    return properties["Name"]


def _log_group(client: Any, logical: str, properties: Mapping[str, Any], stack_name: str) -> str:
    name = properties.get("LogGroupName") or f"/{stack_name}/{logical}"
    client.create_log_group(logGroupName=name, tags=_tags(stack_name))
    return name


def _role(client: Any, logical: str, stack_name: str) -> str:
    name = f"{stack_name}-{logical}"[:64]
    return client.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]


def _function(
    clients: Mapping[str, Any], logical: str, properties: Mapping[str, Any], applied: AppliedStack, stack_name: str
) -> str:
    role = properties["Role"]
    role_arn = applied.created[role["Fn::GetAtt"][0]] if isinstance(role, dict) else role
    name = properties.get("FunctionName") or f"{stack_name}-{logical}"[:64]
    clients["lambda"].create_function(
        FunctionName=name,
        Runtime=properties["Runtime"],
        Role=role_arn,
        Handler=properties["Handler"],
        Code={"ZipFile": _placeholder_zip()},
        Tags=_tags(stack_name),
    )
    return name


def _placeholder_zip() -> bytes:
    """moto stores the code and never runs it here; the shipped bundles run in the harness's containers."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", "")
    return buffer.getvalue()


def _secret_policy(client: Any, properties: Mapping[str, Any], applied: AppliedStack) -> str:
    """PutResourcePolicy on the stack's secret, with the roles it names resolved to what was created."""

    def resolved(value: Any) -> Any:
        if isinstance(value, dict) and set(value) in ({"Ref"}, {"Fn::GetAtt"}):
            logical = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
            if logical not in applied.created:
                raise ClientError({"Error": {"Code": "DependencyFailed", "Message": logical}}, "PutResourcePolicy")
            return applied.created[logical]
        if isinstance(value, dict):
            return {key: resolved(item) for key, item in value.items()}
        if isinstance(value, list):
            return [resolved(item) for item in value]
        return value

    secret = resolved(properties["SecretId"])
    client.put_resource_policy(SecretId=secret, ResourcePolicy=json.dumps(resolved(properties["ResourcePolicy"])))
    return secret
