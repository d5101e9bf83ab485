"""The app as the real CDK CLI synthesizes it: cdk-nag clean, cfn-lint clean, no secret material."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import aws_cdk as cdk
import pytest
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import AwsSolutionsChecks

from tests.harness.synth import CloudAssembly

PRIVATE_KEY_MARKERS = re.compile(r"-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----|MII[CEJ][A-Za-z0-9+/]{60}")


def test_cdk_nag_runs_on_every_synth_and_reports_no_unacknowledged_finding(cloud_assembly: CloudAssembly) -> None:
    report = json.loads((cloud_assembly.outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == [] or all(
        plugin["conclusion"] == "success" for plugin in report["pluginReports"]
    ), json.dumps(report, indent=1)[:3000]


def test_cdk_nag_fails_synth_on_an_unacknowledged_finding() -> None:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = cdk.Stack(app, "Unreviewed")
    secretsmanager.Secret(stack, "NoRotation")  # AwsSolutions-SMG4, not acknowledged
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed.*AwsSolutions-SMG4"):
        app.synth()


def test_cfn_lint_finds_no_errors_in_any_template(cloud_assembly: CloudAssembly) -> None:
    templates = [str(cloud_assembly.outdir / f"{name}.template.json") for name in cloud_assembly.stack_names]
    assert templates
    # cfn-lint exit codes are a bit mask: 2 = errors, 4 = warnings (W3005 on CDK output), 8 = informational
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", *templates], capture_output=True, text=True, check=False
    )
    assert result.returncode & 2 == 0 and result.returncode & 1 == 0, result.stdout + result.stderr


def test_no_template_manifest_or_output_holds_private_key_material(cloud_assembly: CloudAssembly) -> None:
    for path in cloud_assembly.outdir.glob("*.json"):
        assert not PRIVATE_KEY_MARKERS.search(path.read_text()), f"{path.name} holds private key material"
    for name in cloud_assembly.stack_names:
        outputs = cloud_assembly.template(name).get("Outputs", {})
        for output_name, output in outputs.items():
            assert "PrivateKey" not in output_name
            assert not PRIVATE_KEY_MARKERS.search(json.dumps(output))


def test_bundles_ship_their_package_the_shared_contract_and_pinned_dependencies(cloud_assembly: CloudAssembly) -> None:
    for stack in cloud_assembly.stack_names:
        for prefix, package in (("InvokerFunction", "invoker"), ("SeederFunction", "seeder")):
            asset = cloud_assembly.function(stack, prefix)
            assert (asset.asset_dir / package / "handler.py").is_file()
            assert (asset.asset_dir / "shared" / "secret_format.py").is_file()
            assert (asset.asset_dir / "cryptography").is_dir()
            assert not (asset.asset_dir / "boto3").exists(), "the Lambda runtime provides boto3"
            assert not list(asset.asset_dir.rglob("*.pem")) and not list(asset.asset_dir.rglob("*.key"))
