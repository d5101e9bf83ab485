"""The config's value patterns and their one-line errors, shared by the models."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..constants import (
    FUNCTION_NAME_SUFFIX,
    MAX_FUNCTION_NAME_LENGTH,
)

_CHECKOUT_CONFIG_FILE = Path(__file__).resolve().parent.parent.parent / "contact_centers.yaml"
DEFAULT_CONFIG_FILE = _CHECKOUT_CONFIG_FILE if _CHECKOUT_CONFIG_FILE.is_file() else Path("contact_centers.yaml")
CONFIG_CONTEXT_KEY = "config"

GENERIC_LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")

_MAX_NAME_LENGTH = MAX_FUNCTION_NAME_LENGTH - len(FUNCTION_NAME_SUFFIX)
#: A cap on the invoker's concurrency, so a call flood (or many looping flows) is throttled by Lambda before it
#: spends the org's daily API allowance; a throttled call takes the flow's error branch. An invocation takes
#: 0.1-0.5 s warm, so 25 at once serve some 50-250 invocations a second, far above what a contact center's
#: Connect quota of concurrent calls makes at a few lookups per call; 25 is also Salesforce's limit of
#: concurrent long-running API requests in a production org. Lower it for a small org's allowance; null removes
#: the cap (an account whose whole Lambda quota is 10 cannot reserve any).
DEFAULT_RESERVED_CONCURRENCY = 25
_NAME_PATTERN = re.compile(rf"[A-Za-z][A-Za-z0-9_-]{{0,{_MAX_NAME_LENGTH - 1}}}")
_FUNCTION_NAME = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_FUNCTION_NAME_LENGTH}}}")
_ORG_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,31}")
_CONNECT_INSTANCE_ARN = re.compile(
    r"arn:aws[a-z-]*:connect:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):instance/[0-9a-f-]{36}"
)
_KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}")
_SNS_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}")
_API_VERSION = re.compile(r"\d{2,3}\.0")
_REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")
#: a line break, tab or NUL pasted with a value: never part of a name, URL, ARN or username
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
_MANAGED_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]{1,512}")
_ROLE_NAME_PREFIX = re.compile(r"[\w+=,.@-]{1,24}")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
_TAG_KEY = re.compile(r"[\w .:/=+@-]{1,128}")
_TAG_VALUE = re.compile(r"[\w .:/=+@-]{0,256}")
_ACCOUNT_ID = re.compile(r"\d{12}")
#: a Salesforce API name (Setup's 「API 参照名」): ASCII letters, digits and '_', starting with a letter
_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")
#: a sandbox's My Domain host: acme--uat.sandbox.my.salesforce.com (enhanced domains), acme--uat.my.salesforce.com
_SANDBOX_HOST = re.compile(
    r"^[a-z0-9-]+--[a-z0-9-]+\.(sandbox\.)?my\.salesforce\.com\Z|\.sandbox\.my\.salesforce\.com\Z"
)
_LIGHTNING_HOST_SUFFIX = ".lightning.force.com"
_MY_DOMAIN_SUFFIX = ".my.salesforce.com"
#: stores the consumer key; the config refuses it (a template keeps its properties in plain text)
SET_CONSUMER_KEY_COMMAND = "scvctl consumer-key set"
_GITHUB_REPOSITORY = re.compile(r"[A-Za-z0-9-]{1,39}/[A-Za-z0-9_.-]{1,100}")
_GITHUB_ENVIRONMENT = re.compile(r"[A-Za-z0-9_.-]{1,255}")
_GITHUB_OIDC_PROVIDER_ARN = re.compile(
    r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com"
)


class ConfigError(ValueError):
    """The contact-center config is invalid; the message says where and how to fix it."""


def _account_id(value: Any) -> Any:
    """An account id is text: YAML reads one written without quotes as a number and drops its leading zeros."""
    if isinstance(value, int) and not isinstance(value, bool):
        quoted = str(value) if len(str(value)) == 12 else "<12 digits>"
        raise ValueError(f'write the account id in quotes, account: "{quoted}" (YAML reads it unquoted as a number)')
    if isinstance(value, str) and not _ACCOUNT_ID.fullmatch(value.strip()):
        raise ValueError("must be a 12-digit AWS account id")
    return value


def _api_name(value: str | None) -> str | None:
    if value is not None and not _API_NAME.fullmatch(value):
        raise ValueError(
            "must be the call center's API name (its 「API 参照名」 / Internal Name), ASCII letters, digits and '_' "
            "starting with a letter, e.g. TokyoCallCenter, not its display name"
        )
    return value


def _is_sandbox_url(url: Any) -> bool:
    host = url.strip().lower().removeprefix("https://").rstrip("/") if isinstance(url, str) else ""
    return bool(_SANDBOX_HOST.search(host))
