"""The contact center, org, monitoring and certificate models and the mode rules."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from scv_shared import constants
from scv_shared.orgs import DEFAULT_ORG as DEFAULT_ORG_NAME
from scv_shared.secret_format import (
    AUDIENCE_URL,
    PRODUCTION_AUDIENCE,
    SANDBOX_AUDIENCE,
    USERNAME,
)

from ..constants import (
    BESIDE_FUNCTION_NAME_SUFFIX,
    DEFAULT_API_VERSION,
    FUNCTION_NAME_SUFFIX,
    MAX_FUNCTION_NAME_LENGTH,
    SCV_FUNCTION_ALIAS,
)
from .naming import construct_suffix
from .types import (
    _API_VERSION,
    _CONNECT_INSTANCE_ARN,
    _CONTROL_CHARACTER,
    _FUNCTION_NAME,
    _KMS_KEY_ARN,
    _LIGHTNING_HOST_SUFFIX,
    _MANAGED_POLICY_ARN,
    _MAX_NAME_LENGTH,
    _MY_DOMAIN_SUFFIX,
    _NAME_PATTERN,
    _ORG_NAME_PATTERN,
    _REGION,
    _ROLE_ARN,
    _ROLE_NAME_PREFIX,
    _SNS_TOPIC_ARN,
    _TAG_KEY,
    _TAG_VALUE,
    DEFAULT_RESERVED_CONCURRENCY,
    GENERIC_LOGIN_HOSTS,
    SET_CONSUMER_KEY_COMMAND,
    ConfigError,
    _account_id,
    _api_name,
    _is_sandbox_url,
)


class ColdStartMitigation(StrEnum):
    """How the invoker's cold start is hidden from callers (off by default: both cost money)."""

    NONE = "none"
    SNAPSTART = "snapstart"
    PROVISIONED = "provisioned"


class DeployMode(StrEnum):
    """How a contact center's stack meets an account: empty, or one Service Cloud Voice already provisioned.

    ``scvctl preflight <cc>`` reads the account and says which one fits.
    """

    #: an account without SCV's function: this stack creates the secrets (or adopts hand-made ones) and the
    #: function under the name the setup guide gives it
    GREENFIELD = "greenfield"
    #: SCV's function stays; ours runs beside it under another name over the same (adopted) secrets, and
    #: ``scvctl flows switch`` moves the flows to it, and back
    BESIDE = "beside"
    #: no function of ours: the stack adopts SCV's secrets and seeds, renews and rotates the credentials SCV's
    #: function signs in with, and monitors that function
    COMPANION = "companion"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """Every text value: a control character inside one (after stripping the ends) would reach a
        template, a secret or a JWT claim as it is."""
        if isinstance(value, str) and _CONTROL_CHARACTER.search(value):
            raise ValueError("must not contain control characters (a line break, tab or NUL pasted with the value?)")
        return value


class Certificate(_Strict):
    """The self-signed certificate the seeder makes; bump the counters to rotate or renew."""

    common_name: str | None = Field(default=None, max_length=64)
    validity_days: int = Field(
        default=constants.CERTIFICATE_VALIDITY_DAYS, ge=1, le=constants.CERTIFICATE_MAX_VALIDITY_DAYS
    )
    key_rotation: int = Field(default=0, ge=0, description="bump to stage a new key pair as pending")
    renewal: int = Field(default=0, ge=0, description="bump to issue a new certificate for the same key")
    activate_pending_key: bool = Field(
        default=False, description="promote a staged key to current on this deploy (after uploading its certificate)"
    )


