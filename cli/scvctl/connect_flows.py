"""The contact flows of a contact center's Connect instance as flows list, switch and restore read them: each
flow's published content, its draft (a saved version that differs), the stack that made it, and which of its
invocations are of SCV's function or ours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from scvctl import aws
from scvctl.account import STACK_NAME_TAG
from scvctl.console import note
from scvctl.errors import CliError
from scvctl.flow_content import FunctionArn, invoked_functions, parse_flow
from scvctl.runtime import Runtime

OURS, SCV = "ours", "scv"
ROLE_TEXT = {SCV: "Service Cloud Voice's function", OURS: "our function"}
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


def connect_instance_id(runtime: Runtime) -> str:
    arn = runtime.contact_center.connect_instance_arn
    if not arn:
        raise CliError(
            f"contact center {runtime.contact_center.name} has no connect_instance_arn in contact_centers.yaml: "
            "set it to the Connect instance whose flows to read"
        )
    return arn.rsplit("/", 1)[1]


def read_flows(runtime: Runtime, instance_id: str) -> list[Flow]:
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
    return None if same(content, published) else content


def same(first: str, second: str) -> bool:
    """The same flow: equal as JSON (Connect may store the content with other spacing), or as text."""
    try:
        return first == second or json.loads(first) == json.loads(second)
    except ValueError:
        return False


def read_one(connect: Any, instance_id: str, flow_id: str) -> tuple[str, str | None]:
    """A flow's published content and its draft (None without unpublished changes)."""
    published = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"]
    content = published.get("Content", "")
    return content, _draft(connect, instance_id, flow_id, content)


def roles(runtime: Runtime, flow: Flow) -> list[tuple[FunctionArn, str]]:
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
