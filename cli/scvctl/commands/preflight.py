"""``scvctl preflight``: before the first ``cdk deploy`` into an account, what is already there and which mode fits.

Most accounts our users deploy into already run Service Cloud Voice, whose stacks made the function, the
secrets and the log group under the very names this stack would create. preflight reads them with the
operator's own credentials (read calls only, before any CloudFormation change; ``make deploy`` runs it first),
prints what it found (never a secret value: JSON key names only), the modes that would deploy cleanly and the
config they need, and every conflict of the configured mode, one line each with its fix; then the warnings
(what deploys cleanly but would not work as meant, such as an alarm topic no alarm can reach), which leave the
exit status as it is.

Exit status: 0 the configured mode would deploy cleanly, 1 it would conflict, 2 the account could not be read
(no credentials, access denied, AWS unreachable): then nothing can be said about it.
"""

from __future__ import annotations

import argparse
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from scv_salesforce.constants import PREFLIGHT_KEY_NAME_ACTIONS, PREFLIGHT_READ_ACTIONS

from scvctl.account import SNS_MANAGED_KEY_ALIAS, AlarmTopic, Function, Secret, Survey, survey
from scvctl.console import say
from scvctl.deploy_fit import Conflict, Fit, conflicts, deploy_warnings, fits, owner
from scvctl.errors import NO_CREDENTIALS, CliError, translate
from scvctl.runtime import Runtime

#: preflight's status when it could not read the account (so could not judge it)
UNREADABLE_STATUS = 2
_ACCESS_DENIED_CODES = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException")
#: what preflight reads, for the access-denied message
READ_PERMISSIONS = (
    f"{', '.join(PREFLIGHT_READ_ACTIONS)}; optionally {PREFLIGHT_KEY_NAME_ACTIONS[0]} to list the secrets' JSON key "
    f"names ({PREFLIGHT_KEY_NAME_ACTIONS[1]} for a customer key)"
)


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    preflight = commands.add_parser(
        "preflight",
        parents=[common],
        help="read the account before deploying: what SCV already made, which mode fits, every conflict",
        description="Read-only. Exit 0: the configured mode deploys cleanly; 1: it conflicts (each conflict is "
        "listed with its fix); 2: the account could not be read.",
    )
    preflight.set_defaults(handler=run_preflight)


def run_preflight(args: argparse.Namespace, runtime: Runtime) -> int:
    contact_center = runtime.contact_center
    found = _read(runtime)
    configured = conflicts(contact_center, found)
    say(
        f"Preflight of contact center {contact_center.name} in account {found.account} ({found.region}), "
        f"configured mode: {contact_center.mode} (read only: nothing was changed)"
    )
    _print_survey(contact_center, found)
    _print_fits(contact_center, fits(contact_center, found))
    status = _print_result(contact_center, configured)
    for warning in deploy_warnings(found):
        say(f"Warning: {warning}")
    return status


def _read(runtime: Runtime) -> Survey:
    """The survey, or exit status 2 with one sentence on why the account could not be read."""
    try:
        return survey(runtime.session, runtime.contact_center)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _ACCESS_DENIED_CODES:
            raise CliError(
                f"access denied: {error.operation_name} ({code}); preflight needs read access: {READ_PERMISSIONS}",
                UNREADABLE_STATUS,
            ) from None
        raise _unreadable(error) from None
    except (CliError, BotoCoreError) as error:  # no credentials, no region, AWS unreachable
        raise _unreadable(error) from None


def _unreadable(error: Exception) -> CliError:
    translated = translate(error)
    message = str(translated) if translated else NO_CREDENTIALS
    return CliError(f"the account could not be read, so preflight cannot judge it: {message}", UNREADABLE_STATUS)


