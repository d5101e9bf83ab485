"""Warm invocations: requests per method (figures 1 and 2) and the no-cache baseline (figure 6).

Counted on the wire, not from the invoker's own log: the Salesforce emulator records every request and
MotoSecretsServer every Secrets Manager call (the fake extension's upstream calls included), so a figure
cannot be right because the invoker's counters are wrong. The containers are the harness's
(tools/harness/container.py: the shipped bundle in an isolated process of the runtime's Python, warm between
calls).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.measure import Summary, ratio, summarize
from benchmarks.stage import Counts, Stage, lookup_event
from tools.harness.container import LambdaContainer
from tools.harness.deployment import AGENT_ARN, script_org_for_every_method
from tools.harness.events import connect_event

#: measured warm calls per method (after one priming call in the same container)
CALLS_PER_METHOD = 10
#: figure 6: rounds x batch calls per configuration, the configurations alternating batch by batch
BASELINE_ROUNDS = 10
BASELINE_BATCH = 10


@dataclass(frozen=True)
class MethodFigure:
    """Figure 2 for one method: Salesforce requests on the first call in a warm container and after it."""

    method: str
    goal: int
    first_call_requests: int
    warm_requests_per_call: float
    warm_token_requests: int
    warm_secrets_calls: int
    warm_latency: Summary
    warm_tcp_connections: int  # new TCP connections to Salesforce during the warm calls (goal: 0)
    warm_tls_handshakes: int

    @property
    def met(self) -> bool:
        return self.warm_requests_per_call == self.goal and self.warm_token_requests == 0


@dataclass(frozen=True)
class WarmFigures:
    """Figures 1 (warm) and 2: one warm container runs every method."""

    methods: list[MethodFigure]
    calls_per_method: int
    warm_invocations: int
    warm_secrets_calls: int  # every Secrets Manager call during all measured warm invocations
    warm_extension_reads: int


@dataclass(frozen=True)
class BaselineConfig:
    """Figure 6: one configuration of the same warm workload."""

    label: str
    overrides: dict[str, str]
    latency: Summary
    invocations: int
    secrets_calls: int
    extension_reads: int

    @property
    def secrets_calls_per_invocation(self) -> float:
        return self.secrets_calls / self.invocations

    @property
    def extension_reads_per_invocation(self) -> float:
        return self.extension_reads / self.invocations


@dataclass(frozen=True)
class BaselineFigures:
    cached: BaselineConfig
    uncached: list[BaselineConfig]

    def latency_ratio(self, config: BaselineConfig) -> float | None:
        return ratio(config.latency.median, self.cached.latency.median)


@dataclass(frozen=True)
class MethodCase:
    """One method's workload: its goal, a fresh event per call, and an output key that proves it worked
    (SFSPhoneCallFlowQuery and fetchOutboundPhoneNumber answer "success" even when Salesforce failed)."""

    method: str
    goal: int
    event: Callable[[], dict]
    expect: str


def _method_cases(stage: Stage) -> list[MethodCase]:
    """Every method, with the emulator scripted and records seeded so each call succeeds."""
    salesforce = stage.salesforce
    case_id = script_org_for_every_method(salesforce)
    transcript = json.dumps([["6e0b1b5e-8f41-4b6e-9a55-2f1f3c1d2e3f", '{"Transcript": []}']])

    def call(method: str, **parameters: str) -> Callable[[], dict]:
        return lambda: connect_event({"methodName": method, **parameters})

    def delete_event() -> dict:
        doomed = salesforce.add_record("Task", {"Subject": "Obsolete"})
        return connect_event({"methodName": "deleteRecord", "objectApiName": "Task", "recordId": doomed})

    sosl = "FIND {Yamada} IN NAME FIELDS RETURNING Contact(Id, Name)"
    return [
        MethodCase("queryRecord", 1, lookup_event, "Name"),
        MethodCase("createRecord", 1, call("createRecord", objectApiName="Case", Subject="Callback"), "recordId"),
        MethodCase("updateRecord", 1, call("updateRecord", objectApiName="Case", recordId=case_id, Status="Working"),
                   "success"),
        MethodCase("deleteRecord", 1, delete_event, "success"),
        MethodCase("searchRecord", 1, call("searchRecord", sosl=sosl), "Name"),
        MethodCase("fetchUploadIdsStatus", 1, call("fetchUploadIdsStatus", uploadIds="u-1,u-2"),
                   "statuses.0.uploadId"),
        MethodCase("realtimeAlertEvent", 1, call("realtimeAlertEvent", AlertType__c="Escalation", ContactId__c="c-1"),
                   "id"),
        MethodCase("fetchOutboundPhoneNumber", 1, call("fetchOutboundPhoneNumber", agentARN=AGENT_ARN),
                   "outboundPhoneNumber"),
        MethodCase("uploadTranscript", 1, call("uploadTranscript", contactIdsPayloadMap=transcript),
                   "uploads.0.uploadId"),
        MethodCase("SFSPhoneCallFlowQuery", 1, call("SFSPhoneCallFlowQuery"), "engPhone"),
        MethodCase("fetchDefaultVoicemailGreetingUrl", 1,
                   call("fetchDefaultVoicemailGreetingUrl", agentARN=AGENT_ARN), "GreetingUrl"),
        MethodCase("fetchAgentPhoneNumber", 0, call("fetchAgentPhoneNumber"), "success"),
    ]  # fmt: skip


def _invoke_ok(container: LambdaContainer, event: dict, expect: str | None = None) -> float:
    """One invocation that must succeed (and answer ``expect`` when given); its handler time in ms."""
    result = container.invoke(event)
    method = event["Details"]["Parameters"]["methodName"]
    if not result.ok:
        raise RuntimeError(f"{method} failed: {result.error}")
    if expect is not None and not (isinstance(result.payload, dict) and result.payload.get(expect)):
        raise RuntimeError(f"{method} answered without {expect}: {result.payload}")
    return result.duration_ms


def measure_methods(stage: Stage) -> WarmFigures:
    """Every method in one warm container: a priming call, then CALLS_PER_METHOD counted calls."""
    stage.seed_token()
    stage.fresh_environment()
    cases = _method_cases(stage)
    container = stage.start_container()
    figures: list[MethodFigure] = []
    total_secrets = total_extension = total_calls = 0
    try:
        _invoke_ok(container, lookup_event())  # the cold call: reads the access secret once
        for case in cases:
            before_first = stage.counts()
            _invoke_ok(container, case.event(), case.expect)
            first = stage.counts() - before_first
            before, connections_before = stage.counts(), stage.salesforce.connection_counts()
            latencies = [_invoke_ok(container, case.event(), case.expect) for _ in range(CALLS_PER_METHOD)]
            warm, connections = stage.counts() - before, stage.salesforce.connection_counts()
            total_secrets += warm.secrets_all
            total_extension += warm.extension_reads
            total_calls += CALLS_PER_METHOD
            figures.append(
                MethodFigure(
                    method=case.method,
                    goal=case.goal,
                    first_call_requests=first.salesforce_data,
                    warm_requests_per_call=warm.salesforce_data / CALLS_PER_METHOD,
                    warm_token_requests=warm.salesforce_token,
                    warm_secrets_calls=warm.secrets_all,
                    warm_latency=summarize(latencies),
                    warm_tcp_connections=connections.tcp - connections_before.tcp,
                    warm_tls_handshakes=connections.tls - connections_before.tls,
                )
            )
    finally:
        stage.close_containers([container])
    return WarmFigures(figures, CALLS_PER_METHOD, total_calls, total_secrets, total_extension)


def measure_cache_baseline(stage: Stage) -> BaselineFigures:
    """The sample flow's lookup, warm, with the per-container cache and without it (SECRETS_CACHE_TTL_SECONDS=0).

    Without the cache the access secret is read on every call, as the Node.js function read its secrets. As
    deployed that read goes to the extension (which caches upstream for its own TTL); the Node.js function
    called Secrets Manager itself, so the third configuration also drops the extension and reads through boto3.
    The configurations alternate batch by batch so drift on the machine hits them alike.
    """
    stage.seed_token()
    stage.fresh_environment()
    configs = [
        ("cached (as deployed: TTL 300 s, extension)", {}),
        ("SECRETS_CACHE_TTL_SECONDS=0, extension", {"SECRETS_CACHE_TTL_SECONDS": "0"}),
        (
            "SECRETS_CACHE_TTL_SECONDS=0, no extension (Secrets Manager read every call, as the Node.js function)",
            {"SECRETS_CACHE_TTL_SECONDS": "0", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": ""},
        ),
    ]
    containers = [stage.start_container(**overrides) for _, overrides in configs]
    latencies: list[list[float]] = [[] for _ in configs]
    counted = [Counts(0, 0, 0, 0, 0, 0) for _ in configs]  # summed over that configuration's batches
    try:
        for container in containers:  # cold call and one warm call each, not measured
            _invoke_ok(container, lookup_event())
            _invoke_ok(container, lookup_event())
        for _ in range(BASELINE_ROUNDS):
            for index, container in enumerate(containers):
                before = stage.counts()
                latencies[index] += [_invoke_ok(container, lookup_event()) for _ in range(BASELINE_BATCH)]
                counted[index] = counted[index] + (stage.counts() - before)
    finally:
        stage.close_containers(containers)
    results = [
        BaselineConfig(
            label=label,
            overrides=overrides,
            latency=summarize(latencies[index]),
            invocations=len(latencies[index]),
            secrets_calls=counted[index].secrets_all,
            extension_reads=counted[index].extension_reads,
        )
        for index, (label, overrides) in enumerate(configs)
    ]
    return BaselineFigures(results[0], results[1:])
