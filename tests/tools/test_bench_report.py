"""RESULTS.md keeps what a person wrote (a rerun of `make bench` replaces the figures, never the readings),
and the scale section and goal are computed from the figures."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from benchmarks.faults import FaultFigures, FaultRow
from benchmarks.measure import summarize
from benchmarks.report import _faults_section, _scale_section, hand_written_readings, section_with_reading
from benchmarks.results import Results
from benchmarks.scale import ScaleFigures, ThroughputFigure
from benchmarks.stage import Counts
from benchmarks.storm import StormScenario


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
    page = section_with_reading("scale", _scale_section(results), {})
    assert "| 4 | 12 | 24 | 4.0 | 8.9 | 0 | 0 | 0 |" in page  # 12 calls in 0.5 s; p99 of 3, 4, 9 ms
    # containers called so far (the last wave is short), then the storm's cumulative counts
    assert "| 2 | 1 | 1 | 3 | 1 |" in page and "| 4 | 1 | 1 | 5 | 1 |" in page and "| 5 | 1 | 1 | 6 | 1 |" in page
    assert "to be written by hand" in hand_written_readings(page)["scale"]


def test_the_faults_section_shows_both_bundles_per_fault_and_asks_for_a_reading() -> None:
    waits = summarize([100.0, 200.0, 7600.0])
    rows = [
        FaultRow("shipped", "frozen user", 1200, 58, 6, waits, 0, 61.0),
        FaultRow("5a36c14", "frozen user", 800, 72000, 72000, waits, 3, None),
    ]
    results = cast(Results, SimpleNamespace(faults=FaultFigures(rows)))
    page = section_with_reading("faults", _faults_section(results), {})
    assert "| frozen user | shipped | 1200 | 58 | 6 | 200 |" in page
    assert "| frozen user | 5a36c14 | 800 | 72000 | 72000 | 200 |" in page and "not within the cap" in page
    assert "to be written by hand" in hand_written_readings(page)["faults"]
