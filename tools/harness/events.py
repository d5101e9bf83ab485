"""Events as Amazon Connect and the Lambda console send them, for the tests, the demo and the benchmarks."""

from __future__ import annotations

import json

CONNECT_INSTANCE_ARN = "arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-4000-8000-000000000000"


def connect_event(parameters: dict[str, str], *, phone: str = "+81312345678") -> dict:
    """An event shaped as Amazon Connect sends it from an Invoke AWS Lambda function block."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "ContactId": "6e0b1b5e-8f41-4b6e-9a55-2f1f3c1d2e3f",
                "InitialContactId": "6e0b1b5e-8f41-4b6e-9a55-2f1f3c1d2e3f",
                "Channel": "VOICE",
                "InstanceARN": CONNECT_INSTANCE_ARN,
                "CustomerEndpoint": {"Address": phone, "Type": "TELEPHONE_NUMBER"},
                "Attributes": {},
            },
            "Parameters": parameters,
        },
    }


SEED_CONSOLE_TEST_EVENT = json.loads(
    '{"Details": {"Parameters": {"methodName": "queryRecord", '
    '"soql": "SELECT Name FROM Account Where Id=\'000000000000000\'"}}}'
)
