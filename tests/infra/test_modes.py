"""The stack in an account Service Cloud Voice provisioned: mode beside (our function next to SCV's) and mode
companion (SCV's function, our credentials and monitoring). cdk-nag checks both when the app is built, checkov
in test_checkov.py, and test_snapshot.py holds one snapshot per mode."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from scv_salesforce.config import ConfigError, parse_config
from scv_salesforce.stack import ContactCenterStack

from tests.infra.conftest import KMS_KEY_ARN, VARIANTS, contact_center
from tests.infra.test_stack import CONNECT_PERMISSION, only, seed_of, statements

SCV_ALARMS = {"ErrorRate", "LatencyNearConnectLimit", "Throttles", "InvocationRate", "CertificateExpiry"}
INVOKER_ONLY_ALARMS = {"ApiUsage", "TokenMintFailures", "IntegrationDown", "CallsPerContact"}


def _alarms(template: Template) -> dict[str, dict]:
    """Alarm properties by the construct name that starts their logical id (MonitoringErrorRate... → ErrorRate)."""
    return {
        logical.removeprefix("Monitoring")[:-8]: resource["Properties"]
        for logical, resource in template.find_resources("AWS::CloudWatch::Alarm").items()
    }


def _function_names(template: Template) -> set[str]:
    return {
        resource["Properties"].get("FunctionName")
        for resource in template.find_resources("AWS::Lambda::Function").values()
        if resource["Properties"].get("FunctionName")
    }


def test_beside_runs_our_function_under_its_own_name_over_scvs_secrets(templates: dict[str, Template]) -> None:
    beside = templates["beside"]
    assert _function_names(beside) == {"beside-SalesforceRestApiFunction"}
    assert beside.find_resources("AWS::SecretsManager::Secret") == {}  # SCV's are adopted, never created
    _, function = only(beside, "AWS::Lambda::Function", {"FunctionName": "beside-SalesforceRestApiFunction"})
    environment = json.dumps(function["Properties"]["Environment"]["Variables"])
    assert "secret:beside-salesforce-secret" in environment and "secret:beside-salesforce-access-secret" in environment
    # Connect may call ours (SCV's keeps its own association); flows move with `scvctl flows switch`
    only(beside, "AWS::Lambda::Permission", CONNECT_PERMISSION)
    _, seed = seed_of(beside)
    assert seed["Properties"]["AdoptExisting"] == "true"


def test_beside_adopts_the_existing_log_group_and_may_write_only_there(templates: dict[str, Template]) -> None:
    beside = templates["beside"]
    log_group = "/aws/lambda/beside-SalesforceRestApiFunction"
    created = [r["Properties"].get("LogGroupName") for r in beside.find_resources("AWS::Logs::LogGroup").values()]
    assert log_group not in created
    _, function = only(beside, "AWS::Lambda::Function", {"FunctionName": "beside-SalesforceRestApiFunction"})
    assert function["Properties"]["LoggingConfig"]["LogGroup"] == log_group
    write = statements(beside, "InvokerRole")["WriteOwnLogs"]
    resources = json.dumps(write["Resource"])
    assert f"log-group:{log_group}" in resources and f"log-group:{log_group}:log-stream:*" in resources
    assert statements(beside, "InvokerRole")["UseSecretsKeyThroughSecretsManager"]["Resource"] == KMS_KEY_ARN


def test_companion_ships_no_function_of_ours_and_no_connect_resource(templates: dict[str, Template]) -> None:
    companion = templates["companion"]
    assert _function_names(companion) == set()  # only the seeder, its provider and the certificate check
    assert len(companion.find_resources("AWS::Lambda::Function")) == 3
    assert companion.find_resources("AWS::SecretsManager::Secret") == {}
    assert companion.find_resources("AWS::Connect::IntegrationAssociation") == {}
    assert companion.find_resources("AWS::Connect::ContactFlow") == {}
    outputs = companion.to_json()["Outputs"]
    assert outputs["ScvFunctionName"]["Value"] == "companion-InvokeSalesforceRestApiFunction"
    assert "InvokerFunctionArn" not in outputs and "ReplacedSettings" in outputs


def test_companion_seeds_scvs_secrets_with_the_stated_audience(templates: dict[str, Template]) -> None:
    _, seed = seed_of(templates["companion"])
    properties = seed["Properties"]
    assert properties["AdoptExisting"] == "true"
    assert properties["Audience"] == "https://test.salesforce.com/"  # sandbox: true in the variant
    assert properties["ExplicitSettings"] == "Subject,Audience"


def test_companion_watches_scvs_function_with_lambdas_own_figures(templates: dict[str, Template]) -> None:
    alarms = _alarms(templates["companion"])
    assert set(alarms) == SCV_ALARMS
    watched = {
        name: json.dumps(properties.get("Dimensions") or properties.get("Metrics"))
        for name, properties in alarms.items()
        if name != "CertificateExpiry"
    }
    for name, dimensions in watched.items():
        assert "companion-InvokeSalesforceRestApiFunction" in dimensions, name
    assert alarms["LatencyNearConnectLimit"]["Threshold"] < 8000
    assert alarms["LatencyNearConnectLimit"]["Metrics"][0]["MetricStat"]["Stat"] == "p99"
    assert templates["companion"].find_resources("AWS::CloudWatch::InsightRule") == {}


def test_greenfield_keeps_every_alarm_of_our_invoker(templates: dict[str, Template]) -> None:
    assert set(_alarms(templates["example"])) == SCV_ALARMS | INVOKER_ONLY_ALARMS


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"mode": "beside", "function_name": "acme-InvokeSalesforceRestApiFunction"},
            "mode beside runs our function next to SCV's acme-InvokeSalesforceRestApiFunction",
        ),
        ({"mode": "companion", "cold_start": "snapstart"}, "cold_start configures our function"),
        ({"mode": "companion", "adopt_log_group": True}, "choose mode: beside"),
        ({"mode": "beside", "adopt_existing_secrets": False}, "adopt_existing_secrets: false contradicts mode beside"),
        ({"mode": "sideways"}, "'greenfield', 'beside' or 'companion'"),
    ],
)
def test_a_setting_that_contradicts_the_mode_fails_with_one_line(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        contact_center(name="acme", orgs=[], **overrides)
    problems = str(raised.value).splitlines()[1:]
    assert len(problems) == 1 and message in problems[0], problems


def test_a_stated_audience_is_explicit_and_a_default_is_not() -> None:
    assert contact_center(name="acme").explicit_settings == ("Subject", "Audience")  # the example says sandbox
    stated = contact_center(name="acme", audience="https://acme.my.salesforce.com")
    assert "Audience" in stated.explicit_settings
    example = contact_center(name="acme").model_dump(mode="json", exclude_unset=True, exclude={"function_name"})
    example.pop("sandbox")
    assert parse_config({"contact_centers": [example]}).contact_centers[0].explicit_settings == ("Subject",)


def test_taking_over_in_greenfield_keeps_the_beside_stack_resource_for_resource(
    templates: dict[str, Template],
) -> None:
    """README's "Take over": mode beside → greenfield with the function's name pinned and the secrets adopted."""
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    taken_over = {
        **VARIANTS["beside"],
        "mode": "greenfield",
        "function_name": "beside-SalesforceRestApiFunction",
        "adopt_existing_secrets": True,
    }
    stack = ContactCenterStack(
        app,
        "beside-stack",
        contact_center=contact_center(**taken_over),
        env=cdk.Environment(account="111111111111", region="ap-northeast-1"),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assert Template.from_stack(stack).to_json()["Resources"] == templates["beside"].to_json()["Resources"]
