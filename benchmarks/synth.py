"""Synth time (figure 7) and the invoker bundle's size.

Warm: ``npx cdk synth`` into the existing cdk.out (what every ``make synth``/``make test`` pays: the bundles'
hashes match, pip never runs). Cold: into a fresh temporary ``--output`` directory, so CDK has no staged asset
to reuse and bundles every Python function again (pip from this machine's configured indexes, then the 3.13
bytecode). Both through tools/harness/synth.py's ``synthesize``, the command ``make synth`` runs.

Size: the invoker asset directory as files (unzipped) and as a zip made here with zipfile (deflate), which is
close to the archive CDK uploads; Lambda's limits are 50 MB zipped and 250 MB unzipped.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import Summary, summarize
from tools.harness.synth import CDK_OUT, EXAMPLE_STACK, CloudAssembly, synthesize

WARM_SYNTHS = 3
COLD_SYNTHS = 2


@dataclass(frozen=True)
class BundleSize:
    files: int
    unzipped_bytes: int
    zipped_bytes: int
    bytecode_bytes: int  # __pycache__/*.pyc shipped for the runtime's Python
    largest: list[tuple[str, int]]  # top-level entries by unzipped size


@dataclass(frozen=True)
class SynthFigures:
    warm: Summary
    cold: Summary
    bundle: BundleSize


def _timed_synth(outdir: Path) -> float:
    started = time.perf_counter()
    synthesize(outdir)
    return (time.perf_counter() - started) * 1000


def _tree_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def bundle_size(asset_dir: Path) -> BundleSize:
    files = sorted(path for path in asset_dir.rglob("*") if path.is_file())
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as scratch:
        archive = Path(scratch) / "scv_invoker.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for path in files:
                zipped.write(path, path.relative_to(asset_dir).as_posix())
        zipped_bytes = archive.stat().st_size
    largest = sorted(((entry.name, _tree_size(entry)) for entry in asset_dir.iterdir()), key=lambda item: -item[1])
    return BundleSize(
        files=len(files),
        unzipped_bytes=sum(path.stat().st_size for path in files),
        zipped_bytes=zipped_bytes,
        bytecode_bytes=sum(path.stat().st_size for path in files if path.suffix == ".pyc"),
        largest=largest[:6],
    )


def measure_synth() -> SynthFigures:
    """WARM_SYNTHS warm synths into cdk.out, COLD_SYNTHS cold ones into fresh temporary directories."""
    warm = [_timed_synth(CDK_OUT) for _ in range(WARM_SYNTHS)]
    cold = []
    for _ in range(COLD_SYNTHS):
        scratch = Path(tempfile.mkdtemp(prefix="bench-synth-"))
        try:
            cold.append(_timed_synth(scratch / "cdk.out"))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    invoker = CloudAssembly(CDK_OUT).function(EXAMPLE_STACK, "InvokerFunction")
    return SynthFigures(summarize(warm), summarize(cold), bundle_size(invoker.asset_dir))
