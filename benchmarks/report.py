"""RESULTS.md from one run's figures: goals first, then each figure's raw numbers, each under its reading.

The page's text and tables are the template RESULTS.md.j2; this module turns the run's figures into the display
values the template shows (formatted cells, table rows). Every number in the file is computed from the run's
measurements; the generated prose only says what was measured and how. What the figures mean is written by a
person: each section's reading sits between markers that `make bench` copies from the previous RESULTS.md into
the new one untouched, so a rerun refreshes the numbers and leaves the reading in place (to be reread and
corrected by hand against the new numbers).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from benchmarks import goals
from benchmarks.cold_start import HEAVY_MODULES, LAMBDA_RUNTIME_PRELOAD, ColdStartFigures
from benchmarks.faults import FaultFigures
from benchmarks.measure import Summary
from benchmarks.memory import (
    FULL_CORE_MB,
    ORG_LATENCIES_MS,
    PRICES,
    SAMPLES,
    WARM_CALLS,
    MemoryFigures,
    anchor_duration_ms,
    billed_gb_seconds,
    lambda_usd_per_million,
    logs_usd_per_million,
)
from benchmarks.overhead import OverheadFigures
from benchmarks.results import Results, mb, num, verdict
from benchmarks.scale import ScaleFigures
from benchmarks.storm import StormScenario
from benchmarks.synth import SynthFigures
from benchmarks.warm import BaselineFigures, WarmFigures

#: the page; its sections are blocks named by their readings' keys (with "_" for "-")
TEMPLATE = "RESULTS.md.j2"

#: where a hand-written reading starts and ends; the text between them survives every `make bench`
_READING = re.compile(r"<!-- reading: (?P<key>[a-z-]+) -->\n(?P<text>.*?)<!-- /reading -->", re.S)
_UNREAD = "_Reading: to be written by hand after the run (this run's numbers have not been read yet)._\n"


def hand_written_readings(previous: str) -> dict[str, str]:
    """The readings of an earlier RESULTS.md, by section key."""
    return {match["key"]: match["text"] for match in _READING.finditer(previous)}


def section_with_reading(key: str, section: str, readings: dict[str, str]) -> str:
    return f"{section}\n\n<!-- reading: {key} -->\n{readings.get(key, _UNREAD)}<!-- /reading -->"


# ------------------------------------------------------------ display values


def _table_rows(rows: list[list[Any]]) -> str:
    """The body of a Markdown table whose header the template writes: each row on a line of its own after it."""
    return "".join("\n| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)


def _summary_cells(summary: Summary) -> list[str]:
    return [
        f"{summary.median:.3f}",
        f"{summary.p10:.3f}",
        f"{summary.p90:.3f}",
        f"{summary.minimum:.3f}",
        str(summary.n),
    ]


def _goal_rows(results: Results) -> list[list[Any]]:
    return [[number, figure, goal, measured, verdict(met)] for number, figure, goal, measured, met in results.goals()]


def _warm_rows(warm: WarmFigures) -> list[list[Any]]:
    return [
        [
            figure.method,
            figure.goal,
            figure.first_call_requests,
            f"{figure.warm_requests_per_call:g}",
            figure.warm_token_requests,
            figure.warm_secrets_calls,
            f"{figure.warm_latency.median:.2f}",
            f"{figure.warm_tcp_connections} / {figure.warm_tls_handshakes}",
        ]
        for figure in warm.methods
    ]


def _overhead_rows(overhead: OverheadFigures) -> list[list[Any]]:
    return [
        ["warm queryRecord through the handler (as deployed, LOG_LEVEL=INFO)", *_summary_cells(overhead.handler)],
        ["bare http.client GET on one kept connection, same URL and token", *_summary_cells(overhead.bare)],
        ["the handler with its logger at WARNING (no summary line)", *_summary_cells(overhead.quiet_handler)],
        ["in batches of 20: the handler", *_summary_cells(overhead.batched_handler)],
        ["in batches of 20: the bare GET", *_summary_cells(overhead.batched_bare)],
    ]


def _profile_rows(overhead: OverheadFigures) -> list[list[Any]]:
    """The cProfile table's rows; none when the run made no profile."""
    return [
        [f"`{row['function']}`", f"{row['calls_per_invocation']:g}", f"{row['cumulative_us']:.0f}"]
        for row in overhead.profile.get("by_cumulative", [])[:16]
    ]


