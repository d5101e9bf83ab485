"""pytest fixtures: one real `cdk synth` per test session, and Lambda containers running its bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.harness.container import LambdaContainer
from tests.harness.runtime import runtime_packages
from tests.harness.synth import CloudAssembly, FunctionAsset, synthesize

EXAMPLE_STACK = "example-cc-SalesforceRestApi"


@pytest.fixture(scope="session")
def cloud_assembly() -> CloudAssembly:
    """cdk.out from the real CLI, with the bundles exactly as they would ship."""
    return synthesize()


@pytest.fixture(scope="session")
def invoker_asset(cloud_assembly: CloudAssembly) -> FunctionAsset:
    return cloud_assembly.function(EXAMPLE_STACK, "InvokerFunction")


@pytest.fixture(scope="session")
def seeder_asset(cloud_assembly: CloudAssembly) -> FunctionAsset:
    return cloud_assembly.function(EXAMPLE_STACK, "SeederFunction")


@pytest.fixture(scope="session")
def lambda_runtime_packages() -> Path:
    return runtime_packages()


ContainerFactory = Callable[..., LambdaContainer]


@pytest.fixture
def start_container(lambda_runtime_packages: Path) -> Iterator[ContainerFactory]:
    """Start containers for a bundle; every container is stopped when the test ends."""
    containers: list[LambdaContainer] = []

    def start(asset: FunctionAsset, environment: dict[str, str], **kwargs: object) -> LambdaContainer:
        container = LambdaContainer(
            asset.asset_dir,
            asset.handler,
            environment,
            runtime_packages=lambda_runtime_packages,
            timeout_seconds=asset.timeout_seconds,
            **kwargs,  # type: ignore[arg-type]
        )
        containers.append(container)
        return container

    yield start
    for container in containers:
        container.close()
