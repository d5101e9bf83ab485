"""The example stack's further org ``dr`` as it ships: cdk.out's seeder seeds it, the invoker bundle calls it.

The contact center's own org is the ``salesforce`` emulator, org ``dr`` a second emulated org
(``salesforce_org_b``), each with the certificate its own seed resource made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.test_end_to_end import assert_string_map, secret_document
from tools.emulators.salesforce import SalesforceEmulator
from tools.harness.deployment import LocalDeployment, script_org_for_every_method
from tools.harness.events import connect_event

pytestmark = pytest.mark.e2e
ORG = "dr"


@pytest.fixture
def deployment(deploy_example: Callable[..., LocalDeployment], salesforce_org_b: SalesforceEmulator) -> LocalDeployment:
    return deploy_example(org_emulators={ORG: salesforce_org_b})


def names(deployment: LocalDeployment, org: str | None = ORG) -> dict[str, str]:
    prefix = f"{deployment.contact_center}-{org}" if org else deployment.contact_center
    return {"secretName": f"{prefix}-salesforce-secret", "accessTokenSecretName": f"{prefix}-salesforce-access-secret"}


def test_the_further_org_is_seeded_with_its_own_key_and_the_contact_centers_key_names(
    deployment: LocalDeployment,
) -> None:
    cc = deployment.contact_center
    own = secret_document(deployment, f"{cc}-salesforce-secret")
    further = secret_document(deployment, f"{cc}-{ORG}-salesforce-secret")
    prefix = f"{cc}-salesforce-rest-api"
    assert set(further) == set(own)
    assert further[f"{prefix}-auth-private-key"] != own[f"{prefix}-auth-private-key"]
    assert further[f"{prefix}-subject"] == "integration.user@example.com.dr"
    assert deployment.org_seeds[ORG].certificate_pem != deployment.certificate_pem
    assert secret_document(deployment, f"{cc}-{ORG}-salesforce-access-secret") == {f"{prefix}-access-token": ""}


def test_every_method_in_the_further_org(deployment: LocalDeployment, salesforce_org_b: SalesforceEmulator) -> None:
    case_id = script_org_for_every_method(salesforce_org_b)
    org = names(deployment)
    calls: list[tuple[dict[str, str], Any]] = [
        ({"methodName": "createRecord", "objectApiName": "case", "Subject": "DR"}, "recordId"),
        ({"methodName": "updateRecord", "objectApiName": "Case", "recordId": case_id, "Status": "Working"}, None),
        ({"methodName": "queryRecord", "soql": "SELECT Id FROM Case"}, None),
        ({"methodName": "searchRecord", "sosl": "FIND {Yamada} RETURNING Contact(Id, Name)"}, "Name"),
        ({"methodName": "uploadTranscript", "contactIdsPayloadMap": json.dumps([["c-1", "{}"]])}, "uploads.0.uploadId"),
        ({"methodName": "fetchUploadIdsStatus", "uploadIds": "u-1"}, "statuses.0.status"),
        ({"methodName": "realtimeAlertEvent", "AlertType__c": "Escalation"}, "id"),
        ({"methodName": "SFSPhoneCallFlowQuery"}, "engPhone"),
        ({"methodName": "fetchOutboundPhoneNumber", "agentARN": "arn:aws:connect:ap-northeast-1:111111111111:"
          "instance/x/agent/y"}, "outboundPhoneNumber"),
        ({"methodName": "fetchAgentPhoneNumber"}, None),
        ({"methodName": "fetchDefaultVoicemailGreetingUrl", "agentARN": "arn:aws:connect:ap-northeast-1:"
          "111111111111:instance/x/agent/y"}, "GreetingUrl"),
    ]  # fmt: skip
    invoker = deployment.start_invoker()
    for parameters, key in calls:
        result = invoker.invoke(connect_event({**parameters, **org}))
        assert result.ok, f"{parameters['methodName']}: {result.error}"
        assert_string_map(result.payload)
        if key:
            assert result.payload.get(key), (parameters["methodName"], result.payload)
    assert salesforce_org_b.record(case_id).fields["Status"] == "Working"
    assert [r.fields for r in salesforce_org_b.records("Case") if r.id != case_id] == [{"Subject": "DR"}]
    assert salesforce_org_b.mint_count == 1
    assert deployment.salesforce.requests == []  # nothing went to the contact center's own org


def test_each_org_keeps_its_own_token(deployment: LocalDeployment, salesforce_org_b: SalesforceEmulator) -> None:
    invoker = deployment.start_invoker()
    query = {"methodName": "queryRecord", "soql": "SELECT Id FROM Account"}
    for _ in range(2):
        assert invoker.invoke(connect_event({**query, **names(deployment)})).ok
        assert invoker.invoke(connect_event({**query, **names(deployment, None)})).ok
    cc = deployment.contact_center
    key = f"{cc}-salesforce-rest-api-access-token"
    own = secret_document(deployment, f"{cc}-salesforce-access-secret")[key]
    further = secret_document(deployment, f"{cc}-{ORG}-salesforce-access-secret")[key]
    assert deployment.salesforce.token_owner(own) is not None and salesforce_org_b.token_owner(own) is None
    assert salesforce_org_b.token_owner(further) is not None and deployment.salesforce.token_owner(further) is None
    assert deployment.salesforce.mint_count == 1 and salesforce_org_b.mint_count == 1


def test_contact_attributes_pick_the_org(deployment: LocalDeployment, salesforce_org_b: SalesforceEmulator) -> None:
    event = connect_event({"methodName": "queryRecord", "soql": "SELECT Id FROM Account"})
    event["Details"]["ContactData"]["Attributes"] = names(deployment)
    assert deployment.start_invoker().invoke(event).ok
    assert len(salesforce_org_b.data_requests()) == 1 and deployment.salesforce.requests == []


def test_an_undeclared_secret_is_refused_without_touching_secrets_manager(deployment: LocalDeployment) -> None:
    invoker = deployment.start_invoker()
    deployment.secrets_server.reset_counts()
    result = invoker.invoke(
        connect_event({"methodName": "queryRecord", "soql": "SELECT Id FROM Account", "secretName": "prod-secret"})
    )
    assert not result.ok
    assert result.failure["errorCode"] == "UNDECLARED_SECRET"
    # named "undeclared", never echoed: the value may be anything a caller typed
    assert "undeclared" in result.failure["errorMessage"] and "prod-secret" not in result.failure["errorMessage"]
    assert deployment.secrets_server.count() == 0 and deployment.extension.calls() == []


def test_contact_data_sync_gets_salesforces_json_from_the_further_org(
    deployment: LocalDeployment, salesforce_org_b: SalesforceEmulator
) -> None:
    """SCV's ContactDataSync calls Lambda-to-Lambda with parameters only, and parses a list of uploads."""
    pairs = json.dumps([["c-1", "{}"], ["c-2", "{}"]])
    parameters = {"methodName": "uploadTranscript", **names(deployment), "contactIdsPayloadMap": pairs}
    event = {"Details": {"Parameters": parameters}}
    result = deployment.start_invoker().invoke(event)
    assert result.ok, result.error
    uploads = salesforce_org_b.uploads
    assert result.payload == {
        "uploads": [{"conversationIdentifier": u.contact_id, "uploadId": u.upload_id} for u in uploads]
    }
