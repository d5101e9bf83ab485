"""Several orgs from one function: the org is picked per call by ``secretName`` / ``accessTokenSecretName``.

Org A is the contact center's own (``salesforce``), org B a further org declared in SALESFORCE_ORGS
(``salesforce_org_b``: a separate emulated org with its own app, certificate, user and tokens).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.emulators.fixtures import ContactCenterSecrets, make_contact_center_secrets
from tests.invoker.conftest import (
    AUDIENCE,
    CONTACT_CENTER,
    KEYS,
    ContainerFactory,
    FunctionContainer,
    access_token_in_secret,
    connect_event,
)
from tests.invoker.test_logging import json_lines, summaries

ORG_B = "orgb"
CONSUMER_KEY_B = "3MVG9-org-b-consumer-key"
USERNAME_B = "integration@org-b.example.com"
MAIN_B = f"{CONTACT_CENTER}-{ORG_B}-salesforce-secret"
ACCESS_B = f"{CONTACT_CENTER}-{ORG_B}-salesforce-access-secret"
QUERY = {"soql": "SELECT Id FROM Account"}


@dataclass(frozen=True)
class OrgB:
    emulator: Any
    secrets: ContactCenterSecrets


@pytest.fixture
def org_b(
    salesforce_org_b: Any, other_rsa_key_pair: Any, secretsmanager_client: Any, secrets_server: Any, cc_secrets: Any
) -> OrgB:
    salesforce_org_b.register_app(CONSUMER_KEY_B, other_rsa_key_pair.certificate_pem, users=[USERNAME_B])
    created = make_contact_center_secrets(
        secretsmanager_client, CONTACT_CENTER, other_rsa_key_pair.private_key_pem, CONSUMER_KEY_B, USERNAME_B,
        AUDIENCE, org=ORG_B, certificate_pem=other_rsa_key_pair.certificate_pem,
    )  # fmt: skip
    secrets_server.reset_counts()
    return OrgB(salesforce_org_b, created)


@pytest.fixture
def two_orgs(new_container: ContainerFactory, org_b: OrgB) -> FunctionContainer:
    """A container whose environment declares org B, as the stack writes SALESFORCE_ORGS."""
    orgs = [
        {
            "name": ORG_B,
            "restApiEndpointBase": org_b.emulator.rest_base(),
            "authEndpoint": org_b.emulator.auth_endpoint,
            "secretId": org_b.secrets.main_secret_arn,
            "accessSecretId": org_b.secrets.access_secret_arn,
            "callCenterApiName": "OrgBCallCenter",
        }
    ]
    return new_container(SALESFORCE_ORGS=json.dumps(orgs))


def in_org_b(method: str, **parameters: str) -> dict[str, Any]:
    return connect_event(method, secretName=MAIN_B, accessTokenSecretName=ACCESS_B, **parameters)


def with_attributes(event: dict[str, Any], **attributes: str) -> dict[str, Any]:
    event["Details"]["ContactData"]["Attributes"] = attributes
    return event


def test_without_names_the_contact_centers_own_org_is_used(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB
) -> None:
    two_orgs.ok(connect_event("queryRecord", **QUERY))
    assert len(salesforce.data_requests()) == 1 and org_b.emulator.requests == []


def test_parameters_pick_the_org_and_are_never_record_fields(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB
) -> None:
    """Reference (handler.test.js): createRecord passes the parameters' secretName/accessTokenSecretName on."""
    result = two_orgs.ok(in_org_b("createRecord", objectApiName="Case", Subject="from org B"))
    assert org_b.emulator.record(result["recordId"]).fields == {"Subject": "from org B"}
    assert salesforce.requests == []
    alert = in_org_b("realtimeAlertEvent", AlertType__c="Escalation")
    two_orgs.ok(alert)
    assert org_b.emulator.published_events[0].fields == {"AlertType__c": "Escalation"}