def _print_survey(contact_center: Any, found: Survey) -> None:
    stack = found.stack
    say(f"Stack {stack.name}: {stack.status or 'not deployed'}")
    for function in found.functions:
        say(
            f"Function {function.name}{_function_role(contact_center, function.name)}: "
            f"{_function_text(function, found)}"
        )
    for secret in found.secrets:
        say(f"Secret {secret.name}: {_secret_text(secret, found)}")
    for group in found.log_groups:
        text = f"exists ({owner(group.stack, found)})" if group.exists else "not found"
        say(f"Log group {group.name}: {text}")
    if found.alarm_topic is not None:
        say(f"Alarm topic {found.alarm_topic.arn}: {_alarm_topic_text(found.alarm_topic)}")
    connect = found.connect
    if connect is None:
        say("Connect instance: none configured (connect_instance_arn), so no association was read")
    elif connect.associated_functions is None:
        say(f"Connect instance {connect.instance_id}: not found")
    else:
        count = len(connect.associated_functions)
        say(f"Connect instance {connect.instance_id}: {count} Lambda function{'s' * (count != 1)} associated")
        for arn in connect.associated_functions:
            say(f"  {arn}{_association_role(contact_center, arn, found)}")


def _alarm_topic_text(topic: AlarmTopic) -> str:
    if not topic.exists:
        return "not found"
    if topic.aws_managed_key:
        return f"exists, KMS: AWS managed key {SNS_MANAGED_KEY_ALIAS}"
    return f"exists, KMS: {topic.kms_key}" if topic.kms_key else "exists, not encrypted"


def _function_role(contact_center: Any, name: str) -> str:
    if name == contact_center.scv_function_name:
        return " (SCV's name, and ours in mode greenfield)"
    return " (ours in mode beside)"


def _association_role(contact_center: Any, arn: str, found: Survey) -> str:
    name = arn.split(":function:", 1)[-1].split(":", 1)[0]
    known = next((function for function in found.functions if function.name == name), None)
    if known is not None and found.owned_by_our_stack(known.stack):
        return " (our function)"
    return " (Service Cloud Voice's function)" if name == contact_center.scv_function_name else ""


def _function_text(function: Function, found: Survey) -> str:
    if not function.exists:
        return "not found"
    aliases = f", aliases: {', '.join(function.aliases)}" if function.aliases else ""
    return f"exists, runtime {function.runtime}, {owner(function.stack, found)}{aliases}"


def _secret_text(secret: Secret, found: Survey) -> str:
    if not secret.exists:
        return "not found"
    if secret.scheduled_for_deletion:
        return f"scheduled for deletion ({owner(secret.stack, found)})"
    key = (
        f"customer key {secret.customer_kms_key_arn}"
        if secret.customer_kms_key_arn
        else "AWS managed key aws/secretsmanager"
    )
    if secret.keys_unreadable:
        keys = f"(not readable with these credentials: {PREFLIGHT_KEY_NAME_ACTIONS[0]} lists them)"
    else:
        keys = ", ".join(secret.keys) if secret.keys is not None else "(no JSON object value)"
    return f"exists, {owner(secret.stack, found)}, KMS: {key}; JSON keys: {keys}"


def _print_fits(contact_center: Any, found: list[Fit]) -> None:
    if not found:
        say("No mode deploys cleanly into this account as it is: see the conflicts below.")
        return
    say(f"Modes that would deploy cleanly (contact_centers.yaml, contact center {contact_center.name}):")
    for fit in found:
        settings = [f"mode: {fit.mode}", *(f"{key}: {_yaml(value)}" for key, value in fit.settings.items())]
        say(f"  {fit.mode}: {_MODE_MEANING[fit.mode]}")
        say(f"    {'; '.join(settings)}")


_MODE_MEANING = {
    "greenfield": "our stack makes (or adopts) the secrets and deploys our function under the setup guide's name",
    "beside": "our function runs next to SCV's over SCV's secrets; move the flows with scvctl flows switch",
    "companion": "SCV's function keeps serving the flows; our stack manages and monitors its credentials",
}


def _yaml(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _print_result(contact_center: Any, found: list[Conflict]) -> int:
    if not found:
        say(f"OK: mode {contact_center.mode} would deploy cleanly (make deploy CONTACT_CENTER={contact_center.name}).")
        return 0
    say(f"Conflicts of the configured mode {contact_center.mode} ({len(found)}):")
    for conflict in found:
        say(f"  - {conflict}")
    say(
        "Not deployable as configured: fix contact_centers.yaml as above and run "
        f"scvctl preflight {contact_center.name} again."
    )
    return 1
