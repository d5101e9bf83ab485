"""RESULTS.md from one run's figures: goals first, then each figure's raw numbers, then the findings.

Every number in the file is computed from the run's measurements; the prose around a number only says what
was measured and how. Findings that depend on a result (a missed goal, where the time goes) are written from
the figures, so a rerun on another machine cannot leave a stale explanation next to new numbers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from benchmarks.cold_start import ColdStartFigures
from benchmarks.findings import findings
from benchmarks.goals import COLD_START_GOAL_MS, NODE_FIRST_CALL_MS, NODE_LOAD_MS, OVERHEAD_GOAL, STORM_GOAL_MINTS
from benchmarks.measure import Summary
from benchmarks.overhead import OverheadFigures
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
                f"{_range(cold_calls)} per cold start ({len(cold_calls)} cold starts)",
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
                "Salesforce requests per warm SFSPhoneCallFlowQuery, org setting cached",
                "1",
                f"{sfs.warm_requests_per_call:g} (the container's first call of it: {sfs.first_call_requests})",
                sfs.met,
            ),
            (
                "3",
                "Handler overhead: median warm queryRecord / median bare GET, same process",
                f"≤ {OVERHEAD_GOAL:.2f}",
                f"{_num(overhead.ratio)} ({overhead.handler.median:.3f} ms / {overhead.bare.median:.3f} ms, "
                f"+{overhead.added_ms:.3f} ms)",
                overhead.ratio is not None and overhead.ratio <= OVERHEAD_GOAL,
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
                "5",
                f"Token mints, refresh storm of {storm.shared.containers} containers",
                f"≤ {STORM_GOAL_MINTS}",
                f"{storm.shared.mints} (re-read defeated: {storm.baseline.mints} measured, "
                f"{storm.derived_baseline_mints} derived)",
                storm.shared.mints <= STORM_GOAL_MINTS and storm.shared.failures == 0,
            ),
        ]
        for config in self.baseline.uncached:
            rows.append(
                (
                    "6",
                    f"No per-container cache: {config.label}",
                    "report",
                    f"latency ×{_num(self.baseline.latency_ratio(config))}, Secrets Manager calls "
                    f"{self.baseline.cached.secrets_calls_per_invocation:g} → "
                    f"{config.secrets_calls_per_invocation:g} per invocation",
                    None,
                )
            )
        bundle = self.synth.bundle
        rows.append(
            (
                "7",
                "Synth warm / cold; invoker bundle zipped / unzipped",
                "report",
                f"{self.synth.warm.median / 1000:.1f} s / {self.synth.cold.median / 1000:.1f} s; "
                f"{_mb(bundle.zipped_bytes)} / {_mb(bundle.unzipped_bytes)}",
                None,
            )
        )
        return rows

    def goal_lines(self) -> list[str]:
        return [
            f"{number}. {figure}: {measured} [{_verdict(met)}]" for number, figure, _, measured, met in self.goals()
        ]


def _verdict(met: bool | None) -> str:
    return "no goal" if met is None else ("met" if met else "MISSED")


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _range(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _summary_cells(summary: Summary) -> list[str]:
    return [
        f"{summary.median:.3f}",
        f"{summary.p10:.3f}",
        f"{summary.p90:.3f}",
        f"{summary.minimum:.3f}",
        str(summary.n),
    ]


# -------------------------------------------------------------------- sections


def _header(results: Results) -> str:
    machine = results.machine
    return "\n".join(
        [
            "# Benchmark results (`make bench`)",
            "",
            "Written by `make bench` (benchmarks/run.py). Every figure on this page comes from the one run below; "
            "run `make bench` again to refresh the whole page. Nothing here is a test: pytest never collects "
            "benchmarks/.",
            "",
            _table(
                ["", ""],
                [
                    ["Date", results.started_at.strftime("%Y-%m-%d %H:%M UTC")],
                    ["Machine", f"{machine.cores} cores ({machine.processor}), {machine.platform}"],
                    [
                        "Python",
                        f"host {machine.host_python} (orchestration, emulators, tests/harness containers); "
                        f"`{machine.lambda_python}` for the in-process figures (3, 4)",
                    ],
                    ["Command", results.command],
                    ["Run time", f"{results.wall_seconds:.0f} s"],
                    [
                        "Setup",
                        "loopback only: moto's Secrets Manager server (MotoSecretsServer), the fake Parameters and "
                        "Secrets extension in front of it (cache TTL from the template's SECRETS_MANAGER_TTL), the "
                        "Salesforce emulator; the example stack from cdk.out deployed by tools/harness/deployment.py "
                        "(seeder bundle, then the invoker bundle with the template's environment)",
                    ],
                ],
            ),
        ]
    )


def _goals_section(results: Results) -> str:
    rows = [[number, figure, goal, measured, _verdict(met)] for number, figure, goal, measured, met in results.goals()]
    return "## Figures against their goals\n\n" + _table(["#", "Figure", "Goal", "Measured", ""], rows)


def _warm_section(results: Results) -> str:
    warm = results.warm
    rows = [
        [
            figure.method,
            figure.goal,
            figure.first_call_requests,
            f"{figure.warm_requests_per_call:g}",
            figure.warm_token_requests,
            figure.warm_secrets_calls,
            f"{figure.warm_latency.median:.2f}",
        ]
        for figure in warm.methods
    ]
    return "\n".join(
        [
            "## 1–2. Requests per invocation",
            "",
            "One harness container (tests/harness LambdaContainer: the shipped bundle in an isolated process of the "
            "host Python) with the token cached in the access secret. After its cold call, each method runs once "
            f'("first call"), then {warm.calls_per_method} more times ("warm"). '
            "Counted on the wire: the emulator's request log and MotoSecretsServer.count() (which includes the fake "
            "extension's upstream calls).",
            "",
            _table(
                [
                    "method",
                    "goal",
                    "first call: Salesforce requests",
                    "warm: requests per call",
                    "warm: token requests",
                    "warm: Secrets Manager calls",
                    "warm: median handler ms (host Python)",
                ],
                rows,
            ),
            "",
            f"Secrets Manager calls in all {warm.warm_invocations} warm invocations: {warm.warm_secrets_calls}; "
            f"extension reads: {warm.warm_extension_reads}.",
            "",
            "Cold starts (figure 4's ten processes, each with the extension's cache emptied as in a new execution "
            "environment): Secrets Manager calls per cold start "
            + ", ".join(str(calls) for calls in results.cold_secrets_calls())
            + "; extension reads per cold start "
            + ", ".join(str(run.counts.extension_reads) for run in results.cold.runs)
            + "; the function's own Secrets Manager calls (its log line) "
            + ", ".join(str(run.secrets_manager_calls_logged) for run in results.cold.runs)
            + ". The one call is the extension fetching the access secret; the main secret (private key) is not read.",
        ]
    )


def _overhead_section(results: Results) -> str:
    overhead = results.overhead
    header = ["", "median ms", "p10", "p90", "min", "n"]
    rows = [
        ["warm queryRecord through the handler (as deployed, LOG_LEVEL=INFO)", *_summary_cells(overhead.handler)],
        ["bare `requests` GET, same URL and token", *_summary_cells(overhead.bare)],
        ["the handler with its logger at WARNING (no summary line)", *_summary_cells(overhead.quiet_handler)],
    ]
    lines = [
        "## 3. Handler overhead",
        "",
        f"In one isolated Python {overhead.python} process (benchmarks/lambda_worker.py: the invoker imported from "
        "its cdk.out bundle through sys.path, the template's environment pointing at the emulators, the harness's "
        "fake Lambda context made before each call's clock starts). The three kinds below rotate in batches of "
        "20 in that one process; the bare GET uses the bundle's `requests` (one Session, the same URL and "
        "Authorization header the handler sends). The emulators run in the parent process, so they do not share "
        "this process's GIL; the handler's log lines go to a pipe the parent drains, as on Lambda.",
        "",
        _table(header, rows),
        "",
        f"Ratio of medians: **{_num(overhead.ratio)}** (goal ≤ {OVERHEAD_GOAL:.2f}); the handler adds "
        f"{overhead.added_ms:.3f} ms per call, of which {overhead.summary_line_ms:.3f} ms is formatting and "
        f"writing the summary log line (without it the ratio is {_num(overhead.quiet_ratio)}).",
    ]
    profile = overhead.profile
    if profile.get("by_cumulative"):
        rows = [
            [f"`{row['function']}`", f"{row['calls_per_invocation']:g}", f"{row['cumulative_us']:.0f}"]
            for row in profile["by_cumulative"][:16]
        ]
        lines += [
            "",
            "cProfile of 200 warm handler calls (per invocation; the profiler inflates Python-heavy code, so read "
            "the proportions, not the absolute values). The invoker's own functions and requests' "
            "`Session.request` (which the bare GET runs too), by cumulative time:",
            "",
            _table(["function", "calls", "cumulative µs"], rows),
        ]
    return "\n".join(lines)


def _cold_section(results: Results) -> str:
    cold = results.cold
    runs = [
        [
            index + 1,
            f"{run.import_ms:.1f}",
            f"{run.first_call_ms:.1f}",
            f"{run.cold_ms:.1f}",
            f"{run.process_wall_ms:.0f}",
            run.counts.secrets_all,
            run.counts.salesforce_data,
            run.counts.mints,
            "yes" if run.boto3_imported else "no",
        ]
        for index, run in enumerate(cold.runs)
    ]
    warmup = cold.warmup_run
    top = [
        [f"`{'  ' * entry.depth}{entry.module}`", f"{entry.cumulative_ms:.1f}", f"{entry.self_ms:.1f}"]
        for entry in cold.top_cumulative
    ]
    packages = [[name, f"{ms:.1f}"] for name, ms in cold.self_by_package if ms >= 0.3]
    return "\n".join(
        [
            "## 4. Cold start",
            "",
            f"Interpreter: {cold.interpreter}. Each sample is a fresh process: import `scv_invoker.handler`, then the "
            "first invocation (the sample flow's queryRecord) with a valid token pre-seeded in the access secret "
            "(`SalesforceEmulator.issue_token()` written to the secret) and read through the fake extension "
            "(PARAMETERS_SECRETS_EXTENSION_HTTP_PORT + AWS_SESSION_TOKEN, as deployed), whose cache is emptied "
            "before each sample. The bundle's files are in the OS page cache (a real cold start may also read them "
            "from disk); one warm-up process ran first and is not in the median "
            f"(import {warmup.import_ms:.1f} ms, first call {warmup.first_call_ms:.1f} ms).",
            "",
            f"Median **{cold.cold.median:.1f} ms** (p10 {cold.cold.p10:.1f}, p90 {cold.cold.p90:.1f}) = import "
            f"{cold.imports.median:.1f} ms + first call {cold.first_calls.median:.1f} ms; goal ≤ "
            f"{COLD_START_GOAL_MS:.0f} ms. Salesforce's Node.js function on this machine: "
            f"{NODE_LOAD_MS:.0f} ms load + {NODE_FIRST_CALL_MS:.0f} ms first call = "
            f"{NODE_LOAD_MS + NODE_FIRST_CALL_MS:.0f} ms. Whole process as the parent saw it (interpreter start "
            f"and exit included): median {cold.walls.median:.0f} ms.",
            "",
            _table(
                [
                    "run",
                    "import ms",
                    "first call ms",
                    "cold ms",
                    "process wall ms",
                    "Secrets Manager calls",
                    "Salesforce requests",
                    "mints",
                    "boto3 imported",
                ],
                runs,
            ),
            "",
            f"`python -X importtime` of the handler import (same interpreter and paths; total "
            f"{cold.importtime_total_ms:.1f} ms with importtime's own overhead), top {len(top)} by cumulative time:",
            "",
            _table(["module (indented by import depth)", "cumulative ms", "self ms"], top),
            "",
            "Self time by where the module comes from (every module of the import):",
            "",
            _table(["package", "self ms"], packages),
            "",
            f"What single modules cost the import, measured without importtime: the handler's import alone takes "
            f"{cold.import_only.median:.1f} ms (median of {cold.import_only.n}); with a module already imported "
            "(untimed) it takes less by that module's marginal cost, i.e. the most that dropping or deferring it "
            "could save. Modules that several of them import are counted in each, so the rows do not add up:",
            "",
            _table(
                ["preloaded", "marginal cost ms"],
                [[f"`{module}`", f"{cost:.1f}"] for module, cost in cold.marginal_ms],
            ),
            "",
            f"Without the bytecode the bundle ships (a copy of the bundle without its `__pycache__` directories): "
            f"import {cold.no_bytecode_import.median:.1f} ms (median of {cold.no_bytecode_import.n}) instead of "
            f"{cold.import_only.median:.1f} ms.",
        ]
    )


def _storm_section(results: Results) -> str:
    storm = results.storm

    def row(scenario: Any) -> list[Any]:
        return [
            scenario.label,
            scenario.containers,
            scenario.mints,
            scenario.token_requests,
            f"{scenario.secrets_reads} / {scenario.secrets_writes}",
            scenario.failures,
            f"{scenario.latency.median:.0f} (p90 {scenario.latency.p90:.0f})",
        ]

    return "\n".join(
        [
            "## 5. Token refresh storm",
            "",
            f"{storm.shared.containers} harness containers (processes) share one access secret and are all warm "
            "with token T; every token is revoked in the org; then each container is invoked once, one after "
            "another. Each container counts as its own execution environment: the fake extension's cache is "
            "emptied before each of its invocations.",
            "",
            "The invoker has no switch for its re-read step, so the baseline defeats it instead: each container "
            "gets its own access secret (a copy holding T), so the re-read after the 401 can only find the refused "
            "token and the container mints, as an implementation without the re-read (the Node.js function) would. "
            "It still makes the re-read call, which shows in its Secrets Manager count.",
            "",
            _table(
                [
                    "scenario",
                    "containers",
                    "mints",
                    "token requests",
                    "Secrets Manager reads / writes",
                    "failed invocations",
                    "refresh invocation ms, median (host Python)",
                ],
                [row(storm.shared), row(storm.baseline)],
            ),
            "",
            f"Mints per container, shared secret: {storm.shared.mints_per_container}. Derived baseline (no "
            f"re-read: every container that meets the 401 mints): {storm.derived_baseline_mints}; measured: "
            f"{storm.baseline.mints}.",
        ]
    )


def _baseline_section(results: Results) -> str:
    baseline = results.baseline
    configs = [baseline.cached, *baseline.uncached]
    rows = [
        [
            config.label,
            f"{config.latency.median:.3f}",
            f"{config.latency.p90:.3f}",
            _num(baseline.latency_ratio(config)),
            f"{config.secrets_calls_per_invocation:g}",
            f"{config.extension_reads_per_invocation:g}",
            config.invocations,
        ]
        for config in configs
    ]
    return "\n".join(
        [
            "## 6. Without the per-container cache",
            "",
            "The sample flow's lookup (queryRecord), warm, in three harness containers (host Python) whose "
            "batches of 10 alternate. Latency is the handler's time inside the container; Secrets Manager calls "
            "are counted at moto (the extension's upstream calls included).",
            "",
            _table(
                [
                    "configuration",
                    "median ms",
                    "p90 ms",
                    "latency vs cached",
                    "Secrets Manager calls / invocation",
                    "extension reads / invocation",
                    "invocations",
                ],
                rows,
            ),
            "",
            "Secrets Manager calls vs cached: the cached configuration makes none, so the ratio is unbounded (0 → "
            + " and 0 → ".join(f"{config.secrets_calls_per_invocation:g}" for config in baseline.uncached)
            + " per invocation). With the extension and no function cache, the extension absorbs the calls for its "
            "own TTL, but every invocation still pays a local HTTP round trip.",
        ]
    )


def _synth_section(results: Results) -> str:
    synth = results.synth
    bundle = synth.bundle
    largest = ", ".join(f"{name} {_mb(size)}" for name, size in bundle.largest)
    return "\n".join(
        [
            "## 7. Synth and bundle size",
            "",
            _table(
                ["", "median s", "min s", "max s", "runs"],
                [
                    [
                        "`npx cdk synth` warm (cdk.out present, bundles reused)",
                        f"{synth.warm.median / 1000:.1f}",
                        f"{synth.warm.minimum / 1000:.1f}",
                        f"{synth.warm.maximum / 1000:.1f}",
                        synth.warm.n,
                    ],
                    [
                        "`npx cdk synth --output <fresh temp dir>` cold (every bundle built again)",
                        f"{synth.cold.median / 1000:.1f}",
                        f"{synth.cold.minimum / 1000:.1f}",
                        f"{synth.cold.maximum / 1000:.1f}",
                        synth.cold.n,
                    ],
                ],
            ),
            "",
            f"Invoker bundle: {bundle.files} files, {_mb(bundle.unzipped_bytes)} unzipped (of which "
            f"{_mb(bundle.bytecode_bytes)} is the shipped 3.13 bytecode), {_mb(bundle.zipped_bytes)} as a deflate "
            f"zip made with zipfile (Lambda's limits: 50 MB zipped, 250 MB unzipped). Largest entries: {largest}.",
            "",
            "The cold synth builds the bundles with pip from this machine's configured package indexes (local "
            "file:// mirrors here), so no network is involved; on a machine that downloads wheels it is slower.",
        ]
    )


def _findings(results: Results) -> str:
    goals = [(number, figure) for number, figure, _, _, met in results.goals() if met is not None]
    missed = [f"{number} ({figure})" for number, figure, _, _, met in results.goals() if met is False]
    lead = f"{len(goals) - len(missed)} of {len(goals)} goal figures met" + (
        f"; missed: {'; '.join(missed)}." if missed else "."
    )
    items = findings(results)
    return (
        "## Findings\n\n" + lead + "\n\n" + "\n\n".join(f"{index}. {item}" for index, item in enumerate(items, start=1))
    )


def render(results: Results) -> str:
    sections = [
        _header(results),
        _goals_section(results),
        _findings(results),
        _warm_section(results),
        _overhead_section(results),
        _cold_section(results),
        _storm_section(results),
        _baseline_section(results),
        _synth_section(results),
    ]
    return "\n\n".join(sections) + "\n"
