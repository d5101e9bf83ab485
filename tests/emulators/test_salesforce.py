"""The Salesforce emulator behaves like an org: what it verifies, what it answers, what it records."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from tools.emulators.credentials import KeyPair
from tools.emulators.salesforce import (
    API_VERSION,
    AUDIENCE_INVALID,
    DEFAULT_API_LIMIT,
    EXPIRED_ASSERTION,
    INACTIVE_USER,
    INVALID_ASSERTION,
    INVALID_CLIENT_ID,
    INVALID_SESSION,
    JWT_BEARER_GRANT,
    MAX_ASSERTION_LIFETIME_SECONDS,
    NOT_ADMIN_APPROVED,
    NOT_FOUND,
    PRODUCTION_AUDIENCE,
    RATE_LIMIT_EXCEEDED,
    SANDBOX_AUDIENCE,
    UNSUPPORTED_GRANT_TYPE,
    USER_NOT_APPROVED,
    OAuthError,
    SalesforceEmulator,
    case_suffix,
)

CONSUMER_KEY = "3MVG9-test-consumer-key"
USER = "integration@example.com"


def make_assertion(key: KeyPair, *, exp_in: int | None = 120, **overrides: Any) -> str:
    """A JWT bearer assertion as the invoker builds it, expiring ``exp_in`` seconds from now (None: no exp)."""
    claims = {
        "iss": CONSUMER_KEY,
        "sub": USER,
        "aud": PRODUCTION_AUDIENCE,
        "exp": None if exp_in is None else int(time.time()) + exp_in,
        "jti": str(uuid.uuid4()),
        **overrides,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key.private_key_pem, algorithm="RS256")


def post_token(org: SalesforceEmulator, assertion: str, grant_type: str = JWT_BEARER_GRANT) -> requests.Response:
    return requests.post(org.auth_endpoint, data={"grant_type": grant_type, "assertion": assertion}, timeout=5)


def api(
    org: SalesforceEmulator, method: str, path: str, token: str | None, *, version: str = API_VERSION, **kwargs: Any
) -> requests.Response:
    """One REST API request with the token as Bearer (none without a token)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, org.rest_base(version) + path, headers=headers, timeout=5, **kwargs)


def get(org: SalesforceEmulator, path: str, token: str | None, **kwargs: Any) -> requests.Response:
    return api(org, "GET", path, token, **kwargs)


@pytest.fixture
def org(salesforce: SalesforceEmulator, rsa_key_pair: KeyPair) -> SalesforceEmulator:
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USER])
    return salesforce


@pytest.fixture
def token(org: SalesforceEmulator) -> str:
    return org.issue_token()


def test_a_valid_assertion_mints_a_token_that_opens_the_data_api(
    org: SalesforceEmulator, rsa_key_pair: KeyPair
) -> None:
    assertion = make_assertion(rsa_key_pair)
    response = post_token(org, assertion)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "api"
    assert body["instance_url"] == org.base_url
    assert body["id"].startswith(f"{org.base_url}/id/{org.org_id}/005")
    assert body["issued_at"].isdigit()
    assert org.mint_count == 1
    assert org.assertion_claims == org.issued_claims == [jwt.decode(assertion, options={"verify_signature": False})]
    assert get(org, "/query/", body["access_token"], params={"q": "SELECT Id FROM Contact"}).status_code == 200
    assert post_token(org, make_assertion(rsa_key_pair)).json()["access_token"] != body["access_token"]


def test_the_signature_is_verified_against_the_uploaded_certificate(
    org: SalesforceEmulator, rsa_key_pair: KeyPair, other_rsa_key_pair: KeyPair
) -> None:
    assert post_token(org, make_assertion(other_rsa_key_pair)).json() == INVALID_ASSERTION.as_json()

    org.set_certificate(CONSUMER_KEY, other_rsa_key_pair.certificate_pem)

    assert post_token(org, make_assertion(other_rsa_key_pair)).status_code == 200
    assert post_token(org, make_assertion(rsa_key_pair)).json() == INVALID_ASSERTION.as_json()
    assert org.mint_count == len(org.issued_claims) == 1
    assert len(org.assertion_claims) == 3  # refused assertions are recorded too, but issued no token


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"iss": "unknown-consumer-key"}, INVALID_CLIENT_ID),
        ({"aud": SANDBOX_AUDIENCE}, AUDIENCE_INVALID),
        ({"exp_in": -1}, EXPIRED_ASSERTION),
        ({"exp_in": None}, EXPIRED_ASSERTION),
        ({"exp_in": MAX_ASSERTION_LIFETIME_SECONDS + 60}, INVALID_ASSERTION),
        ({"sub": "nobody@example.com"}, USER_NOT_APPROVED),
        ({"sub": "unapproved@example.com"}, NOT_ADMIN_APPROVED),
        ({"sub": "inactive@example.com"}, INACTIVE_USER),
    ],
)
def test_bad_assertions_get_salesforces_errors(
    org: SalesforceEmulator, rsa_key_pair: KeyPair, overrides: dict[str, Any], expected: OAuthError
) -> None:
    org.add_user("unapproved@example.com", approved=False)
    org.add_user("inactive@example.com", active=False)

    response = post_token(org, make_assertion(rsa_key_pair, **overrides))

    assert (response.status_code, response.json()) == (400, expected.as_json())
    assert org.mint_count == 0 and org.valid_tokens == frozenset()


