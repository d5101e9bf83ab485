"""The circuit breaker per org: an org that stops answering costs each container at most two waits, then calls fail at
once with ORG_UNAVAILABLE; one probe per interval; the first answer closes it. Requests counted on the emulator,
the interval passed with a controllable clock (the container's breaker.now)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from scv_invoker.breaker import FAILURES_TO_OPEN, PROBE_INTERVAL_SECONDS, CircuitBreaker, Passage

from tests.invoker.conftest import FunctionContainer, connect_event
from tests.invoker.test_metrics import last_summary, metrics_of
from tools.emulators.salesforce.shapes import DATA_PREFIX

QUERY = connect_event("queryRecord", soql="SELECT Id FROM Account")
#: short enough for a quick test, long enough that a hanging request is told from a fast failure
BUDGET_MS = 2000
FAST_MS = 1000  # "fails in under 1 s"


class MonotonicClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(container: FunctionContainer, monkeypatch: pytest.MonkeyPatch) -> MonotonicClock:
    clock = MonotonicClock()
    monkeypatch.setattr(container.module("breaker"), "time", SimpleNamespace(monotonic=lambda: clock.now))
    return clock


@pytest.fixture
def warm(container: FunctionContainer, salesforce: Any, clock: MonotonicClock) -> FunctionContainer:
    container.ok(QUERY)
    return container


def hang(salesforce: Any) -> None:
    """The org stops answering: every request to it (data API and the probe) is held for far longer than a budget."""
    salesforce.inject_fault("/services/data", delay_seconds=60, times=1000)


def test_the_rules() -> None:
    breaker = CircuitBreaker()
    assert breaker.passage() is Passage.SEND
    for _ in range(FAILURES_TO_OPEN - 1):
        breaker.no_answer()
    assert breaker.passage() is Passage.SEND
    breaker.answered()  # an answer in between: the count starts again
    for _ in range(FAILURES_TO_OPEN - 1):
        breaker.no_answer()
    assert breaker.passage() is Passage.SEND
    breaker.no_answer()
    assert breaker.passage() is Passage.FAIL_FAST
    breaker.answered()
    assert breaker.passage() is Passage.SEND


def test_a_hanging_org_costs_two_waits_then_calls_fail_at_once(
    warm: FunctionContainer, salesforce: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hang(salesforce)
    for _ in range(FAILURES_TO_OPEN):
        waited = warm.fails(QUERY, budget_ms=BUDGET_MS)
        assert waited.failure["errorCode"] == "TIMEOUT"
        assert waited.duration_ms > BUDGET_MS / 2
    requests = len(salesforce.requests)
    for _ in range(3):  # a call and Connect's retries of it
        fast = warm.fails(QUERY, budget_ms=BUDGET_MS)
        assert fast.duration_ms < FAST_MS
        failure = fast.failure
        assert (failure["errorCode"], failure["status"], failure["success"]) == ("ORG_UNAVAILABLE", 503, False)
        assert "org default" in failure["errorMessage"] and "is not answering" in failure["errorMessage"]
        assert fast.error_type == "SalesforceApiError"
        values = metrics_of(last_summary(capsys))
        assert values["OrgUnavailable"] == 1 and "SignInRefused" not in values  # a 0 is left out
    assert len(salesforce.requests) == requests  # nothing sent


def test_one_probe_per_interval_and_the_first_answer_closes_it(
    warm: FunctionContainer, salesforce: Any, clock: MonotonicClock
) -> None:
    hang(salesforce)
    for _ in range(FAILURES_TO_OPEN):
        warm.fails(QUERY, budget_ms=BUDGET_MS)
    requests = len(salesforce.requests)

    clock.advance(PROBE_INTERVAL_SECONDS)
    probing = warm.fails(QUERY, budget_ms=BUDGET_MS)  # the org still hangs: the probe gives up in time
    assert probing.failure["errorCode"] == "ORG_UNAVAILABLE"
    assert probing.duration_ms < FAST_MS
    assert len(salesforce.requests) == requests + 1
    warm.fails(QUERY, budget_ms=BUDGET_MS)  # within the new interval: nothing sent
    assert len(salesforce.requests) == requests + 1

    salesforce.clear_faults()  # the org answers again
    clock.advance(PROBE_INTERVAL_SECONDS)
    warm.ok(QUERY, budget_ms=BUDGET_MS)  # the probe, then the call itself
    warm.ok(QUERY, budget_ms=BUDGET_MS)  # closed: no probe
    assert [request.path for request in salesforce.requests[requests + 1 :]] == [
        "/services/data/",
        *[salesforce.data_requests()[-1].path] * 2,
    ]


def test_an_unreachable_org_opens_it_too(warm: FunctionContainer, salesforce: Any, clock: MonotonicClock) -> None:
    salesforce.stop()
    try:
        for _ in range(FAILURES_TO_OPEN):
            assert warm.fails(QUERY, budget_ms=BUDGET_MS).failure["errorCode"] == "CONNECTION_ERROR"
        assert warm.fails(QUERY, budget_ms=BUDGET_MS).failure["errorCode"] == "ORG_UNAVAILABLE"
    finally:
        salesforce.start()
    clock.advance(PROBE_INTERVAL_SECONDS)
    warm.ok(QUERY, budget_ms=BUDGET_MS)


def test_a_callers_mistake_never_opens_it(warm: FunctionContainer, salesforce: Any) -> None:
    salesforce.inject_malformed_query(times=5)
    for _ in range(5):
        assert warm.fails(QUERY).failure["errorCode"] == "MALFORMED_QUERY"
    salesforce.inject_unavailable(times=10, path_contains=DATA_PREFIX)
    for _ in range(5):  # Salesforce's 503 is an answer too
        assert warm.fails(QUERY).failure["errorCode"] == "SERVER_UNAVAILABLE"
    warm.ok(QUERY)
