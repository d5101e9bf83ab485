"""Every failure the setup guide and the invoker know, mapped to its cause and the steps that fix it, with the
scvctl command that does each: one table, in the order the rules are tried, kept whole so it reads as the
runbook it is. Which OAuth error means what is shared with the invoker (scv_shared/oauth_errors.py).

Causes and fixes name ``{cc}`` (the contact center), ``{main}`` and ``{access}`` (its secrets): diagnosis.py
fills them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scv_shared import oauth_errors
from scv_shared.oauth_errors import OAuthProblem

from scvctl.failure import Failure


@dataclass(frozen=True)
class Rule:
    matches: Callable[[Failure], bool]
    cause: str
    fixes: tuple[str, ...]
    about_certificate: bool = False


def _code(*codes: str) -> Callable[[Failure], bool]:
    wanted = {code.lower() for code in codes}
    return lambda failure: failure.error_code.lower() in wanted


def _says(*phrases: str) -> Callable[[Failure], bool]:
    return lambda failure: any(phrase in failure.message.lower() for phrase in phrases)


def _oauth(problem: OAuthProblem) -> Callable[[Failure], bool]:
    """The token endpoint's error, told apart by the rules the invoker uses (shared/oauth_errors.py)."""
    return lambda failure: oauth_errors.classify(failure.error_code, failure.message) is problem


def _any(*predicates: Callable[[Failure], bool]) -> Callable[[Failure], bool]:
    return lambda failure: any(predicate(failure) for predicate in predicates)


def _stale_token(failure: Failure) -> bool:
    """The guide's ``{"success": false, "status": 500}``: the Node.js function sent a malformed cached token."""
    return str(failure.status) == "500" and not failure.error_code and not failure.message and not failure.error_type


_UPLOAD = (
    "scvctl cert export {cc} --out server.crt, then upload server.crt to the app: External Client App > Settings > "
    "OAuth Settings > Enable JWT Bearer Flow > certificate, or the connected app's 'Use digital signatures' "
    "(デジタル署名を使用)"
)
_PREAUTHORIZE = (
    "in Salesforce set the app's Permitted Users to 'Admin approved users are pre-authorized' "
    "(管理者が承認したユーザーは事前承認済み): External Client App > Policies > OAuth Policies, or the connected "
    "app's Manage > Edit Policies"
)
_ADD_PROFILE = (
    "add the integration user's profile (the guide recommends including System Administrator) or a permission set "
    "assigned to the user: the app's Policies > Select Profiles / Select Permission Sets, or the connected app's "
    "Manage > Manage Profiles (プロファイルを管理する)"
)
_RETRY = "run scvctl check {cc} again (Salesforce can take up to 10 minutes to apply app changes)"

