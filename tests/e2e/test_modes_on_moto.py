"""Each mode's stack created on moto in an account Service Cloud Voice provisioned, then its seed run from the
shipped seeder bundle: greenfield collides where CloudFormation would, beside and companion deploy beside SCV's
resources and leave them as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Template
from scv_shared.secret_format import SANDBOX_AUDIENCE, SecretKeys

from tests.e2e.moto_stack import apply_template
from tests.e2e.scv_made import SCV_ALIAS, SCV_STACK, ScvContactCenter, provision_scv_contact_center, scv_document
from tests.infra.conftest import build_app
from tools.emulators.credentials import generate_key_pair
from tools.emulators.secrets import FAKE_CREDENTIALS, MotoSecretsServer
from tools.harness.deployment import LocalDeployment

pytestmark = pytest.mark.e2e
_SERVICES = ("secretsmanager", "logs", "iam", "lambda", "ssm")


@pytest.fixture(scope="module")
def mode_templates() -> dict[str, dict[str, Any]]:
    """The example (greenfield), beside and companion variants of tests/infra, synthesized once."""
    _, stacks = build_app()
    return {variant: Template.from_stack(stacks[variant]).to_json() for variant in ("example", "beside", "companion")}


@pytest.fixture
def clients(secrets_server: MotoSecretsServer) -> Iterator[dict[str, Any]]:
    secrets_server.reset_backend()
    yield {
        service: boto3.client(
            service,
            endpoint_url=secrets_server.endpoint_url,
            region_name=secrets_server.region,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        for service in _SERVICES
    }
    secrets_server.reset_backend()


def _scv(clients: dict[str, Any], contact_center: str) -> ScvContactCenter:
    return provision_scv_contact_center(clients, contact_center, generate_key_pair().private_key_pem)


def _scv_function_is_untouched(clients: dict[str, Any], scv: ScvContactCenter) -> None:
    function = clients["lambda"].get_function(FunctionName=scv.function_name)
    assert function["Configuration"]["Runtime"] == "nodejs20.x"
    assert function["Tags"]["aws:cloudformation:stack-name"] == SCV_STACK.format(cc=scv.contact_center)
    assert clients["lambda"].get_alias(FunctionName=scv.function_name, Name=SCV_ALIAS)["Name"] == SCV_ALIAS


def test_greenfield_collides_with_every_resource_scv_made(
    clients: dict[str, Any], mode_templates: dict[str, dict[str, Any]]
) -> None:
    scv = _scv(clients, "example-cc")

    applied = apply_template(mode_templates["example"], clients, stack_name="example-cc-SalesforceRestApi")

    collided = set(applied.failed.values())
    assert f"ResourceConflictException: {scv.function_name}" in collided
    assert f"ResourceAlreadyExistsException: {scv.log_group}" in collided
    assert {f"ResourceExistsException: {scv.main_secret}", f"ResourceExistsException: {scv.access_secret}"} <= collided
    _scv_function_is_untouched(clients, scv)


def _resource_policy(clients: dict[str, Any], secret: str) -> dict[str, Any] | None:
    policy = clients["secretsmanager"].get_resource_policy(SecretId=secret).get("ResourcePolicy")
    return json.loads(policy) if policy else None


def test_greenfield_restricts_reading_its_own_secrets_to_its_functions(
    clients: dict[str, Any], mode_templates: dict[str, dict[str, Any]]
) -> None:
    """In an account SCV has not provisioned: every resource is created, each secret with a policy that denies
    GetSecretValue to all but the invoker's and the seeder's roles."""
    applied = apply_template(mode_templates["example"], clients, stack_name="example-cc-SalesforceRestApi")

    assert applied.ok, applied.failed
    roles = {arn for logical, arn in applied.created.items() if logical.startswith(("InvokerRole", "SeederRole"))}
    secrets = [name for name in applied.created.values() if name.endswith("-secret")]
    assert len(roles) == 2 and "example-cc-salesforce-secret" in secrets
    for secret in secrets:
        policy = _resource_policy(clients, secret)
        assert policy is not None, f"{secret} has no resource policy"
        (deny,) = policy["Statement"]
        assert (deny["Effect"], deny["Action"], deny["Principal"]) == (
            "Deny",
            "secretsmanager:GetSecretValue",
            {"AWS": "*"},
        )
        assert set(deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]) == roles


def test_beside_deploys_our_function_next_to_scvs_and_adopts_the_log_group(
    clients: dict[str, Any], mode_templates: dict[str, dict[str, Any]]
) -> None:
    scv = _scv(clients, "beside")
    clients["logs"].create_log_group(logGroupName="/aws/lambda/beside-SalesforceRestApiFunction")  # an earlier try

    applied = apply_template(mode_templates["beside"], clients, stack_name="beside-SalesforceRestApi")

    assert applied.ok, applied.failed
    ours = clients["lambda"].get_function(FunctionName="beside-SalesforceRestApiFunction")["Configuration"]
    assert ours["Runtime"].startswith("python3.")
    _scv_function_is_untouched(clients, scv)
    secret_names = {secret["Name"] for secret in clients["secretsmanager"].list_secrets()["SecretList"]}
    assert secret_names == {scv.main_secret, scv.access_secret}  # SCV's, adopted: none created
    # SCV's function reads them: their policy stays as SCV left it
    assert _resource_policy(clients, scv.main_secret) is None and _resource_policy(clients, scv.access_secret) is None


def test_companion_deploys_beside_scvs_function_and_seeds_its_secret(
    clients: dict[str, Any], mode_templates: dict[str, dict[str, Any]], deployment: LocalDeployment
) -> None:
    scv = _scv(clients, "companion")
    template = mode_templates["companion"]

    applied = apply_template(template, clients, stack_name="companion-SalesforceRestApi")

    assert applied.ok, applied.failed
    assert scv.function_name not in applied.created.values()
    _scv_function_is_untouched(clients, scv)
    assert _resource_policy(clients, scv.main_secret) is None  # SCV's function reads it: no policy of ours
    for alarm in template["Resources"].values():  # every alarm on a function watches SCV's, which exists
        dimensions = json.dumps(alarm.get("Properties", {}).get("Metrics") or alarm.get("Properties", {}))
        if alarm["Type"] == "AWS::CloudWatch::Alarm" and "FunctionName" in dimensions:
            assert scv.function_name in dimensions

    (seed,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::SalesforceSecretSeed"]
    properties = {
        **{name: value for name, value in seed["Properties"].items() if isinstance(value, str)},
        "MainSecretId": scv.main_secret,  # the template names SCV's secrets by ARN; moto's account differs
        "AccessSecretId": scv.access_secret,
    }
    before = json.loads(clients["secretsmanager"].get_secret_value(SecretId=scv.main_secret)["SecretString"])
    created = deployment.run_seeder("Create", properties)

    assert created.ok, created.error
    after = json.loads(clients["secretsmanager"].get_secret_value(SecretId=scv.main_secret)["SecretString"])
    keys = SecretKeys.for_contact_center("companion")
    owned = set(keys._asdict().values())
    assert {k: v for k, v in after.items() if k not in owned} == {k: v for k, v in before.items() if k not in owned}
    assert after[keys.private_key] == before[keys.private_key]
    assert after[keys.audience] == SANDBOX_AUDIENCE  # the variant says sandbox: true
    assert set(scv_document("companion", "")) <= set(after)
