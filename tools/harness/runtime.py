"""What a bundle runs on outside Lambda: the runtime's Python and the packages the runtime provides (boto3 and its
dependencies), outside any bundle.

The packages are installed once into build/lambda-runtime for the Lambda platform, so a container sees exactly
what it would on Lambda: its bundle plus the runtime's boto3, and nothing from the developer's venv. The bundles'
compiled modules are built for the runtime's Python (cp313), so they run under that interpreter when this machine
has one (pyenv's, or ``$LAMBDA_PYTHON``); only on a machine without it do they fall back to the host's Python.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tools.harness.synth import PROJECT_ROOT

RUNTIME_PACKAGES_DIR = PROJECT_ROOT / "build" / "lambda-runtime"
#: the Python of the functions' Lambda runtime (python3.13), the version the bundles are built for
LAMBDA_PYTHON_VERSION = "3.13"


@functools.cache
def lambda_python() -> str | None:
    """An interpreter of the Lambda runtime's version: ``$LAMBDA_PYTHON``, pyenv's, or python3.13 on PATH; None
    when this machine has none."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    version = LAMBDA_PYTHON_VERSION
    candidates = [os.environ.get("LAMBDA_PYTHON", "")]
    installed = sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"), reverse=True)
    candidates += [str(path) for path in installed]
    candidates.append(shutil.which(f"python{version}") or "")
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def bundle_python() -> str:
    """The interpreter that runs a bundle: the Lambda runtime's Python, else (a machine without it) the host's."""
    return lambda_python() or sys.executable


def _pinned(requirements: Path, package: str) -> str:
    # a hash-locked line: "name==version \\" followed by its --hash lines (make lock)
    match = re.search(rf"^{package}==([^\s;\\]+)", requirements.read_text(), re.MULTILINE | re.IGNORECASE)
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


def _compile_for_runtime(target: Path) -> Path:
    """Bytecode for the runtime's Python, as Lambda's image ships its boto3: pip compiles for the Python that runs
    pip, and the bundles' processes (``-B``) would compile every module of boto3 again at each import, which a
    cold start on Lambda never does (over a second of a minting cold start here)."""
    interpreter = lambda_python()
    marker = target / ".bytecode"
    if interpreter is None or marker.exists():
        return target
    subprocess.run([interpreter, "-m", "compileall", "-q", "-j", "0", str(target)], check=True, capture_output=True)
    marker.touch()
    return target


def runtime_packages() -> list[Path]:
    """Import path entries after the bundle: the runtime's boto3; under the host's Python also the host's cffi.

    The bundle's compiled modules are built for the Lambda's Python. Under it they all load. Under the host's
    Python (a machine without 3.13), cryptography's still do (abi3), but cffi's ``_cffi_backend`` is built per
    Python version, so the host's build of the SAME pinned cffi version sits last on the path (Python skips the
    bundle's cp313 file and finds this one). Nothing else from the host is importable.
    """
    boto3_version = _pinned(PROJECT_ROOT / "requirements.txt", "boto3")
    lambda_platform = [
        "--platform", "manylinux2014_x86_64", "--only-binary=:all:", "--implementation", "cp",
        "--python-version", LAMBDA_PYTHON_VERSION,
    ]  # fmt: skip
    packages = [
        _compile_for_runtime(
            _install(
                RUNTIME_PACKAGES_DIR / f"python{LAMBDA_PYTHON_VERSION}-boto3-{boto3_version}",
                f"boto3=={boto3_version}",
                lambda_platform,
            )
        )
    ]
    if lambda_python() is None:
        cffi_version = _pinned(PROJECT_ROOT / "lambda_src" / "scv_invoker" / "requirements.txt", "cffi")
        host = f"{sys.version_info.major}.{sys.version_info.minor}"
        packages.append(
            _install(
                RUNTIME_PACKAGES_DIR / f"host{host}-cffi-{cffi_version}",
                f"cffi=={cffi_version}",
                ["--only-binary=:all:", "--no-deps"],
            )
        )
    return packages
