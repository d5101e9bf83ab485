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


class EmbeddedMetrics(NamedTuple):
    """What the summary line carries for CloudWatch: the dimension and metric values, and its ``_aws`` member."""

    fields: dict[str, Any]
    #: the ``_aws`` member as JSON text: the directives of the line's shape, encoded once per container, and
    #: this invocation's timestamp
    metadata_json: str


def embedded_metrics(stats: InvocationStats, contact_center: str, namespace: str, *, per_org: bool) -> EmbeddedMetrics:
    """The values to merge into the summary line, and its ``_aws`` member.

    A count of 0 is left out of the line (its value and its directive): every reader of these metrics (the
    alarms, the dashboard) sums them or takes their maximum, where a missing 0 is the same figure, and most counts
    of a successful call are 0. ``per_org``: the contact center has further orgs, so the metrics are also
    published per org (with the contact center's own org alone, per org would repeat per contact center).
    """
    failed = stats.error_code is not None and stats.error_code != ""
    per_method = _counted(
        {
            telemetry.INVOCATIONS: 1,
            telemetry.ERRORS: 1 if failed else 0,
            telemetry.SALESFORCE_LATENCY: stats.salesforce_latency_total_ms,
            telemetry.SALESFORCE_REQUESTS: stats.salesforce_requests,
        }
    )
    per_contact_center = _counted(
        {
            telemetry.TOKEN_MINTS: stats.token_mints,
            telemetry.TOKEN_MINT_FAILURES: stats.token_mint_failures,
            telemetry.TOKEN_CACHE_HITS: 1 if stats.token_cache_hit else 0,
            telemetry.SECRETS_CACHE_HITS: stats.secrets_cache_hits,
            telemetry.SECRETS_MANAGER_CALLS: stats.secrets_manager_calls,
            telemetry.SIGN_IN_REFUSED: 1 if failed and stats.sign_in_refused else 0,
            telemetry.ORG_UNAVAILABLE: 1 if failed and stats.org_unavailable else 0,
        }
    )
    if stats.api_usage is not None and stats.api_limit:  # only when Salesforce sent Sforce-Limit-Info
        per_contact_center[telemetry.API_USAGE] = stats.api_usage
        per_contact_center[telemetry.API_LIMIT] = stats.api_limit
        per_contact_center[telemetry.API_USAGE_PERCENT] = round(100 * stats.api_usage / stats.api_limit, 2)
    fields: dict[str, Any] = {
        telemetry.CONTACT_CENTER_DIMENSION: contact_center,
        telemetry.METHOD_DIMENSION: stats.method or "none",
    }
    if per_org:
        fields[telemetry.ORG_DIMENSION] = stats.org or "none"
    fields.update(per_method)
    fields.update(per_contact_center)
    if failed:
        fields[telemetry.ERROR_CODE_DIMENSION] = stats.error_code
        fields[telemetry.ERRORS_BY_CODE] = 1
    directives = _directives_json(
        namespace, tuple(per_method), tuple(per_contact_center), failed=failed, per_org=per_org
    )
    return EmbeddedMetrics(fields, telemetry.emf_metadata_json(directives, int(time.time() * 1000)))


def _counted(values: dict[str, float]) -> dict[str, float]:
    return {name: value for name, value in values.items() if value}


@functools.cache
def _directives_json(
    namespace: str, per_method: tuple[str, ...], per_contact_center: tuple[str, ...], *, failed: bool, per_org: bool
) -> str:
    """The directives of one shape of summary line (which metrics it carries), as JSON: only the timestamp and
    the values change from one invocation of a shape to the next, so each shape is built and encoded once."""
    org = [_PER_ORG] if per_org else []
    directives = [telemetry.emf_directive({name: _UNITS[name] for name in per_method}, _PER_METHOD + org, namespace)]
    if per_contact_center:
        units = {name: _UNITS[name] for name in per_contact_center}
        directives.append(telemetry.emf_directive(units, _PER_CONTACT_CENTER + org, namespace))
    if failed:
        directives.append(telemetry.emf_directive({telemetry.ERRORS_BY_CODE: "Count"}, _PER_ERROR_CODE, namespace))
    return json.dumps(directives, separators=(",", ":"))
