"""RESULTS.md keeps what a person wrote: a rerun of `make bench` replaces the figures, never the readings."""

from __future__ import annotations

from benchmarks.report import hand_written_readings, section_with_reading


def test_a_reading_survives_a_rerun_and_a_new_section_asks_for_one() -> None:
    first_run = section_with_reading("overhead", "| figure | 338 µs |", {})
    assert "to be written by hand" in first_run
    edited = first_run.replace(
        hand_written_readings(first_run)["overhead"], "The log line is most of it (read 2026-12-02).\n"
    )
    second_run = section_with_reading("overhead", "| figure | 120 µs |", hand_written_readings(edited))
    assert "120 µs" in second_run and "338 µs" not in second_run
    assert hand_written_readings(second_run) == {"overhead": "The log line is most of it (read 2026-12-02).\n"}