def test_malformed_assertions_wrong_algorithms_and_grant_types_are_refused(
    org: SalesforceEmulator, rsa_key_pair: KeyPair
) -> None:
    hs256 = jwt.encode({"iss": CONSUMER_KEY, "sub": USER, "aud": PRODUCTION_AUDIENCE}, "k" * 32, algorithm="HS256")

    assert post_token(org, "not-a-jwt").json() == INVALID_ASSERTION.as_json()
    assert post_token(org, hs256).json() == INVALID_ASSERTION.as_json()
    assert post_token(org, make_assertion(rsa_key_pair), "password").json() == UNSUPPORTED_GRANT_TYPE.as_json()


def test_audiences_are_configurable_and_a_trailing_slash_does_not_matter(
    org: SalesforceEmulator, rsa_key_pair: KeyPair
) -> None:
    org.expected_audiences = {SANDBOX_AUDIENCE}

    assert post_token(org, make_assertion(rsa_key_pair, aud="https://test.salesforce.com")).status_code == 200
    assert post_token(org, make_assertion(rsa_key_pair)).json() == AUDIENCE_INVALID.as_json()


def test_a_replayed_assertion_is_refused(org: SalesforceEmulator, rsa_key_pair: KeyPair) -> None:
    assertion = make_assertion(rsa_key_pair)

    assert post_token(org, assertion).status_code == 200
    assert post_token(org, assertion).json() == INVALID_ASSERTION.as_json()


def test_token_errors_can_be_injected(org: SalesforceEmulator, rsa_key_pair: KeyPair) -> None:
    org.inject_token_error(RATE_LIMIT_EXCEEDED)

    assert post_token(org, make_assertion(rsa_key_pair)).json() == RATE_LIMIT_EXCEEDED.as_json()
    assert post_token(org, make_assertion(rsa_key_pair)).status_code == 200


def test_the_data_api_needs_a_valid_bearer_token(org: SalesforceEmulator, token: str) -> None:
    other = org.issue_token()
    assert get(org, "/query/", None, params={"q": "SELECT Id FROM Case"}).json() == INVALID_SESSION
    assert get(org, "/query/", "forged", params={"q": "SELECT Id FROM Case"}).status_code == 401

    org.revoke_token(token)
    assert get(org, "/query/", token, params={"q": "SELECT Id FROM Case"}).status_code == 401
    assert get(org, "/query/", other, params={"q": "SELECT Id FROM Case"}).status_code == 200

    org.revoke_tokens()
    assert get(org, "/query/", other, params={"q": "SELECT Id FROM Case"}).status_code == 401


def test_queries_answer_scripted_records_in_salesforces_shape(org: SalesforceEmulator, token: str) -> None:
    org.set_query_result("FROM Contact", [{"Id": "003000000000001AAA", "Name": "first"}])
    org.set_query_result("from contact where", [{"Id": "003000000000002AAA", "Name": "Ada"}], total_size=7)
    org.set_query_result("FROM AssignedResource", [{"ServiceResource": {"RelatedRecord": {"Phone": "+819012345678"}}}])

    empty = get(org, "/query", token, params={"q": "SELECT Id FROM Lead"}).json()
    contact = get(org, "/query/", token, params={"q": "SELECT Name FROM Contact WHERE Phone = '1'"}).json()
    nested = get(
        org, "/query/", token, params={"q": "SELECT ServiceResource.RelatedRecord.Phone FROM AssignedResource"}
    )

    assert empty == {"totalSize": 0, "done": True, "records": []}
    assert contact == {
        "totalSize": 7,
        "done": True,
        "records": [
            {
                "attributes": {"type": "Contact", "url": "/services/data/v68.0/sobjects/Contact/003000000000002AAA"},
                "Id": "003000000000002AAA",
                "Name": "Ada",
            }
        ],
    }
    resource = nested.json()["records"][0]["ServiceResource"]
    assert resource["attributes"]["type"] == "ServiceResource"
    assert resource["RelatedRecord"]["attributes"]["type"] == "User"
    assert resource["RelatedRecord"]["Phone"] == "+819012345678"


