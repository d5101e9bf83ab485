"""Synthesize with the real CDK CLI and find each function's bundle, handler and environment in cdk.out."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CDK_OUT = PROJECT_ROOT / "cdk.out"


def cdk_cli_env() -> dict[str, str]:
    return {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "1", "CDK_DISABLE_VERSION_CHECK": "1"}


def synthesize(outdir: Path = CDK_OUT) -> CloudAssembly:
    """`npx cdk synth` exactly as `make synth` runs it (bundles are reused when lambda_src is unchanged)."""
    result = subprocess.run(
        ["npx", "--no-install", "cdk", "synth", "--quiet", "--output", str(outdir)],
        cwd=PROJECT_ROOT,
        env=cdk_cli_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"cdk synth failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return CloudAssembly(outdir)


@dataclass(frozen=True)
class FunctionAsset:
    """A Lambda function as CloudFormation sees it: code directory, handler, environment (raw template values)."""

    logical_id: str
    asset_dir: Path
    handler: str
    runtime: str
    timeout_seconds: int
    environment: dict[str, Any]


class CloudAssembly:
    """Read-only view of cdk.out."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        manifest = json.loads((outdir / "manifest.json").read_text())
        self.stack_names = [
            name for name, artifact in manifest["artifacts"].items() if artifact["type"] == "aws:cloudformation:stack"
        ]

    def template(self, stack_name: str) -> dict[str, Any]:
        return json.loads((self.outdir / f"{stack_name}.template.json").read_text())

    def templates(self) -> dict[str, dict[str, Any]]:
        return {name: self.template(name) for name in self.stack_names}

    def function(self, stack_name: str, logical_id_prefix: str) -> FunctionAsset:
        """The function whose logical id starts with ``logical_id_prefix`` (e.g. "InvokerFunction")."""
        resources = self.template(stack_name)["Resources"]
        matches = [
            (logical_id, resource)
            for logical_id, resource in resources.items()
            if resource["Type"] == "AWS::Lambda::Function" and logical_id.startswith(logical_id_prefix)
        ]
        if len(matches) != 1:
            raise LookupError(f"{stack_name}: expected one function named {logical_id_prefix}*, found {len(matches)}")
        logical_id, resource = matches[0]
        properties = resource["Properties"]
        return FunctionAsset(
            logical_id=logical_id,
            asset_dir=self.outdir / resource["Metadata"]["aws:asset:path"],
            handler=properties["Handler"],
            runtime=properties["Runtime"],
            timeout_seconds=properties["Timeout"],
            environment=properties.get("Environment", {}).get("Variables", {}),
        )

    def resource_property(self, stack_name: str, logical_id: str, name: str) -> Any:
        return self.template(stack_name)["Resources"][logical_id]["Properties"][name]


def resolve_refs(environment: dict[str, Any], refs: dict[str, str]) -> dict[str, str]:
    """Replace ``{"Ref": logical_id}`` values (also inside ``Fn::Join``) by what CloudFormation would put there
    (given in ``refs``)."""
    return {name: _resolve(name, value, refs) for name, value in environment.items()}


def _resolve(name: str, value: Any, refs: dict[str, str]) -> str:
    """A string, a ``Ref``, or an ``Fn::Join`` of those (how CDK writes a JSON value holding secret ARNs)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return refs[value["Ref"]]
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_resolve(name, part, refs) for part in parts)
    raise ValueError(f"{name} has an unresolvable value {value!r}")
