"""Metrics of one invocation as Embedded Metric Format fields of its summary log line.

CloudWatch extracts metrics from any JSON log line carrying an ``_aws`` member, so the one summary line
per invocation is also the metrics record: no extra line, no CloudWatch API call on the hot path, and
the dashboard's figures and the log's fields can never disagree. Names come from shared/telemetry.py,
which the alarms and the dashboard read too.
"""

from __future__ import annotations

import time
from typing import Any

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


def emf_fields(stats: InvocationStats, contact_center: str, namespace: str) -> dict[str, Any]:
    """The ``_aws`` directive, dimension values and metric values to merge into the summary line."""
    failed = stats.error_code is not None and stats.error_code != ""
    per_method = {
        telemetry.INVOCATIONS: (1, "Count"),
        telemetry.ERRORS: (1 if failed else 0, "Count"),
        telemetry.SALESFORCE_LATENCY: (stats.salesforce_latency_total_ms, "Milliseconds"),
        telemetry.SALESFORCE_REQUESTS: (stats.salesforce_requests, "Count"),
    }
    per_contact_center = {
        telemetry.TOKEN_MINTS: (stats.token_mints, "Count"),
        telemetry.TOKEN_MINT_FAILURES: (stats.token_mint_failures, "Count"),
        telemetry.TOKEN_CACHE_HITS: (1 if stats.token_cache_hit else 0, "Count"),
        telemetry.SECRETS_CACHE_HITS: (stats.secrets_cache_hits, "Count"),
        telemetry.SECRETS_MANAGER_CALLS: (stats.secrets_manager_calls, "Count"),
    }
    if stats.api_usage is not None and stats.api_limit:
        per_contact_center[telemetry.API_USAGE] = (stats.api_usage, "Count")
        per_contact_center[telemetry.API_LIMIT] = (stats.api_limit, "Count")
        per_contact_center[telemetry.API_USAGE_PERCENT] = (round(100 * stats.api_usage / stats.api_limit, 2), "Percent")
    directives = [
        telemetry.emf_directive({name: unit for name, (_, unit) in per_method.items()}, _PER_METHOD, namespace),
        telemetry.emf_directive(
            {name: unit for name, (_, unit) in per_contact_center.items()}, _PER_CONTACT_CENTER, namespace
        ),
    ]
    fields: dict[str, Any] = {
        telemetry.CONTACT_CENTER_DIMENSION: contact_center,
        telemetry.METHOD_DIMENSION: stats.method or "none",
        telemetry.ORG_DIMENSION: stats.org or "none",
        **{name: value for name, (value, _) in {**per_method, **per_contact_center}.items()},
    }
    if failed:
        directives.append(telemetry.emf_directive({telemetry.ERRORS_BY_CODE: "Count"}, _PER_ERROR_CODE, namespace))
        fields[telemetry.ERROR_CODE_DIMENSION] = stats.error_code
        fields[telemetry.ERRORS_BY_CODE] = 1
    fields["_aws"] = telemetry.emf_metadata(*directives, timestamp_ms=int(time.time() * 1000))
    return fields
