"""The packages the Lambda Python runtime provides (boto3 and its dependencies), outside any bundle.

Installed once into build/lambda-runtime for the Lambda platform, so a container sees exactly what it
would on Lambda: its bundle plus the runtime's boto3, and nothing from the developer's venv.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tools.harness.synth import PROJECT_ROOT

RUNTIME_PACKAGES_DIR = PROJECT_ROOT / "build" / "lambda-runtime"


def _pinned(requirements: Path, package: str) -> str:
    match = re.search(rf"^{package}==(\S+)$", requirements.read_text(), re.MULTILINE | re.IGNORECASE)
    assert match, f"{requirements} pins {package}"
    return match.group(1)


def _install(target: Path, requirement: str, platform_args: list[str]) -> Path:
    if (target / ".complete").exists():
        return target
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            *platform_args, "--target", str(target), requirement,
        ],
        check=True,
    )  # fmt: skip
    (target / ".complete").touch()
    return target


def runtime_packages(python_version: str = "3.13") -> list[Path]:
    """Import path entries after the bundle: the runtime's boto3, then the host's cffi extension.

    The bundle's compiled modules are built for the Lambda's Python; cryptography's are abi3 and load here,
    but cffi's ``_cffi_backend`` is built per Python version, so the host's build of the SAME pinned cffi
    version sits last on the path (Python skips the bundle's cp313 file and finds this one). Nothing else
    from the host is importable.
    """
    boto3_version = _pinned(PROJECT_ROOT / "requirements.txt", "boto3")
    cffi_version = _pinned(PROJECT_ROOT / "lambda_src" / "scv_invoker" / "requirements.txt", "cffi")
    lambda_platform = [
        "--platform", "manylinux2014_x86_64", "--only-binary=:all:", "--implementation", "cp",
        "--python-version", python_version,
    ]  # fmt: skip
    host = f"{sys.version_info.major}.{sys.version_info.minor}"
    return [
        _install(
            RUNTIME_PACKAGES_DIR / f"python{python_version}-boto3-{boto3_version}",
            f"boto3=={boto3_version}",
            lambda_platform,
        ),
        _install(
            RUNTIME_PACKAGES_DIR / f"host{host}-cffi-{cffi_version}",
            f"cffi=={cffi_version}",
            ["--only-binary=:all:", "--no-deps"],
        ),
    ]
