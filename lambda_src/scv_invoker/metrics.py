"""The invocations' metrics as Embedded Metric Format (EMF) records: JSON log lines CloudWatch turns into metrics,
with no CloudWatch API call on the call path.

A failed call's summary line carries its own metrics, so the alarms see a failure at once. The metrics of the
successful calls are collected in the container (MinuteMetrics) and written as one record per method (and org)
for each clock minute: the counts summed, the org's API usage figures at their maximum, and the latency as an
array of every call's value (_MINUTE). The sums, maxima and latency percentiles the alarms and the dashboard read
are those of a record per call, for a fraction of the bytes. Names come from scv_shared.telemetry, which the alarms
and the dashboard read too.
"""

import operator
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from scv_shared import telemetry

from scv_invoker.stats import InvocationStats

_PER_ORG = [telemetry.CONTACT_CENTER_DIMENSION, telemetry.ORG_DIMENSION]
_PER_METHOD = [[telemetry.CONTACT_CENTER_DIMENSION], [telemetry.CONTACT_CENTER_DIMENSION, telemetry.METHOD_DIMENSION]]
_PER_CONTACT_CENTER = [[telemetry.CONTACT_CENTER_DIMENSION]]
_PER_ERROR_CODE = [[telemetry.CONTACT_CENTER_DIMENSION, telemetry.ERROR_CODE_DIMENSION]]

#: every metric's unit
_UNITS = {
    telemetry.INVOCATIONS: "Count",
    telemetry.ERRORS: "Count",
    telemetry.SALESFORCE_LATENCY: "Milliseconds",
    telemetry.SALESFORCE_REQUESTS: "Count",
    telemetry.TOKEN_MINTS: "Count",
    telemetry.TOKEN_MINT_FAILURES: "Count",
    telemetry.TOKEN_CACHE_HITS: "Count",
    telemetry.SECRETS_CACHE_HITS: "Count",
    telemetry.SECRETS_MANAGER_CALLS: "Count",
    telemetry.SIGN_IN_REFUSED: "Count",
    telemetry.ORG_UNAVAILABLE: "Count",
    telemetry.API_USAGE: "Count",
    telemetry.API_LIMIT: "Count",
    telemetry.API_USAGE_PERCENT: "Percent",
    telemetry.ERRORS_BY_CODE: "Count",
}

#: how a minute's record holds the successful calls' values of a metric: each reader sums the counts
#: (infra/alarms.py, infra/dashboard.py) and takes the maximum of the API usage figures, which one number per minute
#: gives as a value per call would; the latency's percentiles need every value (None: kept as an array)
_MINUTE: dict[str, Callable[[float, float], float] | None] = {
    telemetry.SALESFORCE_LATENCY: None,
    telemetry.API_USAGE: max,
    telemetry.API_LIMIT: max,
    telemetry.API_USAGE_PERCENT: max,
}


class MetricsIdentity(NamedTuple):
    """Where a container's metrics go: its contact center (a dimension), the namespace, and whether the metrics
    are also published per org (the contact center has further orgs; with its own org alone, per org would
    repeat per contact center)."""

    contact_center: str
    namespace: str
    per_org: bool


class CallMetrics(NamedTuple):
    """One call's metric values by the dimensions they are published under; a count of 0 is left out (every
    reader of these metrics sums them or takes their maximum, where a missing 0 is the same figure)."""

    #: the call's own dimension values besides the contact center: its method, and its org when per org
    dimensions: tuple[tuple[str, str], ...]
    per_method: dict[str, float]
    per_contact_center: dict[str, float]


def call_metrics(stats: InvocationStats, *, per_org: bool) -> CallMetrics:
    failed = bool(stats.error_code)
    dimensions = [(telemetry.METHOD_DIMENSION, stats.method or "none")]
    if per_org:
        dimensions.append((telemetry.ORG_DIMENSION, stats.org or "none"))
    per_contact_center: dict[str, float] = {
        telemetry.TOKEN_MINTS: stats.token_mints,
        telemetry.TOKEN_MINT_FAILURES: stats.token_mint_failures,
        telemetry.TOKEN_CACHE_HITS: 1 if stats.token_cache_hit else 0,
        telemetry.SECRETS_CACHE_HITS: stats.secrets_cache_hits,
        telemetry.SECRETS_MANAGER_CALLS: stats.secrets_manager_calls,
        telemetry.SIGN_IN_REFUSED: 1 if failed and stats.sign_in_refused else 0,
        telemetry.ORG_UNAVAILABLE: 1 if failed and stats.org_unavailable else 0,
    }
    if stats.api_usage is not None and stats.api_limit:  # only when Salesforce sent Sforce-Limit-Info
        per_contact_center[telemetry.API_USAGE] = stats.api_usage
        per_contact_center[telemetry.API_LIMIT] = stats.api_limit
        per_contact_center[telemetry.API_USAGE_PERCENT] = round(100 * stats.api_usage / stats.api_limit, 2)
    per_method: dict[str, float] = {
        telemetry.INVOCATIONS: 1,
        telemetry.ERRORS: 1 if failed else 0,
        telemetry.SALESFORCE_LATENCY: stats.salesforce_latency_total_ms,
        telemetry.SALESFORCE_REQUESTS: stats.salesforce_requests,
    }
    return CallMetrics(tuple(dimensions), _counted(per_method), _counted(per_contact_center))


