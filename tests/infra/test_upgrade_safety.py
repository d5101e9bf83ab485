"""Upgrade safety: the previous release's config, synthesized with today's code, replaces or renames no
stateful resource.

A replaced secret is a new, empty secret (the key, the certificate Salesforce trusts and the consumer key
are gone); a renamed function breaks every contact flow that names it; a replaced custom resource runs the
seeder's Create again; a replaced association drops the function from the Connect instance for a moment.
This is what ``cdk diff`` would show as a replacement. The fixture is refreshed by ``make release-fixture``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from scv_salesforce.config import load_config
from scv_salesforce.stack import ContactCenterStack

PREVIOUS_RELEASE = Path(__file__).parent / "previous_release"

# Resource type -> the properties whose change makes CloudFormation replace the resource (or refuse the
# update, as it does for a custom resource's ServiceToken).
STATEFUL_RESOURCES: dict[str, tuple[str, ...]] = {
    "AWS::SecretsManager::Secret": ("Name",),
    "Custom::SalesforceSecretSeed": ("ServiceToken",),
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::Connect::IntegrationAssociation": ("InstanceId", "IntegrationArn", "IntegrationType"),
}


def _stateful(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Logical id -> type and replacement-relevant properties, for the resources an upgrade must keep."""
    kept = {}
    for logical_id, resource in template["Resources"].items():
        watched = STATEFUL_RESOURCES.get(resource["Type"])
        if watched is None:
            continue
        properties = resource.get("Properties", {})
        if resource["Type"] in ("AWS::Lambda::Function", "AWS::Logs::LogGroup") and watched[0] not in properties:
            continue  # a generated name: CloudFormation names it from the logical id, which is compared anyway
        kept[logical_id] = {"Type": resource["Type"], **{name: properties.get(name) for name in watched}}
    return kept


@pytest.fixture(scope="module")
def previous_and_current() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    config = load_config(PREVIOUS_RELEASE / "contact_centers.yaml")
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    pairs = []
    for contact_center in config.contact_centers:
        stack = ContactCenterStack(
            app,
            contact_center.stack_name,
            contact_center=contact_center,
            env=cdk.Environment(account=contact_center.account, region=contact_center.region),
        )
        previous = json.loads((PREVIOUS_RELEASE / f"{contact_center.stack_name}.template.json").read_text())
        pairs.append((contact_center.stack_name, previous, Template.from_stack(stack).to_json()))
    return pairs


def test_the_fixture_holds_every_kind_of_stateful_resource(previous_and_current) -> None:
    kinds = {entry["Type"] for _, previous, _ in previous_and_current for entry in _stateful(previous).values()}
    assert kinds == set(STATEFUL_RESOURCES), "the fixture no longer covers what the upgrade check is for"


def test_todays_code_keeps_every_stateful_resource_of_the_previous_release(previous_and_current) -> None:
    for stack_name, previous, current in previous_and_current:
        before, after = _stateful(previous), _stateful(current)
        lost = sorted(set(before) - set(after))
        assert not lost, f"{stack_name}: a deploy would delete or replace {lost} (logical id changed or removed)"
        changed = {
            logical_id: (before[logical_id], after[logical_id])
            for logical_id in before
            if before[logical_id] != after[logical_id]
        }
        assert not changed, f"{stack_name}: a deploy would replace or rename {json.dumps(changed, indent=1)}"


def test_a_renamed_secret_is_caught() -> None:
    previous = {
        "Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "cc-salesforce-secret"}}}
    }
    renamed = {"Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "cc-sf-secret"}}}}
    moved = {
        "Resources": {"T": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "cc-salesforce-secret"}}}
    }
    assert _stateful(previous) != _stateful(renamed)
    assert set(_stateful(previous)) - set(_stateful(moved)) == {"S"}
