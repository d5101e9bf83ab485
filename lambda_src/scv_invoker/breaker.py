"""A circuit breaker per org for the data calls of one container: an org that stopped answering costs a caller
under a second, not the whole budget at every step of the flow.

After FAILURES_TO_OPEN data requests in a row got no answer (timed out, refused, reset, closed unanswered), the
breaker opens: calls fail at once with ORG_UNAVAILABLE and send nothing. Every PROBE_INTERVAL_SECONDS one call
asks the org something cheap (its API versions, PROBE_TIMEOUT_SECONDS at most); any answer closes the breaker and
the call goes on, no answer starts the interval again. Any answer to a data request closes it too, whatever its
status: a caller's 400 or Salesforce's 5xx is the org answering, so it never opens the breaker.

Per container, not shared: a shared breaker would cost a read (and a write per change) of shared state on every
invocation, to spare each container its first FAILURES_TO_OPEN waits. Lambda keeps each container to one call at a
time, so the state needs no lock.
"""

from __future__ import annotations

import time
from enum import Enum

#: the errorCode of a call failed at once by an open breaker (docs/INVOKER.md, Errors)
ORG_UNAVAILABLE_CODE = "ORG_UNAVAILABLE"
#: data requests in a row without an answer that open the breaker (so at most this many calls of a container wait
#: for the deadline while the org hangs)
FAILURES_TO_OPEN = 2
#: an open breaker lets one call probe the org this often (recovery within this of the org answering)
PROBE_INTERVAL_SECONDS = 10.0
#: the probe's whole deadline: the call that probes still fails in under a second
PROBE_TIMEOUT_SECONDS = 0.6


class Passage(Enum):
    """What the breaker lets a call do."""

    SEND = "closed: send the request"
    PROBE = "open, and the interval has passed: probe the org first"
    FAIL_FAST = "open: fail at once, send nothing"


class CircuitBreaker:
    """The state of one org's data calls in one container."""

    def __init__(self) -> None:
        self.failures = 0
        self._opened_at: float | None = None

    @property
    def open(self) -> bool:
        return self._opened_at is not None

    def passage(self) -> Passage:
        if self._opened_at is None:
            return Passage.SEND
        if now() - self._opened_at >= PROBE_INTERVAL_SECONDS:
            return Passage.PROBE
        return Passage.FAIL_FAST

    def answered(self) -> None:
        """The org answered (any status): close."""
        self.failures = 0
        self._opened_at = None

    def no_answer(self) -> None:
        """A request (or the probe) got no answer: open after FAILURES_TO_OPEN in a row; an open breaker's interval
        starts again."""
        self.failures += 1
        if self.failures >= FAILURES_TO_OPEN:
            self._opened_at = now()


def now() -> float:
    return time.monotonic()
