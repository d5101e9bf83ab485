"""RESULTS.md keeps what a person wrote (a rerun of `make bench` replaces the figures, never the readings),
the scale section and goal are computed from the figures, and the page of a fixture run is a snapshot, so an edit
of the template (benchmarks/templates/) shows in review as the page's own diff."""

from __future__ import annotations

import dataclasses
import datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from benchmarks.cold_start import ColdRun, ColdStartFigures, ImportEntry
from benchmarks.faults import FaultFigures, FaultRow
from benchmarks.measure import summarize
from benchmarks.memory import ORG_LATENCIES_MS, MemoryFigures, MemoryRow, WarmRun
from benchmarks.overhead import OverheadFigures
from benchmarks.report import hand_written_readings, memory_tables, render, render_section, section_with_reading
from benchmarks.results import Machine, Results
from benchmarks.scale import ScaleFigures, ThroughputFigure
from benchmarks.stage import Counts
from benchmarks.storm import StormFigures, StormScenario
from benchmarks.synth import BundleSize, SynthFigures
from benchmarks.warm import BaselineConfig, BaselineFigures, MethodFigure, WarmFigures


def test_a_reading_survives_a_rerun_and_a_new_section_asks_for_one() -> None:
    first_run = section_with_reading("overhead", "| figure | 338 µs |", {})
    assert "to be written by hand" in first_run
    edited = first_run.replace(
        hand_written_readings(first_run)["overhead"], "The log line is most of it (read 2026-12-02).\n"
    )
    second_run = section_with_reading("overhead", "| figure | 120 µs |", hand_written_readings(edited))
    assert "120 µs" in second_run and "338 µs" not in second_run
    assert hand_written_readings(second_run) == {"overhead": "The log line is most of it (read 2026-12-02).\n"}


def _scale(storm_waves: list[Counts], warm_secrets_calls: int = 0) -> ScaleFigures:
    latency = summarize([3.0, 4.0, 9.0])
    throughput = [
        ThroughputFigure(containers, containers * 3, 0.5, latency, 0, Counts(0, warm_secrets_calls, 0, 3, 0, 0))
        for containers in (1, 4)
    ]
    storm = StormScenario("shared, in waves", containers=5, wave_size=2, waves=storm_waves, errors={}, latency=latency)
    return ScaleFigures(calls_per_container=3, throughput=throughput, storm=storm)


def _wave(mints: int, secrets_reads: int) -> Counts:
    return Counts(secrets_reads, secrets_reads + mints, 0, 2, mints, mints)


def test_the_scale_goal_is_met_only_with_one_mint_per_revocation_and_a_warm_path_without_secrets_calls() -> None:
    assert _scale([_wave(1, 3), _wave(0, 2), _wave(0, 1)]).met
    assert not _scale([_wave(1, 3), _wave(1, 2), _wave(0, 1)]).met  # the second wave minted again
    assert not _scale([_wave(1, 3), _wave(0, 2), _wave(0, 1)], warm_secrets_calls=1).met


def test_the_scale_section_shows_the_storm_after_each_wave_and_asks_for_a_reading() -> None:
    scale = _scale([_wave(1, 3), _wave(0, 2), _wave(0, 1)])
    results = cast(Results, SimpleNamespace(scale=scale, machine=SimpleNamespace(cores=2)))
    page = render_section("scale", results, {})
    assert "| 4 | 12 | 24 | 4.0 | 8.9 | 0 | 0 | 0 |" in page  # 12 calls in 0.5 s; p99 of 3, 4, 9 ms
    # containers called so far (the last wave is short), then the storm's cumulative counts
    assert "| 2 | 1 | 1 | 3 | 1 |" in page and "| 4 | 1 | 1 | 5 | 1 |" in page and "| 5 | 1 | 1 | 6 | 1 |" in page
    assert "to be written by hand" in hand_written_readings(page)["scale"]


def test_the_faults_section_shows_both_bundles_per_fault_and_asks_for_a_reading() -> None:
    waits = summarize([100.0, 200.0, 7600.0])
    rows = [
        FaultRow("shipped", "frozen user", 1200, 58, 5, 2, waits, 0, 61.0),
        FaultRow("5a36c14", "frozen user", 800, 72000, 72000, 0, waits, 3, None),
    ]
    results = cast(Results, SimpleNamespace(faults=FaultFigures(rows)))
    page = render_section("faults", results, {})
    assert "| frozen user | shipped | 1200 | 58 | 5 | 2 | 200 |" in page
    assert "| frozen user | 5a36c14 | 800 | 72000 | 72000 | 0 | 200 |" in page and "not within the cap" in page
    assert "to be written by hand" in hand_written_readings(page)["faults"]


