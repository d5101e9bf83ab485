"""Handler overhead (figure 3): a warm queryRecord through the handler vs a bare http.client GET of the same URL.

Both are timed in ONE isolated Lambda-Python process (benchmarks/lambda_worker.py) against the same emulator,
taking turns call by call, so interpreter, machine load and emulator speed cancel out of the ratio (the worker's
docstring says why turns and not batches; batches are measured too and reported beside). A third kind in the
same rotation, the handler with its logger at WARNING, is not a goal figure: it splits the overhead into the
summary log line (formatted and written only at INFO) and the rest, so the reading rests on a measurement and
not only on a profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from benchmarks.measure import Summary, ratio, summarize
from benchmarks.stage import LOOKUP_PHONE, LOOKUP_SOQL, Stage, lookup_event

WARMUP_ROUNDS = 20
ROUNDS = 900  # one call of each kind per round
BATCHED = (20, 15)  # batches of 20 calls of a kind, 15 of each
PROFILE_CALLS = 200


@dataclass(frozen=True)
class OverheadFigures:
    handler: Summary  # warm queryRecord, as deployed (LOG_LEVEL=INFO: one summary line per call)
    quiet_handler: Summary  # the same with the invoker's logger at WARNING (no summary line)
    bare: Summary  # http.client GET of the same URL with the same token, on a kept connection
    batched_handler: Summary  # the handler and the bare GET again, in batches of calls of one kind
    batched_bare: Summary
    profile: dict[str, list[dict[str, Any]]]
    python: str

    @property
    def ratio(self) -> float | None:
        return ratio(self.handler.median, self.bare.median)

    @property
    def quiet_ratio(self) -> float | None:
        return ratio(self.quiet_handler.median, self.bare.median)

    @property
    def added_ms(self) -> float:
        return self.handler.median - self.bare.median

    @property
    def batched_added_ms(self) -> float:
        return self.batched_handler.median - self.batched_bare.median

    @property
    def summary_line_ms(self) -> float:
        """What formatting and writing the summary line costs (INFO minus WARNING medians)."""
        return self.handler.median - self.quiet_handler.median


def query_url(stage: Stage) -> str:
    """The URL the handler sends for the lookup (SOQL rendered, encoded like encodeURIComponent)."""
    encoded = quote(LOOKUP_SOQL.replace("{phone}", LOOKUP_PHONE), safe="-_.!~*'()")
    return f"{stage.salesforce.rest_base()}/query/?q={encoded}"


def overhead_config(
    stage: Stage, *, warmup: int, rounds: int, batched: tuple[int, int] | None = None, profile_calls: int = 0
) -> dict:
    """The overhead worker's request: a valid token seeded, a fresh extension, the lookup and its bare URL."""
    token = stage.seed_token()
    stage.fresh_environment()
    environment = stage.lambda_process_environment()
    return {
        "event": lookup_event(),
        "url": query_url(stage),
        "authorization": f"Bearer {token}",
        "logger_name": environment["POWERTOOLS_SERVICE_NAME"],
        "warmup": warmup,
        "rounds": rounds,
        "batched": batched,
        "profile_calls": profile_calls,
        "environment": environment,
    }


def measure_overhead(stage: Stage) -> OverheadFigures:
    config = overhead_config(stage, warmup=WARMUP_ROUNDS, rounds=ROUNDS, batched=BATCHED, profile_calls=PROFILE_CALLS)
    before = stage.counts()
    run = stage.run_worker("overhead", config)
    delta = stage.counts() - before
    if delta.mints or delta.salesforce_token:
        raise RuntimeError("the overhead run minted a token: the figure would include a mint")
    batched = run.result["batched"]
    return OverheadFigures(
        handler=summarize([ns / 1e6 for ns in run.result["handler_ns"]]),
        quiet_handler=summarize([ns / 1e6 for ns in run.result["quiet_handler_ns"]]),
        bare=summarize([ns / 1e6 for ns in run.result["bare_ns"]]),
        batched_handler=summarize([ns / 1e6 for ns in batched["handler_ns"]]),
        batched_bare=summarize([ns / 1e6 for ns in batched["bare_ns"]]),
        profile=run.result.get("profile", {}),
        python=run.result["python"],
    )