def test_any_api_version_is_served_and_usage_is_reported(org: SalesforceEmulator, token: str) -> None:
    first = get(org, "/query/", token, params={"q": "SELECT Id FROM Case"})
    second = api(org, "GET", "/query", token, version="59.0", params={"q": "SELECT Id FROM Case"})

    assert second.status_code == 200
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    assert second.headers["Sforce-Limit-Info"] == "api-usage=2/15000"


def test_the_org_refuses_requests_beyond_its_api_limit(org: SalesforceEmulator, token: str) -> None:
    org.api_limit = 10
    org.api_usage = 10

    response = get(org, "/query/", token, params={"q": "SELECT Id FROM Case"})

    assert response.status_code == 403
    assert response.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_searches_answer_scripted_records(org: SalesforceEmulator, token: str) -> None:
    org.set_search_result("FIND {+81", [{"Id": "003000000000001AAA"}])

    found = get(org, "/search/", token, params={"q": "FIND {+8190} IN PHONE FIELDS RETURNING Contact(Id)"}).json()
    nothing = get(org, "/search/", token, params={"q": "FIND {x} RETURNING Account"}).json()

    assert found["searchRecords"][0]["attributes"]["type"] == "Contact"
    assert nothing == {"searchRecords": []}


def test_records_are_created_read_updated_and_deleted(org: SalesforceEmulator, token: str) -> None:
    created = api(org, "POST", "/sobjects/Case", token, json={"Subject": "call"})
    record_id = created.json()["id"]
    path = f"/sobjects/Case/{record_id}"

    assert created.status_code == 201 and created.json() == {"id": record_id, "success": True, "errors": []}
    assert len(record_id) == 18 and record_id.startswith("500") and case_suffix(record_id[:15]) == record_id[15:]
    patched = api(org, "PATCH", path, token, json={"Status": "Closed"})
    assert (patched.status_code, patched.content) == (204, b"")
    assert get(org, path, token).json()["Status"] == "Closed"
    assert org.record(record_id[:15]).fields == {"Subject": "call", "Status": "Closed"}
    assert api(org, "DELETE", path, token).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        missing = api(org, method, path, token, json={"Status": "New"})
        assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


def test_salesforce_ids_carry_the_case_safe_suffix() -> None:
    assert case_suffix("001A0000006Vm9r") == "IAC"


def test_realtime_alert_events_are_enqueued(org: SalesforceEmulator, token: str) -> None:
    response = api(org, "POST", "/sobjects/RealtimeAlertEvent", token, json={"Title__c": "hello"})

    body = response.json()
    assert response.status_code == 201 and body["success"] is True and body["id"].startswith("e00")
    assert body["errors"][0]["statusCode"] == "OPERATION_ENQUEUED" and uuid.UUID(body["errors"][0]["message"])
    assert [event.fields for event in org.published_events] == [{"Title__c": "hello"}]


def test_transcripts_upload_as_multipart_and_report_status(org: SalesforceEmulator, token: str) -> None:
    files = [("contact-1", ("transcripts.txt", b'{"type":"conversation"}')), ("contact-2", ("transcripts.txt", b"x"))]

    uploaded = api(org, "POST", "/connect/conversations/upload", token, files=files)
    upload_ids = [upload["uploadId"] for upload in uploaded.json()["uploads"]]
    statuses = get(org, "/connect/conversations/upload", token, params={"uploadIds": ",".join(upload_ids)})

    assert uploaded.status_code == 200
    assert [(u.contact_id, u.filename, u.content) for u in org.uploads] == [
        ("contact-1", "transcripts.txt", b'{"type":"conversation"}'),
        ("contact-2", "transcripts.txt", b"x"),
    ]
    assert [status["status"] for status in statuses.json()["statuses"]] == ["Completed", "Completed"]


