"""Reproducible synth: two clean checkouts give byte-identical templates, and a bundle built twice on two
"machines" (other staging paths, other umasks) gives the same files, bytes and modes.

Users snapshot-test the construct in their own CI: an asset hash or a bundle that changes without a code
change fails those tests and updates the Lambda function on every deploy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scv_salesforce.bundling import PipLocalBundler
from scv_salesforce.constants import PROJECT_ROOT, PYTHON_VERSION


def _checkout_copy(destination: Path) -> Path:
    """What a clean clone holds: the tracked files (and new ones not ignored), nothing built."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = PROJECT_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def _synth(checkout: Path) -> dict[str, bytes]:
    outdir = checkout / "cdk.out"
    env = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps({"aws:cdk:bundling-stacks": [], "config": "contact_centers.yaml"}),
    }
    subprocess.run([sys.executable, "app.py"], cwd=checkout, env=env, check=True, capture_output=True)
    return {path.name: path.read_bytes() for path in sorted(outdir.glob("*.template.json"))} | {
        path.name: _assets_without_source_paths(path) for path in sorted(outdir.glob("*.assets.json"))
    }


def _assets_without_source_paths(manifest: Path) -> bytes:
    """The asset hashes and destinations. With bundling skipped (as here, to spare pip) an asset's source
    is the absolute source folder; a real synth names the staged ``asset.<hash>`` folder instead."""
    assets = json.loads(manifest.read_text())
    for asset in assets["files"].values():
        asset["source"].pop("path")
    return json.dumps(assets, sort_keys=True).encode()


def test_two_clean_checkouts_synthesize_byte_identical_templates_and_asset_hashes(tmp_path: Path) -> None:
    first = _synth(_checkout_copy(tmp_path / "clone-a"))
    second = _synth(_checkout_copy(tmp_path / "somewhere" / "else" / "clone-b"))

    assert first, "the app synthesized no template"
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between two clean checkouts"
        assert b"clone-a" not in first[name], f"{name} names the checkout's path"


def _tree_digest(root: Path) -> dict[str, tuple[int, str]]:
    return {
        str(path.relative_to(root)): (path.stat().st_mode & 0o7777, hashlib.sha256(path.read_bytes()).hexdigest())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _bundle_with_umask(package: str, output: Path, umask: int) -> Path:
    output.mkdir(parents=True)
    previous = os.umask(umask)
    try:
        PipLocalBundler(package, PYTHON_VERSION).try_bundle(str(output), image=None)
    finally:
        os.umask(previous)
    return output


@pytest.mark.e2e
def test_a_bundle_built_twice_elsewhere_is_the_same_to_the_byte_and_mode(tmp_path: Path) -> None:
    first = _bundle_with_umask("scv_seeder", tmp_path / "machine-a" / "asset-building", 0o022)
    second = _bundle_with_umask("scv_seeder", tmp_path / "b" / "other-staging-dir", 0o002)

    assert _tree_digest(first) == _tree_digest(second)
    machine_paths = (str(first).encode(), str(tmp_path).encode(), sys.executable.encode())
    leaking = [
        str(path.relative_to(first))
        for path in first.rglob("*")
        if path.is_file() and any(marker in path.read_bytes() for marker in machine_paths)
    ]
    assert leaking == [], "files that name the machine that built them"
    assert not (first / "bin").exists(), "console scripts name the builder's interpreter"
    assert not list(first.glob("*.dist-info/RECORD")), "pip's install records name the installer's paths"