def _results() -> Results:
    """A whole run's figures, every section filled (a failed memory size and storm errors included)."""
    summary = summarize([3.0, 4.0, 9.0])
    counts = Counts(1, 1, 1, 1, 0, 0)
    cold_run = ColdRun(40.0, 25.0, 180.0, counts, 1, [], 5)
    entry = ImportEntry("scv_invoker.handler", 2.0, 30.0, 0)
    methods = [
        MethodFigure(name, 1, 1, 1.0, 0, 0, summary, 0, 0)
        for name in ("queryRecord", "createRecord", "SFSPhoneCallFlowQuery")
    ]
    storm = StormScenario("shared", 4, 1, [_wave(1, 3), _wave(0, 2)], {}, summary)
    baseline_storm = StormScenario("own secrets", 4, 1, [_wave(4, 8)], {"Salesforce refused": 2}, summary)
    scale = _scale([_wave(1, 3), _wave(0, 2), _wave(0, 1)])
    scale = dataclasses.replace(scale, storm=dataclasses.replace(scale.storm, errors={"Salesforce refused": 2}))
    warm_runs = tuple(WarmRun(latency, 5.0 + latency, 3.0, 240) for latency in ORG_LATENCIES_MS)
    faults = FaultFigures([FaultRow("shipped", "frozen user", 1200, 58, 5, 2, summary, 0, 61.0)])
    return Results(
        started_at=datetime.datetime(2026, 12, 6, 9, 30, tzinfo=datetime.UTC),
        wall_seconds=1234.5,
        machine=Machine(2, "3.11.9", "python3.13", "Linux-6.1-x86_64", "x86_64"),
        command="make bench",
        synth=SynthFigures(summary, summary, BundleSize(120, 2_500_000, 900_000, 400_000, [("scv_invoker", 300_000)])),
        cold=ColdStartFigures(
            interpreter="python3.13",
            lambda_runtime_python=True,
            warmup_run=cold_run,
            runs=[cold_run, cold_run],
            top_cumulative=[entry],
            entries=[entry],
            self_by_package=[("scv_invoker", 2.0), ("json", 0.1)],
            importtime_total_ms=31.0,
            import_only=summary,
            lambda_import=summary,
            marginal_ms=[("json", 1.5)],
            no_bytecode_import=summary,
            baseline_rev="5a36c14",
            baseline_import=summary,
            baseline_lambda_import=summary,
        ),
        overhead=OverheadFigures(
            summary,
            summary,
            summarize([2.0, 3.0, 8.0]),
            summary,
            summary,
            {"by_cumulative": [{"function": "handler", "calls_per_invocation": 1.0, "cumulative_us": 310.0}]},
            "3.13.1",
        ),
        warm=WarmFigures(methods, 5, 15, 0, 15),
        baseline=BaselineFigures(
            BaselineConfig("cached", {}, summary, 30, 0, 0),
            [BaselineConfig("no cache, extension", {"X": "1"}, summary, 30, 0, 30)],
        ),
        storm=StormFigures(storm, baseline_storm, 4),
        scale=scale,
        memory=MemoryFigures(
            [
                MemoryRow(512, 0.29, 120.0, 900.0, 0, 0, 3, warm_runs),
                MemoryRow(128, 0.07, None, None, 3, 1, 1, warm_runs[:2]),
            ],
            None,
        ),
        faults=faults,
        default_memory_mb=512,
    )


def _sparse_results() -> Results:
    """A run without the optional parts: no memory sizes measured, no profile, no failed storm invocations."""
    results = _results()
    return dataclasses.replace(
        results,
        memory=MemoryFigures([], "no CPU cgroup to join"),
        overhead=dataclasses.replace(results.overhead, profile={}),
        scale=_scale([_wave(1, 3)]),
    )


def test_every_section_of_the_page_carries_its_reading_over_to_the_next_run() -> None:
    first_run = render(_results(), {"overhead": "The log line is most of it.\n"})
    readings = hand_written_readings(first_run)
    assert list(readings) == [
        "goals", "requests", "overhead", "cold-start", "storm", "scale", "cache", "synth", "memory", "faults"
    ]  # fmt: skip
    assert readings["overhead"] == "The log line is most of it.\n" and "to be written by hand" in readings["faults"]
    assert hand_written_readings(render(_sparse_results(), readings)) == readings


@pytest.mark.parametrize("results", [_results(), _sparse_results()], ids=["whole run", "sparse run"])
def test_memory_only_prints_the_memory_sections_tables(results: Results) -> None:
    tables = memory_tables(results.memory)
    assert tables.startswith(("| memory MB |", "Not measured: no CPU cgroup to join."))
    assert f"memory_size_mb = 512.\n\n{tables}\n\n<!-- reading: memory -->" in render(results, {})


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """The page as a Markdown file of its own, so a template edit shows in review as the page's own diff."""

    file_extension = "md"
    _write_mode = WriteMode.TEXT


@pytest.mark.parametrize("results", [_results(), _sparse_results()], ids=["whole run", "sparse run"])
def test_the_page_matches_its_snapshot(results: Results, snapshot: Any) -> None:
    page = render(results, {"overhead": "The log line is most of it.\n"})
    assert page == snapshot.use_extension(MarkdownSnapshot)
