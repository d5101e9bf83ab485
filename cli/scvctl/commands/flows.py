"""``scvctl flows list`` and ``flows switch``: the contact flows that invoke SCV's function or ours, and moving
them from one to the other (mode beside) without editing flows by hand.

``switch`` is a dry run unless ``--apply``: it prints each flow's change. With ``--apply`` it first writes every
flow it will change to a backup directory (the flow as it was and as the switch writes it), then updates the
flows one by one (Connect's UpdateContactFlowContent), each read again just before its update: one edited since
the plan read it stops the command. Should an update fail, that flow is put back from its backup and the command
says which flows were switched before it. Only the ``LambdaFunctionARN`` strings change
(:mod:`scvctl.flow_content`); flows our own stack made are left to it.

An update publishes, so a flow with unpublished changes (its ``$SAVED`` version differs from the published one)
is never switched: the draft would be published unseen, or lost on restore.

``--restore DIR`` is a dry run too unless ``--apply``. It reads each backed-up flow again and puts back only
flows that still hold exactly what the switch wrote: one edited since (or with a draft) is refused, and nothing
is restored, unless ``--force`` (an old backup must not silently discard later edits).

Targets: ours is the stack's output ``InvokerFunctionArn`` (the function, or its ``live`` alias when cold
starts are mitigated), as Connect must call it; SCV's is its function's ``active`` alias, which holds SCV's
permission for Connect to invoke it.

List, switch and restore share the flow discovery (connect_flows.py); the backups and the restore are in
flow_backup.py, the content rewrite itself in flow_content.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from scv_salesforce.constants import SCV_FUNCTION_ALIAS

from scvctl import aws
from scvctl.connect_flows import OURS, ROLE_TEXT, SCV, Flow, connect_instance_id, read_flows, read_one, roles, same
from scvctl.console import note, say
from scvctl.errors import CliError, translate
from scvctl.flow_backup import SwitchPlan, restore, write_backups
from scvctl.flow_content import FlowContentError, FunctionArn, repoint
from scvctl.runtime import Runtime

#: the stack output naming what Connect must invoke (infra/salesforce_rest_api.py)
INVOKER_OUTPUT = "InvokerFunctionArn"


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    flows = commands.add_parser("flows", help="contact flows invoking SCV's function or ours; switch between them")
    actions = flows.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[common], help="the flows that invoke SCV's function or ours")
    listing.set_defaults(handler=run_list)
    switch = actions.add_parser(
        "switch",
        parents=[common],
        help="point the flows at our function or SCV's (a dry run unless --apply), or --restore a backup",
    )
    target = switch.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", choices=(OURS, SCV), help="the function the flows should invoke")
    target.add_argument(
        "--restore", type=Path, metavar="DIR", help="put back the flows backed up in DIR (a dry run unless --apply)"
    )
    switch.add_argument("--apply", action="store_true", help="change the flows (default: print the changes only)")
    switch.add_argument(
        "--force",
        action="store_true",
        help="with --restore: also put back flows edited since the switch (their edits are lost)",
    )
    switch.add_argument(
        "--backup-dir", type=Path, metavar="DIR", help="where --apply backs the flows up (default: a new dated dir)"
    )
    switch.set_defaults(handler=run_switch)


def run_list(args: argparse.Namespace, runtime: Runtime) -> int:
    instance_id = connect_instance_id(runtime)
    found = [flow for flow in read_flows(runtime, instance_id) if roles(runtime, flow)]
    names = " or ".join(dict.fromkeys([runtime.contact_center.scv_function_name, runtime.contact_center.function_name]))
    if not found:
        say(f"No contact flow of instance {instance_id} invokes {names}.")
        return 0
    say(f"Contact flows of instance {instance_id} that invoke {names}:")
    for flow in found:
        made_by = " [made by our stack]" if flow.stack == runtime.contact_center.stack_name else ""
        say(f"  {flow.label}{made_by}")
        for arn, role in roles(runtime, flow):
            say(f"    {ROLE_TEXT[role]}: {arn}")
    return 0


def run_switch(args: argparse.Namespace, runtime: Runtime) -> int:
    instance_id = connect_instance_id(runtime)
    if args.restore:
        return restore(runtime, instance_id, args.restore, apply=args.apply, force=args.force)
    contact_center = runtime.contact_center
    if contact_center.function_name == contact_center.scv_function_name:
        raise CliError(
            f"flows switch moves flows between Service Cloud Voice's function and ours beside it, but mode "
            f"{contact_center.mode} has one function, {contact_center.function_name}: set mode: beside to run ours "
            "next to SCV's"
        )
    target = _target(runtime, args.to)
    source = SCV if args.to == OURS else OURS
    plan = _plan(runtime, instance_id, source, target)
    if not plan:
        say(f"No contact flow of instance {instance_id} invokes {ROLE_TEXT[source]}: nothing to switch.")
        return 0
    for flow, replacements, _ in plan:
        say(f"{flow.label}:")
        for old, new in replacements.items():
            say(f"  {old} -> {new}")
    if not args.apply:
        say(
            f"Dry run: {len(plan)} flow{'s' * (len(plan) != 1)} would change; nothing was changed. "
            f"Apply with: scvctl flows switch {contact_center.name} --to {args.to} --apply"
        )
        return 0
    backup_dir = write_backups(runtime, instance_id, plan, args.backup_dir)
    _apply(runtime, instance_id, plan, backup_dir)
    say(
        f"Switched {len(plan)} flow{'s' * (len(plan) != 1)} to {target}. Undo with: "
        f"scvctl flows switch {contact_center.name} --restore {backup_dir}"
    )
    return 0


def _target(runtime: Runtime, to: str) -> str:
    contact_center = runtime.contact_center
    if to == SCV:
        try:
            return aws.read_client(runtime.session, "lambda").get_alias(
                FunctionName=contact_center.scv_function_name, Name=SCV_FUNCTION_ALIAS
            )["AliasArn"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            raise CliError(
                f"Service Cloud Voice's function {contact_center.scv_function_name} or its alias "
                f"{SCV_FUNCTION_ALIAS} was not found; SCV gives Connect the right to invoke that alias, so the flows "
                f"cannot go back to it: run scvctl preflight {contact_center.name}"
            ) from None
    stacks = aws.read_client(runtime.session, "cloudformation")
    try:
        outputs = stacks.describe_stacks(StackName=contact_center.stack_name)["Stacks"][0].get("Outputs", [])
    except ClientError as error:
        if "does not exist" not in str(error):
            raise
        outputs = []
    target = next((output["OutputValue"] for output in outputs if output["OutputKey"] == INVOKER_OUTPUT), None)
    parsed = FunctionArn.parse(target or "")
    if parsed is None or parsed.name != contact_center.function_name:
        raise CliError(
            f"stack {contact_center.stack_name} has no output {INVOKER_OUTPUT} naming {contact_center.function_name} "
            f"(not deployed in mode beside yet?): run make deploy CONTACT_CENTER={contact_center.name} first"
        )
    return str(parsed)


def _plan(runtime: Runtime, instance_id: str, source: str, target: str) -> SwitchPlan:
    """(flow, old ARN → new ARN, new content) of every flow to change; nothing is written yet."""
    plan = []
    for flow in read_flows(runtime, instance_id):
        replacements = {str(arn): target for arn, role in roles(runtime, flow) if role == source and str(arn) != target}
        if not replacements:
            continue
        if flow.stack == runtime.contact_center.stack_name:
            say(f"{flow.label}: skipped, our stack made it (a deploy sets its function)")
            continue
        if flow.draft is not None:
            say(
                f"{flow.label}: skipped, it has unpublished changes that an update would publish: publish or discard "
                "them in the flow designer, then switch again"
            )
            continue
        try:
            plan.append((flow, replacements, repoint(flow.content, replacements, flow.label)))
        except FlowContentError as error:
            raise CliError(str(error)) from None
    return plan


def _apply(runtime: Runtime, instance_id: str, plan: SwitchPlan, backup_dir: Path) -> None:
    connect = aws.connect_client(runtime.session)
    switched: list[Flow] = []
    for flow, _, content in plan:
        left = [other.label for other, _, _ in plan if other is not flow and other not in switched]
        if _edited_meanwhile(connect, instance_id, flow):
            raise CliError(
                f"flow {flow.label} changed after it was read (edited meanwhile), so it was not switched. Switched "
                f"before it: {', '.join(other.label for other in switched) or 'none'}. Not switched: "
                f"{', '.join(left) or 'none'}. Backups: {backup_dir}; run the switch again to read the flows anew"
            )
        try:
            connect.update_contact_flow_content(InstanceId=instance_id, ContactFlowId=flow.id, Content=content)
        except (ClientError, BotoCoreError) as error:
            put_back = _put_back(connect, instance_id, flow)
            state = (
                "it was put back from its backup"
                if put_back
                else f"putting it back failed too: run scvctl flows switch {runtime.contact_center.name} --restore "
                f"{backup_dir}"
            )
            raise CliError(
                f"updating flow {flow.label} failed ({translate(error)}); {state}. Switched before it: "
                f"{', '.join(other.label for other in switched) or 'none'}. Not switched: {', '.join(left) or 'none'}. "
                f"Backups: {backup_dir}"
            ) from None
        except KeyboardInterrupt:
            note(
                f"interrupted while updating flow {flow.label}; switched before it: "
                f"{', '.join(other.label for other in switched) or 'none'}. Backups: {backup_dir}"
            )
            raise
        switched.append(flow)
        runtime.changed(f"flow {flow.label} switched")
        say(f"Switched {flow.label}")


def _edited_meanwhile(connect: Any, instance_id: str, flow: Flow) -> bool:
    """The flow as Connect holds it now differs from what the plan read (or has gained a draft): someone edited
    it since, and the planned content would discard that edit."""
    published, draft = read_one(connect, instance_id, flow.id)
    return draft is not None or not same(published, flow.content)


def _put_back(connect: Any, instance_id: str, flow: Flow) -> bool:
    try:
        connect.update_contact_flow_content(InstanceId=instance_id, ContactFlowId=flow.id, Content=flow.content)
    except (ClientError, BotoCoreError):
        return False
    return True
