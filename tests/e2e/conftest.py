"""End-to-end fixtures: the synthesized stack deployed on this machine, fresh for every test."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import pytest

from tests.e2e.deployment import LocalDeployment, deploy
from tests.emulators.salesforce import SalesforceEmulator
from tests.emulators.secrets import FakeSecretsExtension, MotoSecretsServer
from tests.harness.fixtures import EXAMPLE_STACK, ContainerFactory
from tests.harness.synth import CloudAssembly

pytestmark = pytest.mark.e2e
CONNECT_INSTANCE_ARN = "arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-4000-8000-000000000000"


@pytest.fixture
def deploy_example(
    cloud_assembly: CloudAssembly,
    salesforce: SalesforceEmulator,
    secrets_server: MotoSecretsServer,
    secrets_extension: FakeSecretsExtension,
    start_container: ContainerFactory,
) -> Callable[..., LocalDeployment]:
    """Deploy the example stack on this machine; keywords go to ``deploy`` (e.g. ``org_emulators``)."""
    return functools.partial(
        deploy,
        cloud_assembly,
        EXAMPLE_STACK,
        salesforce=salesforce,
        secrets_server=secrets_server,
        extension=secrets_extension,
        start_container=start_container,
    )


@pytest.fixture
def deployment(deploy_example: Callable[..., LocalDeployment]) -> LocalDeployment:
    return deploy_example()


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
