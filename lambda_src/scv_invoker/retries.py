"""Whether a request is sent again: one pure decision per attempt, from a table of rules (tested without sockets in
tests/invoker/test_retries.py); transport.send is the loop that follows it.

The rules, first match wins: an answer is returned, except a 429/5xx to a request safe to repeat, repeated once
when its wait (Retry-After, else DEFAULT_RETRY_DELAY_SECONDS) fits. After a timeout the first attempt may have been
processed, so only a request harmless to apply twice (an upsert by external id) is repeated. A kept connection the
server closed under a request safe to repeat is replaced and the request sent again at once (this is not the one
retry); a failed connection is retried once after a pause. Everything else fails. A repeat is made only while
at least MIN_REQUEST_SECONDS would be left for it.
"""

from collections.abc import Callable
from enum import Enum
from typing import NamedTuple, Protocol

#: a request is not started with less time than this
MIN_REQUEST_SECONDS = 0.25
#: wait before the one retry when the server gave no Retry-After
DEFAULT_RETRY_DELAY_SECONDS = 0.2
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class Repeatable(Protocol):
    """What the rules read of a request (transport.HttpRequest)."""

    @property
    def idempotent(self) -> bool: ...

    @property
    def repeat_after_timeout(self) -> bool: ...


class Ending(Enum):
    """How one attempt ended."""

    ANSWERED = "an answer arrived (any status)"
    TIMED_OUT = "no (whole) answer within the attempt's deadline"
    DROPPED = "a kept connection was closed under the request, unanswered"
    FAILED = "the connection failed (refused, reset, unresolvable, TLS)"


class Outcome(NamedTuple):
    ending: Ending
    status: int | None = None
    #: the answer's Retry-After in seconds, when it gave a number
    retry_after: float | None = None


class Tries(NamedTuple):
    """What was spent on this request so far."""

    #: the one retry used
    retried: bool = False
    #: the one resend on a new connection (after a kept one was dropped) used
    reconnected: bool = False


class Action(Enum):
    DONE = "return the answer"
    RETRY = "send again after the delay; the one retry"
    RECONNECT = "send again at once on a new connection; not the one retry"
    FAIL = "raise the attempt's failure"


class Decision(NamedTuple):
    action: Action
    delay: float = 0.0


class _Case(NamedTuple):
    """One attempt to decide about; the rules below read it."""

    request: Repeatable
    outcome: Outcome
    tries: Tries
    seconds_left: float

    @property
    def first(self) -> bool:
        return not self.tries.retried

    @property
    def wait(self) -> float:
        retry_after = self.outcome.retry_after
        return DEFAULT_RETRY_DELAY_SECONDS if retry_after is None else retry_after

    def fits(self, pause: float) -> bool:
        return self.seconds_left - pause >= MIN_REQUEST_SECONDS


def _no_answer(case: _Case) -> bool:
    return case.outcome.ending in (Ending.DROPPED, Ending.FAILED)


#: (why, when it applies, what to do): the first that applies decides
RULES: tuple[tuple[str, Callable[[_Case], bool], Callable[[_Case], Decision]], ...] = (
    (
        "a 429/5xx to a request safe to repeat: once, when its wait fits",
        lambda c: (
            c.outcome.ending is Ending.ANSWERED
            and c.outcome.status in RETRYABLE_STATUSES
            and c.request.idempotent
            and c.first
            and c.fits(c.wait)
        ),
        lambda c: Decision(Action.RETRY, c.wait),
    ),
    (
        "any other answer is the caller's",
        lambda c: c.outcome.ending is Ending.ANSWERED,
        lambda c: Decision(Action.DONE),
    ),
    (
        "a timeout of a request harmless to apply twice: once, at once",
        lambda c: c.outcome.ending is Ending.TIMED_OUT and c.request.repeat_after_timeout and c.first and c.fits(0),
        lambda c: Decision(Action.RETRY),
    ),
    (
        "a kept connection dropped under a request safe to repeat: at once on a new one",
        lambda c: c.outcome.ending is Ending.DROPPED and c.request.idempotent and c.first and not c.tries.reconnected,
        lambda c: Decision(Action.RECONNECT),
    ),
    (
        "a failed connection of a request safe to repeat: once, after a pause that fits",
        lambda c: (
            _no_answer(c)
            and c.request.idempotent
            and c.first
            and not c.tries.reconnected
            and c.fits(DEFAULT_RETRY_DELAY_SECONDS)
        ),
        lambda c: Decision(Action.RETRY, DEFAULT_RETRY_DELAY_SECONDS),
    ),
    ("no answer otherwise: fail", lambda c: True, lambda c: Decision(Action.FAIL)),
)


def decide(request: Repeatable, outcome: Outcome, tries: Tries, seconds_left: float) -> Decision:
    """What to do after an attempt that ended in ``outcome``, with ``seconds_left`` of the budget."""
    case = _Case(request, outcome, tries, seconds_left)
    return next(decision(case) for _, applies, decision in RULES if applies(case))
