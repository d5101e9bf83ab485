"""`make try`: scvctl's commands, `check` included, run against the stand-ins and never reach AWS or Salesforce."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.harness import loopback_guard
from tools.harness.runtime import runtime_packages
from tools.harness.synth import PROJECT_ROOT, CloudAssembly

pytestmark = pytest.mark.e2e

CC = "example-cc"
#: an address reserved for documentation (RFC 5737): the guard must refuse it before any packet is sent
OUTSIDE = "192.0.2.1"
FUNCTION_ARN = f"arn:aws:lambda:ap-northeast-1:111111111111:function:{CC}-InvokeSalesforceRestApiFunction"


def make_try(script: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``script`` in make try's shell for the first contact center, with ``environment``."""
    command = [sys.executable, "-m", "tools.try_scvctl", CC, "--", "bash", "-c", script]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=600, check=False
    )


def run_in_make_try(script: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``script`` in make try's shell, every Python process in it (and the containers) behind the loopback
    guard; the result and the guard's refusals."""
    runtime_packages()  # installed (downloaded on a clean clone's first run) before the guard, which refuses pip
    guarded = tmp_path / "guarded"
    guarded.mkdir()
    (guarded / "sitecustomize.py").write_text(
        f"import runpy\nrunpy.run_path({str(Path(loopback_guard.__file__))!r})['install_from_environment']()\n"
    )
    refusals = tmp_path / "refusals.log"
    refusals.touch()
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(guarded), os.environ.get("PYTHONPATH", "")]),
        loopback_guard.LOG_VARIABLE: str(refusals),
    }
    result = make_try(script, environment)
    return result, refusals.read_text().splitlines()


def test_the_commands_for_accounts_that_run_scv_and_every_org_work_and_nothing_leaves_loopback(
    cloud_assembly: CloudAssembly, tmp_path: Path
) -> None:
    """preflight and flows (Lambda's and Connect's read calls) and the further org `dr` are served by stand-ins;
    the guard, proved active by one refused connection of its own, saw nothing else try to leave."""
    script = "; ".join(
        [
            f"scvctl preflight {CC}",
            'echo "preflight exit $?"',
            f"scvctl flows list {CC}",
            f"scvctl check {CC} --org dr",
            f"python -c 'import socket; socket.create_connection((\"{OUTSIDE}\", 443), timeout=5)' 2> /dev/null",
            'echo "outside exit $?"',
        ]
    )
    result, refusals = run_in_make_try(script, tmp_path)
    out = result.stdout

    assert result.returncode == 0, out + result.stderr
    assert "OK: mode greenfield would deploy cleanly" in out
    assert "preflight exit 0" in out
    assert f"{CC} Salesforce lookup sample (CONTACT_FLOW" in out
    assert f"our function: {FUNCTION_ARN}" in out
    assert "OK: the function signed in to Salesforce (OAuth 2.0 JWT bearer flow) and ran the query." in out
    assert "outside exit 1" in out
    assert refusals == [f"socket.getaddrinfo {OUTSIDE}"]  # the guard's own proof, and nothing of make try's


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
    result = make_try(script, environment)
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
