"""HTTP with a deadline: every request fits in what is left of Amazon Connect's 8 seconds.

Connect gives up on the function after 8 s and then knows nothing about why. So every attempt gets a connect
timeout and one deadline for the whole attempt from the Lambda context's remaining time minus a margin, a request
that cannot fit is not started, and a hanging or trickling peer becomes a clear TIMEOUT failure while the function
can still report it. Whether a request is sent again is retries.decide's (the rules and why are there); this
module is the loop that follows it and the wording of what failed.

The connections are kept ones from connections.py (its own HTTP/1.1; that module says why): one pool per
container, so warm invocations reuse them. A kept connection the server closed while it was idle is noticed when
it is taken; one it closed under a request surfaces as connections.Dropped.
"""

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

from scv_invoker import multipart
from scv_invoker.connections import ConnectionPool, ConnectTimeout, Dropped, HttpResponse
from scv_invoker.errors import SalesforceApiError
from scv_invoker.log import logger
from scv_invoker.retries import MIN_REQUEST_SECONDS, Action, Ending, Outcome, Tries, decide

#: kept free at the end of the invocation to raise and log the failure
SAFETY_MARGIN_MS = 400
#: connecting never needs more than this (the rest of the budget is for the answer)
MAX_CONNECT_SECONDS = 3.05
#: when no Lambda context tells the time (e.g. a unit test), this is the whole budget
DEFAULT_BUDGET_MS = 8000


class Budget:
    """The time this invocation may still spend on requests."""

    def __init__(self, context: Any, margin_ms: int = SAFETY_MARGIN_MS) -> None:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if callable(remaining):
            self._remaining_ms: Callable[[], float] = remaining
        else:
            deadline = time.monotonic() + DEFAULT_BUDGET_MS / 1000
            self._remaining_ms = lambda: (deadline - time.monotonic()) * 1000
        self._margin_ms = margin_ms

    def remaining_seconds(self) -> float:
        return (float(self._remaining_ms()) - self._margin_ms) / 1000

    def function_remaining_ms(self) -> int:
        return max(0, int(self._remaining_ms()))

    def timeouts(self, operation: str) -> tuple[float, float]:
        """(connect, read) timeouts for the next request; refuses when the request cannot fit."""
        remaining = self.remaining_seconds()
        if remaining < MIN_REQUEST_SECONDS:
            raise SalesforceApiError(
                f"not enough time left to start {operation}: {self.function_remaining_ms()} ms remain before the "
                f"function's timeout (Amazon Connect waits at most 8 s); earlier requests were slow. "
                f"Check Salesforce's latency and the function's cold start",
                error_code="TIMEOUT",
                status=504,
                status_text="Gateway Timeout",
            )
        return min(MAX_CONNECT_SECONDS, remaining), remaining

    def allows(self, seconds: float) -> bool:
        """Whether waiting ``seconds`` still leaves room for one more request."""
        return self.remaining_seconds() - seconds >= MIN_REQUEST_SECONDS


class HttpRequest(NamedTuple):
    """One request. ``operation`` names it in messages and logs: a fixed label, never a value."""

    method: str
    url: str
    operation: str
    idempotent: bool
    headers: Mapping[str, str] = {}  # never changed: a shared empty default is safe
    #: the body; a callable is called for every attempt (a token request signs a fresh assertion each time)
    data: Any = None
    json: Any = None
    files: Any = None
    #: cap on the read timeout (e.g. for the local secrets extension); None: whatever the budget allows
    max_seconds: float | None = None
    #: applying it twice leaves what applying it once does (an upsert by external id): repeated once after a
    #: timeout too, so its first attempt may wait only half the time left
    repeat_after_timeout: bool = False


#: called after every attempt with (elapsed ms, response or None)
AttemptObserver = Callable[[float, HttpResponse | None], None]


