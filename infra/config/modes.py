"""How a contact center meets its account (the deploy modes), and the rules a whole contact center must keep.

Each rule reads the validated contact center and raises the one-line ``ValueError`` for a contradiction that
single fields cannot see; ``ContactCenter`` (contact_center.py) runs them in ``RULES``' order, so the first
broken one is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from ..constants import BESIDE_FUNCTION_NAME_SUFFIX
from .org import Org
from .types import CONNECT_INSTANCE_ARN, is_sandbox_url


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


class ContactCenterView(Protocol):
    """What the rules read of a contact center (contact_center.py's model, which runs them: imports point one way)."""

    name: str
    mode: DeployMode
    function_name: str
    adopt_existing_secrets: bool
    salesforce_url: str
    sandbox: bool
    audience: str | None
    connect_instance_arn: str | None
    region: str | None
    account: str | None
    cold_start: ColdStartMitigation
    provisioned_concurrency: int
    reserved_concurrency: int | None
    orgs: list[Org]

    @property
    def scv_function_name(self) -> str: ...

    @property
    def model_fields_set(self) -> set[str]: ...

    def differs_from_default(self, setting: str) -> bool: ...


#: settings of our function, which mode companion does not deploy
_OUR_FUNCTIONS_SETTINGS = (
    "adopt_log_group",
    "cold_start",
    "memory_size_mb",
    "orgs",
    "org_from_contact_attributes",
    "provisioned_concurrency",
    "rotation_days",
)


def provisioned_fits_reserved(cc: ContactCenterView) -> None:
    if cc.cold_start is ColdStartMitigation.PROVISIONED and cc.reserved_concurrency is not None:
        if cc.provisioned_concurrency > cc.reserved_concurrency:
            raise ValueError(
                f"provisioned_concurrency {cc.provisioned_concurrency} is more than reserved_concurrency "
                f"{cc.reserved_concurrency}: Lambda provisions only within the reservation; raise "
                "reserved_concurrency or lower provisioned_concurrency"
            )


def sandbox_matches_url(cc: ContactCenterView) -> None:
    if not cc.sandbox and cc.audience is None and is_sandbox_url(cc.salesforce_url):
        raise ValueError(
            f"salesforce_url {cc.salesforce_url} is a sandbox but sandbox is false, so sign-in would fail with "
            "'audience is invalid': set sandbox: true (or remove the line: a sandbox URL implies it)"
        )


def connect_matches_environment(cc: ContactCenterView) -> None:
    match = CONNECT_INSTANCE_ARN.fullmatch(cc.connect_instance_arn or "")
    if not match:
        return
    if cc.region and match["region"] != cc.region:
        raise ValueError(
            f"connect_instance_arn is in {match['region']} but region is {cc.region}: "
            "the function must be in the instance's region"
        )
    if cc.account and match["account"] != cc.account:
        raise ValueError(f"connect_instance_arn belongs to account {match['account']} but account is {cc.account}")


def beside_needs_its_own_function_name(cc: ContactCenterView) -> None:
    if cc.mode is DeployMode.BESIDE and cc.function_name == cc.scv_function_name:
        raise ValueError(
            f"mode beside runs our function next to SCV's {cc.scv_function_name}, so it needs another function_name: "
            f"remove function_name (default {cc.name}{BESIDE_FUNCTION_NAME_SUFFIX}), or choose mode: companion "
            "to keep SCV's function alone"
        )


def scv_modes_adopt_the_secrets(cc: ContactCenterView) -> None:
    stated = "adopt_existing_secrets" in cc.model_fields_set
    if cc.mode is not DeployMode.GREENFIELD and stated and not cc.adopt_existing_secrets:
        raise ValueError(
            f"adopt_existing_secrets: false contradicts mode {cc.mode}: SCV made the secrets, which "
            "beside and companion always adopt; remove the line"
        )


def companion_configures_no_function(cc: ContactCenterView) -> None:
    if cc.mode is not DeployMode.COMPANION:
        return
    ours_only = [name for name in _OUR_FUNCTIONS_SETTINGS if cc.differs_from_default(name)]
    if ours_only:
        verb = "configures" if len(ours_only) == 1 else "configure"
        raise ValueError(
            f"{', '.join(ours_only)} {verb} our function, which mode companion does not deploy (SCV's "
            "function runs): remove it, or choose mode: beside to run ours next to SCV's"
        )


def unique_orgs(cc: ContactCenterView) -> None:
    seen: set[str] = set()
    for org in cc.orgs:
        if org.construct_suffix.lower() in seen:
            raise ValueError(f"org {org.name!r} is declared twice (names differing only in case or '-' clash)")
        seen.add(org.construct_suffix.lower())


#: the rules in the order they are checked (each one reports the first contradiction it finds)
RULES: tuple[Callable[[ContactCenterView], None], ...] = (
    provisioned_fits_reserved,
    sandbox_matches_url,
    connect_matches_environment,
    beside_needs_its_own_function_name,
    scv_modes_adopt_the_secrets,
    companion_configures_no_function,
    unique_orgs,
)
