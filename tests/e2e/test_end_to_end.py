"""The product as it ships: cdk.out's seeder and invoker bundles, against moto and the Salesforce emulator.

Every invoker call runs in a "container" (a fresh isolated process that stays warm between calls)
with the environment CloudFormation would give the function.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from scv_salesforce.connect import load_sample_flow

from tools.harness.container import LambdaContainer
from tools.harness.deployment import (
    AGENT_ARN,
    CONSUMER_KEY,
    GREETING_URL,
    LocalDeployment,
    script_org_for_every_method,
)
from tools.harness.events import SEED_CONSOLE_TEST_EVENT, connect_event

pytestmark = pytest.mark.e2e


def secret_document(deployment: LocalDeployment, name: str) -> dict[str, str]:
    client = deployment.secrets_server.client()
    return json.loads(client.get_secret_value(SecretId=name)["SecretString"])


def sample_flow_parameters(phone: str) -> dict[str, str]:
    """The sample flow's Lambda parameters as Connect resolves them for a caller."""
    (invoke,) = [a for a in load_sample_flow()["Actions"] if a["Type"] == "InvokeLambdaFunction"]
    attributes = invoke["Parameters"]["LambdaInvocationAttributes"]
    return {key: phone if value == "$.CustomerEndpoint.Address" else value for key, value in attributes.items()}


def assert_string_map(payload: Any) -> None:
    assert isinstance(payload, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in payload.items()), payload
    assert len(json.dumps(payload).encode()) < 32 * 1024


# --- the seeded secrets ----------------------------------------------------------------------------------


