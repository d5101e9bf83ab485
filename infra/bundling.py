"""Docker-free bundling of the Python functions.

CDK's default Python bundling runs pip inside a Docker image; the machines this app is built on
(developer laptops behind proxies, CI runners) often have no Docker daemon. pip can fetch the Lambda
platform's wheels directly (manylinux2014 for the function's architecture, the runtime's Python version,
binary only), so the bundle is exactly what the Lambda runtime needs without Docker.

These functions hold the private key, so their packages are installed with ``--require-hashes`` from the
function's requirements.txt, which ``make lock`` compiles with the sha256 of every file of every pin: a
wheel that is not byte for byte the one locked is refused, whatever index serves it.

The asset hash covers the function's sources, the shared package, its requirements, the target
Python version and architecture and this module: CDK reuses the staged bundle in cdk.out when none of them changed, so a
warm ``cdk synth`` never runs pip.

A bundle is reproducible: two clean clones built on two machines give the same files, bytes and modes
(``_make_reproducible``), so users' snapshot tests stay stable and a deploy without a code change never
updates the function.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from .constants import PYTHON_VERSION, function_source_dir

SHARED_PACKAGE = "scv_shared"
#: certifi's CA bundle inside a bundle, and the directory of its roots indexed by subject hash (index_trust_store;
#: the invoker's connections.BUNDLED_TRUST_STORE reads it)
CERTIFI_BUNDLE = Path("certifi", "cacert.pem")
TRUST_STORE_DIR = "trust_store"
PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n", re.DOTALL)
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "requirements.txt", "requirements.in")
LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the bundle: the path bytecode and tracebacks name
# What pip --target writes that depends on the machine that ran it: console scripts whose shebang names the
# builder's interpreter (useless on Lambda), and install records naming the installer and its paths.
_MACHINE_SPECIFIC_DIRS = ("bin",)
_MACHINE_SPECIFIC_DIST_INFO = ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
_FIXED_MTIME = 315532800  # 1980-01-01, the earliest time a zip entry can hold
#: Lambda's architecture (the config's ``architecture``) -> the platform tag of the wheels pip installs for it
WHEEL_PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}


def _package_files(package_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in package_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


@jsii.implements(ILocalBundling)
class PipLocalBundler:
    """Builds ``<package>/``, ``shared/`` and the pinned requirements into the asset directory."""

    def __init__(self, package: str, python_version: str, architecture: str = "x86_64") -> None:
        self._package = package
        self._python_version = python_version
        self._platform = WHEEL_PLATFORMS[architecture]

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_options: object) -> bool:
        out = Path(output_dir)
        requirements = function_source_dir(self._package) / "requirements.txt"
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--platform", self._platform, "--only-binary=:all:", "--implementation", "cp",
            "--python-version", self._python_version, "--no-compile", "--require-hashes",
            "--target", str(out), "-r", str(requirements),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"bundling {self._package}: pip could not install {requirements} for the Lambda platform "
                f"(Python {self._python_version}, {self._platform}):\n{result.stderr.strip()}"
            )
        for package in (self._package, SHARED_PACKAGE):
            shutil.copytree(function_source_dir(package), out / package, ignore=_IGNORED, dirs_exist_ok=True)
        if (out / CERTIFI_BUNDLE).is_file():
            index_trust_store(out / CERTIFI_BUNDLE, out / TRUST_STORE_DIR)
        _drop_machine_specific_files(out)
        _precompile(out, self._python_version)
        _normalize_modes_and_times(out)
        return True


def index_trust_store(bundle: Path, directory: Path) -> None:
    """Write each root of the PEM ``bundle`` into ``directory`` as its own file, named by its OpenSSL subject hash
    (``<hash>.<n>``, as ``openssl rehash`` names them): a TLS context given that directory (capath) reads only the
    roots a handshake needs, where a context given the bundle (cafile) parses all of them before the first
    connection. The files are copies, not the symlinks rehash makes, so the zip holds them as they are."""
    with tempfile.TemporaryDirectory(prefix="trust-store-") as scratch:
        certificates = PEM_CERTIFICATE.findall(bundle.read_text())
        for number, certificate in enumerate(certificates):
            Path(scratch, f"root-{number:04d}.pem").write_text(certificate)
        try:
            result = subprocess.run(["openssl", "rehash", scratch], capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise RuntimeError(
                "bundling needs the openssl command (openssl rehash indexes the CA roots the function trusts): "
                "install OpenSSL and run `make synth` again"
            ) from None
        if result.returncode != 0:
            raise RuntimeError(f"openssl rehash could not index {bundle}:\n{result.stderr.strip()}")
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir()
        for link in sorted(Path(scratch).iterdir()):
            if link.is_symlink():
                shutil.copyfile(link.resolve(), directory / link.name)


def _drop_machine_specific_files(out: Path) -> None:
    for name in _MACHINE_SPECIFIC_DIRS:
        shutil.rmtree(out / name, ignore_errors=True)
    for dist_info in out.glob("*.dist-info"):
        for name in _MACHINE_SPECIFIC_DIST_INFO:
            (dist_info / name).unlink(missing_ok=True)


def _normalize_modes_and_times(out: Path) -> None:
    """The builder's umask and clock must not reach the bundle: 0644 files (0755 where executable), 0755
    directories, one fixed time."""
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
        os.utime(path, (_FIXED_MTIME, _FIXED_MTIME))
    out.chmod(0o755)


def _runtime_interpreter(python_version: str) -> str | None:
    """An interpreter of the Lambda runtime's version on this machine, if there is one."""
    pyenv = sorted(Path.home().glob(f".pyenv/versions/{python_version}.*/bin/python{python_version}"), reverse=True)
    candidates = [str(path) for path in pyenv] + [shutil.which(f"python{python_version}") or ""]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
        )
        if probe.returncode == 0 and probe.stdout.strip() == str(tuple(map(int, python_version.split(".")))):
            return candidate
    return None