class Monitoring(_Strict):
    """Alarm thresholds and where alarms are sent (an email needs the topic this stack creates)."""

    alarm_topic_arn: str | None = None
    create_alarm_topic: bool = False
    alarm_email: str | None = None
    error_rate_percent: float = Field(default=5.0, gt=0, le=100)
    p99_duration_ms: int = Field(default=6000, ge=500, le=7900)
    api_usage_percent: float = Field(default=80.0, gt=0, le=100)
    certificate_expiry_warning_days: int = Field(default=30, ge=1, le=365)
    invocations_per_minute: int = Field(
        default=300,
        ge=1,
        description="invocation-rate alarm: more than this many in a minute, two minutes of three (a flood or a "
        "loop; 300 a minute is 432,000 API requests a day, more than most orgs' daily allowance)",
    )
    calls_per_contact: int = Field(
        default=20,
        ge=2,
        description="looping-flow alarm: one contact making more than this many invocations in 5 minutes",
    )

    @field_validator("alarm_topic_arn")
    @classmethod
    def _topic_arn(cls, value: str | None) -> str | None:
        if value is not None and not _SNS_TOPIC_ARN.fullmatch(value):
            raise ValueError("must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<topic>")
        return value

    @model_validator(mode="after")
    def _email_needs_created_topic(self) -> Monitoring:
        if self.alarm_email and not self.create_alarm_topic:
            where = (
                "subscribe it to alarm_topic_arn's topic yourself and remove alarm_email"
                if self.alarm_topic_arn
                else "set create_alarm_topic: true so this stack creates the topic and subscribes it"
            )
            raise ValueError(f"alarm_email {self.alarm_email} would never receive an alarm: {where}")
        return self


class SalesforceOrg(_Strict):
    """What the invoker needs to reach one Salesforce org: URL, user, audience, API version (the consumer key
    is stored by `scvctl consumer-key set`, never in the config)."""

    salesforce_url: str = Field(description="the org's My Domain URL, e.g. https://acme.my.salesforce.com")
    username: str = Field(min_length=3, description="the integration user (JWT subject)")
    api_version: str = DEFAULT_API_VERSION
    sandbox: bool = Field(default=False, description="default: true when salesforce_url is a sandbox's My Domain")
    audience: str | None = Field(default=None, description="JWT audience override, e.g. the My Domain URL")
    certificate: Certificate = Certificate()

    @model_validator(mode="before")
    @classmethod
    def _refuse_secrets_and_infer_sandbox(cls, raw: Any) -> Any:
        """Refuse a consumer key (a template keeps its properties in plain text); take the sandbox flag from
        a sandbox's My Domain URL when omitted."""
        if not isinstance(raw, Mapping):
            return raw
        consumer_key = raw.get("consumer_key")
        left_empty = consumer_key is None or (isinstance(consumer_key, str) and not consumer_key.strip())
        if not left_empty:
            name = raw.get("name") or "<cc>"
            raise ValueError(
                "consumer_key does not belong in the config (CloudFormation would keep it in the template and in "
                f"the stack's history): remove the line and store it with `{SET_CONSUMER_KEY_COMMAND} {name}` "
                "(hidden prompt, or piped on stdin)"
            )
        filled = {key: value for key, value in raw.items() if key != "consumer_key"}  # "" from earlier examples
        if "sandbox" not in filled and _is_sandbox_url(filled.get("salesforce_url")):
            filled["sandbox"] = True
        return filled

    @field_validator("salesforce_url")
    @classmethod
    def _salesforce_url(cls, value: str) -> str:
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
        if host in GENERIC_LOGIN_HOSTS:
            raise ValueError(
                f"{host} is the generic login host; the My Domain URL is needed "
                "(Setup > My Domain, e.g. https://acme.my.salesforce.com or https://acme--uat.sandbox.my.salesforce.com)"
            )
        return f"https://{host}"

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not USERNAME.fullmatch(value):
            raise ValueError(
                "must be the integration user's Salesforce username, an email-shaped login name in ASCII such as "
                "integration@acme.com (Setup > Users > the user's Username), not the user's display name"
            )
        return value

    @field_validator("api_version", mode="before")
    @classmethod
    def _api_version(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):  # YAML reads 62.0 as a number
            value = f"{float(value):.1f}"
        if isinstance(value, str) and not _API_VERSION.fullmatch(value.strip()):
            raise ValueError(f"must look like {DEFAULT_API_VERSION} (a Salesforce REST API version)")
        return value

    @field_validator("audience")
    @classmethod
    def _audience(cls, value: str | None) -> str | None:
        if value is not None and not AUDIENCE_URL.fullmatch(value):
            raise ValueError("must be an https URL such as https://login.salesforce.com/ or the My Domain URL")
        return value

    @property
    def explicit_settings(self) -> tuple[str, ...]:
        """The secret settings the config states rather than defaults (``Subject``, ``Audience``): on adopting
        secrets, these replace what the secret holds, and a default never does."""
        audience_stated = bool({"audience", "sandbox"} & self.model_fields_set)
        return ("Subject", *(("Audience",) if audience_stated else ()))

    @property
    def jwt_audience(self) -> str:
        """The JWT ``aud``: the override, else the sandbox or production login host."""
        if self.audience:
            return self.audience
        return SANDBOX_AUDIENCE if self.sandbox else PRODUCTION_AUDIENCE

    @property
    def rest_api_endpoint_base(self) -> str:
        return f"{self.salesforce_url}/services/data/v{self.api_version}"

    @property
    def auth_endpoint(self) -> str:
        return f"{self.salesforce_url}/services/oauth2/token"


