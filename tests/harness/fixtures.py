"""pytest fixtures: one real `cdk synth` per test session, and Lambda containers running its bundles."""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tools.harness.container import ContainerPool, LambdaContainer
from tools.harness.runtime import runtime_packages
from tools.harness.synth import CDK_OUT, EXAMPLE_STACK, PROJECT_ROOT, CloudAssembly, FunctionAsset, synthesize

#: the deadline of an invocation in a test that is not about deadlines: far from any test's work, so a slow
#: cold start on a loaded 2-core machine cannot turn it into a timeout (tests about deadlines set their own)
UNHURRIED_INVOCATION_SECONDS = 120.0
LOCK_DIR = PROJECT_ROOT / "build" / "test-locks"


def probe_asset(directory: Path, source: str) -> FunctionAsset:
    """A one-file bundle (``probe.handler`` with ``source``) for a test of the harness itself, not of the stack."""
    (directory / "probe.py").write_text(source)
    return FunctionAsset("Probe", directory, "probe.handler", "python3.13", 8, {})


@pytest.fixture(scope="session")
def cloud_assembly(testrun_uid: str) -> CloudAssembly:
    """cdk.out from the real CLI, with the bundles exactly as they would ship.

    Synthesized once per test run: the first xdist worker synthesizes under a file lock, the others wait
    for it and read the same cdk.out.
    """
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    done = LOCK_DIR / f"synth-{testrun_uid}.done"
    with open(LOCK_DIR / "synth.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            for stale in LOCK_DIR.glob("synth-*.done"):
                stale.unlink()
            synthesize()
            done.touch()
    return CloudAssembly(CDK_OUT)


@pytest.fixture(scope="session")
def invoker_asset(cloud_assembly: CloudAssembly) -> FunctionAsset:
    return cloud_assembly.function(EXAMPLE_STACK, "InvokerFunction")


@pytest.fixture(scope="session")
def seeder_asset(cloud_assembly: CloudAssembly) -> FunctionAsset:
    return cloud_assembly.function(EXAMPLE_STACK, "SeederFunction")


@pytest.fixture(scope="session")
def lambda_runtime_packages() -> list[Path]:
    return runtime_packages()


ContainerFactory = Callable[..., LambdaContainer]


@pytest.fixture
def start_container(lambda_runtime_packages: list[Path]) -> Iterator[ContainerFactory]:
    """Start containers for a bundle; every container is stopped when the test ends. Invocations get
    ``UNHURRIED_INVOCATION_SECONDS`` unless the test passes ``timeout_ms``."""
    with ContainerPool(lambda_runtime_packages, invocation_timeout_seconds=UNHURRIED_INVOCATION_SECONDS) as pool:
        yield pool.start
