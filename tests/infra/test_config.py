"""Config validation: every bad value fails synth with one message naming the contact center, field and fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scv_salesforce.config import ConfigError, load_config, parse_config

from tools.harness.synth import PROJECT_ROOT, SILENCED_NODE_WARNINGS

VALID: dict[str, Any] = {
    "name": "acme",
    "salesforce_url": "https://acme.my.salesforce.com",
    "username": "integration@acme.example",
    "call_center_api_name": "AcmeCallCenter",
}


def config_with(**overrides: Any) -> dict[str, Any]:
    return {"contact_centers": [{**VALID, **overrides}]}


def test_embedded_example_is_valid_and_has_every_part() -> None:
    (example,) = load_config().contact_centers
    assert example.name == "example-cc"
    assert example.connect_instance_arn
    assert example.api_version == "68.0"


def test_defaults_and_derived_values() -> None:
    (cc,) = parse_config(config_with()).contact_centers
    assert cc.jwt_audience == "https://login.salesforce.com/"
    assert cc.rest_api_endpoint_base == "https://acme.my.salesforce.com/services/data/v68.0"
    assert cc.auth_endpoint == "https://acme.my.salesforce.com/services/oauth2/token"
    assert cc.function_name == "acme-InvokeSalesforceRestApiFunction"
    assert cc.log_level == "INFO"


def test_sandbox_and_audience_override() -> None:
    (sandbox,) = parse_config(config_with(sandbox=True)).contact_centers
    assert sandbox.jwt_audience == "https://test.salesforce.com/"
    (custom,) = parse_config(config_with(sandbox=True, audience="https://acme.my.salesforce.com")).contact_centers
    assert custom.jwt_audience == "https://acme.my.salesforce.com"


ARN_TOKYO = "arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("url", ["https://acme--uat.sandbox.my.salesforce.com", "https://acme--uat.my.salesforce.com"])
def test_a_sandbox_url_implies_the_sandbox_audience(url: str) -> None:
    (cc,) = parse_config(config_with(salesforce_url=url)).contact_centers
    assert cc.sandbox is True
    assert cc.jwt_audience == "https://test.salesforce.com/"


def test_a_sandbox_url_with_sandbox_false_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(config_with(salesforce_url="https://acme--uat.sandbox.my.salesforce.com", sandbox=False))
    assert "is a sandbox but sandbox is false" in str(raised.value)
    assert "audience is invalid" in str(raised.value)
    assert "set sandbox: true" in str(raised.value)


def test_a_sandbox_url_with_an_explicit_audience_is_accepted() -> None:
    url = "https://acme--uat.sandbox.my.salesforce.com"
    (cc,) = parse_config(config_with(salesforce_url=url, sandbox=False, audience=url)).contact_centers
    assert cc.jwt_audience == url


def test_a_production_url_keeps_the_production_audience() -> None:
    (cc,) = parse_config(config_with(salesforce_url="https://acme-uat.my.salesforce.com")).contact_centers
    assert cc.sandbox is False


def test_region_comes_from_the_connect_instance_arn_when_omitted() -> None:
    (cc,) = parse_config(config_with(connect_instance_arn=ARN_TOKYO)).contact_centers
    assert cc.region == "ap-northeast-1"
    (without_connect,) = parse_config(config_with()).contact_centers
    assert without_connect.region is None


@pytest.mark.parametrize(("value", "expected"), [(62.0, "62.0"), (68, "68.0"), ("62.0", "62.0")])
def test_api_version_as_a_yaml_number_is_accepted(value: Any, expected: str) -> None:
    (cc,) = parse_config(config_with(api_version=value)).contact_centers
    assert cc.api_version == expected


def test_api_version_written_unquoted_in_yaml_is_accepted(tmp_path: Path) -> None:
    config = tmp_path / "contact_centers.yaml"
    config.write_text(
        "contact_centers:\n  - name: acme\n    salesforce_url: https://acme.my.salesforce.com\n"
        "    username: integration@acme.example\n    call_center_api_name: Acme\n    api_version: 62.0\n"
    )
    assert load_config(config).contact_centers[0].rest_api_endpoint_base.endswith("/v62.0")


def test_an_empty_consumer_key_left_from_earlier_releases_is_ignored() -> None:
    """Earlier examples had `consumer_key: ""`: nothing secret, so an upgrade must not fail on it."""
    (cc,) = parse_config(config_with(consumer_key="")).contact_centers
    assert "consumer_key" not in cc.model_dump()


def test_trailing_slash_on_the_org_url_is_normalized() -> None:
    (cc,) = parse_config(config_with(salesforce_url="https://ACME.my.salesforce.com/")).contact_centers
    assert cc.rest_api_endpoint_base == "https://acme.my.salesforce.com/services/data/v68.0"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "acme cc"}, 'contact center "acme cc", field name: must start with a letter'),
        ({"name": "a" * 40}, "at most 32 characters"),
        ({"name": "9lives"}, "must start with a letter"),
        ({"salesforce_url": "http://acme.my.salesforce.com"}, "field salesforce_url: must be the org's https URL"),
        ({"salesforce_url": "https://login.salesforce.com"}, "the My Domain URL is needed"),
        ({"salesforce_url": "https://test.salesforce.com/"}, "the My Domain URL is needed"),
        ({"salesforce_url": "https://acme.my.salesforce.com/services"}, "with no path"),
        ({"api_version": "v68"}, "field api_version: must look like 68.0"),
        ({"api_version": 62.5}, "field api_version: must look like 68.0"),
        (
            {"salesforce_url": "https://acme.lightning.force.com"},
            "acme.lightning.force.com is the Lightning UI host; the API needs the My Domain URL: "
            "https://acme.my.salesforce.com",
        ),
        (
            {"salesforce_url": "https://acme--uat.sandbox.lightning.force.com/"},
            "the My Domain URL: https://acme--uat.sandbox.my.salesforce.com",
        ),
        ({"sandbox": "maybe"}, "field sandbox: must be true or false, not 'maybe'"),
        ({"adopt_existing_secrets": "sometimes"}, "field adopt_existing_secrets: must be true or false"),
        (
            {"consumer_key": "3MVG9-from-the-app"},
            'contact center "acme": consumer_key does not belong in the config',
        ),
        ({"consumer_key": 12345}, "remove the line and store it with `scvctl consumer-key set acme`"),
        (
            {"monitoring": {"alarm_email": "ops@example.com"}},
            "field monitoring: alarm_email ops@example.com would never receive an alarm: set create_alarm_topic: true",
        ),
        (
            {
                "monitoring": {
                    "alarm_email": "ops@example.com",
                    "alarm_topic_arn": "arn:aws:sns:ap-northeast-1:111111111111:ops",
                }
            },
            "subscribe it to alarm_topic_arn's topic yourself",
        ),
        ({"audience": "login.salesforce.com"}, "field audience: must be an https URL"),
        ({"connect_instance_arn": "arn:aws:connect:ap-northeast-1:1111:instance/x"}, "field connect_instance_arn"),
        ({"kms_key_arn": "alias/my-key"}, "field kms_key_arn: must be a KMS key ARN"),
        ({"account": "12345"}, "field account: must be a 12-digit AWS account id"),
        ({"region": "tokyo"}, "field region: must be an AWS region name"),
        (
            {
                "region": "us-east-1",
                "connect_instance_arn": "arn:aws:connect:ap-northeast-1:111111111111:instance/"
                "00000000-0000-4000-8000-000000000000",
            },
            "the function must be in the instance's region",
        ),
        ({"log_level": "VERBOSE"}, "field log_level"),
        ({"log_retention_days": 10}, "field log_retention_days: must be one of CloudWatch Logs' retention periods"),
        ({"cold_start": "always"}, "field cold_start"),
        ({"consumer_kye": "x"}, "field consumer_kye: is not a known setting"),
        ({"certificate": {"validity_days": 0}}, "field certificate.validity_days"),
        ({"monitoring": {"p99_duration_ms": 9000}}, "field monitoring.p99_duration_ms"),
        ({"monitoring": {"alarm_topic_arn": "my-topic"}}, "field monitoring.alarm_topic_arn: must be an SNS topic ARN"),
    ],
)
def test_each_bad_value_names_contact_center_field_and_fix(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(config_with(**overrides))
    assert expected in str(raised.value)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"username": "山田太郎"}, 'contact center "acme", field username: must be the integration user\'s Salesforce'),
        ({"username": "Integration User"}, "field username: must be the integration user's Salesforce username"),
        (
            {"call_center_api_name": "東京コールセンター"},
            "field call_center_api_name: must be the call center's API name",
        ),
        ({"call_center_api_name": "Tokyo Call Center"}, "e.g. TokyoCallCenter, not its display name"),
        ({"account": 333333333333}, 'field account: write the account id in quotes, account: "333333333333"'),
        ({"name": "東京"}, 'contact center "東京", field name: must start with a letter'),
        ({"name": "東京", "mode": "beside"}, 'contact center "東京", field name: '),
        (
            {"orgs": [{"name": "dr", "salesforce_url": "https://dr.my.salesforce.com", "username": "山田@dr"}]},
            "field orgs.0.username: must be the integration user's Salesforce username",
        ),
        (
            {
                "orgs": [
                    {
                        "name": "dr",
                        "salesforce_url": "https://dr.my.salesforce.com",
                        "username": "dr@acme.example",
                        "call_center_api_name": "災害対策",
                    }
                ]
            },
            "field orgs.0.call_center_api_name: must be the call center's API name",
        ),
    ],
)
def test_a_value_that_would_fail_only_at_run_time_is_one_line(overrides: dict[str, Any], expected: str) -> None:
    """Japanese text where Salesforce wants ASCII, an account id YAML read as a number, and a derived field
    (function_name) that must not repeat the error of the field the user wrote (name)."""
    with pytest.raises(ConfigError) as raised:
        parse_config(config_with(**overrides))
    header, *problems = str(raised.value).splitlines()
    assert header == "config: invalid contact-center config"
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_an_unquoted_deploy_pipeline_account_is_one_line_with_the_quoting_hint() -> None:
    raw = {**config_with(), "deploy_pipeline": {"github_repository": "acme/infra", "account": 333333333333}}
    with pytest.raises(ConfigError) as raised:
        parse_config(raw)
    assert str(raised.value).splitlines()[1:] == [
        '  - field deploy_pipeline.account: write the account id in quotes, account: "333333333333" '
        "(YAML reads it unquoted as a number)"
    ]


@pytest.mark.parametrize("missing", ["name", "salesforce_url", "username", "call_center_api_name"])
def test_missing_required_field(missing: str) -> None:
    entry = {key: value for key, value in VALID.items() if key != missing}
    with pytest.raises(ConfigError, match=rf"field {missing}: is required"):
        parse_config({"contact_centers": [entry]})


def test_duplicate_contact_centers_name_both_entries() -> None:
    other = {**VALID, "name": "other"}
    with pytest.raises(ConfigError) as raised:
        parse_config({"contact_centers": [VALID, other, {**VALID, "name": "ACME"}]})
    assert "contact centers #1 'acme' and #3 'ACME' collide: names that differ only in case" in str(raised.value)
    with pytest.raises(ConfigError, match="#1 'acme' and #2 'acme' collide: the same name"):
        parse_config({"contact_centers": [VALID, VALID]})


def test_empty_config_is_rejected() -> None:
    with pytest.raises(ConfigError, match="contact_centers"):
        parse_config({"contact_centers": []})


def test_unreadable_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("contact_centers: [\n")
    with pytest.raises(ConfigError, match="broken.yaml: not valid YAML"):
        load_config(broken)


ARN_TAIL = "00000000-0000-4000-8000-000000000000"
TEXT_FIELDS: dict[str, Any] = {
    "name": "acme",
    "salesforce_url": "https://acme.my.salesforce.com",
    "username": "integration@acme.example",
    "call_center_api_name": "AcmeCallCenter",
    "audience": "https://acme.my.salesforce.com",
    "api_version": "68.0",
    "account": "111111111111",
    "region": "ap-northeast-1",
    "connect_instance_arn": f"arn:aws:connect:ap-northeast-1:111111111111:instance/{ARN_TAIL}",
    "kms_key_arn": f"arn:aws:kms:ap-northeast-1:111111111111:key/{ARN_TAIL}",
}


@pytest.mark.parametrize("trailing", ["\n", "\r", "\x00"], ids=["newline", "carriage-return", "NUL"])
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_trailing_control_character_never_reaches_a_stack(field: str, trailing: str) -> None:
    """Refused with the field's name, or (a line break YAML kept at the end) stripped: never kept."""
    overrides = {**TEXT_FIELDS, field: TEXT_FIELDS[field] + trailing}
    try:
        (cc,) = parse_config(config_with(**overrides)).contact_centers
    except ConfigError as error:
        assert f"field {field}:" in str(error)
    else:
        assert trailing not in getattr(cc, field)


