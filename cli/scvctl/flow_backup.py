"""The backups of flows switch --apply, and --restore from them: one JSON file per flow holding the flow as it was
and as the switch wrote it, so a restore puts back only flows that still hold exactly what the switch wrote
(one edited since, or with a draft, is refused unless --force: an old backup must not silently discard edits)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from scvctl import aws
from scvctl.connect_flows import Flow, read_one, same
from scvctl.console import say
from scvctl.errors import CliError, translate
from scvctl.runtime import Runtime

#: what the switch wrote, kept beside the original so restore can tell whether the flow changed since
SWITCHED_CONTENT = "switched_content"
_BACKUP_FIELDS = ("instance_id", "flow_id", "name", "content")
#: each flow the switch changes: the flow as read, old ARN → new ARN, and the content it writes
SwitchPlan = list[tuple[Flow, dict[str, str], str]]


def write_backups(runtime: Runtime, instance_id: str, plan: SwitchPlan, backup_dir: Path | None) -> Path:
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


def restore(runtime: Runtime, instance_id: str, directory: Path, *, apply: bool, force: bool) -> int:
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
        published, draft = read_one(connect, instance_id, backup["flow_id"])
    except (ClientError, BotoCoreError) as error:
        raise CliError(f"reading flow {backup['name']} ({backup['flow_id']}) failed ({translate(error)}); "
                       "nothing was restored") from None  # fmt: skip
    if draft is not None:
        return "it has unpublished changes, which a restore would publish over"
    if same(published, backup["content"]):
        return _ALREADY_RESTORED
    switched = backup.get(SWITCHED_CONTENT)
    if not isinstance(switched, str):
        return "this backup does not hold what the switch wrote (an older scvctl), so later edits cannot be told"
    if not same(published, switched):
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
