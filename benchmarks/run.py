"""``make bench``: every figure in one run, written to benchmarks/RESULTS.md beside the readings written by hand.

Order matters for noise, not for correctness: synth first (it is the only step that uses both cores hard and
it rewrites cdk.out, so the assembly is read after it), then the figures that time a single process (cold
start, handler overhead), then the counting figures and the storms, which start many processes (the scale
figures up to 200 at once).

Run from the repository root after ``make synth``: ``.venv/bin/python -m benchmarks.run`` (``--memory-only``:
the memory sizes' table alone, printed).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

from scv_salesforce.config import ContactCenter

from benchmarks.cold_start import measure_cold_starts
from benchmarks.faults import CONTAINERS as FAULT_CONTAINERS
from benchmarks.faults import measure_faults
from benchmarks.memory import measure_memory_sizes
from benchmarks.overhead import measure_overhead
from benchmarks.report import hand_written_readings, memory_tables, render
from benchmarks.results import Machine, Results
from benchmarks.scale import CONTAINER_COUNTS, STORM_CONTAINERS, WAVE_SIZE, measure_scale
from benchmarks.stage import open_stage
from benchmarks.storm import measure_storm
from benchmarks.synth import measure_synth
from benchmarks.warm import measure_cache_baseline, measure_methods

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"


def _step(name: str) -> float:
    print(f"[bench] {name} ...", flush=True)
    return time.perf_counter()


def _done(started: float) -> None:
    print(f"[bench]   done in {time.perf_counter() - started:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS_PATH, help="where to write the results (Markdown)")
    parser.add_argument(
        "--memory-only", action="store_true", help="measure the memory sizes' table alone and print it (no RESULTS.md)"
    )
    args = parser.parse_args(argv)
    if args.memory_only:
        with open_stage() as stage:
            print(memory_tables(measure_memory_sizes(stage)))
        return 0
    run_started = time.perf_counter()
    started_at = datetime.datetime.now(datetime.UTC)

    started = _step("synth (warm x3, cold x2) and bundle size")
    synth = measure_synth()
    _done(started)
    with open_stage() as stage:
        started = _step("cold starts (1 warm-up + 10 fresh processes) and -X importtime")
        cold = measure_cold_starts(stage)
        _done(started)
        started = _step("handler overhead (in-process: in turns, then in batches)")
        overhead = measure_overhead(stage)
        _done(started)
        started = _step("Salesforce and Secrets Manager calls per warm invocation, every method")
        warm = measure_methods(stage)
        _done(started)
        started = _step("no-cache baseline (SECRETS_CACHE_TTL_SECONDS=0)")
        baseline = measure_cache_baseline(stage)
        _done(started)
        started = _step("token refresh storm (20 containers, twice)")
        storm = measure_storm(stage)
        _done(started)
        started = _step(
            f"scale: warm throughput with {', '.join(map(str, CONTAINER_COUNTS))} containers; storm of "
            f"{STORM_CONTAINERS} in waves of {WAVE_SIZE}"
        )
        scale = measure_scale(stage)
        _done(started)
        started = _step("memory sizes 128-1769 MB under a CPU quota (cold, cold with a mint, warm)")
        memory = measure_memory_sizes(stage)
        _done(started)
        started = _step(f"faults that last ({FAULT_CONTAINERS} containers), shipped bundle and the earlier one")
        faults = measure_faults(stage)
        _done(started)
        lambda_python = stage.worker_python

    machine = Machine(
        cores=os.cpu_count() or 1,
        host_python=platform.python_version(),
        lambda_python=lambda_python,
        platform=platform.platform(),
        processor=_cpu_model(),
    )
    results = Results(
        started_at=started_at,
        wall_seconds=time.perf_counter() - run_started,
        machine=machine,
        command="`make bench` (= `make synth`, then `.venv/bin/python -m benchmarks.run`)",
        synth=synth,
        cold=cold,
        overhead=overhead,
        warm=warm,
        baseline=baseline,
        storm=storm,
        scale=scale,
        memory=memory,
        faults=faults,
        default_memory_mb=ContactCenter.model_fields["memory_size_mb"].default,
    )
    previous = args.output.read_text() if args.output.exists() else ""
    args.output.write_text(render(results, hand_written_readings(previous)))
    print(f"[bench] wrote {args.output} ({results.wall_seconds:.0f} s in all)")
    for line in results.goal_lines():
        print(f"[bench] {line}")
    return 0


def _cpu_model() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else platform's guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
