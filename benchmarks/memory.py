"""What a call costs at each memory size (issues #17 goal 3, #30): the invoker at 128 to 1769 MB.

Lambda gives a function one full vCPU at 1,769 MB and a proportional share below. The kernel's CPU controller
does the same to a process here: a CFS quota of memory/1769 of one core per period (cgroup v1 cpu.cfs_quota_us,
or v2 cpu.max). That needs a writable cgroup (root on this machine); where there is none the figures are not
made up but reported as not measured, with the reason.

Per size, each in a fresh worker process inside the cgroup: a cold start with the token cached (import + first
call), a cold start whose first call has to mint a token (the most CPU the function ever spends), and warm calls
with the org answering at once (loopback) and after an org latency: the emulator holds each data request that
long, then answers, as an org across the internet does. Lambda bills that wait times the memory size, so the
cost columns come from the calls with a latency. Each warm call's CPU time and the bytes it writes to stdout (the
function's own log lines, what CloudWatch Logs ingests) are measured too. Prices: PRICES.

Salesforce's function is not run here: its row is computed (anchor_duration_ms) from the reference figures in
benchmarks/goals.py, the same way a size's CPU share scales CPU time.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.cold_start import LAMBDA_RUNTIME_PRELOAD
from benchmarks.goals import SCV_MEMORY_MB, SCV_SSM_ROUND_TRIP_MS, SCV_WARM_CPU_MS
from benchmarks.stage import Stage, lookup_event
from tools.emulators.salesforce.shapes import DATA_PREFIX

MEMORY_SIZES_MB = (128, 256, 512, 1024, 1769)
#: how long the org takes to answer a data request: loopback, then typical REST round trips from AWS
ORG_LATENCIES_MS = (0, 50, 150, 300)
#: memory at which Lambda allots one full vCPU
FULL_CORE_MB = 1769
CFS_PERIOD_US = 100_000
SAMPLES = 5  # a 128 MB share runs in 7 ms slices of every 100 ms: one sample is off by up to 0.1 s
WARM_CALLS = 20  # per size and org latency
_CGROUP_V1 = Path("/sys/fs/cgroup/cpu")
_CGROUP_V2 = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Prices:
    """On-demand prices (aws.amazon.com/lambda/pricing and /cloudwatch/pricing, read 2026-12-06)."""

    region: str
    x86_64_gb_second_usd: float
    arm64_gb_second_usd: float
    request_usd: float
    log_ingestion_gb_usd: float  # CloudWatch Logs, standard class; a GB counted as 10^9 bytes (the higher cost)


PRICES = Prices(
    region="us-east-1",
    x86_64_gb_second_usd=0.0000166667,
    arm64_gb_second_usd=0.0000133334,
    request_usd=0.20 / 1_000_000,
    log_ingestion_gb_usd=0.50,
)


def billed_gb_seconds(memory_mb: int, duration_ms: float) -> float:
    """GB-seconds Lambda bills for one call (duration rounded up to 1 ms)."""
    return memory_mb / 1024 * math.ceil(duration_ms) / 1000


def lambda_usd_per_million(memory_mb: int, duration_ms: float, *, gb_second_usd: float) -> float:
    """Duration and request charges of a million calls."""
    return (billed_gb_seconds(memory_mb, duration_ms) * gb_second_usd + PRICES.request_usd) * 1_000_000


def logs_usd_per_million(log_bytes: float) -> float:
    """CloudWatch Logs ingestion of a million calls writing ``log_bytes`` each."""
    return log_bytes * 1_000_000 / 1e9 * PRICES.log_ingestion_gb_usd


def _log_bytes_per_call(warm_result: dict) -> int:
    """The median call's own lines, and its share of the record with the minute's metrics (the run's calls are
    one minute's)."""
    per_call = warm_result["log_bytes"]
    return math.ceil(statistics.median(per_call) + warm_result.get("metrics_bytes", 0) / len(per_call))


def anchor_duration_ms(org_latency_ms: float) -> float:
    """Salesforce's function, one warm call at its 128 MB: its CPU time scaled by the CPU share, its SSM read
    per call, and the org's answer."""
    return org_latency_ms + SCV_WARM_CPU_MS * FULL_CORE_MB / SCV_MEMORY_MB + SCV_SSM_ROUND_TRIP_MS


@dataclass(frozen=True)
class WarmRun:
    """Warm calls of one worker process at one org latency (medians of WARM_CALLS)."""

    org_latency_ms: int
    duration_ms: float
    cpu_ms: float
    log_bytes: int  # per call: its own lines, and its share of the metrics record of the minute


@dataclass(frozen=True)
class MemoryRow:
    memory_mb: int
    cpu_share: float
    cold_ms: float | None  # import + first call, token cached (median of the runs that answered)
    mint_cold_ms: float | None  # import + first call that mints a token (median of the runs that answered)
    cold_failures: int  # runs whose invocation failed (e.g. a read timed out on a starved CPU) of SAMPLES
    mint_failures: int
    mint_samples: int  # SAMPLES, or fewer when one failed
    #: one per org latency that answered (a worker whose call failed has none)
    warm: tuple[WarmRun, ...]

    def at_latency(self, org_latency_ms: int) -> WarmRun | None:
        return next((run for run in self.warm if run.org_latency_ms == org_latency_ms), None)

    @property
    def warm_failures(self) -> int:
        return len(ORG_LATENCIES_MS) - len(self.warm)


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
    """Import + first call in a fresh process, ms; None when the invocation failed (the failure is a figure).

    The modules Lambda's runtime client has imported before it imports the handler are loaded first, untimed (as
    the cold start's import as Lambda performs it, figure 4): the runtime's own start, theirs included, is the
    same for every Python function and is not measured here."""
    if mint:
        # a token the org never issued, a new one each sample: every revocation refuses a token of its own, and
        # the invoker's refresh claim (one per refused token) must not make a later sample wait for an earlier
        stage.write_token(f"00Dbench!revoked-token-forces-a-mint-{os.urandom(8).hex()}")
    else:
        stage.seed_token()
    stage.fresh_environment()
    try:
        config = {"event": lookup_event(), "heavy_modules": [], "preload": list(LAMBDA_RUNTIME_PRELOAD)}
        run = stage.run_worker("cold", config, cgroup_procs=procs)
    except RuntimeError:
        return None
    if not isinstance(run.result["payload"], dict) or run.result["payload"].get("Name") != "Yamada Taro":
        return None
    return float(run.result["import_ms"] + run.result["first_ms"])


def _median(samples: list[float | None]) -> float | None:
    answered = [sample for sample in samples if sample is not None]
    return statistics.median(answered) if answered else None


def _warm(stage: Stage, procs: Path, org_latency_ms: int) -> WarmRun | None:
    """A fresh container's cold call, then WARM_CALLS warm ones, the org answering each after its latency."""
    stage.seed_token()
    stage.fresh_environment()
    if org_latency_ms:
        stage.salesforce.inject_fault(DATA_PREFIX, delay_seconds=org_latency_ms / 1000, times=WARM_CALLS + 1)
    config = {"event": lookup_event(), "calls": WARM_CALLS, "environment": stage.lambda_process_environment()}
    try:
        run = stage.run_worker("warm", config, cgroup_procs=procs)
    except RuntimeError:
        return None
    finally:
        stage.salesforce.clear_faults()
    return WarmRun(
        org_latency_ms=org_latency_ms,
        duration_ms=statistics.median(ns / 1e6 for ns in run.result["durations_ns"]),
        cpu_ms=statistics.median(ns / 1e6 for ns in run.result["cpu_ns"]),
        log_bytes=_log_bytes_per_call(run.result),
    )


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
            warm = [_warm(stage, procs, latency) for latency in ORG_LATENCIES_MS]
        rows.append(
            MemoryRow(
                memory_mb=memory_mb,
                cpu_share=min(1.0, memory_mb / FULL_CORE_MB),
                cold_ms=_median(cold),
                mint_cold_ms=_median(mint),
                cold_failures=cold.count(None),
                mint_failures=mint.count(None),
                mint_samples=len(mint),
                warm=tuple(run for run in warm if run is not None),
            )
        )
    return MemoryFigures(rows, None)
