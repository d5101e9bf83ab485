"""The retry rules as a table: (request, how the attempt ended, what was spent, time left) -> decision. No sockets:
transport.send only follows these (its behaviour on the wire: test_resilience.py, test_kept_connections.py)."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from scv_invoker.retries import (
    DEFAULT_RETRY_DELAY_SECONDS,
    Action,
    Decision,
    Ending,
    Outcome,
    Tries,
    decide,
)


class Request(NamedTuple):
    idempotent: bool
    repeat_after_timeout: bool = False


GET = Request(idempotent=True)
CREATE = Request(idempotent=False)
UPSERT = Request(idempotent=True, repeat_after_timeout=True)

FIRST = Tries()
RETRIED = Tries(retried=True)
RECONNECTED = Tries(reconnected=True)
PLENTY = 5.0
ANSWER_200 = Outcome(Ending.ANSWERED, 200)
ANSWER_400 = Outcome(Ending.ANSWERED, 400)
ANSWER_503 = Outcome(Ending.ANSWERED, 503)
RETRY_AFTER_1 = Outcome(Ending.ANSWERED, 429, retry_after=1.0)
TIMED_OUT = Outcome(Ending.TIMED_OUT)
DROPPED = Outcome(Ending.DROPPED)
FAILED = Outcome(Ending.FAILED)

CASES = {
    # answers
    "a success is returned": (GET, ANSWER_200, FIRST, PLENTY, Decision(Action.DONE)),
    "a caller's 400 is returned, never retried": (GET, ANSWER_400, FIRST, PLENTY, Decision(Action.DONE)),
    "a 503 to a GET is retried once": (
        GET, ANSWER_503, FIRST, PLENTY, Decision(Action.RETRY, DEFAULT_RETRY_DELAY_SECONDS)
    ),
    "a second 503 is returned": (GET, ANSWER_503, RETRIED, PLENTY, Decision(Action.DONE)),
    "a 503 to a create is returned": (CREATE, ANSWER_503, FIRST, PLENTY, Decision(Action.DONE)),
    "Retry-After is honoured when it fits": (GET, RETRY_AFTER_1, FIRST, PLENTY, Decision(Action.RETRY, 1.0)),
    "Retry-After beyond the budget is not waited for": (GET, RETRY_AFTER_1, FIRST, 1.1, Decision(Action.DONE)),
    "a 503 after a reconnect still has its retry": (
        GET, ANSWER_503, RECONNECTED, PLENTY, Decision(Action.RETRY, DEFAULT_RETRY_DELAY_SECONDS)
    ),
    # timeouts
    "a timed-out GET is not repeated (it may have been processed)": (
        GET, TIMED_OUT, FIRST, PLENTY, Decision(Action.FAIL)
    ),
    "a timed-out create is never repeated": (CREATE, TIMED_OUT, FIRST, PLENTY, Decision(Action.FAIL)),
    "a timed-out upsert is repeated once, at once": (UPSERT, TIMED_OUT, FIRST, PLENTY, Decision(Action.RETRY)),
    "an upsert timed out twice fails": (UPSERT, TIMED_OUT, RETRIED, PLENTY, Decision(Action.FAIL)),
    "no repeat of an upsert without time for it": (UPSERT, TIMED_OUT, FIRST, 0.2, Decision(Action.FAIL)),
    # connections
    "a dropped kept connection: a GET again at once": (GET, DROPPED, FIRST, PLENTY, Decision(Action.RECONNECT)),
    "a dropped kept connection: a create never": (CREATE, DROPPED, FIRST, PLENTY, Decision(Action.FAIL)),
    "dropped again after reconnecting: fail": (GET, DROPPED, RECONNECTED, PLENTY, Decision(Action.FAIL)),
    "a refused connection: a GET once after a pause": (
        GET, FAILED, FIRST, PLENTY, Decision(Action.RETRY, DEFAULT_RETRY_DELAY_SECONDS)
    ),
    "a refused connection: a create never": (CREATE, FAILED, FIRST, PLENTY, Decision(Action.FAIL)),
    "a refused connection without time for the pause": (GET, FAILED, FIRST, 0.3, Decision(Action.FAIL)),
    "refused again: fail": (GET, FAILED, RETRIED, PLENTY, Decision(Action.FAIL)),
}  # fmt: skip


@pytest.mark.parametrize(("request_", "outcome", "tries", "seconds_left", "expected"), CASES.values(), ids=CASES.keys())
def test_the_retry_rules(
    request_: Request, outcome: Outcome, tries: Tries, seconds_left: float, expected: Decision
) -> None:
    assert decide(request_, outcome, tries, seconds_left) == expected
