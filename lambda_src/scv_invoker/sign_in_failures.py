"""What a refused sign-in tells the caller: Salesforce's own error and description, plus what to fix where.

Salesforce's ``error`` stays the errorCode, so runbooks written for Salesforce's Node.js function still match; the
message adds the fix, naming the org's secret and the scvctl command (shared/oauth_errors.py tells the problems
apart). A refusal the access secret remembers (sign_in.py) is answered with the same failure, saying so.
"""

from __future__ import annotations

import time

from scv_shared import oauth_errors, secret_format
from scv_shared.oauth_errors import OAuthProblem
from scv_shared.secret_format import SignInRefusal

from scv_invoker.errors import SalesforceApiError
from scv_invoker.settings import Settings
from scv_invoker.stats import InvocationStats


class TokenRejection(Exception):
    """The token endpoint answered with an OAuth error (internal: mapped to SalesforceApiError by auth_failure);
    ``note`` adds what the function tried besides."""

    def __init__(self, status: int, status_text: str, error: str, description: str, note: str = "") -> None:
        super().__init__(error)
        self.status = status
        self.status_text = status_text
        self.error = error
        self.description = description
        self.note = note

    @property
    def invalid_assertion(self) -> bool:
        return (
            self.error == "invalid_grant"
            and oauth_errors.classify(self.error, self.description) is OAuthProblem.CERTIFICATE_MISMATCH
        )


_NOT_PREAUTHORIZED = (
    "the user is not pre-authorized: in the External Client App / connected app set Permitted Users to "
    "'Admin approved users are pre-authorized' and add the user's profile or permission set"
)
#: the fix of each problem ({main}: the org's main secret, {target}: what follows an scvctl command for the org)
_FIXES = {
    OAuthProblem.APP_NOT_PREAUTHORIZED: _NOT_PREAUTHORIZED,
    OAuthProblem.USER_NOT_APPROVED: _NOT_PREAUTHORIZED,
    OAuthProblem.CERTIFICATE_MISMATCH: "the certificate in the External Client App / connected app does not match "
    "the private key in {main}: upload the stack's Certificate output to the app",
    OAuthProblem.AUDIENCE_INVALID: f"the audience in {{main}} must be {secret_format.PRODUCTION_AUDIENCE} "
    f"(production), {secret_format.SANDBOX_AUDIENCE} (sandbox) or the org's My Domain URL; set `audience` in "
    "contact_centers.yaml and redeploy",
    OAuthProblem.ASSERTION_EXPIRED: "Salesforce considers the assertion expired: check that the function's clock is "
    "right and retry; if it persists, the user may have to re-authorize the app",
    OAuthProblem.UNKNOWN_CONSUMER_KEY: "the consumer key in {main} does not belong to an app in this org: copy the "
    "External Client App's consumer key and run `scvctl consumer-key set {target}`",
    OAuthProblem.USER_INACTIVE: "the user named as subject in {main} is inactive or frozen in Salesforce: "
    "reactivate it or change the subject",
    OAuthProblem.RATE_LIMITED: "Salesforce limits token requests per user per hour: wait, and check for something "
    "clearing the access secret or many containers minting at once",
    OAuthProblem.UNKNOWN_USER: "the subject (username) in {main} is not a user of this org: check `subject` in "
    "contact_centers.yaml",
}


def _hint(error: str, description: str, settings: Settings) -> str | None:
    """What to do about an OAuth error (shared/oauth_errors.py tells which problem), naming the org's secret."""
    problem = oauth_errors.classify(error, description)
    if problem is None:
        return None
    return _FIXES[problem].format(main=settings.main_secret_name, target=settings.scvctl_target)


def auth_failure(rejection: TokenRejection, settings: Settings, *, note: str = "") -> SalesforceApiError:
    """Salesforce's error and description plus what to do about it."""
    hint = _hint(rejection.error, rejection.description, settings)
    message = rejection.description or rejection.error
    if hint:
        message = f"{message}: {hint}"
    return SalesforceApiError(
        message + rejection.note + note,
        error_code=rejection.error or "AUTHENTICATION_FAILED",
        status=rejection.status,
        status_text=rejection.status_text,
    )


def remembered_failure(refusal: SignInRefusal, settings: Settings, stats: InvocationStats) -> SalesforceApiError:
    """The failure of a refusal the access secret remembers: the same as when it was met, saying so."""
    at = time.strftime("%H:%M:%S", time.gmtime(refusal.refused_at))
    note = (
        f" (remembered: the token endpoint refused this sign-in at {at} UTC; the function asks again at most once "
        f"a minute, and at the next call after `scvctl token reset {settings.scvctl_target}`)"
    )
    rejection = TokenRejection(refusal.status, refusal.status_text, refusal.error, refusal.description)
    stats.sign_in_refused = True
    return auth_failure(rejection, settings, note=note)
