"""What one invocation did, collected as it happens: the seam for the summary log line and the metrics.

The handler writes one log line per invocation from this object and invoker/metrics.py reads the same fields,
so no other module has to know about either. Only counts, codes and timings live here, never values (no tokens,
no parameter values).
"""

from __future__ import annotations

import re
from typing import Any

from scv_shared.orgs import DEFAULT_ORG

_API_USAGE = re.compile(r"(?:^|[\s,;])api-usage\s*=\s*(\d+)\s*/\s*(\d+)")


def parse_limit_info(header: str | None) -> tuple[int, int] | None:
    """``Sforce-Limit-Info: api-usage=25/15000`` → ``(25, 15000)``; None when missing or malformed."""
    if not header:
        return None
    match = _API_USAGE.search(header)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


class InvocationStats:
    """Counters of one invocation (fresh per invocation; the caches that feed it live per container).

    A plain class, not a dataclass: the dataclasses module imports inspect, a cost on every cold start
    (tests/invoker/test_cold_start.py keeps both out). The annotations, in order, are the summary line's fields;
    the numbers and flags start from the class's values, the two lists are made per invocation.
    """

    method: str | None = None
    #: the Salesforce org the call went to ("default": the contact center's own; None: refused before)
    org: str | None = None
    contact_id: str | None = None
    #: the names of the parameters the flow passed (never their values), for reading a flow's mistake from the log
    parameters: list[str]
    #: Salesforce REST API requests sent (token requests are counted in ``token_requests``)
    salesforce_requests: int = 0
    #: HTTP status of the last Salesforce REST API response (None: no response)
    salesforce_status: int | None = None
    #: time spent waiting for Salesforce REST API responses, milliseconds, one entry per request
    salesforce_latency_ms: list[float]
    #: retries of a Salesforce request after 429/5xx/connection errors
    salesforce_retries: int = 0
    #: from the last Sforce-Limit-Info header
    api_usage: int | None = None
    api_limit: int | None = None
    #: secret reads served from this container's memory
    secrets_cache_hits: int = 0
    #: secret reads through the Parameters and Secrets extension's local endpoint
    secrets_extension_reads: int = 0
    #: calls to Secrets Manager itself (GetSecretValue / PutSecretValue through boto3)
    secrets_manager_calls: int = 0
    #: the access token came from this container's memory
    token_cache_hit: bool = False
    #: POSTs to the OAuth token endpoint, and how many of them produced a token
    token_requests: int = 0
    token_mints: int = 0
    #: mints that ended in a failure (invalid_grant, key problems, ...)
    token_mint_failures: int = 0
    #: 401 from Salesforce answered by re-reading/minting a token
    token_refreshes: int = 0
    #: the invocation failed because the token endpoint refused the sign-in (now, or as the access secret remembers)
    sign_in_refused: bool = False
    #: the invocation failed at once because the org's circuit breaker is open
    org_unavailable: bool = False
    #: set when the invocation failed (or a best-effort method degraded)
    error_code: str | None = None
    duration_ms: float | None = None

    def __init__(self, *, contact_id: str | None = None, parameters: list[str] | None = None) -> None:
        self.contact_id = contact_id
        self.parameters = [] if parameters is None else parameters
        self.salesforce_latency_ms = []

    def record_limit_info(self, header: str | None) -> None:
        parsed = parse_limit_info(header)
        if parsed is not None:
            self.api_usage, self.api_limit = parsed

    @property
    def salesforce_latency_total_ms(self) -> float:
        return round(sum(self.salesforce_latency_ms), 1)

    def success_log_fields(self, *, cold_start: bool) -> dict[str, Any]:
        """A successful call's line at INFO: what operators look for per call, in as few bytes as it takes, as
        CloudWatch Logs bills each one. The contact (the CallsPerContact rule counts it), the method, the org's
        usage of its daily API allowance and the duration, always. Only when they differ from a plain call: the
        org (not the contact center's own), Salesforce's status (not 200), the API requests the call spent (not
        1), the error code of a best-effort method that degraded, the retries and token mints, cold_start on a
        container's first call. The org's daily limit is in the metrics (ApiLimit); the rest is at DEBUG
        (as_log_fields) and in the metrics; a failure's line has it all."""
        return {
            "contact_id": self.contact_id,
            "method": self.method,
            "org": None if self.org == DEFAULT_ORG else self.org,
            "salesforce_status": None if self.salesforce_status == 200 else self.salesforce_status,
            "error_code": self.error_code,
            "salesforce_requests": None if self.salesforce_requests == 1 else self.salesforce_requests,
            "api_usage": self.api_usage,
            "salesforce_retries": self.salesforce_retries or None,
            "token_mints": self.token_mints or None,
            "duration_ms": None if self.duration_ms is None else round(self.duration_ms, 1),
            "cold_start": True if cold_start else None,
        }

    def as_log_fields(self) -> dict[str, Any]:
        """The fields of the per-invocation log line, in declaration order: the class's starting values updated
        with what this invocation set (a dict update keeps each key where it was; ``dataclasses.asdict`` would
        deep-copy every value, and a getattr per field is a call per field on every invocation)."""
        log_fields = dict(_LOG_FIELD_DEFAULTS)
        log_fields.update(self.__dict__)
        log_fields["parameters"] = list(self.parameters)
        log_fields["salesforce_latency_ms"] = self.salesforce_latency_total_ms
        if self.duration_ms is not None:
            log_fields["duration_ms"] = round(self.duration_ms, 1)
        return log_fields


#: every field in declaration order with its starting value (None for the two lists made per invocation)
_LOG_FIELD_DEFAULTS = {name: getattr(InvocationStats, name, None) for name in InvocationStats.__annotations__}
