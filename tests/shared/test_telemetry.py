"""scv_shared.telemetry: the EMF ``_aws`` member every function's metrics line carries."""

from __future__ import annotations

from scv_shared import telemetry


def test_the_emf_member_names_the_metrics_of_each_directive() -> None:
    directives = [
        telemetry.emf_directive({telemetry.INVOCATIONS: "Count"}, [[telemetry.CONTACT_CENTER_DIMENSION]], "Ns"),
        telemetry.emf_directive({telemetry.API_USAGE_PERCENT: "Percent"}, [], "Ns"),
    ]
    assert telemetry.emf_metadata(*directives, timestamp_ms=1796279754895) == {
        "Timestamp": 1796279754895,
        "CloudWatchMetrics": [
            {
                "Namespace": "Ns",
                "Dimensions": [["ContactCenter"]],
                "Metrics": [{"Name": "Invocations", "Unit": "Count"}],
            },
            {"Namespace": "Ns", "Dimensions": [], "Metrics": [{"Name": "ApiUsagePercent", "Unit": "Percent"}]},
        ],
    }