RULES: tuple[Rule, ...] = (
    Rule(
        _any(_code("CONSUMER_KEY_NOT_SET"), _says("consumer key is empty")),
        "the consumer key in {main} is empty: the External Client App / connected app was not connected yet",
        (
            "create the app with this contact center's certificate: scvctl salesforce-metadata {cc} --out sf-app/ "
            "(a deployable bundle and the Setup click-path), or use the existing 'Connected App for RestAPI OAuth'",
            "copy its consumer key (External Client App > Settings > OAuth Settings > Consumer Key and Secret; "
            "connected app: Manage Consumer Details / コンシューマーの詳細を管理)",
            "scvctl consumer-key set {cc}   (paste it at the hidden prompt)",
            _RETRY,
        ),
    ),
    Rule(
        _oauth(OAuthProblem.UNKNOWN_CONSUMER_KEY),
        "Salesforce does not know the consumer key in {main} (a typo, another org's app, or a refreshed sandbox)",
        (
            "copy the consumer key of the app in THIS org (External Client App > Settings > OAuth Settings > "
            "Consumer Key and Secret; connected app: Manage Consumer Details / コンシューマーの詳細を管理)",
            "scvctl consumer-key set {cc}",
            _RETRY,
        ),
    ),
    Rule(
        _oauth(OAuthProblem.APP_NOT_PREAUTHORIZED),
        "the integration user is not pre-authorized for the app (its profile or permission set is not on the app)",
        (_PREAUTHORIZE, _ADD_PROFILE, _RETRY),
    ),
    Rule(
        _oauth(OAuthProblem.USER_NOT_APPROVED),
        "the user named as subject is not pre-authorized for the app, or the username is wrong",
        (
            _PREAUTHORIZE,
            _ADD_PROFILE,
            "check the username (sandbox usernames carry the sandbox suffix, e.g. user@example.com.uat): "
            "scvctl subject set {cc} USERNAME",
            _RETRY,
        ),
    ),
    Rule(
        _oauth(OAuthProblem.CERTIFICATE_MISMATCH),
        "the certificate uploaded to the app does not match the private key in {main}",
        (
            _UPLOAD,
            "scvctl cert show {cc} shows the certificate (and a staged rotation's) with its SHA-256 fingerprint "
            "to compare with the app's",
            _RETRY,
        ),
        about_certificate=True,
    ),
    Rule(
        _oauth(OAuthProblem.AUDIENCE_INVALID),
        "the JWT audience does not fit the org: production and sandbox orgs sign in at different hosts",
        (
            "production or Developer Edition: scvctl audience set {cc} --production   (https://login.salesforce.com/)",
            "sandbox or scratch org: scvctl audience set {cc} --sandbox   (https://test.salesforce.com/)",
            "an app that expects the My Domain URL: scvctl audience set {cc} --url https://<my-domain>.my.salesforce.com",
            "put the same in contact_centers.yaml (sandbox: true, or audience:) so the next deploy agrees",
        ),
    ),
    Rule(
        _oauth(OAuthProblem.ASSERTION_EXPIRED),
        "Salesforce considered the signed assertion expired (a clock problem, or the user must re-authorize the app)",
        ("run scvctl check {cc} again; if it persists, check the app's policies and the user's access",),
    ),
    Rule(
        _oauth(OAuthProblem.USER_INACTIVE),
        "the user named as subject in {main} is inactive or frozen",
        ("reactivate (or unfreeze) the user in Salesforce, or use another: scvctl subject set {cc} USERNAME",),
    ),
    Rule(
        _oauth(OAuthProblem.RATE_LIMITED),
        "Salesforce limits token requests per user per hour",
        ("wait a few minutes; if it recurs, look for something that keeps clearing {access}",),
    ),
    Rule(
        _stale_token,
        "the cached access token is stale or malformed (the guide's 'forgot to clear the access token')",
        ("scvctl token reset {cc}", "run scvctl check {cc} again"),
    ),
    Rule(
        _code("INVALID_SESSION_ID"),
        "Salesforce refused a freshly minted token: the app's OAuth scopes or the org URL are wrong",
        (
            "give the app the scopes 'Manage user data via APIs (api)' and 'Perform requests at any time "
            "(refresh_token, offline_access)'",
            "check salesforce_url (the org's My Domain) in contact_centers.yaml and redeploy",
            "scvctl token reset {cc}, then run scvctl check {cc} again",
        ),
    ),
    Rule(
        _any(_code("TIMEOUT"), _says("task timed out")),
        "Salesforce did not answer in time (network path, or Salesforce itself)",
        (
            "check the org's instance on https://status.salesforce.com",
            "if the function runs in a VPC, check its route to the internet (NAT gateway, proxy, firewall)",
            "run scvctl check {cc} again: a cold start plus a first token request is the slowest case",
        ),
    ),
    Rule(
        _code("CONNECTION_ERROR"),
        "the function could not reach Salesforce",
        (
            "check salesforce_url (the org's My Domain URL) in contact_centers.yaml and redeploy if it changed",
            "if the function runs in a VPC, check its route to the internet (NAT gateway, proxy, firewall)",
            "check the org's instance on https://status.salesforce.com",
        ),
    ),
    Rule(
        _code("INVALID_SECRET", "INVALID_PRIVATE_KEY"),
        "{main} is not the document the function needs (hand-edited JSON, or an unusable key)",
        (
            "adopt a good key: scvctl key import {cc} --private-key server.key [--certificate server.crt]",
            "or rotate to a new one: scvctl key rotate --now {cc} (then upload its certificate)",
        ),
    ),
    Rule(
        _code("SECRET_NOT_FOUND", "SECRET_ACCESS_DENIED", "INVALID_CONFIGURATION"),
        "the function's deployment is incomplete: a secret or a setting it needs is missing or not readable",
        ("redeploy the contact center's stack: make deploy CONTACT_CENTER={cc}",),
    ),
    Rule(
        _code("SECRETS_MANAGER_ERROR"),
        "the function could not read Secrets Manager (throttling or an AWS-side problem)",
        ("run scvctl check {cc} again; if it persists, check the AWS Health Dashboard for Secrets Manager",),
    ),
    Rule(
        lambda failure: failure.error_type.startswith("Runtime."),
        "the function could not start (its code bundle or runtime is broken)",
        ("redeploy the contact center's stack: make deploy CONTACT_CENTER={cc}",),
    ),
    Rule(
        _code("REQUEST_LIMIT_EXCEEDED"),
        "the org's daily API request limit is used up",
        ("see Setup > System Overview > API Requests; calls work again when usage falls below the limit",),
    ),
    Rule(
        _code("UNDECLARED_SECRET"),
        "the event names a secret (secretName / accessTokenSecretName) that is not one of the stack's orgs' secrets",
        (
            "declare the org under orgs of {cc} in contact_centers.yaml and redeploy, or name a declared pair "
            "(the function's message lists them); scvctl check {cc} --org ORG passes an org's pair",
        ),
    ),
    Rule(
        _code("INVALID_EVENT", "MISSING_PARAMETER", "UNKNOWN_METHOD", "INVALID_PARAMETER", "INVALID_TEMPLATE"),
        "the test event is not what the function expects (authentication was not tried)",
        ("fix the event file, or run scvctl check {cc} without --event for the guide's test query",),
    ),
    Rule(
        _code("MALFORMED_QUERY", "INVALID_FIELD", "INVALID_TYPE", "MALFORMED_SEARCH", "INSUFFICIENT_ACCESS"),
        "signing in worked; Salesforce refused the request itself",
        ("fix the query in the event, or grant the integration user access to the object and fields",),
    ),
    Rule(
        # last: only a token request's invalid_grant, whose text names a user
        lambda failure: failure.error_code == "invalid_grant" and _oauth(OAuthProblem.UNKNOWN_USER)(failure),
        "the user named as subject in {main} is not a user of this org (a typo, or a sandbox username without "
        "its suffix)",
        ("scvctl subject set {cc} USERNAME   (sandbox usernames carry the suffix, e.g. user@example.com.uat)", _RETRY),
    ),
)
