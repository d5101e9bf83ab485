"""``architecture: arm64``: every function of the stack runs on Graviton, from a bundle of aarch64 wheels.

What this machine can check: the template's architectures and the bundle's wheels (their WHEEL tags and the
machine their shared objects were compiled for). It cannot run an aarch64 bundle; README says so.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from scv_salesforce.bundling import PipLocalBundler
from scv_salesforce.constants import PYTHON_VERSION
from scv_salesforce.stack import ContactCenterStack

from tests.infra.conftest import contact_center

#: e_machine of an ELF header (offset 18, little-endian): what CPU a shared object runs on
_ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


def _function_architectures(template: Template) -> dict[str, list[str]]:
    return {
        logical_id: resource["Properties"].get("Architectures", ["x86_64"])
        for logical_id, resource in template.find_resources("AWS::Lambda::Function").items()
    }


def test_the_default_architecture_is_x86_64(templates: dict[str, Template]) -> None:
    architectures = _function_architectures(templates["example"])
    assert architectures and set(map(tuple, architectures.values())) == {("x86_64",)}


def test_arm64_makes_every_function_of_the_stack_arm64() -> None:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = ContactCenterStack(
        app,
        "graviton-stack",
        contact_center=contact_center(name="graviton", architecture="arm64"),
        env=cdk.Environment(account="111111111111", region="ap-northeast-1"),
    )
    architectures = _function_architectures(Template.from_stack(stack))

    assert len(architectures) >= 3  # the invoker, the seeder, the certificate check
    assert {logical_id: ["arm64"] for logical_id in architectures} == architectures


def test_an_unknown_architecture_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="x86_64.*arm64"):
        contact_center(architecture="aarch64")


def _shared_object_machines(bundle: Path) -> dict[str, str]:
    return {
        str(path.relative_to(bundle)): _ELF_MACHINES.get(int.from_bytes(path.read_bytes()[18:20], "little"), "?")
        for path in bundle.rglob("*.so*")
        if path.is_file()
    }


def _wheel_platform_tags(bundle: Path) -> dict[str, set[str]]:
    """Each installed distribution's platform tags, from the ``Tag: py-abi-platform`` lines of its WHEEL file."""
    return {
        wheel.parent.name: {
            line.split(":", 1)[1].strip().rsplit("-", 1)[1]
            for line in wheel.read_text().splitlines()
            if line.startswith("Tag:")
        }
        for wheel in bundle.glob("*.dist-info/WHEEL")
    }


@pytest.mark.e2e
@pytest.mark.parametrize(("architecture", "machine"), [("arm64", "aarch64"), ("x86_64", "x86_64")])
def test_the_bundle_holds_wheels_of_the_functions_architecture(architecture: str, machine: str, tmp_path: Path) -> None:
    bundle = tmp_path / "asset"
    bundle.mkdir()
    # the seeder: its bundle has compiled wheels (cryptography, cffi); the invoker's is pure Python
    PipLocalBundler("scv_seeder", PYTHON_VERSION, architecture).try_bundle(str(bundle), image=None)

    machines = _shared_object_machines(bundle)
    assert any(name.startswith("cryptography/") for name in machines)
    assert set(machines.values()) == {machine}, machines
    tags = _wheel_platform_tags(bundle)
    assert any("cryptography" in name for name in tags)
    for name, platforms in tags.items():
        assert all(platform == "any" or platform.endswith(machine) for platform in platforms), (name, platforms)
