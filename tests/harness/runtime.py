"""The packages the Lambda Python runtime provides (boto3 and its dependencies), outside any bundle.

Installed once into build/lambda-runtime for the Lambda platform, so a container sees exactly what it
would on Lambda: its bundle plus the runtime's boto3, and nothing from the developer's venv.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.harness.synth import PROJECT_ROOT

RUNTIME_PACKAGES_DIR = PROJECT_ROOT / "build" / "lambda-runtime"


def _pinned_boto3() -> str:
    match = re.search(r"^boto3==(\S+)$", (PROJECT_ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert match, "requirements.txt pins boto3"
    return match.group(1)


def runtime_packages(python_version: str = "3.13") -> Path:
    version = _pinned_boto3()
    target = RUNTIME_PACKAGES_DIR / f"python{python_version}-boto3-{version}"
    if (target / ".complete").exists():
        return target
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--platform", "manylinux2014_x86_64", "--only-binary=:all:", "--implementation", "cp",
            "--python-version", python_version, "--target", str(target), f"boto3=={version}",
        ],
        check=True,
    )  # fmt: skip
    (target / ".complete").touch()
    return target
