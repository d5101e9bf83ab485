"""Whether a contact center's configured mode would deploy cleanly into the account :mod:`scvctl.account` read,
and which modes (with which settings) would.

Each rule is about one resource the stack would create or adopt, and yields a :class:`Conflict` naming that
resource, what is wrong and the setting that fixes it. What our own live stack made (tagged with its name) is
never a conflict: deploying again updates it. A tagged resource whose stack is gone was left by an earlier
deploy (secrets are retained when a stack is deleted or a first deploy rolls back), and is adopted like SCV's.

Just over 250 lines: one rule per resource, kept side by side so a new resource's rule is written next to the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from scv_salesforce.config import ContactCenter, DeployMode
from scv_salesforce.config.naming import default_function_name

from scvctl.account import SNS_MANAGED_KEY_ALIAS, Function, Survey, secret_names
from scvctl.flow_content import FunctionArn

#: settings only a mode that deploys our function takes (the config's mode rules refuse them in companion)
_OUR_FUNCTION_SETTINGS = ("adopt_log_group", "cold_start", "provisioned_concurrency", "memory_size_mb", "orgs")


@dataclass(frozen=True)
class Finding:
    """One resource, what is wrong with it and the fix: one line of preflight's output."""

    resource: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.problem}: {self.fix}"


@dataclass(frozen=True)
class Conflict(Finding):
    """A resource that would make the deploy fail (or silently misbehave)."""

    #: config settings that resolve it without changing the mode (empty: the mode itself must change)
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeployWarning(Finding):
    """A resource that deploys cleanly but would not work as meant: reported, the deploy is not stopped."""


@dataclass(frozen=True)
class Fit:
    """A mode that would deploy cleanly, with the settings it needs beyond ``mode``."""

    mode: DeployMode
    settings: Mapping[str, Any]


def owner(stack: str | None, survey: Survey) -> str:
    """Who made a resource, as an administrator reads it."""
    if stack is None:
        return "not made by CloudFormation"
    if survey.owned_by_our_stack(stack):
        return f"our stack {stack}"
    if stack == survey.stack.name:
        return f"left by an earlier deploy of our stack {stack}, which is gone"
    return f"stack {stack}"


def conflicts(contact_center: ContactCenter, survey: Survey) -> list[Conflict]:
    """Every conflict of the configured mode with the account, in the order a reader checks them."""
    return [
        *_stack(survey),
        *(
            _our_function(contact_center, survey)
            if contact_center.ships_function
            else _scv_function(contact_center, survey)
        ),
        *(_log_group(contact_center, survey) if contact_center.ships_function else ()),
        *_secrets(contact_center, survey),
        *_association(contact_center, survey),
    ]


def deploy_warnings(survey: Survey) -> list[DeployWarning]:
    """What would deploy cleanly in any mode and still fail someone: an adopted alarm topic no alarm can reach."""
    topic = survey.alarm_topic
    if topic is None or (topic.exists and not topic.aws_managed_key):
        return []
    resource = f"alarm topic {topic.arn} (alarm_topic_arn)"
    if not topic.exists:
        return [DeployWarning(resource, "not found, so no alarm would reach anyone", "create it or correct the ARN")]
    return [
        DeployWarning(
            resource,
            f"encrypted with the AWS managed key {SNS_MANAGED_KEY_ALIAS}, which CloudWatch alarms cannot use, so no "
            "alarm would reach anyone",
            "encrypt it with a customer managed key whose key policy allows cloudwatch.amazonaws.com "
            "kms:Decrypt and kms:GenerateDataKey*, or remove alarm_topic_arn and set create_alarm_topic: true",
        )
    ]


def fits(contact_center: ContactCenter, survey: Survey) -> list[Fit]:
    """The modes that would deploy cleanly, each with the settings (adopt_*, kms_key_arn) it then needs.

    beside is offered only next to SCV's function: without one, greenfield is what serves the account.
    """
    found = []
    scv_function = survey.function(contact_center.scv_function_name)
    for mode in DeployMode:
        if mode is DeployMode.BESIDE and not (
            scv_function.exists and not survey.owned_by_our_stack(scv_function.stack)
        ):
            continue
        candidate = _as_mode(contact_center, mode, {})
        if candidate is None:
            continue
        first = conflicts(candidate, survey)
        if any(not conflict.settings for conflict in first):
            continue
        settings = {key: value for conflict in first for key, value in conflict.settings.items()}
        if settings:
            candidate = _as_mode(contact_center, mode, settings)
            if candidate is None or conflicts(candidate, survey):
                continue
        found.append(Fit(mode, settings))
    return found


def _as_mode(contact_center: ContactCenter, mode: DeployMode, settings: Mapping[str, Any]) -> ContactCenter | None:
    """The contact center as the config would declare it in ``mode`` (None: the config refuses that)."""
    raw = contact_center.model_dump(mode="json", exclude_unset=True)
    beside = contact_center.mode is DeployMode.BESIDE
    if raw.get("function_name") == default_function_name(contact_center.name, beside=beside):
        raw.pop("function_name")
    if mode is not DeployMode.GREENFIELD:
        raw.pop("adopt_existing_secrets", None)
    if mode is DeployMode.COMPANION:
        for setting in _OUR_FUNCTION_SETTINGS:
            raw.pop(setting, None)
    try:
        return ContactCenter.model_validate({**raw, **settings, "mode": mode.value})
    except ValidationError:
        return None


