"""Stacks for template tests: built once per session, bundling skipped (the assets are tested elsewhere)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from scv_salesforce.config import ContactCenter, load_config, parse_config
from scv_salesforce.stack import ContactCenterStack

KMS_KEY_ARN = "arn:aws:kms:ap-northeast-1:111111111111:key/11111111-2222-4333-8444-555555555555"


def contact_center(**overrides: Any) -> ContactCenter:
    """The embedded example contact center with some fields changed: the fields its YAML states (a variant's
    mode judges what the variant says), without the function name derived from the example's name."""
    example = load_config().contact_centers[0].model_dump(mode="json", exclude_unset=True, exclude={"function_name"})
    return parse_config({"contact_centers": [{**example, **overrides}]}).contact_centers[0]


VARIANTS: dict[str, dict[str, Any]] = {
    "example": {},
    "no-connect": {"name": "noconnect", "connect_instance_arn": None},
    "hardened": {
        "name": "hardened",
        "kms_key_arn": KMS_KEY_ARN,
        "adopt_existing_secrets": True,
        "associate_with_connect": False,
        "cold_start": "provisioned",
        "provisioned_concurrency": 2,
        "sandbox": True,
        "monitoring": {"create_alarm_topic": True, "alarm_email": "ops@example.com"},
    },
    # An account SCV provisioned: our function next to SCV's, over SCV's secrets (customer key) and a log group
    # left by an earlier attempt.
    "beside": {"name": "beside", "mode": "beside", "adopt_log_group": True, "kms_key_arn": KMS_KEY_ARN},
    # An account SCV provisioned: SCV's function stays, this stack keeps its credentials and watches it.
    "companion": {
        "name": "companion",
        "mode": "companion",
        "orgs": [],
        "sandbox": True,
        "monitoring": {"alarm_topic_arn": "arn:aws:sns:ap-northeast-1:111111111111:contact-center-ops"},
    },
    "snapstart": {
        "name": "snap",
        "cold_start": "snapstart",
        "reserved_concurrency": None,
        "monitoring": {"alarm_topic_arn": "arn:aws:sns:ap-northeast-1:111111111111:contact-center-ops"},
    },
}


def build_app() -> tuple[cdk.App, dict[str, ContactCenterStack]]:
    """Every variant in one app, checked by cdk-nag like app.py does."""
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    built = {
        variant: ContactCenterStack(
            app,
            f"{variant}-stack",
            contact_center=contact_center(**overrides),
            env=cdk.Environment(account="111111111111", region="ap-northeast-1"),
        )
        for variant, overrides in VARIANTS.items()
    }
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, built


@pytest.fixture(scope="session")
def stacks() -> dict[str, ContactCenterStack]:
    return build_app()[1]


@pytest.fixture(scope="session")
def templates(stacks: dict[str, ContactCenterStack]) -> dict[str, Template]:
    return {variant: Template.from_stack(stack) for variant, stack in stacks.items()}


@pytest.fixture(scope="session")
def example(templates: dict[str, Template]) -> Template:
    return templates["example"]
