"""checkov over the synthesized templates, next to cdk-nag and cfn-lint: no failed check, and every skipped one
carries its reason on the resource (infra/checkov.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Template

from tests.infra.test_deploy_pipeline import _pipeline_template
from tools.harness.synth import PROJECT_ROOT, CloudAssembly

#: its own virtual environment (`make test` builds it from requirements-checkov.txt): checkov pins boto3 and
#: packaging versions the dev set cannot share
CHECKOV = PROJECT_ROOT / "build" / "checkov-venv" / "bin" / "checkov"


def checkov(directory: Path) -> dict[str, Any]:
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make test` (it installs requirements-checkov.txt)"
    result = subprocess.run(
        [str(CHECKOV), "--framework", "cloudformation", "-d", str(directory), "-o", "json", "--compact"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert all(r["check_type"] == "cloudformation" for r in reports)
    return {
        "failed": [check for r in reports for check in r["results"]["failed_checks"]],
        "skipped": [check for r in reports for check in r["results"]["skipped_checks"]],
        "passed": sum(r["summary"]["passed"] for r in reports),
        "resources": sum(r["summary"]["resource_count"] for r in reports),
    }


def test_checkov_finds_nothing_unjustified_in_any_template(
    cloud_assembly: CloudAssembly, templates: dict[str, Template], tmp_path: Path
) -> None:
    """The shipped cdk.out, every config variant (CMK, no Connect, provisioned, SnapStart, no reservation) and
    the deploy pipeline's stack (synthesized only when the config has a deploy_pipeline)."""
    (tmp_path / "deploy-pipeline.template.json").write_text(json.dumps(_pipeline_template().to_json()))
    for name in cloud_assembly.stack_names:
        (tmp_path / f"{name}.template.json").write_text(json.dumps(cloud_assembly.template(name)))
    for variant, template in templates.items():
        (tmp_path / f"variant-{variant}.template.json").write_text(json.dumps(template.to_json()))
    report = checkov(tmp_path)
    assert report["resources"] > 0 and report["passed"] > 0
    failed = [f"{check['check_id']} {check['resource']} ({check['file_path']})" for check in report["failed"]]
    assert failed == []
    for check in report["skipped"]:
        assert len(check["check_result"].get("suppress_comment", "")) > 40, check  # a reason, not a token


def test_checkov_fails_a_resource_without_a_justified_skip(tmp_path: Path) -> None:
    """The test above can fail: a function with none of the skips is reported."""
    template = {
        "Resources": {
            "Unreviewed": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.13",
                    "Handler": "index.handler",
                    "Role": "arn:aws:iam::111111111111:role/r",
                    "Code": {"ZipFile": "def handler(event, context): return {}"},
                },
            }
        }
    }
    (tmp_path / "unreviewed.template.json").write_text(json.dumps(template))
    failed = {check["check_id"] for check in checkov(tmp_path)["failed"]}
    assert {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"} <= failed
