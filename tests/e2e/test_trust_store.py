"""The shipped invoker trusts certifi's roots through a directory indexed by subject hash, so its cold start parses
none of them: OpenSSL reads the one a handshake needs (infra/bundling.py: index_trust_store)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scv_salesforce.bundling import PEM_CERTIFICATE, TRUST_STORE_DIR

from tools.harness.runtime import bundle_python
from tools.harness.synth import EXAMPLE_STACK, CloudAssembly

#: what the shipped module's context holds before its first handshake, and what certifi's whole file would hold
_CONTEXT_ROOTS = """
import certifi, ssl
from scv_invoker.connections import ConnectionPool
print(ConnectionPool.from_environment()._context().cert_store_stats()["x509_ca"])
print(ssl.create_default_context(cafile=certifi.where()).cert_store_stats()["x509_ca"])
"""


def test_the_shipped_invoker_indexes_certifis_roots_and_parses_none_before_a_handshake(
    cloud_assembly: CloudAssembly,
) -> None:
    bundle = cloud_assembly.function(EXAMPLE_STACK, "InvokerFunction").asset_dir
    roots = set(PEM_CERTIFICATE.findall((bundle / "certifi" / "cacert.pem").read_text()))
    indexed = sorted((bundle / TRUST_STORE_DIR).iterdir())
    # certifi's roots (a machine's own CA appended to the file after bundling, as some sandboxes do, is not one)
    assert len(indexed) > 100
    assert {path.read_text() for path in indexed} <= roots
    for path in indexed:
        assert path.name.split(".")[0] == subject_hash(path)

    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(bundle)}  # no CA variable: Lambda sets none
    figures = subprocess.run(
        [bundle_python(), "-c", _CONTEXT_ROOTS], env=environment, capture_output=True, text=True, check=True
    ).stdout.split()
    assert figures[0] == "0" and int(figures[1]) >= len(indexed)


def subject_hash(certificate: Path) -> str:
    return subprocess.run(
        ["openssl", "x509", "-noout", "-subject_hash", "-in", str(certificate)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
