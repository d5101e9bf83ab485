"""scv_shared.telemetry: the EMF ``_aws`` member, built as an object (the certificate check) or as JSON text from
directives encoded once (the invoker's summary line), is the same member either way."""

from __future__ import annotations

import json

from scv_shared import telemetry


def test_the_encoded_emf_member_is_the_same_as_the_built_one() -> None:
    directives = [
        telemetry.emf_directive({telemetry.INVOCATIONS: "Count"}, [[telemetry.CONTACT_CENTER_DIMENSION]], "Ns"),
        telemetry.emf_directive({telemetry.API_USAGE_PERCENT: "Percent"}, [], "Ns"),
    ]
    encoded = telemetry.emf_metadata_json(json.dumps(directives), 1796279754895)
    assert json.loads(encoded) == telemetry.emf_metadata(*directives, timestamp_ms=1796279754895)
