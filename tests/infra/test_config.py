"""Config validation: every bad value fails synth with one message naming the contact center, field and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError, load_config, parse_config

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
    assert cc.consumer_key == ""
    assert cc.log_level == "INFO"


def test_sandbox_and_audience_override() -> None:
    (sandbox,) = parse_config(config_with(sandbox=True)).contact_centers
    assert sandbox.jwt_audience == "https://test.salesforce.com/"
    (custom,) = parse_config(config_with(sandbox=True, audience="https://acme.my.salesforce.com")).contact_centers
    assert custom.jwt_audience == "https://acme.my.salesforce.com"


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


@pytest.mark.parametrize("missing", ["name", "salesforce_url", "username", "call_center_api_name"])
def test_missing_required_field(missing: str) -> None:
    entry = {key: value for key, value in VALID.items() if key != missing}
    with pytest.raises(ConfigError, match=rf"field {missing}: is required"):
        parse_config({"contact_centers": [entry]})


def test_duplicate_contact_centers_are_rejected() -> None:
    with pytest.raises(ConfigError, match="declared twice"):
        parse_config({"contact_centers": [VALID, {**VALID, "name": "ACME"}]})


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