def _cold_run_rows(cold: ColdStartFigures) -> list[list[Any]]:
    return [
        [
            index + 1,
            f"{run.import_ms:.1f}",
            f"{run.first_call_ms:.1f}",
            f"{run.cold_ms:.1f}",
            f"{run.process_wall_ms:.0f}",
            run.counts.secrets_all,
            run.counts.salesforce_data,
            run.counts.mints,
            ", ".join(run.heavy_imported) or "none",
        ]
        for index, run in enumerate(cold.runs)
    ]


def _import_rows(cold: ColdStartFigures) -> list[list[Any]]:
    return [
        [f"`{'  ' * entry.depth}{entry.module}`", f"{entry.cumulative_ms:.1f}", f"{entry.self_ms:.1f}"]
        for entry in cold.top_cumulative
    ]


def _package_rows(cold: ColdStartFigures) -> list[list[Any]]:
    return [[name, f"{ms:.1f}"] for name, ms in cold.self_by_package if ms >= 0.3]


def _marginal_rows(cold: ColdStartFigures) -> list[list[Any]]:
    return [[f"`{module}`", f"{cost:.1f}"] for module, cost in cold.marginal_ms]


def _storm_row(scenario: StormScenario) -> list[Any]:
    return [
        scenario.label,
        scenario.containers,
        scenario.mints,
        scenario.token_requests,
        f"{scenario.secrets_reads} / {scenario.secrets_writes}",
        scenario.failures,
        f"{scenario.latency.median:.0f} (p90 {scenario.latency.p90:.0f})",
    ]


def _throughput_rows(scale: ScaleFigures) -> list[list[Any]]:
    return [
        [
            figure.containers,
            figure.calls,
            f"{figure.calls_per_second:.0f}",
            f"{figure.latency.median:.1f}",
            f"{figure.latency.p99:.1f}",
            figure.failures,
            figure.counts.secrets_all,
            figure.counts.salesforce_token,
        ]
        for figure in scale.throughput
    ]


def _growth_rows(storm: StormScenario) -> list[list[Any]]:
    return [
        [called, totals.mints, totals.salesforce_token, totals.secrets_get, totals.secrets_all - totals.secrets_get]
        for called, totals in storm.growth()
    ]


def _error_rows(storm: StormScenario) -> list[list[Any]]:
    return [[f"`{message[:300]}`", count] for message, count in storm.errors.items()]


def _cache_rows(baseline: BaselineFigures) -> list[list[Any]]:
    return [
        [
            config.label,
            f"{config.latency.median:.3f}",
            f"{config.latency.p90:.3f}",
            num(baseline.latency_ratio(config)),
            f"{config.secrets_calls_per_invocation:g}",
            f"{config.extension_reads_per_invocation:g}",
            config.invocations,
        ]
        for config in [baseline.cached, *baseline.uncached]
    ]


def _synth_rows(synth: SynthFigures) -> list[list[Any]]:
    runs = [
        ("`npx cdk synth` warm (cdk.out present, bundles reused)", synth.warm),
        ("`npx cdk synth --output <fresh temp dir>` cold (every bundle built again)", synth.cold),
    ]
    return [
        [label, f"{ms.median / 1000:.1f}", f"{ms.minimum / 1000:.1f}", f"{ms.maximum / 1000:.1f}", ms.n]
        for label, ms in runs
    ]


def _answered(median_ms: float | None, failures: int, samples: int = SAMPLES) -> str:
    figure = "—" if median_ms is None else f"{median_ms:.0f}"
    return figure if not failures else f"{figure} ({failures} of {samples} failed)"


def _usd(value: float) -> str:
    return f"{value:.2f}"


def _cpu_rows(memory: MemoryFigures) -> list[list[Any]]:
    """Per memory size: cold starts, and a warm call's time, CPU time and log bytes at loopback latency."""
    rows = []
    for row in memory.rows:
        loopback = row.at_latency(0)
        rows.append(
            [
                row.memory_mb,
                f"{row.cpu_share:.2f}",
                _answered(row.cold_ms, row.cold_failures),
                _answered(row.mint_cold_ms, row.mint_failures, row.mint_samples),
                "failed" if loopback is None else f"{loopback.duration_ms:.2f}",
                "—" if loopback is None else f"{loopback.cpu_ms:.2f}",
                "—" if loopback is None else loopback.log_bytes,
                row.warm_failures,
            ]
        )
    return rows