def retry_after_seconds(response: HttpResponse) -> float | None:
    """Retry-After in seconds when it is a number (an HTTP date is treated as absent)."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def send(
    pool: ConnectionPool,
    request: HttpRequest,
    budget: Budget,
    *,
    observe: AttemptObserver | None = None,
    on_retry: Callable[[], None] | None = None,
) -> HttpResponse:
    """Send with deadline-derived timeouts, again when retries.decide says so. Raises SalesforceApiError
    (TIMEOUT 504 / CONNECTION_ERROR 502) when no response arrived; returns any response that did."""
    tries = Tries()
    while True:
        connect_timeout, timeout = _attempt_timeouts(request, tries, budget)
        started = time.perf_counter()
        response: HttpResponse | None = None
        error: OSError | None = None
        try:
            response = _attempt(pool, request, connect_timeout, timeout)
        except OSError as failure:
            error = failure
        elapsed_ms = (time.perf_counter() - started) * 1000
        _log_attempt(request, tries, response, elapsed_ms, connect_timeout, timeout)
        if observe:
            observe(elapsed_ms, response)
        decision = decide(request, _outcome(response, error), tries, budget.remaining_seconds())
        if decision.action is Action.DONE and response is not None:
            return response
        if decision.action is Action.FAIL:
            assert error is not None  # an answer is never failed
            raise _failure(request, error, connect_timeout, timeout, repeated=tries.retried)
        if decision.action is Action.RECONNECT:
            tries = tries._replace(reconnected=True)
        else:
            tries = tries._replace(retried=True)
            if on_retry:
                on_retry()
        time.sleep(decision.delay)


def _attempt_timeouts(request: HttpRequest, tries: Tries, budget: Budget) -> tuple[float, float]:
    """(connect, whole attempt) for the next attempt: what the budget leaves, capped by the request; the first
    attempt of a request repeated after a timeout gets half, so the repeat fits."""
    connect_timeout, timeout = budget.timeouts(request.operation)
    if request.max_seconds is not None:
        connect_timeout = min(connect_timeout, request.max_seconds)
        timeout = min(timeout, request.max_seconds)
    if request.repeat_after_timeout and not tries.retried:
        timeout = min(timeout, max(timeout / 2, MIN_REQUEST_SECONDS))
        connect_timeout = min(connect_timeout, timeout)
    return connect_timeout, timeout


def _outcome(response: HttpResponse | None, error: BaseException | None) -> Outcome:
    if response is not None:
        return Outcome(Ending.ANSWERED, response.status_code, retry_after_seconds(response))
    if isinstance(error, TimeoutError):
        return Outcome(Ending.TIMED_OUT)
    return Outcome(Ending.DROPPED if isinstance(error, Dropped) else Ending.FAILED)


def _failure(
    request: HttpRequest, error: BaseException, connect_timeout: float, timeout: float, *, repeated: bool
) -> SalesforceApiError:
    if isinstance(error, TimeoutError):
        return _timeout(request, error, connect_timeout, timeout, repeated=repeated)
    return _connection_failure(request, error)


def _log_attempt(
    request: HttpRequest,
    tries: Tries,
    response: HttpResponse | None,
    elapsed_ms: float,
    connect_timeout: float,
    timeout: float,
) -> None:
    """DEBUG only: the fixed operation label, status and timing; never the URL, headers or body (and its fields
    are not even built at INFO, on every request of every warm call)."""
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "http attempt",
            extra={
                "operation": request.operation,
                "attempt": 2 if tries.retried else 1,
                "status": response.status_code if response is not None else None,
                "elapsed_ms": round(elapsed_ms, 1),
                "timeout_s": [round(connect_timeout, 2), round(timeout, 2)],
            },
        )


def _attempt(pool: ConnectionPool, request: HttpRequest, connect_timeout: float, timeout: float) -> HttpResponse:
    """One send, no redirects followed; the answer is read whole."""
    body, content_type = _encoded_body(request)
    headers = dict(request.headers)
    if content_type is not None:
        headers.setdefault("Content-Type", content_type)
    return pool.request(
        request.method,
        request.url,
        headers=headers,
        body=body,
        connect_timeout=connect_timeout,
        timeout=timeout,
    )


def _encoded_body(request: HttpRequest) -> tuple[bytes | None, str | None]:
    """The body's bytes and Content-Type: files as multipart, a mapping as a form, ``json`` as compact UTF-8 JSON."""
    if request.files is not None:
        return multipart.encode(request.files)
    data = request.data() if callable(request.data) else request.data
    if isinstance(data, Mapping):
        return urlencode(data).encode("ascii"), "application/x-www-form-urlencoded"
    if data is not None:
        return (data.encode("utf-8") if isinstance(data, str) else data), None
    if request.json is not None:
        return json.dumps(request.json, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), "application/json"
    return None, None


def _connection_failure(request: HttpRequest, error: BaseException) -> SalesforceApiError:
    """Refused, reset, closed without an answer, unresolvable or untrusted (TLS): what to check, never the URL."""
    reason = _reason(error)
    unsure = not request.idempotent and reason not in ("connection refused", "name or service not known")
    repeated = "; it was not repeated, as it may have been processed" if unsure else ""
    return _no_answer(
        f"the connection for {request.operation} failed ({reason}){repeated}: check the endpoint URL "
        f"in the function's environment and the network path to it",
        error_code="CONNECTION_ERROR",
        status=502,
        status_text="Bad Gateway",
    )


def _timeout(
    request: HttpRequest, error: TimeoutError, connect_timeout: float, timeout: float, *, repeated: bool
) -> SalesforceApiError:
    if not isinstance(error, ConnectTimeout):
        repeat = "it was repeated once and timed out again" if repeated else "the request was not repeated"
        message = (
            f"{request.operation} did not answer within {timeout * 1000:.0f} ms, the time this invocation had "
            f"left (Amazon Connect waits at most 8 s); {repeat}. Check Salesforce's status and the org's latency"
        )
    else:
        message = (
            f"could not connect to {request.operation} within {connect_timeout * 1000:.0f} ms: check the endpoint "
            f"URL in the function's environment and the network path to it"
        )
    return _no_answer(message, error_code="TIMEOUT", status=504, status_text="Gateway Timeout")


def _no_answer(message: str, *, error_code: str, status: int, status_text: str) -> SalesforceApiError:
    error = SalesforceApiError(message, error_code=error_code, status=status, status_text=status_text)
    error.no_answer = True
    return error


def _reason(error: BaseException) -> str:
    """A short, value-free reason for a connection failure (the exception text carries URLs)."""
    text = str(error)
    for marker in ("Connection refused", "Name or service not known", "nodename nor servname", "Connection reset",
                   "Remote end closed connection", "certificate verify failed", "No route to host"):  # fmt: skip
        if marker in text:
            return marker.lower()
    return type(error).__name__