def test_contact_attributes_pick_the_org_when_parameters_are_absent(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB
) -> None:
    """Reference (handler.test.js): updateRecord takes the names from ContactData.Attributes."""
    record_id = org_b.emulator.add_record("Case", {"Subject": "x"})
    event = with_attributes(
        connect_event("updateRecord", objectApiName="Case", recordId=record_id, Status="Working"),
        secretName=MAIN_B, accessTokenSecretName=ACCESS_B,
    )  # fmt: skip
    assert two_orgs.ok(event) == {"success": "true"}
    assert org_b.emulator.record(record_id).fields == {"Subject": "x", "Status": "Working"}
    assert salesforce.requests == []


def test_parameters_win_over_contact_attributes(two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB) -> None:
    default_pair = {"secretName": f"{CONTACT_CENTER}-salesforce-secret",
                    "accessTokenSecretName": f"{CONTACT_CENTER}-salesforce-access-secret"}  # fmt: skip
    event = with_attributes(in_org_b("queryRecord", **QUERY), **default_pair)
    two_orgs.ok(event)
    assert salesforce.requests == [] and len(org_b.emulator.data_requests()) == 1


@pytest.mark.parametrize("form", ["name", "full ARN", "partial ARN", "only the access secret"])
def test_a_secret_is_named_by_name_or_arn(two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB, form: str) -> None:
    full = org_b.secrets.main_secret_arn
    parameters = {
        "name": {"secretName": MAIN_B},
        "full ARN": {"secretName": full},
        "partial ARN": {"secretName": full[: full.rindex("-")]},
        "only the access secret": {"accessTokenSecretName": org_b.secrets.access_secret_arn},
    }[form]
    two_orgs.ok(connect_event("queryRecord", **QUERY, **parameters))
    assert salesforce.requests == [] and len(org_b.emulator.data_requests()) == 1


