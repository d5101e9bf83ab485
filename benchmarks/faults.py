"""Fault campaign (figure 9): faults that last, with the shipped bundle and with the bundle of BEFORE_COMMIT.

Each fault runs against CONTAINERS execution environments, each called once a second (20 calls/s in all) for
WINDOW_SECONDS, then the fault is fixed and every container is called until it answers again. The shipped bundle's
sign-in rules (scv_invoker.sign_in: a slot a minute, a lease of 15) run on a clock CLOCK_FACTOR times faster
(tools/harness/runner.py), so the window is an hour of them; the other faults and the earlier bundle do not depend
on that clock (its per-hour figures are the window's counts times 3600 / WINDOW_SECONDS, at the same call rate).

The earlier bundle is the one BEFORE_COMMIT's own bundler builds from that commit's sources and pinned requirements
(benchmarks/baseline.py: it still signed with PyJWT and cryptography), so both run on the same stage in the same
run.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from benchmarks.baseline import baseline_bundle
from benchmarks.measure import Summary, summarize
from benchmarks.stage import ExecutionEnvironment, Stage, lookup_event
from tools.emulators.salesforce.oauth import RATE_LIMIT_EXCEEDED
from tools.emulators.salesforce.shapes import DATA_PREFIX
from tools.emulators.secrets import SecretsCall
from tools.harness.container import InvocationRecord

BEFORE_COMMIT = "5a36c14"
CONTAINERS = 20
WINDOW_SECONDS = 60.0
CALL_PERIOD_SECONDS = 1.0
#: the sign-in rules' clock in the shipped bundle: the window is an hour of it
CLOCK_FACTOR = 3600 / WINDOW_SECONDS
CLOCK_MODULES = "scv_invoker.sign_in"
#: after the fix, containers are called until each has answered, at most this long (real seconds)
RECOVERY_CAP_SECONDS = 120.0
#: long enough for any call of the window to be held (a hung org), short enough to end with the stage
HANG_SECONDS = 30.0
#: the answer a byte per this many seconds: every read in time, the whole answer far past the 8 s
TRICKLE_SECONDS_PER_BYTE = 0.05
_FOREVER = 1_000_000


@dataclass(frozen=True)
class Fault:
    name: str
    start: Callable[[Stage], None]
    fix: Callable[[Stage], None]
    #: the fault's rules run on the sign-in clock (the recovery time is read on it too)
    sign_in: bool = False


def _subject(stage: Stage) -> str:
    return stage.deployment.seed_properties["Subject"]


def _freeze(stage: Stage) -> None:
    stage.salesforce.add_user(_subject(stage), active=False)
    stage.salesforce.revoke_tokens()


def _rate_limit(stage: Stage) -> None:
    stage.salesforce.inject_token_error(RATE_LIMIT_EXCEEDED, times=_FOREVER)
    stage.salesforce.revoke_tokens()


FAULTS = (
    Fault("frozen user", _freeze, lambda stage: stage.salesforce.add_user(_subject(stage)), sign_in=True),
    Fault("LOGIN_RATE_EXCEEDED", _rate_limit, lambda stage: stage.salesforce.clear_faults(), sign_in=True),
    Fault(
        "hung org",
        lambda stage: stage.salesforce.inject_fault(DATA_PREFIX, delay_seconds=HANG_SECONDS, times=_FOREVER),
        lambda stage: stage.salesforce.clear_faults(),
    ),
    Fault(
        "503 storm",
        lambda stage: stage.salesforce.inject_unavailable(times=_FOREVER, path_contains=DATA_PREFIX),
        lambda stage: stage.salesforce.clear_faults(),
    ),
    Fault(
        "trickling server",
        lambda stage: stage.salesforce.inject_fault(
            DATA_PREFIX, seconds_per_byte=TRICKLE_SECONDS_PER_BYTE, times=_FOREVER
        ),
        lambda stage: stage.salesforce.clear_faults(),
    ),
)


@dataclass(frozen=True)
class FaultRow:
    bundle: str
    fault: str
    calls: int
    token_requests_per_hour: float
    #: PutSecretValue calls that made a version, on the secret that got the most (the advice is per secret)
    secret_writes_per_hour: float
    #: PutSecretValue calls Secrets Manager refused (a lost compare-and-set: no version made), all secrets
    refused_writes_per_hour: float
    wait: Summary  # caller wait (the handler's time) of the window's calls, ms
    over_8s: int  # calls of the window that ran past Connect's 8 s (Lambda would end them, no summary line)
    recovery_seconds: float | None  # from the fix until every container answered; None: not within the cap


@dataclass(frozen=True)
class FaultFigures:
    rows: list[FaultRow]
    containers: int = CONTAINERS
    window_seconds: float = WINDOW_SECONDS
    clock_factor: float = CLOCK_FACTOR
    before_commit: str = BEFORE_COMMIT


def measure_faults(stage: Stage) -> FaultFigures:
    rows: list[FaultRow] = []
    before = baseline_bundle(BEFORE_COMMIT, package="scv_invoker").asset_dir
    for label, asset_dir in (("shipped", stage.invoker.asset_dir), (BEFORE_COMMIT, before)):
        for fault in FAULTS:
            rows.append(_run(stage, label, asset_dir, fault))
    return FaultFigures(rows)


def _start(stage: Stage, asset_dir: Path) -> ExecutionEnvironment:
    """An execution environment of ``asset_dir``'s bundle, its sign-in clock compressed; the earlier bundle trusts
    the emulator through SSL_CERT_FILE, the only variable it read."""
    asset = dataclasses.replace(stage.invoker, asset_dir=asset_dir)
    trust = {} if asset_dir == stage.invoker.asset_dir else {"SSL_CERT_FILE": str(stage.salesforce.ca_bundle_path)}
    return stage.start_environment(
        asset, HARNESS_CLOCK_FACTOR=str(CLOCK_FACTOR), HARNESS_CLOCK_MODULES=CLOCK_MODULES, **trust
    )


def _run(stage: Stage, label: str, asset_dir: Path, fault: Fault) -> FaultRow:
    print(f"[bench]   {label}: {fault.name}", flush=True)
    stage.salesforce.clear_faults()
    stage.salesforce.add_user(_subject(stage))
    stage.seed_token()
    environments = [_start(stage, asset_dir) for _ in range(CONTAINERS)]
    try:
        with ThreadPoolExecutor(max_workers=CONTAINERS) as pool:
            if not all(record.ok for record in pool.map(_call_once, environments)):
                raise RuntimeError(f"a {label} container failed to warm up")
            before = stage.counts()
            calls_before = len(stage.secrets_server.calls())
            fault.start(stage)
            waits = [wait for waits in pool.map(_drive_window, environments) for wait in waits]
            counts = stage.counts() - before
            writes = [call for call in stage.secrets_server.calls()[calls_before:] if call.action == "PutSecretValue"]
            fault.fix(stage)
            fixed_at = time.monotonic()
            answered = list(pool.map(_until_answered, environments))
    finally:
        stage.salesforce.clear_faults()  # release held requests before the containers close
        for environment in environments:
            environment.close()
    answered_at = [moment for moment in answered if moment is not None]
    recovery = max(answered_at) - fixed_at if len(answered_at) == len(answered) else None
    on_clock = CLOCK_FACTOR if fault.sign_in and label == "shipped" else 1.0
    per_hour = 1.0 if on_clock != 1.0 else 3600 / WINDOW_SECONDS
    return FaultRow(
        bundle=label,
        fault=fault.name,
        calls=len(waits),
        token_requests_per_hour=counts.salesforce_token * per_hour,
        secret_writes_per_hour=_busiest_secret(call for call in writes if call.status == 200) * per_hour,
        refused_writes_per_hour=sum(call.status != 200 for call in writes) * per_hour,
        wait=summarize(waits),
        over_8s=sum(wait > 8000 for wait in waits),
        recovery_seconds=None if recovery is None else recovery * on_clock,
    )


def _busiest_secret(writes: Iterable[SecretsCall]) -> int:
    """The most writes any one secret got."""
    return max(Counter(call.secret_ids for call in writes).values(), default=0)


def _call_once(environment: ExecutionEnvironment) -> InvocationRecord:
    return environment.container.invoke(lookup_event())


def _drive_window(environment: ExecutionEnvironment) -> list[float]:
    """One call per CALL_PERIOD_SECONDS (or back to back when a call takes longer) for the window: the waits."""
    ends = time.monotonic() + WINDOW_SECONDS
    waits: list[float] = []
    while (now := time.monotonic()) < ends:
        waits.append(_call_once(environment).duration_ms)
        time.sleep(max(0.0, now + CALL_PERIOD_SECONDS - time.monotonic()))
    return waits


def _until_answered(environment: ExecutionEnvironment) -> float | None:
    """When the container first answered after the fix (monotonic), None if not within RECOVERY_CAP_SECONDS."""
    give_up = time.monotonic() + RECOVERY_CAP_SECONDS
    while (now := time.monotonic()) < give_up:
        if _call_once(environment).ok:
            return time.monotonic()
        time.sleep(max(0.0, now + CALL_PERIOD_SECONDS - time.monotonic()))
    return None


if __name__ == "__main__":  # the campaign alone: .venv/bin/python -m benchmarks.faults (after make synth)
    from benchmarks.stage import open_stage

    with open_stage() as bench_stage:
        for row in measure_faults(bench_stage).rows:
            print(row)
