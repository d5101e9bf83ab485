"""The function's environment: every problem named with its fix, at the first invocation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.invoker.conftest import connect_event

QUERY = connect_event("queryRecord", soql="SELECT Id FROM Account")


@pytest.mark.parametrize(
    "env, mentions",
    [
        ({"CONTACT_CENTER_NAME": None}, "CONTACT_CENTER_NAME is not set"),
        ({"SALESFORCE_SECRET_ID": ""}, "SALESFORCE_SECRET_ID is not set"),
        ({"SALESFORCE_ACCESS_SECRET_ID": None}, "SALESFORCE_ACCESS_SECRET_ID is not set"),
        ({"SALESFORCE_REST_API_ENDPOINT_BASE": "acme.my.salesforce.com"}, "is not an https URL"),
        # http is for the emulators on this machine only: a token or an assertion never travels in clear text
        ({"SALESFORCE_AUTH_ENDPOINT": "http://login.salesforce.com"}, "SALESFORCE_AUTH_ENDPOINT='http://login"),
        (
            {"SALESFORCE_REST_API_ENDPOINT_BASE": "http://acme.my.salesforce.com/services/data/v68.0"},
            "is not an https URL (http only for a loopback host)",
        ),
        ({"SALESFORCE_AUTH_ENDPOINT": None}, "SALESFORCE_AUTH_ENDPOINT is not set"),
        ({"SECRETS_CACHE_TTL_SECONDS": "five"}, "SECRETS_CACHE_TTL_SECONDS"),
        ({"SECRETS_CACHE_TTL_SECONDS": "-1"}, "SECRETS_CACHE_TTL_SECONDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "http"}, "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"),
        ({"SALESFORCE_ORGS": "[{"}, "SALESFORCE_ORGS is not JSON"),
        ({"SALESFORCE_ORGS": '[{"name": "dr"}]'}, "SALESFORCE_ORGS entry 0 must be an object with name"),
        (
            {
                "SALESFORCE_ORGS": '[{"name": "dr", "restApiEndpointBase": "dr.example", "authEndpoint": "x", '
                '"secretId": "a", "accessSecretId": "b"}]'
            },
            "SALESFORCE_ORGS entry 0 (dr): restApiEndpointBase, authEndpoint not an https URL",
        ),
        (
            {
                "SALESFORCE_ORGS": '[{"name": "dr", "restApiEndpointBase": "https://dr.my.salesforce.com", '
                '"authEndpoint": "http://dr.my.salesforce.com", "secretId": "a", "accessSecretId": "b"}]'
            },
            "SALESFORCE_ORGS entry 0 (dr): authEndpoint not an https URL",
        ),
    ],
)
def test_invalid_configuration(new_container: Any, salesforce: Any, env: dict[str, str | None], mentions: str) -> None:
    container = new_container(**env)  # importing still works: the problem is reported by the invocation
    outcome = container.fails(QUERY)
    assert outcome.error_type == "ConfigurationError"
    assert outcome.failure["errorCode"] == "INVALID_CONFIGURATION"
    assert outcome.failure["status"] == 500
    assert mentions in outcome.failure["errorMessage"]
    assert salesforce.requests == []


def test_every_problem_at_once(new_container: Any) -> None:
    outcome = new_container(CONTACT_CENTER_NAME=None, SALESFORCE_SECRET_ID=None).fails(QUERY)
    assert "CONTACT_CENTER_NAME" in outcome.failure["errorMessage"]
    assert "SALESFORCE_SECRET_ID" in outcome.failure["errorMessage"]


def test_bad_request_is_reported_before_configuration(new_container: Any) -> None:
    outcome = new_container(CONTACT_CENTER_NAME=None).fails(connect_event("nope"))
    assert outcome.failure["errorCode"] == "UNKNOWN_METHOD"


def test_call_center_name_needed_only_for_outbound(new_container: Any) -> None:
    container = new_container(CALL_CENTER_API_NAME=None)
    container.ok(QUERY)
    outcome = container.fails(connect_event("fetchOutboundPhoneNumber", agentARN="arn:aws:connect:x"))
    assert outcome.error_type == "ConfigurationError"
    assert "CALL_CENTER_API_NAME" in outcome.failure["errorMessage"]


@pytest.mark.parametrize("level", ["debug", "Warn", "ERROR", ""])
def test_log_level_spellings(new_container: Any, level: str) -> None:
    new_container(LOG_LEVEL=level).ok(QUERY)


def test_settings_values(container: Any, invoker_env: dict[str, str]) -> None:
    settings = container.module("settings").Settings.from_env(
        {**invoker_env, "SECRETS_CACHE_TTL_SECONDS": "12.5", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "2773"}
    )
    assert settings.secrets_cache_ttl_seconds == 12.5
    assert settings.extension_port == 2773
    assert settings.rest_api_endpoint_base == invoker_env["SALESFORCE_REST_API_ENDPOINT_BASE"]
    assert settings.secret_keys.access_token == "testcc-salesforce-rest-api-access-token"
    with pytest.raises(AttributeError, match="can.t set attribute|frozen|cannot assign"):
        settings.contact_center = "other"