class Org(SalesforceOrg):
    """A further Salesforce org of a contact center (SCV multi-org, or a disaster-recovery org).

    It has its own secrets ``${cc}-${name}-salesforce-secret`` / ``${cc}-${name}-salesforce-access-secret``
    (same JSON keys as the contact center's), its own key and certificate, and is chosen per call by the
    flow's ``secretName`` / ``accessTokenSecretName``.
    """

    name: str = Field(description="the ${org} in the org's secret names")
    call_center_api_name: str | None = Field(
        default=None, min_length=1, description="SCV call center API name in this org (default: the contact center's)"
    )

    @field_validator("call_center_api_name")
    @classmethod
    def _call_center_api_name(cls, value: str | None) -> str | None:
        return _api_name(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ORG_NAME_PATTERN.fullmatch(value):
            raise ValueError(
                "must start with a letter and use only letters, digits and '-', at most 32 characters "
                "(it names the org's secrets ${cc}-<name>-salesforce-secret and its stack outputs)"
            )
        if value.lower() == DEFAULT_ORG_NAME:
            raise ValueError(f"{DEFAULT_ORG_NAME!r} is the contact center's own org; choose another name")
        return value

    @property
    def construct_suffix(self) -> str:
        return construct_suffix(self.name)


class ContactCenter(SalesforceOrg):
    """One Amazon Connect contact center wired to its Salesforce org (and optionally further ``orgs``)."""

    name: str = Field(description="the ${cc} prefix of every resource name")
    call_center_api_name: str = Field(min_length=1, description="SCV call center API name")
    orgs: list[Org] = Field(default_factory=list, description="further orgs the invoker may call (multi-org, DR)")
    org_from_contact_attributes: bool = Field(
        default=True,
        description="whether the contact attributes secretName/accessTokenSecretName may pick the org, as SCV's "
        "multi-org flows set them (false: only the Invoke block's parameters may)",
    )
    connect_instance_arn: str | None = None
    associate_with_connect: bool = Field(
        default=True, description="false where the function is already associated with the instance by hand"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_retention_days: int = 90
    kms_key_arn: str | None = None
    restrict_secret_reads: bool = Field(
        default=True,
        description="a resource policy on the secrets this stack makes: only its functions and break_glass_role_arn "
        "may read the values",
    )
    break_glass_role_arn: str | None = Field(
        default=None, description="the IAM role operators assume to read the secrets (scvctl) when reads are restricted"
    )
    permissions_boundary_arn: str | None = Field(
        default=None, description="managed policy applied as the permissions boundary of every role of the stack"
    )
    role_name_prefix: str | None = Field(
        default=None, description="name every role <prefix><cc>-<unit> (default: names CloudFormation generates)"
    )
    tags: dict[str, str] = Field(default_factory=dict, description="tags on every taggable resource of the stack")
    account: str | None = None
    region: str | None = Field(default=None, description="default: connect_instance_arn's region")
    mode: DeployMode = Field(
        default=DeployMode.GREENFIELD,
        description="greenfield, beside (our function next to SCV's) or companion (SCV's function, our credentials)",
    )
    function_name: str = Field(
        default="",
        description="greenfield and companion: ${cc}-InvokeSalesforceRestApiFunction (companion: SCV's function, "
        f"watched and checked); beside: ${{cc}}{BESIDE_FUNCTION_NAME_SUFFIX}",
    )
    adopt_log_group: bool = Field(
        default=False,
        description="use the function's existing log group /aws/lambda/<function_name> instead of creating it",
    )
    adopt_existing_secrets: bool = Field(
        default=False,
        description="import secrets made by hand per the setup guide instead of creating them (beside and "
        "companion always adopt SCV's)",
    )
    secrets_cache_ttl_seconds: int = Field(default=300, ge=0, le=3600)
    # Lambda bills a warm call's wait for Salesforce times the memory size, and its CPU share follows the memory: the
    # default is the cheapest size at a 150 ms org latency whose cold start with a cached token stays within 1 s and
    # whose cold start that mints a token stays within 2 s; below 256 MB a minting cold start comes too near
    # Connect's 8 s, so no smaller size is offered (benchmarks/RESULTS.md, section 8)
    memory_size_mb: int = Field(default=512, ge=256, le=3008)
    architecture: Literal["x86_64", "arm64"] = Field(
        default="x86_64",
        description="every function of the stack, and the wheels of its bundle: arm64 (Graviton) costs less per "
        "GB-second",
    )
    cold_start: ColdStartMitigation = ColdStartMitigation.NONE
    provisioned_concurrency: int = Field(default=1, ge=1, le=100)
    reserved_concurrency: int | None = Field(
        default=DEFAULT_RESERVED_CONCURRENCY,
        ge=1,
        le=1000,
        description="the most invocations the invoker runs at once (null: no cap, the account's pool)",
    )
    monitoring: Monitoring = Monitoring()
    rotation_days: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="rotate the JWT key every N days by Secrets Manager; the rotation uploads the certificate to SCV's "
        "connected app as the subject, who must be allowed to change it (null: rotate with scvctl key rotate --upload)",
    )

    @model_validator(mode="before")
    @classmethod
    def _region_from_connect_instance(cls, raw: Any) -> Any:
        """Deploy into the instance's region when none is given (not into whatever the profile has)."""
        if not isinstance(raw, Mapping) or raw.get("region") or not isinstance(raw.get("connect_instance_arn"), str):
            return raw
        match = _CONNECT_INSTANCE_ARN.fullmatch(raw["connect_instance_arn"].strip())
        return {**raw, "region": match["region"]} if match else raw

    @model_validator(mode="before")
    @classmethod
    def _function_name_of_the_mode(cls, raw: Any) -> Any:
        """The setup guide's name, except beside SCV's function, which already has it. Derived only from a valid
        name: an invalid one is reported once, against ``name``, not again against a function_name never written."""
        if not isinstance(raw, Mapping) or raw.get("function_name") or not isinstance(raw.get("name"), str):
            return raw
        if not _NAME_PATTERN.fullmatch(raw["name"].strip()):
            return raw
        suffix = BESIDE_FUNCTION_NAME_SUFFIX if raw.get("mode") == DeployMode.BESIDE else FUNCTION_NAME_SUFFIX
        return {**raw, "function_name": f"{raw['name'].strip()}{suffix}"}

    @field_validator("function_name")
    @classmethod
    def _function_name(cls, value: str) -> str:
        if not _FUNCTION_NAME.fullmatch(value):
            raise ValueError(
                f"must be a Lambda function name: letters, digits, '-' and '_', at most {MAX_FUNCTION_NAME_LENGTH}"
            )
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_PATTERN.fullmatch(value):
            raise ValueError(
                f"must start with a letter and use only letters, digits, '-' and '_' (ASCII), at most "
                f"{_MAX_NAME_LENGTH} characters (it prefixes the secret names and the function "
                f"name {value}{FUNCTION_NAME_SUFFIX}, which Lambda limits to {MAX_FUNCTION_NAME_LENGTH})"
            )
        return value

    @field_validator("call_center_api_name")
    @classmethod
    def _call_center_api_name(cls, value: str | None) -> str | None:
        return _api_name(value)

    @field_validator("connect_instance_arn")
    @classmethod
    def _connect_instance_arn(cls, value: str | None) -> str | None:
        if value is not None and not _CONNECT_INSTANCE_ARN.fullmatch(value):
            raise ValueError("must be an Amazon Connect instance ARN: arn:aws:connect:<region>:<account>:instance/<id>")
        return value

    @field_validator("kms_key_arn")
    @classmethod
    def _kms_key_arn(cls, value: str | None) -> str | None:
        if value is not None and not _KMS_KEY_ARN.fullmatch(value):
            raise ValueError("must be a KMS key ARN: arn:aws:kms:<region>:<account>:key/<key-id> (not an alias)")
        return value

    @field_validator("permissions_boundary_arn")
    @classmethod
    def _permissions_boundary_arn(cls, value: str | None) -> str | None:
        if value is not None and not _MANAGED_POLICY_ARN.fullmatch(value):
            raise ValueError("must be an IAM managed policy ARN: arn:aws:iam::<account>:policy/<name>")
        return value

    @field_validator("break_glass_role_arn")
    @classmethod
    def _break_glass_role_arn(cls, value: str | None) -> str | None:
        if value is not None and not _ROLE_ARN.fullmatch(value):
            raise ValueError("must be an IAM role ARN: arn:aws:iam::<account>:role/<name>")
        return value

    @field_validator("role_name_prefix")
    @classmethod
    def _role_name_prefix(cls, value: str | None) -> str | None:
        if value is not None and not _ROLE_NAME_PREFIX.fullmatch(value):
            raise ValueError("must be 1 to 24 characters of letters, digits and + = , . @ _ - (IAM role names)")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key, tag_value in value.items():
            if not _TAG_KEY.fullmatch(key) or key.lower().startswith("aws:"):
                raise ValueError(
                    f"tag key {key!r}: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:"
                )
            if not _TAG_VALUE.fullmatch(tag_value):
                raise ValueError(f"tag {key!r}: the value takes at most 256 letters, digits, spaces or _ . : / = + - @")
        return value

    @field_validator("account", mode="before")
    @classmethod
    def _account(cls, value: Any) -> Any:
        return _account_id(value)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.fullmatch(value):
            raise ValueError("must be an AWS region name like ap-northeast-1")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention_days(cls, value: int) -> int:
        allowed = (
            1,
            3,
            5,
            7,
            14,
            30,
            60,
            90,
            120,
            150,
            180,
            365,
            400,
            545,
            731,
            1096,
            1827,
            2192,
            2557,
            2922,
            3288,
            3653,
        )
        if value not in allowed:
            raise ValueError(f"must be one of CloudWatch Logs' retention periods: {', '.join(map(str, allowed))}")
        return value

    @model_validator(mode="after")
    def _provisioned_fits_reserved(self) -> ContactCenter:
        provisioned = self.cold_start is ColdStartMitigation.PROVISIONED
        if provisioned and self.reserved_concurrency is not None:
            if self.provisioned_concurrency > self.reserved_concurrency:
                raise ValueError(
                    f"provisioned_concurrency {self.provisioned_concurrency} is more than reserved_concurrency "
                    f"{self.reserved_concurrency}: Lambda provisions only within the reservation; raise "
                    "reserved_concurrency or lower provisioned_concurrency"
                )
        return self

    @model_validator(mode="after")
    def _sandbox_matches_url(self) -> ContactCenter:
        if not self.sandbox and self.audience is None and _is_sandbox_url(self.salesforce_url):
            raise ValueError(
                f"salesforce_url {self.salesforce_url} is a sandbox but sandbox is false, so sign-in would fail with "
                "'audience is invalid': set sandbox: true (or remove the line: a sandbox URL implies it)"
            )
        return self

    @model_validator(mode="after")
    def _connect_matches_environment(self) -> ContactCenter:
        if self.connect_instance_arn:
            match = _CONNECT_INSTANCE_ARN.fullmatch(self.connect_instance_arn)
            assert match  # validated above
            if self.region and match["region"] != self.region:
                raise ValueError(
                    f"connect_instance_arn is in {match['region']} but region is {self.region}: "
                    "the function must be in the instance's region"
                )
            if self.account and match["account"] != self.account:
                raise ValueError(
                    f"connect_instance_arn belongs to account {match['account']} but account is {self.account}"
                )
        return self

    @model_validator(mode="after")
    def _mode_fits(self) -> ContactCenter:
        """Settings that contradict the mode: each would be ignored silently, or collide with SCV's resources."""
        scv_function = self.scv_function_name
        if self.mode is DeployMode.BESIDE and self.function_name == scv_function:
            raise ValueError(
                f"mode beside runs our function next to SCV's {scv_function}, so it needs another function_name: "
                f"remove function_name (default {self.name}{BESIDE_FUNCTION_NAME_SUFFIX}), or choose mode: companion "
                "to keep SCV's function alone"
            )
        if self.mode is not DeployMode.GREENFIELD and "adopt_existing_secrets" in self.model_fields_set:
            if not self.adopt_existing_secrets:
                raise ValueError(
                    f"adopt_existing_secrets: false contradicts mode {self.mode}: SCV made the secrets, which "
                    "beside and companion always adopt; remove the line"
                )
        if self.mode is DeployMode.COMPANION:
            fields = type(self).model_fields
            ours_only = [
                name
                for name in (
                    "adopt_log_group",
                    "cold_start",
                    "memory_size_mb",
                    "orgs",
                    "org_from_contact_attributes",
                    "provisioned_concurrency",
                    "rotation_days",
                )  # fmt: skip
                if getattr(self, name) != fields[name].get_default(call_default_factory=True)
            ]
            if ours_only:
                verb = "configures" if len(ours_only) == 1 else "configure"
                raise ValueError(
                    f"{', '.join(ours_only)} {verb} our function, which mode companion does not deploy (SCV's "
                    "function runs): remove it, or choose mode: beside to run ours next to SCV's"
                )
        return self

    @model_validator(mode="after")
    def _unique_orgs(self) -> ContactCenter:
        seen: set[str] = set()
        for org in self.orgs:
            if org.construct_suffix.lower() in seen:
                raise ValueError(f"org {org.name!r} is declared twice (names differing only in case or '-' clash)")
            seen.add(org.construct_suffix.lower())
        return self

    def find_org(self, name: str) -> Org:
        for org in self.orgs:
            if org.name == name:
                return org
        known = ", ".join(org.name for org in self.orgs) or "none"
        raise ConfigError(f"contact center {self.name!r} declares no org named {name!r} (its orgs: {known})")

    def as_org(self, name: str) -> ContactCenter:
        """This contact center as seen through one of its further orgs: the org's URL, user, audience, API
        version, consumer key, certificate settings and call center; the contact center's name, region and
        everything else. What scvctl ``--org`` acts on."""
        org = self.find_org(name)
        fields = set(SalesforceOrg.model_fields)
        update: dict[str, Any] = {field: getattr(org, field) for field in fields}
        update["call_center_api_name"] = org.call_center_api_name or self.call_center_api_name
        # the CN the seeder gives the org's certificate, so a certificate scvctl makes for the org matches it
        update["certificate"] = org.certificate.model_copy(
            update={"common_name": self.org_certificate_common_name(org)}
        )
        return self.model_copy(update=update)

    def org_call_center_api_name(self, org: Org) -> str:
        return org.call_center_api_name or self.call_center_api_name

    def org_certificate_common_name(self, org: Org) -> str:
        return org.certificate.common_name or constants.certificate_common_name(self.name, org.name)

    @property
    def scv_function_name(self) -> str:
        """The name SCV's CloudFormation stacks give their function (the setup guide's name)."""
        return f"{self.name}{FUNCTION_NAME_SUFFIX}"

    @property
    def adopts_secrets(self) -> bool:
        """The secrets exist already: made by hand per the guide, or by SCV (beside, companion)."""
        return self.adopt_existing_secrets or self.mode is not DeployMode.GREENFIELD

    @property
    def ships_function(self) -> bool:
        """Whether this stack deploys the invoker (companion keeps SCV's function instead)."""
        return self.mode is not DeployMode.COMPANION

    @property
    def scv_function_qualifier(self) -> str:
        """The alias of SCV's function that flows call (SCV grants Connect the right on it, not on the function)."""
        return SCV_FUNCTION_ALIAS

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def stack_name(self) -> str:
        """CloudFormation stack names allow no underscore, contact-center names may have one."""
        return constants.stack_name(self.name)

    @property
    def certificate_common_name(self) -> str:
        return self.certificate.common_name or constants.certificate_common_name(self.name)

    @property
    def connect_region(self) -> str | None:
        match = _CONNECT_INSTANCE_ARN.fullmatch(self.connect_instance_arn or "")
        return match["region"] if match else None

    @property
    def connect_account(self) -> str | None:
        match = _CONNECT_INSTANCE_ARN.fullmatch(self.connect_instance_arn or "")
        return match["account"] if match else None
