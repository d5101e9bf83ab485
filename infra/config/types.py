"""The config's value types: one ``Annotated`` alias per pattern, each carrying its one-line error.

A field states what it holds (``kms_key_arn: KmsKeyArn | None``); the alias checks it. Every text alias refuses
control characters before its own pattern, so a value pasted with a line break is named for that, whatever
else is wrong with it. Errors are ``ValueError``s: loading turns pydantic's report into ``ConfigError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints, field_validator
from scv_shared.orgs import DEFAULT_ORG as DEFAULT_ORG_NAME
from scv_shared.secret_format import AUDIENCE_URL, USERNAME

from ..constants import DEFAULT_API_VERSION, FUNCTION_NAME_SUFFIX, MAX_FUNCTION_NAME_LENGTH


class ConfigError(ValueError):
    """The contact-center config is invalid; the message says where and how to fix it."""


#: the longest contact-center name whose function name still fits Lambda's limit
MAX_NAME_LENGTH = MAX_FUNCTION_NAME_LENGTH - len(FUNCTION_NAME_SUFFIX)
NAME_PATTERN = re.compile(rf"[A-Za-z][A-Za-z0-9_-]{{0,{MAX_NAME_LENGTH - 1}}}")
CONNECT_INSTANCE_ARN = re.compile(
    r"arn:aws[a-z-]*:connect:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):instance/[0-9a-f-]{36}"
)
#: a line break, tab or NUL pasted with a value: never part of a name, URL, ARN or username
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
_ACCOUNT_ID = re.compile(r"\d{12}")
_API_VERSION = re.compile(r"\d{2,3}\.0")
#: a sandbox's My Domain host: acme--uat.sandbox.my.salesforce.com (enhanced domains), acme--uat.my.salesforce.com
_SANDBOX_HOST = re.compile(
    r"^[a-z0-9-]+--[a-z0-9-]+\.(sandbox\.)?my\.salesforce\.com\Z|\.sandbox\.my\.salesforce\.com\Z"
)
_LIGHTNING_HOST_SUFFIX = ".lightning.force.com"
_MY_DOMAIN_SUFFIX = ".my.salesforce.com"
_GENERIC_LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")
#: CloudWatch Logs' retention periods, in days
_LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
_TAG_KEY = re.compile(r"[\w .:/=+@-]{1,128}")
_TAG_VALUE = re.compile(r"[\w .:/=+@-]{0,256}")


def no_control_characters(value: Any) -> Any:
    """Every text value: a control character inside one (after stripping the ends) would reach a template, a
    secret or a JWT claim as it is."""
    if isinstance(value, str) and _CONTROL_CHARACTER.search(value):
        raise ValueError("must not contain control characters (a line break, tab or NUL pasted with the value?)")
    return value


def is_sandbox_url(url: Any) -> bool:
    host = url.strip().lower().removeprefix("https://").rstrip("/") if isinstance(url, str) else ""
    return bool(_SANDBOX_HOST.search(host))


def _matching(pattern: str | re.Pattern[str], problem: str | Callable[[str], str]) -> AfterValidator:
    """A check that the whole value matches ``pattern``; ``problem`` is the error (or makes it from the value)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(problem(value) if callable(problem) else problem)
        return value

    return AfterValidator(check)


_CHECKED_TEXT = AfterValidator(no_control_characters)

ContactCenterName = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        NAME_PATTERN,
        lambda value: (
            f"must start with a letter and use only letters, digits, '-' and '_' (ASCII), at most {MAX_NAME_LENGTH} "
            f"characters (it prefixes the secret names and the function name {value}{FUNCTION_NAME_SUFFIX}, which "
            f"Lambda limits to {MAX_FUNCTION_NAME_LENGTH})"
        ),
    ),
]


def _not_the_default_org(value: str) -> str:
    if value.lower() == DEFAULT_ORG_NAME:
        raise ValueError(f"{DEFAULT_ORG_NAME!r} is the contact center's own org; choose another name")
    return value


OrgName = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"[A-Za-z][A-Za-z0-9-]{0,31}",
        "must start with a letter and use only letters, digits and '-', at most 32 characters "
        "(it names the org's secrets ${cc}-<name>-salesforce-secret and its stack outputs)",
    ),
    AfterValidator(_not_the_default_org),
]
FunctionName = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        rf"[A-Za-z0-9_-]{{1,{MAX_FUNCTION_NAME_LENGTH}}}",
        f"must be a Lambda function name: letters, digits, '-' and '_', at most {MAX_FUNCTION_NAME_LENGTH}",
    ),
]
#: a Salesforce API name (Setup's 「API 参照名」): ASCII letters, digits and '_', starting with a letter
ApiName = Annotated[
    str,
    StringConstraints(min_length=1),
    _CHECKED_TEXT,
    _matching(
        r"[A-Za-z][A-Za-z0-9_]{0,79}",
        "must be the call center's API name (its 「API 参照名」 / Internal Name), ASCII letters, digits and '_' "
        "starting with a letter, e.g. TokyoCallCenter, not its display name",
    ),
]