def test_faults_answer_the_next_matching_requests_then_stop(org: SalesforceEmulator, token: str) -> None:
    org.inject_unavailable(times=2)
    org.inject_fault("/sobjects/", status=500, body="boom", method="PATCH")

    assert [get(org, "/query/", token, params={"q": "x"}).status_code for _ in range(3)] == [503, 503, 200]
    assert get(org, "/sobjects/Case/500000000000001", token).status_code == 404  # GET does not match the PATCH fault


def test_rate_limits_and_expired_sessions_can_be_injected(org: SalesforceEmulator, token: str) -> None:
    org.inject_rate_limit(retry_after_seconds=7)
    limited = get(org, "/query/", token, params={"q": "x"})
    org.inject_session_expired()
    expired = get(org, "/query/", token, params={"q": "x"})
    org.inject_malformed_query()
    malformed = get(org, "/query/", token, params={"q": "SELECT Id FORM Case"})

    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert (expired.status_code, expired.json()) == (401, INVALID_SESSION)
    assert (malformed.status_code, malformed.json()[0]["errorCode"]) == (400, "MALFORMED_QUERY")


def test_a_delay_without_status_hangs_then_answers_and_reset_releases_hangs(
    org: SalesforceEmulator, token: str
) -> None:
    org.inject_fault("/query", delay_seconds=0.3)
    started = time.monotonic()
    assert get(org, "/query/", token, params={"q": "x"}).status_code == 200
    assert time.monotonic() - started >= 0.3

    org.inject_fault("/query", delay_seconds=30, status=200)
    with pytest.raises(requests.ReadTimeout):
        requests.get(org.rest_base() + "/query/", params={"q": "x"}, timeout=0.2)
    org.reset()  # the hung handler finishes now instead of in 30 s


def test_a_stopped_org_refuses_connections_and_comes_back_on_the_same_port(org: SalesforceEmulator, token: str) -> None:
    session = requests.Session()  # keeps its connection alive across requests
    base = org.rest_base()
    assert session.get(base + "/query/", params={"q": "x"}, headers={"Authorization": f"Bearer {token}"}).ok

    org.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(base + "/query/", params={"q": "x"}, timeout=2)
    org.start()

    assert session.get(base + "/query/", params={"q": "x"}, headers={"Authorization": f"Bearer {token}"}).ok


def test_every_request_is_recorded_and_reset_forgets_everything(org: SalesforceEmulator, rsa_key_pair: KeyPair) -> None:
    token = post_token(org, make_assertion(rsa_key_pair)).json()["access_token"]
    get(org, "/query/", token, params={"q": "SELECT Id FROM Case"})

    token_request, query = org.requests
    assert org.token_requests() == [token_request] and org.data_requests() == [query]
    assert token_request.form()["grant_type"] == JWT_BEARER_GRANT
    assert (query.method, query.query, query.header("authorization")) == (
        "GET",
        {"q": "SELECT Id FROM Case"},
        f"Bearer {token}",
    )

    org.api_limit, org.expected_audiences = 1, {SANDBOX_AUDIENCE}
    org.reset()
    assert org.requests == [] and org.mint_count == 0 and org.valid_tokens == frozenset()
    assert (org.api_limit, org.expected_audiences) == (DEFAULT_API_LIMIT, {PRODUCTION_AUDIENCE})
    assert post_token(org, make_assertion(rsa_key_pair)).json() == INVALID_CLIENT_ID.as_json()