def test_seeder_fills_both_secrets_in_the_setup_guides_format(deployment: LocalDeployment) -> None:
    cc = deployment.contact_center
    main = secret_document(deployment, f"{cc}-salesforce-secret")
    prefix = f"{cc}-salesforce-rest-api"
    assert main[f"{prefix}-auth-consumer-key"] == CONSUMER_KEY
    assert main[f"{prefix}-subject"] == "integration.user@example.com"
    assert main[f"{prefix}-audience"] == "https://login.salesforce.com/"
    key = serialization.load_pem_private_key(main[f"{prefix}-auth-private-key"].encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    certificate = x509.load_pem_x509_certificate(deployment.certificate_pem.encode())
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    assert certificate.signature_hash_algorithm is not None
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    assert certificate.issuer == certificate.subject  # self-signed
    access = secret_document(deployment, f"{cc}-salesforce-access-secret")
    assert access == {f"{prefix}-access-token": ""}


# --- the seed's console test event and every method --------------------------------------------------------


def test_setup_guides_console_test_event_returns_an_empty_result(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    result = invoker.invoke(SEED_CONSOLE_TEST_EVENT)
    assert result.ok, result.error
    assert result.payload == {}
    (query,) = deployment.salesforce.data_requests()
    assert query.query["q"] == "SELECT Name FROM Account Where Id='000000000000000'"
    assert deployment.salesforce.mint_count == 1
    # the new token is shared through the access secret
    token = secret_document(deployment, f"{deployment.contact_center}-salesforce-access-secret")
    assert token[f"{deployment.contact_center}-salesforce-rest-api-access-token"] in deployment.salesforce.valid_tokens


def test_sample_flow_looks_the_caller_up_by_phone(deployment: LocalDeployment) -> None:
    deployment.salesforce.set_query_result(
        "FROM Contact", [{"Id": "0035g00000ABCDEAA1", "Name": "Yamada Taro"}], sobject="Contact"
    )
    result = deployment.start_invoker().invoke(connect_event(sample_flow_parameters("+81312345678")))
    assert result.ok, result.error
    assert result.payload == {"Id": "0035g00000ABCDEAA1", "Name": "Yamada Taro"}
    (query,) = deployment.salesforce.data_requests()
    assert "WHERE Phone = '+81312345678'" in query.query["q"]


def test_a_hostile_phone_number_cannot_change_the_query(deployment: LocalDeployment) -> None:
    result = deployment.start_invoker().invoke(connect_event(sample_flow_parameters("' OR Name != '")))
    assert result.ok, result.error
    (query,) = deployment.salesforce.data_requests()
    assert "WHERE Phone = '\\' OR Name != \\''" in query.query["q"]


def test_every_method_through_one_warm_container(deployment: LocalDeployment) -> None:
    salesforce = deployment.salesforce
    case_id = script_org_for_every_method(salesforce)
    doomed_id = salesforce.add_record("Task", {"Subject": "Obsolete"})
    invoker = deployment.start_invoker()
    calls: list[tuple[dict[str, str], Any]] = [
        ({"methodName": "createRecord", "objectApiName": "case", "Subject": "Caller asked for a callback"}, "recordId"),
        (
            {"methodName": "updateRecord", "objectApiName": "Case", "recordId": case_id, "Status": "Working"},
            {"success": "true"},
        ),
        ({"methodName": "deleteRecord", "objectApiName": "Task", "recordId": doomed_id}, {"success": "true"}),
        ({"methodName": "searchRecord", "sosl": "FIND {Yamada} IN NAME FIELDS RETURNING Contact(Id, Name)"}, "Name"),
        ({"methodName": "uploadTranscript", "contactIdsPayloadMap": json.dumps([["c-1", '{"Transcript": []}']])}, None),
        ({"methodName": "fetchUploadIdsStatus", "uploadIds": "u-1,u-2"}, None),
        ({"methodName": "realtimeAlertEvent", "AlertType__c": "Escalation", "ContactId__c": "c-1"}, "id"),
        (
            {"methodName": "SFSPhoneCallFlowQuery"},
            {"success": "true", "statusCode": "200", "status": "TRANSFER_CALL", "engPhone": "+81399998888"},
        ),
        (
            {
                "methodName": "fetchOutboundPhoneNumber",
                "agentARN": "arn:aws:connect:ap-northeast-1:111111111111:instance/x/agent/y",
            },
            {"success": "true", "outboundPhoneNumber": "+81501234567"},
        ),
        ({"methodName": "fetchAgentPhoneNumber"}, {"success": "true", "outboundPhoneNumber": ""}),
        (
            {"methodName": "fetchDefaultVoicemailGreetingUrl", "agentARN": AGENT_ARN},
            {"success": "true", "GreetingUrl": GREETING_URL},
        ),
    ]
    for parameters, expected in calls:
        result = invoker.invoke(connect_event(parameters))
        assert result.ok, f"{parameters['methodName']}: {result.error}"
        assert_string_map(result.payload)
        if isinstance(expected, dict):
            assert result.payload == expected, parameters["methodName"]
        elif isinstance(expected, str):
            assert result.payload.get(expected), (parameters["methodName"], result.payload)
    assert salesforce.record(case_id).fields["Status"] == "Working"
    assert salesforce.record(doomed_id) is None
    assert [r.fields["Subject"] for r in salesforce.records("Case")] == ["Existing", "Caller asked for a callback"]
    assert salesforce.mint_count == 1  # one token for the whole warm container


def test_a_second_container_reuses_the_token_the_first_one_stored(deployment: LocalDeployment) -> None:
    deployment.start_invoker().invoke(SEED_CONSOLE_TEST_EVENT)
    deployment.secrets_server.reset_counts()
    second = deployment.start_invoker().invoke(SEED_CONSOLE_TEST_EVENT)
    assert second.ok, second.error
    assert deployment.salesforce.mint_count == 1
    assert deployment.secrets_server.count("secretsmanager.GetSecretValue") == 1  # only the access secret


# --- fault matrix -----------------------------------------------------------------------------------------


def failure_of(container: LambdaContainer, event: dict, *, timeout_ms: int | None = None) -> dict[str, Any]:
    result = container.invoke(event, timeout_ms=timeout_ms)
    assert not result.ok, f"expected a failure, got {result.payload}"
    return result.failure


def test_revoked_token_is_refreshed_once_and_the_call_succeeds(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    assert invoker.invoke(SEED_CONSOLE_TEST_EVENT).ok
    deployment.salesforce.revoke_tokens()
    result = invoker.invoke(SEED_CONSOLE_TEST_EVENT)
    assert result.ok, result.error
    assert deployment.salesforce.mint_count == 2
    statuses = [r for r in deployment.salesforce.data_requests()]
    assert len(statuses) == 3  # ok, 401, retried ok


@pytest.mark.parametrize(
    ("break_it", "error_code", "hint"),
    [
        (
            lambda sf, kp: sf.add_user("integration.user@example.com", approved=False),
            "invalid_app_access",
            "pre-authorized",
        ),
        (
            lambda sf, kp: setattr(sf, "expected_audiences", {"https://test.salesforce.com/"}),
            "invalid_grant",
            "audience",
        ),
        (lambda sf, kp: sf.set_certificate(CONSUMER_KEY, kp.certificate_pem), "invalid_grant", "certificate"),
        (lambda sf, kp: sf.register_app("some-other-consumer-key", kp.certificate_pem), None, None),
    ],
    ids=["not-pre-authorized", "sandbox-audience-mismatch", "certificate-does-not-match-key", "unknown-consumer-key"],
)
def test_auth_failures_name_the_fix(
    deployment: LocalDeployment, other_rsa_key_pair: Any, break_it: Any, error_code: str | None, hint: str | None
) -> None:
    if error_code is None:  # the app the consumer key names no longer exists
        deployment.salesforce.reset()
        error_code, hint = "invalid_client_id", "consumer key"
    else:
        break_it(deployment.salesforce, other_rsa_key_pair)
    failure = failure_of(deployment.start_invoker(), SEED_CONSOLE_TEST_EVENT)
    assert failure["success"] is False
    assert failure["errorCode"] == error_code
    assert hint in failure["errorMessage"]
    assert deployment.salesforce.data_requests() == []


def test_user_not_approved_for_the_consumer(deployment: LocalDeployment) -> None:
    deployment.salesforce.reset()
    deployment.salesforce.register_app(CONSUMER_KEY, deployment.certificate_pem)  # the user is not known
    failure = failure_of(deployment.start_invoker(), SEED_CONSOLE_TEST_EVENT)
    assert (failure["errorCode"], failure["status"]) == ("invalid_grant", 400)
    assert "hasn't approved this consumer" in failure["errorMessage"]


def test_429_on_a_query_is_retried_once(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    deployment.salesforce.inject_rate_limit(times=1, retry_after_seconds=0)
    result = invoker.invoke(SEED_CONSOLE_TEST_EVENT)
    assert result.ok, result.error
    assert len(deployment.salesforce.data_requests()) == 2


def test_503_twice_fails_with_salesforces_status(deployment: LocalDeployment) -> None:
    deployment.salesforce.inject_unavailable(times=2, path_contains="/query")
    failure = failure_of(deployment.start_invoker(), SEED_CONSOLE_TEST_EVENT)
    assert failure["status"] == 503
    assert len(deployment.salesforce.data_requests()) == 2


def test_a_create_is_never_repeated(deployment: LocalDeployment) -> None:
    deployment.salesforce.inject_fault(
        "/sobjects/Case", status=503, body=[{"errorCode": "SERVER_UNAVAILABLE", "message": "try later"}], method="POST"
    )
    event = connect_event({"methodName": "createRecord", "objectApiName": "Case", "Subject": "once"})
    failure = failure_of(deployment.start_invoker(), event)
    assert failure["status"] == 503
    posts = [r for r in deployment.salesforce.data_requests() if r.method == "POST"]
    assert len(posts) == 1


def test_create_after_an_ambiguous_timeout_is_not_repeated(deployment: LocalDeployment) -> None:
    deployment.salesforce.inject_fault("/sobjects/Case", delay_seconds=9, method="POST")
    event = connect_event({"methodName": "createRecord", "objectApiName": "Case", "Subject": "once"})
    failure = failure_of(deployment.start_invoker(), event, timeout_ms=deployment.invoker_timeout_ms)
    assert failure["errorCode"] == "TIMEOUT"
    assert len([r for r in deployment.salesforce.data_requests() if r.method == "POST"]) == 1


def test_hanging_salesforce_gives_a_timeout_well_before_connects_limit(deployment: LocalDeployment) -> None:
    deployment.salesforce.inject_fault("/query", delay_seconds=10)
    invoker = deployment.start_invoker()
    result = invoker.invoke(SEED_CONSOLE_TEST_EVENT, timeout_ms=deployment.invoker_timeout_ms)
    assert not result.ok
    assert result.failure["errorCode"] == "TIMEOUT"
    assert result.duration_ms < deployment.invoker_timeout_ms


def test_connection_refused(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    deployment.salesforce.stop()
    failure = failure_of(invoker, SEED_CONSOLE_TEST_EVENT)
    assert failure["errorCode"] == "CONNECTION_ERROR"


def test_secrets_manager_throttling(deployment: LocalDeployment) -> None:
    deployment.secrets_server.fail_next("secretsmanager.GetSecretValue", times=10)
    failure = failure_of(deployment.start_invoker(), SEED_CONSOLE_TEST_EVENT)
    assert failure["errorCode"] == "SECRETS_MANAGER_ERROR"
    assert deployment.salesforce.requests == []


def test_secrets_manager_unreachable(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    deployment.secrets_server.stop()
    failure = failure_of(invoker, SEED_CONSOLE_TEST_EVENT)
    assert failure["errorCode"] == "SECRETS_MANAGER_ERROR"


def _rewrite_main_secret(deployment: LocalDeployment, mutate: Any) -> None:
    client = deployment.secrets_server.client()
    name = f"{deployment.contact_center}-salesforce-secret"
    client.put_secret_value(SecretId=name, SecretString=mutate(secret_document(deployment, name)))


@pytest.mark.parametrize(
    ("mutate", "error_code", "named"),
    [
        (lambda doc: "{not json", "INVALID_SECRET", "not valid JSON"),
        (
            lambda doc: json.dumps({k: v for k, v in doc.items() if not k.endswith("-subject")}),
            "INVALID_SECRET",
            "-subject",
        ),
        (
            lambda doc: json.dumps({**doc, **{k: "" for k in doc if k.endswith("consumer-key")}}),
            "CONSUMER_KEY_NOT_SET",
            "scvctl consumer-key set",
        ),
    ],
    ids=["malformed-json", "missing-key", "empty-consumer-key"],
)
def test_broken_secrets_name_the_problem_and_make_no_data_request(
    deployment: LocalDeployment, mutate: Any, error_code: str, named: str
) -> None:
    _rewrite_main_secret(deployment, mutate)
    failure = failure_of(deployment.start_invoker(), SEED_CONSOLE_TEST_EVENT)
    assert failure["errorCode"] == error_code
    assert named in failure["errorMessage"]
    assert deployment.salesforce.data_requests() == []


# --- bad input --------------------------------------------------------------------------------------------

BAD_EVENTS: list[tuple[str, Any, str]] = [
    ("not-an-object", "queryRecord", "INVALID_EVENT"),
    ("no-details", {}, "INVALID_EVENT"),
    ("no-parameters", {"Details": {}}, "INVALID_EVENT"),
    ("no-method", connect_event({"soql": "SELECT Id FROM Account"}), "MISSING_PARAMETER"),
    ("unknown-method", connect_event({"methodName": "getRecord"}), "UNKNOWN_METHOD"),
    (
        "method-wrong-case",
        connect_event({"methodName": "QueryRecord", "soql": "SELECT Id FROM Account"}),
        "UNKNOWN_METHOD",
    ),
    ("query-without-soql", connect_event({"methodName": "queryRecord"}), "MISSING_PARAMETER"),
    ("empty-soql", connect_event({"methodName": "queryRecord", "soql": ""}), "MISSING_PARAMETER"),
    (
        "injection-outside-literal",
        connect_event({"methodName": "queryRecord", "soql": "SELECT Id FROM Case LIMIT {n}", "n": "1 OR Id != null"}),
        "INVALID_TEMPLATE",
    ),
    ("create-without-object", connect_event({"methodName": "createRecord", "Subject": "x"}), "MISSING_PARAMETER"),
    (
        "object-name-path-traversal",
        connect_event({"methodName": "createRecord", "objectApiName": "Case/../../limits", "Subject": "x"}),
        "INVALID_PARAMETER",
    ),
    (
        "update-bad-record-id",
        connect_event({"methodName": "updateRecord", "objectApiName": "Case", "recordId": "abc", "Status": "x"}),
        "INVALID_PARAMETER",
    ),
    (
        "delete-without-record-id",
        connect_event({"methodName": "deleteRecord", "objectApiName": "Case"}),
        "MISSING_PARAMETER",
    ),
    (
        "transcript-malformed-json",
        connect_event({"methodName": "uploadTranscript", "contactIdsPayloadMap": '[["c-1", '}),
        "INVALID_PARAMETER",
    ),
    (
        "transcript-wrong-shape",
        connect_event({"methodName": "uploadTranscript", "contactIdsPayloadMap": '{"c-1": "x"}'}),
        "INVALID_PARAMETER",
    ),
    ("upload-status-without-ids", connect_event({"methodName": "fetchUploadIdsStatus"}), "MISSING_PARAMETER"),
    ("outbound-without-agent", connect_event({"methodName": "fetchOutboundPhoneNumber"}), "MISSING_PARAMETER"),
    (
        "non-string-parameter",
        connect_event({"methodName": "queryRecord", "soql": "SELECT Id FROM Case LIMIT {n}", "n": 5}),
        "INVALID_PARAMETER",
    ),
    (
        "all-records-not-boolean",
        connect_event({"methodName": "queryRecord", "soql": "SELECT Id FROM Case", "allRecords": "maybe"}),
        "INVALID_PARAMETER",
    ),
]


@pytest.mark.parametrize(("event", "error_code"), [(e, c) for _, e, c in BAD_EVENTS], ids=[i for i, _, _ in BAD_EVENTS])
def test_bad_input_gets_a_clear_error_and_no_data_request(
    deployment: LocalDeployment, event: Any, error_code: str
) -> None:
    result = deployment.start_invoker().invoke(event)
    assert not result.ok
    failure = result.failure
    assert (failure["success"], failure["status"], failure["errorCode"]) == (False, 400, error_code)
    assert len(failure["errorMessage"]) > 20
    assert deployment.salesforce.data_requests() == []


# --- secret hygiene ---------------------------------------------------------------------------------------


def test_no_key_token_or_assertion_in_any_log_line(deployment: LocalDeployment) -> None:
    access_secret = f"{deployment.contact_center}-salesforce-access-secret"
    invoker = deployment.start_invoker(LOG_LEVEL="DEBUG")
    assert invoker.invoke(SEED_CONSOLE_TEST_EVENT).ok
    tokens = [*secret_document(deployment, access_secret).values()]
    deployment.salesforce.revoke_tokens()
    assert invoker.invoke(connect_event({"methodName": "createRecord", "objectApiName": "Case", "Subject": "s"})).ok
    assert not invoker.invoke(
        connect_event({"methodName": "queryRecord", "soql": "SELECT Id FROM X WHERE a = {n}", "n": "1 OR 1=1"})
    ).ok
    tokens += [*secret_document(deployment, access_secret).values()]
    assert len(set(tokens)) == 2 and all(tokens)
    logs = "\n".join(invoker.all_logs)
    assert logs, "the invoker logged nothing"
    main = secret_document(deployment, f"{deployment.contact_center}-salesforce-secret")
    private_key = next(v for k, v in main.items() if k.endswith("private-key"))
    key_body_lines = [line for line in private_key.splitlines() if line and not line.startswith("-----")]
    secrets = (
        key_body_lines + tokens + [request.form()["assertion"] for request in deployment.salesforce.token_requests()]
    )
    for secret in secrets:
        assert secret not in logs
    assert "1 OR 1=1" not in logs  # parameter values are not logged either
