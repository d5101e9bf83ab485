"""Metric names and dimensions: the contract between the functions that emit them (Embedded Metric
Format in their logs, no API call on the hot path) and the alarms and dashboard that read them."""

NAMESPACE = "ServiceCloudVoice/SalesforceRestApi"

CONTACT_CENTER_DIMENSION = "ContactCenter"
METHOD_DIMENSION = "Method"
ERROR_CODE_DIMENSION = "ErrorCode"
ORG_DIMENSION = "Org"  # the Salesforce org of the call: "default" (the contact center's own) or a further org

# Per contact center, and per contact center and org (the first four also per contact center and method).
INVOCATIONS = "Invocations"
ERRORS = "Errors"
SALESFORCE_LATENCY = "SalesforceLatency"  # milliseconds spent waiting on Salesforce in one invocation
SALESFORCE_REQUESTS = "SalesforceRequests"
# Per contact center and error code (errorCode of the failure shape).
ERRORS_BY_CODE = "ErrorsByCode"
# Auth and caches.
TOKEN_MINTS = "TokenMints"  # noqa: S105 - metric names, not secrets
TOKEN_MINT_FAILURES = "TokenMintFailures"  # noqa: S105
TOKEN_CACHE_HITS = "TokenCacheHits"  # noqa: S105
SECRETS_CACHE_HITS = "SecretsCacheHits"
SECRETS_MANAGER_CALLS = "SecretsManagerCalls"
# From the Sforce-Limit-Info response header (api-usage=<used>/<limit>).
API_USAGE = "ApiUsage"
API_LIMIT = "ApiLimit"
API_USAGE_PERCENT = "ApiUsagePercent"
# Faults that last: a call answered with a sign-in refusal (the token endpoint refused, now or within the
# remembered interval), and a call failed fast because the org's circuit breaker is open. Either one means the
# integration is down for that org until a person acts or the org answers again.
SIGN_IN_REFUSED = "SignInRefused"
ORG_UNAVAILABLE = "OrgUnavailable"
# From the scheduled certificate check.
CERTIFICATE_DAYS_LEFT = "CertificateDaysLeft"

# The invoker's one summary line per invocation and its contact id property: a contact id is no dimension
# (unbounded values, each would be a metric of its own); the stack's Contributor Insights rule counts summary
# lines per contact id instead, so a looping flow shows as one contact with many invocations.
SUCCEEDED_MESSAGE = "invocation succeeded"
FAILED_MESSAGE = "invocation failed"
SUMMARY_MESSAGES = (SUCCEEDED_MESSAGE, FAILED_MESSAGE)
CONTACT_ID_PROPERTY = "contact_id"
# The invoker's line with the metrics of its successful calls of one minute (a failure's line carries its own).
METRICS_MESSAGE = "metrics"
# EMF's limit on the values of one metric in one line (the specification's "array of numbers").
MAX_VALUES_PER_METRIC = 100


def emf_directive(metrics: dict[str, str], dimension_sets: list[list[str]], namespace: str = NAMESPACE) -> dict:
    """One CloudWatch Embedded Metric Format directive: metric name → unit, under the given dimension sets."""
    return {
        "Namespace": namespace,
        "Dimensions": dimension_sets,
        "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics.items()],
    }


def emf_metadata(*directives: dict, timestamp_ms: int) -> dict:
    """The ``_aws`` member that turns a JSON log line into metrics (its values are the line's own keys)."""
    return {"Timestamp": timestamp_ms, "CloudWatchMetrics": list(directives)}