def _cost_rows(memory: MemoryFigures) -> list[list[Any]]:
    """Every size at every org latency, and Salesforce's function computed at its 128 MB."""
    rows: list[list[Any]] = []
    for latency in ORG_LATENCIES_MS[1:]:
        for row in memory.rows:
            run = row.at_latency(latency)
            if run is None:
                rows.append([f"ours, {row.memory_mb} MB", latency, "failed", "—", "—", "—", "—", "—"])
                continue
            x86 = lambda_usd_per_million(row.memory_mb, run.duration_ms, gb_second_usd=PRICES.x86_64_gb_second_usd)
            arm = lambda_usd_per_million(row.memory_mb, run.duration_ms, gb_second_usd=PRICES.arm64_gb_second_usd)
            logs = logs_usd_per_million(run.log_bytes)
            rows.append(
                [
                    f"ours, {row.memory_mb} MB",
                    latency,
                    f"{run.duration_ms:.1f}",
                    f"{billed_gb_seconds(row.memory_mb, run.duration_ms):.6f}",
                    _usd(x86),
                    _usd(arm),
                    _usd(logs),
                    f"**{_usd(x86 + logs)}**",
                ]
            )
        duration = anchor_duration_ms(latency)
        anchor = lambda_usd_per_million(goals.SCV_MEMORY_MB, duration, gb_second_usd=PRICES.x86_64_gb_second_usd)
        rows.append(
            [
                f"Salesforce's function, {goals.SCV_MEMORY_MB} MB (computed)",
                latency,
                f"{duration:.1f}",
                f"{billed_gb_seconds(goals.SCV_MEMORY_MB, duration):.6f}",
                _usd(anchor),
                "—",
                "0.00",
                f"**{_usd(anchor)}**",
            ]
        )
    return rows


def _fault_rows(faults: FaultFigures) -> list[list[Any]]:
    return [
        [
            fault.fault,
            fault.bundle,
            fault.calls,
            f"{fault.token_requests_per_hour:.0f}",
            f"{fault.secret_writes_per_hour:.0f}",
            f"{fault.refused_writes_per_hour:.0f}",
            f"{fault.wait.median:.0f}",
            f"{fault.wait.p99:.0f}",
            fault.over_8s,
            "not within the cap" if fault.recovery_seconds is None else f"{fault.recovery_seconds:.0f}",
        ]
        for fault in sorted(faults.rows, key=lambda fault: fault.fault)
    ]


# ------------------------------------------------------------------ the page


@jinja2.pass_context
def _with_reading(context: jinja2.runtime.Context, section: str, key: str) -> str:
    return section_with_reading(key, section, context["readings"])


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - Markdown, not HTML
    )
    environment.filters.update(fmt=format, num=num, mb=mb, table_rows=_table_rows, with_reading=_with_reading)
    environment.globals.update(
        goals=goals,
        HEAVY_MODULES=HEAVY_MODULES,
        LAMBDA_RUNTIME_PRELOAD=LAMBDA_RUNTIME_PRELOAD,
        FULL_CORE_MB=FULL_CORE_MB,
        PRICES=PRICES,
        SAMPLES=SAMPLES,
        WARM_CALLS=WARM_CALLS,
        goal_rows=_goal_rows,
        warm_rows=_warm_rows,
        overhead_rows=_overhead_rows,
        profile_rows=_profile_rows,
        cold_run_rows=_cold_run_rows,
        import_rows=_import_rows,
        package_rows=_package_rows,
        marginal_rows=_marginal_rows,
        storm_row=_storm_row,
        throughput_rows=_throughput_rows,
        growth_rows=_growth_rows,
        error_rows=_error_rows,
        cache_rows=_cache_rows,
        synth_rows=_synth_rows,
        cpu_rows=_cpu_rows,
        cost_rows=_cost_rows,
        fault_rows=_fault_rows,
    )
    return environment


_ENVIRONMENT = _environment()
_TEMPLATE = _ENVIRONMENT.get_template(TEMPLATE)


def render(results: Results, readings: dict[str, str]) -> str:
    """The page: the header, then every section with the reading written for it (kept from ``readings``)."""
    return _TEMPLATE.render(results=results, readings=readings)


def render_section(key: str, results: Results, readings: dict[str, str]) -> str:
    """One section of the page (its template block, named by its reading's key), with its reading."""
    context = _TEMPLATE.new_context({"results": results, "readings": readings})
    return "".join(_TEMPLATE.blocks[key.replace("-", "_")](context))


def memory_tables(memory: MemoryFigures) -> str:
    """The memory section's two tables (or why they are missing), as `make bench`'s --memory-only prints them."""
    return str(_ENVIRONMENT.get_template("memory_tables.md.j2").module.memory_tables(memory))  # type: ignore[attr-defined]
