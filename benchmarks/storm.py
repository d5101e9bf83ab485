"""Token refresh storm (figure 5): warm containers, every token revoked, each container called once.

The invoker answers a 401 by re-reading the access secret from Secrets Manager itself and minting only when
it still holds the refused token, so the first container mints and the others pick its token up: goal at
most 2 mints for 20 containers called one after another (the org issues a token per mint and limits token
requests per user and hour).

The invoker has no switch to turn that re-read off, so the baseline is measured with what defeats it: every
container gets its OWN access secret (a copy holding the same token). The re-read then always finds the
refused token and each container mints, exactly what an implementation that mints on every 401 (as the
Node.js function did) would do; that it still makes the re-read call shows in its Secrets Manager count. The
derived figure (one mint per container, 20) is reported next to the measured one.

The same storm runs in waves (benchmarks/scale.py): a wave of containers is invoked at once, the next wave
when it has answered; one after another is waves of 1. Every container is an execution environment of its
own (Stage.start_environment: its own extension and cache), so no container is served another's reads,
however many run at once.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import reduce

from benchmarks.measure import Summary, summarize
from benchmarks.stage import Counts, ExecutionEnvironment, Stage, lookup_event
from tools.harness.container import InvocationRecord

CONTAINERS = 20
_NO_CALLS = Counts(0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class StormScenario:
    label: str
    containers: int
    wave_size: int  # containers invoked at once (1: one after another)
    waves: list[Counts]  # what each wave of the storm called, in order
    errors: dict[str, int]  # failed invocations by the invoker's error message (no secret material in it)
    latency: Summary  # the one invocation per container that met the revoked token (its handler time)

    @property
    def failures(self) -> int:
        return sum(self.errors.values())

    @property
    def total(self) -> Counts:
        return reduce(Counts.__add__, self.waves, _NO_CALLS)

    @property
    def mints(self) -> int:
        return self.total.mints

    @property
    def token_requests(self) -> int:
        return self.total.salesforce_token

    @property
    def secrets_reads(self) -> int:
        """GetSecretValue during the storm (forced re-reads; the main secret for a mint)."""
        return self.total.secrets_get

    @property
    def secrets_writes(self) -> int:
        """Every other Secrets Manager call (the new token's write-back)."""
        return self.total.secrets_all - self.total.secrets_get

    @property
    def mints_per_wave(self) -> list[int]:
        return [wave.mints for wave in self.waves]

    def growth(self) -> list[tuple[int, Counts]]:
        """(containers called so far, what they called in all) after each wave: a smaller storm's figures."""
        called = [min((index + 1) * self.wave_size, self.containers) for index in range(len(self.waves))]
        totals = [reduce(Counts.__add__, self.waves[: index + 1], _NO_CALLS) for index in range(len(self.waves))]
        return list(zip(called, totals, strict=True))


@dataclass(frozen=True)
class StormFigures:
    shared: StormScenario
    baseline: StormScenario
    derived_baseline_mints: int


def _invoke(environment: ExecutionEnvironment) -> InvocationRecord:
    return environment.container.invoke(lookup_event())


def run_storm(stage: Stage, label: str, secret_ids: list[str | None], wave_size: int) -> StormScenario:
    """Warm one environment per entry of ``secret_ids`` (None: the stack's shared access secret) with one token,
    revoke every token, then invoke the environments ``wave_size`` at a time (warming runs in the same waves).

    Every environment is alive from before the revocation to the end, so each holds the refused token when
    it is called, whichever wave it is in.
    """
    token = stage.salesforce.issue_token()
    for secret_id in {secret_id or stage.access_secret_id for secret_id in secret_ids}:
        stage.write_token(token, secret_id)
    environments: list[ExecutionEnvironment] = []
    try:
        for secret_id in secret_ids:
            overrides = {"SALESFORCE_ACCESS_SECRET_ID": secret_id} if secret_id else {}
            environments.append(stage.start_environment(**overrides))
        batches = [environments[start : start + wave_size] for start in range(0, len(environments), wave_size)]
        with ThreadPoolExecutor(max_workers=wave_size) as pool:
            before_warm = stage.counts()
            if not all(record.ok for batch in batches for record in pool.map(_invoke, batch)):
                raise RuntimeError("a container failed to warm up")
            if (stage.counts() - before_warm).mints:
                raise RuntimeError("warming minted a token: the containers do not all hold the seeded token")
            stage.salesforce.revoke_tokens()
            waves: list[Counts] = []
            records: list[InvocationRecord] = []
            for batch in batches:
                before = stage.counts()
                records += pool.map(_invoke, batch)
                waves.append(stage.counts() - before)
    finally:
        for environment in environments:
            environment.close()
    return StormScenario(
        label=label,
        containers=len(secret_ids),
        wave_size=wave_size,
        waves=waves,
        errors=dict(Counter(record.error_message for record in records if not record.ok)),
        latency=summarize([record.duration_ms for record in records]),
    )


def measure_storm(stage: Stage) -> StormFigures:
    shared = run_storm(stage, "one shared access secret (as deployed)", [None] * CONTAINERS, wave_size=1)
    client = stage.secrets_server.client()
    cc = stage.deployment.contact_center
    own_secrets: list[str | None] = [
        client.create_secret(Name=f"{cc}-bench-storm-access-{index:02d}", SecretString="{}")["ARN"]
        for index in range(CONTAINERS)
    ]
    baseline = run_storm(stage, "re-read defeated: one access secret per container", own_secrets, wave_size=1)
    return StormFigures(shared, baseline, derived_baseline_mints=CONTAINERS)
