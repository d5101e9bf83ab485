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


ARN_TAIL = "00000000-0000-4000-8000-000000000000"
TEXT_FIELDS: dict[str, Any] = {
    "name": "acme",
    "salesforce_url": "https://acme.my.salesforce.com",
    "username": "integration@acme.example",
    "call_center_api_name": "AcmeCallCenter",
    "consumer_key": "3MVG9-consumer-key",
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
