"""The app as the real CDK CLI synthesizes it: cdk-nag clean, cfn-lint clean, no secret material."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import AwsSolutionsChecks

from tools.harness.synth import CloudAssembly

# a PEM header followed by base64 (key material), or a bare PKCS#8/PKCS#1 body; not a mere mention of the format
PEM_KEY = re.compile(r"PRIVATE KEY-----\s*(?:\\n)?[A-Za-z0-9+/]{60}")
PRIVATE_KEY_MARKERS = re.compile(PEM_KEY.pattern + r"|MII[CEJ][A-Za-z0-9+/]{60}")  # templates hold no certificate


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
    with pytest.raises(RuntimeError, match="(?s)ValidationFailed.*AwsSolutions-SMG4"):
        app.synth()


def test_cfn_lint_finds_no_errors_in_any_template(cloud_assembly: CloudAssembly) -> None:
    templates = [str(cloud_assembly.outdir / f"{name}.template.json") for name in cloud_assembly.stack_names]
    assert templates
    # cfn-lint exit codes are a bit mask: 2 = errors, 4 = warnings (W3005 on CDK output), 8 = informational
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), *templates], capture_output=True, text=True, check=False)
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
        bundles = (  # each with a pinned dependency of its requirements.txt (the invoker signs without cryptography)
            ("InvokerFunction", "scv_invoker", "certifi"),
            ("SeederFunction", "scv_seeder", "cryptography"),
            ("MonitoringCertificateCheckFunction", "scv_certificate_check", "cryptography"),
        )
        for prefix, package, dependency in bundles:
            asset = cloud_assembly.function(stack, prefix)
            assert (asset.asset_dir / package / "handler.py").is_file()
            assert (asset.asset_dir / "scv_shared" / "secret_format.py").is_file()
            assert (asset.asset_dir / dependency).is_dir()
            assert not (asset.asset_dir / "boto3").exists(), "the Lambda runtime provides boto3"
            for path in asset.asset_dir.rglob("*"):
                if path.is_file() and path.suffix in (".pem", ".key", ".json", ".txt", ".py", ""):
                    assert not PEM_KEY.search(path.read_text(errors="ignore")), path