def failure_record(stats: InvocationStats, identity: MetricsIdentity) -> dict[str, Any]:
    """The EMF members of a failed call's summary line, its metrics written at once; with the failure's error code
    as a dimension of ErrorsByCode."""
    call = call_metrics(stats, per_org=identity.per_org)
    return emf_record(
        identity,
        dict(call.dimensions),
        call.per_method,
        call.per_contact_center,
        timestamp_ms=int(time.time() * 1000),
        error_code=stats.error_code,
    )


def emf_record(
    identity: MetricsIdentity,
    dimensions: dict[str, str],
    per_method: dict[str, Any],
    per_contact_center: dict[str, Any],
    *,
    timestamp_ms: int,
    error_code: str | None = None,
) -> dict[str, Any]:
    """The dimension values, the metric values (a number, or an array of numbers) and the ``_aws`` member naming
    them."""
    org = [_PER_ORG] if identity.per_org else []
    directives = [telemetry.emf_directive(_units(per_method), _PER_METHOD + org, identity.namespace)]
    if per_contact_center:
        directives.append(
            telemetry.emf_directive(_units(per_contact_center), _PER_CONTACT_CENTER + org, identity.namespace)
        )
    record: dict[str, Any] = {
        telemetry.CONTACT_CENTER_DIMENSION: identity.contact_center,
        **dimensions,
        **per_method,
        **per_contact_center,
    }
    if error_code:
        directives.append(
            telemetry.emf_directive({telemetry.ERRORS_BY_CODE: "Count"}, _PER_ERROR_CODE, identity.namespace)
        )
        record[telemetry.ERROR_CODE_DIMENSION] = error_code
        record[telemetry.ERRORS_BY_CODE] = 1
    record["_aws"] = telemetry.emf_metadata(*directives, timestamp_ms=timestamp_ms)
    return record


class _Collected(NamedTuple):
    """The successful calls of one method (and org) in a minute, per metric: a number, or the array of the
    latencies (_MINUTE)."""

    per_method: dict[str, Any]
    per_contact_center: dict[str, Any]

    def add(self, call: CallMetrics) -> None:
        for collected, values in (
            (self.per_method, call.per_method),
            (self.per_contact_center, call.per_contact_center),
        ):
            for name, value in values.items():
                combine = _MINUTE.get(name, operator.add)
                if combine is None:
                    collected.setdefault(name, []).append(value)
                else:
                    collected[name] = combine(collected[name], value) if name in collected else value

    @property
    def full(self) -> bool:
        """One more value would pass EMF's limit for one metric of one record."""
        return any(
            isinstance(values, list) and len(values) >= telemetry.MAX_VALUES_PER_METRIC
            for collected in (self.per_method, self.per_contact_center)
            for values in collected.values()
        )


class MinuteMetrics:
    """The metrics of this container's successful calls in the current clock minute.

    Lambda freezes a container between invocations, so nothing can write them on a timer: the first call of a
    later minute, failed or not, writes the earlier minute's records (:meth:`due`; stamped with that minute, where
    CloudWatch puts them), a method whose latencies reach EMF's 100 values is written at once, and :meth:`flush`
    writes the rest when Lambda ends the container (handler.py, on SIGTERM).
    """

    def __init__(self, identity: MetricsIdentity) -> None:
        self.identity = identity
        self._minute: int | None = None
        self._calls: dict[tuple[tuple[str, str], ...], _Collected] = {}

    def due(self) -> list[dict[str, Any]]:
        """The records of an earlier minute once the clock is past it: any call of a later minute writes them."""
        if self._minute is None or int(time.time() // 60) == self._minute:
            return []
        return self.flush()

    def add(self, stats: InvocationStats) -> list[dict[str, Any]]:
        """Collect one successful call (after :meth:`due`); returns its method's record when it is full."""
        self._minute = int(time.time() // 60)
        call = call_metrics(stats, per_org=self.identity.per_org)
        collected = self._calls.setdefault(call.dimensions, _Collected({}, {}))
        collected.add(call)
        if collected.full:
            return [self._record(call.dimensions, self._calls.pop(call.dimensions))]
        return []

    def flush(self) -> list[dict[str, Any]]:
        """The records of every call collected and not yet written."""
        records = [self._record(dimensions, collected) for dimensions, collected in self._calls.items()]
        self._calls.clear()
        return records

    def _record(self, dimensions: tuple[tuple[str, str], ...], collected: _Collected) -> dict[str, Any]:
        assert self._minute is not None  # a call was collected
        return {
            "level": "INFO",
            "message": telemetry.METRICS_MESSAGE,
            **emf_record(
                self.identity,
                dict(dimensions),
                collected.per_method,
                collected.per_contact_center,
                timestamp_ms=self._minute * 60_000,
            ),
        }


def _counted(values: dict[str, float]) -> dict[str, float]:
    return {name: value for name, value in values.items() if value}


def _units(values: dict[str, Any]) -> dict[str, str]:
    return {name: _UNITS[name] for name in values}
