"""The Makefile's own behaviour: what `make synth` lists, which stack `make demo` runs, the Node check.

make runs for real; only the expensive commands are replaced on its command line (``CDK=true``), and the
install steps are taken as done (``-o``: the venv and node_modules exist whenever these tests run).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from scv_salesforce.config import ConfigError

from tools.harness.synth import PROJECT_ROOT, CloudAssembly, synthesized_contact_center

INSTALLED = ["-o", ".venv/bin/activate", "-o", "node_modules/.package-lock.json"]
EXAMPLE_STACK = "example-cc-SalesforceRestApi"


def make(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", *INSTALLED, *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


def cloud_assembly_with(outdir: Path, *stacks: str) -> CloudAssembly:
    """A cdk.out whose manifest lists ``stacks``, next to a template left over from an earlier synth."""
    outdir.mkdir()
    artifacts = {name: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.template.json"}}
                 for name in stacks}  # fmt: skip
    artifacts["Tree"] = {"type": "cdk:tree", "properties": {"file": "tree.json"}}
    (outdir / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    for name in (*stacks, "removed-cc-SalesforceRestApi"):
        (outdir / f"{name}.template.json").write_text("{}")
    return CloudAssembly(outdir)


def test_synth_lists_the_stacks_of_this_synth_not_stale_templates(tmp_path: Path) -> None:
    cloud_assembly_with(tmp_path / "cdk.out", "acme-SalesforceRestApi", "beta-SalesforceRestApi")
    result = make("synth", "CDK=true", f"CDK_OUT={tmp_path / 'cdk.out'}")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("Synthesized 2 stack(s)", 1)[1]
    assert "acme-SalesforceRestApi" in listed and "beta-SalesforceRestApi" in listed
    assert "removed-cc" not in result.stdout


def test_synth_says_which_step_it_is_in(tmp_path: Path) -> None:
    cloud_assembly_with(tmp_path / "cdk.out", EXAMPLE_STACK)
    assert "==> [3/3] cdk synth" in make("synth", "CDK=true", f"CDK_OUT={tmp_path / 'cdk.out'}").stdout


def test_demo_runs_the_named_contact_center() -> None:
    result = make("-n", "demo", "CONTACT_CENTER=acme", "CDK=true")
    assert "-m tools.demo acme" in result.stdout


def test_try_runs_the_named_contact_center() -> None:
    assert "-m tools.try_scvctl acme" in make("-n", "try", "CONTACT_CENTER=acme", "CDK=true").stdout


def test_demo_defaults_to_the_first_contact_center_of_the_config(tmp_path: Path) -> None:
    cloud_assembly_with(tmp_path / "cdk.out", EXAMPLE_STACK)
    assert synthesized_contact_center(None, tmp_path / "cdk.out")[1].stack_name == EXAMPLE_STACK
    assert synthesized_contact_center("example-cc", tmp_path / "cdk.out")[1].name == "example-cc"


def test_demo_refuses_a_stack_this_synth_did_not_produce(tmp_path: Path) -> None:
    cloud_assembly_with(tmp_path / "cdk.out", "other-SalesforceRestApi")
    with pytest.raises(LookupError, match="has no stack example-cc-SalesforceRestApi .* run `make synth`"):
        synthesized_contact_center(None, tmp_path / "cdk.out")
    with pytest.raises(ConfigError, match="no contact center named 'nope'"):
        synthesized_contact_center("nope", tmp_path / "cdk.out")
    with pytest.raises(LookupError, match="is missing: run `make synth` first"):
        synthesized_contact_center(None, tmp_path / "elsewhere")


def fake_node(tmp_path: Path, major: int) -> Path:
    script = tmp_path / f"node{major}"
    script.write_text(f"#!/bin/sh\necho {major}\n")
    script.chmod(0o755)
    return script


def test_an_old_node_stops_make_with_the_versions_needed(tmp_path: Path) -> None:
    result = make("node-version", f"NODE={fake_node(tmp_path, 18)}")
    assert result.returncode != 0
    assert "Node.js 18 is too old: the CDK CLI needs Node.js 20 or later, the Salesforce CLI 22 or later" in (
        result.stderr
    )


def test_node_20_works_but_says_the_salesforce_cli_needs_22(tmp_path: Path) -> None:
    result = make("node-version", f"NODE={fake_node(tmp_path, 20)}")
    assert result.returncode == 0
    assert "the Salesforce CLI (sf, for scvctl salesforce-metadata bundles) needs Node.js 22 or later" in result.stderr


def test_node_22_passes_silently(tmp_path: Path) -> None:
    result = make("node-version", f"NODE={fake_node(tmp_path, 22)}")
    assert (result.returncode, result.stderr) == (0, "")


def test_missing_node_is_named(tmp_path: Path) -> None:
    result = make("node-version", f"NODE={tmp_path / 'no-such-node'}")
    assert result.returncode != 0
    assert "Node.js not found" in result.stderr


def test_the_node_end_of_life_banner_is_silenced_for_this_node() -> None:
    """jsii only silences the major versions listed in the variable: it must hold this Node's."""
    result = make("-p", "node-version")
    major = subprocess.run(["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True)
    assert f"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := {major.stdout.strip()}" in result.stdout


def test_deploy_runs_preflight_first_and_keeps_the_cdk_arguments() -> None:
    result = make("deploy", "CC=example-cc", "CDK=echo cdk", "SCVCTL=echo scvctl", "CDK_ARGS=--require-approval never")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "scvctl preflight example-cc"
    assert lines[1] == f"cdk deploy --require-approval never {EXAMPLE_STACK}"


def test_deploy_stops_when_preflight_finds_a_conflict() -> None:
    result = make("deploy", "CONTACT_CENTER=example-cc", "CDK=echo cdk", "SCVCTL=false")
    assert result.returncode != 0
    assert "cdk deploy" not in result.stdout


def test_install_takes_only_hash_locked_packages_and_leaves_checkov_to_the_tests() -> None:
    """A deploy job runs `install` (through synth and deploy): every pip install in it demands hashes, and the
    tests' own checkov venv is built only for `make test`."""
    plan = subprocess.run(["make", "-n", "-B", "install"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    pip_installs = [line for line in plan.splitlines() if "pip install" in line]
    assert pip_installs and "checkov" not in plan
    for line in pip_installs:
        assert "--require-hashes" in line or "--no-build-isolation" in line, line
    assert "npm ci" in plan
    assert (
        "checkov"
        in subprocess.run(["make", "-n", "-B", "test"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    )
