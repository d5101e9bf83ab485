"""`make try`: scvctl's commands, `check` included, run against the stand-ins and never reach AWS."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tools.harness.synth import PROJECT_ROOT, CloudAssembly

pytestmark = pytest.mark.e2e

CC = "example-cc"


def test_every_kind_of_scvctl_command_works_in_make_try(cloud_assembly: CloudAssembly) -> None:
    script = "; ".join(
        [
            f"scvctl check {CC}",
            f"scvctl cert show {CC} | head -1",
            f'scvctl salesforce-metadata {CC} --out "$TMP_BUNDLE" > /dev/null',
            f"scvctl key rotate {CC} > /dev/null",
            f"scvctl cert show {CC} | grep '^Pending certificate'",
            f"echo 3MVG9-tried-locally-0123456789 | scvctl consumer-key set {CC} | head -1",
            'echo "AWS profile: ${AWS_PROFILE:-none}"',
        ]
    )
    environment = {
        **os.environ,
        "AWS_PROFILE": "a-real-account",
        "TMP_BUNDLE": str(PROJECT_ROOT / "build" / "try-test"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tools.try_scvctl", CC, "--", "bash", "-c", script],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Invoking {CC}-InvokeSalesforceRestApiFunction (ap-northeast-1)" in out
    assert "OK: the function signed in to Salesforce (OAuth 2.0 JWT bearer flow) and ran the query." in out
    assert f"Contact center {CC}: parameter /{CC}/salesforce/certificate" in out  # published by the seeder
    assert "Pending certificate (key rotation staged" in out
    assert f"Stored the consumer key (30 characters, not shown) in {CC}-salesforce-secret." in out
    assert "AWS profile: none" in out  # the user's own AWS settings never reach the shell
    assert "Stopped the stand-ins." in out


def test_an_unknown_contact_center_is_named() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.try_scvctl", "nope", "--", "true"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "no contact center named 'nope'" in result.stderr
