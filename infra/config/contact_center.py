"""One contact center: its org, its settings with their defaults, the names derived from them, and its rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator
from scv_shared import constants

from ..constants import BESIDE_FUNCTION_NAME_SUFFIX, SCV_FUNCTION_ALIAS
from . import naming
from .modes import RULES, ColdStartMitigation, DeployMode
from .org import Org, SalesforceOrg
from .sections import Monitoring
from .types import (
    CONNECT_INSTANCE_ARN,
    NAME_PATTERN,
    AccountId,
    ApiName,
    ConfigError,
    ConnectInstanceArn,
    ContactCenterName,
    FunctionName,
    KmsKeyArn,
    LogRetentionDays,
    ManagedPolicyArn,
    Region,
    RoleArn,
    RoleNamePrefix,
    Tags,
)

#: A cap on the invoker's concurrency, so a call flood (or many looping flows) is throttled by Lambda before it
#: spends the org's daily API allowance; a throttled call takes the flow's error branch. 25 at once serve far more
#: invocations a second than a contact center's Connect quota of concurrent calls makes at a few lookups per call,
#: and 25 is also Salesforce's limit of concurrent long-running API requests in a production org. Lower it for a
#: small org's allowance; null removes the cap (an account whose whole Lambda quota is 10 cannot reserve any).
DEFAULT_RESERVED_CONCURRENCY = 25


class ContactCenter(SalesforceOrg):
    """One Amazon Connect contact center wired to its Salesforce org (and optionally further ``orgs``)."""

    name: ContactCenterName = Field(description="the ${cc} prefix of every resource name")
    call_center_api_name: ApiName = Field(description="SCV call center API name")
    orgs: list[Org] = Field(default_factory=list, description="further orgs the invoker may call (multi-org, DR)")
    org_from_contact_attributes: bool = Field(
        default=True,
        description="whether the contact attributes secretName/accessTokenSecretName may pick the org, as SCV's "
        "multi-org flows set them (false: only the Invoke block's parameters may)",
    )
    connect_instance_arn: ConnectInstanceArn | None = None
    associate_with_connect: bool = Field(
        default=True, description="false where the function is already associated with the instance by hand"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_retention_days: LogRetentionDays = 90
    kms_key_arn: KmsKeyArn | None = None
    restrict_secret_reads: bool = Field(
        default=True,
        description="a resource policy on the secrets this stack makes: only its functions and break_glass_role_arn "
        "may read the values",
    )
    break_glass_role_arn: RoleArn | None = Field(
        default=None, description="the IAM role operators assume to read the secrets (scvctl) when reads are restricted"
    )
    permissions_boundary_arn: ManagedPolicyArn | None = Field(
        default=None, description="managed policy applied as the permissions boundary of every role of the stack"
    )
    role_name_prefix: RoleNamePrefix | None = Field(
        default=None, description="name every role <prefix><cc>-<unit> (default: names CloudFormation generates)"
    )
    tags: Tags = Field(default_factory=dict, description="tags on every taggable resource of the stack")
    account: AccountId | None = None
    region: Region | None = Field(default=None, description="default: connect_instance_arn's region")
    mode: DeployMode = Field(
        default=DeployMode.GREENFIELD,
        description="greenfield, beside (our function next to SCV's) or companion (SCV's function, our credentials)",
    )
    function_name: FunctionName = Field(
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
    # Lambda bills a warm call's wait for Salesforce times the memory size, and its CPU share follows the memory. The
    # default is issue #30's rule: the cheapest size, at a 150 ms Salesforce round trip, whose cold start with a cached
    # token stays within 1 s and whose cold start that mints a token within 2 s. That is the smallest size Lambda
    # offers, and it costs less than Salesforce's own function (benchmarks/RESULTS.md, section 8); a larger one buys
    # faster cold starts, not faster warm calls
    memory_size_mb: int = Field(default=128, ge=128, le=3008)
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
        match = CONNECT_INSTANCE_ARN.fullmatch(raw["connect_instance_arn"].strip())
        return {**raw, "region": match["region"]} if match else raw

    @model_validator(mode="before")
    @classmethod
    def _function_name_of_the_mode(cls, raw: Any) -> Any:
        """The mode's default name. Derived only from a valid name: an invalid one is reported once, against
        ``name``, not again against a function_name never written."""
        if not isinstance(raw, Mapping) or raw.get("function_name") or not isinstance(raw.get("name"), str):
            return raw
        if not NAME_PATTERN.fullmatch(raw["name"].strip()):
            return raw
        beside = raw.get("mode") == DeployMode.BESIDE
        return {**raw, "function_name": naming.default_function_name(raw["name"].strip(), beside=beside)}

    @model_validator(mode="after")
    def _keeps_its_rules(self) -> ContactCenter:
        for rule in RULES:
            rule(self)
        return self

    def differs_from_default(self, setting: str) -> bool:
        """Whether ``setting`` holds other than its default (stated in the config or not)."""
        return bool(getattr(self, setting) != type(self).model_fields[setting].get_default(call_default_factory=True))

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
        update: dict[str, Any] = {field: getattr(org, field) for field in SalesforceOrg.model_fields}
        update["call_center_api_name"] = self.org_call_center_api_name(org)
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
        return naming.scv_function_name(self.name)

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
        return naming.log_group_name(self.function_name)

    @property
    def stack_name(self) -> str:
        """CloudFormation stack names allow no underscore, contact-center names may have one."""
        return constants.stack_name(self.name)

    @property
    def certificate_common_name(self) -> str:
        return self.certificate.common_name or constants.certificate_common_name(self.name)

    @property
    def connect_region(self) -> str | None:
        match = CONNECT_INSTANCE_ARN.fullmatch(self.connect_instance_arn or "")
        return match["region"] if match else None

    @property
    def connect_account(self) -> str | None:
        match = CONNECT_INSTANCE_ARN.fullmatch(self.connect_instance_arn or "")
        return match["account"] if match else None
