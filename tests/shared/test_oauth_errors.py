"""scv_shared.oauth_errors: one table of which token endpoint error means which setup mistake, read by the invoker
(its errorMessage) and by scvctl check (its steps), so the two can never tell different causes."""

from __future__ import annotations

import json

import pytest
from scv_shared.oauth_errors import OAuthProblem, classify
from scvctl.diagnosis import diagnose
from scvctl.invoke import LambdaAnswer

# (Salesforce's error, its error_description, the problem)
CASES = [
    ("invalid_app_access", "user is not admin approved to access this app", OAuthProblem.APP_NOT_PREAUTHORIZED),
    ("invalid_grant", "user hasn't approved this consumer", OAuthProblem.USER_NOT_APPROVED),
    ("invalid_grant", "invalid assertion", OAuthProblem.CERTIFICATE_MISMATCH),
    ("invalid_grant", "audience is invalid", OAuthProblem.AUDIENCE_INVALID),
    ("invalid_grant", "expired authorization code", OAuthProblem.ASSERTION_EXPIRED),
    ("invalid_client_id", "client identifier invalid", OAuthProblem.UNKNOWN_CONSUMER_KEY),
    ("invalid_grant", "inactive user", OAuthProblem.USER_INACTIVE),
    ("rate_limit_exceeded", "rate limit exceeded", OAuthProblem.RATE_LIMITED),
    ("invalid_grant", "user not found", OAuthProblem.UNKNOWN_USER),
    ("invalid_grant", "authentication failure", None),
]


@pytest.mark.parametrize("error, description, problem", CASES)
def test_classify(error: str, description: str, problem: OAuthProblem | None) -> None:
    assert classify(error, description) is problem


def test_every_problem_has_a_case() -> None:
    assert {case[2] for case in CASES} - {None} == set(OAuthProblem)


@pytest.mark.parametrize("error, description, problem", [case for case in CASES if case[2]])
def test_scvctl_reads_the_invokers_message_as_the_same_problem(
    error: str, description: str, problem: OAuthProblem
) -> None:
    """The invoker's errorMessage is Salesforce's description and its fix: reading it back (fix text and all)
    must still give the problem, and scvctl check must have specific advice for it."""
    from scv_invoker.settings import Settings
    from scv_invoker.sign_in_failures import TokenRejection, auth_failure

    settings = Settings("acme", "https://x.my.salesforce.com/services/data/v68.0", "https://x/token", "", "m", "a")
    failure = auth_failure(TokenRejection(400, "Bad Request", error, description), settings).failure
    assert classify(failure["errorCode"], failure["errorMessage"]) is problem
    answer = LambdaAnswer({"errorMessage": json.dumps(failure), "errorType": "SalesforceApiError"}, "Unhandled")
    assert "no specific advice" not in diagnose(answer, "acme").cause
