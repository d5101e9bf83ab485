"""RESULTS.md from one run's figures: goals first, then each figure's raw numbers, each under its reading.

Every number in the file is computed from the run's measurements; the generated prose only says what was
measured and how. What the figures mean is written by a person: each section's reading sits between markers
that `make bench` copies from the previous RESULTS.md into the new one untouched, so a rerun refreshes the
numbers and leaves the reading in place (to be reread and corrected by hand against the new numbers).
"""

from __future__ import annotations

import re
from typing import Any

from benchmarks.cold_start import HEAVY_MODULES, LAMBDA_RUNTIME_PRELOAD
from benchmarks.goals import (
    COLD_START_GOAL_MS,
    IMPORT_RATIO_GOAL,
    NODE_FIRST_CALL_MS,
    NODE_LOAD_MS,
    OVERHEAD_GOAL_ADDED_US,
    SCV_MEMORY_MB,
    SCV_SSM_ROUND_TRIP_MS,
    SCV_WARM_CPU_MS,
)
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
from benchmarks.results import Results, mb, num, verdict


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
            "The figures are written by `make bench` (benchmarks/run.py), every one from the one run below; the "
            "readings under each section are written by hand and kept by the next run, to be reread against its "
            "numbers. Nothing here is a test: pytest never collects benchmarks/.",
            "",
            _table(
                ["", ""],
                [
                    ["Date", results.started_at.strftime("%Y-%m-%d %H:%M UTC")],
                    ["Machine", f"{machine.cores} cores ({machine.processor}), {machine.platform}"],
                    [
                        "Python",
                        f"host {machine.host_python} (orchestration, emulators); `{machine.lambda_python}` for "
                        "everything that runs a bundle (the harness's containers and the in-process figures)",
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
    rows = [[number, figure, goal, measured, verdict(met)] for number, figure, goal, measured, met in results.goals()]
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
            f"{figure.warm_tcp_connections} / {figure.warm_tls_handshakes}",
        ]
        for figure in warm.methods
    ]
    return "\n".join(
        [
            "## 1–2. Requests per invocation",
            "",
            "One harness container (tools/harness LambdaContainer: the shipped bundle in an isolated process of the "
            "runtime's Python) with the token cached in the access secret. After its cold call, each method runs once "
            f'("first call"), then {warm.calls_per_method} more times ("warm"). '
            "Counted on the wire: the emulator's request log and MotoSecretsServer.count() (which includes the fake "
            "extension's upstream calls), and the TCP connections the emulator accepted and the TLS handshakes it "
            "completed (it serves HTTPS with keep-alive here, as an org does).",
            "",
            _table(
                [
                    "method",
                    "goal",
                    "first call: Salesforce requests",
                    "warm: requests per call",
                    "warm: token requests",
                    "warm: Secrets Manager calls",
                    "warm: median handler ms",
                    "warm: new TCP connections / TLS handshakes",
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
        ["bare http.client GET on one kept connection, same URL and token", *_summary_cells(overhead.bare)],
        ["the handler with its logger at WARNING (no summary line)", *_summary_cells(overhead.quiet_handler)],
        ["in batches of 20: the handler", *_summary_cells(overhead.batched_handler)],
        ["in batches of 20: the bare GET", *_summary_cells(overhead.batched_bare)],
    ]
    lines = [
        "## 3. Handler overhead",
        "",
        f"In one isolated Python {overhead.python} process (benchmarks/lambda_worker.py: the invoker imported from "
        "its cdk.out bundle through sys.path, the template's environment pointing at the emulators, the harness's "
        "fake Lambda context made before each call's clock starts). The three kinds below take turns, one call "
        "each, in a rotating order; the bare GET is the standard library's http.client on one kept connection "
        "(what the handler's connections are built on), with the same URL and Authorization header. The emulators "
        "run in the parent process, so they do not share this process's GIL; the handler's log lines go to a file "
        "(Stage.run_worker: a pipe drained by the emulators' process charged its wake-ups to the handler). The "
        "last two rows repeat the handler and the bare GET in batches of 20 calls of one kind, where each bare GET "
        "follows another with its code hot in the CPU's caches (the worker's docstring).",
        "",
        _table(header, rows),
        "",
        f"The handler adds **{overhead.added_ms * 1000:.0f} µs** per call (goal ≤ {OVERHEAD_GOAL_ADDED_US:.0f} µs; "
        f"ratio of medians {num(overhead.ratio)}), of which {overhead.summary_line_ms:.3f} ms is formatting and "
        f"writing the summary log line (without it the ratio is {num(overhead.quiet_ratio)}). In batches it adds "
        f"{overhead.batched_added_ms * 1000:.0f} µs.",
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
            "the proportions, not the absolute values). The invoker's own functions and http.client's "
            "`request` and `getresponse` (which the bare GET runs too), by cumulative time:",
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
            ", ".join(run.heavy_imported) or "none",
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
                    f"imported of {', '.join(HEAVY_MODULES)}",
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
            f"Before/after, in this run, with what Lambda's runtime client has imported before the handler "
            f"({', '.join(f'`{module}`' for module in LAMBDA_RUNTIME_PRELOAD)}: awslambdaric's bootstrap) already "
            f"loaded: the import of today's bundle takes {cold.lambda_import.median:.1f} ms, of the bundle built "
            f"from {cold.baseline_rev} (benchmarks/baseline.py) {cold.baseline_lambda_import.median:.1f} ms (medians "
            f"of {cold.lambda_import.n}, sampled in turn): ratio **{num(cold.import_ratio)}** (goal ≤ "
            f"{IMPORT_RATIO_GOAL}). With nothing preloaded: {cold.import_only.median:.1f} ms against "
            f"{cold.baseline_import.median:.1f} ms, ratio {num(cold.bare_import_ratio)}.",
            "",
            "What single modules cost that import, measured without importtime: with a module also imported "
            "(untimed) the import takes less by that module's marginal cost, i.e. the most that dropping or "
            "deferring it could save. Modules that several of them import are counted in each, so the rows do not "
            "add up:",
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
            "another. Each container is its own execution environment, with a fake extension (and cache) of its "
            "own in front of the one Secrets Manager.",
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
                    "refresh invocation ms, median",
                ],
                [row(storm.shared), row(storm.baseline)],
            ),
            "",
            f"Mints per container, shared secret: {storm.shared.mints_per_wave}. Derived baseline (no "
            f"re-read: every container that meets the 401 mints): {storm.derived_baseline_mints}; measured: "
            f"{storm.baseline.mints}.",
        ]
    )


def _scale_section(results: Results) -> str:
    scale = results.scale
    storm = scale.storm
    throughput = [
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
    growth = [
        [called, totals.mints, totals.salesforce_token, totals.secrets_get, totals.secrets_all - totals.secrets_get]
        for called, totals in storm.growth()
    ]
    return "\n".join(
        [
            "## 5. Scale on this machine",
            "",
            "Throughput: N warm harness containers (token cached; each one's cold call done and not counted), one "
            f"client thread per container in the parent, all released at once for {scale.calls_per_container} "
            "sample-flow lookups (queryRecord) each. Latency is the round trip the parent measured around each "
            "invocation, queueing included. Secrets Manager calls (at moto, every extension's upstream calls "
            "included) and token requests are those of the measured phase. The machine has "
            f"{results.machine.cores} cores; the emulators, the extensions and the client threads run in one "
            "parent process.",
            "",
            _table(
                [
                    "containers",
                    "calls",
                    "calls/s",
                    "p50 ms",
                    "p99 ms",
                    "failed",
                    "Secrets Manager calls",
                    "token requests",
                ],
                throughput,
            ),
            "",
            f"Storm: {storm.containers} harness containers share the access secret and are all warm with token T "
            "(all alive until the end); every token is revoked once; then each container is invoked once, "
            f"{storm.wave_size} at a time, a wave starting when the previous one has answered. Each container is "
            "its own execution environment, with a fake extension (and cache) of its own in front of the one Secrets "
            "Manager. After each wave, what the storm had called so far (the figures of a storm of that many "
            f"containers): {storm.failures} invocations failed; refresh invocation median "
            f"{storm.latency.median:.0f} ms (p90 {storm.latency.p90:.0f}, handler time).",
            "",
            _table(
                [
                    "containers called",
                    "mints",
                    "token requests",
                    "Secrets Manager GetSecretValue",
                    "other Secrets Manager calls",
                ],
                growth,
            ),
            *(
                ["", "Failed storm invocations, by error message:", "", _table(["error", "invocations"], errors)]
                if (errors := [[f"`{message[:300]}`", count] for message, count in storm.errors.items()])
                else []
            ),
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
            num(baseline.latency_ratio(config)),
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
            "The sample flow's lookup (queryRecord), warm, in three harness containers whose "
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
    largest = ", ".join(f"{name} {mb(size)}" for name, size in bundle.largest)
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
            f"Invoker bundle: {bundle.files} files, {mb(bundle.unzipped_bytes)} unzipped (of which "
            f"{mb(bundle.bytecode_bytes)} is the shipped 3.13 bytecode), {mb(bundle.zipped_bytes)} as a deflate "
            f"zip made with zipfile (Lambda's limits: 50 MB zipped, 250 MB unzipped). Largest entries: {largest}.",
            "",
            "The cold synth builds the bundles with pip from this machine's configured package indexes (local "
            "file:// mirrors here), so no network is involved; on a machine that downloads wheels it is slower.",
        ]
    )


#: where a hand-written reading starts and ends; the text between them survives every `make bench`
_READING = re.compile(r"<!-- reading: (?P<key>[a-z-]+) -->\n(?P<text>.*?)<!-- /reading -->", re.S)
_UNREAD = "_Reading: to be written by hand after the run (this run's numbers have not been read yet)._\n"


def hand_written_readings(previous: str) -> dict[str, str]:
    """The readings of an earlier RESULTS.md, by section key."""
    return {match["key"]: match["text"] for match in _READING.finditer(previous)}


def section_with_reading(key: str, section: str, readings: dict[str, str]) -> str:
    return f"{section}\n\n<!-- reading: {key} -->\n{readings.get(key, _UNREAD)}<!-- /reading -->"


def _answered(median_ms: float | None, failures: int, samples: int = SAMPLES) -> str:
    figure = "—" if median_ms is None else f"{median_ms:.0f}"
    return figure if not failures else f"{figure} ({failures} of {samples} failed)"


def _usd(value: float) -> str:
    return f"{value:.2f}"


def memory_table_lines(memory: MemoryFigures) -> list[str]:
    """The CPU table (cold starts, a warm call's CPU time and log bytes) and the cost table (every size at every
    org latency, and Salesforce's function computed at its 128 MB)."""
    if memory.not_measured:
        return [f"Not measured: {memory.not_measured}."]
    cpu_rows = []
    for row in memory.rows:
        loopback = row.at_latency(0)
        cpu_rows.append(
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
    cost_rows = []
    for latency in ORG_LATENCIES_MS[1:]:
        for row in memory.rows:
            run = row.at_latency(latency)
            if run is None:
                cost_rows.append([f"ours, {row.memory_mb} MB", latency, "failed", "—", "—", "—", "—", "—"])
                continue
            x86 = lambda_usd_per_million(row.memory_mb, run.duration_ms, gb_second_usd=PRICES.x86_64_gb_second_usd)
            arm = lambda_usd_per_million(row.memory_mb, run.duration_ms, gb_second_usd=PRICES.arm64_gb_second_usd)
            logs = logs_usd_per_million(run.log_bytes)
            cost_rows.append(
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
        anchor = lambda_usd_per_million(SCV_MEMORY_MB, duration, gb_second_usd=PRICES.x86_64_gb_second_usd)
        cost_rows.append(
            [
                f"Salesforce's function, {SCV_MEMORY_MB} MB (computed)",
                latency,
                f"{duration:.1f}",
                f"{billed_gb_seconds(SCV_MEMORY_MB, duration):.6f}",
                _usd(anchor),
                "—",
                "0.00",
                f"**{_usd(anchor)}**",
            ]
        )
    return [
        _table(
            [
                "memory MB",
                "CPU share",
                "cold start ms (token cached)",
                "cold start ms (first call mints)",
                "warm call ms (loopback)",
                "CPU ms per warm call",
                "log bytes per warm call",
                "warm runs failed",
            ],
            cpu_rows,
        ),
        "",
        _table(
            [
                "function",
                "org latency ms",
                "warm call ms",
                "GB-s per call (billed)",
                "Lambda $/M x86_64",
                "Lambda $/M arm64",
                "logs $/M",
                "$/M x86_64 + logs",
            ],
            cost_rows,
        ),
    ]


def _memory_section(results: Results) -> str:
    lines = [
        "## 8. Memory size and cost per call",
        "",
        "Lambda's CPU share follows the memory setting (one vCPU at 1,769 MB). Each size below ran the worker "
        "process in a CPU cgroup with a CFS quota of memory/1769 of one core (benchmarks/memory.py); medians of "
        f"{SAMPLES} fresh processes for the cold figures (the mints stop at a size's first failure, which waited "
        f"out the 8 s), of {WARM_CALLS} warm calls of one process per org latency for the warm ones (the org "
        "latency: the emulator holds each data request that long, then answers). CPU ms is the worker process's "
        "CPU time per warm call; log bytes are what the function wrote to stdout during one successful warm call "
        "(its own lines; Lambda's START/END/REPORT lines, the same for every function, are not counted).",
        "",
        f"Prices ({PRICES.region}, on demand): Lambda x86_64 ${PRICES.x86_64_gb_second_usd} per GB-second, arm64 "
        f"${PRICES.arm64_gb_second_usd} per GB-second, ${PRICES.request_usd * 1_000_000:.2f} per million requests, "
        f"billed duration rounded up to 1 ms; CloudWatch Logs ingestion ${PRICES.log_ingestion_gb_usd:.2f} per GB "
        "(10^9 bytes). Salesforce's function is computed, not run: "
        f"{SCV_WARM_CPU_MS} ms of CPU per warm call at full speed (measured on the reference machine) scaled by "
        f"{FULL_CORE_MB}/{SCV_MEMORY_MB}, plus one SSM parameter read per call, assumed at "
        f"{SCV_SSM_ROUND_TRIP_MS:.0f} ms, plus the org latency; it logs nothing for a successful call at INFO. "
        f"The config's default is memory_size_mb = {results.default_memory_mb}.",
        "",
    ]
    return "\n".join([*lines, *memory_table_lines(results.memory)])


def _faults_section(results: Results) -> str:
    faults = results.faults

    def row(fault: Any) -> list[Any]:
        recovery = "not within the cap" if fault.recovery_seconds is None else f"{fault.recovery_seconds:.0f}"
        return [
            fault.fault,
            fault.bundle,
            fault.calls,
            f"{fault.token_requests_per_hour:.0f}",
            f"{fault.secret_writes_per_hour:.0f}",
            f"{fault.wait.median:.0f}",
            f"{fault.wait.p99:.0f}",
            fault.over_8s,
            recovery,
        ]

    rows = [row(fault) for fault in sorted(faults.rows, key=lambda fault: fault.fault)]
    return "\n".join(
        [
            "## 9. Faults that last",
            "",
            f"{faults.containers} execution environments, each called once a second for {faults.window_seconds:.0f} s "
            "while the fault lasts, then the fault is fixed and each is called until it answers "
            "(benchmarks/faults.py). The shipped bundle's sign-in rules run on a clock "
            f"{faults.clock_factor:.0f} times faster, so for the sign-in faults its window is an hour of them; every "
            f"other figure per hour is the window's count times {3600 / faults.window_seconds:.0f}. The bundle of "
            f"{faults.before_commit} ran in the same run, on the same stage. Caller wait: the handler's time. "
            "Time to recover: from the fix until every container answered, in seconds of the clock the fault's "
            "rules run on.",
            "",
            _table(
                [
                    "fault",
                    "bundle",
                    "calls",
                    "token requests / hour",
                    "secret writes / hour",
                    "wait ms, median",
                    "wait ms, p99",
                    "calls past 8 s",
                    "time to recover, s",
                ],
                rows,
            ),
        ]
    )


#: (reading key, section) in page order; the keys tie a hand-written reading to its section
_SECTIONS = (
    ("goals", lambda results: _goals_section(results)),
    ("requests", lambda results: _warm_section(results)),
    ("overhead", lambda results: _overhead_section(results)),
    ("cold-start", lambda results: _cold_section(results)),
    ("storm", lambda results: _storm_section(results)),
    ("scale", lambda results: _scale_section(results)),
    ("cache", lambda results: _baseline_section(results)),
    ("synth", lambda results: _synth_section(results)),
    ("memory", lambda results: _memory_section(results)),
    ("faults", lambda results: _faults_section(results)),
)


def render(results: Results, readings: dict[str, str]) -> str:
    """The page: the header, then every section with the reading written for it (kept from ``readings``)."""
    sections = [_header(results)]
    sections += [section_with_reading(key, section(results), readings) for key, section in _SECTIONS]
    return "\n\n".join(sections) + "\n"