def _stack(survey: Survey) -> Iterator[Conflict]:
    stack = survey.stack
    status = stack.status or ""
    resource = f"stack {stack.name}"
    if status == "ROLLBACK_COMPLETE":
        yield Conflict(
            resource,
            "is ROLLBACK_COMPLETE (its first deploy failed) and cannot be updated",
            f"delete it (aws cloudformation delete-stack --stack-name {stack.name}); its secrets are retained and "
            "adopted with adopt_existing_secrets: true",
        )
    elif status.endswith("_IN_PROGRESS"):
        yield Conflict(resource, f"is {status}", "wait until it finishes, then run preflight again")
    elif status.endswith("_FAILED"):
        yield Conflict(resource, f"is {status}", "repair it in the CloudFormation console (continue the rollback)")


def _our_function(contact_center: ContactCenter, survey: Survey) -> Iterator[Conflict]:
    function = survey.function(contact_center.function_name)
    if not function.exists or survey.owned_by_our_stack(function.stack):
        return
    resource = f"function {function.name}"
    if function.name == contact_center.scv_function_name:
        yield Conflict(
            resource,
            f"exists ({_describe_function(function, survey)}): Service Cloud Voice's function",
            "set mode: companion (keep SCV's function) or mode: beside (run ours next to it)",
        )
    else:
        yield Conflict(
            resource,
            f"exists ({_describe_function(function, survey)})",
            "set another function_name, or delete that function",
        )


def _scv_function(contact_center: ContactCenter, survey: Survey) -> Iterator[Conflict]:
    function = survey.function(contact_center.scv_function_name)
    if not function.exists:
        yield Conflict(
            f"function {function.name}",
            "not found, and mode companion keeps Service Cloud Voice's function instead of deploying ours",
            "choose mode: greenfield",
        )


def _describe_function(function: Function, survey: Survey) -> str:
    return f"{owner(function.stack, survey)}, runtime {function.runtime}"


def _log_group(contact_center: ContactCenter, survey: Survey) -> Iterator[Conflict]:
    group = survey.log_group(contact_center.log_group_name)
    if group.exists and not survey.owned_by_our_stack(group.stack) and not contact_center.adopt_log_group:
        made_by = "Lambda made it on a first invocation" if group.stack is None else owner(group.stack, survey)
        yield Conflict(
            f"log group {group.name}",
            f"exists ({made_by}), so creating it would fail",
            "set adopt_log_group: true",
            {"adopt_log_group": True},
        )
    if not group.exists and contact_center.adopt_log_group:
        yield Conflict(
            f"log group {group.name}",
            "does not exist, and our function may write only to its own log group (not create one), so it would "
            "log nothing",
            "remove adopt_log_group (the stack then creates it)",
            {"adopt_log_group": False},
        )


def _secrets(contact_center: ContactCenter, survey: Survey) -> Iterator[Conflict]:
    for name in secret_names(contact_center):
        secret = survey.secret(name)
        resource = f"secret {name}"
        if secret.scheduled_for_deletion:
            yield Conflict(
                resource,
                "is scheduled for deletion, so its name cannot be used",
                f"restore it (aws secretsmanager restore-secret --secret-id {name}) and adopt it",
            )
        elif secret.exists and not survey.owned_by_our_stack(secret.stack):
            if not contact_center.adopts_secrets:
                yield Conflict(
                    resource,
                    f"exists ({owner(secret.stack, survey)}), so creating it would fail",
                    "set adopt_existing_secrets: true",
                    {"adopt_existing_secrets": True},
                )
            key = secret.customer_kms_key_arn
            if key and key != contact_center.kms_key_arn:
                yield Conflict(
                    resource,
                    f"is encrypted with the customer KMS key {key}, which our roles need to use",
                    f"set kms_key_arn: {key}",
                    {"kms_key_arn": key},
                )
        elif not secret.exists and contact_center.adopts_secrets:
            if contact_center.mode is DeployMode.GREENFIELD:
                yield Conflict(
                    resource,
                    "not found, but adopt_existing_secrets is true",
                    "remove adopt_existing_secrets (the stack then creates it), or create it per the setup guide",
                )
            else:
                yield Conflict(
                    resource,
                    f"not found, and mode {contact_center.mode} adopts the secrets Service Cloud Voice made",
                    "choose mode: greenfield",
                )


def _association(contact_center: ContactCenter, survey: Survey) -> Iterator[Conflict]:
    connect = survey.connect
    if connect is None:
        return
    if connect.associated_functions is None:
        yield Conflict(
            f"Connect instance {connect.instance_id}",
            f"not found in account {survey.account} ({survey.region})",
            "check connect_instance_arn (and the AWS profile and region)",
        )
        return
    if not contact_center.ships_function or not contact_center.associate_with_connect or survey.stack.live:
        return
    for associated in connect.associated_functions:
        arn = FunctionArn.parse(associated)
        if arn is not None and arn.name == contact_center.function_name and arn.region == survey.region:
            yield Conflict(
                f"Connect association {associated}",
                "exists already (made outside our stack), so making it again would fail",
                "set associate_with_connect: false",
                {"associate_with_connect": False},
            )
