"""The harness's deadlines: a test that is not about deadlines gets time far from its work, so a slow cold
start on a loaded machine never turns it into a 504; a test about deadlines sets its own."""

from __future__ import annotations

from pathlib import Path

from tests.harness.fixtures import UNHURRIED_INVOCATION_SECONDS, ContainerFactory, probe_asset

PROBE = "def handler(event, context):\n    return {'remaining_ms': context.get_remaining_time_in_millis()}\n"


def test_a_container_invocation_gets_an_unhurried_deadline_unless_the_test_sets_one(
    start_container: ContainerFactory, tmp_path: Path
) -> None:
    container = start_container(probe_asset(tmp_path, PROBE), {})
    unhurried = container.invoke({})
    assert unhurried.ok, unhurried.error
    assert unhurried.payload["remaining_ms"] > (UNHURRIED_INVOCATION_SECONDS - 30) * 1000
    connect = container.invoke({}, timeout_ms=8000)
    assert 0 < connect.payload["remaining_ms"] <= 8000