def test_tokens_stay_in_their_org(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    """Org B's token never lands in org A's access secret or cache, and the other way round."""
    two_orgs.ok(in_org_b("queryRecord", **QUERY))
    two_orgs.ok(connect_event("queryRecord", **QUERY))
    token_a = access_token_in_secret(secretsmanager_client, cc_secrets)
    token_b = access_token_in_secret(secretsmanager_client, org_b.secrets)
    assert salesforce.token_owner(token_a) is not None and org_b.emulator.token_owner(token_a) is None
    assert org_b.emulator.token_owner(token_b) == (CONSUMER_KEY_B, USERNAME_B)
    assert salesforce.token_owner(token_b) is None
    # warm: each org's cached token goes to its own org (a token of the other org would get 401 and a mint)
    for _ in range(2):
        two_orgs.ok(in_org_b("queryRecord", **QUERY))
        two_orgs.ok(connect_event("queryRecord", **QUERY))
    assert salesforce.mint_count == 1 and org_b.emulator.mint_count == 1
    assert {request.header("Authorization") for request in salesforce.data_requests()} == {f"Bearer {token_a}"}
    assert {request.header("Authorization") for request in org_b.emulator.data_requests()} == {f"Bearer {token_b}"}


def test_a_401_in_one_org_refreshes_only_that_orgs_token(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB, secretsmanager_client: Any, cc_secrets: Any
) -> None:
    two_orgs.ok(in_org_b("queryRecord", **QUERY))
    two_orgs.ok(connect_event("queryRecord", **QUERY))
    token_a = access_token_in_secret(secretsmanager_client, cc_secrets)
    org_b.emulator.revoke_tokens()
    two_orgs.ok(in_org_b("queryRecord", **QUERY))
    assert org_b.emulator.mint_count == 2 and salesforce.mint_count == 1
    assert access_token_in_secret(secretsmanager_client, cc_secrets) == token_a
    assert access_token_in_secret(secretsmanager_client, org_b.secrets) in org_b.emulator.valid_tokens


def test_an_undeclared_secret_is_refused_before_any_secrets_manager_call(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB, secrets_server: Any
) -> None:
    outcome = two_orgs.fails(connect_event("queryRecord", secretName="someone-elses-secret", **QUERY))
    assert outcome.error_type == "BadRequestError"
    assert outcome.failure["errorCode"] == "UNDECLARED_SECRET" and outcome.failure["status"] == 400
    message = outcome.failure["errorMessage"]
    assert "secretName (the parameter) names an undeclared secret" in message
    assert MAIN_B in message and "contact_centers.yaml" in message
    assert secrets_server.count() == 0 and salesforce.requests == [] and org_b.emulator.requests == []


def test_a_refused_name_is_logged_as_undeclared_without_its_value(
    two_orgs: FunctionContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The name may be anything a caller typed (a chat's start request, a Lex slot): never echoed."""
    typed = "Taro-Yamada-090-1234-5678"
    outcome = two_orgs.fails(with_attributes(connect_event("queryRecord", **QUERY), secretName=typed))
    assert "undeclared" in outcome.failure["errorMessage"] and "contact attribute" in outcome.failure["errorMessage"]
    output = capsys.readouterr()
    assert "undeclared" in output.out
    assert typed not in output.out + output.err and typed not in json.dumps(outcome.failure)


def test_contact_attributes_are_ignored_when_the_contact_center_turns_them_off(
    new_container: ContainerFactory, two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB
) -> None:
    """org_from_contact_attributes: false: only the Invoke block's parameters pick the org, so an attribute set
    by a chat's start request neither moves the contact to org B nor fails its calls."""
    container = new_container(SALESFORCE_ORG_FROM_CONTACT_ATTRIBUTES="false")
    container.ok(
        with_attributes(connect_event("queryRecord", **QUERY), secretName=MAIN_B, accessTokenSecretName=ACCESS_B)
    )
    container.ok(with_attributes(connect_event("queryRecord", **QUERY), secretName="garbage"))
    assert len(salesforce.data_requests()) == 2 and org_b.emulator.requests == []
    container.ok(in_org_b("queryRecord", **QUERY))
    assert len(org_b.emulator.data_requests()) == 1


def test_an_arn_of_another_account_is_refused(two_orgs: FunctionContainer, org_b: OrgB, secrets_server: Any) -> None:
    foreign = "arn:aws:secretsmanager:us-east-1:999999999999:secret:" + MAIN_B
    outcome = two_orgs.fails(connect_event("queryRecord", secretName=foreign, **QUERY))
    assert outcome.failure["errorCode"] == "UNDECLARED_SECRET" and secrets_server.count() == 0


def test_one_orgs_main_secret_with_anothers_access_secret_is_refused(
    two_orgs: FunctionContainer, org_b: OrgB, secrets_server: Any
) -> None:
    event = connect_event(
        "queryRecord", secretName=MAIN_B, accessTokenSecretName=f"{CONTACT_CENTER}-salesforce-access-secret", **QUERY
    )
    outcome = two_orgs.fails(event)
    assert outcome.failure["errorCode"] == "UNDECLARED_SECRET"
    assert "one org's token must never be stored in another's access secret" in outcome.failure["errorMessage"]
    assert secrets_server.count() == 0


def test_without_further_orgs_only_the_own_pair_is_accepted(
    container: FunctionContainer, salesforce: Any, secrets_server: Any
) -> None:
    own = {"secretName": f"{CONTACT_CENTER}-salesforce-secret"}
    container.ok(connect_event("queryRecord", **QUERY, **own))
    outcome = container.fails(connect_event("queryRecord", secretName=MAIN_B, **QUERY))
    assert outcome.failure["errorCode"] == "UNDECLARED_SECRET"


def test_each_org_has_its_own_settings_memory_and_call_center(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB
) -> None:
    salesforce.set_query_result("FROM FieldServiceOrgSettings", [{"ApptAssistantStatus": "On My Way"}])
    org_b.emulator.set_query_result("FROM FieldServiceOrgSettings", [{"ApptAssistantStatus": "En Camino"}])
    two_orgs.ok(connect_event("SFSPhoneCallFlowQuery"))
    two_orgs.ok(in_org_b("SFSPhoneCallFlowQuery"))
    [_, engineer_b] = org_b.emulator.data_requests()
    assert "ServiceAppointment.Status='En Camino'" in engineer_b.query["q"]
    two_orgs.ok(in_org_b("fetchOutboundPhoneNumber", agentARN="arn:aws:connect:agent/a"))
    assert "InternalName='OrgBCallCenter'" in org_b.emulator.data_requests()[-1].query["q"]


def test_logs_and_metrics_name_the_org(
    two_orgs: FunctionContainer, org_b: OrgB, capsys: pytest.CaptureFixture[str]
) -> None:
    two_orgs.ok(in_org_b("queryRecord", **QUERY))
    summary = summaries(capsys.readouterr().out)[-1]
    assert summary["org"] == ORG_B and summary["token_mints"] == 1
    two_orgs.handler_module.flush_metrics()
    [record] = [line for line in json_lines(capsys.readouterr().out) if line.get("message") == "metrics"]
    assert record["Org"] == ORG_B
    assert record["TokenMints"] == 1
    dimension_sets = [d["Dimensions"] for d in record["_aws"]["CloudWatchMetrics"]]
    # with further orgs, every metric is also published per org (the dashboard's org widgets)
    assert all(["ContactCenter", "Org"] in sets for sets in dimension_sets[:2])


def test_token_keys_are_the_contact_centers_in_every_org(
    two_orgs: FunctionContainer, org_b: OrgB, secretsmanager_client: Any
) -> None:
    two_orgs.ok(in_org_b("queryRecord", **QUERY))
    document = json.loads(secretsmanager_client.get_secret_value(SecretId=ACCESS_B)["SecretString"])
    assert list(document) == [KEYS.access_token]


def test_a_staged_key_rotation_is_used_in_its_own_org_only(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB, secretsmanager_client: Any, rsa_key_pair: Any,
    secrets_server: Any, cc_secrets: Any,
) -> None:  # fmt: skip
    """Org B's admin uploaded the certificate of B's staged key: B mints with its AWSPENDING key; A is untouched."""
    org_b.emulator.set_certificate(CONSUMER_KEY_B, rsa_key_pair.certificate_pem)
    pending = {KEYS.consumer_key: CONSUMER_KEY_B, KEYS.private_key: rsa_key_pair.private_key_pem,
               KEYS.subject: USERNAME_B, KEYS.audience: AUDIENCE}  # fmt: skip
    secretsmanager_client.put_secret_value(
        SecretId=org_b.secrets.main_secret_arn, SecretString=json.dumps(pending), VersionStages=["AWSPENDING"]
    )
    secrets_server.reset_counts()
    two_orgs.ok(in_org_b("queryRecord", **QUERY))
    assert org_b.emulator.mint_count == 1
    assert secrets_server.count("GetSecretValue", secret_id=org_b.secrets.main_secret_arn) >= 2  # current, pending
    assert secrets_server.count(secret_id=cc_secrets.main_secret_arn) == 0  # org A's key was never read
    two_orgs.ok(connect_event("queryRecord", **QUERY))
    assert salesforce.mint_count == 1 and salesforce.issued_claims[0]["iss"] != CONSUMER_KEY_B


AGENT = "arn:aws:connect:ap-northeast-1:111111111111:instance/x/agent/y"


@pytest.mark.parametrize(
    "parameters",
    [
        {"methodName": "searchRecord", "sosl": "FIND {Ada} RETURNING Contact(Id)"},
        {"methodName": "uploadTranscript", "contactIdsPayloadMap": json.dumps([["c-1", "{}"]])},
        {"methodName": "fetchUploadIdsStatus", "uploadIds": "u-1"},
        {"methodName": "realtimeAlertEvent", "AlertType__c": "Escalation"},
        {"methodName": "fetchOutboundPhoneNumber", "agentARN": AGENT},
        {"methodName": "fetchDefaultVoicemailGreetingUrl", "agentARN": AGENT},
        {"methodName": "SFSPhoneCallFlowQuery"},
    ],
    ids=lambda parameters: parameters["methodName"],
)
def test_reference_each_method_follows_the_contact_attributes(
    two_orgs: FunctionContainer, salesforce: Any, org_b: OrgB, parameters: dict[str, str]
) -> None:
    """Reference (handler.test.js): each of these methods is called with the attributes' secret names."""
    event = connect_event(**parameters)
    with_attributes(event, secretName=MAIN_B, accessTokenSecretName=ACCESS_B)
    two_orgs.ok(event)
    assert org_b.emulator.data_requests() and salesforce.requests == []
