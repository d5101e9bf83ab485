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

List, switch and restore share the same flow discovery and backup format; the content rewrite itself is in
flow_content.py.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from scv_salesforce.constants import SCV_FUNCTION_ALIAS

from scvctl import aws
from scvctl.account import STACK_NAME_TAG
from scvctl.console import note, say
from scvctl.errors import CliError, translate
from scvctl.flow_content import FlowContentError, FunctionArn, invoked_functions, parse_flow, repoint
from scvctl.runtime import Runtime

#: the stack output naming what Connect must invoke (infra/salesforce_rest_api.py)
INVOKER_OUTPUT = "InvokerFunctionArn"
OURS, SCV = "ours", "scv"
_BACKUP_FIELDS = ("instance_id", "flow_id", "name", "content")
#: what the switch wrote, kept beside the original so restore can tell whether the flow changed since
SWITCHED_CONTENT = "switched_content"
#: DescribeContactFlow's answer for a flow that was saved but never published
_NOT_PUBLISHED = "ContactFlowNotPublishedException"
#: DescribeContactFlow's suffix for a flow's latest saved version, published or not
_SAVED = ":$SAVED"


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    type: str
    content: str
    #: the stack that made the flow (our stack's sample flows are its to change)
    stack: str | None
    functions: tuple[FunctionArn, ...]
    #: the saved, unpublished version when it differs from the published one (an update would publish over it)
    draft: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.type}, {self.id})"


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
    instance_id = _instance_id(runtime)
    found = [flow for flow in _read_flows(runtime, instance_id) if _roles(runtime, flow)]
    names = " or ".join(dict.fromkeys([runtime.contact_center.scv_function_name, runtime.contact_center.function_name]))
    if not found:
        say(f"No contact flow of instance {instance_id} invokes {names}.")
        return 0
    say(f"Contact flows of instance {instance_id} that invoke {names}:")
    for flow in found:
        made_by = " [made by our stack]" if flow.stack == runtime.contact_center.stack_name else ""
        say(f"  {flow.label}{made_by}")
        for arn, role in _roles(runtime, flow):
            say(f"    {_ROLE_TEXT[role]}: {arn}")
    return 0


_ROLE_TEXT = {SCV: "Service Cloud Voice's function", OURS: "our function"}


def run_switch(args: argparse.Namespace, runtime: Runtime) -> int:
    instance_id = _instance_id(runtime)
    if args.restore:
        return _restore(runtime, instance_id, args.restore, apply=args.apply, force=args.force)
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
        say(f"No contact flow of instance {instance_id} invokes {_ROLE_TEXT[source]}: nothing to switch.")
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
    backup_dir = _write_backups(runtime, instance_id, plan, args.backup_dir)
    _apply(runtime, instance_id, plan, backup_dir)
    say(
        f"Switched {len(plan)} flow{'s' * (len(plan) != 1)} to {target}. Undo with: "
        f"scvctl flows switch {contact_center.name} --restore {backup_dir}"
    )
    return 0


def _instance_id(runtime: Runtime) -> str:
    arn = runtime.contact_center.connect_instance_arn
    if not arn:
        raise CliError(
            f"contact center {runtime.contact_center.name} has no connect_instance_arn in contact_centers.yaml: "
            "set it to the Connect instance whose flows to read"
        )
    return arn.rsplit("/", 1)[1]


def _read_flows(runtime: Runtime, instance_id: str) -> list[Flow]:
    connect = aws.connect_client(runtime.session)
    flows = []
    for page in connect.get_paginator("list_contact_flows").paginate(InstanceId=instance_id):
        for summary in page["ContactFlowSummaryList"]:
            try:
                flow = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=summary["Id"])["ContactFlow"]
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != _NOT_PUBLISHED:
                    raise
                note(f"flow {summary['Name']} ({summary['Id']}): never published, so not read (publish it first)")
                continue
            content = flow.get("Content", "")
            draft = _draft(connect, instance_id, flow["Id"], content)
            functions = tuple(invoked_functions(parse_flow(content, flow["Name"]))) if content else ()
            tags = flow.get("Tags") or {}
            flows.append(
                Flow(
                    flow["Id"],
                    flow["Name"],
                    flow.get("Type", "CONTACT_FLOW"),
                    content,
                    tags.get(STACK_NAME_TAG),
                    functions,
                    draft,
                )
            )
    return flows


