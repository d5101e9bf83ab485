"""rotation_days: Secrets Manager's schedule on the main secret, the rotation function and its alarm."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks
from scv_salesforce.stack import ContactCenterStack

from tests.infra.conftest import contact_center
from tests.infra.test_stack import statements

TOPIC = "arn:aws:sns:ap-northeast-1:111111111111:contact-center-ops"


@pytest.fixture(scope="module")
def rotating() -> tuple[ContactCenterStack, Template]:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = ContactCenterStack(
        app,
        "rotating-stack",
        contact_center=contact_center(name="rotating", rotation_days=30, monitoring={"alarm_topic_arn": TOPIC}),
        env=cdk.Environment(account="111111111111", region="ap-northeast-1"),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack, Template.from_stack(stack)


def test_the_main_secret_rotates_on_schedule_through_the_rotation_function(rotating: Any) -> None:
    stack, template = rotating
    (schedule,) = template.find_resources("AWS::SecretsManager::RotationSchedule").values()
    assert schedule["Properties"]["RotationRules"] == {"ScheduleExpression": "rate(30 days)"}
    assert stack.resolve(schedule["Properties"]["SecretId"]) == stack.resolve(stack.api.main_secret.secret_arn)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "scv_seeder.rotation.on_rotation",
            "Environment": {"Variables": Match.object_like({"CONTACT_CENTER_NAME": "rotating"})},
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission", {"Principal": "secretsmanager.amazonaws.com", "Action": "lambda:InvokeFunction"}
    )


def test_a_stopped_rotation_alarms_on_the_configured_topic(rotating: Any) -> None:
    _, template = rotating
    (alarm,) = [
        alarm["Properties"]
        for logical, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
        if "KeyRotationFailed" in logical
    ]
    assert alarm["MetricName"] == "Errors"
    assert alarm["Threshold"] == 0
    assert alarm["AlarmActions"] == [TOPIC]


def test_the_rotation_function_has_the_seeders_rights_and_cdks_own(rotating: Any) -> None:
    stack, template = rotating
    rotation = stack.api.key_rotation
    role_id = stack.get_logical_id(rotation.function.role.node.default_child)
    actions = {
        action
        for statement in statements(template, role_id).values()
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
        "ssm:PutParameter",
        "secretsmanager:GetRandomPassword",  # CDK's grant to every rotation function (acknowledged, unused)
    }


def test_cdk_nag_accepts_it(rotating: Any) -> None:
    stack, _ = rotating
    errors = Annotations.from_stack(stack).find_error("*", Match.string_like_regexp(".*"))
    assert errors == []


def test_without_rotation_days_nothing_rotates(example: Template) -> None:
    assert example.find_resources("AWS::SecretsManager::RotationSchedule") == {}


def test_companion_refuses_it() -> None:
    from scv_salesforce.config import ConfigError

    with pytest.raises(ConfigError, match="rotation_days configures our function"):
        contact_center(name="companion", mode="companion", orgs=[], rotation_days=30)


def test_the_secrets_resource_policy_lets_the_rotation_function_read_the_main_secret(rotating: Any) -> None:
    """The secrets deny GetSecretValue to every role they do not name: the rotation function must be named."""
    stack, template = rotating
    rotation_role = stack.resolve(stack.api.key_rotation.function.role.role_arn)
    main_secret = stack.resolve(stack.api.main_secret.secret_arn)
    (policy,) = [
        resource["Properties"]
        for resource in template.find_resources("AWS::SecretsManager::ResourcePolicy").values()
        if stack.resolve(resource["Properties"]["SecretId"]) == main_secret
    ]
    (statement,) = [s for s in policy["ResourcePolicy"]["Statement"] if s["Action"] == "secretsmanager:GetSecretValue"]
    assert rotation_role in statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