def _precompile(out: Path, python_version: str) -> None:
    """Ship bytecode for the runtime's Python: /var/task is read-only on Lambda, so without it every cold
    start compiles every module again (benchmarks/RESULTS.md measures the import with and without it).

    Unchecked-hash .pyc files do not depend on file times, which the asset zip does not keep. The code
    objects name their file as Lambda sees it (/var/task/...), not the staging directory of the machine that
    built them. Without an interpreter of that version here the bundle is still correct, only slower to
    start (a warning says so).
    """
    interpreter = _runtime_interpreter(python_version)
    if interpreter is None:
        print(f"warning: no python{python_version} here; the bundle ships without bytecode (slower cold start)")
        return
    compile_for_lambda = [
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(out),
        "-p",
        LAMBDA_TASK_ROOT,
    ]
    subprocess.run(
        [interpreter, "-m", "compileall", *compile_for_lambda, str(out)],
        check=True,
        capture_output=True,
    )


def bundle_hash(package: str, python_version: str = PYTHON_VERSION, architecture: str = "x86_64") -> str:
    """Hash of everything that goes into a bundle, so an unchanged bundle is never rebuilt."""
    precompiled = _runtime_interpreter(python_version) is not None
    platform = WHEEL_PLATFORMS[architecture]
    digest = hashlib.sha256(f"python{python_version};{platform};bytecode={precompiled}".encode())
    digest.update(Path(__file__).read_bytes())  # a change in how bundles are built is a new bundle
    for package_name in (package, SHARED_PACKAGE):
        package_dir = function_source_dir(package_name)
        for path in _package_files(package_dir):
            digest.update(f"{package_name}/{path.relative_to(package_dir)}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def python_function_code(
    package: str, python_version: str = PYTHON_VERSION, architecture: str = "x86_64"
) -> lambda_.Code:
    """The Lambda code asset for ``lambda_src/<package>`` and ``architecture``, bundled locally without Docker."""
    return lambda_.Code.from_asset(
        str(function_source_dir(package)),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=bundle_hash(package, python_version, architecture),
        bundling=BundlingOptions(
            image=DockerImage.from_registry("unused-local-bundling-only"),
            local=PipLocalBundler(package, python_version, architecture),
        ),
    )
