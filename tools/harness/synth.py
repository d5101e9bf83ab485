"""Synthesize with the real CDK CLI and find each function's bundle, handler and environment in cdk.out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scv_salesforce.config import ContactCenter, load_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CDK_OUT = PROJECT_ROOT / "cdk.out"
#: the stack of the example contact center in contact_centers.yaml, which the tests and benchmarks deploy
EXAMPLE_STACK = "example-cc-SalesforceRestApi"


def _node_major_version() -> str:
    try:
        return subprocess.run(
            ["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


#: jsii's Node support banners, silenced as the Makefile does: the end-of-life one only for the major
#: version(s) listed in its variable (a "1" silences nothing), the deprecation one for any value.
SILENCED_NODE_WARNINGS = {
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": _node_major_version(),
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
}


def cdk_cli_env() -> dict[str, str]:
    return {**os.environ, **SILENCED_NODE_WARNINGS, "CDK_DISABLE_VERSION_CHECK": "1"}


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
        self._template_files = {
            name: outdir / artifact["properties"]["templateFile"]
            for name, artifact in manifest["artifacts"].items()
            if artifact["type"] == "aws:cloudformation:stack"
        }
        self.stack_names = list(self._template_files)

    def template_file(self, stack_name: str) -> Path:
        """The stack's template as the manifest names it (KeyError: not produced by this synth)."""
        return self._template_files[stack_name]

    def template(self, stack_name: str) -> dict[str, Any]:
        return json.loads(self.template_file(stack_name).read_text())

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


def synthesized_contact_center(name: str | None = None, outdir: Path = CDK_OUT) -> tuple[CloudAssembly, ContactCenter]:
    """cdk.out and the contact center ``name`` (default: the config's first), whose stack it must hold.

    ConfigError for a name the config lacks; LookupError when cdk.out is missing or from another config.
    """
    if not (outdir / "manifest.json").exists():
        raise LookupError(f"{os.path.relpath(outdir)} is missing: run `make synth` first")
    assembly = CloudAssembly(outdir)
    config = load_config()
    contact_center = config.find(name) if name else config.contact_centers[0]
    if contact_center.stack_name not in assembly.stack_names:
        raise LookupError(
            f"{os.path.relpath(outdir)}/manifest.json has no stack {contact_center.stack_name} for contact center "
            f"{contact_center.name} (it was synthesized from another config): run `make synth`"
        )
    return assembly, contact_center


def main(argv: list[str]) -> int:
    """``python -m tools.harness.synth list [CDK_OUT]``: what the last synth produced (its manifest), for
    `make synth` (a template left in cdk.out by a contact center since removed from the config is not listed)."""
    if len(argv) not in (1, 2) or argv[0] != "list":
        print("usage: python -m tools.harness.synth list [CDK_OUT]", file=sys.stderr)
        return 2
    assembly = CloudAssembly(Path(argv[1]) if len(argv) == 2 else CDK_OUT)
    print(f"Synthesized {len(assembly.stack_names)} stack(s) (from {os.path.relpath(assembly.outdir)}/manifest.json):")
    for name in assembly.stack_names:
        print(f"  {name}  {os.path.relpath(assembly.template_file(name))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