def _draft(connect: Any, instance_id: str, flow_id: str, published: str) -> str | None:
    """The flow's saved version when it differs from the published one, else None."""
    saved = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id + _SAVED)["ContactFlow"]
    content = saved.get("Content", "")
    return None if _same(content, published) else content


def _same(first: str, second: str) -> bool:
    """The same flow: equal as JSON (Connect may store the content with other spacing), or as text."""
    try:
        return first == second or json.loads(first) == json.loads(second)
    except ValueError:
        return False


def _roles(runtime: Runtime, flow: Flow) -> list[tuple[FunctionArn, str]]:
    """The flow's invocations of SCV's function or ours (in the instance's account and region). Under SCV's name,
    the function is ours where the stack deploys one (greenfield), SCV's where it keeps SCV's (companion)."""
    contact_center = runtime.contact_center
    found = []
    for arn in flow.functions:
        if arn.region != contact_center.connect_region or arn.account != contact_center.connect_account:
            continue
        if arn.name == contact_center.function_name and contact_center.ships_function:
            found.append((arn, OURS))
        elif arn.name == contact_center.scv_function_name:
            found.append((arn, SCV))
    return found


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


def _plan(runtime: Runtime, instance_id: str, source: str, target: str) -> list[tuple[Flow, dict[str, str], str]]:
    """(flow, old ARN → new ARN, new content) of every flow to change; nothing is written yet."""
    plan = []
    for flow in _read_flows(runtime, instance_id):
        replacements = {
            str(arn): target for arn, role in _roles(runtime, flow) if role == source and str(arn) != target
        }
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


def _write_backups(
    runtime: Runtime, instance_id: str, plan: list[tuple[Flow, dict[str, str], str]], backup_dir: Path | None
) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = backup_dir or Path(f"flows-backup-{runtime.contact_center.name}-{stamp}")
    if directory.exists() and any(directory.iterdir()):
        raise CliError(f"backup directory {directory} is not empty (an earlier backup?): choose another --backup-dir")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for flow, _, switched in plan:
            backup = {
                "instance_id": instance_id,
                "flow_id": flow.id,
                "name": flow.name,
                "content": flow.content,
                SWITCHED_CONTENT: switched,
            }
            path = directory / f"{flow.id}.json"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump(backup, file, ensure_ascii=False, indent=2)
    except OSError as error:
        raise CliError(f"could not write the backups to {directory}: {error.strerror}; no flow was changed") from None
    runtime.changed(f"backed up {len(plan)} flows to {directory}")
    say(f"Backed up {len(plan)} flow{'s' * (len(plan) != 1)} to {directory}")
    return directory


def _apply(runtime: Runtime, instance_id: str, plan: list[tuple[Flow, dict[str, str], str]], backup_dir: Path) -> None:
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
    published, draft = _read_one(connect, instance_id, flow.id)
    return draft is not None or not _same(published, flow.content)


def _read_one(connect: Any, instance_id: str, flow_id: str) -> tuple[str, str | None]:
    """A flow's published content and its draft (None without unpublished changes)."""
    published = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"]
    content = published.get("Content", "")
    return content, _draft(connect, instance_id, flow_id, content)


def _put_back(connect: Any, instance_id: str, flow: Flow) -> bool:
    try:
        connect.update_contact_flow_content(InstanceId=instance_id, ContactFlowId=flow.id, Content=flow.content)
    except (ClientError, BotoCoreError):
        return False
    return True


