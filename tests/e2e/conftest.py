"""End-to-end fixtures: the synthesized stack deployed on this machine, fresh for every test."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from tests.harness.fixtures import ContainerFactory
from tools.emulators.salesforce import SalesforceEmulator
from tools.emulators.secrets import FakeSecretsExtension, MotoSecretsServer
from tools.harness.deployment import LocalDeployment, deploy
from tools.harness.synth import EXAMPLE_STACK, CloudAssembly

pytestmark = pytest.mark.e2e


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
