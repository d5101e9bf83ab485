"""scvctl.diagnosis: a table of function answers and the cause and fix each one gets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scvctl.diagnosis import diagnose, failure_of
from scvctl.invoke import LambdaAnswer

CC = "acme"


def invoker_failure(status: int, status_text: str, code: str, message: str, error_type: str = "SalesforceApiError"):
    """How Lambda reports a failure of this project's invoker: FunctionError + errorMessage = failure JSON."""
    failure = {
        "success": False,
        "status": status,
        "statusText": status_text,
        "errorCode": code,
        "errorMessage": message,
    }
    return LambdaAnswer({"errorMessage": json.dumps(failure), "errorType": error_type, "stackTrace": []}, "Unhandled")


def node_answer(document: dict[str, Any]) -> LambdaAnswer:
    """How Salesforce's Node.js function answered a failed query: a successful invocation."""
    return LambdaAnswer(document)


CASES = [
    # (id, answer, words in the cause, words in the fixes)
    ("success-empty", LambdaAnswer({}), "signed in", None),
    ("success-records", LambdaAnswer({"Name": "Sample Account for Entitlements"}), "signed in", None),
    (
        "stale-token",
        node_answer({"success": False, "status": 500}),
        "stale or malformed",
        f"scvctl token reset {CC}",
    ),
    (
        "invalid-app-access",
        invoker_failure(400, "Bad Request", "invalid_app_access", "user is not admin approved to access this app"),
        "not pre-authorized",
        "Admin approved users are pre-authorized",
    ),
    (
        "invalid-app-access-node",
        node_answer(
            {
                "success": False,
                "status": 400,
                "statusText": "Bad Request",
                "errorCode": "invalid_app_access",
                "errorMessage": "user is not admin approved to access this app",
            }
        ),  # fmt: skip
        "not pre-authorized",
        "System Administrator",
    ),
    (
        "not-approved",
        invoker_failure(400, "Bad Request", "invalid_grant", "user hasn't approved this consumer"),
        "username is wrong",
        f"scvctl subject set {CC} USERNAME",
    ),
    (
        "unknown-user",
        invoker_failure(400, "Bad Request", "invalid_grant", "user not found: the subject (username) in acme-..."),
        "not a user of this org",
        f"scvctl subject set {CC} USERNAME",
    ),
    (
        "invalid-assertion",
        invoker_failure(400, "Bad Request", "invalid_grant", "invalid assertion: the certificate ... does not match"),
        "does not match the private key",
        f"scvctl cert export {CC} --out server.crt",
    ),
    (
        "audience",
        invoker_failure(400, "Bad Request", "invalid_grant", "audience is invalid: the audience in acme-..."),
        "production and sandbox",
        f"scvctl audience set {CC} --sandbox",
    ),
    (
        "empty-consumer-key",
        invoker_failure(
            500,
            "Configuration Error",
            "CONSUMER_KEY_NOT_SET",
            "consumer key is empty: create ...",
            "ConfigurationError",
        ),  # fmt: skip
        "consumer key in acme-salesforce-secret is empty",
        f"scvctl consumer-key set {CC}",
    ),
    (
        "invalid-client-id",
        invoker_failure(400, "Bad Request", "invalid_client_id", "client identifier invalid"),
        "does not know the consumer key",
        f"scvctl consumer-key set {CC}",
    ),
    (
        "timeout",
        invoker_failure(504, "Gateway Timeout", "TIMEOUT", "Salesforce did not answer within 7.2 s"),
        "did not answer in time",
        "status.salesforce.com",
    ),
    (
        "connection-error",
        invoker_failure(502, "Bad Gateway", "CONNECTION_ERROR", "could not connect to acme.my.salesforce.com"),
        "could not reach Salesforce",
        "NAT gateway",
    ),
    (
        "lambda-timeout",
        LambdaAnswer({"errorMessage": "2026-11-25T08:00:00Z abc Task timed out after 8.01 seconds"}, "Unhandled"),
        "did not answer in time",
        "status.salesforce.com",
    ),
    (
        "expired-code",
        invoker_failure(400, "Bad Request", "invalid_grant", "expired authorization code"),
        "considered the signed assertion expired",
        "again",
    ),
    (
        "inactive-user",
        invoker_failure(400, "Bad Request", "invalid_grant", "inactive user"),
        "inactive or frozen",
        f"scvctl subject set {CC}",
    ),
    (
        "rate-limit",
        invoker_failure(400, "Bad Request", "rate_limit_exceeded", "rate limit exceeded"),
        "token requests",
        "acme-salesforce-access-secret",
    ),
    (
        "invalid-session",
        invoker_failure(401, "Unauthorized", "INVALID_SESSION_ID", "Session expired or invalid"),
        "scopes",
        "refresh_token, offline_access",
    ),
    (
        "invalid-secret",
        invoker_failure(
            500,
            "Configuration Error",
            "INVALID_SECRET",
            "secret acme-salesforce-secret is not valid JSON",
            "ConfigurationError",
        ),  # fmt: skip
        "not the document",
        f"scvctl key import {CC}",
    ),
    (
        "secret-not-found",
        invoker_failure(500, "Configuration Error", "SECRET_NOT_FOUND", "...", "ConfigurationError"),
        "deployment is incomplete",
        f"make deploy CONTACT_CENTER={CC}",
    ),
    (
        "secrets-manager",
        invoker_failure(503, "Service Unavailable", "SECRETS_MANAGER_ERROR", "throttled", "SecretsUnavailableError"),
        "could not read Secrets Manager",
        "again",
    ),
    (
        "import-error",
        LambdaAnswer(
            {"errorMessage": "Unable to import module 'scv_invoker.handler'", "errorType": "Runtime.ImportModuleError"},
            "Unhandled",
        ),  # fmt: skip
        "could not start",
        f"make deploy CONTACT_CENTER={CC}",
    ),
    (
        "api-limit",
        invoker_failure(403, "Forbidden", "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
        "daily API request limit",
        "API Requests",
    ),
    (
        "bad-event",
        invoker_failure(400, "Bad Request", "MISSING_PARAMETER", "methodName is required", "BadRequestError"),
        "test event",
        "without --event",
    ),
    (
        "undeclared-secret",
        invoker_failure(400, "Bad Request", "UNDECLARED_SECRET", "secretName 'x' is not one...", "BadRequestError"),
        "not one of the stack's orgs' secrets",
        f"scvctl check {CC} --org ORG",
    ),
    (
        "malformed-query",
        invoker_failure(400, "Bad Request", "MALFORMED_QUERY", "unexpected token: 'FORM'"),
        "signing in worked",
        "fix the query",
    ),
    (
        "unknown",
        invoker_failure(500, "Internal Server Error", "INTERNAL_ERROR", "a bug", "InvokerError"),
        "no specific advice",
        "docs/INVOKER.md",
    ),
    ("not-json", LambdaAnswer("oops", "Unhandled"), "no specific advice", "CloudWatch"),
]


@pytest.mark.parametrize(("answer", "cause", "fix"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_diagnosis(answer: LambdaAnswer, cause: str, fix: str | None) -> None:
    diagnosis = diagnose(answer, CC)

    assert diagnosis.ok is (fix is None)
    assert cause in diagnosis.cause
    if fix is not None:
        assert any(fix in step for step in diagnosis.fixes), diagnosis.fixes
        assert diagnosis.failure is not None


def test_only_certificate_failures_show_the_stored_certificates() -> None:
    flagged = [case[0] for case in CASES if diagnose(case[1], CC).about_certificate]

    assert flagged == ["invalid-assertion"]


def test_the_failure_keeps_salesforces_fields() -> None:
    failure = failure_of(
        invoker_failure(400, "Bad Request", "invalid_app_access", "not approved", "SalesforceApiError")
    )

    assert failure is not None
    assert (failure.status, failure.status_text, failure.error_code, failure.message, failure.error_type) == (
        400,
        "Bad Request",
        "invalid_app_access",
        "not approved",
        "SalesforceApiError",
    )
    assert failure.describe() == "invalid_app_access (400 Bad Request): not approved"


def test_a_node_answer_with_string_fields_is_a_failure() -> None:
    """The Node.js function flattened its failure into string attributes for Connect."""
    failure = failure_of(LambdaAnswer({"success": "false", "status": "500"}))

    assert failure is not None
    assert diagnose(LambdaAnswer({"success": "false", "status": "500"}), CC).fixes[0] == f"scvctl token reset {CC}"


def test_a_successful_answer_with_success_true_is_not_a_failure() -> None:
    assert failure_of(LambdaAnswer({"success": "true", "id": "001"})) is None
