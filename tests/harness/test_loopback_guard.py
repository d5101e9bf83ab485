"""The loopback guard refuses, inside a bundle's container, what would leave this machine, and lets loopback through
(what tests/e2e/test_try_scvctl.py relies on to prove `make try` reaches nothing else)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.fixtures import ContainerFactory, probe_asset
from tools.emulators.salesforce import SalesforceEmulator
from tools.harness.loopback_guard import LOG_VARIABLE

PROBE = """
import socket
def handler(event, context):
    answers = {}
    for host, port in event["targets"]:
        try:
            socket.create_connection((host, port), timeout=5).close()
            answers[host] = "connected"
        except OSError as error:
            answers[host] = str(error)
    return answers
"""


def test_a_container_under_the_guard_reaches_loopback_only(
    start_container: ContainerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusals = tmp_path / "refusals.log"
    monkeypatch.setenv(LOG_VARIABLE, str(refusals))
    with SalesforceEmulator() as salesforce:
        port = int(salesforce.base_url.rsplit(":", 1)[1])
        targets = [["127.0.0.1", port], ["localhost", port], ["192.0.2.1", 443], ["example-org.my.salesforce.com", 443]]
        answer = start_container(probe_asset(tmp_path, PROBE), {}).invoke({"targets": targets})

    assert answer.ok, answer.error
    assert answer.payload["127.0.0.1"] == answer.payload["localhost"] == "connected"
    assert answer.payload["192.0.2.1"].startswith("loopback guard: socket.")
    assert answer.payload["example-org.my.salesforce.com"].startswith("loopback guard: socket.getaddrinfo")
    assert refusals.read_text().splitlines() == [
        "socket.getaddrinfo 192.0.2.1",
        "socket.getaddrinfo example-org.my.salesforce.com",
    ]
