"""Cold start (figure 4) and Secrets Manager calls per cold start (figure 1, cold part).

A cold start is measured as Lambda bills the part the function controls: importing the handler module,
then the first invocation, with a valid token already cached in the access secret. Each sample is a fresh
process under the Lambda runtime's Python (3.13) that can import only the bundle from cdk.out and the
runtime's boto3 (benchmarks/lambda_worker.py), with the fake Parameters and Secrets extension in front of
moto as the deployed function has it, its cache emptied first (a new execution environment starts a new
extension). When no Python 3.13 is installed the same isolated process runs under the host Python with the
harness's runtime packages (as tools/harness LambdaContainer does), and RESULTS.md says so.

``python -X importtime`` of the handler import, in the same isolated setting, says where the import time goes.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scv_shared.telemetry import SECRETS_MANAGER_CALLS

from benchmarks.baseline import BaselineBundle, baseline_bundle
from benchmarks.measure import Summary, ratio, summarize
from benchmarks.stage import Counts, Stage, WorkerRun, lookup_event

COLD_STARTS = 10
IMPORTTIME_TOP = 15
#: import-only samples per variant (marginal costs, no bytecode)
IMPORT_SAMPLES = 9
#: what Lambda's runtime client has imported when it imports the handler: awslambdaric's bootstrap.py and its
#: log utilities and marshaller (releases 3.0 to 4.0; os, sys, time and math are loaded at any interpreter's
#: start). The import as Lambda performs it, for both bundles, is the one the goal compares.
LAMBDA_RUNTIME_PRELOAD = ("importlib", "json", "logging", "traceback", "decimal", "enum")
#: modules whose marginal cost to the handler's import is measured (preloaded untimed after the runtime's, then
#: the import timed): the largest standard-library imports left
MARGINAL_MODULES: tuple[tuple[str, ...], ...] = (
    ("ssl",),
    ("typing",),
    ("urllib.parse",),
)
#: what a cold start with a cached token has no use for: Secrets Manager's SDK, JWT signing, and the HTTP
#: libraries the transport no longer uses (the baseline bundle still imports requests, urllib3 and http.client)
HEAVY_MODULES = ("boto3", "jwt", "cryptography", "requests", "urllib3", "http.client")
_MARKER = "--bench: handler import starts--"
_IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


@dataclass(frozen=True)
class ColdRun:
    import_ms: float
    first_call_ms: float
    process_wall_ms: float  # interpreter start, import, first call, exit: what the parent saw
    counts: Counts
    secrets_manager_calls_logged: int
    heavy_imported: list[str]  # of HEAVY_MODULES, those the cached-token cold path imported (goal: none)
    summary_line_fields: int  # top-level keys of the invocation's summary log line

    @property
    def cold_ms(self) -> float:
        return self.import_ms + self.first_call_ms


@dataclass(frozen=True)
class ImportEntry:
    module: str
    self_ms: float
    cumulative_ms: float
    depth: int


@dataclass(frozen=True)
class ColdStartFigures:
    interpreter: str
    lambda_runtime_python: bool  # the Lambda runtime's Python (3.13), not the host's
    warmup_run: ColdRun  # the first process (file cache state after synth), reported, not in the median
    runs: list[ColdRun]
    top_cumulative: list[ImportEntry]
    entries: list[ImportEntry]  # every module of the handler's import, in importtime's order
    self_by_package: list[tuple[str, float]]
    importtime_total_ms: float
    import_only: Summary  # the handler's import alone, nothing preloaded
    lambda_import: Summary  # the import after LAMBDA_RUNTIME_PRELOAD, as Lambda performs it
    marginal_ms: list[tuple[str, float]]  # modules, lambda_import's median minus the median with them preloaded
    no_bytecode_import: Summary  # the same bundle with its __pycache__ directories removed
    baseline_rev: str
    baseline_import: Summary  # the bundle built from baseline_rev, nothing preloaded; sampled in turn with ours
    baseline_lambda_import: Summary  # that bundle after LAMBDA_RUNTIME_PRELOAD

    @property
    def import_ratio(self) -> float | None:
        """Today's import over the baseline's as Lambda performs both (issue #17: at most 0.5), medians of this
        run."""
        return ratio(self.lambda_import.median, self.baseline_lambda_import.median)

    @property
    def bare_import_ratio(self) -> float | None:
        """The same with nothing preloaded: both bundles also pay for what the runtime client had imported."""
        return ratio(self.import_only.median, self.baseline_import.median)

    @property
    def summary_line_fields(self) -> int:
        return self.runs[0].summary_line_fields

    @property
    def cold(self) -> Summary:
        return summarize([run.cold_ms for run in self.runs])

    @property
    def imports(self) -> Summary:
        return summarize([run.import_ms for run in self.runs])

    @property
    def first_calls(self) -> Summary:
        return summarize([run.first_call_ms for run in self.runs])

    @property
    def walls(self) -> Summary:
        return summarize([run.process_wall_ms for run in self.runs])


def _one_cold_start(stage: Stage) -> ColdRun:
    stage.fresh_environment()
    before = stage.counts()
    run = stage.run_worker("cold", {"event": lookup_event(), "heavy_modules": list(HEAVY_MODULES)})
    counts = stage.counts() - before
    summary = run.summary_line()
    if run.result["payload"].get("Name") != "Yamada Taro" or summary.get("token_mints"):
        raise RuntimeError(f"the cold invocation did not use the cached token: {summary}")
    return ColdRun(
        import_ms=run.result["import_ms"],
        first_call_ms=run.result["first_ms"],
        process_wall_ms=run.wall_ms,
        counts=counts,
        secrets_manager_calls_logged=_logged_secrets_manager_calls(run),
        heavy_imported=list(run.result["heavy_imported"]),
        summary_line_fields=len(summary),
    )


def _logged_secrets_manager_calls(run: WorkerRun) -> int:
    """The function's own count: the SecretsManagerCalls of its metrics record (on the summary line of a bundle
    that wrote each call's metrics there; a 0 is left out)."""
    for line in run.logs:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "_aws" in record:
            values = record.get(SECRETS_MANAGER_CALLS, 0)
            return int(sum(values) if isinstance(values, list) else values)
    return 0


def _import_ms(
    stage: Stage, preload: tuple[str, ...] = (), paths: list[str] | None = None, handler: str | None = None
) -> float:
    config: dict[str, object] = {"preload": list(preload)}
    if paths is not None:
        config["paths"] = paths
    if handler is not None:
        config["handler"] = handler
    return float(stage.run_worker("import", config).result["import_ms"])


@dataclass(frozen=True)
class ImportSamples:
    import_only: Summary
    lambda_import: Summary
    marginal_ms: list[tuple[str, float]]
    baseline_import: Summary
    baseline_lambda_import: Summary


def _import_samples(stage: Stage, baseline: BaselineBundle) -> ImportSamples:
    """Both bundles' imports, bare and after the runtime client's modules, and how much of ours each entry of
    MARGINAL_MODULES is (the import's median as on Lambda minus the median with them preloaded too: the most
    that dropping or deferring them could save). Every variant takes its turn, sample by sample, so drift on the
    machine cannot favour one of them."""
    baseline_paths = [str(baseline.asset_dir), *stage.lambda_paths()[1:]]
    variants: dict[str, dict[str, Any]] = {
        "bare": {"preload": ()},
        "lambda": {"preload": LAMBDA_RUNTIME_PRELOAD},
        **{", ".join(modules): {"preload": (*LAMBDA_RUNTIME_PRELOAD, *modules)} for modules in MARGINAL_MODULES},
        "baseline bare": {"preload": (), "paths": baseline_paths, "handler": baseline.handler},
        "baseline lambda": {"preload": LAMBDA_RUNTIME_PRELOAD, "paths": baseline_paths, "handler": baseline.handler},
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(IMPORT_SAMPLES):
        for name, arguments in variants.items():
            samples[name].append(_import_ms(stage, **arguments))
    on_lambda = summarize(samples["lambda"])
    return ImportSamples(
        import_only=summarize(samples["bare"]),
        lambda_import=on_lambda,
        marginal_ms=[
            (name, on_lambda.median - statistics.median(samples[name]))
            for name in (", ".join(modules) for modules in MARGINAL_MODULES)
        ],
        baseline_import=summarize(samples["baseline bare"]),
        baseline_lambda_import=summarize(samples["baseline lambda"]),
    )


def _no_bytecode_import(stage: Stage) -> Summary:
    """The handler's import from a copy of the bundle without the 3.13 bytecode infra/bundling.py ships:
    /var/task is read-only on Lambda, so without it every cold start compiles every module again."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-nopyc-"))
    try:
        copy = scratch / "bundle"
        shutil.copytree(stage.invoker.asset_dir, copy, ignore=shutil.ignore_patterns("__pycache__"))
        paths = [str(copy), *stage.lambda_paths()[1:]]
        return summarize([_import_ms(stage, paths=paths) for _ in range(IMPORT_SAMPLES)])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _importtime(stage: Stage, python: str, paths: list[str]) -> list[ImportEntry]:
    """``-X importtime`` of ``import invoker.handler`` with only ``paths`` importable (as in the cold runs)."""
    module = stage.invoker.handler.rsplit(".", 1)[0]
    # the marker separates the interpreter's own start-up imports from the handler's
    code = f"import sys; sys.path[:0] = {paths!r}; sys.stderr.write({_MARKER!r} + '\\n'); import {module}"
    completed = subprocess.run(
        [python, "-X", "importtime", "-I", "-S", "-B", "-c", code],
        capture_output=True,
        text=True,
        env=stage.lambda_process_environment(),
        check=True,
        timeout=60,
    )
    lines = completed.stderr.splitlines()
    entries = []
    for line in lines[lines.index(_MARKER) + 1 :]:
        match = _IMPORTTIME_LINE.match(line)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            depth = (len(indent) - 1) // 2  # one space after the bar, then two per nesting level
            entries.append(ImportEntry(name, int(self_us) / 1000, int(cumulative_us) / 1000, depth))
    return entries


def _package_of(module: str, bundle: Path, extra_paths: list[Path]) -> str:
    """The distribution a module comes from: a top-level name in the bundle (or runtime dir), else stdlib."""
    top = module.split(".")[0]
    for root in (bundle, *extra_paths):
        if (root / top).is_dir() or (root / f"{top}.py").exists() or any(root.glob(f"{top}.*.so")):
            return top
    return "(standard library)"


def measure_cold_starts(stage: Stage) -> ColdStartFigures:
    """One discarded warm-up process, then COLD_STARTS fresh processes, then -X importtime once."""
    warmup = _one_cold_start(stage)
    runs = [_one_cold_start(stage) for _ in range(COLD_STARTS)]
    python, paths = stage.worker_python, stage.lambda_paths()
    if stage.lambda_python is not None:
        interpreter = f"Python {_version(python)} ({python}), -I -S -B: bundle + the runtime's boto3 only"
    else:
        interpreter = (
            f"host Python {_version(python)} ({python}; no Python 3.13 found), -I -S -B: bundle + the harness's "
            f"runtime packages; the bundle's bytecode is for 3.13, so every module is compiled from source here"
        )
    entries = _importtime(stage, python, paths)
    baseline = baseline_bundle()
    imports = _import_samples(stage, baseline)
    no_bytecode = _no_bytecode_import(stage)
    root_total = sum(entry.cumulative_ms for entry in entries if entry.depth == 0)
    top = sorted(entries, key=lambda entry: entry.cumulative_ms, reverse=True)[:IMPORTTIME_TOP]
    by_package: dict[str, float] = {}
    extra = [Path(path) for path in paths[1:]]
    for entry in entries:
        package = _package_of(entry.module, stage.invoker.asset_dir, extra)
        by_package[package] = by_package.get(package, 0.0) + entry.self_ms
    return ColdStartFigures(
        interpreter=interpreter,
        lambda_runtime_python=stage.lambda_python is not None,
        warmup_run=warmup,
        runs=runs,
        top_cumulative=top,
        entries=entries,
        self_by_package=sorted(by_package.items(), key=lambda item: item[1], reverse=True),
        importtime_total_ms=root_total,
        import_only=imports.import_only,
        lambda_import=imports.lambda_import,
        marginal_ms=imports.marginal_ms,
        no_bytecode_import=no_bytecode,
        baseline_rev=baseline.rev,
        baseline_import=imports.baseline_import,
        baseline_lambda_import=imports.baseline_lambda_import,
    )


def _version(python: str) -> str:
    completed = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()
