"""The Connect stand-in answers boto3 as Connect does for one instance: associations, flows, content updates."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.emulators.connect import ConnectEmulator, ContactFlow

INSTANCE_ARN = "arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-4000-8000-000000000000"
INSTANCE_ID = INSTANCE_ARN.rsplit("/", 1)[1]
FUNCTION_ARN = "arn:aws:lambda:ap-northeast-1:111111111111:function:cc-InvokeSalesforceRestApiFunction"


def connect_client(emulator: ConnectEmulator) -> Any:
    return boto3.client(
        "connect", endpoint_url=emulator.endpoint_url, region_name="ap-northeast-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


def test_associations_flows_and_content_updates() -> None:
    flow = ContactFlow("flow-1", "cc sample", '{"Version": "2019-10-30"}', tags={"aws:cloudformation:stack-name": "s"})
    with ConnectEmulator(INSTANCE_ARN, lambda_functions=[FUNCTION_ARN], flows=[flow]) as emulator:
        client = connect_client(emulator)
        associated = client.list_lambda_functions(InstanceId=INSTANCE_ID)["LambdaFunctions"]
        (summary,) = client.list_contact_flows(InstanceId=INSTANCE_ID)["ContactFlowSummaryList"]
        client.update_contact_flow_content(InstanceId=INSTANCE_ID, ContactFlowId="flow-1", Content='{"new": 1}')
        described = client.describe_contact_flow(InstanceId=INSTANCE_ID, ContactFlowId="flow-1")["ContactFlow"]
        with pytest.raises(ClientError) as other_instance:
            client.list_lambda_functions(InstanceId="11111111-1111-4111-8111-111111111111")

    assert associated == [FUNCTION_ARN]
    assert (summary["Id"], summary["Name"], summary["Arn"]) == (
        "flow-1",
        "cc sample",
        f"{INSTANCE_ARN}/contact-flow/flow-1",
    )
    assert described["Content"] == '{"new": 1}'
    assert described["Tags"] == {"aws:cloudformation:stack-name": "s"}
    assert other_instance.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_saved_version_of_a_flow_without_a_draft_is_the_published_one() -> None:
    """scvctl flows reads `<id>:$SAVED` to find unpublished drafts; these flows have none."""
    flow = ContactFlow("flow-1", "cc sample", '{"Version": "2019-10-30"}')
    with ConnectEmulator(INSTANCE_ARN, lambda_functions=[], flows=[flow]) as emulator:
        saved = connect_client(emulator).describe_contact_flow(InstanceId=INSTANCE_ID, ContactFlowId="flow-1:$SAVED")
    assert saved["ContactFlow"]["Content"] == '{"Version": "2019-10-30"}'