def _restore(runtime: Runtime, instance_id: str, directory: Path, *, apply: bool, force: bool) -> int:
    backups = [_read_backup(path, instance_id) for path in sorted(directory.glob("*.json"))]
    if not backups:
        raise CliError(f"{directory} holds no flow backup (*.json written by flows switch --apply)")
    connect = aws.connect_client(runtime.session)
    to_restore, refused = [], []
    for backup in backups:
        label = f"{backup['name']} ({backup['flow_id']})"
        problem = _changed_since_the_switch(connect, instance_id, backup)
        if problem == _ALREADY_RESTORED:
            say(f"{label}: holds its backed-up content already, left as it is")
            continue
        if problem:
            refused.append(f"{label}: {problem}")
            say(f"{label}: {problem}" + ("; --force: restoring it anyway" if force else ""))
            if not force:
                continue
        else:
            say(f"{label}: unchanged since the switch, restore")
        to_restore.append((label, backup))
    command = f"scvctl flows switch {runtime.contact_center.name} --restore {directory}"
    if refused and not force:
        stop = "nothing was restored" if apply else "nothing was changed"
        raise CliError(
            f"{len(refused)} flow{'s' * (len(refused) != 1)} changed since the switch ({'; '.join(refused)}); {stop}. "
            f"Restoring would discard those changes: re-apply them after restoring, or add --force to {command} --apply"
        )
    if not apply:
        say(
            f"Dry run: {len(to_restore)} flow{'s' * (len(to_restore) != 1)} would be restored; nothing was changed. "
            f"Apply with: {command} --apply"
        )
        return 0
    restored: list[str] = []
    for label, backup in to_restore:
        try:
            connect.update_contact_flow_content(
                InstanceId=instance_id, ContactFlowId=backup["flow_id"], Content=backup["content"]
            )
        except (ClientError, BotoCoreError) as error:
            raise CliError(
                f"restoring flow {label} failed ({translate(error)}); restored before it: "
                f"{', '.join(restored) or 'none'}; run the same command again to restore the rest"
            ) from None
        restored.append(label)
        runtime.changed(f"flow {label} restored")
        say(f"Restored {label}")
    say(f"Restored {len(restored)} flow{'s' * (len(restored) != 1)} from {directory}.")
    return 0


_ALREADY_RESTORED = "already restored"


def _changed_since_the_switch(connect: Any, instance_id: str, backup: dict[str, str]) -> str | None:
    """Why the flow may not be put back blindly (None: it holds exactly what the switch wrote), read just before
    the restore writes anything."""
    try:
        published, draft = _read_one(connect, instance_id, backup["flow_id"])
    except (ClientError, BotoCoreError) as error:
        raise CliError(f"reading flow {backup['name']} ({backup['flow_id']}) failed ({translate(error)}); "
                       "nothing was restored") from None  # fmt: skip
    if draft is not None:
        return "it has unpublished changes, which a restore would publish over"
    if _same(published, backup["content"]):
        return _ALREADY_RESTORED
    switched = backup.get(SWITCHED_CONTENT)
    if not isinstance(switched, str):
        return "this backup does not hold what the switch wrote (an older scvctl), so later edits cannot be told"
    if not _same(published, switched):
        return "it was edited since the switch"
    return None


def _read_backup(path: Path, instance_id: str) -> dict[str, str]:
    try:
        backup = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CliError(f"flow backup {path} cannot be read: {error}; nothing was restored") from None
    if not isinstance(backup, dict) or not all(isinstance(backup.get(key), str) for key in _BACKUP_FIELDS):
        raise CliError(f"{path} is not a flow backup written by flows switch --apply; nothing was restored")
    if backup["instance_id"] != instance_id:
        raise CliError(
            f"{path} is a flow of Connect instance {backup['instance_id']}, not of this contact center's "
            f"{instance_id}; nothing was restored"
        )
    return backup
