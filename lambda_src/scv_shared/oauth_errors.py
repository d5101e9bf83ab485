"""Which setup mistake an OAuth error of Salesforce's token endpoint means: the one table of its rules.

Salesforce answers a refused JWT bearer request with an ``error`` code and a free-text
``error_description``; the cause a person can fix is told by both together (``invalid_grant`` alone
covers a wrong certificate, an unapproved user and a bad audience). The invoker turns the cause into the
one-line fix of its errorMessage; scvctl check reads that errorMessage back and turns the same cause into
its step-by-step fix. Both classify with :func:`classify`, so a phrase Salesforce changes is changed once.
"""

from __future__ import annotations

from enum import Enum


class OAuthProblem(Enum):
    """A setup mistake behind a refused token request."""

    APP_NOT_PREAUTHORIZED = "the app does not pre-authorize the user's profile or permission set"
    USER_NOT_APPROVED = "the user named as subject is not approved for the app (or the username is wrong)"
    CERTIFICATE_MISMATCH = "the certificate in the app does not match the private key"
    AUDIENCE_INVALID = "the JWT audience does not fit the org"
    ASSERTION_EXPIRED = "Salesforce considered the assertion expired"
    UNKNOWN_CONSUMER_KEY = "the consumer key belongs to no app of this org"
    USER_INACTIVE = "the user named as subject is inactive or frozen"
    RATE_LIMITED = "too many token requests for the user"
    UNKNOWN_USER = "the subject is not a user of this org"


def _phrase(*phrases: str):
    return lambda error, text: any(phrase in text for phrase in phrases)


def _code_or_phrase(code: str, *phrases: str):
    return lambda error, text: error == code or any(phrase in text for phrase in phrases)


#: first match wins: the order settles descriptions that carry two phrases
_RULES = (
    (OAuthProblem.APP_NOT_PREAUTHORIZED, _code_or_phrase("invalid_app_access", "not admin approved")),
    (OAuthProblem.USER_NOT_APPROVED, _phrase("hasn't approved this consumer", "has not approved this consumer")),
    (OAuthProblem.CERTIFICATE_MISMATCH, _phrase("invalid assertion")),
    (OAuthProblem.AUDIENCE_INVALID, _phrase("audience is invalid", "invalid audience")),
    (OAuthProblem.ASSERTION_EXPIRED, _phrase("expired authorization code")),
    (OAuthProblem.UNKNOWN_CONSUMER_KEY, _code_or_phrase("invalid_client_id", "client identifier invalid")),
    (OAuthProblem.USER_INACTIVE, _phrase("inactive", "frozen")),
    (OAuthProblem.RATE_LIMITED, _code_or_phrase("rate_limit_exceeded", "rate limit")),
    (OAuthProblem.UNKNOWN_USER, lambda error, text: "user" in text and ("not found" in text or "invalid" in text)),
)


def classify(error: str, description: str) -> OAuthProblem | None:
    """The problem Salesforce's ``error`` and ``error_description`` (or a message quoting them) describe."""
    code = error.lower()
    text = description.lower()
    for problem, matches in _RULES:
        if matches(code, text):
            return problem
    return None
