"""What Service Cloud Voice's CloudFormation stacks leave in an account, laid out on moto for one contact center."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from scv_shared.secret_format import PRODUCTION_AUDIENCE, SecretKeys, access_secret_name, main_secret_name

from tests.e2e.moto_stack import LAMBDA_TRUST

SCV_STACK = "SCV-{cc}-ContactCenterStack"
SCV_ROLE = "SCVInvokeSalesforceRestApiFunctionRole"
SCV_ALIAS = "active"


def scv_document(contact_center: str, private_key_pem: str) -> dict[str, Any]:
    """SCV's main secret: the guide's keys, and keys of SCV's other functions (some not strings)."""
    keys = SecretKeys.for_contact_center(contact_center)
    return {
        keys.consumer_key: "3MVG9-scv-consumer-key",
        keys.private_key: private_key_pem,
        keys.subject: "scv.integration@example.com",
        keys.audience: PRODUCTION_AUDIENCE,
        f"{contact_center}-scrt-jwt-auth-private-key": "-----BEGIN PRIVATE KEY-----\nscrt\n-----END PRIVATE KEY-----\n",
        f"{contact_center}-call-center-api-name": "東京コールセンター",
        f"{contact_center}-org-id": "00D000000000001EAA",
        f"{contact_center}-voicemail-enabled": True,
        f"{contact_center}-realtime-alert": {"enabled": True, "threshold": 3, "ratio": 0.25, "tags": ["a", None]},
    }


@dataclass(frozen=True)
class ScvContactCenter:
    contact_center: str
    function_name: str
    main_secret: str
    access_secret: str
    log_group: str


def provision_scv_contact_center(
    clients: dict[str, Any], contact_center: str, private_key_pem: str
) -> ScvContactCenter:
    """SCV's function (Node.js, its stack's tag, alias ``active``), its two secrets and its log group."""
    stack = {"aws:cloudformation:stack-name": SCV_STACK.format(cc=contact_center)}
    try:
        role = clients["iam"].create_role(RoleName=SCV_ROLE, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    except clients["iam"].exceptions.EntityAlreadyExistsException:
        role = clients["iam"].get_role(RoleName=SCV_ROLE)["Role"]["Arn"]
    function_name = f"{contact_center}-InvokeSalesforceRestApiFunction"
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.js", "exports.handler = async () => ({});\n")
    clients["lambda"].create_function(
        FunctionName=function_name,
        Runtime="nodejs20.x",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
        Timeout=30,
        Tags=stack,
    )
    version = clients["lambda"].publish_version(FunctionName=function_name)["Version"]
    clients["lambda"].create_alias(FunctionName=function_name, Name=SCV_ALIAS, FunctionVersion=version)
    keys = SecretKeys.for_contact_center(contact_center)
    tags = [{"Key": key, "Value": value} for key, value in stack.items()]
    main = main_secret_name(contact_center)
    access = access_secret_name(contact_center)
    clients["secretsmanager"].create_secret(
        Name=main, SecretString=json.dumps(scv_document(contact_center, private_key_pem), ensure_ascii=False), Tags=tags
    )
    clients["secretsmanager"].create_secret(
        Name=access, SecretString=json.dumps({keys.access_token: "00D!scv-token"}), Tags=tags
    )
    log_group = f"/aws/lambda/{function_name}"
    clients["logs"].create_log_group(logGroupName=log_group)
    return ScvContactCenter(contact_center, function_name, main, access, log_group)