def test_a_control_character_in_the_certificate_common_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="field certificate.common_name: must not contain control characters"):
        parse_config(config_with(certificate={"common_name": "acme\x00"}))


def test_reserved_concurrency_defaults_to_a_cap_and_can_be_removed() -> None:
    (capped,) = parse_config(config_with()).contact_centers
    assert capped.reserved_concurrency == 25
    (uncapped,) = parse_config(config_with(reserved_concurrency=None)).contact_centers
    assert uncapped.reserved_concurrency is None
    with pytest.raises(ConfigError, match="field reserved_concurrency"):
        parse_config(config_with(reserved_concurrency=0))


def test_provisioned_concurrency_must_fit_in_the_reservation() -> None:
    with pytest.raises(ConfigError, match="provisioned_concurrency 30 is more than reserved_concurrency 25"):
        parse_config(config_with(cold_start="provisioned", provisioned_concurrency=30))


def test_a_config_mistake_fails_the_cdk_app_with_the_message_alone(tmp_path: Path) -> None:
    """What `cdk synth` shows: the app's stderr is exactly the message (no traceback) and the exit status 1."""
    config = tmp_path / "contact_centers.yaml"
    config.write_text("contact_centers:\n  - name: acme\n    salesforce_url: https://acme.lightning.force.com\n")
    with pytest.raises(ConfigError) as expected:
        load_config(config)
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "app.py")],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "CDK_CONTEXT_JSON": json.dumps({"config": str(config)}),
            "CDK_OUTDIR": str(tmp_path / "cdk.out"),
            **SILENCED_NODE_WARNINGS,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr, result.stdout) == (1, f"{expected.value}\n", "")