def _salesforce_url(value: str) -> str:
    """The org's My Domain URL, normalized to ``https://<host>``; the two URLs people paste instead are named."""
    match = AUDIENCE_URL.fullmatch(value)
    if not match:
        raise ValueError("must be the org's https URL with no path, e.g. https://acme.my.salesforce.com")
    host = match.group(1).lower()
    if host.endswith(_LIGHTNING_HOST_SUFFIX):
        my_domain = host.removesuffix(_LIGHTNING_HOST_SUFFIX) + _MY_DOMAIN_SUFFIX
        raise ValueError(
            f"{host} is the Lightning UI host; the API needs the My Domain URL: https://{my_domain} "
            "(Setup > My Domain shows it)"
        )
    if host in _GENERIC_LOGIN_HOSTS:
        raise ValueError(
            f"{host} is the generic login host; the My Domain URL is needed "
            "(Setup > My Domain, e.g. https://acme.my.salesforce.com or https://acme--uat.sandbox.my.salesforce.com)"
        )
    return f"https://{host}"


SalesforceUrl = Annotated[str, _CHECKED_TEXT, AfterValidator(_salesforce_url)]
Username = Annotated[
    str,
    StringConstraints(min_length=3),
    _CHECKED_TEXT,
    _matching(
        USERNAME,
        "must be the integration user's Salesforce username, an email-shaped login name in ASCII such as "
        "integration@acme.com (Setup > Users > the user's Username), not the user's display name",
    ),
]
AudienceUrl = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(AUDIENCE_URL, "must be an https URL such as https://login.salesforce.com/ or the My Domain URL"),
]


def _api_version(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # YAML reads 62.0 as a number
        value = f"{float(value):.1f}"
    if isinstance(value, str) and not _API_VERSION.fullmatch(value.strip()):
        raise ValueError(f"must look like {DEFAULT_API_VERSION} (a Salesforce REST API version)")
    return value


ApiVersion = Annotated[str, BeforeValidator(_api_version), _CHECKED_TEXT]


def _account_id(value: Any) -> Any:
    """An account id is text: YAML reads one written without quotes as a number and drops its leading zeros."""
    if isinstance(value, int) and not isinstance(value, bool):
        quoted = str(value) if len(str(value)) == 12 else "<12 digits>"
        raise ValueError(f'write the account id in quotes, account: "{quoted}" (YAML reads it unquoted as a number)')
    if isinstance(value, str) and not _ACCOUNT_ID.fullmatch(value.strip()):
        raise ValueError("must be a 12-digit AWS account id")
    return value


AccountId = Annotated[str, BeforeValidator(_account_id), _CHECKED_TEXT]
Region = Annotated[
    str, _CHECKED_TEXT, _matching(r"[a-z]{2}(-gov)?-[a-z]+-\d", "must be an AWS region name like ap-northeast-1")
]
ConnectInstanceArn = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        CONNECT_INSTANCE_ARN, "must be an Amazon Connect instance ARN: arn:aws:connect:<region>:<account>:instance/<id>"
    ),
]
KmsKeyArn = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}",
        "must be a KMS key ARN: arn:aws:kms:<region>:<account>:key/<key-id> (not an alias)",
    ),
]
SnsTopicArn = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}",
        "must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<topic>",
    ),
]
ManagedPolicyArn = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]{1,512}",
        "must be an IAM managed policy ARN: arn:aws:iam::<account>:policy/<name>",
    ),
]
RoleArn = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}",
        "must be an IAM role ARN: arn:aws:iam::<account>:role/<name>",
    ),
]
RoleNamePrefix = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(r"[\w+=,.@-]{1,24}", "must be 1 to 24 characters of letters, digits and + = , . @ _ - (IAM role names)"),
]


def _tags(value: dict[str, str]) -> dict[str, str]:
    for key, tag_value in value.items():
        if not _TAG_KEY.fullmatch(key) or key.lower().startswith("aws:"):
            raise ValueError(
                f"tag key {key!r}: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:"
            )
        if not _TAG_VALUE.fullmatch(tag_value):
            raise ValueError(f"tag {key!r}: the value takes at most 256 letters, digits, spaces or _ . : / = + - @")
    return value


Tags = Annotated[dict[str, str], AfterValidator(_tags)]


def _log_retention_days(value: int) -> int:
    if value not in _LOG_RETENTION_DAYS:
        raise ValueError(
            f"must be one of CloudWatch Logs' retention periods: {', '.join(map(str, _LOG_RETENTION_DAYS))}"
        )
    return value


LogRetentionDays = Annotated[int, AfterValidator(_log_retention_days)]
GithubRepository = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"[A-Za-z0-9-]{1,39}/[A-Za-z0-9_.-]{1,100}",
        "must be the repository as owner/name, e.g. acme/contact-center-infra",
    ),
]
GithubEnvironment = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"[A-Za-z0-9_.-]{1,255}", "must be a GitHub environment name: letters, digits, '-', '_' and '.', at most 255"
    ),
]
GithubOidcProviderArn = Annotated[
    str,
    _CHECKED_TEXT,
    _matching(
        r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com",
        "must be the ARN of the account's GitHub OIDC provider: "
        "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
    ),
]


class StrictModel(BaseModel):
    """Every section of the config: unknown keys refused, values frozen, ends of text stripped, and no text
    value (an aliased one or not) with a control character inside."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return no_control_characters(value)
