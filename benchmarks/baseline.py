"""The invoker bundle as it shipped before issue #17, for before/after figures measured in the same run.

Figures from different days cannot be compared here (the same import took 10 ms one day and 60 ms another
on this image), so the cold-start goal is a ratio: the import of today's bundle over the import of the bundle
built from BASELINE_REV, sample for sample in one run. The baseline is built by that revision's own
infra/bundling.py from that revision's own lambda_src/ (git archive), so it is byte for byte what `cdk synth`
shipped then, and it is cached under build/bench-baseline/<rev>/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.harness.synth import PROJECT_ROOT

#: main before issue #17's changes (2026-12-02): requests under the transport, the summary line as before
BASELINE_REV = "6bff6e7"
BASELINE_DIR = PROJECT_ROOT / "build" / "bench-baseline"


@dataclass(frozen=True)
class BaselineBundle:
    rev: str
    asset_dir: Path
    handler: str  # the handler as that revision named it


def baseline_bundle(rev: str = BASELINE_REV, package: str = "invoker") -> BaselineBundle:
    """The revision's invoker bundle (its function package named ``package`` then), built once by its own bundler
    with its own pinned requirements, and reused."""
    out = BASELINE_DIR / rev / package
    handler = f"{package}.handler.lambda_handler"
    if (out / package / "handler.py").is_file():
        return BaselineBundle(rev, out, handler)
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as scratch:
        source = Path(scratch) / "source"
        source.mkdir()
        archive = Path(scratch) / "source.tar"
        subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "archive", "--output", str(archive), rev, "infra", "lambda_src"],
            check=True,
        )
        with tarfile.open(archive) as tar:
            tar.extractall(source, filter="data")
        building = Path(scratch) / "bundle"
        building.mkdir()
        # the earlier revision's own bundler, imported from the extracted folder by that folder's name (the
        # installed scv_salesforce is today's)
        code = (
            "from infra.bundling import PipLocalBundler; "
            f"PipLocalBundler({package!r}, '3.13').try_bundle({str(building)!r}, image=None)"
        )
        subprocess.run([sys.executable, "-c", code], cwd=source, check=True)
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(building, out, symlinks=True)
    return BaselineBundle(rev, out, handler)