def test_the_command_line_serves_a_configured_org(tmp_path: Path, rsa_key_pair: KeyPair) -> None:
    certificate = tmp_path / "server.crt"
    certificate.write_text(rsa_key_pair.certificate_pem)
    records = tmp_path / "records.json"
    records.write_text('{"queries": {"FROM Contact": [{"Name": "Ada"}]}}')
    command = [sys.executable, "-m", "tools.emulators.salesforce", "--port", "0", "--consumer-key", CONSUMER_KEY]
    command += ["--certificate", str(certificate), "--username", USER, "--records", str(records)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split()[3]
        response = requests.post(
            base_url + "/services/oauth2/token",
            data={"grant_type": JWT_BEARER_GRANT, "assertion": make_assertion(rsa_key_pair)},
            timeout=5,
        )
        query = requests.get(
            base_url + "/services/data/v68.0/query/",
            params={"q": "SELECT Name FROM Contact"},
            headers={"Authorization": f"Bearer {response.json()['access_token']}"},
            timeout=5,
        )
        assert query.json()["records"][0]["Name"] == "Ada"
    finally:
        process.terminate()
        process.wait(timeout=5)


# --- upsert by external id, required fields, Composite ---------------------------------------------------------


def test_upsert_by_external_id_creates_then_updates_the_same_record(org: SalesforceEmulator, token: str) -> None:
    path = "/sobjects/Contact/Caller_Key__c/c-123"
    first = api(org, "PATCH", path, token, json={"LastName": "Yamada"})
    record_id = first.json()["id"]
    second = api(org, "PATCH", path, token, json={"Phone": "+81312345678"})

    assert (first.status_code, first.json()) == (201, {"id": record_id, "success": True, "errors": [], "created": True})
    assert (second.status_code, second.json()) == (
        200,
        {"id": record_id, "success": True, "errors": [], "created": False},
    )
    [contact] = org.records("Contact")
    assert contact.fields == {"LastName": "Yamada", "Caller_Key__c": "c-123", "Phone": "+81312345678"}


def test_upsert_matching_several_records_answers_300_with_their_urls(org: SalesforceEmulator, token: str) -> None:
    ids = [org.add_record("Contact", {"Caller_Key__c": "dup"}) for _ in range(2)]
    answer = api(org, "PATCH", "/sobjects/Contact/Caller_Key__c/dup", token, json={"LastName": "x"})
    assert answer.status_code == 300
    assert sorted(url.rsplit("/", 1)[1] for url in answer.json()) == sorted(ids)


def test_upsert_by_id_needs_the_record(org: SalesforceEmulator, token: str) -> None:
    record_id = org.add_record("Case", {"Subject": "a"})
    assert api(org, "PATCH", f"/sobjects/Case/Id/{record_id}", token, json={"Subject": "b"}).status_code == 200
    assert org.record(record_id).fields == {"Subject": "b"}
    assert api(org, "PATCH", "/sobjects/Case/Id/500000000000000AAA", token, json={}).status_code == 404


def test_required_fields_are_refused_in_salesforces_shape(org: SalesforceEmulator, token: str) -> None:
    org.require_fields("Contact", "LastName")
    answer = api(org, "POST", "/sobjects/Contact", token, json={"FirstName": "Taro"})
    assert (answer.status_code, answer.json()) == (
        400,
        [{"message": "Required fields are missing: [LastName]", "errorCode": "REQUIRED_FIELD_MISSING",
          "fields": ["LastName"]}],
    )  # fmt: skip
    assert org.records("Contact") == []


def composite(org: SalesforceEmulator, token: str, subrequests: list[dict], *, all_or_none: bool) -> list[dict]:
    answer = api(org, "POST", "/composite", token, json={"allOrNone": all_or_none, "compositeRequest": subrequests})
    assert answer.status_code == 200, answer.text
    return answer.json()["compositeResponse"]


def sub(method: str, path: str, reference_id: str, body: dict | None = None) -> dict:
    return {"method": method, "url": f"/services/data/v{API_VERSION}{path}", "referenceId": reference_id,
            **({"body": body} if body is not None else {})}  # fmt: skip


def test_composite_runs_subrequests_in_order_with_references(org: SalesforceEmulator, token: str) -> None:
    voice_call = org.add_record("VoiceCall", {"VendorCallKey": "k-1"})
    org.set_query_result("FROM VoiceCall", [{"Id": voice_call}])
    results = composite(org, token, [
        sub("GET", "/query/?q=SELECT+Id+FROM+VoiceCall+WHERE+VendorCallKey='k-1'", "call"),
        sub("POST", "/sobjects/Contact", "contact", {"LastName": "Yamada"}),
        sub("POST", "/sobjects/Case", "case", {"ContactId": "@{contact.id}", "Subject": "for @{contact.id}"}),
        sub("PATCH", "/sobjects/VoiceCall/@{call.records[0].Id}", "link", {"RelatedRecordId": "@{case.id}"}),
    ], all_or_none=True)  # fmt: skip

    assert [(r["referenceId"], r["httpStatusCode"]) for r in results] == [
        ("call", 200), ("contact", 201), ("case", 201), ("link", 204)
    ]  # fmt: skip
    contact_id, case_id = results[1]["body"]["id"], results[2]["body"]["id"]
    assert results[2]["httpHeaders"] == {"Location": f"/services/data/v{API_VERSION}/sobjects/Case/{case_id}"}
    assert org.record(case_id).fields == {"ContactId": contact_id, "Subject": f"for {contact_id}"}
    assert org.record(voice_call).fields["RelatedRecordId"] == case_id
    assert len(org.data_requests()) == 1 and org.api_usage == 1  # one API call for all four


def test_composite_all_or_none_rolls_every_change_back(org: SalesforceEmulator, token: str) -> None:
    org.require_fields("Case", "Subject")
    existing = org.add_record("Account", {"Name": "Before"})
    results = composite(org, token, [
        sub("POST", "/sobjects/Contact", "contact", {"LastName": "Yamada"}),
        sub("POST", "/sobjects/Case", "case", {"ContactId": "@{contact.id}"}),
        sub("PATCH", f"/sobjects/Account/{existing}", "account", {"Name": "After"}),
    ], all_or_none=True)  # fmt: skip

    assert [r["httpStatusCode"] for r in results] == [400, 400, 400]
    assert results[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert results[0]["body"][0]["errorCode"] == results[2]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert "rolled back" in results[0]["body"][0]["message"]
    assert org.records("Contact") == [] and org.records("Case") == []
    assert org.record(existing).fields == {"Name": "Before"}


def test_composite_without_all_or_none_keeps_what_could_run(org: SalesforceEmulator, token: str) -> None:
    org.require_fields("Case", "Subject")
    results = composite(org, token, [
        sub("POST", "/sobjects/Contact", "contact", {"LastName": "Yamada"}),
        sub("POST", "/sobjects/Case", "case", {"ContactId": "@{contact.id}"}),
        sub("POST", "/sobjects/Task", "task", {"WhatId": "@{case.id}"}),
        sub("POST", "/sobjects/Task", "note", {"WhoId": "@{contact.id}"}),
    ], all_or_none=False)  # fmt: skip

    assert [r["httpStatusCode"] for r in results] == [201, 400, 400, 201]
    assert results[2]["body"][0]["errorCode"] == "PROCESSING_HALTED"  # it depends on the failed step
    assert "case.id" in results[2]["body"][0]["message"]
    assert len(org.records("Contact")) == 1 and len(org.records("Task")) == 1


def test_composite_refuses_more_than_salesforces_limits(org: SalesforceEmulator, token: str) -> None:
    too_many = [sub("POST", "/sobjects/Task", f"t{i}", {"Subject": "x"}) for i in range(26)]
    answer = api(org, "POST", "/composite", token, json={"compositeRequest": too_many})
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    queries = [sub("GET", "/query/?q=SELECT+Id+FROM+Case", f"q{i}") for i in range(6)]
    answer = api(org, "POST", "/composite", token, json={"compositeRequest": queries})
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    assert org.records("Task") == []


def test_an_answer_late_fault_processes_the_request_and_holds_the_answer(org: SalesforceEmulator, token: str) -> None:
    org.inject_fault("/sobjects/Contact", delay_seconds=30, answer_late=True)
    with pytest.raises(requests.ReadTimeout):
        requests.post(org.rest_base() + "/sobjects/Contact", json={"LastName": "x"}, timeout=2,
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert len(org.records("Contact")) == 1  # processed, though the client never heard
    org.reset()


def test_several_connected_apps_each_with_its_own_certificate_and_user(
    salesforce: SalesforceEmulator, rsa_key_pair: KeyPair, other_rsa_key_pair: KeyPair
) -> None:
    """Each app verifies its own certificate and admits its own user; tokens remember which app minted them."""
    salesforce.register_app("app-a", rsa_key_pair.certificate_pem, users=["a@example.com"])
    salesforce.register_app("app-b", other_rsa_key_pair.certificate_pem, users=["b@example.com"])
    token_a = post_token(salesforce, make_assertion(rsa_key_pair, iss="app-a", sub="a@example.com")).json()
    token_b = post_token(salesforce, make_assertion(other_rsa_key_pair, iss="app-b", sub="b@example.com")).json()
    assert salesforce.token_owner(token_a["access_token"]) == ("app-a", "a@example.com")
    assert salesforce.token_owner(token_b["access_token"]) == ("app-b", "b@example.com")
    other_users = post_token(salesforce, make_assertion(other_rsa_key_pair, iss="app-b", sub="a@example.com"))
    assert other_users.status_code == 400 and other_users.json() == NOT_ADMIN_APPROVED.as_json()
    other_certificate = post_token(salesforce, make_assertion(rsa_key_pair, iss="app-b", sub="b@example.com"))
    assert other_certificate.json() == INVALID_ASSERTION.as_json()
