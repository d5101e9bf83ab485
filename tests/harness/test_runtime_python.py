"""The harness runs bundles under the Lambda runtime's Python: their compiled modules are built for cp313, and a
test of what ships must load them as Lambda does (under 3.11 cffi's backend would not load, and signing fails)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.harness.fixtures import ContainerFactory, probe_asset
from tools.harness.runtime import LAMBDA_PYTHON_VERSION, lambda_python, runtime_packages

PROBE = "import sys\ndef handler(event, context):\n    return {'python': '%d.%d' % sys.version_info[:2]}\n"


def test_bundles_run_under_the_runtimes_python_with_nothing_of_the_hosts(
    start_container: ContainerFactory, tmp_path: Path
) -> None:
    if lambda_python() is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Python {LAMBDA_PYTHON_VERSION} (pyenv install {LAMBDA_PYTHON_VERSION})")
        pytest.skip(f"no Python {LAMBDA_PYTHON_VERSION} here: bundles run under the host's {sys.version_info[:2]}")
    answer = start_container(probe_asset(tmp_path, PROBE), {}).invoke({})
    assert answer.ok, answer.error
    assert answer.payload["python"] == LAMBDA_PYTHON_VERSION
    # the runtime's boto3 and no host cffi: the bundle's own cp313 backend is the one that loads (the e2e tests
    # that mint a token sign with it)
    assert [path.name.split("-")[:2] for path in runtime_packages()] == [[f"python{LAMBDA_PYTHON_VERSION}", "boto3"]]
