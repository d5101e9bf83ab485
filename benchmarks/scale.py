"""Scale on this machine (issue #17 goal 5): warm throughput with 1, 4 and 16 containers, and a storm of 200.

Throughput: N warm containers (token cached, each one's cold call done and left out), one client thread per
container in the parent, all released at once for CALLS_PER_CONTAINER sample-flow lookups each. Latency is
the round trip the parent measures around each invocation (queueing for the cores included), so it is what a
caller would see, not the handler's own time. What Secrets Manager and the token endpoint saw during that
phase is counted: the warm path should call neither, however many containers run.

Storm: STORM_CONTAINERS warm containers share the stack's access secret and hold the same token; every token
is revoked once, then each container is called once, WAVE_SIZE at a time (benchmarks/storm.py). All of them
stay alive from before the revocation to the end, so every one meets the refused token: keeping fewer alive
would mean starting some after the revocation, and those would read the new token instead of refreshing. A
harness container holds about 16 MB here (MemAvailable fell by about 3 GB with 200 alive), so they fit. The
counts after each wave are what a storm of that many containers would have called, so one run gives the
growth with containers.

Every container is an execution environment of its own (Stage.start_environment): its own extension with its
own cache in front of the one Secrets Manager, so no count is flattered by a cache shared between containers.
What is shared, as in a deployment: the access secret, moto, the Salesforce emulator; and here the parent
process (emulators, extensions and client threads under one GIL) and the machine's cores.

Alone, with smaller counts for a check: ``.venv/bin/python -m benchmarks.scale --containers 1 4 --storm 40``.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from benchmarks.goals import SCALE_GOAL_MINTS_PER_REVOCATION
from benchmarks.measure import Summary, summarize
from benchmarks.stage import Counts, ExecutionEnvironment, Stage, lookup_event, open_stage
from benchmarks.storm import StormScenario, run_storm

CONTAINER_COUNTS = (1, 4, 16)
#: warm calls per container: 16 containers x 150 calls stay within ~15 s on 2 cores, and even 1 container
#: gives 150 samples, enough for a p99
CALLS_PER_CONTAINER = 150
STORM_CONTAINERS = 200
#: invocations in flight at once during the storm. Every refreshing container imports boto3 for its forced
#: re-read, about 0.4 s of CPU each: on 2 cores a wave of 20 took a median
#: 3.6 s per invocation, and with 200 processes alive some crossed the function's 8 s timeout, which would
#: count timeouts instead of the invoker's refresh logic. 10 at once stays inside the timeout here; on Lambda
#: each environment has its own CPU, so a real burst can be wider
WAVE_SIZE = 10


@dataclass(frozen=True)
class ThroughputFigure:
    containers: int
    calls: int
    seconds: float  # from the release of the client threads to the last answer
    latency: Summary  # round trips measured by the parent
    failures: int
    counts: Counts  # what the measured (warm) phase called

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.seconds


@dataclass(frozen=True)
class ScaleFigures:
    calls_per_container: int
    throughput: list[ThroughputFigure]
    storm: StormScenario

    def warm_calls(self) -> tuple[int, int]:
        """(Secrets Manager calls, token requests) of every measured warm phase together."""
        return (
            sum(figure.counts.secrets_all for figure in self.throughput),
            sum(figure.counts.salesforce_token for figure in self.throughput),
        )

    @property
    def met(self) -> bool:
        """At most one mint for the revocation at every container count, and a warm path that calls neither."""
        return (
            all(totals.mints <= SCALE_GOAL_MINTS_PER_REVOCATION for _, totals in self.storm.growth())
            and self.storm.failures == 0
            and self.warm_calls() == (0, 0)
            and not any(figure.failures for figure in self.throughput)
        )


def _drive(environment: ExecutionEnvironment, calls: int, release: threading.Barrier) -> tuple[list[float], int]:
    """One client: wait for the others, then ``calls`` invocations back to back; (round trips ms, failures)."""
    durations: list[float] = []
    failures = 0
    release.wait()
    for _ in range(calls):
        started = time.perf_counter()
        ok = environment.container.invoke(lookup_event()).ok
        durations.append((time.perf_counter() - started) * 1000)
        failures += 0 if ok else 1
    return durations, failures


def measure_throughput(stage: Stage, containers: int, calls: int) -> ThroughputFigure:
    stage.seed_token()
    environments = [stage.start_environment() for _ in range(containers)]
    try:
        # one extra party: the parent passes the barrier last, then starts the clock
        release = threading.Barrier(containers + 1)
        with ThreadPoolExecutor(max_workers=containers) as pool:
            if not all(record.ok for record in pool.map(lambda e: e.container.invoke(lookup_event()), environments)):
                raise RuntimeError("a container failed its cold call")
            before = stage.counts()
            clients = [pool.submit(_drive, environment, calls, release) for environment in environments]
            release.wait()
            started = time.perf_counter()
            outcomes = [client.result() for client in clients]
            seconds = time.perf_counter() - started
            counts = stage.counts() - before
    finally:
        for environment in environments:
            environment.close()
    return ThroughputFigure(
        containers=containers,
        calls=containers * calls,
        seconds=seconds,
        latency=summarize([duration for durations, _ in outcomes for duration in durations]),
        failures=sum(failures for _, failures in outcomes),
        counts=counts,
    )


def measure_scale(
    stage: Stage,
    *,
    container_counts: Sequence[int] = CONTAINER_COUNTS,
    calls: int = CALLS_PER_CONTAINER,
    storm_containers: int = STORM_CONTAINERS,
) -> ScaleFigures:
    throughput = [measure_throughput(stage, containers, calls) for containers in container_counts]
    storm = run_storm(
        stage, "one shared access secret (as deployed), in waves", [None] * storm_containers, wave_size=WAVE_SIZE
    )
    return ScaleFigures(calls, throughput, storm)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, nargs="+", default=list(CONTAINER_COUNTS))
    parser.add_argument("--calls", type=int, default=CALLS_PER_CONTAINER, help="warm calls per container")
    parser.add_argument("--storm", type=int, default=STORM_CONTAINERS, help="containers in the storm")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with open_stage() as stage:
        figures = measure_scale(stage, container_counts=args.containers, calls=args.calls, storm_containers=args.storm)
    print(f"{os.cpu_count()} cores, {time.perf_counter() - started:.0f} s")
    for figure in figures.throughput:
        print(
            f"{figure.containers} containers: {figure.calls_per_second:.0f} calls/s, p50 {figure.latency.median:.1f}"
            f" ms, p99 {figure.latency.p99:.1f} ms, {figure.failures} failed, Secrets Manager "
            f"{figure.counts.secrets_all}, token requests {figure.counts.salesforce_token}"
        )
    for called, totals in figures.storm.growth():
        print(
            f"storm, {called} containers called: {totals.mints} mints, {totals.salesforce_token} token requests, "
            f"GetSecretValue {totals.secrets_get}, other Secrets Manager {totals.secrets_all - totals.secrets_get}"
        )
    for message, count in figures.storm.errors.items():
        print(f"storm: {count} failed: {message[:300]}")
    print(f"storm: {figures.storm.failures} failed; goal {'met' if figures.met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
