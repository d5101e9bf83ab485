"""Metrics of one invocation as Embedded Metric Format fields of its summary log line.

CloudWatch extracts metrics from any JSON log line carrying an ``_aws`` member, so the one summary line
per invocation is also the metrics record: no extra line, no CloudWatch API call on the hot path, and
the dashboard's figures and the log's fields can never disagree. Names come from shared/telemetry.py,
which the alarms and the dashboard read too.
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any, NamedTuple

from scv_shared import telemetry

from scv_invoker.stats import InvocationStats

_PER_ORG = [telemetry.CONTACT_CENTER_DIMENSION, telemetry.ORG_DIMENSION]
_PER_METHOD = [
    [telemetry.CONTACT_CENTER_DIMENSION],
    [telemetry.CONTACT_CENTER_DIMENSION, telemetry.METHOD_DIMENSION],
    _PER_ORG,
]
_PER_CONTACT_CENTER = [[telemetry.CONTACT_CENTER_DIMENSION], _PER_ORG]
_PER_ERROR_CODE = [[telemetry.CONTACT_CENTER_DIMENSION, telemetry.ERROR_CODE_DIMENSION]]


#: metric name -> unit of each directive: the directives are built from these once per container (_directives)
_PER_METHOD_UNITS = {
    telemetry.INVOCATIONS: "Count",
    telemetry.ERRORS: "Count",
    telemetry.SALESFORCE_LATENCY: "Milliseconds",
    telemetry.SALESFORCE_REQUESTS: "Count",
}
_PER_CONTACT_CENTER_UNITS = {
    telemetry.TOKEN_MINTS: "Count",
    telemetry.TOKEN_MINT_FAILURES: "Count",
    telemetry.TOKEN_CACHE_HITS: "Count",
    telemetry.SECRETS_CACHE_HITS: "Count",
    telemetry.SECRETS_MANAGER_CALLS: "Count",
    telemetry.SIGN_IN_REFUSED: "Count",
    telemetry.ORG_UNAVAILABLE: "Count",
}
#: only when Salesforce sent Sforce-Limit-Info
_API_USAGE_UNITS = {telemetry.API_USAGE: "Count", telemetry.API_LIMIT: "Count", telemetry.API_USAGE_PERCENT: "Percent"}
_PER_ERROR_CODE_UNITS = {telemetry.ERRORS_BY_CODE: "Count"}


class EmbeddedMetrics(NamedTuple):
    """What the summary line carries for CloudWatch: the dimension and metric values, and its ``_aws`` member."""

    fields: dict[str, Any]
    #: the ``_aws`` member as JSON text: the directives of the line's shape, encoded once per container, and
    #: this invocation's timestamp
    metadata_json: str


def embedded_metrics(stats: InvocationStats, contact_center: str, namespace: str) -> EmbeddedMetrics:
    """The values to merge into the summary line, and its ``_aws`` member."""
    failed = stats.error_code is not None and stats.error_code != ""
    with_api_usage = stats.api_usage is not None and bool(stats.api_limit)
    fields: dict[str, Any] = {
        telemetry.CONTACT_CENTER_DIMENSION: contact_center,
        telemetry.METHOD_DIMENSION: stats.method or "none",
        telemetry.ORG_DIMENSION: stats.org or "none",
        telemetry.INVOCATIONS: 1,
        telemetry.ERRORS: 1 if failed else 0,
        telemetry.SALESFORCE_LATENCY: stats.salesforce_latency_total_ms,
        telemetry.SALESFORCE_REQUESTS: stats.salesforce_requests,
        telemetry.TOKEN_MINTS: stats.token_mints,
        telemetry.TOKEN_MINT_FAILURES: stats.token_mint_failures,
        telemetry.TOKEN_CACHE_HITS: 1 if stats.token_cache_hit else 0,
        telemetry.SECRETS_CACHE_HITS: stats.secrets_cache_hits,
        telemetry.SECRETS_MANAGER_CALLS: stats.secrets_manager_calls,
        telemetry.SIGN_IN_REFUSED: 1 if failed and stats.sign_in_refused else 0,
        telemetry.ORG_UNAVAILABLE: 1 if failed and stats.org_unavailable else 0,
    }
    if with_api_usage:
        assert stats.api_usage is not None and stats.api_limit  # with_api_usage says so; for the type checker
        fields[telemetry.API_USAGE] = stats.api_usage
        fields[telemetry.API_LIMIT] = stats.api_limit
        fields[telemetry.API_USAGE_PERCENT] = round(100 * stats.api_usage / stats.api_limit, 2)
    if failed:
        fields[telemetry.ERROR_CODE_DIMENSION] = stats.error_code
        fields[telemetry.ERRORS_BY_CODE] = 1
    directives = _directives_json(namespace, with_api_usage=with_api_usage, failed=failed)
    return EmbeddedMetrics(fields, telemetry.emf_metadata_json(directives, int(time.time() * 1000)))


@functools.cache
def _directives_json(namespace: str, *, with_api_usage: bool, failed: bool) -> str:
    """The directives of one shape of summary line (at most four per container), as JSON: only the timestamp
    and the values change from one invocation to the next, so each shape is built and encoded once."""
    per_contact_center = {**_PER_CONTACT_CENTER_UNITS, **(_API_USAGE_UNITS if with_api_usage else {})}
    directives = [
        telemetry.emf_directive(_PER_METHOD_UNITS, _PER_METHOD, namespace),
        telemetry.emf_directive(per_contact_center, _PER_CONTACT_CENTER, namespace),
    ]
    if failed:
        directives.append(telemetry.emf_directive(_PER_ERROR_CODE_UNITS, _PER_ERROR_CODE, namespace))
    return json.dumps(directives, separators=(",", ":"))