def test_the_config_check_before_cdk_synth_prints_the_message_alone(tmp_path: Path) -> None:
    """`python -m scv_salesforce.config check`: what a make target runs before `cdk synth`, whose CLI adds a line of
    its own ("Subprocess exited with error 1") after the app's message; silent for a valid config."""
    config = tmp_path / "contact_centers.yaml"
    config.write_text("contact_centers:\n  - name: acme\n    account: 333333333333\n", encoding="utf-8")
    with pytest.raises(ConfigError) as expected:
        load_config(config)

    def check(*argv: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "scv_salesforce.config", "check", *argv]
        return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)

    failed, valid = check(str(config)), check()
    assert (failed.returncode, failed.stderr, failed.stdout) == (1, f"{expected.value}\n", "")
    assert (valid.returncode, valid.stderr, valid.stdout) == (0, "", "")


ORG: dict[str, Any] = {
    "name": "dr",
    "salesforce_url": "https://acme-dr.my.salesforce.com",
    "username": "dr@acme.example",
}


def test_further_orgs_have_their_own_endpoints_and_default_to_the_contact_centers_call_center() -> None:
    (cc,) = parse_config(config_with(orgs=[{**ORG, "sandbox": True, "api_version": "62.0"}])).contact_centers
    (org,) = cc.orgs
    assert org.rest_api_endpoint_base == "https://acme-dr.my.salesforce.com/services/data/v62.0"
    assert org.auth_endpoint == "https://acme-dr.my.salesforce.com/services/oauth2/token"
    assert org.jwt_audience == "https://test.salesforce.com/"
    assert cc.org_call_center_api_name(org) == "AcmeCallCenter"
    seen = cc.as_org("dr")
    assert (seen.name, seen.username, seen.salesforce_url) == ("acme", "dr@acme.example", org.salesforce_url)
    assert seen.certificate_common_name == "acme dr Salesforce JWT"  # as the seeder names the org's certificate


def test_the_embedded_example_declares_one_further_org() -> None:
    (example,) = load_config().contact_centers
    assert [org.name for org in example.orgs] == ["dr"]


@pytest.mark.parametrize(
    ("orgs", "expected"),
    [
        ([{**ORG, "name": "default"}], "'default' is the contact center's own org"),
        ([{**ORG, "name": "dr_1"}], "letters, digits and '-'"),
        ([ORG, {**ORG, "name": "DR"}], "org 'DR' is declared twice"),
        ([{**ORG, "salesforce_url": "https://login.salesforce.com"}], r"field orgs\.0\.salesforce_url: .*generic"),
        ([{**ORG, "secret": "x"}], r"orgs\.0\.secret: is not a known setting"),
    ],
)
def test_bad_orgs_name_the_org_field_and_fix(orgs: list[dict[str, Any]], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_config(config_with(orgs=orgs))


def test_an_org_whose_secrets_would_be_another_contact_centers_is_rejected() -> None:
    clash = {**VALID, "name": "acme-dr"}
    with pytest.raises(ConfigError, match="would share the secrets acme-dr-salesforce-secret"):
        parse_config({"contact_centers": [{**VALID, "orgs": [ORG]}, clash]})
