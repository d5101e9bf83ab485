"""One run's figures and their goals: what `make bench` measured, as numbers only.

The verdict of each goal row (met / missed) is computed from the figures; no sentence about what a figure means
is generated: that reading is written by hand in RESULTS.md (benchmarks/report.py keeps it across runs).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from benchmarks.cold_start import ColdStartFigures
from benchmarks.faults import FaultFigures
from benchmarks.goals import (
    COLD_START_GOAL_MS,
    COST_GOAL_ORG_LATENCY_MS,
    DEFAULT_SIZE_COLD_START_GOAL_MS,
    IMPORT_RATIO_GOAL,
    MINT_COLD_START_GOAL_MS,
    NODE_FIRST_CALL_MS,
    NODE_LOAD_MS,
    OVERHEAD_ALLOWED_ADDED_US,
    SCALE_GOAL_MINTS_PER_REVOCATION,
    SCV_MEMORY_MB,
    STORM_GOAL_MINTS,
)
from benchmarks.memory import (
    PRICES,
    MemoryFigures,
    MemoryRow,
    anchor_duration_ms,
    lambda_usd_per_million,
    logs_usd_per_million,
)
from benchmarks.overhead import OverheadFigures
from benchmarks.scale import ScaleFigures
from benchmarks.storm import StormFigures
from benchmarks.synth import SynthFigures
from benchmarks.warm import BaselineFigures, WarmFigures


@dataclass(frozen=True)
class Machine:
    cores: int
    host_python: str
    lambda_python: str
    platform: str
    processor: str


@dataclass(frozen=True)
class Results:
    started_at: datetime.datetime
    wall_seconds: float
    machine: Machine
    command: str
    synth: SynthFigures
    cold: ColdStartFigures
    overhead: OverheadFigures
    warm: WarmFigures
    baseline: BaselineFigures
    storm: StormFigures
    scale: ScaleFigures
    memory: MemoryFigures
    faults: FaultFigures
    default_memory_mb: int  # the config's memory_size_mb default, which the memory table is read against

    # ---------------------------------------------------------------- goals

    def cold_secrets_calls(self) -> list[int]:
        return [run.counts.secrets_all for run in self.cold.runs]

    def goals(self) -> list[tuple[str, str, str, str, bool | None]]:
        """(number, figure, goal, measured, met) rows; met None: a figure without a goal."""
        simple = [figure for figure in self.warm.methods if figure.method != "SFSPhoneCallFlowQuery"]
        (sfs,) = [figure for figure in self.warm.methods if figure.method == "SFSPhoneCallFlowQuery"]
        cold_calls = self.cold_secrets_calls()
        overhead = self.overhead
        cold = self.cold.cold
        storm = self.storm
        rows: list[tuple[str, str, str, str, bool | None]] = [
            (
                "1",
                "Secrets Manager calls per warm invocation",
                "0",
                f"{self.warm.warm_secrets_calls} in {self.warm.warm_invocations} warm invocations (all 10 methods)",
                self.warm.warm_secrets_calls == 0,
            ),
            (
                "1",
                "Secrets Manager calls per cold start, token cached",
                "1",
                f"{value_range(cold_calls)} per cold start ({len(cold_calls)} cold starts)",
                all(calls == 1 for calls in cold_calls),
            ),
            (
                "2",
                f"Salesforce requests per warm invocation, {len(simple)} simple methods",
                "1 each",
                ", ".join(f"{figure.method} {figure.warm_requests_per_call:g}" for figure in simple),
                all(figure.met for figure in simple),
            ),
            (
                "2",
                f"New TCP connections / TLS handshakes to Salesforce in {self.warm.warm_invocations} warm invocations "
                "(TLS emulator, after each method's first call)",
                "0 / 0",
                f"{sum(f.warm_tcp_connections for f in self.warm.methods)} / "
                f"{sum(f.warm_tls_handshakes for f in self.warm.methods)}",
                all(f.warm_tcp_connections == 0 and f.warm_tls_handshakes == 0 for f in self.warm.methods),
            ),
            (
                "2",
                "Salesforce requests per warm SFSPhoneCallFlowQuery, org setting cached",
                "1",
                f"{sfs.warm_requests_per_call:g} (the container's first call of it: {sfs.first_call_requests})",
                sfs.met,
            ),
            (
                "3",
                "Time the handler adds to a warm queryRecord over a bare GET of the same URL, same process",
                f"≤ {OVERHEAD_ALLOWED_ADDED_US:.0f} µs",
                f"{overhead.added_ms * 1000:.0f} µs ({overhead.handler.median:.3f} ms − {overhead.bare.median:.3f} ms;"
                f" ratio {num(overhead.ratio)})",
                overhead.added_ms * 1000 <= OVERHEAD_ALLOWED_ADDED_US,
            ),
            (
                "4",
                f"Cold start: import + first call, token cached (median of {cold.n})",
                f"≤ {COLD_START_GOAL_MS:.0f} ms",
                f"{cold.median:.1f} ms (import {self.cold.imports.median:.1f} + first call "
                f"{self.cold.first_calls.median:.1f}); Node.js: {NODE_LOAD_MS + NODE_FIRST_CALL_MS:.0f} ms",
                cold.median <= COLD_START_GOAL_MS,
            ),
            (
                "4",
                f"Import before/after as Lambda performs it: today's bundle / the bundle of {self.cold.baseline_rev}, "
                "same run",
                f"≤ {IMPORT_RATIO_GOAL}",
                f"{num(self.cold.import_ratio)} ({self.cold.lambda_import.median:.1f} ms / "
                f"{self.cold.baseline_lambda_import.median:.1f} ms; nothing preloaded: "
                f"{num(self.cold.bare_import_ratio)})",
                self.cold.import_ratio is not None and self.cold.import_ratio <= IMPORT_RATIO_GOAL,
            ),
            (
                "4",
                "Modules of boto3, PyJWT, cryptography, requests, urllib3, http.client imported by a cold start with a "
                "cached token",
                "none",
                ", ".join(sorted({name for run in self.cold.runs for name in run.heavy_imported})) or "none",
                not any(run.heavy_imported for run in self.cold.runs),
            ),
            (
                "5",
                f"Token mints, refresh storm of {storm.shared.containers} containers",
                f"≤ {STORM_GOAL_MINTS}",
                f"{storm.shared.mints} (re-read defeated: {storm.baseline.mints} measured, "
                f"{storm.derived_baseline_mints} derived)",
                storm.shared.mints <= STORM_GOAL_MINTS and storm.shared.failures == 0,
            ),
            self._scale_row(),
        ]
        for config in self.baseline.uncached:
            rows.append(
                (
                    "6",
                    f"No per-container cache: {config.label}",
                    "report",
                    f"latency ×{num(self.baseline.latency_ratio(config))}, Secrets Manager calls "
                    f"{self.baseline.cached.secrets_calls_per_invocation:g} → "
                    f"{config.secrets_calls_per_invocation:g} per invocation",
                    None,
                )
            )
        chosen = [row for row in self.memory.rows if row.memory_mb == self.default_memory_mb]
        missing = f"not measured: {self.memory.not_measured or 'the default size is not in the table'}"
        row = chosen[0] if chosen else None
        rows.append(
            _cold_start_row(
                f"Cold start with the token cached, at the default {self.default_memory_mb} MB (loopback)",
                DEFAULT_SIZE_COLD_START_GOAL_MS,
                "",
                (row.cold_ms, row.cold_failures) if row else None,
                missing,
            )
        )
        rows.append(
            _cold_start_row(
                f"Cold start whose first call mints a token, at the default {self.default_memory_mb} MB",
                MINT_COLD_START_GOAL_MS,
                " (a quarter of Connect's 8 s)",
                (row.mint_cold_ms, row.mint_failures) if row else None,
                missing,
            )
        )
        rows.append(self._cost_row(row, missing))
        bundle = self.synth.bundle
        rows.append(
            (
                "7",
                "Synth warm / cold; invoker bundle zipped / unzipped",
                "report",
                f"{self.synth.warm.median / 1000:.1f} s / {self.synth.cold.median / 1000:.1f} s; "
                f"{mb(bundle.zipped_bytes)} / {mb(bundle.unzipped_bytes)}",
                None,
            )
        )
        return rows

    def _cost_row(self, chosen: MemoryRow | None, missing: str) -> tuple[str, str, str, str, bool | None]:
        anchor = lambda_usd_per_million(
            SCV_MEMORY_MB, anchor_duration_ms(COST_GOAL_ORG_LATENCY_MS), gb_second_usd=PRICES.x86_64_gb_second_usd
        )
        run = chosen.at_latency(COST_GOAL_ORG_LATENCY_MS) if chosen else None
        ours = (
            None
            if run is None
            else lambda_usd_per_million(
                self.default_memory_mb, run.duration_ms, gb_second_usd=PRICES.x86_64_gb_second_usd
            )
            + logs_usd_per_million(run.log_bytes)
        )
        return (
            "8",
            f"$ per million warm calls at {COST_GOAL_ORG_LATENCY_MS} ms org latency, default {self.default_memory_mb} "
            "MB, x86_64, log ingestion included",
            f"≤ Salesforce's function at {SCV_MEMORY_MB} MB (computed): ${anchor:.2f}",
            missing
            if ours is None or run is None
            else f"${ours:.2f} ({run.duration_ms:.1f} ms, {run.log_bytes} log bytes)",
            ours is not None and ours <= anchor,
        )

    def _scale_row(self) -> tuple[str, str, str, str, bool | None]:
        scale = self.scale
        growth = scale.storm.growth()
        points = [growth[0], growth[len(growth) // 2], growth[-1]] if len(growth) > 2 else growth
        warm_secrets, warm_tokens = scale.warm_calls()
        counts = ", ".join(str(figure.containers) for figure in scale.throughput)
        return (
            "5",
            f"Scale: warm Secrets Manager / token calls with {counts} containers; mints per revocation, storm of "
            f"{scale.storm.containers} in waves of {scale.storm.wave_size}",
            f"0 / 0; ≤ {SCALE_GOAL_MINTS_PER_REVOCATION} at every count",
            f"{warm_secrets} / {warm_tokens}; "
            + ", ".join(
                f"{called} containers: {totals.mints} mints, {totals.salesforce_token} token requests, "
                f"{totals.secrets_all} Secrets Manager calls"
                for called, totals in points
            ),
            scale.met,
        )

    def goal_lines(self) -> list[str]:
        return [f"{number}. {figure}: {measured} [{verdict(met)}]" for number, figure, _, measured, met in self.goals()]


def verdict(met: bool | None) -> str:
    return "no goal" if met is None else ("met" if met else "MISSED")


def num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def value_range(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def _cold_start_row(
    figure: str, goal_ms: float, goal_note: str, measured: tuple[float | None, int] | None, missing: str
) -> tuple[str, str, str, str, bool | None]:
    """A goals row for one cold start at the default memory size: ``measured`` is (median ms, failed runs)."""
    cold_ms, failures = measured if measured else (None, 0)
    return (
        "8",
        figure,
        f"≤ {goal_ms:.0f} ms{goal_note}",
        missing if cold_ms is None else f"{cold_ms:.0f} ms, {failures} failed",
        cold_ms is not None and failures == 0 and cold_ms <= goal_ms,
    )
