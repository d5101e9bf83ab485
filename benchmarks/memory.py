"""Lambda's CPU follows its memory setting (issue #17, goal 3): the invoker at 128 to 1769 MB.

Lambda gives a function one full vCPU at 1,769 MB and a proportional share below. The kernel's CPU controller
does the same to a process here: a CFS quota of memory/1769 of one core per period (cgroup v1 cpu.cfs_quota_us,
or v2 cpu.max). That needs a writable cgroup (root on this machine); where there is none the figures are not
made up but reported as not measured, with the reason.

Per size, each in a fresh worker process inside the cgroup: a cold start with the token cached (import + first
call), warm calls, and a cold start whose first call has to mint a token (RSA signing of the JWT, the most CPU
the function ever spends). The cost columns use the price named in LAMBDA_PRICE.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.overhead import overhead_config
from benchmarks.stage import Stage, lookup_event

MEMORY_SIZES_MB = (128, 256, 512, 1024, 1769)
#: memory at which Lambda allots one full vCPU
FULL_CORE_MB = 1769
CFS_PERIOD_US = 100_000
SAMPLES = 3
#: x86_64 Lambda in us-east-1 (aws.amazon.com/lambda/pricing, read 2026-12-02): per GB-second, per request
LAMBDA_PRICE = {"gb_second_usd": 0.0000166667, "request_usd": 0.20 / 1_000_000, "name": "x86_64, us-east-1"}
_CGROUP_V1 = Path("/sys/fs/cgroup/cpu")
_CGROUP_V2 = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class MemoryRow:
    memory_mb: int
    cpu_share: float
    cold_ms: float | None  # import + first call, token cached (median of the runs that answered)
    warm_ms: float | None  # one warm queryRecord through the handler (median); None when the worker failed
    mint_cold_ms: float | None  # import + first call that mints a token (median of the runs that answered)
    cold_failures: int  # runs whose invocation failed (e.g. a read timed out on a starved CPU) of SAMPLES
    mint_failures: int
    mint_samples: int  # SAMPLES, or fewer when one failed

    @property
    def warm_gb_seconds(self) -> float | None:
        """Billed GB-seconds of one warm call (duration rounded up to 1 ms, as Lambda bills)."""
        return None if self.warm_ms is None else self.memory_mb / 1024 * math.ceil(self.warm_ms) / 1000

    @property
    def cost_per_million_warm_usd(self) -> float | None:
        if self.warm_gb_seconds is None:
            return None
        per_call = self.warm_gb_seconds * LAMBDA_PRICE["gb_second_usd"] + LAMBDA_PRICE["request_usd"]
        return per_call * 1_000_000


@dataclass(frozen=True)
class MemoryFigures:
    rows: list[MemoryRow]
    not_measured: str | None  # why there are no rows


@contextmanager
def cpu_quota(memory_mb: int) -> Iterator[Path]:
    """A CPU cgroup limited to memory_mb/1769 of one core; yields the file a process writes its pid to."""
    share = min(1.0, memory_mb / FULL_CORE_MB)
    quota_us = int(CFS_PERIOD_US * share)
    name = f"scv-bench-{memory_mb}mb-{os.getpid()}"
    if (_CGROUP_V1 / "cpu.cfs_quota_us").exists():
        group = _CGROUP_V1 / name
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text(str(CFS_PERIOD_US))
        (group / "cpu.cfs_quota_us").write_text(str(quota_us))
    else:
        group = _CGROUP_V2 / name
        group.mkdir()
        (group / "cpu.max").write_text(f"{quota_us} {CFS_PERIOD_US}")
    try:
        yield group / "cgroup.procs"
    finally:
        group.rmdir()  # its processes have exited: run_worker waits for them


def cgroup_unavailable() -> str | None:
    """Why no CPU cgroup can be made here, or None."""
    try:
        with cpu_quota(FULL_CORE_MB):
            return None
    except OSError as error:
        return (
            f"no writable CPU cgroup ({error.strerror}: {error.filename}); run `make bench` as root on a host with one"
        )


def _cold(stage: Stage, procs: Path, *, mint: bool) -> float | None:
    """Import + first call in a fresh process, ms; None when the invocation failed (the failure is a figure)."""
    if mint:
        # a token the org never issued, a new one each sample: every revocation refuses a token of its own, and
        # the invoker's refresh claim (one per refused token) must not make a later sample wait for an earlier
        stage.write_token(f"00Dbench!revoked-token-forces-a-mint-{os.urandom(8).hex()}")
    else:
        stage.seed_token()
    stage.fresh_environment()
    try:
        run = stage.run_worker("cold", {"event": lookup_event(), "heavy_modules": []}, cgroup_procs=procs)
    except RuntimeError:
        return None
    if not isinstance(run.result["payload"], dict) or run.result["payload"].get("Name") != "Yamada Taro":
        return None
    return float(run.result["import_ms"] + run.result["first_ms"])


def _median(samples: list[float | None]) -> float | None:
    answered = [sample for sample in samples if sample is not None]
    return statistics.median(answered) if answered else None


def _warm(stage: Stage, procs: Path) -> float | None:
    config = overhead_config(stage, warmup=5, rounds=60)
    try:
        run = stage.run_worker("overhead", config, cgroup_procs=procs)
    except RuntimeError:
        return None
    return statistics.median(ns / 1e6 for ns in run.result["handler_ns"])


def measure_memory_sizes(stage: Stage) -> MemoryFigures:
    reason = cgroup_unavailable()
    if reason is not None:
        return MemoryFigures([], reason)
    rows = []
    for memory_mb in MEMORY_SIZES_MB:
        with cpu_quota(memory_mb) as procs:
            cold = [_cold(stage, procs, mint=False) for _ in range(SAMPLES)]
            mint: list[float | None] = []
            while len(mint) < SAMPLES and None not in mint:
                # a failed mint waited out the invocation's 8 s: one says this size cannot mint in time, and more
                # would only add their 8 s each to the run
                mint.append(_cold(stage, procs, mint=True))
            warm = _warm(stage, procs)
        rows.append(
            MemoryRow(
                memory_mb=memory_mb,
                cpu_share=min(1.0, memory_mb / FULL_CORE_MB),
                cold_ms=_median(cold),
                warm_ms=warm,
                mint_cold_ms=_median(mint),
                cold_failures=cold.count(None),
                mint_failures=mint.count(None),
                mint_samples=len(mint),
            )
        )
    return MemoryFigures(rows, None)
